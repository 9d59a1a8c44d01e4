"""A procedure's steps in its history: the steps' own changes read in words beside the
procedure's, and a revert of the procedure that puts its steps back as they were.

Steps are edited on their procedure's page but keep a history of their own (kb.Step). A
version of the procedure stands from its history row until the next one, and the admin saves
the procedure before its steps, so the steps of a version are the steps as they were just
before the procedure's next history row (now, for the latest version): a step saved with the
procedure belongs to that version, and so does a step edited on its own page after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import pgettext

from .models import Procedure, SafetyWarning, Step

# The fields whose change a history page names (number: a move, said apart).
NAMED_FIELDS = ("title", "text", "source", "warning")
# Out of the way of every number a step may have: (procedure, number) is unique at every moment.
OUT_OF_THE_WAY = 10000


def _version_end(version):
    """When `version` of a procedure stopped being current: its next history row, or None."""
    following = (
        Procedure.history.filter(id=version.id, history_date__gt=version.history_date)
        .order_by("history_date", "history_id")
        .first()
    )
    return following.history_date if following else None


def _step_rows(procedure_id: int):
    """Every history row of every step that was ever part of the procedure, oldest first."""
    ids = Step.history.filter(procedure_id=procedure_id).values("id")
    return Step.history.filter(id__in=ids).order_by("history_date", "history_id")


def steps_of_version(version) -> list:
    """The history rows of the procedure's steps as they were in `version` (a procedure
    history row), by number."""
    rows = _step_rows(version.id)
    end = _version_end(version)
    if end is not None:
        rows = rows.filter(history_date__lt=end)
    latest = {}
    for row in rows:
        latest[row.id] = row
    kept = [
        row for row in latest.values() if row.history_type != "-" and row.procedure_id == version.id
    ]
    return sorted(kept, key=lambda row: row.number)


def restore_steps(procedure: Procedure, version, reason: str, user=None) -> None:
    """Put the procedure's steps back as they were in `version`: steps added since deleted,
    steps deleted since back (with their ids), titles, texts and numbers as then. Each row
    saved gets `reason`. Call it inside the revert's transaction."""
    wanted = {row.id: row for row in steps_of_version(version)}
    current = {step.pk: step for step in Step.objects.filter(procedure=procedure)}
    for pk, step in current.items():
        if pk not in wanted:
            step._change_reason, step._history_user = reason, user
            step.delete()
    warnings = set(
        SafetyWarning.objects.filter(
            pk__in={row.warning_id for row in wanted.values()}
        ).values_list("pk", flat=True)
    )
    changed = []
    for row in wanted.values():
        step = row.instance
        step.procedure = procedure
        if step.warning_id not in warnings:  # the warning was deleted since: none
            step.warning = None
        if row.id not in current or _values(step) != _values(current[row.id]):
            changed.append(step)
    # The steps that change go out of the way first; the others keep their numbers, which
    # are theirs in the version too.
    Step.objects.filter(pk__in=[step.pk for step in changed]).update(
        number=F("number") + OUT_OF_THE_WAY
    )
    for step in changed:
        step._change_reason, step._history_user = reason, user
        step.save()


def _values(step: Step) -> list:
    return [getattr(step, field.attname) for field in Step._meta.concrete_fields]


@dataclass(frozen=True)
class StepChange:
    row: object  # the step's history row
    what: str  # "added", "deleted", "moved from 3 to 2, changed: text"


def _describe(row, previous) -> str:
    if row.history_type == "+" or previous is None:
        return pgettext("a step", "added")
    if row.history_type == "-":
        return pgettext("a step", "deleted")
    if previous.history_type == "-":
        return pgettext("a step", "restored")
    parts = []
    if previous.number != row.number:
        parts.append(
            pgettext("a step", "moved from %(old)s to %(new)s")
            % {"old": previous.number, "new": row.number}
        )
    fields = [Step._meta.get_field(name) for name in row.diff_against(previous).changed_fields]
    # A translated field changes as itself and as its language's column: named once.
    names = {getattr(field, "translated_field", field).name for field in fields}
    changed = [
        str(Step._meta.get_field(name).verbose_name) for name in NAMED_FIELDS if name in names
    ]
    if changed:
        parts.append(
            pgettext("a step", "changed: %(fields)s")
            % {"fields": ", ".join(dict.fromkeys(changed))}
        )
    return ", ".join(parts) or pgettext("a step", "saved unchanged")


def step_changes(procedure_id: int, limit: int = 100) -> list[StepChange]:
    """The changes of the procedure's steps in words, newest first."""
    rows = list(_step_rows(procedure_id).select_related("history_user"))
    previous: dict[int, object] = {}
    changes = []
    for row in rows:
        changes.append(StepChange(row=row, what=_describe(row, previous.get(row.id))))
        previous[row.id] = row
    return changes[::-1][:limit]
