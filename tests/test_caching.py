"""The page cache: hits cost no query, every change shows at once, scheduled articles on time."""

import datetime as dt
import os
import time

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the code defers to the end of the transaction, as a real commit would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_a_cache_hit_makes_no_query(client, django_assert_num_queries):
    article = factories.article("缓存")
    for address in ("/", article.get_absolute_url(), "/search/?q=缓存", "/rss.xml"):
        assert client.get(address)["X-Cache"] == "miss"
        with django_assert_num_queries(0):
            response = client.get(address)
        assert response["X-Cache"] == "hit" and response.status_code == 200


def test_a_cache_hit_keeps_the_headers_of_the_first_answer(client):
    article = factories.article("缓存")
    first = client.get(article.get_absolute_url())
    again = client.get(article.get_absolute_url())
    assert again["X-Cache"] == "hit" and again.content == first.content
    for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Language"):
        assert again[header] == first[header], header
    # Added by middleware inside the page cache's, which a hit skips.
    assert again["X-Frame-Options"] == "DENY"


def test_a_cache_hit_answers_conditional_get(client):
    article = factories.article("缓存")
    first = client.get(article.get_absolute_url())
    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["X-Cache"] == "hit" and again["ETag"] == first["ETag"]


def test_pages_that_are_not_public_pages_are_never_stored(client):
    client.get("/admin/login/")
    assert "X-Cache" not in client.get("/admin/login/")


def test_publishing_shows_at_once(client, commit):
    client.get("/")
    commit(factories.article, "新发布")
    assert "新发布" in client.get("/").content.decode()


def test_editing_shows_at_once(client, commit):
    article = commit(factories.article, "旧标题")
    client.get(article.get_absolute_url())
    client.get("/")
    article.title = "新标题"
    commit(article.save)
    assert "新标题" in client.get(article.get_absolute_url()).content.decode()
    assert "新标题" in client.get("/").content.decode()


def test_unpublishing_hides_at_once(client, commit):
    article = commit(factories.article, "撤稿")
    assert client.get(article.get_absolute_url()).status_code == 200
    assert "撤稿" in client.get("/").content.decode()
    article.status = Article.Status.DRAFT
    commit(article.save)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "撤稿" not in client.get("/").content.decode()


def test_deleting_hides_at_once(client, commit):
    article = commit(factories.article, "删除")
    client.get("/")
    commit(article.delete)
    assert "删除" not in client.get("/").content.decode()


def test_tag_and_byline_changes_show_at_once(client, commit):
    article = commit(factories.article, "标签")
    client.get(article.get_absolute_url())
    commit(article.tags.add, "新标签")
    assert "#新标签" in client.get(article.get_absolute_url()).content.decode()
    commit(article.bylines.create, author=factories.author("新作者"))
    assert "新作者" in client.get(article.get_absolute_url()).content.decode()


def test_uncommitted_changes_do_not_start_a_new_epoch(client, django_capture_on_commit_callbacks):
    client.get("/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factories.article("未提交")
    assert callbacks, "invalidation waits for the commit"
    assert client.get("/")["X-Cache"] == "hit"


def test_scheduled_article_appears_on_time_despite_the_cache(client, commit):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        commit(factories.article, "已发布")
        commit(factories.article, "定时发布", published_at=now + dt.timedelta(seconds=90))
        assert "定时发布" not in client.get("/").content.decode()
        assert client.get("/")["X-Cache"] == "hit"
    with time_machine.travel(now + dt.timedelta(seconds=89), tick=False):
        assert client.get("/")["X-Cache"] == "hit"
    with time_machine.travel(now + dt.timedelta(seconds=90, microseconds=1000), tick=False):
        html = client.get("/").content.decode()
        assert "定时发布" in html


def test_scheduled_article_page_is_not_served_early_from_a_not_found(client, commit):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        article = commit(factories.article, "定时", published_at=now + dt.timedelta(hours=1))
        assert client.get(article.get_absolute_url()).status_code == 404
    with time_machine.travel(now + dt.timedelta(hours=1, seconds=1), tick=False):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_readers_with_a_session_skip_the_cache(client, django_user_model):
    factories.article("新闻")
    client.get("/")
    client.force_login(django_user_model.objects.create_user("editor"))
    assert "X-Cache" not in client.get("/")


def test_page_cache_can_be_turned_off(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    client.get("/")
    assert "X-Cache" not in client.get("/")


def test_article_page_answers_conditional_get(client, commit):
    article = commit(factories.article, "条件请求")
    first = client.get(article.get_absolute_url())
    assert first["ETag"] and first["Last-Modified"]
    assert "must-revalidate" in first["Cache-Control"]
    again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    article.title = "改过"
    commit(article.save)
    changed = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_languages_are_cached_apart(client):
    factories.article("新闻")
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in chinese and '<html lang="en">' in english


def test_not_found_is_not_cached(client, commit):
    client.get("/articles/later/")
    commit(factories.article, "稍后", slug="later")
    assert client.get("/articles/later/").status_code == 200


def test_a_change_made_by_another_process_reaches_the_local_memory_cache(client, settings):
    from articles import caching

    if not settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache"):
        pytest.skip("only the local-memory cache needs the marker file; Redis is shared")
    factories.article("新闻")
    client.get("/")
    assert client.get("/")["X-Cache"] == "hit"
    # Another worker saved an article: its own cache forgot the epoch, and it touched the marker.
    marker = caching._marker()
    marker.parent.mkdir(parents=True, exist_ok=True)
    later = time.time() + 1
    marker.touch()
    os.utime(marker, (later, later))
    assert client.get("/")["X-Cache"] == "miss"
    assert client.get("/")["X-Cache"] == "hit"


def test_requests_with_an_authorization_header_never_meet_the_page_cache(client):
    article = factories.article("凭据")
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"
    with_credentials = client.get(article.get_absolute_url(), HTTP_AUTHORIZATION="Token abc")
    assert with_credentials.status_code == 200 and "X-Cache" not in with_credentials
    # Nor is what they are given stored for others.
    client.get("/search/?q=凭据", HTTP_AUTHORIZATION="Token abc")
    assert client.get("/search/?q=凭据")["X-Cache"] == "miss"
