import hashlib
import logging
import time

from django.core.cache import cache
from django.http import HttpResponseNotModified
from django.utils.http import quote_etag

from kb.content_version import content_version
from kb.http import code_version

logger = logging.getLogger("carfaults.request")
# Stored pages expire on their own too, so rarely visited wizard URLs do not pile up.
PAGE_TIMEOUT = 3600


class RequestLogMiddleware:
    """Logs one structured line per request: method, path, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "request",
                extra={
                    "fields": {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "htmx": request.headers.get("HX-Request") == "true",
                    }
                },
            )
        return response


class SharedPageCacheMiddleware:
    """Serves repeated anonymous GETs from the shared cache, exactly as first sent.

    A view opts in by marking its response `Cache-Control: public` (public pages, wizard
    steps, the API: their URL is their whole state). The entry is stored after compression
    and security headers, so a hit costs one cache read. Keys carry the content version and
    the code version, so an edit or a deploy retires every stored page at once.
    """

    # What a stored response may vary on; the key below accounts for each.
    KNOWN_VARY = {"accept-encoding", "hx-request", "hx-history-restore-request"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        key = self.key(request)
        response = cache.get(key)
        if response is not None:
            etag = response.get("ETag")
            if etag and etag in request.headers.get("If-None-Match", ""):
                return self.not_modified(response)
            return response
        response = self.get_response(request)
        if request.method == "GET" and self.storable(response):
            if not response.has_header("ETag"):
                response["ETag"] = quote_etag(hashlib.md5(response.content).hexdigest())
            cache.set(key, response, timeout=PAGE_TIMEOUT)
        return response

    @staticmethod
    def key(request) -> str:
        encoding = "gzip" if "gzip" in request.headers.get("Accept-Encoding", "") else "plain"
        htmx = request.headers.get("HX-Request", "") + request.headers.get(
            "HX-History-Restore-Request", ""
        )
        address = hashlib.md5(request.get_full_path().encode()).hexdigest()
        return f"page:{content_version()}:{code_version()}:{encoding}:{htmx}:{address}"

    def storable(self, response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if not getattr(response, "shared_cache", True):
            return False
        if "'nonce-" in response.get("Content-Security-Policy", ""):
            return False  # a nonce must not be replayed to other visitors
        if "public" not in response.get("Cache-Control", ""):
            return False
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        return vary <= self.KNOWN_VARY

    @staticmethod
    def not_modified(response):
        fresh = HttpResponseNotModified()
        for header in ("ETag", "Cache-Control", "Vary", "Content-Security-Policy"):
            if response.has_header(header):
                fresh[header] = response[header]
        return fresh
