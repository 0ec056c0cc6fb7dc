"""Turning a parsed document into the fields of an article (``PostData``), without the database.

Why one module of about 570 lines: ``normalise()`` is one stage of the importer (STYLE: "each
stage is a small function"), and what is here are the readers of its front-matter keys (dates,
categories, tags, titles, summaries, flags), each small and used only by it. Furniture and
credits, which are large and have their own tests, are modules of their own.
"""

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
from django.db.models import Field, Model
from lxml import html as lxml_html

from articles.importing.addresses import host_of
from articles.importing.errors import ImportRefused, ImportSkipped
from articles.importing.furniture import TopicTag, extract_furniture
from articles.importing.parse import RawPost
from articles.importing.profiles import load_profiles
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
        "credits", "rights_notice", "set_aside", "import_notes",
    }
)  # fmt: skip
STATUSES = ("draft", "review", "published", "archived")
STRAY_DASH = re.compile(r"^[\s\-—–]+")
SUMMARY_MAX_LENGTH = 200
# A first block shorter than this (a keyword line, a row of dots) is passed over for a longer one.
SUMMARY_SHORTEST = 10
TITLE_FROM_BODY_LENGTH = 40
# A date further ahead than this is a generator's glitch (知識分子's year 2189), not a schedule.
MOST_DAYS_AHEAD = 366
# RFC 2822 zone labels that may be a feed's wall-clock time mislabelled ("-0000": zone unknown).
MISLABELLED_ZONES = re.compile(r"(?:\b(?:GMT|UTC?|Z)|[+-]0000)\s*$", re.IGNORECASE)
UNDATED = {"invalid date", "nan", "null", "none", "undefined", "0"}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LIMITED_FIELDS = (
    "title", "subtitle", "slug", "source_name", "source_url", "lead_image_url", "thumbnail_url",
    "lead_image_caption", "lead_image_credit", "rights_notice",
)  # fmt: skip
SENTENCE_END = re.compile(r"(?<=[。！？!?])")
CLAUSE_END = re.compile(r"(?<=[。！？!?；;，,：:、\s])")
BLOCKS = frozenset(
    {"p", "div", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
     "table", "figure", "figcaption", "pre", "section", "dd", "dt"}
)  # fmt: skip


@dataclass(frozen=True)
class PostData:
    import_key: str
    title: str
    published_at: dt.datetime | None
    # The source's own last update (``updated``), when it gives one.
    updated_at: dt.datetime | None
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
    # The feed's name in reports (its profile's name, else its first two categories).
    feed: str = ""


def normalise(raw: RawPost, *, status: str = "published") -> PostData:
    """Return the article fields of ``raw``; raise ImportRefused naming the field that is wrong.

    Raises ImportSkipped for a post with no title and nothing in its body (there is nothing to import).
    """
    front = raw.front_matter
    extension = _mapping(front.get("newsroom"), "newsroom")
    warnings: list[str] = []

    category_path = read_category_path(front.get("categories", front.get("category")), warnings)
    category_repaired = bool(warnings)
    profile = load_profiles().for_path(category_path)
    labelled, published_at = read_date(front.get("date"), "date", profile.time_zone, warnings)
    updated_at = None
    if front.get("updated") is not None:
        updated_at = read_date(front["updated"], "updated", profile.time_zone, warnings)[1]

    # Pictures set aside at the first import travel in an export's newsroom.set_aside.
    aside = _mapping(extension.get("set_aside"), "newsroom.set_aside")
    lead_image_url = web_url(
        _text(front.get("headimg", aside.get("headimg", "")), "headimg"), "headimg", warnings
    )
    thumbnail_url = web_url(
        _text(front.get("thumbnail", aside.get("thumbnail", "")), "thumbnail"), "thumbnail", warnings
    )
    set_aside = {}
    for key, url in (("headimg", lead_image_url), ("thumbnail", thumbnail_url)):
        if url and profile.is_placeholder_host(host_of(url)):
            warnings.append(f"{key} {url} is a random placeholder: not used, kept in the front matter")
            set_aside[key] = front.get(key, aside.get(key))
        elif url and profile.is_default_image(url):
            warnings.append(f"{key} {url} is a picture the site puts on many articles: not used, kept")
            set_aside[key] = front.get(key, aside.get(key))
    if "headimg" not in front and "headimg" not in aside:
        # Feeds without headimg give the lead image as thumbnail (Hexo themes do the same).
        lead_image_url = "" if "thumbnail" in set_aside else thumbnail_url
    if "headimg" in set_aside:
        lead_image_url = ""
    if "thumbnail" in set_aside:
        thumbnail_url = ""

    raw_title = _text(front.get("title"), "title").strip()
    # A document this site exported: its furniture was lifted at its first import.
    exported = bool(extension.get("import_key"))
    furniture = extract_furniture(
        raw.body, title=raw_title, profile=profile, lead_image_url=lead_image_url, rules=not exported
    )
    body = sanitise(furniture.body)
    for key in ("headimg", "thumbnail"):
        url = lead_image_url if key == "headimg" else thumbnail_url
        if url and (url in furniture.not_story_images or key in aside) and key not in set_aside:
            warnings.append(
                f"{key} {url} is not the story's picture (an avatar, a QR code or a banner): not used, kept"
            )
            set_aside[key] = front.get(key, aside.get(key, url))
            if key == "headimg" or lead_image_url == url:
                lead_image_url = ""
            if key == "thumbnail" or thumbnail_url == url:
                thumbnail_url = ""

    chosen_status = _text(extension.get("status", status), "newsroom.status")
    if chosen_status not in STATUSES:
        raise ImportRefused(f"must be one of {', '.join(STATUSES)}, not {chosen_status!r}", field="status")
    title = raw_title
    if not title:
        title = title_from_body(body)
        if not title:
            if not body.strip():
                raise ImportSkipped("an empty post: no title and nothing in the body")
            raise ImportRefused("the document has no title and no text to take one from", field="title")
        warnings.append(
            f"no title: titled {title!r} from the body's first words; imported as a draft for an editor to title"
        )
        chosen_status = "draft"
    if chosen_status == "published" and published_at is None:
        if front.get("date") is None:  # an unusable date has had its own warning
            warnings.append("no date: imported as a draft rather than inventing a publication time")
        chosen_status = "draft"

    outlet = _names(front.get("author"), "author")
    writers = tuple(_names(extension.get("authors"), "newsroom.authors")) or furniture.writers
    post = PostData(
        import_key=_text(extension.get("import_key", ""), "newsroom.import_key")
        or make_import_key(category_path, title, labelled),
        title=title,
        published_at=published_at,
        updated_at=updated_at,
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
        lead_image_caption=_text(
            extension.get("lead_image_caption", furniture.lead_image_caption), "newsroom.lead_image_caption"
        ),
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
        front_matter=_kept_front_matter(front, extension, category_repaired) | set_aside,
        warnings=tuple(_names(extension["import_notes"], "newsroom.import_notes"))
        if "import_notes" in extension
        else tuple(warnings),
        removed=furniture.removed,
        feed=profile.name or "/".join(category_path[:2]),
    )
    check_lengths(post)
    return post


def check_lengths(post: PostData) -> None:
    """Refuse values longer than their field holds, naming the field, rather than cut or fail later."""
    from articles.models import Article, Author, Category, Tag

    limits = [(name, getattr(post, name), _max_length(Article, name)) for name in LIMITED_FIELDS]
    author_limit = _max_length(Author, "name")
    limits += [("editor", post.editor, author_limit)]
    limits += [("author", name, author_limit) for name in post.outlets + post.writers]
    limits += [("categories", name, _max_length(Category, "name")) for name in post.category_path]
    limits += [("tags", tag.name, _max_length(Tag, "name")) for tag in post.tags]
    for field, value, limit in limits:
        if len(value) > limit:
            raise ImportRefused(f"is {len(value)} characters long; at most {limit} fit", field=field)


def _max_length(model: type[Model], name: str) -> int:
    """Return the ``max_length`` of the text field ``name`` of ``model``."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.max_length is not None, f"{name} is not a bounded text field"
    return field.max_length


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


def read_date(
    value: Any, field: str, zone: ZoneInfo | None, warnings: list[str]
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Return (the instant as labelled, the instant in the feed's zone) of a date value, in UTC.

    The first is the document's identity (it never changes when a profile's zone does); the
    second is its publication time. A date the generator could not make (``Invalid Date``) or
    one more than a year ahead is no publication time: (labelled or None, None), with a warning.
    """
    if value is None:
        return None, None
    if isinstance(value, str) and value.strip().casefold() in UNDATED:
        warnings.append(
            f"{field} {value!r} is not a date: imported like a missing date (a draft), the raw value kept"
        )
        return None, None
    labelled = parse_date(value, field)
    published = parse_date(value, field, zone) if zone is not None else labelled
    if published > dt.datetime.now(dt.UTC) + dt.timedelta(days=MOST_DAYS_AHEAD):
        warnings.append(
            f"{field} {value!r} is more than a year ahead, not a publication time: "
            "imported like a missing date (a draft), the raw value kept"
        )
        return labelled, None
    return labelled, published


def parse_date(value: Any, field: str, zone: ZoneInfo | None = None) -> dt.datetime:
    """Return an aware UTC datetime from RFC 2822, ISO 8601 or Hexo's ``YYYY-MM-DD HH:mm:ss``.

    ``zone`` is the feed's zone (its profile): a date labelled GMT, or without a zone, is that
    zone's wall-clock time. Without it a naive date is in the site's zone. An explicit non-zero
    offset (``+08:00``) and an ISO 8601 ``Z`` are trusted as written.
    """
    site_zone = ZoneInfo(settings.TIME_ZONE)
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day, tzinfo=zone or site_zone)
    elif isinstance(value, str) and value.strip():
        parsed = _parse_date_text(value.strip(), field)
        if zone is not None and parsed.tzinfo is not None and not _iso(value.strip()):
            if parsed.utcoffset() == dt.timedelta(0) and MISLABELLED_ZONES.search(value.strip()):
                parsed = parsed.replace(tzinfo=None)
    else:
        raise ImportRefused(f"must be a date, not {value!r}", field=field)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone or site_zone)
    return parsed.astimezone(dt.UTC)


def _exact(value: Any) -> bool:
    """Return whether a date value says its instant outright (ISO 8601 with an offset): nothing to keep."""
    if isinstance(value, dt.datetime):
        return value.tzinfo is not None
    if not isinstance(value, str) or not _iso(value.strip()):
        return False
    return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")).tzinfo is not None


def _iso(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


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


def title_from_body(body: str) -> str:
    """Return the body's first words as a title: its first text, cut at a clause near the limit."""
    text = summary_from_body(body) if body else ""
    if len(text) <= TITLE_FROM_BODY_LENGTH:
        return text.rstrip("。，,；;：:")
    return _cut(text, TITLE_FROM_BODY_LENGTH, CLAUSE_END)


def summary_from_body(body: str) -> str:
    """Return the first block's text (words, lines and list items kept apart), cut at a sentence
    end near ``SUMMARY_MAX_LENGTH``, else at a word boundary."""
    if not body:
        return ""
    root = lxml_html.fragment_fromstring(body, create_parent="div")
    texts = []
    for block in root.iter("p", "blockquote", "li", "div", "h2", "h3", "h4", "pre", "td"):
        if block is root or (
            block.tag in {"div", "blockquote", "td"}
            and any(isinstance(child.tag, str) and child.tag in BLOCKS for child in block)
        ):
            continue  # a wrapper: its first paragraph comes next
        parent = block.getparent()
        if block.tag == "li" and parent is not None:
            items = [_block_text(item) for item in parent if item.tag == "li"]
            text = "、".join(item for item in items if item)
        else:
            text = _block_text(block)
        if len(text) >= SUMMARY_SHORTEST:
            break
        if text:
            texts.append(text)
    else:
        text = (
            _block_text(root) if len(_block_text(root)) >= SUMMARY_SHORTEST else (texts[0] if texts else "")
        )
    if len(text) <= SUMMARY_MAX_LENGTH:
        return text
    return _cut(text, SUMMARY_MAX_LENGTH, SENTENCE_END)


def _block_text(element: lxml_html.HtmlElement) -> str:
    """The text of ``element`` with a space wherever a line break or a block boundary falls."""
    parts: list[str] = []

    def walk(node: lxml_html.HtmlElement) -> None:
        if isinstance(node.tag, str) and (node.tag == "br" or node.tag in BLOCKS):
            parts.append(" ")
        if isinstance(node.tag, str) and node.tag not in {"script", "style"}:
            parts.append(node.text or "")
            for child in node:
                walk(child)
                parts.append(child.tail or "")
        if isinstance(node.tag, str) and node.tag in BLOCKS:
            parts.append(" ")

    walk(element)
    return " ".join("".join(parts).split())


def _cut(text: str, limit: int, boundary: re.Pattern[str]) -> str:
    """``text`` cut to at most ``limit`` characters at a ``boundary``, else at a word, with an ellipsis."""
    pieces = boundary.split(text[:limit])
    if len(pieces) > 1 and boundary is SENTENCE_END:
        cut = "".join(pieces[:-1])
        if cut:
            return cut
    head = text[: limit - 1]
    if len(pieces) > 1 and len("".join(pieces[:-1]).rstrip()) >= limit // 2:
        head = "".join(pieces[:-1]).rstrip()
    elif re.search(r"[A-Za-z0-9]$", head) and re.match(r"[A-Za-z0-9]", text[limit - 1 : limit]):
        # never cut a Latin word in two: back to the last space when there is one
        space = head.rfind(" ")
        if space >= limit // 2:
            head = head[:space]
    return head.rstrip(" ，,；;：:、") + "…"


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


def _kept_front_matter(
    front: dict[str, Any], extension: dict[str, Any], category_repaired: bool
) -> dict[str, Any]:
    """Return the front matter that has no field of its own, JSON-safe, plus repaired raw categories
    and the date as written (a feed's zone or a glitch may make it read otherwise)."""
    kept = {key: value for key, value in front.items() if key not in MAPPED_KEYS}
    if front.get("date") is not None and not _exact(front["date"]):
        kept["date"] = front["date"]
    unknown_extension = {key: value for key, value in extension.items() if key not in NEWSROOM_KEYS}
    if unknown_extension:
        kept["newsroom"] = unknown_extension
    if category_repaired:
        kept["categories"] = front.get("categories", front.get("category"))
    safe: dict[str, Any] = json_safe(kept)
    return safe


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
