"""Sending a result to the mechanic: the state's absolute link, its QR code, its print view."""

import segno
from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def share_url(context, outcome) -> str:
    """The absolute link of this state: the URL is the whole state, so it is the share link.
    Built as the canonical step URL (answers in their order, nothing else in the query)."""
    return context["request"].build_absolute_uri(outcome.url_with())


@register.simple_tag
def print_url(outcome) -> str:
    compiled = outcome.compiled
    path = reverse("diagnosis:print", args=[compiled.model_slug, compiled.problem_slug])
    return path + outcome.url_with().removeprefix(compiled.diagnose_url)


@register.simple_tag
def qr_svg(url: str, label: str = "QR code of the link to this result"):
    """The QR code of a URL as inline SVG: no script, no image request, no inline style (the
    CSP allows neither); sized by CSS through its viewBox. Dark on white in both colour
    schemes, with the quiet zone scanners need."""
    # A fixed mask: choosing the best of eight costs about 20 ms more per code in pure Python
    # (any mask is valid; the browser test decodes what Chromium draws).
    code = segno.make(url, error="m", micro=False, mask=0)
    svg = code.svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr-code"
    )
    head, rest = svg.split(">", 1)
    return mark_safe(head + format_html(' role="img" aria-label="{}">', label) + rest)
