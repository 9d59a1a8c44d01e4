"""The API's catalogue: makes -> models -> generations -> problems, as plain dicts.

What a workshop system walks to find the diagnosis it wants (docs/design.md, "The API"). Each
function returns the JSON body of one catalogue endpoint, in the active language, or raises
``Unknown`` (a slug or code that is not listed: the view answers 404 naming the valid ones)
or ``NoSuchPage``. Each item carries its slugs, its names and the absolute paths a client
follows: the public page, the wizard, the API URL of the next level and, for a problem, the
diagnose endpoint for the generation chosen.

Only what owners can use is listed: a make or a model appears when it has a published problem
(``Problem.objects.published()``), so a draft is named to no one, as in the diagnose
endpoint's errors. Lists are ordered by slug, which is the same in every language, so a page
holds the same items in English and in Russian. A list that can run long is paged,
``PAGE_SIZE`` items a page; a model's generations are few and come in one list.

``api_query`` is what every API link carries besides its own parameters (``lang=ru`` when the
request named a language), so a client that starts in Russian stays in Russian. Each function
costs a constant number of queries, 2 to 4 cold (none from the page cache), whatever
the size of the content (tests/test_api_catalogue.py).
"""

from __future__ import annotations

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count
from django.urls import reverse

from .models import Generation, Make, Problem, VehicleModel
from .paging import page_query

# Items on a page of a paged list (the OpenAPI document states it: diagnosis/openapi.json).
PAGE_SIZE = 100
# At most this many valid values are named when a slug is unknown (as in diagnosis/query.py).
MAX_VALID = 40


class Unknown(Exception):
    """A make, model or generation that the catalogue does not list."""

    def __init__(self, part: str, value: str, valid: list[str]):
        super().__init__(part, value)
        self.part, self.value, self.valid = part, value, valid[:MAX_VALID]


class NoSuchPage(Exception):
    """A page number past the last page of the list."""

    def __init__(self, pages: int):
        super().__init__(pages)
        self.pages = pages


def url(path: str, *queries: str) -> str:
    """``path`` with the non-empty query parts joined, in the order given."""
    query = "&".join(part for part in queries if part)
    return f"{path}?{query}" if query else path


def _published_problems():
    return Problem.objects.published()


def _listed_makes():
    return (
        Make.objects.filter(vehicle_models__problems__in=_published_problems())
        .annotate(model_count=Count("vehicle_models", distinct=True))
        .order_by("slug")
    )


def _listed_models():
    return (
        VehicleModel.objects.filter(problems__in=_published_problems())
        .annotate(problem_count=Count("problems", distinct=True))
        .order_by("slug")
    )


def _page(items, number: int, path: str, api_query: str, up: str | None) -> tuple[list, dict]:
    """Page ``number`` of ``items`` and the body's ``page`` and ``links``."""
    paginator = Paginator(items, PAGE_SIZE)
    try:
        page = paginator.page(number)
    except InvalidPage as error:
        raise NoSuchPage(paginator.num_pages) from error
    links = {
        "self": url(path, page_query(number), api_query),
        "next": url(path, page_query(number + 1), api_query) if page.has_next() else None,
        "prev": url(path, page_query(number - 1), api_query) if page.has_previous() else None,
    }
    if up is not None:
        links["up"] = up
    about = {
        "number": number,
        "size": PAGE_SIZE,
        "pages": paginator.num_pages,
        "count": paginator.count,
    }
    return list(page.object_list), {"page": about, "links": links}


def makes(page: int, api_query: str = "") -> dict:
    """The makes that have a published problem, with how many of their models have one."""
    path = reverse("api-makes")
    found, paging = _page(_listed_makes(), page, path, api_query, None)
    items = [
        {
            "slug": make.slug,
            "name": make.name,
            "models": make.model_count,
            "links": {"models": url(reverse("api-models", args=[make.slug]), api_query)},
        }
        for make in found
    ]
    return {"items": items, **paging}


def models(make_slug: str, page: int, api_query: str = "") -> dict:
    """A make's models that have a published problem, with how many they have."""
    make = _listed_makes().filter(slug=make_slug).first()
    if make is None:
        valid = list(_listed_makes().values_list("slug", flat=True)[:MAX_VALID])
        raise Unknown("make", make_slug, valid)
    path = reverse("api-models", args=[make.slug])
    up = url(reverse("api-makes"), api_query)
    found, paging = _page(_listed_models().filter(make=make), page, path, api_query, up)
    items = []
    for model in found:
        model.make = make
        items.append({**_model(model, api_query), "problems": model.problem_count})
    return {"make": {"slug": make.slug, "name": make.name}, "items": items, **paging}


def _model(model: VehicleModel, api_query: str) -> dict:
    return {
        "slug": model.slug,
        "name": model.name,
        "full_name": str(model),
        "make": model.make.slug,
        "links": {
            "page": model.get_absolute_url(),
            "generations": url(reverse("api-generations", args=[model.slug]), api_query),
        },
    }


def _listed_model(model_slug: str) -> VehicleModel:
    model = _listed_models().select_related("make").filter(slug=model_slug).first()
    if model is None:
        valid = list(_listed_models().values_list("slug", flat=True)[:MAX_VALID])
        raise Unknown("model", model_slug, valid)
    return model


def _generation(generation: Generation, api_query: str) -> dict:
    model = generation.vehicle_model
    return {
        "code": generation.code,
        "name": generation.name,
        "year_from": generation.year_from,
        "year_to": generation.year_to,
        "is_facelift": generation.is_facelift,
        "links": {
            "page": generation.get_absolute_url(),
            "problems": url(reverse("api-problems", args=[model.slug, generation.code]), api_query),
        },
    }


def generations(model_slug: str, api_query: str = "") -> dict:
    """A model's generations, oldest first (a model has a few: not paged)."""
    model = _listed_model(model_slug)
    found = list(model.generations.order_by("year_from", "code"))
    for generation in found:
        generation.vehicle_model = model
    return {
        "model": _model(model, api_query),
        "items": [_generation(generation, api_query) for generation in found],
        "links": {
            "self": url(reverse("api-generations", args=[model.slug]), api_query),
            "up": url(reverse("api-models", args=[model.make.slug]), api_query),
        },
    }


def problems(model_slug: str, code: str, page: int, api_query: str = "") -> dict:
    """A model's published problems, each with its wizard and diagnose URLs for the generation
    ``code`` (a problem's diagnosis covers every generation of its model)."""
    model = _listed_model(model_slug)
    generation = model.generations.filter(code=code).first()
    if generation is None:
        valid = list(model.generations.order_by("year_from").values_list("code", flat=True))
        raise Unknown("generation", code, valid)
    generation.vehicle_model = model
    path = reverse("api-problems", args=[model.slug, generation.code])
    up = url(reverse("api-generations", args=[model.slug]), api_query)
    listed = model.problems.published().order_by("order", "slug")
    found, paging = _page(listed, page, path, api_query, up)
    state = f"generation={generation.code}"
    items = []
    for problem in found:
        problem.vehicle_model = model
        diagnose = f"model={model.slug}&problem={problem.slug}&{state}"
        items.append(
            {
                "slug": problem.slug,
                "title": problem.title,
                "summary": problem.summary,
                "links": {
                    "page": problem.get_absolute_url(),
                    "wizard": url(problem.get_diagnose_url(), state),
                    "diagnose": url(reverse("api"), diagnose, api_query),
                },
            }
        )
    return {
        "model": _model(model, api_query),
        "generation": _generation(generation, api_query),
        "items": items,
        **paging,
    }
