"""Form fields for editors who are mechanics: probabilities as words, decimal commas."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EXACT = "exact"
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_number(text: str) -> float:
    """A number as a mechanic types it: "0,8", "0.8", " 35 % ". Raises ValueError."""
    text = text.strip().removesuffix("%").strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(text):
        raise ValueError(text)
    return float(text.replace(",", "."))


def percent(value: float) -> str:
    return f"{value * 100:.4g}"


class CommaFloatField(forms.FloatField):
    """A number that accepts a decimal comma ("0,8" is 0.8, never 8)."""

    widget = forms.TextInput

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = parse_number(value)
            except ValueError:
                raise ValidationError(
                    _("“%(value)s” is not a number: type it like 0.8 or 0,8."),
                    code="invalid",
                    params={"value": value},
                ) from None
        return super().to_python(value)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "size": "8"}


class ProbabilityWidget(forms.MultiWidget):
    template_name = "kb/widgets/probability.html"

    def __init__(self, choices=(), attrs=None):
        super().__init__(
            [
                forms.Select(choices=choices),
                forms.TextInput(attrs={"size": "5", "inputmode": "decimal"}),
            ],
            attrs,
        )

    def value_from_datadict(self, data, files, name):
        if f"{name}_0" not in data and name in data:
            # Posted as one number (a script, a test): a fraction from 0 to 1, as stored.
            try:
                return [EXACT, percent(parse_number(str(data[name])))]
            except ValueError:
                return [EXACT, str(data[name])]
        return super().value_from_datadict(data, files, name)

    def decompress(self, value):
        if value in (None, ""):
            return ["", ""]
        value = float(value)
        for choice, _label in self.widgets[0].choices:
            if choice not in ("", EXACT) and abs(float(choice) - value) < 1e-9:
                return [choice, percent(value)]
        return [EXACT, percent(value)]


class ProbabilityField(forms.MultiValueField):
    """A probability chosen as a word ("usually: 80 %") or typed as an exact percentage.

    The words and their values are staff's to tune (kb.ProbabilityWord); the database keeps the
    number, so a later change of a word's value does not move existing likelihoods.
    """

    def __init__(self, words=(), *, required=True, **kwargs):
        kwargs.pop("max_value", None), kwargs.pop("min_value", None), kwargs.pop("step_size", None)
        choices = [("", _("— choose —"))]
        choices += [(repr(float(w.value)), f"{w.word} ({percent(w.value)} %)") for w in words]
        choices.append((EXACT, _("exact percentage →")))
        fields = [
            forms.ChoiceField(choices=choices, required=False),
            forms.CharField(required=False),
        ]
        super().__init__(
            fields,
            widget=ProbabilityWidget(choices=choices),
            require_all_fields=False,
            required=required,
            **kwargs,
        )

    def compress(self, data_list):
        if not data_list:
            return None
        choice, typed = (list(data_list) + ["", ""])[:2]
        name = f"“{self.label}”" if self.label else _("This probability")
        if choice and choice != EXACT:
            return float(choice)
        if not (typed or "").strip():
            if self.required:
                raise ValidationError(
                    _("%(name)s: choose a word, or “exact percentage” and type it.")
                    % {"name": name},
                    code="required",
                )
            return None
        try:
            value = parse_number(typed)
        except ValueError:
            raise ValidationError(
                _("%(name)s: “%(typed)s” is not a percentage; type it like 35 or 35,5.")
                % {"name": name, "typed": typed},
                code="invalid",
            ) from None
        if not 0 <= value <= 100:
            raise ValidationError(
                _("%(name)s must be between 0 %% and 100 %%, not %(typed)s %%.")
                % {"name": name, "typed": typed},
                code="range",
            )
        return value / 100
