"""Every delete is recorded as one `Deletion`, so "Recently deleted" can undo it as a unit.

django-simple-history keeps a "-" row per deleted object, but not what a delete does besides:
the many-to-many links that vanish with a procedure (no history row of the fault records it),
the references emptied by on_delete=SET_NULL (a problem's emergency procedure, a symptom's
question group), nor which rows went together. Django sends ``pre_delete`` for every object a
delete collects, with the same ``origin`` (the object or queryset deleted), before it deletes
anything: each is written down then, as it was, and the record is saved with the first
``post_delete`` of that origin, when all of them are known.

A restore loads the rows as they were saved (parents first, in one transaction), puts the links
and references back, records a history row for each object ("Restored from Recently deleted"),
then validates what came back and reports what it finds rather than refusing it: half of a
problem is not a state worth keeping because today's rules reject one of its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, router, transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from .management.commands.load_content import describe, explanations
from .models import Deletion, Problem
from .validation import findings

RESTORED_REASON = gettext_lazy("Restored from Recently deleted")


class RestoreError(Exception):
    pass


# --- recording ---------------------------------------------------------------------------------


def _recorded(model) -> bool:
    """Models whose deletes are recorded: those with a history (content, reports)."""
    return hasattr(model._meta, "simple_history_manager_attribute")


def _serialize(instance) -> dict:
    names = [f.name for f in instance._meta.concrete_fields if not f.primary_key]
    return serializers.serialize("python", [instance], fields=names)[0]


def _links(instance) -> list:
    """The rows of auto-created many-to-many tables that name the instance."""
    found = []
    relations = [f for f in instance._meta.get_fields() if f.many_to_many]
    for relation in relations:
        through = relation.remote_field.through if not relation.auto_created else relation.through
        if not through._meta.auto_created:
            continue  # an explicit through model is collected (and recorded) as a model
        columns = [f.attname for f in through._meta.concrete_fields if f.is_relation]
        column = next(
            f.attname
            for f in through._meta.concrete_fields
            if f.is_relation and f.related_model is type(instance)
        )
        for row in through._base_manager.filter(**{column: instance.pk}).values(*columns):
            found.append([through._meta.label_lower, row])
    return found


def _references(instance) -> list:
    """The rows this delete will leave pointing nowhere (SET_NULL), by field."""
    found = []
    for relation in instance._meta.related_objects:
        if relation.many_to_many or relation.on_delete is not models.SET_NULL:
            continue
        referrer = relation.related_model
        ids = list(
            referrer._base_manager.filter(**{relation.field.name: instance.pk}).values_list(
                "pk", flat=True
            )
        )
        if ids:
            found.append([referrer._meta.label_lower, relation.field.attname, instance.pk, ids])
    return found


def _label(origin) -> str:
    if isinstance(origin, models.Model):
        return f"{origin._meta.verbose_name} “{origin}”"
    return ""  # a queryset: named from its rows when saved


def _current_user():
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _before_delete(sender, instance, origin=None, **kwargs):
    if origin is None or not _recorded(sender):
        return
    deletion = getattr(origin, "_deletion", None)
    if deletion is None:
        deletion = Deletion(user=_current_user(), label=_label(origin))
        deletion._origin_model = origin._meta.model if isinstance(origin, models.Model) else None
        deletion._origin_names = []
        origin._deletion = deletion
    deletion.rows.append(_serialize(instance))
    if isinstance(origin, models.query.QuerySet) and type(instance) is origin.model:
        deletion._origin_names.append(f"“{instance}”")
    for link in _links(instance):
        if link not in deletion.links:
            deletion.links.append(link)
    deletion.references += _references(instance)


def _after_delete(sender, instance, origin=None, using=None, **kwargs):
    deletion = getattr(origin, "_deletion", None)
    if deletion is None or deletion.pk is not None:
        return
    if not deletion.label:
        model = origin.model._meta
        kind = model.verbose_name if len(deletion._origin_names) == 1 else model.verbose_name_plural
        deletion.label = f"{kind} {', '.join(deletion._origin_names)}"[:500]
    deletion.rows = _parents_first(deletion.rows)
    deletion.save(using=using)
    del origin._deletion  # the next delete of the same object is a deletion of its own


def _parents_first(rows: list) -> list:
    """The rows ordered so that what a row refers to is loaded before it."""
    labels = list(dict.fromkeys(row["model"] for row in rows))
    depends = {
        label: {
            f.related_model._meta.label_lower
            for f in apps.get_model(label)._meta.concrete_fields
            if f.is_relation and f.related_model._meta.label_lower in labels
        }
        - {label}
        for label in labels
    }
    order: list[str] = []
    while len(order) < len(labels):
        ready = [m for m in labels if m not in order and depends[m] <= set(order)]
        order += ready or [next(m for m in labels if m not in order)]  # a cycle: any order
    rank = {label: i for i, label in enumerate(order)}
    return sorted(rows, key=lambda row: rank[row["model"]])


pre_delete.connect(_before_delete, dispatch_uid="kb-deletion-record")
post_delete.connect(_after_delete, dispatch_uid="kb-deletion-save")


# --- what a deletion holds ----------------------------------------------------------------------


def contents(deletion) -> list[tuple[str, int]]:
    """What went, per kind of object: [("Faults", 3), …], in the order they load."""
    counts: dict[str, int] = {}
    for row in deletion.rows:
        counts[row["model"]] = counts.get(row["model"], 0) + 1
    return [
        (capfirst(apps.get_model(label)._meta.verbose_name_plural), count)
        for label, count in counts.items()
    ]


def models_of(deletion) -> list:
    return [apps.get_model(label) for label in dict.fromkeys(row["model"] for row in deletion.rows)]


# --- restoring ---------------------------------------------------------------------------------


@dataclass
class Restored:
    objects: list = field(default_factory=list)
    already_there: int = 0
    links: int = 0
    references: int = 0
    findings: list[str] = field(default_factory=list)


def restore(deletion, user=None) -> Restored:
    """Bring back everything `deletion` removed, in one transaction, or nothing."""
    using = router.db_for_write(Deletion)
    try:
        with transaction.atomic(using=using):
            deletion = Deletion.objects.select_for_update().get(pk=deletion.pk)
            if deletion.restored:
                raise RestoreError(_("This deletion has already been restored."))
            result = _restore(deletion, user, using)
            deletion.restored, deletion.restored_by = timezone.now(), user
            deletion.save(update_fields=["restored", "restored_by"])
    except DatabaseError as error:
        raise RestoreError(
            _("The database refused to restore it, so nothing was restored: %(error)s")
            % {"error": error}
        ) from error
    result.findings += _check(result.objects)
    return result


def _restore(deletion, user, using) -> Restored:
    result = Restored()
    loaded = list(serializers.deserialize("python", deletion.rows, using=using))
    incoming = {(type(d.object), d.object.pk) for d in loaded}
    missing = []
    for item in loaded:
        obj = item.object
        if type(obj)._base_manager.using(using).filter(pk=obj.pk).exists():
            result.already_there += 1
            incoming.discard((type(obj), obj.pk))
            item.object = None
            continue
        for f in obj._meta.concrete_fields:
            value = getattr(obj, f.attname)
            if not f.is_relation or value is None or (f.related_model, value) in incoming:
                continue
            if f.related_model._base_manager.using(using).filter(pk=value).exists():
                continue
            if f.null and f.remote_field.on_delete is models.SET_NULL:
                setattr(obj, f.attname, None)  # as the delete of that object would have
                continue
            missing.append(
                _("%(what)s needs its %(field)s, which was deleted since: restore that first.")
                % {"what": _name(obj), "field": f.verbose_name}
            )
    if missing:
        raise RestoreError(" ".join(missing))
    for item in loaded:
        if item.object is not None:
            item.save(using=using)  # raw, as loaddata: no history yet, nothing validated
            result.objects.append(item.object)
    changed = _restore_links(deletion, using, result)
    _restore_references(deletion, using, user, result)
    for obj in result.objects:
        _record(obj, user, using, created=True)
    for obj in changed:
        _record(obj, user, using, created=False)
    return result


def _name(obj) -> str:
    """The object by its slug (its parent may be the thing that is missing)."""
    key = getattr(obj, "slug", None) or f"id {obj.pk}"
    return f"{capfirst(obj._meta.verbose_name)} “{key}”"


def _restore_links(deletion, using, result) -> list:
    """Put back each link whose two ends exist; returns the objects holding the field that
    gained a link without being restored themselves (their history records it)."""
    restored = {(type(o), o.pk) for o in result.objects}
    changed = {}
    for label, row in deletion.links:
        through = apps.get_model(label)
        if through._base_manager.using(using).filter(**row).exists():
            continue
        ends = {f.attname: f.related_model for f in through._meta.concrete_fields if f.is_relation}
        managers = {a: m._base_manager.using(using) for a, m in ends.items()}
        if not all(manager.filter(pk=row[a]).exists() for a, manager in managers.items()):
            continue
        through._base_manager.using(using).create(**row)
        result.links += 1
        holder = _holder(through)
        holder_id = row[next(a for a, m in ends.items() if m is holder)]
        if (holder, holder_id) not in restored:
            changed[(holder, holder_id)] = holder._base_manager.using(using).get(pk=holder_id)
    return list(changed.values())


def _holder(through):
    """The model that declares the many-to-many field of an auto-created through model."""
    for model in apps.get_models():
        for f in model._meta.local_many_to_many:
            if f.remote_field.through is through:
                return model
    raise LookupError(through)


def _restore_references(deletion, using, user, result) -> None:
    for label, attname, target, ids in deletion.references:
        model = apps.get_model(label)
        target_model = model._meta.get_field(attname.removesuffix("_id")).related_model
        if not target_model._base_manager.using(using).filter(pk=target).exists():
            continue
        for obj in model._base_manager.using(using).filter(pk__in=ids, **{attname: None}):
            setattr(obj, attname, target)
            obj._change_reason = RESTORED_REASON
            obj._history_user = user
            obj.save(using=using, update_fields=[attname])
            result.references += 1


def _record(obj, user, using, created: bool) -> None:
    """A history row for a restored object, as its save in the admin would have written."""
    obj._change_reason = str(RESTORED_REASON)
    if user is not None:
        obj._history_user = user
    post_save.send(
        sender=type(obj), instance=obj, created=created, raw=False, using=using, update_fields=None
    )


def _check(objects) -> list[str]:
    """What today's validation says of the restored rows, and the content check's findings for
    the problems they belong to: reported, never refused."""
    notes = []
    problems = set()
    for obj in objects:
        try:
            obj.full_clean()
        except ValidationError as error:
            notes += [f"{describe(obj)} {part}" for part in explanations(error)]
        problem = Problem.of(obj)
        if problem is not None:
            problems.add(problem.pk)
    for problem in Problem.objects.filter(pk__in=problems):
        notes += [str(f) for f in findings(problem) if f.problem_id == problem.pk]
    return notes
