"""The API's catalogue: makes -> models -> generations -> problems, each with its URLs, so a
workshop system walks from the list of makes to a diagnosis by following links (issue 24,
item 5; the document: tests/test_api_openapi.py).

Lists are paged (kb.catalogue.PAGE_SIZE a page; set smaller here to page the few makes a test
builds), public, cached once under their canonical URL, in English or Russian as the
diagnose endpoint is, and list only what owners can use: no draft.
"""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kb import catalogue
from kb.models import Problem, VehicleModel
from tests import openapi_document as doc
from tests.test_many_models import synthetic_kb

pytestmark = pytest.mark.django_db

MAKES = "/api/v1/makes"
MODELS = "/api/v1/makes/nissan/models"
GENERATIONS = "/api/v1/models/nissan-qashqai/generations"
PROBLEMS = "/api/v1/models/nissan-qashqai/generations/j11/problems"


def get(client, url, checked=True) -> dict:
    """The body of a 200, checked against the document (unless the page size is changed)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return doc.check(response) if checked else response.json()


def page_entries() -> int:
    """Stored pages under this test run's key prefix (as tests/test_canonical_urls.py counts)."""
    store = cache._cache
    if isinstance(store, dict):
        return sum(1 for key in store if ":page:" in key)
    prefix = re.sub(r"([\\*?\[\]])", r"\\\1", cache.key_prefix)
    return sum(1 for _ in store.get_client().scan_iter(match=f"{prefix}:*:page:*"))


# --- the walk ------------------------------------------------------------------------------------


def test_a_client_walks_from_the_makes_to_a_diagnosis_by_links_alone(client, content):
    makes = get(client, MAKES)
    assert [make["slug"] for make in makes["items"]] == ["nissan"]
    models = get(client, makes["items"][0]["links"]["models"])
    assert models["make"] == {"slug": "nissan", "name": "Nissan"}
    (qashqai,) = models["items"]
    assert (qashqai["slug"], qashqai["full_name"], qashqai["problems"]) == (
        "nissan-qashqai",
        "Nissan Qashqai",
        2,
    )
    generations = get(client, qashqai["links"]["generations"])
    assert [g["code"] for g in generations["items"]] == ["j10", "j11", "j11-facelift", "j12"]
    assert generations["items"][-1]["year_to"] is None  # still in production
    j11 = generations["items"][1]
    problems = get(client, j11["links"]["problems"])
    assert problems["generation"]["code"] == "j11"
    trunk = next(p for p in problems["items"] if p["slug"] == "trunk-wont-open")
    # the diagnose link is canonical: it answers 200 at once, with the first question
    diagnosis = get(client, trunk["links"]["diagnose"])
    assert diagnosis["generation"] == "j11" and diagnosis["next_question"]
    assert diagnosis["links"]["self"] == trunk["links"]["diagnose"]
    # and every public page named on the way is there
    for url in (
        qashqai["links"]["page"],
        j11["links"]["page"],
        trunk["links"]["page"],
        trunk["links"]["wizard"],
    ):
        assert client.get(url).status_code == 200, url
    assert trunk["links"]["wizard"] == diagnosis["links"]["wizard"]


def test_each_list_links_up_to_the_one_above(client, content):
    assert get(client, MODELS)["links"]["up"] == MAKES
    assert get(client, GENERATIONS)["links"]["up"] == MODELS
    assert get(client, PROBLEMS)["links"]["up"] == GENERATIONS
    assert "up" not in get(client, MAKES)["links"]


# --- languages -----------------------------------------------------------------------------------


def test_lang_ru_gives_russian_names_russian_pages_and_keeps_lang_in_every_api_link(
    client, content
):
    problems = get(client, f"{PROBLEMS}?lang=ru")
    trunk = problems["items"][0]
    assert trunk["title"] == "Не\xa0открывается багажник"  # as the page: kb/typography.py
    assert trunk["links"]["page"].startswith("/ru/nissan-qashqai/")
    assert trunk["links"]["wizard"].startswith("/ru/nissan-qashqai/")
    assert trunk["links"]["diagnose"].endswith("&generation=j11&lang=ru")
    assert problems["links"]["self"] == f"{PROBLEMS}?lang=ru"
    assert problems["links"]["up"] == f"{GENERATIONS}?lang=ru"
    diagnosis = get(client, trunk["links"]["diagnose"])
    assert not diagnosis["next_question"]["text"].isascii()  # asked in Russian
    walked = get(client, f"{MAKES}?lang=ru")["items"][0]["links"]["models"]
    assert walked == f"{MODELS}?lang=ru"


def test_accept_language_chooses_the_language_and_the_responses_vary_on_it(client, content):
    response = client.get(PROBLEMS, HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    assert response.json()["items"][0]["title"] == "Не\xa0открывается багажник"
    assert "Accept-Language" in response["Vary"]
    assert response["Content-Language"] == "ru"
    english = client.get(PROBLEMS, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["items"][0]["title"] == "Trunk won't open"


# --- one state, one URL, cached once --------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "canonical"),
    [
        (f"{MAKES}?utm_source=mail", MAKES),
        (f"{MAKES}?page=1", MAKES),
        (f"{MAKES}?lang=RU&x=1", f"{MAKES}?lang=ru"),
        (f"{MAKES}?lang=xx", MAKES),
        (f"{MODELS}?lang=ru&page=1", f"{MODELS}?lang=ru"),
        (f"{GENERATIONS}?page=2", GENERATIONS),  # not paged: page is unknown there
        (f"{PROBLEMS}?fbclid=1&lang=en", f"{PROBLEMS}?lang=en"),
    ],
)
def test_another_spelling_is_redirected_to_the_canonical_url(client, content, asked, canonical):
    response = client.get(asked)
    assert response.status_code == 301
    assert response["Location"] == canonical
    assert "public" in response["Cache-Control"]


def test_a_catalogue_page_is_public_and_stored_once_whatever_its_spellings(settings, content):
    settings.LOCAL_PAGE_ENTRIES = 0  # each storable page goes to the shared cache at once
    shared = Client()
    first = shared.get(PROBLEMS)
    assert first["Cache-Control"] == "public, max-age=300"
    for n in range(20):
        assert shared.get(f"{PROBLEMS}?x={n}").status_code == 301
    assert page_entries() == 1
    again = shared.get(PROBLEMS)
    assert again.content == first.content
    assert page_entries() == 1


def test_an_edit_shows_in_the_catalogue_at_once(
    client, content, django_capture_on_commit_callbacks
):
    before = get(client, PROBLEMS)
    problem = Problem.objects.get(slug="trunk-wont-open")
    problem.title_en = "Boot won't open"
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on COMMIT
        problem.save()
    after = get(client, PROBLEMS)
    titles = [item["title"] for item in after["items"]]
    assert "Boot won't open" in titles and before != after


# --- drafts ----------------------------------------------------------------------------------------


def test_a_draft_problem_is_listed_nowhere(client, content):
    Problem.objects.filter(slug="trunk-opens-then-closes").update(is_published=False)
    cache.clear()
    slugs = [item["slug"] for item in get(client, PROBLEMS)["items"]]
    assert slugs == ["trunk-wont-open"]
    assert get(client, MODELS)["items"][0]["problems"] == 1


def test_a_model_with_only_drafts_and_its_make_are_not_listed(client, content):
    Problem.objects.update(is_published=False)
    cache.clear()
    assert get(client, MAKES)["items"] == []
    for url in (MODELS, GENERATIONS, PROBLEMS):
        response = client.get(url)
        assert response.status_code == 404, url
        assert doc.check_error(response)["error"]["valid"] == []  # nothing to name


# --- paging -----------------------------------------------------------------------------------------


@pytest.fixture
def many_makes(content, monkeypatch):
    """5 makes (the shipped one and 4 synthetic ones of 10 models each), 3 a page."""
    synthetic_kb().build(40)
    monkeypatch.setattr(catalogue, "PAGE_SIZE", 3)


def test_next_links_walk_every_make_once_in_slug_order(client, many_makes):
    seen, url, pages = [], MAKES, 0
    while url:
        body = get(client, url, checked=False)
        seen += [make["slug"] for make in body["items"]]
        assert body["page"]["size"] == 3 and body["page"]["count"] == 5
        url = body["links"]["next"]
        pages += 1
    assert seen == ["make-01", "make-02", "make-03", "make-04", "nissan"]
    assert pages == 2
    last = get(client, f"{MAKES}?page=2", checked=False)
    assert last["links"] == {"self": f"{MAKES}?page=2", "next": None, "prev": MAKES}


def test_a_makes_models_are_paged_and_keep_the_language(client, many_makes):
    first = get(client, "/api/v1/makes/make-01/models?lang=ru", checked=False)
    assert first["page"] == {"number": 1, "size": 3, "pages": 4, "count": 10}
    assert first["links"]["next"] == "/api/v1/makes/make-01/models?page=2&lang=ru"
    assert first["make"]["name"] == "Марка 01"
    assert first["items"][0]["name"] == "Модель 001"
    fourth = get(client, "/api/v1/makes/make-01/models?page=4&lang=ru", checked=False)
    assert [m["slug"] for m in fourth["items"]] == ["make-01-model-010"]


@pytest.mark.parametrize(
    ("page", "status", "part"),
    [("3", 404, "page"), ("0", 400, "page"), ("-1", 400, "page"), ("2.5", 400, "page")],
)
def test_a_page_that_is_not_there_is_an_error_naming_the_page(
    client, many_makes, page, status, part
):
    response = client.get(f"{MAKES}?page={page}")
    assert response.status_code == status
    error = doc.check_error(response)["error"]
    assert error["part"] == part
    if status == 404:
        assert error["valid"] == ["1–2"]


def test_a_catalogue_page_costs_the_same_queries_with_many_models(client, content):
    counts = []
    for extra in (0, 40):
        if extra:
            synthetic_kb().build(extra)
        for url in (MAKES, "/api/v1/makes/nissan/models", GENERATIONS, PROBLEMS):
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
    assert counts[:4] == counts[4:], counts
    assert VehicleModel.objects.count() == 41
