"""Admin pages that are not one model's: the content check and the recently deleted list."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import deletions
from .models import CONTENT_MODELS, Deletion, Problem
from .validation import Finding, findings


def content_check(request):
    """Every finding of `manage.py kb_check`, in words, grouped by the problem it affects."""
    found = findings()
    problems = {p.pk: p for p in Problem.objects.select_related("vehicle_model__make")}
    sections: dict[int | None, list[Finding]] = {}
    for finding in found:
        sections.setdefault(finding.problem_id, []).append(finding)
    groups = [
        {"problem": problems.get(pk), "findings": items}
        for pk, items in sorted(
            sections.items(), key=lambda item: (item[0] is not None, item[0] or 0)
        )
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Content check"),
        "groups": groups,
        "total": len(found),
        "clean_problems": [p for pk, p in problems.items() if pk not in sections],
    }
    return TemplateResponse(request, "admin/kb/content_check.html", context)


# --- recently deleted -------------------------------------------------------------------------

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


def _may_restore(user, deletion) -> bool:
    return all(
        user.has_perm(f"{m._meta.app_label}.add_{m._meta.model_name}")
        for m in deletions.models_of(deletion)
    )


def recently_deleted(request):
    if request.method == "POST":
        return _restore_view(request)
    items = [
        {
            "date": deletion.date,
            "user": deletion.user,
            "name": deletion.label,
            "contents": deletions.contents(deletion),
            "deletion": deletion.pk,
            "can_restore": _may_restore(request.user, deletion),
        }
        for deletion in recorded_deletions()
    ]
    items += [
        {
            "date": row.history_date,
            "user": row.history_user,
            "name": f"{row.instance._meta.verbose_name} “{row.instance}”",
            "model": row.instance._meta.model_name,
            "history_id": row.history_id,
            "can_restore": request.user.has_perm(f"kb.add_{row.instance._meta.model_name}"),
        }
        for row in deleted_objects()
    ]
    items.sort(key=lambda item: item["date"], reverse=True)
    context = {
        **admin.site.each_context(request),
        "title": _("Recently deleted"),
        "items": items,
        "days": DELETED_DAYS,
    }
    return TemplateResponse(request, "admin/kb/recently_deleted.html", context)


def _deletion_of(model, history_id: int) -> Deletion | None:
    """The recorded deletion that holds this history row's object, if there is one."""
    row = model.history.get(history_id=history_id, history_type="-")
    window = (row.history_date - SAME_DELETION, row.history_date + SAME_DELETION)
    key = (model._meta.label_lower, row.id)
    for deletion in Deletion.objects.filter(date__range=window, restored=None):
        if any((held["model"], held["pk"]) == key for held in deletion.rows):
            return deletion
    return None


def _restore_view(request):
    deletion_id = request.POST.get("deletion", "")
    if deletion_id:
        found = Deletion.objects.filter(pk=deletion_id) if deletion_id.isdigit() else None
        deletion = found.first() if found is not None else None
        return _restore_deletion(request, deletion)
    models_by_name = {model._meta.model_name: model for model in CONTENT_MODELS}
    model = models_by_name.get(request.POST.get("model", ""))
    try:
        history_id = int(request.POST.get("history_id", ""))
    except ValueError:
        history_id = None
    if model is None or history_id is None:
        messages.error(request, _("Nothing to restore: choose an object from the list."))
        return redirect("admin-recently-deleted")
    try:
        deletion = _deletion_of(model, history_id)
    except model.history.model.DoesNotExist:
        messages.error(request, _("That deletion is not in the history: nothing was restored."))
        return redirect("admin-recently-deleted")
    if deletion is not None:
        return _restore_deletion(request, deletion)
    if not request.user.has_perm(f"kb.add_{model._meta.model_name}"):
        raise PermissionDenied
    try:
        obj, children = restore(model, history_id)
    except RestoreError as error:
        messages.error(request, str(error))
    else:
        url = reverse(f"admin:kb_{model._meta.model_name}_change", args=[obj.pk])
        with_children = (
            ngettext(
                ", with %(count)s object deleted along with it",
                ", with %(count)s objects deleted along with it",
                children,
            )
            % {"count": children}
            if children
            else ""
        )
        messages.success(
            request,
            format_html(
                '{} {} <a href="{}">“{}”</a>{}.',
                _("Restored"),
                obj._meta.verbose_name,
                url,
                obj,
                with_children,
            ),
        )
    return redirect("admin-recently-deleted")


def _restore_deletion(request, deletion):
    if deletion is None:
        messages.error(request, _("That deletion is not recorded: nothing was restored."))
        return redirect("admin-recently-deleted")
    if not _may_restore(request.user, deletion):
        raise PermissionDenied
    try:
        result = deletions.restore(deletion, request.user)
    except RestoreError as error:
        messages.error(request, str(error))
        return redirect("admin-recently-deleted")
    what = ", ".join(f"{kind}: {count}" for kind, count in deletions.contents(deletion))
    first = result.objects[0] if result.objects else None
    link = ""
    if first is not None and type(first)._meta.app_label == "kb":
        url = reverse(f"admin:kb_{first._meta.model_name}_change", args=[first.pk])
        link = format_html('<a href="{}">{}</a>', url, _("Open it"))
    links = (
        ngettext("%(count)s link restored.", "%(count)s links restored.", result.links)
        % {"count": result.links}
        if result.links
        else ""
    )
    messages.success(
        request,
        format_html("{} {} ({}). {} {}", _("Restored"), deletion.label, what, links, link),
    )
    if result.findings:
        messages.warning(
            request,
            _(
                "Restored as it was saved; the content check finds this in what came back, "
                "fix it in the admin: %(findings)s"
            )
            % {"findings": " · ".join(result.findings)},
        )
    return redirect("admin-recently-deleted")


def guide(request):
    """A short staff guide in the admin's language (templates/admin/kb/guide.html); the
    developers' material, with the worked figures, stays in docs/content.md."""
    context = {**admin.site.each_context(request), "title": _("Content guide")}
    return TemplateResponse(request, "admin/kb/guide.html", context)
