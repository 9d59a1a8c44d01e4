"""Issue 19's probes, rerun by hand as an operator would: a report burst, a junk-URL flood, and
the database down with a Redis stall on top. Each prints what it ran and what came back.

    .venv/bin/python bench/safety_probes.py                     # all three
    .venv/bin/python bench/safety_probes.py --probe burst --db postgres
    .venv/bin/python bench/safety_probes.py --probe flood -n 2000

Every probe prepares a temporary site (bench/_server.py: migrated, content loaded, its own key
prefix, dropped afterwards) and starts gunicorn as in production (2 workers, DEBUG off,
PROXY_COUNT=1 so the last X-Forwarded-For entry is the client, as behind compose's nginx).
Nothing is asserted: the figures are for docs/deploy.md, next to the ones issue 19 was opened
with. Each probe is bounded (well under a minute of load).

burst   learning switched on (strength 50), then 50 owner reports naming J10
        `trunk-fuse-blown` from 50 addresses of one IPv6 /64, then 50 more from 50 different
        /64s (each within its limit). Shows the status codes, the fault's probability and rank
        on the public API and computed afresh in a new process, the shared content version
        before and after, and whether a cached result page kept its ETag (its form token
        carries the time, so a re-rendered page would differ).
flood   N URLs of one valid wizard state with `&x=<random>` (each asked twice on one keep-alive
        connection, as a client wanting it stored would), against a private page-cache Redis
        (16 MB, allkeys-lru) and a private state Redis (noeviction), compose's shape; without
        a redis-server binary, the shared Redis under a prefix. Shows keys and bytes under the
        page and state prefixes before and after, evictions, the status codes, whether a
        client at its report limit (REPORT_RATE_LIMIT=2) is still refused after the flood, and
        whether the same answers in another order add a page-cache entry.
outage  PostgreSQL, gunicorn reaching PostgreSQL and Redis through TCP proxies of this script.
        Pages are warmed in both workers, then wrk (8 connections, 8 s) cycles over them
        while at t=1 s PostgreSQL is cut (connections closed, new ones refused), at t=3 s
        Redis stalls for 1 s (no byte forwarded), at t=6 s PostgreSQL comes back. Shows the
        status codes (503s per second), and the `carfaults.cache` lines in the server's log.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import pickle
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (  # noqa: E402
    REDIS_DEFAULT,
    WRK_THREADS_LUA,
    Gunicorn,
    cpu_seconds,
    fetch,
    free_port,
    manage_shell,
    post,
    prepared_site,
    private_redis,
    redis_figures,
)
from report_burst import ANSWERS, WIZARD  # noqa: E402

RESULT = f"{WIZARD}?generation=j10&answers={ANSWERS}"  # a finished diagnosis, with the form
API = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j10"
ATTACK = "trunk-fuse-blown"  # 0.56 % on a J10, 11th of 11, before issue 19's burst
STEP = f"{WIZARD}?generation=j11&answers=no-sound-on-press:y"  # a valid mid-wizard state
WORKERS = 2
ONCE = 500  # junk URLs asked once each before the flood
FLOOD_SECONDS = 45  # the flood stops here, however many of its URLs are left


def section(title: str) -> None:
    print(f"\n== {title} ({dt.datetime.now().isoformat(timespec='seconds')}) ==", flush=True)


def histogram(statuses: Counter) -> str:
    return ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))


def site_env(**env: str) -> dict[str, str]:
    return {"PROXY_COUNT": "1", **env}


# --- reports ------------------------------------------------------------------------------


def report_form(server: Gunicorn, **changes: str) -> bytes:
    """A finished diagnosis's "Did this fix it?" form, filled in, with the token the page
    carries."""
    status, _, body = fetch(server.url + RESULT)
    page = body.decode()
    if status != 200 or 'name="report_token"' not in page:
        raise RuntimeError(f"no report form on the result page ({status})")
    token = page.split('name="report_token" value="', 1)[1].split('"', 1)[0]
    fields = {
        "report_token": token,
        "generation": "j10",
        "answers": ANSWERS,
        "fault": "release-cable-broken",
        "model_year": "2011",
        "mileage": "160000",
        "other_text": "",
        "website": "",
    }
    return urllib.parse.urlencode({**fields, **changes}).encode()


def send_report(server: Gunicorn, form: bytes, address: str) -> int:
    """One POST as a browser on this site sends it, from `address` (behind one proxy)."""
    headers = {
        "Origin": server.url,
        "Sec-Fetch-Site": "same-origin",
        "X-Forwarded-For": address,
    }
    return post(server.url + WIZARD + "report/", form, headers)


def send_reports(server: Gunicorn, form: bytes, addresses: list[str]) -> tuple[Counter, float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = Counter(pool.map(lambda address: send_report(server, form, address), addresses))
    return statuses, time.perf_counter() - started


# --- burst --------------------------------------------------------------------------------

SWITCH_LEARNING_ON = """
from kb.models import Problem
from reports.models import PriorLearning
row, _ = PriorLearning.objects.get_or_create(problem=Problem.objects.get(slug="trunk-wont-open"))
row.enabled, row.strength = True, 50
row.save()
print(row.enabled, row.strength)
"""

# The API answered in a new process with no shared cache: what the database holds now.
FRESH_API = f"""
import json
from django.test import Client
response = Client(HTTP_HOST="127.0.0.1").get({API!r})
print(json.dumps({{c["fault"]: c["probability"] for c in response.json()["candidates"]}}))
"""

STORED_REPORTS = """
import json
from django.db.models import Count
from reports.models import OwnerReport
rows = OwnerReport.objects.values("fault__slug", "status").annotate(n=Count("id"))
print(json.dumps({f"{r['fault__slug']} ({r['status']})": r["n"] for r in rows}))
"""


def standing(probabilities: dict[str, float], fault: str) -> str:
    """A fault's probability and rank among the candidates, as "0.56 % (11th of 11)"."""
    ranked = sorted(probabilities, key=probabilities.get, reverse=True)
    rank = ranked.index(fault) + 1
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(rank if rank < 20 else rank % 10, "th")
    return f"{100 * probabilities[fault]:.2f} % ({rank}{suffix} of {len(ranked)})"


def public_probabilities(server: Gunicorn) -> dict[str, float]:
    status, _, body = fetch(server.url + API)
    if status != 200:
        raise RuntimeError(f"API answered {status}")
    return {c["fault"]: c["probability"] for c in json.loads(body)["candidates"]}


def fresh_probabilities(env: dict[str, str]) -> dict[str, float]:
    uncached = {k: v for k, v in env.items() if k not in {"REDIS_URL", "STATE_REDIS_URL"}}
    return json.loads(manage_shell(uncached, FRESH_API))


def content_version_in_redis(env: dict[str, str]) -> str | None:
    """The shipped problem's content version as stored (Django pickles a string value): the
    one a report on it would move (kb/content_version.py; the site's never moves for one)."""
    import redis

    client = redis.Redis.from_url(env["REDIS_URL"], socket_timeout=2)
    scope = "problem:nissan-qashqai/trunk-wont-open"
    raw = client.get(f"{env['CACHE_KEY_PREFIX']}:1:kb:content-version:{scope}")
    if raw is None:
        return None
    try:
        return str(pickle.loads(raw))  # noqa: S301 - our own Redis, our own value
    except Exception:
        return raw.decode(errors="replace")


def etags_of(server: Gunicorn, path: str, times: int = 6) -> set[str]:
    return {fetch(server.url + path)[1].get("ETag") for _ in range(times)}


def probe_burst(db: str) -> None:
    section(f"burst: 50 + 50 reports of J10 {ATTACK}, learning on (strength 50), {db}")
    with prepared_site(db, static="plain", **site_env()) as site:
        if "REDIS_URL" not in site.env:
            print("no Redis answers on 127.0.0.1:6379: the burst probe needs it")
            return
        print(
            "learning switched on (enabled, strength):", manage_shell(site.env, SWITCH_LEARNING_ON)
        )
        with Gunicorn(site.env, workers=WORKERS) as server:
            etags_before = etags_of(server, RESULT)  # rendered, then stored and shared
            before = public_probabilities(server)
            version_before = content_version_in_redis(site.env)
            form = report_form(server, fault=ATTACK)

            one_64 = [f"2001:db8:19:1::{n:x}" for n in range(1, 51)]
            many_64 = [f"2001:db8:19:{n:x}::1" for n in range(0x100, 0x100 + 50)]
            one_statuses, one_seconds = send_reports(server, form, one_64)
            many_statuses, many_seconds = send_reports(server, form, many_64)
            time.sleep(1.5)  # past CONTENT_VERSION_LOCAL_SECONDS: a bump would show now

            after = public_probabilities(server)
            version_after = content_version_in_redis(site.env)
            etags_after = etags_of(server, RESULT)
        fresh = fresh_probabilities(site.env)
        stored = json.loads(manage_shell(site.env, STORED_REPORTS))

    print(f"50 POSTs from 50 addresses of 2001:db8:19:1::/64 in {one_seconds:.1f} s:")
    print(f"  answered {histogram(one_statuses)}")
    print(f"50 POSTs from 50 different /64s (2001:db8:19:100::/64 ...) in {many_seconds:.1f} s:")
    print(f"  answered {histogram(many_statuses)}")
    print(f"stored reports (fault (status)): {stored}")
    print(f"J10 {ATTACK}, public API before: {standing(before, ATTACK)}")
    print(f"J10 {ATTACK}, public API after:  {standing(after, ATTACK)}")
    print(f"J10 {ATTACK}, computed afresh from the database after: {standing(fresh, ATTACK)}")
    print(f"  every probability unchanged (API): {after == before}; (afresh): {fresh == before}")
    print(f"content version before: {version_before}")
    print(f"content version after:  {version_after} (unchanged: {version_after == version_before})")
    print(f"result page ETags before: {sorted(etags_before)}")
    print(f"result page ETags after:  {sorted(etags_after)}")
    print(f"  the same pages, none rendered again: {etags_after == etags_before}")


# --- flood --------------------------------------------------------------------------------


def keep_alive_gets(port: int, paths, statuses: Counter, lock: threading.Lock) -> None:
    """GET each path on one keep-alive connection (so on one worker), body read and dropped;
    a closed connection is opened again."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in paths:
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        with lock:
            statuses[status] += 1
    connection.close()


def junk_paths(count: int, repeat: int):
    """The valid step with `&x=<random>`, each `repeat` times in a row."""
    for _ in range(count):
        path = f"{STEP}&x={secrets.token_hex(8)}"
        for _ in range(repeat):
            yield path


def flood(
    server: Gunicorn, count: int, repeat: int, seconds: float, threads: int = 4
) -> tuple[Counter, float]:
    """`count` junk URLs, each asked `repeat` times in a row, over `threads` keep-alive
    connections; stopped after `seconds`."""
    statuses, lock = Counter(), threading.Lock()
    deadline = time.monotonic() + seconds

    def until_deadline(paths):
        for path in paths:
            if time.monotonic() > deadline:
                return
            yield path

    share = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
    started = time.perf_counter()
    workers = [
        threading.Thread(
            target=keep_alive_gets,
            args=(server.port, until_deadline(junk_paths(n, repeat)), statuses, lock),
        )
        for n in share
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return statuses, time.perf_counter() - started


def describe(label: str, figures, pages=None) -> str:
    stored = f" ({pages.keys} of them pages)" if pages is not None else ""
    return (
        f"{label}: {figures.keys} keys{stored}, {figures.bytes / 1024:.0f} KiB under the "
        f"prefix; instance used_memory {figures.used_memory / 2**20:.1f} MiB, "
        f"evicted_keys {figures.evicted_keys}"
    )


def page_figures(env: dict[str, str]):
    """(every key under the site's prefix, its stored pages: `<prefix>:1:page:*`)."""
    url, prefix = env["REDIS_URL"], env["CACHE_KEY_PREFIX"]
    return redis_figures(url, prefix), redis_figures(url, f"{prefix}:1:page")


def page_keys(env: dict[str, str]) -> int:
    return page_figures(env)[1].keys


def probe_flood(db: str, count: int) -> None:
    section(f"flood: {count} junk-parameter URLs on one wizard state, {db}")
    with (
        private_redis("16mb", "allkeys-lru") as page_url,
        private_redis("16mb", "noeviction") as state_url,
    ):
        if page_url and state_url:
            redis = {"redis_url": page_url, "STATE_REDIS_URL": state_url}
            print(f"page cache: private redis-server {page_url} (maxmemory 16mb, allkeys-lru)")
            print(f"state:      private redis-server {state_url} (maxmemory 16mb, noeviction)")
        else:
            redis = {"redis_url": REDIS_DEFAULT}
            state_url = REDIS_DEFAULT
            print(f"no redis-server binary: the shared {REDIS_DEFAULT}, no maxmemory of ours")
        with prepared_site(db, static="plain", **site_env(REPORT_RATE_LIMIT="2"), **redis) as site:
            env = site.env
            state_prefix = env["CACHE_KEY_PREFIX"] + "-state"
            with Gunicorn(env, workers=WORKERS) as server:
                form = report_form(server)
                limited = "198.51.100.77"
                at_limit = [send_report(server, form, limited) for _ in range(3)]
                pages_before = page_figures(env)
                version_before = content_version_in_redis(env)
                state_before = redis_figures(state_url, state_prefix)

                reordered = order_probe(server, env)
                once_statuses, once_seconds = flood(server, ONCE, repeat=1, seconds=15)
                pages_once = page_figures(env)
                statuses, seconds = flood(server, count, repeat=2, seconds=FLOOD_SECONDS)

                pages_after = page_figures(env)
                version_after = content_version_in_redis(env)
                state_after = redis_figures(state_url, state_prefix)
                limited_after = send_report(server, form, limited)
                newcomer = send_report(server, form, "198.51.100.78")
                step_after = fetch(server.url + STEP)[0]

    sent = sum(statuses.values())
    print(f"client {limited} with REPORT_RATE_LIMIT=2, before the flood: {at_limit}")
    print(f"same answers in another order, stored pages: {reordered}")
    print(describe("page cache before", *pages_before))
    print(
        f"{sum(once_statuses.values())} junk URLs asked once each in {once_seconds:.1f} s: "
        f"answered {histogram(once_statuses)}"
    )
    print(describe("page cache then  ", *pages_once))
    print(
        f"flood: {sent} GETs ({sent // 2} junk URLs of the {count} asked, each twice on one "
        f"connection; stopped at {FLOOD_SECONDS} s) in {seconds:.1f} s ({sent / seconds:.0f}/s), "
        "4 keep-alive connections"
    )
    print(f"  answered {histogram(statuses)}")
    print(describe("page cache after ", *pages_after))
    print(f"content version before / after the flood: {version_before} / {version_after}")
    print(describe("state before     ", state_before))
    print(describe("state after      ", state_after))
    print(f"client {limited} after the flood: {limited_after} (429 = still refused)")
    print(f"a new client after the flood: {newcomer}; the plain step after the flood: {step_after}")


def order_probe(server: Gunicorn, env: dict[str, str]) -> str:
    """Page-cache keys after one state is asked for three times, then the same answers in the
    reverse order three times (each on one connection: one worker, stored at the second)."""
    answers = ANSWERS.split(",")[:3]
    forward = f"{WIZARD}?generation=j10&answers={','.join(answers)}"
    reverse = f"{WIZARD}?generation=j10&answers={','.join(reversed(answers))}"
    counts = [page_keys(env)]
    for path in (forward, reverse):
        keep_alive_gets(server.port, [path] * 3, Counter(), threading.Lock())
        counts.append(page_keys(env))
    return f"{counts[0]} -> {counts[1]} (one order) -> {counts[2]} (reversed)"


# --- outage -------------------------------------------------------------------------------


class TcpProxy:
    """127.0.0.1:<port> to an upstream, byte for byte, with the two faults of the probe:
    ``cut()`` closes every connection and refuses new ones (a database gone) until
    ``restore()``; ``stall(seconds)`` forwards nothing for that long (a hung Redis)."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self.flowing = threading.Event()
        self.flowing.set()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut(): the listener was shut
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self) -> None:
        if self.listener is not None:
            self._close(self.listener)  # shutdown wakes the accept() above
            self.listener = None
        with self.lock:
            open_sockets = list(self.sockets)
        for sock in open_sockets:
            self._close(sock)

    def stall(self, seconds: float) -> None:
        self.flowing.clear()
        threading.Timer(seconds, self.flowing.set).start()

    def url_of(self, url: str) -> str:
        """`url` with its host and port replaced by this proxy's."""
        parts = urllib.parse.urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@" if userinfo else ""
        return parts._replace(netloc=f"{netloc}127.0.0.1:{self.port}").geturl()


def host_port(url: str, default_port: int) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


# wrk over a list of paths, round robin per thread; counts every status and, per second of
# the run, what was not a 200. One JSON line at the end.
CYCLE_LUA = (
    WRK_THREADS_LUA
    + r"""
local paths = {%(paths)s}
function init(args)
  statuses, not_ok, next_path = {}, {}, id
  start = os.time()
end
function request()
  next_path = next_path %% #paths + 1
  return wrk.format("GET", paths[next_path])
end
function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status ~= 200 then
    local second = tostring(os.time() - start)
    not_ok[second] = (not_ok[second] or 0) + 1
  end
end
function done(summary, latency, requests)
  local all, bad = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do all[k] = (all[k] or 0) + v end
    for k, v in pairs(t:get("not_ok")) do bad[k] = (bad[k] or 0) + v end
  end
  local function encode(t)
    local parts = {}
    for k, v in pairs(t) do table.insert(parts, string.format('"%%s":%%d', k, v)) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"statuses":%%s,"not_ok_by_second":%%s,"connect":%%d,' ..
    '"read":%%d,"write":%%d,"timeout":%%d,"p99_us":%%d,"max_us":%%d}\n',
    summary.requests, encode(all), encode(bad), e.connect, e.read, e.write, e.timeout,
    latency:percentile(99), latency.max))
end
"""
)

WARM = [
    "/",
    "/nissan-qashqai/faq/",
    "/nissan-qashqai/trunk-wont-open/",
    f"{WIZARD}?generation=j10",
    STEP,
    RESULT,
    API,
]


def run_timeline(events, started: float, happened: list[str]) -> None:
    for at, label, action in events:
        time.sleep(max(0.0, started + at - time.monotonic()))
        action()
        happened.append(f"t={time.monotonic() - started:.2f} s {label}")


def cycle_with_wrk(url: str, paths: list[str], seconds: int, events) -> tuple[dict, list[str]]:
    """wrk -t2 -c8 over `paths` for `seconds`, the timed `events` (at, label, action) run
    meanwhile; the time of each event from wrk's start."""
    quoted = ", ".join(json.dumps(path) for path in paths)
    happened: list[str] = []
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(CYCLE_LUA % {"paths": quoted})
    try:
        command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "5s", "-s", script.name]
        wrk = subprocess.Popen(command + [url], stdout=subprocess.PIPE, text=True)
        started = time.monotonic()
        timeline = threading.Thread(target=run_timeline, args=(events, started, happened))
        timeline.start()
        out, _ = wrk.communicate(timeout=seconds + 30)
        timeline.join()
    finally:
        os.unlink(script.name)
    for line in out.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line.removeprefix("WRKJSON ")), happened
    raise RuntimeError(f"wrk gave no result:\n{out}")


def log_lines(text: str) -> list[dict]:
    """The server's log lines, JSON parsed (gunicorn's own lines are plain text)."""
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            lines.append({"logger": "gunicorn", "message": line[:200]})
    return lines


def worker_cpu(server: Gunicorn) -> dict[int, float]:
    seconds = {}
    for pid in server.workers():
        with contextlib.suppress(OSError):  # recycled meanwhile
            seconds[pid] = cpu_seconds(pid)
    return seconds


def probe_outage(seconds: int = 8) -> None:
    section("outage: PostgreSQL cut at 1 s, Redis stalled 3-4 s, PostgreSQL back at 6 s")
    with prepared_site("postgres", static="plain", **site_env()) as site:
        if "REDIS_URL" not in site.env:
            print("no Redis answers on 127.0.0.1:6379: the outage probe needs it")
            return
        database = TcpProxy(host_port(site.env["DATABASE_URL"], 5432))
        redis = TcpProxy(host_port(site.env["REDIS_URL"], 6379))
        env = {
            **site.env,
            "DATABASE_URL": database.url_of(site.env["DATABASE_URL"]),
            "REDIS_URL": redis.url_of(site.env["REDIS_URL"]),
        }
        events = [
            (1.0, "PostgreSQL cut", database.cut),
            (3.0, "Redis stalled for 1 s", lambda: redis.stall(1.0)),
            (6.0, "PostgreSQL restored", database.restore),
        ]
        try:
            # As configured (each process reads the shared content version at most once a
            # second, so a 1 s stall may fall between two reads), then reading it on every
            # request, so that every worker meets the stall.
            for version_seconds in ("1", "0"):
                print(f"-- CONTENT_VERSION_LOCAL_SECONDS={version_seconds}")
                with Gunicorn(
                    env, workers=WORKERS, CONTENT_VERSION_LOCAL_SECONDS=version_seconds
                ) as server:
                    outage_run(server, events, seconds)
        finally:
            database.cut()
            redis.cut()


def outage_run(server: Gunicorn, events, seconds: int) -> None:
    warmed = Counter(fetch(server.url + path)[0] for path in WARM for _ in range(8))
    log_start, cpu_before = len(server.output(tail=None)), worker_cpu(server)
    result, happened = cycle_with_wrk(server.url, WARM, seconds, events)
    cpu_after = worker_cpu(server)
    time.sleep(0.5)
    never_seen = f"{WIZARD}?generation=j12&answers=handle-cracked:y"
    afterwards = [fetch(server.url + never_seen)[0] for _ in range(3)]
    lines = log_lines(server.output(tail=None)[log_start:])

    print(f"warmed {len(WARM)} URLs x 8 fetches: {histogram(warmed)}")
    print(f"load: wrk -t2 -c8 -d{seconds}s cycling over the warmed URLs; {'; '.join(happened)}")
    print_load(result)
    spent = {pid: round(cpu_after.get(pid, 0) - cpu_before.get(pid, 0), 1) for pid in cpu_before}
    print(f"  CPU seconds per worker during the load (a worker gone meanwhile: 0): {spent}")
    print(f"a never-seen step after PostgreSQL came back (3 GETs): {afterwards}")
    print_log(lines)


def print_load(result: dict) -> None:
    statuses = Counter({int(k): v for k, v in result["statuses"].items()})
    errors = sum(v for k, v in statuses.items() if k >= 500)
    print(f"  {result['requests']} requests: {histogram(statuses)}")
    print(f"  503s: {statuses.get(503, 0)}; all 5xx: {errors}")
    by_second = dict(sorted(result["not_ok_by_second"].items(), key=lambda kv: int(kv[0])))
    print(f"  not 200, by second of the run: {by_second or 'none'}")
    socket_errors = {k: result[k] for k in ("connect", "read", "write", "timeout") if result[k]}
    print(f"  socket errors: {socket_errors or 'none'}")
    print(f"  latency p99 {result['p99_us'] / 1000:.0f} ms, max {result['max_us'] / 1000:.0f} ms")


def print_log(lines: list[dict]) -> None:
    """The `carfaults.cache` lines in full, the others counted by logger and message."""
    cache_lines = [line for line in lines if line.get("logger") == "carfaults.cache"]
    print(f"carfaults.cache lines in the log from the load on: {len(cache_lines)}")
    for line in cache_lines:
        print(f"  {json.dumps(line)[:300]}")
    others = Counter(
        f"{line.get('level', '-')} {line.get('logger', '?')}: {line.get('message', '')[:140]}"
        for line in lines
        if line.get("logger") != "carfaults.cache"
    )
    print(f"other log lines from the load on: {sum(others.values())}")
    for text, count in others.most_common(10):
        print(f"  {count} x {text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", choices=["burst", "flood", "outage", "all"], default="all")
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="database of the burst and flood probes (outage: PostgreSQL)",
    )
    parser.add_argument("-n", type=int, default=10_000, help="junk URLs of the flood")
    args = parser.parse_args()
    print(
        f"bench/safety_probes.py --probe {args.probe} --db {args.db} -n {args.n}; "
        f"{os.cpu_count()} CPUs (shared), {WORKERS} gunicorn workers"
    )
    probes = {
        "burst": lambda: probe_burst(args.db),
        "flood": lambda: probe_flood(args.db, args.n),
        "outage": probe_outage,
    }
    for name, probe in probes.items():
        if args.probe in (name, "all"):
            started = time.perf_counter()
            probe()
            print(f"({name}: {time.perf_counter() - started:.0f} s with the site's set-up)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
