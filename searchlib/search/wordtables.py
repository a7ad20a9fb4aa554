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

__all__ = ["LetterVocabulary", "starting_with", "term_table", "word_tables"]


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

    def terms(self, words: Iterable[str]) -> set[str]:
        """The terms ``words`` stand for: their stems, and themselves when they are terms."""
        words = list(words)
        for letter in {w[:1] for w in words}:
            self.starting(letter)
        out = {t for w in words if (t := self.stem_of.get(w)) is not None}
        out.update(self.own.intersection(words))
        return out
