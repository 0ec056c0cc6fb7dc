"""The purge log: changes reach every process within a read of the log, which costs one query a second."""

import datetime as dt
import logging
import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from articles.cache import invalidation, store
from articles.models import Article, Purge
from tests import factories
from tests.importing.test_upsert import store_seed

pytestmark = pytest.mark.django_db


def test_a_change_committed_by_another_process_is_seen_at_the_next_read_of_the_log(client, clock, elsewhere):
    article = factories.article("旧标题")
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"
    article.title = "新标题"
    elsewhere(article.save)
    clock.advance(0.5)
    # Within NEWSROOM_CACHE_SYNC_SECONDS of the last read: the bound on staleness.
    assert "旧标题" in client.get(article.get_absolute_url()).content.decode()
    clock.advance(0.6)
    response = client.get(article.get_absolute_url())
    assert response["X-Cache"] == "miss" and "新标题" in response.content.decode()


def test_the_log_is_read_at_most_once_a_second_and_a_hit_in_between_makes_no_query(
    client, clock, django_assert_num_queries
):
    factories.article("新闻")
    client.get("/")
    for _ in range(5):
        clock.advance(0.15)
        with django_assert_num_queries(0):
            assert client.get("/")["X-Cache"] == "hit"
    clock.advance(0.5)
    with django_assert_num_queries(1) as read:
        assert client.get("/")["X-Cache"] == "hit"
    assert "articles_purge" in read.captured_queries[0]["sql"]


def test_unrelated_changes_elsewhere_leave_the_page_cached(client, clock, elsewhere):
    shown = factories.article("首页新闻", category=factories.category_path("科学"))
    factories.article("上一篇", days_ago=10, category=factories.category_path("财经"))
    draft = factories.article("草稿", published=False)
    other = factories.article("旧闻", days_ago=30, category=factories.category_path("体育"))
    client.get(shown.get_absolute_url())
    draft.title = "草稿二"
    elsewhere(draft.save)
    other.title = "旧闻二"
    elsewhere(other.save)
    clock.advance(2)
    assert client.get(shown.get_absolute_url())["X-Cache"] == "hit"


def test_a_process_starting_up_reads_only_purges_young_enough_to_concern_a_cached_page(clock, settings):
    old = Purge.objects.create(keys="article-1")
    recent = Purge.objects.create(keys="article-2")
    Purge.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.NEWSROOM_PAGE_CACHE_SECONDS + 120)
    )
    freshness = invalidation.freshness
    freshness.sync_if_due()
    assert freshness.floor == old.pk and freshness.seen == recent.pk
    assert "article-2" in freshness.purged and "article-1" not in freshness.purged
    # A page made before the floor may have missed purges this process never read.
    assert not freshness.is_fresh(old.pk - 1, {"article-3"})
    assert freshness.is_fresh(recent.pk, {"article-2"})
    assert not freshness.is_fresh(old.pk, {"article-2"})


def test_the_floor_rises_as_pages_made_before_it_expire(clock, settings, elsewhere):
    freshness = invalidation.freshness
    freshness.sync_if_due()
    elsewhere(invalidation.purge, {"article-1"})
    clock.advance(1)
    freshness.sync_if_due()
    first = freshness.seen
    clock.advance(settings.NEWSROOM_PAGE_CACHE_SECONDS + invalidation.WINDOW_MARGIN_SECONDS + 1)
    freshness.sync_if_due()
    assert freshness.floor == first


def test_a_document_imported_writes_one_purge_naming_its_lists(django_capture_on_commit_callbacks):
    before = Purge.objects.count()
    store_seed("K1")
    assert Purge.objects.count() == before + 1
    article = Article.objects.get()
    keys = set(Purge.objects.latest("pk").keys.split())
    assert {f"article-{article.pk}", "list", f"list-category-{article.category_id}"} <= keys
    assert {f"list-tag-{pk}" for pk in article.tags.values_list("pk", flat=True)} <= keys
    assert {f"list-author-{pk}" for pk in article.bylines.values_list("author_id", flat=True)} <= keys


def test_old_purges_are_deleted_now_and_then(monkeypatch):
    monkeypatch.setattr(invalidation, "PRUNE_EVERY", 1)
    old = Purge.objects.create(keys="article-1")
    Purge.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - invalidation.KEEP - dt.timedelta(hours=1)
    )
    invalidation.purge({"article-2"})
    assert not Purge.objects.filter(pk=old.pk).exists()
    assert Purge.objects.filter(keys="article-2").exists()


def test_a_log_that_cannot_be_read_keeps_cached_pages_served_and_says_so(client, clock, monkeypatch, caplog):
    factories.article("新闻")
    client.get("/")

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(invalidation.Purge.objects, "filter", unreachable)
        clock.advance(2)
        with caplog.at_level(logging.WARNING, logger="articles.cache.invalidation"):
            assert client.get("/")["X-Cache"] == "hit"
            clock.advance(0.5)
            assert client.get("/")["X-Cache"] == "hit"
        assert caplog.text.count("purge log cannot be read") == 1
        assert store.cache_health()["status"] == "degraded"
        assert store.cache_health()["purge_log"] == "unreadable"
    clock.advance(1)
    assert client.get("/")["X-Cache"] == "hit"
    assert invalidation.freshness.last_error is None


@pytest.mark.django_db(transaction=True)
def test_a_purge_draws_its_id_only_once_earlier_purging_transactions_have_committed():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one transaction write at a time: ids follow commit order by themselves")
    holding, release = threading.Event(), threading.Event()
    purged = {}

    def earlier_transaction():
        # As a purging transaction does until it commits: it holds the lock.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [invalidation.ADVISORY_LOCK])
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    def later_purge():
        try:
            with transaction.atomic():
                invalidation.purge({"article-2"})
                purged["id"] = Purge.objects.get(keys="article-2").pk
        finally:
            connections.close_all()

    threads = [threading.Thread(target=earlier_transaction), threading.Thread(target=later_purge)]
    threads[0].start()
    assert holding.wait(30)
    threads[1].start()
    with connection.cursor() as cursor:
        for _ in range(300):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            if cursor.fetchone()[0] == 1:
                break
            threading.Event().wait(0.1)
        else:
            pytest.fail("the purge did not wait for the transaction holding the lock")
        # An id drawn now, while the purge waits: the purge's id must come after it.
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Purge._meta.db_table])
        drawn_meanwhile = cursor.fetchone()[0]
    assert "id" not in purged
    release.set()
    for thread in threads:
        thread.join(30)
    assert purged["id"] > drawn_meanwhile
