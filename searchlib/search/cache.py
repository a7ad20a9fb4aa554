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

__all__ = ["IMPACT_CACHE_POSTINGS", "SnapshotCache", "snapshot_cache"]

IMPACT_CACHE_POSTINGS = 20_000_000
"""Postings whose BM25F impacts a snapshot keeps cached (about 12 bytes each, 16 index-wide)."""


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
    """Postings held in :attr:`impacts` (bounded by :data:`IMPACT_CACHE_POSTINGS`)."""
    words: dict[tuple[Any, ...], dict[Any, Any]] = attrs.Factory(dict)
    """Per (kind, languages, fields, BM25F), what a query word gives (see
    :meth:`~searchlib.search.context.SearchContext.word_table`): its index-wide impacts
    (``"hits"``, the arrays of :attr:`impacts`, emptied with it) and its best score
    (``"best"``)."""
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
        size = 0 if value is None else int(value[0].size)
        held = self.impacts_size + size
        if held > IMPACT_CACHE_POSTINGS:
            self.impacts.clear()
            for table in self.words.values():
                table.clear()
            held = size
        self.impacts_size = held
        self.impacts[key] = value


_CACHES: weakref.WeakKeyDictionary[IndexSource, SnapshotCache] = weakref.WeakKeyDictionary()


def snapshot_cache(source: IndexSource) -> SnapshotCache:
    """The cache of ``source`` (made on first use, dropped with the snapshot)."""
    cache = _CACHES.get(source)
    if cache is None:
        cache = _CACHES[source] = SnapshotCache()
    return cache
