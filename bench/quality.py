"""Diagnosis quality: the shipped test cases played by the simulated owner, and a seeded Monte
Carlo of owners whose cause is drawn from each generation's prior.

Run with `.venv/bin/python bench/quality.py` (part of `make bench`). It loads the shipped
content into a throw-away SQLite database, then prints per generation:

- on the scenario set (the shipped test cases, fixtures/scenario-cases.json, played by
  diagnosis/scenarios.py's owner, who answers from the case's facts and "don't know"
  otherwise, through the wizard's own diagnosis step): top-1, top-3, mean and max questions;
- under the prior: the true cause drawn from the generation's prior, every answer drawn from
  the content's own likelihoods (the engine's `answer_distribution`), RUNS runs with a fixed
  seed: the expected number of questions and how often the top cause is the true one, beside
  the information bound (the prior's entropy in bits: the mean number of yes/no answers a
  perfect questioner would need).

Then search quality: the owners' query set (tests/search_queries.py, both languages) searched
as the site does, each query's page among the first three results, per language, with the
search time per query (the 95th percentile, on this SQLite database; PostgreSQL's figure is in
docs/performance.md).

Exits 1 naming every target missed: top-1 >= 95 %, top-3 100 %, mean <= 5 and max <= 8
questions on the scenario set, expected <= 5 questions under the prior, search top-3 >= 95 %
in each language.
"""

from __future__ import annotations

import math
import os
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

SEED = 20261130
RUNS = 10_000
TARGETS = {
    "top-1 on the scenario set": (">=", 0.95),
    "top-3 on the scenario set": (">=", 1.0),
    "mean questions on the scenario set": ("<=", 5.0),
    "max questions on the scenario set": ("<=", 8),
    "expected questions under the prior": ("<=", 5.0),
    "search top-3 (en)": (">=", 0.95),
    "search top-3 (ru)": (">=", 0.95),
}


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # a private cache: nothing shared is touched
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command(
        "load_content", *sorted(str(p) for p in (ROOT / "fixtures").glob("*.json")), verbosity=0
    )


def play_scenarios():
    """The shipped test cases, each played as the content check plays it."""
    from scenario_cases import play_all

    results = defaultdict(list)
    for case, verdict in play_all():
        results[case.generation.code].append(
            (verdict.first_ranks_first, verdict.passes, verdict.played.questions, case)
        )
    return results


def play_searches() -> dict:
    """Each language's owners' queries searched as the site does: (played, p95 ms)."""
    import time

    from django.utils import translation
    from search_queries import play

    from kb.search import search

    searched = {}
    for language in ("en", "ru"):
        played = play(language)
        times = []
        with translation.override(language):
            for item in played:
                start = time.perf_counter()
                search(item.query)
                times.append((time.perf_counter() - start) * 1000)
        times.sort()
        searched[language] = (played, times[max(0, math.ceil(0.95 * len(times)) - 1)])
    return searched


def simulate(kb, rng: random.Random, cap: int = 40) -> tuple[int, bool]:
    """One owner: a cause drawn from the prior, answers drawn from the content."""
    from diagnosis.engine import NONE_OF_THESE, diagnose

    faults = kb.faults
    truth = rng.choices([f.key for f in faults], weights=[f.prior for f in faults])[0]
    answers: dict[str, str] = {}
    asked = 0
    while True:
        verdict = diagnose(kb, answers)
        if verdict.done or asked >= cap:
            return asked, verdict.candidates[0].fault == truth
        question = verdict.next_question
        asked += 1
        distribution = kb.answer_distribution(truth, question)
        outcome = rng.choices(list(distribution), weights=list(distribution.values()))[0]
        if kb.is_group(question):
            for member in kb.group(question).members:
                answers[member] = "y" if member == outcome and outcome != NONE_OF_THESE else "n"
        else:
            answers[question] = outcome


def entropy_bits(weights) -> float:
    total = sum(weights)
    return -sum(w / total * math.log2(w / total) for w in weights if w > 0)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "quality.sqlite3")
        from scenario_cases import MODEL, PROBLEM

        from diagnosis.content import build

        scenarios = play_scenarios()
        compiled = build(MODEL, PROBLEM)
        searched = play_searches()

    rng = random.Random(SEED)
    print(
        f"diagnosis quality: {sum(len(v) for v in scenarios.values())} scenarios, "
        f"{RUNS:,} simulated owners per generation (seed {SEED})"
    )
    header = (
        f"{'generation':<13} {'cases':>5} {'top-1':>6} {'top-3':>6} {'mean q':>6} "
        f"{'max q':>5} | {'expected q':>10} {'top-1 sim':>9} {'bound':>6}"
    )
    print(header)
    print("-" * len(header))
    every = []
    expected_worst = 0.0
    for code, kb in compiled.knowledge_bases.items():
        rows = scenarios.get(code, [])
        every += rows
        runs = [simulate(kb, rng) for _ in range(RUNS)]
        expected = sum(q for q, _ in runs) / RUNS
        expected_worst = max(expected_worst, expected)
        right = sum(ok for _, ok in runs) / RUNS
        bound = entropy_bits([f.prior for f in kb.faults])
        if rows:
            questions = [q for _, _, q, _ in rows]
            print(
                f"{code:<13} {len(rows):>5} {sum(r[0] for r in rows) / len(rows):>6.0%} "
                f"{sum(r[1] for r in rows) / len(rows):>6.0%} "
                f"{sum(questions) / len(questions):>6.2f} {max(questions):>5} | "
                f"{expected:>10.2f} {right:>9.0%} {bound:>6.2f}"
            )
    questions = [q for _, _, q, _ in every]
    figures = {
        "top-1 on the scenario set": sum(r[0] for r in every) / len(every),
        "top-3 on the scenario set": sum(r[1] for r in every) / len(every),
        "mean questions on the scenario set": sum(questions) / len(questions),
        "max questions on the scenario set": max(questions),
        "expected questions under the prior": expected_worst,
    }
    print("-" * len(header))
    print(
        f"{'all':<13} {len(every):>5} {figures['top-1 on the scenario set']:>6.0%} "
        f"{figures['top-3 on the scenario set']:>6.0%} "
        f"{figures['mean questions on the scenario set']:>6.2f} "
        f"{figures['max questions on the scenario set']:>5} | "
        f"{expected_worst:>10.2f} (worst generation)"
    )
    for ok_first, ok_three, _, case in every:
        if not (ok_first and ok_three):
            print(f"  missed: {case.name} ({case.generation.code}): expected {case.first}")
    from search_queries import top3

    print()
    print(f"{'search':<13} {'queries':>7} {'top-3':>6} {'p95 ms':>7}")
    for language, (played, p95) in searched.items():
        figures[f"search top-3 ({language})"] = top3(played)
        print(f"{language:<13} {len(played):>7} {top3(played):>6.0%} {p95:>7.1f}")
        for miss in (p for p in played if not p.passes):
            print(
                f"  missed: {miss.query!r} ({language}): expected {miss.expected}, got {miss.found}"
            )
    missed = missed_targets(figures)
    for name, (op, target) in TARGETS.items():
        print(f"target {name} {op} {target:g}: {figures[name]:.3g}")
    for line in missed:
        print(f"MISSED: {line}", file=sys.stderr)
    return 1 if missed else 0


def missed_targets(figures: dict[str, float]) -> list[str]:
    """The targets this run missed, each in one line; empty when all are met."""
    missed = []
    for name, (op, target) in TARGETS.items():
        value = figures.get(name, math.nan)
        met = value >= target if op == ">=" else value <= target  # NaN is a miss
        if not met:
            missed.append(f"{name} is {value:.3g} (target {op} {target:g})")
    return missed


if __name__ == "__main__":
    sys.exit(main())
