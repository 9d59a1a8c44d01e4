"""Security state apart from the page cache (issue 19): rate-limit counters and usage counts
live in the ``state`` cache, which page-cache pressure cannot evict. Without Redis each is a
local memory of its own (the page cache culls only itself); with Redis, production gives
``state`` a Redis of its own with ``noeviction`` (compose.yaml), and the deploy check says
so when it does not."""

import pytest
from django.core.cache import cache, caches
from django.core.checks import run_checks
from django.test import Client

from config.settings import cache_settings
from tests.needs import redis_url
from tests.test_reports_web import REPORT, RESULT, form_data, token_of
from usage import counters
from usage.events import event

pytestmark = pytest.mark.django_db

PAGE = b"x" * 38_000  # about a wizard step, as the junk-parameter flood stored them


def fill_the_page_cache(entries: int) -> None:
    """What 10,000 junk-parameter URLs did to the page cache before the key was canonical."""
    for n in range(0, entries, 500):
        cache.set_many({f"page:junk-{n + i}": PAGE for i in range(500)}, timeout=3600)


@pytest.fixture
def small_page_cache(settings):
    """The embedded set-up (local memory), with a page cache small enough to overflow."""
    caches_ = cache_settings("")
    caches_["default"]["OPTIONS"]["MAX_ENTRIES"] = 300
    settings.CACHES = caches_
    yield
    cache.clear()
    caches["state"].clear()


def test_a_client_at_its_report_limit_stays_there_when_the_page_cache_overflows(
    content, settings, small_page_cache
):
    settings.REPORT_RATE_LIMIT = 2
    token = token_of(Client(REMOTE_ADDR="192.0.2.1").get(RESULT).content.decode())
    sender = Client(REMOTE_ADDR="203.0.113.7")
    assert [sender.post(REPORT, form_data(token)).status_code for _ in range(3)] == [303, 303, 429]

    fill_the_page_cache(10_000)
    assert not cache.has_key("page:junk-0")  # the page cache did overflow and cull

    assert sender.post(REPORT, form_data(token)).status_code == 429  # still held back


def test_a_client_at_its_search_limit_stays_there_when_the_page_cache_overflows(
    content, settings, small_page_cache
):
    settings.SEARCH_RATE_LIMIT = 1
    settings.SEARCH_RATE_WINDOW = 3600  # a fixed window: no boundary within the test
    searcher = Client(REMOTE_ADDR="203.0.113.8")
    assert [searcher.get("/search/?q=fuse").status_code for _ in range(2)] == [200, 429]
    fill_the_page_cache(10_000)
    assert searcher.get("/search/?q=fuse").status_code == 429


def test_usage_counts_survive_an_overflowing_page_cache(content, small_page_cache):
    counters.count([event("start", "nissan-qashqai/trunk-wont-open", "j11")])
    counters.push()
    fill_the_page_cache(10_000)
    assert counters.backend() is caches["state"]
    assert sum(counters.pending().values()) == 1


def test_the_state_cache_is_redis_apart_from_pages_when_redis_is_configured():
    settings = cache_settings("redis://pages:6379/0", "redis://state:6379/0")
    assert settings["default"]["LOCATION"] == "redis://pages:6379/0"
    assert settings["state"]["LOCATION"] == "redis://state:6379/0"
    # one Redis for both (development): a prefix the page cache's clear() does not match
    shared = cache_settings("redis://one:6379/0")
    assert shared["state"]["LOCATION"] == shared["default"]["LOCATION"]
    assert not shared["state"]["KEY_PREFIX"].startswith(shared["default"]["KEY_PREFIX"] + ":")


def test_failed_logins_are_counted_where_no_eviction_reaches(settings):
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"  # not a cache


@pytest.fixture
def redis_state(settings):
    settings.CACHES = cache_settings(redis_url())
    return caches["state"]._cache.get_client(write=True)


def state_warnings():
    return [m for m in run_checks(include_deployment_checks=True) if m.id.startswith("carfaults")]


def test_the_deploy_check_warns_when_the_state_redis_evicts(redis_state, monkeypatch):
    monkeypatch.setattr(type(redis_state), "config_get", lambda self, name: {name: "allkeys-lru"})
    [warning] = state_warnings()
    assert warning.id == "carfaults.W002" and "allkeys-lru" in warning.msg
    assert "STATE_REDIS_URL" in warning.hint


def test_the_deploy_check_is_quiet_for_a_noeviction_state_redis(redis_state, monkeypatch):
    monkeypatch.setattr(type(redis_state), "config_get", lambda self, name: {name: "noeviction"})
    assert state_warnings() == []


# --- counting first: racing requests cannot all pass the last place -------------------------


def test_racing_requests_of_one_client_pass_exactly_the_limit():
    from concurrent.futures import ThreadPoolExecutor

    from web.rate_limits import take

    with ThreadPoolExecutor(16) as threads:
        taken = list(threads.map(lambda _: take("race", "client", 5, 3600), range(64)))
    assert sum(t.allowed for t in taken) == 5


def test_a_place_given_back_can_be_taken_again():
    from web.rate_limits import give_back, take

    first = take("back", "client", 1, 3600)
    assert first.allowed and not take("back", "client", 1, 3600).allowed
    give_back(first)
    assert take("back", "client", 1, 3600).allowed


@pytest.mark.django_db(transaction=True)  # the posting threads have connections of their own
def test_racing_report_posts_of_one_client_store_exactly_the_limit(content, settings):
    """What bench/safety_probes.py found: read-then-add let 10 to 12 through a limit of 5."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from reports.models import OwnerReport

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database locks tables)")
    settings.REPORT_RATE_LIMIT = 5
    token = token_of(Client(REMOTE_ADDR="192.0.2.1").get(RESULT).content.decode())

    def post(_):
        try:
            return Client(REMOTE_ADDR="203.0.113.9").post(REPORT, form_data(token)).status_code
        finally:
            connection.close()  # this thread's own

    with ThreadPoolExecutor(8) as threads:
        statuses = list(threads.map(post, range(20)))
    assert statuses.count(303) == 5 and statuses.count(429) == 15
    assert OwnerReport.objects.count() == 5
