"""Responses gzipped at a level chosen for the server's CPU.

Django's GZipMiddleware compresses at zlib level 6. A never-seen wizard step is compressed once
(the page cache then keeps the gzip body), but prefetching multiplies never-seen steps (issue
23), and at level 6 the compression is a tenth of a step's CPU. Level 3 takes 40-55 % less
time for 4-8 % more bytes (docs/performance.md, "Responses gzipped at level 3"): a few
hundred bytes on a phone's connection against a tenth of a millisecond of the server's time
for every step it renders.
"""

import gzip
import secrets

from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers

GZIP_LEVEL = 3


def compress(body: bytes, max_random_bytes: int = 0) -> bytes:
    """`body` as a gzip member at GZIP_LEVEL; with `max_random_bytes`, a file name of 0 to
    that many random bytes in its header, as Django adds (a mitigation of BREACH-type
    attacks: a compressed length no longer tells a guessed secret's)."""
    data = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    if not max_random_bytes:
        return data
    header = bytearray(data[:10])
    header[3] = gzip.FNAME
    return bytes(header) + b"a" * secrets.randbelow(max_random_bytes) + b"\x00" + data[10:]


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's GZipMiddleware, with whole bodies compressed by ``compress``. Streaming bodies,
    short ones and those already encoded go Django's way unchanged."""

    def process_response(self, request, response):
        if response.streaming or len(response.content) < 200:
            return super().process_response(request, response)
        if response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = compress(response.content, self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        # A strong ETag is made weak, as Django does (RFC 9110, section 8.8.1).
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
