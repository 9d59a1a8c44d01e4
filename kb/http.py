"""Caching of public pages: browsers and proxies by Cache-Control and ETag, the server by HTML.

A public page is the same for every visitor and changes only when the content (or the code)
changes. So:

- its ETag is a hash of the content version, the code version and the full path: a client
  that sends it back in If-None-Match gets a 304 without the page being built;
- it carries ``Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS``;
- the shared page cache (config.middleware.SharedPageCacheMiddleware) stores the response as
  sent, under the content and code versions and the path, so a warm page costs no SQL query.

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
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from .content_version import content_version

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


def public_page(view=None, *, store: bool = True):
    """Decorate a public view: GET/HEAD only, Cache-Control, ETag (304), shared page cache.

    ``store=False`` keeps the headers but keeps the response out of the shared page cache
    (for the search page, whose query strings are unbounded).
    """

    def decorate(view):
        @wraps(view)
        def marked_view(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if not store:
                response.shared_cache = False  # config.middleware.SharedPageCacheMiddleware
            return response

        conditional_view = require_safe(condition(etag_func=page_etag)(marked_view))

        @wraps(view)
        def public_view(request, *args, **kwargs):
            response = conditional_view(request, *args, **kwargs)
            if getattr(response, "draft", False):
                patch_cache_control(response, private=True, no_cache=True)
            elif response.status_code in (200, 304):
                patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
            return response

        public_view.public_page = True
        return public_view

    return decorate(view) if view is not None else decorate
