"""Content checks that need the engine: can each fault be diagnosed at all?"""

from collections.abc import Iterator

from kb.models import Problem

from . import content, engine


def diagnosability_problems() -> Iterator[str]:
    for problem in Problem.objects.select_related("vehicle_model").order_by(
        "vehicle_model", "slug"
    ):
        try:
            compiled = content.build(problem.vehicle_model.slug, problem.slug)
        except ValueError as error:  # the engine refuses content it cannot reason with
            yield f"problem {problem.vehicle_model.slug}/{problem.slug}: {error}"
            continue
        if compiled is None:
            continue
        for code, kb in compiled.knowledge_bases.items():
            for fault in kb.faults:
                if not _can_reach_top(kb, fault.key):
                    yield (
                        f"fault {problem.vehicle_model.slug}/{problem.slug}/{fault.key}: "
                        f"no answers raise it to the top in generation {code}"
                    )


def _can_reach_top(kb: engine.KnowledgeBase, fault_key: str) -> bool:
    """Answer every question the way this fault makes most likely, compared with the others."""
    prior = engine.posterior(kb, {})
    others = {f.key: prior[f.key] for f in kb.faults if f.key != fault_key}
    total = sum(others.values()) or 1.0
    answers: dict[str, str] = {}
    for question in kb.question_keys():
        mine = kb.answer_distribution(fault_key, question)
        theirs = dict.fromkeys(mine, 0.0)
        for key, weight in others.items():
            for option, p in kb.answer_distribution(key, question).items():
                theirs[option] += weight * p / total
        best = max(mine, key=lambda option: mine[option] / theirs[option])
        if mine[best] <= theirs[best]:
            continue  # every answer favours another cause at least as much
        if kb.is_group(question):
            for member in kb.group(question).members:
                answers[member] = "y" if member == best else "n"
        else:
            answers[question] = best
    verdict = engine.diagnose(kb, answers, max_questions=None)
    return verdict.candidates[0].fault == fault_key
