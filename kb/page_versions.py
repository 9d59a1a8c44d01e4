"""Which content versions a public page keys on (kb/content_version.py), read from its URL.

A page of one problem (its page, a fault's, the wizard, its print and QR code, the API for
it) keys on that problem's version: an edit of another problem leaves it in place. A page of
one model (its page, FAQ, procedures, generations) keys on the model's version, which every
change in the model moves. Every other page (home, sitemap, search, anything not named here)
keys on the listing version, which every change moves. The site's version is in every key.

The page cache (kb/middleware.py) asks before the view runs, so the path is resolved
here, in the language the request is answered in (the Russian pages' prefix is /ru/).
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.urls import Resolver404, resolve
from django.utils import translation

from kb.content_version import LISTING, model_scope, problem_scope
from web.canonical import query_params
from web.locale import request_language

PROBLEM_PAGES = {"kb:problem", "kb:fault", "diagnosis:wizard", "diagnosis:print", "diagnosis:qr"}
MODEL_PAGES = {"kb:vehicle", "kb:faq", "kb:procedure", "kb:generation"}
API = "api"  # its problem is in the query: ?model=…&problem=…
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def page_scopes(request) -> tuple[str, ...]:
    """The scopes of this request's page, worked out once per request."""
    scopes = getattr(request, "_page_scopes", None)
    if scopes is None:
        scopes = request._page_scopes = _scopes(request)
    return scopes


def _scopes(request) -> tuple[str, ...]:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        view_name, kwargs = match.view_name, match.kwargs
    else:
        view_name, kwargs = _resolved(request_language(request), request.path_info)
    if view_name in PROBLEM_PAGES:
        return (problem_scope(kwargs["model"], kwargs["problem"]),)
    if view_name in MODEL_PAGES:
        return (model_scope(kwargs["model"]),)
    if view_name == API:
        params = query_params(request)
        model, problem = params.get("model", ""), params.get("problem", "")
        if SLUG.fullmatch(model) and SLUG.fullmatch(problem):
            return (problem_scope(model, problem),)
    return (LISTING,)


# Resolving a path costs about 0.2 ms (the admin's patterns come first), on every request the
# page cache answers; a wizard's path is the same for all its states, so paths are few.
@lru_cache(maxsize=4096)
def _resolved(language: str, path: str) -> tuple[str, dict]:
    try:
        with translation.override(language):
            match = resolve(path)
    except Resolver404:
        return "", {}
    return match.view_name, match.kwargs
