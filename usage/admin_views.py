"""The usage dashboard in the admin: who may see it is the permission usage.view_dailycount
(content editors and leads have it). Charts are server-rendered SVG (usage/charts.py)."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import charts, counters, stats

PERMISSION = "usage.view_dailycount"
MAX_DAYS = 366


def _allowed(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def period(params) -> tuple[dt.date, dt.date, str]:
    """The days asked for (?from=…&to=…, ISO dates), else the last 30; and what was wrong."""
    day_from, day_to = stats.default_period()
    try:
        if params.get("from"):
            day_from = dt.date.fromisoformat(params["from"][:10])
        if params.get("to"):
            day_to = dt.date.fromisoformat(params["to"][:10])
    except ValueError:
        return *stats.default_period(), _("Dates are written 2026-11-30: showing the last 30 days.")
    if day_from > day_to:
        day_from, day_to = day_to, day_from
    if (day_to - day_from).days >= MAX_DAYS:
        day_from = day_to - dt.timedelta(days=MAX_DAYS - 1)
    return day_from, day_to, ""


def dashboard(request):
    _allowed(request)
    day_from, day_to, problem = period(request.GET)
    report = stats.build(day_from, day_to)
    context = {
        **admin.site.each_context(request),
        "title": _("Usage of the wizard"),
        "report": report,
        "period_problem": problem,
        "charts": {
            "answers": charts.answers_chart(report.questions),
            "unknown": charts.unknown_chart(report.questions),
            "outcomes": charts.outcomes_chart(report.generations),
            "fixes": charts.fixes_chart(report.fixes),
        },
        "flag_rate": round(stats.UNKNOWN_FLAG_RATE * 100),
        "flag_min": stats.UNKNOWN_FLAG_MIN_ANSWERS,
        "pending": sum(counters.pending().values()),
    }
    return TemplateResponse(request, "admin/usage/dashboard.html", context)


CSV_TABLES = ("daily", "questions", "generations", "fixes", "reliability")


def export_csv(request):
    """?what=daily (the raw daily counts), questions, generations, fixes or reliability; same
    ?from/?to."""
    _allowed(request)
    day_from, day_to, _ = period(request.GET)
    what = request.GET.get("what", "daily")
    if what not in CSV_TABLES:
        what = "daily"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="usage-{what}-{day_from}-{day_to}.csv"'
    writer = csv.writer(response)
    if what == "daily":
        fields = ["day", "kind", "problem", "generation", "question", "answer", "fault", "count"]
        writer.writerow(fields)
        for row in stats.daily_rows(day_from, day_to).values_list(*fields):
            writer.writerow(row)
        return response
    report = stats.build(day_from, day_to)
    if what == "questions":
        writer.writerow(
            ["problem", "question", "text", "shown", "yes", "no", "dont_know", "abandoned",
             "drop_rate", "dont_know_rate", "flagged"]
        )  # fmt: skip
        for q in report.questions:
            writer.writerow(
                [q.problem, q.question, q.text, q.shown, q.yes, q.no, q.unknown, q.abandoned,
                 _rate(q.drop_rate), _rate(q.unknown_rate), int(q.flagged)]
            )  # fmt: skip
    elif what == "generations":
        writer.writerow(["problem", "generation", "starts", "results", "completion", "top_fault"])
        for g in report.generations:
            top = max(g.top_faults, key=g.top_faults.get) if g.top_faults else ""
            writer.writerow(
                [g.problem, g.generation, g.starts, g.results, _rate(g.completion), top]
            )
    elif what == "reliability":
        # One row per band with reports; the error is Σ reports / N · |hit_rate − mean_shown|.
        writer.writerow(["band_from", "band_to", "mean_shown", "hit_rate", "hits", "reports"])
        for b in report.reliability.bins if report.reliability else ():
            writer.writerow(
                [f"{b.low:.1f}", f"{b.high:.1f}", _rate(b.mean_shown), _rate(b.hit_rate), b.hits,
                 b.cases]
            )  # fmt: skip
    else:
        writer.writerow(
            ["problem", "generation", "fault", "table_prior", "reports", "confirmed",
             "confirmed_share"]
        )  # fmt: skip
        for f in report.fixes:
            writer.writerow(
                [f.problem, f.generation, f.fault, _rate(f.table_prior), f.reports,
                 f"{f.confirmed:g}", _rate(f.confirmed_share)]
            )  # fmt: skip
    return response


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


@require_POST
def flush_now(request):
    """Writes the counters now, in this web process (the only way to reach the counters of a
    process without Redis; with Redis the same as `manage.py flush_usage`)."""
    _allowed(request)
    written = counters.flush()
    messages.success(
        request,
        _("Written: %(events)s counted events, %(rows)s daily rows updated.")
        % {"events": written["events"], "rows": written["rows"]},
    )
    return redirect(reverse("admin-usage") + "?" + request.GET.urlencode())
