"""The sitemap: an index at /sitemap.xml, and one section per vehicle model.

    /sitemap.xml                    the index: one <sitemap> per section (and per page of one)
    /sitemaps/site.xml              the pages of no model: the home page
    /sitemaps/models/<slug>.xml     every public page of one model: the model page, its FAQ,
                                    generations, published problems and their faults, procedures
    ...?p=2                         the next SECTION_URLS URLs of a section that holds more

Search engines take at most 50,000 URLs and 50 MB per file, and one file of every page grew
past both with the content (11 MB and 5.5 s at 300 models). A section per model stays small
whatever the number of models, and a model's edit touches its own section only. A model with
more pages than SECTION_URLS gets more pages of its section, listed in the index.

Every page is listed in each language (English unprefixed, Russian under /ru/), each entry
with its hreflang alternates and an x-default (English). The index counts each section's URLs
with a few grouped queries instead of reading every section, so it costs two queries however
many models there are; a section costs one query per kind of page.
"""

from collections import Counter
from dataclasses import dataclass
from math import ceil

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Count
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse

from web.canonical import declare

from .http import public_page
from .models import FaqEntry, Fault, Generation, Problem, Procedure, VehicleModel

# URLs per page of a section, both languages counted: a page of this many entries with their
# alternates is about 3 MB and renders in about a second, far inside the 50,000 URLs / 50 MB
# search engines take; a model's section is a few dozen URLs.
SECTION_URLS = 5_000


@dataclass(frozen=True)
class Page:
    """One public page: its URL's name and arguments, and how the sitemap ranks it."""

    url_name: str
    args: tuple[str, ...] = ()
    priority: float = 0.5
    changefreq: str = "weekly"


class PageSitemap(Sitemap):
    """Pages, each once per language of settings.LANGUAGES, with alternates and x-default."""

    i18n = True
    alternates = True
    x_default = True

    @property
    def limit(self):  # read when used, so a test may lower it
        return SECTION_URLS

    def location(self, page: Page) -> str:
        return reverse(page.url_name, args=page.args)

    def priority(self, page: Page) -> float:
        return page.priority

    def changefreq(self, page: Page) -> str:
        return page.changefreq


class SiteSitemap(PageSitemap):
    def items(self) -> list[Page]:
        return [Page("kb:home", priority=1.0)]


class ModelSitemap(PageSitemap):
    """Every public page of one vehicle model, in the order of their weight."""

    def __init__(self, model_slug: str):
        self.model_slug = model_slug

    def items(self) -> list[Page]:
        slug = self.model_slug
        pages = [Page("kb:vehicle", (slug,), 0.6)]
        if FaqEntry.objects.filter(vehicle_model__slug=slug).exists():
            pages.append(Page("kb:faq", (slug,), 0.7))
        codes = Generation.objects.filter(vehicle_model__slug=slug).values_list("code", flat=True)
        pages += [Page("kb:generation", (slug, code), 0.5, "monthly") for code in codes]
        problems = _published().filter(vehicle_model__slug=slug).values_list("slug", flat=True)
        pages += [Page("kb:problem", (slug, problem), 0.9) for problem in problems]
        faults = (
            _public_faults()
            .filter(problem__vehicle_model__slug=slug)
            .values_list("problem__slug", "slug")
        )
        pages += [Page("kb:fault", (slug, *names), 0.7, "monthly") for names in faults]
        procedures = Procedure.objects.filter(vehicle_model__slug=slug).values_list(
            "slug", flat=True
        )
        pages += [Page("kb:procedure", (slug, name), 0.7, "monthly") for name in procedures]
        return pages


def _published():
    return Problem.objects.published().order_by("order", "slug")


def _public_faults():
    # the faults of published problems: a problem with a fault is never left out by
    # published() for want of one, so is_published says it all, without its subquery
    return Fault.objects.filter(problem__is_published=True).order_by(
        "problem__order", "problem__slug", "order", "slug"
    )


def pages_per_model() -> dict[str, int]:
    """How many pages ModelSitemap lists for each model (one language): each kind of page
    counted per model, the counts read in one query (UNION ALL), the faults per problem in
    another, the models in a third. Each count reads a foreign key's index alone (an index-only
    scan; counting the rows' own keys read the wide rows: 30 ms of the index's 80 at 300
    models, the faults' joined to their problems most of it)."""

    def per(queryset, field: str):
        return queryset.order_by().values_list(field).annotate(n=Count(field))

    counts = per(Generation.objects.all(), "vehicle_model").union(
        per(Problem.objects.published(), "vehicle_model"),
        per(Procedure.objects.all(), "vehicle_model"),
        # the FAQ page: one per model with an entry
        FaqEntry.objects.order_by()
        .values_list("vehicle_model")
        .annotate(n=Count("vehicle_model", distinct=True)),
        all=True,
    )
    totals = Counter()
    for model_id, n in counts.order_by():
        totals[model_id] += n
    faults = dict(per(Fault.objects.all(), "problem"))
    published = Problem.objects.filter(is_published=True).values_list("pk", "vehicle_model")
    for problem_id, model_id in published:  # _public_faults(): the published problems' faults
        totals[model_id] += faults.get(problem_id, 0)
    models = VehicleModel.objects.order_by("make__name", "name").values_list("pk", "slug")
    return {slug: 1 + totals[pk] for pk, slug in models}  # 1: the model's own page


def _page_count(urls: int) -> int:
    return max(1, ceil(urls / SECTION_URLS))


@public_page
@x_robots_tag
def index(request):
    """/sitemap.xml: the site section, then each model's, with a ?p= entry per further page."""
    origin = f"{request.scheme}://{get_current_site(request).domain}"
    sections = [(reverse("sitemap-site"), 1)]
    languages = len(settings.LANGUAGES)
    # One reverse() for every model's address (a slug is URL-safe as it is): hundreds of
    # reverse() calls were a third of the index's time at 300 models.
    model_path = reverse("sitemap-model", args=["-slug-"])
    sections += [
        (model_path.replace("-slug-", slug, 1), _page_count(pages * languages))
        for slug, pages in pages_per_model().items()
    ]
    entries = [
        SitemapIndexItem(f"{origin}{path}" + (f"?p={number}" if number > 1 else ""))
        for path, pages in sections
        for number in range(1, pages + 1)
    ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


def _section(request, sitemap: PageSitemap):
    response = sitemap_view(request, {"section": sitemap}, section="section")
    page = request.GET.get("p", "1")
    if page != "1":
        declare(response, f"p={page}")  # ?p=2 is that page's one address
    return response


@public_page
def site_section(request):
    return _section(request, SiteSitemap())


@public_page
def model_section(request, model):
    if not VehicleModel.objects.filter(slug=model).exists():
        raise Http404("No such vehicle model")
    return _section(request, ModelSitemap(model))
