"""The "Did this fix it?" form, and the admin's form for workshop reports."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from diagnosis import content
from diagnosis.query import encode_answers, parse

from .models import ANSWERS_MAX, MILEAGE_MAX, OTHER_TEXT_MAX, YEAR_MAX, YEAR_MIN, WorkshopReport

OTHER = "other"
HONEYPOT = "website"  # hidden from people; a bot that fills every field fills it too


class FixReportForm(forms.Form):
    fault = forms.ChoiceField(
        error_messages={
            "required": gettext_lazy("Choose the cause it turned out to be, or “Something else”.")
        }
    )
    other_text = forms.CharField(max_length=OTHER_TEXT_MAX, required=False, strip=True)
    model_year = forms.IntegerField(
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        error_messages={"invalid": gettext_lazy("Give the model year as four digits, e.g. 2016.")},
    )
    mileage = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MILEAGE_MAX,
        error_messages={"invalid": gettext_lazy("Give the mileage in kilometres, digits only.")},
    )
    generation = forms.ChoiceField()
    answers = forms.CharField(max_length=ANSWERS_MAX, required=False)
    website = forms.CharField(required=False)

    def __init__(self, compiled: content.CompiledProblem, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compiled = compiled
        self.fields["fault"].choices = [
            *((slug, fault.short_name) for slug, fault in compiled.faults.items()),
            (OTHER, _("Something else")),
        ]
        self.fields["generation"].choices = [
            (g.code, f"{g.name} ({g.years})") for g in compiled.generations
        ]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT, ""))

    def clean(self):
        data = super().clean()
        if data.get("fault") == OTHER and not data.get("other_text"):
            self.add_error("other_text", _("Say in a few words what it was."))
        code = data.get("generation")
        if code:
            query = parse(self.compiled, {"generation": code, "answers": data.get("answers", "")})
            if query.errors:
                # Only a changed page gets here: the wizard writes valid answers.
                raise ValidationError(
                    _("The answers could not be read: %(problem)s")
                    % {"problem": query.errors[0].message}
                )
            data["generation_info"] = query.generation
            data["answer_map"] = query.answers
            data["answers"] = encode_answers(query.answers)
            year = data.get("model_year")
            if year and not query.generation.covers(year):
                self.add_error(
                    "model_year",
                    _(
                        "%(year)s is not a year of the %(name)s (%(years)s): "
                        "check the year or the generation."
                    )
                    % {
                        "year": year,
                        "name": query.generation.name,
                        "years": query.generation.years,
                    },
                )
        return data


class WorkshopReportForm(forms.ModelForm):
    """Answers, when given, must read as the wizard writes them for the fault's problem."""

    class Meta:
        model = WorkshopReport
        fields = ["generation", "fault", "model_year", "mileage", "answers", "workshop", "note"]

    def clean(self):
        data = super().clean()
        fault, generation = data.get("fault"), data.get("generation")
        if fault is None or generation is None:
            return data
        problem = fault.problem
        if generation.vehicle_model_id != problem.vehicle_model_id:
            return data  # the model's clean() names it
        compiled = content.build(problem.vehicle_model.slug, problem.slug)
        query = parse(compiled, {"generation": generation.code, "answers": data.get("answers", "")})
        if query.errors:
            self.add_error("answers", " ".join(error.message for error in query.errors))
        else:
            data["answers"] = encode_answers(query.answers)
        year = data.get("model_year")
        if year and query.generation and not query.generation.covers(year):
            self.add_error(
                "model_year",
                _("%(year)s is not a year of the %(name)s.")
                % {"year": year, "name": generation.name},
            )
        return data
