"""Which cached pages are stale: the purge log, written with each change and read by every process.

A change readers can see calls ``purge(keys)`` inside its own transaction (``articles.cache.signals``
does it for every model write): one ``Purge`` row names the surrogate keys of the pages it made
stale (``articles.cache.surrogate_keys``). Its id is the change's *generation*. On PostgreSQL a
transaction-scoped advisory lock makes purging transactions take their ids one after another,
each after the previous one committed (SQLite lets one transaction write at a time anyway): ids
follow commit order, so a process that has read every row up to id N has seen every change
committed before N's.

Each process keeps what it has read (``Freshness``). A cached page records the generation its
process had read when it started rendering, and the keys it shows: it is fresh while no purge
after that generation names one of its keys. The database is the only source of truth: whatever
Redis did meanwhile (restart, a restored snapshot, a flush, a failover), a page a committed change
made stale is judged by the log, never by Redis.

The bound: a process reads the log on the first request after NEWSROOM_CACHE_SYNC_SECONDS
(default 1 s) have passed since it last did, one indexed query returning the rows it has not seen
(none, mostly); a cache hit in between makes no query. So a page made stale by a change is not
served more than NEWSROOM_CACHE_SYNC_SECONDS (plus that query's time) after the commit. The
process that commits a change forgets the stale pages at once, then reads the log at its next
request. While the database cannot be reached the process keeps what it knows and serves what it
has cached: no change can be committed to a database nobody reaches.

After commit, ``surrogate_keys_purged`` is sent with the keys, for HTTP caches in front (Varnish).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import django.dispatch
from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection, transaction
from django.utils import timezone

from articles.cache import surrogate_keys
from articles.models import Article, Byline, Purge, TaggedArticle

logger = logging.getLogger(__name__)

# Sent once a change readers can see has committed: keys=frozenset[str], the surrogate keys of the
# pages it made stale. Receivers (a Varnish purger) are called robustly: an exception is logged and
# never reaches the request that made the change.
surrogate_keys_purged = django.dispatch.Signal()

# Taken by every purging transaction on PostgreSQL ("news" in ASCII).
ADVISORY_LOCK = 0x6E657773
# Every thousandth purge deletes rows older than a day: pages live minutes, processes read seconds.
PRUNE_EVERY = 1000
KEEP = dt.timedelta(days=1)
# Scheduled publications each process keeps in mind, soonest first (see Schedule).
SCHEDULE_SIZE = 100
# Beyond the longest a page is cached: how far back a process starting up reads the log.
WINDOW_MARGIN_SECONDS = 60

_batch: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("newsroom_purge_batch", default=None)


def purge(keys: Iterable[str]) -> None:
    """Record, in the current transaction, that the pages showing ``keys`` are stale.

    Once the transaction commits, this process forgets those pages at once, every other process
    within NEWSROOM_CACHE_SYNC_SECONDS, and ``surrogate_keys_purged`` tells HTTP caches in front.
    """
    keys = frozenset(keys)
    batch = _batch.get()
    if batch is not None:
        batch.update(keys)
        return
    if not keys:
        return
    generation = _insert(" ".join(sorted(keys)))
    if generation % PRUNE_EVERY == 0:
        Purge.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    transaction.on_commit(functools.partial(_committed, generation, keys))


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Gather the purges made in the block into one row, written when it ends (for a writer making
    many changes in one transaction, such as the importer's document: one row, not one per model)."""
    if _batch.get() is not None:
        yield
        return
    keys: set[str] = set()
    token = _batch.set(keys)
    try:
        yield
    finally:
        _batch.reset(token)
    purge(keys)


def _insert(text: str) -> int:
    """Insert a purge row and return its id, in commit order (see the module's docstring)."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            # The lock is taken before the id is drawn, and held to the end of the transaction.
            cursor.execute(
                f"INSERT INTO {quote(Purge._meta.db_table)} ({quote('keys')}) "
                "SELECT %s FROM (SELECT pg_advisory_xact_lock(%s)) AS serialised RETURNING id",
                [text, ADVISORY_LOCK],
            )
            return cursor.fetchone()[0]
    return Purge.objects.create(keys=text).pk


def _committed(generation: int, keys: frozenset[str]) -> None:
    freshness.learn(generation, keys)
    for receiver, result in surrogate_keys_purged.send_robust(sender=None, keys=keys):
        if isinstance(result, Exception):
            logger.error("A receiver of surrogate_keys_purged failed: %r", receiver, exc_info=result)


@dataclass(frozen=True)
class Schedule:
    """The next scheduled publications, as (time, keys the publication changes), soonest first.

    ``complete`` is False when more are scheduled after the last one held.
    """

    entries: tuple[tuple[float, frozenset[str]], ...] = ()
    complete: bool = True

    def expiry(self, keys: Iterable[str], now: float, limit: float) -> float:
        """Return when a page showing ``keys``, made at ``now``, must expire: ``limit`` at the latest,
        the time of the first scheduled publication that changes it at the soonest."""
        keys = frozenset(keys)
        for at, changed in self.entries:
            if at >= limit:
                return limit
            if at > now and not changed.isdisjoint(keys):
                return at
        if not self.complete and self.entries:
            return min(limit, self.entries[-1][0])
        return limit

    @classmethod
    def load(cls) -> Schedule:
        """Return the schedule as the database has it now (one query, three with publications due)."""
        rows = list(
            Article.objects.scheduled()
            .order_by("published_at", "pk")
            .values_list("pk", "published_at", "category_id", "editor_id")[: SCHEDULE_SIZE + 1]
        )
        if not rows:
            return cls()
        complete, rows = len(rows) <= SCHEDULE_SIZE, rows[:SCHEDULE_SIZE]
        ids = [row[0] for row in rows]
        tags: dict[int, list[int]] = {}
        for article_id, tag_id in TaggedArticle.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "tag_id"
        ):
            tags.setdefault(article_id, []).append(tag_id)
        authors: dict[int, list[int]] = {}
        for article_id, author_id in Byline.objects.filter(article_id__in=ids).values_list(
            "article_id", "author_id"
        ):
            authors.setdefault(article_id, []).append(author_id)
        entries = tuple(
            (
                published_at.timestamp(),
                frozenset(
                    surrogate_keys.appearance(
                        pk, published_at, category_id, editor_id, tags.get(pk, ()), authors.get(pk, ())
                    )
                ),
            )
            for pk, published_at, category_id, editor_id in rows
            if published_at is not None  # always, for a scheduled article
        )
        return cls(entries, complete)


class Freshness:
    """What this process has read of the purge log: whether a cached page may still be served, and
    until when a page made now may be kept (the schedule)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.RLock()
        self._remembered: weakref.WeakSet[Remembered | RememberedValues] = weakref.WeakSet()
        self.reset()

    def reset(self) -> None:
        """Forget everything read, and every value remembered, as a new process starts."""
        with self._lock:
            for remembered in self._remembered:
                remembered.forget()
            self.started = False
            # The newest purge read, the newest applied (this process's own commits too), and the
            # oldest generation a page may have: older pages were made before what this process knows.
            self.seen = self.newest = self.floor = 0
            self.purged: dict[str, int] = {}
            self.last_error: str | None = None
            self.last_read = 0.0
            self._due = 0.0
            self._checkpoints: deque[tuple[float, int]] = deque()
            self._schedule: Schedule | None = None

    def generation(self) -> int:
        """Return the generation of a page made now, reading the log first when it is due."""
        self.sync_if_due()
        return self.seen

    def is_fresh(self, generation: int, keys: Iterable[str]) -> bool:
        """Return whether a page of ``generation`` showing ``keys`` is still what readers should see."""
        if generation < self.floor:
            return False
        if generation >= self.newest:
            return True
        purged = self.purged
        return all(purged.get(key, 0) <= generation for key in keys)

    def expiry(self, keys: Iterable[str], now: float, limit: float) -> float:
        """Return when a page showing ``keys``, made at ``now`` (``time.time()``), must expire, at the
        latest ``limit``: before any scheduled publication that changes it appears."""
        schedule = self._schedule
        if schedule is None or (not schedule.complete and schedule.entries[-1][0] <= now):
            schedule = self._schedule = Schedule.load()
        return schedule.expiry(keys, now, limit)

    def sync_if_due(self) -> None:
        """Read the purge log when NEWSROOM_CACHE_SYNC_SECONDS have passed since the last read."""
        if self.clock() < self._due:
            return
        with self._lock:
            now = self.clock()
            if now < self._due:
                return
            # Failed or not, the next read waits as long: no retry storm against a database down.
            self._due = now + settings.NEWSROOM_CACHE_SYNC_SECONDS
            try:
                self._read(now)
            except (DatabaseError, InterfaceError) as error:
                if self.last_error is None:
                    logger.warning(
                        "The purge log cannot be read (%s): cached pages are served as they are "
                        "until the database answers again.",
                        error,
                    )
                self.last_error = str(error) or type(error).__name__
            else:
                if self.last_error is not None:
                    logger.warning("The purge log can be read again.")
                self.last_error = None
                self.last_read = now

    def learn(self, generation: int, keys: Iterable[str]) -> None:
        """Apply a purge this process has just committed, and read the log at the next request."""
        with self._lock:
            self._apply(generation, keys)
            self._due = 0.0

    def _read(self, now: float) -> None:
        window = settings.NEWSROOM_PAGE_CACHE_SECONDS + WINDOW_MARGIN_SECONDS
        if not self.started:
            # A page lives NEWSROOM_PAGE_CACHE_SECONDS at most: older purges cannot concern one.
            oldest = timezone.now() - dt.timedelta(seconds=window)
            floor = (
                Purge.objects.filter(created_at__lt=oldest)
                .order_by("-created_at")
                .values_list("pk", flat=True)
                .first()
            ) or 0
            self.seen = self.floor = max(self.floor, floor)
            self.started = True
        rows = list(Purge.objects.filter(pk__gt=self.seen).order_by("pk").values_list("pk", "keys"))
        for generation, text in rows:
            self._apply(generation, text.split())
        if rows:
            self.seen = rows[-1][0]
            self._checkpoints.append((now, self.seen))
            # A change may have moved a scheduled publication: read the schedule again when needed.
            self._schedule = None
        self._forget_older_than(now - window)

    def _apply(self, generation: int, keys: Iterable[str]) -> None:
        purged = self.purged
        for key in keys:
            if purged.get(key, 0) < generation:
                purged[key] = generation
        self.newest = max(self.newest, generation)

    def _forget_older_than(self, horizon: float) -> None:
        """Raise the floor to what was read before ``horizon``: every page made earlier has expired."""
        while self._checkpoints and self._checkpoints[0][0] < horizon:
            self.floor = max(self.floor, self._checkpoints.popleft()[1])
        if len(self.purged) > 10_000:
            self.purged = {
                key: generation for key, generation in self.purged.items() if generation > self.floor
            }


# The value a Remembered or RememberedValues keeps.
Value = TypeVar("Value")


class Remembered(Generic[Value]):
    """A value read from the database, kept by this process until a purge names one of its keys."""

    def __init__(self, load: Callable[[], Value], keys: Iterable[str]) -> None:
        self.load = load
        self.keys = frozenset(keys)
        self._held: tuple[int, Value] | None = None
        freshness._remembered.add(self)

    def forget(self) -> None:
        self._held = None

    def get(self) -> Value:
        """Return the value, read again when it may have changed."""
        generation = freshness.generation()
        held = self._held
        if held is not None and freshness.is_fresh(held[0], self.keys):
            return held[1]
        value = self.load()
        self._held = (generation, value)
        return value


class RememberedValues(Generic[Value]):
    """Values read from the database under names (a listing's size, say), each kept by this process
    until a purge names one of the keys it was kept with, or a scheduled publication that changes
    one of them comes due; at most ``most`` of them at once."""

    def __init__(self, most: int = 10_000) -> None:
        self.most = most
        self._lock = threading.Lock()
        self._held: dict[str, tuple[int, frozenset[str], float, Value]] = {}
        freshness._remembered.add(self)

    def forget(self) -> None:
        with self._lock:
            self._held = {}

    def get(self, name: str) -> Value | None:
        """Return the value kept under ``name``, or None when there is none or it may have changed."""
        held = self._held.get(name)
        if held is None:
            return None
        generation, keys, expires, value = held
        return value if time.time() < expires and freshness.is_fresh(generation, keys) else None

    def keep(self, name: str, value: Value, keys: Iterable[str], generation: int) -> None:
        """Keep ``value`` under ``name``: read at ``generation`` (``freshness.generation()``, taken
        before the read), it changes with the things ``keys`` name."""
        keys, now = frozenset(keys), time.time()
        try:
            # No purge announces a scheduled publication: the value expires when one changes it.
            expires = freshness.expiry(
                keys, now, now + settings.NEWSROOM_PAGE_CACHE_SECONDS + WINDOW_MARGIN_SECONDS
            )
        except (DatabaseError, InterfaceError):  # the schedule cannot be read: keep nothing
            return
        with self._lock:
            if len(self._held) >= self.most and name not in self._held:
                # Stale values go first; a table full of fresh ones starts over.
                self._held = {
                    held_name: held
                    for held_name, held in self._held.items()
                    if now < held[2] and freshness.is_fresh(held[0], held[1])
                }
                if len(self._held) >= self.most:
                    self._held = {}
            self._held[name] = (generation, keys, expires, value)


freshness = Freshness()
