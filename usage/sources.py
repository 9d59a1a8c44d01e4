"""What the dashboard reads from the reports of confirmed fixes (issue 11, items 1–2).

The `reports` app (owner and workshop reports) provides them in `reports/usage.py`; where it is
not installed they return nothing ({} or []), and the dashboard says that no reports are
connected. The three functions:

    report_counts(day_from: date, day_to: date) -> dict[tuple[str, str, str], int]
        Reports received (owner and workshop, spam excluded) per
        ("<model slug>/<problem slug>", generation code, fault slug), by report date,
        day_from and day_to included. A report of "something else" uses the fault slug "".

    confirmed_fixes(day_from: date, day_to: date) -> dict[tuple[str, str, str], float]
        The same keys, valued as the priors count them: each report times its weight
        (workshop reports count more, as staff set).

    shown_and_confirmed(day_from: date, day_to: date) -> list[tuple[float, bool]]
        Per verified owner report sent from a wizard result, by report date: the top cause's
        probability as the owner was shown it, and whether it was the cause confirmed.
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


def shown_and_confirmed(day_from: dt.date, day_to: dt.date) -> list[tuple[float, bool]]:
    function = _reports_function("shown_and_confirmed")
    return list(function(day_from, day_to)) if function else []
