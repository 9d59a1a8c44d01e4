"""Content texts in the active language where rows are read with ``values()``.

Model instances give the active language's text by themselves (kb/translation.py); a
``values()`` row across relations (``faults__name``) does not, so queries that build rows
ask for every language's column (``columns``) and read the one to show (``text``): the active
language's, or English where that one is empty, as on the pages.

Both ways give a Russian text with its no-break spaces (kb/typography.py): ``text`` here, and
the translated fields' getter (``TypesetDescriptor``, installed by kb/translation.py). The
columns keep the text as staff typed it.
"""

from django.conf import settings
from modeltranslation.fields import TranslationFieldDescriptor
from modeltranslation.utils import build_localized_fieldname, get_language

from .typography import russian_nbsp

DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
LANGUAGES = tuple(code for code, _ in settings.LANGUAGES)


def columns(*paths: str) -> list[str]:
    """Each translated path's column in every language: "faults__name" -> "faults__name_en",
    "faults__name_ru"."""
    return [build_localized_fieldname(path, language) for path in paths for language in LANGUAGES]


def text(row: dict, path: str) -> str | None:
    """The text of `path` in the active language, or in English where it has none."""
    language = get_language()
    value = row.get(build_localized_fieldname(path, language))
    if value in (None, ""):
        return row.get(build_localized_fieldname(path, DEFAULT_LANGUAGE))
    return typeset(value, language)


def typeset(value, language: str):
    """A text of `language` as a page shows it: Russian with its no-break spaces."""
    return russian_nbsp(value) if language == "ru" else value


class TypesetDescriptor(TranslationFieldDescriptor):
    """modeltranslation's getter of a translated field (``fault.name``: the active language's
    text, or English where it is empty), with the Russian text typeset. Only the getter: what
    is assigned goes to the active language's column as before."""

    def __get__(self, instance, owner):
        value = super().__get__(instance, owner)
        if instance is None or not isinstance(value, str):
            return value
        language = get_language()
        if value and value == getattr(
            instance, build_localized_fieldname(self.field.name, language), None
        ):
            return typeset(value, language)
        return value  # a fallback's text, in its own language


def typeset_getters(fields_by_model: dict) -> None:
    """Put ``TypesetDescriptor`` in place of modeltranslation's getter of each field named
    (after ``translator.register``, which installs it)."""
    for model, names in fields_by_model.items():
        for name in names:
            plain = model.__dict__[name]
            model_descriptor = TypesetDescriptor(
                plain.field,
                plain.fallback_languages,
                plain.fallback_value,
                plain.fallback_undefined,
            )
            setattr(model, name, model_descriptor)


def short_text(row: dict, short: str, full: str) -> str | None:
    """A short form of a text (a fault's short name) where the content gives one, else the full
    text: the active language's short form, else its full text, and English only where the
    active language has neither (a Russian page shows the Russian name, not an English short
    name)."""
    language = get_language()
    for path in (short, full):
        value = row.get(build_localized_fieldname(path, language))
        if value not in (None, ""):
            return typeset(value, language)
    return text(row, short) or text(row, full)


def active() -> str:
    """The active language's code among LANGUAGES (English when none is active)."""
    return get_language()
