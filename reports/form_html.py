"""The "Did this fix it?" form as HTML built in Python (issue 23, item 3).

Every never-seen wizard result shows the form, and rendering it through the template engine
cost about 0.45 ms of CPU per result (about 40 lookups, a dozen ``{% translate %}`` and a
``{% blocktranslate trimmed %}`` re-trimmed on every render): a sixth of a result step. Here
the words are translated and escaped once per language (kb.numbers.per_language) and each
value is escaped as ``{{ }}`` escapes it. The report page, its htmx answers and the wizard's
result all show this one markup (``reports/report.html#form``).
"""

from __future__ import annotations

from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from kb.markup import escape
from kb.numbers import per_language

from .service import FormView, form_view

WORDS = {
    "heading": gettext_noop("Did this fix it?"),
    "lead": gettext_noop(
        "Once it is repaired, tell us which cause it was: causes that many repairs confirm "
        "rank higher for the next owner. No account needed; we keep no address and set no "
        "cookie."
    ),
    "choose": gettext_noop("Choose the generation"),
    "turned out": gettext_noop("It turned out to be"),
    "other": gettext_noop("If something else: what was it?"),
    "up to 500": gettext_noop("(up to 500 characters)"),
    "year": gettext_noop("Model year"),
    "optional": gettext_noop("(optional)"),
    "mileage": gettext_noop("Mileage in km"),
    "trap": gettext_noop("Leave this field empty"),
    "send": gettext_noop("Send the report"),
}


@per_language
def words() -> dict[str, str]:
    """WORDS in the active language, escaped (the lead is a ``blocktranslate`` without values,
    which its escaping leaves as it is: it holds no markup characters)."""
    return {key: escape(gettext(msgid)) for key, msgid in WORDS.items()}


def _error(errors: dict, field: str, element_id: str) -> tuple[str, str]:
    """A field's error paragraph and the attributes that tie the field to it, or nothing."""
    message = errors.get(field)
    if not message:
        return "", ""
    return (
        f'<p class="field-error" id="{element_id}">{escape(message)}</p>\n',
        f' aria-invalid="true" aria-describedby="{element_id}"',
    )


def form_html(report: FormView, model_name: str) -> SafeString:
    """The form: the causes to choose from (best first), "something else" with its text, the
    model year and mileage, each field's error where the last try had one."""
    said = words()
    prefix, errors, values = escape(report.prefix), report.errors, report.values
    action = escape(report.action)
    parts = [
        f'<link rel="stylesheet" href="{escape(static("css/report.css"))}">\n'
        '<section class="card report" id="report" aria-labelledby="report-heading">\n'
        f'<h2 id="report-heading">{said["heading"]}</h2>\n'
        f'<p class="hint">{said["lead"]}</p>\n'
    ]
    if report.form_errors:
        items = "".join(f"<li>{escape(error)}</li>" for error in report.form_errors)
        parts.append(f'<div class="alert" role="alert"><ul>{items}</ul></div>\n')
    parts.append(
        f'<form class="report-form" method="post" action="{action}" data-hx-post="{action}" '
        'data-hx-target="#report" data-hx-swap="outerHTML">\n'
        f'<input type="hidden" name="{escape(report.token_field)}" '
        f'value="{escape(report.token)}">\n'
        f'<input type="hidden" name="answers" value="{escape(report.answers)}">\n'
    )
    if report.generation:
        parts.append(
            f'<input type="hidden" name="generation" value="{escape(report.generation)}">\n'
        )
    else:
        shown, invalid = _error(errors, "generation", f"{prefix}-generation-error")
        which = gettext("Which %(model)s?") % {"model": escape(model_name)}
        chosen = values.get("generation")
        options = "".join(
            f'<option value="{escape(code)}"{" selected" if chosen == code else ""}>'
            f"{escape(label)}</option>"
            for code, label in report.generations
        )
        parts.append(
            f'<label for="{prefix}-generation">{which}</label>\n'
            f'<select id="{prefix}-generation" name="generation" required{invalid}>\n'
            f'<option value="">{said["choose"]}</option>\n{options}\n</select>\n{shown}'
        )
    shown, _ = _error(errors, "fault", f"{prefix}-fault-error")
    described = f' aria-describedby="{prefix}-fault-error"' if shown else ""
    parts.append(
        f'<fieldset class="report-causes"{described}>\n'
        f"<legend>{said['turned out']}</legend>\n{shown}"
    )
    chosen = values.get("fault")
    parts += (
        f'<label class="report-choice"><input type="radio" name="fault" value="{escape(value)}"'
        f" required{' checked' if chosen == value else ''}> {escape(label)}</label>\n"
        for value, label in report.choices
    )
    shown, invalid = _error(errors, "other_text", f"{prefix}-other-error")
    parts.append(
        f'</fieldset>\n<label for="{prefix}-other">{said["other"]} '
        f'<span class="muted">{said["up to 500"]}</span></label>\n{shown}'
        f'<textarea id="{prefix}-other" name="other_text" maxlength="500" rows="3"{invalid}>'
        f"{escape(values.get('other_text', ''))}</textarea>\n"
        '<div class="report-pair">\n'
    )
    for field, name, pattern, length, label in (
        ("model_year", "year", "[0-9]{4}", 4, "year"),
        ("mileage", "mileage", "[0-9]{1,7}", 7, "mileage"),
    ):
        shown, invalid = _error(errors, field, f"{prefix}-{name}-error")
        parts.append(
            f'<div><label for="{prefix}-{name}">{said[label]} '
            f'<span class="muted">{said["optional"]}</span></label>\n{shown}'
            f'<input id="{prefix}-{name}" name="{field}" type="text" inputmode="numeric" '
            f'pattern="{pattern}" maxlength="{length}" autocomplete="off" '
            f'value="{escape(values.get(field) or "")}"{invalid}></div>\n'
        )
    parts.append(
        '</div>\n<div class="report-trap" aria-hidden="true">'
        f'<label for="{prefix}-website">{said["trap"]}</label><input id="{prefix}-website" '
        'name="website" type="text" tabindex="-1" autocomplete="off"></div>\n'
        f'<p><button class="button" type="submit">{said["send"]}</button></p>\n'
        "</form>\n</section>\n"
    )
    return mark_safe("".join(parts))


def result_form_html(compiled, outcome) -> SafeString:
    """The form on a wizard result, as ``{% report_form compiled outcome=outcome %}`` writes
    it: nothing for a draft (diagnosis/result_form.py shows it)."""
    if not compiled.is_public:
        return mark_safe("")
    # the line break that report.html#form writes after its comment
    return mark_safe("\n" + form_html(form_view(compiled, outcome=outcome), compiled.model_name))
