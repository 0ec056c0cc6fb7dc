"""Where cached pages are kept: this process's memory, then Redis, shared by every process.

A cached page (``CachedPage``) carries what ``articles.cache.invalidation`` needs to judge it: the
generation it was made at, the surrogate keys it shows, and when it expires. A page is never
changed once stored, and whether it may be served is decided by the purge log, not by where it
was found: so this process keeps the pages it served in a plain LRU (``MemoryPages``) that needs
no invalidation at all, and reads Redis only for pages it does not hold.

Redis is an accelerator, never a dependency (``RedisPages``): short connect and read timeouts
(NEWSROOM_REDIS_TIMEOUT_SECONDS), and after a failure Redis is left alone for
NEWSROOM_REDIS_RETRY_SECONDS (a circuit breaker, one per process), then tried again by the next
request. Meanwhile pages come from memory or from the database, a warning is logged when Redis
goes and when it comes back, and ``cache_health()`` says "degraded".

Pages are stored as bytes of our own format (a JSON head, then the body), not pickles: a value
read from Redis is data, never code to run.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from redis.backoff import NoBackoff
from redis.retry import Retry

from articles.cache.invalidation import freshness

logger = logging.getLogger(__name__)

# Bumped whenever CachedPage's stored form changes: pages of another format are not read.
FORMAT = b"newsroom-page-1\n"


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A stored page: the generation it was made at, the keys it shows, when it expires, its
    body and its headers (with neither Cache-Control nor X-Cache: those are set per answer)."""

    generation: int
    keys: frozenset[str]
    expires: float
    content: bytes
    headers: tuple[tuple[str, str], ...]

    def is_fresh(self, now: float) -> bool:
        """Return whether the page may still be served at ``now`` (``time.time()``)."""
        return self.expires > now and freshness.is_fresh(self.generation, self.keys)

    def to_bytes(self) -> bytes:
        head = json.dumps([self.generation, sorted(self.keys), self.expires, self.headers]).encode()
        return FORMAT + len(head).to_bytes(4, "big") + head + self.content

    @classmethod
    def from_bytes(cls, data: bytes) -> CachedPage | None:
        """Return the page stored as ``data``, None for anything else (another format, damage)."""
        if not data.startswith(FORMAT):
            return None
        try:
            start = len(FORMAT) + 4
            end = start + int.from_bytes(data[len(FORMAT) : start], "big")
            generation, keys, expires, headers = json.loads(data[start:end])
            return cls(
                int(generation), frozenset(keys), float(expires), data[end:], tuple(map(tuple, headers))
            )
        except (ValueError, TypeError):
            return None


class MemoryPages:
    """The pages this process served lately, least recently used first out, within ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def set(self, key: str, page: CachedPage) -> None:
        size = len(page.content)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old.content)
            self._pages[key] = page
            self.size += size
            while self.size > self.max_bytes:
                _, evicted = self._pages.popitem(last=False)
                self.size -= len(evicted.content)

    def discard(self, key: str) -> None:
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old.content)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.size = 0


class CircuitBreaker:
    """Whether to try a service that may be down: after a failure, not before ``retry_seconds``."""

    def __init__(self, name: str, retry_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.error: str | None = None
        self.failures = 0
        self._retry_at = 0.0

    @property
    def is_open(self) -> bool:
        """Return whether the service is being left alone after a failure."""
        return self.error is not None and self.clock() < self._retry_at

    def allows(self) -> bool:
        """Return whether to try the service now (it worked last time, or it is time to try again)."""
        return self.error is None or self.clock() >= self._retry_at

    def failed(self, error: Exception) -> None:
        if self.error is None:
            logger.warning(
                "%s failed (%s): served without it, tried again every %g s.",
                self.name,
                error,
                self.retry_seconds,
            )
        self.error = str(error) or type(error).__name__
        self.failures += 1
        self._retry_at = self.clock() + self.retry_seconds

    def succeeded(self) -> None:
        if self.error is not None:
            logger.warning("%s answers again after %d failed tries.", self.name, self.failures)
            self.error, self.failures = None, 0


class RedisPages:
    """Pages shared by every process through Redis; each call fails fast and quietly when Redis does."""

    def __init__(self, url: str, prefix: str, timeout: float, retry_seconds: float) -> None:
        self.prefix = prefix
        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            # One try per call: the breaker, not redis-py, decides when to try again.
            retry=Retry(NoBackoff(), 0),
        )
        self.breaker = CircuitBreaker(
            f"Redis at {self.client.get_connection_kwargs().get('host')}", retry_seconds
        )

    def get(self, key: str) -> CachedPage | None:
        data = self._call(self.client.get, self.prefix + key)
        return CachedPage.from_bytes(data) if data else None

    def set(self, key: str, page: CachedPage, timeout: int) -> None:
        self._call(self.client.set, self.prefix + key, page.to_bytes(), ex=timeout)

    def ping(self) -> bool:
        return bool(self._call(self.client.ping))

    def clear(self) -> None:
        keys = self._call(lambda: list(self.client.scan_iter(match=self.prefix + "*", count=1000)))
        if keys:
            self._call(self.client.delete, *keys)

    def _call(self, operation, *args, **kwargs):
        if not self.breaker.allows():
            return None
        try:
            result = operation(*args, **kwargs)
        except (redis.RedisError, OSError) as error:
            self.breaker.failed(error)
            return None
        self.breaker.succeeded()
        return result


class PageStore:
    """Cached pages by key: this process's memory first, then Redis when there is one."""

    def __init__(self, memory: MemoryPages | None, shared: RedisPages | None) -> None:
        self.memory = memory
        self.shared = shared

    @classmethod
    def from_settings(cls) -> PageStore:
        memory = (
            MemoryPages(settings.NEWSROOM_PAGE_MEMORY_BYTES) if settings.NEWSROOM_PAGE_MEMORY_BYTES else None
        )
        shared = None
        if settings.NEWSROOM_PAGE_CACHE_REDIS_URL:
            shared = RedisPages(
                settings.NEWSROOM_PAGE_CACHE_REDIS_URL,
                f"{settings.NEWSROOM_PAGE_CACHE_KEY_PREFIX}:page:",
                settings.NEWSROOM_REDIS_TIMEOUT_SECONDS,
                settings.NEWSROOM_REDIS_RETRY_SECONDS,
            )
        return cls(memory, shared)

    def get(self, key: str, now: float) -> CachedPage | None:
        """Return the page stored under ``key`` if it may be served at ``now``."""
        if self.memory is not None:
            page = self.memory.get(key)
            if page is not None:
                if page.is_fresh(now):
                    return page
                self.memory.discard(key)
        if self.shared is not None:
            page = self.shared.get(key)
            if page is not None and page.is_fresh(now):
                if self.memory is not None:
                    self.memory.set(key, page)
                return page
        return None

    def set(self, key: str, page: CachedPage, now: float) -> None:
        if self.memory is not None:
            self.memory.set(key, page)
        if self.shared is not None:
            self.shared.set(key, page, max(1, int(page.expires - now) + 1))

    def clear(self) -> None:
        """Forget every page (tests, and after restoring a database from a backup)."""
        if self.memory is not None:
            self.memory.clear()
        if self.shared is not None:
            self.shared.clear()


_store: PageStore | None = None
_store_lock = threading.Lock()


def pages() -> PageStore:
    """Return this process's page store, made from the settings on first use."""
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                _store = PageStore.from_settings()
    return _store


def reset_pages() -> None:
    """Make the page store again from the settings at its next use (tests that change them)."""
    global _store
    _store = None


def cache_health() -> dict:
    """Return the page cache's health for a load balancer's check: ``{"status": "ok" | "degraded", …}``.

    Degraded is not down: pages are served from memory and the database meanwhile. With Redis
    configured and not being left alone, Redis is asked for a PING (within its short timeout).
    """
    store = pages()
    report: dict = {"status": "ok", "redis": "not configured", "purge_log": "ok"}
    if store.shared is not None:
        breaker = store.shared.breaker
        if not breaker.is_open:
            store.shared.ping()
        if breaker.error is None:
            report["redis"] = "ok"
        else:
            report.update(status="degraded", redis="unreachable", redis_error=breaker.error)
    if freshness.last_error is not None:
        report.update(status="degraded", purge_log="unreadable", purge_log_error=freshness.last_error)
    return report


@receiver(setting_changed, dispatch_uid="articles.cache.store.settings_changed")
def _settings_changed(setting: str, **kwargs) -> None:
    if setting.startswith(("NEWSROOM_PAGE_", "NEWSROOM_REDIS_")):
        reset_pages()
