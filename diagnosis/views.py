"""The wizard and the API: parse the query, run one diagnosis step, render."""

import re
from functools import wraps

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from kb.drafts import sees_drafts
from kb.models import Problem
from kb.validation import readiness
from kb.views import api_error
from web.canonical import declare, request_query
from web.locale import asked_language

from . import api_json, content, frame, qr, step_html
from .query import DiagnoseQuery, QueryError, parse, query_too_long, state_query
from .service import diagnose, wizard_url
from .signals import step_rendered

# Only slug-shaped values reach the database (a NUL byte, for one, is an error in PostgreSQL).
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")
# A step's URL fully determines its page, so browsers and proxies may keep it a while.
STEP_MAX_AGE = 300


def _state(request, model, problem):
    """The compiled problem and the parsed query."""
    compiled = content.compiled_problem(model, problem)
    if compiled is None or (not compiled.is_public and not sees_drafts(request)):
        raise Http404("No such model or problem")
    too_long = query_too_long(request.META.get("QUERY_STRING", ""))
    query = DiagnoseQuery(errors=[too_long]) if too_long else parse(compiled, request.GET)
    return compiled, query


def _step(request, model, problem):
    """The compiled problem, the parsed query and, with a generation, the diagnosis."""
    compiled, query = _state(request, model, problem)
    usable = query.generation and not compiled.not_ready  # else staff see why not (_not_ready)
    outcome = diagnose(compiled, query.generation, query.answers) if usable else None
    return compiled, query, outcome


def _not_ready(compiled) -> list[str]:
    """For staff, why a problem owners cannot use is not ready yet: the content check's blocking
    findings (kb.validation.readiness), which also keep the admin from publishing it."""
    if compiled.is_public:
        return []
    problem = Problem.objects.filter(
        vehicle_model__slug=compiled.model_slug, slug=compiled.problem_slug
    ).first()
    return readiness(problem) if problem else list(compiled.not_ready)


def _cacheable(response, compiled, query):
    if not compiled.is_public:  # for the staff member who asked only: never stored or shared
        patch_cache_control(response, private=True, no_cache=True)
    elif not query.errors:
        patch_cache_control(response, public=True, max_age=STEP_MAX_AGE)
    return declare(response, state_query(query.generation, query.answers))


def _elsewhere(request, canonical: str, *, public: bool = True):
    """A permanent redirect to the canonical URL when the request spells its valid state
    another way (unknown parameters, ``year=``, the answers' order or case): one state, one
    URL, one entry in the page cache (web/canonical.py). None when it is canonical.

    Sent before anything is rendered or stored (the page cache stores only 200s). It may be
    kept for as long as a step (STEP_MAX_AGE), no longer: where a year points depends on the
    content. An htmx request follows it inside its XMLHttpRequest and pushes the URL it ends
    at (htmx 2 reads ``responseURL``), so the address bar shows the canonical URL too."""
    if request_query(request) == canonical:
        return None
    response = HttpResponsePermanentRedirect(
        f"{request.path}?{canonical}" if canonical else request.path
    )
    if public:
        patch_cache_control(response, public=True, max_age=STEP_MAX_AGE)
    else:  # a draft's: for the staff member who asked only
        patch_cache_control(response, private=True, no_cache=True)
    return response


def _moved(request, compiled, query):
    """The redirect of a wizard view's request to its state's canonical URL, if it needs one.
    A query with errors is answered as before, the message in the page (never stored)."""
    if query.errors:
        return None
    canonical = state_query(query.generation, query.answers)
    return _elsewhere(request, canonical, public=compiled.is_public)


def wizard(request, model, problem):
    compiled, query, outcome = _step(request, model, problem)
    if moved := _moved(request, compiled, query):
        return moved
    fragment = request.htmx and not request.htmx.history_restore_request
    not_ready = _not_ready(compiled)
    step = step_html.step(request, compiled, query, outcome, fragment)
    response = HttpResponse(
        step if fragment else frame.page(request, compiled, outcome, not_ready, step),
        status=400 if query.errors else 200,
    )
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    if outcome and not (
        query.errors or not compiled.is_public or request.htmx.history_restore_request
    ):
        # the usage app attaches what it counts on every serving (the page cache's included)
        # to the response, which is stored with it (diagnosis/signals.py)
        step_rendered.send(
            sender=wizard,
            response=response,
            compiled=compiled,
            generation=query.generation,
            answers=query.answers,
            outcome=outcome,
        )
    return _cacheable(response, compiled, query)


def wizard_print(request, model, problem):
    """The result on one printed page: the answers, the top causes, their checks and costs."""
    compiled, query, outcome = _step(request, model, problem)
    if outcome and (moved := _moved(request, compiled, query)):
        return moved
    if outcome is None or query.errors:  # nothing to print yet: the wizard says why
        query_string = request.META.get("QUERY_STRING", "")
        return redirect(compiled.diagnose_url + (f"?{query_string}" if query_string else ""))
    response = render(
        request,
        "diagnosis/print.html",
        {"compiled": compiled, "outcome": outcome, "draft": compiled.is_draft},
    )
    return _cacheable(response, compiled, query)


def wizard_qr(request, model, problem):
    """The QR code of a state's share link, an SVG image that the result loads lazily. The code
    is drawn from the canonical state, never from the raw query: only this site's wizard links.
    The link needs the parsed state only, not its diagnosis."""
    compiled, query = _state(request, model, problem)
    if query.generation is None or query.errors:
        raise Http404("No result to encode: the query names no valid state")
    if moved := _moved(request, compiled, query):
        return moved
    link = request.build_absolute_uri(wizard_url(compiled, query.generation, query.answers))
    response = HttpResponse(qr.svg_document(link), content_type="image/svg+xml")
    return _cacheable(response, compiled, query)


API_METHODS = ("GET", "HEAD", "OPTIONS")


def api_methods(view):
    """GET and HEAD run the view; OPTIONS names the methods; anything else is a JSON 405.

    CSRF-exempt so a POST gets this JSON 405 rather than the CSRF failure page: the API
    changes nothing, so there is nothing to forge.
    """

    @csrf_exempt
    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if request.method == "OPTIONS":
            response = JsonResponse({"methods": list(API_METHODS)})
        else:
            method = re.sub(r"[^A-Z]", "", request.method.upper())[:20]
            message = _("The method %(method)s is not allowed here: use GET.") % {"method": method}
            response = api_error(request, 405, message, part="method")
        response["Allow"] = ", ".join(API_METHODS)
        return response

    return checked


@api_methods
def api_diagnose(request):
    too_long = query_too_long(request.META.get("QUERY_STRING", ""))
    if too_long:
        return _api_error([too_long])
    model, problem = request.GET.get("model", ""), request.GET.get("problem", "")
    looks_valid = SLUG.fullmatch(model) and SLUG.fullmatch(problem)
    compiled = content.compiled_problem(model, problem) if looks_valid else None
    if compiled is None or not compiled.is_public:  # the API serves public problems only
        # a draft or an unusable problem answers as an unknown one (400 naming the valid
        # ones, which leave it out), so nothing says it exists
        return _api_error([_unknown_model_or_problem(model, problem)])
    query = parse(compiled, request.GET)
    if query.generation is None and not query.errors:
        query.errors.append(
            QueryError(
                "generation",
                _("Give generation=<code> or year=<model year>."),
                tuple(compiled.generations_by_code),
            )
        )
    if query.errors:
        return _api_error(query.errors)
    canonical = _api_query(request, compiled, query)
    if moved := _elsewhere(request, canonical):
        return moved
    outcome = diagnose(compiled, query.generation, query.answers, links=False)
    # as JsonResponse would send it, from parts written once per problem (api_json.py)
    body = api_json.diagnosis(outcome, self_url=f"{request.path}?{canonical}")
    response = HttpResponse(body, content_type="application/json")
    patch_cache_control(response, public=True, max_age=STEP_MAX_AGE)
    return declare(response, canonical)


def _api_query(request, compiled, query: DiagnoseQuery) -> str:
    """The canonical API query of a valid state: the model, the problem, the state's own query
    (query.state_query) and ``lang=`` when it names a supported language."""
    canonical = f"model={compiled.model_slug}&problem={compiled.problem_slug}&"
    canonical += state_query(query.generation, query.answers)
    language = asked_language(request)
    return canonical + f"&lang={language}" if language else canonical


def _unknown_model_or_problem(model: str, problem: str) -> QueryError:
    catalog = content.catalog()
    if model not in catalog:
        label = (
            _("Unknown model “%(model)s”.") % {"model": model[:60]}
            if model
            else _("Give model=<model>.")
        )
        return QueryError("model", label, tuple(catalog))
    label = (
        _("Unknown problem “%(problem)s”.") % {"problem": problem[:60]}
        if problem
        else _("Give problem=<problem>.")
    )
    return QueryError("problem", label, tuple(catalog[model]))


def _api_error(errors: list[QueryError]) -> JsonResponse:
    return JsonResponse(
        {"error": errors[0].as_dict(), "errors": [error.as_dict() for error in errors]},
        status=400,
    )
