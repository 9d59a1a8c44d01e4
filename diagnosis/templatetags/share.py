"""Sending a result to the mechanic, in the print view: the state's absolute link and its QR code
(the result's share card is diagnosis/step_html.py's share_section)."""

from django import template

from .. import qr

register = template.Library()


@register.simple_tag(takes_context=True)
def share_url(context, outcome) -> str:
    """The absolute link of this state: the URL is the whole state, so it is the share link.
    Built as the canonical step URL (answers in their order, nothing else in the query)."""
    return context["request"].build_absolute_uri(outcome.url_with())


@register.simple_tag
def qr_svg(url: str, label: str = "QR code of the link to this result"):
    """The QR code of a URL as inline SVG (the print view: a printed page loads no image late)."""
    return qr.svg_inline(url, label)
