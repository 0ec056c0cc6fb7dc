"""normalise(): every front-matter variant of the corpus README, over our seeds/ and their MANIFEST.

The expected values come from seeds/MANIFEST.md (read by ``manifest()`` below), so that the
manifest and the tests cannot drift apart; the odd cases the seeds do not carry are written
inline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from functools import cache

import pytest

from articles.importing.errors import ImportRefused, ImportSkipped
from articles.importing.normalise import normalise, parse_date
from articles.importing.parse import parse
from articles.importing.read import decode
from tests.documents import SEEDS_DIR, document_paths, is_empty_post

UTC = dt.UTC
ENTRY = re.compile(r"^### (?P<id>[A-Z]\d) — `(?P<path>[^`]+)`$")
FIELD = re.compile(r"^- (?P<name>[^:]+): (?P<value>.*)$")
SHANGHAI_DOCUMENT = "\n---\ntitle: '{title}'\ncategories:\n - 新媒体\n - cnBeta\n - 最新\n{extra}---\n\n<div>\n<p>正文第一段。</p>\n</div>\n"


@cache
def manifest() -> dict[str, dict[str, str]]:
    """Return {ID: {"path": …, field name: raw value}} from the manifest's "Expected values per file"."""
    entries: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in (SEEDS_DIR / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        if match := ENTRY.match(line):
            current = entries.setdefault(match["id"], {"path": match["path"]})
        elif current is not None and (match := FIELD.match(line)):
            current[match["name"]] = match["value"]
    return entries


def seed(identifier: str):
    """Return the normalised seed document labelled ``identifier`` in the manifest."""
    return normalise(parse(decode((SEEDS_DIR / manifest()[identifier]["path"]).read_bytes())))


def quoted(value: str) -> str:
    """Return the first `…` part of a manifest value."""
    return re.search(r"`([^`]*)`", value)[1]


def document(title: str = "测试标题", extra: str = "date: Sat, 15 Jan 2022 20:08:45 GMT\n"):
    return normalise(parse(SHANGHAI_DOCUMENT.format(title=title, extra=extra)))


def refused_field(text: str) -> ImportRefused:
    with pytest.raises(ImportRefused) as refused:
        normalise(parse(text))
    return refused.value


def front(lines: str) -> str:
    return f"\n---\n{lines}---\n\n<div>\n<p>正文。</p>\n</div>\n"


# -- the manifest covers every seed, and every seed matches it -------------------------------------


def test_manifest_lists_every_seed_document():
    listed = {SEEDS_DIR / entry["path"] for entry in manifest().values()}
    assert listed == set(document_paths(SEEDS_DIR))


@pytest.mark.parametrize("identifier", sorted(manifest()))
def test_seed_matches_its_manifest_entry(identifier):
    expected = manifest()[identifier]
    post = seed(identifier)
    assert post.title == quoted(expected["title"])
    assert post.category_path == tuple(expected["category"].split(" (raw")[0].split(" › "))
    assert post.outlets == (expected["author (outlet, front matter)"],)
    instant = expected["date"].split("→ ")[1].split(" ")[0]
    if instant == "none":  # an unusable date: no publication time, a draft
        assert post.published_at is None
    else:
        assert post.published_at == dt.datetime.fromisoformat(instant.replace("Z", "+00:00"))
        assert post.published_at.tzinfo is UTC
    editor = expected["responsible editor (责任编辑)"]
    assert post.editor == ("" if editor == "none" else editor)
    tags = expected["topic tags (p.bqian)"]
    body_tags = [] if tags == "none" else re.findall(r"(?:^|, )(.+?) \(`([^`]+)`\)", tags)
    front_tags = [
        (name.strip(), "") for name in expected.get("front-matter tags", "").split(",") if name.strip()
    ]
    assert [(tag.name, tag.source_slug) for tag in post.tags] == front_tags + body_tags
    if "summary (first line, tags stripped)" in expected:
        assert post.summary == expected["summary (first line, tags stripped)"]
    byline = expected.get("byline (作者)", "none")
    assert post.writers == (() if byline == "none" else (byline.split(";")[0],))
    assert post.status == expected.get("status", "published")


@pytest.mark.parametrize("identifier", sorted(manifest()))
def test_seed_source_link_matches_its_manifest_entry(identifier):
    source = manifest()[identifier]["source (原文链接)"]
    post = seed(identifier)
    if source == "none":
        assert (post.source_name, post.source_url) == ("", "")
    elif source.startswith("plain URL "):
        assert (post.source_name, post.source_url) == ("", source.split()[2])
    else:
        name, url = re.fullmatch(r"(.+) <(.*)>", source).groups()
        assert (post.source_name, post.source_url) == (name, url)


@pytest.mark.parametrize("identifier", sorted(manifest()))
def test_seed_lead_image_matches_its_manifest_entry(identifier):
    lead = manifest()[identifier]["lead image"]
    post = seed(identifier)
    if lead.startswith("(no headimg)"):
        assert post.thumbnail_url == quoted(lead)
    elif "picsum.photos" in lead or "(not used" in lead:
        assert post.lead_image_url == ""
        assert post.front_matter["headimg"] == quoted(lead)
    else:
        assert post.lead_image_url == quoted(lead)


def test_every_corpus_document_normalises(corpus_paths):
    for path in corpus_paths:
        if is_empty_post(path):
            with pytest.raises(ImportSkipped):
                normalise(parse(decode(path.read_bytes())))
            continue
        post = normalise(parse(decode(path.read_bytes())))
        assert post.title and len(post.category_path) == 3, path
        assert post.published_at or post.status == "draft", path
        assert not post.category_path[2].startswith(("—", "-", "["))


# -- titles --------------------------------------------------------------------------------------


def test_single_quoted_title_with_doubled_quotes_reads_apostrophes():
    assert seed("C4").title == "开发团队的'周五不发版'规则：一份故障复盘报告给出的数据"


def test_single_quoted_title_keeps_ascii_double_quotes():
    assert seed("K2").title == '"一觉睡到自然醒"真的更健康吗？医生给出答案'


def test_double_quoted_title_with_apostrophe_and_full_width_bars():
    assert (
        seed("B1").title
        == "ぼくらの星屑アトリエ(第2期)｜我们的星屑工坊 第二季｜OUR STARDUST ATELIER'S DAYS. (Season 2)"
    )


def test_title_ending_with_a_full_width_bar_is_kept_whole():
    assert seed("B3").title == "夜明けのパン屋さん～小さな町の物語～｜"


def test_title_comes_from_the_front_matter_not_the_file_name():
    # K4's file name dropped the '.' and turned '/' into '_'.
    assert seed("K4").title == "护眼不伤眼 光屿LED阅读台灯59.9元/台：立减40"
    assert "599元_台" in manifest()["K4"]["path"]


def test_surrounding_spaces_of_the_title_are_dropped():
    assert document(title="  标题  ").title == "标题"


def test_missing_title_is_taken_from_the_body_as_a_draft_with_a_warning():
    post = normalise(parse(front("date: Sat, 15 Jan 2022 20:08:45 GMT\n")))
    assert post.title == "正文"
    assert post.status == "draft"
    assert any(
        warning.startswith("no title: titled '正文' from the body's first words") for warning in post.warnings
    )


def test_blank_title_with_a_long_first_sentence_is_cut_at_a_clause():
    text = front("title: '   '\n").replace(
        "<p>正文。</p>",
        "<p>某市今天发布了一项关于城市低空物流航线的新规定，自下月起实施，涉及无人机配送的安全标准。</p>",
    )
    post = normalise(parse(text))
    assert post.title == "某市今天发布了一项关于城市低空物流航线的新规定，自下月起实施…"
    assert post.status == "draft"


def test_post_with_no_title_and_an_empty_body_is_skipped():
    with pytest.raises(ImportSkipped, match="an empty post"):
        normalise(parse("\n---\ntitle: ' '\ndate: Invalid Date\n---\n\n<div>   \n</div>\n"))


def test_post_with_no_title_and_only_an_image_is_refused_naming_the_title():
    refusal = refused_field("\n---\ntitle: ''\n---\n<div><img src=\"https://img.example.cn/a.jpg\"></div>\n")
    assert refusal.field == "title"
    assert "no text to take one from" in refusal.reason


def test_title_as_a_list_is_refused_naming_the_title():
    refusal = refused_field(front("title:\n - 一\n - 二\n"))
    assert refusal.field == "title"
    assert "must be text" in refusal.reason


def test_numeric_title_is_read_as_text():
    assert normalise(parse(front("title: 2046\n"))).title == "2046"


# -- front-matter layout variants ------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["A3", "N4"])
def test_no_headimg_four_space_indent_and_blank_line_in_front_matter(identifier):
    post = seed(identifier)
    raw = (SEEDS_DIR / manifest()[identifier]["path"]).read_text(encoding="utf-8")
    assert "\n    - " in raw and "\n\nauthor:" in raw and "headimg" not in raw
    assert len(post.category_path) == 3
    assert post.thumbnail_url == quoted(manifest()[identifier]["lead image"])
    assert post.warnings == ()


@pytest.mark.parametrize("identifier", ["A3", "N4"])
def test_lead_image_comes_from_thumbnail_when_there_is_no_headimg(identifier):
    assert seed(identifier).lead_image_url == quoted(manifest()[identifier]["lead image"])


def test_cors_proxy_lead_image_is_kept_as_given():
    assert (
        seed("B1").lead_image_url
        == "https://cors.zfour.workers.dev/?http://lain.bgm.tv/pic/cover/l/3c/91/412873_Kq8Tz.jpg"
    )


@pytest.mark.parametrize("identifier", ["I1", "I2", "I3", "Q1", "Q2"])
def test_placeholder_headimg_is_not_the_lead_image_but_is_kept_with_a_warning(identifier):
    post = seed(identifier)
    assert post.lead_image_url == ""
    assert "picsum.photos" in post.front_matter["headimg"]
    assert any("placeholder" in warning for warning in post.warnings)


def test_protocol_relative_headimg_becomes_https():
    post = normalise(parse(front("title: t\nheadimg: //img.example.com/a.jpg\n")))
    assert post.lead_image_url == "https://img.example.com/a.jpg"


# -- categories ------------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier, raw", [("A2", "— 番剧"), ("N2", "— news")])
def test_stray_dash_category_is_repaired_with_a_warning_and_the_raw_value_kept(identifier, raw):
    post = seed(identifier)
    assert post.category_path[-1] == raw.removeprefix("— ")
    assert post.front_matter["categories"][-1] == raw
    assert any("stray dash" in warning and raw in warning for warning in post.warnings)


def test_stray_dash_category_gets_the_same_key_path_as_its_siblings():
    assert seed("A2").category_path == seed("A1").category_path
    assert seed("N2").category_path == seed("N1").category_path


def test_nested_list_category_is_placed_like_its_siblings_with_a_warning():
    post = seed("N3")
    assert post.category_path == seed("N1").category_path == ("二次元", "Animen 动漫平台", "news")
    assert post.front_matter["categories"] == ["二次元", "Animen 动漫平台", ["news"]]
    assert any("nested list" in warning for warning in post.warnings)


def test_several_hierarchies_file_under_the_first_and_keep_all():
    post = normalise(parse(front("title: t\ncategories:\n - [新媒体, cnBeta]\n - [二次元, AcFun]\n")))
    assert post.category_path == ("新媒体", "cnBeta")
    assert post.front_matter["categories"] == [["新媒体", "cnBeta"], ["二次元", "AcFun"]]
    assert any("several category hierarchies" in warning for warning in post.warnings)


def test_single_category_as_text_is_a_path_of_one():
    assert normalise(parse(front("title: t\ncategories: 新闻\n"))).category_path == ("新闻",)


def test_clean_categories_are_not_copied_into_the_front_matter():
    assert "categories" not in seed("K1").front_matter


def test_categories_as_a_mapping_are_refused_naming_categories():
    refusal = refused_field(front("title: t\ncategories:\n  top: 新媒体\n"))
    assert refusal.field == "categories"


def test_category_item_that_is_only_a_dash_is_refused():
    refusal = refused_field(front("title: t\ncategories:\n - 新媒体\n - '—'\n"))
    assert refusal.field == "categories"


# -- tags -------------------------------------------------------------------------------------------


def test_tags_as_a_yaml_list():
    assert [tag.name for tag in seed("C5").tags] == ["月球", "航天材料"]


def test_tags_as_a_string():
    assert [tag.name for tag in seed("C6").tags] == ["无人机"]


def test_topic_tags_from_the_body_keep_their_source_slugs():
    assert [(tag.name, tag.source_slug) for tag in seed("K7").tags] == [
        ("无人机", "wurenji"),
        ("eVTOL", "evtol"),
        ("Wi-Fi 7", "wi-fi_7"),
        ("氢燃料电池", "qingranliaodianchi"),
    ]


def test_tags_as_a_mapping_are_refused_naming_tags():
    assert refused_field(front("title: t\ntags:\n  a: b\n")).field == "tags"


# -- dates -----------------------------------------------------------------------------------------


def test_rfc_2822_date_is_aware_utc():
    assert seed("K1").published_at == dt.datetime(2023, 3, 14, 2, 36, 10, tzinfo=UTC)


def test_iso_8601_date_with_offset_is_converted_to_utc():
    assert seed("C5").published_at == dt.datetime(2023, 3, 1, 0, 0, tzinfo=UTC)


def test_naive_hexo_date_is_read_in_asia_shanghai():
    assert seed("C6").published_at == dt.datetime(2023, 6, 18, 6, 30, tzinfo=UTC)


def test_naive_hexo_date_as_quoted_text_is_read_in_asia_shanghai():
    post = document(extra="date: '2023-06-18 14:30:00'\n")
    assert post.published_at == dt.datetime(2023, 6, 18, 6, 30, tzinfo=UTC)


def test_date_without_time_is_midnight_in_asia_shanghai():
    assert document(extra="date: 2023-06-18\n").published_at == dt.datetime(2023, 6, 17, 16, 0, tzinfo=UTC)


def test_iso_date_with_z_suffix_is_utc():
    post = document(extra="date: '2023-06-18T14:30:00Z'\n")
    assert post.published_at == dt.datetime(2023, 6, 18, 14, 30, tzinfo=UTC)


def test_parse_date_returns_utc_for_every_accepted_form():
    expected = dt.datetime(2023, 6, 18, 6, 30, tzinfo=UTC)
    for value in (
        dt.datetime(2023, 6, 18, 14, 30),  # noqa: DTZ001 - naive, as PyYAML loads a Hexo date
        dt.datetime(2023, 6, 18, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        "2023-06-18 14:30:00",
        "2023-06-18T06:30:00+00:00",
        "Sun, 18 Jun 2023 06:30:00 GMT",
        "Sun, 18 Jun 2023 14:30:00 +0800",
    ):
        parsed = parse_date(value, "date")
        assert (parsed, parsed.tzinfo) == (expected, UTC), value


def test_missing_date_imports_as_a_draft_with_a_warning():
    post = document(extra="")
    assert post.published_at is None
    assert post.status == "draft"
    assert any("no date" in warning for warning in post.warnings)


@pytest.mark.parametrize(
    "value",
    [
        "'2022-02-30'",
        "'2022-02-30 10:00:00'",
        "'Wed, 30 Feb 2022 10:00:00 GMT'",
        "'yesterday'",
        "'2023-13-01'",
    ],
)
def test_impossible_date_text_is_refused_naming_date(value):
    refusal = refused_field(SHANGHAI_DOCUMENT.format(title="t", extra=f"date: {value}\n"))
    assert refusal.field == "date"
    assert "date" in str(refusal)


@pytest.mark.parametrize("value", ["2022-02-30", "2022-02-30 10:00:00"])
def test_impossible_unquoted_date_is_refused_naming_date(value):
    refusal = refused_field(SHANGHAI_DOCUMENT.format(title="t", extra=f"date: {value}\n"))
    assert refusal.field == "date"


@pytest.mark.parametrize("value", ["[2023, 6, 18]", "true", "{day: 1}"])
def test_date_of_the_wrong_type_is_refused_naming_date(value):
    assert refused_field(SHANGHAI_DOCUMENT.format(title="t", extra=f"date: {value}\n")).field == "date"


def test_updated_is_validated_and_kept_as_iso_text():
    post = seed("C5")
    assert post.front_matter["updated"] == "2023-03-02T09:30:00+08:00"


def test_invalid_updated_is_refused_naming_updated():
    refusal = refused_field(SHANGHAI_DOCUMENT.format(title="t", extra="date: 2023-01-01\nupdated: 'soon'\n"))
    assert refusal.field == "updated"


# -- other fields ----------------------------------------------------------------------------------


def test_comments_false_disallows_comments():
    assert seed("K1").allow_comments is False


def test_comments_absent_allows_comments():
    assert document().allow_comments is True


@pytest.mark.parametrize("value", ["'yes'", "'false'", "0", "[]"])
def test_comments_that_are_not_a_boolean_are_refused_naming_comments(value):
    assert refused_field(front(f"title: t\ncomments: {value}\n")).field == "comments"


def test_author_is_the_outlet_and_credit_lines_give_the_writer():
    post = seed("P1")
    assert post.outlets == ("人人都是产品经理",)
    assert post.writers == ("林一舟",)
    assert "作者：林一舟；公众号：后台产品札记" in post.credits
    assert post.rights_notice.startswith("本文由 @林一舟 原创发布于人人都是产品经理")
    assert post.lead_image_credit == "Unsplash，基于 CC0 协议"


def test_responsible_editor_is_lifted_from_the_body():
    assert seed("K1").editor == "若溪"


def test_summary_is_the_first_paragraph_when_no_lead_line():
    assert document().summary == "正文第一段。"


def test_explicit_summary_wins_over_the_cnbeta_lead_line():
    text = (SEEDS_DIR / manifest()["C1"]["path"]).read_text(encoding="utf-8")
    text = text.replace("\n---\n\n", "\nnewsroom:\n  summary: 编辑写的摘要\n---\n\n", 1)
    assert normalise(parse(text)).summary == "编辑写的摘要"


def test_unknown_keys_are_kept_in_the_front_matter():
    assert seed("C6").front_matter == {
        "keywords": "低空经济,无人机配送,城市物流",
        "date": "2023-06-18 14:30:00",
    }


def test_unknown_keys_with_dates_are_kept_exactly_as_written():
    post = normalise(
        parse(front("title: t\nrecorded: 2023-06-18 14:30:00\nday: 2023-06-18\nnested: {at: 2023-01-02}\n"))
    )
    assert post.front_matter == {
        "recorded": "2023-06-18 14:30:00",
        "day": "2023-06-18",
        "nested": {"at": "2023-01-02"},
    }


def test_mapped_keys_are_not_kept_in_the_front_matter_but_the_date_as_written():
    assert seed("K1").front_matter == {"date": "Tue, 14 Mar 2023 10:36:10 GMT"}


def test_a_date_with_its_offset_is_not_kept_twice():
    assert "date" not in seed("C5").front_matter


def test_requested_status_is_used_for_dated_documents():
    text = (SEEDS_DIR / manifest()["K1"]["path"]).read_text(encoding="utf-8")
    assert normalise(parse(text), status="draft").status == "draft"


# -- the import key --------------------------------------------------------------------------------


def test_import_key_is_the_hash_of_category_path_title_and_the_date_as_labelled():
    post = seed("K1")
    # the label's instant (10:36 GMT), not the feed's zone's (02:36 UTC): correcting a profile's
    # zone must find the articles imported before
    identity = "新媒体/快科技（原驱动之家）/最新新闻\n国产半固态电池完成零下30℃冷启动测试 续航衰减不到15%\n2023-03-14T10:36:10+00:00"
    assert post.import_key == hashlib.sha256(identity.encode()).hexdigest()[:40]
    assert post.published_at == dt.datetime(2023, 3, 14, 2, 36, 10, tzinfo=UTC)


def test_same_title_in_two_feeds_gets_two_keys():
    assert seed("K1").title == seed("C1").title
    assert seed("K1").import_key != seed("C1").import_key


def test_import_key_does_not_depend_on_the_date_notation():
    iso = document(extra="date: '2022-01-16T04:08:45+08:00'\n")
    rfc = document(extra="date: Sat, 15 Jan 2022 20:08:45 GMT\n")
    assert iso.import_key == rfc.import_key


def test_front_matter_import_key_wins():
    post = document(extra="date: 2023-01-01\nnewsroom:\n  import_key: my-own-key\n")
    assert post.import_key == "my-own-key"


def test_repaired_category_gives_the_same_key_as_the_clean_one():
    clean = normalise(parse(front("title: t\ndate: 2023-01-01\ncategories:\n - 二次元\n - AcFun\n - 番剧\n")))
    dashed = normalise(
        parse(front("title: t\ndate: 2023-01-01\ncategories:\n - 二次元\n - AcFun\n - — 番剧\n"))
    )
    assert clean.import_key == dashed.import_key


def test_import_key_is_stable_across_folders_and_file_names(tmp_path):
    originals = {path.relative_to(SEEDS_DIR): path for path in document_paths(SEEDS_DIR)}
    for number, path in enumerate(sorted(originals.values())):
        target = tmp_path / "elsewhere" / f"renamed-{number}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    copied_tree = tmp_path / "tree"
    shutil.copytree(SEEDS_DIR, copied_tree)

    def keys(paths):
        return sorted(normalise(parse(decode(path.read_bytes()))).import_key for path in paths)

    original_keys = keys(originals.values())
    assert len(set(original_keys)) == len(originals)
    assert keys(document_paths(tmp_path / "elsewhere")) == original_keys
    assert keys(document_paths(copied_tree)) == original_keys
