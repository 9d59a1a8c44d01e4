"""How the history pages show a stored value: a probability in words and %, as the forms do."""

from django import template

from kb.models import PROBABILITIES, ProbabilityWord

register = template.Library()


@register.filter
def history_value(value, field: str):
    """0.95 in a probability field reads “almost always (95 %)”; anything else as it is."""
    if field in PROBABILITIES and value not in (None, ""):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return value
        if 0.0 <= number <= 1.0:
            return ProbabilityWord.describe(number)
    return value
