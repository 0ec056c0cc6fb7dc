"""Purge the HTTP caches in front of the app (Varnish) when content readers see changes.

``surrogate_keys_purged`` (``articles.cache.invalidation``) is sent after the commit of every change
readers can see, in whichever app server made it, with the surrogate keys of the pages that
show what changed. For each node in ``NEWSROOM_HTTP_CACHE_PURGE_URLS`` this sends

    PURGE <path of the address>
    xkey: key1 key2 …

which ``deploy/varnish/newsroom.vcl`` answers by dropping every page tagged with any of the
keys. Nodes are purged in parallel, each with a short timeout
(``NEWSROOM_HTTP_CACHE_PURGE_TIMEOUT_SECONDS``). A node that cannot be reached, or refuses,
is logged (logger ``newsroom.http_purge``) and never fails the request or the change: the
change is committed, and the node's pages age out at their ``s-maxage``.

Each purge is sent once more ``NEWSROOM_HTTP_CACHE_REPURGE_SECONDS`` later, from a background
thread. Right after a commit another app server may still answer with a page the change made
stale, for as long as it takes to learn of the change (the page cache reads its purge log every
``NEWSROOM_CACHE_SYNC_SECONDS``); Varnish would store that answer as the fresh page. The second
purge removes it, and Varnish stores nothing fetched before a purge (``newsroom.vcl``), so after
it every stored page was fetched from a server that knew of the change.
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from django.conf import settings
from django.dispatch import receiver

from articles.cache.invalidation import surrogate_keys_purged

logger = logging.getLogger("newsroom.http_purge")

KEYS_HEADER = "xkey"
# Varnish refuses request headers past http_req_hdr_len (8 KiB by default): longer key lists
# go in several PURGE requests.
MAX_KEYS_HEADER_LENGTH = 4000
# What a key may hold: printable ASCII but the comma (xkey splits keys on spaces and commas).
VALID_KEY = re.compile(r"^[\x21-\x2b\x2d-\x7e]+$")


@receiver(surrogate_keys_purged, dispatch_uid="articles.cache.http_purge.purge_http_caches")
def purge_http_caches(sender, keys: Iterable[str] = (), **kwargs) -> None:
    """Purge ``keys`` from every configured HTTP cache node; log, never raise, on failure."""
    if not settings.NEWSROOM_HTTP_CACHE_PURGE_URLS or not keys:
        return
    keys = frozenset(keys)
    purge_everywhere(keys)
    if settings.NEWSROOM_HTTP_CACHE_REPURGE_SECONDS > 0:
        repurges.schedule(keys, settings.NEWSROOM_HTTP_CACHE_REPURGE_SECONDS)


def purge_everywhere(keys: frozenset[str]) -> None:
    """Purge ``keys`` from every configured node at once; log, never raise, on failure."""
    nodes = settings.NEWSROOM_HTTP_CACHE_PURGE_URLS
    try:
        headers = key_headers(keys)
        requests = [(node, header) for header in headers for node in nodes]
        if len(requests) == 1:
            purge(*requests[0])
        elif requests:
            with ThreadPoolExecutor(max_workers=min(len(requests), 8)) as pool:
                list(pool.map(lambda request: purge(*request), requests))
    except Exception:  # a bug here must not undo or fail an editor's committed change
        logger.exception("Purging the HTTP caches failed", extra={"keys": sorted(keys)})


class Repurges:
    """Purges to send again later, by one background thread per process; those due together go together."""

    # Purges due within this many seconds of each other are sent as one.
    GATHER_SECONDS = 0.05

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._due: list[tuple[float, int, frozenset[str]]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._process = 0

    def schedule(self, keys: frozenset[str], delay: float) -> None:
        """Purge ``keys`` again in ``delay`` seconds."""
        with self._condition:
            heapq.heappush(self._due, (time.monotonic() + delay, next(self._order), keys))
            # A forked worker inherits the object but not the thread.
            if self._thread is None or self._process != os.getpid() or not self._thread.is_alive():
                self._process = os.getpid()
                self._thread = threading.Thread(target=self._run, name="newsroom-repurge", daemon=True)
                self._thread.start()
            self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._condition.wait(self._due[0][0] - time.monotonic() if self._due else None)
                horizon = time.monotonic() + self.GATHER_SECONDS
                keys: set[str] = set()
                while self._due and self._due[0][0] <= horizon:
                    keys |= heapq.heappop(self._due)[2]
            purge_everywhere(frozenset(keys))


repurges = Repurges()


def key_headers(keys: Iterable[str]) -> list[str]:
    """Return the ``xkey`` header values naming ``keys``, each short enough for Varnish."""
    valid = []
    for key in sorted(set(keys)):
        if VALID_KEY.match(key):
            valid.append(key)
        else:
            logger.error("Surrogate key %r cannot be purged: keys are ASCII without spaces or commas", key)
    headers, current = [], ""
    for key in valid:
        if current and len(current) + 1 + len(key) > MAX_KEYS_HEADER_LENGTH:
            headers.append(current)
            current = ""
        current = f"{current} {key}" if current else key
    if current:
        headers.append(current)
    return headers


def purge(node: str, keys_header: str) -> bool:
    """Send one PURGE of ``keys_header`` to the cache node at ``node``; return whether it was done."""
    address = urlsplit(node)
    if not address.hostname:
        logger.error("Could not purge %s: the address names no host", node, extra={"cache_node": node})
        return False
    connection_class = (
        http.client.HTTPSConnection if address.scheme == "https" else http.client.HTTPConnection
    )
    timeout = settings.NEWSROOM_HTTP_CACHE_PURGE_TIMEOUT_SECONDS
    connection = connection_class(address.hostname, address.port, timeout=timeout)
    try:
        connection.request("PURGE", address.path or "/", headers={KEYS_HEADER: keys_header})
        response = connection.getresponse()
        body = response.read(500)
    except (OSError, http.client.HTTPException) as error:
        logger.error(
            "Could not purge %s: %s",
            node,
            error or type(error).__name__,
            extra={"cache_node": node, "keys": keys_header},
        )
        return False
    finally:
        connection.close()
    if response.status != 200:
        logger.error(
            "Cache node %s refused the purge: %s %s",
            node,
            response.status,
            response.reason or body.decode("latin-1", "replace"),
            extra={"cache_node": node, "keys": keys_header},
        )
        return False
    logger.debug("Purged %s from %s: %s", keys_header, node, response.reason)
    return True
