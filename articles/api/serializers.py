"""What the Content API says about an article, a category, a tag and an author.

Each serializer declares its fields for the OpenAPI schema, and builds its JSON with plain functions
(``*_data``) from rows already loaded: REST framework's field-by-field machinery cost more than the
queries on a page of a hundred articles. They make no query (but for the rare category whose name
holds the separator, as ``Category.trail()``).
``tests/api/test_schema.py`` checks every answer against the declared fields.

Addresses are absolute: ``url`` is the reader page (the canonical address), ``api_url`` the API's.
Times are ISO 8601 in the site's time zone with its offset, such as ``2022-01-16T04:08:45+08:00``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.helpers import lazy_serializer
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.api.links import Links
from articles.images import rendition_urls
from articles.models import NAME_PATH_SEPARATOR, PATH_SEPARATOR, Article, Author, Category, Tag
from articles.site.article_page import ArticlePage

# Fields an article list gives unless ?fields= asks for others: all but the long texts.
LONG_FIELDS = ("body", "credits", "rights_notice")


def moment_text(value: dt.datetime | None) -> str | None:
    """Return ``value`` as ISO 8601 in the site's time zone, to the second."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- authors, tags, categories ----------------------------------------------------------------


class AuthorSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    kind = serializers.ChoiceField(choices=Author.Kind.choices, help_text=_("A person or an organisation."))
    url = serializers.URLField(help_text=_("The author's page on the site."))

    def to_representation(self, author: Author) -> dict:
        return author_summary_data(author, self.context["links"])


def author_summary_data(author: Author, links: Links) -> dict:
    return {
        "id": author.pk,
        "name": author.name,
        "slug": author.slug,
        "kind": author.kind,
        "url": links.to("articles:author", "slug", author.slug),
    }


class AuthorSerializer(AuthorSummarySerializer):
    bio = serializers.CharField()
    website = serializers.CharField(help_text=_("The author's own website, or empty."))
    avatar = serializers.URLField(allow_null=True)
    api_url = serializers.URLField()

    def to_representation(self, author: Author) -> dict:
        links = self.context["links"]
        return {
            **author_summary_data(author, links),
            "bio": author.bio,
            "website": author.website,
            "avatar": links.absolute(author.avatar.url) if author.avatar else None,
            "api_url": links.to("api:author", "slug", author.slug),
        }


class TagSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.URLField(help_text=_("The tag's page on the site."))

    def to_representation(self, tag: Tag) -> dict:
        return tag_data(tag, self.context["links"])


def tag_data(tag: Tag, links: Links) -> dict:
    return {"name": tag.name, "slug": tag.slug, "url": links.to("articles:tag", "slug", tag.slug)}


class CategorySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    path = serializers.CharField(help_text=_("The slugs from the top section down, such as news/tech."))
    url = serializers.URLField(help_text=_("The category's page on the site."))


class CategoryTrailSerializer(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField()
    url = serializers.URLField()


class CategoryTreeSerializer(CategorySummarySerializer):
    description = serializers.CharField()
    children = serializers.SerializerMethodField(help_text=_("The categories inside this one, in order."))

    @extend_schema_field(lazy_serializer("articles.api.serializers.CategoryTreeSerializer")(many=True))
    def get_children(self, node: dict) -> list:
        return node["children"]

    def to_representation(self, node: dict) -> dict:
        # The nodes are built whole by category_tree_data(), children included.
        return node


def category_summary_data(category: Category, links: Links) -> dict:
    return {
        "id": category.pk,
        "name": category.name,
        "slug": category.slug,
        "path": category.path,
        "url": links.to("articles:category", "path", category.path),
    }


def category_trail_data(category: Category, links: Links) -> list[dict]:
    """Return the category and those above it, top first, read from its own paths (no query unless a
    name holds the separator, as ``Category.trail()``)."""
    slugs = category.path.split(PATH_SEPARATOR)
    names = category.name_path.split(NAME_PATH_SEPARATOR)
    if len(names) != len(slugs):
        names = [name for name, _url in category.trail()]
    paths = [PATH_SEPARATOR.join(slugs[: depth + 1]) for depth in range(len(slugs))]
    return [
        {"name": name, "path": path, "url": links.to("articles:category", "path", path)}
        for name, path in zip(names, paths, strict=True)
    ]


def category_tree_data(categories: list[Category], links: Links) -> list[dict]:
    """Return ``categories`` (all of them, in one list) as nested nodes, siblings by their order."""
    nodes: dict[int, dict[str, Any]] = {}
    children: dict[int | None, list[int]] = {}
    for category in sorted(categories, key=lambda c: (c.sort_order, c.path)):
        nodes[category.pk] = {
            **category_summary_data(category, links),
            "description": category.description,
            "children": [],
        }
        children.setdefault(category.parent_id, []).append(category.pk)
    for parent_id, child_ids in children.items():
        if parent_id in nodes:
            nodes[parent_id]["children"] = [nodes[pk] for pk in child_ids]
    return [nodes[pk] for pk in children.get(None, [])]


# --- articles ---------------------------------------------------------------------------------


class RenditionSerializer(serializers.Serializer):
    width = serializers.IntegerField(help_text=_("Width in pixels."))
    url = serializers.URLField()


class LeadImageSerializer(serializers.Serializer):
    url = serializers.URLField(help_text=_("The original image."))
    srcset = serializers.CharField(
        help_text=_("The renditions as an HTML srcset value; empty when there are none.")
    )
    renditions = RenditionSerializer(many=True, help_text=_("Smaller copies, narrowest first."))
    caption = serializers.CharField()
    credit = serializers.CharField()


def lead_image_data(article: Article, links: Links) -> dict | None:
    """Return the article's lead image with its renditions, or None when it has none."""
    if article.lead_image:
        url = links.absolute(article.lead_image.url)
        renditions = [
            {"width": width, "url": links.absolute(copy)}
            for width, copy in rendition_urls(article.lead_image_renditions)
        ]
    elif article.lead_image_url:
        url, renditions = article.lead_image_url, []
    else:
        return None
    return {
        "url": url,
        "srcset": ", ".join(f"{copy['url']} {copy['width']}w" for copy in renditions),
        "renditions": renditions,
        "caption": article.lead_image_caption,
        "credit": article.lead_image_credit,
    }


class ArticleSerializer(serializers.Serializer):
    """An article as a client renders it; serializes an ``ArticlePage`` (the article, its bylines and tags)."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    subtitle = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField(help_text=_("The body as HTML, sanitised when it was saved."))
    status = serializers.ChoiceField(
        choices=Article.Status.choices, help_text=_("Always published for anonymous clients.")
    )
    featured = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True, help_text=_("Publication time (ISO 8601)."))
    updated_at = serializers.DateTimeField(help_text=_("Last change (ISO 8601)."))
    url = serializers.URLField(help_text=_("The article's page: its canonical address."))
    api_url = serializers.URLField()
    category = CategorySummarySerializer(allow_null=True)
    category_path = CategoryTrailSerializer(
        many=True, help_text=_("The category and those above it, top first.")
    )
    bylines = AuthorSummarySerializer(many=True, help_text=_("The authors, in byline order."))
    editor = AuthorSummarySerializer(allow_null=True, help_text=_("The responsible editor (责任编辑)."))
    tags = TagSerializer(many=True)
    source_name = serializers.CharField(help_text=_("The outlet that first published it."))
    source_url = serializers.CharField(help_text=_("The original's address (原文链接), or empty."))
    lead_image = LeadImageSerializer(allow_null=True)
    thumbnail_url = serializers.CharField()
    credits = serializers.CharField(help_text=_("Credit lines of the original, one per line."))
    rights_notice = serializers.CharField(help_text=_("The original's reprint or copyright notice."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = self.context.get("fields") or ARTICLE_FIELD_NAMES
        self.builders = [(name, ARTICLE_FIELDS[name]) for name in names]

    def get_fields(self):
        # Which fields an answer has depends on ?fields= (and lists leave out the long texts).
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields

    def to_representation(self, page: ArticlePage) -> dict:
        links = self.context["links"]
        return {name: build(page, links) for name, build in self.builders}


class SearchResultSerializer(ArticleSerializer):
    snippet = serializers.CharField(
        help_text=_("HTML-escaped text around the first match, each match in <mark>.")
    )


def _category(page: ArticlePage, links: Links):
    category = page.article.category
    return category_summary_data(category, links) if category is not None else None


def _editor(page: ArticlePage, links: Links):
    editor = page.article.editor
    return author_summary_data(editor, links) if editor is not None else None


# One function per field, in the order the JSON gives them.
ARTICLE_FIELDS = {
    "id": lambda page, links: page.article.pk,
    "slug": lambda page, links: page.article.slug,
    "title": lambda page, links: page.article.title,
    "subtitle": lambda page, links: page.article.subtitle,
    "summary": lambda page, links: page.article.summary,
    "body": lambda page, links: page.article.body,
    "status": lambda page, links: page.article.status,
    "featured": lambda page, links: page.article.is_featured,
    "published_at": lambda page, links: moment_text(page.article.published_at),
    "updated_at": lambda page, links: moment_text(page.article.updated_at),
    "url": lambda page, links: links.to("articles:detail", "slug", page.article.slug),
    "api_url": lambda page, links: links.to("api:article", "slug", page.article.slug),
    "category": _category,
    "category_path": lambda page, links: (
        category_trail_data(page.article.category, links) if page.article.category is not None else []
    ),
    "bylines": lambda page, links: [author_summary_data(byline.author, links) for byline in page.bylines],
    "editor": _editor,
    "tags": lambda page, links: [tag_data(tag, links) for tag in page.tags],
    "source_name": lambda page, links: page.article.source_name,
    "source_url": lambda page, links: page.article.source_url,
    "lead_image": lambda page, links: lead_image_data(page.article, links),
    "thumbnail_url": lambda page, links: page.article.thumbnail_url,
    "credits": lambda page, links: page.article.credits,
    "rights_notice": lambda page, links: page.article.rights_notice,
    # Only search results have one (set by the search view).
    "snippet": lambda page, links: page.article.snippet,
}
ARTICLE_FIELD_NAMES = tuple(name for name in ARTICLE_FIELDS if name != "snippet")
LIST_FIELD_NAMES = tuple(name for name in ARTICLE_FIELD_NAMES if name not in LONG_FIELDS)
