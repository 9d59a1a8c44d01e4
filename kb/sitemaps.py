"""sitemap.xml: every public page (home, models, FAQ, generations, problems, faults, procedures).

Each item's URL comes from its model's get_absolute_url(); the querysets join what those
URLs need, so the sitemap costs one query per section. Every page is listed in each language
(English unprefixed, Russian under /ru/), each entry with its hreflang alternates and an
x-default (English).
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Fault, Generation, Problem, Procedure, VehicleModel


class PageSitemap(Sitemap):
    """Each item once per language of settings.LANGUAGES, with alternates and x-default."""

    i18n = True
    alternates = True
    x_default = True


class HomeSitemap(PageSitemap):
    priority = 1.0
    changefreq = "weekly"

    def items(self):
        return ["kb:home"]

    def location(self, item):
        return reverse(item)


class VehicleSitemap(PageSitemap):
    priority = 0.6
    changefreq = "weekly"

    def items(self):
        return VehicleModel.objects.all()


class FaqSitemap(PageSitemap):
    priority = 0.7
    changefreq = "weekly"

    def items(self):
        return VehicleModel.objects.filter(faq_entries__isnull=False).distinct()

    def location(self, item):
        return reverse("kb:faq", args=[item.slug])


class GenerationSitemap(PageSitemap):
    priority = 0.5
    changefreq = "monthly"

    def items(self):
        return Generation.objects.select_related("vehicle_model")


class ProblemSitemap(PageSitemap):
    priority = 0.9
    changefreq = "weekly"

    def items(self):
        return Problem.objects.published().select_related("vehicle_model")


class FaultSitemap(PageSitemap):
    priority = 0.7
    changefreq = "monthly"

    def items(self):
        return Fault.objects.filter(problem__is_published=True).select_related(
            "problem__vehicle_model"
        )


class ProcedureSitemap(PageSitemap):
    priority = 0.7
    changefreq = "monthly"

    def items(self):
        return Procedure.objects.select_related("vehicle_model")


SITEMAPS = {
    "home": HomeSitemap,
    "models": VehicleSitemap,
    "faq": FaqSitemap,
    "generations": GenerationSitemap,
    "problems": ProblemSitemap,
    "faults": FaultSitemap,
    "procedures": ProcedureSitemap,
}
