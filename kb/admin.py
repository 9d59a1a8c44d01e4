"""The admin for service staff: every content model, with inlines, search and filters.

SimpleHistoryAdmin adds a History page to every object, from which any earlier version can be
restored ("reverted"). The texts owners read have one field per language (kb/translation.py);
their admins (`Translated`) show them with language tabs (static/js/admin-language-tabs.js).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import F
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from modeltranslation.utils import build_localized_fieldname
from simple_history.admin import SimpleHistoryAdmin as HistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import addresses, likelihood_context
from .forms import CommaFloatField, ProbabilityField
from .models import (
    PROBABILITIES,
    FaqEntry,
    Fault,
    FaultGroup,
    FaultRate,
    Generation,
    Likelihood,
    Make,
    MovedAddress,
    ProbabilityWord,
    Problem,
    Procedure,
    QuestionGroup,
    RateLevel,
    SafetyWarning,
    Step,
    Symptom,
    VehicleModel,
)
from .slugs import key_words_slug
from .validation import findings, readiness


def problem_of(obj) -> Problem | None:
    """The problem whose diagnosis an object takes part in, if it belongs to one."""
    match obj:
        case Problem():
            return obj
        case Fault() | Symptom() | QuestionGroup():
            return obj.problem
        case Likelihood():
            return obj.fault.problem
    # an app above kb whose object belongs to a problem (diagnosis's test cases)
    problem = getattr(obj, "problem", None)
    return problem if isinstance(problem, Problem) else None


class LineText(forms.CharField):
    """Text whose line ends are "\n" whatever the browser sends ("\r\n"), so an untouched
    field never counts as changed, in the admin's log or in the history."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


TEXT_OVERRIDES = {
    models.TextField: {"form_class": LineText, "widget": forms.Textarea},
    models.FloatField: {"form_class": CommaFloatField},
}
PROBABILITY_FIELDS = {"p_yes", "p_yes_otherwise"}


class PlainFields:
    """Fields a mechanic can fill: probabilities as words, decimal commas, clean line ends."""

    formfield_overrides = TEXT_OVERRIDES

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in PROBABILITY_FIELDS:
            return ProbabilityField(
                words=list(ProbabilityWord.objects.all()),
                label=capfirst(db_field.verbose_name),
                help_text=db_field.help_text,
                required=not db_field.blank,
            )
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        original = getattr(db_field, "translated_field", None)
        if isinstance(field, forms.CharField) and original is not None and not original.null:
            # A language's column may be NULL (not yet translated), but an emptied field is
            # saved as "", as the original field is: no NULL-to-"" change in the history.
            field.empty_value = ""
        return field


class SlugFromForm(forms.ModelForm):
    """The slug may be left empty: it is then made from `slug_from`'s key words, whole words
    only (the admin's JavaScript cut "the-lid-slowly-sinks-by-itself-after-you-lift-it-f")."""

    slug_from = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            source = self.fields[self.slug_from].label if self.slug_from in self.fields else ""
            self.fields["slug"].help_text = (
                _("Leave empty to make it from the key words of “%(field)s”.")
                % {"field": source or self.slug_from.replace("_", " ")}
                + " "
                + str(self.fields["slug"].help_text)
            )

    def clean(self):
        data = super().clean()
        # A translated source field is in the form once per language: slugs are made from
        # the English one, so a link is the same in every language.
        english = build_localized_fieldname(
            self.slug_from, settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        )
        source = data.get(english, data.get(self.slug_from))
        if "slug" in self.fields and not data.get("slug") and source:
            data["slug"] = key_words_slug(
                source, self._meta.model._meta.get_field("slug").max_length
            )
        return data


def slug_from(field: str) -> type[SlugFromForm]:
    return type(f"SlugFrom{field.title()}Form", (SlugFromForm,), {"slug_from": field})


class TabularInline(PlainFields, admin.TabularInline):
    pass


class StackedInline(PlainFields, admin.StackedInline):
    pass


class LanguageTabs:
    """Tabs above the form, one per language, that show only that language's fields (the
    language-neutral fields stay); a tab whose fields have an error is marked and opened."""

    class Media:
        js = ["js/admin-language-tabs.js"]
        css = {"all": ["css/admin-language-tabs.css"]}


class TranslatedTabularInline(LanguageTabs, PlainFields, TranslationTabularInline):
    pass


class TranslatedStackedInline(LanguageTabs, PlainFields, TranslationStackedInline):
    pass


class InWords(HistoricalRecordContextHelper):
    """A history page's changes show a probability as the forms offer it: “almost always
    (95 %) → ≈ sometimes (30 %)”, not 0.95 → 0.3."""

    def prepare_delta_change_value(self, change, value):
        if change.field in PROBABILITIES and isinstance(value, float):
            return ProbabilityWord.describe(value)
        return super().prepare_delta_change_value(change, value)


class SimpleHistoryAdmin(PlainFields, HistoryAdmin):
    """Every content admin: history and revert (the reason names the version), values in
    words, and after each save the content check's findings for what was edited, the
    edited object first when it is one of them."""

    def get_historical_record_context_helper(self, request, historical_record):
        return InWords(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":  # a revert: its history row says to which version
            request.reverted_to = (
                self.model.history.filter(history_id=version_id).only("history_date").first()
            )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        version = getattr(request, "reverted_to", None)
        if version is not None:
            when = date_format(localtime(version.history_date), "DATETIME_FORMAT")
            obj._change_reason = _("Reverted to the version of %(date)s") % {"date": when}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.report_findings(request, form.instance)

    def report_findings(self, request, obj):
        problem = problem_of(obj)
        found = findings(problem) if problem else [f for f in findings() if f.obj == obj]
        found.sort(key=lambda finding: finding.obj != obj)  # the edited object first
        if not found:
            if problem:
                message = _("Content check: no finding for “%(problem)s”.") % {"problem": problem}
            else:
                message = _("Content check: no finding for this object.")
            messages.success(request, message)
            return
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a>{}: {}.</li>',
            (
                (
                    finding.admin_url,
                    finding.name[:1].upper() + finding.name[1:],
                    _(" (what you just saved: probably the cause)") if finding.obj == obj else "",
                    finding.message,
                )
                for finding in found
            ),
        )
        messages.warning(
            request,
            format_html(
                '{} <a href="{}">{}</a><ul class="cc-inline">{}</ul>',
                (
                    ngettext(
                        "Content check for “%(problem)s”: %(count)s finding.",
                        "Content check for “%(problem)s”: %(count)s findings.",
                        len(found),
                    )
                    if problem
                    else ngettext(
                        "Content check: %(count)s finding.",
                        "Content check: %(count)s findings.",
                        len(found),
                    )
                )
                % {"problem": problem, "count": len(found)},
                reverse("admin-content-check"),
                _("All findings"),
                items,
            ),
        )


class PublicAddress:
    """The slugs and codes in public URLs are read-only for staff without the right to change
    a public page's address (kb/addresses.py): a content lead's, whose rename leaves a
    redirect behind."""

    def get_readonly_fields(self, request, obj=None):
        locked = addresses.locked_fields(request.user, obj)
        return (*super().get_readonly_fields(request, obj), *locked)

    def get_prepopulated_fields(self, request, obj=None):
        locked = addresses.locked_fields(request.user, obj)
        fields = super().get_prepopulated_fields(request, obj)
        return {name: sources for name, sources in fields.items() if name not in locked}


class Translated(LanguageTabs, TranslationAdmin):
    """Put first among a translated model's admin bases: its fields in each language."""


class WithLikelihoodHistory:
    """A fault's (or symptom's) history page also lists the changes of its likelihoods, which
    are edited inline on its page but kept in their own history."""

    object_history_template = "admin/kb/object_history_with_likelihoods.html"
    likelihood_owner = "fault"  # the likelihood's field pointing to this object
    MAX_ROWS = 100

    def history_view(self, request, object_id, extra_context=None):
        rows = list(
            Likelihood.history.filter(**{f"{self.likelihood_owner}_id": object_id})
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[: self.MAX_ROWS]
        )
        other = "symptom" if self.likelihood_owner == "fault" else "fault"
        model = Symptom if other == "symptom" else Fault
        names = model.objects.in_bulk({getattr(row, f"{other}_id") for row in rows})
        existing = set(
            Likelihood.objects.filter(pk__in={r.id for r in rows}).values_list("pk", flat=True)
        )
        changes = []
        for row in rows:
            previous = row.prev_record
            changes.append(
                {
                    "row": row,
                    "other": names.get(getattr(row, f"{other}_id"), _("(deleted)")),
                    "before": previous.p_yes if previous and row.history_type != "+" else None,
                    "after": row.p_yes,
                    "exists": row.id in existing,
                }
            )
        context = {"likelihood_changes": changes, "likelihood_other": model._meta.verbose_name}
        return super().history_view(request, object_id, {**context, **(extra_context or {})})


class PreviewEffect:
    """A "Preview the effect" button on the change form (and a likelihood's add form): per
    generation the wizard's first ranking, the ranking of all causes after the edited question
    is answered first, the problem's test cases and the saved scenarios, before and after the
    edit, computed with the engine on the form's unsaved values (diagnosis/preview.py). Opens in
    a new tab; nothing is saved."""

    change_form_template = "admin/kb/change_form_with_preview.html"

    def get_urls(self):
        meta = self.model._meta
        own = [
            path(
                "<path:object_id>/change/preview/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{meta.app_label}_{meta.model_name}_preview",
            )
        ]
        if self.model is Likelihood:  # a new pair is an edit of a problem that exists
            own.append(
                path(
                    "add/preview/",
                    self.admin_site.admin_view(self.preview_view),
                    name=f"{meta.app_label}_{meta.model_name}_add_preview",
                )
            )
        return own + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_preview"] = change or self.model is Likelihood
        return super().render_change_form(request, context, add, change, form_url, obj)

    def edit_of(self, original, form, formsets):
        """What the form changes; the admins of faults, symptoms and likelihoods add theirs."""
        from diagnosis.preview import Edit

        return Edit()

    def full_edit(self, original, form, formsets):
        from diagnosis.content import EFFORT_COST

        if original is None:  # a new likelihood
            from diagnosis.preview import Edit

            data = form.cleaned_data
            return Edit(likelihoods={(data["fault"].slug, data["symptom"].slug): data["p_yes"]})
        edit = self.edit_of(original, form, formsets)
        if isinstance(original, FaultGroup):
            edit.rates = self.rate_edits(original, formsets)
        effort = form.cleaned_data.get("effort")
        if isinstance(original, Symptom | QuestionGroup) and effort is not None:
            edit.costs[original.slug] = EFFORT_COST.get(effort, 1.0)
        if isinstance(original, QuestionGroup):
            edit.groups = (original.slug,)
        return edit

    def preview_view(self, request, object_id=None):
        from diagnosis.preview import preview

        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            obj = original = None
        else:
            obj = self.get_object(request, object_id)
            if obj is None or not self.has_view_or_change_permission(request, obj):
                raise PermissionDenied
            original = type(obj).objects.get(pk=obj.pk)
        change = obj is not None
        errors, previews, problem = [], [], problem_of(original)
        if request.method == "POST":
            form = self.get_form(request, obj, change=change)(
                request.POST, request.FILES, instance=obj
            )
            valid = form.is_valid()
            formsets, _inlines = self._create_formsets(request, form.instance, change=change)
            valid = all([formset.is_valid() for formset in formsets]) and valid
            if valid:
                edit = self.full_edit(original, form, formsets)
                problem = problem or problem_of(form.instance)
                problems = (
                    [problem]
                    if problem
                    else Problem.objects.filter(faults__group=original).distinct().order_by("pk")
                )  # a fault type's rates: every problem with a fault of that type
                previews = [(item, preview(item, edit)) for item in problems]
            else:
                errors = [*form.errors.as_data().items()]
                for formset in formsets:
                    for inline_errors in formset.errors:
                        errors.extend(inline_errors.as_data().items())
        name = original if change else _("new")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Effect of your edit of %(kind)s “%(name)s”")
            % {"kind": self.model._meta.verbose_name, "name": name},
            "original": original,
            "problem": problem,
            "previews": previews,
            "generations": previews[0][1] if previews else [],
            "errors": errors,
            "posted": request.method == "POST",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/kb/preview.html", context)

    @staticmethod
    def rate_edits(group, formsets) -> dict:
        """(vehicle model, generation code, fault type) -> the new level's weight, or None
        where the generation loses its rate."""
        edits = {}
        for formset in formsets:
            for form in formset.forms if formset.model is FaultRate else ():
                data = getattr(form, "cleaned_data", None)
                if not data or not form.has_changed():
                    continue
                if form.instance.pk:  # the rate as saved, which the row replaces
                    saved = FaultRate.objects.get(pk=form.instance.pk).generation
                    edits[(saved.vehicle_model.slug, saved.code, group.slug)] = None
                generation, level = data.get("generation"), data.get("level")
                if generation and not data.get("DELETE"):
                    key = (generation.vehicle_model.slug, generation.code, group.slug)
                    edits[key] = level.weight if level else None
        return edits

    @staticmethod
    def likelihood_edits(formsets, pair_of) -> dict:
        """(fault slug, symptom slug) -> new probability, or None where a row is removed."""
        edits = {}
        for formset in formsets:
            if formset.model is not Likelihood:
                continue
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None)
                if not data or not form.has_changed():
                    continue
                if form.instance.pk:  # the pair as saved, which the row replaces
                    saved = Likelihood.objects.select_related("fault", "symptom").get(
                        pk=form.instance.pk
                    )
                    edits[(saved.fault.slug, saved.symptom.slug)] = None
                if not data.get("DELETE"):
                    edits[pair_of(data)] = data["p_yes"]
        return edits


class GenerationInline(TranslatedTabularInline):
    model = Generation
    extra = 0
    prepopulated_fields = {"code": ("name",)}


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


def in_words(value: float | None) -> str:
    """A probability as the nearest word and its percentage (ProbabilityWord.describe)."""
    return ProbabilityWord.describe(value)


class SameProblemPickers:
    """The fault and question pickers of a likelihood row offer only the page's problem."""

    def get_formset(self, request, obj=None, **kwargs):
        self.parent = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        parent = getattr(self, "parent", None)
        if db_field.name in ("fault", "symptom") and parent is not None and parent.pk:
            kwargs["queryset"] = db_field.related_model.objects.filter(problem_id=parent.problem_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class LikelihoodInline(SameProblemPickers, TabularInline):
    model = Likelihood
    extra = 0
    fields = ["symptom", "p_yes", "with_any_other_cause", "effect", "note"]
    readonly_fields = ["with_any_other_cause", "effect"]

    @admin.display(description=gettext_lazy("with any other cause"))
    def with_any_other_cause(self, obj):
        """The question's value for the other causes, to set this one against."""
        return in_words(obj.symptom.p_yes_otherwise) if obj and obj.symptom_id else "—"

    @admin.display(description=gettext_lazy("what an answer does to this cause (saved value)"))
    def effect(self, obj):
        """“yes ×3.2, no ×0.45”, marked when a “yes” makes the cause less likely."""
        if not (obj and obj.pk and obj.fault_id and obj.symptom_id):
            return "—"
        found = likelihood_context.effect(obj.fault, obj.symptom, obj.p_yes)
        if found.points_away:
            return format_html(
                '<span class="lk-away">{} — {}</span>',
                likelihood_context.short(found),
                _("a “yes” points away from this cause"),
            )
        return likelihood_context.short(found)


class SymptomLikelihoodInline(LikelihoodInline):
    """On a question's page: one row per cause; the question's value for any other cause is
    a field of the question itself, shown once above the rows."""

    template = "admin/kb/symptom_likelihood_inline.html"
    fields = ["fault", "p_yes", "effect", "note"]
    readonly_fields = ["effect"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.any_other_cause = in_words(obj.p_yes_otherwise) if obj and obj.pk else None
        return formset


class StepForm(forms.ModelForm):
    """A step's place is a position the editor may change; the numbers are made 1, 2, 3…
    on save (ProcedureAdmin.save_formset), so no one types or fixes them by hand."""

    position = forms.IntegerField(
        required=False,
        min_value=1,
        label=gettext_lazy("Step number"),
        help_text=gettext_lazy(
            "Filled in for you. To move a step, type the number it should have; "
            "leave empty on a new step to add it at the end."
        ),
        widget=forms.NumberInput(attrs={"style": "width: 5em"}),
    )

    class Meta:
        model = Step
        fields = ["title", "text", "source", "warning"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["position"].initial = self.instance.number


class StepInline(TranslatedStackedInline):
    model = Step
    form = StepForm
    extra = 0
    autocomplete_fields = ["warning"]
    fields = ["position", "title", "text", "source", "warning"]


@admin.register(Make)
class MakeAdmin(Translated, SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(MovedAddress)
class MovedAddressAdmin(admin.ModelAdmin):
    """Old public addresses and where they lead (kb/addresses.py); a content lead's."""

    list_display = ["old_path", "new_path", "date"]
    search_fields = ["old_path", "new_path"]


@admin.register(VehicleModel)
class VehicleModelAdmin(PublicAddress, Translated, SimpleHistoryAdmin):
    list_display = ["__str__", "slug"]
    list_filter = ["make"]
    search_fields = ["name", "slug", "make__name"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [GenerationInline]


@admin.register(Generation)
class GenerationAdmin(PublicAddress, Translated, SimpleHistoryAdmin):
    list_display = ["name", "code", "vehicle_model", "year_from", "year_to", "is_facelift"]
    list_filter = ["vehicle_model", "is_facelift"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ("name",)}


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
        from diagnosis.preview import Edit

        return Edit(
            shares={original.slug: form.cleaned_data["share"]},
            likelihoods=self.likelihood_edits(
                formsets, lambda row: (original.slug, row["symptom"].slug)
            ),
        )


@admin.register(Symptom)
class SymptomAdmin(Translated, PreviewEffect, WithLikelihoodHistory, SimpleHistoryAdmin):
    likelihood_owner = "symptom"

    def edit_of(self, original, form, formsets):
        from diagnosis.preview import Edit

        return Edit(
            p_otherwise={original.slug: form.cleaned_data["p_yes_otherwise"]},
            likelihoods=self.likelihood_edits(
                formsets, lambda row: (row["fault"].slug, original.slug)
            ),
        )

    def get_changeform_initial_data(self, request):
        # No silent 0.2: the editor chooses how often other causes give a "yes".
        return {"p_yes_otherwise": None, **super().get_changeform_initial_data(request)}

    list_display = ["slug", "question", "problem", "group", "effort", "p_yes_otherwise"]
    list_filter = ["problem", "effort", "group"]
    list_select_related = ["problem__vehicle_model__make"]
    search_fields = ["slug", "question", "statement", "help_text"]
    form = slug_from("question")
    inlines = [SymptomLikelihoodInline]


class MemberInline(TranslatedTabularInline):
    """The options of an exclusive question are symptoms: each names its button here."""

    model = Symptom
    fk_name = "group"
    extra = 0
    fields = ["slug", "option_label", "question", "order"]
    readonly_fields = ["slug", "question"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # a symptom joins a group from its own page, where it is written


@admin.register(QuestionGroup)
class QuestionGroupAdmin(Translated, PreviewEffect, SimpleHistoryAdmin):
    list_display = ["question", "slug", "problem", "effort", "order"]
    list_filter = ["problem"]
    list_select_related = ["problem__vehicle_model__make"]
    search_fields = ["slug", "question", "help_text"]
    inlines = [MemberInline]


@admin.register(Likelihood)
class LikelihoodAdmin(PreviewEffect, SimpleHistoryAdmin):
    """A likelihood is edited with its context: the same question's value for every cause
    and for any other cause, and what a "yes" and a "no" do to this cause
    (kb/likelihood_context.py)."""

    change_form_template = "admin/kb/likelihood_change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        symptom = fault = None
        if obj is not None and obj.pk:
            symptom, fault = obj.symptom, obj.fault
        else:  # an add page knows the question only when the link gives it (?symptom=<id>)
            symptom = Symptom.objects.filter(pk=self.pk_or_none(request.GET.get("symptom"))).first()
            fault = Fault.objects.filter(pk=self.pk_or_none(request.GET.get("fault"))).first()
            if fault is not None and symptom is not None and fault.problem_id != symptom.problem_id:
                fault = None
        if symptom is not None:
            context["question_panel"] = self.question_panel(symptom, fault)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def pk_or_none(text):
        return int(text) if text and text.isdigit() else None

    @staticmethod
    def question_panel(symptom, fault):
        found = likelihood_context.question_context(symptom, fault)
        other = in_words(symptom.p_yes_otherwise)
        rows = [
            {
                "fault": row.fault,
                "value": in_words(row.p_yes)
                if row.p_yes is not None
                else _("not set: answers as any other cause"),
                "effect": likelihood_context.short(row.effect) if row.p_yes is not None else "",
                "away": row.p_yes is not None and row.effect.points_away,
                "edited": row.edited,
            }
            for row in found.rows
        ]
        edited = next((row for row in found.rows if row.edited), None)
        panel = {
            "symptom": symptom,
            "rows": rows,
            "other": other,
            "fault": fault,
            "generations": _(
                "Likelihoods hold for every generation (%(generations)s): only how often each "
                "cause occurs differs between generations."
            )
            % {"generations": ", ".join(found.generations) or "—"},
            "threshold": _(
                "Above %(other)s a “yes” points to this cause and a “no” away from it; below "
                "it, the reverse."
            )
            % {"other": other},
        }
        if edited is not None and edited.p_yes is not None:
            panel["effect"] = likelihood_context.sentence(edited.effect)
            if edited.effect.points_away:
                panel["warning"] = LikelihoodAdmin.away_warning(edited.p_yes, symptom)
        return panel

    @staticmethod
    def away_warning(p_yes, symptom):
        return _(
            "A “yes” makes this cause less likely: %(value)s is below %(other)s, the value "
            "for any other cause. That is right when a “yes” is a sign against this cause (the "
            "note should say why); if a “yes” should point to it, choose more than %(other)s."
        ) % {"value": in_words(p_yes), "other": in_words(symptom.p_yes_otherwise)}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if likelihood_context.effect(obj.fault, obj.symptom, obj.p_yes).points_away:
            messages.warning(request, self.away_warning(obj.p_yes, obj.symptom))

    def edit_of(self, original, form, formsets):
        from diagnosis.preview import Edit

        data = form.cleaned_data
        return Edit(
            likelihoods={
                (original.fault.slug, original.symptom.slug): None,
                (data["fault"].slug, data["symptom"].slug): data["p_yes"],
            }
        )

    list_display = ["fault", "symptom", "p_yes"]
    list_filter = ["fault__problem", "fault"]
    list_select_related = ["fault", "symptom"]
    search_fields = ["fault__slug", "symptom__slug", "note"]
    autocomplete_fields = ["fault", "symptom"]


@admin.register(SafetyWarning)
class SafetyWarningAdmin(Translated, SimpleHistoryAdmin):
    list_display = ["title", "slug"]
    search_fields = ["title", "text"]
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Procedure)
class ProcedureAdmin(PublicAddress, Translated, SimpleHistoryAdmin):
    list_display = ["title", "kind", "difficulty", "vehicle_model", "order"]
    list_filter = ["kind", "difficulty", "vehicle_model"]
    search_fields = ["title", "slug", "summary", "introduction", "tools"]
    form = slug_from("title")
    inlines = [StepInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Step:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for step in formset.deleted_objects:
            step.delete()
        rows = [
            (f.cleaned_data.get("position") or float("inf"), index, f)
            for index, f in enumerate(formset.forms)
            if f not in formset.deleted_forms and (f.instance.pk or f.has_changed())
        ]
        # Ties: a step moved to a number goes before the step that had it.
        rows.sort(key=lambda row: (row[0], row[2].instance.number == row[0], row[1]))
        steps = []
        for number, (_position, _index, step_form) in enumerate(rows, start=1):
            step = step_form.instance
            step.procedure = form.instance
            moved = step.number != number
            step.number = number
            if moved or step_form.has_changed() or not step.pk:
                steps.append(step)
        # Out of the way first: (procedure, number) is unique at every moment.
        Step.objects.filter(pk__in=[s.pk for s in steps if s.pk]).update(number=F("number") + 10000)
        for step in steps:
            step.save()
        formset.save_m2m()
        return None

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "vehicle_model",
                    "title",
                    "slug",
                    "kind",
                    "source",
                    "summary",
                    "introduction",
                ]
            },
        ),
        (
            gettext_lazy("Doing it"),
            {
                "fields": [
                    "tools",
                    "tips",
                    "difficulty",
                    "time_min_minutes",
                    "time_max_minutes",
                    "time_source",
                    "interval",
                    "order",
                ]
            },
        ),
        (
            gettext_lazy("Costs"),
            {
                "fields": [
                    "currency",
                    "cost_source",
                    ("part_original_min", "part_original_max"),
                    ("part_analogue_min", "part_analogue_max"),
                    ("labour_min", "labour_max"),
                ]
            },
        ),
    ]


@admin.register(Step)
class StepAdmin(Translated, SimpleHistoryAdmin):
    list_display = ["__str__", "procedure", "source", "warning"]
    list_filter = ["procedure", "source"]
    search_fields = ["title", "text"]
    autocomplete_fields = ["procedure", "warning"]


@admin.register(FaqEntry)
class FaqEntryAdmin(Translated, SimpleHistoryAdmin):
    list_display = ["question", "vehicle_model", "problem", "order"]
    list_filter = ["vehicle_model", "problem"]
    search_fields = ["question", "answer"]
    form = slug_from("question")
    filter_horizontal = ["procedures"]


@admin.register(ProbabilityWord)
class ProbabilityWordAdmin(SimpleHistoryAdmin):
    """The words likelihoods are chosen by; a content lead tunes their values."""

    list_display = ["word", "value"]
    search_fields = ["word"]


# --- the admin index, in the order content is built ---------------------------------------------

BUILD_ORDER = [
    (
        gettext_lazy("1. Vehicle: make, model and generations"),
        ["make", "vehiclemodel", "generation"],
    ),
    (gettext_lazy("2. Problem (starts as a draft)"), ["problem"]),
    (
        gettext_lazy("3. Fault types and their rates per generation"),
        ["faultgroup", "faultrate", "ratelevel"],
    ),
    (gettext_lazy("4. Faults: the possible causes"), ["fault"]),
    (
        gettext_lazy("5. Questions and how often “yes” with each cause"),
        ["symptom", "questiongroup", "likelihood", "probabilityword"],
    ),
    (gettext_lazy("6. Procedures, steps and warnings"), ["procedure", "step", "safetywarning"]),
    (gettext_lazy("7. Frequently asked questions"), ["faqentry"]),
]
_default_app_list = admin.site.get_app_list


def guided_app_list(request, app_label=None):
    """The content models grouped in the order a new problem is built, not alphabetically."""
    apps = _default_app_list(request, app_label)
    kb = next((app for app in apps if app["app_label"] == "kb"), None)
    if kb is None:
        return apps
    by_name = {model["object_name"].lower(): model for model in kb["models"]}
    sections = []
    for title, names in BUILD_ORDER:
        members = [by_name.pop(name) for name in names if name in by_name]
        if members:
            sections.append({**kb, "name": title, "models": members})
    if by_name:
        sections.append({**kb, "name": _("Other content"), "models": list(by_name.values())})
    return sections + [app for app in apps if app["app_label"] != "kb"]


admin.site.get_app_list = guided_app_list


# === search synonyms (kb/search.py) ===
# A block of its own, moved as a whole with the admin; nothing above refers to it.

from .models import SearchSynonym  # noqa: E402


@admin.register(SearchSynonym)
class SearchSynonymAdmin(SimpleHistoryAdmin):
    """Owners' words and the pages' words for them, per language: search expands a query with
    them at once (docs/content.md, "Search synonyms")."""

    list_display = ["words", "means", "language"]
    list_filter = ["language"]
    search_fields = ["words", "means"]
