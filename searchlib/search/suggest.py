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
   words of 3-4 letters, 2 from 5 letters (shorter words are never corrected); a word two edits
   away must start with the query word's first letter (one edit may still mend that letter:
   ``Jumala`` -> ``Humala``; ``ñandú`` does not become ``hand``, nor ``nuevo`` ``evo``: Lucene's
   DirectSpellChecker asks every candidate to keep the first letter). The distance is
   the optimal string alignment distance (an adjacent transposition is one edit: ``Colombai``),
   computed by rapidfuzz for the words a numpy filter over each segment's undecoded word
   lists lets through (length in reach, few letters not shared: :class:`_WordList`).
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
from searchlib.search.cache import snapshot_cache
from searchlib.search.wordtables import term_table, word_tables
from searchlib.storage import SIGNATURE_OTHER, StringTable

__all__ = [
    "DF_WEIGHT",
    "MAX_CANDIDATES",
    "MAX_WORDS",
    "MAX_WORD_LENGTH",
    "SAMPLE_DOCS",
    "osa_distances",
    "suggest",
]

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
_MARKS_AFTER = frozenset(":*?~")  # a word right before one: a field's name or a pattern
_MARKS_BEFORE = frozenset("*?")  # right after one: a pattern
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
    :func:`_surface`), a word taking the term of its first list in that order. Each list is
    filtered in numpy without decoding it (:class:`_WordList`: lengths in reach, letters in
    common), and the distance of the few words left computed at once (:func:`osa_distances`).
    """
    signature = int(StringTable.of([norm], "query").signatures()[0])
    term_of: dict[str, str] = {}
    for seg in reader.segments:
        for words in _word_lists(seg, lang, fields):
            found, terms = words.in_reach(norm, signature, limit)
            for word, term in zip(found, terms, strict=True):
                term_of.setdefault(word, term)
    distances = osa_distances(norm, list(term_of), limit).tolist()
    return {
        word: (distance, term)
        for (word, term), distance in zip(term_of.items(), distances, strict=True)
        if 0 < distance <= limit
    }


def osa_distances(word: str, others: Sequence[str], limit: int) -> np.ndarray:
    """The optimal string alignment distance (Levenshtein plus adjacent transpositions, no
    substring edited twice: rapidfuzz's ``OSA``) of ``word`` to each of ``others``, or
    ``limit + 1`` where it is more than ``limit``.

    One dynamic programme for all of them in numpy (a row of cells per character of ``word``,
    each cell a vector over ``others``), over the diagonal band ``|i - j| <= limit`` only: a
    cell outside it is more than ``limit`` edits. ``others`` are compared as code points,
    padded with 0 (a character no word holds).
    """
    n, m = len(others), len(word)
    cap = limit + 1
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    width = max(1, max(map(len, others)))
    b = np.array(others, dtype=f"<U{width}").view(np.uint32).reshape(n, width).T
    a = [ord(c) for c in word]
    # d[i][j]: distance of word[:i] to other[:j], capped at ``cap``
    d = np.full((m + 1, width + 1, n), cap, dtype=np.int16)
    for j in range(min(width, limit) + 1):
        d[0, j] = j
    for i in range(1, min(m, limit) + 1):
        d[i, 0] = i
    for i in range(1, m + 1):
        for j in range(max(1, i - limit), min(width, i + limit) + 1):
            cell = np.minimum(d[i - 1, j], d[i, j - 1]) + 1
            np.minimum(cell, d[i - 1, j - 1] + (b[j - 1] != a[i - 1]), out=cell)
            if i > 1 and j > 1 and a[i - 1] != a[i - 2]:
                swapped = (b[j - 2] == a[i - 1]) & (b[j - 1] == a[i - 2])
                np.minimum(cell, np.where(swapped, d[i - 2, j - 2] + 1, cap), out=cell)
            np.minimum(cell, cap, out=d[i, j])
    lengths = np.fromiter(map(len, others), dtype=np.int64, count=n)
    out: np.ndarray = d[m, lengths, np.arange(n)].astype(np.int64)
    return out


_BEYOND_ASCII = np.uint32(1 << SIGNATURE_OTHER)
"""The signature bit of every byte from 0x80: a word without it is ASCII."""


class _WordList:
    """One candidate list of a segment (its words of a language and their terms, or the terms
    of a field), undecoded, with each string's size in bytes and letter bits
    (:func:`~searchlib.storage.string_signatures`: stored beside the table at commit).

    A word within ``limit`` edits of the query word is at most ``limit`` characters longer or
    shorter, and each edit brings in or takes out at most one character (a transposition
    none): so at most ``limit`` of the word's distinct characters are missing from the query
    word, and at most ``limit`` of the query word's from the word, each counted by a bit
    present in one signature only. Both are necessary, so the filter never drops a word in
    reach; it keeps a few hundred of a segment's tens of thousands. A word's bytes are its
    characters when it is ASCII, and no fewer otherwise.
    """

    __slots__ = ("signatures", "terms", "words")

    def __init__(self, words: StringTable, terms: StringTable | None) -> None:
        self.words = words
        self.terms = terms
        self.signatures = words.signatures()

    def in_reach(self, norm: str, signature: int, limit: int) -> tuple[list[str], list[str]]:
        """The words that may be within ``limit`` edits of ``norm`` (whose letter bits are
        ``signature``), and their terms.

        With ``extra`` and ``lacking`` the bits of a word not in ``norm``'s and of ``norm``
        not in the word's, and ``common`` the characters both hold (as multisets): the word
        has at least ``extra`` characters not in ``common``, so ``len(word) - common >=
        max(extra, lacking + len(word) - len(norm))``, and ``len(norm) - common`` likewise;
        an edit lowers either by one at most. The word's length is its bytes when it is
        ASCII; a longer word beyond ASCII is kept on its letters alone.

        ``extra <= limit`` and ``lacking <= limit`` are tested first, over the whole list
        (few words have at most two letters outside a word's and lack at most two of its):
        the tests of lengths only on the words they keep."""
        sig = np.uint32(signature)
        n = len(norm)
        every = self.signatures
        shared = int(np.bitwise_count(sig)) - limit  # bits of norm a word holds, at least
        # (the first test over the whole list, the second over the few words it keeps)
        at = np.flatnonzero(np.bitwise_count(every & ~sig) <= limit)
        at = at[np.bitwise_count(every[at] & sig) >= shared]
        signatures = every[at]
        # sizes in bytes up to _SIZE_CAP (a longer string is out of any query word's reach),
        # in 16 bits: the filter's arithmetic runs on small integers, never negative
        ends = self.words.ends
        size = np.minimum(ends[at + 1] - ends[at], _SIZE_CAP).astype(np.uint16)
        extra = np.bitwise_count(signatures & ~sig).astype(np.uint16)
        lacking = np.bitwise_count(~signatures & sig).astype(np.uint16)
        keep = size + limit >= n
        # ASCII: lacking + (size - n) <= limit and extra - (size - n) <= limit
        beyond = (signatures & _BEYOND_ASCII) != 0
        keep &= beyond | ((lacking + size <= limit + n) & (extra + n <= size + limit))
        at = at[keep]
        words = self.words.strings_at(at)
        return words, words if self.terms is None else self.terms.strings_at(at)


_SIZE_CAP = 1024
"""Sizes in bytes are kept up to this (far beyond :data:`MAX_WORD_LENGTH` plus its limit)."""


_word_list_cache: weakref.WeakKeyDictionary[SegmentSource, dict[str, _WordList]] = (
    weakref.WeakKeyDictionary()
)


def _word_lists(seg: SegmentSource, lang: str, fields: Sequence[str]) -> list[_WordList]:
    """The candidate lists of a segment, in order: its words of ``lang``, then the terms of
    each of ``fields`` in ``lang``; made once per segment (segments outlive snapshots)."""
    cache = _word_list_cache.setdefault(seg, {})
    out = []
    for key in (f"@words/{lang}", *(field_name(f, lang) for f in fields)):
        found = cache.get(key)
        if found is None:
            found = cache[key] = _word_list(seg, lang, key)
        out.append(found)
    return out


def _word_list(seg: SegmentSource, lang: str, key: str) -> _WordList:
    if key.startswith("@words/"):
        return _WordList(*word_tables(seg, lang))
    return _WordList(term_table(seg, key), None)


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
            if distance > 1 and candidate[0] != norm[0]:
                continue  # two edits away and another first letter: too far to mean it
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
    scopes: list[tuple[int, int, str]] = []
    if ":" not in text:
        return scopes  # (most queries: no field)
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
    end = 0
    for word in TOKEN_RE.findall(text):
        # (where the match is: between two matches no character could start one, so the
        # word's first occurrence after the previous one is where it matched)
        start = text.find(word, end)
        end = start + len(word)
        if word in _OPERATORS or (not word.isalpha() and not any(c.isalpha() for c in word)):
            continue
        if text[end : end + 1] in _MARKS_AFTER or text[start - 1 : start] in _MARKS_BEFORE:
            continue
        fields: tuple[str, ...] = TEXT_FIELDS
        # the innermost field whose value holds the word
        inner = max((s for s in scopes if s[0] <= start < s[1]), default=None) if scopes else None
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
    cached = snapshot_cache(reader).known_words  # (_known's table, read here once)
    asked = tuple(langs)
    for start, end, word, fields in _plain_words(text):
        key = (word.lower(), fields)
        if key not in known:
            found = cached.get((word, asked, fields))
            known[key] = _known(reader, word, langs, fields) if found is None else found
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
