"""One number that changes whenever the content changes.

It lives in the cache (shared Redis in production), so every web worker sees an edit at once
and reading it costs no SQL query. Compiled diagnosis content and public-page ETags key on it.
"""

import time

from django.conf import settings
from django.core.cache import cache

KEY = "kb:content-version"
# What is built from the content (compiled diagnosis content, search results) also expires on
# its own: if an edit ever slipped past the version, it would show within this time.
COMPILED_TIMEOUT = 3600


# While the shared cache is down (config/cache.py) no process can read the version. Each keeps
# using the last one it knew (read or bumped), so its cached pages and compiled problems keep
# serving: with PostgreSQL down too they are all there is (before: a made-up "outage-…" version
# missed all of them, and a one-second Redis stall during a database outage gave 503s). An edit
# made during the outage shows at once in the process that made it (bump_content_version) and
# is written to the shared cache as a new version when it answers again, so no other process
# keeps a page from before the edit. A process that never read a version makes up one, once.
# The last version known is _local's (below), kept after its time runs out.
_unshared = {"bump": False}  # bumped here while the shared cache was down


def _cache_down() -> bool:
    outage = getattr(cache, "outage", None)
    return outage is not None and outage.is_down()


# Each process keeps the version it read for CONTENT_VERSION_LOCAL_SECONDS (1 s): a Redis round
# trip on every request cost a cached page half its throughput (docs/performance.md). An edit
# shows at once in the process that made it (bump_content_version sets the copy), in the
# others within that time. 0 reads the shared cache every time.
_local = {"version": "", "until": 0.0}


def content_version() -> str:
    now = time.monotonic()
    if now < _local["until"]:
        return _local["version"]
    version = _shared_version()
    _local["version"], _local["until"] = version, now + settings.CONTENT_VERSION_LOCAL_SECONDS
    return version


def forget_local_version() -> None:
    """For tests that change the shared version from outside this process (or flush it)."""
    _local.update(version="", until=0.0)
    _unshared["bump"] = False


def _shared_version() -> str:
    version = cache.get(KEY)
    if version is None and _cache_down():
        return _local["version"] or f"outage-{time.time_ns()}"
    if _unshared["bump"]:
        # bumped here while the cache was down: the shared version predates that edit
        version = bump_content_version()
        if not _cache_down():
            _unshared["bump"] = False
        return version
    if version is None:
        # A fresh cache (restart, eviction) starts a new version, so nothing stale is served.
        version = str(time.time_ns())
        if not cache.add(KEY, version, timeout=None):
            version = cache.get(KEY, version)
    return version


def bump_content_version() -> str:
    version = str(time.time_ns())
    cache.set(KEY, version, timeout=None)
    _local["version"] = version
    _local["until"] = time.monotonic() + settings.CONTENT_VERSION_LOCAL_SECONDS
    if _cache_down():
        _unshared["bump"] = True  # the set above was dropped: write it once the cache is back
    return version
