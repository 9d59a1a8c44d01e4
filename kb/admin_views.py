"""Admin pages that are not one model's: the content check and the recently deleted list."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse

from .models import Problem
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
        "title": "Content check",
        "groups": groups,
        "total": len(found),
        "clean_problems": [p for pk, p in problems.items() if pk not in sections],
    }
    return TemplateResponse(request, "admin/kb/content_check.html", context)
