"""The public pages. Each view parses its input, calls one function of kb.queries, renders.

Every public page goes through ``public_page`` (kb/http.py): Cache-Control, an ETag that
answers 304, and server-side HTML caching keyed by the content version.
"""

import json
import logging
import sys

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as django_server_error

from web.cache import cache_state

from . import queries
from . import structured_data as ld
from .addresses import moved_to
from .drafts import sees_drafts
from .http import code_version, public_page, rate_limited
from .models import Problem
from .paging import paged
from .refusals import refusal_for
from .search import PAGE_SIZE, cached_search

SITE_NAME = gettext_lazy("Car faults")
# Searches offered on an empty search page: words that find something in either language.
EXAMPLE_SEARCHES = [
    gettext_lazy("frozen"),
    gettext_lazy("fuse"),
    gettext_lazy("key battery"),
    gettext_lazy("handle"),
    gettext_lazy("multimeter"),
]


def ok(request):
    return HttpResponse("ok")


@never_cache
def healthz(request):
    """Liveness: the process answers. It never touches the database, so a database outage
    does not get every replica restarted; Redis down is reported, as "degraded", not dead."""
    return JsonResponse({"status": "ok", "cache": cache_state(cache)})


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "down"
    return "ok"


@never_cache
def readyz(request):
    """Readiness: may this replica take traffic? Not without its database. Without Redis it
    still can (pages are built without the cache, slower), so the cache does not decide."""
    parts = {"database": _database_state(), "cache": cache_state(cache)}
    ready = parts["database"] == "ok"
    response = JsonResponse({"status": "ok" if ready else "unavailable", **parts})
    if not ready:
        response.status_code = 503
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def api_error(request, status: int, message: str, part: str = "request") -> JsonResponse:
    """Every /api/ error is JSON with an ``error``, in the shape of the API's query errors."""
    error = {"part": part, "message": message, "valid": []}
    return JsonResponse({"error": error, "errors": [error]}, status=status)


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /search/",
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# The site shell the service worker keeps at install, besides "/" and the offline page.
SHELL_STATIC = [
    "css/site.css",
    "css/wizard.css",
    "js/htmx.min.js",
    "js/wizard.js",
    "js/offline.js",
    "icons/favicon.svg",
    "site.webmanifest",
]


def _emergency_problems():
    return (
        Problem.objects.filter(emergency_procedure__isnull=False)
        .select_related("vehicle_model", "emergency_procedure__vehicle_model")
        .order_by("vehicle_model__name", "order", "title")
    )


@require_safe
def service_worker(request):
    """The service worker, from the site root so that its scope is the whole site.

    Its cache is named by the release (code) version; a deploy or a content edit changes
    these bytes, so browsers install the new worker, which drops the old release's cache.
    """
    emergencies = list(_emergency_problems())
    precache, offline_pages = [], []
    # Every language's home, offline page and emergency procedures: an owner offline gets the
    # offline page in the language of the URL they opened.
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            precache += [reverse("kb:home"), reverse("kb:offline")]
            precache += [p.emergency_procedure.get_absolute_url() for p in emergencies]
            offline_pages.append(
                {
                    "prefix": reverse("kb:home"),
                    "url": reverse("kb:offline"),
                    "text": _("You are offline."),
                }
            )
    precache += [static(name) for name in SHELL_STATIC]
    # The longest prefix first: "/ru/" before "/", which every other URL starts with.
    offline_pages.sort(key=lambda page: len(page["prefix"]), reverse=True)
    body = render_to_string(
        "kb/sw.js",
        {
            "version_json": json.dumps(code_version()),
            "precache_json": json.dumps(list(dict.fromkeys(precache))),
            "offline_pages_json": json.dumps(offline_pages, ensure_ascii=False),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # always revalidated: a new release shows at once
    return response


@public_page
def offline(request):
    """Shown by the service worker for a page not kept on the phone, when offline."""
    return render(request, "kb/offline.html", {"emergencies": _emergency_problems()})


def permission_denied(request, exception):
    """403: in the admin, on its own page saying which roles may do what was asked
    (kb/refusals.py); elsewhere the site's page."""
    if request.path.startswith("/admin/") and getattr(request.user, "is_staff", False):
        context = {
            **admin.site.each_context(request),
            "title": _("Not allowed"),
            "refusal": refusal_for(request.path_info),
        }
        return render(request, "admin/403.html", context, status=403)
    return render(request, "403.html", {"site_name": SITE_NAME}, status=403)


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return api_error(
            request, 404, _("No such API address. The diagnosis is at /api/v1/diagnose (no slash).")
        )
    if request.method in ("GET", "HEAD") and (target := moved_to(request.path)):
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(target + (f"?{query}" if query else ""))
    return render(request, "404.html", {"site_name": SITE_NAME}, status=404)


# Seconds a client is asked to wait when the database is down (and the search rate limit).
RETRY_AFTER_SECONDS = 30
_DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request):
    """500, or 503 with Retry-After when the database is unreachable: a page that needs it
    cannot be built, and the client should come back. The API answers JSON either way."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, _DATABASE_DOWN)
    if request.path.startswith("/api/"):
        message = (
            _("The service is briefly unavailable. Please try again in a minute.")
            if unavailable
            else _("Something went wrong on our side. It has been logged.")
        )
        response = api_error(request, 503 if unavailable else 500, message, part="server")
    elif unavailable:
        try:
            response = render(request, "503.html", status=503)
        except Exception:  # the error page must not fail in its turn
            logging.getLogger(__name__).exception("503 page failed")
            response = HttpResponse(_("Back in a moment: please try again."), status=503)
    else:
        return django_server_error(request)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _crumbs(request, vehicle_model, *crumbs):
    """Visible breadcrumbs and their BreadcrumbList: Home, the model, then (name, path) pairs."""
    items = [(_("Home"), reverse("kb:home"))]
    items.append((str(vehicle_model), vehicle_model.get_absolute_url()))
    items += crumbs
    return {"crumbs": items, "breadcrumb_ld": ld.breadcrumbs(request, items)}


@public_page
@paged
def home(request, page):
    context = queries.home(page)
    context["website_ld"] = ld.website(request, str(SITE_NAME))
    return render(request, "kb/home.html", context)


@public_page(store=False)
@rate_limited("search", "SEARCH_RATE_LIMIT", "SEARCH_RATE_WINDOW")
def search(request):
    results = cached_search(request.GET.get("q", ""))
    # A page number past the end (or not a number) shows the last (or first) page.
    page = Paginator(results.hits, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "results": results,
        "q": results.query,
        "page": page,
        "example_searches": EXAMPLE_SEARCHES,
    }
    if not results.total:
        context["problems"] = queries.problems_for_empty_state()
    return render(request, "kb/search.html", context)


@public_page
@paged
def vehicle(request, model, page):
    context = queries.vehicle(model, page)
    context.update(_crumbs(request, context["model"]))
    context["generation_list"] = ", ".join(f"{g.name} {g.years}" for g in context["generations"])
    return render(request, "kb/vehicle.html", context)


@public_page
def faq(request, model):
    context = queries.faq(model)
    vehicle_model = context["model"]
    context["faq_ld"] = ld.faq_page(context["entries"], request.build_absolute_uri(request.path))
    context.update(_crumbs(request, vehicle_model, (_("FAQ"), request.path)))
    return render(request, "kb/faq.html", context)


@public_page
def procedure(request, model, slug):
    context = queries.procedure(model, slug)
    vehicle_model, item = context["model"], context["procedure"]
    url = request.build_absolute_uri(request.path)
    context["how_to_ld"] = ld.how_to(item, context["steps"], url)
    context.update(_crumbs(request, vehicle_model, (item.title, request.path)))
    return render(request, "kb/procedure.html", context)


@public_page
def generation(request, model, code):
    context = queries.generation(model, code)
    vehicle_model, item = context["model"], context["generation"]
    context.update(_crumbs(request, vehicle_model, (f"{item.name} ({item.years})", request.path)))
    return render(request, "kb/generation.html", context)


@public_page
def problem(request, model, problem):
    context = queries.problem(model, problem, drafts=sees_drafts(request))
    vehicle_model, item = context["model"], context["problem"]
    context.update(_crumbs(request, vehicle_model, (item.title, request.path)))
    context["draft"] = item.is_draft
    return _mark_draft(render(request, "kb/problem.html", context), item)


@public_page
def fault(request, model, problem, fault):
    context = queries.fault(model, problem, fault, drafts=sees_drafts(request))
    vehicle_model, item = context["model"], context["problem"]
    context["draft"] = item.is_draft
    context.update(
        _crumbs(
            request,
            vehicle_model,
            (item.title, item.get_absolute_url()),
            (context["fault"].name, request.path),
        )
    )
    return _mark_draft(render(request, "kb/fault.html", context), item)


def _mark_draft(response, problem):
    """A draft's page is for the staff member who asked: never stored or shared."""
    if problem.is_draft:
        response.draft = True  # kb.http.public_page makes it private
        response.shared_cache = False  # kb.middleware.SharedPageCacheMiddleware
    return response
