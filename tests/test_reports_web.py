"""“Did this fix it?”: the owner's report from a result or a repair card (issue 11, item 1)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from diagnosis.views import STEP_MAX_AGE
from kb.middleware import PAGE_TIMEOUT
from reports.models import OwnerReport

pytestmark = pytest.mark.django_db

WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"
REPORT = WIZARD + "report/"
FAULT_PAGE = "/nissan-qashqai/trunk-wont-open/faults/lock-frozen/"
# Seven answers that all point at the broken cable: the wizard has finished (test_diagnosis_web).
DONE = (
    "freezing-temperature:n,handle-cracked:n,handle-no-resistance:y,high-mileage-yanked:y,"
    "lid-press-releases:n,motor-clicks-lid-stays:y,no-sound-on-press:n"
)  # in the canonical order, the symptoms' slugs
RESULT = f"{WIZARD}?generation=j10&answers={DONE}"


def token_of(html: str) -> str:
    return re.search(r'name="report_token" value="([^"]+)"', html).group(1)


def form_data(token, **changes):
    data = {
        "report_token": token,
        "generation": "j10",
        "answers": DONE,
        "fault": "release-cable-broken",
        "other_text": "",
        "model_year": "2011",
        "mileage": "160000",
        "website": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def owner(content):
    """An anonymous owner's browser, with the result page open."""
    client = Client(REMOTE_ADDR="203.0.113.7")
    page = client.get(RESULT).content.decode()
    return client, token_of(page)


def test_the_result_offers_the_report_form_with_the_causes_best_first(client, content):
    page = client.get(RESULT).content.decode()
    assert "Did this fix it?" in page
    form = page[page.index('class="report-form"') :]
    values = re.findall(r'name="fault" value="([^"]+)"', form)
    assert values[0] == "release-cable-broken"  # the top cause of this result comes first
    assert values[-1] == "other"
    assert f'name="answers" value="{DONE}"' in form


def test_a_question_step_shows_no_report_form(client, content):
    page = client.get(WIZARD, {"generation": "j11"}).content.decode()
    assert "report-form" not in page
    # nor its stylesheet: a step's first view must stay under 30 KB (bench/lighthouse.py)
    assert "report" not in " ".join(re.findall(r"<link [^>]*>", page))


@pytest.mark.parametrize("url", [RESULT, FAULT_PAGE])
def test_the_report_form_brings_its_own_stylesheet_once(client, content, url):
    page = client.get(url).content.decode()
    stylesheets = re.findall(r'<link rel="stylesheet" href="[^"]*report[^"]*"', page)
    assert len(stylesheets) == 1
    assert page.index(stylesheets[0]) < page.index('id="report"')


def test_the_repair_card_offers_the_form_with_its_fault_chosen(client, content):
    page = client.get(FAULT_PAGE).content.decode()
    assert 'name="fault" value="lock-frozen" required checked' in page
    assert '<select id="report-generation" name="generation" required' in page


def test_a_report_is_stored_with_the_state_the_ranking_and_the_content_version(owner):
    client, token = owner
    response = client.post(REPORT, form_data(token))
    assert response.status_code == 303
    report = OwnerReport.objects.get()
    assert (report.problem.slug, report.generation.code) == ("trunk-wont-open", "j10")
    assert report.answers == DONE
    assert report.fault.slug == "release-cable-broken"
    assert (report.model_year, report.mileage) == (2011, 160000)
    assert report.ranking[0][0] == "release-cable-broken"
    assert report.content_version
    assert report.status == OwnerReport.Status.NEW


def test_the_ranking_stored_is_recomputed_on_the_server_not_taken_from_the_page(owner):
    client, token = owner
    client.post(REPORT, {**form_data(token), "ranking": "lock-frozen:1"})
    api = client.get(
        "/api/v1/diagnose",
        {
            "model": "nissan-qashqai",
            "problem": "trunk-wont-open",
            "generation": "j10",
            "answers": DONE,
        },
    ).json()
    expected = [[c["fault"], c["probability"]] for c in api["candidates"]]
    assert OwnerReport.objects.get().ranking == expected


def test_without_javascript_the_post_redirects_to_a_thank_you_page(owner):
    client, token = owner
    response = client.post(REPORT, form_data(token), follow=True)
    assert response.redirect_chain[0][1] == 303
    page = response.content.decode()
    assert "Thank you: your report is in" in page and "<html" in page
    assert f"generation=j10&amp;answers={DONE}" in page  # back to the result


def test_with_htmx_the_post_answers_the_thank_you_partial(owner):
    client, token = owner
    response = client.post(REPORT, form_data(token), headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thank you: your report is in" in page and "<html" not in page
    assert OwnerReport.objects.count() == 1


def test_something_else_needs_a_few_words(owner):
    client, token = owner
    response = client.post(REPORT, form_data(token, fault="other", other_text=""))
    assert response.status_code == 400
    assert "Say in a few words what it was." in response.content.decode()
    client.post(REPORT, form_data(token, fault="other", other_text="The tailgate strut"))
    report = OwnerReport.objects.get()
    assert (report.fault, report.other_text) == (None, "The tailgate strut")


def test_a_text_over_500_characters_is_refused_and_nothing_stored(owner):
    client, token = owner
    response = client.post(REPORT, form_data(token, fault="other", other_text="x" * 501))
    assert response.status_code == 400
    assert "at most 500 characters" in response.content.decode()
    assert not OwnerReport.objects.exists()


def test_a_year_outside_the_generation_is_named(owner):
    client, token = owner
    response = client.post(
        REPORT, form_data(token, model_year="2019"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "2019 is not a year of the J10" in response.content.decode()
    assert "<html" not in response.content.decode()  # the form partial, swapped in place


def test_answers_that_do_not_parse_are_refused(owner):
    client, token = owner
    response = client.post(REPORT, form_data(token, answers="bogus:y"))
    assert response.status_code == 400
    assert "Unknown symptom" in response.content.decode()
    assert not OwnerReport.objects.exists()


# --- abuse and privacy -----------------------------------------------------------------------


def test_report_without_csrf_token_is_rejected(owner):
    client, token = owner
    data = form_data(token)
    del data["report_token"]
    response = client.post(REPORT, data)
    assert response.status_code == 403
    assert not OwnerReport.objects.exists()


def test_report_with_a_forged_token_is_rejected(owner):
    client, token = owner
    response = client.post(REPORT, form_data(token[:-3] + "abc"))
    assert response.status_code == 403
    assert not OwnerReport.objects.exists()


def test_report_posted_from_another_site_is_rejected_even_with_a_token(owner):
    client, token = owner
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        assert client.post(REPORT, form_data(token), headers=headers).status_code == 403
    assert not OwnerReport.objects.exists()
    same = client.post(REPORT, form_data(token), headers={"Origin": "http://testserver"})
    assert same.status_code == 303


def test_a_token_of_another_problem_is_rejected(owner):
    client, _ = owner
    other_card = "/nissan-qashqai/trunk-opens-then-closes/faults/latch-misadjusted/"
    other_token = token_of(client.get(other_card).content.decode())
    assert client.post(REPORT, form_data(other_token)).status_code == 403
    assert not OwnerReport.objects.exists()


def test_an_expired_form_comes_back_with_a_fresh_token_and_nothing_stored(owner, settings):
    client, token = owner
    settings.REPORT_FORM_MAX_AGE = -1
    response = client.post(REPORT, form_data(token))
    assert response.status_code == 400
    assert "open too long" in response.content.decode()
    assert not OwnerReport.objects.exists()


def test_the_honeypot_stores_nothing_and_thanks_all_the_same(owner):
    client, token = owner
    response = client.post(REPORT, form_data(token, website="http://spam.example"), follow=True)
    assert "Thank you" in response.content.decode()
    assert not OwnerReport.objects.exists()


def test_anonymous_report_stores_no_address_and_sets_no_cookie(owner):
    client, token = owner
    responses = [client.get(RESULT), client.post(REPORT, form_data(token))]
    responses.append(client.get(responses[1]["Location"]))
    responses.append(client.post(REPORT, form_data(token), headers={"HX-Request": "true"}))
    for response in responses:
        assert not response.cookies, response.cookies
        assert "Set-Cookie" not in str(response.serialize_headers())
    assert not client.cookies
    stored = [str(value) for report in OwnerReport.objects.values() for value in report.values()]
    stored += [str(v) for row in OwnerReport.history.values() for v in row.values()]
    assert not any("203.0.113.7" in value for value in stored)
    field_names = {f.name for f in OwnerReport._meta.get_fields()}
    assert not field_names & {"ip", "ip_address", "address", "user", "session"}


def test_rate_limit_answers_429_after_the_limit_and_stores_nothing_beyond(owner, settings):
    settings.REPORT_RATE_LIMIT = 3
    client, token = owner
    statuses = [client.post(REPORT, form_data(token)).status_code for _ in range(5)]
    assert statuses == [303, 303, 303, 429, 429]
    assert OwnerReport.objects.count() == 3
    refused = client.post(REPORT, form_data(token))
    assert "Too many reports" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert "no-store" in refused["Cache-Control"]
    # another address is not held back by this one
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.post(REPORT, form_data(token)).status_code == 303


def everything_in_the_caches() -> bytes:
    """Every key and value in every cache (pages and state), raw (local memory or Redis)."""
    from django.core.cache import caches

    found = []
    for alias in settings.CACHES:
        cache = caches[alias]
        if hasattr(cache, "_cache") and isinstance(cache._cache, dict):  # local memory
            found += [key.encode() + b" " + value for key, value in cache._cache.items()]
            continue
        client = cache._cache.get_client()
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*"))
        found += [key + b" " + (client.dump(key) or b"") for key in keys]
    return b" ".join(found)


def test_the_rate_limit_keeps_only_a_keyed_hash_of_the_address_in_any_cache(owner):
    client, token = owner
    client.post(REPORT, form_data(token))
    stored = everything_in_the_caches()
    assert b"rate:reports.fix:" in stored  # the count is there
    assert b"203.0.113.7" not in stored


def test_the_rate_limit_key_is_a_keyed_hash_not_the_address(rf):
    from reports.guards import rate_key

    request = rf.post(REPORT, REMOTE_ADDR="203.0.113.7")
    key = rate_key("reports.fix", request)
    assert "203.0.113.7" not in key and len(key) == 64
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "SECRET_KEY", "another-secret-key-for-this-test-only-0123456789")
        assert rate_key("reports.fix", request) != key  # keyed: no table of hashes undoes it


# --- the shared page cache --------------------------------------------------------------------


def test_a_result_page_from_the_shared_cache_still_carries_a_form_that_posts(content, settings):
    settings.LOCAL_PAGE_ENTRIES = 0  # each rendered page is shared at once (with Redis: 512)
    first = Client(REMOTE_ADDR="192.0.2.1")
    rendered = first.get(RESULT)
    assert rendered.templates  # rendered, and stored
    second = Client(REMOTE_ADDR="192.0.2.2")
    cached = second.get(RESULT)
    assert not cached.templates  # served from the shared cache
    assert cached.content == rendered.content
    response = second.post(REPORT, form_data(token_of(cached.content.decode())))
    assert response.status_code == 303
    assert OwnerReport.objects.count() == 1


def test_a_form_outlives_every_cached_copy_of_its_page():
    # The shared cache keeps a page PAGE_TIMEOUT seconds, browsers STEP_MAX_AGE more.
    assert settings.REPORT_FORM_MAX_AGE > PAGE_TIMEOUT + STEP_MAX_AGE


def test_posts_and_thank_you_pages_are_never_cached(owner):
    client, token = owner
    posted = client.post(REPORT, form_data(token))
    thanks_url = posted["Location"]
    for response in (posted, client.get(thanks_url), client.get(thanks_url)):
        assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert client.get(thanks_url).templates  # rendered each time, not from the page cache


def test_reports_of_a_draft_problem_are_not_taken(owner):
    from kb.models import Problem

    client, token = owner
    Problem.objects.filter(slug="trunk-wont-open").update(is_published=False)
    from diagnosis import content as compiled_content
    from kb.content_version import bump_content_version

    bump_content_version()
    compiled_content._local.clear()
    assert client.post(REPORT, form_data(token)).status_code == 404
    assert not OwnerReport.objects.exists()


def test_a_get_of_the_report_address_is_not_allowed(client, content):
    assert client.get(REPORT).status_code == 405
