"""The wizard page around its step, rendered once and filled per state (issue 23, item 3).

Everything on a wizard page outside the step (the head, the site's header and footer, the
crumbs, the problem's heading) is the same for every state of one compiled problem, seen
from one address (the canonical and alternate links are absolute) as one kind of page (a
finished result loads no htmx; a draft or a problem that is not ready shows its banner).
The template engine rendered all of it again on every never-seen page, about 0.4 ms of a
step. Here ``wizard.html`` is rendered once per compiled problem and such a kind with a
marker in each place that depends on the state (its ``slots``: the title, the language
switch, the step), and split there; each page joins the pieces with its own parts. The
compiled problem is built per content version and language (content.compiled_problem), so
a content edit or the other language renders a frame of its own, from the same template.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from kb.templatetags.kb_tags import language_switch_html, reused

from .service import derived
from .step_html import joined, page_title, pieces, slots


def _frame(request, compiled, done: bool, not_ready: list[str]) -> tuple[tuple[str, str], ...]:
    """The page's pieces (step_html.pieces) with slots for the title, language switch and step."""
    html = render_to_string(
        "diagnosis/wizard.html",
        {
            "compiled": compiled,
            "done": done,
            "draft": compiled.is_draft,
            "not_ready": not_ready,
            "slots": slots("title", "language_switch", "step"),
        },
        request,
    )
    return pieces(html)


def page(request, compiled, outcome, not_ready: list[str], step: str) -> SafeString:
    """The whole wizard page of a state whose step (``wizard.html#step``) is rendered."""
    done = bool(outcome and outcome.done)
    key = (
        "page frame",
        get_language(),
        request.scheme,
        request.get_host(),
        request.path,
        done,
        tuple(not_ready),
    )
    frame = derived(compiled, key, lambda: _frame(request, compiled, done, not_ready))
    title = page_title(compiled, outcome)
    values = {
        "title": title,
        "title reused": reused(title),
        "language_switch": language_switch_html(request),
        "step": step,
    }
    return mark_safe(joined(frame, values))
