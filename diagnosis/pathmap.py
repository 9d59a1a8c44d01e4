"""A map of every path: the wizard's decision tree for one problem and generation, as it plays.

From no answer, every option of every question the wizard asks is followed with the same step
the wizard and the API take (service.diagnose), until a state asks nothing more (a leaf). A
state is its set of answers; in a tree each path's set is distinct, and the walk counts unique
sets to be sure. Nothing here reads the database or the usage counts: it is the content's
tree, and a staff page adds the owners' traffic beside it.

For a leaf, its top cause and that cause's probability p; a leaf with p < CLEAR_CAUSE has no
clear cause (the owner leaves the wizard without one cause more likely than all others
together).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import get_language

from kb.content_version import content_version, problem_scope
from web.release import release_id

from .content import CompiledProblem, GenerationInfo
from .query import canonical_answers
from .service import diagnose

# A leaf whose top cause is below this share leaves the owner without a clear cause.
CLEAR_CAUSE = 0.5
# How many of the longest paths a map names.
LONGEST_SHOWN = 3
# A map is walked once per content version and language (about a second for J11's 4,085
# states on the project's machine) and kept this long; an edit changes the version.
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class Node:
    """One state of the walk, in depth-first order: its parent's option led here."""

    index: int
    depth: int  # questions answered on the way here
    parent: int | None
    via: str  # the label of the option that led here ("" at the start)
    via_kind: str  # y / n / u, or "option" / "none" / "u" for a group
    answers: str  # the canonical answer tokens, as in the wizard's URL
    url: str  # the wizard's URL of this state
    question: str  # the slug of the question asked here, "" at a leaf
    question_text: str
    children: tuple[int, ...]
    top_cause: str  # its name
    top_slug: str
    probability: float  # the top cause's
    results: int  # the results (leaves) at the end of the paths through here
    unclear: int  # of those, the ones without a clear cause

    @property
    def is_leaf(self) -> bool:
        return not self.question

    @property
    def clear(self) -> bool:
        return self.probability >= CLEAR_CAUSE

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


@dataclass(frozen=True, slots=True)
class PathMap:
    nodes: tuple[Node, ...]  # depth-first: a node's subtree follows it
    questions: dict[str, str]  # every question of the generation: slug -> text, content order
    asked: dict[str, int]  # question slug -> how many states ask it

    @property
    def states(self) -> int:
        return len(self.nodes)

    @property
    def leaves(self) -> list[Node]:
        return [node for node in self.nodes if node.is_leaf]

    @property
    def unclear_leaves(self) -> list[Node]:
        return [node for node in self.nodes if node.is_leaf and not node.clear]

    @property
    def never_asked(self) -> list[tuple[str, str]]:
        return [(slug, text) for slug, text in self.questions.items() if slug not in self.asked]

    @property
    def depth(self) -> int:
        return max(node.depth for node in self.nodes)

    def longest_paths(self, limit: int = LONGEST_SHOWN) -> list[list[Node]]:
        """The deepest leaves' paths from the start, each a list of nodes (start first)."""
        deepest = sorted(self.leaves, key=lambda node: -node.depth)[:limit]
        return [self.path_to(leaf) for leaf in deepest]

    def path_to(self, node: Node) -> list[Node]:
        path = [node]
        while path[-1].parent is not None:
            path.append(self.nodes[path[-1].parent])
        return path[::-1]


def generation_questions(compiled: CompiledProblem, generation: GenerationInfo) -> dict[str, str]:
    """Every question the generation's knowledge base can ask: a group once, its members not."""
    kb = compiled.knowledge_bases[generation.code]
    grouped = {member for group in kb.groups for member in group.members}
    questions = {}
    for symptom in kb.symptoms:
        info = compiled.symptoms[symptom.key]
        if symptom.key not in grouped:
            questions[symptom.key] = info.question
        elif info.group and info.group not in questions:
            questions[info.group] = compiled.groups[info.group].question
    return questions


def walk(compiled: CompiledProblem, generation: GenerationInfo) -> PathMap:
    """Every state the wizard can reach from no answer, depth first (an explicit stack, not
    recursion: a deep tree must not meet Python's recursion limit)."""
    nodes: list[dict] = []
    seen: set[frozenset] = set()
    asked: dict[str, int] = {}
    # (answers, parent index, option label, option kind, depth)
    stack: list[tuple[dict[str, str], int | None, str, str, int]] = [({}, None, "", "", 0)]
    while stack:
        answers, parent, via, via_kind, depth = stack.pop()
        key = frozenset(answers.items())
        if key in seen:
            continue
        seen.add(key)
        outcome = diagnose(compiled, generation, answers)
        top = outcome.causes[0]
        question = outcome.next_question
        index = len(nodes)
        nodes.append(
            {
                "index": index,
                "depth": depth,
                "parent": parent,
                "via": str(via),
                "via_kind": via_kind,
                "answers": canonical_answers(answers),
                "url": outcome.url_with(),
                "question": question.slug if question else "",
                "question_text": str(question.text) if question else "",
                "children": [],
                "top_cause": top.fault.name,
                "top_slug": top.fault.slug,
                "probability": top.probability,
                "results": 0,
                "unclear": 0,
            }
        )
        if parent is not None:
            nodes[parent]["children"].append(index)
        if question is None:
            continue
        asked[question.slug] = asked.get(question.slug, 0) + 1
        # Pushed in reverse so the first option is walked (and listed) first.
        for option in reversed(question.options):
            stack.append(
                ({**answers, **dict(option.answers)}, index, option.label, option.kind, depth + 1)
            )
    # A child comes after its parent (depth first): from the end, each node's counts are done
    # before they are added to its parent's.
    for node in reversed(nodes):
        if not node["question"]:
            node["results"], node["unclear"] = 1, int(node["probability"] < CLEAR_CAUSE)
        if node["parent"] is not None:
            nodes[node["parent"]]["results"] += node["results"]
            nodes[node["parent"]]["unclear"] += node["unclear"]
    return PathMap(
        nodes=tuple(Node(**{**n, "children": tuple(n["children"])}) for n in nodes),
        questions=generation_questions(compiled, generation),
        asked=asked,
    )


def path_map(compiled: CompiledProblem, generation: GenerationInfo) -> PathMap:
    """The walk, kept in the default cache per release, problem version and language (its
    labels are in the language of the request)."""
    version = content_version(problem_scope(compiled.model_slug, compiled.problem_slug))
    key = (
        f"diagnosis:pathmap:{release_id()}:{version}:{compiled.model_slug}:"
        f"{compiled.problem_slug}:{generation.code}:{get_language()}"
    )
    found = cache.get(key)
    if found is None:
        found = walk(compiled, generation)
        cache.set(key, found, timeout=CACHE_SECONDS)
    return found
