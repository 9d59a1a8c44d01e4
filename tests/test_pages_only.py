"""The API's requests skip sessions, authentication and messages; pages and the admin keep them
(web/pages_only.py; docs/decisions.md, "The API skips the visitor's state")."""

import pytest
from django.contrib.auth.models import User
from django.core import checks
from django.http import HttpResponse
from django.test import RequestFactory

from web.pages_only import AuthenticationMiddleware, MessageMiddleware, SessionMiddleware

pytestmark = pytest.mark.django_db

API = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j11"
# a malformed session cookie: Django's session middleware deletes it on the way out
STALE_SESSION = "sessionid=x"  # too short to name one


def what_the_view_gets(path: str) -> set[str]:
    """Which of the visitor's state a view under ``path`` is given by the three middleware."""
    seen = set()

    def view(request):
        seen.update(name for name in ("session", "user", "_messages") if hasattr(request, name))
        return HttpResponse("ok")

    stack = SessionMiddleware(AuthenticationMiddleware(MessageMiddleware(view)))
    stack(RequestFactory().get(path))
    return seen


def test_an_api_request_reaches_its_view_without_a_session_a_user_or_messages():
    assert what_the_view_gets("/api/v1/diagnose") == set()
    assert what_the_view_gets("/api/v1/makes") == set()


def test_pages_and_the_admin_get_the_session_the_user_and_messages():
    for path in ("/", "/ru/nissan-qashqai/", "/admin/", "/apinot/"):
        assert what_the_view_gets(path) == {"session", "user", "_messages"}, path


def test_the_api_keeps_its_headers_and_sets_no_cookie(client, content):
    response = client.get(API, HTTP_COOKIE=STALE_SESSION)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Vary"] == "Accept-Language, Accept-Encoding"
    assert response["Content-Language"] == "en"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert not response.cookies  # the stale cookie is a page's business


def test_the_api_answers_errors_in_its_format_with_a_session_cookie(client, content):
    for method, url, status in (
        ("get", "/api/v1/nothing", 404),
        ("post", API, 405),
        ("get", "/api/v1/diagnose?model=nissan-qashqai", 400),
    ):
        response = getattr(client, method)(url, HTTP_COOKIE=STALE_SESSION)
        assert response.status_code == status, url
        assert set(response.json()) == {"error", "errors"}, url
        assert not response.cookies and "Cookie" not in response["Vary"], url


def test_a_page_still_clears_a_stale_session_cookie(client, content):
    response = client.get("/nissan-qashqai/", HTTP_COOKIE=STALE_SESSION)
    assert response.cookies["sessionid"].value == ""
    assert "Cookie" in response["Vary"]


def test_staff_still_log_in_and_use_the_admin(client, content):
    User.objects.create_user("editor", password="pw-for-tests-123", is_staff=True)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": "pw-for-tests-123"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_checks_find_sessions_authentication_and_messages():
    found = {message.id for message in checks.run_checks()}
    assert not found & {"admin.E408", "admin.E409", "admin.E410"}
