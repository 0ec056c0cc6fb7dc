"""Django's Redis cache backend, keeping one Redis client per connection pool, and a near
cache in front of it for the reader pages (``NearCachedRedisCache``).

Django's ``RedisCacheClient.get_client()`` builds a new ``redis.Redis`` for every
cache call; its constructor (response-callback tables) costs more than the
round trip itself, about 0.4 ms a call on our 2-CPU machine, which is a third of
serving a cached page. The client is thread-safe and the pool stays Django's.
"""

import os
from collections import OrderedDict

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


class NearCache:
    """This process's copies of Redis values under some key prefixes, each kept only while Redis
    holds the same value.

    A dedicated connection asks Redis to report every change to a key under the prefixes
    (server-assisted client-side caching: ``CLIENT TRACKING ON BCAST``, RESP3, Redis 6 or later).
    Before each lookup the reports already received are read without waiting, and the copies
    they name are dropped. Redis writes a report before it answers the write that caused it, so
    a read that follows a write (another worker publishing, then a reader's request) never finds
    the old copy. When the connection fails, every copy is dropped and reads go to Redis until
    it is back.
    """

    def __init__(self, location: str, prefixes: list[str], max_bytes: int) -> None:
        self._location = location
        self.prefixes = tuple(prefixes)
        self._max_bytes = max_bytes
        self._copies: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._size = 0
        self._connection = None
        self._pid = os.getpid()

    def covers(self, key: str) -> bool:
        return key.startswith(self.prefixes)

    def lookup_many(self, keys: list[str]) -> dict[str, object]:
        """Return the current copies of those of ``keys`` this process holds."""
        if not self._listening():
            return {}
        found = {}
        for key in keys:
            copy = self._copies.get(key)
            if copy is not None:
                self._copies.move_to_end(key)
                found[key] = copy[0]
        return found

    def keep(self, key: str, value: object, size: int) -> None:
        """Keep ``value``, just read from Redis, evicting the least recently used copies over the limit."""
        if self._connection is None or size > self._max_bytes:
            return
        self.forget(key)
        self._copies[key] = (value, size)
        self._size += size
        while self._size > self._max_bytes:
            _, (_, evicted) = self._copies.popitem(last=False)
            self._size -= evicted

    def forget(self, key: str) -> None:
        copy = self._copies.pop(key, None)
        if copy is not None:
            self._size -= copy[1]

    def forget_all(self) -> None:
        self._copies.clear()
        self._size = 0

    def _listening(self) -> bool:
        """Return whether Redis's reports are being received, after applying those waiting."""
        if self._pid != os.getpid():
            # A forked child: the parent's connection and copies are not this process's.
            self._connection, self._pid = None, os.getpid()
            self.forget_all()
        try:
            if self._connection is None:
                self._connection = self._connect()
            while self._connection.can_read(timeout=0):
                self._connection.read_response(push_request=True)
        except (redis.RedisError, OSError):
            self._disconnect()
            return False
        return True

    def _connect(self):
        connection = redis.ConnectionPool.from_url(self._location, protocol=3).make_connection()
        connection.connect()
        # The hook redis-py's own client-side cache uses for these reports.
        connection._parser.set_invalidation_push_handler(self._changed)
        prefixes = [part for prefix in self.prefixes for part in ("PREFIX", prefix)]
        connection.send_command("CLIENT", "TRACKING", "ON", "BCAST", *prefixes)
        if connection.read_response() not in (b"OK", "OK"):
            raise redis.RedisError("CLIENT TRACKING was refused")
        # Copies taken while nobody was listening may be stale.
        self.forget_all()
        return connection

    def _disconnect(self) -> None:
        if self._connection is not None:
            try:
                self._connection.disconnect()
            except (redis.RedisError, OSError):
                pass
        self._connection = None
        self.forget_all()

    def _changed(self, report: list) -> list:
        """Drop the copies of the keys Redis reports changed (``None``: the database was flushed)."""
        keys = report[1]
        if keys is None:
            self.forget_all()
        else:
            for key in keys:
                self.forget(key.decode() if isinstance(key, bytes) else key)
        return report


_MISSING = object()


class NearCachedRedisCache(ReusingRedisCache):
    """Redis cache answering reads of the keys under ``NEAR_CACHE_PREFIXES`` from this process's
    memory while Redis reports them unchanged (see ``NearCache``).

    A hit then costs a non-blocking poll of a socket rather than a round trip to Redis. Only for
    values that are never changed in place by their readers (they are shared, not copied):
    the publication epoch and the pages stored under it (``articles.caching``,
    ``articles.page_cache``), which also carry their own expiry times.

    OPTIONS: ``NEAR_CACHE_PREFIXES`` (list of keys' beginnings, before KEY_PREFIX is added) and
    ``NEAR_CACHE_MAX_BYTES`` (per process, default 32 MB).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        prefixes = options.pop("NEAR_CACHE_PREFIXES", ())
        max_bytes = options.pop("NEAR_CACHE_MAX_BYTES", 32 * 1024 * 1024)
        super().__init__(server, {**params, "OPTIONS": options})
        # Writes go to the first server; so do the reports of changes.
        self.near = NearCache(self._servers[0], [self.make_key(p) for p in prefixes], max_bytes)

    def get(self, key, default=None, version=None):
        found = self.get_many([key], version=version)
        return found.get(key, default)

    def get_many(self, keys, version=None):
        names = {self.make_and_validate_key(key, version=version): key for key in keys}
        covered = [name for name in names if self.near.covers(name)]
        copies = self.near.lookup_many(covered) if covered else {}
        found = {names[name]: value for name, value in copies.items()}
        wanted = [name for name in names if name not in copies]
        if wanted:
            client = self._cache.get_client(wanted[0])
            for name, raw in zip(wanted, client.mget(wanted), strict=True):
                if raw is None:
                    continue
                value = found[names[name]] = self._cache._serializer.loads(raw)
                if self.near.covers(name):
                    self.near.keep(name, value, len(raw) if isinstance(raw, bytes) else 64)
        return found

    def has_key(self, key, version=None):
        return self.get(key, _MISSING, version=version) is not _MISSING

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget(key, version)
        return super().add(key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget(key, version)
        super().set(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        self._forget(key, version)
        return super().touch(key, timeout, version)

    def delete(self, key, version=None):
        self._forget(key, version)
        return super().delete(key, version)

    def incr(self, key, delta=1, version=None):
        self._forget(key, version)
        return super().incr(key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        for key in data:
            self._forget(key, version)
        return super().set_many(data, timeout, version)

    def delete_many(self, keys, version=None):
        for key in keys:
            self._forget(key, version)
        super().delete_many(keys, version)

    def clear(self):
        self.near.forget_all()
        return super().clear()

    def _forget(self, key, version) -> None:
        # This process sees its own writes at once, before Redis's report of them arrives.
        self.near.forget(self.make_and_validate_key(key, version=version))
