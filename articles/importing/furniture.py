"""Site furniture in a seed body: recognised, lifted into fields, removed from the story.

Contract (implemented by ``extract_furniture``):

    extract_furniture(body_html, *, title, profile=None, lead_image_url="") -> Furniture

The returned ``Furniture.body`` is the story alone (NOT yet sanitised: the caller
sanitises), with lazy images resolved (``data-original``/``data-src`` → ``src``),
non-standard ``w``/``h`` turned into ``width``/``height`` and ``referrerpolicy`` kept.

Two sources of knowledge, applied in this order:

* the feed's profile (``feeds.toml``): CSS selectors for furniture that only its markup
  tells apart (快科技's ``p.end``/``p.zhuanzai``/``p.url``/``p.bqian``, a Q&A feed's answer
  header, a site's keyword links), each still checked against its content before removal;
* generic rules, for every feed, seen or not: hidden content (removed, never revealed),
  tracking redirects (the real target, else plain text; a banner image inside one is an
  advertisement), share bars, app-promotion boxes, an answerer's avatar/name/bio, the lead
  image repeated as the body's first picture, credit lines at the start and at the end of
  the body in any element and wording (``credits.read_line``), and plain-text bodies
  (blank lines become paragraphs, single newlines ``<br>``).

Whatever a rule removes that carries a field becomes that field (writer, editor, source
name and address, rights notice, image credit, topic tags); the line itself is kept in
``credits``. Text the rules do not understand stays in the body. The function never
raises: any input gives a ``Furniture``.

Why one module of about 950 lines: the rules run in one pass over one parsed tree
(``_Extraction``), and each one's order and its guards depend on the others (a credit line is
read only after the share bar that may hold it is gone; the lead image is compared before the
credits take the image credit). Spread over modules, that order would be split across files;
the helpers that stand alone already live apart (``credits``, ``addresses``, ``profiles``).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from lxml import etree

from articles.importing.addresses import host_of, image_key, tracking_target
from articles.importing.credits import CreditLine, clean, read_line, strip_trailing_source
from articles.importing.profiles import FeedProfile
from articles.safe_urls import browser_reading


@dataclass(frozen=True)
class TopicTag:
    name: str
    source_slug: str = ""
    # The slug on this site, when known (an exported document carries it).
    slug: str = ""


@dataclass(frozen=True)
class Furniture:
    body: str
    tags: tuple[TopicTag, ...] = ()
    editor: str = ""
    source_name: str = ""
    source_url: str = ""
    writers: tuple[str, ...] = ()
    lead_image_credit: str = ""
    summary: str = ""
    removed: tuple[str, ...] = field(default=())
    # Every credit line lifted out of the body, verbatim but for whitespace (e.g.
    # "作者：戴珂；公众号：ToBeSaaS", "原文链接：https://…"), so that nothing they say is lost.
    credits: tuple[str, ...] = ()
    # The rights / reprint notice: "本文由 @… 原创发布于…禁止转载" or 快科技's "如需转载请务必注明出处：快科技".
    rights_notice: str = ""
    lead_image_caption: str = ""
    # Pictures that are not the story's (avatars, QR codes, banners): never a lead image.
    not_story_images: tuple[str, ...] = ()


# C0 controls (but tab, newline, carriage return) and noncharacters libxml2 refuses.
_UNPARSABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

_INLINE = frozenset(
    {
        "a", "abbr", "b", "big", "cite", "code", "em", "font", "i", "kbd", "mark", "q", "s",
        "small", "span", "strike", "strong", "sub", "sup", "u", "label", "time", "del", "ins",
    }
)  # fmt: skip
_BLOCK = frozenset(
    {
        "p", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table",
        "figure", "pre", "hr", "section", "article", "aside", "header", "footer", "center", "li",
    }
)  # fmt: skip
_WRAPPERS = frozenset({"div", "section", "article", "aside", "header", "footer", "center", "blockquote"})
_MEDIA = frozenset({"img", "iframe", "video", "audio", "embed", "object", "source", "picture"})

# Lazy-loading attributes, most specific first; the page shows this URL once loaded.
_LAZY_ATTRIBUTES = ("data-original", "data-src", "data-lazy-src", "data-actualsrc", "lazyload", "_src")
_DIMENSION = re.compile(r"^\s*(\d{1,5})(?:px)?\s*$", re.IGNORECASE)
_END_TEXT = re.compile(r"^[\s\-—–_·]*(?:THE\s*END|本文结束|全文完)[\s\-—–_·]*$", re.IGNORECASE)
_TAG_HREF = re.compile(r"/tags?/([^/?#]+?)(?:\.s?html?)?/?(?:[?#].*)?$", re.IGNORECASE)
_PAGE_NAV_TEXT = re.compile(r"^[\s\d上下一页首尾页>《》<«»…|]*$")
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important)?\s*(?:;|$)", re.I
)
_SHARE = re.compile(
    r"^https?://(?:service\.weibo\.com/share|v\.t\.sina\.com\.cn/share|(?:www\.)?twitter\.com/(?:share|intent)|"
    r"x\.com/intent|(?:www\.)?facebook\.com/shar|connect\.qq\.com|sns\.qzone\.qq\.com|"
    r"(?:www\.)?linkedin\.com/share|(?:www\.)?reddit\.com/submit|t\.me/share|social-plugins\.line\.me|"
    r"widget\.renren\.com|share\.)",
    re.IGNORECASE,
)
_AVATAR = re.compile(r"avatar|head-?img|userpic|author-?img|profile-?pic", re.IGNORECASE)
_NAME_CLASS = re.compile(r"\b(?:author|name|user-?name|nickname)\b", re.IGNORECASE)
_BIO_CLASS = re.compile(r"\b(?:bio|desc|description|signature|headline|intro)\b", re.IGNORECASE)
_LABEL_START = re.compile(r"\s*(?<!责任)(?<!原文)(?=(?:责任编辑|原文链接|作者|来源|编辑)\s*[：:])")
_NEVER_SHOWN = ("script", "style", "noscript", "template")
_MAX_BOX_TEXT = 80
_MAX_SHARE_TEXT = 40
_MAX_LEADING_UNITS = 3
_MAX_TRAILING_UNITS = 12
_EMPTY_PROFILE = FeedProfile()

_PARSERS = threading.local()


def _parser() -> etree.HTMLParser:
    """One parser per thread: lxml parsers must not be shared between threads."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(
            encoding="utf-8",
            remove_comments=True,
            remove_pis=True,
            no_network=True,
            recover=True,
            huge_tree=True,  # nesting deeper than 256 would otherwise lose everything after it
        )
        _PARSERS.parser = parser
    return parser


def extract_furniture(
    body_html: str,
    *,
    title: str,
    profile: FeedProfile | None = None,
    lead_image_url: str = "",
    rules: bool = True,
) -> Furniture:
    """Return the story of ``body_html`` with its site furniture lifted into fields.

    ``title`` is the document's headline (a bare first line repeating it is no summary);
    ``profile`` the feed's profile (default: generic rules only); ``lead_image_url`` the
    lead image, shown once: the body's first picture is dropped when it is the same one.
    ``rules=False`` only unwraps the body (for documents this site exported: their furniture
    was lifted when they were first imported, and their fields travel with them).
    Never raises: on input lxml cannot take at all, the body is returned as given.
    """
    text = body_html if isinstance(body_html, str) else ("" if body_html is None else str(body_html))
    try:
        extraction = _Extraction(
            text, title if isinstance(title, str) else "", profile or _EMPTY_PROFILE, lead_image_url or ""
        )
        extraction.rules = rules
        return extraction.run()
    except Exception:  # the contract is "never raises"; the caller sanitises anyway
        return Furniture(body=_UNPARSABLE.sub("", _SURROGATE.sub("\ufffd", text)).strip())


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _is_element(node: object) -> bool:
    return isinstance(getattr(node, "tag", None), str)


def _has_media(element: etree._Element) -> bool:
    return any(_is_element(node) and node.tag in _MEDIA for node in element.iter())


def _blank(element: etree._Element) -> bool:
    """No visible text and no media inside."""
    return not _text(element).strip() and not _has_media(element)


def _usable_url(value: str | None) -> bool:
    """An http or https address as a browser reads it (``jav&#9;ascript:`` is javascript:), or a relative one."""
    parsed = browser_reading(value) if value and value.strip() else None
    return parsed is not None and parsed.protocol in ("http:", "https:")


def _links(nodes: list[etree._Element]) -> list[tuple[str, str]]:
    found = []
    for node in nodes:
        for link in node.iter("a"):
            found.append((clean(_text(link)), (link.get("href") or "").strip()))
    return found


class _Line:
    """A run of inline content of ``parent``: its first text (``parent.text`` or the tail of the
    ``<br>``/block before it) and the inline children ``elements``, up to the next ``<br>`` or block."""

    def __init__(
        self, parent: etree._Element, before: etree._Element | None, elements: list[etree._Element]
    ) -> None:
        self.parent = parent
        self.before = before
        self.elements = elements

    @property
    def first_text(self) -> str:
        holder = self.before.tail if self.before is not None else self.parent.text
        return holder or ""

    @property
    def text(self) -> str:
        return clean(self.first_text + "".join(_text(el) + (el.tail or "") for el in self.elements))

    @property
    def has_media(self) -> bool:
        return any(_has_media(el) for el in self.elements)

    def remove(self) -> None:
        if self.before is not None:
            self.before.tail = None
        else:
            self.parent.text = None
        for element in self.elements:
            element.tail = None
            self.parent.remove(element)


def _units(parent: etree._Element) -> list[etree._Element | _Line]:
    """The content of ``parent`` as blocks (elements) and lines (inline runs between ``<br>``s and blocks)."""
    units: list[etree._Element | _Line] = []
    before = None
    run: list[etree._Element] = []
    for child in parent:
        if not _is_element(child):
            run.append(child)  # a comment kept by the parser: part of the run
            continue
        if child.tag == "br" or child.tag in _BLOCK or child.tag in {"iframe", "video", "table"}:
            units.append(_Line(parent, before, run))
            run = []
            if child.tag != "br":
                units.append(child)
            before = child
        else:
            run.append(child)
    units.append(_Line(parent, before, run))
    return [unit for unit in units if not isinstance(unit, _Line) or unit.text or unit.has_media]


class _Extraction:
    def __init__(self, html: str, title: str, profile: FeedProfile, lead_image_url: str) -> None:
        self.html = html
        self.title = clean(title)
        self.profile = profile
        self.lead_image_url = lead_image_url
        self.removed: list[str] = []
        self.tags: list[TopicTag] = []
        self.editor = ""
        self.source_name = ""
        self.source_url = ""
        self.writers: list[str] = []
        self.credited_writers: list[str] = []
        self.credits: list[str] = []
        self.leading_credits: list[str] = []
        self.trailing_credits: list[str] = []
        self.rights_notice = ""
        self.lead_image_credit = ""
        self.lead_image_caption = ""
        self.summary = ""
        self.not_story_images: list[str] = []
        self.rules = True

    # -- parsing and serialising ---------------------------------------------------------

    def run(self) -> Furniture:
        html = _UNPARSABLE.sub("", self.html)
        try:
            data = html.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates
            html = _SURROGATE.sub("\ufffd", html)
            data = html.encode("utf-8")
        if not data.strip():
            return Furniture(body="")
        parser = _parser()
        root = etree.fromstring(b"<html><body>" + data + b"</body></html>", parser)
        body = root.find("body") if root is not None else None
        if body is None or any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
            # libxml2 gave up part of the document (e.g. nesting deeper than 2048): rather than
            # lose story text, hand the body back untouched.
            return Furniture(body=html.strip())
        self.container = self._unwrap(body)
        if self.rules:
            self._transform()
        writers = self.writers or self.credited_writers
        return Furniture(
            body=self._serialise(),
            tags=tuple(self.tags),
            editor=self.editor,
            source_name=self.source_name,
            source_url=self.source_url,
            writers=tuple(dict.fromkeys(writers)),
            lead_image_credit=self.lead_image_credit,
            summary=self.summary,
            removed=tuple(self.removed),
            credits=tuple(self.leading_credits + self.credits + self.trailing_credits),
            rights_notice=self.rights_notice,
            lead_image_caption=self.lead_image_caption,
            not_story_images=tuple(dict.fromkeys(self.not_story_images)),
        )

    @staticmethod
    def _unwrap(body: etree._Element) -> etree._Element:
        """The single attribute-less ``<div>`` wrapping everything, else the body itself."""
        if len(body) == 1 and not (body.text or "").strip():
            only = body[0]
            if only.tag == "div" and not only.attrib and not (only.tail or "").strip():
                return only
        return body

    def _serialise(self) -> str:
        container = self.container
        container.attrib.clear()
        markup = etree.tostring(container, encoding="unicode", method="html", with_tail=False)
        tag = str(container.tag)
        start, end = f"<{tag}>", f"</{tag}>"
        if markup.startswith(start):
            markup = markup[len(start) :]
        if markup.endswith(end):
            markup = markup[: -len(end)]
        return markup.strip()

    # -- helpers ---------------------------------------------------------------------------

    def _note(self, label: str) -> None:
        if label not in self.removed:
            self.removed.append(label)

    def _drop(self, element: etree._Element) -> None:
        """Remove ``element`` but keep its tail; then remove wrappers it leaves empty."""
        while True:
            parent = element.getparent()
            if parent is None:
                return
            tail = element.tail
            if tail:
                previous = element.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
            parent.remove(element)
            if (
                parent is self.container
                or parent.tag not in {"div", "p", "span", "strong", "b", "center", "section", "a", "figure"}
                or len(parent)
                or (parent.text or "").strip()
            ):
                return
            element = parent

    def _unwrap_link(self, link: etree._Element) -> None:
        """Replace ``link`` by its content (text and children)."""
        parent = link.getparent()
        if parent is None:
            return
        index = parent.index(link)
        previous = link.getprevious()
        leading = link.text or ""
        if previous is not None:
            previous.tail = (previous.tail or "") + leading
        else:
            parent.text = (parent.text or "") + leading
        children = list(link)
        for offset, child in enumerate(children):
            parent.insert(index + offset, child)
        last = children[-1] if children else (link.getprevious() if link.getprevious() is not None else None)
        tail = link.tail or ""
        parent.remove(link)
        if last is not None and last is not link:
            last.tail = (last.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail

    def _inside_container(self, element: etree._Element) -> bool:
        node: etree._Element | None = element
        while node is not None:
            if node is self.container:
                return True
            node = node.getparent()
        return False

    def _select(self, kind: str) -> list[etree._Element]:
        found: list[etree._Element] = []
        for selector in self.profile.furniture.get(kind, ()):
            found.extend(element for element in selector(self.container) if element not in found)
        return found

    def _take(self, line: CreditLine, text: str, label: str, edge: str = "") -> None:
        """Lift what a recognised credit line says into the fields (``edge``: read from the end or the start)."""
        if line.credit and text:
            if edge == "end":
                self.trailing_credits.insert(0, text)
            elif edge == "start":
                self.leading_credits.append(text)
            else:
                self.credits.append(text)
        if line.writers:
            if line.rights_notice and not line.source_name:
                self.credited_writers.extend(line.writers)  # "本文由 @X 发布于…": X may be the outlet
            else:
                self.writers.extend(line.writers)
        self.editor = self.editor or line.editor
        if line.source_url and not self.source_url:
            self.source_url = line.source_url
            if line.source_name:
                self.source_name = line.source_name
        elif line.source_name and not self.source_name:
            self.source_name = line.source_name
        self.lead_image_credit = self.lead_image_credit or line.image_credit
        self.rights_notice = self.rights_notice or line.rights_notice
        self._note("end-marker" if line.end_marker and not line.credit else label)

    # -- the rules -------------------------------------------------------------------------

    def _transform(self) -> None:
        for element in list(self.container.iter(*_NEVER_SHOWN)):
            self._drop(element)
        for image in list(self.container.iter("img")):
            self._image(image)
        self._hidden()
        self._profile_furniture()
        self._answer_headers()
        self._tracking_links()
        self._share_bars()
        self._promotions()
        self._lead_image_repeat()
        self._edge(self.container, from_end=True, budget=_MAX_TRAILING_UNITS)
        self._edge(self.container, from_end=False, budget=_MAX_LEADING_UNITS)
        self._trim_breaks()
        self._summary_line()
        self._plain_text()

    @staticmethod
    def _image(img: etree._Element) -> None:
        # Lazy images: the page swaps the lazy URL in once loaded; ``src`` only holds what shows
        # before (a placeholder, cnBeta's /thumb/ copy, a resized webp). The lazy one is the image.
        for name in _LAZY_ATTRIBUTES:
            value = img.get(name)
            if value is None:
                continue
            if _usable_url(value):
                img.set("src", value.strip())
                for other in _LAZY_ATTRIBUTES:
                    img.attrib.pop(other, None)
                break
        for short, full in (("w", "width"), ("h", "height")):
            value = img.get(short)
            if value is None:
                continue
            del img.attrib[short]
            match = _DIMENSION.match(value)
            if match and img.get(full) is None:
                img.set(full, match.group(1))

    def _hidden(self) -> None:
        """Content the source hid stays hidden: removed, never revealed."""
        for element in list(self.container.iter()):
            if not _is_element(element) or element is self.container or not self._inside_container(element):
                continue
            if (
                element.get("hidden") is not None
                or _HIDDEN_STYLE.search(element.get("style") or "")
                or (element.tag == "input" and (element.get("type") or "").lower() == "hidden")
            ):
                self._drop(element)
                self._note("hidden")

    def _profile_furniture(self) -> None:
        labels = {
            "end_marker": "end-marker",
            "correction_link": "correction-link",
            "page_nav": "page-nav",
            "tip_box": "support-author",
            "share_bar": "share-bar",
            "promotion": "promotion",
            "remove": "site-furniture",
        }
        for kind in (
            "correction_link",
            "end_marker",
            "rights_notice",
            "credit_lines",
            "page_nav",
            "topic_tags",
        ):
            for element in self._select(kind):
                if not self._inside_container(element):
                    continue
                if kind == "end_marker" and not self._is_end_marker(element):
                    continue
                if kind == "page_nav" and not (
                    _PAGE_NAV_TEXT.match(_text(element)) and not _has_media(element)
                ):
                    continue
                if kind == "rights_notice":
                    self._reprint_notice(element)
                elif kind == "credit_lines":
                    self._credit_block(element)
                elif kind == "topic_tags":
                    if self._topic_tags(element):
                        self._drop(element)
                        self._note("topic-tags")
                else:
                    self._drop(element)
                    self._note(labels[kind])
        for kind in ("tip_box", "share_bar", "promotion", "remove"):
            for element in self._select(kind):
                if self._inside_container(element):
                    self.not_story_images.extend(img.get("src", "") for img in element.iter("img"))
                    self._drop(element)
                    self._note(labels[kind])
        for element in self._select("answer_header"):
            if self._inside_container(element):
                self._answer_header(element)
        for link in self._select("unwrap_links"):
            if self._inside_container(link) and link.tag == "a":
                self._unwrap_link(link)
                self._note("keyword-link")

    @staticmethod
    def _is_end_marker(element: etree._Element) -> bool:
        text = _text(element)
        if text.strip():
            return bool(_END_TEXT.match(text))
        media = [node for node in element.iter() if _is_element(node) and node.tag in _MEDIA]
        return bool(media) and all("end_article" in (node.get("src") or "") for node in media)

    def _reprint_notice(self, element: etree._Element) -> None:
        notice = clean(_text(element))
        if "转载" not in notice or _has_media(element):
            return
        self.rights_notice = self.rights_notice or notice
        self._drop(element)
        self._note("reprint-notice")

    def _credit_block(self, element: etree._Element) -> None:
        """A block the profile says holds credit lines (快科技's ``p.url``): every labelled part read."""
        for link in list(element.iter("a")):
            if "jiucuo" in _classes(link):
                self._drop(link)
                self._note("correction-link")
        if _has_media(element):
            return
        text = clean(_text(element))
        links = _links([element])
        parts = [part.strip() for part in _LABEL_START.split(text) if part.strip()]
        lines = [read_line(part, links) for part in parts]
        if not parts:
            self._drop(element)
            return
        if any(line is None for line in lines):
            unrecognised = [part for part, line in zip(parts, lines, strict=True) if line is None]
            if len(unrecognised) == len(parts):
                return
            self.credits.append(text)
        for line in lines:
            if line is not None:
                self._take(line, "", "editor-line")
        self._drop(element)
        self._note("editor-line")

    def _topic_tags(self, element: etree._Element) -> bool:
        seen_names = {tag.name.casefold() for tag in self.tags}
        seen_slugs = {tag.source_slug for tag in self.tags if tag.source_slug}
        found = False
        for link in element.iter("a"):
            name = clean(_text(link)).lstrip("#＃ ").strip()
            if not name:
                continue
            match = _TAG_HREF.search(link.get("href") or "")
            slug = match.group(1) if match else ""
            found = True
            if name.casefold() in seen_names or (slug and slug in seen_slugs):
                continue
            seen_names.add(name.casefold())
            seen_slugs.add(slug)
            self.tags.append(TopicTag(name=name, source_slug=slug))
        return found

    # -- generic: who answers, where links go, what is promotion ------------------------------

    def _answer_headers(self) -> None:
        for img in list(self.container.iter("img")):
            marks = " ".join(img.get(name) or "" for name in ("class", "alt", "id"))
            if _AVATAR.search(marks) and self._inside_container(img):
                header = img.getparent()
                if header is not None and header is not self.container and len(clean(_text(header))) <= 200:
                    self._answer_header(header)

    def _answer_header(self, header: etree._Element) -> None:
        """An answerer's avatar, name and bio heading a Q&A answer: byline and credit line."""
        if any(_is_element(node) and node.tag in _BLOCK and node.tag != "div" for node in header.iter()):
            return
        name_element = next(
            (
                node
                for node in header.iter()
                if node is not header and _NAME_CLASS.search(node.get("class") or "")
            ),
            None,
        )
        bio_element = next(
            (
                node
                for node in header.iter()
                if node is not header and _BIO_CLASS.search(node.get("class") or "")
            ),
            None,
        )
        name = clean(_text(name_element)) if name_element is not None else ""
        bio = clean(_text(bio_element)) if bio_element is not None else ""
        name = name.rstrip("，,：: ")
        if not name:
            return
        self.writers.append(name)
        self.credits.append(f"{name}，{bio}" if bio else name)
        self.not_story_images.extend(img.get("src", "") for img in header.iter("img"))
        self._drop(header)
        self._note("answer-header")

    def _tracking_links(self) -> None:
        for link in list(self.container.iter("a")):
            if not self._inside_container(link):
                continue
            href = (link.get("href") or "").strip()
            if not self.profile.is_tracking_host(host_of(href)):
                continue
            if _has_media(link) and not clean(_text(link)):
                # a picture inside a tracking redirect is an advertisement banner, not the story
                self.not_story_images.extend(img.get("src", "") for img in link.iter("img"))
                self._drop(link)
                self._note("promotion")
                continue
            target = tracking_target(href)
            if target:
                link.set("href", target)
                for name in ("data-link", "data-url"):
                    link.attrib.pop(name, None)
            else:
                self._unwrap_link(link)
            self._note("tracking-link")

    def _share_bars(self) -> None:
        for link in list(self.container.iter("a")):
            if not self._inside_container(link) or not _SHARE.match((link.get("href") or "").strip()):
                continue
            bar = None
            node: etree._Element | None = link
            while node is not None and node is not self.container:
                if len(clean(_text(node))) > _MAX_SHARE_TEXT or (_has_media(node) and node.tag != "a"):
                    break
                bar = node
                node = node.getparent()
            if bar is not None:
                self._drop(bar)
                self._note("share-bar")

    def _promotions(self) -> None:
        if not self.profile.promotion_phrases:
            return
        candidates = []
        for element in self.container.iter(*_WRAPPERS, "p", "table", "ul"):
            if element is self.container:
                continue
            text = clean(_text(element))
            if len(text) <= _MAX_BOX_TEXT and any(p.search(text) for p in self.profile.promotion_phrases):
                candidates.append(element)
        for element in candidates:
            if any(ancestor in candidates for ancestor in element.iterancestors()):
                continue
            if not self._inside_container(element):
                continue
            self.not_story_images.extend(img.get("src", "") for img in element.iter("img"))
            self._drop(element)
            self._note("promotion")

    def _lead_image_repeat(self) -> None:
        """The lead image repeated as the body's first picture (or a site-wide default picture) shows once."""
        first = next((img for img in self.container.iter("img") if _usable_url(img.get("src"))), None)
        if first is None:
            return
        src = (first.get("src") or "").strip()
        if self.profile.is_default_image(src):
            self.not_story_images.append(src)
            label = "default-image"
        elif self.lead_image_url and image_key(src, self.profile) == image_key(
            self.lead_image_url, self.profile
        ):
            label = "lead-image-repeat"
        else:
            return
        target = first
        parent = first.getparent()
        if parent is not None and parent.tag == "a" and not clean(_text(parent)) and len(parent) == 1:
            target = parent
        figure = next((node for node in target.iterancestors("figure")), None)
        if figure is not None and self._inside_container(figure):
            caption = figure.find(".//figcaption")
            if caption is not None and label == "lead-image-repeat":
                self.lead_image_caption = self.lead_image_caption or clean(_text(caption))
            if len([node for node in figure.iter("img")]) == 1:
                target = figure
        self._drop(target)
        self._note(label)

    # -- credit lines at both ends -----------------------------------------------------------

    def _edge(self, parent: etree._Element, *, from_end: bool, budget: int) -> bool:
        """Remove the credit lines at one end of ``parent``; return whether nothing is left in it."""
        while budget > 0:
            units = _units(parent)
            if not units:
                return True
            unit = units[-1] if from_end else units[0]
            budget -= 1
            if isinstance(unit, _Line):
                if unit.has_media or not self._credit(unit.text, _links(unit.elements), from_end):
                    if from_end:
                        self._trailing_source(unit)
                    return False
                self._remove_line(parent, unit, from_end)
                continue
            element = unit
            if _blank(element):
                if element.tag in {"p", "div", "span", "section"} and not len(element):
                    self._drop(element)
                    continue
                if element.tag in {"p", "div", "section"} and all(
                    _is_element(child) and child.tag == "br" for child in element
                ):
                    self._drop(element)
                    continue
                return False
            if element.tag in _WRAPPERS and any(
                _is_element(child) and child.tag in _BLOCK for child in element
            ):
                if self._edge(element, from_end=from_end, budget=budget):
                    self._drop(element)
                    continue
                return False
            if element.tag not in {
                "p",
                "div",
                "section",
                "span",
                "center",
                "blockquote",
                "h4",
                "h5",
                "h6",
                "em",
            }:
                return False
            units = _units(element)
            lines = [unit for unit in units if isinstance(unit, _Line)]
            if len(lines) < len(units) or not lines:
                return False
            if self._tag_line(element):
                self._drop(element)
                self._note("topic-tags")
                continue
            verdicts = [
                (not line.has_media) and self._would_credit(line.text, _links(line.elements))
                for line in lines
            ]
            if all(verdicts):
                for line in lines:
                    self._credit(line.text, _links(line.elements), from_end)
                self._drop(element)
                continue
            # only some lines of the block are credits (after a <br>): take those, keep the rest
            edge = lines[::-1] if from_end else lines
            taken = 0
            for line, verdict in zip(edge, verdicts[::-1] if from_end else verdicts, strict=True):
                if not verdict:
                    break
                self._credit(line.text, _links(line.elements), from_end)
                self._remove_line(element, line, from_end)
                taken += 1
            if from_end and not taken:
                self._trailing_source(lines[-1])
            return False
        return False

    def _would_credit(self, text: str, links: list[tuple[str, str]]) -> bool:
        line = read_line(text, links)
        return line is not None and not line.tags

    def _credit(self, text: str, links: list[tuple[str, str]], from_end: bool) -> bool:
        line = read_line(text, links)
        if line is None or line.tags:
            return False
        if not from_end and (
            line.end_marker or (line.source_url and not line.source_name and not line.writers)
        ):
            # at the start, a bare address or an end marker is story, not a credit
            return False
        self._take(line, text, "credit-lines", "end" if from_end else "start")
        return True

    def _remove_line(self, parent: etree._Element, line: _Line, from_end: bool) -> None:
        """Remove ``line`` and the ``<br>`` that separated it from the rest."""
        if line.elements:
            following = line.elements[-1].getnext()
        elif line.before is not None:
            following = line.before.getnext()
        else:
            following = parent[0] if len(parent) else None
        before = line.before
        line.remove()
        if from_end and before is not None and before.tag == "br":
            self._drop(before)
        elif not from_end and following is not None and _is_element(following) and following.tag == "br":
            rest = following.tail or ""
            if before is None:
                parent.text = (parent.text or "") + rest
            else:
                before.tail = (before.tail or "") + rest
            following.tail = None
            parent.remove(following)

    def _trim_breaks(self) -> None:
        """``<br>``s left at the very start or end of the body once their lines are gone."""
        container = self.container
        while len(container) and container[-1].tag == "br" and not (container[-1].tail or "").strip():
            container.remove(container[-1])
        while len(container) and container[0].tag == "br" and not (container.text or "").strip():
            container.text = (container.text or "") + (container[0].tail or "")
            container.remove(container[0])

    def _tag_line(self, element: etree._Element) -> bool:
        """A line of links to tag pages (``话题标签：`` or bare) at the end: topic tags."""
        links = list(element.iter("a"))
        if not links or _has_media(element):
            return False
        text = clean(_text(element))
        link_text = "".join(clean(_text(link)) for link in links)
        rest = text
        for link in links:
            rest = rest.replace(clean(_text(link)), "", 1)
        labelled = read_line(text, _links([element]))
        if not (labelled is not None and labelled.tags) and re.sub(r"[\s#＃,，、|/]", "", rest):
            return False
        if not all(_TAG_HREF.search(link.get("href") or "") for link in links) or not link_text:
            return False
        return self._topic_tags(element)

    def _trailing_source(self, unit: _Line | etree._Element) -> None:
        """``…继续保持扩张。（证券时报）``: the source named in brackets at the story's end."""
        holder = None
        if isinstance(unit, _Line):
            last = unit.elements[-1] if unit.elements else None
            holder = (
                (last, "tail")
                if last is not None
                else ((unit.before, "tail") if unit.before is not None else (unit.parent, "text"))
            )
        else:
            last_children = [child for child in unit if _is_element(child)]
            holder = (last_children[-1], "tail") if last_children else (unit, "text")
            if last_children and not (last_children[-1].tail or "").strip():
                return
        element, attribute = holder
        text = getattr(element, attribute) or ""
        found = strip_trailing_source(text)
        if found is None:
            return
        kept, line = found
        removed = clean(text)[len(kept) :].strip()
        trailing_space = text[len(text.rstrip()) :]
        setattr(element, attribute, text[: len(text) - len(text.lstrip())] + kept + trailing_space)
        self._take(line, removed, "source-line", "end")

    # -- cnBeta: the summary line ----------------------------------------------------------

    def _summary_line(self) -> None:
        """A bare (or <strong>) first line ended by <br>, then the first block: the summary."""
        container = self.container
        children = list(container)
        lead: list[etree._Element] = []
        br_index = None
        for index, child in enumerate(children):
            if not _is_element(child):
                return
            if child.tag == "br":
                br_index = index
                break
            if child.tag not in _INLINE or _has_media(child):
                return
            lead.append(child)
        if br_index is None:
            return
        br = children[br_index]
        if (br.tail or "").strip():
            return
        rest = br_index + 1
        while rest < len(children) and children[rest].tag == "br" and not (children[rest].tail or "").strip():
            rest += 1
        if rest >= len(children) or children[rest].tag not in _BLOCK:
            return
        summary = clean((container.text or "") + "".join(_text(el) + (el.tail or "") for el in lead))
        if not summary or summary == self.title:
            return
        paragraph = etree.Element("p")
        paragraph.text = (container.text or "").lstrip()
        for element in lead:
            paragraph.append(element)  # moves it, with its tail
        if len(paragraph):
            paragraph[-1].tail = (paragraph[-1].tail or "").rstrip()
        else:
            paragraph.text = paragraph.text.rstrip()
        paragraph.tail = "\n"
        for element in children[br_index:rest]:
            container.remove(element)
        container.text = None
        container.insert(0, paragraph)
        self.summary = summary

    # -- plain text --------------------------------------------------------------------------

    def _plain_text(self) -> None:
        """A body of bare text (no block, no line break): blank lines are paragraphs, newlines <br>."""
        container = self.container
        if any(
            _is_element(child) and (child.tag in _BLOCK or child.tag in _MEDIA or child.tag == "br")
            for child in container.iter()
            if child is not container
        ):
            return
        if not clean(_text(container)):
            return
        inner = (container.text or "") + "".join(
            etree.tostring(child, encoding="unicode", method="html", with_tail=True) for child in container
        )
        paragraphs = [part.strip() for part in re.split(r"\n[ \t\u3000\xa0]*\n\s*", inner.strip())]
        markup = "".join(
            "<p>" + "<br>".join(line.strip() for line in part.split("\n") if line.strip()) + "</p>"
            for part in paragraphs
            if part
        )
        fragment = etree.fromstring(f"<html><body><div>{markup}</div></body></html>".encode(), _parser())
        new = fragment.find("body/div")
        assert new is not None  # the markup above always holds body/div
        container.text = None
        for child in list(container):
            container.remove(child)
        for child in list(new):
            container.append(child)
