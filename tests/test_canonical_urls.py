"""One state, one URL, one cache entry (issue 19, item 2; docs/design.md, "One state, one URL").

A diagnosis's state is its URL. Each state has exactly one canonical URL, the one the wizard
links to: ``generation=<code>``, then the answers ordered by their symptoms' slugs, nothing
else. Any other spelling of a valid state (unknown parameters, ``year=``, another order,
case or whitespace) is answered with a 301 to it before anything is rendered or stored, and
the shared page cache stores a page only under its canonical URL. Entries are compressed.
"""

import html
import pickle
import random
import re
from unittest import mock
from urllib.parse import parse_qsl, urlencode

import pytest
from django.core.cache import cache
from django.test import Client

from kb.middleware import HotPages, unpack
from tests.usage_helpers import DIAGNOSE as WIZARD
from web.canonical import SAFE, normalized_query

pytestmark = pytest.mark.django_db

API = "/api/v1/diagnose"
STATE = "generation=j10&answers=handle-no-resistance:y,no-sound-on-press:n"
CANONICAL = f"{WIZARD}?{STATE}"
API_STATE = f"model=nissan-qashqai&problem=trunk-wont-open&{STATE}"


def page_entries() -> int:
    """Stored pages under this test run's key prefix, in local memory or in Redis."""
    store = cache._cache
    if isinstance(store, dict):  # local memory
        return sum(1 for key in store if ":page:" in key)
    prefix = re.sub(r"([\\*?\[\]])", r"\\\1", cache.key_prefix)
    return sum(1 for _ in store.get_client().scan_iter(match=f"{prefix}:*:page:*"))


@pytest.fixture
def shared(settings):
    """A client whose process writes each page it may store to the shared cache at once (no
    process-local layer in front): every entry the middleware makes is counted."""
    settings.LOCAL_PAGE_ENTRIES = 0
    return Client()


# --- junk parameters --------------------------------------------------------------------------


def test_1000_junk_parameters_on_a_valid_state_add_no_cache_entry(shared, content):
    rng = random.Random(19)
    for _ in range(1000):
        junk = f"{CANONICAL}&x={rng.getrandbits(64):x}"
        response = shared.get(junk)
        assert response.status_code == 301 and response["Location"] == CANONICAL
    assert page_entries() == 0
    assert shared.get(CANONICAL).status_code == 200
    assert page_entries() == 1


def test_junk_parameters_reach_no_process_local_page_either(settings, content):
    settings.LOCAL_PAGE_ENTRIES = 8
    client = Client()
    with mock.patch.object(HotPages, "remember", autospec=True) as remember:
        for n in range(50):
            assert client.get(f"{CANONICAL}&utm_source=mail&n={n}").status_code == 301
    remember.assert_not_called()


@pytest.mark.parametrize("junk", ["utm_source=newsletter", "fbclid=IwAR0x", "gclid=Cj0KCQ", "x="])
def test_tracking_parameters_are_redirected_away(client, content, junk):
    response = client.get(f"{CANONICAL}&{junk}")
    assert response.status_code == 301 and response["Location"] == CANONICAL


# --- other spellings of one state ---------------------------------------------------------------

SPELLINGS = {
    "answers in another order": f"{WIZARD}?generation=j10&answers=no-sound-on-press:n,"
    "handle-no-resistance:y",
    "upper case": f"{WIZARD}?generation=J10&answers=Handle-No-Resistance:Y,NO-SOUND-ON-PRESS:n",
    "whitespace": f"{WIZARD}?generation=%20j10&answers=%20handle-no-resistance:y%20,%20"
    "no-sound-on-press%20:%20n",
    "an empty item": f"{WIZARD}?generation=j10&answers=handle-no-resistance:y,,no-sound-on-press:n,",
    "the parameters' order": f"{WIZARD}?answers=handle-no-resistance:y,no-sound-on-press:n"
    "&generation=j10",
    "year for generation": f"{WIZARD}?year=2009&answers=handle-no-resistance:y,no-sound-on-press:n",
    "both year and generation": f"{WIZARD}?generation=j10&year=2009&"
    "answers=handle-no-resistance:y,no-sound-on-press:n",
}


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_another_spelling_of_a_state_is_redirected_to_its_one_url(shared, content, spelling):
    response = shared.get(spelling)
    assert response.status_code == 301
    assert response["Location"] == CANONICAL
    assert "max-age=300" in response["Cache-Control"]  # a while, not forever: years may move
    assert shared.get(response["Location"]).status_code == 200


def test_every_spelling_of_a_state_makes_one_cache_entry(shared, content):
    for spelling in SPELLINGS.values():
        assert shared.get(spelling, follow=True).status_code == 200
    assert page_entries() == 1


def test_percent_encoding_as_http_clients_write_it_is_the_same_url(shared, content):
    """``requests`` and Django's test client encode ``:`` and ``,``: not another spelling."""
    plain = shared.get(CANONICAL)
    encoded = shared.get(WIZARD, {"generation": "j10", "answers": STATE.split("answers=")[1]})
    assert encoded.request["QUERY_STRING"].count("%3A") == 2
    assert encoded.status_code == 200 and encoded.content == plain.content
    assert not encoded.templates  # served from the entry the plain spelling made
    assert page_entries() == 1


def test_a_state_with_nothing_chosen_yet_is_the_bare_wizard(client, content):
    for query in ("?x=1", "?generation=", "?answers=no-sound-on-press:y", "?year="):
        response = client.get(WIZARD + query)
        assert response.status_code == 301 and response["Location"] == WIZARD, query


# --- what is not a valid state: today's behaviour -------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "generation=j10&answers=no-sound-on-press:n,no-sound-on-press:y&x=1",  # answered twice
        "generation=j10&answers=bogus:y&x=1",
        "generation=j99&x=1",
        "year=1950&x=1",
    ],
)
def test_a_query_with_errors_shows_the_message_and_is_never_stored(shared, content, query):
    response = shared.get(f"{WIZARD}?{query}")
    assert response.status_code == 400
    assert b"Part of the link could not be used" in response.content
    assert "public" not in response.get("Cache-Control", "")
    assert page_entries() == 0


# --- the wizard's own links -------------------------------------------------------------------


def _wizard_links(page: str) -> set[str]:
    """Every link and image of a page that leads to one of the wizard's views (GET)."""
    found = re.findall(r'(?:href|src)="((?:http://testserver)?/[^"]*diagnose/[^"]*)"', page)
    return {html.unescape(url).removeprefix("http://testserver") for url in found}


@pytest.mark.parametrize("language", ["", "/ru"])
@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_following_the_wizards_own_links_never_meets_a_redirect(client, content, language, headers):
    """Walk the wizard by its links, several ways, and open every wizard link each step shows
    (answers, the chips that change or remove an answer, start over, share, print, QR code)."""
    rng = random.Random(7)
    seen: set[str] = set()
    for generation in ("j10", "j11", "j12"):
        url = f"{language}{WIZARD}?generation={generation}"
        for _ in range(8):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            page = response.content.decode()
            links = _wizard_links(page) - seen
            for link in sorted(links):
                opened = client.get(link, headers=headers)
                assert opened.status_code == 200, (url, link, opened.get("Location"))
            seen |= links
            answers = re.findall(r'<a class="button button-answer[^"]*" href="([^"]+)"', page)
            if not answers:
                break
            url = html.unescape(rng.choice(answers))
    assert len(seen) > 40


def test_the_year_form_is_redirected_once_to_the_generation(client, content):
    """The year is typed into a GET form, so it arrives as ``?year=``: one redirect, then the
    wizard's links carry the generation."""
    response = client.get(WIZARD, {"year": "2016"}, follow=True)
    assert response.redirect_chain == [(f"{WIZARD}?generation=j11", 301)]
    assert "year=" not in "".join(_wizard_links(response.content.decode()))


def test_an_htmx_request_follows_the_redirect_to_the_canonical_fragment(client, content):
    """htmx's XMLHttpRequest follows a 301 with the same headers, swaps the fragment it ends
    at and pushes that URL (htmx 2 reads ``responseURL``): the address bar is canonical too."""
    htmx = {"HX-Request": "true"}
    response = client.get(SPELLINGS["answers in another order"], headers=htmx, follow=True)
    assert response.redirect_chain == [(CANONICAL, 301)]
    assert response.status_code == 200 and b"<html" not in response.content
    assert response.content == client.get(CANONICAL, headers=htmx).content


def test_print_and_qr_code_are_redirected_like_the_wizard(client, content):
    for view in ("print/", "qr.svg"):
        response = client.get(f"{WIZARD}{view}?{STATE}&utm_source=x")
        assert response.status_code == 301, view
        assert response["Location"] == f"{WIZARD}{view}?{STATE}"


# --- the API ------------------------------------------------------------------------------


def test_the_api_names_the_canonical_state_of_its_answer(client, content):
    data = client.get(f"{API}?{API_STATE}").json()
    assert data["links"]["self"] == f"{API}?{API_STATE}"
    assert data["answers"] == STATE.split("answers=")[1]
    assert data["links"]["wizard"] == CANONICAL


def test_the_api_redirects_another_spelling_to_the_canonical_query(shared, content):
    messy = (
        f"{API}?answers=NO-SOUND-ON-PRESS:n,handle-no-resistance:y&year=2010"
        "&problem=trunk-wont-open&model=nissan-qashqai&utm_source=x"
    )
    response = shared.get(messy)
    assert response.status_code == 301 and response["Location"] == f"{API}?{API_STATE}"
    assert page_entries() == 0
    assert shared.get(messy, follow=True).json()["links"]["self"] == f"{API}?{API_STATE}"
    assert page_entries() == 1


def test_the_api_keeps_a_supported_lang_and_drops_an_unknown_one(client, content):
    russian = client.get(f"{API}?{API_STATE}&lang=RU")
    assert russian.status_code == 301 and russian["Location"] == f"{API}?{API_STATE}&lang=ru"
    data = client.get(russian["Location"]).json()
    assert data["links"]["self"] == f"{API}?{API_STATE}&lang=ru"
    unknown = client.get(f"{API}?{API_STATE}&lang=xx")
    assert unknown.status_code == 301 and unknown["Location"] == f"{API}?{API_STATE}"


def test_1000_junk_parameters_on_the_api_add_no_cache_entry(shared, content):
    for n in range(1000):
        assert shared.get(f"{API}?{API_STATE}&x={n}").status_code == 301
    assert page_entries() == 0


def test_api_errors_are_answered_as_before(client, content):
    response = client.get(f"{API}?{API_STATE},bogus:y&x=1")
    assert response.status_code == 400 and response.json()["error"]["part"] == "answers"


# --- the other public pages ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/nissan-qashqai/faq/", "/nissan-qashqai/"])
def test_a_page_without_parameters_is_served_but_not_stored_with_junk_ones(shared, content, path):
    for n in range(20):
        response = shared.get(f"{path}?x={n}")
        assert response.status_code == 200 and response.templates  # rendered each time
    assert page_entries() == 0
    shared.get(path)
    assert page_entries() == 1


# --- stored compressed --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_stored_page_is_compressed_unless_its_body_is_and_unpacks_to_the_page_sent(
    shared, content, encoding
):
    with mock.patch.object(cache, "set", wraps=cache.set) as spy:
        sent = shared.get(CANONICAL, headers={"Accept-Encoding": encoding})
    (stored,) = [call.args[1] for call in spy.call_args_list if call.args[0].startswith("page:")]
    assert isinstance(stored, bytes)
    page = unpack(stored)
    assert page.content == sent.content and page["ETag"] == sent["ETag"]
    raw = pickle.dumps(page, pickle.HIGHEST_PROTOCOL)
    if encoding == "identity":
        assert len(stored) < len(raw) / 3  # HTML compresses well
    else:  # already gzip: stored as it is, so a hit costs no unpacking (docs/performance.md)
        assert len(stored) == len(raw) + 1


# --- the one spelling of a query, without the round trip --------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "generation=j11",
        "generation=j11&answers=a-b:y,c_d:n,have:multimeter",
        "model=nissan-qashqai&problem=trunk-wont-open&generation=j12&lang=ru",
        "q=~x.y",
        "answers=",
        "answers=a%3Ay",  # encoded: decoded and written again
        "answers=a:y&&generation=j11",  # an empty pair
        "generation",  # a bare name gets its "="
        "q=a+b",
        "q=a=b",
        "q=%D0%B7%D0%B0%D0%BC%D0%BE%D0%BA",
        "q=замок",
        "a=1;b=2",
        "a=1&b=2&",
    ],
)
def test_a_query_is_normalized_as_decoding_and_encoding_it_again_would(query):
    assert normalized_query(query) == urlencode(parse_qsl(query, keep_blank_values=True), safe=SAFE)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "model=nissan-qashqai&problem=trunk-wont-open&lang=ru",
        "lang=en&lang=ru",  # repeated: the last value, as request.GET.get gives it
        "answers=a%3Ay%2Cb%3An&lang=r%75&q=two+words&empty=",  # encoded: decoded alike
    ],
)
def test_query_params_read_a_query_as_request_get_does(rf, query):
    from web.canonical import query_params

    request = rf.get("/api/v1/diagnose", QUERY_STRING=query)
    expected = {name: request.GET.get(name) for name in request.GET}
    assert query_params(request) == expected


def test_query_params_refuse_as_many_fields_as_request_get_refuses(rf, settings):
    from django.core.exceptions import TooManyFieldsSent

    from web.canonical import query_params

    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    assert query_params(rf.get("/", QUERY_STRING="a=1&b=2&c=3")) == {"a": "1", "b": "2", "c": "3"}
    with pytest.raises(TooManyFieldsSent):
        query_params(rf.get("/", QUERY_STRING="a=1&b=2&c=3&d=4"))
    with pytest.raises(TooManyFieldsSent):
        rf.get("/", QUERY_STRING="a=1&b=2&c=3&d=4").GET  # noqa: B018 - Django's own rule
