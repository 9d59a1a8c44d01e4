"""Template helpers of the public pages: canonical URL, language alternates and switch, block
reuse, JSON-LD, number formats."""

from django import template
from django.conf import settings
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockNode
from django.utils import translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from kb import numbers
from kb.numbers import per_language
from kb.structured_data import to_json

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context, query: str = "") -> str:
    """The absolute URL of this page without its query string, or with ``query`` only (a
    page of a list: ``page=2``)."""
    request = context.get("request")
    if request is None:
        return ""
    return request.build_absolute_uri(f"{request.path}?{query}" if query else request.path)


def language_paths(path: str) -> dict[str, str]:
    """The same page in every language: English unprefixed, the others under /<code>/
    (``i18n_patterns(prefix_default_language=False)`` in config/urls.py)."""
    current = translation.get_language_from_path(path)
    base = (path[len(current) + 1 :] or "/") if current else path
    return {
        code: base if code == settings.LANGUAGE_CODE else f"/{code}{base}"
        for code, _name in settings.LANGUAGES
    }


@register.simple_tag(takes_context=True)
def alternate_links(context, query: str = "") -> str:
    """``<link rel="alternate" hreflang>`` for each language and x-default (English), absolute
    and without the query string, like the canonical URL; a page of a list, whose canonical URL
    keeps its ``page=N``, passes it as ``query``."""
    request = context.get("request")
    if request is None:
        return ""
    paths = {
        code: f"{path}?{query}" if query else path
        for code, path in language_paths(request.path).items()
    }
    links = [(code, request.build_absolute_uri(path)) for code, path in paths.items()]
    links.append(("x-default", request.build_absolute_uri(paths[settings.LANGUAGE_CODE])))
    return format_html_join(
        "\n", '<link rel="alternate" hreflang="{}" href="{}">', ((c, u) for c, u in links)
    )


@register.simple_tag(takes_context=True)
def language_switch(context, oob: bool = False) -> str:
    """Links to this page in the other languages, with the same query string (a wizard step
    keeps its answers); plain links, so it works without JavaScript. ``oob``: marked for an
    htmx out-of-band swap, so a swapped wizard step updates the links in the header."""
    request = context.get("request")
    if request is None:
        return ""
    return language_switch_html(request, oob)


def language_switch_html(request, oob: bool = False) -> str:
    """The language switch of this request's page (``{% language_switch %}``): its markup is
    the same for every query string of a path, so only the query is escaped per request."""
    query = request.META.get("QUERY_STRING", "")
    start, links, end = _switch_parts(request.path, oob)
    tail = f"?{escape(query)}" if query else ""
    return mark_safe(start + " ".join(href + tail + rest for href, rest in links) + end)


@per_language
def _switch_parts(path: str, oob: bool) -> tuple[str, tuple[tuple[str, str], ...], str]:
    """The switch's opening, each link before and after its query string, and its end."""
    current = translation.get_language()
    names = dict(settings.LANGUAGES)
    start = format_html(
        '<nav class="lang-switch" id="lang-switch" aria-label="{}"{}>',
        gettext("Language"),
        mark_safe(' data-hx-swap-oob="true"') if oob else "",
    )
    links = tuple(
        (
            format_html('<a class="button button-secondary" href="{}', path),
            format_html('" hreflang="{}" lang="{}">{}</a>', code, code, names[code]),
        )
        for code, path in language_paths(path).items()
        if code != current
    )
    return start, links, "</nav>"


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
    return reused(rendered)


def reused(rendered: str) -> str:
    """A block's HTML as ``{% reuse %}`` repeats it: stripped of extra spaces."""
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
    """15000 → "15,000" in English, «15 000» (a no-break space) in Russian (kb/numbers.py)."""
    return numbers.grouped(value)


@register.filter
def currency(code) -> str:
    return numbers.currency_name(code)


@register.simple_tag
def money_range(cost, code) -> str:
    """A cost's range with its currency, as every page and the API say it (kb/numbers.py)."""
    return numbers.money_range(cost.low, cost.high, code)


@register.simple_tag
def price(amount, code) -> str:
    """One amount with its currency, rounded to the ruble: «4 500 ₽», "4,500 RUB"
    (kb/numbers.py; a no-break space before the currency)."""
    whole = round(float(amount or 0))
    return numbers.money_range(whole, whole, code)


@register.simple_tag
def duration_range(low, high) -> str:
    return numbers.duration_range(low, high)


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


@register.filter
def about_minutes(value) -> int:
    """A computed time (the plan's) rounded as people say it (kb.numbers.rounded_minutes)."""
    return numbers.rounded_minutes(value)
