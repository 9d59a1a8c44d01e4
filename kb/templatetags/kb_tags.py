"""Template helpers of the public pages: canonical URL, block reuse, JSON-LD, number formats."""

from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockNode
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from kb.structured_data import to_json

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The absolute URL of this page without its query string."""
    request = context.get("request")
    return request.build_absolute_uri(request.path) if request is not None else ""


@register.simple_tag(takes_context=True)
def reuse(context, name: str) -> str:
    """Render the (most derived) content of block ``name`` again, stripped of extra spaces.

    base.html uses it to repeat the title, description and canonical URL in the Open Graph
    tags, so a child template defines each of them once.
    """
    block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
    block = block_context.get_block(name) if block_context is not None else None
    if block is None:
        return ""
    with context.push():
        node = BlockNode(block.name, block.nodelist)
        node.context = context
        context["block"] = node
        rendered = block.nodelist.render(context)
    return mark_safe(" ".join(rendered.split()))  # the template escaped it already


@register.simple_tag
def json_ld(data) -> str:
    """<script type="application/ld+json"> with <, > and & escaped.

    No CSP nonce: a JSON-LD block is data, never executed, so CSP does not gate it; and a page
    without a nonce can be stored and replayed to every visitor by the shared page cache.
    """
    if not data:
        return ""
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(to_json(data)))


@register.filter
def money(value) -> str:
    """15000 → "15,000"."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def duration_range(low, high) -> str:
    """Minutes as people say them: "10–20 min", "1–2 h", "45 min–1.5 h"."""

    def say(minutes: int, unit: bool) -> str:
        if minutes >= 60 and minutes % 30 == 0:
            hours = minutes / 60
            text = f"{hours:g}"
            return f"{text} h" if unit else text
        return f"{minutes} min" if unit else str(minutes)

    low, high = int(low or 0), int(high or 0)
    if high <= low:
        return say(low, True)
    same_unit = (low >= 60 and low % 30 == 0) == (high >= 60 and high % 30 == 0)
    if same_unit:
        return f"{say(low, False)}–{say(high, True)}"
    return f"{say(low, True)}–{say(high, True)}"


@register.filter
def level_class(level) -> str:
    """The CSS class of a rate level: its slug, so staff can add a level without code."""
    slug = getattr(level, "slug", "") or "none"
    return f"lvl lvl-{slug}"


@register.filter
def sentence(text) -> str:
    """End a heading-like text with a full stop, unless it ends with punctuation already."""
    text = str(text).rstrip()
    return text if not text or text[-1] in ".?!:…" else f"{text}."
