"""Counts each wizard step served, rendered or replayed by the page cache.

It sits outside ``SharedPageCacheMiddleware``: a repeated step URL is answered from the
shared cache without running the view, but the response it replays carries the events the
view attached (``response.usage_events`` is pickled with the stored response), so both paths
count alike, with one cache round trip and no database access. Counted: GET with status 200.
Not counted: HEAD, a 304 revalidation, a step the browser serves from its own cache (the
server never sees those), a step fetched ahead (``Purpose: prefetch`` from the service worker,
``Sec-Purpose: prefetch`` from the browser: most are never tapped; a tap the worker answers
from a kept step is told to the server after it, as an ordinary request, templates/kb/sw.js),
and requests carrying the staff marker cookie, so staff trying the wizard do not skew the
figures. Nothing about the person is read or kept.
"""

from django.core.exceptions import MiddlewareNotUsed

from kb.middleware import SharedPageCacheMiddleware

from . import counters


class UsageCountMiddleware:
    def __init__(self, get_response):
        if not counters.enabled():
            raise MiddlewareNotUsed("USAGE_COUNTING is off")
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        count_served(request, response)
        return response


def count_served(request, response) -> None:
    """Count the events a served step carries, by the rules above (also called for the steps
    config/front_door.py serves)."""
    events = getattr(response, "usage_events", None)
    if (
        events
        and request.method == "GET"
        and response.status_code == 200
        and not staff_marked(request)
        and not fetched_ahead(request)
        and counters.enabled()
    ):
        counters.count(events)


def staff_marked(request) -> bool:
    # The cookies are parsed only when the marker's name is in the header at all: this runs
    # on every page-cache hit, nearly all of them without it.
    name = SharedPageCacheMiddleware.STAFF_COOKIE
    return name in request.META.get("HTTP_COOKIE", "") and request.COOKIES.get(name) == "1"


def fetched_ahead(request) -> bool:
    """A request the owner did not make: a step fetched ahead of a tap that may never come."""
    meta = request.META  # not request.headers: this runs on every page-cache hit too
    return meta.get("HTTP_PURPOSE") == "prefetch" or meta.get("HTTP_SEC_PURPOSE", "").startswith(
        "prefetch"
    )
