"""Admin pages that are not one model's: the content check and the recently deleted list."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

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
from django.utils.translation import gettext_lazy, ngettext

from .models import CONTENT_MODELS, Problem
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

# Children deleted with their parent (a fault's likelihoods) are restored with it when their
# deletion is recorded within this long of the parent's.
SAME_DELETION = timedelta(seconds=30)
DELETED_DAYS = 90
RESTORED_REASON = gettext_lazy("Restored from Recently deleted")


def _cascade_parents(model) -> list:
    """The foreign keys through which deleting another object deletes this one."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and field.remote_field.on_delete is models.CASCADE
    ]


def deleted_objects(since=None) -> list:
    """The latest deletion row of each content object that is still gone, newest first.

    An object deleted along with its parent (whose parent is gone too) is left out: restoring
    the parent restores it.
    """
    since = since or timezone.now() - timedelta(days=DELETED_DAYS)
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
            if pk in existing:
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


class RestoreError(Exception):
    pass


def restore(model, history_id: int) -> tuple[object, int]:
    """Bring a deleted object back as it was, with the children deleted along with it.

    Returns the object and how many children came back with it.
    """
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
                    "%(kind)s “%(name)s” needs its %(field)s, which is deleted too: restore "
                    "that first."
                )
                % {
                    "kind": capfirst(obj._meta.verbose_name),
                    "name": obj,
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
    for child in CONTENT_MODELS:
        for field in _cascade_parents(child):
            if field.related_model is not model:
                continue
            window = (row.history_date - SAME_DELETION, row.history_date + SAME_DELETION)
            rows = child.history.filter(
                history_type="-", history_date__range=window, **{field.attname: row.id}
            )
            for child_row in rows:
                if not child.objects.filter(pk=child_row.id).exists():
                    _restore_row(child_row)
                    count += 1 + _restore_children(child, child_row)
    return count


def recently_deleted(request):
    if request.method == "POST":
        return _restore_view(request)
    rows = deleted_objects()
    items = [
        {
            "row": row,
            "name": f"{row.instance._meta.verbose_name} “{row.instance}”",
            "model": row.instance._meta.model_name,
            "can_restore": request.user.has_perm(f"kb.add_{row.instance._meta.model_name}"),
        }
        for row in rows
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("Recently deleted"),
        "items": items,
        "days": DELETED_DAYS,
    }
    return TemplateResponse(request, "admin/kb/recently_deleted.html", context)


def _restore_view(request):
    models_by_name = {model._meta.model_name: model for model in CONTENT_MODELS}
    model = models_by_name.get(request.POST.get("model", ""))
    try:
        history_id = int(request.POST.get("history_id", ""))
    except ValueError:
        history_id = None
    if model is None or history_id is None:
        messages.error(request, _("Nothing to restore: choose an object from the list."))
        return redirect("admin-recently-deleted")
    if not request.user.has_perm(f"kb.add_{model._meta.model_name}"):
        raise PermissionDenied
    try:
        obj, children = restore(model, history_id)
    except model.history.model.DoesNotExist:
        messages.error(request, _("That deletion is not in the history: nothing was restored."))
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


GUIDE = Path(__file__).resolve().parent.parent / "docs" / "content.md"


def guide(request):
    """docs/content.md in the admin, where editors need it (plain text reads well enough)."""
    try:
        text = GUIDE.read_text(encoding="utf-8")
    except OSError:
        text = _("The guide is in docs/content.md of the project.")
    context = {**admin.site.each_context(request), "title": _("Content guide"), "text": text}
    return TemplateResponse(request, "admin/kb/guide.html", context)
