"""The API's answer (diagnosis/api_json.py) is what JsonResponse would send of the same
answer, and the step behind it leaves out the wizard's option links it does not show."""

import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext_lazy
from scenario_cases import MODEL, PROBLEM

from diagnosis import api_json, service
from diagnosis.content import build

pytestmark = pytest.mark.django_db

STATES = [
    {},
    {"no-sound-on-press": "y"},
    {"no-sound-on-press": "n", "doors-lock-unlock-ok": "y", "handle-stiff": "u"},
    {"no-sound-on-press": "y", "motor-clicks-lid-stays": "n", "doors-lock-unlock-ok": "n"},
]


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("answers", STATES)
def test_the_body_is_json_as_json_response_encodes_it(content, language, answers):
    with translation.override(language):
        compiled = build(MODEL, PROBLEM)
        outcome = service.diagnose(compiled, compiled.generations_by_code["j11"], answers)
        body = api_json.diagnosis(outcome, self_url="/api/v1/diagnose?x")
        again = api_json.diagnosis(outcome, self_url="/api/v1/diagnose?x")  # from the parts kept
    data = json.loads(body)
    assert json.dumps(data, cls=DjangoJSONEncoder) == body == again
    assert [c["fault"] for c in data["candidates"]] == [c.fault.slug for c in outcome.causes]
    assert data["links"]["self"] == "/api/v1/diagnose?x"


def test_without_links_the_next_question_has_its_options_but_no_urls(content):
    compiled = build(MODEL, PROBLEM)
    generation = compiled.generations_by_code["j11"]
    linked = service.diagnose(compiled, generation, {})
    bare = service.diagnose(compiled, generation, {}, links=False)
    assert [o.answers for o in bare.next_question.options] == [
        o.answers for o in linked.next_question.options
    ]
    assert bare.next_question.why == linked.next_question.why
    assert {o.url for o in bare.next_question.options} == {""}
    assert all(o.url.startswith(compiled.diagnose_url) for o in linked.next_question.options)


def test_one_value_is_encoded_as_the_django_encoder_encodes_it():
    """api_json.encode keeps one C encoder rather than JSONEncoder.encode's one per call."""
    values = [
        {"a": 0.1, "b": [1, 2, "é «»"], "c": None, "d": True, 3: "int key", "e": {"f": []}},
        {"label": gettext_lazy("Yes"), "share": round(2 / 3, 4), "money": Decimal("1.20")},
        [gettext_lazy("No"), "a\nb", -0.0, 10**20, 1e-7],
        [],
        {},
        "чек",
        42,
    ]
    for value in values:
        assert api_json.encode(value) == DjangoJSONEncoder().encode(value), value
