"""schema.org JSON-LD for the public pages: FAQPage, HowTo, BreadcrumbList, WebSite.

Builders return plain dicts; the ``json_ld`` template tag (kb/templatetags/kb_tags.py) writes
them into ``<script type="application/ld+json">`` with ``<``, ``>`` and ``&`` escaped, so no
content can close the script element. Texts are in the active language, which each page and
``WebSite`` names in ``inLanguage`` ("en" or "ru").
"""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

CONTEXT = "https://schema.org"

# The escapes of django.utils.html.json_script: "</script>" cannot appear in the output.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def to_json(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)


def in_language() -> str:
    """The BCP 47 code of the active language: "en", "ru"."""
    return get_language() or "en"


def iso_duration(minutes: int) -> str:
    """ISO 8601 duration: 90 → "PT1H30M", 45 → "PT45M", 0 → "PT0M"."""
    hours, rest = divmod(int(minutes), 60)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if rest or not hours:
        text += f"{rest}M"
    return text


def faq_page(entries, url: str) -> dict:
    return {
        "@context": CONTEXT,
        "@type": "FAQPage",
        "url": url,
        "inLanguage": in_language(),
        "mainEntity": [
            {
                "@type": "Question",
                "name": entry.question,
                "acceptedAnswer": {"@type": "Answer", "text": entry.answer},
            }
            for entry in entries
        ],
    }


def estimated_cost(procedure) -> dict | None:
    """From doing it yourself with the cheapest part to a workshop with the dearest part.

    Labour counts only in the maximum: the owner who does the job pays for the part alone.
    None when the procedure has no costs.
    """
    costs = procedure.costs
    if not costs:
        return None
    parts = [cost for cost in costs if cost.is_part]
    labour = next((cost for cost in costs if not cost.is_part), None)
    low = min((part.low for part in parts), default=labour.low if labour else 0)
    high = max((part.high for part in parts), default=0) + (labour.high if labour else 0)
    return {
        "@type": "MonetaryAmount",
        "currency": procedure.currency,
        "minValue": low,
        "maxValue": high,
    }


def how_to(procedure, steps, url: str) -> dict:
    data = {
        "@context": CONTEXT,
        "@type": "HowTo",
        "name": procedure.title,
        "description": procedure.summary,
        "url": url,
        "inLanguage": in_language(),
        "totalTime": iso_duration(procedure.time_max_minutes),
        "tool": [{"@type": "HowToTool", "name": tool} for tool in procedure.tool_list()],
        "step": [
            {
                "@type": "HowToStep",
                "position": step.number,
                "name": step.title,
                "text": step.text
                + (
                    " "
                    + _("Warning: %(title)s. %(text)s")
                    % {"title": step.warning.title, "text": step.warning.text}
                    if step.warning
                    else ""
                ),
                "url": f"{url}#step-{step.number}",
            }
            for step in steps
        ],
    }
    cost = estimated_cost(procedure)
    if cost is not None:
        data["estimatedCost"] = cost
    return data


def breadcrumbs(request, crumbs: list[tuple[str, str]]) -> dict:
    """BreadcrumbList of (name, path) pairs, the paths made absolute."""
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": request.build_absolute_uri(path),
            }
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def website(request, name: str) -> dict:
    home = request.build_absolute_uri(reverse("kb:home"))
    search = request.build_absolute_uri(reverse("kb:search"))
    return {
        "@context": CONTEXT,
        "@type": "WebSite",
        "name": name,
        "url": home,
        "inLanguage": in_language(),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }
