"""The article list's filters and orderings, and how a page of it is loaded.

Filters name categories, tags and authors by path or slug and are applied as conditions on the one
listing query, never read first: a list costs its count, its rows, and one query each for bylines and
tags, whatever is filtered. Only when nothing matches are the names checked, so that an unknown
category, tag or author is a 400 naming the parameter rather than an empty list that looks right.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

from articles.api import pagination
from articles.api.parameters import (
    BOOLEAN_SCHEMA,
    CATEGORY_PATH_SCHEMA,
    MOMENT_SCHEMA,
    SLUG_SCHEMA,
    Parameter,
    boolean,
    category_path,
    choice,
    enum_schema,
    moment,
    names,
    names_schema,
    slug,
)
from articles.api.serializers import ARTICLE_FIELD_NAMES, LONG_FIELDS
from articles.api.visibility import DEFAULT_STATUS, STATUSES
from articles.models import SUMMARY_DEFERRED_FIELDS, Author, Category, Tag
from articles.site import article_page
from articles.site.article_page import ArticlePage

# Each ordering ends with the id, so that articles sharing a time keep one order from page to page.
ORDERINGS = {
    "-published_at": ("-published_at", "-id"),
    "published_at": ("published_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
}
DEFAULT_ORDERING = "-published_at"

FIELDS = Parameter(
    "fields",
    names(ARTICLE_FIELD_NAMES),
    names_schema(ARTICLE_FIELD_NAMES),
    gettext_lazy(
        "Comma-separated fields to give, e.g. id,title,url. Lists give all but body, credits and "
        "rights_notice by default; an article gives all."
    ),
    explode=False,
)
STATUS = Parameter(
    "status",
    choice(STATUSES),
    enum_schema(STATUSES, default=DEFAULT_STATUS),
    gettext_lazy(
        "visible (the default) is what readers see. Signed-in staff may also ask for scheduled, draft, "
        "review, archived or any: editors see every article, writers their own."
    ),
)
ARTICLE_FILTERS = (
    Parameter(
        "category",
        category_path,
        CATEGORY_PATH_SCHEMA,
        gettext_lazy("A category's path, such as news/tech: articles in it or in any category inside it."),
    ),
    Parameter("tag", slug, SLUG_SCHEMA, gettext_lazy("A tag's slug: articles carrying it.")),
    Parameter("author", slug, SLUG_SCHEMA, gettext_lazy("An author's slug: articles in their byline.")),
    Parameter(
        "published_after",
        moment,
        MOMENT_SCHEMA,
        gettext_lazy(
            "Articles published at or after this ISO 8601 time or date (without an offset: Asia/Shanghai)."
        ),
    ),
    Parameter(
        "published_before",
        moment,
        MOMENT_SCHEMA,
        gettext_lazy("Articles published before this ISO 8601 time or date."),
    ),
    Parameter(
        "updated_since",
        moment,
        MOMENT_SCHEMA,
        gettext_lazy(
            "For keeping a copy in sync: articles changed or published at or after this time (an article "
            "scheduled earlier counts from when it appears)."
        ),
    ),
    Parameter(
        "featured",
        boolean,
        BOOLEAN_SCHEMA,
        gettext_lazy("Only featured articles (true) or the others (false)."),
    ),
    Parameter(
        "ordering",
        choice(tuple(ORDERINGS)),
        enum_schema(tuple(ORDERINGS), default=DEFAULT_ORDERING),
        gettext_lazy("Newest first by default; the minus sign means descending."),
    ),
    STATUS,
    FIELDS,
    *pagination.PARAMETERS,
)


def filter_articles(articles, values: dict):
    """Return ``articles`` narrowed by the filters in ``values`` (read parameters), in their ordering."""
    if "category" in values:
        articles = articles.in_category_at(values["category"])
    if "tag" in values:
        articles = articles.filter(tagged_items__tag__slug=values["tag"])
    if "author" in values:
        articles = articles.filter(bylines__author__slug=values["author"])
    if "published_after" in values:
        articles = articles.filter(published_at__gte=values["published_after"])
    if "published_before" in values:
        articles = articles.filter(published_at__lt=values["published_before"])
    if "updated_since" in values:
        since = values["updated_since"]
        articles = articles.filter(Q(updated_at__gte=since) | Q(published_at__gte=since))
    if "featured" in values:
        articles = articles.filter(is_featured=values["featured"])
    return articles.order_by(*ORDERINGS[values.get("ordering", DEFAULT_ORDERING)])


def check_named_values(values: dict) -> None:
    """Raise a ValidationError naming each filter whose category, tag or author does not exist."""
    errors = {}
    if "category" in values and not Category.objects.filter(path=values["category"]).exists():
        errors["category"] = [_("No category has this path.")]
    if "tag" in values and not Tag.objects.filter(slug=values["tag"]).exists():
        errors["tag"] = [_("No tag has this slug.")]
    if "author" in values and not Author.objects.filter(slug=values["author"]).exists():
        errors["author"] = [_("No author has this slug.")]
    if errors:
        raise ValidationError(errors)


def load_pages(
    articles, window: pagination.Window, fields: tuple[str, ...], by_ids: bool = True
) -> list[ArticlePage]:
    """Return the articles of ``window`` with what ``fields`` need, in at most two queries.

    The rows with their category and editor, then (when asked for) the bylines with their authors
    and the tags, in the order the article page has them, in one query for the whole page. Deep pages
    are found by id first (``ArticleQuerySet.page``) unless ``by_ids`` is off (search ranks by
    relevance).
    """
    deferred = [name for name in (*SUMMARY_DEFERRED_FIELDS, *LONG_FIELDS) if name not in fields]
    articles = articles.select_related("category", "editor").defer(*dict.fromkeys(deferred))
    if by_ids:
        rows = articles.page(window.offset, window.size)
    else:
        rows = list(articles[window.offset : window.offset + window.size])
    if "bylines" not in fields and "tags" not in fields:
        return [ArticlePage(article=article, bylines=[], tags=[]) for article in rows]
    return article_page.pages_of(rows)
