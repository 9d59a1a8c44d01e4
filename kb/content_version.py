"""One number that changes whenever the content changes.

It lives in the cache (shared Redis in production), so every web worker sees an edit at once
and reading it costs no SQL query. Compiled diagnosis content and public-page ETags key on it.
"""

import time

from django.core.cache import cache

KEY = "kb:content-version"
# What is built from the content (compiled diagnosis content, search results) also expires on
# its own: if an edit ever slipped past the version, it would show within this time.
COMPILED_TIMEOUT = 3600


# While the shared cache is down (config/cache.py) no process can see another's bump, and a
# version made up per call would rebuild the compiled content on every request (75 ms instead
# of 4 ms for a wizard step, measured). So each process keeps one for OUTAGE_SECONDS: an edit
# shows at once in the process that made it, in the others within that time.
OUTAGE_SECONDS = 5.0
_outage = {"version": "", "until": 0.0}


def _cache_down() -> bool:
    outage = getattr(cache, "outage", None)
    return outage is not None and outage.is_down()


def _outage_version(renew: bool = False) -> str:
    now = time.monotonic()
    if renew or now >= _outage["until"]:
        _outage["version"] = f"outage-{time.time_ns()}"
        _outage["until"] = now + OUTAGE_SECONDS
    return _outage["version"]


def content_version() -> str:
    version = cache.get(KEY)
    if version is None and _cache_down():
        return _outage_version()
    if version is None:
        # A fresh cache (restart, eviction) starts a new version, so nothing stale is served.
        version = str(time.time_ns())
        if not cache.add(KEY, version, timeout=None):
            version = cache.get(KEY, version)
    return version


def bump_content_version() -> str:
    version = str(time.time_ns())
    cache.set(KEY, version, timeout=None)
    if _cache_down():
        _outage_version(renew=True)
    return version
