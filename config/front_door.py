"""Pages this process keeps are answered before Django's request handling.

A page-cache hit ran Django's whole handler for a lookup: a request object, the
``request_started`` and ``request_finished`` signals (database connection housekeeping), the
middleware chain down to the page cache, and the response's way back up. About half of a hit's
CPU, and a hit is what most owners' requests are (issue 23, item 3: a hit at least 0.9 × the
bare Django floor served; docs/performance.md, "The front door").

``FrontDoor`` wraps the WSGI application (config/wsgi.py). For a plain GET it builds the page
cache's key (``SharedPageCacheMiddleware.key``, the one place keys are made) and looks in this
process's layer (``kb.middleware.kept_page``); a page found there is sent as stored, with what
the page cache's outer middleware does for a hit done here too: the usage counts
(``usage.middleware.count_served``) and the request's log line (``kb.middleware.log_request``).
The stored page already carries every header the middleware inside the page cache added
(security, CSP, compression, Vary), as on a hit in the middleware.

Everything else goes to Django as before, with the key left in the environ so a miss does not
build it twice: HEAD, other methods, a conditional request (its 304 is made by the page cache),
a request carrying the staff marker (answered private), static files, a host Django would
refuse, and any page not kept in this process (the shared cache, then the view). For a page
not kept, Django's handler (``Handler``, config/wsgi.py) is given the request object the front
door built for its key, with what that worked out once per request (the query in its one
spelling, the language, the page's scopes): a never-seen step built them twice.
"""

import time

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest

from kb.middleware import SharedPageCacheMiddleware, kept_page, log_request, unpack
from usage.middleware import count_served

# Where the front door leaves its request for ``Handler`` (taken out again at once).
REQUEST_ENVIRON = "carfaults.request"


class Handler(WSGIHandler):
    """Django's WSGI handler, which takes the request the front door built for this environ
    rather than building another from it (Django calls ``self.request_class(environ)``)."""

    def request_class(self, environ):
        request = environ.pop(REQUEST_ENVIRON, None)
        return WSGIRequest(environ) if request is None else request


class FrontDoor:
    def __init__(self, application):
        self.application = application
        # only Handler takes the request out of the environ (a request there and the environ
        # in the request would keep each other alive until the garbage collector came)
        self.hands_on_request = isinstance(application, Handler)

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request, response = self.kept(environ)
        if response is None:
            if request is not None and self.hands_on_request:
                environ[REQUEST_ENVIRON] = request
            return self.application(environ, start_response)
        count_served(request, response)
        log_request(request, response, started)
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, list(response.items()))
        return [response.content]

    @staticmethod
    def kept(environ):
        """(the request, its stored response) if this process keeps the page; else (the
        request with its page's key worked out, None) for Django to go on with, or (None,
        None) when Django builds its own."""
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_IF_NONE_MATCH" in environ:
            return None, None
        if SharedPageCacheMiddleware.STAFF_COOKIE in environ.get("HTTP_COOKIE", ""):
            return None, None
        request = WSGIRequest(environ)
        if request.path_info.startswith(settings.STATIC_URL):
            return None, None
        try:
            key = SharedPageCacheMiddleware.key(request)
        except Exception:  # noqa: BLE001 - a refused host, say: Django meets it again, answers it
            return None, None
        environ[SharedPageCacheMiddleware.KEY_ENVIRON] = key
        data = kept_page(key)
        return request, None if data is None else unpack(data)
