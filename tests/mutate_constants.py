"""Constant mutation: nudge each documented figure of the engine and the query codec down and
up, and check that a test fails each time (the second step of `make mutation`).

mutmut leaves module-level constants alone, so a figure such as "stop when the best cause holds
50 %" (engine.LEAD_AT) could move to 0.6 with every test still passing. This script copies the
project's code and tests to a temporary directory, rewrites one constant there at a time (its
line `NAME = value` in diagnosis/engine.py or diagnosis/query.py), and runs the fast tests of
those modules plus the scenario tests with `pytest -x`. A nudge is caught when a test fails
(or the run times out), survived when they all pass.

Run with `.venv/bin/python tests/mutate_constants.py` (from any directory). It prints one line
per nudge and the test that caught it; it exits 1 when a nudge survives that is not listed in
EQUIVALENT, when one listed there is caught after all (the list is a claim: keep it true), or
when the source no longer holds a figure below (update NUDGES and the docs with it). The steps
are the figure's sensible precision: ±0.01 for a probability threshold, about ±10 % for a
ratio, ±1 for a count. docs/testing.md ("Mutation testing") records the last run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from web.release import SOURCE_DIRS

ROOT = Path(__file__).resolve().parent.parent

# (module, constant, documented value as written, nudges). The tests that pin them by
# behaviour: tests/test_engine_boundaries.py, tests/test_query.py.
NUDGES = [
    ("diagnosis/engine.py", "P_MIN", "0.01", ("0.009", "0.011")),
    ("diagnosis/engine.py", "P_MAX", "0.99", ("0.989", "0.991")),
    ("diagnosis/engine.py", "DEFAULT_CLEAR_AT", "0.8", ("0.79", "0.81", "0.74")),
    ("diagnosis/engine.py", "LEAD_AT", "0.5", ("0.49", "0.51")),
    ("diagnosis/engine.py", "LEAD_RATIO", "3.0", ("2.8", "3.2")),
    ("diagnosis/engine.py", "DEFAULT_MIN_GAIN_PER_COST", "0.1", ("0.09", "0.11")),
    ("diagnosis/engine.py", "DEFAULT_MAX_QUESTIONS", "8", ("7", "9")),
    ("diagnosis/engine.py", "DEFAULT_VALUE_PER_COST", "4.0", ("3.6", "4.4")),
    ("diagnosis/engine.py", "ANSWER_RATE", "0.7", ("0.69", "0.71")),
    ("diagnosis/engine.py", "ANSWER_WEIGHT", "5.0", ("4.5", "5.5")),
    ("diagnosis/engine.py", "CONTRAST_RATIO", "1.3", ("1.28", "1.32")),
    ("diagnosis/engine.py", "CONTRAST_MIN_SHARE", "0.02", ("0.018", "0.022")),
    ("diagnosis/engine.py", "CONTRAST_MAX_FAULTS", "3", ("2", "4")),
    ("diagnosis/query.py", "MAX_QUERY_LENGTH", "2048", ("2047", "2049")),
    ("diagnosis/query.py", "MAX_VALID_LIST", "40", ("39", "41")),
]

# Nudges no test can catch, with the reason: (constant, nudged value) -> why.
_CLEAR_AT_EQUIVALENT = (
    "equivalent: a best cause over 75 % is more than 3 times the runner-up (who holds at most "
    "the rest), so it is clear by LEAD_AT and LEAD_RATIO whatever DEFAULT_CLEAR_AT is above "
    "0.75; below, it decides (0.74 is caught)"
)
EQUIVALENT = {
    ("DEFAULT_CLEAR_AT", "0.79"): _CLEAR_AT_EQUIVALENT,
    ("DEFAULT_CLEAR_AT", "0.81"): _CLEAR_AT_EQUIVALENT,
}

# The fastest first: with -x the run stops at the first failure (tests/fast_tests_first.py keeps
# this order, pytest-django would run the database tests first). The scenario tests need the
# test database, built without migrations (3 s instead of 34; they need none of their data).
TESTS = [
    "tests/test_engine_boundaries.py",
    "tests/test_engine_survivors.py",
    "tests/test_query.py",
    "tests/test_engine.py",
    "tests/test_stop_value.py",
    "tests/test_scenarios.py",
]
PYTEST = ["-x", "-q", "-p", "no:cacheprovider", "-p", "tests.fast_tests_first", "--nomigrations"]
TIMEOUT = 600  # seconds; a run this long counts as caught (the nudge made something hang)

# What the tests import, render or load; nothing generated (caches, the database, the venv).
# Every app, the templates, static files and translations (web.release.SOURCE_DIRS, which a
# test holds to INSTALLED_APPS), and what the tests load besides.
COPY = [*SOURCE_DIRS, "fixtures", "tests", "manage.py", "pyproject.toml"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "mutants")


def copy_tree(destination: Path) -> None:
    for name in COPY:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=IGNORE)
        else:
            shutil.copy2(source, destination / name)


def environment(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The copy first on the path (before the project's editable install), and no bytecode: a
    # nudge of the same length within the same second would otherwise reuse a stale .pyc.
    env["PYTHONPATH"] = str(tree)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["DB_CONN_MAX_AGE"] = "0"
    return env


def run_tests(tree: Path) -> tuple[bool, str, float]:
    """(passed, the first failing test or the reason, seconds)."""
    start = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", *PYTEST, *TESTS],
            cwd=tree,
            env=environment(tree),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return False, f"timeout after {TIMEOUT} s", time.monotonic() - start
    seconds = time.monotonic() - start
    if result.returncode == 0:
        return True, "", seconds
    failed = re.search(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", result.stdout, re.MULTILINE)
    if failed:
        return False, failed.group(1), seconds
    tail = (result.stdout + result.stderr).strip().splitlines()[-5:]
    return False, f"exit {result.returncode}: " + " | ".join(tail), seconds


def rewrite(text: str, name: str, old: str, new: str) -> str:
    pattern = re.compile(rf"^{name} = {re.escape(old)}$", re.MULTILINE)
    changed, count = pattern.subn(f"{name} = {new}", text)
    if count != 1:
        raise SystemExit(
            f"{name} = {old} not found once ({count} times): the figure moved; update NUDGES "
            "in tests/mutate_constants.py and the docs that state it"
        )
    return changed


def check_imports_from(tree: Path) -> None:
    probe = "from importlib.util import find_spec as f; print(f('diagnosis.engine').origin)"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tree,
        env=environment(tree),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not all(Path(path).resolve().is_relative_to(tree.resolve()) for path in out):
        raise SystemExit(f"the tests would import the project, not the copy: {out}")


def main() -> int:
    total_start = time.monotonic()
    failures = []
    caught = survived = equivalent = 0
    with tempfile.TemporaryDirectory(prefix="mutate-constants-") as tmp:
        tree = Path(tmp)
        copy_tree(tree)
        check_imports_from(tree)
        originals = {path: (tree / path).read_text() for path in {n[0] for n in NUDGES}}
        for path, name, old, _ in NUDGES:  # every figure is where the table says, before any run
            rewrite(originals[path], name, old, old)

        passed, why, seconds = run_tests(tree)
        if not passed:
            print(f"the tests fail without any nudge ({why}): fix them first", file=sys.stderr)
            return 2
        print(f"constant nudges, against: {' '.join(TESTS)}")
        print(f"  unchanged: every test passes ({seconds:.0f} s)")

        for path, name, old, nudges in NUDGES:
            for new in nudges:
                (tree / path).write_text(rewrite(originals[path], name, old, new))
                try:
                    passed, why, seconds = run_tests(tree)
                finally:
                    (tree / path).write_text(originals[path])
                label = f"  {Path(path).stem}.{name} {old} -> {new}"
                reason = EQUIVALENT.get((name, new))
                if not passed and reason is None:
                    caught += 1
                    print(f"{label:<50} caught by {why} ({seconds:.0f} s)")
                elif not passed:
                    caught += 1
                    failures.append(f"{name} -> {new} is listed as equivalent but was caught")
                    print(
                        f"{label:<50} caught by {why}, but listed as equivalent ({seconds:.0f} s)"
                    )
                elif reason is not None:
                    equivalent += 1
                    print(f"{label:<50} survived, {reason} ({seconds:.0f} s)")
                else:
                    survived += 1
                    failures.append(f"{name} -> {new} survived")
                    print(f"{label:<50} SURVIVED: no test failed ({seconds:.0f} s)")

    total = caught + survived + equivalent
    minutes = (time.monotonic() - total_start) / 60
    print(
        f"constant nudges: {caught} of {total} caught, {equivalent} equivalent, "
        f"{survived} survived ({minutes:.1f} min)"
    )
    for failure in failures:
        print(f"  {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
