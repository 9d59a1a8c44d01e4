"""The body of ``/api/v1/diagnose``: one state's diagnosis as JSON text (views.api_diagnose).

Written as ``JsonResponse`` writes a dictionary (``json.dumps`` with ``DjangoJSONEncoder``: keys
in this order, ``", "`` and ``": "`` between them, ``\\uXXXX`` for every non-ASCII character),
but not from one dictionary of the whole answer. Most of an answer is the same for every state
of a problem in one language: each cause's names, page and procedures with their times and
costs in words, each plan step's procedures, time and money. Building those dictionaries and
encoding them again was two thirds of a never-seen API state's own work (issue 23, item 3), so
they are encoded once per compiled problem (``service.derived``; a compiled problem is built
per content version and language, so an edit or the other language gets texts of their own)
and joined with what depends on the state: the probabilities and their order, the reasons, the
plan's order, the next question and the links. The shape of the answer is the ``Diagnosis``
schema of diagnosis/openapi.json; tests/test_api_openapi.py checks every key against it.
"""

from __future__ import annotations

from json.encoder import c_make_encoder, encode_basestring_ascii

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import get_language

from kb import numbers

from .content import CompiledProblem, ProcedureCard
from .query import canonical_answers
from .service import (
    ActionPlan,
    Outcome,
    PlanStep,
    RankedCause,
    Reason,
    derived,
    wizard_url,
    written_shares,
)

_ENCODER = DjangoJSONEncoder()
# JSONEncoder.encode builds its C encoder anew on every call, a few microseconds each, and an
# answer encodes a dozen values: this one is built once. Without the check for circular
# references (``markers`` None): the values are trees built here, and a table of them shared by
# threads would see one thread's values as another's cycle. Everything else as the encoder's.
_C_ENCODE = (
    c_make_encoder(
        None,
        _ENCODER.default,
        encode_basestring_ascii,
        _ENCODER.indent,
        _ENCODER.key_separator,
        _ENCODER.item_separator,
        _ENCODER.sort_keys,
        _ENCODER.skipkeys,
        _ENCODER.allow_nan,
    )
    if c_make_encoder is not None
    else None
)


def encode(value) -> str:
    """One value as JsonResponse encodes it (``DjangoJSONEncoder().encode``)."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


def members(value: dict) -> str:
    """The members of an object as JSON text, without its braces: '"a": 1, "b": 2'."""
    return encode(value)[1:-1]


def diagnosis(outcome: Outcome, self_url: str) -> str:
    """The whole answer of a state; ``self_url`` is its canonical API URL (links.self)."""
    compiled = outcome.compiled
    # the language is part of every key below, read once (each read is a context-local lookup)
    language = get_language()
    shares = written_shares(compiled, language, encode)
    question = outcome.next_question
    head = {
        "model": compiled.model_slug,
        "problem": compiled.problem_slug,
        "generation": outcome.generation.code,
        "answers": canonical_answers(outcome.answers),
    }
    # what the causes and reasons write, kept per problem and language: looked up once here
    # rather than once per cause and reason
    kept = derived(compiled, ("api causes", language), dict)
    candidates = ", ".join(_candidate(kept, cause, shares) for cause in outcome.causes)
    rest = {
        "next_question": (
            {
                "symptom": question.slug,
                "text": question.text,
                "help": question.help_text,
                "why": question.why,
                "options": [
                    {"label": option.label, "answers": option.tokens} for option in question.options
                ],
            }
            if question
            else None
        ),
        "done": outcome.done,
        "stop_reason": outcome.stop_reason,
    }
    links = {
        "problem": compiled.problem_url,
        "wizard": wizard_url(compiled, outcome.generation, outcome.answers),
        "emergency": compiled.emergency.url if compiled.emergency else None,
        "self": self_url,
    }
    return (
        f'{{{members(head)}, "candidates": [{candidates}], {members(rest)}, '
        f'"plan": {_plan(compiled, outcome.plan, language, shares)}, "links": {encode(links)}}}'
    )


def _candidate(kept: dict, cause: RankedCause, shares) -> str:
    first, last = _cause_parts(kept, cause)
    why = ", ".join(_reason(kept, reason) for reason in cause.why) if cause.why else ""
    return (
        f'{{{first}, "probability": {round(cause.probability, 4)!r}, "why": [{why}], {last}, '
        f'"probability_text": {_share(shares, cause.probability)}}}'
    )


def _reason(kept: dict, reason: Reason) -> str:
    """A reason: its answer, weight and sentence depend on the content alone, so a problem has
    a few hundred of them (service.reason_text). `kept`: the problem's, in this language."""
    key = reason.key
    found = kept.get(key)
    if found is None:
        found = kept[key] = encode(reason.as_dict())
    return found


def _cause_parts(kept: dict, cause: RankedCause) -> tuple[str, str]:
    """A cause's members before its probability and reasons, and those after them (its page
    and its procedures in the owner's order, each with its time and costs in words): the
    same on every state. `kept`: the problem's, in this language."""
    found = kept.get(cause.fault.slug)
    if found is None:
        fault = cause.fault
        first = {"fault": fault.slug, "name": fault.name, "short_name": fault.short_name}
        last = {"url": fault.url, "procedures": [_procedure(p) for p in cause.procedures]}
        found = kept[fault.slug] = members(first), members(last)
    return found


def _procedure(procedure: ProcedureCard) -> dict:
    """A procedure of a cause with its time and costs, in numbers and in the words the wizard's
    page writes them (kb/numbers.py: «15 000–25 000 ₽», «10 мин–4 ч»)."""
    low, high = procedure.time_min_minutes, procedure.time_max_minutes
    return {
        "slug": procedure.slug,
        "title": procedure.title,
        "kind": procedure.kind,
        "url": procedure.url,
        "time": {
            "min_minutes": low,
            "max_minutes": high,
            "text": numbers.duration_range(low, high),
            "is_estimate": procedure.time_is_estimate,
        },
        "costs": [
            {
                "kind": cost.kind,
                "label": cost.label,
                "low": cost.low,
                "high": cost.high,
                "currency": procedure.currency,
                "text": numbers.money_range(cost.low, cost.high, procedure.currency),
                "is_estimate": procedure.costs_are_estimate,
            }
            for cost in procedure.costs
        ],
    }


def _share(shares: dict[tuple[int, bool], str], probability: float) -> str:
    """``numbers.share(probability)``, encoded."""
    return shares[numbers.share_percent(probability)]


def _plan(compiled: CompiledProblem, plan: ActionPlan, language: str, shares) -> str:
    """The plan: its steps by probability / cost, the expected time and money to a fixed car,
    the same for the probability order, and the decisive check."""
    steps = ", ".join(_step(compiled, step, plan.currency, language, shares) for step in plan.steps)
    rest = {
        "expected": _totals(plan.expected_minutes, plan.expected_money, plan.currency),
        "by_probability": {
            "steps": [[p.slug for p in step.procedures] for step in plan.by_probability],
            "expected": _totals(plan.probability_minutes, plan.probability_money, plan.currency),
        },
        "currency": plan.currency,
        "decisive": (
            {
                "question": plan.decisive.slug,
                "text": plan.decisive.question,
                "procedure": plan.decisive.procedure.slug if plan.decisive.procedure else None,
                "url": plan.decisive.procedure.url if plan.decisive.procedure else None,
                "bits": round(plan.decisive.bits, 3),
            }
            if plan.decisive
            else None
        ),
    }
    return f'{{"steps": [{steps}], {members(rest)}}}'


def _step(compiled: CompiledProblem, step: PlanStep, currency: str, language: str, shares) -> str:
    """A step of the plan. What it does and costs is its check's (the same on every state);
    the causes it settles, most likely first, and its chance are the state's."""
    key = step.check  # one for each set of procedures

    def build():
        procedures = [
            {"slug": p.slug, "title": p.title, "kind": p.kind, "url": p.url}
            for p in step.procedures
        ]
        cost = {"minutes": round(step.minutes), "money": round(step.money)}
        words = {
            "minutes_text": _minutes(step.minutes),
            "money_text": _money(step.money, currency) if step.money >= 1 else "",
        }
        return encode(procedures), members(cost), members(words)

    procedures, cost, words = derived(compiled, ("api step", key, currency, language), build)
    faults = encode([fault.slug for fault in step.faults])
    return (
        f'{{"procedures": {procedures}, "faults": {faults}, '
        f'"probability": {round(step.probability, 4)!r}, {cost}, '
        f'"probability_text": {_share(shares, step.probability)}, {words}}}'
    )


def _totals(minutes: float, money: float, currency: str) -> dict:
    return {
        "minutes": round(minutes),
        "money": round(money),
        "minutes_text": _minutes(minutes),
        "money_text": _money(money, currency),
    }


def _minutes(value: float) -> str:
    """A computed time, rounded as the result page rounds it."""
    rounded = numbers.rounded_minutes(value)
    return numbers.duration_range(rounded, rounded)


def _money(value: float, currency: str) -> str:
    return numbers.money_range(round(value), round(value), currency)
