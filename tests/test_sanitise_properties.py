"""Properties of sanitise() over generated HTML and over every corpus document: it is a fixed point
(``sanitise(sanitise(x)) == sanitise(x)``) and nothing it lets through can run script."""

from __future__ import annotations

import ada_url
import bleach
import html5lib
import pytest
from html5lib.serializer import HTMLSerializer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml.html import html5parser

from articles import sanitise as sanitising
from articles.importing.parse import parse
from articles.importing.read import decode, read_bytes
from articles.safe_urls import STAND_IN_BASE
from articles.sanitise import ALLOWED_TAGS, DROPPED_WITH_CONTENT, embed_host_allowed, sanitise
from tests.attacks import GOOD_URLS, HOSTILE_URLS

OTHER_TAGS = ["section", "font", "center", "picture", "embed", "object", "foo", "image", "isindex"]
TAGS = sorted(ALLOWED_TAGS) + sorted(DROPPED_WITH_CONTENT) + OTHER_TAGS
ATTRIBUTES = [
    "href", "src", "srcset", "poster", "data", "cite", "style", "title", "id", "class", "lang", "dir",
    "onclick", "onerror", "onload", "colspan", "rowspan", "scope", "width", "height", "sandbox", "srcdoc",
    "rel", "target", "referrerpolicy", "type", "start", "span", "formaction", "xlink:href", "allowfullscreen",
]  # fmt: skip
ATTRIBUTE_VALUES = [
    *HOSTILE_URLS,
    *GOOD_URLS,
    "//www.youtube.com/embed/x",
    "https://www.youtube.com/embed/x",
    "https://evil.example\\@www.youtube.com/x",
    "https://player.bilibili.com/player.html?aid=1&amp;page=1",
    "color: red; background: url(javascript:alert(1))",
    "text-align: center",
    "border: 1px solid rgb(1, 2, 3)",
    "width: expression(alert(1))",
    "\\75 rl(https://evil.example/)",
    "alert(1)",
    "2",
    "no-referrer",
    "",
    '"><script>alert(1)</script>',
    "&#106;avascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "中文 &amp; <b>",
]
TEXT = st.lists(
    st.sampled_from(
        list("ab 中文\n\t<>&\"'/=;-")
        + ["&amp;", "&lt;", "&#x09;", "&nbsp;", "\r\n", "\xa0", "&#1;", "&#x0;", "&#xFFFF;", "&#128;"]
        + ["&#x9D;", "&#xD800;", "&#1114112;", "&#0000106;", "&Tab;", "&colon;", "&NewLine;", "\x0c"]
    ),
    max_size=12,
).map("".join)
BROWSER_LIKE = html5parser.HTMLParser(namespaceHTMLElements=False)


def attribute():
    return st.tuples(st.sampled_from(ATTRIBUTES), st.sampled_from(ATTRIBUTE_VALUES) | TEXT).map(
        lambda pair: f' {pair[0]}="{pair[1]}"' if '"' not in pair[1] else f" {pair[0]}='{pair[1]}'"
    )


def element(children):
    return st.tuples(
        st.sampled_from(TAGS),
        st.lists(attribute(), max_size=3),
        st.lists(children, max_size=4),
        st.booleans(),
    ).map(
        lambda parts: f"<{parts[0]}{''.join(parts[1])}>{''.join(parts[2])}"
        + (f"</{parts[0]}>" if parts[3] else "")
    )


FRAGMENTS = st.recursive(
    TEXT | st.sampled_from(["<!-- c -->", "<!-->", "<br>", "</p>", "<p>", "<![CDATA[x]]>", "&", "<"]),
    element,
    max_leaves=25,
).map(lambda html: html)
DOCUMENTS = st.lists(FRAGMENTS, min_size=1, max_size=5).map("".join)


def assert_safe(html: str) -> None:
    """Nothing in ``html`` runs script or loads what the allow-lists refuse, as a browser parses it."""
    root = html5parser.fragment_fromstring(html, create_parent="div", parser=BROWSER_LIKE)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        assert node.tag in ALLOWED_TAGS or node is root, node.tag
        for name, value in node.attrib.items():
            assert not name.startswith("on") and name not in {"srcset", "srcdoc", "formaction"}, name
            if name in {"href", "src", "poster", "cite"}:
                protocol = ada_url.URL(value, STAND_IN_BASE).protocol
                assert protocol in {"http:", "https:", "mailto:", "tel:"}, (name, value)
            if name == "style":
                assert "url" not in value.lower() and "expression" not in value.lower() and "\\" not in value
        if node.tag == "iframe":
            assert embed_host_allowed(node.get("src", "")), html
            assert len(node) == 0 and not (node.text or "").strip()


PROPERTY_SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


@PROPERTY_SETTINGS
@given(DOCUMENTS)
@example('<iframe src="https://www.youtube.com/embed/x">fallback <b>bold</b> &amp; more</iframe>')
@example("<pre>\n\n\ncode</pre>")
@example("<noembed><img src=x onerror=alert(1)></noembed><xmp><b>x</b></xmp><plaintext><i>y")
@example("<table><a href=x>y</a><tr><td>1</td></tr></table><p><div>z</div></p>")
@example('<p style="color: red; /* c */ text-align: center">x</p>')
# Trees that HTML parsing builds otherwise from what we write: misnested links and headings, a
# table's "voodoo", a stripped block before a newline in <pre>, a value bleach's serialiser misreads.
@example("<a><table><a>")
@example("<h1><a><h1></a>")
@example("<dd><table><dd>")
@example("<a><dt><a><p><noscript><dt>")
@example("<pre><section>")
@example("<pre><tbody><!-- c -->\n")
@example('<img lang=">" src="&">')
def test_sanitising_twice_gives_what_sanitising_once_gave(html):
    once = sanitise(html)
    assert sanitise(once) == once


def bleach_on_the_reshaped_tree(html: str) -> str:
    """Return what ``bleach.Cleaner.clean`` makes of our reshaped tree written out as text: what
    ``sanitise`` gives, without parsing again, when the tree reads back alike."""
    wrapper = html5parser.fragment_fromstring(html, create_parent="div", parser=BROWSER_LIKE)
    sanitising._reshape(wrapper)
    written = HTMLSerializer(
        quote_attr_values="always",
        use_best_quote_char=False,
        omit_optional_tags=False,
        resolve_entities=False,
    ).render(html5lib.getTreeWalker("lxml")(wrapper))[len("<div>") : -len("</div>")]
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=sanitising._allow_attribute,
        protocols=sanitising.ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        css_sanitizer=sanitising._STYLE_SANITISER,
    )
    return cleaner.clean(written).strip()


def reads_back_alike(html: str) -> bool:
    """Return whether ``sanitise`` takes our tree's tokens straight to bleach's filter, and no value
    holds a ``>`` (bleach's serialiser mistakes a value of only ``>`` for the tag's end)."""
    wrapper = html5parser.fragment_fromstring(html, create_parent="div", parser=BROWSER_LIKE)
    sanitising._reshape(wrapper)
    if any(">" in value for node in wrapper.iter() for value in node.attrib.values()):
        return False
    return sanitising._parses_back_alike(wrapper, BROWSER_LIKE.errors)


# Only documents that take the direct path qualify, a minority of random ones (7 of 57 in one CI
# run, which Hypothesis's filter health check then refused): the filter is the point, not a flaw.
@settings(PROPERTY_SETTINGS, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(DOCUMENTS.map(sanitising.holdable).filter(lambda html: html.strip() and reads_back_alike(html)))
@example('<p title="a &amp; b" style="color: red">x &lt; y &amp;amp; z</p><pre>\ncode</pre>')
def test_sanitise_gives_what_bleach_gives_parsing_our_tree_again(html):
    # Our tree's tokens go to bleach's filter as bleach's own tokenizer would read them back.
    assert sanitise(html) == bleach_on_the_reshaped_tree(html)


@PROPERTY_SETTINGS
@given(DOCUMENTS)
def test_nothing_sanitised_can_run_script(html):
    assert_safe(sanitise(html))


@pytest.mark.corpus
def test_every_corpus_body_is_a_fixed_point_and_safe(corpus_paths):
    for path in corpus_paths:
        try:
            body = parse(decode(read_bytes(path, 10_000_000))).body
        except Exception:  # noqa: BLE001 - documents the importer refuses have no body to check
            continue
        once = sanitise(body)
        assert sanitise(once) == once, path
        assert_safe(once)
        if reads_back_alike(sanitising.holdable(body)):
            assert once == bleach_on_the_reshaped_tree(sanitising.holdable(body)), path
