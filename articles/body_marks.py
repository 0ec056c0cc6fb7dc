"""Marks that prove a stored body is what this sanitiser made of it, whichever way the row was written.

``Article.save()`` stores, beside the cleaned body, a keyed mark: an HMAC-SHA256 of the body under
a key derived from ``DJANGO_SECRET_KEY`` and ``SANITISER_VERSION``. A body written around
``save()`` (``loaddata``, ``QuerySet.update()``, raw SQL, a restored backup from elsewhere) has
no valid mark, nor one that anyone without the key can make, so pages clean it again before
showing it. Checking a mark costs microseconds; cleaning costs milliseconds, which is why
bodies are not simply cleaned on every render. ``manage.py sanitise_bodies`` cleans and marks
every unmarked body, after which pages are back to checking marks only.

A new ``SANITISER_VERSION`` or secret key makes every mark stale at once: pages stay safe (they
clean), and ``sanitise_bodies`` brings them back to full speed. Keys in
``SECRET_KEY_FALLBACKS`` still verify, as Django's own signatures do.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging

from django.conf import settings
from django.utils.crypto import constant_time_compare
from django.utils.safestring import SafeString, mark_safe

from articles.sanitise import SANITISER_VERSION, sanitise

logger = logging.getLogger(__name__)

MARK_LENGTH = 64
KEY_SALT = "articles.body_marks.sanitised-by-version-"


def mark(body: str, secret: str | None = None) -> str:
    """Return the mark of ``body`` as cleaned by this sanitiser version (hex, 64 characters).

    Django's ``salted_hmac`` construction, with the derived key kept rather than hashed again on
    every page: pages check a mark on every render.
    """
    key = _key(secret or settings.SECRET_KEY, SANITISER_VERSION)
    return hmac.digest(key, body.encode("utf-8", "surrogatepass"), "sha256").hex()


@functools.lru_cache(maxsize=8)
def _key(secret: str, version: str) -> bytes:
    return hashlib.sha256((KEY_SALT + version + secret).encode()).digest()


def is_marked(body: str, body_mark: str) -> bool:
    """Return whether ``body_mark`` proves ``body`` was cleaned by this sanitiser version."""
    if len(body_mark or "") != MARK_LENGTH:
        return False
    return any(
        constant_time_compare(body_mark, mark(body, secret))
        for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    )


def safe_body(body: str, body_mark: str, label: object = "") -> SafeString:
    """Return ``body`` ready for a page: as stored when its mark holds, cleaned now otherwise."""
    if not body or is_marked(body, body_mark):
        return mark_safe(body or "")
    logger.warning(
        "Body of %s has no valid mark (written around save(), or by another sanitiser version or key): "
        "cleaned for display. Run manage.py sanitise_bodies.",
        label or "an article",
    )
    return mark_safe(sanitise(body))
