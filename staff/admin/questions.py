"""Questions (symptoms), exclusive question groups and the probability words."""

from django.contrib import admin

from diagnosis.content import SymptomInfo
from kb.models import (
    ProbabilityWord,
    QuestionGroup,
    Symptom,
)
from staff.preview import Edit

from .base import SimpleHistoryAdmin, Translated, TranslatedTabularInline, slug_from
from .effect import PreviewEffect
from .likelihoods import SymptomLikelihoodInline, WithLikelihoodHistory


@admin.register(Symptom)
class SymptomAdmin(Translated, PreviewEffect, WithLikelihoodHistory, SimpleHistoryAdmin):
    likelihood_owner = "symptom"

    def edit_of(self, original, form, formsets):
        """The question's values; a new question (no `original`) is added to the problem as
        the form would save it, so the preview plays the test cases with it in place."""
        symptom = original or form.instance
        edit = Edit(
            p_otherwise={symptom.slug: form.cleaned_data["p_yes_otherwise"]},
            likelihoods=self.likelihood_edits(
                formsets, lambda row: (row["fault"].slug, symptom.slug)
            ),
        )
        if original is None:
            edit.new_symptoms[symptom.slug] = SymptomInfo(
                symptom.slug,
                symptom.question,
                symptom.help_text,
                symptom.statement,
                symptom.effort,
                symptom.group.slug if symptom.group_id else "",
                symptom.option_label,
            )
        return edit

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


@admin.register(ProbabilityWord)
class ProbabilityWordAdmin(Translated, SimpleHistoryAdmin):
    """The words likelihoods are chosen by; a content lead tunes their values."""

    list_display = ["word", "value"]
    search_fields = ["word"]
