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

Rows: a never-seen step (a new random state per request, htmx fragment: the view renders and
counts) and a repeated step (served from the page cache: the counters' round trip is then
the largest share of the work). Below the target a line "MISSED: ..." goes to stderr and the
exit status is 1.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import Gunicorn, fetch, prepared_site  # noqa: E402
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--duration", type=int, default=2, help="seconds per wrk run")
    parser.add_argument("-r", "--rounds", type=int, default=9, help="off/on pairs per row")
    parser.add_argument("-c", "--connections", type=int, default=16)
    parser.add_argument("-t", "--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0, help="WEB_CONCURRENCY (0: default)")
    parser.add_argument("--no-redis", action="store_true", help="per-process memory cache")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    print(
        f"== usage counters on vs off: {args.rounds} interleaved rounds of wrk "
        f"-t{args.threads} -c{args.connections} -d{args.duration}s per server and row",
        flush=True,
    )
    results = measure(args)
    missed = 0
    print(
        f"\n| {'wizard step':32} | {'off req/s':>9} | {'on req/s':>9} | median ratio | target "
        "| result |"
    )
    for label, off, on, ratio in results:
        ok = ratio >= TARGET
        missed += not ok
        print(
            f"| {label:32} | {off:9.0f} | {on:9.0f} | {ratio:12.3f} | ≥{TARGET:.2f} | "
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
