"""Which content fields owners read in their language (django-modeltranslation).

Each field named here gets one column per language of settings.LANGUAGES (``name_en``,
``name_ru``); reading ``fault.name`` gives the active language's text, falling back to English
where the Russian one is empty (``kb_check`` reports every such gap). Slugs, numbers and
staff-only notes stay single-language: docs/decisions.md lists each decision.

History: django-simple-history builds a model's history table from the fields the model has
when it is registered. The translated models are therefore registered for history here, after
their translation fields exist, so a history row keeps every language and a revert restores
them all (the models without translated fields declare ``history`` in kb/models.py).
"""

import simple_history
from modeltranslation.translator import TranslationOptions, translator

from .languages import typeset_getters
from .models import (
    FaqEntry,
    Fault,
    FaultGroup,
    Generation,
    Make,
    ProbabilityWord,
    Problem,
    Procedure,
    QuestionGroup,
    RateLevel,
    SafetyWarning,
    Step,
    Symptom,
    VehicleModel,
)


class Owners(TranslationOptions):
    # English is the source every translation is made from: it stays as required as it was.
    required_languages = ("en",)


# model -> the fields owners read; each model's many-to-many fields whose history is kept.
TRANSLATED = {
    Make: ("name",),
    VehicleModel: ("name",),
    Generation: ("name",),
    Problem: ("title", "summary", "introduction", "buyer_advice"),
    RateLevel: ("name",),
    FaultGroup: ("name",),
    Fault: ("name", "short_name", "summary", "description", "signs"),
    Symptom: ("question", "help_text", "statement", "option_label"),
    QuestionGroup: ("question", "help_text", "none_label"),
    SafetyWarning: ("title", "text"),
    Procedure: ("title", "summary", "introduction", "tools", "tips", "interval"),
    Step: ("title", "text"),
    FaqEntry: ("question", "answer"),
    # Staff's, not owners': the words likelihoods are chosen by, in the admin's language.
    ProbabilityWord: ("word",),
}
HISTORY_M2M = {Fault: ["procedures"], FaqEntry: ["procedures"]}

for model, names in TRANSLATED.items():
    translator.register(model, type(f"{model.__name__}Translation", (Owners,), {"fields": names}))
    simple_history.register(model, m2m_fields=HISTORY_M2M.get(model, []))

# Russian texts read through ``fault.name`` &c. come with their no-break spaces (kb/typography.py).
typeset_getters(TRANSLATED)
