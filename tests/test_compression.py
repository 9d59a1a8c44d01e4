"""Responses are gzipped at the project's level (web/compression.py), otherwise as Django does."""

import gzip

import pytest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from web.compression import GZIP_LEVEL, GZipMiddleware, compress

BODY = b"<p>The tailgate switch under the rubber cover</p>\n" * 40


def gzip_request() -> HttpRequest:
    request = HttpRequest()
    request.META["HTTP_ACCEPT_ENCODING"] = "gzip, br"
    return request


def through(response, request=None):
    return GZipMiddleware(lambda request: response)(request or gzip_request())


def without_file_name(data: bytes) -> bytes:
    """A gzip member with its header's file name (the random padding) taken out."""
    assert data[3] == gzip.FNAME
    end = data.index(b"\x00", 10)
    header = bytearray(data[:10])
    header[3] = 0
    return bytes(header) + data[end + 1 :]


def test_a_whole_body_is_gzipped_at_the_projects_level():
    response = through(HttpResponse(BODY))
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == BODY
    assert without_file_name(response.content) == gzip.compress(BODY, GZIP_LEVEL, mtime=0)
    assert response["Content-Length"] == str(len(response.content))
    assert "Accept-Encoding" in response["Vary"]


def test_the_level_is_cheaper_than_djangos_default():
    assert GZIP_LEVEL < 6


def test_the_compressed_length_is_padded_at_random_as_django_pads_it():
    lengths = {len(compress(BODY, max_random_bytes=100)) for _ in range(30)}
    assert len(lengths) > 1
    assert all(gzip.decompress(compress(BODY, 100)) == BODY for _ in range(5))


def test_a_strong_etag_becomes_weak():
    response = HttpResponse(BODY)
    response["ETag"] = '"abc"'
    assert through(response)["ETag"] == 'W/"abc"'


@pytest.mark.parametrize("accept", ["", "identity", "xgzip"])
def test_a_client_that_does_not_take_gzip_gets_the_body_as_it_is(accept):
    request = HttpRequest()
    request.META["HTTP_ACCEPT_ENCODING"] = accept
    response = through(HttpResponse(BODY), request)
    assert response.content == BODY and not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]


def test_short_and_already_encoded_bodies_are_left_alone():
    short = through(HttpResponse(b"ok"))
    assert short.content == b"ok" and not short.has_header("Content-Encoding")
    encoded = HttpResponse(BODY)
    encoded["Content-Encoding"] = "br"
    assert through(encoded).content == BODY


def test_a_streaming_body_is_still_gzipped_djangos_way():
    response = through(StreamingHttpResponse(iter([BODY, BODY])))
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(response.streaming_content)) == BODY + BODY
