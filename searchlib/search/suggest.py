"""Did-you-mean: a corrected query when a query word is unknown to the index.

:func:`suggest` looks at the plain words of a query (operators ``AND``/``OR``/``NOT``/
``ANDNOT``/``ANDMAYBE``/``TO``, field names (aliases too), values of column fields such as
``lang:`` or ``countries:``, prefix/wildcard/fuzzy words and numbers are left alone), each on its
own, so every unknown word of a multi-word query is corrected. A word is *unknown* when its
analysed term has document frequency 0 in every text field (title, body, teaser) of every
language searched; stop words count as known. The names of an ``author:`` clause are compared
with the bylines instead (``author:ramsy`` -> ``author:ramsey``).

For an unknown word, in each language:

1. **Candidates** are the words the index saw (each segment keeps its normalized words and
   their terms, names included) within the edit limit of the normalized query word: 1 edit for
   words of 3-4 letters, 2 from 5 letters (shorter words are never corrected). The distance is
   the optimal string alignment distance (an adjacent transposition is one edit: ``Colombai``),
   computed by rapidfuzz over a segment's whole vocabulary at once.
2. **Ranking** weighs the distance against how common the candidate is: the cost is the
   distance minus ``log10(df) / DF_WEIGHT`` (df: documents holding the candidate's term in the
   text fields), so a further word wins only when it is :data:`DF_WEIGHT` orders of magnitude
   more common per extra edit; ties go to the more common, then the alphabetically first word.
3. **Surface form.** The best word replaces the query word with its accents as written in the
   documents (``erradicasion`` -> ``erradicación``: a few documents holding the term are
   tokenized, cached per segment) and its case following the query word's (``Humla`` ->
   ``Humala``, ``humla`` -> ``humala``).

The work only happens for unknown words.
"""

from __future__ import annotations

import math
import re
import weakref
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from searchlib.analysis import get_analyzer
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.schema import (
    AUTHOR_FIELD,
    FIELD_ALIASES,
    FILTER_FIELDS,
    STORED_KEYS,
    TEXT_FIELDS,
    field_name,
)
from searchlib.seam import IndexSource, SegmentSource
from searchlib.search.cache import Candidates, snapshot_cache

__all__ = ["DF_WEIGHT", "MAX_CANDIDATES", "MAX_WORDS", "MAX_WORD_LENGTH", "SAMPLE_DOCS", "suggest"]

DF_WEIGHT = 3.0
"""Orders of magnitude of document frequency one edit is worth when ranking candidates."""

SAMPLE_DOCS = 5
"""Documents read to find how a candidate word is written (accents), or that it is a stem."""

MAX_WORDS = 8
"""Most distinct unknown words of one query that are looked up."""

MAX_CANDIDATES = 12
"""Best-ranked candidates checked against the documents before giving up."""

MAX_WORD_LENGTH = 40
"""Longest word corrected: a longer one is no misspelt word of the index (a pasted token, a
hostile query), and comparing it with the whole vocabulary costs in proportion to its length."""

_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
_FIELD = re.compile(r"(?<!\w)(\w+):")
_AUTHOR_FIELDS = (AUTHOR_FIELD,)

_surfaces: weakref.WeakKeyDictionary[
    SegmentSource, dict[tuple[str, str, tuple[str, ...]], Counter[str]]
] = weakref.WeakKeyDictionary()


def _limit(norm: str) -> int:
    if len(norm) < 3 or len(norm) > MAX_WORD_LENGTH:
        return 0
    return 1 if len(norm) <= 4 else 2


def _is_known(
    reader: IndexSource, word: str, langs: Sequence[str], fields: Sequence[str] = TEXT_FIELDS
) -> bool:
    for lang in langs:
        term = get_analyzer(lang).term(word)
        if not term:
            return True  # a stop word
        if any(reader.doc_freq(field_name(f, lang), term) for f in fields):
            return True
    return False


def _known(reader: IndexSource, word: str, langs: Sequence[str], fields: tuple[str, ...]) -> bool:
    """:func:`_is_known`, kept in the snapshot's cache (it depends on the snapshot only)."""
    cache = snapshot_cache(reader).known_words
    key = (word, tuple(langs), fields)
    found = cache.get(key)
    if found is None:
        found = _is_known(reader, word, langs, fields)
        if len(cache) >= MAX_CACHED_SUGGESTIONS:
            cache.clear()
        cache[key] = found
    return found


def _field_text(doc: Mapping[str, object], field: str) -> str:
    value = doc.get(STORED_KEYS.get(field, field))
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def _surface(
    reader: IndexSource, lang: str, word: str, term: str, fields: tuple[str, ...] = TEXT_FIELDS
) -> str | None:
    """``word`` (normalized) as the documents holding ``term`` write it (with its accents), or
    None when none of the documents read has it: ``word`` is then a stem, not a word."""
    analyzer = get_analyzer(lang)
    for seg in reader.segments:
        cache = _surfaces.setdefault(seg, {})
        found = cache.get((lang, word, fields))
        if found is None:
            found = Counter()
            for field in fields:
                postings = seg.postings(field_name(field, lang), term)
                if postings is None:
                    continue
                for docnum in postings[0][:SAMPLE_DOCS].tolist():
                    text = _field_text(seg.stored(int(docnum)), field)
                    found.update(
                        w.lower() for w in TOKEN_RE.findall(text) if analyzer.normalize(w) == word
                    )
                if found:
                    break
            cache[(lang, word, fields)] = found
        if found:
            return min(found.items(), key=lambda item: (-item[1], item[0]))[0]
    return None


def _near(
    reader: IndexSource, lang: str, norm: str, limit: int, fields: Sequence[str] = TEXT_FIELDS
) -> dict[str, tuple[int, str]]:
    """Words of ``lang`` within ``limit`` edits of ``norm``: word -> (distance, term).

    Candidates are each segment's stemmed words and the terms that may be words of their own
    (names, numbers, unstemmed words; the stems among them are weeded out by
    :func:`_surface`), matched in C over the snapshot's distinct candidates
    (:func:`_candidates`).
    """
    from rapidfuzz import process  # imported by the first suggestion only
    from rapidfuzz.distance import OSA

    near: dict[str, tuple[int, str]] = {}
    lo, hi = max(1, len(norm) - limit), len(norm) + limit
    by_length = _candidates(reader, lang, tuple(fields), lo, hi)
    for length in range(lo, hi + 1):
        words, terms = by_length.get(length, ((), ()))
        found = process.extract(norm, words, scorer=OSA.distance, score_cutoff=limit, limit=None)
        near.update((word, (int(distance), terms[i])) for word, distance, i in found if distance)
    return near


def _candidates(
    reader: IndexSource, lang: str, fields: tuple[str, ...], lo: int, hi: int
) -> Candidates:
    """Every candidate word of ``lang`` once, with its term, grouped by length (a word more
    than ``limit`` letters longer or shorter is more than ``limit`` edits away): each
    segment's stemmed words, then the terms of its ``fields`` that may be words of their
    own, a word taking the term of its first list in that order. Kept per reader snapshot
    (segments share most words) and made one length at a time, when a word in reach of it
    is first looked up: the lengths ``lo..hi`` are there on return, only the words of those
    lengths decoded (a segment's :meth:`words_of_length`, when it has one), so a lookup is
    one pass in C over the distinct words of the lengths in reach."""
    out = snapshot_cache(reader).suggest_candidates.setdefault((lang, fields), {})
    missing = {n for n in range(lo, hi + 1) if n not in out}
    if not missing:
        return out
    lo, hi = min(missing), max(missing)
    words: list[str] = []
    terms: list[str] = []
    for seg in reader.segments:
        if isinstance(seg, _BandSource):
            seg_words, seg_terms = seg.words_of_length(lang, lo, hi)
        else:
            all_words, all_terms = seg.words(lang)
            at = [i for i, w in enumerate(all_words) if lo <= len(w) <= hi]
            seg_words, seg_terms = [all_words[i] for i in at], [all_terms[i] for i in at]
        words += seg_words
        terms += seg_terms
        for f in fields:
            if isinstance(seg, _BandSource):
                own = seg.terms_of_length(field_name(f, lang), lo, hi)
            else:
                own = [t for t in seg.terms(field_name(f, lang)) if lo <= len(t) <= hi]
            words += own
            terms += own
    # the first list holding a word gives its term: built backwards, the last write wins
    term_of = dict(zip(reversed(words), reversed(terms), strict=True))
    # grouped by length in numpy (object arrays of the same str objects), not word by word
    distinct = np.array(list(term_of), dtype=object)
    their_terms = np.array(list(term_of.values()), dtype=object)
    lengths = np.fromiter(map(len, term_of), dtype=np.int64, count=len(term_of))
    for n in missing:
        same = lengths == n
        out[n] = (distinct[same].tolist(), their_terms[same].tolist())
    return out


@runtime_checkable
class _BandSource(Protocol):
    """A segment that decodes only the words and terms of a band of lengths
    (:class:`searchlib.index.segment.SegmentReader`)."""

    def words_of_length(self, lang: str, lo: int, hi: int) -> tuple[list[str], list[str]]: ...

    def terms_of_length(self, field: str, lo: int, hi: int) -> list[str]: ...


def _best_word(
    reader: IndexSource, word: str, langs: Sequence[str], fields: tuple[str, ...] = TEXT_FIELDS
) -> str | None:
    """The known word closest to the unknown ``word`` (in ``fields``), as written in the
    documents, or None. It depends on the snapshot only: kept in its cache (a search of the
    same unknown word, a name the index does not hold, does not look again)."""
    cache = snapshot_cache(reader).suggestions
    key = (word, tuple(langs), fields)
    if key in cache:
        return cache[key]
    found = _closest_word(reader, word, langs, fields)
    if len(cache) >= MAX_CACHED_SUGGESTIONS:
        cache.clear()
    cache[key] = found
    return found


MAX_CACHED_SUGGESTIONS = 10_000
"""Unknown words whose suggestion a snapshot keeps (then it starts again)."""


def _closest_word(
    reader: IndexSource, word: str, langs: Sequence[str], fields: tuple[str, ...]
) -> str | None:
    ranked: list[tuple[float, int, str, str, str]] = []
    for lang in langs:
        norm = get_analyzer(lang).normalize(word)
        limit = _limit(norm)
        if not limit or not norm.isalpha():
            continue
        for candidate, (distance, term) in _near(reader, lang, norm, limit, fields).items():
            df = sum(reader.doc_freq(field_name(f, lang), term) for f in fields)
            if df:
                cost = distance - math.log10(df) / DF_WEIGHT
                ranked.append((cost, -df, candidate, lang, term))
    for _, _, candidate, lang, term in sorted(ranked)[:MAX_CANDIDATES]:
        surface = _surface(reader, lang, candidate, term, fields)
        if surface is not None:
            return surface
    return None


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _field_scopes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, field) of each ``field:`` value in ``text``: a word, a quoted phrase or a
    parenthesised group (``author:"geoffrey ramsey"``, ``lang:(es)``), field names lowercased
    and aliases resolved."""
    scopes = []
    for m in _FIELD.finditer(text):
        name = m.group(1).lower()
        start = end = m.end()
        if text[start : start + 1] == '"':
            close = text.find('"', start + 1)
            end = len(text) if close < 0 else close
        elif text[start : start + 1] == "(":
            depth = 0
            while end < len(text):
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                if depth == 0:
                    break
                end += 1
        else:
            while end < len(text) and not text[end].isspace() and text[end] not in '()"':
                end += 1
        scopes.append((start, end, FIELD_ALIASES.get(name, name)))
    return scopes


def _plain_words(text: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """(start, end, word, fields) of the words of a query that name content (see the module
    docstring): the text fields' words, and the names of ``author:`` (or ``authors:``) values,
    compared with the bylines'. Values of the other column fields are left alone."""
    out: list[tuple[int, int, str, tuple[str, ...]]] = []
    scopes = _field_scopes(text)
    for m in TOKEN_RE.finditer(text):
        word, start, end = m.group(), m.start(), m.end()
        if word in _OPERATORS or not any(c.isalpha() for c in word):
            continue
        if text[end : end + 1] in (":", "*", "?", "~") or text[start - 1 : start] in ("*", "?"):
            continue
        fields: tuple[str, ...] = TEXT_FIELDS
        # the innermost field whose value holds the word
        inner = max((s for s in scopes if s[0] <= start < s[1]), default=None)
        if inner is not None:
            if inner[2] == AUTHOR_FIELD:
                fields = _AUTHOR_FIELDS
            elif inner[2] in FILTER_FIELDS:
                continue
        out.append((start, end, word, fields))
    return out


def suggest(reader: IndexSource, text: str, langs: Sequence[str]) -> str | None:
    """``text`` with each unknown word replaced by the closest known word, or None.

    None when every word is known (or is not a plain word) or no unknown word has a close
    known word. Words are compared in each language of ``langs`` ("en", "es"). A word
    repeated is looked up once, and only the first :data:`MAX_WORDS` distinct unknown words
    are (a pasted paragraph keeps the rest as written).
    """
    parts: list[str] = []
    pos = 0
    changed = False
    known: dict[tuple[str, tuple[str, ...]], bool] = {}
    better_of: dict[tuple[str, tuple[str, ...]], str | None] = {}
    for start, end, word, fields in _plain_words(text):
        key = (word.lower(), fields)
        if key not in known:
            known[key] = _known(reader, word, langs, fields)
        if known[key]:
            continue
        if key not in better_of:
            if len(better_of) >= MAX_WORDS:
                continue
            better_of[key] = _best_word(reader, word, langs, fields)
        better = better_of[key]
        if better is None:
            continue
        parts.append(text[pos:start])
        parts.append(_match_case(word, better))
        pos = end
        changed = True
    if not changed:
        return None
    parts.append(text[pos:])
    return "".join(parts)
