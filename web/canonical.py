"""One state, one URL: the one spelling of a query string, and the URL a response is
canonical at, which is the only URL the shared page cache stores it under.

A query string is compared as its parameters, decoded and encoded again one way
(``normalized_query``): ``answers=a%3Ay`` and ``answers=a:y`` are one query (HTTP clients
encode differently), while the parameters' order, their spelling and unknown ones count.

A response declares the query it is canonical at with ``declare``; a response that declares
nothing is canonical at its bare path (no query string). kb.middleware stores a response
only when the request's normalized query is the declared one, so ``?x=<random>`` on any public
page is rendered and sent but never stored. The wizard and the API also redirect (301) every
other spelling of a valid state to its canonical URL (diagnosis/views.py). Why:
docs/decisions.md, "One state, one URL".
"""

import re
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent

# What the canonical queries are written with and urlencode must leave as it is (besides
# letters, digits and "-._~"): the answers' separators.
SAFE = ":,"
# A query string that decoding and encoding again leaves as it is: ``name=value`` pairs of
# only the characters urlencode keeps (no "%", "+", "=" in a value, empty pair or bare name).
# Every link of the site is one, so most requests skip the round trip (a tenth of a
# page-cache hit's profile: issue 23, item 3).
_NORMAL = re.compile(r"[-\w.~:,]+=[-\w.~:,]*(?:&[-\w.~:,]+=[-\w.~:,]*)*", re.ASCII)


def normalized_query(query_string: str) -> str:
    """The query string's parameters, in their order, decoded and encoded again one way."""
    if not query_string:
        return ""
    if _NORMAL.fullmatch(query_string):
        return query_string
    return urlencode(parse_qsl(query_string, keep_blank_values=True), safe=SAFE)


def request_query(request) -> str:
    """``normalized_query`` of the request's query string, worked out once per request."""
    query = getattr(request, "_normalized_query", None)
    if query is None:
        query = request._normalized_query = normalized_query(request.META.get("QUERY_STRING", ""))
    return query


def query_params(request) -> dict[str, str]:
    """The request's query parameters, the last value of each name as ``request.GET.get``
    gives it, without building a QueryDict: the page cache reads the API's model, problem and
    language on every hit, and a QueryDict was a fifth of an API hit (issue 23, item 3)."""
    params = getattr(request, "_query_params", None)
    if params is None:
        query = request.META.get("QUERY_STRING", "")
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        if limit is not None and query.count("&") >= limit:  # as request.GET refuses it
            raise TooManyFieldsSent("The number of GET/POST parameters exceeded the limit.")
        if not query:
            params = {}
        elif _NORMAL.fullmatch(query):  # nothing to decode
            params = dict(pair.split("=", 1) for pair in query.split("&"))
        else:
            params = dict(parse_qsl(query, keep_blank_values=True))
        request._query_params = params
    return params


def declare(response, query: str):
    """Say that ``response`` is the page of this canonical query (normalized already)."""
    response.canonical_query = query
    return response


def is_canonical(request, response) -> bool:
    """Whether the request asked for the URL the response is canonical at."""
    return request_query(request) == getattr(response, "canonical_query", "")
