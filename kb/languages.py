"""Content texts in the active language where rows are read with ``values()``.

Model instances give the active language's text by themselves (kb/translation.py); a
``values()`` row across relations (``faults__name``) does not, so queries that build rows
ask for every language's column (``columns``) and read the one to show (``text``): the active
language's, or English where that one is empty, as on the pages.
"""

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname, get_language

DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
LANGUAGES = tuple(code for code, _ in settings.LANGUAGES)


def columns(*paths: str) -> list[str]:
    """Each translated path's column in every language: "faults__name" -> "faults__name_en",
    "faults__name_ru"."""
    return [build_localized_fieldname(path, language) for path in paths for language in LANGUAGES]


def text(row: dict, path: str) -> str | None:
    """The text of `path` in the active language, or in English where it has none."""
    value = row.get(build_localized_fieldname(path, get_language()))
    if value in (None, ""):
        value = row.get(build_localized_fieldname(path, DEFAULT_LANGUAGE))
    return value


def short_text(row: dict, short: str, full: str) -> str | None:
    """A short form of a text (a fault's short name) where the content gives one, else the full
    text: the active language's short form, else its full text, and English only where the
    active language has neither (a Russian page shows the Russian name, not an English short
    name)."""
    language = get_language()
    for path in (short, full):
        value = row.get(build_localized_fieldname(path, language))
        if value not in (None, ""):
            return value
    return text(row, short) or text(row, full)


def active() -> str:
    """The active language's code among LANGUAGES (English when none is active)."""
    return get_language()
