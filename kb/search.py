"""Search across faults, symptoms, procedures (with their steps) and FAQ entries.

On PostgreSQL: full-text search of the active language's texts with that language's stemming
(``russian`` for Russian, so "замок" finds "замка"; ``english`` for English:
``websearch_to_tsquery`` of the words joined by "or", over weighted ``tsvector``s); when that
finds nothing (a part of a word, say) the word match runs as well. Elsewhere (SQLite): each word
is matched with ``icontains``. The word match looks in every language's texts, so a Russian
page finds "fuse" and an English one "предохранитель"; a hit shows the active language's text.
Either way results are ranked by how many of the words they contain (at a word start), then
by whether the title matched, then by ``ts_rank`` where there is one, and the page shows the
same groups, links and snippets.

Input is never trusted: it is cut to ``MAX_QUERY_LENGTH`` characters and ``MAX_WORDS``
words, control characters are removed, and words are only letters and digits, so nothing a
user types reaches SQL except as a bound parameter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .languages import LANGUAGES, active
from .models import FaqEntry, Fault, Procedure, Step, Symptom

MAX_QUERY_LENGTH = 100
# The raw input is cut to this before any work on it: normalizing a megabyte costs time,
# and no query needs more (NFKC may expand, whitespace collapses: a margin over the limit).
MAX_RAW_LENGTH = 4 * MAX_QUERY_LENGTH
# How long a search's results are kept (per release and content version; an edit retires them).
RESULTS_TIMEOUT = 600
MAX_WORDS = 8
MAX_RESULTS_PER_GROUP = 10
CANDIDATES = 200
SNIPPET_RADIUS = 80

# Words too common to tell anything apart (the rest of the query still counts).
_STOP_WORDS_TEXT = """
a an and are as at be but by can do does for from how i if in into is it its my no not of on or
so than that the then there this to too was what when where which who why will with you your
won t s
на не что как по из за от до ли или это при для же то но
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass
class Segment:
    text: str
    match: bool = False


@dataclass
class Hit:
    title: str
    url: str
    snippet: list[Segment]
    context: str = ""
    score: float = 0.0
    order: tuple = ()
    full_text: bool = False  # found by PostgreSQL full-text search (stemmed match)


@dataclass
class Group:
    key: str
    label: str
    hits: list[Hit]


@dataclass
class Results:
    query: str = ""
    words: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    notice: str = ""
    backend: str = ""

    @property
    def total(self) -> int:
        return sum(len(group.hits) for group in self.groups)

    @property
    def searched(self) -> bool:
        return bool(self.words)


def clean_query(raw: str) -> tuple[str, list[str], str]:
    """(the query to show, its search words, a notice for the user or "")."""
    raw = raw or ""
    cut = len(raw) > MAX_RAW_LENGTH
    text = unicodedata.normalize("NFKC", raw[:MAX_RAW_LENGTH])
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = " ".join(text.split())
    notice = ""
    if len(text) > MAX_QUERY_LENGTH or cut:
        text = text[:MAX_QUERY_LENGTH].rstrip()
        notice = _("Your search was long, so only its first %(limit)s characters were used.") % {
            "limit": MAX_QUERY_LENGTH
        }
    words: list[str] = []
    for word in _WORD.findall(text.casefold()):
        if word in STOP_WORDS or word in words:
            continue
        if len(word) < 2 and not word.isdigit():
            continue
        words.append(word)
    if len(words) > MAX_WORDS:
        words = words[:MAX_WORDS]
        notice = notice or _("Only the first %(limit)s words of your search were used.") % {
            "limit": MAX_WORDS
        }
    return text, words, notice


def _pattern(words: list[str]) -> re.Pattern:
    """Words matched at the start of a word ("lock" finds "locks", not "unlock"), whole word
    marked."""
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)


def _matched(words: list[str], texts: list[str]) -> int:
    """How many of the words occur (at a word start) in the texts."""
    joined = " ".join(texts)
    return sum(1 for word in words if _pattern([word]).search(joined))


def snippet(text: str, words: list[str], radius: int = SNIPPET_RADIUS) -> list[Segment]:
    """A short excerpt around the first match, the matched words marked."""
    text = " ".join(text.split())
    pattern = _pattern(words) if words else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - radius // 2) if first else 0
    end = min(len(text), start + 2 * radius)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + radius else end
    piece = text[start:end]
    segments: list[Segment] = []
    if start > 0:
        segments.append(Segment("… "))
    cursor = 0
    if first is not None:
        for match in pattern.finditer(piece):
            if match.start() > cursor:
                segments.append(Segment(piece[cursor : match.start()]))
            segments.append(Segment(match.group(0), match=True))
            cursor = match.end()
    if cursor < len(piece):
        segments.append(Segment(piece[cursor:]))
    if end < len(text):
        segments.append(Segment(" …"))
    return segments


def _spellings(word: str) -> set[str]:
    """The word, and capitalized where SQLite's case-blind LIKE stops at ASCII: it folds
    "Fuse" to "fuse" but not "Замок" to "замок" (the first word of a sentence)."""
    return {word} if word.isascii() else {word, word.capitalize()}


def _word_filter(words: list[str], fields: list[str]) -> Q:
    """Any word in any of the fields, in any language."""
    query = Q()
    for word in words:
        for name in fields:
            for language in LANGUAGES:
                for spelling in _spellings(word):
                    query |= Q(**{f"{name}_{language}__icontains": spelling})
    return query


def _texts(obj, fields: list[str]) -> list[str]:
    """The fields' texts as the page shows them (the active language's), then every
    language's, so a word matched in another language still counts."""
    shown = [getattr(obj, name) or "" for name in fields]
    return shown + [
        getattr(obj, f"{name}_{language}") or "" for language in LANGUAGES for name in fields
    ]


def _best_text(words: list[str], texts: list[str]) -> str:
    """The first text that contains the most words (the title comes first, so it wins ties)."""
    return max(texts, key=lambda text: (_matched(words, [text]), -texts.index(text)))


# --- what each kind of object contributes ------------------------------------------------------
# The fields searched, the title (or question) first.

FAULT_FIELDS = ["name", "summary", "signs", "description"]
SYMPTOM_FIELDS = ["question", "statement", "help_text"]
PROCEDURE_FIELDS = ["title", "summary", "introduction", "tools", "tips"]
STEP_FIELDS = ["title", "text"]
FAQ_FIELDS = ["question", "answer"]


def _faults():
    return Fault.objects.filter(problem__is_published=True).select_related(
        "problem__vehicle_model__make"
    )


def _symptoms():
    return Symptom.objects.filter(problem__is_published=True).select_related(
        "problem__vehicle_model__make"
    )


def _procedures():
    return Procedure.objects.select_related("vehicle_model__make")


def _steps():
    return Step.objects.select_related("procedure__vehicle_model__make")


def _faq():
    return FaqEntry.objects.exclude(problem__is_published=False).select_related(
        "vehicle_model__make"
    )


def _fault_hit(fault: Fault, words: list[str]) -> Hit:
    texts = _texts(fault, FAULT_FIELDS)
    problem = fault.problem
    hit = Hit(
        title=fault.name,
        url=fault.get_absolute_url(),
        snippet=snippet(_best_text(words, _bodies(texts, FAULT_FIELDS)) or fault.summary, words),
        context=f"{problem.vehicle_model}: {problem.title}",
        score=_matched(words, texts) + 0.5 * _matched(words, _titles(texts, FAULT_FIELDS)),
        order=(problem.order, fault.order),
    )
    hit.score += _full_text_rank(fault)
    hit.full_text = hasattr(fault, "rank")
    return hit


def _symptom_hit(symptom: Symptom, words: list[str]) -> Hit:
    texts = _texts(symptom, SYMPTOM_FIELDS)
    problem = symptom.problem
    hit = Hit(
        title=symptom.question,
        url=problem.get_diagnose_url(),
        snippet=snippet(symptom.help_text or symptom.statement, words),
        context=_("A question of the diagnosis: %(model)s, %(problem)s")
        % {"model": problem.vehicle_model, "problem": problem.title},
        score=_matched(words, texts) + 0.5 * _matched(words, _titles(texts, SYMPTOM_FIELDS)),
        order=(problem.order, symptom.order),
    )
    hit.score += _full_text_rank(symptom)
    hit.full_text = hasattr(symptom, "rank")
    return hit


def _procedure_hit(procedure: Procedure, words: list[str], steps: list[Step]) -> Hit:
    texts = _texts(procedure, PROCEDURE_FIELDS)
    bodies = _bodies(texts, PROCEDURE_FIELDS)
    step_texts = [". ".join(_texts(step, STEP_FIELDS)) for step in steps]
    own = _matched(words, texts)
    in_steps = _matched(words, step_texts)
    url = procedure.get_absolute_url()
    text = _best_text(words, bodies) if own else ""
    if steps and (not own or in_steps > _matched(words, bodies)):
        best = max(steps, key=lambda step: _matched(words, _texts(step, STEP_FIELDS)))
        url += f"#step-{best.number}"
        text = _("Step %(number)s: %(title)s. %(text)s") % {
            "number": best.number,
            "title": best.title,
            "text": best.text,
        }
    hit = Hit(
        title=procedure.title,
        url=url,
        snippet=snippet(text or procedure.summary, words),
        context=f"{procedure.vehicle_model}: {procedure.get_kind_display()}",
        score=_matched(words, texts + step_texts)
        + 0.5 * _matched(words, _titles(texts, PROCEDURE_FIELDS)),
        order=(procedure.order,),
    )
    hit.score += _full_text_rank(procedure)
    hit.full_text = hasattr(procedure, "rank")
    return hit


def _faq_hit(entry: FaqEntry, words: list[str]) -> Hit:
    texts = _texts(entry, FAQ_FIELDS)
    hit = Hit(
        title=entry.question,
        url=entry.get_absolute_url(),
        snippet=snippet(entry.answer, words),
        context=_("%(model)s: frequently asked question") % {"model": entry.vehicle_model},
        score=_matched(words, texts) + 0.5 * _matched(words, _titles(texts, FAQ_FIELDS)),
        order=(entry.order,),
    )
    hit.score += _full_text_rank(entry)
    hit.full_text = hasattr(entry, "rank")
    return hit


def _titles(texts: list[str], fields: list[str]) -> list[str]:
    """The title (the first field) in each language, of `_texts`' list."""
    return texts[:: len(fields)]


def _bodies(texts: list[str], fields: list[str]) -> list[str]:
    """The texts other than the title, those shown first, of `_texts`' list."""
    return [text for index, text in enumerate(texts) if index % len(fields)]


def _full_text_rank(item) -> float:
    """PostgreSQL's ts_rank where it ran (below 1, so it only orders equal word counts)."""
    return min(float(getattr(item, "rank", 0) or 0), 0.99)


def _rank(hits: list[Hit]) -> list[Hit]:
    # A word must match at a word start (not inside "screwdriver" for "wd"), or PostgreSQL's
    # stemmed full-text search must have found it ("freezing" for "freeze").
    hits = [hit for hit in hits if hit.score >= 1 or hit.full_text]
    hits.sort(key=lambda hit: (-hit.score, hit.order, hit.title))
    return hits[:MAX_RESULTS_PER_GROUP]


def _group_results(faults, symptoms, procedures, steps_by_procedure, entries, words) -> list:
    groups = [
        Group("faults", _("Faults"), _rank([_fault_hit(f, words) for f in faults])),
        Group("symptoms", _("Symptoms"), _rank([_symptom_hit(s, words) for s in symptoms])),
        Group(
            "procedures",
            _("Checks and repairs"),
            _rank([_procedure_hit(p, words, steps_by_procedure.get(p.pk, [])) for p in procedures]),
        ),
        Group("faq", _("Questions and answers"), _rank([_faq_hit(e, words) for e in entries])),
    ]
    return [group for group in groups if group.hits]


def _collect_steps(steps) -> tuple[dict[int, Procedure], dict[int, list[Step]]]:
    procedures: dict[int, Procedure] = {}
    by_procedure: dict[int, list[Step]] = {}
    for step in steps:
        procedures.setdefault(step.procedure_id, step.procedure)
        by_procedure.setdefault(step.procedure_id, []).append(step)
    return procedures, by_procedure


def search_words(words: list[str]) -> list[Group]:
    """The portable search: icontains on each word, ranked by the number of words matched."""
    faults = _faults().filter(_word_filter(words, FAULT_FIELDS))[:CANDIDATES]
    symptoms = _symptoms().filter(_word_filter(words, SYMPTOM_FIELDS))[:CANDIDATES]
    procedures = {
        p.pk: p for p in _procedures().filter(_word_filter(words, PROCEDURE_FIELDS))[:CANDIDATES]
    }
    step_procedures, steps = _collect_steps(
        _steps().filter(_word_filter(words, STEP_FIELDS))[:CANDIDATES]
    )
    for pk, procedure in step_procedures.items():
        procedures.setdefault(pk, procedure)
    entries = _faq().filter(_word_filter(words, FAQ_FIELDS))[:CANDIDATES]
    return _group_results(faults, symptoms, procedures.values(), steps, entries, words)


# PostgreSQL's text search configuration for each language's texts.
SEARCH_CONFIGS = {"en": "english", "ru": "russian"}


def search_postgres(query_text: str, words: list[str]) -> list[Group]:
    """Full-text search on PostgreSQL: weighted vectors of the active language's texts, with
    that language's stemming, websearch syntax, ts_rank."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    language = active()
    config = SEARCH_CONFIGS.get(language, "simple")
    query = SearchQuery(query_text, search_type="websearch", config=config)

    def matching(queryset, fields):
        weights = ["A", "B", "C", "D"]
        columns = [f"{name}_{language}" for name in fields]
        vector = SearchVector(columns[0], weight="A", config=config)
        for index, name in enumerate(columns[1:], start=1):
            vector += SearchVector(name, weight=weights[min(index, 3)], config=config)
        return (
            queryset.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank")[:CANDIDATES]
        )

    faults = list(matching(_faults(), FAULT_FIELDS))
    symptoms = list(matching(_symptoms(), SYMPTOM_FIELDS))
    procedures = {p.pk: p for p in matching(_procedures(), PROCEDURE_FIELDS)}
    step_procedures, steps = _collect_steps(matching(_steps(), STEP_FIELDS))
    for pk, procedure in step_procedures.items():
        procedures.setdefault(pk, procedure)
    entries = list(matching(_faq(), FAQ_FIELDS))
    for pk, procedure_steps in steps.items():
        best = max(getattr(step, "rank", 0) or 0 for step in procedure_steps)
        procedure = procedures[pk]
        procedure.rank = max(getattr(procedure, "rank", 0) or 0, best)
    return _group_results(faults, symptoms, procedures.values(), steps, entries, words)


# A Russian noun's last-syllable о/е/ё that drops when it declines ("замок", "замка"; "ремень",
# "ремня"): the Snowball stemmer keeps it ("замок" → замок, "замка" → замк), so the query
# also asks for the word without it.
_CONSONANT = "бвгджзйклмнпрстфхцчшщ"
_FLEETING_VOWEL = re.compile(rf"(.+[{_CONSONANT}])[оеё]([{_CONSONANT}])ь?")


def full_text_terms(words: list[str]) -> list[str]:
    """The words a full-text query asks for: each word, and in Russian also its declined stem
    where the stemmer would miss it ("замок" also asks for "замк", which "замка" stems to)."""
    terms = list(words)
    if active() == "ru":
        for word in words:
            match = _FLEETING_VOWEL.fullmatch(word)
            if match and match[1] + match[2] not in terms:
                terms.append(match[1] + match[2])
    return terms


def search(raw: str) -> Results:
    text, words, notice = clean_query(raw)
    results = Results(query=text, words=words, notice=notice)
    if not words:
        if text:
            results.notice = _(
                "Type a word or two about what happens, for example “frozen”, “fuse” or “key”."
            )
        return results
    if connection.vendor == "postgresql":
        results.backend = "postgresql"
        # Any of the words (like the word match), stemmed; more words matched rank higher.
        results.groups = search_postgres(" or ".join(full_text_terms(words)), words)
        if not results.groups:
            results.groups = search_words(words)
    else:
        results.backend = "words"
        results.groups = search_words(words)
    return results


def cached_search(raw: str) -> Results:
    """``search``, its results kept per release and content version: a repeated query (a
    link, a reload, a script) costs one cache read."""
    import hashlib

    from django.core.cache import cache

    from config.release import release_id

    from .content_version import LISTING, content_version

    raw = raw or ""
    kept = f"{len(raw) > MAX_RAW_LENGTH:d}{raw[:MAX_RAW_LENGTH]}"  # what clean_query reads
    digest = hashlib.sha256(kept.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    language = get_language()  # results hold the texts of the active language
    key = (
        f"search:{release_id()}:{content_version(LISTING)}:{connection.vendor}:{language}:{digest}"
    )
    results = cache.get(key)
    if results is None:
        results = search(raw)
        cache.set(key, results, timeout=RESULTS_TIMEOUT)
    return results


def search_url(query: str) -> str:
    from urllib.parse import urlencode

    return f"{reverse('kb:search')}?{urlencode({'q': query})}"
