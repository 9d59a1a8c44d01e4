"""Search across faults, symptoms, procedures (with their steps) and FAQ entries.

The public interface (kept stable: the search page and bench/scale.py call it):

- ``search(raw) -> Results``: one ranked list of hits (``results.hits``, at most
  ``MAX_RESULTS``, best first; ``results.groups`` gives them by kind), for the active language;
- ``cached_search(raw)``: the same, kept in the cache per release, content version, language
  and what the query was expanded to.

How a query is matched:

1. **Cleaned**: cut to ``MAX_QUERY_LENGTH`` characters and ``MAX_WORDS`` words, control
   characters removed, words are letters and digits only, folded (case, and ё as е: owners
   rarely type ё), stop words dropped. Nothing typed reaches SQL except as a bound parameter.
2. **Expanded** with the active language's synonyms (``SearchSynonym``, edited by content
   staff): each word, or phrase of words, is a *concept*, found by any of its alternatives
   ("tailgate" or "trunk"; «сколько стоит» or «стоимость»).
3. **Found**. On PostgreSQL: full-text search over weighted ``tsvector``s of both languages'
   texts (title A, then B, C, D), each with its language's stemming (``english``,
   ``russian``), ё folded in the vector; PostgreSQL keeps the vectors in generated columns
   that GIN indexes cover (migrations ``kb.0013_search_synonyms_and_full_text_indexes`` and
   ``kb.0014_stored_search_vectors``; ``vector_sql`` is the one definition they use), and
   the titles' words alone in another indexed vector (``kb.0015_title_search_vectors``). Of
   each kind at most FULL_TEXT_CANDIDATES rows are read, tier by tier (every concept in the
   title, every concept anywhere, any in the title, any anywhere), each tier a LIMIT its
   index stops early: a common word at 300 models matches thousands of rows, and ranking
   them all in SQL cost 30–45 ms a table.
   Elsewhere (SQLite), and on PostgreSQL when full-text finds nothing (part of a word): each
   word's Snowball stem (the same algorithms as PostgreSQL's) matched at a word start in the
   ё-folded texts of every language.
4. **Ranked**, the same on every database: each concept a hit holds adds its weight (the
   rarer among the hits, the more: "trunk" is on nearly every page), twice in the title (a
   fault's name, a procedure's title, the FAQ's question); equals go faults, then checks and
   repairs, then questions and answers, then the wizard's questions, then by PostgreSQL's
   ``ts_rank``. One list, one hit per address, ``MAX_RESULTS`` at most; the page shows
   ``PAGE_SIZE`` at a time. A hit shows the active language's texts.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache as memoize
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .languages import DEFAULT_LANGUAGE, LANGUAGES, active, typeset
from .models import FaqEntry, Fault, Procedure, SearchSynonym, Step, Symptom

MAX_QUERY_LENGTH = 100
# The raw input is cut to this before any work on it: normalizing a megabyte costs time,
# and no query needs more (NFKC may expand, whitespace collapses: a margin over the limit).
MAX_RAW_LENGTH = 4 * MAX_QUERY_LENGTH
# How long a search's results are kept (per release and content version; an edit retires them).
RESULTS_TIMEOUT = 600
MAX_WORDS = 8
# Alternatives a query may be expanded to in all (synonyms): bounds the SQL a query makes.
MAX_TERMS = 32
# The ranked list is cut here; the page shows it PAGE_SIZE at a time.
MAX_RESULTS = 50
PAGE_SIZE = 10
# Rows of each kind read per query by the word match; full-text search reads fewer, the
# best by its tiers (the ranking reads each one's texts: this bounds its time on a large
# catalog; five kinds of ten fill the MAX_RESULTS a query lists).
CANDIDATES = 200
FULL_TEXT_CANDIDATES = 10
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
_CYRILLIC = re.compile(r"[а-яё]")


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
    found: frozenset = frozenset()  # the query's concepts it holds (their indexes)
    titled: frozenset = frozenset()  # those in its title
    rank: float = 0.0  # PostgreSQL's ts_rank, where it ran
    kind: str = ""  # "faults", "procedures", "faq" or "symptoms"
    kind_label: str = ""
    source: object = None  # the rows it was made of, until its snippet is made


@dataclass
class Group:
    key: str
    label: str
    hits: list[Hit]


@dataclass(frozen=True)
class Concept:
    """One thing the owner asked for: a word or phrase typed, and what else finds it."""

    typed: str
    alternatives: tuple[tuple[str, ...], ...]  # phrases, each all of its words to match


@dataclass
class Results:
    query: str = ""
    words: list[str] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    notice: str = ""
    backend: str = ""

    @property
    def total(self) -> int:
        return len(self.hits)

    @property
    def searched(self) -> bool:
        return bool(self.words)

    @property
    def groups(self) -> list[Group]:
        """The hits by kind, each kind in rank order (the kinds in KINDS' order)."""
        groups = [
            Group(key, str(label), [h for h in self.hits if h.kind == key]) for key, label in KINDS
        ]
        return [group for group in groups if group.hits]


# --- folding, stemming, the query ---


def fold(text: str) -> str:
    """Case and ё folded: «Замёрз» and «замерз» are one word."""
    return text.casefold().replace("ё", "е")


@memoize
def _stemmer(language: str):
    import snowballstemmer

    return snowballstemmer.stemmer({"ru": "russian", "en": "english"}[language])


# A Russian noun's last-syllable о/е/ё that drops when it declines ("замок", "замка"; "ремень",
# "ремня"): the Snowball stemmer keeps it ("замок" → замок, "замка" → замк), so the query
# also asks for the word without it.
_CONSONANT = "бвгджзйклмнпрстфхцчшщ"
_FLEETING_VOWEL = re.compile(rf"(.+[{_CONSONANT}])[оеё]([{_CONSONANT}])ь?")


@memoize
def stems(word: str) -> tuple[str, ...]:
    """What a (folded) word matches at a word start: its Snowball stem ("freezing" → "freez",
    «замёрзшего» → «замерзш»), in Russian also without a fleeting vowel («замок» → «замк»);
    a digit, or a word whose stem would be under 3 letters, as typed."""
    if word.isdigit():
        return (word,)
    russian = bool(_CYRILLIC.search(word))
    stem = _stemmer("ru" if russian else "en").stemWord(word)
    found = [stem if len(stem) >= 3 and word.startswith(stem[:3]) else word]
    if not word.startswith(found[0]):  # "happy" → "happi": the word itself too
        found.append(word)
    if russian:
        fleeting = _FLEETING_VOWEL.fullmatch(word)
        if fleeting and fleeting[1] + fleeting[2] not in found:
            found.append(fleeting[1] + fleeting[2])
    return tuple(found)


def words_of(text: str) -> list[str]:
    """A text's search words: folded, without stop words, single letters or repeats."""
    words: list[str] = []
    for word in _WORD.findall(fold(text)):
        if word in STOP_WORDS or word in words:
            continue
        if len(word) < 2 and not word.isdigit():
            continue
        words.append(word)
    return words


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
    words = words_of(text)
    if len(words) > MAX_WORDS:
        words = words[:MAX_WORDS]
        notice = notice or _("Only the first %(limit)s words of your search were used.") % {
            "limit": MAX_WORDS
        }
    return text, words, notice


def _rules(language: str) -> list[tuple[tuple[str, ...], list[tuple[str, ...]]]]:
    """The language's synonyms as (an owners' phrase by its words' stems, the pages' phrases),
    longest phrase first."""
    rules = []
    for owners, pages in SearchSynonym.table().get(language, []):
        means = [tuple(words_of(phrase)) for phrase in pages]
        means = [phrase for phrase in means if phrase]
        for phrase in owners:
            key = tuple(stems(word)[0] for word in words_of(phrase))
            if key and means:
                rules.append((key, means))
    rules.sort(key=lambda rule: -len(rule[0]))
    return rules


def expand(words: list[str], language: str | None = None) -> list[Concept]:
    """The query's concepts: each word, or a synonym's phrase of them, with the pages' words
    for it as alternatives ("boot" → boot or trunk)."""
    rules = _rules(language or active())
    keys = [stems(word)[0] for word in words]
    concepts: list[Concept] = []
    budget = MAX_TERMS - len(words)
    index = 0
    while index < len(words):
        length = next(
            (len(key) for key, _ in rules if tuple(keys[index : index + len(key)]) == key), 1
        )
        typed = tuple(words[index : index + length])
        alternatives = [typed]
        for key, means in rules:
            if len(key) == length and tuple(keys[index : index + length]) == key:
                for phrase in means:
                    if phrase not in alternatives and budget > 0:
                        alternatives.append(phrase)
                        budget -= 1
        concepts.append(Concept(" ".join(typed), tuple(alternatives)))
        index += length
    return concepts


def _terms(concepts: list[Concept]) -> list[str]:
    """Every stem any alternative asks for (what the word match looks for)."""
    terms: list[str] = []
    for concept in concepts:
        for phrase in concept.alternatives:
            for word in phrase:
                terms += [stem for stem in stems(word) if stem not in terms]
    return terms


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


# --- matching in Python: the same on every database ---


def _pattern(terms) -> re.Pattern:
    """Terms matched at the start of a word ("lock" finds "locks", not "unlock"), ё or е alike,
    the whole word marked."""
    alternatives = "|".join(
        re.escape(term).replace("е", "[её]") for term in sorted(terms, key=len, reverse=True)
    )
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)


@lru_cache(maxsize=8192)
def _text_words(text: str) -> frozenset[str]:
    """One text's words, folded (kept: the same content texts are read by query after query)."""
    return frozenset(_WORD.findall(fold(text)))


@lru_cache(maxsize=8192)
def _sorted_words(text: str) -> tuple[str, ...]:
    return tuple(sorted(_text_words(text)))


def vocabulary(texts: list[str]) -> list[str] | tuple[str, ...]:
    """The texts' words, folded, sorted: a stem is looked up by bisection, not by a regular
    expression over the whole text (the ranking reads every candidate's texts)."""
    texts = [text for text in texts if text]
    if len(texts) == 1:  # one text at a time, as `_best_text` asks: kept, like its words
        return _sorted_words(texts[0])
    return sorted(frozenset().union(*(_text_words(text) for text in texts)))


def _starts(words, stem: str) -> bool:
    """Whether a word of the sorted list starts with the stem."""
    index = bisect_left(words, stem)
    return index < len(words) and words[index].startswith(stem)


def _has(concept: Concept, words) -> bool:
    """Whether the words hold the concept: every word of one of its alternatives, each by
    one of its stems at a word start."""
    return any(
        all(any(_starts(words, stem) for stem in stems(word)) for word in phrase)
        for phrase in concept.alternatives
    )


def _matched(concepts: list[Concept], texts: list[str]) -> int:
    """How many of the concepts the texts hold."""
    words = vocabulary(texts)
    return sum(1 for concept in concepts if _has(concept, words))


def snippet(text: str, terms: list[str], radius: int = SNIPPET_RADIUS) -> list[Segment]:
    """A short excerpt around the first match of a term (a stem), the matched words marked,
    typeset as the page's other texts (kb/typography.py: it is never cut at a no-break space)."""
    text = typeset(" ".join(text.split()), get_language())
    pattern = _pattern(terms) if terms else None
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


def _texts(obj, fields: list[str]) -> list[str]:
    """The fields' texts as the page shows them (the active language's, English where it is
    empty), then every language's, so a word matched in another language still counts. Read
    from the columns as staff typed them: the getters' typesetting (kb/typography.py) is for
    what a page shows, the snippet's (``snippet``), not for every candidate the ranking
    reads."""
    page = active()
    shown = [
        getattr(obj, f"{name}_{page}") or getattr(obj, f"{name}_{DEFAULT_LANGUAGE}") or ""
        for name in fields
    ]
    return shown + [
        getattr(obj, f"{name}_{language}") or "" for language in LANGUAGES for name in fields
    ]


def _titles(texts: list[str], fields: list[str]) -> list[str]:
    """The title (the first field) in each language, of `_texts`' list."""
    return texts[:: len(fields)]


def _bodies(texts: list[str], fields: list[str]) -> list[str]:
    """The texts other than the title, those shown first, of `_texts`' list."""
    return [text for index, text in enumerate(texts) if index % len(fields)]


def _best_text(concepts: list[Concept], texts: list[str]) -> str:
    """The first text that holds the most concepts (the title comes first, so it wins ties)."""
    return max(texts, key=lambda text: (_matched(concepts, [text]), -texts.index(text)))


def _matches(concepts, texts, titles, item) -> dict:
    """What a hit matched, for `_rank` to weigh: the concepts in its texts, those in its
    title, and PostgreSQL's ts_rank where it ran."""
    words, title = vocabulary(texts), vocabulary(titles)
    return {
        "found": frozenset(i for i, c in enumerate(concepts) if _has(c, words)),
        "titled": frozenset(i for i, c in enumerate(concepts) if _has(c, title)),
        "rank": min(float(getattr(item, "rank", 0) or 0), 0.99),
    }


# --- what each kind of object contributes ---
# The fields searched, the title (or question) first.

FAULT_FIELDS = ["name", "summary", "signs", "description"]
SYMPTOM_FIELDS = ["question", "statement", "help_text"]
PROCEDURE_FIELDS = ["title", "summary", "introduction", "tools", "tips"]
STEP_FIELDS = ["title", "text"]
FAQ_FIELDS = ["question", "answer"]
# The kinds of hit, in the order they rank among equals, with their headings.
KINDS = [
    ("faults", gettext_lazy("Faults")),
    ("procedures", gettext_lazy("Checks and repairs")),
    ("faq", gettext_lazy("Questions and answers")),
    ("symptoms", gettext_lazy("Symptoms")),
]


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


# Each kind's hit in two parts: what the ranking weighs (made for every candidate) and what
# the page shows (a snippet, a procedure's best step), made for the ranked MAX_RESULTS only.


def _fault_hit(fault: Fault, concepts) -> Hit:
    texts = _texts(fault, FAULT_FIELDS)
    problem = fault.problem
    return Hit(
        title=fault.name,
        url=fault.get_absolute_url(),
        snippet=[],
        context=f"{problem.vehicle_model}: {problem.title}",
        **_matches(concepts, texts, _titles(texts, FAULT_FIELDS), fault),
        order=(problem.order, fault.order),
        full_text=hasattr(fault, "rank"),
        kind="faults",
        kind_label=_("Fault"),
        source=(fault, texts),
    )


def _fault_shown(hit: Hit, concepts, terms) -> None:
    fault, texts = hit.source
    body = _best_text(concepts, _bodies(texts, FAULT_FIELDS)) or fault.summary
    hit.snippet = snippet(body, terms)


def _symptom_hit(symptom: Symptom, concepts) -> Hit:
    texts = _texts(symptom, SYMPTOM_FIELDS)
    problem = symptom.problem
    return Hit(
        title=symptom.question,
        url=problem.get_diagnose_url(),
        snippet=[],
        context=_("A question of the diagnosis: %(model)s, %(problem)s")
        % {"model": problem.vehicle_model, "problem": problem.title},
        **_matches(concepts, texts, _titles(texts, SYMPTOM_FIELDS), symptom),
        order=(problem.order, symptom.order),
        full_text=hasattr(symptom, "rank"),
        kind="symptoms",
        kind_label=_("Diagnosis question"),
        source=(symptom, texts),
    )


def _symptom_shown(hit: Hit, concepts, terms) -> None:
    symptom, _texts_ = hit.source
    hit.snippet = snippet(symptom.help_text or symptom.statement, terms)


def _procedure_hit(procedure: Procedure, concepts, steps: list[Step]) -> Hit:
    texts = _texts(procedure, PROCEDURE_FIELDS)
    step_texts = [". ".join(_texts(step, STEP_FIELDS)) for step in steps]
    return Hit(
        title=procedure.title,
        url=procedure.get_absolute_url(),
        snippet=[],
        context=f"{procedure.vehicle_model}: {procedure.get_kind_display()}",
        **_matches(concepts, texts + step_texts, _titles(texts, PROCEDURE_FIELDS), procedure),
        order=(procedure.order,),
        full_text=hasattr(procedure, "rank"),
        kind="procedures",
        kind_label=_("Check or repair"),
        source=(procedure, texts, steps, step_texts),
    )


def _procedure_shown(hit: Hit, concepts, terms) -> None:
    """The snippet from the procedure's own texts, or from its best step (linked to it) where
    the steps hold more of the query."""
    procedure, texts, steps, step_texts = hit.source
    bodies = _bodies(texts, PROCEDURE_FIELDS)
    own = _matched(concepts, texts)
    text = _best_text(concepts, bodies) if own else ""
    if steps and (not own or _matched(concepts, step_texts) > _matched(concepts, bodies)):
        best = max(steps, key=lambda step: _matched(concepts, _texts(step, STEP_FIELDS)))
        hit.url += f"#step-{best.number}"
        text = _("Step %(number)s: %(title)s. %(text)s") % {
            "number": best.number,
            "title": best.title,
            "text": best.text,
        }
    hit.snippet = snippet(text or procedure.summary, terms)


def _faq_hit(entry: FaqEntry, concepts) -> Hit:
    texts = _texts(entry, FAQ_FIELDS)
    return Hit(
        title=entry.question,
        url=entry.get_absolute_url(),
        snippet=[],
        context=_("%(model)s: frequently asked question") % {"model": entry.vehicle_model},
        **_matches(concepts, texts, _titles(texts, FAQ_FIELDS), entry),
        order=(entry.order,),
        full_text=hasattr(entry, "rank"),
        kind="faq",
        kind_label=_("Question and answer"),
        source=(entry, texts),
    )


def _faq_shown(hit: Hit, concepts, terms) -> None:
    entry, _texts_ = hit.source
    hit.snippet = snippet(entry.answer, terms)


SHOWN = {
    "faults": _fault_shown,
    "symptoms": _symptom_shown,
    "procedures": _procedure_shown,
    "faq": _faq_shown,
}


def _weights(hits: list[Hit], concepts) -> list[float]:
    """Each concept's weight: rarer among the hits weighs more (an inverse document frequency),
    so "trunk", on nearly every page, counts less than "frozen" beside it."""
    total = len(hits)
    return [
        1 + math.log((total + 1) / (sum(i in hit.found for hit in hits) + 1))
        for i in range(len(concepts))
    ]


def _rank(hits: list[Hit], concepts) -> list[Hit]:
    """One list, best first, one hit per page (the wizard's questions share its address).

    A hit scores the weights of the concepts it holds, twice those in its title; equals go in
    the order of KINDS, then by ts_rank where PostgreSQL gave one (so both databases agree on
    all but the order within a kind)."""
    weights = _weights(hits, concepts)
    for hit in hits:
        hit.score = sum(weights[i] for i in hit.found) + sum(weights[i] for i in hit.titled)
    # A word must match at a word start (not inside "screwdriver" for "wd"), or PostgreSQL's
    # stemmed full-text search must have found it.
    hits = [hit for hit in hits if hit.found or hit.full_text]
    kind_order = {key: index for index, (key, _) in enumerate(KINDS)}
    hits.sort(
        key=lambda hit: (
            -round(hit.score, 9),
            kind_order[hit.kind],
            -hit.rank,
            hit.order,
            hit.title,
        )
    )
    seen: set[str] = set()
    ranked = []
    for hit in hits:
        if hit.url not in seen:
            seen.add(hit.url)
            ranked.append(hit)
    return ranked[:MAX_RESULTS]


def _hits(faults, symptoms, procedures, steps_by_procedure, entries, concepts) -> list[Hit]:
    hits = [_fault_hit(f, concepts) for f in faults]
    hits += [_symptom_hit(s, concepts) for s in symptoms]
    hits += [_procedure_hit(p, concepts, steps_by_procedure.get(p.pk, [])) for p in procedures]
    hits += [_faq_hit(e, concepts) for e in entries]
    ranked = _rank(hits, concepts)
    terms = _terms(concepts)
    for hit in ranked:
        SHOWN[hit.kind](hit, concepts, terms)
        hit.source = None  # results are cached: the rows stay out of them
    return ranked


def _collect_steps(steps) -> tuple[dict[int, Procedure], dict[int, list[Step]]]:
    procedures: dict[int, Procedure] = {}
    by_procedure: dict[int, list[Step]] = {}
    for step in steps:
        procedures.setdefault(step.procedure_id, step.procedure)
        by_procedure.setdefault(step.procedure_id, []).append(step)
    return procedures, by_procedure


def _find(matching, concepts) -> list[Hit]:
    """The hits of each kind `matching(queryset, fields)` selects, ranked."""
    faults = list(matching(_faults(), FAULT_FIELDS))
    symptoms = list(matching(_symptoms(), SYMPTOM_FIELDS))
    procedures = {p.pk: p for p in matching(_procedures(), PROCEDURE_FIELDS)}
    step_procedures, steps = _collect_steps(matching(_steps(), STEP_FIELDS))
    for pk, procedure in step_procedures.items():
        procedures.setdefault(pk, procedure)
    entries = list(matching(_faq(), FAQ_FIELDS))
    for pk, procedure_steps in steps.items():
        best = max((getattr(step, "rank", 0) or 0 for step in procedure_steps), default=0)
        procedure = procedures[pk]
        if hasattr(procedure_steps[0], "rank"):
            procedure.rank = max(getattr(procedure, "rank", 0) or 0, best)
    return _hits(faults, symptoms, procedures.values(), steps, entries, concepts)


# --- the word match: any database ---


def _spellings(term: str) -> set[str]:
    """The term, and capitalized where SQLite's case-blind LIKE stops at ASCII: it folds
    "Fuse" to "fuse" but not "Замок" to "замок" (the first word of a sentence)."""
    return {term} if term.isascii() else {term, term.capitalize()}


def _folded(column: str):
    """The column with ё as е (the query's stems are folded the same way)."""
    lower = Replace(F(column), Value("ё"), Value("е"), output_field=TextField())
    return Replace(lower, Value("Ё"), Value("Е"), output_field=TextField())


def search_words(concepts: list[Concept]) -> list[Hit]:
    """The portable search: each stem in the texts of every language (a LIKE finds it
    anywhere; the ranking keeps those at a word start). A stem with е is looked for in the
    texts with ё folded; the others in the columns as they are (a smaller query)."""
    terms = _terms(concepts)

    def matching(queryset, fields):
        columns = [f"{name}_{language}" for name in fields for language in LANGUAGES]
        folded = any("е" in term for term in terms)
        if folded:
            queryset = queryset.annotate(**{f"folded_{c}": _folded(c) for c in columns})
        query = Q()
        for term in terms:
            names = [f"folded_{c}" for c in columns] if "е" in term else columns
            for name in names:
                for spelling in _spellings(term):
                    query |= Q(**{f"{name}__icontains": spelling})
        return queryset.filter(query)[:CANDIDATES]

    return _find(matching, concepts)


# --- full-text search: PostgreSQL ---

# PostgreSQL's text search configuration for each language's texts.
SEARCH_CONFIGS = {"en": "english", "ru": "russian"}
# The models searched, their table and fields (title first): what the GIN indexes cover.
SEARCHED = {
    "kb_fault": FAULT_FIELDS,
    "kb_symptom": SYMPTOM_FIELDS,
    "kb_procedure": PROCEDURE_FIELDS,
    "kb_step": STEP_FIELDS,
    "kb_faqentry": FAQ_FIELDS,
}
WEIGHTS = "ABCD"


def vector_sql(table: str, language: str, qualified: bool = True) -> str:
    """A row's weighted tsvector in one language, ё folded: the expression its GIN index
    is built on (unqualified) and every query matches with (qualified; PostgreSQL uses the
    index only for the same expression)."""
    config = SEARCH_CONFIGS[language]
    owner = f'"{table}".' if qualified else ""
    parts = [
        f"setweight(to_tsvector('{config}'::regconfig, translate(coalesce("
        f"{owner}\"{name}_{language}\", ''), 'Ёё', 'Ее')), '{WEIGHTS[min(index, 3)]}')"
        for index, name in enumerate(SEARCHED[table])
    ]
    return " || ".join(parts)


def stored_vector(table: str, language: str) -> str:
    """The row's ``vector_sql``, kept by PostgreSQL in a generated column (migration
    ``kb.0014_stored_search_vectors``) that the GIN index covers: ts_rank reads it instead of
    stemming every matching row's texts again (at 300 models, thousands of rows a query)."""
    return f'"{table}"."search_{language}"'


def index_name(table: str, language: str) -> str:
    return f"{table}_search_{language}"


def _concept_tsquery(concept: Concept, language: str) -> tuple[str, list[str]]:
    """Any alternative of the concept (each phrase's words all), in the language's
    configuration; Russian words also without their fleeting vowel."""
    config = SEARCH_CONFIGS[language]
    phrases: list[str] = []
    for phrase in concept.alternatives:
        phrases.append(" ".join(phrase))
        if language == "ru" and len(phrase) == 1:
            phrases += [stem for stem in full_text_terms_ru(phrase[0]) if stem not in phrases]
    sql = " || ".join([f"plainto_tsquery('{config}'::regconfig, %s)"] * len(phrases))
    return f"({sql})", phrases


def _tsquery(concepts: list[Concept], language: str, every: bool = False) -> tuple[str, list]:
    """Any concept (or, with `every`, all of them) in the language's configuration."""
    parts = [_concept_tsquery(concept, language) for concept in concepts]
    sql = (" && " if every else " || ").join(part for part, _ in parts)
    return f"({sql})", [phrase for _, phrases in parts for phrase in phrases]


def full_text_terms_ru(word: str) -> list[str]:
    match = _FLEETING_VOWEL.fullmatch(word)
    return [match[1] + match[2]] if match else []


def title_vector(table: str, language: str) -> str:
    """The row's title words alone, kept by PostgreSQL (migration ``kb.0015``) with a GIN
    index: the first tiers of the candidates."""
    return f'"{table}"."search_title_{language}"'


def _tiers(concepts: list[Concept]) -> list[tuple[object, bool]]:
    """Where candidates are looked for, best first: (the vector, all concepts or any)."""
    if len(concepts) == 1:
        return [(title_vector, False), (stored_vector, False)]
    return [
        (title_vector, True),
        (stored_vector, True),
        (title_vector, False),
        (stored_vector, False),
    ]


# Where a tier's condition goes in a kind's candidates query (``_candidates_sql``).
_MATCH = "__search_match__"
_KINDS = (_faults, _symptoms, _procedures, _steps, _faq)


@memoize
def _candidates_sql(kind: int, limit: int) -> tuple[str, list]:
    """A kind's candidates query (its published rows' keys, `limit` at most) with
    `_MATCH` where a tier's condition goes, and its own parameters (they come before the
    condition's): compiled once per process, not per tier of every search (the ORM's compiling
    was a quarter of a search's time at 300 models)."""
    condition = RawSQL(_MATCH, [], BooleanField())
    rows = _KINDS[kind]().filter(condition).order_by().values_list("pk")
    sql, params = rows[:limit].query.sql_with_params()
    assert sql.count(_MATCH) == 1 and "%s" not in sql[sql.index(_MATCH) :], sql
    return sql, list(params)


def search_postgres(concepts: list[Concept]) -> list[Hit]:
    """Full-text search on PostgreSQL over both languages' indexed vectors.

    The candidates of each kind are taken tier by tier (``_tiers``: every concept in the
    title, every concept anywhere, any in the title, any anywhere), each tier at most
    FULL_TEXT_CANDIDATES rows that its GIN index finds, without ranking every match: at 300
    models a common word matches thousands of rows, and ``ts_rank`` over all of them cost
    30–45 ms a table. Every kind's tiers go in one statement; within a tier rows are equals
    until the ranking, and ts_rank (of the active language's vector) is read for the chosen
    rows only, as the ranking's last tie-breaker."""
    language = active()
    tiers = _tiers(concepts)
    queries = {
        (code, every): _tsquery(concepts, code, every)
        for code in SEARCH_CONFIGS
        for every in {every for _, every in tiers}
    }
    kinds = [make() for make in _KINDS]
    selects = []
    for kind, queryset in enumerate(kinds):
        table = queryset.model._meta.db_table
        template, base_params = _candidates_sql(kind, FULL_TEXT_CANDIDATES)
        for tier, (vector, every) in enumerate(tiers):
            match, params = [], []
            for code in SEARCH_CONFIGS:
                tsquery, phrases = queries[(code, every)]
                match.append(f"{vector(table, code)} @@ {tsquery}")
                params += phrases
            sql = template.replace(_MATCH, " OR ".join(match))
            selects.append(
                (
                    f"(SELECT {kind}, {tier}, pk FROM ({sql}) AS t{kind}_{tier}(pk))",
                    base_params + params,
                )
            )
    chosen: dict[str, list[int]] = {queryset.model._meta.db_table: [] for queryset in kinds}
    with connection.cursor() as cursor:  # every kind's tiers in one round trip
        cursor.execute(
            " UNION ALL ".join(sql for sql, _ in selects),
            [param for _, params in selects for param in params],
        )
        for kind, _tier, pk in sorted(cursor.fetchall()):
            pks = chosen[kinds[kind].model._meta.db_table]
            if pk not in pks and len(pks) < FULL_TEXT_CANDIDATES:
                pks.append(pk)

    def matching(queryset, fields):
        table = queryset.model._meta.db_table
        tsquery, phrases = queries[(language, False)]
        rank = RawSQL(
            f"ts_rank({stored_vector(table, language)}, {tsquery})", phrases, FloatField()
        )
        pks = chosen[table]
        found = queryset.filter(pk__in=pks).annotate(rank=rank).in_bulk() if pks else {}
        return [found[pk] for pk in pks]

    return _find(matching, concepts)


# --- the entry points ---


def search(raw: str) -> Results:
    """The ranked hits of an owner's query in the active language (see the module's doc)."""
    text, words, notice = clean_query(raw)
    return _search(text, words, notice, expand(words))


def _search(text, words, notice, concepts) -> Results:
    results = Results(query=text, words=words, concepts=concepts, notice=notice)
    if not words:
        if text:
            results.notice = _(
                "Type a word or two about what happens, for example “frozen”, “fuse” or “key”."
            )
        return results
    if connection.vendor == "postgresql":
        results.backend = "postgresql"
        results.hits = search_postgres(concepts)
        if not results.hits:  # a part of a word ("замерз"), which full-text does not match
            results.hits = search_words(concepts)
    else:
        results.backend = "words"
        results.hits = search_words(concepts)
    return results


def cached_search(raw: str) -> Results:
    """``search``, its results kept per release, content version and language, under what
    the query was cleaned and expanded to: a repeated query (a link, a reload, another page of
    it) costs two cache reads, and an edit of the synonyms retires the results it changes."""
    import hashlib

    from django.core.cache import cache

    from web.release import release_id

    from .content_version import LISTING, content_version

    text, words, notice = clean_query(raw)
    concepts = expand(words)
    kept = repr((text, notice, [(c.typed, c.alternatives) for c in concepts]))
    digest = hashlib.sha256(kept.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    language = get_language()  # results hold the texts of the active language
    key = (
        f"search:{release_id()}:{content_version(LISTING)}:{connection.vendor}:{language}:{digest}"
    )
    results = cache.get(key)
    if results is None:
        results = _search(text, words, notice, concepts)
        cache.set(key, results, timeout=RESULTS_TIMEOUT)
    return results


def search_url(query: str) -> str:
    from urllib.parse import urlencode

    return f"{reverse('kb:search')}?{urlencode({'q': query})}"
