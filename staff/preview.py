"""The effect of an unsaved edit on the wizard, computed with the engine before anything is saved.

The content compiled from the database is "before"; "after" is the same knowledge base with the
edited values put in: a fault's share, a question's value for other causes, likelihoods added,
changed or removed. Nothing is written. For each generation it compares:

- the first ranking (what the wizard shows before any answer);
- for each question the edit concerns (a likelihood's symptom, an edited symptom, the group a
  member belongs to), the ranking of all causes after that question alone is answered "yes",
  "no" and "don't know" (a group: the member, "none of these", "don't know"), where an edit of
  a likelihood shows even when the first ranking does not move;
- the problem's test cases (diagnosis.models.ScenarioCase), played by the simulated owner
  (diagnosis/scenarios.py) through the same stop rule: passes or fails, first cause, questions;
- a set of saved scenarios: for each cause, the answers that point to it most (as the content
  check tries them), and which cause then comes first.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from diagnosis import content, engine, scenarios, service
from diagnosis.content import MISSING_RATE_WEIGHT
from diagnosis.models import ScenarioCase
from diagnosis.validation import play_case, top_for_best_answers
from kb.models import FaultRate, Likelihood, Problem

TOP = 3


@dataclass
class Edit:
    """What the unsaved form changes, by slugs."""

    shares: dict[str, float] = field(default_factory=dict)  # fault -> new share
    p_otherwise: dict[str, float] = field(default_factory=dict)  # symptom -> new value
    likelihoods: dict[tuple[str, str], float | None] = field(default_factory=dict)  # None: removed
    groups: tuple[str, ...] = ()  # question groups edited as a whole
    costs: dict[str, float] = field(default_factory=dict)  # symptom or group -> effort's cost
    # (vehicle model, generation code, fault type) -> its rate level's weight; None: no rate
    rates: dict[tuple[str, str, str], float | None] = field(default_factory=dict)
    # questions not saved yet (their cost and value for other causes in `costs`, `p_otherwise`)
    new_symptoms: dict[str, content.SymptomInfo] = field(default_factory=dict)


@dataclass
class Ranked:
    name: str
    probability: float

    @property
    def percent(self) -> float:
        return self.probability * 100

    @property
    def shown(self) -> float:
        """The percent as the preview prints it, one decimal: what "changed" compares."""
        return round(self.probability * 100, 1)


@dataclass
class RankRow:
    """One place of a ranking: the cause there before and after the edit, and what the cause
    now there had before (its own change, whatever place it had)."""

    n: int
    before: Ranked
    after: Ranked
    was: Ranked  # the after cause, before the edit

    @property
    def moved(self) -> bool:
        return self.before.name != self.after.name

    @property
    def direction(self) -> str:
        """ "up", "down" or "" for the after cause's own probability, to one decimal."""
        if self.after.shown == self.was.shown:
            return ""
        return "up" if self.after.shown > self.was.shown else "down"

    @property
    def changed(self) -> bool:
        return self.moved or bool(self.direction)


@dataclass
class AnswerPreview:
    label: str  # the owner's answer: "Yes", "No", "Don't know", a group's option
    rows: list[RankRow]

    @property
    def changed(self) -> bool:
        return any(row.changed for row in self.rows)


@dataclass
class QuestionPreview:
    """A question the edit concerns, asked first and alone."""

    slug: str
    text: str
    answers: list[AnswerPreview]

    @property
    def changed(self) -> bool:
        return any(answer.changed for answer in self.answers)


@dataclass
class CaseOutcome:
    passes: bool
    first: str  # the name of the cause ranked first
    questions: int
    asked_at: int | None = None  # when the edited question was asked (1: first), if it was


@dataclass
class CasePreview:
    """A test case of the problem played before and after the edit."""

    name: str
    before: CaseOutcome
    after: CaseOutcome

    @property
    def outcomes(self) -> tuple[CaseOutcome, CaseOutcome]:
        return self.before, self.after

    @property
    def flips(self) -> bool:
        return self.before.passes != self.after.passes

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class Scenario:
    cause: str  # the cause the answers point to
    before: str  # the first cause with those answers, before the edit
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class GenerationPreview:
    generation: str
    before: list[Ranked]
    after: list[Ranked]
    scenarios: list[Scenario]
    questions: list[QuestionPreview] = field(default_factory=list)
    cases: list[CasePreview] = field(default_factory=list)

    @property
    def flipped_cases(self) -> list[CasePreview]:
        return [case for case in self.cases if case.flips]

    @property
    def mean_questions(self) -> tuple[float, float]:
        """The cases' mean number of questions, now and with the edit (scenarios' target)."""
        count = max(1, len(self.cases))
        return (
            sum(case.before.questions for case in self.cases) / count,
            sum(case.after.questions for case in self.cases) / count,
        )

    @property
    def asking_after(self) -> list[CasePreview]:
        """The cases in which the wizard asks the edited question, with the edit."""
        return [case for case in self.cases if case.after.asked_at]

    @property
    def first_changed(self) -> bool:
        return self.before[0].name != self.after[0].name

    @property
    def changed_scenarios(self) -> list[Scenario]:
        return [s for s in self.scenarios if s.changed]

    @property
    def rows(self) -> list[tuple[int, Ranked, Ranked]]:
        return [
            (n, b, a)
            for n, (b, a) in enumerate(zip(self.before, self.after, strict=False), start=1)
        ]

    @property
    def right_before(self) -> int:
        return sum(1 for s in self.scenarios if s.before == s.cause)

    @property
    def right_after(self) -> int:
        return sum(1 for s in self.scenarios if s.after == s.cause)


def preview(problem: Problem, edit: Edit) -> list[GenerationPreview]:
    compiled = content.build(problem.vehicle_model.slug, problem.slug)
    if compiled is None:
        return []
    names = {slug: info.name for slug, info in compiled.faults.items()}
    likelihoods = dict(
        ((fault, symptom), p)
        for fault, symptom, p in Likelihood.objects.filter(fault__problem=problem).values_list(
            "fault__slug", "symptom__slug", "p_yes"
        )
    )
    shares = dict(problem.faults.values_list("slug", "share"))
    factors = _rate_factors(problem, edit)
    patched = replace(
        compiled,
        symptoms={**compiled.symptoms, **edit.new_symptoms},
        groups={
            slug: replace(group, members=(*group.members, *_joining(edit, slug)))
            for slug, group in compiled.groups.items()
        },
        knowledge_bases={
            code: edited(kb, likelihoods, shares, edit, factors.get(code))
            for code, kb in compiled.knowledge_bases.items()
        },
    )
    questions = questions_of(patched, edit)
    cases = list(
        ScenarioCase.objects.filter(problem=problem, is_active=True)
        .select_related("generation")
        .order_by("pk")
    )
    results = []
    for generation in compiled.generations:
        before = compiled.knowledge_bases[generation.code]
        after = patched.knowledge_bases[generation.code]
        results.append(
            GenerationPreview(
                generation=f"{generation.name} ({generation.years})",
                before=_ranking(before, names),
                after=_ranking(after, names),
                scenarios=[
                    Scenario(
                        names[fault.key],
                        names[top_for_best_answers(before, fault.key)],
                        names[top_for_best_answers(after, fault.key)],
                    )
                    for fault in before.faults
                ],
                questions=[
                    _question(patched, slug, members, before, after, names)
                    for slug, members in questions.items()
                ],
                cases=_cases(compiled, patched, generation.code, cases, names, set(questions)),
            )
        )
    return results


def questions_of(compiled: content.CompiledProblem, edit: Edit) -> dict[str, tuple[str, ...]]:
    """The questions the edit concerns, in the order met: a symptom's slug, or a group's slug
    with the members edited (an empty tuple: the whole group)."""
    touched = [
        *edit.p_otherwise,
        *edit.costs,
        *(symptom for _fault, symptom in edit.likelihoods),
    ]
    questions: dict[str, tuple[str, ...]] = {group: () for group in edit.groups}
    for slug in touched:
        if slug not in compiled.symptoms:
            continue
        group = compiled.symptoms[slug].group
        if not group:
            questions.setdefault(slug, ())
        elif questions.get(group) != ():  # a whole group already shows every member
            members = questions.get(group, ())
            questions[group] = members if slug in members else (*members, slug)
    return questions


def _question(compiled, slug, members, before, after, names) -> QuestionPreview:
    options = service.question_options(compiled, slug)
    if members:  # a group's edited members, "none of these" and "don't know"
        options = tuple(
            option
            for option in options
            if option.kind != "option" or any((m, "y") in option.answers for m in members)
        )
    group = compiled.groups.get(slug)
    text = group.question if group else compiled.symptoms[slug].question
    answers = []
    known = {symptom.key for symptom in before.symptoms}  # a new question is not in "before"
    for option in options:
        given = dict(option.answers)
        was = _ranking(before, names, {s: v for s, v in given.items() if s in known})
        now = _ranking(after, names, given)
        old = {ranked.name: ranked for ranked in was}
        pairs = enumerate(zip(was, now, strict=True), start=1)
        answers.append(
            AnswerPreview(str(option.label), [RankRow(n, b, a, old[a.name]) for n, (b, a) in pairs])
        )
    return QuestionPreview(slug, text, answers)


def _cases(compiled, patched, code, cases, names, questions) -> list[CasePreview]:
    result = []
    for case in cases:
        if case.generation.code != code:
            continue
        before, after = play_case(compiled, case), play_case(patched, case)
        if before is None or after is None:
            continue
        result.append(
            CasePreview(
                case.name, _outcome(before, names, questions), _outcome(after, names, questions)
            )
        )
    return result


def _outcome(verdict: scenarios.Verdict, names: dict[str, str], questions=()) -> CaseOutcome:
    asked = [n for n, step in enumerate(verdict.played.steps, start=1) if step.slug in questions]
    return CaseOutcome(
        verdict.passes,
        names[verdict.played.ranking[0]],
        verdict.played.questions,
        asked[0] if asked else None,
    )


def _rate_factors(problem: Problem, edit: Edit) -> dict[str, dict[str, float]]:
    """Generation code -> fault -> how much its prior scales with its type's edited rate."""
    model = problem.vehicle_model.slug
    edited_rates = {(code, group): w for (m, code, group), w in edit.rates.items() if m == model}
    if not edited_rates:
        return {}
    saved = {
        (code, group): weight
        for code, group, weight in FaultRate.objects.filter(
            generation__vehicle_model=problem.vehicle_model
        ).values_list("generation__code", "group__slug", "level__weight")
    }
    factors: dict[str, dict[str, float]] = {}
    for fault, group in problem.faults.values_list("slug", "group__slug"):
        for (code, rated), weight in edited_rates.items():
            old = saved.get((code, rated), MISSING_RATE_WEIGHT)
            if rated == group and old:
                factors.setdefault(code, {})[fault] = (weight or MISSING_RATE_WEIGHT) / old
    return factors


def edited(
    kb: engine.KnowledgeBase,
    likelihoods: dict[tuple[str, str], float],
    shares: dict[str, float],
    edit: Edit,
    factors: dict[str, float] | None = None,
) -> engine.KnowledgeBase:
    """The knowledge base with the edit applied (a fault's prior scales with its share, and
    with its type's rate in the generation: `factors`)."""
    factors = factors or {}
    faults = [
        engine.Fault(f.key, f.prior * edit.shares[f.key] / shares[f.key])
        if f.key in edit.shares and shares.get(f.key)
        else f
        for f in kb.faults
    ]
    faults = [
        engine.Fault(f.key, f.prior * factors[f.key]) if f.key in factors else f for f in faults
    ]
    symptoms = [
        engine.Symptom(
            s.key, edit.costs.get(s.key, s.cost), edit.p_otherwise.get(s.key, s.p_yes_otherwise)
        )
        for s in kb.symptoms
    ] + [
        engine.Symptom(slug, edit.costs.get(slug, 1.0), edit.p_otherwise[slug])
        for slug in edit.new_symptoms
    ]
    groups = [
        engine.Group(g.key, (*g.members, *_joining(edit, g.key)), edit.costs.get(g.key, g.cost))
        for g in kb.groups
    ]
    known = {f.key for f in faults}, {s.key for s in symptoms}
    merged = {**likelihoods, **edit.likelihoods}
    pairs = {
        pair: p
        for pair, p in merged.items()
        if p is not None and pair[0] in known[0] and pair[1] in known[1]
    }
    return engine.KnowledgeBase(faults, symptoms, pairs, groups)


def _joining(edit: Edit, group: str) -> tuple[str, ...]:
    """The new questions that become options of the exclusive question `group`."""
    return tuple(slug for slug, info in edit.new_symptoms.items() if info.group == group)


def _ranking(
    kb: engine.KnowledgeBase, names: dict[str, str], answers: dict | None = None
) -> list[Ranked]:
    """All causes, best first, after `answers`; the first TOP when none are given."""
    verdict = engine.diagnose(kb, answers or {})
    candidates = verdict.candidates if answers is not None else verdict.candidates[:TOP]
    return [Ranked(names[c.fault], c.probability) for c in candidates]
