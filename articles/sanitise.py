"""The one place where HTML is made safe for the page: every write path calls it.

Two passes. First lxml reshapes the fragment: it drops elements whose content is
never shown (scripts, styles, forms, inline SVG), upgrades protocol-relative
URLs to https, keeps embeds from allow-listed hosts (https, sandboxed) and turns
any other embed into a plain link so readers can still reach it, and marks
external links ``rel="noopener noreferrer"``. Then bleach enforces the
allow-lists below, so the first pass can never let anything through that the
second would refuse. ``sanitise(sanitise(html)) == sanitise(html)``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import bleach
from bleach.css_sanitizer import CSSSanitizer
from django.conf import settings
from lxml import etree
from lxml import html as lxml_html

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
        "dd", "del", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "i", "iframe", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
        "q", "s", "small", "source", "span", "strong", "sub", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "u", "ul", "video",
    }
)  # fmt: skip

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
MEDIA_PROTOCOLS = frozenset({"http", "https"})

ALLOWED_STYLE_PROPERTIES = frozenset(
    {
        "text-align", "text-indent", "font-weight", "font-style", "text-decoration",
        "vertical-align", "color", "background-color", "border", "max-width",
    }
)  # fmt: skip

# Elements dropped together with everything inside them.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "svg", "math", "button", "form",
        "input", "select", "textarea", "head", "title", "meta", "link", "base", "frameset",
        "frame", "applet",
    }
)  # fmt: skip

# Embedding elements and the attribute holding what they show.
EMBED_SOURCE_ATTRIBUTE = {"iframe": "src", "video": "src", "embed": "src", "object": "data"}
EMBED_SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"

# C0 controls (but tab, newline, carriage return) are not allowed in HTML.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
URL_IGNORED = re.compile(r"[\x00-\x20]|%0[9aAdD]|%20")
# Content its source hid stays hidden: dropped, never revealed (bleach would drop the attribute).
HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important)?\s*(?:;|$)", re.I
)
DIMENSION = re.compile(r"^\d{1,5}%?$")
ELEMENT_ID = re.compile(r"^[A-Za-z][\w\-:.]{0,63}$")
REFERRER_POLICIES = frozenset({"no-referrer", "origin", "strict-origin-when-cross-origin"})


def _dimension(value: str) -> bool:
    return bool(DIMENSION.match(value))


def _url(value: str, protocols: frozenset[str]) -> bool:
    """Allow absolute URLs with one of ``protocols``, and relative URLs that cannot hide a scheme."""
    # Browsers ignore tabs, newlines and spaces inside a scheme ("jav\tascript:").
    cleaned = URL_IGNORED.sub("", value)
    scheme = urlsplit(cleaned).scheme.lower()
    if scheme:
        return scheme in protocols
    before_path = re.split(r"[/?#]", cleaned, maxsplit=1)[0]
    return ":" not in before_path and not cleaned.startswith("//")


def embed_host_allowed(url: str) -> bool:
    """Return whether an https ``url`` points at a host on NEWSROOM_EMBED_HOSTS."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return False
    host = parts.hostname.lower()
    for allowed in settings.NEWSROOM_EMBED_HOSTS:
        allowed = allowed.lower()
        if host == allowed.lstrip(".") or (allowed.startswith(".") and host.endswith(allowed)):
            return True
    return False


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name in {"title", "style", "lang", "dir"}:
        return True
    if tag == "a":
        return name in {"rel", "target"} or (name == "href" and _url(value, ALLOWED_PROTOCOLS))
    if tag in {"img", "video", "source"}:
        if name in {"src", "poster"}:
            return _url(value, MEDIA_PROTOCOLS)
        if name in {"width", "height"}:
            return _dimension(value)
        if name == "referrerpolicy":
            return value in REFERRER_POLICIES
        return name in {"alt", "loading", "controls", "preload", "playsinline", "type"}
    if tag == "iframe":
        if name == "src":
            return embed_host_allowed(value)
        if name in {"width", "height"}:
            return _dimension(value)
        if name == "referrerpolicy":
            return value in REFERRER_POLICIES
        return name in {"sandbox", "allowfullscreen", "loading"}
    if tag in {"td", "th"}:
        return name in {"colspan", "rowspan", "scope"} and (name == "scope" or value.isdigit())
    if tag == "ol":
        return name in {"start", "reversed", "type"}
    if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
        return name == "id" and bool(ELEMENT_ID.match(value))
    if tag in {"col", "colgroup"}:
        return name == "span" and value.isdigit()
    if tag in {"q", "blockquote", "del", "ins"}:
        return name == "cite" and _url(value, MEDIA_PROTOCOLS)
    return False


CLEANER = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    css_sanitizer=CSSSanitizer(allowed_css_properties=ALLOWED_STYLE_PROPERTIES),
)


def absolute_url(url: str) -> str:
    """Return ``url`` with a protocol-relative ``//host/…`` made https."""
    url = url.strip()
    return "https:" + url if url.startswith("//") else url


def _is_external(url: str) -> bool:
    return urlsplit(url).scheme in {"http", "https"}


def _link_for_embed(element: etree._Element, url: str) -> etree._Element:
    link = lxml_html.Element("a", href=url)
    if _is_external(url):
        link.set("rel", "noopener noreferrer")
    label = (element.get("title") or "").strip()
    link.text = label or url
    link.tail = element.tail
    return link


def _reshape(root: etree._Element) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in DROPPED_WITH_CONTENT or _is_hidden(element):
            element.drop_tree()
            continue
        for name in ("href", "src", "poster", "data"):
            if element.get(name, "").strip().startswith("//"):
                element.set(name, absolute_url(element.get(name)))
        if tag in EMBED_SOURCE_ATTRIBUTE:
            _reshape_embed(element, tag)
        elif tag == "a" and _is_external(element.get("href", "")):
            element.set("rel", "noopener noreferrer")


def _is_hidden(element: etree._Element) -> bool:
    return element.get("hidden") is not None or bool(HIDDEN_STYLE.search(element.get("style") or ""))


def _reshape_embed(element: etree._Element, tag: str) -> None:
    url = element.get(EMBED_SOURCE_ATTRIBUTE[tag], "").strip()
    if not url and tag == "video":
        source = element.find(".//source")
        url = source.get("src", "").strip() if source is not None else ""
    if tag in {"iframe", "video"} and embed_host_allowed(url):
        element.attrib.pop("srcdoc", None)
        if tag == "iframe":
            element.set("sandbox", EMBED_SANDBOX)
            element.set("loading", "lazy")
            element.set("referrerpolicy", "no-referrer")
        else:
            element.set("controls", "controls")
            element.set("preload", "none")
        return
    if not url:
        element.drop_tree()
        return
    element.getparent().replace(element, _link_for_embed(element, url))


def sanitise(html: str) -> str:
    """Return ``html`` reduced to the news-body allow-list, safe to show as is."""
    html = CONTROL_CHARACTERS.sub("", html or "")
    if not html.strip():
        return ""
    wrapper = lxml_html.fragment_fromstring(html, create_parent="div")
    _reshape(wrapper)
    reshaped = etree.tostring(wrapper, encoding="unicode", method="html")
    inner = reshaped[len("<div>") : -len("</div>")]
    return CLEANER.clean(inner).strip()
