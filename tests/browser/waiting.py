"""Waiting on what only an async check can see (the Cache API answers with promises).

Playwright's `wait_for_function` does not wait for a promise to resolve to true: a promise is
truthy, so an async predicate passes on its first call, whatever it resolves to. These checks
are polled with `page.evaluate` instead, which does wait for the promise."""

import time


def wait_until(page, script: str, timeout: float = 20.0, what: str = "the check") -> None:
    """Poll `script` (a function, async or not) in the page until it returns true; a bounded
    wait, not a timing assertion."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"{what} was not true within {timeout:g} s"
        time.sleep(0.1)
