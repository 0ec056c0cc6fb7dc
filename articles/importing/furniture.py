"""Site furniture in a seed body: recognised, lifted into fields, removed from the story.

Contract (implemented by ``extract_furniture``):

    extract_furniture(body_html: str, *, title: str) -> Furniture

The returned ``Furniture.body`` is the story alone (NOT yet sanitised: the caller
sanitises), with lazy images resolved (``data-original``/``data-src`` → ``src``),
non-standard ``w``/``h`` turned into ``width``/``height`` and
``referrerpolicy="no-referrer"`` kept on images.

What is recognised (see the corpus README, "Site furniture in the body, by feed"):

* every feed: the outer wrapper ``<div>`` is unwrapped and the body stripped;
* 快科技: the end marker ``p.end``, the reprint notice ``p.zhuanzai`` (→ ``rights_notice``),
  the correction link ``a.jiucuo``, the empty ``div.page_article``, the editor line
  ``p.url`` (``责任编辑：`` → ``editor``; ``原文链接：`` → ``source_name``/``source_url``) and
  the topic tags ``p.bqian`` (→ ``tags``, with the slug of ``/tag/SLUG.htm``);
* cnBeta: the bare first line ended by ``<br>`` (→ ``summary``, and kept in the body as the
  first ``<p>``); lazy images;
* 人人都是产品经理: the trailing credit lines (``作者：``, ``本文由 @…发布于``, ``原文链接：``,
  ``题图来自``; → ``writers``, ``credits``, ``rights_notice``, ``source_url``,
  ``lead_image_credit``) and the tip-the-author box ``div.support-author``.

Recognition goes by markup and wording, not by feed, so that a document is handled the
same whatever its categories say; every rule checks the content before removing
anything, and text it does not understand stays in the body. The function never
raises: any input gives a ``Furniture``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from lxml import etree

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


# C0 controls (but tab, newline, carriage return) and noncharacters libxml2 refuses.
_UNPARSABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACE = re.compile(r"\s+")

_INLINE = frozenset(
    {
        "a", "abbr", "b", "big", "cite", "code", "em", "font", "i", "kbd", "mark", "q", "s",
        "small", "span", "strike", "strong", "sub", "sup", "u",
    }
)  # fmt: skip
_BLOCK = frozenset(
    {
        "p", "div", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table",
        "figure", "pre", "hr", "section", "article",
    }
)  # fmt: skip
_MEDIA = frozenset({"img", "iframe", "video", "audio", "embed", "object", "source", "picture"})

# Lazy-loading attributes, most specific first; the page shows this URL once loaded.
_LAZY_ATTRIBUTES = ("data-original", "data-src", "data-lazy-src", "data-actualsrc", "lazyload")
_DIMENSION = re.compile(r"^\s*(\d{1,5})(?:px)?\s*$", re.IGNORECASE)

_END_TEXT = re.compile(r"^[\s\-—–_·]*(?:THE\s*END|本文结束|全文完)[\s\-—–_·]*$", re.IGNORECASE)
_TAG_HREF = re.compile(r"/tags?/([^/?#]+?)(?:\.s?html?)?/?(?:[?#].*)?$", re.IGNORECASE)
_PAGE_NAV_TEXT = re.compile(r"^[\s\d上下一页首尾页>《》<«»…|]*$")
_URL_LABELS = re.compile(r"(责任编辑|原文链接|作者)\s*[：:]\s*")

_WRITER_LINE = re.compile(r"^作者\s*[：:]\s*(?P<names>[^；;，,|｜]+?)\s*(?:[；;，,|｜].*)?$")
_RIGHTS_LINE = re.compile(r"^本文(?:由|系)\s*@?\s*(?P<name>.+?)\s*(?:原创|授权)?(?:发布|首发)于.*$")
_SOURCE_LINE = re.compile(r"^(?:原文链接|原文地址)\s*[：:]\s*(?P<value>\S.*)$")
_IMAGE_CREDIT_LINE = re.compile(r"^题图(?:来自|来源|由)\s*[：:]?\s*(?P<credit>\S.*?)(?:提供)?$")
_LOOKS_LIKE_URL = re.compile(r"^(?:https?:)?//\S+$|^www\.\S+$", re.IGNORECASE)

_PARSERS = threading.local()


def _parser() -> etree.HTMLParser:
    """One parser per thread: lxml parsers must not be shared between threads."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(
            encoding="utf-8",
            remove_comments=False,
            remove_pis=True,
            no_network=True,
            recover=True,
            huge_tree=True,  # nesting deeper than 256 would otherwise lose everything after it
        )
        _PARSERS.parser = parser
    return parser


def extract_furniture(body_html: str, *, title: str) -> Furniture:
    """Return the story of ``body_html`` with its site furniture lifted into fields.

    ``title`` is the document's headline; a bare first line that only repeats it is not
    taken for a summary. Never raises: on input lxml cannot take at all, the body is
    returned as given (stripped) with no fields.
    """
    text = body_html if isinstance(body_html, str) else ("" if body_html is None else str(body_html))
    try:
        return _Extraction(text, title if isinstance(title, str) else "").run()
    except Exception:  # the contract is "never raises"; the caller sanitises anyway
        return Furniture(body=_UNPARSABLE.sub("", _SURROGATE.sub("\ufffd", text)).strip())


def _clean(text: str | None) -> str:
    """Collapse whitespace runs (including NBSP and ideographic space) and strip."""
    return _SPACE.sub(" ", text).strip() if text else ""


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _has_media(element: etree._Element) -> bool:
    return any(isinstance(node.tag, str) and node.tag in _MEDIA for node in element.iter())


def _blank(element: etree._Element) -> bool:
    """No visible text and no media inside."""
    return not _text(element).strip() and not _has_media(element)


def _usable_url(value: str | None) -> bool:
    """An http or https address as a browser reads it (``jav&#9;ascript:`` is javascript:), or a relative one."""
    parsed = browser_reading(value) if value and value.strip() else None
    return parsed is not None and parsed.protocol in ("http:", "https:")


class _Extraction:
    def __init__(self, html: str, title: str) -> None:
        self.html = html
        self.title = _clean(title)
        self.removed: list[str] = []
        self.tags: list[TopicTag] = []
        self.editor = ""
        self.source_name = ""
        self.source_url = ""
        self.writers: list[str] = []
        self.credits: list[str] = []
        self.rights_notice = ""
        self.lead_image_credit = ""
        self.summary = ""

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
        self._transform()
        return Furniture(
            body=self._serialise(),
            tags=tuple(self.tags),
            editor=self.editor,
            source_name=self.source_name,
            source_url=self.source_url,
            writers=tuple(self.writers),
            lead_image_credit=self.lead_image_credit,
            summary=self.summary,
            removed=tuple(self.removed),
            credits=tuple(self.credits),
            rights_notice=self.rights_notice,
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
        start, end = f"<{container.tag}>", f"</{container.tag}>"
        if markup.startswith(start):
            markup = markup[len(start) :]
        if markup.endswith(end):
            markup = markup[: -len(end)]
        return markup.strip()

    # -- the furniture ---------------------------------------------------------------------

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
                or parent.tag not in {"div", "p", "span"}
                or len(parent)
                or (parent.text or "").strip()
            ):
                return
            element = parent

    def _transform(self) -> None:
        kinds: dict[str, list[etree._Element]] = {}
        images: list[etree._Element] = []
        for element in self.container.iter():
            tag = element.tag
            if not isinstance(tag, str):
                continue
            if tag == "img":
                images.append(element)
            classes = _classes(element)
            if not classes:
                continue
            for kind in (
                "jiucuo",
                "end",
                "zhuanzai",
                "url",
                "page_article",
                "bqian",
                "support-author",
            ):
                if kind in classes:
                    kinds.setdefault(kind, []).append(element)
        for element in images:
            self._image(element)
        for element in kinds.get("jiucuo", ()):
            if element.tag == "a":
                self._drop(element)
                self._note("correction-link")
        for element in kinds.get("end", ()):
            if element.tag == "p" and self._is_end_marker(element):
                self._drop(element)
                self._note("end-marker")
        for element in kinds.get("zhuanzai", ()):
            self._reprint_notice(element)
        for element in kinds.get("url", ()):
            if element.tag == "p":
                self._editor_line(element)
        for element in kinds.get("page_article", ()):
            if element.tag == "div" and _PAGE_NAV_TEXT.match(_text(element)) and not _has_media(element):
                self._drop(element)
                self._note("page-nav")
        for element in kinds.get("bqian", ()):
            if element.tag == "p":
                self._topic_tags(element)
        for element in kinds.get("support-author", ()):
            if element.tag == "div":
                self._drop(element)
                self._note("support-author")
        self._credit_lines()
        self._summary_line()

    # -- images ----------------------------------------------------------------------------

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

    # -- 快科技 ------------------------------------------------------------------------------

    @staticmethod
    def _is_end_marker(p: etree._Element) -> bool:
        text = _text(p)
        if text.strip():
            return bool(_END_TEXT.match(text))
        media = [node for node in p.iter() if isinstance(node.tag, str) and node.tag in _MEDIA]
        return bool(media) and all("end_article" in (node.get("src") or "") for node in media)

    def _reprint_notice(self, element: etree._Element) -> None:
        notice = _clean(_text(element))
        if "转载" not in notice or _has_media(element):
            return
        self.rights_notice = self.rights_notice or notice
        self._drop(element)
        self._note("reprint-notice")

    def _editor_line(self, p: etree._Element) -> None:
        for link in p.iter("a"):
            if "jiucuo" in _classes(link):  # not caught above when nested oddly
                self._drop(link)
                self._note("correction-link")
                break
        text = _clean(_text(p))
        parts = _URL_LABELS.split(text)
        if len(parts) < 3 or _has_media(p):
            return
        unrecognised = parts[0].strip()
        for label, value in zip(parts[1::2], parts[2::2], strict=True):
            value = value.strip()
            if label == "责任编辑" and value:
                self.editor = self.editor or value
            elif label == "作者" and value:
                self.writers.extend(name for name in re.split(r"\s*、\s*", value) if name)
            elif label == "原文链接":
                self._source(value, p)
        if unrecognised:
            self.credits.append(text)
        self._drop(p)
        self._note("editor-line")

    def _source(self, value: str, scope: etree._Element) -> None:
        link = next(
            # Any address: normalise() judges it (articles.safe_urls) and warns when it refuses it.
            (a for a in scope.iter("a") if (a.get("href") or "").strip() and "jiucuo" not in _classes(a)),
            None,
        )
        if link is not None:
            self.source_url = self.source_url or link.get("href").strip()
            name = _clean(_text(link))
            if name and not _LOOKS_LIKE_URL.match(name):
                self.source_name = self.source_name or name
        elif _LOOKS_LIKE_URL.match(value):
            self.source_url = self.source_url or value
        elif value:
            self.source_name = self.source_name or value

    def _topic_tags(self, p: etree._Element) -> None:
        seen_names = {tag.name.casefold() for tag in self.tags}
        seen_slugs = {tag.source_slug for tag in self.tags if tag.source_slug}
        found = False
        for link in p.iter("a"):
            name = _clean(_text(link)).lstrip("#＃ ").strip()
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
        if not found:
            return
        self._drop(p)
        self._note("topic-tags")

    # -- 人人都是产品经理 ---------------------------------------------------------------------

    def _credit_lines(self) -> None:
        """Trailing plain paragraphs naming writer, rights, source and lead-image credit."""
        credit_ps: list[etree._Element] = []
        lines: list[tuple[str, etree._Element]] = []
        for child in reversed(self.container):
            if not isinstance(child.tag, str):
                continue
            if child.tag != "p" or child.get("class") or _has_media(child):
                break
            child_lines = _lines(child)
            if not child_lines:
                continue  # a blank spacer between or after credit lines
            if not all(_credit_kind(line) for line in child_lines):
                break
            credit_ps.append(child)
            lines[:0] = [(line, child) for line in child_lines]
        if not credit_ps:
            return
        writers_from_byline = any(_credit_kind(line) == "writer" for line, _ in lines)
        for line, p in lines:
            kind = _credit_kind(line)
            self.credits.append(line)
            if kind == "writer":
                names = _WRITER_LINE.match(line).group("names")
                self.writers.extend(name for name in re.split(r"\s*、\s*", names) if name)
            elif kind == "rights":
                self.rights_notice = self.rights_notice or line
                if not writers_from_byline:
                    self.writers.append(_RIGHTS_LINE.match(line).group("name").lstrip("@ "))
            elif kind == "source":
                self._source(_SOURCE_LINE.match(line).group("value").strip(), p)
            elif kind == "image":
                self.lead_image_credit = self.lead_image_credit or _IMAGE_CREDIT_LINE.match(line).group(
                    "credit"
                )
        for p in credit_ps:
            self._drop(p)
        # blank spacer paragraphs (``<p> </p>``) left right before the credits
        while True:
            last = next((child for child in reversed(self.container) if isinstance(child.tag, str)), None)
            if last is None or last.tag != "p" or not _blank(last):
                break
            self._drop(last)
        self.writers = list(dict.fromkeys(self.writers))
        self._note("credit-lines")

    # -- cnBeta ------------------------------------------------------------------------------

    def _summary_line(self) -> None:
        """cnBeta: bare (or <strong>) first line ended by <br>, then the first block."""
        container = self.container
        children = list(container)
        lead: list[etree._Element] = []
        br_index = None
        for index, child in enumerate(children):
            if not isinstance(child.tag, str):
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
        summary = _clean((container.text or "") + "".join(_text(el) + (el.tail or "") for el in lead))
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


def _lines(p: etree._Element) -> list[str]:
    """The non-blank lines of ``p``, split at ``<br>``, whitespace collapsed."""
    lines = [""]

    def walk(element: etree._Element) -> None:
        for child in element:
            if child.tag == "br":
                lines.append("")
            elif isinstance(child.tag, str):
                lines[-1] += child.text or ""
                walk(child)
            lines[-1] += child.tail or ""

    lines[-1] += p.text or ""
    walk(p)
    return [line for line in (_clean(line) for line in lines) if line]


def _credit_kind(line: str) -> str:
    if _WRITER_LINE.match(line):
        return "writer"
    if _RIGHTS_LINE.match(line):
        return "rights"
    if _SOURCE_LINE.match(line):
        return "source"
    if _IMAGE_CREDIT_LINE.match(line):
        return "image"
    return ""
