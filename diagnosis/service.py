"""One diagnosis step: the engine's verdict dressed in the content's own words and links."""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kb import likelihood_context, numbers
from kb.likelihood_context import HARDLY
from kb.numbers import per_language

from . import engine, plan
from .content import (
    MONEY_PER_MINUTE,
    OTHER_MONEY_PER_MINUTE,
    CompiledProblem,
    FaultInfo,
    GenerationInfo,
    GroupInfo,
    ProcedureCard,
    SymptomInfo,
)
from .query import (
    ANSWER_WORDS,
    HAVE,
    TOOLS,
    Answers,
    encode_answers,
    state_query,
    tokens_query,
)

# How many causes the result dwells on, and the share below which a cause is not "likely".
TOP_CAUSES = 3
LIKELY_SHARE = 0.1
# A cause's procedures in the order an owner needs them: check first, then fix, then prevent;
# getting things out is offered on its own at the top of every step.
KIND_ORDER = {"quick-check": 0, "repair": 1, "maintenance": 2, "emergency": 3}


def reason_sentence(kind: str, effect: str, n: int) -> str:
    """The sentence of one case of a reason (Reason.kind × Reason.effect), with the plural form
    for `n` (likelihood_context.plural_count): each case is one message of the translation
    files, so each language writes it whole. Placeholders: question, answer (an option's
    label), n (the factor as shown)."""
    sentences = {
        ("yes", "raises-strong"): lambda: ngettext(
            "You answered “yes” to “%(question)s” — strong evidence for this cause: with it, "
            "this answer is %(n)s times more common.",
            "You answered “yes” to “%(question)s” — strong evidence for this cause: with it, "
            "this answer is %(n)s times more common.",
            n,
        ),
        ("yes", "raises-weak"): lambda: ngettext(
            "You answered “yes” to “%(question)s” — this points to this cause: with it, this "
            "answer is %(n)s times more common.",
            "You answered “yes” to “%(question)s” — this points to this cause: with it, this "
            "answer is %(n)s times more common.",
            n,
        ),
        ("yes", "lowers-strong"): lambda: ngettext(
            "You answered “yes” to “%(question)s” — strong evidence against this cause: with "
            "it, this answer is %(n)s times rarer.",
            "You answered “yes” to “%(question)s” — strong evidence against this cause: with "
            "it, this answer is %(n)s times rarer.",
            n,
        ),
        ("yes", "lowers-weak"): lambda: ngettext(
            "You answered “yes” to “%(question)s” — this speaks against this cause: with it, "
            "this answer is %(n)s times rarer.",
            "You answered “yes” to “%(question)s” — this speaks against this cause: with it, "
            "this answer is %(n)s times rarer.",
            n,
        ),
        ("yes", "hardly"): lambda: _(
            "You answered “yes” to “%(question)s” — this hardly changes how likely this cause is."
        ),
        ("no", "raises-strong"): lambda: ngettext(
            "You answered “no” to “%(question)s” — strong evidence for this cause: with it, "
            "this answer is %(n)s times more common.",
            "You answered “no” to “%(question)s” — strong evidence for this cause: with it, "
            "this answer is %(n)s times more common.",
            n,
        ),
        ("no", "raises-weak"): lambda: ngettext(
            "You answered “no” to “%(question)s” — this points to this cause: with it, this "
            "answer is %(n)s times more common.",
            "You answered “no” to “%(question)s” — this points to this cause: with it, this "
            "answer is %(n)s times more common.",
            n,
        ),
        ("no", "lowers-strong"): lambda: ngettext(
            "You answered “no” to “%(question)s” — strong evidence against this cause: with "
            "it, this answer is %(n)s times rarer.",
            "You answered “no” to “%(question)s” — strong evidence against this cause: with "
            "it, this answer is %(n)s times rarer.",
            n,
        ),
        ("no", "lowers-weak"): lambda: ngettext(
            "You answered “no” to “%(question)s” — this speaks against this cause: with it, "
            "this answer is %(n)s times rarer.",
            "You answered “no” to “%(question)s” — this speaks against this cause: with it, "
            "this answer is %(n)s times rarer.",
            n,
        ),
        ("no", "hardly"): lambda: _(
            "You answered “no” to “%(question)s” — this hardly changes how likely this cause is."
        ),
        ("chose", "raises-strong"): lambda: ngettext(
            "You answered “%(answer)s” to “%(question)s” — strong evidence for this cause: "
            "with it, this answer is %(n)s times more common.",
            "You answered “%(answer)s” to “%(question)s” — strong evidence for this cause: "
            "with it, this answer is %(n)s times more common.",
            n,
        ),
        ("chose", "raises-weak"): lambda: ngettext(
            "You answered “%(answer)s” to “%(question)s” — this points to this cause: with "
            "it, this answer is %(n)s times more common.",
            "You answered “%(answer)s” to “%(question)s” — this points to this cause: with "
            "it, this answer is %(n)s times more common.",
            n,
        ),
        ("chose", "lowers-strong"): lambda: ngettext(
            "You answered “%(answer)s” to “%(question)s” — strong evidence against this "
            "cause: with it, this answer is %(n)s times rarer.",
            "You answered “%(answer)s” to “%(question)s” — strong evidence against this "
            "cause: with it, this answer is %(n)s times rarer.",
            n,
        ),
        ("chose", "lowers-weak"): lambda: ngettext(
            "You answered “%(answer)s” to “%(question)s” — this speaks against this cause: "
            "with it, this answer is %(n)s times rarer.",
            "You answered “%(answer)s” to “%(question)s” — this speaks against this cause: "
            "with it, this answer is %(n)s times rarer.",
            n,
        ),
        ("chose", "hardly"): lambda: _(
            "You answered “%(answer)s” to “%(question)s” — this hardly changes how likely "
            "this cause is."
        ),
        ("ruled-out", "raises-strong"): lambda: ngettext(
            "You ruled out “%(answer)s” as the answer to “%(question)s” — strong evidence for "
            "this cause: with it, this is %(n)s times more common.",
            "You ruled out “%(answer)s” as the answer to “%(question)s” — strong evidence for "
            "this cause: with it, this is %(n)s times more common.",
            n,
        ),
        ("ruled-out", "raises-weak"): lambda: ngettext(
            "You ruled out “%(answer)s” as the answer to “%(question)s” — this points to this "
            "cause: with it, this is %(n)s times more common.",
            "You ruled out “%(answer)s” as the answer to “%(question)s” — this points to this "
            "cause: with it, this is %(n)s times more common.",
            n,
        ),
        ("ruled-out", "lowers-strong"): lambda: ngettext(
            "You ruled out “%(answer)s” as the answer to “%(question)s” — strong evidence "
            "against this cause: with it, this is %(n)s times rarer.",
            "You ruled out “%(answer)s” as the answer to “%(question)s” — strong evidence "
            "against this cause: with it, this is %(n)s times rarer.",
            n,
        ),
        ("ruled-out", "lowers-weak"): lambda: ngettext(
            "You ruled out “%(answer)s” as the answer to “%(question)s” — this speaks against "
            "this cause: with it, this is %(n)s times rarer.",
            "You ruled out “%(answer)s” as the answer to “%(question)s” — this speaks against "
            "this cause: with it, this is %(n)s times rarer.",
            n,
        ),
        ("ruled-out", "hardly"): lambda: _(
            "You ruled out “%(answer)s” as the answer to “%(question)s” — this hardly changes "
            "how likely this cause is."
        ),
    }
    return sentences[kind, effect]()


@per_language
def reason_text(kind: str, effect: str, question: str, option: str, factor: float) -> str:
    """A reason's sentence (Reason.text). Remembered per language: its parts come from the
    content (the question, the option, the factor of a likelihood), so a problem's reasons are
    a few hundred sentences, and each step shows up to a dozen of them."""
    template = reason_sentence(kind, effect, likelihood_context.plural_count(factor))
    return template % {
        "question": question,
        "answer": option,
        "n": likelihood_context.factor(factor),
    }


@dataclass(frozen=True, slots=True)
class Reason:
    """One answer that moved a cause: a yes/no symptom, or a group answered "none of these"."""

    symptom: SymptomInfo | None  # None for "none of these"
    group: GroupInfo | None  # the question with exclusive answers it is an answer of, if any
    answer: str
    weight: float

    @property
    def slug(self) -> str:
        return self.symptom.slug if self.symptom else self.group.slug

    @property
    def key(self) -> tuple:
        """What its sentence depends on, the same on every state that shows it: the API's body
        and the step's list each write a problem's few hundred reasons once per language."""
        return (self.symptom is None, self.slug, self.answer, self.weight)

    @property
    def raises(self) -> bool:
        return self.weight > 0

    @property
    def factor(self) -> float:
        """How many times as often this answer comes with this cause as with another one (a
        raise), or as seldom (a lower): e^|weight|, the weight being the log of that ratio."""
        return math.exp(abs(self.weight))

    @property
    def kind(self) -> str:
        """Which answer it was, as a sentence names it: "yes" or "no" to a yes/no question;
        "chose" an option of a question with exclusive answers ("none of these" is one);
        "ruled-out" a single option of one (a hand-written link's partial answer)."""
        if self.symptom is None:
            return "chose"
        if self.group is not None:
            return "chose" if self.answer == "y" else "ruled-out"
        return "yes" if self.answer == "y" else "no"

    @property
    def effect(self) -> str:
        """The size of the change: "hardly" below 5 % (likelihood_context.HARDLY), "strong"
        from 4 times."""
        if self.factor - 1 < HARDLY:
            return "hardly"
        strength = "strong" if self.factor >= 4 else "weak"
        return f"{'raises' if self.raises else 'lowers'}-{strength}"

    @property
    def text(self) -> str:
        """The answer and what it says about this cause, one whole sentence per case written in
        each language (issue 22): the question quoted as a question, the answer stated, the
        factor in words with its plural form («в 17 раз», «в 1,5 раза»)."""
        if self.symptom is None:
            question, option = self.group.question, self.group.none_label
        elif self.group is not None:
            question = self.group.question
            option = self.symptom.option_label or self.symptom.statement
        else:
            question, option = self.symptom.question, ""
        return reason_text(self.kind, self.effect, question, option, self.factor)

    def as_dict(self) -> dict:
        return {
            "symptom": self.slug,
            "answer": self.answer,
            "weight": round(self.weight, 3),
            "effect": "raises" if self.raises else "lowers",
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Option:
    """One answer button: the tokens it adds to the URL, e.g. a member's `:y` and the rest `:n`."""

    label: str
    answers: tuple[tuple[str, str], ...]  # (symptom slug, y/n/u)
    kind: str  # y, n, u for a yes/no question; "option", "none", "u" for a group
    url: str = ""

    @property
    def tokens(self) -> str:
        return encode_answers(dict(self.answers))


@dataclass(frozen=True)
class Question:
    """The next question as the owner sees it: a yes/no symptom or an exclusive group."""

    slug: str
    text: str
    help_text: str
    options: tuple[Option, ...]
    why: str  # which causes the answer tells apart, in words


def question_options(compiled: CompiledProblem, slug: str) -> tuple[Option, ...]:
    """The options of a question and exactly the tokens each adds (docs/design.md, "Questions
    with exclusive answers"). The same for every state of the content: made once per question
    (a step asks for those of its next question and of each one answered)."""
    return derived(compiled, ("options", slug), lambda: _question_options(compiled, slug))


def _question_options(compiled: CompiledProblem, slug: str) -> tuple[Option, ...]:
    group = compiled.groups.get(slug)
    if group is None:
        return tuple(
            Option(label, ((slug, value),), value) for value, label in ANSWER_WORDS.items()
        )
    members = group.members
    return (
        *(
            Option(
                compiled.symptoms[member].option_label or compiled.symptoms[member].statement,
                tuple((m, "y" if m == member else "n") for m in members),
                "option",
            )
            for member in members
        ),
        Option(group.none_label, tuple((m, "n") for m in members), "none"),
        Option(ANSWER_WORDS["u"], tuple((m, "u") for m in members), "u"),
    )


@dataclass(frozen=True, slots=True)
class RankedCause:
    fault: FaultInfo
    probability: float
    why: tuple[Reason, ...]
    procedures: tuple[ProcedureCard, ...]

    @property
    def percent(self) -> int:
        return round(self.probability * 100)

    @property
    def percent_label(self) -> str:
        """The share as owners read it: "80%", «80 %» (a no-break space); "<1%" for a cause
        under half a percent."""
        return numbers.share(self.probability)

    @property
    def bar_step(self) -> int:
        """The probability in 5 % steps, for a CSS class (the CSP forbids inline styles)."""
        return min(20, round(self.probability * 20))


@dataclass(frozen=True)
class Outcome:
    compiled: CompiledProblem
    generation: GenerationInfo
    answers: dict[str, str]
    causes: tuple[RankedCause, ...]
    next_question: Question | None
    done: bool
    stop_reason: str | None
    # the engine's verdict this outcome tells: its answers already read, for the plan's
    # decisive check (decisive_check)
    verdict: engine.Diagnosis | None = None

    @property
    def top_causes(self) -> tuple[RankedCause, ...]:
        likely = [c for c in self.causes[:TOP_CAUSES] if c.probability >= LIKELY_SHARE]
        return tuple(likely or self.causes[:1])

    @cached_property
    def answered(self) -> list[dict]:
        """Each question answered so far (a group once), with the links that change or remove
        its answer, in the content's order of the questions: the URL keeps one order of the
        answers whatever order they were given in (query.canonical_answers)."""
        items, seen = [], set()
        for slug in [s for s in self.compiled.symptoms if s in self.answers]:
            symptom = self.compiled.symptoms[slug]
            question = symptom.group or slug
            if question in seen:
                continue
            seen.add(question)
            group = self.compiled.groups.get(symptom.group)
            options = question_options(self.compiled, question)
            current = self._current_option(options)
            urls, remove_url = self.option_urls(options)
            items.append(
                {
                    "slug": question,
                    "question": group.question if group else symptom.question,
                    "label": current.label if current else self._partial_label(group),
                    "options": [
                        (option.label, url, option is current)
                        for option, url in zip(options, urls, strict=True)
                    ],
                    "remove_url": remove_url,
                }
            )
        return items

    def option_urls(self, options: tuple[Option, ...]) -> tuple[list[str], str]:
        """Each option's URL (``url_with(**dict(option.answers))``) and the URL without the
        question's answers (each of its members None), for one question's options.

        Every option of a question sets the same symptoms (its members), and a token's place
        in the sorted tokens is its symptom's (the tools' key is no symptom's), so in each
        option's URL the members fall in the same places among the other tokens. A step links
        to a dozen states that differ from it in one question (issue 23): sorting and writing
        every token of each of them anew was a third of a step's own work in Python."""
        head, written, place = self._written
        members = [symptom for symptom, _ in options[0].answers]
        if all(member in place for member in members):  # the question's answers all given
            urls = []
            for option in options:
                texts = written.copy()
                for symptom, value in option.answers:
                    texts[place[symptom]] = f"{symptom}:{value}"
                urls.append(f"{head}&answers={','.join(texts)}")
            dropped = {place[member] for member in members}
            others = [text for n, text in enumerate(written) if n not in dropped]
            return urls, f"{head}&answers={','.join(others)}" if others else head
        # a question not asked yet, or a group answered in part (a hand-written link): the
        # members' places among the other tokens, (symptom, value, is a member) sorted as
        # url_with sorts (key, value) pairs; no member's key is another token's
        answers, tools = self._tokens
        others = [token for token in answers if token[0] not in members] + tools
        others.sort()  # with the tools among the answers, as url_with sorts them
        remove_url = f"{self.compiled.diagnose_url}?{tokens_query(self.generation, others)}"
        places = sorted([(*token, False) for token in others] + [(m, "", True) for m in members])
        texts = [(key, None if member else f"{key}:{value}") for key, value, member in places]
        urls = []
        for option in options:
            values = dict(option.answers)
            tokens = ",".join(text or f"{key}:{values[key]}" for key, text in texts)
            urls.append(f"{head}&answers={tokens}")
        return urls, remove_url

    @cached_property
    def _written(self) -> tuple[str, list[str], dict[str, int]]:
        """This state's URL up to its answers, its tokens (the answers' and the tools') written
        in their one order, and each answered symptom's place among them (option_urls)."""
        answers, tools = self._tokens
        tokens = sorted(answers + tools) if tools else answers
        head = f"{self.compiled.diagnose_url}?{tokens_query(self.generation, [])}"
        place = {key: n for n, (key, _) in enumerate(tokens) if key != HAVE}
        return head, [f"{key}:{value}" for key, value in tokens], place

    def _current_option(self, options: tuple[Option, ...]) -> Option | None:
        given = self.answers
        return next(
            (o for o in options if all(given.get(s) == v for s, v in o.answers)),
            None,
        )

    def _partial_label(self, group: GroupInfo | None) -> str:
        """A group answered in part, e.g. by a hand-written link: name the options ruled out."""
        ruled_out = [
            self.compiled.symptoms[m].option_label or self.compiled.symptoms[m].statement
            for m in group.members
            if self.answers.get(m) == "n"
        ]
        if not ruled_out:
            return str(ANSWER_WORDS["u"])
        return _("Not: %(options)s") % {"options": "; ".join(ruled_out)}

    @property
    def tools(self) -> tuple[str, ...]:
        """The tools the owner said they have (query.Answers)."""
        return getattr(self.answers, "tools", ())

    def tools_url(self, *tools: str) -> str:
        """This state's URL with the owner's tools set to `tools`."""
        return wizard_url(self.compiled, self.generation, Answers(self.answers, tools=tools))

    @property
    def tool_links(self) -> list[tuple[str, str, bool]]:
        """Each tool with the link that says the owner has it, or no longer has it."""
        return [
            (
                tool,
                self.tools_url(*(t for t in self.tools if t != tool))
                if tool in self.tools
                else self.tools_url(*self.tools, tool),
                tool in self.tools,
            )
            for tool in TOOLS
        ]

    @cached_property
    def plan(self) -> ActionPlan:
        """What to do, in this order (action_plan)."""
        return action_plan(self)

    @property
    def question_number(self) -> int:
        """The number of the next question: a group's several tokens are one question."""
        return len(self.answered) + 1

    @cached_property
    def _tokens(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The answers' tokens and the tools' (query.answer_tokens), each in their one order:
        a step links to a dozen states that differ from it in one question."""
        tools = [(HAVE, tool) for tool in self.tools]
        return sorted(self.answers.items()), tools

    def url_with(self, **changes: str | None) -> str:
        """The wizard URL of these answers with some changed (a value of None removes one)."""
        answers, tools = self._tokens
        if changes:
            answers = [token for token in answers if token[0] not in changes]
            answers += ((s, value) for s, value in changes.items() if value is not None)
        tokens = sorted(answers + tools) if tools or changes else answers
        return f"{self.compiled.diagnose_url}?{tokens_query(self.generation, tokens)}"


def wizard_url(compiled: CompiledProblem, generation: GenerationInfo | None, answers) -> str:
    """The canonical URL of a state: every link of the wizard is one, so no click of an owner
    meets the redirect that other spellings get (views._canonical)."""
    query = state_query(generation, answers)
    return f"{compiled.diagnose_url}?{query}" if query else compiled.diagnose_url


def diagnose(
    compiled: CompiledProblem,
    generation: GenerationInfo,
    answers: dict[str, str],
    *,
    links: bool = True,
) -> Outcome:
    """One step. Without ``links`` the next question's options have no wizard URL (``url`` is
    empty): the API names each option by its tokens, and an option's URL is a canonical
    query built anew per state."""
    tools = getattr(answers, "tools", ())
    kb = compiled.knowledge_base(generation.code, tools)
    verdict = engine.diagnose(kb, answers, checks=plan_checks(compiled, kb))
    procedures = derived(compiled, "procedures in order", lambda: _procedures_in_order(compiled))
    causes = tuple(
        RankedCause(
            fault=compiled.faults[candidate.fault],
            probability=candidate.probability,
            why=tuple(_reason(compiled, evidence) for evidence in candidate.why),
            procedures=procedures[candidate.fault],
        )
        for candidate in verdict.candidates
    )
    outcome = Outcome(
        compiled=compiled,
        generation=generation,
        answers=answers,
        causes=causes,
        next_question=None,
        done=verdict.done,
        stop_reason=verdict.stop_reason,
        verdict=verdict,
    )
    if verdict.next_question is None:
        return outcome
    return replace(outcome, next_question=_question(outcome, verdict, links))


def _procedures_in_order(compiled: CompiledProblem) -> dict[str, tuple[ProcedureCard, ...]]:
    """Each fault's procedures in the order an owner needs them (KIND_ORDER)."""
    return {
        slug: tuple(
            sorted(
                (compiled.procedures[procedure] for procedure in fault.procedures),
                key=lambda procedure: KIND_ORDER.get(procedure.kind, len(KIND_ORDER)),
            )
        )
        for slug, fault in compiled.faults.items()
    }


def _reason(compiled: CompiledProblem, evidence: engine.Evidence) -> Reason:
    group = compiled.groups.get(evidence.symptom)
    if group is not None:
        return Reason(None, group, evidence.answer, evidence.weight)
    symptom = compiled.symptoms[evidence.symptom]
    return Reason(symptom, compiled.groups.get(symptom.group), evidence.answer, evidence.weight)


def _question(outcome: Outcome, verdict: engine.Diagnosis, links: bool) -> Question:
    compiled, slug = outcome.compiled, verdict.next_question
    group = compiled.groups.get(slug)
    options = question_options(compiled, slug)
    if links:
        urls, _ = outcome.option_urls(options)
        # made directly: dataclasses.replace reads the fields anew for each option, each step
        options = tuple(
            Option(option.label, option.answers, option.kind, url)
            for option, url in zip(options, urls, strict=True)
        )

    def why() -> str:
        label_of = {o.kind if not group else _option_key(o): o.label for o in options}
        return _why_line(compiled, verdict.contrasts, label_of)

    return Question(
        slug=slug,
        text=group.question if group else compiled.symptoms[slug].question,
        help_text=group.help_text if group else compiled.symptoms[slug].help_text,
        options=options,
        # the content's words for what the state's contrasts say: a few per question, but
        # their combinations grow with the states asked for, so kept in a bounded memo
        why=derived(compiled, "why lines", lambda: Recent(WHY_LINES_KEPT)).get(
            (slug, verdict.contrasts, get_language()), why
        ),
    )


def _option_key(option: Option) -> str:
    """The engine's name of a group option: its member's slug, or "none"."""
    chosen = [symptom for symptom, value in option.answers if value == "y"]
    return chosen[0] if chosen else engine.NONE_OF_THESE if option.kind == "none" else "u"


def _why_line(compiled: CompiledProblem, contrasts, label_of: dict[str, str]) -> str:
    """The "why we ask" line as one sentence per language: for each answer, the causes it
    would point to, by their short names lower-cased mid-sentence («Зачем мы спрашиваем:
    при ответе «да» вероятнее слабый аккумулятор 12 В или сломанная ручка крышки; при «нет» —
    сгоревший предохранитель замка багажника.»). The names stay in the nominative in Russian, so no
    name needs declining."""
    parts = []
    for contrast in contrasts:
        names = [mid_sentence(compiled.faults[fault].short_name) for fault in contrast.faults]
        values = {"causes": _or_list(names), "answer": label_of.get(contrast.answer, "")}
        if contrast.answer == "y":
            part = (
                _("if you answer “yes”, suspect %(causes)s")
                if not parts
                else _("if “yes”, %(causes)s")
            )
        elif contrast.answer == "n":
            part = (
                _("if you answer “no”, suspect %(causes)s")
                if not parts
                else _("if “no”, %(causes)s")
            )
        else:
            part = (
                _("if you answer “%(answer)s”, suspect %(causes)s")
                if not parts
                else _("if “%(answer)s”, %(causes)s")
            )
        parts.append(part % values)
    if not parts:
        return ""
    return _("Why we ask: %(reasons)s.") % {"reasons": "; ".join(parts)}


def _or_list(names: list[str]) -> str:
    """The names joined by "or": "A or B", "A, B, or C" in English; «A или B», «A, B или C»
    in Russian."""
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        return _("%(first)s or %(last)s") % {"first": names[0], "last": names[1]}
    return _("%(all_but_last)s, or %(last)s") % {
        "all_but_last": ", ".join(names[:-1]),
        "last": names[-1],
    }


# Names that keep their capitals anywhere in a sentence: a name beginning with one of them is
# left as it is ("Smart Key out of sync"); one merely containing it is not ("flat Smart Key
# battery").
PROPER_NAMES = ("Smart Key", "Intelligent Key", "Nissan", "Qashqai")


def mid_sentence(name: str) -> str:
    """A name as it reads inside a sentence: its first letter lower-cased ("Weak 12 V battery"
    -> "weak 12 V battery", «Слабый аккумулятор» -> «слабый аккумулятор»), unless it begins
    with an abbreviation or a number («BCM …», «12 В …», "J11 …": a capital or a digit after
    the first letter) or with one of PROPER_NAMES."""
    words = name.split()
    if not words or name.startswith(PROPER_NAMES):
        return name
    first = words[0]
    if any(c.isupper() or c.isdigit() for c in first[1:]) or not first[0].isupper():
        return name
    return first[0].lower() + name[1:]


# --- the plan: what to do, in this order (diagnosis/plan.py) ---------------------------------

# The kinds of procedure that settle a cause: a check tells whether it is the cause; a repair
# fixes it (and, for a cause without a check, trying it is how the owner finds out).
CHECK_KINDS = ("quick-check",)
REPAIR_KINDS = ("repair",)
# The result lists the plan's steps until they cover this share of the probability, at most
# PLAN_MAX_STEPS of them; the expected totals always count every step.
PLAN_SHOWN_SHARE = 0.95
PLAN_MAX_STEPS = 6
# Words shorter than this say nothing about which procedure answers a question.
_MIN_WORD = 4


@dataclass(frozen=True)
class PlanStep:
    number: int
    procedures: tuple[ProcedureCard, ...]  # the check, or the repairs tried in turn
    faults: tuple[FaultInfo, ...]  # the causes it settles, most likely first
    probability: float  # the chance this step finds the cause
    minutes: float  # what the step costs
    money: float
    currency: str
    # the check's key (plan.Remedy.check): its procedures' slugs, one for each set of them, by
    # which the API body and the page keep what they write of a step
    check: str = ""

    @property
    def percent_label(self) -> str:
        """As the cause list writes it: "80%", «80 %», "<1%"."""
        return numbers.share(self.probability)


@dataclass(frozen=True)
class Decisive:
    """The check that tells the leading causes apart, asked or not."""

    slug: str
    question: str
    procedure: ProcedureCard | None
    bits: float


@dataclass(frozen=True)
class ActionPlan:
    steps: tuple[PlanStep, ...]  # by probability / cost (diagnosis/plan.py)
    by_probability: tuple[PlanStep, ...]  # by probability alone
    expected_minutes: float
    expected_money: float
    probability_minutes: float  # the same for the probability order
    probability_money: float
    currency: str
    decisive: Decisive | None

    @property
    def shown(self) -> tuple[PlanStep, ...]:
        return _shown(self.steps)

    @property
    def shown_by_probability(self) -> tuple[PlanStep, ...]:
        return _shown(self.by_probability)

    @property
    def differs(self) -> bool:
        """Whether the cheap-first order is not the probability order."""
        return [s.procedures for s in self.steps] != [s.procedures for s in self.by_probability]


def _shown(steps: tuple[PlanStep, ...]) -> tuple[PlanStep, ...]:
    shown, covered = [], 0.0
    for step in steps:
        if covered >= PLAN_SHOWN_SHARE or len(shown) >= PLAN_MAX_STEPS:
            break
        shown.append(step)
        covered += step.probability
    return tuple(shown)


def _cost(procedures) -> plan.Cost:
    total = plan.ZERO
    for procedure in procedures:
        total = total + plan.Cost(procedure.minutes, procedure.money)
    return total


def money_per_minute(currency: str) -> float:
    return MONEY_PER_MINUTE.get(currency, OTHER_MONEY_PER_MINUTE)


def _scaled(card: ProcedureCard) -> float:
    return plan.Cost(card.minutes, card.money).scaled(money_per_minute(card.currency))


def remedies(
    compiled: CompiledProblem, faults
) -> dict[str, tuple[tuple[ProcedureCard, ...], plan.Remedy]]:
    """Per fault (slugs, in order): the procedures of its check and its Remedy for the plan.

    The check is its cheapest quick check, and its repair the cheapest repair, paid only when it
    is the cause; a cause with no check is settled by its repairs, cheapest first, all counted
    (the last one is the sure fix). A cause with neither has no step."""
    every = derived(compiled, "remedies", lambda: _remedies(compiled))
    return {slug: every[slug] for slug in faults if slug in every}


def _currency(found: dict) -> str:
    """The currency of the plan's costs: its first check's (roubles when there is none)."""
    return next((cards[0].currency for cards, _ in found.values()), "RUB")


def checks(compiled: CompiledProblem) -> dict[str, engine.Check]:
    """Per fault: the check that settles it in the plan and that check's cost on the plan's one
    scale, for the engine's stop rule (a question must save its cost in the plan)."""

    def build() -> dict[str, engine.Check]:
        found = remedies(compiled, compiled.faults)
        currency = _currency(found)
        rate = money_per_minute(currency)
        return {
            slug: engine.Check(remedy.check, remedy.check_cost.scaled(rate))
            for slug, (_, remedy) in found.items()
        }

    return derived(compiled, "checks", build)


def plan_checks(compiled: CompiledProblem, kb: engine.KnowledgeBase) -> engine.PlanChecks:
    """``checks`` grouped into the plan's steps for one of the problem's knowledge bases (a
    generation's, or its copy for an owner's tools), once: the engine otherwise checks and
    groups them on every step. By the knowledge base's id: the problem keeps each of them
    (``CompiledProblem.knowledge_base``) as long as this store lives."""
    return derived(
        compiled, ("plan checks", id(kb)), lambda: engine.plan_checks(kb, checks(compiled))
    )


# What the service derives from the content alone (each fault's remedy and procedures in
# order, the quick checks' words, a question's options), per compiled problem by its id: the
# same for every state of a content version, so not recomputed on each step. Kept beside the
# object, not in it: a copy with other content (``dataclasses.replace``, the staff preview's
# patched problem) is another object and starts with none of it; an entry goes with its object.
_DERIVED: dict[int, dict] = {}


# "Why we ask" lines kept per compiled problem (``Recent``): 30,000 random states of the shipped
# problem wrote about 1,750 distinct lines, still growing, and a line is written in microseconds.
WHY_LINES_KEPT = 2048


class Recent:
    """At most ``size`` values by key, the least recently used one dropped first: a memo of
    what a state derives from the content, where states are unbounded (an attacker's random
    answers) and the content's combinations many."""

    def __init__(self, size: int):
        self.size = size
        self.values: OrderedDict = OrderedDict()
        self.lock = threading.Lock()  # gthread workers share the memo

    def get(self, key, build):
        with self.lock:
            found = self.values.get(key)
            if found is not None:
                self.values.move_to_end(key)
                return found
        found = build()
        with self.lock:
            self.values[key] = found
            if len(self.values) > self.size:
                self.values.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self.values)


# Every (percentage, "less than") numbers.share can write: "0%" to "100%" and "<1%".
SHARE_PERCENTS = [(n, False) for n in range(101)] + [(1, True)]


def written_shares(compiled: CompiledProblem, language: str, write) -> dict[tuple[int, bool], str]:
    """Every share a cause or a plan step can show, as ``write`` writes text (JSON's encoder,
    HTML's escape), by its ``numbers.share_percent``: once per problem, language and writer
    rather than a catalog lookup per cause and step."""

    def build():
        return {arguments: write(numbers.percent(*arguments)) for arguments in SHARE_PERCENTS}

    return derived(compiled, ("shares", write, language), build)


def derived(compiled: CompiledProblem, name, build):
    """What ``build`` derives from ``compiled``'s content alone, computed once per object."""
    store = _DERIVED.get(id(compiled))
    if store is None:
        store = _DERIVED[id(compiled)] = {}
        weakref.finalize(compiled, _DERIVED.pop, id(compiled), None)
    found = store.get(name)
    if found is None:
        found = store[name] = build()
    return found


def _remedies(compiled: CompiledProblem) -> dict:
    result = {}
    for slug, fault in compiled.faults.items():
        cards = [compiled.procedures[p] for p in fault.procedures]
        if not cards:
            continue
        checks = sorted((c for c in cards if c.kind in CHECK_KINDS), key=_scaled)
        repairs = sorted((c for c in cards if c.kind in REPAIR_KINDS), key=_scaled)
        if checks:
            chosen, repair = (checks[0],), _cost(repairs[:1])
        elif repairs:
            chosen, repair = tuple(repairs), plan.ZERO
        else:
            continue
        key = "+".join(card.slug for card in chosen)
        result[slug] = (chosen, plan.Remedy(slug, key, _cost(chosen), repair))
    return result


def action_plan(outcome: Outcome) -> ActionPlan:
    """The result as a plan: the steps ordered by probability / cost, the expected time and money
    to a fixed car, the same for the probability order, and the decisive check."""
    compiled = outcome.compiled
    posterior = {cause.fault.slug: cause.probability for cause in outcome.causes}
    found = remedies(compiled, posterior)
    currency = _currency(found)
    rate = money_per_minute(currency)
    # the orders as numbers (plan.walks): the plan's Step objects would be made only to be
    # turned into these PlanSteps
    by_cost, by_probability = plan.walks(
        posterior, [remedy for _, remedy in found.values()], money_per_minute=rate
    )
    cards_of = {remedy.check: cards for cards, remedy in found.values()}

    def steps(order: plan.Walk) -> tuple[PlanStep, ...]:
        return tuple(
            PlanStep(
                number=n,
                procedures=cards_of[check],
                faults=tuple(compiled.faults[slug] for slug in faults),
                probability=probability,
                minutes=cost.minutes,
                money=cost.money,
                currency=currency,
                check=check,
            )
            for n, (check, faults, probability, cost) in enumerate(order.steps, start=1)
        )

    planned = steps(by_cost)
    # The same checks in the same order are the same steps (each check's faults and chance are
    # the state's, whatever the order): made once. Two results in five.
    same = [step[0] for step in by_cost.steps] == [step[0] for step in by_probability.steps]
    return ActionPlan(
        steps=planned,
        by_probability=planned if same else steps(by_probability),
        expected_minutes=by_cost.expected.minutes,
        expected_money=by_cost.expected.money,
        probability_minutes=by_probability.expected.minutes,
        probability_money=by_probability.expected.money,
        currency=currency,
        decisive=decisive_check(outcome),
    )


def decisive_check(outcome: Outcome) -> Decisive | None:
    """The engine's decisive question among the unasked ones, with the procedure that answers
    it (`answering_procedure`)."""
    compiled = outcome.compiled
    kb = compiled.knowledge_bases[outcome.generation.code]
    # the verdict may be of the owner's tools' copy of kb: the same faults and questions
    found = engine.decisive_question(kb, outcome.answers, given=outcome.verdict)
    if found is None:
        return None
    slug, bits = found
    group = compiled.groups.get(slug)
    question = group.question if group else compiled.symptoms[slug].question
    help_text = group.help_text if group else compiled.symptoms[slug].help_text
    top = [cause.fault.slug for cause in outcome.causes[: engine.DECISIVE_AMONG]]
    procedure = answering_procedure(compiled, f"{question} {help_text}", top)
    return Decisive(slug, question, procedure, bits)


@lru_cache(maxsize=4096)  # a question's words, read on every result with a plan: content
def _words(text: str) -> frozenset[str]:
    return frozenset(
        w
        for w in "".join(c if c.isalnum() else " " for c in text.lower()).split()
        if len(w) >= _MIN_WORD
    )


def answering_procedure(
    compiled: CompiledProblem, asked: str, faults: list[str]
) -> ProcedureCard | None:
    """The quick check of one of these causes that answers a question: the one whose title and
    tools share the most words with the question and its help (a multimeter, a fuse), words
    common to most quick checks left out; None when none shares a word. The content does not
    link questions to procedures; this reads the link from their words."""
    checks, texts, common = derived(compiled, "check words", lambda: _check_words(compiled))
    if not checks:
        return None
    mine = {slug for fault in faults for slug in compiled.faults[fault].procedures}
    wanted = _words(asked) - common
    candidates = [p for p in checks if p.slug in mine]
    if not candidates:
        return None
    best = max(candidates, key=lambda p: (len(texts[p.slug] & wanted), -candidates.index(p)))
    return best if texts[best.slug] & wanted else None


def _check_words(compiled: CompiledProblem) -> tuple[list, dict[str, set[str]], set[str]]:
    """The quick checks, the words of each one's title and tools, and the words common to most
    of them (answering_procedure)."""
    checks = [p for p in compiled.procedures.values() if p.kind in CHECK_KINDS]
    texts = {p.slug: _words(" ".join((p.title, *p.tools))) for p in checks}
    seen: dict[str, int] = {}
    for words in texts.values():
        for word in words:
            seen[word] = seen.get(word, 0) + 1
    common = {word for word, n in seen.items() if n > len(checks) / 2}
    return checks, texts, common
