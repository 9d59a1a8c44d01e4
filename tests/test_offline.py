"""Offline support on the server side: the service worker, its precache list, the offline
page and the manifest (the browser behaviour is in tests/browser/test_offline.py)."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.templatetags.static import static

from kb.http import code_version
from kb.models import Problem, not_reserved
from tests.test_seo import sitemap_text

pytestmark = pytest.mark.django_db


def precache_list(body: str) -> list[str]:
    return json.loads(re.search(r"var PRECACHE = (\[.*?\]);", body).group(1))


def emergency_problems() -> list[Problem]:
    """The problems that name an emergency procedure: in the shipped content, both trunk
    problems (the emergency opening from the passenger compartment). Asserted, so that the
    loops over them below cannot check nothing."""
    problems = list(
        Problem.objects.exclude(emergency_procedure=None).select_related("emergency_procedure")
    )
    assert {p.slug for p in problems} == {"trunk-wont-open", "trunk-opens-then-closes"}
    return problems


def test_service_worker_is_served_from_the_root_and_never_cached_stale(client, content):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert f'var VERSION = "{code_version()}";' in response.content.decode()


def test_service_worker_keeps_the_shell_and_every_emergency_procedure(client, content):
    precache = precache_list(client.get("/sw.js").content.decode())
    assert {"/", "/offline/", static("css/site.css"), static("js/htmx.min.js")} <= set(precache)
    emergencies = {p.emergency_procedure.get_absolute_url() for p in emergency_problems()}
    assert emergencies and emergencies <= set(precache)
    for path in precache:
        if not path.startswith("/static/"):
            assert client.get(path).status_code == 200, path


def test_offline_page_links_the_emergency_procedures_and_is_not_indexed(client, content):
    response = client.get("/offline/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>You are offline</h1>" in html
    assert '<meta name="robots" content="noindex">' in html
    for problem in emergency_problems():
        assert f'href="{problem.emergency_procedure.get_absolute_url()}"' in html
    assert "/offline/" not in sitemap_text(client)


def test_every_page_links_the_manifest_and_registers_the_worker_without_inline_script(
    client, content
):
    html = client.get("/").content.decode()
    assert f'<link rel="manifest" href="{static("site.webmanifest")}">' in html
    assert f'<script src="{static("js/offline.js")}" defer></script>' in html
    assert "<script>" not in html  # the CSP allows no inline script


def test_offline_cannot_be_a_model_slug():
    with pytest.raises(ValidationError):
        not_reserved("offline")


def offline_pages(body: str) -> list[dict]:
    return json.loads(re.search(r"var OFFLINE_PAGES = (\[.*?\]);", body).group(1))


def test_the_worker_keeps_each_languages_offline_page_and_emergency_procedures(client, content):
    body = client.get("/sw.js").content.decode()
    precache = set(precache_list(body))
    assert {"/", "/offline/", "/ru/", "/ru/offline/"} <= precache
    for problem in emergency_problems():
        english = problem.emergency_procedure.get_absolute_url()
        assert {english, f"/ru{english}"} <= precache
    # Matched in this order against the URL that failed: a Russian URL gets the Russian page.
    assert [(page["prefix"], page["url"]) for page in offline_pages(body)] == [
        ("/ru/", "/ru/offline/"),
        ("/", "/offline/"),
    ]
    texts = [page["text"] for page in offline_pages(body)]
    assert texts == ["Нет подключения к интернету.", "You are offline."]


def test_the_russian_offline_page_is_in_russian_and_links_the_russian_procedures(client, content):
    html = client.get("/ru/offline/").content.decode()
    assert '<html lang="ru">' in html
    assert "<h1>Нет подключения к интернету</h1>" in html
    assert '<meta name="robots" content="noindex">' in html
    for problem in emergency_problems():
        assert f'href="/ru{problem.emergency_procedure.get_absolute_url()}"' in html
