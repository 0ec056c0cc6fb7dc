"""The one place where HTML is made safe for the page: every write path calls it.

The fragment is parsed once, as browsers parse it (html5lib, building an lxml tree). Then the
tree is reshaped: elements whose content is never shown are dropped (scripts, import maps,
styles, forms, inline SVG, hidden content), protocol-relative URLs become https, embeds from
allow-listed hosts are kept (https, sandboxed, their address rewritten as browsers read it, at
their own proportions), any other embed becomes a plain link named ``视频：host`` so readers can
still reach it, and external links get ``rel="noopener noreferrer"``. Then bleach's filter
enforces the allow-lists below on the tree's tokens, so the reshaping can never let anything
through that bleach would refuse.

bleach usually parses text itself; handing it our tree saves that second parse (half the cost).
Where the tree is one that parsing our output would build otherwise (misnested markup, tags bleach
strips), the output is sanitised again, as a browser would read it, until it settles.

Addresses are read as browsers read them (``articles.safe_urls``: the WHATWG URL Standard),
never with ``urlsplit``. The result is a fixed point: ``sanitise(sanitise(html)) ==
sanitise(html)`` (tests/test_sanitise_properties.py checks it on generated HTML and the corpus).

One module of about 500 lines on purpose: all that makes HTML safe sits behind ``sanitise()`` in
this file alone (the allow-lists, the reshaping, the hand-over to bleach), so that a reviewer
reads one file and bleach could be swapped for another sanitiser here and nowhere else.

``SANITISER_VERSION`` names these rules: bump it whenever they change, so that bodies
cleaned by older rules are cleaned again when shown (``articles.body_marks``).
"""

from __future__ import annotations

import functools
import re
import threading
import warnings
from collections.abc import Iterator
from urllib.parse import urlsplit

import html5lib
import tinycss2
from bleach import html5lib_shim
from bleach.css_sanitizer import CSSSanitizer
from bleach.sanitizer import BleachSanitizerFilter
from django.conf import settings
from django.utils import translation
from html5lib.constants import DataLossWarning
from lxml import etree
from lxml.html import html5parser

from articles.safe_urls import browser_form, browser_reading, is_relative, whatwg_parse

# 3: embeds keep their proportions (aspect-ratio), other embeds are links named 视频：host.
# 4: what is written is what browsers read back (misnested trees settle), ">" in values is "&gt;".
SANITISER_VERSION = "4"

# html5lib renames attributes whose names lxml cannot hold (``yahei",`` from a broken style
# attribute) and warns; bleach drops such attributes anyway.
warnings.filterwarnings("ignore", category=DataLossWarning)

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
        "vertical-align", "color", "background-color", "border", "max-width", "aspect-ratio",
    }
)  # fmt: skip

# Elements dropped together with everything inside them. The raw-text ones (xmp, noembed,
# noframes, plaintext) are parsed one way by lxml and another by bleach's html5lib.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "svg", "math", "button", "form",
        "input", "select", "textarea", "head", "title", "meta", "link", "base", "frameset",
        "frame", "applet", "xmp", "noembed", "noframes", "plaintext", "portal", "fencedframe",
    }
)  # fmt: skip
# CSS functions a kept style value may call: colours only. Nothing that loads (url(),
# image-set()) or runs (expression()).
ALLOWED_STYLE_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla"})
STYLE_VALUE_TOKENS = frozenset(
    {"whitespace", "ident", "number", "percentage", "dimension", "hash", "literal"}
)

# Embedding elements and the attribute holding what they show.
EMBED_SOURCE_ATTRIBUTE = {"iframe": "src", "video": "src", "embed": "src", "object": "data"}
EMBED_SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"

# C0 controls (but tab, newline, carriage return) are not allowed in HTML, and lxml cannot hold
# them, nor lone surrogates or U+FFFE/U+FFFF; neither can it hold what character references to
# them decode to. Browsers show nothing for them, and drop them around an address.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,8})|0*([0-9]{1,10}));?")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
URL_ATTRIBUTES = ("href", "src", "poster", "data", "cite")
# Content its source hid stays hidden: dropped, never revealed (bleach would drop the attribute).
HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important)?\s*(?:;|$)", re.I
)
DIMENSION = re.compile(r"^\d{1,5}%?$")
ELEMENT_ID = re.compile(r"^[A-Za-z][\w\-:.]{0,63}$")
REFERRER_POLICIES = frozenset({"no-referrer", "origin", "strict-origin-when-cross-origin"})


def _without_unholdable_references(match: re.Match) -> str:
    value = int(match[1], 16) if match[1] else int(match[2])
    unholdable = (value < 0x20 and value not in (0x09, 0x0A, 0x0D)) or value in (0xFFFE, 0xFFFF)
    return "" if unholdable else match[0]


def _dimension(value: str) -> bool:
    return bool(DIMENSION.match(value))


def _url(value: str, protocols: frozenset[str]) -> bool:
    """Allow addresses a browser reads with one of ``protocols``; relative ones are on our own site."""
    parsed = browser_reading(value)
    return parsed is not None and parsed.protocol[:-1] in protocols


def embed_url(url: str) -> str | None:
    """Return ``url`` as browsers read it when it is an https address on NEWSROOM_EMBED_HOSTS that
    every parser reads alike, else None.

    Refused as ambiguous, whatever host they seem to name: tabs, newlines or controls anywhere,
    backslashes, a user name (``https://evil.example\\@www.youtube.com/``: Python sees YouTube,
    Chromium loads evil.example), percent-encoded or non-ASCII host characters, and any address
    whose host Python's parser and the WHATWG parser do not both read the same.
    """
    url = url.strip()
    if not url or browser_form(url) != url or "\\" in url or not url.isascii():
        return None
    parsed = whatwg_parse(url)
    if parsed is None or parsed.protocol != "https:" or parsed.username or parsed.password:
        return None
    parts = urlsplit(url)
    if "@" in parts.netloc or "%" in parts.netloc or (parts.hostname or "") != parsed.hostname:
        return None
    host = parsed.hostname
    for allowed in settings.NEWSROOM_EMBED_HOSTS:
        allowed = allowed.lower()
        if host == allowed.lstrip(".") or (allowed.startswith(".") and host.endswith(allowed)):
            return parsed.href
    return None


def embed_host_allowed(url: str) -> bool:
    """Return whether ``url`` may be embedded (``embed_url``)."""
    return embed_url(url) is not None


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


def _safe_style_value(tokens) -> bool:
    for token in tokens:
        if token.type == "function":
            if token.lower_name not in ALLOWED_STYLE_FUNCTIONS or not _safe_style_value(token.arguments):
                return False
        elif token.type not in STYLE_VALUE_TOKENS:
            return False
    return True


class StyleSanitiser(CSSSanitizer):
    """bleach's property allow-list, and only plain values: no url(), image-set(), expression(),
    strings or blocks, whatever the property (escapes are read first: ``\\75 rl(`` is ``url(``)."""

    # A body repeats its few styles (``text-align: center``) on many elements; the answer
    # depends on the text alone. Bounded: a hostile body's styles cannot grow it.
    @functools.lru_cache(maxsize=2048)  # noqa: B019 - one instance for the process (_STYLE_SANITISER)
    def sanitize_css(self, style: str) -> str:
        declarations = [
            declaration
            for declaration in tinycss2.parse_declaration_list(
                style, skip_comments=True, skip_whitespace=True
            )
            if declaration.type == "declaration" and _safe_style_value(declaration.value)
        ]
        plain = "; ".join(
            f"{declaration.lower_name}: {tinycss2.serialize(declaration.value).strip()}"
            + (" !important" if declaration.important else "")
            for declaration in declarations
        )
        return super().sanitize_css(plain + ";" if plain else "")


# Stateless: one for every thread.
_STYLE_SANITISER = StyleSanitiser(allowed_css_properties=ALLOWED_STYLE_PROPERTIES)


def _parser() -> html5parser.HTMLParser:
    """Return this thread's HTML5 parser building lxml trees."""
    parser = getattr(_per_thread, "parser", None)
    if parser is None:
        parser = _per_thread.parser = html5parser.HTMLParser(namespaceHTMLElements=False)
    return parser


_per_thread = threading.local()
_WALKER = html5lib.getTreeWalker("lxml")
# bleach's own serialiser, set as ``bleach.Cleaner`` sets it.
_SERIALISER = html5lib_shim.BleachHTMLSerializer(
    quote_attr_values="always",
    omit_optional_tags=False,
    escape_lt_in_attrs=True,
    resolve_entities=False,
    sanitize=False,
    alphabetical_attributes=False,
)
# Passes after the first when the first wrote what browsers would read as another tree.
MAX_SETTLING_PASSES = 3
TAG_TOKENS = frozenset({"StartTag", "EndTag", "EmptyTag"})
TEXT_TOKENS = frozenset({"Characters", "SpaceCharacters"})
# html5lib's parse errors in reading tags, attributes, references and comments: the tree built is
# the one their text gives again once serialised (unlike those of building the tree: a table's
# "voodoo", the adoption agency, end tags too early).
TREE_NEUTRAL_PARSE_ERRORS = frozenset(
    {
        "attributes-in-end-tag", "cant-convert-numeric-entity", "duplicate-attribute",
        "equals-in-unquoted-attribute-value", "expected-attribute-value-but-got-right-bracket",
        "expected-named-entity", "expected-numeric-entity", "illegal-codepoint-for-numeric-entity",
        "illegal-windows-1252-entity", "incorrect-comment", "incorrect-cr-newline-entity",
        "invalid-character-after-attribute-name", "invalid-character-in-attribute-name",
        "invalid-codepoint", "named-entity-without-semicolon", "null-character",
        "numeric-entity-without-semicolon", "self-closing-flag-on-end-tag",
        "unexpected-bang-after-double-dash-in-comment", "unexpected-char-in-comment",
        "unexpected-character-after-attribute-value", "unexpected-character-after-solidus-in-tag",
        "unexpected-character-in-unquoted-attribute-value", "unexpected-dash-after-double-dash-in-comment",
        "unexpected-space-after-double-dash-in-comment", "non-void-element-with-trailing-solidus",
        "expected-tag-name", "expected-tag-name-but-got-right-bracket", "incorrectly-placed-solidus",
    }
)  # fmt: skip


def absolute_url(url: str) -> str:
    """Return ``url`` with a protocol-relative ``//host/…`` made https."""
    url = url.strip()
    return "https:" + url if url.startswith("//") else url


def _is_external(url: str) -> bool:
    parsed = browser_reading(url)
    return parsed is not None and not is_relative(parsed) and parsed.protocol in ("http:", "https:")


def _protocol_relative_made_https(value: str) -> str:
    """Return ``value``, or as https when a browser reads it as protocol-relative (``//host``,
    ``/\\host``, ``\\\\host``…); a page served over http would otherwise load it over http."""
    if SCHEME.match(browser_form(value)):
        return value
    parsed = browser_reading(value)
    if parsed is None or is_relative(parsed):
        return value
    return parsed.href


def _link_for_embed(element: etree._Element, url: str) -> etree._Element:
    """Return a link standing in for an embed: labelled 视频：host, not the (often 400-character) address."""
    link = etree.Element("a", href=url)
    if _is_external(url):
        link.set("rel", "noopener noreferrer")
    if title := (element.get("title") or "").strip():
        link.set("title", title)
    parsed = whatwg_parse(url)
    host = parsed.hostname if parsed is not None else ""
    # Stored in the body: in the site's language, whoever saves it.
    with translation.override(settings.LANGUAGE_CODE):
        link.text = translation.gettext("Video: %(host)s") % {"host": host} if host else url
    link.tail = element.tail
    return link


def _embed_ratio(element: etree._Element) -> None:
    """Keep an embed's own proportions (from its pixel width and height) when the page makes it
    fluid; the stylesheet gives the rest 16:9."""
    width, height = element.get("width", ""), element.get("height", "")
    if width.isdigit() and height.isdigit() and int(width) and int(height):
        element.set("style", f"aspect-ratio: {int(width)} / {int(height)}")
    else:
        element.attrib.pop("style", None)


def _reshape(root: etree._Element) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            # Comments are never kept; dropped now, they cannot stand between <pre> and its newline.
            _drop_tree(element)
            continue
        tag = element.tag.lower()
        # Only SVG and MathML elements have a namespace (HTML elements are parsed without): an
        # <iframe> inside <svg> is not an HTML iframe, and must not become one in bleach's parse.
        if tag in DROPPED_WITH_CONTENT or tag.startswith("{") or _is_hidden(element):
            _drop_tree(element)
            continue
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is None:
                continue
            if not _url(value, ALLOWED_PROTOCOLS):
                # Dropped here, before lxml's serialiser percent-encodes a "jav<TAB>ascript:" into
                # a harmless but misleading "jav%09ascript:".
                del element.attrib[name]
            else:
                element.set(name, _protocol_relative_made_https(value))
        if tag in EMBED_SOURCE_ATTRIBUTE:
            _reshape_embed(element, tag)
        elif tag == "a" and _is_external(element.get("href", "")):
            element.set("rel", "noopener noreferrer")
    # After the drops above: a newline that a dropped element's tail brings just after <pre> counts.
    for element in root.iter("pre"):
        if element.text:
            # A newline just after <pre> is not content (HTML parsing drops one); each pass would drop one.
            element.text = element.text.lstrip("\r\n")


def _parses_back_alike(root: etree._Element, parse_errors: list[tuple]) -> bool:
    """Return whether bleach, parsing our serialised ``root``, would surely build the same tree.

    Not when building the tree took more than reading tags and text (``parse_errors``: a table
    took in what it may not hold, an end tag came too early, links were misnested), nor when a tag
    bleach strips (keeping its content) leaves elements that HTML parsing would not nest so (an
    <h1> in a <section> in an <h1>), nor when a link holds a link (an embed made a link).
    """
    if any(code not in TREE_NEUTRAL_PARSE_ERRORS for _position, code, _details in parse_errors):
        return False
    for element in root.iterdescendants():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag not in ALLOWED_TAGS:
            return False
        if tag == "a" and next(element.iterancestors("a"), None) is not None:
            return False
    return True


def _is_hidden(element: etree._Element) -> bool:
    return element.get("hidden") is not None or bool(HIDDEN_STYLE.search(element.get("style") or ""))


def _reshape_embed(element: etree._Element, tag: str) -> None:
    attribute = EMBED_SOURCE_ATTRIBUTE[tag]
    url = element.get(attribute, "").strip()
    if not url and tag == "video":
        source = element.find(".//source")
        url = source.get("src", "").strip() if source is not None else ""
    embedded = embed_url(url) if tag in {"iframe", "video"} else None
    if embedded is not None:
        element.attrib.pop("srcdoc", None)
        if element.get(attribute):
            element.set(attribute, embedded)
        _embed_ratio(element)
        if tag == "iframe":
            # Fallback content is never shown; lxml and html5lib read it differently, and each
            # pass would escape it once more.
            for child in list(element):
                element.remove(child)
            element.text = None
            element.set("sandbox", EMBED_SANDBOX)
            element.set("loading", "lazy")
            element.set("referrerpolicy", "no-referrer")
        else:
            element.set("controls", "controls")
            element.set("preload", "none")
        return
    if not url:
        _drop_tree(element)
        return
    parent = element.getparent()
    assert parent is not None  # an element of the body, which is never the root
    parent.replace(element, _link_for_embed(element, url))


def _drop_tree(element: etree._Element) -> None:
    """Remove ``element`` and everything inside it, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _as_bleach_reads_it(tokens: Iterator[dict]) -> Iterator[dict]:
    """Yield the tokens of a reshaped fragment as bleach's own tokenizer reads them from text.

    ``bleach.Cleaner.clean`` takes text; we hand its filter our tree's tokens instead, which saves
    a second HTML5 parse (in pure Python, half the cost of sanitising). What its tokenizer does on
    the way in is done here (``bleach.html5lib_shim.BleachHTMLTokenizer``): character references
    stay as written, so a literal ``&`` is written ``&amp;`` in text and in attribute values; and a
    tag that is not allowed is stripped before the filter sees it, leaving a newline for a
    block-level start tag once another tag has gone by.
    """
    tag_seen = False
    for token in tokens:
        kind = token["type"]
        if kind in TAG_TOKENS:
            name = token["name"]
            if name not in ALLOWED_TAGS:
                if tag_seen and kind == "StartTag" and name in html5lib_shim.HTML_TAGS_BLOCK_LEVEL:
                    yield {"type": "Characters", "data": "\n"}
                tag_seen = True
                continue
            tag_seen = True
            if token.get("data"):
                token["data"] = {name: _as_written(value) for name, value in token["data"].items()}
        elif kind in TEXT_TOKENS:
            token["data"] = token["data"].replace("&", "&amp;")
        elif kind == "Comment":
            tag_seen = True
        yield token


def _as_written(value: str) -> str:
    """Return an attribute value as written in double quotes, its references kept as written.

    ``"`` is written ``&quot;``: bleach's serialiser would otherwise quote the value with ``'``
    and then escape its ``&amp;`` once more on every pass. ``>`` is written ``&gt;``: bleach's
    serialiser takes a value that is only ``>`` for the end of the tag, and escapes the next
    attribute's ``&amp;`` once more on every pass.
    """
    return value.replace("&", "&amp;").replace('"', "&quot;").replace(">", "&gt;")


def _inside(tokens: Iterator[dict]) -> Iterator[dict]:
    """Yield ``tokens`` but the first and the last (the wrapper's start and end tags)."""
    next(tokens, None)
    previous = next(tokens, None)
    for token in tokens:
        if previous is not None:
            yield previous
        previous = token


def holdable(html: str) -> str:
    """Return ``html`` without the characters (and references to them) that lxml cannot hold."""
    return NUMERIC_REFERENCE.sub(_without_unholdable_references, CONTROL_CHARACTERS.sub("", html))


def sanitise(html: str) -> str:
    """Return ``html`` reduced to the news-body allow-list, safe to show as is."""
    html = holdable(html or "")
    if not html.strip():
        return ""
    cleaned, settled = _sanitise_once(html)
    for _ in range(MAX_SETTLING_PASSES):
        if settled:
            break
        # Browsers would build another tree from what we wrote: read it as they will, until what
        # we write is what they read (one more pass, seldom two).
        again, settled = _sanitise_once(cleaned)
        settled = settled or again == cleaned
        cleaned = again
    return cleaned


def _sanitise_once(html: str) -> tuple[str, bool]:
    """Return ``html`` sanitised, and whether HTML parsing reads the result as the tree it came from."""
    # Parsed as browsers parse HTML (html5lib, the parser bleach itself uses): libxml2's own HTML
    # parser builds other trees (it closes <b> before a <p>).
    parser = _parser()
    wrapper = html5parser.fragment_fromstring(html, create_parent="div", parser=parser)
    _reshape(wrapper)
    settled = _parses_back_alike(wrapper, parser.errors)
    # What ``bleach.Cleaner.clean`` does once it has parsed, on our own tree's tokens.
    filtered = BleachSanitizerFilter(
        # A filter's source is any iterable of tokens; the stubs ask for a tree walker.
        source=_as_bleach_reads_it(_inside(iter(_WALKER(wrapper)))),  # type: ignore[arg-type]
        allowed_tags=ALLOWED_TAGS,
        attributes=_allow_attribute,
        strip_disallowed_tags=True,
        strip_html_comments=True,
        css_sanitizer=_STYLE_SANITISER,
        allowed_protocols=ALLOWED_PROTOCOLS,
    )
    return _SERIALISER.render(filtered).strip(), settled
