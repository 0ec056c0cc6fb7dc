"""Readable ASCII slugs for Chinese, Japanese and mixed titles.

Han characters are transliterated to pinyin (pypinyin) rather than kept as
unicode slugs: a unicode slug becomes ``%E9%98%BF…`` as soon as a reader copies
the address into WeChat, an e-mail or a log, while ``a-li-zhang-yong`` stays
readable and typeable everywhere. Characters with no ASCII form (kana, emoji)
are dropped; a title made only of them falls back to a short stable hash.

``unique_slug()`` then finds the first free one of ``base``, ``base-2``, ``base-3``… for a model,
counting an article's old addresses (``SlugRedirect``) as taken.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, router
from django.utils.text import slugify
from pypinyin import Style, lazy_pinyin

MAX_SLUG_WORDS_LENGTH = 60
# Candidates checked by one query: base, base-2 … base-10, then base-11 … base-20 if need be.
CANDIDATES_PER_QUERY = 10
# Stands for the primary key left out while a query is compiled (no row has it).
EXCLUDED_PK_MARK = -7_331_091
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


def unique_slug(model: type[models.Model], base: str, exclude_pk: int | None = None) -> str:
    """Return ``base``, or ``base-2``, ``base-3``… the first slug ``model`` does not use yet.

    Candidates are checked by exact (indexed) lookups, ten at a time, so the cost does not grow
    with the table.
    """
    slug_field = model._meta.get_field("slug")
    assert isinstance(slug_field, models.SlugField) and slug_field.max_length is not None
    max_length = slug_field.max_length
    base = base[:max_length].strip("-")
    first = 1
    while True:
        candidates = [
            base if number == 1 else with_suffix(base, str(number), max_length)
            for number in range(first, first + CANDIDATES_PER_QUERY)
        ]
        taken = _slugs_taken(model, candidates, exclude_pk)
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        first += CANDIDATES_PER_QUERY


def _slugs_taken(model: type[models.Model], candidates: list[str], exclude_pk: int | None) -> set[str]:
    """Return which ``candidates`` another row of ``model`` uses or an old address of another row
    holds (``_taken``), in one query compiled once per model."""
    alias = router.db_for_write(model)
    sql, sources = _compiled_taken(model, exclude_pk is not None, alias)
    params = [exclude_pk if source is None else candidates[source] for source in sources]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return {slug for (slug,) in cursor.fetchall()}


@functools.cache
def _compiled_taken(
    model: type[models.Model], excluding: bool, alias: str
) -> tuple[str, tuple[int | None, ...]]:
    """Return the SQL of ``_taken`` for ``CANDIDATES_PER_QUERY`` candidates, and where each of its
    parameters comes from: a candidate's position, or None for the primary key left out.

    Compiling the ORM's UNION costs more than the database takes to answer it, and the importer
    asks once per article; the statement's shape never changes, only its parameters.
    """
    marks = [f"\x00candidate {number}" for number in range(CANDIDATES_PER_QUERY)]
    query = _taken(model, marks, EXCLUDED_PK_MARK if excluding else None).query
    sql, params = query.get_compiler(using=alias).as_sql()
    sources = tuple(None if param == EXCLUDED_PK_MARK else marks.index(param) for param in params)
    return sql, sources


def _taken(model: type[models.Model], candidates: list[str], exclude_pk: int | None) -> models.QuerySet:
    """Return the query of which ``candidates`` another row of ``model`` uses or, for a model whose
    old addresses keep redirecting (articles), another row's old address holds: one UNION."""
    rows = model._base_manager.filter(slug__in=candidates)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    taken = rows.order_by().values_list("slug", flat=True)
    redirect_model = _redirect_model(model)
    if redirect_model is not None:
        held = redirect_model._base_manager.filter(old_slug__in=candidates)
        if exclude_pk is not None:
            held = held.exclude(article_id=exclude_pk)
        taken = taken.union(held.order_by().values_list("old_slug", flat=True))
    return taken


def _redirect_model(model: type[models.Model]) -> type[models.Model] | None:
    """Return the model of ``model``'s old addresses (reached through ``_meta``, as the models
    import this module), or None for a model that keeps none."""
    try:
        return model._meta.get_field("slug_redirects").related_model
    except FieldDoesNotExist:
        return None
