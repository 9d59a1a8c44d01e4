"""Django's cache middleware against the project's page cache, on the same stored page.

    .venv/bin/python bench/page_cache_compare.py

In process, local-memory cache, no server: what a cache hit costs in each, how many cache
entries a page takes, and and whether the two htmx headers can share a key (issue 9, hole 1).
Figures in docs/decisions.md ("Page cache: our middleware, not Django's").
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.middleware.cache import (  # noqa: E402
    FetchFromCacheMiddleware,
    UpdateCacheMiddleware,
)
from django.middleware.gzip import GZipMiddleware  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils.cache import get_cache_key, learn_cache_key, patch_vary_headers  # noqa: E402

from kb.middleware import SharedPageCacheMiddleware  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
PATH = "/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=no-sound-on-press:y"
BODY = "x" * 8000  # about a wizard page
factory = RequestFactory()


def view(request):
    response = HttpResponse(BODY)
    response["Cache-Control"] = "public, max-age=300"
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


def django_stack():
    update = UpdateCacheMiddleware(view)
    return FetchFromCacheMiddleware(update)


def ours():
    return SharedPageCacheMiddleware(view)


def per_hit(stack, n=20000) -> float:
    stack(factory.get(PATH))  # store
    requests = [factory.get(PATH) for _ in range(n)]
    started = time.perf_counter()
    for request in requests:
        stack(request)
    return (time.perf_counter() - started) / n * 1e6


ENCODINGS = [
    "gzip, deflate, br, zstd",
    "gzip, deflate, br",
    "gzip, deflate",
    "gzip",
    "br;q=1, gzip;q=0.5",
]


def view_gzip_vary(request):
    response = view(request)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def main():
    for name, build in [("django cache middleware", django_stack), ("project page cache", ours)]:
        cache.clear()
        stack = build()
        best = min(per_hit(stack) for _ in range(3))
        cache.clear()
        for n in range(100):
            stack(factory.get(PATH + f"&n={n}"))
        pages = len(cache._cache)
        print(f"{name:26} {best:6.1f} µs per hit; 100 pages take {pages} cache entries")
    for name, middleware in [
        (
            "django cache middleware",
            lambda: FetchFromCacheMiddleware(UpdateCacheMiddleware(GZipMiddleware(view_gzip_vary))),
        ),
        ("project page cache", lambda: SharedPageCacheMiddleware(GZipMiddleware(view_gzip_vary))),
    ]:
        cache.clear()
        stack = middleware()
        for encoding in ENCODINGS:
            stack(factory.get(PATH, HTTP_ACCEPT_ENCODING=encoding))
        entries = len(cache._cache)
        print(f"{name:26} one page, {len(ENCODINGS)} Accept-Encoding values: {entries} entries")

    # hole 1 with Django's keys: Django 6.1 hashes each header value as a netstring
    cache.clear()
    restore = factory.get(PATH, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    fragment = factory.get(PATH, HTTP_HX_REQUEST="true")
    response = view(restore)
    learn_cache_key(restore, response, cache_timeout=300)
    key_restore = get_cache_key(restore)
    key_fragment = get_cache_key(fragment)
    print("django: history-restore and htmx requests share a key:", key_restore == key_fragment)
    key = SharedPageCacheMiddleware.key
    print("project: they share a key:", key(restore) == key(fragment))


if __name__ == "__main__":
    main()
