"""No-break spaces in Russian content texts, so a phone never ends a line with «в» or starts
one with «В» of «12 В» (issue 22, item 3).

``russian_nbsp(text)`` is pure and idempotent: it replaces an ordinary space (U+0020) by a
no-break space (U+00A0) only

- after a one- or two-letter Russian word («в», «к», «с», «и», «а», «на», «по», «за», «из»,
  «от», «до», «не», «ни», «из-за»…), except the particles that lean on the word before them
  («ли», «же», «бы», «что-то»);
- inside a number's thousands («15 000») and between a number and its unit («12 В»,
  «10 мин», «25 000 ₽», «в 17 раз»);
- before a dash («крышка — это»).

It never changes a character other than a space, never a line break, and leaves markup
(``<…>``), web addresses and e-mail addresses as they are. The content layer applies it where a
Russian text is read for a page: the translated fields' getter (kb/translation.py) and the
rows read with ``values()`` (kb/languages.py). The database keeps the texts as staff typed
them, so the admin's fields, the glossary check and search see no invisible characters.
"""

from __future__ import annotations

import re
from functools import lru_cache

NBSP = "\u00a0"

# Not touched: markup, web and e-mail addresses.
_PROTECTED = re.compile(r"(<[^<>]*>|\b(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+)")

# A one- or two-letter Russian word standing alone (a hyphen may join it: «из-за»), not the
# unit of a number before it («12 В слишком» may break after «В»).
_SHORT_WORD = re.compile(
    r"(?<!\w)(?<!\d[ \u00a0])(?!(?:ли|же|бы|ль|ж|б) )(?!(?<=-)(?:то|ка) )([а-яёА-ЯЁ]{1,2}) ",
    re.IGNORECASE,
)

# A number written in groups of three: «15 000», «1 200 000».
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0]\d{3})+(?![\d])")

_UNITS = (
    r"В|А|мА|А·ч|Ач|Вт|кВт|Ом|мм|см|км|кг|Н·м|Нм|л|%|‰|°C|°С|₽|руб\.|тыс\.|млн"
    r"|мин|минут[аы]?|ч|час(?:а|ов)?|сек|секунд[аы]?|дн(?:я|ей)|день|недел[ьи]|месяц(?:а|ев)?"
    r"|год(?:а)?|лет|раз(?:а)?|шт\."
)
# A space between a number (or a range's end) and its unit.
_UNIT = re.compile(rf"(?<=\d) (?=(?:{_UNITS})(?![\wа-яё]))")

# A space before a dash that stands between words.
_DASH = re.compile(r" (?=[—–](?:\s|$))")


def _typeset(piece: str) -> str:
    piece = _SHORT_WORD.sub(lambda match: match.group(1) + NBSP, piece)
    piece = _THOUSANDS.sub(lambda match: match.group(0).replace(" ", NBSP), piece)
    piece = _UNIT.sub(NBSP, piece)
    return _DASH.sub(NBSP, piece)


def russian_nbsp(text: str) -> str:
    """The text with no-break spaces where a Russian typesetter puts them (module docstring).
    Anything but a non-empty string comes back unchanged."""
    if not isinstance(text, str) or " " not in text:
        return text
    return _typeset_text(text)


@lru_cache(maxsize=4096)
def _typeset_text(text: str) -> str:
    """Pages read the same texts again and again (a page's fields, search snippets): the
    result is kept, 4,096 texts at most (a few MB), since four passes over a long description
    cost a fraction of a millisecond each time."""
    parts = _PROTECTED.split(text)
    # split() with one group: even indexes are plain text, odd ones the protected pieces
    return "".join(part if index % 2 else _typeset(part) for index, part in enumerate(parts))
