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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Answer = Literal["y", "n", "u"]
ANSWERS: tuple[str, ...] = ("y", "n", "u")

# Every probability of the content is clamped into this range when the knowledge base is built:
# with a 0 or a 1, one contradicting answer (a slip of the owner, or content that is not quite
# right) would multiply a fault by zero and rule it out for good, whatever else is answered.
P_MIN = 0.01
P_MAX = 0.99

# Stop when the best cause reaches this probability: four times as likely as all the others
# together. Higher asks noticeably more questions for little gain (the owner sees the ranking).
DEFAULT_CLEAR_AT = 0.8
# A question must be expected to remove at least this many bits of uncertainty about the cause
# per unit of cost: 0.03 bits for a look/remember question, 0.12 bits for a multimeter one
# (cost 4). Below that the answer barely moves the ranking and is not worth the owner's time.
DEFAULT_MIN_GAIN_PER_COST = 0.03

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
class Evidence:
    symptom: str
    answer: Answer  # "y" or "n" only: unknown answers carry no evidence
    weight: float  # ln P(answer | this fault) / P(answer | another cause); > 0 raises, < 0 lowers


@dataclass(frozen=True, slots=True)
class Candidate:
    fault: str
    probability: float
    why: tuple[Evidence, ...]  # the answers that moved this fault most, by |weight|, at most 3


@dataclass(frozen=True, slots=True)
class Diagnosis:
    candidates: tuple[Candidate, ...]  # all faults, best first (ties: knowledge base order)
    next_question: str | None  # symptom key, None when done
    done: bool
    stop_reason: str | None  # "clear", "no-useful-question", "no-questions-left" or None


def _clamp(p: float) -> float:
    return min(P_MAX, max(P_MIN, p))


def _entropy2(p: float) -> float:
    """Binary entropy in nats (0 at the ends, so rounding just outside [0, 1] is harmless)."""
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -p * math.log(p) - (1.0 - p) * math.log(1.0 - p)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_key(kind: str, key: object) -> None:
    if not isinstance(key, str) or not key:
        raise ValueError(f"{kind} key must be a non-empty string, not {key!r}")


class KnowledgeBase:
    """Immutable, built once per (problem, generation) and reused for many diagnoses."""

    __slots__ = (
        "faults",
        "symptoms",
        "_fault_index",
        "_symptom_index",
        "_log_prior",
        "_p_other",
        "_h_other",
        "_explicit",
        "_pair_faults",
        "_pair_dp",
        "_pair_dh",
        "_pair_weight",
    )

    def __init__(
        self,
        faults: Iterable[Fault],
        symptoms: Iterable[Symptom],
        likelihoods: Mapping[tuple[str, str], float],
    ) -> None:
        self.faults: tuple[Fault, ...] = tuple(faults)
        self.symptoms: tuple[Symptom, ...] = tuple(symptoms)
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
            if not (_is_number(symptom.cost) and math.isfinite(symptom.cost) and symptom.cost > 0):
                raise ValueError(f"symptom {symptom.key!r}: cost must be > 0, not {symptom.cost!r}")
            if not (_is_number(symptom.p_yes_otherwise) and 0 <= symptom.p_yes_otherwise <= 1):
                raise ValueError(
                    f"symptom {symptom.key!r}: p_yes_otherwise must be within [0, 1], "
                    f"not {symptom.p_yes_otherwise!r}"
                )
            self._symptom_index[symptom.key] = j

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
        self._p_other: tuple[float, ...] = tuple(_clamp(s.p_yes_otherwise) for s in self.symptoms)
        self._h_other: tuple[float, ...] = tuple(_entropy2(p) for p in self._p_other)

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

    def __repr__(self) -> str:
        return (
            f"<KnowledgeBase: {len(self.faults)} faults, {len(self.symptoms)} symptoms, "
            f"{self.explicit_pairs} explicit pairs>"
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

    def p_yes(self, fault_key: str, symptom_key: str) -> float:
        """P(yes | fault) as the engine uses it: the explicit pair or p_yes_otherwise, clamped."""
        j = self._symptom_index[symptom_key]
        return self._explicit.get((self._fault_index[fault_key], j), self._p_other[j])


# --- inference ------------------------------------------------------------------------------


def _answered(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> list[tuple[int, str]]:
    """Validated answers as (symptom index, answer), in knowledge base order."""
    answered = []
    for key, value in answers.items():
        if not isinstance(key, str) or not kb.has_symptom(key):
            raise ValueError(f"unknown symptom {key!r}")
        if value not in ANSWERS:
            raise ValueError(f"answer to {key!r} must be 'y', 'n' or 'u', not {value!r}")
        answered.append((kb._symptom_index[key], value))
    answered.sort()
    return answered


def _posterior_vector(kb: KnowledgeBase, answered: list[tuple[int, str]]) -> list[float]:
    # Log space: log prior + evidence weights of the explicit pairs, summed in knowledge base
    # order (so the order of the answers cannot change a single bit), then log-sum-exp.
    scores = list(kb._log_prior)
    for j, value in answered:
        if value == "u":
            continue
        for i, w in zip(kb._pair_faults[j], kb._pair_weight[j][value], strict=True):
            scores[i] += w
    top = max(scores)
    weights = [math.exp(score - top) for score in scores]
    total = math.fsum(weights)
    return [w / total for w in weights]


def _gains(kb: KnowledgeBase, post: list[float], unanswered: Iterable[int]) -> dict[int, float]:
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

    so each symptom costs O(|S_s|), not O(faults).
    """
    gains = {}
    for j in unanswered:
        faults = kb._pair_faults[j]
        if not faults:
            gains[j] = 0.0  # every fault answers alike: nothing to learn
            continue
        mass = [post[i] for i in faults]
        p_yes = kb._p_other[j] + math.sumprod(mass, kb._pair_dp[j])
        conditional = kb._h_other[j] + math.sumprod(mass, kb._pair_dh[j])
        gains[j] = max(0.0, _entropy2(p_yes) - conditional) / _LN2
    return gains


def _best_question(
    kb: KnowledgeBase, post: list[float], unanswered: list[int], min_gain_per_cost: float
) -> int | None:
    best, best_score = None, -math.inf
    for j, gain in _gains(kb, post, unanswered).items():  # knowledge base order
        score = gain / kb.symptoms[j].cost
        if score > best_score:  # strict: the earlier symptom wins a tie
            best, best_score = j, score
    if best is None or best_score < min_gain_per_cost:
        return None
    return best


def _unanswered(kb: KnowledgeBase, answered: list[tuple[int, str]]) -> list[int]:
    asked = {j for j, _ in answered}
    return [j for j in range(len(kb.symptoms)) if j not in asked]


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
    """Expected entropy reduction (bits) over faults per unanswered symptom, not divided by cost."""
    answered = _answered(kb, answers)
    vector = _posterior_vector(kb, answered) if post is None else _post_vector(kb, post)
    gains = _gains(kb, vector, _unanswered(kb, answered))
    return {kb.symptoms[j].key: gain for j, gain in gains.items()}


def next_question(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    post: Mapping[str, float] | None = None,
    *,
    min_gain_per_cost: float = DEFAULT_MIN_GAIN_PER_COST,
) -> str | None:
    """The unanswered symptom with the most expected information per cost, if worth asking.

    `post` is `posterior(kb, answers)` when the caller already has it. This ignores whether a
    cause is already clear; `diagnose` applies the whole stop rule.
    """
    _check_min_gain(min_gain_per_cost)
    answered = _answered(kb, answers)
    vector = _posterior_vector(kb, answered) if post is None else _post_vector(kb, post)
    best = _best_question(kb, vector, _unanswered(kb, answered), min_gain_per_cost)
    return None if best is None else kb.symptoms[best].key


def _why(kb: KnowledgeBase, answered: list[tuple[int, str]]) -> dict[int, tuple[Evidence, ...]]:
    """Per fault index (only faults some answer moved): its strongest evidence, at most 3."""
    moved: dict[int, list[tuple[float, int, str, float]]] = {}
    for j, value in answered:
        if value == "u":
            continue
        for i, w in zip(kb._pair_faults[j], kb._pair_weight[j][value], strict=True):
            if w != 0.0:
                moved.setdefault(i, []).append((-abs(w), j, value, w))
    return {
        i: tuple(Evidence(kb.symptoms[j].key, value, w) for _, j, value, w in sorted(items)[:3])
        for i, items in moved.items()
    }


def diagnose(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    *,
    clear_at: float = DEFAULT_CLEAR_AT,
    min_gain_per_cost: float = DEFAULT_MIN_GAIN_PER_COST,
) -> Diagnosis:
    """Rank every fault, explain each by the answers that moved it most, and pick the next question.

    `answers` must name symptoms of `kb` with values "y", "n" or "u"; anything else raises
    ValueError naming the key or value. Done when the best cause reaches `clear_at` ("clear"),
    when every symptom is answered ("no-questions-left"), or when no unanswered symptom is
    expected to remove `min_gain_per_cost` bits per unit of cost ("no-useful-question").
    """
    _check_clear_at(clear_at)
    _check_min_gain(min_gain_per_cost)
    answered = _answered(kb, answers)
    post = _posterior_vector(kb, answered)
    order = sorted(range(len(kb.faults)), key=lambda i: (-post[i], i))
    why = _why(kb, answered)
    candidates = tuple(Candidate(kb.faults[i].key, post[i], why.get(i, ())) for i in order)

    unanswered = _unanswered(kb, answered)
    question = None
    if candidates[0].probability >= clear_at:
        stop_reason = "clear"
    elif not unanswered:
        stop_reason = "no-questions-left"
    else:
        question = _best_question(kb, post, unanswered, min_gain_per_cost)
        stop_reason = None if question is not None else "no-useful-question"
    return Diagnosis(
        candidates=candidates,
        next_question=None if question is None else kb.symptoms[question].key,
        done=stop_reason is not None,
        stop_reason=stop_reason,
    )
