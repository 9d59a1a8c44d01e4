"""The diagnosis a wizard response shows, for tests that check more than its HTML.

A step is joined from parts rendered once per shape of step (diagnosis/step_html.py, step), so
a response's template context holds no outcome to read: this diagnoses the state the
response's request asked for, as the view did."""

from django.utils import translation

from diagnosis import content
from diagnosis.query import parse
from diagnosis.service import Outcome, diagnose


def outcome_of(response) -> Outcome | None:
    """The outcome of the request that got ``response`` (the last one, after redirects); None
    before a generation is chosen."""
    request = response.wsgi_request
    problem = request.resolver_match.kwargs
    with translation.override(getattr(request, "LANGUAGE_CODE", None)):
        compiled = content.compiled_problem(problem["model"], problem["problem"])
        query = parse(compiled, request.GET)
        if query.generation is None:
            return None
        return diagnose(compiled, query.generation, query.answers)
