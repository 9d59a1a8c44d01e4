"""The wizard step's parts built in Python (diagnosis/step_html.py), for wizard.html."""

from django import template

from .. import step_html

register = template.Library()

register.filter("question_body", step_html.question_body)
register.filter("cause_items", step_html.cause_items)
register.filter("answered_items", step_html.answered_items)
register.filter("plan_section", step_html.plan_section)
register.filter("fix_sections", step_html.fix_sections)
register.filter("answer_count", step_html.answer_count)
register.filter("unshown_causes", step_html.unshown_causes)


@register.simple_tag(takes_context=True)
def share_section(context, outcome):
    return step_html.share_section(context["request"], outcome)


register.filter("page_title", step_html.page_title)
register.filter("page_description", step_html.page_description)
