"""Problems, fault types with their rates per generation, and faults: the causes."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kb.models import (
    Fault,
    FaultGroup,
    FaultRate,
    Generation,
    Problem,
    RateLevel,
)
from kb.validation import readiness
from staff.preview import Edit

from .base import PublicAddress, SimpleHistoryAdmin, TabularInline, Translated, slug_from
from .effect import PreviewEffect
from .likelihoods import LikelihoodInline, WithLikelihoodHistory


class ProblemForm(slug_from("title")):
    def clean_is_published(self):
        """Publishing is refused while the content check finds the wizard unusable for it."""
        publish = self.cleaned_data.get("is_published")
        if publish:  # checked on every save, so a problem broken since it was published shows it
            reasons = readiness(self.instance) if self.instance.pk else [_("no fault yet")]
            if reasons:
                raise forms.ValidationError(
                    [_("It cannot be published yet: %(reason)s") % {"reason": r} for r in reasons]
                )
        return publish


@admin.register(Problem)
class ProblemAdmin(PublicAddress, Translated, SimpleHistoryAdmin):
    list_display = ["title", "slug", "vehicle_model", "is_published"]
    list_filter = ["vehicle_model", "is_published"]
    search_fields = ["title", "slug", "summary"]
    form = ProblemForm
    autocomplete_fields = ["emergency_procedure"]


class FaultRateInline(TabularInline):
    model = FaultRate
    verbose_name = gettext_lazy("rate in a generation")
    verbose_name_plural = gettext_lazy(
        "rates per generation (leave a level empty to skip a generation)"
    )

    @staticmethod
    def missing_generations(group):
        rated = FaultRate.objects.filter(group=group).values("generation") if group.pk else []
        return list(Generation.objects.exclude(pk__in=rated).select_related("vehicle_model"))

    def get_extra(self, request, obj=None, **kwargs):
        return len(self.missing_generations(obj or FaultGroup()))


@admin.register(RateLevel)
class RateLevelAdmin(Translated, SimpleHistoryAdmin):
    list_display = ["name", "slug", "weight", "order"]
    list_editable = ["weight"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(FaultGroup)
class FaultGroupAdmin(Translated, PreviewEffect, SimpleHistoryAdmin):
    def get_formset_kwargs(self, request, obj, inline, prefix):
        """A new fault type (or one missing rates) gets one row per generation to fill in."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, FaultRateInline):
            kwargs["initial"] = [{"generation": g.pk} for g in inline.missing_generations(obj)]
        return kwargs

    list_display = ["name", "slug", "in_rate_table", "order"]
    list_filter = ["in_rate_table"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [FaultRateInline]


@admin.register(FaultRate)
class FaultRateAdmin(SimpleHistoryAdmin):
    list_display = ["group", "generation", "level"]
    list_filter = ["group", "generation__vehicle_model", "level"]
    list_select_related = ["group", "generation__vehicle_model__make", "level"]


@admin.register(Fault)
class FaultAdmin(
    PublicAddress, Translated, PreviewEffect, WithLikelihoodHistory, SimpleHistoryAdmin
):
    list_display = ["name", "slug", "problem", "category", "group", "share"]
    list_filter = ["problem", "category", "group"]
    list_select_related = ["problem__vehicle_model__make", "group"]
    search_fields = ["name", "slug", "summary", "description", "signs"]
    form = slug_from("name")
    filter_horizontal = ["procedures"]
    inlines = [LikelihoodInline]

    def edit_of(self, original, form, formsets):
        return Edit(
            shares={original.slug: form.cleaned_data["share"]},
            likelihoods=self.likelihood_edits(
                formsets, lambda row: (original.slug, row["symptom"].slug)
            ),
        )
