"""Deletions made before kb.Deletion recorded them (kb/deletions.py), found from the history
rows simple_history keeps, and restored from them with the children deleted along with them."""

from __future__ import annotations

from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import deletions
from .models import CONTENT_MODELS, Deletion

# Deletions before kb.Deletion was recorded (kb/deletions.py) are found from their history rows:
# children deleted with their parent (a fault's likelihoods) are restored with it when their
# deletion is recorded within this long of the parent's.
SAME_DELETION = timedelta(seconds=30)
DELETED_DAYS = 90
RESTORED_REASON = deletions.RESTORED_REASON
RestoreError = deletions.RestoreError


def _cascade_parents(model) -> list:
    """The foreign keys through which deleting another object deletes this one."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and field.remote_field.on_delete is models.CASCADE
    ]


def recorded_deletions(since=None):
    """The deletions (kb.Deletion) not restored yet, newest first."""
    since = since or timezone.now() - timedelta(days=DELETED_DAYS)
    return Deletion.objects.filter(date__gte=since, restored=None).select_related("user")


def _recorded_keys(since) -> set[tuple[str, int]]:
    """(model label, id) of every object a recorded deletion holds."""
    rows = Deletion.objects.filter(date__gte=since).values_list("rows", flat=True)
    return {(row["model"], row["pk"]) for held in rows for row in held}


def deleted_objects(since=None) -> list:
    """The latest deletion row of each content object that is still gone and whose deletion
    was not recorded as a kb.Deletion (one made before they were), newest first.

    An object deleted along with its parent (whose parent is gone too) is left out: restoring
    the parent restores it.
    """
    since = since or timezone.now() - timedelta(days=DELETED_DAYS)
    recorded = _recorded_keys(since)
    found = []
    for model in CONTENT_MODELS:
        rows = model.history.filter(history_type="-", history_date__gte=since).select_related(
            "history_user"
        )
        latest: dict[int, object] = {}
        for row in rows.order_by("history_date"):
            latest[row.id] = row
        existing = set(model.objects.filter(pk__in=latest).values_list("pk", flat=True))
        parents = _cascade_parents(model)
        for pk, row in latest.items():
            if pk in existing or (model._meta.label_lower, pk) in recorded:
                continue
            if any(
                getattr(row, f.attname) is not None
                and not f.related_model.objects.filter(pk=getattr(row, f.attname)).exists()
                for f in parents
            ):
                continue
            found.append(row)
    found.sort(key=lambda row: row.history_date, reverse=True)
    return found


def restore(model, history_id: int) -> tuple[object, int]:
    """Bring back an object deleted before deletions were recorded, as it was, with the
    children deleted along with it. Returns the object and how many children came with it."""
    row = model.history.get(history_id=history_id, history_type="-")
    if model.objects.filter(pk=row.id).exists():
        raise RestoreError(
            _("%(kind)s “%(name)s” already exists.")
            % {"kind": capfirst(model._meta.verbose_name), "name": row.instance}
        )
    with transaction.atomic():
        obj = _restore_row(row)
        children = _restore_children(model, row)
    return obj, children


def _restore_row(row):
    obj = row.instance
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if (
            field.is_relation
            and value is not None
            and not field.related_model.objects.filter(pk=value).exists()
        ):
            raise RestoreError(
                _(
                    "%(kind)s (id %(id)s) needs its %(field)s, which is deleted too: restore "
                    "that first."
                )
                % {
                    "kind": capfirst(obj._meta.verbose_name),
                    "id": obj.pk,
                    "field": field.verbose_name,
                }
            )
    obj._change_reason = RESTORED_REASON
    obj.save(force_insert=True)
    for field in getattr(row, "_history_m2m_fields", []):
        # The links as they were just before the deletion.
        source = row if getattr(row, field.name).exists() else row.prev_record
        if source is not None:
            ids = getattr(source, field.name).values_list(field.m2m_reverse_field_name(), flat=True)
            getattr(obj, field.name).set(list(ids))
    return obj


def _restore_children(model, row) -> int:
    count = 0
    children = [
        (child, field)
        for child in CONTENT_MODELS
        for field in _cascade_parents(child)
        if field.related_model is model
    ]
    window = (row.history_date - SAME_DELETION, row.history_date + SAME_DELETION)
    for child, field in children:
        rows = child.history.filter(
            history_type="-", history_date__range=window, **{field.attname: row.id}
        )
        for child_row in rows:
            if child.objects.filter(pk=child_row.id).exists():
                continue
            # A child with another parent (a likelihood's symptom) waits for that parent.
            others = [f for f in _cascade_parents(child) if f is not field]
            if any(
                not f.related_model.objects.filter(pk=getattr(child_row, f.attname)).exists()
                for f in others
            ):
                continue
            _restore_row(child_row)
            count += 1 + _restore_children(child, child_row)
    return count


def deletion_of(model, history_id: int) -> Deletion | None:
    """The recorded deletion that holds this history row's object, if there is one."""
    row = model.history.get(history_id=history_id, history_type="-")
    window = (row.history_date - SAME_DELETION, row.history_date + SAME_DELETION)
    key = (model._meta.label_lower, row.id)
    for deletion in Deletion.objects.filter(date__range=window, restored=None):
        if any((held["model"], held["pk"]) == key for held in deletion.rows):
            return deletion
    return None
