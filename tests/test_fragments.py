"""`{% once %}`: parts that depend only on an object of the compiled content render once."""

import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.template import Context, Template, TemplateSyntaxError

from kb.templatetags import fragments

TEMPLATE = Template(
    "{% load fragments %}{% once card flag %}{{ card.title }}{{ calls.next }}{% endonce %}"
)


@dataclass(frozen=True)
class Card:
    title: str


class Counter:
    def __init__(self):
        self.count = 0

    @property
    def next(self):
        self.count += 1
        return f"#{self.count}"


def render(card, flag=False, calls=None):
    return TEMPLATE.render(Context({"card": card, "flag": flag, "calls": calls or Counter()}))


@pytest.fixture(autouse=True)
def _empty():
    fragments._rendered.clear()
    yield
    fragments._rendered.clear()


def test_a_part_renders_once_per_object_and_arguments():
    card, calls = Card("Replace the fuse"), Counter()
    assert render(card, calls=calls) == "Replace the fuse#1"
    assert render(card, calls=calls) == "Replace the fuse#1"  # reused, not rendered again
    assert render(card, flag=True, calls=calls) == "Replace the fuse#2"  # other arguments
    assert calls.count == 2


def test_a_new_object_after_a_content_edit_renders_anew():
    calls = Counter()
    render(Card("Old title"), calls=calls)
    assert render(Card("New title"), calls=calls) == "New title#2"


def test_the_kept_parts_are_bounded(monkeypatch):
    monkeypatch.setattr(fragments, "LIMIT", 10)
    cards = [Card(str(n)) for n in range(25)]
    for card in cards:
        render(card)
    assert len(fragments._rendered) <= 10


def test_once_needs_an_object():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load fragments %}{% once %}x{% endonce %}")


@pytest.mark.django_db
def test_a_result_page_is_the_same_with_its_procedures_reused(client, content):
    url = (
        "/nissan-qashqai/trunk-wont-open/diagnose/?generation=j11-facelift&answers="
        "car-electrics-weak:n,doors-lock-unlock-ok:y,fuse-intact:n,key-not-detected:n,"
        "no-sound-on-press:y,voltage-at-lock:n"
    )
    first = client.get(url, headers={"HX-Request": "true"}).content
    assert b'class="card fix"' in first and b'<details class="procedure" open>' in first
    assert fragments._rendered  # the procedure cards were kept
    cache.clear()  # no page-cache hit: the step renders again, reusing the kept cards
    again = client.get(url, headers={"HX-Request": "true"}).content
    # the report form's signed token carries the second it was made: the only part that may differ
    assert b'name="report_token"' in first
    assert without_form_token(again) == without_form_token(first)


def without_form_token(page: bytes) -> bytes:
    return re.sub(rb'(name="report_token" value=")[^"]*"', rb'\1"', page)


@pytest.mark.django_db
def test_the_site_header_is_kept_but_follows_a_changed_setting(client, content, settings):
    first = client.get("/nissan-qashqai/").content.decode()
    assert 'href="/static/css/site.css"' in first
    assert fragments._rendered  # head, header and footer kept
    settings.STATIC_URL = "/assets/"  # e.g. another storage in a test: parts are rendered anew
    assert 'href="/assets/css/site.css"' in client.get("/nissan-qashqai/faq/").content.decode()
