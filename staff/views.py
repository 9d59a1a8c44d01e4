"""Admin pages that are not one model's: the content check, recently deleted objects and
the staff guide."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kb import deletions
from kb.deleted_history import (
    DELETED_DAYS,
    deleted_objects,
    deletion_of,
    recorded_deletions,
    restore,
)
from kb.models import CONTENT_MODELS, Deletion, Problem
from kb.validation import Finding, findings


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
        deletion = deletion_of(model, history_id)
    except model.history.model.DoesNotExist:
        messages.error(request, _("That deletion is not in the history: nothing was restored."))
        return redirect("admin-recently-deleted")
    if deletion is not None:
        return _restore_deletion(request, deletion)
    if not request.user.has_perm(f"kb.add_{model._meta.model_name}"):
        raise PermissionDenied
    try:
        obj, children = restore(model, history_id)
    except deletions.RestoreError as error:
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
    except deletions.RestoreError as error:
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
