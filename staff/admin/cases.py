"""The shop's own test cases in the admin: the owner's facts as one answer per question, and
each case's outcome on the list, played through the wizard as the content check plays it."""

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from diagnosis import content
from diagnosis.models import ScenarioCase
from diagnosis.query import ANSWER_WORDS
from diagnosis.validation import play_case
from kb.models import Problem

from .base import SimpleHistoryAdmin

FACT = "fact:"  # the prefix of each question's field on the form
FACT_CHOICES = [("", ANSWER_WORDS["u"]), ("y", ANSWER_WORDS["y"]), ("n", ANSWER_WORDS["n"])]


class ScenarioCaseForm(forms.ModelForm):
    """Without a problem yet (a new case): the facts as JSON. With one: see `form_for`."""

    class Meta:
        model = ScenarioCase
        fields = [
            "problem",
            "generation",
            "name",
            "slug",
            "is_active",
            "facts",
            "first",
            "top3",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            if name.startswith(FACT):
                self.initial.setdefault(name, self.instance.facts.get(name.removeprefix(FACT), ""))

    def _post_clean(self):
        facts = {
            name.removeprefix(FACT): value
            for name, value in self.cleaned_data.items()
            if name.startswith(FACT) and value
        }
        if any(name.startswith(FACT) for name in self.fields):
            self.instance.facts = facts
        super()._post_clean()

    def _update_errors(self, errors):
        # The facts are one field per question here: the model's errors on them go on top.
        if "facts" not in self.fields and "facts" in getattr(errors, "error_dict", {}):
            moved = errors.error_dict.pop("facts")
            errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(moved)
        super()._update_errors(errors)


def form_for(problem: Problem | None) -> type[ScenarioCaseForm]:
    """The form for one problem's cases: a select (yes / no / don't know) per question, in
    the wizard's words, and the causes to choose from by name."""
    if problem is None:
        return ScenarioCaseForm
    fields: dict[str, forms.Field] = {}
    for symptom in problem.symptoms.select_related("group").order_by("group", "order", "slug"):
        label = symptom.question
        if symptom.group is not None:
            label = f"{symptom.group.question} — {symptom.option_label or symptom.statement}"
        fields[FACT + symptom.slug] = forms.ChoiceField(
            choices=FACT_CHOICES, required=False, label=label, help_text=symptom.slug
        )
    faults = [(fault.slug, fault.name) for fault in problem.faults.order_by("name")]
    fields["first"] = forms.ChoiceField(
        choices=[("", "—"), *faults],
        required=False,
        label=ScenarioCase._meta.get_field("first").verbose_name.capitalize(),
    )
    fields["top3"] = forms.MultipleChoiceField(
        choices=faults,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=ScenarioCase._meta.get_field("top3").verbose_name.capitalize(),
        help_text=ScenarioCase._meta.get_field("top3").help_text,
    )
    return type("ScenarioCaseForm", (ScenarioCaseForm,), fields)


@admin.register(ScenarioCase)
class ScenarioCaseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "problem", "generation", "first", "is_active", "outcome"]
    list_filter = ["problem", "generation", "is_active"]
    search_fields = ["name", "slug", "first", "note"]
    list_select_related = ["problem__vehicle_model", "generation"]

    def problem_of_form(self, request, obj) -> Problem | None:
        if obj is not None:
            return obj.problem
        chosen = request.POST.get("problem") or request.GET.get("problem")
        return Problem.objects.filter(pk=chosen).first() if str(chosen).isdigit() else None

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = form_for(self.problem_of_form(request, obj))
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        form = form_for(self.problem_of_form(request, obj))
        facts = [name for name in form.base_fields if name.startswith(FACT)] or ["facts"]
        return [
            (None, {"fields": ["problem", "generation", "name", "slug", "is_active"]}),
            (
                _("What the owner knows"),
                {
                    "fields": facts,
                    "description": _(
                        "The owner answers each question as set here; “Don't know” is what an "
                        "owner who cannot tell, or did not check, would answer."
                    )
                    if facts != ["facts"]
                    else _(
                        "Choose the problem and save: each of its questions then gets its own "
                        'answer here. Until then, the facts as {"symptom-slug": "y" or '
                        '"n"}.'
                    ),
                },
            ),
            (_("What must come out"), {"fields": ["first", "top3"]}),
            (None, {"fields": ["note"]}),
        ]

    @admin.display(description=gettext_lazy("outcome"))
    def outcome(self, case: ScenarioCase) -> str:
        problem = case.problem
        compiled = content.compiled_problem(problem.vehicle_model.slug, problem.slug)
        if compiled is None or compiled.not_ready:
            return _("cannot play: the wizard cannot use this problem yet")
        verdict = play_case(compiled, case)
        if verdict is None:
            return _("cannot play: the problem has no such generation")
        winner = verdict.played.outcome.causes[0]
        count = verdict.played.questions
        questions = ngettext("%(count)s question", "%(count)s questions", count) % {"count": count}
        if not verdict.passes:
            return _("fails: “%(winner)s” came first (%(questions)s)") % {
                "winner": winner.fault.name,
                "questions": questions,
            }
        if verdict.first_ranks_first is False:
            return _("passes the top three, but “%(winner)s” came first (%(questions)s)") % {
                "winner": winner.fault.name,
                "questions": questions,
            }
        return _("passes (%(questions)s)") % {"questions": questions}
