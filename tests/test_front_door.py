"""A page this process keeps is answered before Django's request handling (config/front_door.py),
exactly as the page cache would answer it; everything else goes to Django."""

import io
import logging
from unittest import mock

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from config.front_door import REQUEST_ENVIRON, FrontDoor, Handler
from kb.middleware import SharedPageCacheMiddleware

pytestmark = pytest.mark.django_db

STEP = "/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=no-sound-on-press:y"
URLS = [
    STEP,
    "/ru" + STEP,
    "/nissan-qashqai/trunk-wont-open/",
    "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j10",
]


class Served:
    def __init__(self, body, status, headers):
        self.body, self.status, self.headers = body, status, headers


@pytest.fixture
def door(settings, content):
    """The front door around Django's handler, called as gunicorn calls it. The handler's
    request signals would close the test's database connection (its transaction):
    disconnected as Django's test client does."""
    settings.LOCAL_PAGE_ENTRIES = 64
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield FrontDoor(mock.Mock(wraps=WSGIHandler()))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def environ(url: str, method: str = "GET", **headers) -> dict:
    factory = RequestFactory(headers={"Accept-Encoding": "gzip", **headers})
    env = dict(getattr(factory, method.lower())(url).environ)
    env["wsgi.input"] = io.BytesIO(b"")
    return env


def serve(app, env) -> Served:
    started = []
    body = app(env, lambda status, headers, exc_info=None: started.append((status, headers)))
    try:
        data = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    status, headers = started[0]
    return Served(data, status, headers)


def kept(door, url: str, **headers) -> None:
    """Asked twice: rendered, then kept in this process (kb.middleware.HotPages)."""
    for _ in range(2):
        assert serve(door, environ(url, **headers)).status.startswith("200")


@pytest.mark.parametrize("url", URLS)
def test_a_kept_page_is_sent_as_the_page_cache_sends_it_without_djangos_handler(door, url):
    kept(door, url, **{"HX-Request": "true"} if "diagnose/" in url else {})
    headers = {"HX-Request": "true"} if "diagnose/" in url else {}
    door.application.reset_mock()
    answered = serve(door, environ(url, **headers))
    door.application.assert_not_called()
    by_django = serve(door.application, environ(url, **headers))  # a hit in the middleware
    assert answered.status == by_django.status == "200 OK"
    assert answered.headers == by_django.headers
    assert answered.body == by_django.body
    assert ("Content-Encoding", "gzip") in answered.headers


@pytest.mark.parametrize(
    "method, headers, url",
    [
        ("HEAD", {}, STEP),
        ("POST", {}, STEP),
        ("GET", {"If-None-Match": '"x"'}, STEP),  # its 304 is the page cache's to make
        ("GET", {"Cookie": "staff_view=1"}, STEP),  # answered private
        ("GET", {}, "/static/css/site.css"),
        ("GET", {"Host": "evil.example"}, STEP),  # Django refuses it
        ("GET", {}, STEP.replace("j11", "j12")),  # not kept
    ],
)
def test_what_the_front_door_leaves_to_django(door, method, headers, url):
    kept(door, STEP)
    door.application.reset_mock()
    serve(door, environ(url, method, **headers))
    door.application.assert_called_once()


def test_a_miss_builds_the_key_once(door):
    with mock.patch.object(
        SharedPageCacheMiddleware, "key", wraps=SharedPageCacheMiddleware.key
    ) as key:
        serve(door, environ(STEP))
    key.assert_called_once()


def test_a_step_the_front_door_sends_is_counted_as_a_hit_in_django_is(door):
    kept(door, STEP)
    with mock.patch("usage.counters.count") as count:
        serve(door, environ(STEP))
        serve(door.application, environ(STEP))
        assert count.call_count == 2
        assert count.call_args_list[0] == count.call_args_list[1]
        serve(door, environ(STEP, Purpose="prefetch"))  # fetched ahead: not counted
        serve(door, environ(STEP, Cookie="theme=dark; staff_view=0"))  # not the marker
    assert count.call_count == 3


def test_a_step_the_front_door_sends_has_its_log_line(door, caplog):
    kept(door, STEP, **{"HX-Request": "true"})
    door.application.reset_mock()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="carfaults.request"):
        serve(door, environ(STEP, **{"HX-Request": "true"}))
    door.application.assert_not_called()
    [record] = [r for r in caplog.records if r.name == "carfaults.request"]
    fields = record.fields
    assert fields["method"] == "GET" and fields["status"] == 200 and fields["htmx"] is True
    assert fields["path"] == STEP.split("?")[0]


@pytest.fixture
def handled(door):
    """The front door around the project's handler (config/wsgi.py), which takes the request
    the front door built for a page it does not keep."""
    return FrontDoor(Handler())


def test_django_goes_on_with_the_request_the_front_door_built_for_a_miss(handled):
    built = []
    real = Handler.request_class

    def request_class(self, env):
        given = env.get(REQUEST_ENVIRON)
        request = real(self, env)
        built.append((given, request))
        return request

    with mock.patch.object(Handler, "request_class", request_class):
        env = environ(STEP, **{"HX-Request": "true"})
        first = serve(handled, env)
        kept = serve(handled, environ(STEP, **{"HX-Request": "true"}))  # kept: no Django
        head = serve(handled, environ(STEP, "HEAD"))  # left to Django: its own request
    assert first.body == kept.body and first.headers == kept.headers
    assert len(built) == 2
    (given, request), (no_request, own) = built
    assert given is request and request._answer_language == "en"  # worked out at the door
    assert REQUEST_ENVIRON not in env  # taken out again: no cycle left behind
    assert no_request is None and own.method == "HEAD" and head.status.startswith("200")


def test_a_handler_of_its_own_is_given_no_request(door):
    """Only the project's handler takes it: any other application gets the environ alone."""
    env = environ(STEP)
    serve(door, env)
    assert REQUEST_ENVIRON not in env
