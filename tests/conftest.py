import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

from tests.migrated_data import restore_migrated_groups

# Hypothesis fails an example slower than 200 ms, which a loaded, shared 2-CPU machine (CI's,
# or ours while other suites run) produces at random: the properties check correctness, and
# the speed is bench/'s to measure.
hypothesis_settings.register_profile("shared-machine", deadline=None)
hypothesis_settings.load_profile("shared-machine")

FIXTURES = sorted(
    str(p) for p in (Path(__file__).resolve().parent.parent / "fixtures").glob("*.json")
)


def load_content():
    call_command("load_content", *FIXTURES, verbosity=0)


@pytest.fixture(scope="session")
def shipped_content_loader():
    """The one way tests load fixtures/*.json (the browser tests load it into a live server)."""
    return load_content


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The PostgreSQL test database is named for the run too (``TEST_RUN_ID``), after
    pytest-django's per-worker suffix: two runs on one server (a session's and its CI's) never
    create or drop each other's database. SQLite's test database is in memory."""
    from django.conf import settings

    run = os.environ.get("TEST_RUN_ID")
    if not run:
        return
    for database in settings.DATABASES.values():
        if database["ENGINE"] == "django.db.backends.sqlite3":
            continue
        test = database.setdefault("TEST", {})
        test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_{run}"


def add_search_vectors():
    from importlib import import_module

    from django.db import connection

    with connection.schema_editor() as editor:
        for name in ("0014_stored_search_vectors", "0015_title_search_vectors"):
            import_module(f"kb.migrations.{name}").add_columns(None, editor)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped content once; each test's transaction is rolled back around it.

    The test database is built from the models (``--nomigrations``: the migrations cost about
    27 s of CPU per test process), so the data migrations' rows are added here;
    tests/test_migrations.py runs the real migrations once and compares. The same goes for
    the stored search vectors PostgreSQL keeps outside the models (kb/search.py reads them)."""
    with django_db_blocker.unblock():
        add_search_vectors()
        restore_migrated_groups()
        load_content()


def pytest_collection_modifyitems(items):
    # Browser tests flush the database when they end, so they run after the others.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test starts with empty caches, as a fresh deployment would; usage counts reach the
    cache at once (no push timer left running into the next test)."""
    from diagnosis import content
    from kb.content_version import forget_local_version
    from kb.middleware import forget_local_pages

    settings.USAGE_PUSH_SECONDS = 0
    cache.clear()
    caches["state"].clear()
    content._local.clear()
    forget_local_version()
    forget_local_pages()
    yield
    cache.clear()
    caches["state"].clear()
    content._local.clear()
    forget_local_version()
    forget_local_pages()


@pytest.fixture
def content(db):
    """The shipped content, as `make run` loads it."""
    from kb.models import Fault

    if not Fault.objects.exists():  # flushed by a transactional test
        load_content()
        restore_migrated_groups()


@pytest.fixture
def empty_kb(db):
    """No content at all (inside this test's transaction)."""
    from kb import models

    for model in (
        models.FaqEntry,
        models.Likelihood,
        models.Step,
        models.Fault,
        models.Symptom,
        models.Problem,
        models.Procedure,
        models.FaultRate,
        models.Generation,
        models.VehicleModel,
        models.Make,
        models.FaultGroup,
        models.RateLevel,
        models.SafetyWarning,
    ):
        model.objects.all().delete()


@pytest.fixture(scope="session", autouse=True)
def _empty_static_root(tmp_path_factory):
    """Tests run without collectstatic: STATIC_ROOT is an empty directory, not a missing one
    (whitenoise warns about that each time a test client or the live server builds it)."""
    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("staticfiles")):
        yield


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests run without collectstatic; production's hashed manifest is tested on its own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class PageParser(HTMLParser):
    """What a test needs from a page: head tags, JSON-LD, ids, links, scripts, inline styles."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta = {}
        self.links = {}
        self.json_ld = []
        self.scripts = []
        self.hrefs = []
        self.ids = set()
        self.duplicate_ids = []
        self.inline_styles = 0
        self.style_elements = 0
        self.h1 = []
        self._in = None
        self._buffer = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles += 1
        if "id" in attrs:
            if attrs["id"] in self.ids:
                self.duplicate_ids.append(attrs["id"])
            self.ids.add(attrs["id"])
        if tag == "meta":
            key = attrs.get("name") or attrs.get("property")
            if key and key not in self.meta:
                self.meta[key] = attrs.get("content", "")
        elif tag == "link" and "rel" in attrs:
            self.links.setdefault(attrs["rel"], attrs.get("href", ""))
        elif tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        elif tag == "style":
            self.style_elements += 1
        if tag in ("title", "script", "h1"):
            self._in = (tag, attrs)
            self._buffer = []

    def handle_data(self, data):
        if self._in is not None:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if self._in is None or self._in[0] != tag:
            return
        text = "".join(self._buffer)
        attrs = self._in[1]
        if tag == "title":
            self.title = text.strip()
        elif tag == "h1":
            self.h1.append(" ".join(text.split()))
        elif tag == "script":
            self.scripts.append((attrs, text))
            if attrs.get("type") == "application/ld+json":
                import json

                self.json_ld.append(json.loads(text))
        self._in = None


def parse_html(html) -> PageParser:
    parser = PageParser()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser


@pytest.fixture
def parse_page():
    """parse_page(response_or_html) → PageParser with title, meta, links, json_ld, …"""

    def parse(response_or_html):
        html = getattr(response_or_html, "content", response_or_html)
        return parse_html(html)

    return parse
