import pytest

from articles.reading import detect_language, reading_minutes


@pytest.mark.parametrize(
    "text, language",
    [
        ("阿里张勇连线300家平台商家", "zh-Hans"),
        ("《劇場版 幼女戦記》全新主視覺圖釋出，廣播劇節目也即將復活！", "zh-Hant"),
        ("《笨拙之極的上野》確定由劇中三位主要聲優演唱片尾曲『マイペース・サイエンス』！", "zh-Hant"),
        ("5億年ボタン～菅原そうたのショートショート～｜", "ja"),
        ("180秒で君の耳を幸せにできるか？｜180秒能让你的耳朵幸福吗？", "ja"),
        ("86-エイティシックス-(第2クール)｜EIGHTY SIX｜86 -不存在的战区- 第二季", "ja"),
        ("Show HN: a tiny static site generator", ""),
        ("", ""),
    ],
)
def test_language_is_told_from_the_characters(text, language):
    assert detect_language(text) == language


def test_a_few_kana_in_a_chinese_text_leave_it_chinese():
    assert detect_language("日本乐队「ヨルシカ」发布新专辑，销量创新高，粉丝纷纷表示期待巡演。") == "zh-Hans"


@pytest.mark.parametrize(
    "text, minutes",
    [("", 0), ("字" * 10, 1), ("字" * 400, 1), ("字" * 401, 2), ("字" * 2000, 5), ("word " * 400, 2)],
)
def test_reading_time_counts_characters_and_words(text, minutes):
    assert reading_minutes(text) == minutes
