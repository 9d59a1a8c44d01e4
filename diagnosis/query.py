"""The answer codec: one query format for the wizard and the API.

    ?generation=<code>&answers=<symptom>:<y|n|u>,<symptom>:<y|n|u>
    ?year=2016&answers=...          (year stands in for generation)

One state has one canonical query (``state_query``): ``generation=`` (never ``year=``), then
the answers in the order of their symptoms' slugs, lower case, nothing else. The wizard links
to it and the views redirect every other spelling of a valid state to it (docs/decisions.md,
"One state, one URL").

Parsing is lenient: every problem becomes a QueryError naming the bad part and the valid
values, and everything valid is kept, so the wizard can show the message and let the user go
on, while the API answers 400 with the same message. Messages are in the active language
(web/locale.py decides it per request). A developer reads the API's message, with slugs and
the valid values; an owner who followed a broken link reads `for_owner` on the wizard page: the
question in words, what was done with the answer, no slug.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .content import TOOLS, CompiledProblem, GenerationInfo

ANSWER_WORDS = {"y": gettext_lazy("Yes"), "n": gettext_lazy("No"), "u": gettext_lazy("Don't know")}
MAX_QUERY_LENGTH = 2048
MAX_VALID_LIST = 40
# The answer token of a tool the owner has: "have:multimeter" (content.TOOLS). Not a symptom:
# it changes which questions are worth asking, not the probabilities.
HAVE = "have"


class Answers(dict):
    """The answers (symptom slug → y/n/u) and, apart, the tools the owner has: everything that
    reads answers reads symptoms only, and the state's URL keeps the tools
    (``canonical_answers``)."""

    def __init__(self, *args, tools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tools: tuple[str, ...] = tuple(sorted(set(tools)))


@dataclass(frozen=True, slots=True)
class QueryError:
    part: str
    message: str  # for developers (the API): names slugs
    valid: tuple[str, ...] = ()
    for_owner: str = ""  # for the wizard page, in words; empty: the message is in words already

    def as_dict(self) -> dict:
        return {"part": self.part, "message": self.message, "valid": list(self.valid)}


@dataclass
class DiagnoseQuery:
    generation: GenerationInfo | None = None
    answers: dict[str, str] = field(default_factory=Answers)
    errors: list[QueryError] = field(default_factory=list)


def encode_answers(answers: Mapping[str, str]) -> str:
    return ",".join(f"{symptom}:{value}" for symptom, value in answers.items())


def canonical_answers(answers: Mapping[str, str]) -> str:
    """The answers in their one order, their symptoms' slugs: the engine's result does not
    depend on the order (engine.py), so two orders are one state. The tools the owner has
    (``Answers.tools``) are tokens "have:<tool>" among them, in the same order."""
    return ",".join(f"{key}:{value}" for key, value in answer_tokens(answers))


def answer_tokens(answers: Mapping[str, str]) -> list[tuple[str, str]]:
    """The answers' (key, value) tokens in their one order, the tools' among them."""
    return sorted([*answers.items(), *((HAVE, tool) for tool in getattr(answers, "tools", ()))])


def state_query(generation: GenerationInfo | None, answers: Mapping[str, str]) -> str:
    """The canonical query of a state: "" before a generation is chosen (answers without one
    change nothing), else ``generation=<code>`` and, if any, ``&answers=<canonical answers>``."""
    if generation is None:
        return ""
    return tokens_query(generation, answer_tokens(answers))


def tokens_query(generation: GenerationInfo, tokens: list[tuple[str, str]]) -> str:
    """``state_query`` of answer tokens already in their one order (``answer_tokens``)."""
    query = f"generation={generation.code}"
    if not tokens:
        return query
    return f"{query}&answers=" + ",".join(f"{key}:{value}" for key, value in tokens)


def query_too_long(query_string: str) -> QueryError | None:
    if len(query_string) > MAX_QUERY_LENGTH:
        return QueryError(
            "query",
            _("The query is too long (%(length)s characters; at most %(limit)s).")
            % {"length": len(query_string), "limit": MAX_QUERY_LENGTH},
        )
    return None


def parse(compiled: CompiledProblem, params: Mapping[str, str]) -> DiagnoseQuery:
    query = DiagnoseQuery()
    query.generation = _parse_generation(compiled, params, query.errors)
    query.answers = _parse_answers(compiled, params.get("answers", ""), query.errors)
    return query


def _parse_generation(compiled, params, errors) -> GenerationInfo | None:
    codes = tuple(compiled.generations_by_code)
    code = params.get("generation", "").strip().lower()
    if code:
        generation = compiled.generations_by_code.get(code)
        if generation is None:
            message = _("Unknown generation “%(code)s”.") % {"code": code[:40]}
            for_owner = _("This link names a generation we do not know: choose yours below.")
            errors.append(QueryError("generation", message, codes, for_owner))
        return generation
    raw_year = params.get("year", "").strip()
    if not raw_year:
        return None
    first, last = compiled.year_range
    last = last or datetime.date.today().year + 1
    valid = (f"{first}–{last}",)
    if not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4):
        message = _("“%(year)s” is not a model year.") % {"year": raw_year[:40]}
        errors.append(QueryError("year", message, valid))
        return None
    year = int(raw_year)
    generation = compiled.generation_for_year(year) if year <= last else None
    if generation is None:
        errors.append(
            QueryError(
                "year",
                _("No %(model)s generation covers %(year)s: the model was made from %(first)s.")
                % {"model": compiled.model_name, "year": year, "first": first},
                valid,
            )
        )
    return generation


def _parse_answers(compiled, raw: str, errors) -> Answers:
    answers: dict[str, str] = {}
    tools: list[str] = []
    symptoms = compiled.symptoms
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        symptom, sep, value = item.partition(":")
        symptom, value = symptom.strip().lower(), value.strip().lower()
        if not sep or not symptom:
            errors.append(
                QueryError(
                    "answers",
                    _("“%(item)s” is not an answer: write symptom:y, symptom:n or symptom:u.")
                    % {"item": item[:60]},
                    ("y", "n", "u"),
                    _("Part of this link is not an answer we can read: it was left out."),
                )
            )
        elif symptom == HAVE and symptom not in symptoms:
            if value in TOOLS:
                tools.append(value)
            else:
                errors.append(
                    QueryError(
                        "answers",
                        _("Unknown tool “%(tool)s”.") % {"tool": value[:40]},
                        tuple(TOOLS),
                        _("This link names a tool we do not know: it was left out."),
                    )
                )
        elif symptom not in symptoms:
            errors.append(
                QueryError(
                    "answers",
                    _("Unknown symptom “%(symptom)s”.") % {"symptom": symptom[:60]},
                    tuple(list(symptoms)[:MAX_VALID_LIST]),
                    _(
                        "This link answers a question we do not ask (any more): that answer "
                        "was left out."
                    ),
                )
            )
        elif value not in ANSWER_WORDS:
            errors.append(
                QueryError(
                    "answers",
                    _("“%(value)s” is not an answer to “%(symptom)s”: use y, n or u.")
                    % {"value": value[:20], "symptom": symptom},
                    ("y", "n", "u"),
                    _(
                        "The answer to «%(question)s» in this link is not yes, no or don't know: "
                        "it was left out."
                    )
                    % {"question": _asked(compiled, symptom)},
                )
            )
        elif symptom in answers:
            errors.append(
                QueryError(
                    "answers",
                    _("“%(symptom)s” is answered twice; the first answer is kept.")
                    % {"symptom": symptom},
                    (),
                    _("«%(question)s» is answered twice in this link: the first answer is kept.")
                    % {"question": _asked(compiled, symptom)},
                )
            )
        elif value == "y" and (rival := _yes_in_group(compiled, answers, symptom)):
            group = compiled.groups[symptoms[symptom].group]
            errors.append(
                QueryError(
                    "answers",
                    _(
                        "“%(rival)s” and “%(symptom)s” cannot both be yes: they are answers to "
                        "one question (“%(question)s”). The first is kept."
                    )
                    % {"rival": rival, "symptom": symptom, "question": group.question},
                    group.members,
                    _(
                        "This link gives two answers to «%(question)s» («%(rival)s» and "
                        "«%(option)s»): the first is kept."
                    )
                    % {
                        "question": group.question,
                        "rival": symptoms[rival].option_label or symptoms[rival].question,
                        "option": symptoms[symptom].option_label or symptoms[symptom].question,
                    },
                )
            )
        else:
            answers[symptom] = value
    return Answers(answers, tools=tools)


def _asked(compiled, symptom: str) -> str:
    """The question as the wizard asks it: its group's question for a member of one."""
    info = compiled.symptoms[symptom]
    return compiled.groups[info.group].question if info.group else info.question


def _yes_in_group(compiled, answers: dict[str, str], symptom: str) -> str | None:
    """Another member of this symptom's exclusive group already answered yes, if any."""
    group = compiled.symptoms[symptom].group
    if not group:
        return None
    return next((m for m in compiled.groups[group].members if answers.get(m) == "y"), None)
