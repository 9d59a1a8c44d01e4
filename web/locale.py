"""Which language a request is answered in: one function, used by the middleware that
activates it and by the shared page cache that keys stored responses by it.

- Public pages (everything under ``i18n_patterns`` in config/urls.py): the path alone.
  ``/ru/...`` is Russian, any other path English, whatever the browser asks for, so a page's
  URL is its whole state and a link always shows the language it names.
- The API (``/api/``): ``?lang=ru`` if given and supported, else the ``Accept-Language``
  header, else English. Responses carry ``Vary: Accept-Language``.
- The admin (``/admin/``): the staff member's choice (the language cookie that the admin's
  language form sets through Django's ``set_language``), else ``Accept-Language``. Its URLs
  have no prefix (docs/decisions.md, "Languages").

Django's own LocaleMiddleware cannot do the last two: with ``prefix_default_language=False``
it answers every unprefixed path in LANGUAGE_CODE.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import get_supported_language_variant

from web.canonical import query_params

API_PREFIX = "/api/"
ADMIN_PREFIX = "/admin/"


def _supported(code: str) -> str | None:
    try:
        return get_supported_language_variant(code.strip()[:20])
    except LookupError:
        return None


def _from_accept_language(request) -> str | None:
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        language = _supported(code)
        if language:
            return language
    return None


def asked_language(request) -> str | None:
    """The supported language an API request names with ``?lang=``, if it names one."""
    asked = query_params(request).get("lang", "")
    language = asked and _supported(asked)
    return language.lower() if language else None


def request_language(request) -> str:
    """The language code this request is answered in (see the module's docstring), worked
    out once per request: the page cache's key and its scopes ask before the view runs, the
    middleware that activates it after."""
    language = getattr(request, "_answer_language", None)
    if language is None:
        language = request._answer_language = _language(request)
    return language


def _language(request) -> str:
    path = request.path_info
    from_path = translation.get_language_from_path(path)
    if from_path:
        return from_path
    if path.startswith(API_PREFIX):
        return asked_language(request) or _from_accept_language(request) or "en"
    if path.startswith(ADMIN_PREFIX):
        return translation.get_language_from_request(request, check_path=False)
    return settings.LANGUAGE_CODE


def varies_on_accept_language(request) -> bool:
    """Whether the answer to this request depends on its Accept-Language header."""
    path = request.path_info
    return path.startswith((API_PREFIX, ADMIN_PREFIX)) and not translation.get_language_from_path(
        path
    )


class LanguageMiddleware:
    """Activates ``request_language`` for the request; says which language the response is
    in (Content-Language) and, where the header decides it, Vary: Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # The thread goes back to the default language: nothing after this request (the
            # next one on this thread, a management task, a test) inherits this one's.
            translation.deactivate()
        if varies_on_accept_language(request):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
