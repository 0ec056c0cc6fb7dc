import pytest

from articles.slugs import slug_from_text, transliterate, with_suffix


def test_chinese_title_becomes_pinyin_slug():
    assert slug_from_text("阿里巴巴发布新财报") == "a-li-ba-ba-fa-bu-xin-cai-bao"


def test_mixed_chinese_and_latin_title_keeps_latin_words():
    assert slug_from_text("Win11 隐藏功能") == "win11-yin-cang-gong-neng"


def test_full_width_characters_are_folded():
    assert slug_from_text("ＡＢＣ１２３：新品") == "abc123-xin-pin"


def test_traditional_chinese_transliterates():
    assert slug_from_text("劇場版") == "ju-chang-ban"


def test_long_title_is_cut_on_a_word_boundary():
    slug = slug_from_text("中华人民共和国国家统计局今天发布了最新一季度的国民经济运行情况报告全文")
    assert len(slug) <= 60
    assert not slug.endswith("-")
    assert transliterate("中华").split() == ["zhong", "hua"]


def test_title_without_any_ascii_form_gets_a_stable_fallback():
    assert slug_from_text("カルロ・ゼン") == slug_from_text("カルロ・ゼン")
    assert slug_from_text("カルロ・ゼン").startswith("x-")


def test_with_suffix_fits_the_length():
    assert with_suffix("a" * 120, "abc123", 120) == "a" * 113 + "-abc123"


@pytest.mark.django_db
def test_free_slugs_count_other_rows_and_old_addresses_in_one_statement_compiled_once(
    django_assert_num_queries,
):
    from articles.models import Article, Author, SlugRedirect
    from articles.slugs import _compiled_taken, unique_slug
    from tests.factories import article, author

    first = article("第一篇", slug="lian-xu")
    for number in range(2, 12):
        article(f"第{number}篇", slug=f"lian-xu-{number}")
    SlugRedirect.objects.create(article=first, old_slug="lian-xu-12")
    author("张三")
    unique_slug(Article, "warm-up")
    compiled = _compiled_taken.cache_info().misses
    with django_assert_num_queries(2):  # ten candidates at a time
        assert unique_slug(Article, "lian-xu") == "lian-xu-13"
    assert _compiled_taken.cache_info().misses == compiled  # nothing compiled again
    with django_assert_num_queries(1):
        assert unique_slug(Article, "lian-xu", exclude_pk=first.pk) == "lian-xu"
    assert unique_slug(Author, "zhang-san") == "zhang-san-2"
    assert unique_slug(Author, "zhang-san", exclude_pk=Author.objects.get().pk) == "zhang-san"
