"""Real Chromium (Debian's /usr/bin/chromium) for the browser tests, driven by pytest-playwright.

Without Chromium the whole folder is skipped with the reason below, unless REQUIRE_BROWSER=1
(as in CI), which makes the same tests fail instead. `playwright install` is never needed.
"""

import os
import time

import pytest
from django.db import connection

from tests.migrated_data import restore_migrated_groups

CHROMIUM = "/usr/bin/chromium"
SKIP_REASON = (
    f"Chromium not found at {CHROMIUM}: browser tests skipped "
    "(install it with `apt-get install chromium`; set REQUIRE_BROWSER=1 to fail instead)"
)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
    # in one unless told that this is deliberate. Set only while browser tests run (they run
    # last): the deploy check rightly refuses a process environment that carries it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session", autouse=True)
def _chromium_installed():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but Chromium is missing at {CHROMIUM}")
        pytest.skip(SKIP_REASON)


@pytest.fixture(autouse=True)
def _close_browser_contexts(browser):
    """Close the contexts a test opened, so Chromium drops its keep-alive connections now.

    Left open, they outlive the session's live server: its request threads then close the
    shared in-memory SQLite connection after the server stopped sharing it, and each such
    thread ends in an unhandled DatabaseError.
    """
    yield
    for context in browser.contexts:
        context.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
        ],
    }


def wait_for_requests_in_flight(timeout: float = 30.0) -> None:
    """On PostgreSQL, wait until no other session of the test database is inside a statement
    or a transaction: the live server's request threads have finished what they started."""
    if connection.vendor != "postgresql":
        return  # SQLite: one shared in-memory connection, no table locks to wait for
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)


@pytest.fixture
def live_site(live_server, transactional_db, shipped_content_loader, browser):
    """The live server with the shipped content loaded; its base URL.

    Its teardown runs before transactional_db's flush (a fixture is torn down before those it
    uses; the autouse closer above runs only after the flush): it closes the test's browser
    contexts, so no new request starts, then waits for the requests already in the live
    server to finish. Chromium's service worker fetches pages ahead, so requests outlive a
    test: on PostgreSQL the flush's TRUNCATE of every table and such a request's SELECT each
    held a lock the other waited for ("deadlock detected", CI, 2026-12-03), and the flush
    failed.
    """
    restore_migrated_groups()  # the staff groups and words a flush removed
    shipped_content_loader()
    yield live_server.url
    for context in browser.contexts:
        context.close()
    wait_for_requests_in_flight()
