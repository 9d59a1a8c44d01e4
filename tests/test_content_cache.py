"""The shared compiled-content cache: what lets a second worker serve a new step without SQL.

The page cache (tests/test_page_cache.py) answers a repeated URL; these tests request steps
that are not in it, so only the compiled content shared through Django's cache can spare the
queries. The last tests need Redis (REDIS_URL): they run a second process against the same
cache, as two gunicorn workers or two replicas would. `.ci/run` runs them with REQUIRE_REDIS=1.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from diagnosis import content as compiled_content
from kb.content_version import KEY, bump_content_version, content_version, problem_scope
from tests.needs import redis_url
from tests.step_state import outcome_of

pytestmark = pytest.mark.django_db

WIZARD = "/nissan-qashqai/trunk-wont-open/diagnose/"
BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
if not Path(PYTHON).exists():
    PYTHON = sys.executable


def test_a_new_step_in_another_worker_is_rendered_from_the_shared_compiled_content(
    client, content, django_assert_num_queries
):
    warm = client.get(WIZARD, {"generation": "j11", "answers": "no-sound-on-press:y"})
    assert warm.status_code == 200
    compiled_content._local.clear()  # another worker: nothing compiled in its memory

    with django_assert_num_queries(0):
        response = client.get(WIZARD, {"generation": "j10", "answers": "handle-no-resistance:y"})
    assert response.status_code == 200
    assert "diagnosis/wizard.html" in [t.name for t in response.templates]  # rendered, not stored
    outcome = outcome_of(response)
    assert outcome.generation.code == "j10"
    assert outcome.answers == {"handle-no-resistance": "y"}
    assert outcome.causes[0].fault.slug == "release-cable-broken"


def test_the_compiled_content_is_kept_per_content_version(content, django_assert_num_queries):
    first = compiled_content.compiled_problem("nissan-qashqai", "trunk-wont-open")
    compiled_content._local.clear()
    with django_assert_num_queries(0):
        shared = compiled_content.compiled_problem("nissan-qashqai", "trunk-wont-open")
    assert shared is not first and shared.faults == first.faults  # unpickled from the cache
    bump_content_version()
    with django_assert_num_queries(3):  # a new version is compiled afresh
        compiled_content.compiled_problem("nissan-qashqai", "trunk-wont-open")


# --- two processes, one Redis -------------------------------------------------------------


@pytest.fixture
def redis_cache():
    """The settings' own Redis (REDIS_URL); tests.needs.redis_url skips without it."""
    redis_url()
    from django.core.cache.backends.redis import RedisCache

    # the project's backend is Django's, failing open (web/cache.py)
    assert isinstance(caches["default"], RedisCache), settings.CACHES["default"]["BACKEND"]
    return cache


def other_process(code: str) -> str:
    """Run Python in a second Django process with this environment (so the same Redis)."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-v0", "-c", code],
        cwd=BASE_DIR,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_version_bumped_in_another_process_retires_this_ones_compiled_content(
    redis_cache, content, django_assert_num_queries, settings
):
    # this process's copy of the version lasts CONTENT_VERSION_LOCAL_SECONDS (tested in
    # test_page_cache.py); here it is read from Redis on every call
    settings.CONTENT_VERSION_LOCAL_SECONDS = 0
    before = content_version()
    compiled = compiled_content.compiled_problem("nissan-qashqai", "trunk-wont-open")
    with django_assert_num_queries(0):
        assert compiled_content.compiled_problem("nissan-qashqai", "trunk-wont-open") is compiled

    bumped = other_process(
        "from kb.content_version import bump_content_version; print(bump_content_version())"
    )

    assert bumped != before
    assert content_version() == bumped
    with django_assert_num_queries(3):  # compiled afresh for the new version
        fresh = compiled_content.compiled_problem("nissan-qashqai", "trunk-wont-open")
    assert fresh is not compiled


def test_another_process_sees_this_ones_version_and_compiled_content(redis_cache, content):
    bump_content_version()
    compiled = compiled_content.compiled_problem("nissan-qashqai", "trunk-wont-open")
    version = content_version(problem_scope("nissan-qashqai", "trunk-wont-open"))
    seen = other_process(
        "from django.core.cache import cache; "
        "from kb.content_version import content_version, problem_scope; "
        "from web.release import release_id; "
        "v = content_version(problem_scope('nissan-qashqai', 'trunk-wont-open')); "
        "c = cache.get(f'diagnosis:compiled:{release_id()}:{v}:nissan-qashqai:trunk-wont-open:en'); "
        "print(v, sorted(c.faults)[0] if c else None)"
    )
    assert seen.split() == [version, sorted(compiled.faults)[0]]
    assert redis_cache.get(KEY) == version.split(".")[0]  # the site's part


def test_clearing_the_cache_removes_this_sites_keys_and_no_one_elses(redis_cache):
    # Test runs, workers and sites may share a Redis database, each under its own key prefix:
    # Django's clear() was FLUSHDB, which emptied every one of them.
    client = redis_cache._cache.get_client(write=True)
    neighbour = f"{redis_cache.key_prefix}-neighbour:1:page"  # a prefix that extends ours
    client.set(neighbour, b"kept", ex=60)
    try:
        cache.set("page", "mine")
        assert cache.get("page") == "mine"
        cache.clear()
        assert cache.get("page") is None
        assert client.get(neighbour) == b"kept"
    finally:
        client.delete(neighbour)
