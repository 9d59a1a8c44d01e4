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
    ProbabilityWord,
    Problem,
    RateLevel,
)
from kb.validation import SHARE_TOLERANCE, readiness
from staff import new_cause
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


PROPORTIONAL, AS_SET = "proportional", "as-set"


class FaultForm(slug_from("name")):
    """A new fault's form also holds its type's other faults, whose shares make room for it
    when it is saved: in proportion to what each had, or as staff set them (staff/new_cause.py).
    They are known once the problem and the fault type are chosen (the form's data, or the add
    page's address after "Show its type's shares")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.siblings, self.rebalanced = [], {}
        self.chosen_problem = self.chosen_type = None
        if self.instance.pk:
            return
        problem, group = self._chosen("problem", Problem), self._chosen("group", FaultGroup)
        if problem is None or group is None:
            return
        self.chosen_problem, self.chosen_type = problem, group
        self.siblings = new_cause.siblings(problem, group)
        if not self.siblings:
            return
        share = self._initial_share()
        if share is None:  # a fair part to start from, not the model's 1 that leaves none
            share = round(1 / (len(self.siblings) + 1), 4)
        self.initial["share"] = share
        proportional = new_cause.proportional({f: f.share for f in self.siblings}, share)
        self.fields["rebalance"] = forms.ChoiceField(
            label=_("The other faults of its type"),
            choices=[
                (PROPORTIONAL, _("give up its share in proportion to theirs")),
                (AS_SET, _("get the shares I set below")),
            ],
            initial=PROPORTIONAL,
            required=False,
            widget=forms.RadioSelect,
        )
        for fault in self.siblings:
            self.fields[self.share_field(fault)] = forms.FloatField(
                label=fault.name,
                min_value=0,
                max_value=100,
                required=False,
                initial=round(proportional[fault] * 100, 2),
            )

    @staticmethod
    def share_field(fault):
        return f"share_of_{fault.pk}"

    def _chosen(self, name, model):
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        if isinstance(value, model):
            return value
        try:
            return model.objects.filter(pk=int(value)).first() if value else None
        except (TypeError, ValueError):
            return None

    def _initial_share(self):
        """The share typed before "Show its type's shares" (then in the page's address)."""
        typed = self.initial.get("share")
        if self.is_bound or not isinstance(typed, str):
            return None  # a saved default is not a choice the editor made
        try:
            return self.fields["share"].clean(typed)
        except forms.ValidationError:
            return None

    def share_rows(self):
        """The type's other faults: name, share now, and the input of its share after."""
        return [
            (fault, fault.share * 100, self[self.share_field(fault)]) for fault in self.siblings
        ]

    def starting_chances(self):
        """The new fault's starting chance per generation, with the shares the form holds."""
        if self.chosen_type is None:
            return []
        data = getattr(self, "cleaned_data", {})
        share = data.get("share", self.initial.get("share"))
        if share is None:
            return []
        others = self.rebalanced or new_cause.proportional(
            {f: f.share for f in self.siblings}, share
        )
        return [
            (chance.generation, ProbabilityWord.describe(chance.probability))
            for chance in new_cause.starting_chances(
                self.chosen_problem, self.chosen_type, share, {f.slug: s for f, s in others.items()}
            )
        ]

    def clean(self):
        data = super().clean()
        share = data.get("share")
        if not self.siblings or share is None:
            return data
        if data.get("rebalance") == AS_SET:
            others = {f: (data.get(self.share_field(f)) or 0) / 100 for f in self.siblings}
            total = share + sum(others.values())
            if abs(total - 1) > SHARE_TOLERANCE:
                raise forms.ValidationError(
                    _(
                        "The shares of its type add up to %(total)s %%, not 100 %%: change "
                        "them, or let the others give up its share in proportion."
                    )
                    % {"total": f"{total * 100:.4g}"}
                )
        else:
            others = new_cause.proportional({f: f.share for f in self.siblings}, share)
        if any(value <= 0 for value in others.values()):
            raise forms.ValidationError(
                _(
                    "With a share of %(share)s %% nothing is left for the other faults of its "
                    "type: give it less."
                )
                % {"share": f"{share * 100:.4g}"}
            )
        self.rebalanced = {fault: round(value, 4) for fault, value in others.items()}
        return data


@admin.register(Fault)
class FaultAdmin(
    PublicAddress, Translated, PreviewEffect, WithLikelihoodHistory, SimpleHistoryAdmin
):
    list_display = ["name", "slug", "problem", "category", "group", "share"]
    list_filter = ["problem", "category", "group"]
    list_select_related = ["problem__vehicle_model__make", "group"]
    search_fields = ["name", "short_name", "slug", "summary", "description", "signs"]
    form = FaultForm
    filter_horizontal = ["procedures"]
    inlines = [LikelihoodInline]
    add_form_template = "admin/kb/fault_add_form.html"
    readonly_fields = ["starting_chance"]

    class Media:
        js = ["js/admin-new-cause.js"]

    @admin.display(description=gettext_lazy("starting chance per generation"))
    def starting_chance(self, fault):
        """Its prior before any answer, per generation, as the rate table and shares give it."""
        if not fault.pk:
            return "—"
        chances = new_cause.starting_chances(
            fault.problem, fault.group, fault.share, {}, fault.slug
        )
        return "; ".join(
            f"{chance.generation}: {ProbabilityWord.describe(chance.probability)}"
            for chance in chances
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # A new fault's starting chance is in the panel of its type's shares, with the form's.
        return fields if obj else [f for f in fields if f != "starting_chance"]

    def save_model(self, request, obj, form, change):
        """A new fault's type makes room for it: the others' shares as the form rebalanced them."""
        super().save_model(request, obj, form, change)
        for fault, share in form.rebalanced.items():
            fault.share = share
            fault.save(update_fields=["share"])

    def edit_of(self, original, form, formsets):
        return Edit(
            shares={original.slug: form.cleaned_data["share"]},
            likelihoods=self.likelihood_edits(
                formsets, lambda row: (original.slug, row["symptom"].slug)
            ),
        )
