"""The public pages. Each view parses its input, calls one function of kb.queries, renders.

Every public page goes through ``public_page`` (kb/http.py): Cache-Control, an ETag that
answers 304, and server-side HTML caching keyed by the content version.
"""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from . import queries
from . import structured_data as ld
from .drafts import sees_drafts
from .http import public_page
from .search import search as run_search

SITE_NAME = "Car faults"


def ok(request):
    return HttpResponse("ok")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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


def page_not_found(request, exception):
    return render(request, "404.html", {"site_name": SITE_NAME}, status=404)


def _crumbs(request, vehicle_model, *crumbs):
    """Visible breadcrumbs and their BreadcrumbList: Home, the model, then (name, path) pairs."""
    items = [("Home", reverse("kb:home")), (str(vehicle_model), vehicle_model.get_absolute_url())]
    items += crumbs
    return {"crumbs": items, "breadcrumb_ld": ld.breadcrumbs(request, items)}


@public_page
def home(request):
    context = queries.home()
    context["website_ld"] = ld.website(request, SITE_NAME)
    return render(request, "kb/home.html", context)


@public_page(store=False)
def search(request):
    results = run_search(request.GET.get("q", ""))
    context = {"results": results, "q": results.query}
    if not results.total:
        context["problems"] = queries.problems_for_empty_state()
    return render(request, "kb/search.html", context)


@public_page
def vehicle(request, model):
    context = queries.vehicle(model)
    context.update(_crumbs(request, context["model"]))
    return render(request, "kb/vehicle.html", context)


@public_page
def faq(request, model):
    context = queries.faq(model)
    vehicle_model = context["model"]
    context["faq_ld"] = ld.faq_page(context["entries"], request.build_absolute_uri(request.path))
    context.update(_crumbs(request, vehicle_model, ("FAQ", request.path)))
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
        response.shared_cache = False  # config.middleware.SharedPageCacheMiddleware
    return response
