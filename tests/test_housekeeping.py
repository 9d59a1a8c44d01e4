"""Django's per-request housekeeping that this project does not need is off the request
(config/housekeeping.py), and only that."""

import pytest
from django.core import signals
from django.core.cache import close_caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import close_old_connections, reset_queries

from config.housekeeping import caches_need_closing, take_off_idle_receivers


class ClosingCache(LocMemCache):
    def close(self, **kwargs):
        pass


def connected(signal, receiver) -> bool:
    return any(ref() is receiver for _key, ref, *_rest in signal.receivers)


@pytest.fixture
def receivers():
    """Django's own receivers as Django connects them, put back afterwards."""
    signals.request_started.connect(reset_queries)
    signals.request_finished.connect(close_caches)
    yield
    take_off_idle_receivers()  # as the project runs (config/apps.py)


def test_the_project_runs_without_the_idle_receivers_and_keeps_the_connection_check():
    assert not connected(signals.request_started, reset_queries)
    assert not connected(signals.request_finished, close_caches)
    assert connected(signals.request_started, close_old_connections)
    assert connected(signals.request_finished, close_old_connections)


def test_under_debug_the_query_log_is_still_emptied_each_request(settings, receivers):
    settings.DEBUG = True
    assert take_off_idle_receivers() == ["close_caches"]
    assert connected(signals.request_started, reset_queries)


def test_a_cache_that_closes_something_keeps_close_caches(settings, receivers):
    settings.CACHES = {
        **settings.CACHES,
        "closing": {"BACKEND": "tests.test_housekeeping.ClosingCache"},
    }
    assert caches_need_closing()
    assert take_off_idle_receivers() == ["reset_queries"]
    assert connected(signals.request_finished, close_caches)


def test_the_configured_caches_close_nothing():
    assert not caches_need_closing()
