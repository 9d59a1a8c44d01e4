"""A knowledge base of hundreds of models: page times and sizes, search, compiles, memory.

    python bench/scale.py                     # 300 models on PostgreSQL (`make bench`)
    python bench/scale.py --models 40 --db sqlite

It prepares a scratch database (bench/_server.py: PostgreSQL `bench_carfaults_<random>`,
created, migrated, the shipped content loaded, dropped afterwards), clones the shipped
Qashqai onto N synthetic models there (bench/synthetic_kb.py: 10 models per make), and then,
each part in a fresh process with production settings and the per-process memory cache
(cleared at will without touching a Redis anyone shares):

- pages: the home page, a synthetic model's page, the sitemap index and that model's section,
  each rendered (a new handler and an empty cache per request; the median of RUNS) and
  served again from the page cache; the size is the uncompressed body;
  On PostgreSQL the database is then vacuumed and analyzed, as autovacuum does after a bulk
  load: without it the planner has no statistics for the new rows (and chose sequential
  scans over the search's indexes) and the first reads of each row write its hint bits;
- search: SEARCHES distinct queries (words of the content's fault names, half of them in
  Russian) through the search view, each with an empty cache, and their 95th percentile;
- compiles: every problem compiled once, then an edit of one problem (a fault renamed), a
  learning change on it (learning switched on) and a workshop report on it, and after each,
  every problem asked for again: how many *other* problems were compiled again. Counted by
  wrapping COMPILE_HOOK, the function that builds a problem's compiled content. "Empty" is
  every cache of the content: the shared one, this process's compiled problems and the
  versions it read (kept a second, kb/content_version.py). Left, a version outlived its
  cleared shared copy: what was compiled in the first pass's first second keyed on it, was
  made up anew after it, and compiled again after the edit (23 "others" at 300 models, the
  first ones in key order, none of them touched by the edit);
- memory: a fresh process serves the first question of every problem (the wizard with its
  generation chosen), then reports its resident set (VmRSS).

Prints a table beside the targets (docs/design.md); below one, a line "MISSED: ..." goes to
stderr and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import BASE_DIR, PYTHON, prepared_site  # noqa: E402

MODELS = 300
RUNS = 5
SEARCHES = 50
# The function that compiles one problem (diagnosis/content.py), wrapped to count its calls.
COMPILE_HOOK = "diagnosis.content.build"

PAGE_MS, PAGE_KB = 50, 60
INDEX_MS, SECTION_MS = 50, 300
SEARCH_P95_MS = 50
OTHER_COMPILES = 0
RSS_MB = 200

BUILD = r"""
import json, sys
import django
django.setup()
sys.path.insert(0, sys.argv[2])
from synthetic_kb import build
from django.db import connection
from kb.models import Fault, Likelihood, Problem, Step
added = build(int(sys.argv[1]))
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:  # what autovacuum does after a bulk load
        cursor.execute("VACUUM ANALYZE")
print("RESULT " + json.dumps({
    "added": added,
    "problems": Problem.objects.count(),
    "faults": Fault.objects.count(),
    "likelihoods": Likelihood.objects.count(),
    "steps": Step.objects.count(),
}))
"""

MEASURE = r"""
import importlib, json, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from diagnosis import content
from kb.content_version import forget_local_version
from kb.models import Fault, Generation, Problem
from reports.models import PriorLearning, WorkshopReport

settings.ALLOWED_HOSTS = ["*"]
runs, searches, hook, model = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
out = {}

def get(client, path):
    started = time.perf_counter()
    response = client.get(path)
    ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return ms, len(response.content)

# Every cache of the content empty: the shared one, the compiled problems this process keeps
# and the versions it read (kept a second: left, they outlive the versions cleared from the
# shared cache, so what is compiled in that second keys on a version that is made up anew
# after it, and is compiled again on the next pass, edit or not).
def emptied():
    cache.clear()
    content._local.clear()
    forget_local_version()

def rendered(path):
    emptied()
    return get(Client(), path)  # a new handler: no page kept in this process either

pages = {
    "home": "/",
    "model": f"/{model}/",
    "index": "/sitemap.xml",
    "section": f"/sitemaps/models/{model}.xml",
}
for path in ["/offline/", "/nissan-qashqai/", *pages.values()]:
    rendered(path)  # templates, URL resolvers, first connection: once per process
for name, path in pages.items():
    timed = [rendered(path) for _ in range(runs)]
    client = Client()
    client.get(path)
    client.get(path)  # asked twice: kept by this process (kb.middleware.HotPages)
    warm = statistics.median(get(client, path)[0] for _ in range(runs))
    out[name] = {
        "path": path,
        "ms": statistics.median(ms for ms, _ in timed),
        "bytes": timed[0][1],
        "warm_ms": warm,
    }

words = []
for field in ("name_en", "name_ru"):
    seen = set()
    for name in Fault.objects.order_by(field).values_list(field, flat=True):
        for word in name.replace("(", " ").replace(")", " ").split():
            word = word.strip(".,:;").lower()
            if len(word) >= 4 and word not in seen:
                seen.add(word)
    words.append(sorted(seen))
queries = [("", w) for w in words[0][: searches // 2]] + [
    ("/ru", w) for w in words[1][: searches - searches // 2]
]
timings = []
for prefix, word in queries:
    emptied()
    timings.append(get(Client(), f"{prefix}/search/?q={word}")[0])
timings.sort()
out["search"] = {
    "queries": len(timings),
    "p95_ms": timings[max(0, round(0.95 * len(timings)) - 1)],
    "median_ms": statistics.median(timings),
}

module_name, function = hook.rsplit(".", 1)
module = importlib.import_module(module_name)
original, built = getattr(module, function), []
def counting(model_slug, problem_slug, *args, **kwargs):
    built.append((model_slug, problem_slug))
    return original(model_slug, problem_slug, *args, **kwargs)
setattr(module, function, counting)

translation.activate("en")
emptied()
every = list(Problem.objects.values_list("vehicle_model__slug", "slug").order_by("pk"))
target = Problem.objects.select_related("vehicle_model").get(
    vehicle_model__slug=model, slug="trunk-wont-open"
)
mine = (target.vehicle_model.slug, target.slug)
for pair in every:
    content.compiled_problem(*pair)
out["compiled_first"] = len(built)

def edit():
    fault = Fault.objects.filter(problem=target).order_by("pk").first()
    fault.name_en += " (edited)"
    fault.save()

def learning():
    row, _ = PriorLearning.objects.get_or_create(problem=target)
    row.enabled = not row.enabled
    row.save()

def report():
    WorkshopReport.objects.create(
        generation=Generation.objects.filter(vehicle_model=target.vehicle_model).first(),
        fault=Fault.objects.filter(problem=target).order_by("pk").first(),
        workshop="bench/scale.py",
    )

out["compiles"] = {}
for name, change in (("an edit", edit), ("a learning change", learning), ("a report", report)):
    change()  # autocommit: the on_commit hooks run at once
    built.clear()
    started = time.perf_counter()
    for pair in every:
        content.compiled_problem(*pair)
    out["compiles"][name] = {
        "others": sum(pair != mine for pair in built),
        "own": sum(pair == mine for pair in built),
        "seconds": time.perf_counter() - started,
    }
print("RESULT " + json.dumps(out))
"""

RSS = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client
from kb.models import Generation, Problem

settings.ALLOWED_HOSTS = ["*"]
client = Client()
first_code = {}
for model_id, code in Generation.objects.order_by("year_from").values_list("vehicle_model", "code"):
    first_code.setdefault(model_id, code)
served = 0
for problem in Problem.objects.published().select_related("vehicle_model"):
    url = f"{problem.get_diagnose_url()}?generation={first_code[problem.vehicle_model_id]}"
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    served += 1
status = dict(
    line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line
)
kb = lambda key: int(status[key].split()[0])
print("RESULT " + json.dumps({"served": served, "rss_kb": kb("VmRSS"), "peak_kb": kb("VmHWM")}))
"""


def child(env: dict[str, str], code: str, *args: str, timeout: float = 1800) -> dict:
    """Run `code` in a fresh process on the prepared site; the JSON it printed after RESULT."""
    env = {**env, "PYTHONPATH": str(BASE_DIR), "REQUEST_LOG": "0", "SEARCH_RATE_LIMIT": "0"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    result = subprocess.run(
        [PYTHON, "-c", code, *args],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise RuntimeError(f"child process failed ({result.returncode}):\n{result.stderr[-3000:]}")


def measure(kind: str, models: int) -> dict:
    with prepared_site(kind, static="plain", redis_url=None) as site:
        print(f"building {models} synthetic models on {kind} ...", flush=True)
        figures = {"content": child(site.env, BUILD, str(models), str(Path(__file__).parent))}
        print(f"  {json.dumps(figures['content'])}", flush=True)
        print("measuring pages, search and compiles ...", flush=True)
        figures.update(child(site.env, MEASURE, str(RUNS), str(SEARCHES), COMPILE_HOOK,
                             "make-01-model-001"))  # fmt: skip
        print("serving a step of every problem in a fresh process ...", flush=True)
        figures["rss"] = child(site.env, RSS)
    return figures


def rows(figures: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) for each row of the table."""
    table = []
    for name, label in (("home", "home page"), ("model", "a model's page")):
        page = figures[name]
        table.append((f"{label}: rendered", _ms(page), f"≤ {PAGE_MS} ms", page["ms"] <= PAGE_MS))
        size = page["bytes"] / 1024
        table.append((f"{label}: size", f"{size:.1f} KB", f"≤ {PAGE_KB} KB", size <= PAGE_KB))
    for name, label, budget in (
        ("index", "sitemap index", INDEX_MS),
        ("section", "sitemap section (one model)", SECTION_MS),
    ):
        page = figures[name]
        size = f"{page['bytes'] / 1024:.1f} KB"
        table.append((label, f"{_ms(page)}, {size}", f"≤ {budget} ms", page["ms"] <= budget))
    search = figures["search"]
    table.append(
        (
            f"search p95 over {search['queries']} queries",
            f"{search['p95_ms']:.1f} ms (median {search['median_ms']:.1f})",
            f"≤ {SEARCH_P95_MS} ms",
            search["p95_ms"] <= SEARCH_P95_MS,
        )
    )
    for change, counted in figures["compiles"].items():
        table.append(
            (
                f"other problems compiled after {change} on one",
                f"{counted['others']} (its own: {counted['own']})",
                f"{OTHER_COMPILES}",
                counted["others"] <= OTHER_COMPILES,
            )
        )
    rss = figures["rss"]
    mb = rss["rss_kb"] / 1024
    table.append(
        (
            f"worker RSS after a step of each of {rss['served']} problems",
            f"{mb:.0f} MB (peak {rss['peak_kb'] / 1024:.0f})",
            f"≤ {RSS_MB} MB",
            mb <= RSS_MB,
        )
    )
    return table


def _ms(page: dict) -> str:
    return f"{page['ms']:.1f} ms (cached {page['warm_ms']:.1f})"


def missed_targets(table: list[tuple[str, str, str, bool]]) -> list[str]:
    return [
        f"{what}: {measured} (target {target})" for what, measured, target, ok in table if not ok
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=MODELS, help=f"default {MODELS}")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    args = parser.parse_args(argv)
    figures = measure(args.db, args.models)
    content = figures["content"]
    print(
        f"\n{args.models} synthetic models + the Qashqai on {args.db}: {content['problems']} "
        f"problems, {content['faults']} faults, {content['likelihoods']} likelihoods, "
        f"{content['steps']} procedure steps; compiles counted at {COMPILE_HOOK}\n"
    )
    table = rows(figures)
    print(f"| {'what':56} | {'measured':34} | {'target':9} | result |")
    print(f"|{'-' * 58}|{'-' * 36}|{'-' * 11}|--------|")
    for what, measured, target, met in table:
        print(f"| {what:56} | {measured:34} | {target:9} | {'PASS' if met else 'MISS'} |")
    for reason in missed_targets(table):
        print(f"MISSED: scale: {reason}", file=sys.stderr)
    return 1 if missed_targets(table) else 0


if __name__ == "__main__":
    sys.exit(main())
