"""{% report_form %}: the "Did this fix it?" form on a wizard result or a repair card."""

from django import template

from diagnosis import content

from ..form_html import form_html
from ..service import form_view

register = template.Library()
register.filter("form_html", form_html)


@register.inclusion_tag("reports/report.html#form")
def report_form(compiled_or_model, problem_slug="", outcome=None, fault=""):
    """On a result: ``{% report_form compiled outcome=outcome %}``; on a fault page:
    ``{% report_form model.slug problem.slug fault=fault.slug %}``. Nothing for a draft."""
    compiled = (
        compiled_or_model
        if isinstance(compiled_or_model, content.CompiledProblem)
        else content.compiled_problem(compiled_or_model, problem_slug)
    )
    if compiled is None or not compiled.is_public:
        return {"report": None}
    return {"compiled": compiled, "report": form_view(compiled, outcome=outcome, fault=fault)}
