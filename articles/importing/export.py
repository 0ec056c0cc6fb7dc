"""Writing articles back as seed-format documents that re-import field for field."""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.db.models import QuerySet

from articles.importing.errors import ImportRefused
from articles.importing.normalise import read_category_path, read_date
from articles.importing.profiles import load_profiles
from articles.models import Article, Author, Category, Tag

UNSAFE_PATH_CHARACTERS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def export_article(article: Article) -> str:
    """Return ``article`` as a seed document: YAML front matter between ``---`` lines, then the body.

    ``article`` should come from ``export_queryset()`` so that related rows are loaded.
    """
    front: dict[str, Any] = {"title": article.title}
    categories = _categories(article)
    if categories:
        front["categories"] = categories
    if article.lead_image_url:
        front["headimg"] = article.lead_image_url
    bylines = [byline.author for byline in article.bylines.all()]
    outlets = [author.name for author in bylines if author.kind == Author.Kind.ORGANISATION]
    if outlets:
        front["author"] = outlets[0] if len(outlets) == 1 else outlets
    front["comments"] = article.allow_comments
    date = _date_as_written(article, categories)
    if date is not None:
        front["date"] = date
    if article.thumbnail_url:
        front["thumbnail"] = article.thumbnail_url
    tags = sorted(article.tags.all(), key=lambda tag: tag.name)
    if tags:
        front["tags"] = [tag.name for tag in tags]
    front["newsroom"] = _newsroom_fields(article, bylines, tags)
    for key, value in article.front_matter.items():
        if key == "newsroom":
            front["newsroom"] = value | front["newsroom"]
        elif key in {"headimg", "thumbnail"} and key not in front:
            # a picture the import set aside (an avatar, a QR code): kept, and still not used
            front["newsroom"].setdefault("set_aside", {})[key] = value
        elif key not in front:
            front[key] = value
    header = yaml.safe_dump(
        front, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000
    )
    return f"\n---\n{header}---\n\n<div>\n{article.body}\n</div>\n"


def export_queryset() -> QuerySet[Article]:
    """Return every article with what the exporter reads loaded in a constant number of queries."""
    # django-stubs does not see taggit's TaggableManager as a relation that can be prefetched.
    return Article.objects.select_related("category", "editor").prefetch_related(  # type: ignore[misc]
        "bylines__author", "tags"
    )


def export_path(article: Article) -> PurePosixPath:
    """Return where the article's file goes: its category names as folders, its slug as the name."""
    folders = [UNSAFE_PATH_CHARACTERS.sub("_", name) for name in _category_names(article)]
    return PurePosixPath(*folders, f"{article.slug}.md")


def _date_as_written(article: Article, categories: Any) -> Any:
    """Return the date to write: as the document had it while it still reads as the article's time
    (the feed's zone applies again on import), else the time itself; None when there is none."""
    raw = article.front_matter.get("date")
    if raw is not None:
        try:
            zone = load_profiles().for_path(tuple(_category_names(article))).time_zone
            _, reads_as = read_date(raw, "date", zone, [])
        except ImportRefused:
            reads_as = None
        if reads_as == article.published_at:
            return raw
    return _date(article.published_at) if article.published_at else None


def _date(moment: dt.datetime) -> str:
    """Return ISO 8601 with its offset (never read in a feed's zone), in the site's zone."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).isoformat()


@functools.lru_cache(maxsize=4096)
def _names_of_category(category_id: int, name_path: str) -> tuple[str, ...]:
    """Return the names from the top category down to ``category_id`` (``name_path`` keys the cache)."""
    category = Category.objects.get(pk=category_id)
    return tuple(ancestor.name for ancestor in category.ancestors(include_self=True))


def _category_names(article: Article) -> list[str]:
    if article.category is None:
        return []
    return list(_names_of_category(article.category_id, article.category.name_path))


def _categories(article: Article) -> Any:
    """Return the raw categories the article was imported with (text or a list, as the document wrote
    them) when they still lead to its category, else the category names."""
    names = _category_names(article)
    raw = article.front_matter.get("categories")
    if raw is not None:
        try:
            if list(read_category_path(raw, [])) == names:
                return raw
        except ImportRefused:
            pass
    return names


def _newsroom_fields(article: Article, bylines: list[Author], tags: list[Tag]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "import_key": article.import_key or f"newsroom-{article.pk}",
        "slug": article.slug,
        "status": article.status,
    }
    optional = {
        "subtitle": article.subtitle,
        "featured": article.is_featured or None,
        "editor": article.editor.name if article.editor else "",
        "authors": [author.name for author in bylines if author.kind == Author.Kind.PERSON],
        "source_name": article.source_name,
        "source_url": article.source_url,
        "credits": article.credits,
        "rights_notice": article.rights_notice,
        "lead_image_caption": article.lead_image_caption,
        "lead_image_credit": article.lead_image_credit,
        "tag_slugs": {tag.name: tag.slug for tag in tags},
        "tag_source_slugs": {tag.name: tag.source_slug for tag in tags if tag.source_slug},
        # what the first import noted about the original document (a re-import cannot see it)
        "import_notes": list(article.import_notes),
    }
    fields.update({key: value for key, value in optional.items() if value})
    # An empty summary is a choice too: without it the importer would derive one.
    fields["summary"] = article.summary
    return fields
