"""Naive-Bayes diagnosis: rank the candidate faults of one problem and pick the next question.

Plain Python (standard library only), deterministic, no Django. One `KnowledgeBase` is built
per (problem, generation) and reused for many diagnoses; `diagnose` is the entry point.

The model
---------
Each fault f has an unnormalized prior weight. Each symptom s is a yes/no question with a
cost (effort of answering) and `p_yes_otherwise`, the probability of "yes" when the cause is
something else. The content gives P(yes | f) for a few (fault, symptom) pairs only; a pair
without an entry behaves like "another cause" and uses the symptom's `p_yes_otherwise`.
Answers are "y", "n" or "u" (unknown: counts as answered, carries no evidence).

Because an absent pair uses `p_yes_otherwise`, every fault shares the factor
P(answer | another cause) for every answer; it cancels when the posterior is normalized. So
the log posterior of f is its log prior plus, for each answered symptom with an explicit pair,
the evidence weight log(P(answer | f) / P(answer | another cause)). Both the posterior and
the next-question search therefore only touch explicit pairs.

Exclusive groups
----------------
A `Group` is one question whose answers exclude each other ("what happens when you press the
button?": complete silence / the motor clicks but the lid stays). Its members are symptoms;
their P(yes | f) are read as the probabilities of the options, and "none of these" takes the
rest: q_f = (p_f1, …, p_fk, 1 − Σ p_fi), scaled down when the members' sum passes P_MAX. The
group is one categorical answer A, so members never count as independent evidence twice.

Member answers arrive as the URL writes them: `member:y` (that option; the others are then
`:n`), every member `:n` ("none of these"), `:u` ("don't know"). In general the answers leave a
set O of options still possible (a "y" leaves its member, each "n" removes its member), and
the evidence weight of f is log(Σ_{a∈O} q_f(a) / Σ_{a∈O} q_o(a)), with q_o built from the
members' `p_yes_otherwise`. A group with any member answered counts as asked.

What a question is worth to the plan
------------------------------------
Given each fault's check (the one that settles it in the plan of diagnosis/plan.py, and its
cost on the plan's one scale), a question is worth what its answer is expected to save on the
way to a fixed car: Heckerman, Breese & Rommelse's myopic value of information,

    V(q) = Σ_a P(a)·(ECR(present order | a) − ECR(best order | a)),

with ECR the checks' term of the plan's expected cost (the repairs' term is the same for every
order), the present order the plan's under the posterior now, and the best order the plan's
once `a` is known. The owner answers with some chance ρ, and "don't know" saves nothing, so
the question's expected saving is ρ·V(q). ρ is this owner's own record, started from the
population's: (ANSWER_RATE·ANSWER_WEIGHT + answered) / (ANSWER_WEIGHT + asked).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Literal

Answer = Literal["y", "n", "u"]
ANSWERS: tuple[str, ...] = ("y", "n", "u")
# The option of a group that says no member applies (its members' keys name the others).
NONE_OF_THESE = "none"

# Every probability of the content is clamped into this range when the knowledge base is built:
# with a 0 or a 1, one contradicting answer (a slip of the owner, or content that is not quite
# right) would multiply a fault by zero and rule it out for good, whatever else is answered.
P_MIN = 0.01
P_MAX = 0.99

# Stop when the best cause reaches this probability: four times as likely as all the others
# together. With the lead rule below it never decides alone at the default: a cause over 75 %
# is more than 3 times the runner-up (who holds at most the rest), so any value above 0.75
# stops the same states (tests/test_engine_boundaries.py); a caller's clear_at under 0.75 does.
DEFAULT_CLEAR_AT = 0.8
# ... or when it holds at least LEAD_AT and is LEAD_RATIO times as likely as the runner-up:
# clearly ahead, so the owner starts with the right checks, and more questions would mostly
# be answered "don't know" or confirm it.
LEAD_AT = 0.5
LEAD_RATIO = 3.0
# ... and only when the answers, not the prior, made it so: the best cause must be at least
# CLEAR_LIFT times as likely as before any answer (its posterior / prior; a "don't know" moves
# nothing, so it never counts towards stopping). A cause that starts above 1 / (2·CLEAR_LIFT − 1)
# cannot be lifted that much; for it the bar is half the way from its prior to certainty.
# Without it the wizard stopped on
# a cable at 65 % after three questions, two of them "don't know", where the cable had started
# at 34 % (tests/scenario_cases.py, the owners who know little).
CLEAR_LIFT = 2.2
# A question must be expected to remove at least this many bits of uncertainty about the cause
# per unit of cost: 0.1 bits for a look/remember question, 0.4 bits for a multimeter one
# (cost 4). Below that the answer barely moves the ranking and is not worth the owner's time
# (bench/quality.py: 0.03 asks more on the article's scenarios and finds no more causes).
DEFAULT_MIN_GAIN_PER_COST = 0.1
# An owner's patience: after this many questions (answered or "don't know") the ranking is the
# result. The design's budget for a diagnosis.
DEFAULT_MAX_QUESTIONS = 8
# Given each fault's check (`diagnose`'s `checks`), a question is asked only while some question
# is expected to save at least its cost in the plan (see "What a question is worth to the
# plan"): the plan's cost units (minutes, money converted) that one unit of question cost is
# worth. docs/performance.md, "A question must save its cost in the plan": 3 asks more with no
# cause better placed, 5 loses a first place on the shipped scenarios.
DEFAULT_VALUE_PER_COST = 4.0
# The chance an owner answers a question (not "don't know"), before their own answers say
# more: the population's share, 186 of the 268 questions asked over the 51 scenario cases
# (tests/scenario_cases.py) before this rule, as a Beta prior worth ANSWER_WEIGHT questions.
# An owner's first "don't know" lowers it a little (0.7 to 0.58), not to nothing.
ANSWER_RATE = 0.7
ANSWER_WEIGHT = 5.0
# "Why this question": a cause an answer makes at least this much more likely than the answer
# itself is ("P(answer | cause) / P(answer)") is one that answer points to.
CONTRAST_RATIO = 1.3
# ... among the causes still worth naming, at most this many per answer.
CONTRAST_MIN_SHARE = 0.02
CONTRAST_MAX_FAULTS = 3
# "The decisive check": among the unanswered questions, the one whose answer tells the
# DECISIVE_AMONG most likely causes apart best, whatever it costs to answer, named when it is
# expected to remove at least DECISIVE_MIN_BITS of the uncertainty among them (a fair coin
# between two causes is 1 bit): the check the owner or a mechanic should do next even when the
# wizard does not ask it (a multimeter is too much to ask of every owner).
DECISIVE_AMONG = 3
DECISIVE_MIN_BITS = 0.3

_LN2 = math.log(2.0)


@dataclass(frozen=True, slots=True)
class Fault:
    key: str
    prior: float  # > 0, unnormalized


@dataclass(frozen=True, slots=True)
class Symptom:
    key: str
    cost: float = 1.0  # > 0; 1 = look or remember, ~4 = needs a multimeter
    p_yes_otherwise: float = 0.5  # P(yes) when the cause is something else


@dataclass(frozen=True, slots=True)
class Group:
    """One question whose options are its member symptoms plus "none of these"."""

    key: str
    members: tuple[str, ...]  # symptom keys, at least two
    cost: float = 1.0  # replaces the members' own costs: the group is asked once


@dataclass(frozen=True, slots=True)
class Check:
    """How the plan settles a fault: its check's key (shared by the faults one check settles)
    and the check's cost on the plan's one scale (diagnosis/plan.py, `Cost.scaled`)."""

    key: str
    cost: float  # > 0


@dataclass(frozen=True, slots=True)
class Evidence:
    symptom: str  # a symptom's key; a group's key with answer "n" means "none of these"
    answer: Answer  # "y" or "n" only: unknown answers carry no evidence
    weight: float  # ln P(answer | this fault) / P(answer | another cause); > 0 raises, < 0 lowers


@dataclass(frozen=True, slots=True)
class Candidate:
    fault: str
    probability: float
    why: tuple[Evidence, ...]  # the answers that moved this fault most, by |weight|, at most 3


@dataclass(frozen=True, slots=True)
class Contrast:
    """One answer to the next question and the causes that answer would point to."""

    answer: str  # "y" / "n" for a yes/no question; a member's key or NONE_OF_THESE for a group
    faults: tuple[str, ...]  # best first


@dataclass(frozen=True, slots=True)
class Diagnosis:
    candidates: tuple[Candidate, ...]  # all faults, best first (ties: knowledge base order)
    next_question: str | None  # a symptom's or a group's key, None when done
    done: bool
    # "clear", "no-useful-question", "not-worth-its-cost", "no-questions-left",
    # "question-budget" or None
    stop_reason: str | None
    contrasts: tuple[Contrast, ...] = ()  # what the answers to next_question tell apart
    # The answers as `diagnose` read them, validated: for `decisive_question` to reuse rather
    # than read them again. Not part of the verdict.
    answered: _Answered | None = field(default=None, repr=False, compare=False)


def _clamp(p: float) -> float:
    return min(P_MAX, max(P_MIN, p))


def _entropy2(p: float) -> float:
    """Binary entropy in nats (0 at the ends, so rounding just outside [0, 1] is harmless)."""
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -p * math.log(p) - (1.0 - p) * math.log(1.0 - p)


def _entropy(distribution: Iterable[float]) -> float:
    """Entropy in nats of a categorical distribution (zeros and rounding below 0 ignored)."""
    return -math.fsum(p * math.log(p) for p in distribution if p > 0.0)


def _categorical(members_p_yes: Iterable[float]) -> tuple[float, ...]:
    """The options' probabilities from the members' P(yes), "none of these" last."""
    ps = list(members_p_yes)
    total = math.fsum(ps)
    if total > P_MAX:  # content that over-commits: keep the proportions, leave room for none
        ps = [p * P_MAX / total for p in ps]
        total = P_MAX
    return (*ps, 1.0 - total)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_key(kind: str, key: object) -> None:
    if not isinstance(key, str) or not key:
        raise ValueError(f"{kind} key must be a non-empty string, not {key!r}")


def _check_cost(kind: str, key: str, cost: object) -> None:
    if not (_is_number(cost) and math.isfinite(cost) and cost > 0):
        raise ValueError(f"{kind} {key!r}: cost must be > 0, not {cost!r}")


class KnowledgeBase:
    """Immutable, built once per (problem, generation) and reused for many diagnoses."""

    __slots__ = (
        "faults",
        "symptoms",
        "groups",
        "_fault_index",
        "_symptom_index",
        "_group_index",
        "_group_of",
        "_member_position",
        "_log_prior",
        "_log_prior_total",
        "_p_other",
        "_h_other",
        "_explicit",
        "_pair_faults",
        "_pair_dp",
        "_pair_dh",
        "_pair_weight",
        "_pair_why",
        "_group_q_other",
        "_group_h_other",
        "_group_faults",
        "_group_q",
        "_group_dh",
        "_likelihood_rows",
    )

    def __init__(
        self,
        faults: Iterable[Fault],
        symptoms: Iterable[Symptom],
        likelihoods: Mapping[tuple[str, str], float],
        groups: Iterable[Group] = (),
    ) -> None:
        self.faults: tuple[Fault, ...] = tuple(faults)
        self.symptoms: tuple[Symptom, ...] = tuple(symptoms)
        self.groups: tuple[Group, ...] = tuple(groups)
        if not self.faults:
            raise ValueError("a knowledge base needs at least one fault")

        self._fault_index: dict[str, int] = {}
        for i, fault in enumerate(self.faults):
            _check_key("fault", fault.key)
            if fault.key in self._fault_index:
                raise ValueError(f"duplicate fault {fault.key!r}")
            if not (_is_number(fault.prior) and math.isfinite(fault.prior) and fault.prior > 0):
                raise ValueError(f"fault {fault.key!r}: prior must be > 0, not {fault.prior!r}")
            self._fault_index[fault.key] = i

        self._symptom_index: dict[str, int] = {}
        for j, symptom in enumerate(self.symptoms):
            _check_key("symptom", symptom.key)
            if symptom.key in self._symptom_index:
                raise ValueError(f"duplicate symptom {symptom.key!r}")
            _check_cost("symptom", symptom.key, symptom.cost)
            if not (_is_number(symptom.p_yes_otherwise) and 0 <= symptom.p_yes_otherwise <= 1):
                raise ValueError(
                    f"symptom {symptom.key!r}: p_yes_otherwise must be within [0, 1], "
                    f"not {symptom.p_yes_otherwise!r}"
                )
            self._symptom_index[symptom.key] = j

        self._group_index: dict[str, int] = {}
        self._group_of: dict[int, int] = {}  # member symptom index -> group index
        self._member_position: dict[int, int] = {}  # member symptom index -> its option
        for g, group in enumerate(self.groups):
            _check_key("group", group.key)
            if group.key in self._group_index or group.key in self._symptom_index:
                raise ValueError(f"group {group.key!r}: the key is already taken")
            _check_cost("group", group.key, group.cost)
            if len(set(group.members)) < 2 or len(set(group.members)) != len(group.members):
                raise ValueError(f"group {group.key!r}: needs at least two distinct members")
            for member in group.members:
                if member not in self._symptom_index:
                    raise ValueError(f"group {group.key!r}: unknown symptom {member!r}")
                j = self._symptom_index[member]
                if j in self._group_of:
                    raise ValueError(f"symptom {member!r} belongs to two groups")
                self._group_of[j] = g
                self._member_position[j] = group.members.index(member)
            self._group_index[group.key] = g

        # (fault index, symptom index) -> clamped P(yes | fault).
        self._explicit: dict[tuple[int, int], float] = {}
        for pair, p in likelihoods.items():
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise ValueError(f"likelihood key must be (fault, symptom), not {pair!r}")
            fault_key, symptom_key = pair
            if fault_key not in self._fault_index:
                raise ValueError(f"likelihood {pair!r}: unknown fault {fault_key!r}")
            if symptom_key not in self._symptom_index:
                raise ValueError(f"likelihood {pair!r}: unknown symptom {symptom_key!r}")
            if not (_is_number(p) and 0 <= p <= 1):
                raise ValueError(
                    f"likelihood {pair!r}: probability must be within [0, 1], not {p!r}"
                )
            i, j = self._fault_index[fault_key], self._symptom_index[symptom_key]
            self._explicit[i, j] = _clamp(p)

        self._log_prior: tuple[float, ...] = tuple(math.log(f.prior) for f in self.faults)
        self._log_prior_total = _log_total(self._log_prior)  # for each state's prior of its best
        self._p_other: tuple[float, ...] = tuple(_clamp(s.p_yes_otherwise) for s in self.symptoms)
        self._h_other: tuple[float, ...] = tuple(_entropy2(p) for p in self._p_other)
        self._index_yes_no_questions()
        self._index_groups()
        # P(a | f) of every question's answers over all faults, for the stop rule's V(q): read
        # for a few questions on most steps, the same on every one.
        self._likelihood_rows: dict[str, tuple[tuple[float, ...], ...]] = {
            key: _answer_likelihoods(self, key) for key in self.question_keys()
        }

    def _index_yes_no_questions(self) -> None:
        # Sparse index per symptom, faults in knowledge base order (so the result never depends
        # on the order of `likelihoods`). A pair equal to p_yes_otherwise changes nothing and is
        # left out of the index.
        by_symptom: list[list[tuple[int, float]]] = [[] for _ in self.symptoms]
        for (i, j), p in sorted(self._explicit.items()):
            if p != self._p_other[j]:
                by_symptom[j].append((i, p))
        pair_faults, pair_dp, pair_dh, pair_weight = [], [], [], []
        for j, pairs in enumerate(by_symptom):
            p_o = self._p_other[j]
            pair_faults.append(tuple(i for i, _ in pairs))
            pair_dp.append(tuple(p - p_o for _, p in pairs))
            pair_dh.append(tuple(_entropy2(p) - self._h_other[j] for _, p in pairs))
            pair_weight.append(
                {
                    "y": tuple(math.log(p / p_o) for _, p in pairs),
                    "n": tuple(math.log((1.0 - p) / (1.0 - p_o)) for _, p in pairs),
                }
            )
        self._pair_faults: tuple[tuple[int, ...], ...] = tuple(pair_faults)
        self._pair_dp: tuple[tuple[float, ...], ...] = tuple(pair_dp)
        self._pair_dh: tuple[tuple[float, ...], ...] = tuple(pair_dh)
        self._pair_weight: tuple[dict[str, tuple[float, ...]], ...] = tuple(pair_weight)
        # Per symptom and answer, each fault it moves with its evidence and the key `_why`
        # sorts it by: the same for every state, so made once, not on every step.
        self._pair_why: tuple[dict[str, tuple[tuple[int, tuple], ...]], ...] = tuple(
            {
                value: tuple(
                    (i, (-abs(w), j, Evidence(self.symptoms[j].key, value, w)))
                    for i, w in zip(pair_faults[j], weights[value], strict=True)
                    if w != 0.0
                )
                for value in ("y", "n")
            }
            for j, weights in enumerate(pair_weight)
        )

    def _index_groups(self) -> None:
        # Per group: the options' distribution for "another cause", and for each fault with an
        # explicit pair on some member, its own distribution (faults in knowledge base order).
        q_other, h_other, group_faults, group_q, group_dh = [], [], [], [], []
        for group in self.groups:
            members = [self._symptom_index[m] for m in group.members]
            q_o = _categorical(self._p_other[j] for j in members)
            faults = sorted({i for (i, j) in self._explicit if j in members})
            qs = [
                _categorical(self._explicit.get((i, j), self._p_other[j]) for j in members)
                for i in faults
            ]
            keep = [(i, q) for i, q in zip(faults, qs, strict=True) if q != q_o]
            q_other.append(q_o)
            h_other.append(_entropy(q_o))
            group_faults.append(tuple(i for i, _ in keep))
            group_q.append(tuple(q for _, q in keep))
            group_dh.append(tuple(_entropy(q) - h_other[-1] for _, q in keep))
        self._group_q_other: tuple[tuple[float, ...], ...] = tuple(q_other)
        self._group_h_other: tuple[float, ...] = tuple(h_other)
        self._group_faults: tuple[tuple[int, ...], ...] = tuple(group_faults)
        self._group_q: tuple[tuple[tuple[float, ...], ...], ...] = tuple(group_q)
        self._group_dh: tuple[tuple[float, ...], ...] = tuple(group_dh)

    def __repr__(self) -> str:
        return (
            f"<KnowledgeBase: {len(self.faults)} faults, {len(self.symptoms)} symptoms, "
            f"{len(self.groups)} groups, {self.explicit_pairs} explicit pairs>"
        )

    @property
    def explicit_pairs(self) -> int:
        """How many (fault, symptom) pairs the content gives explicitly."""
        return len(self._explicit)

    def fault(self, key: str) -> Fault:
        return self.faults[self._fault_index[key]]

    def has_fault(self, key: str) -> bool:
        return key in self._fault_index

    def symptom(self, key: str) -> Symptom:
        return self.symptoms[self._symptom_index[key]]

    def has_symptom(self, key: str) -> bool:
        return key in self._symptom_index

    def group(self, key: str) -> Group:
        return self.groups[self._group_index[key]]

    def is_group(self, key: str) -> bool:
        return key in self._group_index

    def group_of(self, symptom_key: str) -> Group | None:
        g = self._group_of.get(self._symptom_index[symptom_key])
        return None if g is None else self.groups[g]

    def p_yes(self, fault_key: str, symptom_key: str) -> float:
        """P(yes | fault) as the engine uses it: the explicit pair or p_yes_otherwise, clamped."""
        j = self._symptom_index[symptom_key]
        return self._explicit.get((self._fault_index[fault_key], j), self._p_other[j])

    def answer_distribution(self, fault_key: str, question_key: str) -> dict[str, float]:
        """How this fault's owner answers a question, as the engine assumes: {"y", "n"} for a
        yes/no symptom; each member's key and NONE_OF_THESE for a group. Sums to 1."""
        i = self._fault_index[fault_key]
        if question_key in self._group_index:
            group = self.groups[self._group_index[question_key]]
            q = _categorical(self.p_yes(fault_key, member) for member in group.members)
            return dict(zip((*group.members, NONE_OF_THESE), q, strict=True))
        j = self._symptom_index[question_key]
        p = self._explicit.get((i, j), self._p_other[j])
        return {"y": p, "n": 1.0 - p}

    def question_keys(self) -> tuple[str, ...]:
        """Every question the engine can ask: yes/no symptoms outside groups, then groups."""
        singles = tuple(s.key for j, s in enumerate(self.symptoms) if j not in self._group_of)
        return singles + tuple(g.key for g in self.groups)


def with_costs(kb: KnowledgeBase, costs: Mapping[str, float]) -> KnowledgeBase:
    """The same knowledge base with some questions' costs changed (a symptom's or a group's key
    to its new cost): what an owner with a tool pays to answer them. Unknown keys raise."""
    for key in costs:
        if key not in kb._symptom_index and key not in kb._group_index:
            raise ValueError(f"unknown question {key!r}")
    likelihoods = {(kb.faults[i].key, kb.symptoms[j].key): p for (i, j), p in kb._explicit.items()}
    return KnowledgeBase(
        kb.faults,
        [replace(s, cost=costs.get(s.key, s.cost)) for s in kb.symptoms],
        likelihoods,
        [replace(g, cost=costs.get(g.key, g.cost)) for g in kb.groups],
    )


# --- answers --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Answered:
    singles: tuple[tuple[int, str], ...]  # (symptom index, answer), knowledge base order
    # (group index, option indices still possible, or None when the answers exclude nothing)
    groups: tuple[tuple[int, frozenset[int] | None], ...]

    @property
    def questions(self) -> int:
        """How many questions these answers answer: a group counts once."""
        return len(self.singles) + len(self.groups)


def _answered(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> _Answered:
    """Validated answers: yes/no symptoms on their own, group members folded into their group."""
    singles: list[tuple[int, str]] = []
    by_group: dict[int, list[tuple[int, str]]] = {}
    for key, value in answers.items():
        j = kb._symptom_index.get(key) if isinstance(key, str) else None
        if j is None:
            raise ValueError(f"unknown symptom {key!r}")
        if value not in ANSWERS:
            raise ValueError(f"answer to {key!r} must be 'y', 'n' or 'u', not {value!r}")
        g = kb._group_of.get(j)
        if g is None:
            singles.append((j, value))
        else:
            by_group.setdefault(g, []).append((j, value))
    singles.sort()
    groups = []
    for g in sorted(by_group):
        group = kb.groups[g]
        position = kb._member_position
        yes = [position[j] for j, value in by_group[g] if value == "y"]
        if len(yes) > 1:
            chosen = ", ".join(group.members[k] for k in sorted(yes))
            raise ValueError(f"only one answer of {group.key!r} can be yes, not {chosen}")
        no = {position[j] for j, value in by_group[g] if value == "n"}
        options = range(len(group.members) + 1)  # the members, then "none of these"
        if yes:
            possible = frozenset(yes)
        elif no:
            possible = frozenset(k for k in options if k not in no)
        else:
            possible = None
        groups.append((g, possible))
    return _Answered(tuple(singles), tuple(groups))


def _group_weights(kb: KnowledgeBase, g: int, possible: frozenset[int]) -> list[float]:
    """Evidence weight of each fault in the group's sparse index, for these possible options."""
    other = math.log(math.fsum(kb._group_q_other[g][k] for k in possible))
    return [math.log(math.fsum(q[k] for k in possible)) - other for q in kb._group_q[g]]


# --- inference ------------------------------------------------------------------------------


def _posterior_vector(kb: KnowledgeBase, answered: _Answered) -> list[float]:
    # Log space: log prior + evidence weights of the explicit pairs, summed in knowledge base
    # order (so the order of the answers cannot change a single bit), then log-sum-exp.
    scores = list(kb._log_prior)
    for j, value in answered.singles:
        if value == "u":
            continue
        for i, w in zip(kb._pair_faults[j], kb._pair_weight[j][value], strict=True):
            scores[i] += w
    for g, possible in answered.groups:
        if possible is None:
            continue
        for i, w in zip(kb._group_faults[g], _group_weights(kb, g, possible), strict=True):
            scores[i] += w
    top = max(scores)
    weights = [math.exp(score - top) for score in scores]
    total = math.fsum(weights)
    return [w / total for w in weights]


def _yes_no_gains(kb: KnowledgeBase, post: list[float], unanswered: Iterable[int]):
    """Expected entropy reduction (bits) of each unanswered symptom, over explicit pairs only.

    Asking s splits the posterior π over faults by the answer A. The expected reduction of the
    entropy of π is the mutual information

        H(F) − Σ_a P(a)·H(F | A=a) = I(F; A) = H(A) − H(A | F)

    (write H(F | A=a) = log P(a) − Σ_f π_f·q_f(a)·log(π_f·q_f(a)) / P(a) with q_f(a) = P(a | f)
    and sum over a: the Σ π_f·log π_f totals over all faults cancel, what is left is above).
    With h the binary entropy, q_f = p_fs for f in S_s (explicit pairs) and p_o otherwise:

        P(yes)   = p_o + Σ_{f∈S_s} π_f·(p_fs − p_o)
        H(A)     = h(P(yes))
        H(A | F) = Σ_f π_f·h(q_f) = h(p_o) + Σ_{f∈S_s} π_f·(h(p_fs) − h(p_o))     (Σ π = 1)

    so each symptom costs O(|S_s|), not O(faults). A group is the same with the categorical
    entropy H over its options (see _group_gain).
    """
    for j in unanswered:
        faults = kb._pair_faults[j]
        if not faults:
            yield j, 0.0  # every fault answers alike: nothing to learn
            continue
        mass = [post[i] for i in faults]
        p_yes = kb._p_other[j] + math.sumprod(mass, kb._pair_dp[j])
        conditional = kb._h_other[j] + math.sumprod(mass, kb._pair_dh[j])
        yield j, max(0.0, _entropy2(p_yes) - conditional) / _LN2


def _group_answer_distribution(kb: KnowledgeBase, post: list[float], g: int) -> list[float]:
    """P(option) under the posterior: q_o(a) + Σ_{f∈S_g} π_f·(q_f(a) − q_o(a))."""
    q_o = kb._group_q_other[g]
    p = list(q_o)
    for i, q in zip(kb._group_faults[g], kb._group_q[g], strict=True):
        for k, (q_fk, q_ok) in enumerate(zip(q, q_o, strict=True)):
            p[k] += post[i] * (q_fk - q_ok)
    return p


def _group_gain(kb: KnowledgeBase, post: list[float], g: int) -> float:
    faults = kb._group_faults[g]
    if not faults:
        return 0.0
    answer = _group_answer_distribution(kb, post, g)
    conditional = kb._group_h_other[g] + math.sumprod([post[i] for i in faults], kb._group_dh[g])
    return max(0.0, _entropy(answer) - conditional) / _LN2


def _gains(
    kb: KnowledgeBase,
    post: list[float],
    unanswered: tuple[list[int], list[int]],
    among: set[int] | None = None,
) -> list[tuple[str, float, float]]:
    """Every unanswered question (`_unanswered`) as (key, cost, expected gain in bits): yes/no
    first, then groups. Given `among` (fault indexes), only the questions with an explicit
    pair for one of them. Tuples: a step weighs a dozen or two questions, on every state."""
    singles, groups = unanswered
    if among is not None:
        singles = [j for j in singles if not among.isdisjoint(kb._pair_faults[j])]
        groups = [g for g in groups if not among.isdisjoint(kb._group_faults[g])]
    questions = [
        (kb.symptoms[j].key, kb.symptoms[j].cost, gain)
        for j, gain in _yes_no_gains(kb, post, singles)
    ]
    questions += [(kb.groups[g].key, kb.groups[g].cost, _group_gain(kb, post, g)) for g in groups]
    return questions


def _unanswered(kb: KnowledgeBase, answered: _Answered) -> tuple[list[int], list[int]]:
    """The yes/no questions (symptom indexes) and the groups not answered yet, in order."""
    asked = {j for j, _ in answered.singles}
    asked_groups = {g for g, _ in answered.groups}
    singles = [j for j in range(len(kb.symptoms)) if j not in asked and j not in kb._group_of]
    return singles, [g for g in range(len(kb.groups)) if g not in asked_groups]


def _best_question(
    kb: KnowledgeBase,
    post: list[float],
    unanswered: tuple[list[int], list[int]],
    min_gain_per_cost: float,
) -> str | None:
    best, best_score = None, -math.inf
    for key, cost, gain in _gains(kb, post, unanswered):  # knowledge base order
        score = gain / cost
        if score > best_score:  # strict: the earlier question wins a tie
            best, best_score = key, score
    if best is None or best_score < min_gain_per_cost:
        return None
    return best


def _contrasts(
    kb: KnowledgeBase, post: list[float], key: str, order: list[int]
) -> tuple[Contrast, ...]:
    """Which causes each answer to `key` would point to: those it makes CONTRAST_RATIO times
    likelier than the answer itself is, among causes with at least CONTRAST_MIN_SHARE.
    `order` is the faults' order in the ranking (by decreasing posterior, ties by index)."""
    if kb.is_group(key):
        g = kb._group_index[key]
        labels = [*kb.groups[g].members, NONE_OF_THESE]
        p_answer = _group_answer_distribution(kb, post, g)
        q_of = dict(zip(kb._group_faults[g], kb._group_q[g], strict=True))
        q_other = kb._group_q_other[g]

        def q(i: int) -> tuple[float, ...]:
            return q_of.get(i, q_other)
    else:
        j = kb._symptom_index[key]
        labels = ["y", "n"]
        p_yes = kb._p_other[j] + math.sumprod([post[i] for i in kb._pair_faults[j]], kb._pair_dp[j])
        p_answer = [p_yes, 1.0 - p_yes]

        def q(i: int) -> tuple[float, ...]:
            p = kb._explicit.get((i, j), kb._p_other[j])
            return (p, 1.0 - p)

    pointed: dict[int, list[int]] = {}
    for i in order:
        if post[i] < CONTRAST_MIN_SHARE:
            break
        ratios = [q_a / p_a if p_a > 0 else 0.0 for q_a, p_a in zip(q(i), p_answer, strict=True)]
        best = max(range(len(ratios)), key=lambda k: (ratios[k], -k))
        if ratios[best] >= CONTRAST_RATIO:
            pointed.setdefault(best, []).append(i)
    return tuple(
        Contrast(labels[k], tuple(kb.faults[i].key for i in pointed[k][:CONTRAST_MAX_FAULTS]))
        for k in range(len(labels))
        if k in pointed
    )


def decisive_question(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    *,
    among: int = DECISIVE_AMONG,
    min_bits: float = DECISIVE_MIN_BITS,
    given: Diagnosis | None = None,
) -> tuple[str, float] | None:
    """The unanswered question that best tells the `among` most likely causes apart, with its
    expected gain in bits, or None when none removes `min_bits`.

    The posterior is restricted to those causes (π'_f = π_f / Σ_{top} π for the top causes, 0
    for the others) and each question's gain is the mutual information I(F; A) under π', as in
    `information_gains`, not divided by the question's cost: what matters here is which check
    settles the leading causes, not what it costs to ask it. Ties go to the earlier question.

    `given` is `diagnose(kb, answers)` when the caller has it (or its result on a copy of `kb`
    with other costs, `with_costs`: the same faults and questions in the same order): its
    candidates are the posterior, best first, and its answers are already read, so neither is
    worked out again.
    """
    if among < 2:
        raise ValueError(f"among must be at least 2, not {among!r}")
    if given is None or given.answered is None:
        answered = _answered(kb, answers)
        post = _posterior_vector(kb, answered)
        top = sorted(range(len(kb.faults)), key=lambda i: (-post[i], i))[:among]
        leading = [(i, post[i]) for i in top]
    else:  # the candidates are in that order, each with its post[i]
        answered = given.answered
        leading = [(kb._fault_index[c.fault], c.probability) for c in given.candidates[:among]]
        top = [i for i, _ in leading]
    mass = math.fsum(p for _, p in leading)
    restricted = [0.0] * len(kb.faults)
    for i, p in leading:
        restricted[i] = p / mass
    best, best_gain = None, min_bits
    # A question none of the leading causes has an explicit pair for is answered alike by all
    # of them (another cause's likelihood), so its gain under π' is 0 exactly: with min_bits
    # above 0 it can never be chosen, and its gain is not worked out.
    among_top = set(top) if min_bits > 0 else None
    for key, _, gain in _gains(kb, restricted, _unanswered(kb, answered), among_top):
        if gain > best_gain or (best is None and gain >= best_gain):
            best, best_gain = key, gain
    return None if best is None else (best, best_gain)


def _answer_likelihoods(kb: KnowledgeBase, key: str) -> tuple[tuple[float, ...], ...]:
    """P(a | f) for each answer a to question `key` (yes and no; or a group's options, "none
    of these" last), over the faults in knowledge base order. Made once per knowledge base
    (`KnowledgeBase._likelihood_rows`)."""
    if kb.is_group(key):
        g = kb._group_index[key]
        rows = [kb._group_q_other[g]] * len(kb.faults)
        for i, q in zip(kb._group_faults[g], kb._group_q[g], strict=True):
            rows[i] = q
        return tuple(zip(*rows, strict=True))
    j = kb._symptom_index[key]
    yes = tuple(kb._explicit.get((i, j), kb._p_other[j]) for i in range(len(kb.faults)))
    return yes, tuple(1.0 - p for p in yes)


_Steps = tuple[tuple[tuple[int, ...], float], ...]  # per check: the faults it settles, its cost


@dataclass(frozen=True, slots=True)
class PlanChecks:
    """Each fault's check grouped into the plan's steps for one knowledge base's faults
    (`plan_checks`): what `diagnose` derives from its `checks` on every call, built once by a
    caller that diagnoses many states with the same checks (one per knowledge base)."""

    faults: tuple[Fault, ...]  # the knowledge base's, whose indexes `steps` holds
    steps: _Steps


def plan_checks(kb: KnowledgeBase, checks: Mapping[str, Check]) -> PlanChecks:
    """`checks` (by fault key) validated and grouped into the plan's steps for `kb`, to pass
    to `diagnose` as its `checks` for any number of states."""
    return PlanChecks(kb.faults, _check_steps(kb, checks))


def _steps_of(kb: KnowledgeBase, checks: Mapping[str, Check] | PlanChecks) -> _Steps:
    if not isinstance(checks, PlanChecks):
        return _check_steps(kb, checks)
    if checks.faults is not kb.faults and checks.faults != kb.faults:
        raise ValueError("these plan checks were built for another knowledge base's faults")
    return checks.steps


def _check_steps(kb: KnowledgeBase, checks: Mapping[str, Check]) -> _Steps:
    """The plan's steps: one per check key, in the order of its first fault, with the faults it
    settles and its cost (the first fault's, as diagnosis/plan.py takes it). Checks of faults
    outside `kb` are left out; a fault without a check is settled by no step."""
    by_key: dict[str, tuple[list[int], float]] = {}
    for i, fault in enumerate(kb.faults):
        check = checks.get(fault.key)
        if check is None:
            continue
        _check_key("check", check.key)
        _check_cost("check", check.key, check.cost)
        by_key.setdefault(check.key, ([], check.cost))[0].append(i)
    return tuple((tuple(faults), cost) for faults, cost in by_key.values())


def _step_shares(post: list[float], steps: _Steps) -> list[float]:
    """Each step's probability: the sum over the faults it settles. Computed once per posterior
    for the plan's order and both costs of ``_plan_value``, which read it three times. Most
    checks settle one fault, whose probability is the sum (fsum of one number >= 0 is that
    number), so only the others are summed."""
    return [
        post[faults[0]] if len(faults) == 1 else math.fsum([post[i] for i in faults])
        for faults, _ in steps
    ]


def _plan_order(shares: list[float], steps: _Steps) -> list[int]:
    """The plan's order of the steps: decreasing probability / cost (diagnosis/plan.py)."""
    return sorted(range(len(steps)), key=lambda s: (-shares[s] / steps[s][1], -shares[s], s))


def _checks_cost(shares: list[float], steps: _Steps, order: list[int]) -> float:
    """The checks' term of the expected cost to a fixed car: Σ_i C_i·(1 − Σ_{j<i} p_j)."""
    total, done = 0.0, 0.0
    for s in order:
        total += steps[s][1] * max(0.0, 1.0 - done)
        done += shares[s]
    return total


def _plan_value(
    kb: KnowledgeBase, post: list[float], key: str, steps: _Steps, present: list[int]
) -> float:
    """V(q): what the answer to `key` is expected to save in the plan (module docstring)."""
    value = 0.0
    for likelihood in kb._likelihood_rows[key]:
        joint = [p * q for p, q in zip(post, likelihood, strict=True)]
        p_answer = math.fsum(joint)
        if p_answer <= 0.0:
            continue
        shares = _step_shares([x / p_answer for x in joint], steps)
        best = _plan_order(shares, steps)
        if best == present:  # the answer leaves the plan's order as it is: it saves 0 exactly
            continue
        value += p_answer * (
            _checks_cost(shares, steps, present) - _checks_cost(shares, steps, best)
        )
    return max(0.0, value)


def _answer_chance(answered: _Answered) -> float:
    """The chance this owner answers the next question: ANSWER_RATE as a Beta prior worth
    ANSWER_WEIGHT questions, updated by the questions they answered and those they did not."""
    known = sum(value != "u" for _, value in answered.singles)
    known += sum(possible is not None for _, possible in answered.groups)
    return (ANSWER_RATE * ANSWER_WEIGHT + known) / (ANSWER_WEIGHT + answered.questions)


def _worth_its_cost(
    kb: KnowledgeBase,
    post: list[float],
    answered: _Answered,
    unanswered: tuple[list[int], list[int]],
    steps: _Steps,
    value_per_cost: float,
    first: str,
) -> bool:
    """Whether some unanswered question is expected to save at least `value_per_cost` times its
    cost in the plan, once multiplied by the chance this owner answers it (`first` tried first:
    the question the information picks, most often the one that is)."""
    present = _plan_order(_step_shares(post, steps), steps)
    chance = _answer_chance(answered)
    singles, groups = unanswered
    questions = [(kb.symptoms[j].key, kb.symptoms[j].cost) for j in singles]
    questions += [(kb.groups[g].key, kb.groups[g].cost) for g in groups]
    questions.sort(key=lambda question: question[0] != first)  # stable: the rest in order
    return any(
        chance * _plan_value(kb, post, key, steps, present) >= value_per_cost * cost
        for key, cost in questions
    )


def plan_values(
    kb: KnowledgeBase, answers: Mapping[str, Answer], checks: Mapping[str, Check]
) -> dict[str, float]:
    """V(q) for every unanswered question (a yes/no symptom outside any group, or a group): what
    its answer is expected to save in the plan of checks, on the checks' cost scale; neither
    multiplied by the chance of an answer nor divided by the question's cost."""
    answered = _answered(kb, answers)
    post = _posterior_vector(kb, answered)
    steps = _check_steps(kb, checks)
    present = _plan_order(_step_shares(post, steps), steps)
    singles, groups = _unanswered(kb, answered)
    keys = [kb.symptoms[j].key for j in singles] + [kb.groups[g].key for g in groups]
    return {key: _plan_value(kb, post, key, steps, present) for key in keys}


def _post_vector(kb: KnowledgeBase, post: Mapping[str, float]) -> list[float]:
    vector = []
    for fault in kb.faults:
        if fault.key not in post:
            raise ValueError(f"posterior lacks fault {fault.key!r}")
        value = post[fault.key]
        if not (_is_number(value) and math.isfinite(value) and value >= 0):
            raise ValueError(f"posterior of {fault.key!r} must be >= 0, not {value!r}")
        vector.append(float(value))
    total = math.fsum(vector)
    if not total > 0:
        raise ValueError("posterior sums to zero")
    return [v / total for v in vector]


def _check_clear_at(clear_at: float) -> None:
    if not (_is_number(clear_at) and 0 < clear_at <= 1):
        raise ValueError(f"clear_at must be within (0, 1], not {clear_at!r}")


def _check_value_per_cost(value_per_cost: float) -> None:
    if not (_is_number(value_per_cost) and math.isfinite(value_per_cost) and value_per_cost >= 0):
        raise ValueError(f"value_per_cost must be >= 0, not {value_per_cost!r}")


def _check_min_gain(min_gain_per_cost: float) -> None:
    if not (_is_number(min_gain_per_cost) and min_gain_per_cost >= 0):
        raise ValueError(f"min_gain_per_cost must be >= 0, not {min_gain_per_cost!r}")


def posterior(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> dict[str, float]:
    """P(fault | answers) for every fault, in knowledge base order; sums to 1."""
    post = _posterior_vector(kb, _answered(kb, answers))
    return {fault.key: p for fault, p in zip(kb.faults, post, strict=True)}


def information_gains(
    kb: KnowledgeBase, answers: Mapping[str, Answer], post: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Expected entropy reduction (bits) over faults per unanswered question (a yes/no symptom
    outside any group, or a group), not divided by cost."""
    answered = _answered(kb, answers)
    vector = _posterior_vector(kb, answered) if post is None else _post_vector(kb, post)
    return {key: gain for key, _, gain in _gains(kb, vector, _unanswered(kb, answered))}


def next_question(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    post: Mapping[str, float] | None = None,
    *,
    min_gain_per_cost: float = DEFAULT_MIN_GAIN_PER_COST,
) -> str | None:
    """The unanswered question with the most expected information per cost, if worth asking.

    `post` is `posterior(kb, answers)` when the caller already has it. This ignores whether a
    cause is already clear; `diagnose` applies the whole stop rule.
    """
    _check_min_gain(min_gain_per_cost)
    answered = _answered(kb, answers)
    vector = _posterior_vector(kb, answered) if post is None else _post_vector(kb, post)
    return _best_question(kb, vector, _unanswered(kb, answered), min_gain_per_cost)


def asking_order(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    *,
    min_gain_per_cost: float = DEFAULT_MIN_GAIN_PER_COST,
    known: MutableMapping[tuple, str | None] | None = None,
) -> tuple[str, ...]:
    """The questions answered in `answers`, in the order the wizard asked them.

    The answers are a set (their order changes no probability), and a URL keeps them in one
    order of its own; the order asked is replayed: from no answer, the question
    `next_question` picks, then its answers added, and again, as long as the question picked
    was answered. A state reached otherwise (a hand-written link, content edited since) ends
    the replay early: the questions it did not reach are not in the result.

    `known`, if given, keeps the question picked for each set of answers replayed, for the
    next replay in `kb` to reuse: the states of one walk replay the same first steps, and
    every replay starts from no answer. The caller keeps it per `kb` and bounds it.
    """
    _check_min_gain(min_gain_per_cost)
    given: dict[str, Answer] = {}
    order: list[str] = []
    while len(given) < len(answers):
        key = (min_gain_per_cost, frozenset(given.items()))
        if known is not None and key in known:
            question = known[key]
        else:
            question = next_question(kb, given, min_gain_per_cost=min_gain_per_cost)
            if known is not None:
                known[key] = question
        if question is None:
            break
        members = kb.group(question).members if kb.is_group(question) else (question,)
        answered = {m: answers[m] for m in members if m in answers}
        if not answered:
            break
        given.update(answered)
        order.append(question)
    return tuple(order)


def _why(kb: KnowledgeBase, answered: _Answered) -> dict[int, tuple[Evidence, ...]]:
    """Per fault index (only faults some answer moved): its strongest evidence, at most 3.

    By |weight|, then the question's order; a fault has one evidence per question, so the
    evidence itself is never compared."""
    moved: dict[int, list[tuple[float, int, Evidence]]] = {}
    for j, value in answered.singles:
        if value == "u":
            continue
        for i, item in kb._pair_why[j][value]:
            moved.setdefault(i, []).append(item)
    for g, possible in answered.groups:
        if possible is None:
            continue
        key, value = _group_evidence_label(kb.groups[g], possible)
        order = len(kb.symptoms) + g  # after the yes/no symptoms on equal weight
        for i, w in zip(kb._group_faults[g], _group_weights(kb, g, possible), strict=True):
            if w != 0.0:
                moved.setdefault(i, []).append((-abs(w), order, Evidence(key, value, w)))
    return {i: tuple(item[2] for item in sorted(items)[:3]) for i, items in moved.items()}


def _group_evidence_label(group: Group, possible: frozenset[int]) -> tuple[str, Answer]:
    """How a group answer is named in explanations: the chosen member "y", a single ruled-out
    member "n", or the group itself "n" ("none of these", or several ruled out)."""
    members = len(group.members)
    if len(possible) == 1 and min(possible) < members:
        return group.members[min(possible)], "y"
    ruled_out = [k for k in range(members) if k not in possible]
    if len(ruled_out) == 1 and members in possible:
        return group.members[ruled_out[0]], "n"
    return group.key, "n"


def diagnose(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    *,
    clear_at: float = DEFAULT_CLEAR_AT,
    min_gain_per_cost: float = DEFAULT_MIN_GAIN_PER_COST,
    max_questions: int | None = DEFAULT_MAX_QUESTIONS,
    min_lift: float = CLEAR_LIFT,
    checks: Mapping[str, Check] | PlanChecks | None = None,
    value_per_cost: float = DEFAULT_VALUE_PER_COST,
) -> Diagnosis:
    """Rank every fault, explain each by the answers that moved it most, and pick the next question.

    `answers` must name symptoms of `kb` with values "y", "n" or "u"; anything else raises
    ValueError naming the key or value, and so do two "y" in one group. Done when:

    - "clear": the best cause reaches `clear_at`, or LEAD_AT while LEAD_RATIO times the
      runner-up, and the answers made it at least `min_lift` times as likely as its prior, or
      took it half the way from its prior to certainty, whichever is less (1: the prior may
      decide);
    - "question-budget": `max_questions` questions are answered, "don't know" included (None:
      no budget);
    - "no-questions-left": every question is answered;
    - "no-useful-question": no unanswered question is expected to remove `min_gain_per_cost`
      bits per unit of cost;
    - "not-worth-its-cost" (only given `checks`, each fault's check in the plan, by fault key):
      no unanswered question is expected to save `value_per_cost` times its cost in the plan,
      times the chance this owner answers it (module docstring, "What a question is worth to
      the plan"). "Don't know" saves nothing, so an owner who does not know is asked less.
      `checks` may also be `plan_checks(kb, checks)`, built once for many states.

    `contrasts` says what the answers to the next question would tell apart.
    """
    _check_clear_at(clear_at)
    _check_min_gain(min_gain_per_cost)
    _check_value_per_cost(value_per_cost)
    steps = None if checks is None else _steps_of(kb, checks)
    answered = _answered(kb, answers)
    post = _posterior_vector(kb, answered)
    order = sorted(range(len(kb.faults)), key=lambda i: (-post[i], i))
    why = _why(kb, answered)
    candidates = tuple(Candidate(kb.faults[i].key, post[i], why.get(i, ())) for i in order)

    question = None
    best = order[0]
    prior = math.exp(kb._log_prior[best] - kb._log_prior_total)
    lifted = post[best] >= min(min_lift * prior, (1.0 + prior) / 2.0) * (1.0 - 1e-12)
    if lifted and _is_clear(candidates, clear_at):
        stop_reason = "clear"
    elif max_questions is not None and answered.questions >= max_questions:
        stop_reason = "question-budget"
    elif not any(unanswered := _unanswered(kb, answered)):  # no yes/no question, no group
        stop_reason = "no-questions-left"
    else:
        question = _best_question(kb, post, unanswered, min_gain_per_cost)
        stop_reason = None if question is not None else "no-useful-question"
        worth = steps is None or question is None
        worth = worth or _worth_its_cost(
            kb, post, answered, unanswered, steps, value_per_cost, question
        )
        if not worth:
            question, stop_reason = None, "not-worth-its-cost"
    return Diagnosis(
        candidates=candidates,
        next_question=question,
        done=stop_reason is not None,
        stop_reason=stop_reason,
        contrasts=() if question is None else _contrasts(kb, post, question, order),
        answered=answered,
    )


def _log_total(log_weights: Iterable[float]) -> float:
    """log Σ exp(w), computed stably."""
    weights = list(log_weights)
    top = max(weights)
    return top + math.log(math.fsum(math.exp(w - top) for w in weights))


def _is_clear(candidates: tuple[Candidate, ...], clear_at: float) -> bool:
    best = candidates[0].probability
    if best >= clear_at:
        return True
    runner_up = candidates[1].probability if len(candidates) > 1 else 0.0
    return best >= min(LEAD_AT, clear_at) and best >= LEAD_RATIO * runner_up
