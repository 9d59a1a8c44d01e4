"""Django's per-request housekeeping that does nothing for this project, taken off the request.

Every request runs the receivers of ``request_started`` and ``request_finished``. Two of them
cost 10–12 µs of a 90 µs page-cache hit (issue 23, item 3; docs/performance.md) and have
nothing to do here:

- ``django.db.reset_queries`` empties each connection's query log. The log is filled only
  under DEBUG or while a test counts queries (``CaptureQueriesContext``, which takes this
  receiver off itself for its duration); it is a deque of at most 9,000 entries either way.
  Kept under DEBUG, where ``connection.queries`` is read per request.
- ``django.core.cache.close_caches`` calls ``close()`` on each cache used: a no-op for every
  backend in CACHES unless one overrides ``BaseCache.close`` (checked here, by class).

``close_old_connections`` stays: it ends database connections past ``CONN_MAX_AGE`` or broken.
"""

from django.conf import settings
from django.core import signals
from django.core.cache import close_caches
from django.core.cache.backends.base import BaseCache
from django.db import reset_queries
from django.utils.module_loading import import_string


def caches_need_closing() -> bool:
    backends = (import_string(alias["BACKEND"]) for alias in settings.CACHES.values())
    return any(backend.close is not BaseCache.close for backend in backends)


def take_off_idle_receivers() -> list[str]:
    """Disconnect the receivers this configuration does not need; returns their names."""
    removed = []
    if not settings.DEBUG and signals.request_started.disconnect(reset_queries):
        removed.append("reset_queries")
    if not caches_need_closing() and signals.request_finished.disconnect(close_caches):
        removed.append("close_caches")
    return removed
