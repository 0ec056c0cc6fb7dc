"""The article page's reads in plain SQL: the article with its bylines and tags, and what the page
shows around it (related articles, previous and next).

The article page is the most read page. For its four queries the ORM spent about 7 ms compiling
and running the prefetch machinery, where the database answers in well under 1 ms. Its two
statements are written by hand, once per process, and on PostgreSQL kept prepared
(``articles.site.rows``). What readers may see still comes from ``published()``, compiled
(``articles.site.rows.published_condition``). The API reads its articles here too.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection

from articles.models import Article, Author, Byline, Category, Tag, TaggedArticle
from articles.site.rows import (
    Columns,
    columns,
    compiled_published_condition,
    database_time,
    fetch_all,
    published_condition,
)

RELATED_TAGS = 8
RELATED_PER_TAG = 12
# What around() reads of each candidate: what the page shows of it, and what ranks it.
AROUND_FIELDS = ("id", "title", "slug", "published_at", "category_id", "title_language")


@dataclass(frozen=True)
class ArticlePage:
    """An article as its page shows it: with its category and editor loaded, its bylines (each with
    its author) in order, and its tags in the order they were given."""

    article: Article
    bylines: list[Byline]
    tags: list[Tag]


@dataclass(frozen=True)
class Surroundings:
    """What an article page shows around the article: related articles, previous and next."""

    related: list[Article]
    previous: Article | None
    next: Article | None


def _union_all(statements: list[tuple[str, list]]) -> tuple[str, list]:
    """Return one subquery (SQL and parameters) selecting the rows of every (sliced, ordered)
    single-column SQL statement.

    A single ``IN (… UNION ALL …)`` lets the database look each candidate up by primary key, where
    ``IN (…) OR IN (…)`` makes PostgreSQL scan the table. Each part is wrapped in its own
    ``SELECT * FROM (…)`` because SQLite refuses LIMIT and ORDER BY inside a compound select.
    """
    parts, params = [], []
    for number, (sql, part_params) in enumerate(statements):
        parts.append(f"SELECT * FROM ({sql}) AS candidate_{number}")
        params.extend(part_params)
    return " UNION ALL ".join(parts), params


def published_page(slug: str) -> ArticlePage:
    """Return the page of the published article with ``slug``, in one query; raise DoesNotExist."""
    rows = fetch_all(_page_sql(connection.vendor, by_slug=True), [slug, *published_condition()[1]] * 3)
    if not rows or rows[0][0] != _ARTICLE_ROW:
        raise Article.DoesNotExist(f"No published article has the slug {slug!r}.")
    article = _page_instance(rows[0], "article")
    Article.category.field.set_cached_value(article, _page_instance(rows[0], "category"))
    Article.editor.field.set_cached_value(article, _page_instance(rows[0], "editor"))
    return _page(article, rows[1:])


def page_of(article: Article) -> ArticlePage:
    """Return the page of ``article``, already loaded with its category and editor (a preview), in one query."""
    return _page(article, fetch_all(_page_sql(connection.vendor, by_slug=False), [article.pk] * 2))


def pages_of(articles: list[Article]) -> list[ArticlePage]:
    """Return the pages of ``articles``, already loaded (a listing), their bylines and tags read
    in one query for all of them; the pages come in the order of ``articles``."""
    if not articles:
        return []
    ids = [article.pk for article in articles]
    bylines: dict[int, list[Byline]] = {pk: [] for pk in ids}
    tags: dict[int, list[Tag]] = {pk: [] for pk in ids}
    by_id = dict(zip(ids, articles, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(_pages_sql(connection.vendor, len(ids)), ids * 2)
        rows = cursor.fetchall()
    for row in rows:
        if row[0] == _BYLINE_ROW:
            byline = _page_instance(row, "byline")
            Byline.author.field.set_cached_value(byline, _page_instance(row, "author"))
            Byline.article.field.set_cached_value(byline, by_id[byline.article_id])
            bylines[byline.article_id].append(byline)
        else:
            tags[row[1]].append(_page_instance(row, "tag"))
    return [
        ArticlePage(article=article, bylines=bylines[article.pk], tags=tags[article.pk])
        for article in articles
    ]


def around(article: Article, tag_ids: list[int], limit: int = 4) -> Surroundings:
    """Return the related articles and the previous and next ones of ``article``, among the published
    ones, in one query.

    Related articles share tags or the category with ``article``, most shared tags first, then
    same category, then newest. Candidates are the newest few carrying each tag and the newest
    few in the category, so the cost does not grow with the archive. Previous and next follow
    publication order within the article's category.
    """
    if article.published_at is None:
        # A draft being previewed has no place in publication order yet.
        return Surroundings(related=[], previous=None, next=None)
    moment, pk = article.published_at, article.pk
    visible, visible_params = published_condition()
    at = database_time(moment)
    table, tagged = Article._meta.db_table, TaggedArticle._meta.db_table
    # Previous and next within the article's category (the article_in_category index), or among
    # all articles for one without a category. The redundant range (<= / >=) lets the index
    # start at the article.
    same_section, section_params = (
        ("category_id = %s", [article.category_id])
        if article.category_id
        else (
            "category_id IS NULL",
            [],
        )
    )
    candidates = [
        (
            f"SELECT id FROM {table} WHERE {visible} AND {same_section} AND published_at <= %s"
            " AND (published_at < %s OR id < %s) ORDER BY published_at DESC, id DESC LIMIT 1",
            [*visible_params, *section_params, at, at, pk],
        ),
        (
            f"SELECT id FROM {table} WHERE {visible} AND {same_section} AND published_at >= %s"
            " AND (published_at > %s OR id > %s) ORDER BY published_at, id LIMIT 1",
            [*visible_params, *section_params, at, at, pk],
        ),
    ]
    if article.category_id:
        candidates.append(
            (
                f"SELECT id FROM {table} WHERE {visible} AND category_id = %s"
                f" ORDER BY published_at DESC LIMIT {int(limit) + 1}",
                [*visible_params, article.category_id],
            )
        )
    # A tag's newest articles, straight from the tagged_article_by_tag index; visibility is
    # checked by the outer query.
    candidates += [
        (
            f"SELECT content_object_id FROM {tagged} WHERE tag_id = %s "
            f"ORDER BY content_object_id DESC LIMIT {RELATED_PER_TAG}",
            [tag_id],
        )
        for tag_id in tag_ids[:RELATED_TAGS]
    ]
    union, union_params = _union_all(candidates)
    if connection.vendor == "postgresql":
        # The candidates as one array, looked up by primary key: with IN (…) PostgreSQL may
        # hash them against a scan of the whole table, bodies and all, when it is small.
        among_candidates = f"{table}.id = ANY(ARRAY({union}))"
    else:
        among_candidates = f"{table}.id IN ({union})"
    shared_ids = tag_ids[:RELATED_TAGS] or [0]
    fields = columns(Article, *AROUND_FIELDS, annotations=("shared_tags",))
    quote = connection.ops.quote_name
    published_at, id_, category_id = quote("published_at"), quote("id"), quote("category_id")
    candidate = (
        f"SELECT {fields.select_list()}, (SELECT COUNT(*) FROM {tagged} AS shared"
        f" WHERE shared.content_object_id = {table}.id"
        f" AND shared.tag_id IN ({', '.join(['%s'] * len(shared_ids))})) AS shared_tags"
        f" FROM {table} WHERE {visible} AND {among_candidates} AND {table}.id <> %s"
    )
    # Ranked in the database, which returns only what the page shows (the candidates can be
    # a hundred): the previous and next in the category, then the related articles.
    in_section = f"{category_id} = %s" if article.category_id else f"{category_id} IS NULL"
    related_if, related_order = "shared_tags > 0", "shared_tags DESC"
    related_params: list = []
    if article.category_id:
        related_if += f" OR {category_id} = %s"
        related_order += f", CASE WHEN {category_id} = %s THEN 1 ELSE 0 END DESC"
        related_params = [article.category_id, article.category_id]
    shown, shown_params = _union_all(
        [
            (
                f"SELECT *, {_PREVIOUS} AS role FROM candidate WHERE {in_section}"
                f" AND ({published_at} < %s OR ({published_at} = %s AND {id_} < %s))"
                f" ORDER BY {published_at} DESC, {id_} DESC LIMIT 1",
                [*section_params, at, at, pk],
            ),
            (
                f"SELECT *, {_NEXT} AS role FROM candidate WHERE {in_section}"
                f" AND ({published_at} > %s OR ({published_at} = %s AND {id_} > %s))"
                f" ORDER BY {published_at}, {id_} LIMIT 1",
                [*section_params, at, at, pk],
            ),
            (
                f"SELECT *, {_RELATED} AS role FROM candidate WHERE {related_if}"
                f" ORDER BY {related_order}, {published_at} DESC, {id_} DESC LIMIT {int(limit)}",
                related_params,
            ),
        ]
    )
    rows = fetch_all(
        f"WITH candidate AS ({candidate}) {shown}",
        [*shared_ids, *visible_params, *union_params, pk, *shown_params],
    )
    role = len(fields)
    surroundings = Surroundings(related=[], previous=None, next=None)
    for row, record in zip(rows, fields.records(rows), strict=True):
        instance = fields.from_record(record)
        if row[role] == _PREVIOUS:
            surroundings = dataclasses.replace(surroundings, previous=instance)
        elif row[role] == _NEXT:
            surroundings = dataclasses.replace(surroundings, next=instance)
        else:
            surroundings.related.append(instance)
    return surroundings


# The roles of around()'s rows.
_PREVIOUS, _NEXT, _RELATED = 0, 1, 2


# The article page's read: one UNION ALL of three kinds of rows, the article (with its category and
# editor), its bylines (with their authors) and its tags, so that one round trip brings them all. A
# row holds its kind and two sort keys, then the columns of every group of _page_groups(), NULL in
# the groups that are not its kind's.
_ARTICLE_ROW, _BYLINE_ROW, _TAG_ROW = 0, 1, 2


@functools.cache
def _page_groups() -> dict[str, tuple[Columns, int]]:
    """Return the column groups of a page row by name, each with the index of its first column."""
    groups = {
        "article": columns(Article),
        "category": columns(Category),
        "editor": columns(Author),
        "byline": columns(Byline),
        "author": columns(Author),
        "tag": columns(Tag),
    }
    layout, start = {}, 3  # after the kind and the two sort keys
    for name, group in groups.items():
        layout[name] = (group, start)
        start += len(group)
    return layout


def _page_instance(row: tuple, name: str) -> Any:
    """Return the instance the group ``name`` of a page row holds (None for a LEFT JOIN's no match);
    its model is the group's, hence ``Any``."""
    group, start = _page_groups()[name]
    return group.instance(row, start)


def _page(article: Article, rows: list[tuple]) -> ArticlePage:
    """Return ``article``'s page from the byline and tag rows of ``_page_sql()``."""
    bylines, tags = [], []
    for row in rows:
        if row[0] == _BYLINE_ROW:
            byline = _page_instance(row, "byline")
            Byline.author.field.set_cached_value(byline, _page_instance(row, "author"))
            Byline.article.field.set_cached_value(byline, article)
            bylines.append(byline)
        else:
            tags.append(_page_instance(row, "tag"))
    return ArticlePage(article=article, bylines=bylines, tags=tags)


@functools.cache
def _page_sql(vendor: str, by_slug: bool) -> str:
    """Return the SQL of the page of the published article with a slug (``by_slug``), or of the
    bylines and tags of the article with an id (a preview); written once per process and backend.

    Bylines come in ``Byline.Meta.ordering`` (position, id); tags by the id of their link, which is
    how taggit orders ``article.tags.all()``.
    """
    groups = {name: group for name, (group, _start) in _page_groups().items()}
    article, category, author = groups["article"].table, groups["category"].table, groups["author"].table
    byline, tag = groups["byline"].table, groups["tag"].table
    tagged = connection.ops.quote_name(TaggedArticle._meta.db_table)
    if by_slug:
        which = f"{article}.slug = %s AND {compiled_published_condition(vendor)[0]}"
    else:
        which = f"{article}.id = %s"

    def select(kind: int, sort_keys: str, *filled: str) -> str:
        values = [group.select_list() if name in filled else _nulls(group) for name, group in groups.items()]
        return f"SELECT {kind}, {sort_keys}, {', '.join(values)}"

    parts = [
        f"{select(_BYLINE_ROW, f'{byline}.position, {byline}.id', 'byline', 'author')} FROM {byline}"
        f" INNER JOIN {author} ON {author}.id = {byline}.author_id"
        f" INNER JOIN {article} ON {article}.id = {byline}.article_id WHERE {which}",
        f"{select(_TAG_ROW, f'0, {tagged}.id', 'tag')} FROM {tag}"
        f" INNER JOIN {tagged} ON {tagged}.tag_id = {tag}.id"
        f" INNER JOIN {article} ON {article}.id = {tagged}.content_object_id WHERE {which}",
    ]
    if by_slug:
        article_row = (
            f"{select(_ARTICLE_ROW, '0, 0', 'article', 'category', 'editor')} FROM {article}"
            f" LEFT OUTER JOIN {category} ON {category}.id = {article}.category_id"
            f" LEFT OUTER JOIN {author} ON {author}.id = {article}.editor_id WHERE {which}"
        )
        parts.insert(0, article_row)
    return " UNION ALL ".join(parts) + " ORDER BY 1, 2, 3"


@functools.lru_cache(maxsize=256)
def _pages_sql(vendor: str, count: int) -> str:
    """Return the SQL of the bylines and tags of ``count`` articles (their ids the parameters, twice),
    in the rows of ``_page_sql()``: a tag row's first sort key is its article's id, so that each
    article's tags come together, in the order they were given."""
    groups = {name: group for name, (group, _start) in _page_groups().items()}
    author, byline, tag = groups["author"].table, groups["byline"].table, groups["tag"].table
    tagged = connection.ops.quote_name(TaggedArticle._meta.db_table)
    marks = ", ".join(["%s"] * count)

    def select(kind: int, sort_keys: str, *filled: str) -> str:
        values = [group.select_list() if name in filled else _nulls(group) for name, group in groups.items()]
        return f"SELECT {kind}, {sort_keys}, {', '.join(values)}"

    return (
        f"{select(_BYLINE_ROW, f'{byline}.position, {byline}.id', 'byline', 'author')} FROM {byline}"
        f" INNER JOIN {author} ON {author}.id = {byline}.author_id WHERE {byline}.article_id IN ({marks})"
        f" UNION ALL {select(_TAG_ROW, f'{tagged}.content_object_id, {tagged}.id', 'tag')} FROM {tag}"
        f" INNER JOIN {tagged} ON {tagged}.tag_id = {tag}.id WHERE {tagged}.content_object_id IN ({marks})"
        " ORDER BY 1, 2, 3"
    )


def _nulls(group: Columns) -> str:
    """Return NULLs for the columns of ``group``, typed: PostgreSQL resolves a UNION's column types a
    pair of SELECTs at a time, and two untyped NULLs make a text column."""
    return ", ".join(f"CAST(NULL AS {field.cast_db_type(connection)})" for field in group.fields)
