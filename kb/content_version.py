"""Version numbers that change whenever the content changes: one for the site, one per scope.

They live in the cache (shared Redis in production), so every web worker sees an edit at once
and reading them costs no SQL query. Compiled diagnosis content, cached pages and their ETags
key on them.

What keys on what (docs/performance.md, "Versions per problem"):

- the **site** version is in every key; it moves only with what every page shows (a make, the
  rate levels and fault groups, safety warnings, a restore or a fixture load);
- a **problem** scope (``problem_scope``) moves when that problem's content, learning or
  counts change: its compiled content and its pages (problem, fault, wizard) key on it;
- a **model** scope (``model_scope``) moves when anything of that model changes: its page,
  FAQ, procedure and generation pages key on it;
- the **listing** scope moves with every change outside the site version: the pages that
  list problems across models (home, sitemap, search results) key on it.

kb/scopes.py decides which scopes a change retires; an edit of one problem thus retires its
own pages and content, its model's pages and the listing pages, nothing else.
"""

import time

from django.conf import settings
from django.core.cache import cache

KEY = "kb:content-version"  # the site's version; a scope's is KEY + ":" + scope
SITE = "site"
LISTING = "listing"
# What is built from the content (compiled diagnosis content, search results) also expires on
# its own: if an edit ever slipped past the version, it would show within this time.
COMPILED_TIMEOUT = 3600
# A scope's version is made up on its first read, also for slugs no problem has (any URL can
# name one): it expires, so those do not pile up in the cache. An expired version is replaced
# by a new one, which retires what keyed on it: never stale, at worst a miss a day.
SCOPE_TIMEOUT = 24 * 3600
# The versions this process keeps (below) are one per scope read; a flood of made-up slugs
# empties the table rather than growing it.
LOCAL_SCOPES_LIMIT = 10_000


def problem_scope(model_slug: str, problem_slug: str) -> str:
    return f"problem:{model_slug}/{problem_slug}"


def model_scope(model_slug: str) -> str:
    return f"model:{model_slug}"


def _key(scope: str) -> str:
    return KEY if scope == SITE else f"{KEY}:{scope}"


# While the shared cache is down (web/cache.py) no process can read a version. Each keeps
# using the last one it knew (read or bumped), so its cached pages and compiled problems keep
# serving: with PostgreSQL down too they are all there is (before: a made-up "outage-…" version
# missed all of them, and a one-second Redis stall during a database outage gave 503s). An edit
# made during the outage shows at once in the process that made it (bump_content_version) and
# is written to the shared cache as a new version when it answers again, so no other process
# keeps a page from before the edit. A process that never read a version makes up one, once.
# The last version known is _local's (below), kept after its time runs out.
_unshared: set[str] = set()  # scopes bumped here while the shared cache was down


def _cache_down() -> bool:
    outage = getattr(cache, "outage", None)
    return outage is not None and outage.is_down()


# Each process keeps the versions it read for CONTENT_VERSION_LOCAL_SECONDS (1 s): a Redis
# round trip on every request cost a cached page half its throughput (docs/performance.md). An
# edit shows at once in the process that made it (bump_content_version sets the copy), in the
# others within that time. 0 reads the shared cache every time.
_local: dict[str, tuple[str, float]] = {}  # scope -> (version, until)


def content_version(*scopes: str) -> str:
    """The site's version, then each scope's, in one string: what a key or an ETag names.
    The versions not known here are read in one round trip."""
    scopes = (SITE, *scopes)
    now = time.monotonic()
    stale = [scope for scope in scopes if _local.get(scope, ("", 0.0))[1] <= now]
    if stale:
        if len(_local) > LOCAL_SCOPES_LIMIT:
            _keep_only_the_site_version()
        until = now + settings.CONTENT_VERSION_LOCAL_SECONDS
        for scope, version in _shared_versions(stale).items():
            _local[scope] = (version, until)
    return ".".join(_local[scope][0] for scope in scopes)


def _keep_only_the_site_version() -> None:
    site = _local.get(SITE)
    _local.clear()
    if site is not None:
        _local[SITE] = site


def forget_local_version() -> None:
    """For tests that change the shared versions from outside this process (or flush them)."""
    _local.clear()
    _unshared.clear()


def _shared_versions(scopes: list[str]) -> dict[str, str]:
    if _unshared and not _cache_down():
        # bumped here while the cache was down: the shared versions predate those edits
        bump_content_version(*_unshared)
        if not _cache_down():
            _unshared.clear()
    found = cache.get_many([_key(scope) for scope in scopes])
    versions = {}
    for scope in scopes:
        version = found.get(_key(scope))
        if version is None and _cache_down():
            version = _local.get(scope, ("", 0.0))[0] or f"outage-{time.time_ns()}"
        elif version is None:
            # A fresh cache (restart, eviction) starts a new version, so nothing stale is served.
            version = str(time.time_ns())
            if not cache.add(_key(scope), version, timeout=_timeout(scope)):
                version = cache.get(_key(scope), version)
        versions[scope] = version
    return versions


def _timeout(scope: str) -> int | None:
    return None if scope == SITE else SCOPE_TIMEOUT


def bump_content_version(*scopes: str) -> str:
    """Retire what keys on these scopes (none named: the site's version, so everything)."""
    scopes = scopes or (SITE,)
    version = str(time.time_ns())
    until = time.monotonic() + settings.CONTENT_VERSION_LOCAL_SECONDS
    if SITE in scopes:
        cache.set(KEY, version, timeout=None)
    others = {_key(scope): version for scope in scopes if scope != SITE}
    if others:
        cache.set_many(others, timeout=SCOPE_TIMEOUT)
    for scope in scopes:
        _local[scope] = (version, until)
    if _cache_down():
        _unshared.update(scopes)  # the writes above were dropped: write them once it is back
    return version
