"""Usage counters: counted in the cache by requests, written to the database by a flush.

A wizard step never writes to the database: ``count`` adds to counters in the cache, and
``flush`` (``manage.py flush_usage``, from cron or the compose service ``usage-flush``) moves
them into ``DailyCount`` rows. Counters are per day (UTC).

With Redis (``REDIS_URL``) each day is one Redis hash, ``usage:<day>`` under the cache's key
prefix, whose fields are the events (usage/events.py) and whose values are counts: a step is
one round trip (``HINCRBY`` per event, pipelined, and an ``EXPIRE`` so a day nobody flushes
goes away after ``KEEP_DAYS``). A hash rather than one ``INCR`` key per event because the
flush must find every counter: it renames the day's hash away atomically (a Lua script: new
steps start a new hash at once), writes it to the database, and deletes it. The renamed hash
is listed in ``usage:staged`` until its counts are committed, together with its name in
``FlushedBatch``: a flush that dies after the commit does not add the batch again, one that
dies before it leaves the batch for the next flush. Redis down: counts are dropped (the
project's cache fails open, web/cache.py), never an error for the owner.

Without Redis (local memory, development and tests) each counter is a cache key, counted with
``cache.incr`` and an ``add`` on the first count; the keys are remembered in this process,
so only a flush in the same process finds them (the dashboard's "Write the counts now").

A request does not wait for the cache either: ``count`` adds to a dict in this process, and
a timer thread pushes the dict to the cache ``USAGE_PUSH_SECONDS`` later (1 s; one pipeline
for everything counted meanwhile), and at exit. A round trip per request cost a step served
from the page cache a fifth of its throughput (bench/usage_counters.py); a worker killed
outright loses at most that second of counts. ``USAGE_PUSH_SECONDS=0`` pushes at once (tests).
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import logging
import threading
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from redis.exceptions import RedisError

from .events import decode, encode
from .models import DailyCount, FlushedBatch

logger = logging.getLogger("carfaults.usage")

# A day's counters not flushed within this many days expire (Redis) and are not looked for.
KEEP_DAYS = 14
KEEP_SECONDS = (KEEP_DAYS + 1) * 24 * 3600
EVENT_FIELDS = ("kind", "problem", "generation", "question", "answer", "fault")

# Counters written by an earlier flush but not yet committed, by their Redis key.
_STAGE = """
if redis.call('exists', KEYS[1]) == 1 then
  redis.call('rename', KEYS[1], KEYS[2])
  redis.call('persist', KEYS[2])
  redis.call('sadd', KEYS[3], KEYS[2])
  return 1
end
return 0
"""

# Without Redis: the cache keys this process counted, with their day and event.
_local_keys: dict[str, tuple[dt.date, str]] = {}
_local_lock = threading.Lock()


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def backend():
    """The ``state`` cache: counts are not evicted by page-cache pressure (config/settings.py)."""
    return caches["state"]


def uses_redis(cache=None) -> bool:
    return isinstance(cache or backend(), RedisCache)


# Counted in this process, not yet in the cache: (day, event field) -> n.
_buffer: dict[tuple[dt.date, str], int] = {}
_buffer_lock = threading.Lock()
_timer: threading.Timer | None = None


def count(events, day: dt.date | None = None) -> None:
    """Add 1 to each event's counter for the day (today, UTC). Never touches the database;
    reaches the cache within USAGE_PUSH_SECONDS (see the module docstring)."""
    global _timer
    if not events:
        return
    day = day or today()
    delay = getattr(settings, "USAGE_PUSH_SECONDS", 1.0)
    with _buffer_lock:
        for item in events:
            key = (day, encode(item))
            _buffer[key] = _buffer.get(key, 0) + 1
        if delay > 0 and _timer is None:
            # this thread's cache: Django's caches are per thread, and one made in the timer's
            # thread would open a Redis connection pool of its own for each push
            _timer = threading.Timer(delay, push, kwargs={"cache": backend()})
            _timer.daemon = True
            # Started under the lock: a push() from another thread (the timer itself, a
            # flush) sets _timer to None under the same lock, so it cannot run between
            # making the timer and starting it (a None.start() once, in a request thread).
            _timer.start()
    if delay <= 0:
        push()


def push(cache=None) -> None:
    """Move this process's buffered counts into the cache (one pipeline with Redis)."""
    global _timer
    with _buffer_lock:
        taken = dict(_buffer)
        _buffer.clear()
        _timer = None
    if not taken:
        return
    cache = cache or backend()
    if uses_redis(cache):
        _redis_count(cache, taken)
    else:
        _cache_count(cache, taken)


atexit.register(push)


def _redis_count(cache, taken: dict[tuple[dt.date, str], int]) -> None:
    outage = getattr(cache, "outage", None)
    if outage is not None and outage.is_down():
        return
    try:
        pipe = cache._cache.get_client(write=True).pipeline(transaction=False)
        days = set()
        for (day, field), number in taken.items():
            key = cache.make_key(f"usage:{day.isoformat()}")
            pipe.hincrby(key, field, number)
            days.add(key)
        for key in days:
            pipe.expire(key, KEEP_SECONDS)
        pipe.execute()
    except (RedisError, OSError) as error:
        if outage is None:
            raise
        outage.failed(error)


def _local_key(day: dt.date, field: str) -> str:
    return f"usage:{day.isoformat()}:{hashlib.md5(field.encode()).hexdigest()}"


def _cache_count(cache, taken: dict[tuple[dt.date, str], int]) -> None:
    for (day, field), number in taken.items():
        key = _local_key(day, field)
        _local_keys[key] = (day, field)
        try:
            cache.incr(key, number)
        except ValueError:  # the first count of the day: no counter yet
            if not cache.add(key, number, timeout=KEEP_SECONDS):
                cache.incr(key, number)  # another thread added it just now


def pending() -> dict[tuple[dt.date, tuple], int]:
    """The counts not yet flushed, by (day, event), read without taking them (this process's
    buffer is pushed to the cache first)."""
    push()
    cache = backend()
    found: dict[tuple[dt.date, tuple], int] = defaultdict(int)
    if uses_redis(cache):
        client = cache._cache.get_client(write=False)
        names = [cache.make_key(f"usage:{day.isoformat()}") for day in _days()]
        staged = [name.decode() for name in client.smembers(cache.make_key("usage:staged"))]
        for name in names + staged:
            day = _day_of(name)
            for field, value in client.hgetall(name).items():
                found[(day, decode(field.decode()))] += int(value)
    else:
        for key, (day, field) in list(_local_keys.items()):
            value = cache.get(key)
            if value:
                found[(day, decode(field))] += value
    return dict(found)


def flush(day: dt.date | None = None) -> dict[str, int]:
    """Move every counter from the cache into DailyCount rows; returns what it wrote.

    Idempotent: what it takes from the cache is gone from there once committed, so a second
    run right after writes nothing (and a batch committed once is never added again)."""
    push()
    cache = backend()
    if uses_redis(cache):
        return _redis_flush(cache, day or today())
    return _cache_flush(cache)


def _days(last: dt.date | None = None) -> list[dt.date]:
    last = last or today()
    return [last - dt.timedelta(days=offset) for offset in range(KEEP_DAYS + 1)]


def _day_of(redis_key: str) -> dt.date:
    # "<prefix>:<version>:usage:<day>" or "...:usage:staged:<day>:<batch>"
    tail = redis_key.split(":usage:", 1)[1].removeprefix("staged:")
    return dt.date.fromisoformat(tail.split(":", 1)[0])


def _redis_flush(cache, last_day: dt.date) -> dict[str, int]:
    client = cache._cache.get_client(write=True)
    index = cache.make_key("usage:staged")
    for day in _days(last_day):
        staged = cache.make_key(f"usage:staged:{day.isoformat()}:{uuid.uuid4().hex}")
        client.eval(_STAGE, 3, cache.make_key(f"usage:{day.isoformat()}"), staged, index)
    written = {"batches": 0, "events": 0, "rows": 0}
    for raw in sorted(client.smembers(index)):
        name = raw.decode()
        counts = {
            decode(field.decode()): int(value) for field, value in client.hgetall(name).items()
        }
        with transaction.atomic():
            if not FlushedBatch.objects.filter(name=name).exists():
                FlushedBatch.objects.create(name=name)
                rows = _add(_day_of(name), counts)
                written["batches"] += 1
                written["events"] += sum(counts.values())
                written["rows"] += rows
        client.delete(name)
        client.srem(index, name)
    return written


def _cache_flush(cache) -> dict[str, int]:
    taken: list[tuple[str, int]] = []
    by_day: dict[dt.date, dict[tuple, int]] = defaultdict(dict)
    with _local_lock:
        for key, (day, field) in list(_local_keys.items()):
            value = cache.get(key)
            if value is None:
                _local_keys.pop(key, None)
            elif value:
                by_day[day][decode(field)] = value
                taken.append((key, value))
        rows = 0
        with transaction.atomic():
            for day, counts in by_day.items():
                rows += _add(day, counts)
        for key, value in taken:  # counts added meanwhile stay for the next flush
            try:
                cache.decr(key, value)
            except ValueError:
                _local_keys.pop(key, None)
    events = sum(value for _, value in taken)
    return {"batches": int(bool(taken)), "events": events, "rows": rows}


def _add(day: dt.date, counts: dict[tuple, int]) -> int:
    """Add counts to the day's rows (inside the caller's transaction); returns rows touched."""
    existing = {
        tuple(getattr(row, name) for name in EVENT_FIELDS): row
        for row in DailyCount.objects.select_for_update().filter(day=day)
    }
    changed, new = [], []
    for item, number in counts.items():
        row = existing.get(item)
        if row is not None:
            row.count += number
            changed.append(row)
        else:
            new.append(
                DailyCount(day=day, count=number, **dict(zip(EVENT_FIELDS, item, strict=True)))
            )
    DailyCount.objects.bulk_update(changed, ["count"])
    DailyCount.objects.bulk_create(new)
    return len(changed) + len(new)


def enabled() -> bool:
    return getattr(settings, "USAGE_COUNTING", True)
