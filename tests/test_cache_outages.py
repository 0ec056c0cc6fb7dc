"""Redis is an accelerator: stopped, hung or restarted, the site keeps answering and never serves a
page a change made stale. Against redis-servers of the tests' own (tests/redis_server.py)."""

import datetime as dt
import logging

import pytest
from django.test import Client
from django.urls import reverse

from articles.cache import store as page_store
from articles.models import Article
from tests import factories
from tests.admin_forms import change_form_data, editor
from tests.conftest import Clock
from tests.redis_server import RedisServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.close()


@pytest.fixture
def persistent_redis(tmp_path):
    server = RedisServer(tmp_path, persistent=True)
    server.start()
    yield server
    server.close()


@pytest.fixture
def breaker_clock():
    return Clock()


def use(settings, server: RedisServer, breaker_clock: Clock, memory_bytes: int = 0) -> page_store.PageStore:
    """Serve pages through ``server``; without a memory tier unless asked, so that every hit reads Redis."""
    settings.NEWSROOM_PAGE_CACHE_REDIS_URL = server.url
    settings.NEWSROOM_REDIS_TIMEOUT_SECONDS = 0.2
    settings.NEWSROOM_REDIS_RETRY_SECONDS = 5
    settings.NEWSROOM_PAGE_MEMORY_BYTES = memory_bytes
    store = page_store.pages()
    store.shared.breaker.clock = breaker_clock
    return store


def stored_pages(server: RedisServer) -> list[bytes]:
    return list(server.client().scan_iter(match="*:page:*"))


def test_pages_are_shared_through_redis(
    client, redis_server, settings, breaker_clock, django_assert_num_queries
):
    use(settings, redis_server, breaker_clock)
    article = factories.article("共享")
    assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
    assert len(stored_pages(redis_server)) == 1
    page_store.reset_pages()  # another process: nothing of its own in memory
    use(settings, redis_server, breaker_clock)
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url())["X-Cache"] == "hit"


def test_with_redis_stopped_readers_get_pages_from_the_database_and_redis_is_left_alone(
    client, redis_server, settings, breaker_clock, caplog
):
    store = use(settings, redis_server, breaker_clock)
    article = factories.article("停机")
    client.get(article.get_absolute_url())
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="articles.cache.store"):
        for address in (article.get_absolute_url(), "/", article.get_absolute_url(), "/admin/login/"):
            response = client.get(address)
            assert response.status_code == 200, address
        assert "停机" in client.get(article.get_absolute_url()).content.decode()
    # One try, then none until NEWSROOM_REDIS_RETRY_SECONDS have passed: no retry storm.
    assert store.shared.breaker.failures == 1
    assert caplog.text.count("failed") == 1
    health = page_store.cache_health()
    assert health["status"] == "degraded" and health["redis"] == "unreachable"

    redis_server.start()
    breaker_clock.advance(4)
    client.get("/")
    assert store.shared.breaker.failures == 1 and stored_pages(redis_server) == []
    breaker_clock.advance(2)
    with caplog.at_level(logging.WARNING, logger="articles.cache.store"):
        assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
    assert "answers again" in caplog.text
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"
    assert page_store.cache_health() == {"status": "ok", "redis": "ok", "purge_log": "ok"}


def test_with_redis_hung_a_reader_waits_one_short_timeout_then_redis_is_left_alone(
    client, redis_server, settings, breaker_clock
):
    store = use(settings, redis_server, breaker_clock)
    article = factories.article("挂起")
    client.get(article.get_absolute_url())
    redis_server.hang()
    for _ in range(4):
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200 and "挂起" in response.content.decode()
    assert store.shared.breaker.failures == 1
    assert "Timeout" in store.shared.breaker.error or "timed out" in store.shared.breaker.error
    assert page_store.cache_health()["status"] == "degraded"
    redis_server.resume()
    breaker_clock.advance(5)
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"
    assert store.shared.breaker.error is None


def test_this_process_keeps_serving_the_pages_it_holds_while_redis_is_down(
    client, redis_server, settings, breaker_clock, django_assert_num_queries
):
    use(settings, redis_server, breaker_clock, memory_bytes=1_000_000)
    article = factories.article("内存")
    client.get(article.get_absolute_url())
    redis_server.stop()
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url())["X-Cache"] == "hit"


def test_an_editor_saves_during_a_redis_outage_and_readers_see_it(
    client, redis_server, settings, breaker_clock, django_capture_on_commit_callbacks
):
    use(settings, redis_server, breaker_clock)
    article = factories.article("原标题")
    client.get(article.get_absolute_url())
    desk = Client()
    desk.force_login(editor())
    url = reverse("admin:articles_article_change", args=[article.pk])
    redis_server.stop()
    form = change_form_data(desk.get(url), title="停机时改的标题")
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(url, form)
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).title == "停机时改的标题"
    assert "停机时改的标题" in client.get(article.get_absolute_url()).content.decode()


def test_a_page_cached_before_a_redis_restart_is_not_served_once_a_change_made_it_stale(
    client, persistent_redis, settings, breaker_clock, clock, elsewhere
):
    use(settings, persistent_redis, breaker_clock)
    withdrawn = factories.article("将被撤下", days_ago=2, category=factories.category_path("科学"))
    # Years away from it, between neighbours of its own: no page shows both.
    long_ago = dt.datetime(2019, 6, 15, 12, tzinfo=dt.UTC)
    sport = factories.category_path("体育")
    kept = factories.article("不受影响", published_at=long_ago, category=sport)
    for days in (-1, 1):
        # Previous and next are the neighbours within the article's section.
        factories.article(f"邻居{days}", published_at=long_ago + dt.timedelta(days=days), category=sport)
    for article in (withdrawn, kept):
        client.get(article.get_absolute_url())
    assert len(stored_pages(persistent_redis)) == 2
    persistent_redis.stop()
    # While Redis is down, another process withdraws the article (this one is not told).
    withdrawn.status = Article.Status.DRAFT
    withdrawn.review_note = "撤稿"
    elsewhere(withdrawn.save)
    persistent_redis.start()
    assert len(stored_pages(persistent_redis)) == 2, "Redis restored the pages it had saved"
    breaker_clock.advance(5)
    clock.advance(1)
    assert client.get(withdrawn.get_absolute_url()).status_code == 404
    # Fine-grained: a restored page that no change concerns is still served.
    assert client.get(kept.get_absolute_url())["X-Cache"] == "hit"


def test_a_flushed_or_replaced_redis_only_costs_misses(client, redis_server, settings, breaker_clock):
    use(settings, redis_server, breaker_clock)
    article = factories.article("清空")
    client.get(article.get_absolute_url())
    redis_server.client().flushall()
    assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
    redis_server.client().set(next(iter(stored_pages(redis_server))), b"not a page")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and response["X-Cache"] == "miss"
