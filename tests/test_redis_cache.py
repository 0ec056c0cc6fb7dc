"""The Redis near cache: copies served from memory only while Redis reports them unchanged.

Real Redis (REDIS_URL); `.ci/run` sets it for its PostgreSQL pass.
"""

import os
import uuid

import pytest
import redis

from newsroom.redis_cache import NearCachedRedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = pytest.mark.skipif(
    not REDIS_URL.startswith("redis://"), reason="REDIS_URL is not set: the near cache needs a real Redis"
)


@pytest.fixture
def prefix():
    return f"near-test-{uuid.uuid4().hex}"


def make_cache(prefix, **options):
    return NearCachedRedisCache(
        REDIS_URL,
        {"KEY_PREFIX": prefix, "OPTIONS": {"NEAR_CACHE_PREFIXES": ["near:"], **options}},
    )


@pytest.fixture
def cache(prefix):
    cache = make_cache(prefix)
    yield cache
    cache.near._disconnect()
    other = redis.Redis.from_url(REDIS_URL)
    keys = list(other.scan_iter(f"{prefix}:*"))
    if keys:
        other.delete(*keys)


@pytest.fixture
def other_process(prefix):
    """Another worker writing to the same Redis (its own client, no near cache)."""
    return make_cache(prefix, NEAR_CACHE_PREFIXES=[])


def test_a_value_read_is_then_served_from_memory(cache, prefix):
    cache.set("near:page", ("epoch-1", b"<html>"))
    assert cache.get("near:page") == ("epoch-1", b"<html>")
    key = f"{prefix}:1:near:page"
    assert cache.near.lookup_many([key]) == {key: ("epoch-1", b"<html>")}


def test_a_change_made_by_another_process_is_seen_at_once(cache, other_process):
    for round_number in range(200):
        other_process.set("near:epoch", round_number)
        assert cache.get("near:epoch") == round_number
        assert cache.get("near:epoch") == round_number


def test_a_deletion_made_by_another_process_is_seen_at_once(cache, other_process):
    other_process.set("near:epoch", "old")
    assert cache.get("near:epoch") == "old"
    other_process.delete("near:epoch")
    assert cache.get("near:epoch") is None
    assert cache.get_many(["near:epoch"]) == {}


def test_this_process_sees_its_own_writes_at_once(cache):
    cache.set("near:epoch", 1)
    assert cache.get("near:epoch") == 1
    cache.delete("near:epoch")
    assert cache.get("near:epoch", "gone") == "gone"
    assert cache.add("near:epoch", 2) is True
    assert cache.get("near:epoch") == 2


def test_keys_outside_the_prefixes_are_never_copied(cache, prefix):
    cache.set("elsewhere", 1)
    assert cache.get("elsewhere") == 1
    assert cache.near.lookup_many([f"{prefix}:1:elsewhere"]) == {}


def test_get_many_mixes_copies_and_reads(cache, other_process):
    other_process.set_many({"near:a": 1, "near:b": 2, "elsewhere": 3})
    assert cache.get_many(["near:a", "near:missing"]) == {"near:a": 1}
    assert cache.get_many(["near:a", "near:b", "elsewhere", "near:missing"]) == {
        "near:a": 1,
        "near:b": 2,
        "elsewhere": 3,
    }


def test_a_lost_connection_drops_every_copy(cache, other_process):
    cache.set("near:epoch", "before")
    assert cache.get("near:epoch") == "before"
    # Kill the tracking connection, then change the value: no report can arrive.
    redis.Redis.from_url(REDIS_URL).client_kill_filter(addr=_local_address(cache))
    other_process.set("near:epoch", "after")
    assert cache.get("near:epoch") == "after"
    # Reconnected: copies are served again, and reports arrive again.
    assert cache.get("near:epoch") == "after"
    other_process.set("near:epoch", "again")
    assert cache.get("near:epoch") == "again"


def test_flushing_the_database_drops_every_copy(cache, prefix):
    cache.set("near:epoch", 1)
    assert cache.get("near:epoch") == 1
    cache.near.keep(f"{prefix}:1:near:ghost", "stale", 10)
    redis.Redis.from_url(REDIS_URL).flushdb()
    assert cache.get("near:epoch") is None
    assert cache.near.lookup_many([f"{prefix}:1:near:ghost"]) == {}


def test_copies_are_evicted_beyond_the_size_limit(prefix, other_process):
    cache = make_cache(prefix, NEAR_CACHE_MAX_BYTES=3000)
    try:
        for number in range(5):
            other_process.set(f"near:{number}", b"x" * 1000)
            cache.get(f"near:{number}")
        keys = [f"{prefix}:1:near:{number}" for number in range(5)]
        held = [key in cache.near.lookup_many([key]) for key in keys]
        assert held == [False, False, False, True, True]
        assert cache.near._size <= 3000
    finally:
        cache.near._disconnect()


def test_a_forked_child_does_not_use_its_parents_copies(cache, monkeypatch):
    cache.set("near:epoch", 1)
    cache.get("near:epoch")
    parent_connection = cache.near._connection
    monkeypatch.setattr(cache.near, "_pid", -1)
    assert cache.get("near:epoch") == 1
    assert cache.near._connection is not parent_connection


def _local_address(cache) -> str:
    host, port = cache.near._connection._sock.getsockname()[:2]
    return f"{host}:{port}"


def test_the_publication_epoch_and_pages_are_near_cached():
    from django.core.cache import caches

    from articles.caching import STATE_KEY
    from articles.page_cache import PAGE_KEY_PREFIX

    cache = caches["default"]
    if not isinstance(cache, NearCachedRedisCache):
        pytest.skip("the default cache is not Redis in this run")
    assert cache.near.covers(cache.make_key(STATE_KEY))
    assert cache.near.covers(cache.make_key(PAGE_KEY_PREFIX + "zh-hans:0123"))
