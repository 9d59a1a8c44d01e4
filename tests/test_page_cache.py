"""Repeated anonymous GETs of public responses come from the shared cache, never stale."""

import pytest

from kb.models import Fault

pytestmark = pytest.mark.django_db

STEP = "/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11&answers=no-sound-on-press:y"


def test_a_repeated_step_is_served_from_the_cache_without_sql(
    client, content, django_assert_num_queries
):
    first = client.get(STEP, headers={"Accept-Encoding": "gzip"})
    assert first["Content-Encoding"] == "gzip"
    with django_assert_num_queries(0):
        again = client.get(STEP, headers={"Accept-Encoding": "gzip"})
    assert again.content == first.content
    assert first.templates and not again.templates  # rendered once, then stored
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_compressed_and_plain_and_htmx_variants_are_kept_apart(client, content):
    gzip = client.get(STEP, headers={"Accept-Encoding": "gzip"})
    plain = client.get(STEP)
    fragment = client.get(STEP, headers={"HX-Request": "true"})
    assert plain.get("Content-Encoding") is None and gzip["Content-Encoding"] == "gzip"
    assert b"<html" in plain.content and b"<html" not in fragment.content


def test_an_etag_match_is_answered_304(client, content):
    etag = client.get(STEP)["ETag"]
    response = client.get(STEP, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_an_edit_retires_the_stored_page(client, content):
    url = "/api/v1/diagnose?model=nissan-qashqai&problem=trunk-wont-open&generation=j11"
    assert "Lock frozen solid" not in client.get(url).content.decode()
    fault = Fault.objects.get(slug="lock-frozen")
    fault.name = "Lock frozen solid"
    fault.save()
    assert "Lock frozen solid" in client.get(url).content.decode()


def test_error_pages_and_logged_in_staff_are_never_served_from_the_cache(
    client, admin_client, content
):
    bad = STEP + ",bogus:y"
    assert client.get(bad).status_code == 400
    again = client.get(bad)
    assert again.status_code == 400 and again.templates  # rendered anew
    client.get(STEP)  # now stored for anonymous visitors
    assert "sessionid" in admin_client.cookies
    staff = admin_client.get(STEP)
    assert staff.status_code == 200 and staff.templates
