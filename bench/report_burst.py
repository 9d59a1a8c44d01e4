"""A burst of owner reports from one address stores exactly the rate limit (issue 11).

    python bench/report_burst.py                 # 1,000 POSTs, SQLite (`make bench`)
    python bench/report_burst.py -n 200 --db postgres

It prepares a temporary site (migrated, content loaded, Redis when one answers on 127.0.0.1:6379
with a key prefix of its own), starts gunicorn as in production, reads a finished result's
"Did this fix it?" form (its signed token), then posts N reports from 32 threads at once, all
from 127.0.0.1, and counts what was answered and what the database holds afterwards.

Without Redis each gunicorn worker would count on its own (a local-memory cache), so the run
then uses one worker, and says so. Exits 1 unless exactly REPORT_RATE_LIMIT reports were
stored and every other POST was answered 429; as every benchmark, it then prints a line
"MISSED: ..." to stderr for each target missed.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import Gunicorn, fetch, manage_shell, post, prepared_site  # noqa: E402

WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"
ANSWERS = (  # in the canonical order, the symptoms' slugs (another order is a 301)
    "freezing-temperature:n,handle-cracked:n,handle-no-resistance:y,high-mileage-yanked:y,"
    "lid-press-releases:n,motor-clicks-lid-stays:y,no-sound-on-press:n"
)
LIMIT = 5


def stored_reports(env: dict[str, str]) -> int:
    code = "from reports.models import OwnerReport; print(OwnerReport.objects.count())"
    return int(manage_shell(env, code))


def run(kind: str, count: int) -> bool:
    with prepared_site(kind, static="plain", REPORT_RATE_LIMIT=str(LIMIT)) as site:
        shared = "REDIS_URL" in site.env
        workers = None if shared else 1
        with Gunicorn(site.env, workers=workers) as server:
            status, _, body = fetch(f"{server.url}{WIZARD}?generation=j10&answers={ANSWERS}")
            page = body.decode()
            assert status == 200 and "report_token" in page, status
            token = re.search(r'name="report_token" value="([^"]+)"', page).group(1)
            form = urllib.parse.urlencode(
                {
                    "report_token": token,
                    "generation": "j10",
                    "answers": ANSWERS,
                    "fault": "release-cable-broken",
                    "website": "",
                }
            ).encode()
            url = server.url + WIZARD + "report/"
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=32) as pool:
                statuses = Counter(pool.map(lambda _: post(url, form), range(count)))
            seconds = time.perf_counter() - started
        stored = stored_reports(site.env)
    cache = "Redis (shared by the workers)" if shared else "local memory, 1 worker (no Redis)"
    print(
        f"{kind}: {count} reports posted from one address in {seconds:.1f} s "
        f"({count / seconds:.0f}/s), cache {cache}"
    )
    print(f"  answered: {dict(sorted(statuses.items()))}")
    missed = missed_targets(stored, statuses, count, LIMIT)
    verdict = "NOT the limit" if missed else "exactly the limit"
    print(f"  stored: {stored} of {count} (limit {LIMIT} per address): {verdict}")
    for reason in missed:
        print(f"MISSED: report burst ({kind}): {reason}", file=sys.stderr)
    return not missed


def missed_targets(stored: int, statuses: Counter, count: int, limit: int) -> list[str]:
    """The targets of one burst missed, in words; empty when exactly `limit` reports were
    stored, each answered 303, and every other POST was answered 429."""
    missed = []
    if stored != limit:
        missed.append(f"{stored} reports stored (target exactly {limit})")
    if statuses.get(303, 0) != limit:
        missed.append(f"{statuses.get(303, 0)} POSTs answered 303 (target exactly {limit})")
    refused = count - limit
    if statuses.get(429, 0) != refused:
        missed.append(f"{statuses.get(429, 0)} POSTs answered 429 (target {refused})")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="reports to post (default 1000)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    return 0 if run(args.db, args.n) else 1


if __name__ == "__main__":
    sys.exit(main())
