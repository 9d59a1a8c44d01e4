"""Which versions (kb/content_version.py) a content change retires, and retiring them at COMMIT.

A row of one problem (the problem, its faults, questions, groups, likelihoods, a FAQ entry of
it) retires that problem, its model and the listing. A procedure or a step retires the
problems that link it (from a fault, as their emergency procedure, from a FAQ entry of
theirs), its model and the listing. A row of one model that its problems share (the model, a
generation, a fault rate of a generation, a FAQ entry of no problem) retires every problem of
that model, the model and the listing. What every page shows (a make, rate levels, fault
groups, safety warnings) retires the site.

A delete is looked at before it happens (kb/signals.py: ``pre_delete``): after it, the rows
that told what the deleted one belonged to may be gone with it.

The retiring waits for the COMMIT (``transaction.on_commit``): done before it, a concurrent
request could read the new version with the old rows and cache the old content under the
new version, keeping an edit invisible until the next one. Each save retires its own scopes
in one write (gathering a transaction's into one would need to follow its savepoints: the
scopes of a rolled-back one must go with it).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from . import models as content
from .content_version import LISTING, SITE, bump_content_version, model_scope, problem_scope


def problem_scopes(problem_ids) -> set[str]:
    """One query: the problems' scopes, their models' and the listing."""
    rows = content.Problem.objects.filter(pk__in=problem_ids).values_list(
        "vehicle_model__slug", "slug"
    )
    return _scopes(rows)


def model_scopes(model_id) -> set[str]:
    """One query: every problem of the model, the model and the listing."""
    slug = _model_slug(model_id)
    if slug is None:
        return {SITE}  # gone already: nothing tells what listed it
    rows = content.Problem.objects.filter(vehicle_model_id=model_id).values_list("slug", flat=True)
    return _scopes((slug, problem) for problem in rows) | {model_scope(slug), LISTING}


def procedure_scopes(procedure_id) -> set[str]:
    """Two queries: the problems that link the procedure, its model and the listing."""
    model_slug = _first(content.Procedure, procedure_id, "vehicle_model__slug")
    if model_slug is None:
        return {SITE}
    linked = (
        Q(faults__procedures=procedure_id)
        | Q(emergency_procedure=procedure_id)
        | Q(faq_entries__procedures=procedure_id)
    )
    rows = (
        content.Problem.objects.filter(linked).values_list("vehicle_model__slug", "slug").distinct()
    )
    return _scopes(rows) | {model_scope(model_slug)}


def _scopes(rows) -> set[str]:
    scopes = {LISTING}
    for model_slug, problem_slug in rows:
        scopes |= {problem_scope(model_slug, problem_slug), model_scope(model_slug)}
    return scopes


# How each content row names the problem or the model it belongs to.
_PROBLEM_OF = {
    content.Fault: lambda row: row.problem_id,
    content.Symptom: lambda row: row.problem_id,
    content.QuestionGroup: lambda row: row.problem_id,
    content.Likelihood: lambda row: _first(content.Fault, row.fault_id, "problem_id"),
    content.FaqEntry: lambda row: row.problem_id,
}
_MODEL_OF = {
    content.VehicleModel: lambda row: row.pk,
    content.Generation: lambda row: row.vehicle_model_id,
    content.FaultRate: lambda row: _first(
        content.Generation, row.generation_id, "vehicle_model_id"
    ),
    content.FaqEntry: lambda row: row.vehicle_model_id,
}


def scopes_of(row) -> set[str]:
    """The scopes a change of this content row retires (module docstring)."""
    kind = type(row)
    if kind is content.Problem:  # read from the row: deleted, it is no longer in the table
        model_slug = _model_slug(row.vehicle_model_id)
        return {SITE} if model_slug is None else _scopes([(model_slug, row.slug)])
    if kind in (content.Procedure, content.Step):
        return procedure_scopes(row.pk if kind is content.Procedure else row.procedure_id)
    problem = _PROBLEM_OF.get(kind, lambda row: None)(row)
    if problem is not None:
        scopes = problem_scopes([problem])
        if scopes != {LISTING}:
            return scopes
    model = _MODEL_OF.get(kind, lambda row: None)(row)
    if model is not None:
        return model_scopes(model)
    return {SITE}  # a make, rate levels, fault groups, safety warnings: every page


def moved_scopes(row) -> set[str]:
    """Before a problem or a model is saved: the scopes of its old URL when the save renames
    or moves it (its new scopes would leave the old URL's pages in place). A renamed model
    retires the site: rare, and every page of its problems moves."""
    kind = type(row)
    if row.pk is None or kind not in (content.Problem, content.VehicleModel):
        return set()
    fields = ("slug", "vehicle_model_id") if kind is content.Problem else ("slug",)
    old = kind.objects.filter(pk=row.pk).values(*fields).first()
    if old is None or all(old[name] == getattr(row, name) for name in fields):
        return set()
    if kind is content.VehicleModel:
        return {SITE}
    model_slug = _model_slug(old["vehicle_model_id"])
    return {SITE} if model_slug is None else _scopes([(model_slug, old["slug"])])


def _model_slug(model_id) -> str | None:
    return _first(content.VehicleModel, model_id, "slug")


def _first(kind, pk, field):
    return kind.objects.filter(pk=pk).values_list(field, flat=True).first()


def retire_on_commit(scopes, using=None) -> None:
    """Retire these scopes once the transaction commits (at once outside one)."""
    scopes = tuple(scopes)
    transaction.on_commit(lambda: bump_content_version(*scopes), using=using)
