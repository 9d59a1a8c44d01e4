"""Shared by the usage and share tests: walking a diagnosis to its result."""

from diagnosis import content
from diagnosis.service import diagnose

MODEL, PROBLEM = "nissan-qashqai", "trunk-wont-open"
DIAGNOSE = f"/{MODEL}/{PROBLEM}/diagnose/"


def compiled():
    return content.compiled_problem(MODEL, PROBLEM)


def walk(generation="j11", pick=lambda options: options[-2]):
    """The wizard URLs from the first question to the result, answering with `pick` (by
    default the option before "don't know": "no", or a group's "none of these")."""
    problem = compiled()
    info = problem.generations_by_code[generation]
    answers: dict[str, str] = {}
    urls = [f"{DIAGNOSE}?generation={generation}"]
    outcome = diagnose(problem, info, answers)
    while outcome.next_question is not None:
        option = pick(outcome.next_question.options)
        urls.append(option.url)
        answers.update(dict(option.answers))
        outcome = diagnose(problem, info, answers)
    return urls, outcome
