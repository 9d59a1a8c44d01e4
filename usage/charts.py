"""Horizontal bar charts as server-rendered SVG: no script, no chart library, no inline style.

Colours come from classes in static/css/usage.css (the CSP allows stylesheets from the site
only, no style attributes); sizes and positions are SVG attributes. Every bar and label has a
<title> (a tooltip, and the full text of a shortened label); the dashboard prints the same
figures in a table under each chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WIDTH = 820
LABEL_WIDTH = 290
BAR_X = LABEL_WIDTH + 8
BAR_WIDTH = 300
ROW_HEIGHT = 26
BAR_HEIGHT = 16
LEGEND_HEIGHT = 24
LABEL_CHARS = 40  # about 250 px at 12 px: the rest is in the label's <title>


@dataclass(frozen=True)
class Segment:
    value: float
    css: str  # a class in static/css/usage.css, e.g. "seg-yes"
    name: str  # what the value is, for the tooltip: "yes"


@dataclass(frozen=True)
class Row:
    label: str
    segments: tuple[Segment, ...]
    note: str = ""  # printed right of the bar: "120 shown", "35 %"
    flagged: bool = False


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def bar_chart(
    chart_id: str,
    title: str,
    rows: list[Row],
    legend: list[tuple[str, str]],
    *,
    stacked: bool = True,
    scale: float | None = None,
    empty: str = "",  # default: "No data for these days." in the language of the request
) -> SafeString:
    """A chart with one row per item. Stacked: a row's segments side by side in one bar,
    scaled to the largest row total. Not stacked: each segment its own thin bar under the
    last (e.g. the table's prior against the confirmed share), scaled to the largest value.
    `scale` fixes the full width instead (1.0 for shares)."""
    title_id = f"{chart_id}-title"
    empty = empty or _("No data for these days.")
    if not rows:
        return format_html(
            '<svg class="chart chart-empty" id="{}" viewBox="0 0 {} 60" role="img" '
            'aria-labelledby="{}"><title id="{}">{}: {}</title>'
            '<rect class="chart-frame" x="0.5" y="0.5" width="{}" height="59"/>'
            '<text class="chart-empty-text" x="{}" y="35" text-anchor="middle">{}</text></svg>',
            chart_id, WIDTH, title_id, title_id, title, empty, WIDTH - 1, WIDTH // 2, empty,
        )  # fmt: skip
    if scale is None:
        if stacked:
            scale = max(sum(s.value for s in row.segments) for row in rows)
        else:
            scale = max((s.value for row in rows for s in row.segments), default=0)
    scale = scale or 1
    per_row = ROW_HEIGHT if stacked else max(ROW_HEIGHT, 6 + 10 * len(rows[0].segments))
    height = LEGEND_HEIGHT + per_row * len(rows) + 8
    parts = [_legend(legend)]
    for index, row in enumerate(rows):
        top = LEGEND_HEIGHT + index * per_row
        parts.append(_row(row, top, per_row, scale, stacked))
    return format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}">'
        '<title id="{}">{}</title>{}</svg>',
        chart_id, WIDTH, height, title_id, title_id, title, mark_safe("".join(parts)),
    )  # fmt: skip


def _legend(legend: list[tuple[str, str]]) -> str:
    x, items = BAR_X, []
    for css, name in legend:
        items.append(
            format_html(
                '<rect class="{} chart-key" x="{}" y="6" width="10" height="10"/>'
                '<text class="chart-legend" x="{}" y="15">{}</text>',
                css,
                x,
                x + 14,
                name,
            )  # fmt: skip
        )
        x += 24 + 7 * len(name)
    return "".join(items)


def _row(row: Row, top: int, per_row: int, scale: float, stacked: bool) -> str:
    middle = top + per_row / 2
    label_class = "chart-label chart-flagged" if row.flagged else "chart-label"
    out = [
        format_html(
            '<g><title>{}</title><text class="{}" x="{}" y="{}" text-anchor="end">{}</text></g>',
            row.label,
            label_class,
            LABEL_WIDTH,
            f"{middle + 4:.1f}",
            _short(row.label),
        )  # fmt: skip
    ]
    x = float(BAR_X)
    bars = []
    for number, segment in enumerate(row.segments):
        width = BAR_WIDTH * segment.value / scale
        if stacked:
            y, height = middle - BAR_HEIGHT / 2, BAR_HEIGHT
        else:
            height = 8
            y = top + 3 + number * 10
            x = float(BAR_X)
        if width > 0:
            bars.append((segment, x, y, width, height))
        if stacked:
            x += width
    out.append(
        format_html_join(
            "",
            '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
            (
                (s.css, f"{x:.1f}", f"{y:.1f}", f"{w:.1f}", h, s.name, _number(s.value))
                for s, x, y, w, h in bars
            ),
        )
    )
    if row.note:
        out.append(
            format_html(
                '<text class="chart-value" x="{}" y="{}">{}</text>',
                BAR_X + BAR_WIDTH + 8,
                f"{middle + 4:.1f}",
                row.note,
            )  # fmt: skip
        )
    return "".join(out)


# --- the dashboard's four charts -------------------------------------------------------------

ANSWER_LEGEND = [
    ("seg-yes", gettext_lazy("yes")),
    ("seg-no", gettext_lazy("no")),
    ("seg-unknown", gettext_lazy("don't know")),
    ("seg-abandoned", gettext_lazy("abandoned there")),
]


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)} %"


def answers_chart(questions) -> SafeString:
    rows = [
        Row(
            q.text,
            (
                Segment(q.yes, "seg-yes", _("yes")),
                Segment(q.no, "seg-no", _("no")),
                Segment(q.unknown, "seg-unknown", _("don't know")),
                Segment(q.abandoned, "seg-abandoned", _("abandoned there")),
            ),
            note=_("%(shown)s shown, %(left)s left")
            % {"shown": q.shown, "left": _percent(q.drop_rate)},
            flagged=q.flagged,
        )
        for q in questions
    ]
    return bar_chart("chart-answers", _("Answers and drop-off by question"), rows, ANSWER_LEGEND)


def unknown_chart(questions) -> SafeString:
    answered = [q for q in questions if q.answered]
    rows = [
        Row(
            q.text,
            (
                Segment(
                    round(q.unknown_rate, 3),
                    "seg-flagged" if q.flagged else "seg-unknown",
                    _("share of don't know"),
                ),
            ),
            note=_("%(rate)s of %(answered)s")
            % {"rate": _percent(q.unknown_rate), "answered": q.answered}
            + (" ⚑" if q.flagged else ""),
            flagged=q.flagged,
        )  # fmt: skip
        for q in sorted(answered, key=lambda q: -(q.unknown_rate or 0))
    ]
    legend = [("seg-unknown", _("don't know")), ("seg-flagged", _("owners cannot answer it"))]
    title = _("“Don't know” rate by question")
    return bar_chart("chart-unknown", title, rows, legend, scale=1.0)


def outcomes_chart(generations) -> SafeString:
    rows = [
        Row(
            f"{g.name} · {g.problem.partition('/')[2]}",
            (
                Segment(g.starts, "seg-start", _("started")),
                Segment(g.results, "seg-yes", _("result")),
            ),
            note=_("%(starts)s started, %(results)s results")
            % {"starts": g.starts, "results": g.results},
        )
        for g in generations
    ]
    legend = [("seg-start", _("started")), ("seg-yes", _("reached a result"))]
    title = _("Outcomes by generation")
    return bar_chart("chart-outcomes", title, rows, legend, stacked=False)


def fixes_chart(fixes) -> SafeString:
    rows = [
        Row(
            f"{f.name} · {f.generation}",
            (
                Segment(round(f.table_prior or 0, 3), "seg-table", _("table's prior")),
                Segment(round(f.confirmed_share or 0, 3), "seg-yes", _("share of confirmed fixes")),
            ),
            note=f"{_percent(f.table_prior)} → {_percent(f.confirmed_share)}",
        )
        for f in fixes
    ]
    legend = [("seg-table", _("table's prior")), ("seg-yes", _("confirmed fixes"))]
    return bar_chart(
        "chart-fixes",
        _("Confirmed fixes against the fault-rate table"),
        rows,
        legend,
        stacked=False,
        scale=1.0,
        empty=_("No confirmed fixes reported for these days."),
    )
