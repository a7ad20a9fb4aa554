"""Per-snapshot work of the search layer, kept as long as the snapshot it was computed for.

An index snapshot (:class:`~searchlib.seam.IndexSource`) never changes, so what a search
derives from it (idf values, length norms, each term's BM25F impacts, the vocabularies prefix,
wildcard and fuzzy terms expand over, did-you-mean suggestions, the twin links) stays valid as
long as the snapshot does. :func:`snapshot_cache` gives the one :class:`SnapshotCache` of a
snapshot; it is dropped with the snapshot (a weak reference), so storage holds no state of the
search layer.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from searchlib.seam import IndexSource, Postings

if TYPE_CHECKING:
    from searchlib.search.cognates import CognateTable
    from searchlib.search.expansion import Vocabulary

__all__ = ["IMPACT_CACHE_POSTINGS", "WORD_TABLE_SIZE", "SnapshotCache", "snapshot_cache"]

IMPACT_CACHE_POSTINGS = 20_000_000
"""Postings whose BM25F impacts a snapshot keeps cached (about 12 bytes each, 16 index-wide),
the entries of the word tables' own arrays counted with them (see
:meth:`SnapshotCache.remember_word`)."""

WORD_TABLE_SIZE = 50_000
"""Entries of one of a snapshot's word tables (:attr:`SnapshotCache.words`)."""


@attrs.define(eq=False)
class SnapshotCache:
    """What searches computed from one snapshot, by kind (see the module docstring)."""

    idf: dict[tuple[Any, ...], float] = attrs.Factory(dict)
    """idf of a term group, keyed (lang, fields, terms, both-languages statistics)."""
    norms: dict[tuple[Any, ...], np.ndarray] = attrs.Factory(dict)
    """BM25F length norms, keyed (segment, field, b, weight)."""
    impacts: dict[tuple[Any, ...], Postings | None] = attrs.Factory(dict)
    """(doc numbers, scores before the boost) of a term group or phrase in one segment; None
    when it matches nothing there."""
    impacts_size: int = 0
    """Postings held in :attr:`impacts`, plus the entries of the arrays the word tables
    (:attr:`words`) hold of their own (see :meth:`remember_word`): bounded together by
    :data:`IMPACT_CACHE_POSTINGS`."""
    words: dict[tuple[Any, ...], dict[Any, Any]] = attrs.Factory(dict)
    """Per (kind, languages, fields, BM25F), what a query word, or a query's part built from
    words, gives (see :meth:`~searchlib.search.context.SearchContext.word_table`), by kind:

    - ``"hits"``: a word's index-wide impacts, one (docs, scores) per language that matches it
      (the arrays of :attr:`impacts`, nothing of their own);
    - ``"best"``: a word's best score (a float);
    - ``"within <lang>"``: whether every document a word matches is in ``<lang>`` (a bool);
    - ``"concept docs"``: per concept of a cross-lingual query (its terms and its
      translation's groups), the index-wide documents any of them matches, sorted, each once
      (None: none): the array of :attr:`impacts` when one term matches, else an int32 array
      of its own, counted in :attr:`impacts_size` (:meth:`remember_word`);
    - ``"entries held"``: per (lexicon entry's translations, fields), the term groups of the
      translation that documents hold, with their shares;
    - ``"cognates"``: per (word, target language, fields), the groups of its cognates or its
      spelling in the other language that documents hold, and which it was.

    Each table holds at most :data:`WORD_TABLE_SIZE` entries (emptied when full) and every
    table is emptied with :attr:`impacts` (their arrays are its, or counted with it)."""
    words_held: dict[tuple[Any, ...], int] = attrs.Factory(dict)
    """Per key of :attr:`words`, the entries of the arrays its table holds of its own
    (counted in :attr:`impacts_size`)."""
    vocabularies: dict[tuple[str, tuple[str, ...]], Vocabulary] = attrs.Factory(dict)
    """The words multi-term leaves expand over, per (lang, fields)."""
    cognates: dict[tuple[str, tuple[str, ...]], CognateTable] = attrs.Factory(dict)
    """Cross-lingual cognates of a vocabulary, per (lang, index fields)."""
    suggestions: dict[tuple[str, tuple[str, ...], tuple[str, ...]], str | None] = attrs.Factory(
        dict
    )
    """The did-you-mean word of an unknown word (None: none), per (word, langs, fields)."""
    known_words: dict[tuple[str, tuple[str, ...], tuple[str, ...]], bool] = attrs.Factory(dict)
    """Whether a query's word is known to the index (did-you-mean), per (word, langs, fields)."""
    twins: dict[str, str] | None = None
    """The twin links (id -> the other language's id), loaded or computed once."""
    twin_partners: tuple[np.ndarray, np.ndarray] | None = None
    """(segment offsets, partner) of the twin links as arrays."""
    lang_masks: dict[tuple[str, str], np.ndarray | None] = attrs.Factory(dict)
    """Per (segment name, language): which documents are in that language (None: none)."""
    twinned: dict[str, np.ndarray | None] = attrs.Factory(dict)
    """Per segment name: which documents have a twin (None: none has)."""
    whole: dict[tuple[Any, ...], Any] = attrs.Factory(dict)
    """Index-wide arrays (documents numbered across segments, see
    :meth:`~searchlib.search.context.SearchContext.offsets`): segment offsets, which documents
    are live, in a language, twinned."""

    def remember_impacts(self, key: tuple[Any, ...], value: Postings | None) -> None:
        """Cache a term group's impacts, within a bound on the postings held."""
        self._make_room(0 if value is None else int(value[0].size))
        self.impacts[key] = value

    def remember_word(self, key: tuple[Any, ...], word: Any, value: Any, size: int) -> None:
        """Keep what ``word`` gives in the word table ``key`` of :attr:`words`; ``size``: the
        entries of the arrays ``value`` holds of its own (not :attr:`impacts`'s), counted with
        the postings of :attr:`impacts` (each as one: an int32 is 4 bytes of a posting's 12)
        within :data:`IMPACT_CACHE_POSTINGS`. A table full (:data:`WORD_TABLE_SIZE` entries)
        is emptied first, and what it counted taken off."""
        table = self.words.setdefault(key, {})
        if len(table) >= WORD_TABLE_SIZE:
            table.clear()
            self.impacts_size -= self.words_held.pop(key, 0)
        if size:
            self._make_room(size)
            self.words_held[key] = self.words_held.get(key, 0) + size
        table[word] = value

    def _make_room(self, size: int) -> None:
        """Count ``size`` more entries, everything counted dropped first when they would go
        over :data:`IMPACT_CACHE_POSTINGS`."""
        held = self.impacts_size + size
        if held > IMPACT_CACHE_POSTINGS:
            self.impacts.clear()
            for table in self.words.values():
                table.clear()
            self.words_held.clear()
            held = size
        self.impacts_size = held


_CACHES: weakref.WeakKeyDictionary[IndexSource, SnapshotCache] = weakref.WeakKeyDictionary()


def snapshot_cache(source: IndexSource) -> SnapshotCache:
    """The cache of ``source`` (made on first use, dropped with the snapshot)."""
    cache = _CACHES.get(source)
    if cache is None:
        cache = _CACHES[source] = SnapshotCache()
    return cache
