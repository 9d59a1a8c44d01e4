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

import re
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from kb import numbers
from kb.markup import escape
from kb.numbers import per_language
from kb.templatetags.kb_tags import language_switch_html

from . import result_form
from .query import DiagnoseQuery
from .service import (
    ActionPlan,
    Outcome,
    PlanStep,
    Reason,
    derived,
    question_options,
    written_shares,
)

# The interface's words of these parts: escaped as {% translate %} escapes them, and the
# sentences that take values, left as {% blocktranslate %} leaves its text.
WORDS = {
    "change": gettext_noop("change"),
    "result": gettext_noop("Result"),
    "why": gettext_noop("Why"),
    "change the answer": gettext_noop("Change the answer"),
    "remove": gettext_noop("Remove"),
    "has multimeter": gettext_noop(
        "You have a multimeter: its questions are asked like any other."
    ),
    "have none": gettext_noop("I have none"),
    "have multimeter": gettext_noop("I have a multimeter"),
    "multimeter then": gettext_noop("then we also ask what only a multimeter shows."),
    "plan heading": gettext_noop("What to do, in this order"),
    "plan lead": gettext_noop(
        "Cheap checks of likely causes first: this order costs least, on average, to a fixed car."
    ),
    "probability order": gettext_noop("The order of probability alone"),
    "decisive": gettext_noop("The decisive check:"),
    "how": gettext_noop("How:"),
    "share heading": gettext_noop("Send it to your mechanic"),
    "share lead": gettext_noop(
        "This link opens this result with your answers, on any phone or computer:"
    ),
    "qr alt": gettext_noop("QR code of the link to this result"),
    "qr caption": gettext_noop("Or let them scan this code."),
    "print": gettext_noop("Print view: one page with your answers, causes, checks and costs"),
}
SENTENCES = {
    "question": gettext_noop("Question %(number)s"),
    "expected": gettext_noop("Expected to a fixed car in this order: about %(time)s and %(cost)s."),
    "by probability": gettext_noop(
        "In the order of probability alone: about %(time)s and %(cost)s."
    ),
    "tells apart": gettext_noop("“%(question)s” — its answer tells the leading causes apart."),
    "find the cause": gettext_noop("%(title)s: find the cause – %(model)s"),
    "description": gettext_noop(
        "Answer a few yes/no questions about your %(model)s and see the likely causes of "
        "“%(title)s”, ranked, with what to check next and what the fix costs."
    ),
}


@per_language
def words() -> dict[str, str]:
    """WORDS and SENTENCES in the active language."""
    said = {key: escape(gettext(msgid)) for key, msgid in WORDS.items()}
    return said | {key: gettext(msgid) for key, msgid in SENTENCES.items()}


# A template part rendered once with a marker in each place that depends on the state (its
# ``slots``), split there, and joined per state with the state's own parts: the markup stays
# the template's. NUL: a character the template never writes and escaping leaves alone, so the
# markers survive ``{{ }}`` and ``{% reuse %}``, and nothing else can look like one.
_MARKER = re.compile("\x00([a-z_]+)\x00")


def slots(*names: str) -> dict[str, SafeString]:
    """The markers to render a part with: ``{{ slots.<name> }}`` in the template."""
    return {name: mark_safe(f"\x00{name}\x00") for name in names}


def pieces(html: str) -> tuple[tuple[str, str], ...]:
    """A part rendered with ``slots``, split: (literal HTML, the slot after it or ""). A slot
    that comes again is named "<slot> reused" there (base.html repeats the title in its Open
    Graph copy with ``{% reuse %}``, which collapses spaces)."""
    parts = _MARKER.split(html)
    found, seen = [], set()
    for literal, slot in zip(parts[::2], [*parts[1::2], ""], strict=True):
        found.append((literal, f"{slot} reused" if slot in seen else slot))
        seen.add(slot)
    return tuple(found)


def joined(split: tuple[tuple[str, str], ...], values: dict[str, str]) -> str:
    """The part of one state: its pieces with ``values`` (HTML, escaped) in the slots."""
    return "".join(literal + values[slot] if slot else literal for literal, slot in split)


def fix_sections(outcome: Outcome) -> SafeString:
    """A result's section for each top cause: its number and share in the section of its fault
    (``wizard.html#fix``), which is rendered once per fault and language."""
    compiled = outcome.compiled
    language = get_language()
    parts = []
    for number, cause in enumerate(outcome.top_causes, 1):
        split = derived(
            compiled,
            ("fix section", cause.fault.slug, language),
            lambda cause=cause: pieces(
                render_to_string(
                    "diagnosis/wizard.html#fix",
                    {"cause": cause, "slots": slots("number", "percent")},
                )
            ),
        )
        parts.append(joined(split, {"number": str(number), "percent": escape(cause.percent_label)}))
    return mark_safe("".join(parts))


@per_language
def answer_count(count: int) -> str:
    """ "3 answers", as the finished step's progress line says it (the template's
    ``{% blocktranslate count %}`` looked the plural up in every catalog on every result)."""
    return ngettext("%(counter)s answer", "%(counter)s answers", count) % {"counter": count}


@per_language
def unshown_causes(count: int) -> str:
    """The hint under a cause list cut at five: how many less likely causes it leaves out."""
    return ngettext(
        "%(counter)s less likely cause is not shown.",
        "%(counter)s less likely causes are not shown.",
        count,
    ) % {"counter": count}


def _page_texts(compiled) -> tuple[str, str]:
    """The wizard page's title after the step's part, and its description: the problem's and
    the model's names in the page's sentences, the same for every step of the problem."""

    def build():
        said = words()
        model, title = escape(compiled.model_name), escape(compiled.problem_title)
        lower = escape(compiled.problem_title.lower())
        return (
            said["find the cause"] % {"title": title, "model": model},
            said["description"] % {"model": model, "title": lower},
        )

    return derived(compiled, ("page texts", get_language()), build)


def page_title(compiled, outcome: Outcome | None) -> SafeString:
    """The wizard page's title: "Question 3 – …", "Result – …", or the problem's alone before
    a generation is chosen."""
    said = words()
    whole = _page_texts(compiled)[0]
    if outcome is None:
        return mark_safe(whole)
    step = (
        said["result"] if outcome.done else said["question"] % {"number": outcome.question_number}
    )
    return mark_safe(f"{step} – {whole}")


def page_description(compiled) -> SafeString:
    return mark_safe(_page_texts(compiled)[1])


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

    return derived(compiled, ("question html", question.slug, get_language()), build)


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


def _cause_heads(compiled, language: str) -> dict[str, str]:
    """Each fault's item up to its percentage: its link, full name as the title, short name."""

    def build():
        return {
            slug: (
                '<li class="cause">\n<div class="cause-head">'
                f'<a href="{escape(fault.url)}" title="{escape(fault.name)}">'
                f'{escape(fault.short_name)}</a> <strong class="percent">'
            )
            for slug, fault in compiled.faults.items()
        }

    return derived(compiled, ("cause heads", language), build)


def _reason_item(kept: dict, reason: Reason) -> str:
    """A reason's item: its sentence depends on the content alone (service.reason_text), so a
    problem has a few hundred of them, each written and escaped once per language rather than
    on every step that shows it (a step shows up to fifteen). `kept`: the problem's items in
    this language."""
    key = reason.key
    found = kept.get(key)
    if found is None:
        found = kept[key] = (
            f'<li class="{"up" if reason.raises else "down"}">{escape(reason.text)}</li>'
        )
    return found


def cause_items(outcome: Outcome, shown: int = 5) -> SafeString:
    """The items of the cause list: the first `shown` causes, each with its share, its bar and
    the answers that moved it."""
    compiled = outcome.compiled
    language = get_language()  # a context-local lookup: read once, not per cause and reason
    heads = _cause_heads(compiled, language)
    shares = written_shares(compiled, language, escape)
    reasons = derived(compiled, ("reason html", language), dict)
    why = words()["why"]
    parts = []
    for cause in outcome.causes[:shown]:
        parts += (
            heads[cause.fault.slug],
            shares[numbers.share_percent(cause.probability)],
            '</strong></div>\n<span class="bar" aria-hidden="true">'
            f'<span class="fill p{cause.bar_step}"></span></span>\n',
        )
        if cause.why:
            parts.append(f'<details class="why"><summary>{why}</summary><ul>')
            parts += (_reason_item(reasons, reason) for reason in cause.why)
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

    return derived(compiled, ("answered html", slug, get_language()), build)


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


def _minutes(value) -> str:
    """A computed time as the plan says it, rounded (kb.numbers.rounded_minutes), escaped."""
    rounded = numbers.rounded_minutes(value)
    return escape(numbers.duration_range(rounded, rounded))


def _money(amount, currency: str) -> str:
    """One amount with its currency, rounded to the ruble (kb_tags.price), escaped."""
    whole = round(float(amount or 0))
    return escape(numbers.money_range(whole, whole, currency))


def _plan_step_parts(compiled, step: PlanStep, language: str) -> tuple[str, str]:
    """A plan step's item up to the causes it settles (its procedures' links, time and money),
    and its title in the order of probability alone: what its check does and costs, the same
    on every state."""

    def build():
        links = " → ".join(
            f'<a href="{escape(card.url)}">{escape(card.title)}</a>' for card in step.procedures
        )
        money = f", {_money(step.money, step.currency)}" if step.money >= 1 else ""
        titles = " → ".join(escape(card.title) for card in step.procedures)
        return f"<li>{links} — {_minutes(step.minutes)}{money} · ", titles

    key = ("plan step html", step.check, step.currency, language)  # a check, its procedures
    return derived(compiled, key, build)


def _short_names(compiled, language: str) -> dict[str, str]:
    """Each fault's short name, escaped, by its slug."""
    return derived(
        compiled,
        ("short names html", language),
        lambda: {slug: escape(fault.short_name) for slug, fault in compiled.faults.items()},
    )


def plan_section(compiled, plan: ActionPlan) -> SafeString:
    """The result's plan: the checks in the order of probability / cost with their time, money
    and the causes they settle; what that order is expected to cost beside the order of
    probability alone; the decisive check."""
    said = words()
    language = get_language()
    shares = written_shares(compiled, language, escape)
    names = _short_names(compiled, language)
    parts = [
        '<section class="card plan" aria-labelledby="plan-heading">\n'
        f'<h2 id="plan-heading">{said["plan heading"]}</h2>\n'
        f"<p>{said['plan lead']}</p>\n"
        '<ol class="plan-steps">\n'
    ]
    for step in plan.shown:
        head, _ = _plan_step_parts(compiled, step, language)
        faults = "; ".join(names[fault.slug] for fault in step.faults)
        share = shares[numbers.share_percent(step.probability)]
        parts.append(f'{head}<span class="hint">{faults} ({share})</span></li>\n')
    parts.append("</ol>\n<p>")
    parts.append(
        said["expected"]
        % {
            "time": _minutes(plan.expected_minutes),
            "cost": _money(plan.expected_money, plan.currency),
        }
    )
    parts.append("\n")
    if plan.differs:
        parts.append(
            said["by probability"]
            % {
                "time": _minutes(plan.probability_minutes),
                "cost": _money(plan.probability_money, plan.currency),
            }
        )
    parts.append("</p>\n")
    if plan.differs:
        parts.append(f"<details><summary>{said['probability order']}</summary><ol>")
        for step in plan.shown_by_probability:
            _, titles = _plan_step_parts(compiled, step, language)
            share = shares[numbers.share_percent(step.probability)]
            parts.append(f"<li>{titles} ({share})</li>")
        parts.append("</ol></details>\n")
    decisive = plan.decisive
    if decisive:
        parts.append(
            f'<p class="decisive"><strong>{said["decisive"]}</strong> '
            + said["tells apart"] % {"question": escape(decisive.question)}
        )
        if decisive.procedure:
            parts.append(
                f' {said["how"]} <a href="{escape(decisive.procedure.url)}">'
                f"{escape(decisive.procedure.title)}</a>."
            )
        parts.append("</p>\n")
    parts.append("</section>")
    return mark_safe("".join(parts))


def share_section(request, outcome: Outcome) -> SafeString:
    """The card that sends the result to a mechanic: its link (the state's canonical URL) named
    by the car, the problem and the number of answers, its print view, and its QR code as an
    image of its own (views.wizard_qr), loaded when the owner scrolls to it: drawing it costs
    more than the rest of a step, and most owners never look at it."""
    said = words()
    compiled = outcome.compiled
    count = len(outcome.answers)
    name = ngettext(
        "%(model)s %(generation)s: %(problem)s, %(count)s answer",
        "%(model)s %(generation)s: %(problem)s, %(count)s answers",
        count,
    ) % {
        "model": escape(compiled.model_name),
        "generation": escape(outcome.generation.name),
        "problem": escape(compiled.problem_title),
        "count": count,
    }
    link = request.build_absolute_uri(outcome.url_with())
    return mark_safe(
        '<section class="card share" aria-labelledby="share-heading">\n'
        f'<h2 id="share-heading">{said["share heading"]}</h2>\n'
        f"<p>{said['share lead']}</p>\n"
        f'<p class="share-link"><a href="{escape(link)}" rel="nofollow">{name}</a><br>'
        f'<small class="muted">{escape(request.get_host())}</small></p>\n'
        '<figure class="qr">\n'
        f'<img class="qr-code" src="{escape(state_path(outcome, "qr"))}" width="192" '
        f'height="192" loading="lazy" decoding="async" alt="{said["qr alt"]}">\n'
        f"<figcaption>{said['qr caption']}</figcaption>\n</figure>\n"
        f'<p><a class="button button-secondary" href="{escape(state_path(outcome, "print"))}"'
        f' rel="nofollow">{said["print"]}</a></p>\n</section>'
    )


def state_path(outcome: Outcome, name: str) -> str:
    """The path of one of the wizard's views (print, QR code) with this state's query."""
    compiled = outcome.compiled
    path = derived(
        compiled,
        ("path", name),
        lambda: reverse(f"diagnosis:{name}", args=[compiled.model_slug, compiled.problem_slug]),
    )
    return path + outcome.url_with().removeprefix(compiled.diagnose_url)


@dataclass(frozen=True)
class StepShape:
    """Which of ``wizard.html#step``'s branches a state takes: with the language, all its
    markup depends on besides its slots (STEP_SLOTS)."""

    fragment: bool  # an htmx swap: the language switch comes with it, out of band
    errors: bool  # part of the query could not be used
    answers_kept: bool  # …and some answers could
    outcome: bool  # a generation is chosen: the question or the result, and the causes
    asks: bool  # a question is left to ask
    clear: bool  # no question left: the most likely cause is clear
    done: bool  # a result: the plan, the fixes, the share card and the report form
    unshown: bool  # more causes than the list shows
    top_causes: bool
    answered: bool


# The parts of a step that depend on its state, each built here or by its own partial: the
# markers ``wizard.html#step`` is rendered with (``{{ slots.<name> }}``).
STEP_SLOTS = (
    "language_switch",
    "errors",
    "question",
    "answer_count",
    "cause_items",
    "unshown",
    "plan",
    "fix_sections",
    "share",
    "report_form",
    "answered_items",
    "generation_name",
    "generation_years",
    "generation_code",
)


def step_shape(query: DiagnoseQuery, outcome: Outcome | None, fragment: bool) -> StepShape:
    asks = bool(outcome and outcome.next_question)
    done = bool(outcome and outcome.done)
    return StepShape(
        fragment=bool(fragment),  # the view's may be request.htmx itself: no per-request key
        errors=bool(query.errors),
        answers_kept=bool(query.errors and query.answers),
        outcome=outcome is not None,
        asks=asks,
        clear=bool(outcome and not asks and outcome.stop_reason == "clear"),
        done=done,
        unshown=bool(outcome and len(outcome.causes) > 5),
        top_causes=bool(done and outcome.top_causes),
        answered=bool(outcome and outcome.answered),
    )


def step(request, compiled, query: DiagnoseQuery, outcome: Outcome | None, fragment: bool):
    """A state's step, ``wizard.html#step``: the partial is rendered once per shape
    (StepShape) and language with markers for the state's parts, and joined with them per
    state, as the page around it is (diagnosis/frame.py). Kept with the compiled problem
    (``derived``): a content edit or the other language renders its own. At most 2^10 shapes
    per problem and language; a walk through the wizard meets a dozen or two. The generation
    is a slot, not part of the key: a new process renders each shape once, not once per
    generation."""
    shape = step_shape(query, outcome, fragment)
    key = ("step", get_language(), shape)
    split = derived(
        compiled,
        key,
        lambda: pieces(
            render_to_string(
                "diagnosis/wizard.html#step",
                {
                    "compiled": compiled,
                    "shape": shape,
                    "slots": slots(*STEP_SLOTS),
                },
            )
        ),
    )
    parts = {
        "language_switch": lambda: language_switch_html(request, oob=True),
        "errors": lambda: error_items(query),
        "question": lambda: question_body(outcome),
        "answer_count": lambda: escape(answer_count(len(outcome.answered))),
        "cause_items": lambda: cause_items(outcome),
        "unshown": lambda: escape(unshown_causes(len(outcome.causes) - 5)),
        "plan": lambda: plan_section(outcome.compiled, outcome.plan),
        "fix_sections": lambda: fix_sections(outcome),
        "share": lambda: share_section(request, outcome),
        "report_form": lambda: result_form.html(compiled, outcome),  # the reports app's
        "answered_items": lambda: answered_items(outcome),
        "generation_name": lambda: escape(outcome.generation.name),
        "generation_years": lambda: escape(outcome.generation.years),
        "generation_code": lambda: escape(outcome.generation.code),
    }
    return mark_safe(joined(split, {slot: parts[slot]() for _, slot in split if slot}))


def error_items(query: DiagnoseQuery) -> str:
    """The items of the alert's list: what could not be used, in words when the error has
    them (``for_owner``), else its message."""
    return "".join(f"<li>{escape(error.for_owner or error.message)}</li>" for error in query.errors)
