"""The search index: BM25 over weighted fields, with Swedish stemming, compound splitting,
synonyms, typo tolerance and filters read from the question.

Scores are precomputed per (term, document) at build time, so a query is a handful of dict
look-ups and additions. An index is immutable; a library change builds a new one and swaps it.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from bot.criteria._text import (
    LEVEL_WORDS,
    STOPWORDS,
    SYNONYMS,
    TYPE_WORDS,
    query_words,
    stem,
    synonyms_of,
    words,
)
from bot.criteria.model import AREAS

# How much a match in each field counts.
FIELD_WEIGHTS: dict[str, float] = {
    "name": 3.0,
    "keywords": 2.5,
    "product_group": 2.5,
    "area": 0.4,
    "kravtext": 1.0,
    "motiv": 0.5,
    "verifikat": 0.6,
    "uppfoljning": 0.6,
    # Words the network taught (learning.py): enough to lift a criterion into the hits,
    # less than its own text.
    "learned": 0.8,
}
_K1, _B = 1.2, 0.5
# How much each way of reaching a term counts against the word as typed.
_EXACT, _PART, _SYNONYM, _FUZZY = 1.0, 0.7, 0.8, 0.6
_FILTER_WORD = 0.5
_AREA_BOOST = 1.6
_GUIDE_PENALTY_WITH_AREA = 0.3
_MIN_PART = 3
_PREFIX = 3  # letters of a word's start the lexicon's quick check looks at
# The entries whose words the lexicon learns (what people share and answer is not).
LEXICON_KINDS = frozenset({"criterion", "guide"})
_PREFIX_MIN = 7
_MIN_TAIL = 4
_MIN_HEAD = 4
_GENERIC_TAILS = ("upphandlingen", "upphandling", "kraven", "krav", "kriterier", "kriterium")
_PREFIX_MAX_TERMS = 5
# Query words are analysed once and remembered; the memo is dropped when it grows past this,
# so a stream of made-up words cannot grow the process without end.
_MEMO_LIMIT = 20_000
# Unknown words get a typo or prefix guess, the costliest step: only this many per question.
_MAX_GUESSES = 8


@dataclass(frozen=True)
class Document:
    """One searchable entry: a criterion at one level, a published answer or a guide."""

    id: str  # unique in the index, e.g. "10699/avancerad"
    kind: str  # criterion, answer or guide
    area: str
    fields: dict[str, str]
    level: str = ""
    type: str = ""
    group: str = ""  # entries of one group (a criterion's levels) collapse into one hit
    demoted: bool = False  # withdrawn from the library: ranked after every current match


@dataclass(frozen=True)
class Hit:
    document: Document
    score: float
    coverage: float  # share of the question's terms this document matched
    other_levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    text: str
    terms: dict[str, float]  # index term -> weight
    term_origin: dict[str, str]  # index term -> the question word it came from
    level: str = ""
    type: str = ""
    areas: frozenset[str] = frozenset()


# A term's postings: the documents that have it, and its score in each.
_Posting = tuple[Any, Any]


class SearchIndex:
    def __init__(self, documents: Sequence[Document]) -> None:
        self.documents = list(documents)
        self._lexicon = self._build_lexicon(self.documents)
        self._splits: dict[str, tuple[str, ...]] = {}
        self._word_terms: dict[str, tuple[tuple[str, float], ...]] = {}
        self._area_words = self._build_area_words(self.documents)
        self._postings = self._build_postings(self.documents)
        self._vocabulary = sorted(self._postings)
        self._vocabulary_set = frozenset(self._vocabulary)
        self._build_document_arrays(self.documents)

    # --- building -------------------------------------------------------------------------

    @staticmethod
    def _build_lexicon(documents: Sequence[Document]) -> Lexicon:
        """Known words (and their stems) for compound splitting: the library's own (criteria
        and guides) and the synonyms. What people write (shared items, answers) is searched
        but teaches no words to split by, so it neither slows every later build nor changes
        how the library's words split."""
        lexicon: set[str] = set()
        for document in documents:
            if document.kind not in LEXICON_KINDS:
                continue
            for text in document.fields.values():
                for word in words(text):
                    if len(word) >= _MIN_PART and word not in STOPWORDS:
                        lexicon.add(word)
                        lexicon.add(stem(word))
        hints = [word for words_ in _AREA_HINTS.values() for word in words_]
        for key, targets in [*SYNONYMS.items(), ("", tuple(hints))]:
            for word in (key, *targets) if key else targets:
                lexicon.add(word)
                lexicon.add(stem(word))
        return Lexicon(lexicon)

    def _build_area_words(self, documents: Sequence[Document]) -> dict[str, set[str]]:
        """Stems that point at an area: its name, its product groups, and a few common words."""
        area_words: dict[str, set[str]] = defaultdict(set)
        for slug, name in AREAS.items():
            if slug != "ovrigt":
                area_words[slug].update(self._stems_of(name))
        for document in documents:
            if document.kind == "criterion" and document.area != "ovrigt":
                area_words[document.area].update(self._stems_of(document.fields["product_group"]))
        for slug, extra in _AREA_HINTS.items():
            for word in extra:
                area_words[slug].update(self._stems_of(word))
        # A stem that points at several areas says nothing about which one.
        counts: dict[str, int] = defaultdict(int)
        for stems in area_words.values():
            for s in stems:
                counts[s] += 1
        return {a: {s for s in stems if counts[s] == 1} for a, stems in area_words.items()}

    def _stems_of(self, text: str) -> set[str]:
        found: set[str] = set()
        for word in words(text):
            if word in STOPWORDS:
                continue
            found.add(stem(word))
            parts = self.split_compound(word)
            if parts:
                # Only the last part: it carries the meaning ("skolmat" is mat, not skola).
                found.add(stem(parts[-1]))
        return found

    def _build_postings(self, documents: Sequence[Document]) -> dict[str, _Posting]:
        """Per term: the documents that have it and its BM25 score in each, precomputed."""
        text_terms: dict[str, dict[str, float]] = {}  # levels share most texts: analyse once
        term_freqs: list[dict[str, float]] = []
        lengths: list[float] = []
        for document in documents:
            freqs: dict[str, float] = defaultdict(float)
            length = 0.0
            for name, text in document.fields.items():
                weight = FIELD_WEIGHTS.get(name, 0.0)
                if not weight or not text:
                    continue
                analysed = text_terms.get(text)
                if analysed is None:
                    analysed = text_terms[text] = self._analyse(text)
                for term, count in analysed.items():
                    freqs[term] += weight * count
                    length += weight * count
            term_freqs.append(freqs)
            lengths.append(length)
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        by_term: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for index, freqs in enumerate(term_freqs):
            norm = _K1 * (1 - _B + _B * lengths[index] / average)
            for term, tf in freqs.items():
                docs, saturations = by_term[term]
                docs.append(index)
                saturations.append(tf * (_K1 + 1) / (tf + norm))
        total = len(documents)
        postings: dict[str, _Posting] = {}
        for term, (docs, saturations) in by_term.items():
            idf = math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
            postings[term] = (
                np.asarray(docs, dtype=np.int32),
                np.asarray(saturations, dtype=np.float64) * idf,
            )
        return postings

    def _build_document_arrays(self, documents: Sequence[Document]) -> None:
        """Per-document attributes as arrays, so filters and boosts are vector operations."""
        self._areas = np.asarray([d.area for d in documents], dtype=object)
        self._is_guide = np.asarray([d.kind == "guide" for d in documents], dtype=bool)
        self._kinds = np.asarray([d.kind for d in documents], dtype=object)
        self._demoted = np.asarray([d.demoted for d in documents], dtype=bool)
        self._levels = np.asarray([d.level for d in documents], dtype=object)
        self._types = np.asarray([d.type for d in documents], dtype=object)
        self._area_masks = {area: self._areas == area for area in {d.area for d in documents}}
        group_levels: dict[str, list[str]] = defaultdict(list)
        for document in documents:
            group_levels[document.group or document.id].append(document.level)
        self._group_levels = dict(group_levels)

    def _analyse(self, text: str) -> dict[str, float]:
        counts: dict[str, float] = defaultdict(float)
        for word in words(text):
            for term, factor in self._terms_of_word(word):
                counts[term] += factor
        return counts

    def _terms_of_word(self, word: str) -> tuple[tuple[str, float], ...]:
        terms = self._word_terms.get(word)
        if terms is None:
            if word in STOPWORDS:
                terms = ()
            else:
                parts = self.split_compound(word)
                terms = ((stem(word), _EXACT), *((stem(part), _PART) for part in parts))
            if len(self._word_terms) >= _MEMO_LIMIT:
                self._word_terms.clear()
            self._word_terms[word] = terms
        return terms

    # --- compounds ------------------------------------------------------------------------

    def split_compound(self, word: str) -> tuple[str, ...]:
        parts = self._splits.get(word)
        if parts is None:
            if len(self._splits) >= _MEMO_LIMIT:
                self._splits.clear()
            parts = self._splits[word] = _split(word, self._lexicon)
        return parts

    # --- querying -------------------------------------------------------------------------

    def parse(self, text: str) -> Query:
        terms: dict[str, float] = {}
        origin: dict[str, str] = {}
        level = type_ = ""
        areas: set[str] = set()
        guesses_left = _MAX_GUESSES

        def add(term: str, weight: float, word: str) -> None:
            if term in self._vocabulary_set and weight > terms.get(term, 0.0):
                terms[term] = weight
                origin[term] = word

        for word in query_words(text):
            if word in LEVEL_WORDS or word in TYPE_WORDS:
                # A filter, and a faint search term too: "skillnaden mellan basnivå och
                # spjutspetsnivå" is a question about levels, answered by the process guide.
                level = LEVEL_WORDS.get(word, level)
                type_ = TYPE_WORDS.get(word, type_)
                add(stem(word), _FILTER_WORD, word)
                continue
            if word in STOPWORDS:
                continue
            variants: list[tuple[str, float]] = [(word, _EXACT)]
            variants += [(part, _PART) for part in self.split_compound(word)]
            for base, weight in list(variants):
                variants += [(syn, weight * _SYNONYM) for syn in synonyms_of(base)]
            matched = False
            for variant, weight in variants:
                term = stem(variant)
                for area, stems in self._area_words.items():
                    if term in stems:
                        areas.add(area)
                if term in self._vocabulary_set:
                    add(term, weight, word)
                    matched = True
            if not matched and len(word) >= 5 and guesses_left:
                guesses_left -= 1
                guesses = self._sharing_prefix(word) or self._closest(stem(word))
                for guess in guesses:
                    add(guess, _FUZZY, word)
                    for area, stems in self._area_words.items():
                        if guess in stems:
                            areas.add(area)
        return Query(text, terms, origin, level, type_, frozenset(areas))

    def _closest(self, term: str) -> list[str]:
        """The index term a mistyped word most likely meant ("energieffektva")."""
        match = process.extractOne(term, self._vocabulary, scorer=fuzz.ratio, score_cutoff=80)
        return [] if match is None else [str(match[0])]

    def _sharing_prefix(self, word: str) -> list[str]:
        """Index terms that share a long beginning with an unknown word: "inkontinensskydd"
        finds "inkontinensprodukt". The longest shared prefix wins; at least 7 letters."""
        for length in range(len(word) - 1, _PREFIX_MIN - 1, -1):
            prefix = word[:length]
            start = bisect.bisect_left(self._vocabulary, prefix)
            found = []
            for term in self._vocabulary[start : start + _PREFIX_MAX_TERMS + 1]:
                if not term.startswith(prefix):
                    break
                found.append(term)
            if found:
                return found[:_PREFIX_MAX_TERMS]
        return []

    def search(
        self,
        text: str,
        limit: int = 5,
        kinds: frozenset[str] | None = None,
        area: str | None = None,
    ) -> list[Hit]:
        query = self.parse(text)
        return self.run(query, limit, kinds, area)

    def run(
        self,
        query: Query,
        limit: int = 5,
        kinds: frozenset[str] | None = None,
        area: str | None = None,
    ) -> list[Hit]:
        count = len(self.documents)
        if not count or not query.terms:
            return []
        scores = np.zeros(count)
        question_words = sorted(set(query.term_origin.values()))
        bit_of = {word: 1 << n for n, word in enumerate(question_words)}
        matched = np.zeros(count, dtype=np.int64)
        for term, weight in query.terms.items():
            docs, contributions = self._postings[term]
            scores[docs] += weight * contributions  # a term's documents are distinct
            matched[docs] |= bit_of[query.term_origin[term]]
        for boosted in query.areas:
            mask = self._area_masks.get(boosted)
            if mask is not None:
                scores[mask] *= _AREA_BOOST
        if query.areas:
            scores[self._is_guide] *= _GUIDE_PENALTY_WITH_AREA
        if kinds is not None:
            scores[~np.isin(self._kinds, list(kinds))] = 0.0
        if area is not None:
            scores[self._areas != area] = 0.0
        for values, wanted in ((self._levels, query.level), (self._types, query.type)):
            # A filter applies only when something is left after it.
            if wanted and np.any((values == wanted) & (scores > 0)):
                scores[values != wanted] = 0.0
        return self._top(scores, matched, len(question_words), limit)

    def _top(self, scores: Any, matched: Any, word_count: int, limit: int) -> list[Hit]:
        """The best `limit` hits, one per group (a criterion's levels), best level first."""
        candidates = np.flatnonzero(scores > 0)
        # The order: current entries by score, then demoted (withdrawn) ones by score.
        order = scores - self._demoted * _DEMOTED
        wanted = limit * 4
        while True:
            if len(candidates) > wanted:
                best = candidates[np.argpartition(-order[candidates], wanted - 1)[:wanted]]
            else:
                best = candidates
            ordered = sorted(best.tolist(), key=lambda i: (-order[i], self.documents[i].id))
            hits: list[Hit] = []
            seen: set[str] = set()
            for index in ordered:
                document = self.documents[index]
                group = document.group or document.id
                if group in seen:
                    continue
                seen.add(group)
                coverage = int(matched[index]).bit_count() / word_count
                others = tuple(lv for lv in self._group_levels[group] if lv != document.level)
                hits.append(
                    Hit(document, round(float(scores[index]), 4), round(coverage, 3), others)
                )
                if len(hits) == limit:
                    return hits
            if len(best) == len(candidates):
                return hits
            wanted *= 4  # many levels of few criteria: look further down


_DEMOTED = 1e9  # below any score a current entry can have


class Lexicon(frozenset[str]):
    """The known words, and their first letters: a word whose start no known word shares is
    unknown without stemming it (a Swedish stem is a prefix of its word), which keeps
    splitting long unknown words cheap."""

    prefixes: frozenset[str]

    def __new__(cls, known: set[str]) -> Lexicon:
        lexicon = super().__new__(cls, known)
        lexicon.prefixes = frozenset(word[:_PREFIX] for word in known)
        return lexicon

    def may_know(self, word: str) -> bool:
        starts = self.prefixes
        return word[:_PREFIX] in starts or word[:2] in starts or word[:1] in starts


def _split(word: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Split a compound into known words: "livsmedelsupphandling" -> livsmedel, upphandling.

    Every cut is tried, with a linking s or e allowed after a part, and the tail is split
    again for three-part compounds. Of the splits found, the one with the fewest and longest
    parts wins. Without a full split, the longest known tail stands for the word, since a
    Swedish compound takes its meaning from its last part ("kopieringspapper" is papper);
    without that, the longest known head ("kemikaliekrav" is about kemikalie).
    """
    for generic in _GENERIC_TAILS:
        # "städupphandling", "kemikaliekrav": the head is the topic, the tail says nothing.
        if word.endswith(generic) and len(word) > len(generic) + _MIN_PART:
            head = word[: -len(generic)]
            for candidate in (head, head[:-1]) if head[-1] in "se" else (head,):
                if _known(candidate, lexicon):
                    return (candidate,)
    splits = _splits(word, lexicon, 0, {})
    if splits:
        return min(splits, key=lambda parts: (len(parts), -min(len(p) for p in parts)))
    if _known(word, lexicon):
        return ()  # a word of its own ("kontoret"), not a compound to guess at
    for cut in range(_MIN_PART, len(word) - _MIN_TAIL + 1):
        if _known(word[cut:], lexicon):
            return (word[cut:],)
    # Failing that, a known head names the topic: "avfallshantering" is about avfall.
    for cut in range(len(word) - _MIN_PART, _MIN_HEAD - 1, -1):
        head = word[:cut]
        for candidate in (head, head[:-1]) if head[-1] in "se" else (head,):
            if _known(candidate, lexicon):
                return (candidate,)
    return ()


def _splits(
    word: str,
    lexicon: Lexicon,
    depth: int,
    memo: dict[tuple[str, int], list[tuple[str, ...]]],
) -> list[tuple[str, ...]]:
    """Every split of `word` into known parts; `memo` keeps the work per word quadratic in
    its length (a tail is split once per depth, however many heads lead to it)."""
    if len(word) < 2 * _MIN_PART or depth > 2:
        return []
    done = memo.get((word, depth))
    if done is not None:
        return done
    found: list[tuple[str, ...]] = []
    for cut in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        heads = [head, head[:-1]] if head[-1] in "se" and len(head) > _MIN_PART else [head]
        known_head = next((h for h in heads if _known(h, lexicon)), None)
        if known_head is None:
            continue
        if _known(tail, lexicon):
            found.append((known_head, tail))
        found += [(known_head, *rest) for rest in _splits(tail, lexicon, depth + 1, memo)]
    memo[(word, depth)] = found
    return found


def _known(word: str, lexicon: Lexicon) -> bool:
    return (
        len(word) >= _MIN_PART
        and lexicon.may_know(word)
        and word not in STOPWORDS
        and (word in lexicon or stem(word) in lexicon)
    )


# Words that point at an area beyond its name and product groups (stems are taken of them).
_AREA_HINTS: dict[str, tuple[str, ...]] = {
    "stad-och-kemikalier": ("städ", "städning", "lokalvård", "rengöring", "kemikalie", "cleaning"),
    "fordon-och-transport": (
        "fordon", "bil", "transport", "drivmedel", "buss", "lastbil", "tankning", "vehicle", "fuel",
    ),
    "livsmedel": ("mat", "måltid", "kött", "fisk", "skolmat", "ekologisk", "food", "meal"),
    "it": ("dator", "it", "skärm", "server", "mobiltelefon", "computer"),
    "bygg-och-fastighet": (
        "bygg", "byggnad", "entreprenad", "entreprenör", "anläggning", "betong", "construction",
    ),
    "kontor-och-textil": ("textil", "möbel", "kläder", "kontor", "furniture", "textile"),
    "halso-och-sjukvard": ("vård", "sjukvård", "omsorg", "sjukhus", "patient", "healthcare"),
    "energi": ("energi", "el", "belysning", "lampa", "värme", "electricity", "lighting"),
    "avfall": ("avfall", "återvinning", "sopor", "sortering", "waste", "recycling"),
}  # fmt: skip
