"""How a wizard result shows the reports app's form without the diagnosis importing it.

A result ends with the "Did this fix it?" form of the feedback layer (reports): its markup is
that app's (reports/form_html.py). The step rendered it through the app's template tag, a
template render of its own on every never-seen result (about 40 µs, twice the form's own
building). So the diagnosis owns this registry, as it owns the priors' (priors.py), and the
reports app fills it in its ``AppConfig.ready()``. Unregistered (the reports app not
installed), a result shows no form.
"""

from __future__ import annotations

from collections.abc import Callable

# (compiled problem, outcome) -> the form's HTML, escaped: "" where no report is taken
Form = Callable[[object, object], str]

_form: list[Form] = []


def register(form: Form) -> None:
    """Make ``form`` the one a result shows (replacing any other)."""
    _form[:] = [form]


def html(compiled, outcome) -> str:
    """The form of this result: the registered one's, else nothing."""
    return _form[0](compiled, outcome) if _form else ""
