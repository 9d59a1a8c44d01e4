"""Caching of public pages: browsers and proxies by Cache-Control and ETag, the server by HTML.

A public page is the same for every visitor and changes only when the content (or the code)
changes. So:

- its ETag is a hash of the content version, the code version and the full path: a client
  that sends it back in If-None-Match gets a 304 without the page being built;
- it carries ``Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS``;
- its rendered HTML is kept in Django's cache under the content version and the path, so a
  warm page costs no SQL query at all.

Every content edit bumps the content version (kb/signals.py), which changes both the ETag and
the cache key at once: nothing stale is served after an edit, and nothing must be purged.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache as memoize
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from .content_version import content_version

# Rendered pages are dropped after a day at the latest, so the HTML of retired content
# versions does not pile up in a cache without eviction.
PAGE_CACHE_TIMEOUT = 24 * 3600
CACHE_PREFIX = "kb:page"

_BASE_DIR = Path(__file__).resolve().parent.parent


def _hash_code() -> str:
    """A hash of what shapes a page besides the content: templates, CSS, icons, kb code.

    With a shared cache (Redis) the content version survives a deploy; this keeps a new
    release from serving the HTML or ETags its predecessor produced.
    """
    digest = hashlib.sha256(os.environ.get("RELEASE", "").encode())
    roots = [_BASE_DIR / "templates", _BASE_DIR / "static" / "css", _BASE_DIR / "static" / "icons"]
    files = [path for root in roots if root.is_dir() for path in root.rglob("*") if path.is_file()]
    files += list((_BASE_DIR / "kb").glob("*.py"))
    files += list((_BASE_DIR / "kb" / "templatetags").glob("*.py"))
    for path in sorted(files):
        digest.update(str(path.relative_to(_BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_hash_code_once = memoize(_hash_code)


def code_version() -> str:
    # In development templates change under a running server, so hash them every time.
    return _hash_code() if settings.DEBUG else _hash_code_once()


def _version(request) -> str:
    version = getattr(request, "_kb_page_version", None)
    if version is None:
        version = request._kb_page_version = f"{content_version()}:{code_version()}"
    return version


def _digest(request) -> str:
    raw = f"{_version(request)}|{request.get_full_path()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def page_etag(request, *args, **kwargs) -> str:
    return f'"{_digest(request)}"'


def _storable(request) -> bool:
    """Only anonymous GETs of the bare path are kept on the server.

    "Anonymous" is judged by the absence of a session cookie, so that the session is never
    read (reading it would add ``Vary: Cookie`` to every public page). A query string is
    never part of a stored page: junk parameters cannot fill the cache.
    """
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def page_cache_key(request) -> str:
    return f"{CACHE_PREFIX}:{_digest(request)}"


def public_page(view=None, *, store: bool = True):
    """Decorate a public view: GET/HEAD only, Cache-Control, ETag (304), server-side HTML cache.

    ``store=False`` keeps the headers but never stores the HTML (for the search page, whose
    query strings are unbounded).
    """

    def decorate(view):
        @wraps(view)
        def stored_view(request, *args, **kwargs):
            key = page_cache_key(request) if store and _storable(request) else None
            if key is not None:
                hit = cache.get(key)
                if hit is not None:
                    content_type, content = hit
                    return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if (
                key is not None
                and request.method == "GET"
                and response.status_code == 200
                and not response.streaming
            ):
                cache.set(
                    key, (response["Content-Type"], response.content), timeout=PAGE_CACHE_TIMEOUT
                )
            return response

        conditional_view = require_safe(condition(etag_func=page_etag)(stored_view))

        @wraps(view)
        def public_view(request, *args, **kwargs):
            response = conditional_view(request, *args, **kwargs)
            if response.status_code in (200, 304):
                patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
            return response

        public_view.public_page = True
        return public_view

    return decorate(view) if view is not None else decorate
