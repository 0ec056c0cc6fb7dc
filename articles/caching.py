"""Full-page caching of public pages for anonymous readers, correct under publishing and scheduling.

Every cached page belongs to a *publication epoch*: the moment the content
readers can see last changed. The epoch changes

- when an article, byline, tag, category or author is saved or deleted: the
  signals in ``articles.signals`` call ``content_changed()`` once the
  transaction commits, which forgets the current epoch;
- when the next scheduled article's time comes: the epoch remembers that time
  (``next_at``), and the first request after it starts a new epoch, equal to
  that time. A scheduled article therefore never waits for a cache to expire,
  and no cached page outlives the moment it became stale.

A page stored under an older epoch is never served. The epoch also gives the
``ETag`` and ``Last-Modified`` of each page, so conditional GETs cost no
database query. The epoch also carries what every page shows alike (the
section navigation), read once when it starts. ``articles.page_cache`` stores
and serves the pages themselves.

With the local-memory cache (the default) each process has its own epoch. So
that an edit made through one process (an admin save) reaches the pages cached
by the others (gunicorn's other workers), ``content_changed()`` also touches a
marker file in NEWSROOM_DATA_DIR, and every process starts a new epoch when
the file is newer than its own: one ``stat()`` a request. Redis, shared by all
processes, needs no marker.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

STATE_KEY = "newsroom:publication-epoch"
MARKER_NAME = "publication-epoch.changed"


@dataclass(frozen=True)
class Epoch:
    """When public content last changed (``started``), when it next changes by itself (``next_at``),
    and what every page of the epoch shows alike: the sections ``[(name, url)]`` for the navigation."""

    started: float
    next_at: float | None
    sections: tuple[tuple[str, str], ...] = ()

    @property
    def token(self) -> str:
        """Return a short text naming this epoch, for cache keys and ETags."""
        return f"{self.started:.6f}"

    def seconds_left(self, now: float, limit: float | None = None) -> float:
        """Return how long a page made now may be kept: ``limit`` (the page-cache time) or less,
        until the next scheduled article appears."""
        limit = float(settings.NEWSROOM_PAGE_CACHE_SECONDS if limit is None else limit)
        if self.next_at is not None:
            limit = min(limit, self.next_at - now)
        return max(limit, 0.0)


def _new_epoch(started: float) -> Epoch:
    from articles.models import Article, Category  # the models import this module's signals

    upcoming = Article.objects.next_publication_time()
    sections = tuple(
        (category.name, category.get_absolute_url())
        for category in Category.objects.roots().order_by("sort_order", "path")
    )
    return Epoch(started=started, next_at=upcoming.timestamp() if upcoming else None, sections=sections)


def _marker() -> Path | None:
    """Return the file telling other processes' local-memory caches of a change, if one is needed."""
    if not settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache"):
        return None
    return Path(settings.DATA_DIR) / MARKER_NAME


def _marker_time() -> float:
    """Return when another process last changed content (the marker's time), 0 when unknown."""
    marker = _marker()
    if marker is None:
        return 0.0
    try:
        return marker.stat().st_mtime
    except OSError:
        return 0.0


def current_epoch(stored: Epoch | None = None, now: float | None = None) -> Epoch:
    """Return the current epoch, starting a new one when content changed or a scheduled time passed."""
    now = time.time() if now is None else now
    epoch = stored if stored is not None else cache.get(STATE_KEY)
    changed_elsewhere = _marker_time()
    if epoch is not None and changed_elsewhere > epoch.started:
        cache.delete(STATE_KEY)
        epoch = None
    if epoch is not None and (epoch.next_at is None or epoch.next_at > now):
        return epoch
    if epoch is None:
        started = max(now, changed_elsewhere)
        # Processes racing here agree: add() keeps the first epoch written.
        cache.add(STATE_KEY, _new_epoch(started), None)
        return cache.get(STATE_KEY) or _new_epoch(started)
    # The scheduled article appeared at next_at: that is when the content changed.
    fresh = _new_epoch(epoch.next_at)
    cache.set(STATE_KEY, fresh, None)
    return fresh


def content_changed() -> None:
    """Start a new epoch: every cached page is stale from now on, in every process."""
    cache.delete(STATE_KEY)
    marker = _marker()
    if marker is not None:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
            # The same clock as the epochs' start times (time.time()), not the file system's.
            changed = time.time()
            os.utime(marker, (changed, changed))
        except OSError:  # a read-only data folder: this process still sees its own change
            pass


def request_epoch(request: HttpRequest) -> Epoch:
    """Return the epoch the request is served under (read once per request, one cache read)."""
    epoch = getattr(request, "publication_epoch", None)
    if epoch is None:
        epoch = request.publication_epoch = current_epoch()
    return epoch
