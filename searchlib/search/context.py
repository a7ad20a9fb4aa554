"""What one search needs beyond the query: the snapshot, its languages, ranking parameters, and
the work it shares (analysed text, expansions, the snapshot's cached statistics)."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np

from searchlib._types import LANGS
from searchlib.analysis import get_analyzer
from searchlib.schema import TEXT_FIELDS, field_name
from searchlib.seam import IndexSource, Postings, SegmentSource
from searchlib.search.cache import SnapshotCache, snapshot_cache
from searchlib.search.columns import column_match
from searchlib.search.expansion import Vocabulary, describe_leaf, leaf_key
from searchlib.search.query import Fuzzy, Prefix, Wildcard
from searchlib.search.scoring import BM25F, idf

__all__ = ["EXPANSION_BUDGET", "MAX_EXPANSIONS", "Match", "SearchContext"]

MAX_EXPANSIONS = 64
"""Terms a prefix, wildcard or fuzzy leaf expands to at most: the most frequent ones (by
postings count over the index) are kept, and the results' warnings say when a leaf was cut."""

EXPANSION_BUDGET = 1_000_000
"""Vocabulary words one search may examine to expand its prefix, wildcard and fuzzy leaves
(each leaf examines the words that share its literal head, per language). A leaf that would
pass the budget matches nothing, and the results' warnings say so."""

Match = tuple[np.ndarray, np.ndarray]  # (bool mask, float32 scores), one entry per segment doc

_ANALYSED: dict[tuple[str, str], tuple[list[str], list[int]]] = {}
"""(language, word) -> terms and positions of the words searches analysed (analysed once, not
once per search; a text of several words is analysed each time, from the analyzer's own word
cache, so that no search reuses the work of an earlier query of the same text), emptied when
it holds :data:`_ANALYSED_SIZE`."""
_ANALYSED_CHARS = 100
_ANALYSED_SIZE = 50_000
_WHOLE_SIZE = 50_000  # entries of a snapshot's index-wide cache (as search/execute.py's)


class SearchContext:
    """What one search needs beyond the query: the reader, languages, ranking parameters, caches."""

    def __init__(
        self,
        reader: IndexSource,
        langs: Sequence[str] = LANGS,
        bm25: BM25F | None = None,
        default_fields: Sequence[str] = TEXT_FIELDS,
        max_expansions: int = MAX_EXPANSIONS,
        expansion_budget: int = EXPANSION_BUDGET,
    ) -> None:
        self.reader = reader
        self.langs = tuple(langs)
        self.bm25 = bm25 or BM25F()
        self.default_fields = tuple(default_fields)
        self.max_expansions = max_expansions
        self.expansion_budget = expansion_budget
        # Vocabulary words examined so far by this search: shared with in_language() copies.
        self._work = [0]
        self.warnings: list[str] = []  # where the answer is not the whole query's
        # Statistics and norms are fixed for a snapshot: kept in its cache.
        self.cache: SnapshotCache = snapshot_cache(reader)
        self._idf = self.cache.idf
        self._norms = self.cache.norms
        self.impacts = self.cache.impacts
        self.bm25_key = (
            self.bm25.k1,
            tuple(sorted(self.bm25.weights.items())),
            tuple(sorted(self.bm25.b.items())),
        )
        self._analysed: dict[tuple[str, str], tuple[list[str], list[int]]] = {}
        self._expansions: dict[tuple[Any, ...], list[str]] = {}
        # What a node does that does not depend on the segment, made once per search (keyed
        # by the node's id: the query tree lives as long as the search).
        self.plans: dict[tuple[Any, ...], Any] = {}
        self._in_language: dict[str, SearchContext] = {}
        self._word_tables: dict[str, dict[Any, Any]] = {}

    @property
    def expansion_work(self) -> int:
        """Vocabulary words the search's expansions examined (see :data:`EXPANSION_BUDGET`)."""
        return self._work[0]

    @property
    def unspent(self) -> bool:
        """Whether this search has spent nothing of its expansion budget and has no warning
        yet (its in_language copies included): what it holds besides is what a new context
        would make again for the same snapshot, so a search may go on with it."""
        return not self._work[0] and not self.warnings and not self._expansions

    def in_language(self, lang: str) -> SearchContext:
        """This search restricted to ``lang`` (its caches shared), for an :class:`InLanguage`."""
        if self.langs == (lang,):
            return self
        child = self._in_language.get(lang)  # (made once per search)
        if child is None:
            # (copy.copy(self) as it makes it, without its reduce protocol: a few us a search)
            child = self._in_language[lang] = object.__new__(type(self))
            child.__dict__.update(self.__dict__)
            child.langs = (lang,)
            child._word_tables = {}
            # its own: were it this table, the child would hold the table that holds it, a
            # cycle that only the garbage collector frees (with the search's arrays)
            child._in_language = {}
        return child

    def word_table(self, kind: str) -> dict[Any, Any]:
        """The snapshot's table ``kind`` of what a query word (a node on the default fields)
        gives in this context's languages, fields and ranking parameters (kept with the
        snapshot: a word's work is done once, not once per search)."""
        table = self._word_tables.get(kind)
        if table is None:
            key = (kind, self.langs, self.default_fields, self.bm25_key)
            table = self._word_tables[kind] = self.cache.words.setdefault(key, {})
        return table

    def remember_word(self, kind: str, word: Any, value: Any, size: int = 0) -> None:
        """Keep ``value`` for ``word`` in the table ``kind`` (:meth:`word_table`), ``size``
        entries of arrays of its own counted in the snapshot's bound on cached impacts (see
        :meth:`SnapshotCache.remember_word`)."""
        key = (kind, self.langs, self.default_fields, self.bm25_key)
        self.cache.remember_word(key, word, value, size)

    def lang_mask(self, seg: SegmentSource, lang: str) -> np.ndarray | None:
        """Which documents of ``seg`` are in ``lang``, or None when none is (cached per
        snapshot)."""
        key = (seg.name, lang)
        if key not in self.cache.lang_masks:
            mask = column_match(seg, "lang", lang)
            mask.flags.writeable = False  # shared: never changed in place
            self.cache.lang_masks[key] = mask if mask.any() else None
        return self.cache.lang_masks[key]

    def offsets(self) -> np.ndarray:
        """Where each segment's documents start in the index-wide numbering (``offsets[s] +
        d`` is document ``d`` of segment ``s``), with the total number of documents last."""
        out: np.ndarray | None = self.cache.whole.get(("offsets",))
        if out is None:
            sizes = [seg.ndocs for seg in self.reader.segments]
            out = self.cache.whole[("offsets",)] = np.concatenate(
                [[0], np.cumsum(sizes, dtype=np.int64)]
            ).astype(np.int64)
        return out

    def whole_lang_mask(self, lang: str) -> np.ndarray:
        """:meth:`lang_mask` index-wide (cached per snapshot)."""
        key = ("lang", lang)
        out: np.ndarray | None = self.cache.whole.get(key)
        if out is None:
            parts = []
            for seg in self.reader.segments:
                mask = self.lang_mask(seg, lang)
                parts.append(np.zeros(seg.ndocs, dtype=bool) if mask is None else mask)
            out = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
            out.flags.writeable = False
            self.cache.whole[key] = out
        return out

    def whole_lang_ones(self, lang: str) -> np.ndarray:
        """:meth:`whole_lang_mask` as float32 ones and zeros (cached per snapshot)."""
        key = ("lang ones", lang)
        out: np.ndarray | None = self.cache.whole.get(key)
        if out is None:
            out = self.whole_lang_mask(lang).astype(np.float32)
            out.flags.writeable = False
            self.cache.whole[key] = out
        return out

    def whole_live(self) -> np.ndarray | None:
        """Which documents are live, index-wide, or None when none is deleted (cached per
        snapshot)."""
        key = ("live",)
        if key not in self.cache.whole:
            segs = self.reader.segments
            out = None
            if any(seg.live is not None for seg in segs):
                out = np.concatenate(
                    [
                        np.ones(seg.ndocs, dtype=bool) if seg.live is None else seg.live
                        for seg in segs
                    ]
                )
                out.flags.writeable = False
            self.cache.whole[key] = out
        live: np.ndarray | None = self.cache.whole[key]
        return live

    def analyse(self, lang: str, text: str) -> tuple[list[str], list[int]]:
        """The terms and positions of ``text`` in ``lang`` (never to be changed: shared).
        A query's words are kept across searches (:data:`_ANALYSED`)."""
        key = (lang, text)
        out = self._analysed.get(key)
        if out is None:
            out = _ANALYSED.get(key)
            if out is None:
                out = get_analyzer(lang).terms(text)
                if len(text) <= _ANALYSED_CHARS and " " not in text:
                    if len(_ANALYSED) >= _ANALYSED_SIZE:
                        _ANALYSED.clear()
                    _ANALYSED[key] = out
            self._analysed[key] = out
        return out

    def idf(self, lang: str, fields: tuple[str, ...], terms: tuple[str, ...]) -> float:
        """idf of a term group: df counts documents holding any of ``terms`` in any of ``fields``.

        A query scored in one language (given or detected; its translation is scored in the
        other language alone) uses that language's statistics: df and N over its documents.
        A query scored in both languages at once uses global statistics (df over both
        languages' fields, N every document), so that its English and Spanish scores compare.
        """
        both = len(self.langs) > 1
        key = (lang, fields, terms, both)
        value = self._idf.get(key)
        if value is None:
            langs = LANGS if both else (lang,)
            df = 0
            for seg in self.reader.segments:
                docs = [
                    p[0]
                    for f in fields
                    for any_lang in langs
                    for t in terms
                    if (p := seg.postings(field_name(f, any_lang), t)) is not None
                ]
                if len(docs) == 1:
                    df += docs[0].size
                elif docs:
                    seen = np.zeros(seg.ndocs, dtype=bool)
                    for d in docs:
                        seen[d] = True
                    df += int(np.count_nonzero(seen))
            n = max(self.reader.lang_doc_count(None if both else lang), df)
            value = self._idf[key] = float(idf(df, n)) if df else 0.0
        return float(value)

    def remember_impacts(self, key: tuple[Any, ...], value: Postings | None) -> None:
        """Cache a term group's impacts, within a bound on the postings held."""
        self.cache.remember_impacts(key, value)

    def expansions(self) -> dict[tuple[Any, ...], list[str]]:
        """The terms each prefix, wildcard and fuzzy leaf expanded to, keyed (lang, fields, ...)."""
        return self._expansions

    def norm(self, seg: SegmentSource, field: str, lang: str) -> np.ndarray | None:
        """:meth:`BM25F.length_norms` of the field in ``seg`` (cached per snapshot), or None."""
        fname = field_name(field, lang)
        b = self.bm25.length_b(field)
        w = self.bm25.weight(field)
        key = (seg.name, fname, b, w)
        out = self._norms.get(key)
        if out is None:
            lengths = seg.lengths.get(fname)
            if lengths is None:
                return None
            out = self.bm25.length_norms(field, lengths, self.reader.avg_field_length(fname))
            self._norms[key] = out
        return out

    def fields_of(self, node_field: str | None) -> tuple[str, ...]:
        return self.default_fields if node_field is None else (node_field,)

    def vocabulary(self, lang: str, fields: tuple[str, ...]) -> Vocabulary:
        """The words prefix, wildcard and fuzzy leaves over ``fields`` in ``lang`` expand from
        (cached per snapshot)."""
        vocabularies = self.cache.vocabularies
        out = vocabularies.get((lang, fields))
        if out is None:
            out = vocabularies[(lang, fields)] = Vocabulary(self.reader, lang, fields)
        return out

    def expand(
        self, lang: str, fields: tuple[str, ...], node: Prefix | Wildcard | Fuzzy
    ) -> list[str]:
        """The terms ``node`` expands to in ``lang`` (the :data:`MAX_EXPANSIONS` most
        frequent), within the search's :data:`EXPANSION_BUDGET`; cuts go to ``warnings``.

        The vocabulary is each segment's stemmed words (so ``erradic*`` finds erradicación and
        erradicar and expands to their stem) plus its terms (names, numbers and other words
        that are their own term).
        """
        # The leaf's key and the width of its head's range are fixed for a snapshot: kept
        # (what it expands to is kept with the vocabulary; the budget is counted per search)
        leaf = ("leaf range", lang, fields, node)
        known: tuple[tuple[Any, ...], int, int] | None = self.cache.whole.get(leaf)
        if known is None:
            key = (lang, fields) + leaf_key(node, get_analyzer(lang).normalize)
            lo, hi = self.vocabulary(lang, fields).head_range(key[4])
            if len(self.cache.whole) >= _WHOLE_SIZE:
                self.cache.whole.clear()  # (what else it holds is made again when needed)
            self.cache.whole[leaf] = (key, lo, hi)
        else:
            key, lo, hi = known
        out = self._expansions.get(key)
        if out is not None:
            return out
        vocab = self.vocabulary(lang, fields)
        if self.expansion_work + (hi - lo) > self.expansion_budget:
            self.warnings.append(
                f"{describe_leaf(node)} was not expanded in {lang}: the query's expansions "
                f"would examine more than {self.expansion_budget:,} words"
            )
            out = self._expansions[key] = []
            return out
        self._work[0] += hi - lo
        # What a leaf expands to is fixed for a snapshot: cached with the vocabulary.
        cached = vocab.expansions.get(key[2:] + (self.max_expansions,))
        if cached is None:
            if isinstance(node, Prefix):
                found = vocab.words[lo:hi]
            elif isinstance(node, Wildcard):
                found = vocab.wildcard(key[3], lo, hi)
            else:
                found = vocab.fuzzy(key[3], lo, hi, key[5])
            terms = vocab.terms(found)
            matched = len(terms)
            if matched > self.max_expansions:
                terms = set(heapq.nlargest(self.max_expansions, terms, key=vocab.df_key))
            cached = vocab.expansions[key[2:] + (self.max_expansions,)] = (sorted(terms), matched)
        out, matched = cached
        if matched > len(out):
            self.warnings.append(
                f"{describe_leaf(node)} matched {matched:,} terms in {lang}: only the "
                f"{len(out)} most frequent were searched, so the total may be low"
            )
        self._expansions[key] = out
        return out
