"""The map of every path in the admin (issue 21, item 5): the wizard's decision tree for one
problem and generation (diagnosis/pathmap.py), with the owners' traffic of the last 30 days
beside each question.

A staff tool: it reads the diagnosis (the tree) and the usage counts (the traffic); the walk
itself knows nothing of usage. The counts are per question and kind of answer, not per path
(usage/events.py), so the traffic is shown per question, and the page says so.

The tree is built as HTML here, not by a recursive template include: about 4,000 nodes render
in a fraction of a second this way (docs/content.md, "Map of every path").
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from diagnosis import content
from diagnosis.pathmap import PathMap, path_map
from kb.models import Problem
from usage import stats
from usage.models import DailyCount

PERMISSION = "kb.view_problem"
TRAFFIC_PERMISSION = "usage.view_dailycount"
# Levels of the tree open when the page loads; deeper ones open with a click.
OPEN_LEVELS = 2


def _allowed(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def index(request):
    """Every problem × generation, each linked to its map."""
    _allowed(request)
    rows = []
    for problem in Problem.objects.select_related("vehicle_model").order_by(
        "vehicle_model__slug", "order", "slug"
    ):
        compiled = content.compiled_problem(problem.vehicle_model.slug, problem.slug)
        generations = [
            (
                generation,
                reverse(
                    "admin-path-map",
                    args=[problem.vehicle_model.slug, problem.slug, generation.code],
                ),
            )
            for generation in (compiled.generations if compiled else ())
            if generation.code in compiled.knowledge_bases
        ]
        rows.append({"problem": problem, "generations": generations})
    context = {
        **admin.site.each_context(request),
        "title": _("Map of every path"),
        "rows": rows,
    }
    return TemplateResponse(request, "admin/usage/path_map_index.html", context)


def traffic(problem: str, generation: str, day_from, day_to) -> dict[str, dict[str, int]]:
    """Per question: how often it was shown ("shown") and answered yes / no / don't know."""
    found: dict[str, dict[str, int]] = {}
    rows = (
        DailyCount.objects.filter(
            day__gte=day_from,
            day__lte=day_to,
            problem=problem,
            generation=generation,
            kind__in=("shown", "answer"),
        )
        .values("kind", "question", "answer")
        .annotate(total=Sum("count"))
    )
    for row in rows:
        key = "shown" if row["kind"] == "shown" else row["answer"]
        counts = found.setdefault(row["question"], {"shown": 0, "y": 0, "n": 0, "u": 0})
        counts[key] = counts.get(key, 0) + row["total"]
    return found


def _traffic_text(counts: dict[str, int] | None) -> str:
    if not counts:
        return ""
    return _("owners: shown %(shown)s, yes %(y)s, no %(n)s, don’t know %(u)s") % counts


def tree_html(walked: PathMap, traffic_of: dict[str, dict[str, int]]) -> str:
    """The tree as nested <details> lists: question → each answer → next question …; a leaf
    names its top cause and its probability, and one under 50 % says "no clear cause"."""
    nodes = walked.nodes
    unclear = escape(_("no clear cause"))
    open_in_wizard = escape(_("open in the wizard"))
    traffic_text = {slug: escape(_traffic_text(counts)) for slug, counts in traffic_of.items()}
    below_text: dict[int, str] = {}
    out: list[str] = []

    def via(node) -> str:
        return f'<span class="pm-via">{escape(node.via)} →</span> ' if node.via else ""

    def emit(index: int) -> None:
        node = nodes[index]
        if node.is_leaf:
            css = "pm-leaf" if node.clear else "pm-leaf pm-unclear"
            note = "" if node.clear else f' <span class="pm-flag">{unclear}</span>'
            out.append(
                f'<li class="{css}">{via(node)}<a href="{escape(node.url)}" '
                f'title="{open_in_wizard}">{escape(node.top_cause)} {node.percent} %</a>'
                f"{note}</li>"
            )
            return
        opened = " open" if node.depth < OPEN_LEVELS else ""
        seen = traffic_text.get(node.question, "")
        seen = f' <span class="pm-traffic">{seen}</span>' if seen else ""
        if node.results not in below_text:  # one translation per count, not per node
            below_text[node.results] = ngettext(
                "%(results)s result, %(unclear)s without a clear cause",
                "%(results)s results, %(unclear)s without a clear cause",
                node.results,
            )
        below = below_text[node.results] % {"results": node.results, "unclear": node.unclear}
        out.append(
            f"<li><details{opened}><summary>{via(node)}"
            f'<span class="pm-question">{escape(node.question_text)}</span>'
            f' <span class="pm-below">({escape(below)})</span>{seen}'
            f"</summary><ul>"
        )
        for child in node.children:
            emit(child)
        out.append("</ul></details></li>")

    emit(0)
    return mark_safe(f'<ul class="pm-tree">{"".join(out)}</ul>')  # every part escaped above


def page(request, model: str, problem: str, generation: str):
    _allowed(request)
    compiled = content.compiled_problem(model, problem)
    info = compiled.generations_by_code.get(generation) if compiled else None
    if info is None or generation not in compiled.knowledge_bases:
        raise Http404(_("No such problem or generation."))
    walked = path_map(compiled, info)
    day_from, day_to = stats.default_period()
    show_traffic = request.user.has_perm(TRAFFIC_PERMISSION)
    traffic_of = traffic(f"{model}/{problem}", generation, day_from, day_to) if show_traffic else {}
    unclear_by_cause: dict[str, int] = {}
    for leaf in walked.unclear_leaves:
        unclear_by_cause[leaf.top_cause] = unclear_by_cause.get(leaf.top_cause, 0) + 1
    questions = [
        {
            "slug": slug,
            "text": text,
            "states": walked.asked.get(slug, 0),
            "traffic": traffic_of.get(slug),
        }
        for slug, text in walked.questions.items()
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Map of every path: %(problem)s, %(generation)s")
        % {"problem": compiled.problem_title, "generation": info.name},
        "compiled": compiled,
        "generation": info,
        "map": walked,
        "leaves": len(walked.leaves),
        "unclear": len(walked.unclear_leaves),
        "unclear_by_cause": sorted(unclear_by_cause.items(), key=lambda item: -item[1]),
        "never_asked": walked.never_asked,
        "longest": walked.longest_paths(),
        "questions": questions,
        "show_traffic": show_traffic,
        "day_from": day_from,
        "day_to": day_to,
        "tree": tree_html(walked, traffic_of),
        "index_url": reverse("admin-path-map-index"),
    }
    return TemplateResponse(request, "admin/usage/path_map.html", context)
