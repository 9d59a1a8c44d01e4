"""Recording an owner's report, and what the form shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from diagnosis import content
from diagnosis.service import Outcome, derived, diagnose, wizard_url
from kb.content_version import content_version, problem_scope
from kb.models import Fault, Generation, Problem

from .forms import OTHER, FixReportForm
from .guards import TOKEN_FIELD, form_token
from .models import OwnerReport


def ranking(outcome: Outcome) -> list[list]:
    return [[cause.fault.slug, round(cause.probability, 4)] for cause in outcome.causes]


def record_owner_report(compiled: content.CompiledProblem, data: dict) -> OwnerReport:
    """Store one report. The ranking is the one the owner saw, recomputed here from the
    generation and answers (never taken from the page). Nothing about the sender is kept."""
    generation = data["generation_info"]
    outcome = diagnose(compiled, generation, data["answer_map"])
    problem = Problem.objects.select_related("vehicle_model").get(
        vehicle_model__slug=compiled.model_slug, slug=compiled.problem_slug
    )
    other = data["fault"] == OTHER
    model = problem.vehicle_model
    return OwnerReport.objects.create(
        problem=problem,
        generation=Generation.objects.get(vehicle_model=model, code=generation.code),
        answers=data["answers"],
        ranking=ranking(outcome),
        fault=None if other else Fault.objects.get(problem=problem, slug=data["fault"]),
        other_text=data.get("other_text", "") if other else "",
        model_year=data.get("model_year"),
        mileage=data.get("mileage"),
        content_version=content_version(problem_scope(compiled.model_slug, compiled.problem_slug))[
            :40
        ],
    )


def report_url(compiled: content.CompiledProblem) -> str:
    """The report form's address, on every wizard result: reversed once per compiled problem."""
    return derived(
        compiled,
        "report url",
        lambda: reverse("reports:report", args=[compiled.model_slug, compiled.problem_slug]),
    )


def thanks_url(compiled: content.CompiledProblem, data: dict) -> str:
    url = reverse("reports:thanks", args=[compiled.model_slug, compiled.problem_slug])
    return (
        url
        + wizard_url(compiled, data["generation_info"], data["answer_map"]).partition(
            compiled.diagnose_url
        )[2]
    )


@dataclass
class FormView:
    """Everything the form's template needs; the same whether it shows first or with errors."""

    action: str
    token: str
    token_field: str
    choices: list[tuple[str, str]]  # (value, label): the causes best first, then "other"
    generation: str  # fixed by the diagnosis, or "" to choose one
    generations: list[tuple[str, str]]
    answers: str
    values: dict
    errors: dict
    form_errors: list[str]
    prefix: str  # keeps ids unique if a page ever shows the form twice


def form_view(
    compiled: content.CompiledProblem,
    *,
    outcome: Outcome | None = None,
    fault: str = "",
    form: FixReportForm | None = None,
    prefix: str = "report",
) -> FormView:
    order = [cause.fault.slug for cause in outcome.causes] if outcome else list(compiled.faults)
    values = {"fault": fault}
    generation, answers = "", ""
    if outcome:
        generation = outcome.generation.code
        answers = ",".join(f"{s}:{v}" for s, v in outcome.answers.items())
    errors, form_errors = {}, []
    if form is not None:
        values = {name: form.data.get(name, "") for name in form.fields}
        generation, answers = values["generation"], values["answers"]
        errors = {name: " ".join(messages) for name, messages in form.errors.items()}
        form_errors = list(form.non_field_errors())
        if errors.get("generation"):
            generation = ""
    return FormView(
        action=report_url(compiled),
        token=form_token(compiled),
        token_field=TOKEN_FIELD,
        choices=[
            *(
                (slug, compiled.faults[slug].short_name)
                for slug in order
                if slug in compiled.faults
            ),
            (OTHER, _("Something else")),
        ],
        generation=generation,
        generations=[(g.code, f"{g.name} ({g.years})") for g in compiled.generations],
        answers=answers,
        values=values,
        errors=errors,
        form_errors=form_errors,
        prefix=prefix,
    )
