"""The OpenAPI 3.1 document of /api/v1 (diagnosis/openapi.json, served at
/api/v1/openapi.json) is valid, describes every API route, and is what the API does: real
responses in both languages validate against it, and a fuzz run generated from it finds no
server error and no 4xx outside the documented error format (issue 24, item 5)."""

import pytest
from django.test import Client
from django.urls import get_resolver
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from openapi_spec_validator import OpenAPIV31SpecValidator

from kb import catalogue
from tests import openapi_document as doc

pytestmark = pytest.mark.django_db

DIAGNOSE = "/api/v1/diagnose"
QASHQAI = "model=nissan-qashqai&problem=trunk-wont-open"


# --- the document ----------------------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1():
    OpenAPIV31SpecValidator(doc.DOCUMENT).validate()  # raises, naming the fault, if not
    assert doc.DOCUMENT["openapi"].startswith("3.1.")


def test_the_document_is_versioned_and_every_path_carries_v1():
    major = doc.DOCUMENT["info"]["version"].split(".")[0]
    assert major == "1"
    assert all(path.startswith("/api/v1/") for path in doc.DOCUMENT["paths"])


def test_the_api_serves_the_document_kept_in_the_repository(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == doc.DOCUMENT_PATH.read_bytes()
    assert "public" in response["Cache-Control"]
    assert client.get("/api/v1/openapi.json?lang=ru").status_code == 301  # takes no parameter


def test_every_api_route_is_documented_and_every_documented_path_is_routed():
    routed = {
        "/" + str(pattern.pattern).replace("<slug:", "{").replace(">", "}")
        for pattern in get_resolver().url_patterns
        if str(pattern.pattern).startswith("api/")
    }
    assert routed == set(doc.DOCUMENT["paths"])


def test_the_documented_page_size_is_the_catalogues():
    page = doc.DOCUMENT["components"]["schemas"]["Page"]
    assert page["properties"]["size"]["const"] == catalogue.PAGE_SIZE
    assert f"at most {catalogue.PAGE_SIZE} items" in page["description"]


def test_the_result_admits_fields_added_in_v1_and_describes_the_plan():
    result = doc.DOCUMENT["components"]["schemas"]["DiagnoseResult"]
    assert result["additionalProperties"] is True
    assert "plan" in result["properties"] and "plan" not in result["required"]
    sample = {
        "model": "m",
        "problem": "p",
        "generation": "g",
        "answers": "",
        "candidates": [],
        "next_question": None,
        "done": True,
        "stop_reason": "clear",
        "links": {"problem": "/", "wizard": "/", "emergency": None, "self": "/"},
    }
    validator = doc.validator("#/components/schemas/DiagnoseResult")
    plan = {
        "steps": [],
        "expected": {"minutes": 0, "money": 0},
        "by_probability": {"steps": [], "expected": {"minutes": 0, "money": 0}},
        "currency": "RUB",
        "decisive": None,
    }
    assert validator.is_valid({**sample, "plan": plan, "added_later": 1})
    assert not validator.is_valid({**sample, "plan": {"steps": []}})  # the plan is described
    assert not validator.is_valid({**sample, "done": "yes"})  # the schema does check


# --- real responses against the document --------------------------------------------------------

STATES = [
    f"{DIAGNOSE}?{QASHQAI}&generation=j11",
    f"{DIAGNOSE}?{QASHQAI}&generation=j11&answers=no-sound-on-press:y",
    f"{DIAGNOSE}?{QASHQAI}&generation=j10&answers=handle-no-resistance:y",
    f"{DIAGNOSE}?model=nissan-qashqai&problem=trunk-opens-then-closes&generation=j12",
    "/api/v1/makes",
    "/api/v1/makes/nissan/models",
    "/api/v1/models/nissan-qashqai/generations",
    "/api/v1/models/nissan-qashqai/generations/j11-facelift/problems",
]
ERRORS = [
    (f"{DIAGNOSE}?model=bogus&problem=trunk-wont-open&generation=j11", 400),
    (f"{DIAGNOSE}?{QASHQAI}&generation=j99", 400),
    (f"{DIAGNOSE}?{QASHQAI}", 400),
    (f"{DIAGNOSE}?{QASHQAI}&generation=j11&answers=bogus:y,no-sound-on-press:x", 400),
    (f"{DIAGNOSE}?{QASHQAI}&generation=j11&answers={'x' * 2100}", 400),
    ("/api/v1/makes?page=two", 400),
    ("/api/v1/makes?page=9", 404),
    ("/api/v1/makes/bogus/models", 404),
    ("/api/v1/models/bogus/generations", 404),
    ("/api/v1/models/nissan-qashqai/generations/j99/problems", 404),
]
MOVED = [
    f"{DIAGNOSE}?{QASHQAI}&year=2016",
    f"{DIAGNOSE}?{QASHQAI}&generation=j11&utm_source=mail",
    "/api/v1/makes?page=1",
    "/api/v1/makes/nissan/models?x=1",
    "/api/v1/models/nissan-qashqai/generations?lang=xx",
]
LANGUAGES = {"en": {}, "ru": {"HTTP_ACCEPT_LANGUAGE": "ru"}, "lang=ru": {"lang": "ru"}}


def _get(client, url, language):
    headers = dict(LANGUAGES[language])
    if lang := headers.pop("lang", None):
        url += ("&" if "?" in url else "?") + f"lang={lang}"
    return client.get(url, **headers)


def _the_first_followed(client, response, language):
    """A 301 once followed: the canonical URL answers 200 at once (one hop)."""
    moved = client.get(response["Location"], **{k: v for k, v in LANGUAGES[language].items()})
    assert moved.status_code == 200, response["Location"]
    return moved


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", STATES)
def test_each_state_validates_against_its_schema(client, content, url, language):
    response = _get(client, url, language)
    if response.status_code == 301:  # lang=ru written after the other parameters: canonical
        response = _the_first_followed(client, response, language)
    assert response.status_code == 200
    data = doc.check(response)
    assert_every_field_is_documented(data, doc.operation_of(response.request["PATH_INFO"])[1])
    if language != "en":
        assert response["Content-Language"] == "ru"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("url", "status"), ERRORS)
def test_each_error_validates_against_the_error_schema(client, content, url, status, language):
    response = _get(client, url, language)
    assert response.status_code == status
    data = doc.check(response)
    doc.check_error(response)
    assert data["errors"][0] == data["error"]
    if language != "en":
        assert not data["error"]["message"].isascii(), data["error"]["message"]  # in Russian


@pytest.mark.parametrize("url", MOVED)
def test_each_other_spelling_is_a_documented_redirect(client, content, url):
    response = client.get(url)
    assert response.status_code == 301
    doc.check(response)
    assert "max-age=300" in response["Cache-Control"]
    doc.check(_the_first_followed(client, response, "en"))


def test_a_diagnosis_played_to_its_end_validates_at_every_step(client, content):
    """Each step, answered with its first option, until the result is done."""
    answers: dict[str, str] = {}
    for _step in range(20):
        query = {"model": "nissan-qashqai", "problem": "trunk-wont-open", "generation": "j11"}
        query["answers"] = ",".join(f"{s}:{v}" for s, v in answers.items())
        data = doc.check(client.get(DIAGNOSE, query, follow=True))
        if data["done"]:
            break
        for token in data["next_question"]["options"][0]["answers"].split(","):
            symptom, value = token.split(":")
            answers[symptom] = value
    assert data["done"] and data["next_question"] is None and data["stop_reason"]


def assert_every_field_is_documented(data, operation):
    """Every field the API sends is in the document, except where a schema admits added
    fields (``additionalProperties: true``, the result's top level): a field added in v1 is
    documented as it is added."""
    pointer = doc.schema_pointer(operation, 200)
    _walk(data, doc.follow({"$ref": pointer}), "$")


def _properties(schema: dict) -> tuple[dict, bool]:
    schema = doc.follow(schema)
    properties = dict(schema.get("properties", {}))
    open_ = schema.get("additionalProperties") is True
    for part in schema.get("allOf", []):
        more, more_open = _properties(part)
        properties.update(more)
        open_ = open_ or more_open
    return properties, open_


def _walk(value, schema: dict, where: str) -> None:
    schema = doc.follow(schema)
    if "oneOf" in schema:
        if value is None:
            return
        schema = next(s for s in map(doc.follow, schema["oneOf"]) if s.get("type") != "null")
    if isinstance(value, dict):
        properties, open_ = _properties(schema)
        if not open_:
            assert set(value) <= set(properties), (
                f"{where}: undocumented {set(value) - set(properties)}"
            )
        for key, item in value.items():
            if key in properties:
                _walk(item, properties[key], f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _walk(item, schema["items"], f"{where}[{index}]")


# --- the method and requests Django refuses ---------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/makes", DIAGNOSE, "/api/v1/openapi.json"])
def test_a_method_other_than_get_is_a_405_in_the_error_format(url, content):
    response = Client(enforce_csrf_checks=True).post(url, {"x": "1"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert doc.check_error(response)["error"]["part"] == "method"


def test_an_unknown_api_address_is_a_404_in_the_error_format(client):
    response = client.get("/api/v1/makes/")
    assert response.status_code == 404
    doc.check_error(response)


def test_a_request_django_cannot_read_is_a_400_in_the_error_format(client, content):
    """More parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS: Django refuses the request before
    any view (its own 400 page was HTML); the API's handler answers in the error format."""
    flood = "&".join(f"x{n}=1" for n in range(1100))
    response = client.get(f"{DIAGNOSE}?{flood}")
    assert response.status_code == 400
    assert doc.check_error(response)["error"]["part"] == "request"
    page = client.get(f"/?{flood}")
    assert page.status_code == 400 and not page["Content-Type"].startswith("application/json")


# --- the fuzz run --------------------------------------------------------------------------------

GETS = [
    (template, item["get"])
    for template, item in doc.DOCUMENT["paths"].items()
    if template != "/api/v1/openapi.json"
]
UNKNOWN_PARAMETERS = st.sampled_from(["utm_source", "x", "Page", "LANG", "answers[]"])


def _value(parameter: dict):
    """A value of a parameter: mostly one of its documented examples (so valid states come
    as often as invalid ones), else any value its schema admits, as a query carries it. The
    answers also come as lists of the documented tokens, in any order."""
    schema = parameter["schema"]
    generated = from_schema(schema).map(str)
    examples = [str(example) for example in schema.get("examples", [])]
    if not examples:
        return generated
    documented = st.sampled_from(examples)
    if parameter["name"] == "answers":
        tokens = sorted({token for example in examples for token in example.split(",")})
        documented |= st.lists(st.sampled_from(tokens), min_size=1, max_size=6).map(",".join)
    # three in four draws documented (st.one_of would merge the repeated branch into one)
    return st.integers(0, 3).flatmap(lambda n: generated if n == 3 else documented)


@st.composite
def requests(draw):
    """A GET of one documented operation with parameters drawn from its document."""
    template, operation = draw(st.sampled_from(GETS))
    path, query, headers = template, {}, {}
    for parameter in doc.parameters(operation):
        if parameter["in"] == "path":
            path = path.replace(f"{{{parameter['name']}}}", draw(_value(parameter)))
        elif parameter["required"] or draw(st.booleans()):
            value = draw(_value(parameter))
            if parameter["in"] == "query":
                query[parameter["name"]] = value
            else:
                headers["HTTP_" + parameter["name"].upper().replace("-", "_")] = value
    if draw(st.integers(0, 4)) == 0:
        query[draw(UNKNOWN_PARAMETERS)] = draw(st.text(max_size=10))
    return path, query, headers


def operation_of_path(path: str) -> str:
    try:
        return doc.operation_of(path)[1]["operationId"]
    except AssertionError:
        return "(not a documented path)"


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(request=requests())
def test_fuzzing_the_api_from_its_document_finds_no_server_error_and_only_documented_errors(
    client, content, request
):
    # No rate limit to turn off: the API has none of its own in v1 (the search's,
    # SEARCH_RATE_LIMIT, is on /search/ only), so every example reaches its view.
    path, query, headers = request
    response = client.get(path, query, **headers)
    event(f"{response.status_code} {operation_of_path(path)}")  # --hypothesis-show-statistics
    assert response.status_code < 500, (path, query)
    if 400 <= response.status_code < 500:
        doc.check_error(response)
    if response.request["PATH_INFO"] != path:  # a path the resolver did not take as one
        return
    doc.check(response)
    if response.status_code == 301:
        moved = client.get(response["Location"], **headers)
        assert moved.status_code != 301, response["Location"]  # one hop to the canonical URL
        assert moved.status_code < 500
        if moved.status_code >= 400:
            doc.check_error(moved)
        else:
            doc.check(moved)


def test_the_fuzz_covers_every_documented_operation():
    assert {template for template, _ in GETS} == set(doc.DOCUMENT["paths"]) - {
        "/api/v1/openapi.json"
    }
