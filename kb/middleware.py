import hashlib
import logging
import pickle
import threading
import time
import zlib
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponseNotModified
from django.middleware.gzip import re_accepts_gzip
from django.utils.http import quote_etag

from kb.content_version import content_version
from web.canonical import is_canonical, request_query
from web.locale import request_language
from web.release import release_id

from .page_versions import page_scopes

logger = logging.getLogger("carfaults.request")
# Stored pages expire on their own too, so rarely visited wizard URLs do not pile up.
PAGE_TIMEOUT = 3600
# zlib's level for stored pages (``pack``): the fastest; level 6 saves 5-12 % more of a page
# and costs twice the time (docs/performance.md, "Stored pages are compressed").
PACK_LEVEL = 1
# The first byte of a packed page: how the pickle after it is stored.
ZLIB, PLAIN = b"z", b"p"


def pack(response) -> bytes:
    """A response as stored, in the shared cache and in process memory: pickled, and
    compressed unless its body already is (GZipMiddleware's): a gzip body shrinks by under a
    tenth, and each hit would pay the unpacking."""
    data = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
    if response.has_header("Content-Encoding"):
        return PLAIN + data
    return ZLIB + zlib.compress(data, PACK_LEVEL)


def unpack(data: bytes):
    """A stored response, a new object for each request (it gets headers and cookies added)."""
    body = memoryview(data)[1:]
    return pickle.loads(zlib.decompress(body) if data[:1] == ZLIB else body)


class RequestLogMiddleware:
    """Logs one structured line per request: method, path, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        log_request(request, response, started)
        return response


def log_request(request, response, started: float) -> None:
    """The request's log line (``started``: its ``time.perf_counter()``), when INFO is on."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                    "htmx": request.META.get("HTTP_HX_REQUEST") == "true",
                }
            },
        )


class SharedPageCacheMiddleware:
    """Serves repeated GETs of public responses from the shared cache, exactly as first sent.

    A view opts in by marking its response `Cache-Control: public` (public pages, wizard
    steps, the API: their URL is their whole state). The entry is stored after compression
    and security headers, so a hit costs one cache read besides the content version. The key
    is built from named, normalized parts (see ``key``): the release id and the content
    versions the page shows (kb/page_versions.py: an edit retires the pages of its
    problem, its model and the lists, a deploy every stored page), the exact scheme and
    host (absolute URLs in a page come from them), the language the request is answered in
    (web/locale.py: the path for pages, ``?lang=`` or Accept-Language for the API), each
    header the response varies on, as the code that reads it decides, the path and the query
    string in its one spelling (web/canonical.py). A response is stored only when that
    query is the one the response declares canonical (none, unless the view says otherwise),
    so unknown parameters never add an entry: one state, one URL, one entry. Entries are
    stored compressed (``pack``).

    Cookies do not bypass it: public pages are the same for everyone, staff included, so a
    made-up ``sessionid`` cannot turn every request into a rendered one. Staff still always
    see their own edits: a login sets a plain marker cookie (``STAFF_COOKIE``), and a
    response to a request carrying it is sent ``Cache-Control: private, no-cache``, so their
    browser revalidates every time (the ETag changes with the content version). A forged
    marker changes only how that client caches. Why this and not Django's cache middleware:
    docs/decisions.md.
    """

    # What a stored response may vary on; the key below accounts for each.
    KNOWN_VARY = {"accept-encoding", "accept-language", "hx-request", "hx-history-restore-request"}
    STAFF_COOKIE = "staff_view"

    # Where config/front_door.py leaves the key it built, so a miss does not build it again.
    KEY_ENVIRON = "carfaults.page_key"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.private(request, self.get_response(request))
        if request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)  # whitenoise's: never stored, never looked up
        key = request.META.get(self.KEY_ENVIRON) or self.key(request)
        hot = local_pages()
        data = kept_page(key)
        if data is None:
            data = cache.get(key)
            if isinstance(data, bytes):
                hot.put(key, data)  # asked for before: worth keeping in this process
            else:
                data = None  # nothing, or not a packed page
        if data is not None:
            response = unpack(data)
            etag = response.get("ETag")
            if etag and etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
                response = self.not_modified(response)
            return self.private(request, response)
        response = self.get_response(request)
        if request.method == "GET" and self.storable(request, response):
            if not response.has_header("ETag"):
                response["ETag"] = quote_etag(hashlib.md5(response.content).hexdigest())
            data = pack(response)  # now: what is added to the response later stays ours
            if hot.limit:
                hot.remember(key, data)  # shared once asked for again (HotPages)
            else:
                cache.set(key, data, timeout=PAGE_TIMEOUT)
        return self.private(request, response)

    # The request's headers are read from ``request.META`` on this path: ``request.headers``
    # builds a dictionary of every header, a tenth of a hit (issue 23, item 3).
    @staticmethod
    def encoding(request) -> str:
        # Exactly GZipMiddleware's test, so an entry holds what that middleware sent.
        accepts = request.META.get("HTTP_ACCEPT_ENCODING", "")
        return "gzip" if re_accepts_gzip.search(accepts) else ""

    @classmethod
    def key(cls, request) -> str:
        """The one place a page's cache key is built. The language is a part of its own, read
        by web.locale.request_language, the function LanguageMiddleware activates."""
        # django-htmx's reading of its headers: a value counts only when it is exactly "true".
        htmx = request.META.get("HTTP_HX_REQUEST") == "true"
        restore = request.META.get("HTTP_HX_HISTORY_RESTORE_REQUEST") == "true"
        # never the raw query: its one spelling (web/canonical.py; see ``storable``)
        where = f"{request.path}?{request_query(request)}"
        parts = {
            "release": release_id(),
            "content": content_version(*page_scopes(request)),
            "origin": f"{request.scheme}://{request.get_host()}",
            # Accept-Language counts only as web.locale reads it (pages: not at all).
            "language": request_language(request),
            "encoding": cls.encoding(request) or "identity",
            "htmx": int(htmx),
            "restore": int(restore),
            "path": hashlib.sha256(where.encode()).hexdigest()[:32],
        }
        named = "|".join(f"{name}={value}" for name, value in parts.items())
        return "page:" + hashlib.sha256(named.encode()).hexdigest()

    def storable(self, request, response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if not getattr(response, "shared_cache", True):
            return False
        if not is_canonical(request, response):
            return False  # another spelling of a state, or unknown parameters: no entry
        if "'nonce-" in response.get("Content-Security-Policy", ""):
            return False  # a nonce must not be replayed to other visitors
        if "public" not in response.get("Cache-Control", ""):
            return False
        if response.get("Content-Encoding", "") != self.encoding(request):
            return False  # the key names the encoding; store only what it names
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        return vary <= self.KNOWN_VARY

    def private(self, request, response):
        """Staff (the marker cookie) get public responses as private, revalidated each time;
        the marker follows logins and logouts (kb/signals.py sets ``request.staff_marker``)."""
        marker = getattr(request, "staff_marker", None)
        if marker is True:
            response.set_cookie(
                self.STAFF_COOKIE,
                "1",
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif marker is False:
            response.delete_cookie(self.STAFF_COOKIE, samesite="Lax")
        staff = marker is True or (marker is None and request.COOKIES.get(self.STAFF_COOKIE) == "1")
        if staff and "public" in response.get("Cache-Control", ""):
            response["Cache-Control"] = "private, no-cache"
        return response

    @staticmethod
    def not_modified(response):
        fresh = HttpResponseNotModified()
        for header in ("ETag", "Cache-Control", "Vary", "Content-Security-Policy"):
            if response.has_header(header):
                fresh[header] = response[header]
        return fresh


_local_pages: "HotPages | None" = None


def local_pages() -> "HotPages":
    """The pages this process keeps (one layer per process, sized by LOCAL_PAGE_ENTRIES and
    LOCAL_PAGE_MB), shared by the page cache middleware and config/front_door.py."""
    global _local_pages
    if _local_pages is None:
        _local_pages = HotPages(settings.LOCAL_PAGE_ENTRIES, settings.LOCAL_PAGE_MB * 2**20)
    return _local_pages


@receiver(setting_changed)
def forget_local_pages(*, setting=None, **kwargs) -> None:
    """A new, empty layer: when its size settings change, and for each test (tests/conftest.py;
    each test's content starts at the same versions, so a page kept from another would match)."""
    global _local_pages
    if setting in (None, "LOCAL_PAGE_ENTRIES", "LOCAL_PAGE_MB"):
        _local_pages = None


def kept_page(key: str) -> bytes | None:
    """The packed page this process keeps under `key`, or None. A page asked for the second
    time here is written to the shared cache for the other processes (HotPages)."""
    data, second_time = local_pages().get(key)
    if second_time:
        cache.set(key, data, timeout=PAGE_TIMEOUT)
    return data


class HotPages:
    """Pages kept in this process in front of the shared cache (Redis): a segmented LRU.

    A page this process renders is *remembered* (a probation segment), not written to Redis:
    most wizard states are asked for once (random answers, changed answers), and a write of
    each cost a round trip for nothing. Asked for again here, the page moves to the kept
    segment and is written to Redis for the other processes. A page found in Redis goes to the
    kept segment at once. So a popular page costs no round trip, a never-seen state costs one
    (the lookup), and a stream of never-seen states passes through probation without pushing
    popular pages out. A page is rendered at most twice per process before it is shared.

    Each segment holds at most ``limit`` entries, and the kept one at most ``max_bytes`` of
    packed pages: an entry is one page, from a 1.5 KB htmx step to a 10 KB result page, so a
    count alone does not bound the memory. Probation has what the kept segment leaves free, and
    never less than a quarter of ``max_bytes``: a process that has not filled its layer yet
    keeps every page it renders until it is asked again, so a state is rendered once per
    process, not again each time a quarter's worth of others went by (which happened to most
    states of the owner walk: docs/performance.md, "Probation uses the room the kept pages
    leave"). Both together stay within 1.25 × ``max_bytes``. Sized to hold every
    state an owner can reach (13,535 htmx steps on the shipped content, 89.6 MB packed: set
    LOCAL_PAGE_MB to 128), a process that has served a while answers them all without a round
    trip (docs/performance.md, "A hit against the floor, and the warm owner walk"): a Redis
    read costs more than the rest of a hit.

    Entries are the packed bytes the shared cache holds too (``pack``: pickled, compressed),
    unpacked per request: each request gets a response of its own to add headers and cookies
    to, and a page moves between the layers without being packed again. The key names the
    content version and the release, so an entry is never stale; the least recently used go
    first. ``limit`` 0: no local layer (the shared cache is then the process's own memory, and
    each page is stored at once).
    """

    def __init__(self, limit: int, max_bytes: int = 0):
        self.limit, self.max_bytes = limit, max_bytes
        self.kept = _Segment(limit, max_bytes)
        self.probation = _Segment(limit, max_bytes)
        self.lock = threading.Lock()

    def _fit_probation(self) -> None:
        """Probation's room: what the kept pages leave, at least a quarter (under the lock)."""
        if self.max_bytes:
            self.probation.resize(max(self.max_bytes // 4, self.max_bytes - self.kept.bytes))

    def get(self, key: str) -> tuple[bytes | None, bool]:
        """(the packed page, asked for the second time here) or (None, False)."""
        if not self.limit:
            return None, False
        with self.lock:
            data = self.kept.touch(key)
            if data is not None:
                return data, False
            data = self.probation.pop(key)
            if data is None:
                return None, False
            self.kept.put(key, data)
            self._fit_probation()
        return data, True

    def put(self, key: str, data: bytes) -> None:
        """Keep a page that was asked for before (found in the shared cache)."""
        if self.limit:
            with self.lock:
                self.kept.put(key, data)
                self._fit_probation()

    def remember(self, key: str, data: bytes) -> None:
        """Keep a page rendered here, on probation."""
        if self.limit:
            with self.lock:
                self._fit_probation()
                self.probation.put(key, data)


class _Segment:
    """An LRU of packed pages bounded by entries and by bytes (0: by entries only). Not
    thread-safe on its own: HotPages holds its lock."""

    def __init__(self, limit: int, max_bytes: int):
        self.limit, self.max_bytes = limit, max_bytes
        self.pages: OrderedDict[str, bytes] = OrderedDict()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self.pages)

    def __iter__(self):
        return iter(self.pages)

    def touch(self, key: str) -> bytes | None:
        data = self.pages.get(key)
        if data is not None:
            self.pages.move_to_end(key)
        return data

    def pop(self, key: str) -> bytes | None:
        data = self.pages.pop(key, None)
        if data is not None:
            self.bytes -= len(data)
        return data

    def put(self, key: str, data: bytes) -> None:
        self.pop(key)
        self.pages[key] = data
        self.bytes += len(data)
        self._evict()

    def resize(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._evict()

    def _evict(self) -> None:
        """The least recently used go until the segment is within its bounds."""
        while self.pages and (
            len(self.pages) > self.limit or (self.max_bytes and self.bytes > self.max_bytes)
        ):
            _, dropped = self.pages.popitem(last=False)
            self.bytes -= len(dropped)
