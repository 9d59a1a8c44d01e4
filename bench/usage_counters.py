"""Usage counters on against off: a wizard step keeps ≥ 95 % of its throughput with counting.

    python bench/usage_counters.py              # `make bench` runs it
    python bench/usage_counters.py -d 3 -r 2    # quicker

One prepared site (SQLite, the Redis cache when one answers, as bench/load.py), two gunicorns
on it, identical but for USAGE_COUNTING=0 / 1. For each row wrk drives one server, then the
other, for several rounds whose order alternates (off-on, on-off, ...), so load from other
processes on the machine falls on both alike. The verdict is the median of the rounds' ratios
(on / off of two neighbouring runs): on a shared, loaded machine single runs swing by a factor
of two, and the median of neighbouring pairs is what such swings move least. The ratio of the
totals is printed beside it.

Then the same two rows in one process, without the network (`--in-process` only, or both by
default): Django's test client through the whole middleware stack, two handlers built with
counting off and on, alternating batches of 200 requests. Less noise from the machine
(no wrk, no sockets), the same code path.

Rows: a never-seen step (a new random state per request, htmx fragment: the view renders and
counts) and a repeated step (served from the page cache: the counters' round trip is then
the largest share of the work). Below the target a line "MISSED: ..." goes to stderr and the
exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import BASE_DIR, PYTHON, Gunicorn, fetch, prepared_site  # noqa: E402
from load import ENCODING, HTMX, WIZARD, WRK_LUA, random_script, run_wrk  # noqa: E402

TARGET = 0.95
ROWS = [
    ("never-seen step (htmx)", "wizard"),
    ("repeated step (page cache hit)", ""),
]


def measure(args) -> list[tuple[str, float, float, float]]:
    results = []
    with prepared_site("sqlite", redis_url=None if args.no_redis else "auto") as site:
        cache = "redis" if "REDIS_URL" in site.env else "locmem"
        with tempfile.TemporaryDirectory() as tmp:
            plain = Path(tmp) / "report.lua"
            plain.write_text(WRK_LUA)
            random_lua = random_script(site.env, Path(tmp))
            env = {"WEB_CONCURRENCY": str(args.workers)} if args.workers else {}
            with (
                Gunicorn(site.env, USAGE_COUNTING="0", **env) as off,
                Gunicorn(site.env, USAGE_COUNTING="1", **env) as on,
            ):
                servers = {"off": off, "on": on}
                for label, mode in ROWS:
                    totals = {"off": [0, 0.0], "on": [0, 0.0]}
                    errors = {"off": 0, "on": 0}
                    runs: list[str] = []
                    headers = [ENCODING, *HTMX]
                    for server in servers.values():  # warm: compiled content, workers
                        for _ in range(10):
                            fetch(server.url + WIZARD, dict(headers))
                    pairs: list[float] = []
                    for round_number in range(args.rounds):
                        order = ["off", "on"] if round_number % 2 == 0 else ["on", "off"]
                        pair = {}
                        for name in order:
                            script, script_args = plain, ()
                            if mode:
                                script = random_lua
                                script_args = (mode, "htmx", random.randrange(1, 10**7))
                            data = run_wrk(
                                servers[name].url + WIZARD, headers, args, script, script_args
                            )
                            # a random state may be a 400 (two "yes" in one exclusive
                            # group): served, not counted, alike in both. Socket errors
                            # (timeouts on a loaded machine) are reported with the row.
                            errors[name] += data["connect"] + data["read"] + data["timeout"]
                            totals[name][0] += data["requests"]
                            totals[name][1] += data["duration_us"] / 1e6
                            runs.append(f"{name} {data['rps']:.0f}")
                            pair[name] = data["rps"]
                        pairs.append(pair["on"] / max(pair["off"], 1e-9))
                    rps = {name: n / max(seconds, 1e-9) for name, (n, seconds) in totals.items()}
                    ratio = statistics.median(pairs)
                    results.append((label, rps["off"], rps["on"], ratio))
                    print(
                        f"  {label:32} off {rps['off']:7.0f} req/s  on {rps['on']:7.0f} req/s"
                        f"  ratio of totals {rps['on'] / rps['off']:.3f}, median of the "
                        f"{len(pairs)} neighbouring pairs {ratio:.3f}  (cache {cache}; socket "
                        f"errors off {errors['off']}, on {errors['on']})",
                        flush=True,
                    )
                    print(f"    runs (req/s): {', '.join(runs)}", flush=True)
    return results


IN_PROCESS = r"""
import json, random, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.test import Client
from diagnosis import content
from usage import counters

settings.ALLOWED_HOSTS = ["*"]
compiled = content.compiled_problem("nissan-qashqai", "trunk-wont-open")
slugs = list(compiled.symptoms)
codes = list(compiled.generations_by_code)
FIXED = compiled.diagnose_url + "?generation=j11&answers=no-sound-on-press:y"
HTMX = {"HX-Request": "true"}
rounds, batch = int(sys.argv[1]), int(sys.argv[2])

def state():
    chosen = sorted(random.sample(slugs, random.randint(0, 6)))  # the canonical order
    answers = ",".join(f"{s}:{random.choice('ynu')}" for s in chosen)
    url = f"{compiled.diagnose_url}?generation={random.choice(codes)}"
    return url + (f"&answers={answers}" if answers else "")

clients = {}
for name, on in (("off", False), ("on", True)):
    settings.USAGE_COUNTING = on
    clients[name] = Client()
    clients[name].get(FIXED, headers=HTMX)  # builds the handler with this setting
out = {}
for row, urls in (("never-seen", None), ("page cache hit", FIXED)):
    pairs = []
    for number in range(rounds):
        timed = {}
        for name in (("off", "on") if number % 2 == 0 else ("on", "off")):
            batch_urls = [urls or state() for _ in range(batch)]
            started = time.perf_counter()
            for url in batch_urls:
                clients[name].get(url, headers=HTMX)
            timed[name] = time.perf_counter() - started
        pairs.append(timed["off"] / timed["on"])  # throughput on / off
    out[row] = statistics.median(pairs)
counters.push()
print("INPROC " + json.dumps(out))
"""


def measure_in_process(args) -> list[tuple[str, float]]:
    with prepared_site("sqlite", redis_url=None if args.no_redis else "auto") as site:
        env = {**site.env, "REQUEST_LOG": "0", "PYTHONPATH": str(BASE_DIR)}
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        result = subprocess.run(
            [PYTHON, "-c", IN_PROCESS, str(args.rounds * 2 + 1), "200"],
            cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
    for line in result.stdout.splitlines():
        if line.startswith("INPROC "):
            ratios = json.loads(line[len("INPROC ") :])
            return [(f"{row} step, in process", ratio) for row, ratio in ratios.items()]
    raise RuntimeError(f"in-process run failed:\n{result.stderr[-2000:]}")


def rate(value: float) -> str:
    return "–" if value != value else f"{value:.0f}"  # NaN: an in-process row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--duration", type=int, default=2, help="seconds per wrk run")
    parser.add_argument("-r", "--rounds", type=int, default=9, help="off/on pairs per row")
    parser.add_argument("-c", "--connections", type=int, default=16)
    parser.add_argument("-t", "--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0, help="WEB_CONCURRENCY (0: default)")
    parser.add_argument("--no-redis", action="store_true", help="per-process memory cache")
    parser.add_argument("--in-process", action="store_true", help="only the in-process rows")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    print(
        f"== usage counters on vs off: {args.rounds} interleaved rounds of wrk "
        f"-t{args.threads} -c{args.connections} -d{args.duration}s per server and row",
        flush=True,
    )
    results = [] if args.in_process else measure(args)
    for label, ratio in measure_in_process(args):
        print(f"  {label:32} median ratio of {args.rounds * 2 + 1} batch pairs {ratio:.3f}")
        results.append((label, float("nan"), float("nan"), ratio))
    missed = 0
    print(
        f"\n| {'wizard step':32} | {'off req/s':>9} | {'on req/s':>9} | median ratio | target "
        "| result |"
    )
    for label, off, on, ratio in results:
        ok = ratio >= TARGET
        missed += not ok
        print(
            f"| {label:32} | {rate(off):>9} | {rate(on):>9} | {ratio:12.3f} | ≥{TARGET:.2f} | "
            f"{'PASS' if ok else 'MISS'} |"
        )
        if not ok:
            print(
                f"MISSED: usage counters: {label}: {ratio:.3f} of the throughput without "
                f"them (target ≥ {TARGET:.2f})",
                file=sys.stderr,
            )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
