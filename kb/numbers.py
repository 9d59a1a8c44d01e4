"""Money, ranges and times as owners read them, the same on every page, in the wizard, the
print view and the API (issue 22, item 3).

English: "15,000–25,000 RUB", "10 min–4 h". Russian: «15 000–25 000 ₽», «10 мин–4 ч».
Between a number and its unit, and inside a number's thousands, the space is a no-break space
(U+00A0): a phone never breaks «5 000» or «12 В» across two lines. A range's dash is an en dash
without spaces, and the unit is said once when both ends share it.
"""

from __future__ import annotations

from functools import lru_cache, wraps

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import formats, translation
from django.utils.translation import pgettext

NBSP = "\u00a0"
# Distinct arguments kept per formatter, all languages together: a problem's figures (its
# procedures' times and costs, whole percentages) number a few hundred.
PER_LANGUAGE_ENTRIES = 4096
_per_language_caches = []


def per_language(function):
    """``function`` remembered per active language and arguments: a figure is written the same
    way every time in one language, and writing it costs several catalog and format lookups
    (gettext reads the active language from a context-local on each). A never-seen wizard step
    or API state writes 20–60 of them, mostly the same few (issue 23, item 3). The catalogs
    and formats of a process change only with a release (web/release.py), or with the
    settings in a test: every cache is emptied then (``_settings_changed``). Arguments that
    cannot be hashed are written without the cache."""
    cached = lru_cache(maxsize=PER_LANGUAGE_ENTRIES)(
        lambda language, args, kwargs: function(*args, **dict(kwargs))
    )
    _per_language_caches.append(cached)

    @wraps(function)
    def remembered(*args, **kwargs):
        try:
            return cached(translation.get_language(), args, tuple(kwargs.items()))
        except TypeError:  # an unhashable argument
            return function(*args, **kwargs)

    remembered.cache_clear = cached.cache_clear
    return remembered


@receiver(setting_changed)
def _settings_changed(**kwargs):
    for cached in _per_language_caches:
        cached.cache_clear()


@per_language
def grouped(value) -> str:
    """15000 → "15,000" in English, «15 000» (a no-break space) in Russian; "" if not a number."""
    try:
        text = f"{int(value):,}"
    except (TypeError, ValueError):
        return ""
    separator = formats.get_format("THOUSAND_SEPARATOR")
    return text.replace(",", NBSP if separator.isspace() else separator)


@per_language
def currency_name(code) -> str:
    """A currency code as owners write it: "RUB" in English, «₽» in Russian (never «руб.»)."""
    names = {"RUB": pgettext("currency", "RUB")}
    return names.get(str(code), str(code))


@per_language
def money_range(low, high, code) -> str:
    """A price or a range of prices with its currency: "15,000–25,000 RUB"."""
    amount = grouped(low)
    if high not in (None, "") and int(high) != int(low):
        amount = f"{amount}–{grouped(high)}"
    return f"{amount}{NBSP}{currency_name(code)}"


def _is_hours(minutes: int) -> bool:
    return minutes >= 60 and minutes % 30 == 0


def rounded_minutes(value) -> int:
    """A computed time (the plan's) rounded as people say it: to 5 minutes under an hour, to
    half an hour above (125 → 120, which `duration_range` writes «2 ч»), never down to 0."""
    minutes = float(value or 0)
    step = 30 if minutes >= 60 else 5
    return max(step if minutes > 0 else 0, int(round(minutes / step)) * step)


@per_language
def duration_range(low, high) -> str:
    """Minutes as people say them: "10–20 min", "1–2 h", "45 min–1.5 h" (in Russian
    «10–20 мин», «1–2 ч», «45 мин–1,5 ч»)."""
    decimal = formats.get_format("DECIMAL_SEPARATOR")
    hour, minute = pgettext("unit", "h"), pgettext("unit", "min")

    def say(minutes: int, unit: bool) -> str:
        if _is_hours(minutes):
            text = f"{minutes / 60:g}".replace(".", decimal)
            return f"{text}{NBSP}{hour}" if unit else text
        return f"{minutes}{NBSP}{minute}" if unit else str(minutes)

    low, high = int(low or 0), int(high or 0)
    if high <= low:
        return say(low, True)
    if _is_hours(low) == _is_hours(high):
        return f"{say(low, False)}–{say(high, True)}"
    return f"{say(low, True)}–{say(high, True)}"


def share(probability: float) -> str:
    """A probability as owners read it: "80%", «80 %»; "<1%" under half a percent (the cause
    list, the plan and the API's texts alike)."""
    return percent(*share_percent(probability))


def share_percent(probability: float) -> tuple[int, bool]:
    """The ``percent`` arguments ``share`` writes a probability with: (the whole percentage,
    whether it means "less than")."""
    if probability < 0.005:
        return 1, True
    return round(probability * 100), False


@per_language
def percent(value: int, below: bool = False) -> str:
    """A whole percentage as the language writes it: "80%" in English, «80 %» (a no-break
    space) in Russian; `below` for "less than": "<1%", «<1 %»."""
    shown = f"<{value}" if below else str(value)
    return pgettext("percent", "{n}%").replace("{n}", shown)
