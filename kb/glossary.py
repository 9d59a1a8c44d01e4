"""One name per part and action, in English and Russian, as mechanics say it (docs/glossary.md).

The Russian texts once called the lock's actuator six things (электромагнитный замок,
электрический замок, мотор замка, электромотор, электромагнит, привод замка) and the gas struts
«пружины подъёма крышки»: an owner reading the wizard, a procedure and the FAQ could take them
for different parts. Each term lists the variants that must not come back; the content check
(`manage.py kb_check`, the admin's Content check page and the message after each save) names
the text that uses one and the word to use instead.

A variant is a regular expression over a lower-cased text, so it catches every case ending
(«электромагнитного замка», «электромагнитным замком»). The English column is the article's
own wording (the provenance tests hold the English texts to it), so only words the English
content never uses are flagged there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .validation import Finding, check, owner_texts


@dataclass(frozen=True)
class Term:
    en: str
    ru: str
    wrong_en: tuple[str, ...] = ()  # regular expressions, lower case
    wrong_ru: tuple[str, ...] = ()
    note: str = ""

    def wrong(self, language: str) -> tuple[str, ...]:
        return self.wrong_en if language == "en" else self.wrong_ru


TERMS = [
    Term("trunk; trunk lid", "багажник; крышка багажника",
         wrong_en=(r"\btailgate", r"\bboot lid", r"\bliftgate"),
         wrong_ru=(r"\bдвер\w* багажника", r"\bляд\w*")),
    Term("lid handle (the grip above the license plate, with the open switch)",
         "ручка крышки багажника (ручка крышки)"),
    Term("the key's trunk button", "кнопка багажника на ключе", wrong_ru=(r"\bбрелок\w*",),
         note="The Smart Key is a key, not a fob: «брелок» is an owner's word search finds."),
    Term("the open button (either of them)", "кнопка открывания"),
    Term("12 V battery", "аккумулятор 12 В", wrong_ru=(r"\bакб\b",)),
    Term("(trunk) lock; the lock's motor (electromagnetic lock in the article)",
         "замок (багажника); привод (моторчик) замка",
         wrong_ru=(r"электромагнитн\w* замо?к\w*", r"электрическ\w* замо?к\w*",
                   r"\bэлектромагнит\w*", r"\bэлектромотор\w*", r"\bмотор(а|у|ом|е)? замка\b",
                   r"\bактуатор\w*", r"\bсоленоид\w*"),
         note="One part: the lock with its electric drive. Its motor is «моторчик привода»."),
    Term("release cable (drive cable in the rate table)", "трос привода замка",
         wrong_ru=(r"\bтрос\w* открывания",),
         note="The cable from the lid handle to the lock."),
    Term("body control module (BCM)", "блок управления кузовом (BCM)"),
    Term("reflash (at the dealer)", "перепрошивка, перепрошить (у дилера)",
         wrong_ru=(r"\bперепрошейте\b",),
         note="Owners have it done: a Russian text says who does it, never «перепрошейте»."),
    Term("have the errors read (a workshop's scanner)", "считать ошибки (в сервисе, сканером)",
         wrong_ru=(r"\bсчитайте ошибки\b",)),
    Term("latch; latch striker", "защёлка; ответная часть замка (скоба на кузове)"),
    Term("lid lift springs (gas struts)", "газовые упоры крышки",
         wrong_ru=(r"\bпружин\w* подъ[её]ма\w*", r"\bамортизатор\w*"),
         note="The Qashqai's lid is held up by gas struts; «амортизатор» is an owner's word."),
    Term("closure sensor", "датчик закрытия", wrong_ru=(r"\bконцевик\w*",),
         note="«концевик» is the owners' word: search finds the sensor by it."),
    Term("model year (an owner's year)", "год выпуска", wrong_ru=(r"\bмодельн\w* год\w*",)),
    Term("seals; trim; clips", "уплотнители; обшивка; клипсы"),
    Term("passenger compartment; cargo area", "салон; багажное отделение"),
    Term("seatback hatch", "люк в спинке сиденья"),
    Term("diagnostic scanner; dealer's diagnostic computer",
         "диагностический сканер; дилерский диагностический компьютер"),
    Term("workshop; service center", "автосервис; сервисный центр"),
    Term("original part; aftermarket part", "оригинал (оригинальная деталь); аналог"),
    Term("facelift (generation)", "рестайлинг"),
    Term("the editors' estimate (a figure the article does not give)", "оценка редакции",
         note="Alone, «оценка» on a badge reads as a rating."),
    Term("RUB (after a price: 15,000 RUB)", "₽ (после цены: 15 000 ₽)",
         wrong_ru=(r"\bруб\.",),
         note="The pages and the API write «₽» (kb/numbers.py); a text says it the same way."),
]  # fmt: skip


def misnamed(text: str, language: str) -> Iterator[tuple[str, Term]]:
    """(the wrong words as written, the term to use) for each listed variant in the text."""
    lowered = text.lower()
    for term in TERMS:
        spans: list[tuple[int, int]] = []
        for pattern in term.wrong(language):  # the longer variants first, so
            match = re.search(pattern, lowered)  # “электромагнитный замок” is one finding
            if match and not any(a <= match.start() and match.end() <= b for a, b in spans):
                spans.append(match.span())
                yield text[match.start() : match.end()], term


@check
def _texts_using_a_wrong_name(problem=None) -> Iterator[Finding]:
    """A content text that calls a part by a name the glossary lists as wrong."""
    for model, fields, objects, problem_of in owner_texts(problem):
        for obj in objects.order_by("pk"):
            for name in fields:
                for language in ("en", "ru"):
                    text = getattr(obj, f"{name}_{language}", "") or ""
                    for found, term in misnamed(text, language):
                        yield Finding(
                            obj,
                            _(
                                "%(field)s (%(language)s) says “%(found)s”: the glossary's "
                                "name is “%(term)s” (docs/glossary.md)"
                            )
                            % {
                                "field": model._meta.get_field(name).verbose_name,
                                "language": language,
                                "found": found,
                                "term": term.ru if language == "ru" else term.en,
                            },
                            problem_of(obj),
                        )
