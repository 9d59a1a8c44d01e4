"""What a test needs from the machine, and how it says so when it is missing."""

import os

import pytest


def redis_url() -> str:
    """REDIS_URL (e.g. redis://127.0.0.1:6379/13), or skip the test with the reason;
    REQUIRE_REDIS=1 (CI's production stage) makes that a failure instead."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but REDIS_URL is not set")
        pytest.skip(
            "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/<db> (REQUIRE_REDIS=1 to fail)"
        )
    return url
