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


def content_version() -> str:
    version = cache.get(KEY)
    if version is None:
        # A fresh cache (restart, eviction) starts a new version, so nothing stale is served.
        version = str(time.time_ns())
        if not cache.add(KEY, version, timeout=None):
            version = cache.get(KEY, version)
    return version


def bump_content_version() -> str:
    version = str(time.time_ns())
    cache.set(KEY, version, timeout=None)
    return version
