"""What one stored page costs the page cache: bytes as pickled and as stored, and the time.

    python bench/stored_pages.py

The site as bench/profile_step.py sets it up (production settings, a temporary SQLite
database with the shipped content, the memory cache), called as gunicorn calls it, with
``LOCAL_PAGE_ENTRIES=0`` so each page the middleware stores is written to the cache at once,
where this script reads it. For a wizard step (a full page and its htmx fragment), an API
state and the FAQ, each for a client that takes gzip and one that does not, it prints the
bytes of the response as pickled (what was stored before issue 19), as stored now
(kb.middleware.pack: zlib at PACK_LEVEL) and at zlib level 6, and the microseconds to
pack and to unpack it, and to unpickle it alone as before (the best of 200 runs: unpacking is
paid on every hit).
"""

from __future__ import annotations

import os
import pickle
import sys
import time
import zlib
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))

from profile_step import call, environ, setup  # noqa: E402

STEP = "/nissan-qashqai/trunk-wont-open/diagnose/"
STATE = "generation=j11&answers=doors-lock-unlock-ok:n,no-sound-on-press:y"
API_STATE = f"model=nissan-qashqai&problem=trunk-wont-open&{STATE}"
# a finished result (the broken cable): the largest page, every procedure of the top causes
RESULT = (
    "generation=j10&answers=freezing-temperature:n,handle-cracked:n,handle-no-resistance:y,"
    "high-mileage-yanked:y,lid-press-releases:n,motor-clicks-lid-stays:y,no-sound-on-press:n"
)
PAGES = {
    "wizard result": (STEP, RESULT, False),
    "wizard result (ru)": (f"/ru{STEP}", RESULT, False),
    "wizard step": (STEP, STATE, False),
    "wizard step (htmx)": (STEP, STATE, True),
    "API state": ("/api/v1/diagnose", API_STATE, False),
    "FAQ": ("/nissan-qashqai/faq/", "", False),
}


def best_us(function, *args, runs: int = 200) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - started)
    return best * 1e6


def main() -> None:
    os.environ["LOCAL_PAGE_ENTRIES"] = "0"
    setup("")
    from unittest import mock

    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler

    from kb.middleware import PACK_LEVEL, pack, unpack

    app = WSGIHandler()
    print(
        f"{'page':20} {'encoding':9} {'pickled':>8} {'stored':>8} {'level 6':>8} "
        f"{'pack µs':>8} {'unpack µs':>9} {'unpickle µs':>11}"
    )
    for name, (path, query, htmx) in PAGES.items():
        for encoding in ("identity", "gzip"):
            env = environ(path, query, htmx)
            env["HTTP_ACCEPT_ENCODING"] = encoding
            with mock.patch.object(cache, "set", wraps=cache.set) as spy:
                assert call(app, env) == 200, (name, encoding)
            (stored,) = [c.args[1] for c in spy.call_args_list if c.args[0].startswith("page:")]
            response = unpack(stored)
            pickled = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
            print(
                f"{name:20} {encoding:9} {len(pickled):8,} {len(stored):8,} "
                f"{len(zlib.compress(pickled, 6)):8,} {best_us(pack, response):8.0f} "
                f"{best_us(unpack, stored):9.0f} {best_us(pickle.loads, pickled):11.0f}"
            )
    print(f"(stored: zlib level {PACK_LEVEL}; sizes in bytes)")


if __name__ == "__main__":
    main()
