"""Likelihoods edited with their context (kb/likelihood_context.py): on a fault's and a
question's page as rows, and on their own page beside the same question's other values."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kb import likelihood_context
from kb.models import (
    Fault,
    Likelihood,
    ProbabilityWord,
    Symptom,
)
from staff.preview import Edit

from .base import SimpleHistoryAdmin, TabularInline
from .effect import PreviewEffect


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
        """“yes ×3.2, no ×0.45”, marked when a “yes” makes the cause less likely with no note
        saying why."""
        if not (obj and obj.pk and obj.fault_id and obj.symptom_id):
            return "—"
        found = likelihood_context.effect(obj.fault, obj.symptom, obj.p_yes)
        if likelihood_context.worth_a_warning(found, obj.note):
            return format_html(
                '<span class="lk-away">{} — {}</span>',
                likelihood_context.short(found),
                _("a “yes” points away from this cause"),
            )
        if found.points_away:  # meant: the note beside it says why
            return format_html(
                "{} — {}", likelihood_context.short(found), _("a sign against it (see the note)")
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
            note = LikelihoodAdmin.note_of(fault, symptom)
            if likelihood_context.worth_a_warning(edited.effect, note):
                panel["warning"] = LikelihoodAdmin.away_warning(edited.p_yes, symptom)
            elif edited.effect.points_away:
                panel["away_explained"] = _(
                    "A “yes” makes this cause less likely, as its note says: “%(note)s”"
                ) % {"note": note}
        return panel

    @staticmethod
    def note_of(fault, symptom) -> str:
        saved = Likelihood.objects.filter(fault=fault, symptom=symptom).only("note").first()
        return saved.note if saved else ""

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
        before = form.initial.get("p_yes") if change else None
        if likelihood_context.worth_a_warning(
            likelihood_context.effect(obj.fault, obj.symptom, obj.p_yes),
            obj.note,
            before=None
            if before is None
            else likelihood_context.effect(obj.fault, obj.symptom, float(before)),
            note_changed="note" in form.changed_data,
        ):
            messages.warning(request, self.away_warning(obj.p_yes, obj.symptom))

    def edit_of(self, original, form, formsets):
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
