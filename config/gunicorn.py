"""Gunicorn configuration, read from the environment: `gunicorn -c config/gunicorn.py config.wsgi`.

Every value has a default that suits a small container; override with:

    GUNICORN_BIND (or PORT)        0.0.0.0:8000       address to listen on
    WEB_CONCURRENCY                2 x CPUs, max 8    worker processes
    GUNICORN_THREADS               4                  threads per worker (> 1: gthread worker,
                                                      which keeps connections alive)
    GUNICORN_TIMEOUT               30                 kill a worker silent this long (seconds)
    GUNICORN_GRACEFUL_TIMEOUT      30                 time to finish requests on a restart
    GUNICORN_KEEPALIVE             5                  idle keep-alive connection lifetime
    GUNICORN_MAX_REQUESTS          100000             recycle a worker after this many requests
                                                      (0: never)
    GUNICORN_MAX_REQUESTS_JITTER   10000              random spread, so workers don't recycle
                                                      all at once
    GUNICORN_PRELOAD               1                  import Django once in the master, then fork
                                                      (less memory, fast worker restarts)
    GUNICORN_ACCESS_LOG            off                off, or json: one JSON line per request
                                                      (the app logs one already: REQUEST_LOG)
    GUNICORN_LOG_LEVEL             info               gunicorn's own log level
    FORWARDED_ALLOW_IPS            127.0.0.1,::1      proxies trusted for X-Forwarded-*; * only
                                                      when nothing but your balancer reaches it
    GUNICORN_CONTROL_SOCKET        unset: none        path of gunicorn's control socket
"""

import gc
import json
import os
import time

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in {"1", "true", "yes", "on"}


def _cpus() -> int:
    # CPUs this process may run on (a container's cpuset), not the host's count.
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class JsonAccessLogger(Logger):
    """Access log as one JSON object per line (values escaped, unlike a format string)."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "logger": "gunicorn.access",
            "remote": environ.get("REMOTE_ADDR", "-"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": int(status) if str(status).isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "htmx": environ.get("HTTP_HX_REQUEST") == "true",
        }
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:  # never let logging break a response
            self.exception("access log failed")


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", min(2 * _cpus(), 8))
threads = _int("GUNICORN_THREADS", 4)  # > 1 selects the gthread worker (keep-alive capable)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# A recycled worker starts with an empty page layer (kb.middleware.HotPages: up to every
# state an owner can reach, read back from Redis one request at a time). At 5,000 a busy
# worker was recycled every few seconds and its layer never filled (docs/performance.md, "A hit
# against the floor, and the warm owner walk"). Every per-process table is bounded, so
# recycling is only a guard.
max_requests = _int("GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 10_000)
preload_app = _bool("GUNICORN_PRELOAD", True)

# Heartbeat files in memory: a container's disk-backed /tmp can stall workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# gunicorn's own messages go to stderr; the app logs JSON to stderr too (config/logging.py).
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
if os.environ.get("GUNICORN_ACCESS_LOG", "off").strip().lower() == "json":
    accesslog = "-"
    logger_class = JsonAccessLogger
else:
    accesslog = None

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn >= 25 opens a control socket under $HOME by default: two servers on one machine
# would share it, and a read-only container home cannot hold it. Only on request.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def post_fork(server, worker):
    """Everything the worker inherits (Django, the project's modules, its URL patterns and
    settings: about 125,000 objects the collector tracks) is moved out of the collector's
    reach: a full collection walks every tracked object, and in a worker it walked these too,
    about 0.25 s of CPU each time, once every 1,000-2,000 never-seen steps (issue 23, item 3:
    0.05-0.15 ms of CPU per htmx step on average; bench/profile_step.py does the same). It
    also keeps the collector from writing to the pages shared with the master."""
    gc.freeze()
