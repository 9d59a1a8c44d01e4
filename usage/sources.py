"""What the dashboard reads from the reports of confirmed fixes (issue 11, items 1–2).

The `reports` app (owner and workshop reports) provides them in `reports/usage.py`; where it is
not installed both functions return {}, and the dashboard says that no reports are connected.
The two functions:

    report_counts(day_from: date, day_to: date) -> dict[tuple[str, str, str], int]
        Reports received (owner and workshop, spam excluded) per
        ("<model slug>/<problem slug>", generation code, fault slug), by report date,
        day_from and day_to included. A report of "something else" uses the fault slug "".

    confirmed_fixes(day_from: date, day_to: date) -> dict[tuple[str, str, str], float]
        The same keys, valued as the priors count them: each report times its weight
        (workshop reports count more, as staff set).
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.apps import apps

Key = tuple[str, str, str]  # ("<model>/<problem>", generation code, fault slug)


def _reports_function(name: str):
    if not apps.is_installed("reports"):
        return None
    try:
        module = import_module("reports.usage")
    except ImportError:
        return None
    return getattr(module, name, None)


def report_counts(day_from: dt.date, day_to: dt.date) -> dict[Key, int]:
    function = _reports_function("report_counts")
    return dict(function(day_from, day_to)) if function else {}


def confirmed_fixes(day_from: dt.date, day_to: dt.date) -> dict[Key, float]:
    function = _reports_function("confirmed_fixes")
    return dict(function(day_from, day_to)) if function else {}


def connected() -> bool:
    return _reports_function("report_counts") is not None
