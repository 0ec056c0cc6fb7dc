"""Readable ASCII slugs for Chinese, Japanese and mixed titles.

Han characters are transliterated to pinyin (pypinyin) rather than kept as
unicode slugs: a unicode slug becomes ``%E9%98%BF…`` as soon as a reader copies
the address into WeChat, an e-mail or a log, while ``a-li-zhang-yong`` stays
readable and typeable everywhere. Characters with no ASCII form (kana, emoji)
are dropped; a title made only of them falls back to a short stable hash.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin

MAX_SLUG_WORDS_LENGTH = 60
NON_SLUG = re.compile(r"[^a-z0-9]+")


def transliterate(text: str) -> str:
    """Return ``text`` with Han characters spelled in toneless pinyin, words spaced."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: chars))


def slug_from_text(text: str, max_length: int = MAX_SLUG_WORDS_LENGTH) -> str:
    """Return a lowercase ASCII slug for ``text``, cut on a word boundary."""
    slug = NON_SLUG.sub("-", slugify(transliterate(text)).lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[: max_length + 1].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    slug = slug.strip("-")
    if not slug:
        slug = "x-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return slug


def with_suffix(slug: str, suffix: str, max_length: int) -> str:
    """Return ``slug-suffix``, shortening ``slug`` so that the whole fits ``max_length``."""
    room = max_length - len(suffix) - 1
    return f"{slug[:room].rstrip('-')}-{suffix}"
