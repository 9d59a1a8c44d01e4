"""The pages of issue 11 are valid HTML too (W3C Nu checker, as tests/test_html_valid.py): a
result with its share card and QR code, its htmx fragment, the print view, the dashboard (with
its reliability table)."""

import pytest
from django.contrib.auth.models import Group, User

from reports.models import OwnerReport
from tests.test_html_valid import checker, checker_errors, render
from tests.test_reports_usage import shown
from tests.usage_helpers import MODEL, PROBLEM, walk
from usage.models import DailyCount

pytestmark = pytest.mark.django_db


def test_result_with_share_card_print_view_and_dashboard_are_valid_html(client, content, tmp_path):
    checker()  # skips (or fails under REQUIRE_VNU=1) without the checker
    urls, _ = walk()
    state = urls[-1].split("?", 1)[1]
    pages = {
        tmp_path / "result.html": render(client, urls[-1]),
        tmp_path / "print.html": render(client, f"/{MODEL}/{PROBLEM}/diagnose/print/?{state}"),
    }
    fragment = render(client, urls[-1], {"HX-Request": "true"}).decode()
    pages[tmp_path / "fragment.html"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>f</title></head>'
        f'<body><main><div id="step">{fragment}</div></main></body></html>'
    ).encode()
    DailyCount.objects.create(
        day="2026-11-30", kind="shown", problem=f"{MODEL}/{PROBLEM}", generation="j11",
        question="car-electrics-weak", count=3,
    )  # fmt: skip
    report = shown("lock-frozen", 0.85, "lock-frozen")  # the reliability table, not its empty note
    OwnerReport.objects.filter(pk=report.pk).update(created="2026-11-30T12:00:00Z")
    user = User.objects.create_user("editor", password="pw-for-tests-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Content editor"))
    client.force_login(user)
    pages[tmp_path / "dashboard.html"] = render(
        client, "/admin/usage/?from=2026-11-01&to=2026-11-30"
    )
    for file, body in pages.items():
        file.write_bytes(body)
    errors = checker_errors(pages)
    assert errors == [], "\n".join(errors)
