"""The wizard page's words built in Python (diagnosis/step_html.py), for wizard.html. The
step's parts are joined into ``wizard.html#step`` by step_html.step, not by the template."""

from django import template

from .. import step_html

register = template.Library()

register.filter("page_description", step_html.page_description)
