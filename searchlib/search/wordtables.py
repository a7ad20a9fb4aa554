"""Each segment's word and term tables read undecoded, and the words of a snapshot one first
letter at a time.

A first query that needs a few words of the vocabulary (did-you-mean's candidates within two
edits of a typo, the cognates of a word the lexicon lacks) should not decode the whole
vocabulary of every segment. A segment of the file format hands out its sorted string tables
undecoded (:class:`~searchlib.storage.StringTable`: bytes and offsets, as mapped; its
``word_tables`` and ``term_table``); these are kept per segment (segments outlive snapshots),
and a source without such tables (another storage engine behind the seam) gives its decoded
lists, encoded once.

:class:`LetterVocabulary` is :class:`~searchlib.search.expansion.Vocabulary`'s word list (each
segment's words of a language and the terms of its fields, distinct and sorted) made one first
letter at a time, by a binary search of each sorted table for the letter's range: the cognates
of a query word look at the words of two or three letters.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence

import numpy as np

from searchlib.schema import field_name
from searchlib.seam import IndexSource, SegmentSource
from searchlib.storage import StringTable, lower_bound

_REJECT, _ACCEPT, _START = 0, 1, 2

__all__ = [
    "LetterVocabulary",
    "PrefixAutomaton",
    "passing",
    "starting_with",
    "term_table",
    "word_tables",
]


_Tables = dict[str, tuple[StringTable, StringTable | None]]
_cache: weakref.WeakKeyDictionary[SegmentSource, _Tables] = weakref.WeakKeyDictionary()


def word_tables(seg: SegmentSource, lang: str) -> tuple[StringTable, StringTable]:
    """The segment's normalized words of ``lang`` (sorted) and each word's term."""
    tables = _cache.setdefault(seg, {})
    key = f"@words/{lang}"
    found = tables.get(key)
    if found is None:
        maker = getattr(seg, "word_tables", None)  # (an isinstance of a Protocol is slow)
        made = maker(lang) if maker is not None else None
        if made is None:
            words, terms = seg.words(lang)
            pairs = sorted(zip(words, terms, strict=True))
            made = (
                StringTable.of([w for w, _ in pairs], key),
                StringTable.of([t for _, t in pairs], key),
            )
        found = tables[key] = made
    assert found[1] is not None
    return found[0], found[1]


def term_table(seg: SegmentSource, field: str) -> StringTable:
    """The segment's sorted terms of ``field`` (``body.en``)."""
    tables = _cache.setdefault(seg, {})
    found = tables.get(field)
    if found is None:
        maker = getattr(seg, "term_table", None)
        made = maker(field) if maker is not None else None
        if made is None:
            made = StringTable.of(sorted(seg.terms(field)), field)
        found = tables[field] = (made, None)
    return found[0]


def starting_with(table: StringTable, prefix: str) -> np.ndarray:
    """The positions of the strings of a sorted table that start with ``prefix``: a binary
    search of the table's bytes (UTF-8 keeps the order of the characters), nothing decoded."""
    key = prefix.encode("utf-8", "surrogatepass")
    buf, ends, n = table.buf, table.ends, len(table)
    # every string starting with the prefix sorts below prefix + 0xff (no UTF-8 byte)
    first, stop = (lower_bound(buf, ends, k, 0, n) for k in (key, key + b"\xff"))
    return np.arange(first, stop, dtype=np.int64)


class PrefixAutomaton:
    """A test of a string's first bytes: a table of transitions (state x byte -> state) that
    reads at most ``depth`` bytes from state 2; state 0 rejects the string, state 1 accepts
    it, as does the end of the string or of the ``depth`` bytes. Made by its user (the
    cognates' test of a word's start), applied here to a sorted table's range in numpy."""

    __slots__ = ("depth", "table")

    def __init__(self, table: np.ndarray, depth: int) -> None:
        if table.ndim != 2 or table.shape[1] != 256 or table.shape[0] < _START + 1:
            raise ValueError("an automaton's table is states x 256 bytes, from state 2")
        self.table = table
        self.depth = depth


def passing(table: StringTable, lo: int, hi: int, test: PrefixAutomaton) -> np.ndarray:
    """The positions in ``lo..hi`` of the strings of ``table`` that ``test`` does not reject
    (reading their bytes as stored, one byte of every string still undecided at a time)."""
    starts = table.ends[lo:hi]
    stops = table.ends[lo + 1 : hi + 1]
    state = np.full(hi - lo, _START, dtype=np.uint8)
    buf, trans = table.buf, test.table
    live = np.arange(hi - lo)
    for k in range(test.depth):
        live = live[(starts[live] + k < stops[live]) & (state[live] >= _START)]
        if not live.size:
            break
        state[live] = trans[state[live], buf[starts[live] + k]]
    return np.flatnonzero(state != _REJECT) + lo


class LetterVocabulary:
    """The words of ``lang`` a snapshot's segments hold (their normalized words and the terms
    of ``fields``), distinct and sorted, made one first letter at a time, with the terms they
    stand for: the same words and terms as :class:`~searchlib.search.expansion.Vocabulary`
    (a word's stem is that of the last segment holding it)."""

    def __init__(self, reader: IndexSource, lang: str, fields: Sequence[str]) -> None:
        # The segments, not the snapshot: the snapshot's cache holds this (see Vocabulary).
        self.segments = reader.segments
        self.lang = lang
        self.fieldnames = [field_name(f, lang) for f in fields]
        self.stem_of: dict[str, str] = {}
        self.own: set[str] = set()
        self._letters: dict[str, list[str]] = {}
        self._matching: dict[tuple[str, PrefixAutomaton], list[str]] = {}
        self._word_memo: dict[str, tuple[str | None, bool]] = {}

    def starting(self, letter: str) -> list[str]:
        """The sorted words whose first character is ``letter``."""
        found = self._letters.get(letter)
        if found is None:
            stem_of: dict[str, str] = {}
            own: set[str] = set()
            for seg in self.segments:
                words, terms = word_tables(seg, self.lang)
                at = starting_with(words, letter)
                stem_of.update(zip(words.strings_at(at), terms.strings_at(at), strict=True))
                for fname in self.fieldnames:
                    table = term_table(seg, fname)
                    own.update(table.strings_at(starting_with(table, letter)))
            self.stem_of.update(stem_of)
            self.own |= own
            found = self._letters[letter] = sorted(own.union(stem_of))
        return found

    def matching(self, letter: str, test: PrefixAutomaton) -> list[str]:
        """The sorted words of :meth:`starting` that ``test`` does not reject, found without
        decoding the others (kept per letter and test)."""
        key = (letter, test)
        found = self._matching.get(key)
        if found is None:
            if letter in self._letters:
                words_of = self._letters[letter]
                ranges = [StringTable.of(words_of, "letter")]
                tables = [(t, False) for t in ranges]
            else:
                tables = []
                for seg in self.segments:
                    tables.append((word_tables(seg, self.lang)[0], True))
                    tables.extend((term_table(seg, f), True) for f in self.fieldnames)
            out: set[str] = set()
            for table, bounded in tables:
                if bounded:
                    at = starting_with(table, letter)
                    lo, hi = (int(at[0]), int(at[-1]) + 1) if at.size else (0, 0)
                else:
                    lo, hi = 0, len(table)
                if hi > lo:
                    out.update(table.strings_at(passing(table, lo, hi, test)))
            found = self._matching[key] = sorted(out)
        return found

    def terms(self, words: Iterable[str]) -> set[str]:
        """The terms ``words`` stand for: their stems, and themselves when they are terms
        (each word looked up in each segment's tables unless its letter is decoded)."""
        out: set[str] = set()
        for w in dict.fromkeys(words):
            if w[:1] in self._letters:
                stem, own = self.stem_of.get(w), w in self.own
            else:
                stem, own = self._word_terms(w)
            if stem is not None:
                out.add(stem)
            if own:
                out.add(w)
        return out

    def _word_terms(self, word: str) -> tuple[str | None, bool]:
        """The stem of ``word`` (the last segment's holding it) and whether it is a term of
        the fields, by a binary search of each segment's tables (kept per word)."""
        found = self._word_memo.get(word)
        if found is None:
            key = word.encode("utf-8", "surrogatepass")
            stem: str | None = None
            own = False
            for seg in self.segments:
                words, terms = word_tables(seg, self.lang)
                at = _position(words, key)
                if at >= 0:
                    stem = terms.strings_at(np.array([at], dtype=np.int64))[0]
                if not own:
                    own = any(_position(term_table(seg, f), key) >= 0 for f in self.fieldnames)
            found = self._word_memo[word] = (stem, own)
        return found


def _position(table: StringTable, key: bytes) -> int:
    """The position of the string of bytes ``key`` in a sorted table, or -1."""
    n = len(table)
    at = lower_bound(table.buf, table.ends, key, 0, n)
    if at < n and table.buf[table.ends[at] : table.ends[at + 1]].tobytes() == key:
        return at
    return -1
