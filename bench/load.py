"""Load benchmark: each public URL against the bare `HttpResponse("ok")` floor, same run.

    python bench/load.py                      # SQLite, then PostgreSQL (`make bench`)
    python bench/load.py --db sqlite -d 3     # quicker

For each database (a temporary SQLite file; a fresh PostgreSQL database `bench_carfaults`,
dropped afterwards) it migrates, loads fixtures/*.json, collects static files into a temp
dir, starts gunicorn exactly as in production (`gunicorn -c config/gunicorn.py config.wsgi`,
DEBUG off, a random SECRET_KEY, Redis cache when one answers on 127.0.0.1:6379) on a free
loopback port, warms every URL, then drives `wrk` at each one for a few seconds, each
right after a run of the floor of its own (the ratio compares neighbouring runs, so load
from other processes on the machine moves both alike).

Targets (docs/performance.md, DESIGN.md): a wizard step (page, htmx fragment, API) ≥ 0.5 ×
the floor, public pages ≥ 0.8 × the floor, no errors, an htmx step under 6 KB. A URL that
answers non-2xx is an error row; the run goes on and exits non-zero at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import BASE_DIR, Gunicorn, fetch, prepared_site  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results"
WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=no-sound-on-press:y"
API = (
    "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open"
    "&generation=j11&answers=no-sound-on-press:y"
)


@dataclass(frozen=True)
class Target:
    label: str
    path: str
    ratio: float | None = None  # minimum throughput relative to the floor
    max_bytes: int | None = None  # maximum compressed size of one response
    headers: tuple[tuple[str, str], ...] = ()


TARGETS = [
    Target("floor /bench/ok", "/bench/ok"),
    Target("home", "/", ratio=0.8),
    Target("problem page", "/nissan-qashqai/trunk-wont-open/", ratio=0.8),
    Target("wizard step (page)", WIZARD, ratio=0.5),
    Target(
        "wizard step (htmx)",
        WIZARD,
        ratio=0.5,
        max_bytes=6 * 1024,
        headers=(("HX-Request", "true"),),
    ),
    Target("API step", API, ratio=0.5),
    Target("FAQ", "/nissan-qashqai/faq/", ratio=0.8),
]
ENCODING = ("Accept-Encoding", "gzip, br")

# wrk's own summary counts only status > 399; this counts every non-2xx, across threads,
# and prints one JSON line at the end.
WRK_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
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


def run_wrk(url: str, headers: list[tuple[str, str]], args, script: Path) -> dict:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    cmd += ["-s", str(script)]
    for name, value in headers:
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 30)
    for line in out.stdout.splitlines():
        if line.startswith("WRKJSON "):
            data = json.loads(line[len("WRKJSON ") :])
            data["rps"] = data["requests"] / max(data["duration_us"] / 1e6, 1e-9)
            data["raw"] = out.stdout
            return data
    raise RuntimeError(f"wrk gave no result ({out.returncode}):\n{out.stdout}\n{out.stderr}")


def warm(url: str, headers: list[tuple[str, str]], args, script: Path) -> None:
    for _ in range(10):  # new connections: spread over the workers
        fetch(url, dict(headers))
    if args.warm > 0:  # then every worker, every keep-alive path
        warm_args = argparse.Namespace(**{**vars(args), "duration": args.warm})
        run_wrk(url, headers, warm_args, script)


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
    """Every URL is measured right after a floor run of its own: the ratio compares two
    neighbouring runs, so background load that comes and goes moves both alike."""
    rows: list[Row] = []
    floor_target = TARGETS[0]
    floor_headers = [ENCODING, *floor_target.headers]
    with prepared_site(db, redis_url=None if args.no_redis else "auto") as site:
        info = {
            "content_loaded": site.content_loaded,
            "cache": "redis" if "REDIS_URL" in site.env else "locmem",
            "notes": site.notes,
        }
        server_env = {}
        if args.workers:
            server_env["WEB_CONCURRENCY"] = str(args.workers)
        with Gunicorn(site.env, **server_env) as server:
            info["gunicorn_env"] = {
                k: v for k, v in server.env.items() if k.startswith(("GUNICORN_", "WEB_"))
            }
            floor_url = server.url + floor_target.path
            targets = [t for t in TARGETS[1:] if not args.only or t.label in args.only]
            floor_rps: list[float] = []
            for target in [floor_target, *targets]:
                headers = [ENCODING, *target.headers]
                url = server.url + target.path
                row = Row(db=db, label=target.label, path=target.path)
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
                warm(url, headers, args, script)
                if target is not floor_target:  # its own floor, just before it
                    floor = run_wrk(floor_url, floor_headers, args, script)
                    row.floor_rps = floor["rps"]
                    floor_rps.append(floor["rps"])
                    floor_errors = wrk_row(Row(db=db, label="", path=""), floor).errors
                    if floor_errors:
                        row.errors += floor_errors
                        row.error_detail = f"floor run: {floor_errors} errors"
                data = run_wrk(url, headers, args, script)
                errors_before, detail_before = row.errors, row.error_detail
                wrk_row(row, data)
                row.errors += errors_before
                row.error_detail = "; ".join(filter(None, [detail_before, row.error_detail]))
                if target is floor_target:
                    row.floor_rps = row.rps
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

    info["floor_runs"] = floor_rps
    by_label = {t.label: t for t in TARGETS}
    for row in rows:
        target = by_label.get(row.label)
        goals = []
        if target and target.ratio:
            goals.append(f"≥{target.ratio:.1f}×")
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
            missed.append(f"{row.ratio:.2f} × the floor (target ≥ {target.ratio:.1f} ×)")
    if target and target.max_bytes and not (row.bytes or 0) < target.max_bytes:
        missed.append(f"{row.bytes} bytes (target < {target.max_bytes} bytes)")
    return missed


def fmt(value, spec: str, empty: str = "–") -> str:
    return empty if value is None else format(value, spec)


def table(rows: list[Row]) -> str:
    head = (
        f"| {'db':8} | {'URL':23} | {'req/s':>7} | {'p50 ms':>6} | {'p99 ms':>6} | "
        f"{'bytes (enc.)':>13} | {'errors':>6} | {'floor/s':>7} | {'× floor':>7} | "
        f"{'target':18} | result |"
    )
    lines = [head, "|" + "|".join("-" * (len(c) if c else 1) for c in head.split("|")[1:-1]) + "|"]
    for r in rows:
        size = f"{r.bytes} B {r.encoding}".strip() if r.bytes is not None else "–"
        result = r.result if not r.error_detail else f"{r.result} ({r.error_detail})"
        lines.append(
            f"| {r.db:8} | {r.label:23} | {fmt(r.rps, '7.0f'):>7} | {fmt(r.p50_ms, '6.1f'):>6} | "
            f"{fmt(r.p99_ms, '6.1f'):>6} | {size:>13} | {r.errors:>6} | "
            f"{fmt(r.floor_rps, '7.0f'):>7} | {fmt(r.ratio, '7.2f'):>7} | "
            f"{r.target:18} | {result} |"
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
                f"== {db}: preparing (migrate, loaddata, collectstatic), then wrk "
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
        "args": {k: v for k, v in vars(args).items()},
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
