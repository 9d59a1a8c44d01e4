"""Load benchmark: each public URL against the bare `HttpResponse("ok")` floor, same run.

    python bench/load.py                      # SQLite, then PostgreSQL (`make bench`)
    python bench/load.py --db sqlite -d 3     # quicker

The floor is a bare Django app (bench/floor_app.py: `HttpResponse("ok")` behind
SecurityMiddleware and CommonMiddleware only) served by a second gunicorn with the same
configuration, side by side with the project. The project's own `/bench/ok` (behind the
whole middleware stack, the floor of earlier runs) is measured as a row of its own.

Fixed URLs (home, a fixed wizard step) are page-cache hits after the first request. The
"random" rows are what a new owner meets: a wrk Lua script builds a new state for every
request (a random problem and generation, 0–6 distinct random symptoms taken from the content
with random yes/no/don't-know answers, the htmx header on or off per row), for the wizard and
for the API, so nearly every request renders a step nobody asked for before.

For each database (a temporary SQLite file; a fresh PostgreSQL database `bench_carfaults`,
dropped afterwards) it migrates, loads fixtures/*.json, collects static files into a temp
dir, starts gunicorn exactly as in production (`gunicorn -c config/gunicorn.py config.wsgi`,
DEBUG off, a random SECRET_KEY, Redis cache when one answers on 127.0.0.1:6379) on a free
loopback port, warms every URL, then drives `wrk` at each one for a few seconds, each
right after a run of the floor of its own (the ratio compares neighbouring runs, so load
from other processes on the machine moves both alike).

Targets against the bare floor (issue 10, docs/performance.md): a never-seen step ≥ 0.5 ×
(htmx fragment) and ≥ 0.35 × (full page), the API on random states ≥ 0.6 ×, cached pages
≥ 0.85 ×; no errors; an htmx step under 6 KB. A URL that answers non-2xx is an error row; the
run goes on, and exits non-zero at the end when any row misses its target.

Two columns say what the server itself spent: "CPU ms", the CPU time (user + system, from
/proc) of the project's gunicorn master and workers per request during the row's run, and
"floor CPU", the same for the floor's server during its run just before. The req/s ratio is
the target; the CPU columns show why it is what it is (the floor's req/s is set mostly by wrk
and the kernel, as its server spends about 0.1 ms per request) and move far less with the
machine's other load.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import (  # noqa: E402
    BASE_DIR,
    PYTHON,
    WRK_THREADS_LUA,
    Gunicorn,
    cpu_seconds,
    fetch,
    prepared_site,
    rss_mb,
)

RESULTS = BASE_DIR / "bench" / "results"
WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=no-sound-on-press:y"
API = (
    "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open"
    "&generation=j11&answers=no-sound-on-press:y"
)


HTMX = (("HX-Request", "true"),)
CACHED = 0.85  # a page served from the page cache
# An owner's taps over steps already rendered (issue 23): every reachable state in the cache.
WALK_WARM = 0.85


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    ratio: float | None = None  # minimum throughput relative to the bare floor
    max_bytes: int | None = None  # maximum compressed size of one response
    headers: tuple[tuple[str, str], ...] = ()
    server: str = "project"  # or "floor": the bare Django app
    random: str = ""  # "wizard" or "api": a new random state per request (Lua)
    htmx: bool = False  # for random rows: send HX-Request
    # "cold" or "warm": states an owner can reach (bench/owner_walk.py), never asked before /
    # every one rendered once before the run
    walk: str = ""
    # a figure watched, not a target: printed, never a miss (issue 23 retired issue 10's
    # never-seen-state targets: a phone's round trip, not this, is what an owner feels)
    watched: float | None = None


FLOOR = Target("bare Django floor", "/ok", server="floor")
TARGETS = [
    FLOOR,
    Target("project /bench/ok", "/bench/ok"),
    Target("home", "/", ratio=CACHED),
    Target("problem page", "/nissan-qashqai/trunk-wont-open/", ratio=CACHED),
    Target("FAQ", "/nissan-qashqai/faq/", ratio=CACHED),
    Target("fixed step (page)", WIZARD, ratio=CACHED),
    Target("fixed step (htmx)", WIZARD, ratio=CACHED, max_bytes=6 * 1024, headers=HTMX),
    Target("fixed API step", API, ratio=CACHED),
    Target("random step (page)", WIZARD, watched=0.35, random="wizard"),
    Target("random step (htmx)", WIZARD, watched=0.5, random="wizard", htmx=True, headers=HTMX),
    Target("random API states", API, watched=0.6, random="api"),
    Target("owner walk cold (htmx)", WIZARD, walk="cold", headers=HTMX),
    Target("owner walk warm (htmx)", WIZARD, ratio=WALK_WARM, walk="warm", headers=HTMX),
]
# The walk rows' share of the states, in a shuffled order of the run's own: the cold row's
# warm-up takes the first WALK_COLD_WARMUP of them and its measured run the rest, each wrk
# thread a slice of its own, so no state of the measured run was asked before.
WALK_COLD_WARMUP = 0.1
# The warm row's servers first serve the same random draw for WALK_SETTLE_SECONDS at a time
# until fewer than WALK_SETTLE_READS of a stretch's requests look a page up in Redis (its
# keyspace hits and misses, INFO stats: ``lookups``), or WALK_SETTLE_MAX seconds in all: every
# state is then in the shared cache, and each process has read from it the states it is asked
# (kb.middleware.HotPages), as in a server that has served owners a while. Without it the run
# measured each process's first read of each state: a Redis round trip, which costs more than
# the rest of a hit. (A stop on the rate levelling off ended after 30 s on a noisy stretch.)
WALK_SETTLE_SECONDS = 10
WALK_SETTLE_READS = 0.05
WALK_SETTLE_MAX = 150
# The served processes may keep this many MB of pages each (LOCAL_PAGE_MB; default 48): the
# reachable states take 89.6 MB packed (13,535 htmx steps, gzip: docs/performance.md), so
# the warm walk measures a server sized to hold them; the workers' resident memory after the
# walk is reported beside it. A LOCAL_PAGE_MB in the environment wins.
WALK_PAGE_MB = 128
ENCODING = ("Accept-Encoding", "gzip, br")

# wrk's own summary counts only status > 399; this counts every non-2xx, across threads,
# and prints one JSON line at the end.
WRK_LUA = (
    WRK_THREADS_LUA
    + r"""
function init(args)
  non2xx = 0
  if init_random then init_random(args) end
end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"timeout":%d,"status_gt399":%d,"non2xx":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.timeout, e.status, bad, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""
)


# A new diagnosis state for every request: prepended to WRK_LUA for the "random" rows. The
# content (problems, generations, symptom slugs) comes from the served database; args are
# the mode ("wizard" or "api"), "htmx" or "plain", and a seed that differs per run, so a
# warm-up never pre-renders the states the measured run asks for.
RANDOM_LUA = r"""
local problems = %(problems)s
local values = {"y", "n", "u"}
local mode, htmx = "wizard", false

function init_random(args)
  mode = args[1] or "wizard"
  htmx = args[2] == "htmx"
  math.randomseed(tonumber(args[3] or "1") * 1000 + id)
end

function request()
  local p = problems[math.random(#problems)]
  local generation = p.generations[math.random(#p.generations)]
  local pool = {}
  for i = 1, #p.symptoms do pool[i] = i end
  local n = math.random(0, math.min(6, #pool))
  local picked, answers, yes_in = {}, {}, {}
  for i = 1, n do  -- n distinct symptoms: a partial Fisher-Yates shuffle
    local j = math.random(i, #pool)
    pool[i], pool[j] = pool[j], pool[i]
    local value, group = values[math.random(3)], p.groups[pool[i]]
    if value == "y" and group ~= "" then  -- one yes per exclusive question, as the wizard asks
      if yes_in[group] then value = "n" else yes_in[group] = true end
    end
    picked[i] = {p.symptoms[pool[i]], value}
  end
  -- the canonical order, the symptoms' slugs (else each state is a 301: diagnosis/query.py)
  table.sort(picked, function(a, b) return a[1] < b[1] end)
  for i = 1, n do answers[i] = picked[i][1] .. ":" .. picked[i][2] end
  local path
  if mode == "api" then
    path = "/api/v1/diagnose?model=" .. p.model .. "&problem=" .. p.problem
  else
    path = p.wizard .. "?"
  end
  path = path .. "&generation=" .. generation
  if n > 0 then path = path .. "&answers=" .. table.concat(answers, ",") end
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  if htmx then headers["HX-Request"] = "true" end
  return wrk.format("GET", path, headers)
end
"""

# The owner walk: the states come from a file (bench/owner_walk.py wrote them, one URL path a
# line). args: the file, "random" (a state drawn at random for every request) or "slice" (this
# thread's share of the file in order: line id, id + threads, ...; from the start again if the
# run outlasts it), and a seed.
WALK_LUA = r"""
local paths, mode, next_line, step = {}, "random", 1, 1

function init_random(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  mode = args[2] or "random"
  math.randomseed(tonumber(args[3] or "1") * 1000 + id)
  step = tonumber(args[4] or "1")
  next_line = id
end

function request()
  local path
  if mode == "slice" then
    if next_line > #paths then next_line = id end
    path = paths[next_line]
    next_line = next_line + step
  else
    path = paths[math.random(#paths)]
  end
  return wrk.format("GET", path)
end
"""

CONTENT_DUMP = """
import json
import django

django.setup()
from kb.models import Generation, Problem

problems = []
for problem in Problem.objects.select_related("vehicle_model"):
    rows = list(problem.symptoms.values_list("slug", "group__slug"))
    symptoms = [slug for slug, _ in rows]
    generations = Generation.objects.filter(vehicle_model=problem.vehicle_model)
    generations = list(generations.values_list("code", flat=True))
    if symptoms and generations:
        problems.append({
            "model": problem.vehicle_model.slug,
            "problem": problem.slug,
            "wizard": problem.get_diagnose_url(),
            "generations": generations,
            "symptoms": symptoms,
            "groups": [group or "" for _, group in rows],  # the exclusive question, if any
        })
print(json.dumps(problems))
"""


def owner_walk_states(site_env: dict[str, str]) -> list[str]:
    """The wizard URLs of every state an owner can reach (bench/owner_walk.py), read from the
    served database in a process of its own (it leaves the served cache cold: its main)."""
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", **site_env}
    result = subprocess.run(
        [PYTHON, str(BASE_DIR / "bench" / "owner_walk.py"), "--json"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = result.stdout.strip().splitlines()
    paths = json.loads(lines[-1]) if lines else []
    if not paths:
        raise RuntimeError(f"no reachable state: {result.stderr[-1500:]}")
    return paths


class WalkFile(NamedTuple):
    path: Path  # one state's URL path a line, as WALK_LUA reads it
    states: int


def walk_files(paths: list[str], directory: Path, seed: int) -> dict[str, WalkFile]:
    """The walk rows' files: "all" the states; "cold warm-up" and "cold" a shuffled order's
    first WALK_COLD_WARMUP and the rest, so the cold row's warm-up and run share no state."""
    shuffled = list(paths)
    random.Random(seed).shuffle(shuffled)
    cut = int(len(shuffled) * WALK_COLD_WARMUP)
    files = {"all": paths, "cold warm-up": shuffled[:cut], "cold": shuffled[cut:]}
    written = {}
    for name, lines in files.items():
        path = directory / f"walk-{name.replace(' ', '-')}.txt"
        path.write_text("\n".join(lines) + "\n")
        written[name] = WalkFile(path, len(lines))
    return written


def settle(
    url: str, headers: list[tuple[str, str]], args, script: Path, script_args: tuple, redis_url
) -> list[tuple[int, float]]:
    """Serve the measured draw in stretches until the processes answer it from their own
    memory (WALK_SETTLE_*); returns each stretch's (requests per second, Redis lookups per
    request)."""
    client = redis.Redis.from_url(redis_url, socket_timeout=2)
    stretch = for_seconds(args, WALK_SETTLE_SECONDS)
    stretches: list[tuple[int, float]] = []
    while len(stretches) * WALK_SETTLE_SECONDS < WALK_SETTLE_MAX:
        seeded = (*script_args[:2], random.randrange(10**6), *script_args[3:])
        before = lookups(client)
        data = run_wrk(url, headers, stretch, script, seeded)
        reads = (lookups(client) - before) / max(1, data["requests"])
        stretches.append((round(data["rps"]), round(reads, 3)))
        if reads < WALK_SETTLE_READS:
            break
    return stretches


def lookups(client: redis.Redis) -> int:
    """Reads of keys so far, found or not (INFO stats): a page a process does not hold is one,
    and a miss is a page rendered again, costlier still (a settling that counted only the
    hits stopped while processes still rendered states they had dropped)."""
    stats = client.info("stats")
    return stats["keyspace_hits"] + stats["keyspace_misses"]


def render_all(base_url: str, paths: list[str], headers: list[tuple[str, str]], workers: int):
    """Make every state a shared-cache hit, as many owners make a popular one: each asked twice
    over one keep-alive connection, so one server process sees it twice and shares it
    (kb.middleware.HotPages: a page is written to the shared cache when asked for again in
    the process that rendered it). Returns the number of non-2xx answers or failures."""
    address = urlsplit(base_url)
    local = threading.local()

    def status(path: str) -> int:
        failed = 0
        for _ in range(2):
            try:
                if getattr(local, "connection", None) is None:
                    local.connection = http.client.HTTPConnection(
                        address.hostname, address.port, timeout=30
                    )
                local.connection.request("GET", path, headers=dict(headers))
                response = local.connection.getresponse()
                response.read()
                failed += not 200 <= response.status < 300
                if response.getheader("Connection", "").lower() == "close":
                    local.connection.close()
                    local.connection = None
            except (OSError, http.client.HTTPException):
                failed += 1
                local.connection = None
        return failed

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(status, paths))


def lua_table(value) -> str:
    """A JSON-like value as a Lua table literal (strings are slugs: no escaping needed)."""
    if isinstance(value, list):
        return "{" + ", ".join(lua_table(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {lua_table(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def random_script(site_env: dict[str, str], directory: Path) -> Path:
    """The Lua script of the random rows, with the problems and symptoms of the served
    content."""
    result = subprocess.run(
        [PYTHON, "-c", CONTENT_DUMP],
        cwd=BASE_DIR,
        env={
            **site_env,
            "DJANGO_SETTINGS_MODULE": site_env.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout else []
    if not problems:
        raise RuntimeError(f"no problem with symptoms in the content: {result.stderr[-1500:]}")
    path = directory / "random.lua"
    path.write_text(RANDOM_LUA % {"problems": lua_table(problems)} + WRK_LUA)
    return path


@dataclass
class Row:
    db: str
    label: str
    path: str
    status: int | None = None
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    bytes: int | None = None
    encoding: str = ""
    errors: int = 0
    error_detail: str = ""
    floor_rps: float | None = None  # the floor run just before this one
    ratio: float | None = None
    target: str = ""
    result: str = ""
    missed: list[str] = field(default_factory=list)  # each target missed, in words
    wrk: dict = field(default_factory=dict)
    # CPU time the server's processes spent per request during the run (user + system): what
    # the app costs, whatever else the machine ran meanwhile
    cpu_ms: float | None = None
    floor_cpu_ms: float | None = None


def run_wrk(
    url: str, headers: list[tuple[str, str]], args, script: Path, script_args: tuple = ()
) -> dict:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    cmd += ["-s", str(script)]
    for name, value in headers:
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    if script_args:
        cmd += ["--", *map(str, script_args)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 30)
    for line in out.stdout.splitlines():
        if line.startswith("WRKJSON "):
            data = json.loads(line[len("WRKJSON ") :])
            data["rps"] = data["requests"] / max(data["duration_us"] / 1e6, 1e-9)
            data["raw"] = out.stdout
            return data
    raise RuntimeError(f"wrk gave no result ({out.returncode}):\n{out.stdout}\n{out.stderr}")


def for_seconds(args, seconds: int) -> argparse.Namespace:
    """The run's wrk arguments for a run of another length (a warm-up, a settling stretch)."""
    return argparse.Namespace(**{**vars(args), "duration": seconds})


def warm(
    url: str, headers: list[tuple[str, str]], args, script: Path, script_args: tuple = ()
) -> None:
    for _ in range(10):  # new connections: spread over the workers
        fetch(url, dict(headers))
    if args.warm > 0:  # then every worker, every keep-alive path
        run_wrk(url, headers, for_seconds(args, args.warm), script, script_args)


def server_cpu_seconds(server: Gunicorn) -> dict[int, float]:
    """CPU seconds so far of a server's master and each worker, by pid (/proc, Linux)."""
    times = {}
    for pid in [server.pid, *server.workers()]:
        with contextlib.suppress(OSError):  # a worker gone meanwhile
            times[pid] = cpu_seconds(pid)
    return times


def measured_run(server: Gunicorn, *wrk_args) -> tuple[dict, float | None]:
    """wrk against one server, with the server's CPU milliseconds per request. A worker
    recycled during the run (max_requests) takes its last moments' time with it: the
    figure is then a little low, never negative."""
    before = server_cpu_seconds(server)
    data = run_wrk(*wrk_args)
    after = server_cpu_seconds(server)
    spent = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
    return data, (1000 * spent / data["requests"] if data["requests"] else None)


def wrk_row(row: Row, data: dict) -> Row:
    row.wrk = {k: v for k, v in data.items() if k != "raw"}
    row.rps = data["rps"]
    row.p50_ms = data["p50_us"] / 1000
    row.p99_ms = data["p99_us"] / 1000
    socket_errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    row.errors = socket_errors + data["non2xx"]
    if row.errors:
        row.error_detail = (
            f"non2xx {data['non2xx']}, connect {data['connect']}, read "
            f"{data['read']}, write {data['write']}, timeout {data['timeout']}"
        )
    return row


def measure_db(db: str, args, script: Path) -> tuple[list[Row], dict]:
    """Every URL is measured right after a run of the bare floor of its own: the ratio
    compares two neighbouring runs, so background load that comes and goes moves both
    alike."""
    rows: list[Row] = []
    floor_headers = [ENCODING]
    with prepared_site(db, redis_url=None if args.no_redis else "auto") as site:
        info = {
            "content_loaded": site.content_loaded,
            "cache": "redis" if "REDIS_URL" in site.env else "locmem",
            "notes": site.notes,
        }
        server_env = {
            "LOCAL_PAGE_MB": os.environ.get("LOCAL_PAGE_MB", str(WALK_PAGE_MB)),
            # Both servers: a worker recycled (config/gunicorn.py, after 100,000 requests, hours
            # at a real site's rate) would start the rest of a run with an empty page layer.
            "GUNICORN_MAX_REQUESTS": os.environ.get("GUNICORN_MAX_REQUESTS", "0"),
        }
        if args.workers:
            server_env["WEB_CONCURRENCY"] = str(args.workers)
        random_lua = random_script(site.env, script.parent)
        walk_lua = script.parent / "walk.lua"
        walk_lua.write_text(WALK_LUA + WRK_LUA)
        walk = {}
        if any(t.walk for t in TARGETS if not args.only or t.label in args.only):
            if "paths" not in args.walk_states:  # the same content in every database
                started = time.monotonic()
                args.walk_states["paths"] = owner_walk_states(site.env)
                args.walk_states["seconds"] = time.monotonic() - started
            walk_paths = args.walk_states["paths"]
            walk = walk_files(walk_paths, script.parent, random.randrange(10**6))
            info["owner_walk"] = {
                "states": len(walk_paths),
                "walked_in_s": round(args.walk_states["seconds"], 1),
            }
        floor_server = Gunicorn(
            site.env,
            app="floor_app:application",
            pythonpath="bench",
            ready_path="/ok",
            **server_env,
        )
        with Gunicorn(site.env, **server_env) as server, floor_server as floor:
            info["gunicorn_env"] = {
                k: v for k, v in server.env.items() if k.startswith(("GUNICORN_", "WEB_"))
            }
            floor_url = floor.url + FLOOR.path
            targets = [t for t in TARGETS[1:] if not args.only or t.label in args.only]
            floor_rps: list[float] = []
            for target in [FLOOR, *targets]:
                headers = [ENCODING, *target.headers]
                base = floor.url if target.server == "floor" else server.url
                url = base + target.path
                row = Row(db=db, label=target.label, path=target.path)
                target_script, script_args = script, ()
                if target.random:
                    target_script = random_lua
                    mode = "htmx" if target.htmx else "plain"
                    script_args = (target.random, mode, random.randrange(1, 10**6))
                    row.path = f"random {target.random} states ({mode})"
                if target.walk == "cold":
                    target_script = walk_lua
                    script_args = (walk["cold warm-up"].path, "slice", 1, args.threads)
                    row.path = f"{len(walk_paths)} reachable states, each asked once"
                elif target.walk == "warm":
                    target_script = walk_lua
                    script_args = (walk["all"].path, "random", random.randrange(10**6), 1)
                    row.path = f"{len(walk_paths)} reachable states, all rendered before"
                    failed = render_all(server.url, walk_paths, headers, args.connections)
                    if failed:
                        row.errors += failed
                        row.error_detail = f"rendering every state: {failed} failed"
                    stretches = []
                    if "REDIS_URL" in site.env:  # else each process's cache is the only one
                        redis_url = site.env["REDIS_URL"]
                        stretches = settle(
                            url, headers, args, target_script, script_args, redis_url
                        )
                    info["owner_walk"]["settling"] = {
                        "rps": [rate for rate, _ in stretches],
                        "redis_reads_per_request": [reads for _, reads in stretches],
                    }
                    info["owner_walk"]["worker_rss_mb"] = [
                        round(rss_mb(pid)) for pid in server.workers()
                    ]
                    row.path += f", then served {len(stretches) * WALK_SETTLE_SECONDS} s"
                try:
                    status, response_headers, body = fetch(url, dict(headers))
                except OSError as error:
                    status, response_headers, body = None, {}, b""
                    row.error_detail = f"no answer: {error}"
                row.status = status
                row.bytes = len(body)
                row.encoding = response_headers.get("Content-Encoding", "") if status else ""
                if status is None or not 200 <= status < 300:
                    row.errors = 1
                    row.error_detail = row.error_detail or f"HTTP {status}"
                    row.result = "ERROR"
                    rows.append(row)
                    print(f"  {db:8} {row.label:22} {row.error_detail}", flush=True)
                    continue
                warm(url, headers, args, target_script, script_args)
                if target is not FLOOR:  # its own floor, just before it
                    floor_run, row.floor_cpu_ms = measured_run(
                        floor, floor_url, floor_headers, args, script
                    )
                    row.floor_rps = floor_run["rps"]
                    floor_rps.append(floor_run["rps"])
                    floor_errors = wrk_row(Row(db=db, label="", path=""), floor_run).errors
                    if floor_errors:
                        row.errors += floor_errors
                        row.error_detail = f"floor run: {floor_errors} errors"
                if target.random:  # a seed the warm-up did not use: states not yet cached
                    script_args = (*script_args[:2], random.randrange(10**6, 10**7))
                if target.walk == "cold":  # the states the warm-up did not ask
                    script_args = (walk["cold"].path, "slice", 1, args.threads)
                data, row.cpu_ms = measured_run(
                    floor if target is FLOOR else server,
                    url,
                    headers,
                    args,
                    target_script,
                    script_args,
                )
                errors_before, detail_before = row.errors, row.error_detail
                wrk_row(row, data)
                if target.walk == "cold" and data["requests"] > walk["cold"].states:
                    row.path += " (the run outlasted them: some asked twice)"
                row.errors += errors_before
                row.error_detail = "; ".join(filter(None, [detail_before, row.error_detail]))
                if target is FLOOR:
                    row.floor_rps, row.floor_cpu_ms = row.rps, row.cpu_ms
                    floor_rps.append(row.rps)
                rows.append(row)
                print(
                    f"  {db:8} {row.label:22} {row.rps:8.0f} req/s  p50 {row.p50_ms:6.1f} ms"
                    f"  p99 {row.p99_ms:6.1f} ms  errors {row.errors}  (floor "
                    f"{row.floor_rps:.0f} req/s)",
                    flush=True,
                )
            info["workers"] = len(server.workers())
            info["server_log_tail"] = server.output()[-1500:]
            info["floor_log_tail"] = floor.output()[-500:]

    info["floor_runs"] = floor_rps
    by_label = {t.label: t for t in TARGETS}
    for row in rows:
        target = by_label.get(row.label)
        goals = []
        if target and target.ratio:
            goals.append(f"≥{target.ratio:g}×")
        if target and target.watched:
            goals.append(f"watched {target.watched:g}×")
        if target and target.max_bytes:
            goals.append(f"<{target.max_bytes // 1024}KB")
        goals.append("0 err")
        row.target = ", ".join(goals)
        if row.result == "ERROR":
            row.missed = [row.error_detail or "error"]
            continue
        if row.floor_rps and row.rps is not None:
            row.ratio = row.rps / row.floor_rps
        row.missed = missed_targets(row, target)
        row.result = "MISS" if row.missed else "PASS"
    return rows, info


def missed_targets(row: Row, target: Target | None) -> list[str]:
    """What a measured row missed, each in words; empty when it met every target."""
    missed = []
    if row.errors:
        missed.append(f"{row.errors} errors ({row.error_detail})")
    if target and target.ratio:
        if row.ratio is None:
            missed.append("no throughput measured")
        elif not row.ratio >= target.ratio:
            missed.append(f"{row.ratio:.2f} × the floor (target ≥ {target.ratio:g} ×)")
    if target and target.max_bytes and not (row.bytes or 0) < target.max_bytes:
        missed.append(f"{row.bytes} bytes (target < {target.max_bytes} bytes)")
    return missed


def fmt(value, spec: str, empty: str = "–") -> str:
    return empty if value is None else format(value, spec)


def table(rows: list[Row]) -> str:
    head = (
        f"| {'db':8} | {'URL':23} | {'req/s':>7} | {'p50 ms':>6} | {'p99 ms':>6} | "
        f"{'bytes (enc.)':>13} | {'errors':>6} | {'floor/s':>7} | {'× floor':>7} | "
        f"{'target':20} | result | {'CPU ms':>6} | {'floor CPU':>9} |"
    )
    lines = [head, "|" + "|".join("-" * (len(c) if c else 1) for c in head.split("|")[1:-1]) + "|"]
    for r in rows:
        size = f"{r.bytes} B {r.encoding}".strip() if r.bytes is not None else "–"
        result = r.result if not r.error_detail else f"{r.result} ({r.error_detail})"
        lines.append(
            f"| {r.db:8} | {r.label:23} | {fmt(r.rps, '7.0f'):>7} | {fmt(r.p50_ms, '6.1f'):>6} | "
            f"{fmt(r.p99_ms, '6.1f'):>6} | {size:>13} | {r.errors:>6} | "
            f"{fmt(r.floor_rps, '7.0f'):>7} | {fmt(r.ratio, '7.2f'):>7} | "
            f"{r.target:20} | {result} | {fmt(r.cpu_ms, '6.2f'):>6} | "
            f"{fmt(r.floor_cpu_ms, '9.2f'):>9} |"
        )
    return "\n".join(lines)


def machine() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": free.splitlines()[1].split()[1] if free else "",
        "python": platform.python_version(),
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("-d", "--duration", type=int, default=5, help="seconds per URL (≤ 30)")
    parser.add_argument("-c", "--connections", type=int, default=16, help="≤ 64")
    parser.add_argument("-t", "--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--warm", type=int, default=1, help="seconds of wrk warm-up per URL")
    parser.add_argument("--workers", type=int, default=0, help="WEB_CONCURRENCY (0: default)")
    parser.add_argument("--no-redis", action="store_true", help="per-process memory cache")
    parser.add_argument("--only", type=lambda s: s.split(","), default=None, help="labels")
    args = parser.parse_args(argv)
    args.walk_states = {}  # bench/owner_walk.py's states, walked once for every database
    args.duration = max(1, min(args.duration, 30))
    args.warm = max(0, min(args.warm, 5))
    args.connections = max(1, min(args.connections, 64))
    args.threads = max(1, min(args.threads, args.connections))
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2

    started = time.time()
    rows: list[Row] = []
    infos: dict[str, dict] = {}
    failed_setup: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "report.lua"
        script.write_text(WRK_LUA)
        for db in [d.strip() for d in args.db.split(",") if d.strip()]:
            print(
                f"== {db}: preparing (migrate, load_content, collectstatic), then wrk "
                f"-t{args.threads} -c{args.connections} -d{args.duration}s per URL",
                flush=True,
            )
            try:
                db_rows, info = measure_db(db, args, script)
            except Exception as error:  # a database that cannot be set up is a failed row
                print(f"  {db}: could not run: {error}", file=sys.stderr)
                failed_setup.append(f"{db}: {error}")
                rows.append(
                    Row(
                        db=db,
                        label="(setup)",
                        path="",
                        errors=1,
                        result="ERROR",
                        error_detail=str(error).splitlines()[0][:80],
                    )
                )
                continue
            rows.extend(db_rows)
            infos[db] = info

    text = table(rows)
    print()
    print(text)
    for db, info in infos.items():
        floors = ", ".join(f"{r:.0f}" for r in info["floor_runs"])
        print(
            f"{db}: cache {info['cache']}, {info['workers']} workers, floor runs {floors} req/s"
            f"{'' if info['content_loaded'] else ', NO CONTENT LOADED'}"
            + "".join(f"; {n}" for n in info["notes"])
        )
    bad = [r for r in rows if r.result != "PASS"]
    print(f"\n{len(rows) - len(bad)} PASS, {len(bad)} MISS/ERROR in {time.time() - started:.0f}s")
    for r in bad:
        for reason in r.missed or [r.result]:
            print(f"MISSED: {r.db} {r.label}: {reason}", file=sys.stderr)

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    report = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "args": {k: v for k, v in vars(args).items() if k != "walk_states"},
        "databases": infos,
        "rows": [asdict(r) for r in rows],
        "failed_setup": failed_setup,
    }
    (RESULTS / f"load-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    (RESULTS / f"load-{stamp}.md").write_text(text + "\n")
    print(f"results: {RESULTS.relative_to(BASE_DIR)}/load-{stamp}.json")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
