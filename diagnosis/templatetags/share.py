"""Sending a result to the mechanic: the state's absolute link, its QR code, its print view."""

from django import template
from django.urls import reverse

from .. import qr

register = template.Library()


@register.simple_tag(takes_context=True)
def share_url(context, outcome) -> str:
    """The absolute link of this state: the URL is the whole state, so it is the share link.
    Built as the canonical step URL (answers in their order, nothing else in the query)."""
    return context["request"].build_absolute_uri(outcome.url_with())


def _state_path(outcome, name: str) -> str:
    """The path of one of the wizard's views (print, QR code) with this state's query."""
    compiled = outcome.compiled
    path = reverse(f"diagnosis:{name}", args=[compiled.model_slug, compiled.problem_slug])
    return path + outcome.url_with().removeprefix(compiled.diagnose_url)


@register.simple_tag
def print_url(outcome) -> str:
    return _state_path(outcome, "print")


@register.simple_tag
def qr_image_url(outcome) -> str:
    """The QR code as an image of its own (views.wizard_qr), loaded when the owner scrolls to
    it: drawing it costs more than the rest of a step, and most owners never look at it."""
    return _state_path(outcome, "qr")


@register.simple_tag
def qr_svg(url: str, label: str = "QR code of the link to this result"):
    """The QR code of a URL as inline SVG (the print view: a printed page loads no image late)."""
    return qr.svg_inline(url, label)
