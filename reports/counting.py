"""The counts a problem's priors learn from, kept on its PriorLearning row: per generation and
fault, how many owner reports are unreviewed (``owner``, status NEW) and verified
(``verified``), and how many workshop reports there are (``workshop``); spam and "something
else" count nowhere. What each kind weighs is reports/learning.py's: unreviewed 0 unless
staff raise it (at most 0.2), verified and workshop as staff set them."""

from __future__ import annotations

from django.db.models import Count

from kb.content_version import bump_content_version
from kb.models import Problem
from kb.scopes import problem_scopes

from .learning import OWNER, VERIFIED, WORKSHOP
from .models import OwnerReport, PriorLearning, WorkshopReport

OWNER_KIND = {OwnerReport.Status.NEW: OWNER, OwnerReport.Status.VERIFIED: VERIFIED}


def confirmed_counts(problem_id: int) -> dict[str, dict[str, dict[str, int]]]:
    """{generation id: {fault id: {kind: n}}} of a problem's reports that name a listed fault
    (spam and “something else” count nowhere). Two queries."""
    counts: dict[str, dict[str, dict[str, int]]] = {}

    def add(generation_id, fault_id, kind, n):
        by_fault = counts.setdefault(str(generation_id), {}).setdefault(str(fault_id), {})
        by_fault[kind] = by_fault.get(kind, 0) + n

    owner = (
        OwnerReport.objects.filter(problem_id=problem_id, fault__isnull=False)
        .exclude(status=OwnerReport.Status.SPAM)
        .values("generation_id", "fault_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in owner:
        add(row["generation_id"], row["fault_id"], OWNER_KIND[row["status"]], row["n"])
    workshop = (
        WorkshopReport.objects.filter(fault__problem_id=problem_id)
        .values("generation_id", "fault_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in workshop:
        add(row["generation_id"], row["fault_id"], WORKSHOP, row["n"])
    return counts


def recount(problem_id: int, *, bump: bool = True) -> None:
    """Store the problem's counts. When its learning is on and `bump` (a staff change), the
    priors change with them, so the problem's compiled content and pages (and the pages that
    list it) go stale at once; an owner's new report recounts with bump=False: it retires
    nothing."""
    if not Problem.objects.filter(pk=problem_id).exists():
        return  # deleted with its reports
    counts = confirmed_counts(problem_id)
    # get_or_create: two first reports of a problem racing both found no row and both made
    # one, and the second answered 500 (bench/safety_probes.py)
    learning, created = PriorLearning.objects.get_or_create(
        problem_id=problem_id, defaults={"counts": counts}
    )
    if not created and learning.counts != counts:
        PriorLearning.objects.filter(pk=learning.pk).update(counts=counts)
        if learning.enabled and bump:
            bump_content_version(*problem_scopes([problem_id]))
