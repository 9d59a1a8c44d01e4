"""The API's OpenAPI document (diagnosis/openapi.json), read as the tests check responses
against it: which operation a request path is, and the JSON Schema of each response.

OpenAPI 3.1's schemas are JSON Schema 2020-12, so a response body is checked with
``jsonschema``'s Draft 2020-12 validator, its ``$ref``s resolved in the document itself.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

DOCUMENT_PATH = Path(__file__).resolve().parent.parent / "diagnosis" / "openapi.json"
DOCUMENT = json.loads(DOCUMENT_PATH.read_text())


def ref_parts(ref: str) -> list[str]:
    assert ref.startswith("#/"), ref
    return ref[2:].split("/")


def follow(node: dict) -> dict:
    while "$ref" in node:
        target = DOCUMENT
        for part in ref_parts(node["$ref"]):
            target = target[part]
        node = target
    return node


def _template_pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


TEMPLATES = {template: _template_pattern(template) for template in DOCUMENT["paths"]}


def operation_of(path: str) -> tuple[str, dict]:
    """The documented path template that ``path`` is, and its GET operation."""
    for template, pattern in TEMPLATES.items():
        if pattern.match(path):
            return template, DOCUMENT["paths"][template]["get"]
    raise AssertionError(f"{path} is not a documented path")


def parameters(operation: dict) -> list[dict]:
    return [follow(parameter) for parameter in operation.get("parameters", [])]


@cache
def validator(pointer: str) -> Draft202012Validator:
    """A validator of the schema at ``pointer`` (e.g. ``#/components/schemas/Error``), whose
    references resolve in the document."""
    return Draft202012Validator({**DOCUMENT, "$ref": pointer})


def schema_pointer(operation: dict, status: int) -> str | None:
    """Where the JSON schema of this status's body is, or None when it has no body."""
    responses = operation["responses"]
    assert str(status) in responses, f"status {status} is not documented"
    response = responses[str(status)]
    if "$ref" in response:
        base = response["$ref"]
        response = follow(response)
    else:
        base = None
    content = response.get("content", {}).get("application/json")
    if content is None:
        return None
    schema = content["schema"]
    if "$ref" in schema:
        return schema["$ref"]
    assert base is None, "inline schemas only in operations"
    return _inline_pointer(operation, status)


def _inline_pointer(operation: dict, status: int) -> str:
    template = next(t for t, item in DOCUMENT["paths"].items() if item.get("get") is operation)
    escaped = template.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/get/responses/{status}/content/application~1json/schema"


def check(response) -> dict | None:
    """Assert that a response is what the document says for its path and status; its JSON."""
    path = response.request["PATH_INFO"]
    _template, operation = operation_of(path)
    status = response.status_code
    pointer = schema_pointer(operation, status)
    if status == 301:
        assert response["Location"], path
        return None
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    data = response.json()
    if pointer is not None:
        errors = sorted(validator(pointer).iter_errors(data), key=lambda e: list(e.path))
        assert not errors, f"{path} {status}: " + "; ".join(
            f"{list(e.path)}: {e.message}" for e in errors[:5]
        )
    return data


def check_error(response) -> dict:
    """Assert that a response body is in the API's error format; its JSON."""
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    data = response.json()
    errors = list(validator("#/components/schemas/Error").iter_errors(data))
    assert not errors, [e.message for e in errors[:5]]
    return data
