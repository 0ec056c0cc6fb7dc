import pytest

from articles.sanitise import sanitise

DANGEROUS = {
    "script element": ('<p>新闻<script>alert("x")</script></p>', "alert"),
    "style element": ("<style>body{display:none}</style><p>新闻</p>", "display"),
    "event handler": ('<p onclick="steal()">新闻</p>', "steal"),
    "image error handler": ('<img src="a.jpg" onerror="steal()">', "steal"),
    "javascript link": ('<a href="javascript:steal()">点我</a>', "javascript"),
    "javascript link with entities": ('<a href="jav&#x09;ascript:steal()">点我</a>', "steal"),
    "data URL image": ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
    "vbscript link": ('<a href="vbscript:msgbox()">x</a>', "vbscript"),
    "inline svg": ('<svg onload="steal()"><path d="M0"/></svg>', "svg"),
    "iframe srcdoc": ('<iframe srcdoc="<script>steal()</script>"></iframe>', "srcdoc"),
    "form": ('<form action="https://evil.example/"><input name="q"></form>', "form"),
    "button": ('<button onclick="pay()">赞赏</button>', "button"),
    "object": ('<object data="https://evil.example/x.swf"></object>', "<object"),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "refresh"),
    "css expression": ('<p style="width: expression(steal())">x</p>', "expression"),
    "css url": ('<p style="background: url(https://evil.example/t.gif)">x</p>', "url("),
    "html comment": ("<!-- secret --><p>x</p>", "secret"),
    "base element": ('<base href="https://evil.example/">', "base"),
}


@pytest.mark.parametrize("html, forbidden", DANGEROUS.values(), ids=DANGEROUS.keys())
def test_dangerous_constructs_are_removed(html, forbidden):
    assert forbidden not in sanitise(html)


@pytest.mark.parametrize(
    "html",
    [
        "<p>段落<br>换行</p>",
        '<h2 id="toc-1">小标题</h2>',
        "<ul><li>一</li></ul><ol><li>二</li></ol>",
        "<blockquote><p>引用</p></blockquote>",
        '<figure><img src="https://img.example/a.jpg" alt="图" width="600" height="349"><figcaption>说明</figcaption></figure>',
        '<table><thead><tr><th scope="col">年</th></tr></thead><tbody><tr><td colspan="2">1</td></tr></tbody></table>',
        "<p><strong>粗</strong><em>斜</em><sub>1</sub><sup>2</sup></p>",
        '<p style="text-align: center;">居中</p>',
        '<img src="https://img1.mydrivers.com/a.jpg" referrerpolicy="no-referrer">',
    ],
)
def test_allowed_news_markup_is_kept(html):
    assert sanitise(html) == html


def test_external_links_get_noopener_noreferrer():
    assert sanitise('<a href="https://example.com/">外链</a>') == (
        '<a href="https://example.com/" rel="noopener noreferrer">外链</a>'
    )


def test_relative_links_are_left_alone():
    assert sanitise('<a href="/tag/x/">站内</a>') == '<a href="/tag/x/">站内</a>'


def test_protocol_relative_urls_become_https():
    assert sanitise('<img src="//img.example/a.jpg">') == '<img src="https://img.example/a.jpg">'


def test_allow_listed_embed_is_kept_sandboxed():
    result = sanitise(
        '<iframe src="//www.youtube.com/embed/abc" width="560" height="315" allowfullscreen></iframe>'
    )
    assert 'src="https://www.youtube.com/embed/abc"' in result
    assert 'sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"' in result


def test_other_embeds_become_labelled_links_not_dropped():
    result = sanitise('<p><iframe src="https://video.unknown.example/v/1" title="发布会"></iframe></p>')
    assert result == (
        '<p><a href="https://video.unknown.example/v/1" rel="noopener noreferrer" title="发布会">'
        "视频：video.unknown.example</a></p>"
    )


def test_video_from_an_unknown_host_becomes_a_link_named_for_its_host_not_its_address():
    address = (
        "//f.video.weibocdn.com/o0/BNjod899lx07.mp4?label=mp4_1080p&template=1080x1920.24.0" + "&x=1" * 80
    )
    result = sanitise(f'<video width="640" height="480" src="{address}"></video>')
    assert ">视频：f.video.weibocdn.com</a>" in result and "label=mp4" not in result.split(">", 1)[1]


def test_the_link_label_is_in_the_site_language_whoever_saves(settings):
    from django.utils import translation

    with translation.override("en"):
        assert "视频：cdn.unknown.example" in sanitise(
            '<video src="https://cdn.unknown.example/a.mp4"></video>'
        )


def test_allowed_embeds_keep_their_proportions():
    result = sanitise('<iframe src="//tv.sohu.com/s/1" width="640" height="480" style="width:100%"></iframe>')
    assert 'style="aspect-ratio: 640 / 480;"' in result or 'style="aspect-ratio: 640 / 480"' in result
    assert "style=" not in sanitise('<iframe src="https://www.youtube.com/embed/1" width="100%"></iframe>')
    assert sanitise(result) == result


def test_embed_host_allow_list_comes_from_settings(settings):
    settings.NEWSROOM_EMBED_HOSTS = ["video.example"]
    assert "<iframe" in sanitise('<iframe src="https://video.example/1"></iframe>')
    assert "<iframe" not in sanitise('<iframe src="https://www.youtube.com/embed/1"></iframe>')


def test_classes_and_word_leftovers_are_dropped():
    assert sanitise('<p class="MsoNormal" lang="EN-US">x</p>') == '<p lang="EN-US">x</p>'


def test_private_use_and_zero_width_characters_do_not_break_it():
    assert sanitise("<p>\ue000\u200b文字</p>") == "<p>\ue000\u200b文字</p>"


def test_control_characters_are_removed():
    assert sanitise("<p>a\x00b\x08c</p>") == "<p>abc</p>"


def test_sanitising_twice_changes_nothing():
    html = (
        '<p onclick="x">a<a href="https://e.example">b</a></p><iframe src="//evil.example/"></iframe>'
        '<img src="//i.example/a.jpg" w="600" style="border: 1px solid black; position: fixed">'
    )
    once = sanitise(html)
    assert sanitise(once) == once


def test_empty_input_gives_empty_output():
    assert sanitise("") == "" and sanitise("   ") == ""
