"""The public pages: what each shows, 404s, query counts, caching (ETag, 304, HTML cache)."""

import gzip
import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from kb.models import FaultRate, Generation, Problem, Procedure, RateLevel
from kb.queries import RateColumn
from web import compression

pytestmark = pytest.mark.django_db

BASE = Path(__file__).resolve().parent.parent
MODEL = "/nissan-qashqai/"
PROBLEM = "/nissan-qashqai/trunk-wont-open/"
PAGES = [
    "/",
    "/search/",
    "/search/?q=frozen",
    MODEL,
    "/nissan-qashqai/faq/",
    "/nissan-qashqai/generations/j10/",
    "/nissan-qashqai/generations/j11-facelift/",
    PROBLEM,
    "/nissan-qashqai/trunk-opens-then-closes/",
    "/nissan-qashqai/trunk-wont-open/faults/lock-frozen/",
    "/nissan-qashqai/trunk-opens-then-closes/faults/latch-misadjusted/",
    "/nissan-qashqai/procedures/replace-electromagnetic-lock/",
    "/nissan-qashqai/procedures/open-trunk-from-passenger-compartment/",
]
# Queries a page may cost with a cold cache: constant, whatever the size of the content.
MAX_QUERIES = 10


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


@pytest.mark.parametrize("url", PAGES)
def test_each_page_answers_with_title_description_canonical_and_one_h1(
    client, content, parse_page, url
):
    response = client.get(url)
    assert response.status_code == 200
    page = parse_page(response)
    assert 10 <= len(page.title) <= 90, page.title
    assert len(page.meta["description"]) >= 50
    assert page.links["canonical"] == "http://testserver" + url.split("?")[0]
    assert page.meta["og:title"] == page.title
    assert page.meta["og:description"] == page.meta["description"]
    assert page.meta["og:url"] == page.links["canonical"]
    assert page.meta["og:type"] in {"website", "article"}
    assert len(page.h1) == 1
    assert "main" in page.ids
    assert page.duplicate_ids == []


@pytest.mark.parametrize("url", PAGES)
def test_no_inline_styles_and_only_data_or_external_scripts(client, content, parse_page, url):
    response = client.get(url)
    page = parse_page(response)
    assert page.inline_styles == 0
    assert page.style_elements == 0
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    for attrs, _ in page.scripts:
        if "src" not in attrs:  # only JSON-LD data blocks, which CSP does not gate
            assert attrs.get("type") == "application/ld+json"


def test_home_lets_the_user_choose_the_problem_type_a_year_search_and_start(
    client, content, parse_page
):
    response = client.get("/")
    html = response.content.decode()
    problem = Problem.objects.get(slug="trunk-wont-open")
    diagnose = problem.get_diagnose_url()
    assert diagnose == "/nissan-qashqai/trunk-wont-open/diagnose/"
    assert re.search(rf'<a class="button button-big" href="{diagnose}">Start diagnosis</a>', html)
    # The year goes to the wizard by a plain GET form.
    form = re.search(rf'<form[^>]*method="get" action="{diagnose}">(.*?)</form>', html, re.S)
    assert form and 'name="year"' in form.group(1)
    assert re.search(r'<label for="year-nissan-qashqai-trunk-wont-open">', form.group(1))
    # One tap to a generation.
    assert f'href="{diagnose}?generation=j10"' in html
    # The other problem, the emergency card and a search box.
    assert 'href="/nissan-qashqai/trunk-opens-then-closes/"' in html
    assert 'href="/nissan-qashqai/procedures/open-trunk-from-passenger-compartment/"' in html
    assert re.search(
        r'<form class="search-form" role="search" method="get" action="/search/">', html
    )
    website = [d for d in parse_page(response).json_ld if d["@type"] == "WebSite"]
    assert website and website[0]["potentialAction"]["@type"] == "SearchAction"


SEED_LEVELS = {
    "J10 (2007–2013)": ["high", "average", "low", "high"],
    "J11 (2014–2021)": ["average", "high", "average", "average"],
    "J12 (2022–)": ["low", "average", "high", "low"],
}
SEED_ROWS = ["Broken drive cable", "Lock malfunction", "Electronics failure", "Handle breakage"]


def rate_matrix(html: str, table_id: str = "rate-table"):
    table = re.search(rf'<table class="rates" id="{table_id}">(.*?)</table>', html, re.S).group(1)
    heads = [
        " ".join(re.sub(r"<[^>]+>", " ", h).split())
        for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table, re.S)
    ][1:]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)(?:<span|</th>)(.*?)</tr>", table, re.S)
    names = [name.strip() for name, _ in rows]
    levels = [re.findall(r'data-level="([^"]*)"', cells) for _, cells in rows]
    labels = [re.findall(r'data-level="[^"]*">([^<]*)<', cells) for _, cells in rows]
    return heads, names, levels, labels


def test_problem_page_shows_the_seed_rate_table_with_its_12_levels(client, content):
    html = client.get(PROBLEM).content.decode()
    heads, names, levels, labels = rate_matrix(html)
    assert heads == list(SEED_LEVELS)
    assert names == SEED_ROWS
    columns = {head: [row[i] for row in levels] for i, head in enumerate(heads)}
    assert columns == SEED_LEVELS
    assert sum(len(row) for row in levels) == 12
    # Readable in text, not colour alone: each cell says its level in words, and has its class.
    assert {label for row in labels for label in row} == {"High", "Average", "Low"}
    assert 'class="lvl lvl-high" data-level="high">High<' in html


def test_rate_table_splits_the_j11_column_once_the_facelift_differs(client, content):
    facelift = Generation.objects.get(code="j11-facelift")
    rate = FaultRate.objects.get(group__slug="lock-malfunction", generation=facelift)
    rate.level = RateLevel.objects.get(slug="low")
    rate.save()
    heads, _, levels, _ = rate_matrix(client.get(PROBLEM).content.decode())
    assert heads == [
        "J10 (2007–2013)",
        "J11 (2014–2017)",
        "J11 facelift (2018–2021)",
        "J12 (2022–)",
    ]
    assert [row[2] for row in levels] == ["average", "low", "average", "average"]


def test_merged_column_label_names_unrelated_generations_in_full():
    first = Generation(code="a", name="Mk1", year_from=2000, year_to=2004)
    second = Generation(code="b", name="Mk2", year_from=2005, year_to=None)
    assert RateColumn((first, second)).heading == "Mk1 / Mk2 (2000–)"
    assert RateColumn((first,)).heading == "Mk1 (2000–2004)"


def test_problem_page_holds_the_article_knowledge(client, content):
    response = client.get(PROBLEM)
    html = response.content.decode()
    text = text_of(response)
    # Emergency access near the top, before the causes.
    emergency = html.index('id="emergency-heading"')
    assert emergency < html.index('id="causes-heading"')
    assert 'href="/nissan-qashqai/procedures/open-trunk-from-passenger-compartment/"' in html
    # Causes grouped by category, with their signs.
    for heading in ["Electrical supply", "Smart Key", "Mechanical: handle and cable"]:
        assert f'<h3 class="category">{heading}</h3>' in html
    assert "Lock and drive" in text and "Software" in text
    assert "Complete silence when you press the open button: no relay click" in text
    for fault in ["lock-frozen", "handle-broken", "trunk-fuse-blown", "bcm-software-glitch"]:
        assert f'href="{PROBLEM}faults/{fault}/"' in html
    # Quick checks from the simplest to the most complex (Procedure.order).
    checks = re.search(r'id="checks-heading".*?</section>', html, re.S).group(0)
    found = re.findall(r'class="proc-title" href="/nissan-qashqai/procedures/([^/]+)/"', checks)
    expected = list(
        Procedure.objects.filter(kind="quick-check", faults__problem__slug="trunk-wont-open")
        .distinct()
        .order_by("order")
        .values_list("slug", flat=True)
    )
    assert found == expected and found[0] == "check-car-battery"
    # Prevention with the maintenance schedule, the used-car advice, FAQ and warnings.
    assert "Every six months" in text
    assert "graphite or silicone" in text
    assert "open and close the trunk several times in a row" in text
    assert "Can the trunk be opened through the fuel filler door?" in text
    for warning in [
        "Do not pull the handle by force",
        "Disconnecting the battery resets personal settings",
        "Never force a frozen lock",
    ]:
        assert warning in text
    assert html.count('href="/nissan-qashqai/trunk-wont-open/diagnose/"') >= 2


def test_fault_page(client, content):
    response = client.get(PROBLEM + "faults/lock-frozen/")
    html = response.content.decode()
    text = text_of(response)
    assert "Freezing of the mechanism in winter" in text
    assert 'href="/nissan-qashqai/procedures/thaw-frozen-lock/"' in html
    assert 'href="/nissan-qashqai/trunk-wont-open/diagnose/"' in html
    heads, names, levels, _ = rate_matrix(html, "fault-rates")
    assert names == ["Lock malfunction"]
    assert levels == [["average", "high", "average"]]


def test_procedure_page_shows_steps_with_warnings_where_they_apply_tools_and_costs(client, content):
    response = client.get("/nissan-qashqai/procedures/replace-electromagnetic-lock/")
    text = text_of(response)
    assert "Original part 15,000–25,000 RUB" in text
    assert "Aftermarket part 5,000–10,000 RUB" in text
    assert "Labor 3,000–5,000 RUB" in text
    assert "Time 1–2 h" in text
    assert "Difficulty Hard: best left to a workshop" in text
    assert "Multimeter" in text
    html = client.get("/nissan-qashqai/procedures/open-trunk-from-passenger-compartment/").content
    html = html.decode()
    steps = dict(re.findall(r'<li id="step-(\d+)">(.*?)</li>', html, re.S))
    assert "Do not pull the handle by force" in steps["5"]
    assert all("Warning" not in body for number, body in steps.items() if number != "5")
    assert 'href="/nissan-qashqai/trunk-wont-open/faults/release-cable-broken/"' in html


def test_generation_page_lists_the_most_common_faults_first(client, content):
    response = client.get("/nissan-qashqai/generations/j12/")
    text = text_of(response)
    assert "2022–" in text
    assert text.index("Electronics failure") < text.index("Lock malfunction")
    assert text.index("Lock malfunction") < text.index("Broken drive cable")
    assert 'href="/nissan-qashqai/trunk-wont-open/diagnose/?generation=j12"' in (
        response.content.decode()
    )


def test_vehicle_page_lists_generations_problems_and_procedures(client, content):
    html = client.get(MODEL).content.decode()
    for code in ["j10", "j11", "j11-facelift", "j12"]:
        assert f'href="/nissan-qashqai/generations/{code}/"' in html
    assert 'href="/nissan-qashqai/faq/"' in html
    assert html.count('href="/nissan-qashqai/procedures/') == Procedure.objects.count()


@pytest.mark.parametrize(
    "url",
    [
        "/no-such-model/",
        "/nissan-qashqai/no-such-problem/",
        "/nissan-qashqai/trunk-wont-open/faults/no-such-fault/",
        "/nissan-qashqai/trunk-opens-then-closes/faults/lock-frozen/",
        "/nissan-qashqai/procedures/no-such-procedure/",
        "/nissan-qashqai/generations/j99/",
        "/no-such-model/faq/",
        "/nissan-qashqai/trunk-wont-open/extra/words/",
    ],
)
def test_unknown_slugs_give_a_real_404_page_with_a_way_back(client, content, parse_page, url):
    response = client.get(url)
    assert response.status_code == 404
    page = parse_page(response)
    assert page.h1 == ["Page not found"]
    assert "/" in page.hrefs
    assert 'action="/search/"' in response.content.decode()
    assert page.meta["robots"] == "noindex"
    assert "ETag" not in response


def test_faq_of_a_model_without_entries_is_404(client, content):
    from kb.models import Make, VehicleModel

    VehicleModel.objects.create(make=Make.objects.first(), slug="juke", name="Juke")
    assert client.get("/juke/").status_code == 200
    assert client.get("/juke/faq/").status_code == 404


def test_500_page_renders_without_a_request_or_database():
    html = render_to_string("500.html")
    assert "Something went wrong" in html and 'href="/"' in html


@pytest.mark.parametrize("url", PAGES)
def test_a_page_costs_a_small_constant_number_of_queries_and_none_when_warm(
    client, content, django_assert_max_num_queries, django_assert_num_queries, url
):
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(url).status_code == 200
    if "?" in url or url.startswith("/search/"):
        return  # search pages are not stored
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_query_count_does_not_grow_with_the_content(
    client, content, django_capture_on_commit_callbacks
):
    """Twice as many faults and procedures: the problem page still costs the same queries."""
    problem = Problem.objects.get(slug="trunk-wont-open")
    with CaptureQueriesContext(connection) as before:
        client.get(PROBLEM)
    template = problem.faults.first()
    procedure = Procedure.objects.get(slug="check-trunk-fuse")
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on COMMIT
        for number in range(15):
            new_procedure = Procedure.objects.create(
                vehicle_model=problem.vehicle_model,
                slug=f"extra-check-{number}",
                title=f"Extra check {number}",
                kind="quick-check",
                summary="An extra check.",
                difficulty=1,
                time_min_minutes=5,
                time_max_minutes=10,
                order=200 + number,
            )
            new_procedure.steps.create(number=1, title="Look", text="Look at it.")
            fault = problem.faults.create(
                slug=f"extra-fault-{number}",
                name=f"Extra fault {number}",
                summary="An extra fault.",
                description="It happens.",
                category=template.category,
                group=template.group,
            )
            fault.procedures.add(new_procedure, procedure)
    with CaptureQueriesContext(connection) as after:
        response = client.get(PROBLEM)
    assert "Extra fault 14" in response.content.decode()
    assert len(after) == len(before)


# --- caching ----------------------------------------------------------------------------------


def test_public_page_headers_etag_and_304(client, content, django_assert_num_queries):
    response = client.get(PROBLEM)
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    etag = response["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    with django_assert_num_queries(0):
        again = client.get(PROBLEM, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert "max-age=300" in again["Cache-Control"]
    assert again.content == b""
    # A weak form of the same tag (as after gzip) matches too; another tag does not.
    assert client.get(PROBLEM, headers={"if-none-match": "W/" + etag}).status_code == 304
    assert client.get(PROBLEM, headers={"if-none-match": '"other"'}).status_code == 200
    # Each path has its own tag.
    assert client.get(MODEL)["ETag"] != etag


def test_public_pages_answer_get_and_head_only(client, content):
    assert client.head(PROBLEM).status_code == 200
    assert client.post(PROBLEM).status_code in (403, 405)  # CSRF refuses it first, or 405
    from django.test import RequestFactory

    from kb.views import problem

    response = problem(RequestFactory().put(PROBLEM), model="nissan-qashqai", problem="x")
    assert response.status_code == 405


def test_public_page_max_age_follows_the_setting(client, content, settings):
    settings.PUBLIC_CACHE_SECONDS = 42
    assert "max-age=42" in client.get(MODEL)["Cache-Control"]


def test_editing_a_fault_changes_the_page_and_its_etag(
    client, content, django_capture_on_commit_callbacks
):
    url = PROBLEM + "faults/lock-frozen/"
    first = client.get(url)
    assert first.status_code == 200
    from kb.models import Fault

    fault = Fault.objects.get(slug="lock-frozen")
    fault.name = "Lock frozen solid after the car wash"
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on COMMIT
        fault.save()
    second = client.get(url)
    assert "Lock frozen solid after the car wash" in second.content.decode()
    assert second["ETag"] != first["ETag"]
    # The old tag no longer matches: the client gets the new page, not a 304.
    third = client.get(url, headers={"if-none-match": first["ETag"]})
    assert third.status_code == 200
    # The problem page (which lists the fault) changed as well.
    assert "Lock frozen solid after the car wash" in client.get(PROBLEM).content.decode()


def test_warm_pages_are_served_from_the_cache_whatever_the_cookies(
    client, content, django_assert_num_queries
):
    client.get(MODEL)
    with django_assert_num_queries(0):
        assert client.get(MODEL).status_code == 200
    # Public pages do not depend on the visitor: a cookie cannot force a render (issue 9,
    # hole 7). Staff get them as private, revalidated responses (tests/test_page_cache.py).
    client.cookies["sessionid"] = "anything"
    with django_assert_num_queries(0):
        assert client.get(MODEL).status_code == 200


def test_a_cached_page_keeps_the_content_type_and_no_set_cookie(client, content):
    client.get(PROBLEM)
    response = client.get(PROBLEM)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


# --- weight -----------------------------------------------------------------------------------


def test_css_is_small():
    site = (BASE / "static/css/site.css").stat().st_size
    wizard = (BASE / "static/css/wizard.css").stat().st_size
    assert site < 11 * 1024
    assert site + wizard < 15 * 1024


# A Russian result (bench/lighthouse.py's «result ru»: the battery first, its checks, times and
# prices, the plan, the share card and the report form) and the same result in English.
RESULT_RU = (
    "/ru/nissan-qashqai/trunk-wont-open/diagnose/"
    "?generation=j11&answers=car-electrics-weak:y,no-sound-on-press:y"
)


def first_view_bytes(client, url: str) -> int:
    """What a first view of `url` transfers, compressed: its HTML and every file its <link> and
    <script> tags load, and the manifest's icons (the page's own icon: the same file, once),
    the HTML gzipped as the server sends it (web/compression.py), the files at zlib's level 6 (the
    server sends them in Brotli, smaller), plus 1 KB of headers per response."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    files = re.findall(r'<(?:link|script)\b[^>]*\b(?:href|src)="/static/([^"?#]+)"', html)
    manifest = next(name for name in files if name.endswith(".webmanifest"))
    icons = json.loads((BASE / "static" / manifest).read_text())["icons"]
    files += [icon["src"] for icon in icons if icon["src"] not in files]
    sizes = [len(compression.compress(response.content))]
    sizes += [len(gzip.compress((BASE / "static" / name).read_bytes(), 6)) for name in files]
    return sum(sizes) + 1024 * len(sizes)


@pytest.mark.parametrize("url", [RESULT_RU, RESULT_RU.removeprefix("/ru")], ids=["ru", "en"])
def test_first_view_of_a_result_is_under_30_kb(client, content, url):
    # bench/lighthouse.py holds every audited page to the same budget, as Chromium loads it.
    weight = first_view_bytes(client, url)
    assert weight < 30 * 1024, f"{weight:,} B"


def test_home_first_view_is_under_60_kb_transferred(client, content, parse_page):
    response = client.get("/")
    page = parse_page(response)
    html = gzip.compress(response.content)
    css_path = page.links["stylesheet"].removeprefix("/static/")
    css = gzip.compress((BASE / "static" / css_path).read_bytes())
    icon = (BASE / "static/icons/favicon.svg").read_bytes()
    # The one script registers the service worker (offline after the first visit, issue 10):
    # deferred, small, and the page works without it.
    scripts = [attrs for attrs, _ in page.scripts if "src" in attrs]
    assert scripts == [{"src": "/static/js/offline.js", "defer": None}]
    script = gzip.compress((BASE / "static/js/offline.js").read_bytes())
    assert len(script) < 2 * 1024
    # Headers are generously counted as 1 KB per response.
    assert len(html) + len(css) + len(icon) + len(script) + 4 * 1024 < 30 * 1024
