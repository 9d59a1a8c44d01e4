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
    answers = {}
    prior = engine.posterior(kb, {})
    for symptom in kb.symptoms:
        p_fault = kb.p_yes(fault_key, symptom.key)
        others = [(f.key, prior[f.key]) for f in kb.faults if f.key != fault_key]
        total = sum(weight for _, weight in others) or 1.0
        p_others = sum(weight * kb.p_yes(key, symptom.key) for key, weight in others) / total
        if p_fault > p_others:
            answers[symptom.key] = "y"
        elif p_fault < p_others:
            answers[symptom.key] = "n"
    verdict = engine.diagnose(kb, answers)
    return verdict.candidates[0].fault == fault_key
