"""What stands before an owner report is read: the rate limit and a cookie-free CSRF check.

Rate limit: web/rate_limits.py counts reports per client in the ``state`` cache: an IPv4
address, or an IPv6 address's /64 (web.clients.client_subject), so fifty addresses of one
/64 share one budget. Its key is a keyed hash (HMAC with the SECRET_KEY) of that, never the
address itself, and nothing about the address is written anywhere else. Only a POST that is
answered as accepted (a stored report, or the honeypot's thanks) uses up the budget: a bad
token, another site's POST or an invalid form gives its place back, so an owner who mistyped
is not locked out. A POST is counted before it is read, in one atomic step, so POSTs racing
from one client cannot all pass the last free place.

CSRF without a cookie: Django's CSRF check needs a cookie (or a session, which is a cookie),
and an anonymous owner gets none. Instead (docs/decisions.md):

- the browser must not say the POST is cross-site: an ``Origin`` header, when sent (every
  current browser sends it on a POST), must be this site's; ``Sec-Fetch-Site`` must not be
  ``cross-site``;
- the form carries a token signed with the SECRET_KEY naming the problem and the time it was
  made. It is the same for every visitor, so a page with the form can be stored in the shared
  page cache and still post; it expires after REPORT_FORM_MAX_AGE (far longer than a stored
  page lives), and an expired one gets the form back with a fresh token.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.crypto import salted_hmac
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from diagnosis import content
from web import rate_limits
from web.clients import client_subject

TOKEN_FIELD = "report_token"
_SALT = "reports.fix-form"
GROUP = "reports.fix"


def form_token(compiled: content.CompiledProblem) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(
        f"{compiled.model_slug}/{compiled.problem_slug}"
    )


@dataclass(frozen=True)
class TokenCheck:
    valid: bool
    expired: bool = False


def check_token(token: str, compiled: content.CompiledProblem) -> TokenCheck:
    signer = signing.TimestampSigner(salt=_SALT)
    expected = f"{compiled.model_slug}/{compiled.problem_slug}"
    try:
        value = signer.unsign(token, max_age=settings.REPORT_FORM_MAX_AGE)
    except signing.SignatureExpired:
        try:
            value = signer.unsign(token)
        except signing.BadSignature:
            return TokenCheck(False)
        return TokenCheck(value == expected, expired=True)
    except signing.BadSignature:
        return TokenCheck(False)
    return TokenCheck(value == expected)


def _same_origin(request) -> bool:
    origin = request.headers.get("Origin")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    if origin is None:
        return True  # no browser of today omits it on a POST; the token still must match
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.scheme}://{request.get_host()}"


def rate_key(group: str, request) -> str:
    """The client as the rate limit knows it: a keyed hash of its IPv4 address or IPv6 /64,
    nothing more."""
    address = client_subject(request) or "unknown"
    return salted_hmac("reports.rate-limit", address, algorithm="sha256").hexdigest()


def _refused(request) -> str:
    """The full page, or only its message for an htmx swap."""
    return "reports/refused.html" + ("#message" if request.htmx else "")


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    response.shared_cache = False  # kb.middleware.SharedPageCacheMiddleware
    return response


def guarded(view):
    """POST only; the problem must exist and be published; then the rate limit (429, nothing
    read further), then the CSRF check (403). The view gets the compiled content and whether
    the token expired; only its accepting answer (below 400) counts against the limit. No
    response sets a cookie; none is stored in any cache."""

    @csrf_exempt  # the check below replaces Django's cookie-based one
    @require_POST
    @wraps(view)
    def checked(request, model, problem):
        compiled = content.compiled_problem(model, problem)
        if compiled is None or not compiled.is_public:
            raise Http404("No such model or problem")
        taken = rate_limits.take(
            GROUP,
            rate_key(GROUP, request),
            settings.REPORT_RATE_LIMIT,
            settings.REPORT_RATE_WINDOW,
        )
        if not taken.allowed:
            context = {
                "compiled": compiled,
                "limit": settings.REPORT_RATE_LIMIT,
                "window": settings.REPORT_RATE_WINDOW,
                "retry_after": taken.retry_after,
                "too_many": True,
            }
            response = render(request, _refused(request), context, status=429)
            response["Retry-After"] = str(taken.retry_after)
            return _private(response)
        token = check_token(request.POST.get(TOKEN_FIELD, ""), compiled)
        if not (token.valid and _same_origin(request)):
            rate_limits.give_back(taken)
            context = {"compiled": compiled}
            response = render(request, _refused(request), context, status=403)
            return _private(response)
        response = view(request, compiled, token_expired=token.expired)
        if response.status_code >= 400:  # not accepted: it costs the sender nothing
            rate_limits.give_back(taken)
        return _private(response)

    return checked
