"""The parts of a wizard step shown on every step, as HTML built in Python (issue 23, item 3).

A never-seen step spent most of its time in Django's template engine, on the loops of
``wizard.html``: the answer buttons, the cause list with its reasons, the answers given with
their chips. Each loop resolved a dozen variables, translated the same words again and
escaped them again on every step. Here the parts that depend only on the content and the
language (a question's heading, help text and button labels; a cause's link and names; the
interface's words) are escaped once per compiled problem, which is itself built per content
version and language (content.compiled_problem), so a staff edit or the other language gets
parts of its own. Only what depends on the state (the answer URLs, the percentages, the
reasons) is escaped on each step.

The markup is the template's: ``wizard.html`` calls these through
``diagnosis/templatetags/step_html.py``, and every value is escaped as ``{{ }}`` escapes it
(``{% translate %}`` escapes its text, ``{% blocktranslate %}`` only the values it inserts).
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from kb.numbers import per_language

from .service import Outcome, _derived, question_options


@per_language
def words() -> dict[str, str]:
    """The interface's words of these parts in the active language, escaped."""
    return {
        "change": escape(gettext("change")),
        "question": gettext("Question %(number)s"),
        "why": escape(gettext("Why")),
        "change the answer": escape(gettext("Change the answer")),
        "remove": escape(gettext("Remove")),
        "has multimeter": escape(
            gettext("You have a multimeter: its questions are asked like any other.")
        ),
        "have none": escape(gettext("I have none")),
        "have multimeter": escape(gettext("I have a multimeter")),
        "multimeter then": escape(gettext("then we also ask what only a multimeter shows.")),
    }


def _question_parts(outcome: Outcome) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The next question's heading, help text and the list's opening, and each button's markup
    before and after its URL: the same for every state that asks this question."""
    question = outcome.next_question
    compiled = outcome.compiled

    def build():
        head = f'<h2 id="question-heading" tabindex="-1">{escape(question.text)}</h2>\n'
        if question.help_text:
            head += f'<p class="help">{escape(question.help_text)}</p>\n'
        wide = " answers-options" if len(question.options) > 3 else ""
        head += f'<ul class="answers{wide}" role="list">\n'
        buttons = tuple(
            (
                f'<li><a class="button button-answer answer-{escape(option.kind)}" href="',
                f'" rel="nofollow">{escape(option.label)}</a></li>\n',
            )
            for option in question.options
        )
        return head, buttons

    return _derived(compiled, ("question html", question.slug, get_language()), build)


def question_body(outcome: Outcome) -> SafeString:
    """The inside of the question's card on a step that asks one: where the owner is, the
    question, its answer buttons, why it is asked and the tools line."""
    said = words()
    generation = outcome.generation
    head, buttons = _question_parts(outcome)
    number = said["question"] % {"number": outcome.question_number}
    parts = [
        f'<p class="progress">{number} · {escape(generation.name)} ({escape(generation.years)})'
        f' · <a href="{escape(outcome.compiled.diagnose_url)}">{said["change"]}</a></p>\n',
        head,
    ]
    for (before, after), option in zip(buttons, outcome.next_question.options, strict=True):
        parts += (before, escape(option.url), after)
    parts.append("</ul>\n")
    if outcome.next_question.why:
        parts.append(f'<p class="why-ask">{escape(outcome.next_question.why)}</p>\n')
    parts.append(tools_line(outcome))
    return mark_safe("".join(parts))


def tools_line(outcome: Outcome) -> str:
    """The line that says whether the owner has a multimeter, with the link that changes it."""
    said = words()
    line = ['<p class="hint tools">']
    for tool, url, has in outcome.tool_links:
        if tool != "multimeter":
            continue
        if has:
            line.append(
                f'{said["has multimeter"]} <a href="{escape(url)}" rel="nofollow">'
                f"{said['have none']}</a>"
            )
        else:
            line.append(
                f'<a href="{escape(url)}" rel="nofollow">{said["have multimeter"]}</a>'
                f" — {said['multimeter then']}"
            )
    line.append("</p>\n")
    return "".join(line)


def _cause_heads(outcome: Outcome) -> dict[str, str]:
    """Each fault's item up to its percentage: its link, full name as the title, short name."""

    def build():
        return {
            slug: (
                '<li class="cause">\n<div class="cause-head">'
                f'<a href="{escape(fault.url)}" title="{escape(fault.name)}">'
                f'{escape(fault.short_name)}</a> <strong class="percent">'
            )
            for slug, fault in outcome.compiled.faults.items()
        }

    return _derived(outcome.compiled, ("cause heads", get_language()), build)


def cause_items(outcome: Outcome, shown: int = 5) -> SafeString:
    """The items of the cause list: the first `shown` causes, each with its share, its bar and
    the answers that moved it."""
    heads = _cause_heads(outcome)
    why = words()["why"]
    parts = []
    for cause in outcome.causes[:shown]:
        parts += (
            heads[cause.fault.slug],
            escape(cause.percent_label),
            '</strong></div>\n<span class="bar" aria-hidden="true">'
            f'<span class="fill p{cause.bar_step}"></span></span>\n',
        )
        if cause.why:
            parts.append(f'<details class="why"><summary>{why}</summary><ul>')
            parts += (
                f'<li class="{"up" if reason.raises else "down"}">{escape(reason.text)}</li>'
                for reason in cause.why
            )
            parts.append("</ul></details>\n")
        parts.append("</li>\n")
    return mark_safe("".join(parts))


def _answered_parts(outcome: Outcome, slug: str) -> tuple[str, tuple[str, ...]]:
    """An answered question's item up to its chips, and each option's label, escaped."""
    compiled = outcome.compiled

    def build():
        group = compiled.groups.get(slug)
        question = group.question if group else compiled.symptoms[slug].question
        said = words()
        head = (
            f'<li><span class="q">{escape(question)}</span>\n<span class="change" role="group"'
            f' aria-label="{said["change the answer"]}">'
        )
        labels = (escape(str(option.label)) for option in question_options(compiled, slug))
        return head, tuple(labels)

    return _derived(compiled, ("answered html", slug, get_language()), build)


def answered_items(outcome: Outcome) -> SafeString:
    """The items of "Your answers": each question answered, the chips that change its answer
    (the current one marked) and the one that removes it."""
    remove = words()["remove"]
    parts = []
    for item in outcome.answered:
        head, labels = _answered_parts(outcome, item["slug"])
        parts.append(head)
        for label, (_, url, current) in zip(labels, item["options"], strict=True):
            if current:
                parts += ('<strong class="chip chip-current" aria-current="true">', label)
                parts.append("</strong>")
            else:
                parts += ('<a class="chip" href="', escape(url), '" rel="nofollow">', label, "</a>")
        parts += (
            '<a class="chip chip-remove" href="',
            escape(item["remove_url"]),
            f'" rel="nofollow">{remove}</a></span>\n</li>\n',
        )
    return mark_safe("".join(parts))
