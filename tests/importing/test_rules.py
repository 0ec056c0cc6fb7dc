"""The generic furniture rules, feed profiles and time zones of issue 10, one promise per test."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from articles.importing.credits import read_line
from articles.importing.furniture import extract_furniture
from articles.importing.normalise import normalise, summary_from_body
from articles.importing.parse import parse
from articles.importing.profiles import ProfileError, load_profiles
from articles.models import Article
from articles.sanitise import sanitise
from tests.documents import SEEDS_DIR

PROFILES = load_profiles()
CNBETA = PROFILES.for_path(("新媒体", "cnBeta", "最新"))
ZHIHU = PROFILES.for_path(("社交媒体", "知乎", "知乎日报"))
UNSEEN = PROFILES.for_path(("新媒体", "从未见过的站", "要闻"))


def seed_text(path: str) -> str:
    return (SEEDS_DIR / path).read_text(encoding="utf-8")


def test_hidden_content_is_removed_never_revealed():
    body = '<div><p>正文。</p><p hidden>藏起来的</p><p style="display: none">也藏了</p><input type="hidden" value="1"></div>'
    result = extract_furniture(body, title="t")
    assert result.body == "<p>正文。</p>"
    assert "hidden" in result.removed


def test_sanitiser_drops_hidden_elements_instead_of_revealing_them():
    assert sanitise('<p>看得见</p><a hidden href="https://x.example/">查看原文</a>') == "<p>看得见</p>"
    assert sanitise('<p style="visibility:hidden">不见</p><p>见</p>') == "<p>见</p>"


def test_tracking_redirect_goes_to_its_real_target_or_becomes_plain_text():
    body = (
        '<div><p>买<a href="https://apple.pvxt.net/c/1/2/3?u=https%3A%2F%2Fwww.apple.com%2Fcn%2F">苹果</a>，'
        '看<a href="https://c.duomai.com/track.php?k=abc">手机</a>。</p></div>'
    )
    result = extract_furniture(body, title="t", profile=UNSEEN)
    assert '<a href="https://www.apple.com/cn/">苹果</a>' in result.body
    assert "看手机。" in result.body and "duomai" not in result.body
    assert "tracking-link" in result.removed


def test_cnbeta_keyword_advertisements_become_plain_text():
    body = '<div><p>把<a data-link="1" href="https://c.duomai.com/track.php?t=https://shouji.jd.com/">手机</a>放下。</p></div>'
    assert extract_furniture(body, title="t", profile=CNBETA).body == "<p>把手机放下。</p>"


def test_wechat_reprint_notice_gives_byline_source_and_rights_notice():
    line = read_line(
        "本文来自微信公众号“某某观察”（ID：mmgc），作者：李四，某站经授权发布。",
        [("“某某观察”（ID：mmgc）", "https://mp.weixin.qq.com/s/abc")],
    )
    assert (line.writers, line.source_name, line.source_url) == (
        ["李四"],
        "某某观察",
        "https://mp.weixin.qq.com/s/abc",
    )
    assert line.rights_notice.startswith("本文来自微信公众号")


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("原文：https://news.example.org/a/1", "source_url", "https://news.example.org/a/1"),
        ("来源：新华社", "source_name", "新华社"),
        ("https://news.example.org/a/2", "source_url", "https://news.example.org/a/2"),
        ("责任编辑：王五", "editor", "王五"),
        ("（北方晨报记者 许知远）", "writers", ["许知远"]),
        ("题图来自 Unsplash，基于 CC0 协议", "image_credit", "Unsplash，基于 CC0 协议"),
    ],
)
def test_credit_line_wordings_become_fields(text, field, value):
    assert getattr(read_line(text), field) == value


@pytest.mark.parametrize(
    "text", ["作者：阑夕说这是真的，大家都知道", "标题：上甘岭", "上映信息：下周五上映", "这是正文。"]
)
def test_story_lines_that_look_like_credits_are_not_credits(text):
    assert read_line(text) is None


def test_trailing_source_after_a_line_break_becomes_the_source():
    body = '<div>正文一行。<br>\n<br>原文链接：<a href="https://juejin.cn/post/1">https://juejin.cn/post/1</a>，作者：岚川</div>'
    result = extract_furniture(body, title="t", profile=UNSEEN)
    assert (result.source_url, result.writers) == ("https://juejin.cn/post/1", ("岚川",))
    assert "原文链接" not in result.body


def test_promotion_box_with_its_qr_code_is_removed():
    body = (
        '<div><p>正文。</p><div class="box"><div><img src="https://img.example.cn/qr.png"></div>'
        "<div>海量资讯、精准解读，尽在某某财经APP</div></div></div>"
    )
    result = extract_furniture(body, title="t", profile=UNSEEN)
    assert result.body == "<p>正文。</p>"
    assert result.not_story_images == ("https://img.example.cn/qr.png",)


def test_answer_header_becomes_byline_and_credit_and_its_avatar_no_lead_image():
    post = normalise(parse(seed_text("社交媒体/知乎/知乎日报/为什么冬天的星星看起来更亮？.md")))
    assert post.writers == ("林观星",)
    assert "林观星，业余天文爱好者 天文台志愿讲解员" in post.credits
    assert post.lead_image_url == ""
    assert "查看知乎原文" not in post.body and "avatar" not in post.body


def test_plain_text_body_keeps_its_lines_and_paragraphs():
    result = extract_furniture("<div>\n第一行\n第二行\n\n第二段\n</div>", title="t")
    assert result.body == "<p>第一行<br>第二行</p><p>第二段</p>"


def test_lead_image_repeated_first_in_the_body_is_shown_once():
    body = '<div><p><img src="http://img.example.cn/a.jpg"></p><p>正文。</p><p><img src="https://img.example.cn/b.jpg"></p></div>'
    result = extract_furniture(body, title="t", lead_image_url="https://img.example.cn/a.jpg")
    assert "a.jpg" not in result.body and "b.jpg" in result.body
    assert "lead-image-repeat" in result.removed


def test_summary_keeps_list_items_and_lines_apart():
    assert (
        summary_from_body("<ul><li><a>番组计划</a></li><li><a>哔哩哔哩</a></li></ul>") == "番组计划、哔哩哔哩"
    )
    assert summary_from_body("<p>第一行<br>第二行，这一行够长了。</p>") == "第一行 第二行，这一行够长了。"


def test_long_latin_summary_is_never_cut_inside_a_word():
    summary = summary_from_body("<p>" + "word " * 60 + "</p>")
    assert summary.endswith("word…") and len(summary) <= 200


def test_kkj_gmt_is_beijing_time():
    post = normalise(
        parse(
            seed_text(
                "新媒体/快科技（原驱动之家）/最新新闻/国产半固态电池完成零下30℃冷启动测试 续航衰减不到15%.md"
            )
        )
    )
    assert post.published_at == dt.datetime(2023, 3, 14, 2, 36, 10, tzinfo=dt.UTC)


def test_every_profile_names_its_time_zone_evidence():
    for key, profile in PROFILES.feeds.items():
        assert profile.time_zone_evidence, key


def test_a_bad_profile_file_is_refused_naming_the_table_and_key(tmp_path):
    path = tmp_path / "feeds.toml"
    path.write_text('[feeds."新媒体/某站"]\ntime_zone = "Mars/Olympus"\n', encoding="utf-8")
    with pytest.raises(
        ProfileError, match=r'\[feeds\."新媒体/某站"\] time_zone .Mars/Olympus. is not a time zone'
    ):
        load_profiles(path)
    path.write_text('[feeds."x"]\nfurniture = {sparkle = ["p"]}\n', encoding="utf-8")
    with pytest.raises(ProfileError, match="unknown kind 'sparkle'"):
        load_profiles(path)


@pytest.mark.django_db
def test_correcting_a_feeds_zone_updates_its_articles_on_the_next_run(tmp_path, settings):
    folder = tmp_path / "docs" / "新媒体" / "某站" / "要闻"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text(
        "\n---\ntitle: '某站的一条消息'\ncategories:\n - 新媒体\n - 某站\n - 要闻\ndate: Fri, 20 May 2022 20:33:37 GMT\n---\n\n<div><p>正文。</p></div>\n",
        encoding="utf-8",
    )
    call_command("import_seeds", str(tmp_path / "docs"), "--workers", "1", "--no-progress", stdout=StringIO())
    article = Article.objects.get()
    assert article.published_at == dt.datetime(2022, 5, 20, 20, 33, 37, tzinfo=dt.UTC)
    profiles = tmp_path / "feeds.toml"
    profiles.write_text(
        (load_profiles().source and open(load_profiles().source, encoding="utf-8").read())
        + '\n[feeds."新媒体/某站"]\ntime_zone = "Asia/Shanghai"\ntime_zone_evidence = "test"\n',
        encoding="utf-8",
    )
    settings.NEWSROOM_FEED_PROFILES = str(profiles)
    out = StringIO()
    call_command("import_seeds", str(tmp_path / "docs"), "--workers", "1", "--no-progress", stdout=out)
    assert "0 created, 1 updated" in out.getvalue()
    corrected = Article.objects.get()
    assert (corrected.pk, corrected.published_at) == (
        article.pk,
        dt.datetime(2022, 5, 20, 12, 33, 37, tzinfo=dt.UTC),
    )
    out = StringIO()
    call_command("import_seeds", str(tmp_path / "docs"), "--workers", "1", "--no-progress", stdout=out)
    assert "0 created, 0 updated, 1 unchanged" in out.getvalue()


@pytest.mark.django_db
def test_import_prints_a_line_per_feed():
    out = StringIO()
    call_command("import_seeds", str(SEEDS_DIR), "--workers", "1", "--no-progress", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(
        line.startswith("  新浪财经: 1 documents, 1 created") and "default-image 2" in line for line in lines
    )
