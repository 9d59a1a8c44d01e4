"""Procedures with their steps, safety warnings and the FAQ."""

from django import forms
from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext_lazy

from kb import procedure_history
from kb.models import (
    FaqEntry,
    Procedure,
    SafetyWarning,
    Step,
)

from .base import PublicAddress, SimpleHistoryAdmin, Translated, TranslatedStackedInline, slug_from


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
    object_history_template = "admin/kb/object_history_with_steps.html"
    object_history_form_template = "admin/kb/object_history_form_with_steps.html"

    def history_view(self, request, object_id, extra_context=None):
        """The steps' changes (kept in their own history) beside the procedure's own."""
        context = {
            "step_changes": procedure_history.step_changes(object_id)
            if str(object_id).isdigit()
            else []
        }
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """The revert page says which steps come back with the version."""
        version = Procedure.history.filter(id=object_id, history_id=version_id).first()
        context = {"version_steps": procedure_history.steps_of_version(version) if version else []}
        return super().history_form_view(
            request, object_id, version_id, {**context, **(extra_context or {})}
        )

    def revert_parts(self, request, obj, version, reason):
        procedure_history.restore_steps(obj, version, reason, request.user)

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
        Step.objects.filter(pk__in=[s.pk for s in steps if s.pk]).update(
            number=F("number") + procedure_history.OUT_OF_THE_WAY
        )
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
