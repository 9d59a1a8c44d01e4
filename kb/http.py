"""Caching of public pages: browsers and proxies by Cache-Control and ETag, the server by HTML.

A public page is the same for every visitor and changes only when the content (or the code)
changes. So:

- its ETag is a hash of the content versions it shows (kb/page_versions.py), the release
  id and the full path: a client
  that sends it back in If-None-Match gets a 304 without the page being built;
- it carries ``Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS``;
- the shared page cache (kb.middleware.SharedPageCacheMiddleware) stores the response as
  sent, under the content and code versions and the path, so a warm page costs no SQL query.

Every content edit bumps the versions of what it belongs to (kb/signals.py, kb/scopes.py),
which changes both the ETag and the cache key of each page showing it at once: nothing stale
is served after an edit, and nothing must be purged.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from kb.page_versions import page_scopes
from web import rate_limits
from web.clients import client_subject
from web.release import release_id

from .content_version import content_version


def code_version() -> str:
    """The release id (web/release.py): the code, templates and static files behind a page."""
    return release_id()


def _version(request) -> str:
    version = getattr(request, "_kb_page_version", None)
    if version is None:
        version = request._kb_page_version = (
            f"{content_version(*page_scopes(request))}:{code_version()}"
        )
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
                response.shared_cache = False  # kb.middleware.SharedPageCacheMiddleware
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


def rate_limited(name: str, limit_setting: str, window_setting: str):
    """Allow each client (an IPv4 address or IPv6 /64: web.clients.client_subject)
    ``settings.<limit_setting>`` requests per ``settings.<window_setting>`` seconds to this
    view; beyond, a 429 page with Retry-After (web/rate_limits.py counts)."""

    def decorate(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            limit, window = getattr(settings, limit_setting), getattr(settings, window_setting)
            if limit <= 0:
                return view(request, *args, **kwargs)
            taken = rate_limits.take(name, client_subject(request), limit, window)
            if taken.allowed:
                return view(request, *args, **kwargs)
            context = {"limit": limit, "window": window, "retry_after": taken.retry_after}
            response = render(request, "429.html", context, status=429)
            response["Retry-After"] = str(taken.retry_after)
            patch_cache_control(response, private=True, no_store=True)
            return response

        return limited

    return decorate
