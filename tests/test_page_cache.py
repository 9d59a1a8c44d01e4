"""Repeated anonymous GETs of public responses come from the shared cache, never stale."""

from pathlib import Path
from unittest import mock

import pytest

from diagnosis import views
from kb.models import Fault
from web import compression

pytestmark = pytest.mark.django_db

STEP = "/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=no-sound-on-press:y"


def test_a_repeated_step_is_served_from_the_cache_without_sql(
    client, content, django_assert_num_queries
):
    first = client.get(STEP, headers={"Accept-Encoding": "gzip"})
    assert first["Content-Encoding"] == "gzip"
    with django_assert_num_queries(0):
        again = client.get(STEP, headers={"Accept-Encoding": "gzip"})
    assert again.content == first.content
    assert first.templates and not again.templates  # rendered once, then stored
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_compressed_and_plain_and_htmx_variants_are_kept_apart(client, content):
    gzip = client.get(STEP, headers={"Accept-Encoding": "gzip"})
    plain = client.get(STEP)
    fragment = client.get(STEP, headers={"HX-Request": "true"})
    assert plain.get("Content-Encoding") is None and gzip["Content-Encoding"] == "gzip"
    assert b"<html" in plain.content and b"<html" not in fragment.content


def test_a_stored_page_is_sent_as_stored_without_compressing_it_again(client, content):
    """Issue 23, item 3: the entry holds the gzip body gzip clients are sent, so a hit costs no
    compression; a client that does not take gzip gets the page uncompressed, never that body."""
    first = client.get(STEP, headers={"Accept-Encoding": "gzip"})
    with mock.patch("web.compression.compress", wraps=compression.compress) as compress:
        again = client.get(STEP, headers={"Accept-Encoding": "gzip"})
        compress.assert_not_called()
        plain = client.get(STEP, headers={"Accept-Encoding": "identity"})
    assert again.content == first.content and again["Content-Encoding"] == "gzip"
    assert plain.get("Content-Encoding") is None and plain.content.startswith(b"<!doctype html>")


def test_an_etag_match_is_answered_304(client, content):
    etag = client.get(STEP)["ETag"]
    response = client.get(STEP, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_an_edit_retires_the_stored_page(client, content, django_capture_on_commit_callbacks):
    url = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j11"
    assert "Lock frozen solid" not in client.get(url).content.decode()
    fault = Fault.objects.get(slug="lock-frozen")
    fault.name = "Lock frozen solid"
    with django_capture_on_commit_callbacks(execute=True):
        fault.save()
    assert "Lock frozen solid" in client.get(url).content.decode()


def test_error_pages_are_never_served_from_the_cache(client, content):
    bad = STEP + ",bogus:y"
    assert client.get(bad).status_code == 400
    with mock.patch("diagnosis.views.diagnose", wraps=views.diagnose) as diagnosed:
        again = client.get(bad)
    # answered by the view again (a step's template parts are kept, so none may render)
    assert again.status_code == 400 and diagnosed.called


# --- issue 9: a page cache nobody can poison -------------------------------------------------

FAQ = "/nissan-qashqai/faq/"


def test_a_history_restore_request_cannot_replace_the_htmx_fragment(client, content):
    """Hole 1: the key once glued the two raw htmx headers ("" + "true" == "true" + "")."""
    restored = client.get(STEP, headers={"HX-History-Restore-Request": "true"})
    assert b"<html" in restored.content
    fragment = client.get(STEP, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b"<h1" not in fragment.content
    # and the other way round: a stored fragment never answers a history restore
    full = client.get(STEP, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in full.content


def test_the_host_header_cannot_poison_absolute_urls_for_others(client, content, settings):
    """Hole 2: Django checks the host name, not the port, and pages carry absolute URLs."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    poisoned = client.get(FAQ, HTTP_HOST="127.0.0.1:6666")
    assert "127.0.0.1:6666" in poisoned.content.decode()  # the attacker sees their own host
    page = client.get(FAQ, HTTP_HOST="127.0.0.1")
    assert page.status_code == 200
    assert ":6666" not in page.content.decode()
    assert 'href="http://127.0.0.1/nissan-qashqai/faq/"' in page.content.decode()


def test_a_forwarded_scheme_cannot_flip_the_scheme_of_cached_urls(client, content, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    secure = client.get(FAQ, headers={"X-Forwarded-Proto": "https"})
    assert "https://testserver" in secure.content.decode()
    plain = client.get(FAQ)
    assert "https://testserver" not in plain.content.decode()


def test_a_session_cookie_does_not_bypass_the_page_cache(
    client, content, django_assert_num_queries
):
    """Hole 7: any `Cookie: sessionid=x` once cost a full render (2,404 → 107 req/s)."""
    client.get(STEP)
    client.cookies["sessionid"] = "made-up"
    with django_assert_num_queries(0):
        again = client.get(STEP)
    assert again.status_code == 200 and not again.templates


def test_the_gzip_entry_holds_only_what_gzip_clients_are_sent(client, content):
    """Hole 7: `Accept-Encoding: xgzip` once stored an uncompressed page under the gzip key."""
    odd = client.get(STEP, headers={"Accept-Encoding": "xgzip"})
    assert odd.get("Content-Encoding") is None
    gzip = client.get(STEP, headers={"Accept-Encoding": "gzip, deflate"})
    assert gzip["Content-Encoding"] == "gzip"


def test_an_edit_bumps_the_content_version_only_once_committed(
    content, django_capture_on_commit_callbacks
):
    """Hole 3: bumped in post_save, a concurrent request cached old rows under the new version."""
    from kb.content_version import content_version, problem_scope

    scope = problem_scope("nissan-qashqai", "trunk-wont-open")
    before = content_version(scope)
    fault = Fault.objects.get(slug="lock-frozen")
    fault.name = "Lock frozen solid"
    with django_capture_on_commit_callbacks(execute=True):
        fault.save()
        assert content_version(scope) == before  # not yet committed: others must not move on
    assert content_version(scope) != before


def test_compiled_content_expires_on_its_own(content):
    from unittest import mock

    from django.core.cache import cache

    from diagnosis.content import catalog, compiled_problem

    with mock.patch.object(cache, "set", wraps=cache.set) as spy:
        compiled_problem("nissan-qashqai", "trunk-wont-open")
        catalog()
    timeouts = {
        call.args[0].split(":")[1]: call.kwargs.get("timeout")
        for call in spy.call_args_list
        if call.args[0].startswith("diagnosis:")
    }
    assert set(timeouts) == {"compiled", "catalog"}
    assert all(isinstance(t, int) and 0 < t <= 24 * 3600 for t in timeouts.values()), timeouts


# --- issue 13: staff always see their own edit -------------------------------------------------


@pytest.fixture
def staff_login(client, django_user_model):
    django_user_model.objects.create_user("anna", password="a-long-passphrase-9", is_staff=True)

    def login():
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": "anna", "password": "a-long-passphrase-9"},
            REMOTE_ADDR="10.0.0.7",
        )
        assert response.status_code == 302, response.content[:300]
        return response

    return login


def test_staff_always_see_their_own_edit(
    client, content, staff_login, django_capture_on_commit_callbacks
):
    from kb.models import FaqEntry

    public = client.get(FAQ)
    assert "public" in public["Cache-Control"]
    login = staff_login()
    assert login.cookies["staff_view"].value == "1"
    page = client.get(FAQ)
    assert page["Cache-Control"] == "private, no-cache"  # never kept stale by the browser
    assert page.content == public.content and not page.templates  # the same page, from the cache
    entry = FaqEntry.objects.first()
    entry.question = "Edited by Anna just now?"
    with django_capture_on_commit_callbacks(execute=True):
        entry.save()
    edited = client.get(FAQ)
    assert "Edited by Anna just now?" in edited.content.decode()
    assert edited["Cache-Control"] == "private, no-cache"
    assert client.get(FAQ, headers={"If-None-Match": edited["ETag"]})["Cache-Control"] == (
        "private, no-cache"
    )
    logout = client.post("/admin/logout/")
    assert logout.cookies["staff_view"].value == ""  # deleted
    assert "public" in client.get(FAQ)["Cache-Control"]


def test_a_forged_staff_marker_changes_only_its_own_caching(
    client, content, django_assert_num_queries
):
    public = client.get(STEP)
    client.cookies["staff_view"] = "1"
    with django_assert_num_queries(0):
        forged = client.get(STEP)  # still served from the shared cache: no amplification
    assert forged["Cache-Control"] == "private, no-cache"
    assert forged.content == public.content
    del client.cookies["staff_view"]
    assert "public" in client.get(STEP)["Cache-Control"]  # the stored entry is untouched


def test_a_non_staff_login_sets_no_marker(client, content, django_user_model):
    from django.contrib.auth.signals import user_logged_in
    from django.http import HttpResponse
    from django.test import RequestFactory

    from kb.middleware import SharedPageCacheMiddleware

    user = django_user_model.objects.create_user("bob", password="x")
    request = RequestFactory().get(FAQ)
    user_logged_in.send(sender=type(user), request=request, user=user)
    response = SharedPageCacheMiddleware(lambda r: HttpResponse())(request)
    assert "staff_view" not in response.cookies or response.cookies["staff_view"].value == ""


# --- issue 10: one release id; a bounded cache ---------------------------------------------


def test_a_changed_diagnosis_file_changes_the_release_and_the_cache_keys(
    tmp_path, monkeypatch, content, settings
):
    import shutil
    from unittest import mock

    from django.core.cache import cache
    from django.test import Client

    from diagnosis import content as compiled_content
    from web import release

    for name in release.SOURCE_DIRS:
        shutil.copytree(release.BASE_DIR / name, tmp_path / name)
    monkeypatch.delenv("RELEASE", raising=False)
    monkeypatch.setattr(release, "BASE_DIR", tmp_path)
    settings.DEBUG = False
    settings.LOCAL_PAGE_ENTRIES = 0  # each rendered page is written to the cache at once

    def keys_written():
        release.forget_release_id()
        compiled_content._local.clear()
        with mock.patch.object(cache, "set", wraps=cache.set) as spy:
            compiled_content.compiled_problem("nissan-qashqai", "trunk-wont-open")
            compiled_content.catalog()
            Client().get(STEP)
        return {
            call.args[0].split(":")[0] + ":" + call.args[0].split(":")[1]: call.args[0]
            for call in spy.call_args_list
        }

    before = keys_written()
    assert {"diagnosis:compiled", "diagnosis:catalog"} <= set(before)
    assert any(key.startswith("page:") for key in before)
    engine = tmp_path / "diagnosis" / "engine.py"
    engine.write_text(engine.read_text() + "\n# a change in the next release\n")
    after = keys_written()
    for kind in ("diagnosis:compiled", "diagnosis:catalog"):
        assert before[kind] != after[kind]
    assert {k for k in before if k.startswith("page:")}.isdisjoint(after)
    release.forget_release_id()


def test_every_app_of_the_project_and_the_translations_are_part_of_the_release():
    from django.apps import apps

    from web import release

    ours = {
        Path(app.path).relative_to(release.BASE_DIR).parts[0]
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(release.BASE_DIR)
        and not Path(app.path).is_relative_to(release.BASE_DIR / ".venv")  # installed packages
    }
    assert ours, "no app of the project found"
    assert ours | {"config", "templates", "static", "locale"} <= set(release.SOURCE_DIRS)


def test_a_changed_translation_changes_the_release_and_its_compiled_file_does_not(tmp_path):
    from web import release

    po = tmp_path / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "Search"\nmsgstr "Найти"\n')
    before = release.source_hash(tmp_path)
    (po.parent / "django.mo").write_bytes(b"compiled")
    assert release.source_hash(tmp_path) == before
    po.write_text('msgid "Search"\nmsgstr "Искать"\n')
    assert release.source_hash(tmp_path) != before


def test_the_release_comes_from_the_environment_when_set(monkeypatch, settings):
    from web import release

    monkeypatch.setenv("RELEASE", "4851d53")
    release.forget_release_id()
    try:
        assert release.release_id() == "4851d53"
    finally:
        monkeypatch.delenv("RELEASE")
        release.forget_release_id()
    assert release.release_id() == release.source_hash()


def test_50000_random_wizard_states_leave_the_cache_within_its_cap(settings):
    """Issue 10.4: millions of distinct states must not grow the cache without bound.

    The page cache middleware is driven directly with the production cache settings (local
    memory, MAX_ENTRIES) around a stand-in for the wizard view, so 50,000 states take seconds.
    """
    import random

    from django.core.cache import caches
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.cache import patch_cache_control

    from config.settings import cache_settings
    from kb.middleware import SharedPageCacheMiddleware
    from web.canonical import request_query

    settings.CACHES = cache_settings("")
    settings.LOCAL_PAGE_ENTRIES = 0  # as without Redis (the process-local layer: its own test)
    cap = settings.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"]
    store = caches["default"]

    def step(request):
        response = HttpResponse(f"<p>step {request.GET.urlencode()}</p>")
        patch_cache_control(response, public=True, max_age=300)
        response.canonical_query = request_query(request)  # each state its own canonical URL
        return response

    middleware = SharedPageCacheMiddleware(step)
    factory = RequestFactory()
    answers = ["no-sound-on-press", "fob-works", "relay-clicks", "interior-button", "cold"]
    rng = random.Random(9)
    for n in range(50_000):
        chosen = rng.sample(answers, rng.randint(0, len(answers)))
        query = ",".join(f"{a}:{rng.choice('ynu')}" for a in chosen)
        middleware(factory.get(STEP.split("?")[0], {"generation": "j11", "answers": query, "n": n}))
    entries = len(store._cache)
    assert 0 < entries <= cap


# --- issue 10: the process-local layer in front of the shared cache ---------------------------


def test_the_content_version_is_read_from_the_shared_cache_at_most_once_per_local_period(
    settings,
):
    from unittest import mock

    from django.core.cache import cache

    from kb.content_version import KEY, content_version, forget_local_version

    settings.CONTENT_VERSION_LOCAL_SECONDS = 60
    mine = content_version()
    cache.set(KEY, "set-by-another-process", timeout=None)
    with mock.patch.object(cache, "get", wraps=cache.get) as shared_get:
        assert content_version() == mine  # within the period: this process's copy
    assert shared_get.call_count == 0
    forget_local_version()  # the period is over
    assert content_version() == "set-by-another-process"


def test_without_a_local_period_every_call_reads_the_shared_version(settings):
    from django.core.cache import cache

    from kb.content_version import KEY, content_version

    settings.CONTENT_VERSION_LOCAL_SECONDS = 0
    content_version()
    cache.set(KEY, "set-by-another-process", timeout=None)
    assert content_version() == "set-by-another-process"


def test_an_edit_shows_at_once_in_the_process_that_made_it(settings):
    from kb.content_version import bump_content_version, content_version

    settings.CONTENT_VERSION_LOCAL_SECONDS = 60
    before = content_version()
    bumped = bump_content_version()
    assert bumped != before and content_version() == bumped


def _page_calls(spy) -> int:
    return sum(1 for call in spy.call_args_list if str(call.args[0]).startswith("page:"))


def test_a_page_asked_for_again_is_shared_then_served_from_process_memory(settings, content):
    from unittest import mock

    from django.core.cache import cache
    from django.test import Client

    settings.LOCAL_PAGE_ENTRIES = 8
    client = Client()
    with mock.patch.object(cache, "set", wraps=cache.set) as shared_set:
        rendered = client.get(STEP, headers={"Accept-Encoding": "gzip"})
        assert _page_calls(shared_set) == 0  # asked for once: not written to the shared cache
        again = client.get(STEP, headers={"Accept-Encoding": "gzip"})
        assert _page_calls(shared_set) == 1  # asked for again: shared with other processes
    with (
        mock.patch.object(cache, "get", wraps=cache.get) as shared_get,
        mock.patch.object(cache, "set", wraps=cache.set) as shared_set,
    ):
        kept = client.get(STEP, headers={"Accept-Encoding": "gzip"})
    assert _page_calls(shared_get) == _page_calls(shared_set) == 0
    assert rendered.templates and not again.templates and not kept.templates
    assert rendered.content == again.content == kept.content
    assert kept["Content-Security-Policy"] == rendered["Content-Security-Policy"]
    assert kept["ETag"] == rendered["ETag"] and kept["Content-Encoding"] == "gzip"


def test_a_page_another_process_shared_is_kept_after_one_lookup(settings, content):
    from unittest import mock

    from django.core.cache import cache
    from django.test import Client

    settings.LOCAL_PAGE_ENTRIES = 0  # the other process: writes each page at once
    Client().get(STEP)
    settings.LOCAL_PAGE_ENTRIES = 8  # this process
    client = Client()
    with mock.patch.object(cache, "get", wraps=cache.get) as shared_get:
        found = client.get(STEP)
        assert _page_calls(shared_get) == 1 and not found.templates
        client.get(STEP)
    assert _page_calls(shared_get) == 1


def test_each_request_gets_its_own_copy_of_a_local_page(settings, content, django_user_model):
    """A staff marker rewrites Cache-Control on its response; others must not see that."""
    from django.test import Client

    settings.LOCAL_PAGE_ENTRIES = 8
    Client().get(STEP)
    Client().get(STEP)  # now kept in the process
    staff = Client()
    staff.cookies["staff_view"] = "1"
    assert staff.get(STEP)["Cache-Control"] == "private, no-cache"
    assert "public" in Client().get(STEP)["Cache-Control"]


def test_never_seen_states_do_not_push_popular_pages_out_of_process_memory(settings, content):
    from unittest import mock

    from django.test import Client

    from kb.middleware import HotPages

    settings.LOCAL_PAGE_ENTRIES = 4
    client = Client()
    with mock.patch.object(HotPages, "get", autospec=True, side_effect=HotPages.get) as get:
        client.get(STEP)
        client.get(STEP)  # popular: asked for again
        for code in ("j10", "j11", "j12"):
            for answers in ("no-sound-on-press:n", "no-sound-on-press:u", "handle-cracked:y"):
                url = f"{STEP.split('?')[0]}?generation={code}&answers={answers}"
                assert client.get(url).status_code == 200  # each asked for once
    hot = get.call_args.args[0]
    assert len(hot.kept) == 1 and len(hot.probation) == 4  # the last four never-seen ones
    assert client.get(STEP).templates == []


def test_the_process_local_pages_stay_within_their_cap():
    from django.http import HttpResponse

    from kb.middleware import HotPages, pack, unpack

    hot = HotPages(limit=3)
    for number in range(6):
        hot.remember(f"new-{number}", pack(HttpResponse(f"new {number}")))
        hot.put(f"found-{number}", pack(HttpResponse(f"found {number}")))
    assert list(hot.probation) == ["new-3", "new-4", "new-5"]
    assert unpack(hot.get("found-3")[0]).content == b"found 3"  # used: now the most recent
    data, second_time = hot.get("new-4")  # asked for again: kept
    assert unpack(data).content == b"new 4" and second_time
    assert list(hot.kept) == ["found-5", "found-3", "new-4"] and list(hot.probation) == [
        "new-3",
        "new-5",
    ]
    assert hot.get("found-0") == (None, False)


def test_the_process_local_pages_stay_within_their_bytes_whatever_their_count():
    from kb.middleware import HotPages

    hot = HotPages(limit=1000, max_bytes=10_000)  # probation: a quarter, 2,500 bytes
    for number in range(20):
        hot.put(f"found-{number}", bytes(1_000))  # ten fit
        hot.remember(f"new-{number}", bytes(1_000))  # two fit
    assert list(hot.kept) == [f"found-{number}" for number in range(10, 20)]
    assert list(hot.probation) == ["new-18", "new-19"]
    assert hot.kept.bytes == 10_000 and hot.probation.bytes == 2_000
    hot.get("new-19")  # asked for again: kept, the oldest kept one goes
    assert list(hot.kept)[0] == "found-11" and hot.kept.bytes == 10_000
    assert hot.probation.bytes == 1_000


def test_probation_keeps_what_it_renders_while_the_kept_pages_leave_room():
    """A process that has not filled its layer renders each state once, not again each time
    a quarter's worth of other states went by (the owner walk's states, issue 23)."""
    from kb.middleware import HotPages

    hot = HotPages(limit=1000, max_bytes=10_000)
    for number in range(8):
        hot.remember(f"new-{number}", bytes(1_000))
    assert len(hot.probation) == 8  # a fixed quarter held two
    for number in range(5):
        hot.put(f"found-{number}", bytes(1_000))
    # what is left for probation shrinks as the kept pages grow; together within the bound
    assert list(hot.probation) == [f"new-{number}" for number in range(3, 8)]
    assert hot.kept.bytes + hot.probation.bytes == 10_000
    for number in range(5, 10):
        hot.put(f"found-{number}", bytes(1_000))
    assert hot.kept.bytes == 10_000 and list(hot.probation) == ["new-6", "new-7"]  # a quarter
    hot.get("new-7")  # asked again: kept, and probation never below its quarter
    assert hot.kept.bytes == 10_000 and hot.probation.bytes == 1_000


def test_a_page_larger_than_the_whole_layer_is_not_kept():
    from kb.middleware import HotPages

    hot = HotPages(limit=10, max_bytes=4_000)
    hot.put("huge", bytes(5_000))
    assert list(hot.kept) == [] and hot.kept.bytes == 0
