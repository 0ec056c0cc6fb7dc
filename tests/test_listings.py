"""The listing pages' plain-SQL reads hold exactly what the ORM's querysets for the same listing hold."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import Article, Category
from articles.site import listings
from articles.site.listings import Listing
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    section = factories.category_path("新媒体", "cnBeta", "最新")
    other = factories.category_path("二次元")
    editor, writer = factories.author("雪花"), factories.author("王小明")
    moment = dt.datetime(2022, 1, 15, 12, tzinfo=dt.UTC)
    for number in range(30):
        article = factories.article(
            f"文章{number}",
            category=section if number % 3 else other,
            editor=editor if number % 2 else None,
            is_featured=number % 7 == 0,
            published_at=moment - dt.timedelta(hours=number * 13),
        )
        if number % 4 == 0:
            article.tags.add("芯片")
        if number % 5 == 0:
            article.bylines.create(author=writer)
    factories.article("草稿", category=section, published=False)
    factories.article("定时", category=section, published_at=timezone.now() + dt.timedelta(days=1))
    return {"section": section, "editor": editor, "writer": writer}


def same(listing, queryset, offset=0, count=50):
    rows, total = listings.summaries(listing, offset, count, with_total=True)
    expected = list(queryset.order_by("-published_at", "-id"))
    assert [a.pk for a in rows] == [a.pk for a in expected[offset : offset + count]]
    assert total == len(expected)
    return rows


def test_each_listing_holds_what_its_queryset_holds(archive):
    published = Article.objects.published()
    subtree = Category.objects.subtree_at("xin-mei-ti")
    tag = Article.objects.get(title="文章0").tags.get()
    same(Listing.everything(), published)
    same(Listing.in_categories(subtree), published.in_categories(subtree))
    same(Listing.tagged(tag.pk), published.tagged(tag))
    same(Listing.by_author(archive["writer"].pk), published.by_author(archive["writer"]))
    same(Listing.edited_by(archive["editor"].pk), published.edited_by(archive["editor"]))
    same(Listing.featured(), published.featured())
    same(Listing.in_archive(2022, 1, 14), published.in_archive(2022, 1, 14))
    same(Listing.in_archive(2022, 1), published.in_archive(2022, 1))


def test_a_deep_page_and_its_categories_in_one_query(archive, django_assert_num_queries):
    expected = list(Article.objects.published()[20:27])
    with django_assert_num_queries(1):
        rows, total = listings.summaries(Listing.everything(), 20, 7, with_total=True)
        names = [article.category.name for article in rows]
    assert rows == expected and total == 30
    assert names == [article.category.name for article in expected]


def test_summaries_leave_the_body_in_the_database(archive, django_assert_num_queries):
    rows, total = listings.summaries(Listing.everything(), 0, 3)
    assert total is None and len(rows) == 3
    assert "body" in rows[0].get_deferred_fields() and "title" not in rows[0].get_deferred_fields()


def test_an_empty_listing_counts_nothing():
    assert listings.summaries(Listing.everything(), 0, 20, with_total=True) == ([], 0)


def test_search_listing_ranks_as_the_queryset_does(archive):
    from articles.search import Query

    factories.article("芯片行业回顾", published_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC))
    for number in range(6):
        factories.article(f"正文{number}", body="<p>芯片产能继续提升。</p>", days_ago=number + 1)
    query = Query.parse("芯片")
    rows, total = listings.summaries(
        listings.matching(query, 5),
        0,
        5,
        with_total=True,
        counted=listings.matching(query, 100),
        body_opening=10,
    )
    expected = list(Article.objects.published().search("芯片", limit=5)[:5])
    assert [a.pk for a in rows] == [a.pk for a in expected] and rows[0].title == "芯片行业回顾"
    assert total == Article.objects.published().search("芯片").count()
    assert rows[1].body_opening == "<p>芯片产能继续提"
    assert "body" in rows[1].get_deferred_fields()
    assert listings.summaries(listings.matching(Query.parse("、"), 5), 0, 5, with_total=True) == ([], 0)
