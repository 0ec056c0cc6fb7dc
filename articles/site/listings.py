"""The listing pages' reads (home, category, tag, author, editor, date archive) in plain SQL.

Like the article page (``articles.site.article_page``), a listing is the site's most read kind
of page, and the ORM spent longer compiling its query than the database spent answering it.
A ``Listing`` says which published articles a page lists, as a condition on the article table;
``summaries()`` reads one page of them, with their categories and, when asked, how many there
are, in one statement written here and kept prepared on PostgreSQL (``articles.site.rows``). What
readers may see still comes from ``published()``, compiled (``published_condition()``); the
rows are turned into model instances as the ORM would (``articles.site.rows.columns``), with what a
listing does not show (the body, the import records) left deferred.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connection

from articles import search
from articles.models import (
    SUMMARY_DEFERRED_FIELDS,
    Article,
    Byline,
    Category,
    TaggedArticle,
    archive_range,
)
from articles.site.rows import Columns, columns, database_time, fetch_all, published_condition


@dataclass(frozen=True)
class Listing:
    """Which published articles a listing holds: a condition on the article table and its parameters,
    newest first, after ``first_order`` (an ORDER BY term and its parameters) when there is one."""

    condition: str = ""
    params: tuple = ()
    first_order: str = ""
    first_order_params: tuple = ()
    # False when the best plan depends on the parameters (search words): planned on every run.
    preparable: bool = True

    @classmethod
    def everything(cls) -> Listing:
        return cls()

    @classmethod
    def featured(cls) -> Listing:
        # The column alone, no parameter: PostgreSQL then sees the article_featured index applies.
        return cls(f"{_article()}.{_quote('is_featured')}")

    @classmethod
    def in_categories(cls, categories: list[Category]) -> Listing:
        """The articles of ``categories`` (a subtree already read: ``CategoryQuerySet.subtree_at``)."""
        marks = ", ".join(["%s"] * len(categories))
        return cls(f"{_article()}.{_quote('category_id')} IN ({marks})", tuple(c.pk for c in categories))

    @classmethod
    def tagged(cls, tag_id: int) -> Listing:
        tagged = _quote(TaggedArticle._meta.db_table)
        return cls(
            f"{_article()}.{_quote('id')} IN (SELECT {tagged}.{_quote('content_object_id')} FROM {tagged}"
            f" WHERE {tagged}.{_quote('tag_id')} = %s)",
            (tag_id,),
        )

    @classmethod
    def by_author(cls, author_id: int) -> Listing:
        bylines = _quote(Byline._meta.db_table)
        return cls(
            f"{_article()}.{_quote('id')} IN (SELECT {bylines}.{_quote('article_id')} FROM {bylines}"
            f" WHERE {bylines}.{_quote('author_id')} = %s)",
            (author_id,),
        )

    @classmethod
    def edited_by(cls, author_id: int) -> Listing:
        return cls(f"{_article()}.{_quote('editor_id')} = %s", (author_id,))

    @classmethod
    def in_archive(cls, year: int, month: int | None = None, day: int | None = None) -> Listing:
        """The articles of a year, month or day in the site's time zone (``archive_range``)."""
        start, end = archive_range(year, month, day)
        published = f"{_article()}.{_quote('published_at')}"
        return cls(f"{published} >= %s AND {published} < %s", (database_time(start), database_time(end)))


def matching(query: search.Query, limit: int) -> Listing:
    """The articles matching a search ``query``, the best ``limit`` of them, ranked as
    ``ArticleQuerySet.search`` ranks them: titles holding every word first, then newest."""
    if not query:
        return Listing("1 = 0")
    matches = search.matching_ids(query, limit)
    article_id = f"{_article()}.{_quote('id')}"
    if connection.vendor == "postgresql":
        condition = f"{article_id} = ANY(ARRAY({matches.sql}))"
    else:
        condition = f"{article_id} IN ({matches.sql})"
    patterns = query.title_patterns()
    title = f"UPPER({_article()}.{_quote('title')})"
    in_title = " AND ".join([f"{title} LIKE %s"] * len(patterns))
    return Listing(
        condition,
        tuple(matches.params),
        f"CASE WHEN {in_title} THEN 1 ELSE 0 END DESC",
        tuple(patterns),
        # A common word wants the newest-first walk, a rare one the GIN index: one generic plan
        # for both ran slower than planning each search.
        preparable=False,
    )


def summaries(
    listing: Listing,
    offset: int,
    count: int,
    with_total: bool = False,
    counted: Listing | None = None,
    body_opening: int = 0,
) -> tuple[list[Article], int | None]:
    """Return the ``count`` first articles of ``listing`` after the first ``offset``, each with its
    category, and how many the listing holds (or ``counted`` does) when ``with_total`` (else
    None); one query. ``body_opening``: set each article's ``body_opening`` to the first that many
    characters of its body (search makes snippets of them); the body itself is not read.

    The page's ids come first from the listing index alone (as ``ArticleQuerySet.page``), so a
    deep page costs about what the first does; only those rows are read whole.
    """
    visible, visible_params = published_condition()

    def condition_of(of: Listing) -> tuple[str, list]:
        sql = f"{visible} AND {of.condition}" if of.condition else visible
        return sql, [*visible_params, *of.params]

    condition, condition_params = condition_of(listing)
    total_condition, total_params = condition_of(counted or listing) if with_total else ("", [])
    sql = _statement(connection.vendor, condition, listing.first_order, total_condition, bool(body_opening))
    order_params = list(listing.first_order_params)
    opening_params = [body_opening] if body_opening else []
    params = [*opening_params, *total_params, *condition_params, *order_params, count, offset, *order_params]
    article_columns, category_columns = _summary_columns(), columns(Category)
    rows = fetch_all(sql, params, prepare=listing.preparable)
    category_start = len(article_columns)
    categories = category_columns.records(rows, category_start)
    found = []
    for row, article_record, category_record in zip(
        rows, article_columns.records(rows), categories, strict=True
    ):
        article = article_columns.from_record(article_record)
        has_category = row[category_start + category_columns.pk_index] is not None
        category = category_columns.from_record(category_record) if has_category else None
        Article.category.field.set_cached_value(article, category)
        if body_opening:
            article.body_opening = row[category_start + len(category_columns)] or ""
        found.append(article)
    total = rows[-1][-1] if with_total and rows else None
    if with_total and total is None:
        # An empty page: the count is still wanted (0 for an empty first page).
        total = 0 if offset == 0 else None
    return found, total


@functools.lru_cache(maxsize=256)
def _statement(vendor: str, condition: str, first_order: str, total_condition: str, opening: bool) -> str:
    """Return the SQL of a listing page; written once per backend, condition and order."""
    article, category = _article(), _quote(Category._meta.db_table)
    quote = connection.ops.quote_name
    order = f"{first_order + ', ' if first_order else ''}{article}.{quote('published_at')} DESC, {article}.{quote('id')} DESC"
    total = f", (SELECT COUNT(*) FROM {article} WHERE {total_condition})" if total_condition else ""
    # A prefix of the body: PostgreSQL then decompresses only the start of a long one.
    opening_column = f", SUBSTR({article}.{quote('body')}, 1, %s)" if opening else ""
    return (
        f"SELECT {_summary_columns().select_list()}, {columns(Category).select_list()}{opening_column}{total}"
        f" FROM {article} LEFT OUTER JOIN {category}"
        f" ON {category}.{quote('id')} = {article}.{quote('category_id')}"
        f" WHERE {article}.{quote('id')} IN"
        f" (SELECT {article}.{quote('id')} FROM {article} WHERE {condition} ORDER BY {order} LIMIT %s OFFSET %s)"
        f" ORDER BY {order}"
    )


@functools.cache
def _summary_columns(with_body: bool = False) -> Columns:
    """Return the article columns a listing reads: all but the deferred ones (the body too, if asked)."""
    left_out = set(SUMMARY_DEFERRED_FIELDS) - ({"body"} if with_body else set())
    return columns(
        Article, *(field.attname for field in Article._meta.concrete_fields if field.name not in left_out)
    )


def _article() -> str:
    return _quote(Article._meta.db_table)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
