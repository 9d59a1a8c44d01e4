"""Lighthouse on a phone profile against a production server on the loopback.

    python bench/lighthouse.py            # `make lighthouse`

Starts gunicorn as bench/load.py does (SQLite, migrated, content loaded, static files
collected, DEBUG off), runs Lighthouse (its default form factor is mobile, with simulated
slow 4G and a 4× slower CPU) against the home page, the problem page, a wizard step, a
result, a procedure, the FAQ, and the Russian home page, wizard step and result, and prints
the four scores against the targets: 100 in each, and a first view (everything Lighthouse saw
transferred, the service worker's downloads included) under 30 KB compressed. Below a target
it lists the audits that cost points. JSON reports go to bench/results/. The exit status is
non-zero if a page is missing or a target is missed.

Needs `lighthouse` (`make lighthouse` installs it into .tools/) and Debian's Chromium
(/usr/bin/chromium, or CHROME_PATH); it never downloads a browser.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import BASE_DIR, Gunicorn, fetch, prepared_site  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results"
PAGES = [
    ("home", "/"),
    ("problem page", "/nissan-qashqai/trunk-wont-open/"),
    (
        "wizard step",
        "/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=no-sound-on-press:y",
    ),
    # The same result as «result ru» below, in English (issue 23: a result loads no htmx).
    (
        "result",
        "/nissan-qashqai/trunk-wont-open/diagnose/"
        "?generation=j11&answers=car-electrics-weak:y,no-sound-on-press:y",
    ),
    ("procedure", "/nissan-qashqai/procedures/open-trunk-from-passenger-compartment/"),
    ("FAQ", "/nissan-qashqai/faq/"),
    # Russian (issue 12): the home page and a wizard step under /ru/; and a Russian result
    # (issue 22): the battery's signs on a J11, with its checks, times and prices in ₽.
    ("home ru", "/ru/"),
    (
        "wizard step ru",
        "/ru/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=no-sound-on-press:y",
    ),
    (
        "result ru",
        "/ru/nissan-qashqai/trunk-wont-open/diagnose/"
        "?generation=j11&answers=car-electrics-weak:y,no-sound-on-press:y",
    ),
]
TARGETS = {"performance": 100, "accessibility": 100, "best-practices": 100, "seo": 100}
FIRST_VIEW_BYTES = 30 * 1024  # compressed bytes of a first view, service worker downloads included
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --no-first-run --disable-sync --disable-quic"
)


def run_lighthouse(url: str, output: Path, chrome: str, timeout: int) -> dict:
    cmd = [
        shutil.which("lighthouse") or "lighthouse",
        url,
        "--output=json",
        f"--output-path={output}",
        "--quiet",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(TARGETS)}",
    ]
    env = {**os.environ, "CHROME_PATH": chrome}
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if not output.exists():
        raise RuntimeError(f"lighthouse failed ({result.returncode}): {result.stderr[-1500:]}")
    return json.loads(output.read_text())


def audit_items(audit: dict, limit: int = 3) -> list[str]:
    """A few of an audit's findings in one line each: what and where. A checklist (Lighthouse
    12's insights, e.g. "Document request latency") gives its items by name, each with a
    label and whether it passed: the ones that did not are listed."""
    found = []
    items = (audit.get("details") or {}).get("items") or []
    if isinstance(items, dict):
        failed = [
            item for item in items.values() if isinstance(item, dict) and not item.get("value")
        ]
        return [str(item.get("label", ""))[:160] for item in failed[:limit]]
    for item in items[:limit]:
        if not isinstance(item, dict):
            continue
        node = item.get("node") or (
            item.get("source") if isinstance(item.get("source"), dict) else {}
        )
        where = (item.get("sourceLocation") or {}).get("url") or item.get("url") or ""
        text = item.get("description") or node.get("snippet") or node.get("nodeLabel") or ""
        line = " ".join(part for part in (str(text), str(where)) if part).replace("\n", " ")
        if line:
            found.append(line[:160])
    return found


def failing_audits(report: dict, category: str) -> list[str]:
    """The audits of a category that cost points, worst first, with Lighthouse's own words."""
    audits = report["audits"]
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits.get(ref["id"], {})
        score = audit.get("score")
        if score is None or audit.get("scoreDisplayMode") in {"notApplicable", "manual"}:
            continue
        weighted = ref.get("weight", 0) > 0
        # metrics and weighted checks below full marks; unweighted performance
        # diagnostics only when Lighthouse itself flags them (score < 0.9)
        if (weighted and score < 1) or (not weighted and category == "performance" and score < 0.9):
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            tag = f"{score * 100:.0f}" + ("" if weighted else ", weight 0")
            items = "".join(f"\n          {item}" for item in audit_items(audit))
            lines.append(
                (weighted, score, f"{audit.get('title', ref['id'])}{value} [{tag}]{items}")
            )
    lines.sort(key=lambda item: (not item[0], item[1]))
    return [text for _, _, text in lines]


def missed_targets(scores: dict, targets: dict | None = None) -> list[str]:
    """The categories of one page below their target, in words; empty when all are met."""
    targets = TARGETS if targets is None else targets
    missed = []
    for category, target in targets.items():
        score = scores.get(category)
        if score is None:
            missed.append(f"{category}: no score (target {target})")
        elif score < target:
            missed.append(f"{category} {score} (target {target})")
    return missed


def missed_weight(weight: float | None) -> list[str]:
    """The first-view target of one page in words when it is missed; empty when met."""
    if weight is None:
        return [f"first view: no weight measured (target < {FIRST_VIEW_BYTES:,} B)"]
    if weight >= FIRST_VIEW_BYTES:
        return [f"first view {weight:,.0f} B compressed (target < {FIRST_VIEW_BYTES:,} B)"]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", type=lambda s: s.split(","), default=None, help="labels")
    parser.add_argument("--timeout", type=int, default=180, help="seconds per page")
    args = parser.parse_args(argv)

    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not shutil.which("lighthouse") or not Path(chrome).exists():
        print(
            "needs lighthouse (npm install -g lighthouse) and Chromium "
            "(apt-get install -y chromium, or CHROME_PATH)",
            file=sys.stderr,
        )
        return 2

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    summary: list[dict] = []
    failed = False
    started = time.time()
    # localhost too: the SEO audits may fetch robots.txt or canonical URLs by that name
    with (
        prepared_site("sqlite", ALLOWED_HOSTS="127.0.0.1,localhost") as site,
        Gunicorn(site.env) as server,
    ):
        if not site.content_loaded:
            print("note: no fixtures/*.json yet, the pages have no content")
        for label, path in PAGES:
            if args.only and label not in args.only:
                continue
            url = server.url + path
            status = fetch(url)[0]
            row = {"page": label, "path": path, "status": status, "scores": {}, "audits": {}}
            summary.append(row)
            if not 200 <= status < 300:
                failed = True
                row["error"] = f"HTTP {status}"
                print(f"\n{label:13} {path}\n  ERROR: HTTP {status}, not audited", flush=True)
                continue
            slug = label.replace(" ", "-")
            output = RESULTS / f"lighthouse-{slug}-{stamp}.json"
            try:
                report = run_lighthouse(url, output, chrome, args.timeout)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                failed = True
                row["error"] = str(error)[:300]
                print(f"\n{label:13} {path}\n  ERROR: {row['error']}", flush=True)
                continue
            if report.get("runtimeError"):  # e.g. the page answered 500 to the browser
                failed = True
                row["error"] = report["runtimeError"].get("message", "runtime error")[:300]
                print(f"\n{label:13} {path}\n  ERROR: {row['error']}", flush=True)
                continue
            print(f"\n{label:13} {path}   ({output.relative_to(BASE_DIR)})", flush=True)
            for category, target in TARGETS.items():
                raw = report["categories"][category]["score"]
                score = None if raw is None else round(raw * 100)
                row["scores"][category] = score
                ok = not missed_targets({category: score}, {category: target})
                failed |= not ok
                print(
                    f"  {category:15} {score if score is not None else '–':>4}  "
                    f"target {target:>3}  {'PASS' if ok else 'MISS'}"
                )
                if not ok:
                    row["audits"][category] = failing_audits(report, category)
                    for line in row["audits"][category][:12]:
                        print(f"      - {line}")
            metrics = {
                key: report["audits"][key].get("displayValue")
                for key in (
                    "first-contentful-paint",
                    "largest-contentful-paint",
                    "total-blocking-time",
                    "cumulative-layout-shift",
                    "speed-index",
                    "total-byte-weight",
                )
                if key in report["audits"]
            }
            row["metrics"] = metrics
            print("  " + ", ".join(f"{k}: {v}" for k, v in metrics.items()))
            weight = report["audits"].get("total-byte-weight", {}).get("numericValue")
            row["bytes"] = weight
            row["weight_missed"] = missed_weight(weight)
            heavy = bool(row["weight_missed"])
            failed |= heavy
            print(
                f"  first view {weight or 0:,.0f} B compressed, target < {FIRST_VIEW_BYTES:,} B"
                f"  {'MISS' if heavy else 'PASS'}"
            )
        log_tail = server.output()[-1500:]

    versions = {
        "lighthouse": subprocess.run(
            ["lighthouse", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "chromium": subprocess.run(
            [chrome, "--version"], capture_output=True, text=True
        ).stdout.strip(),
    }
    for row in summary:
        reasons = (
            [row["error"]]
            if row.get("error")
            else missed_targets(row["scores"]) + row.get("weight_missed", [])
        )
        for reason in reasons:
            print(f"MISSED: {row['page']}: {reason}", file=sys.stderr)
    print("\n| page | performance | accessibility | best practices | SEO |")
    print("|---|---|---|---|---|")
    for row in summary:
        cells = [
            str(row["scores"].get(c, row.get("error", "–"))) if row["scores"] else row["error"]
            for c in TARGETS
        ]
        print(f"| {row['page']} | " + " | ".join(cells) + " |")
    (RESULTS / f"lighthouse-{stamp}.json").write_text(
        json.dumps(
            {"when": stamp, "versions": versions, "pages": summary, "server_log": log_tail},
            indent=2,
        )
    )
    print(
        f"\n{versions['lighthouse']} / {versions['chromium']}, {time.time() - started:.0f}s; "
        f"summary: bench/results/lighthouse-{stamp}.json"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
