"""A likelihood with its context: what a "yes" and a "no" do to its cause, and the same
question's values for every cause of the problem (the likelihood admin's panel and columns).

The effect of an answer on a cause is the factor by which it multiplies the cause's odds
against a cause with no value for the question (which answers "yes" as often as the symptom's
`p_yes_otherwise`): p_yes / p_yes_otherwise for a "yes", (1 − p_yes) / (1 − p_yes_otherwise)
for a "no". It is computed here as diagnosis/engine.py computes its evidence weights (the same
clamp; a member of a question with exclusive answers read as one option of a categorical
answer), because kb sits below diagnosis and does not import it;
tests/test_likelihood_context.py checks these factors against the engine's posteriors on the
shipped content, so the two cannot drift apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Fault, Likelihood, Symptom
from .numbers import per_language

# diagnosis/engine.py's P_MIN and P_MAX: every probability is clamped into this range before
# it is used (tests/test_likelihood_context.py keeps them equal).
P_MIN = 0.01
P_MAX = 0.99

# Factors this close to 1 are "hardly changes it".
HARDLY = 0.05


def clamp(p: float) -> float:
    return min(P_MAX, max(P_MIN, p))


def _categorical(ps: list[float]) -> list[float]:
    """The options' probabilities from the members' clamped P(yes), as the engine reads a
    question with exclusive answers: scaled down when they add up to more than P_MAX."""
    total = math.fsum(ps)
    if total > P_MAX:
        return [p * P_MAX / total for p in ps]
    return ps


@dataclass(frozen=True)
class Effect:
    """How much an answer multiplies this cause's odds against any other cause."""

    yes: float
    no: float

    @property
    def points_away(self) -> bool:
        """A "yes" makes this cause less likely."""
        return self.yes < 1 - 1e-9


def worth_a_warning(now: Effect, note: str, before: Effect | None = None, note_changed=False):
    """Whether a value whose "yes" points away from its cause should be questioned.

    Pointing away is often meant: a "yes" can be a sign against a cause (a blown fuse is not
    intact), and a note then says why (all 34 shipped values below "any other cause" do). So
    a value is questioned when it points away and either no note says why, or an edit has
    just moved it there from pointing to the cause (`before`) without touching the note,
    which was then written for the other side.
    """
    if not now.points_away:
        return False
    if not (note or "").strip():
        return True
    return before is not None and not before.points_away and not note_changed


def effect(fault: Fault, symptom: Symptom, p_yes: float | None = None) -> Effect:
    """The effect of answering `symptom` on `fault`, with the saved likelihood or `p_yes`.

    A symptom that is one answer of a question with exclusive answers is read as the engine
    reads it: a "yes" is that option, a "no" leaves every other option possible.
    """
    if p_yes is None:
        saved = Likelihood.objects.filter(fault=fault, symptom=symptom).first()
        p_yes = saved.p_yes if saved else symptom.p_yes_otherwise
    if symptom.group_id is None:
        p, p_other = clamp(p_yes), clamp(symptom.p_yes_otherwise)
        return Effect(yes=p / p_other, no=(1 - p) / (1 - p_other))
    # The group's members as the engine knows them: those that have a likelihood (a symptom
    # no cause has a value for is not compiled), and this one.
    members = list(
        Symptom.objects.filter(group_id=symptom.group_id)
        .filter(Q(likelihoods__isnull=False) | Q(pk=symptom.pk))
        .distinct()
    )
    values = dict(
        Likelihood.objects.filter(fault=fault, symptom__in=members).values_list(
            "symptom_id", "p_yes"
        )
    )
    values[symptom.pk] = p_yes
    q_fault = _categorical([clamp(values.get(m.pk, m.p_yes_otherwise)) for m in members])
    q_other = _categorical([clamp(m.p_yes_otherwise) for m in members])
    k = next(index for index, m in enumerate(members) if m.pk == symptom.pk)
    return Effect(yes=q_fault[k] / q_other[k], no=(1 - q_fault[k]) / (1 - q_other[k]))


def _rounded(value: float) -> float:
    """A factor to 2 significant digits (one decimal from 1 to 10, none above)."""
    return round(value, 0 if value >= 10 else 1 if value >= 1 else 2)


@per_language  # a reason's factor is one of a content's few: written once per language
def factor(value: float) -> str:
    """A factor as a mechanic reads it: 2 significant digits, the language's decimal mark."""
    digits = 0 if value >= 10 else 1 if value >= 1 else 2
    shown = number_format(_rounded(value), decimal_pos=digits)
    # Trailing zeros go after a decimal mark only: 2.0 reads 2, but 20 stays 20.
    return shown.rstrip("0").rstrip(".,") if digits else shown


def plural_count(value: float) -> int:
    """The number that picks the grammatical form of "N times" for a factor as `factor` shows
    it: the factor itself when whole; a decimal reads as 2 does, as Russian says «в 1,5
    раза» like «в 2 раза» (its whole numbers: «в 5 раз», «в 21 раз», «в 22 раза»)."""
    shown = _rounded(value)
    return int(shown) if shown == int(shown) else 2


def short(e: Effect) -> str:
    """“yes ×3.2, no ×0.45”: for a column."""
    return _("yes ×%(yes)s, no ×%(no)s") % {"yes": factor(e.yes), "no": factor(e.no)}


def change_in_words(value: float) -> str:
    """What a factor does to a cause: “makes it 3× more likely”, «делает её вероятнее в 3
    раза»."""
    if abs(value - 1) < HARDLY:
        return _("hardly changes it")
    if value > 1:
        return ngettext(
            "makes it %(n)s× more likely", "makes it %(n)s× more likely", plural_count(value)
        ) % {"n": factor(value)}
    return ngettext(
        "makes it %(n)s× less likely", "makes it %(n)s× less likely", plural_count(1 / value)
    ) % {"n": factor(1 / value)}


def sentence(e: Effect) -> str:
    """“A “yes” makes it 5.3× more likely, a “no” 1.3× less likely”, against other causes."""
    return _(
        "Against any other cause, a “yes” %(yes)s (×%(yes_factor)s); a “no” %(no)s "
        "(×%(no_factor)s)."
    ) % {
        "yes": change_in_words(e.yes),
        "yes_factor": factor(e.yes),
        "no": change_in_words(e.no),
        "no_factor": factor(e.no),
    }


@dataclass(frozen=True)
class CauseRow:
    fault: Fault
    p_yes: float | None  # None: no likelihood, the cause answers as any other cause
    effect: Effect
    edited: bool


@dataclass(frozen=True)
class QuestionContext:
    symptom: Symptom
    rows: list[CauseRow]
    edited: Effect | None  # the effect on the edited cause, when there is one
    generations: list[str]


def question_context(
    symptom: Symptom, fault: Fault | None = None, p_yes: float | None = None
) -> QuestionContext:
    """Every cause of the symptom's problem with its value for the question (the edited
    `fault` with `p_yes`, when given, in place of its saved value) and its effect."""
    saved = dict(Likelihood.objects.filter(symptom=symptom).values_list("fault_id", "p_yes"))
    if fault is not None and p_yes is not None:
        saved[fault.pk] = p_yes
    rows = []
    for cause in Fault.objects.filter(problem_id=symptom.problem_id).order_by("name"):
        value = saved.get(cause.pk)
        rows.append(
            CauseRow(
                fault=cause,
                p_yes=value,
                effect=effect(cause, symptom, value),
                edited=fault is not None and cause.pk == fault.pk,
            )
        )
    edited = next((row.effect for row in rows if row.edited), None)
    problem = symptom.problem
    generations = [str(g.name) for g in problem.vehicle_model.generations.all()]
    return QuestionContext(symptom=symptom, rows=rows, edited=edited, generations=generations)
