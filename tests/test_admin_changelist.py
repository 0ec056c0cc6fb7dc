"""The article change list: constant queries, filters, search and bulk actions."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from tests import factories
from tests.admin_forms import editor

pytestmark = pytest.mark.django_db
Status = Article.Status
LIST_URL = reverse("admin:articles_article_changelist")


@pytest.fixture
def editor_client(client):
    client.force_login(editor())
    return client


def make_articles(count, start=0):
    section = factories.category_path("新媒体", "cnBeta", "最新")
    for number in range(start, start + count):
        article = factories.article(
            f"文章{number}", category=section, editor=factories.author("编辑"), days_ago=number + 1
        )
        article.tags.add(f"标签{number % 3}", "科技")
        article.bylines.create(author=factories.author(f"作者{number}"))


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def result_titles(client, query):
    return sorted(article.title for article in client.get(LIST_URL + query).context["cl"].result_list)


def test_the_list_uses_the_same_number_of_queries_for_5_or_40_articles(editor_client):
    make_articles(5)
    few = queries_for(editor_client, LIST_URL)
    make_articles(35, start=5)
    many = queries_for(editor_client, LIST_URL)
    assert few == many


def test_a_full_page_costs_the_same_as_a_bigger_archive(editor_client, settings):
    make_articles(12)
    first = queries_for(editor_client, LIST_URL + "?p=1")
    make_articles(60, start=12)
    assert queries_for(editor_client, LIST_URL + "?p=1") == first


def test_status_filter_tells_scheduled_from_published(editor_client):
    factories.article("已发布")
    factories.article("定时", published_at=timezone.now() + dt.timedelta(days=1))
    factories.article("草稿", published=False)
    assert result_titles(editor_client, "?status=published") == ["已发布"]
    assert result_titles(editor_client, "?status=scheduled") == ["定时"]
    assert result_titles(editor_client, "?status=draft") == ["草稿"]
    page = editor_client.get(LIST_URL).content.decode()
    assert "status-scheduled" in page and "status-draft" in page


def test_category_filter_includes_descendants(editor_client):
    top = factories.category_path("新媒体")
    factories.article("深层", category=factories.category_path("新媒体", "cnBeta", "最新"))
    factories.article("别处", category=factories.category_path("二次元"))
    assert result_titles(editor_client, f"?category={top.pk}") == ["深层"]


def test_author_and_tag_filters(editor_client):
    mine = factories.article("有作者")
    mine.bylines.create(author=factories.author("王五"))
    mine.tags.add("芯片")
    factories.article("无关")
    author = factories.author("王五")
    tag = mine.tags.get()
    assert result_titles(editor_client, f"?author={author.pk}") == ["有作者"]
    assert result_titles(editor_client, f"?tag={tag.pk}") == ["有作者"]


def test_search_by_title_and_date_hierarchy(editor_client):
    factories.article("华为发布新手机", published_at=timezone.now().replace(year=2024, month=3))
    factories.article("小米汽车")
    assert result_titles(editor_client, "?q=华为") == ["华为发布新手机"]
    assert result_titles(editor_client, "?published_at__year=2024") == ["华为发布新手机"]


def bulk(client, action, articles, **extra):
    data = {"action": action, "_selected_action": [article.pk for article in articles], **extra}
    return client.post(LIST_URL, data)


def test_bulk_publish_unpublish_and_archive(editor_client):
    first = factories.article("一", published=False, status=Status.REVIEW)
    second = factories.article("二", published=False)
    bulk(editor_client, "publish", [first, second])
    assert set(Article.objects.published().values_list("title", flat=True)) == {"一", "二"}
    bulk(editor_client, "archive", [first])
    bulk(editor_client, "unpublish", [second])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.ARCHIVED, Status.DRAFT)
    assert second.review_note
    # As it was before its first change, then published, then archived: one revision each.
    versions = Version.objects.get_for_object(first)
    assert [version.field_dict["status"] for version in versions] == ["archived", "published", "review"]


def test_bulk_move_to_category_asks_then_moves(editor_client):
    articles = [factories.article("一"), factories.article("二")]
    target = factories.category_path("二次元", "AcFun")
    page = bulk(editor_client, "move_to_category", articles)
    assert page.status_code == 200 and "category" in page.context["form"].fields
    bulk(editor_client, "move_to_category", articles, apply="1", category=target.pk)
    assert set(Article.objects.values_list("category", flat=True)) == {target.pk}


def test_bulk_add_and_remove_tags(editor_client):
    articles = [factories.article("一"), factories.article("二")]
    bulk(editor_client, "add_tags", articles, apply="1", new_tags="芯片、电池")
    assert {tag.name for tag in articles[0].tags.all()} == {"芯片", "电池"}
    chip = articles[0].tags.get(name="芯片")
    bulk(editor_client, "remove_tags", articles, apply="1", tags=[chip.pk])
    assert [tag.name for tag in articles[1].tags.all()] == ["电池"]


def test_a_filter_value_that_is_not_a_number_is_ignored(editor_client):
    factories.article("一")
    for name in ("category", "author", "tag"):
        assert editor_client.get(LIST_URL + f"?{name}=abc").status_code in {200, 302}


def test_the_date_hierarchy_lists_years_months_and_days_in_shanghai_time(editor_client):
    shanghai = dt.timezone(dt.timedelta(hours=8))
    factories.article(
        "跨年", published_at=dt.datetime(2024, 12, 31, 20, 0, tzinfo=dt.UTC)
    )  # 2025-01-01 in Shanghai
    factories.article("旧闻", published_at=dt.datetime(2022, 3, 5, 9, 0, tzinfo=shanghai))
    page = editor_client.get(LIST_URL).content.decode()
    assert "published_at__year=2022" in page and "published_at__year=2025" in page
    assert "published_at__year=2023" not in page and "published_at__year=2024" not in page
    months = editor_client.get(LIST_URL + "?published_at__year=2025").content.decode()
    assert "published_at__month=1" in months and "published_at__month=2" not in months
    days = editor_client.get(LIST_URL + "?published_at__year=2025&published_at__month=1").content.decode()
    assert "published_at__day=1" in days and "published_at__day=2&" not in days
