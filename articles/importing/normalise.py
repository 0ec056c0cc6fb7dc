"""Turning a parsed document into the fields of an article (``PostData``), without the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from lxml import html as lxml_html

from articles.importing.errors import ImportRefused
from articles.importing.furniture import TopicTag, extract_furniture
from articles.importing.parse import RawPost
from articles.safe_urls import browser_form, web_url_problem
from articles.sanitise import absolute_url, sanitise

# Front-matter keys with a field of their own; every other key is kept verbatim.
MAPPED_KEYS = frozenset(
    {
        "title",
        "categories",
        "category",
        "tags",
        "date",
        "author",
        "headimg",
        "thumbnail",
        "comments",
        "newsroom",
    }
)
# Keys the exporter writes under ``newsroom:`` so that an export re-imports field for field.
NEWSROOM_KEYS = frozenset(
    {
        "import_key", "slug", "subtitle", "summary", "status", "featured", "editor", "authors",
        "source_name", "source_url", "lead_image_caption", "lead_image_credit", "tag_slugs", "tag_source_slugs",
        "credits", "rights_notice",
    }
)  # fmt: skip
STATUSES = ("draft", "review", "published", "archived")
STRAY_DASH = re.compile(r"^[\s\-—–]+")
PLACEHOLDER_IMAGE_HOSTS = ("picsum.photos",)
SUMMARY_MAX_LENGTH = 200
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LIMITED_FIELDS = (
    "title", "subtitle", "slug", "source_name", "source_url", "lead_image_url", "thumbnail_url",
    "lead_image_caption", "lead_image_credit", "rights_notice",
)  # fmt: skip
SENTENCE_END = re.compile(r"(?<=[。！？!?])")


@dataclass(frozen=True)
class PostData:
    import_key: str
    title: str
    published_at: dt.datetime | None
    category_path: tuple[str, ...]
    tags: tuple[TopicTag, ...]
    outlets: tuple[str, ...]
    writers: tuple[str, ...]
    editor: str
    source_name: str
    source_url: str
    lead_image_url: str
    thumbnail_url: str
    lead_image_caption: str
    lead_image_credit: str
    credits: str
    rights_notice: str
    subtitle: str
    summary: str
    body: str
    allow_comments: bool
    is_featured: bool
    slug: str
    status: str
    front_matter: dict[str, Any]
    warnings: tuple[str, ...]
    removed: tuple[str, ...]


def normalise(raw: RawPost, *, status: str = "published") -> PostData:
    """Return the article fields of ``raw``; raise ImportRefused naming the field that is wrong."""
    front = raw.front_matter
    extension = _mapping(front.get("newsroom"), "newsroom")
    warnings: list[str] = []

    title = _text(front.get("title"), "title").strip()
    if not title:
        raise ImportRefused("the document has no title", field="title")
    published_at = parse_date(front.get("date"), "date") if front.get("date") is not None else None
    if front.get("updated") is not None:
        parse_date(front["updated"], "updated")
    category_path = read_category_path(front.get("categories", front.get("category")), warnings)
    category_repaired = bool(warnings)

    furniture = extract_furniture(raw.body, title=title)
    body = sanitise(furniture.body)

    outlet = _names(front.get("author"), "author")
    writers = tuple(_names(extension.get("authors"), "newsroom.authors")) or furniture.writers
    lead_image_url = web_url(_text(front.get("headimg", ""), "headimg"), "headimg", warnings)
    thumbnail_url = web_url(_text(front.get("thumbnail", ""), "thumbnail"), "thumbnail", warnings)
    placeholders = {}
    for key, url in (("headimg", lead_image_url), ("thumbnail", thumbnail_url)):
        if url and urlsplit_host(url).endswith(PLACEHOLDER_IMAGE_HOSTS):
            warnings.append(f"{key} {url} is a random placeholder: not used, kept in the front matter")
            placeholders[key] = front[key]
    if "headimg" in placeholders:
        lead_image_url = ""
    if "thumbnail" in placeholders:
        thumbnail_url = ""
    if "headimg" not in front:
        # Feeds without headimg give the lead image as thumbnail (Hexo themes do the same).
        lead_image_url = thumbnail_url

    chosen_status = _text(extension.get("status", status), "newsroom.status")
    if chosen_status not in STATUSES:
        raise ImportRefused(f"must be one of {', '.join(STATUSES)}, not {chosen_status!r}", field="status")
    if chosen_status == "published" and published_at is None:
        warnings.append("no date: imported as a draft rather than inventing a publication time")
        chosen_status = "draft"

    post = PostData(
        import_key=_text(extension.get("import_key", ""), "newsroom.import_key")
        or make_import_key(category_path, title, published_at),
        title=title,
        published_at=published_at,
        category_path=category_path,
        tags=_merge_tags(
            front.get("tags"), extension.get("tag_slugs"), extension.get("tag_source_slugs"), furniture.tags
        ),
        outlets=tuple(outlet),
        writers=tuple(writers),
        editor=_text(extension.get("editor", furniture.editor), "newsroom.editor"),
        source_name=_text(extension.get("source_name", furniture.source_name), "newsroom.source_name"),
        source_url=web_url(
            _text(extension.get("source_url", furniture.source_url), "source_url"),
            "newsroom.source_url" if "source_url" in extension else "source_url (原文链接)",
            warnings,
        ),
        lead_image_url=lead_image_url,
        thumbnail_url=thumbnail_url,
        lead_image_caption=_text(extension.get("lead_image_caption", ""), "newsroom.lead_image_caption"),
        lead_image_credit=_text(
            extension.get("lead_image_credit", furniture.lead_image_credit), "newsroom.lead_image_credit"
        ),
        credits=_text(extension.get("credits", "\n".join(furniture.credits)), "newsroom.credits"),
        rights_notice=_text(
            extension.get("rights_notice", furniture.rights_notice), "newsroom.rights_notice"
        ),
        subtitle=_text(extension.get("subtitle", ""), "newsroom.subtitle"),
        summary=_text(extension["summary"], "newsroom.summary")
        if "summary" in extension
        else furniture.summary or summary_from_body(body),
        body=body,
        allow_comments=_flag(front.get("comments", True), "comments"),
        is_featured=_flag(extension.get("featured", False), "newsroom.featured"),
        slug=_text(extension.get("slug", ""), "newsroom.slug"),
        status=chosen_status,
        front_matter=_kept_front_matter(front, extension, category_repaired) | placeholders,
        warnings=tuple(warnings),
        removed=furniture.removed,
    )
    check_lengths(post)
    return post


def check_lengths(post: PostData) -> None:
    """Refuse values longer than their field holds, naming the field, rather than cut or fail later."""
    from articles.models import Article, Author, Category, Tag

    limits = [
        (name, getattr(post, name), Article._meta.get_field(name).max_length) for name in LIMITED_FIELDS
    ]
    author_limit = Author._meta.get_field("name").max_length
    limits += [("editor", post.editor, author_limit)]
    limits += [("author", name, author_limit) for name in post.outlets + post.writers]
    limits += [
        ("categories", name, Category._meta.get_field("name").max_length) for name in post.category_path
    ]
    limits += [("tags", tag.name, Tag._meta.get_field("name").max_length) for tag in post.tags]
    for field, value, limit in limits:
        if len(value) > limit:
            raise ImportRefused(f"is {len(value)} characters long; at most {limit} fit", field=field)


def web_url(value: str, field: str, warnings: list[str]) -> str:
    """Return the address ``value`` as a browser reads it (protocol-relative made https), or '' with a
    warning naming ``field`` when it is not an http or https address (``articles.safe_urls``)."""
    if not value.strip():
        return ""
    url = absolute_url(browser_form(value))
    problem = web_url_problem(url)
    if problem is not None:
        warnings.append(f"{field} {value!r} is not used: {problem}")
        return ""
    return url


def make_import_key(category_path: tuple[str, ...], title: str, published_at: dt.datetime | None) -> str:
    """Return the stable identity of a document: its feed, title and publication time.

    File names and folders are left out on purpose: the archive's file names are
    lossy, and the same corpus imported from another folder must match the same
    articles.
    """
    when = published_at.astimezone(dt.UTC).isoformat() if published_at else ""
    identity = "\n".join(["/".join(category_path), title, when])
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:40]


def parse_date(value: Any, field: str) -> dt.datetime:
    """Return an aware datetime from RFC 2822, ISO 8601 or Hexo's ``YYYY-MM-DD HH:mm:ss`` (site time)."""
    site_zone = ZoneInfo(settings.TIME_ZONE)
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day, tzinfo=site_zone)
    elif isinstance(value, str) and value.strip():
        parsed = _parse_date_text(value.strip(), field)
    else:
        raise ImportRefused(f"must be a date, not {value!r}", field=field)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=site_zone)
    return parsed.astimezone(dt.UTC)


def _parse_date_text(text: str, field: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError) as error:
        raise ImportRefused(
            f"{text!r} is not a date (expected RFC 2822 such as 'Fri, 20 May 2022 20:33:37 GMT', "
            "ISO 8601, or YYYY-MM-DD HH:mm:ss)",
            field=field,
        ) from error
    if parsed is None:
        raise ImportRefused(f"{text!r} is not a date", field=field)
    return parsed


def summary_from_body(body: str) -> str:
    """Return the first paragraph's text, cut at a sentence end near ``SUMMARY_MAX_LENGTH``."""
    if not body:
        return ""
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    for block in root.iter("p", "blockquote", "li", "div"):
        text = " ".join(block.text_content().split())
        if text:
            break
    else:
        text = " ".join(root.text_content().split())
    if len(text) <= SUMMARY_MAX_LENGTH:
        return text
    sentences = SENTENCE_END.split(text[:SUMMARY_MAX_LENGTH])
    cut = "".join(sentences[:-1]) if len(sentences) > 1 else ""
    return cut or text[: SUMMARY_MAX_LENGTH - 1] + "…"


def urlsplit_host(url: str) -> str:
    """Return the lower-cased host of ``url`` ('' when it has none)."""
    return (urlsplit(url).hostname or "").lower()


def read_category_path(value: Any, warnings: list[str]) -> tuple[str, ...]:
    """Return the category hierarchy, top first, repairing the archive generator's glitches."""
    if value is None or value == []:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ImportRefused(f"must be a list, not {type(value).__name__}", field="categories")
    if all(isinstance(item, list) for item in value):
        # Hexo: a list of lists is several hierarchies; an article has one home.
        if len(value) > 1:
            warnings.append(
                f"several category hierarchies {value!r}: "
                "filed under the first; all are kept in the front matter"
            )
        value = value[0]
    path: list[str] = []
    for item in value:
        if isinstance(item, list):
            if len(item) != 1 or not isinstance(item[0], str | int | float):
                raise ImportRefused(f"item {item!r} is not a category name", field="categories")
            warnings.append(f"category item {item!r} is a nested list; read as {str(item[0]).strip()!r}")
            item = item[0]
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise ImportRefused(f"item {item!r} is not a category name", field="categories")
        name = str(item).strip()
        repaired = STRAY_DASH.sub("", name).strip()
        if repaired != name:
            warnings.append(f"category item {name!r} has a stray dash; read as {repaired!r}")
        if not repaired:
            raise ImportRefused(f"item {item!r} is an empty category name", field="categories")
        path.append(repaired)
    return tuple(path)


def _merge_tags(
    value: Any, slugs: Any, source_slugs: Any, body_tags: tuple[TopicTag, ...]
) -> tuple[TopicTag, ...]:
    """Return front-matter tags then body topic tags, without repeats (letter case ignored)."""
    site_slugs = _mapping(slugs, "newsroom.tag_slugs")
    sources = _mapping(source_slugs, "newsroom.tag_source_slugs")
    merged: dict[str, TopicTag] = {}
    for name in _names(value, "tags"):
        merged.setdefault(
            name.casefold(),
            TopicTag(
                name,
                source_slug=_text(sources.get(name, ""), "newsroom.tag_source_slugs"),
                slug=_text(site_slugs.get(name, ""), "newsroom.tag_slugs"),
            ),
        )
    for tag in body_tags:
        merged.setdefault(tag.name.casefold(), tag)
    return tuple(merged.values())


def _kept_front_matter(front: dict[str, Any], extension: dict[str, Any], category_repaired: bool) -> dict:
    """Return the front matter that has no field of its own, JSON-safe, plus repaired raw categories."""
    kept = {key: value for key, value in front.items() if key not in MAPPED_KEYS}
    unknown_extension = {key: value for key, value in extension.items() if key not in NEWSROOM_KEYS}
    if unknown_extension:
        kept["newsroom"] = unknown_extension
    if category_repaired:
        kept["categories"] = front.get("categories", front.get("category"))
    return json_safe(kept)


def json_safe(value: Any) -> Any:
    """Return ``value`` with YAML dates and times written as ISO 8601 text, for a JSON field."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _names(value: Any, field: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [_text(value, field).strip()] if str(value).strip() else []
    if isinstance(value, list):
        names = []
        for item in value:
            if not isinstance(item, str | int | float) or isinstance(item, bool):
                raise ImportRefused(f"item {item!r} must be text", field=field)
            if _text(item, field).strip():
                names.append(str(item).strip())
        return names
    raise ImportRefused(f"must be text or a list of text, not {type(value).__name__}", field=field)


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        if CONTROL_CHARACTERS.search(value):
            raise ImportRefused("contains control characters (such as NUL)", field=field)
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ImportRefused(f"must be text, not {type(value).__name__} {value!r}", field=field)


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ImportRefused(f"must be true or false, not {value!r}", field=field)


def _mapping(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise ImportRefused(f"must be a mapping, not {type(value).__name__}", field=field)
