"""Finding work: the desk on the admin home, search through the site's index, scheduled articles in time order."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests import factories
from tests.admin_forms import editor, writer

pytestmark = pytest.mark.django_db
Status = Article.Status
HOME = reverse("admin:index")
LIST_URL = reverse("admin:articles_article_changelist")


def queue(response, name):
    [found] = [queue for queue in response.context["queues"] if queue.name == name]
    return [article.title for article in found.articles]


def test_the_desk_shows_the_review_queue_oldest_first_my_drafts_and_what_goes_live_next(client):
    user = editor()
    soon = timezone.now() + dt.timedelta(hours=2)
    factories.article("后发布", published_at=soon + dt.timedelta(days=1))
    factories.article("先发布", published_at=soon)
    factories.article("已上线")
    first = factories.article("先交的稿", published=False, status=Status.REVIEW)
    factories.article("后交的稿", published=False, status=Status.REVIEW)
    Article.objects.filter(pk=first.pk).update(updated_at=timezone.now() - dt.timedelta(days=1))
    factories.article("我的草稿", published=False, created_by=user)
    factories.article("别人的草稿", published=False, created_by=writer())
    client.force_login(user)
    response = client.get(HOME)
    assert queue(response, "review") == ["先交的稿", "后交的稿"]
    assert queue(response, "drafts") == ["我的草稿"]
    assert queue(response, "scheduled") == ["先发布", "后发布"]
    page = response.content.decode()
    assert "待审核" in page and "我的草稿" in page and "定时发布" in page
    assert "你的角色：编辑" in page


def test_a_writer_s_desk_shows_only_their_own_work(client):
    user = writer()
    factories.article("我提交的", published=False, status=Status.REVIEW, created_by=user)
    factories.article("别人提交的", published=False, status=Status.REVIEW, created_by=writer("other"))
    client.force_login(user)
    response = client.get(HOME)
    assert queue(response, "review") == ["我提交的"]
    assert "你的角色：记者" in response.content.decode()


def test_the_desk_costs_the_same_queries_for_a_few_or_many_articles(client):
    user = editor()
    client.force_login(user)

    def make(count, start):
        for number in range(start, start + count):
            factories.article(f"审{number}", published=False, status=Status.REVIEW)
            factories.article(f"草{number}", published=False, created_by=user)
            factories.article(f"定{number}", published_at=timezone.now() + dt.timedelta(days=number + 1))

    make(2, 0)
    client.get(HOME)
    with CaptureQueriesContext(connection) as few:
        client.get(HOME)
    make(20, 2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(HOME)
    assert len(few) == len(many)
    assert all(len(found.articles) == 8 and found.has_more for found in response.context["queues"])


def test_the_admin_search_finds_two_character_chinese_words_in_bodies(client):
    factories.article("无关标题", published=False, body="<p>阿里巴巴集团CEO张勇连线商家。</p>")
    factories.article("张家界旅游", published=False, body="<p>风景。</p>")
    factories.article("别的", published=False, body="<p>勇敢的人。</p>")
    client.force_login(editor())
    titles = [article.title for article in client.get(LIST_URL + "?q=张勇").context["cl"].result_list]
    assert titles == ["无关标题"]


def test_the_admin_search_finds_articles_of_every_status_but_not_the_trash(client):
    factories.article("电池草稿", published=False)
    factories.article("电池已发", body="<p>电池</p>")
    factories.article("电池定时", published_at=timezone.now() + dt.timedelta(days=1))
    factories.article("电池废稿", published=False).move_to_trash()
    client.force_login(editor())
    titles = {article.title for article in client.get(LIST_URL + "?q=电池").context["cl"].result_list}
    assert titles == {"电池草稿", "电池已发", "电池定时"}


def test_scheduled_articles_are_listed_next_first(client):
    now = timezone.now()
    for title, hours in (("三小时后", 3), ("一小时后", 1), ("两小时后", 2)):
        factories.article(title, published_at=now + dt.timedelta(hours=hours))
    client.force_login(editor())
    titles = [
        article.title for article in client.get(LIST_URL + "?status=scheduled").context["cl"].result_list
    ]
    assert titles == ["一小时后", "两小时后", "三小时后"]


def test_my_articles_filter(client):
    user = editor()
    factories.article("我的", published=False, created_by=user)
    factories.article("别人的", published=False)
    client.force_login(user)
    titles = [article.title for article in client.get(LIST_URL + "?mine=1").context["cl"].result_list]
    assert titles == ["我的"]


def test_the_change_list_shows_short_times_and_the_category_s_own_name(client):
    section = factories.category_path("新媒体", "快科技（原驱动之家）", "最新新闻")
    moment = dt.datetime(2024, 4, 9, 15, 30, 12, tzinfo=timezone.get_default_timezone())
    factories.article("长栏目", category=section, published_at=moment)
    client.force_login(editor())
    page = client.get(LIST_URL).content.decode()
    assert "2024-04-09 15:30" in page
    assert '<span title="新媒体 / 快科技（原驱动之家） / 最新新闻">最新新闻</span>' in page
