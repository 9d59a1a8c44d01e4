"""The API's catalogue endpoints and its OpenAPI document (the diagnosis: views.api_diagnose).

    /api/v1/makes                                               paged
    /api/v1/makes/<make>/models                                 paged
    /api/v1/models/<model>/generations
    /api/v1/models/<model>/generations/<generation>/problems    paged
    /api/v1/openapi.json                                        the document (openapi.json)

The bodies come from kb/catalogue.py; a view parses ``page`` and ``lang``, sends every other
spelling of its request to the canonical URL (301: unknown parameters, ``page=1``, a language
not supported), and answers errors in the API's one format (``error`` and ``errors``, each
``{part, message, valid}``: the ``Error`` schema of the document). Responses are public for
STEP_MAX_AGE seconds and declare their canonical query, so the page cache stores each once
(web/canonical.py); their content version is the listing's, which every edit moves
(kb/page_versions.py).
"""

from __future__ import annotations

import json
from functools import cache, wraps
from pathlib import Path

from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import bad_request as django_bad_request

from kb import catalogue
from kb.paging import page_query
from web.canonical import declare
from web.locale import API_PREFIX, asked_language

from .views import STEP_MAX_AGE, _elsewhere, api_methods

OPENAPI = Path(__file__).with_name("openapi.json")


def error_response(status: int, part: str, message: str, valid=()) -> JsonResponse:
    """The API's one error format (kb.views.api_error, with the valid values)."""
    error = {"part": part, "message": message, "valid": list(valid)}
    return JsonResponse({"error": error, "errors": [error]}, status=status)


# What an unknown slug or code in the path is called, by part.
UNKNOWN = {
    "make": gettext_lazy("Unknown make “%(value)s”."),
    "model": gettext_lazy("Unknown model “%(value)s”."),
    "generation": gettext_lazy("Unknown generation “%(value)s”."),
}


class BadPage(Exception):
    pass


def _page_number(request) -> int:
    raw = request.GET.get("page")
    if raw is None:
        return 1
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
        raise BadPage(raw)
    return int(raw)


def _language_query(request) -> str:
    language = asked_language(request)
    return f"lang={language}" if language else ""


def catalogue_view(paged: bool):
    """Decorate a catalogue view ``view(request, api_query, [page], **slugs) -> dict``."""

    def decorate(view):
        @api_methods
        @wraps(view)
        def answer(request, **slugs):
            api_query = _language_query(request)
            extra = {}
            if paged:
                try:
                    extra["page"] = _page_number(request)
                except BadPage as bad:
                    message = _("“%(page)s” is not a page number: give 1 or more.") % {
                        "page": str(bad)[:20]
                    }
                    return error_response(400, "page", message)
            canonical = "&".join(q for q in (page_query(extra.get("page", 1)), api_query) if q)
            if moved := _elsewhere(request, canonical):
                return moved
            try:
                data = view(request, api_query, **extra, **slugs)
            except catalogue.Unknown as unknown:
                message = UNKNOWN[unknown.part] % {"value": unknown.value[:60]}
                return error_response(404, unknown.part, message, unknown.valid)
            except catalogue.NoSuchPage as past:
                message = _("There is no page %(page)s: this list has %(pages)s.") % {
                    "page": extra["page"],
                    "pages": past.pages,
                }
                return error_response(404, "page", message, [f"1–{past.pages}"])
            response = JsonResponse(data)
            patch_cache_control(response, public=True, max_age=STEP_MAX_AGE)
            return declare(response, canonical)

        return answer

    return decorate


@catalogue_view(paged=True)
def makes(request, api_query, page):
    return catalogue.makes(page, api_query)


@catalogue_view(paged=True)
def models(request, api_query, page, make):
    return catalogue.models(make, page, api_query)


@catalogue_view(paged=False)
def generations(request, api_query, model):
    return catalogue.generations(model, api_query)


@catalogue_view(paged=True)
def problems(request, api_query, page, model, generation):
    return catalogue.problems(model, generation, page, api_query)


@cache
def openapi_document() -> bytes:
    """The document as kept in the repository (diagnosis/openapi.json), read once."""
    return OPENAPI.read_bytes()


def openapi_info() -> dict:
    return json.loads(openapi_document())["info"]


@api_methods
def openapi(request):
    """The OpenAPI 3.1 document of /api/v1. It takes no parameter: any goes away (301)."""
    if moved := _elsewhere(request, ""):
        return moved
    response = HttpResponse(openapi_document(), content_type="application/json")
    patch_cache_control(response, public=True, max_age=STEP_MAX_AGE)
    return declare(response, "")


def bad_request(request, exception):
    """400 for a request Django refuses before any view (too many parameters, a bad Host):
    under /api/ in the API's error format, elsewhere Django's own page."""
    if request.path.startswith(API_PREFIX):
        return error_response(400, "request", _("This request cannot be read."))
    return django_bad_request(request, exception)
