"""Fixed-window rate limits, counted in the ``state`` cache (never evicted by page-cache
pressure: config/settings.py).

``take`` counts the request first and then decides, in one atomic step (``incr`` on Redis and
on the local-memory cache alike), so requests racing from one client cannot all pass the last
free place, as a read-then-add did (bench/safety_probes.py: 10 to 12 reports through a limit
of 5). ``give_back`` returns a place a request turned out not to use (a report refused for a
bad token or an invalid form costs its sender nothing). Without the cache (Redis down) the
count fails open: better unlimited than unavailable.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

from django.core.cache import caches


@dataclass(frozen=True)
class Taken:
    allowed: bool
    retry_after: int  # seconds until the window ends
    key: str


def take(name: str, subject: str, limit: int, window: int) -> Taken:
    """Count one request of ``subject`` (a client) against ``limit`` per ``window`` seconds."""
    now = int(time.time())
    key = f"rate:{name}:{subject or 'unknown'}:{now // window}"
    counters = caches["state"]
    counters.add(key, 0, timeout=window + 1)
    try:
        count = counters.incr(key)
    except ValueError:  # expired between add and incr: a new window
        count = 1
    taken = Taken(count <= limit, window - now % window, key)
    if not taken.allowed:
        _uncount(key)  # a refused request holds no place: the count stays at the limit
    return taken


def give_back(taken: Taken) -> None:
    """Undo a ``take`` whose request was not used."""
    if taken.allowed:
        _uncount(taken.key)


def _uncount(key: str) -> None:
    with contextlib.suppress(ValueError):  # the window ended meanwhile
        caches["state"].decr(key)
