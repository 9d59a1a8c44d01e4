"""Django's Redis cache, failing open: with Redis down, pages are built without it (slower).

Why a wrapper and not django-redis (``IGNORE_EXCEPTIONS``): django-redis would replace the
backend, its client and its pickling for one feature, and it logs every swallowed error
(a flood at hundreds of requests per second) and still tries Redis on every call. These
60 lines keep Django's own backend and add what an outage needs: after a failure Redis is
left alone for ``RETRY_SECONDS`` (a request then costs no connection attempt), and the
failure is logged once per ``LOG_INTERVAL`` with the number of calls that failed since.

A failed read is a miss, a failed write is dropped, ``add`` reports "not added". Callers
already treat the cache as optional: the content version starts a new one when it finds
none (kb/content_version.py), so nothing stale is served.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("carfaults.cache")


class ReusedRedisCacheClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` object for every cache call (get_client), and
    redis-py's constructor builds its table of about 180 response callbacks each time: about
    0.15 ms of Python per call (bench/profile_step.py), three to four calls per never-seen
    wizard step. A `redis.Redis` is thread-safe (each command takes a connection from the
    pool) and the pool handles forks (it checks the pid), so one client per pool is reused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache with one client per connection pool, whose ``clear()`` removes
    this site's keys (its ``KEY_PREFIX``) instead of the whole Redis database (Django's
    ``FLUSHDB``): another site, another test run or worker with its own prefix, or state
    kept under another prefix in the same database, is left alone."""

    CLEAR_BATCH = 500

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient

    def clear(self):
        if not self.key_prefix:
            return super().clear()
        client = self._cache.get_client(write=True)
        pattern = re.sub(r"([\\*?\[\]])", r"\\\1", self.key_prefix) + ":*"  # glob-escaped
        batch = []
        for key in client.scan_iter(match=pattern, count=self.CLEAR_BATCH):
            batch.append(key)
            if len(batch) >= self.CLEAR_BATCH:
                client.unlink(*batch)
                batch.clear()
        if batch:
            client.unlink(*batch)
        return True


RETRY_SECONDS = 5.0
LOG_INTERVAL = 60.0


class _Outage:
    """Per process and Redis: is it being left alone, and when was the failure last logged.

    One per process, shared by its threads (``outage_for``): Django makes a cache backend per
    thread, and an outage kept on the backend was noticed, waited for and logged by each
    thread on its own (12 log lines in one second, and a thread that had not met the timeout
    yet still paid for it)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.logged_at = -LOG_INTERVAL
        self.failures = 0

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.down_until = now + RETRY_SECONDS
            self.failures += 1
            if now - self.logged_at < LOG_INTERVAL:
                return
            self.logged_at, failures, self.failures = now, self.failures, 0
        logger.warning(
            "cache unavailable, serving without it",
            extra={"fields": {"error": str(error)[:200], "failures": failures}},
        )

    def is_down(self) -> bool:
        return time.monotonic() < self.down_until


_outages: dict[tuple[str, ...], _Outage] = {}
_outages_lock = threading.Lock()


def outage_for(servers) -> _Outage:
    """This process's outage state for the Redis at ``servers`` (a cache's locations)."""
    with _outages_lock:
        return _outages.setdefault(tuple(servers), _Outage())


def _fail_open(name: str, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        if self.outage.is_down():
            return fallback(args, kwargs)
        try:
            return method(self, *args, **kwargs)
        except (RedisError, OSError) as error:
            self.outage.failed(error)
            return fallback(args, kwargs)

    call.__name__ = name
    call.__doc__ = method.__doc__
    return call


def _default(args, kwargs):
    # get(key, default=None, version=None)
    return kwargs.get("default", args[1] if len(args) > 1 else None)


class FailOpenRedisCache(RedisCache):
    """The project's cache backend: one client per pool, failing open."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self.outage = outage_for(self._servers)

    get = _fail_open("get", _default)
    get_many = _fail_open("get_many", lambda args, kwargs: {})
    has_key = _fail_open("has_key", lambda args, kwargs: False)
    add = _fail_open("add", lambda args, kwargs: False)
    set = _fail_open("set", lambda args, kwargs: None)
    set_many = _fail_open("set_many", lambda args, kwargs: [])
    touch = _fail_open("touch", lambda args, kwargs: False)
    delete = _fail_open("delete", lambda args, kwargs: False)
    delete_many = _fail_open("delete_many", lambda args, kwargs: None)
    # A counter that cannot be read counts as the first call (rate limits fail open too).
    incr = _fail_open("incr", lambda args, kwargs: kwargs.get("delta", (*args, 1, 1)[1]))
    clear = _fail_open("clear", lambda args, kwargs: False)

    def state(self) -> str:
        """Redis answers a PING now: "ok"; else "degraded" (pages are served without it)."""
        try:
            self._cache.get_client(write=False).ping()
        except (RedisError, OSError) as error:
            self.outage.failed(error)
            return "degraded"
        return "ok"


def cache_state(cache) -> str:
    state = getattr(cache, "state", None)
    return state() if state is not None else "ok"  # a local-memory cache cannot be down
