"""Query execution: a query tree evaluated per segment with numpy, scored with BM25F.

Each node evaluates to a :class:`Match` over one segment: a boolean array (which documents match)
and a float32 array (their scores), both as long as the segment. Leaves read postings arrays and
score them vectorised; boolean nodes combine arrays. Statistics (N, df, average lengths) come from
the whole index through :class:`SearchContext`, so a score does not depend on segmentation.

Text leaves are analysed once per language: the English chain against the English fields
(``body.en``...), the Spanish chain against the Spanish ones. A document has fields of one
language only, so the per-language scores never add up on the same document.
"""

from __future__ import annotations

import copy
import fnmatch
import heapq
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import numpy as np

from searchlib._types import LANGS
from searchlib.analysis import fold_accents, get_analyzer
from searchlib.countries import canonical
from searchlib.index import IndexReader, SegmentReader
from searchlib.index.documents import date_to_days
from searchlib.index.segment import NO_DATE
from searchlib.schema import (
    AUTHOR_FIELD,
    COLUMN_FIELDS,
    COLUMN_TABLES,
    ID_FIELD,
    PLACE_COLUMNS,
    TEXT_FIELDS,
    field_name,
)
from searchlib.search.arrays import unique, unique_counts, unique_pairs
from searchlib.search.places import place_mask, place_names
from searchlib.search.query import (
    And,
    AndMaybe,
    AndNot,
    DateRange,
    Every,
    Fuzzy,
    Not,
    NullQuery,
    Or,
    Phrase,
    Prefix,
    Query,
    Synonyms,
    Term,
    TermRange,
    Wildcard,
)
from searchlib.search.scoring import BM25F, Explanation, idf
from searchlib.search.twins import twin_partners

__all__ = [
    "AUTHOR_FIELD",
    "COLUMN_FIELDS",
    "BagOfWords",
    "CrossLingual",
    "InLanguage",
    "Match",
    "SearchContext",
    "TermGroups",
    "best_score",
    "evaluate",
    "explain",
    "levenshtein",
]

IMPACT_CACHE_POSTINGS = 20_000_000
"""Postings whose BM25F impacts a reader keeps cached (about 12 bytes each)."""

MAX_EXPANSIONS = 64
"""Terms a prefix, wildcard or fuzzy leaf expands to at most: the most frequent ones (by
postings count over the index) are kept, and the results' warnings say when a leaf was cut."""

EXPANSION_BUDGET = 1_000_000
"""Vocabulary words one search may examine to expand its prefix, wildcard and fuzzy leaves
(each leaf examines the words that share its literal head, per language). A leaf that would
pass the budget matches nothing, and the results' warnings say so."""

Match = tuple[np.ndarray, np.ndarray]  # (bool mask, float32 scores), one entry per segment doc


class SearchContext:
    """What one search needs beyond the query: the reader, languages, ranking parameters, caches."""

    def __init__(
        self,
        reader: IndexReader,
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
        # Statistics and norms are fixed for a reader snapshot: cache them on the reader.
        self._idf: dict[tuple[Any, ...], float] = reader.cache.setdefault("idf", {})
        self._norms: dict[tuple[Any, ...], np.ndarray] = reader.cache.setdefault("norms", {})
        self.impacts: dict[tuple[Any, ...], Any] = reader.cache.setdefault("impacts", {})
        self.bm25_key = (
            self.bm25.k1,
            tuple(sorted(self.bm25.weights.items())),
            tuple(sorted(self.bm25.b.items())),
        )
        self._analysed: dict[tuple[str, str], tuple[list[str], list[int]]] = {}
        self._expansions: dict[tuple[Any, ...], list[str]] = {}

    @property
    def expansion_work(self) -> int:
        """Vocabulary words the search's expansions examined (see :data:`EXPANSION_BUDGET`)."""
        return self._work[0]

    def in_language(self, lang: str) -> SearchContext:
        """This search restricted to ``lang`` (its caches shared), for an :class:`InLanguage`."""
        if self.langs == (lang,):
            return self
        child = copy.copy(self)
        child.langs = (lang,)
        return child

    def analyse(self, lang: str, text: str) -> tuple[list[str], list[int]]:
        key = (lang, text)
        out = self._analysed.get(key)
        if out is None:
            out = self._analysed[key] = get_analyzer(lang).terms(text)
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

    def remember_impacts(self, key: tuple[Any, ...], value: Any) -> None:
        """Cache a term group's impacts, within a bound on the postings held."""
        size = 0 if value is None else int(value[0].size)
        held = self.reader.cache.get("impacts_size", 0) + size
        if held > IMPACT_CACHE_POSTINGS:
            self.impacts.clear()
            held = size
        self.reader.cache["impacts_size"] = held
        self.impacts[key] = value

    def expansions(self) -> dict[tuple[Any, ...], list[str]]:
        """The terms each prefix, wildcard and fuzzy leaf expanded to, keyed (lang, fields, ...)."""
        return self._expansions

    def norm(self, seg: SegmentReader, field: str, lang: str) -> np.ndarray | None:
        """:meth:`BM25F.length_norms` of the field in ``seg`` (cached per snapshot), or None."""
        fname = field_name(field, lang)
        b = float(self.bm25.b.get(field, 0.75))
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
        vocabularies = self.reader.cache.setdefault("vocabulary", {})
        out = vocabularies.get((lang, fields))
        if out is None:
            out = vocabularies[(lang, fields)] = Vocabulary(self.reader, lang, fields)
        assert isinstance(out, Vocabulary)
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
        normalize = get_analyzer(lang).normalize
        key = (lang, fields) + _leaf_key(node, normalize)
        out = self._expansions.get(key)
        if out is not None:
            return out
        vocab = self.vocabulary(lang, fields)
        lo, hi = vocab.head_range(key[4])
        if self.expansion_work + (hi - lo) > self.expansion_budget:
            self.warnings.append(
                f"{_describe(node)} was not expanded in {lang}: the query's expansions "
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
                f"{_describe(node)} matched {matched:,} terms in {lang}: only the "
                f"{len(out)} most frequent were searched, so the total may be low"
            )
        self._expansions[key] = out
        return out


def _leaf_key(node: Prefix | Wildcard | Fuzzy, normalize: Callable[[str], str]) -> tuple[Any, ...]:
    """(kind, normalized text, literal head[, max distance]) of a multi-term leaf."""
    if isinstance(node, Prefix):
        prefix = normalize(node.text)
        return ("prefix", prefix, prefix)
    if isinstance(node, Wildcard):
        pattern = normalize(node.pattern)
        return ("wild", pattern, re.split(r"[*?]", pattern, maxsplit=1)[0])
    word = normalize(node.text)
    return ("fuzzy", word, word[: node.prefixlength], min(node.maxdist, 2))


def _describe(node: Prefix | Wildcard | Fuzzy) -> str:
    field = f"{node.field}:" if node.field else ""
    if isinstance(node, Prefix):
        return f"{field}{node.text}*"
    if isinstance(node, Wildcard):
        return f"{field}{node.pattern}"
    return f"{field}{node.text}~{node.maxdist}"


class Vocabulary:
    """The sorted distinct words a multi-term leaf can match in one language and field set,
    over every segment of a snapshot, with the terms they stand for and (computed when first
    needed) each term's postings count, to keep the most frequent expansions.

    Matching runs over this one list instead of each segment's lists; wildcards run as one
    regular expression over the words joined by newlines, fuzzy terms as a vectorised edit
    distance.
    """

    def __init__(self, reader: IndexReader, lang: str, fields: tuple[str, ...]) -> None:
        self.reader = reader
        self.fieldnames = [field_name(f, lang) for f in fields]
        self.stem_of: dict[str, str] = {}
        own: set[str] = set()
        for seg in reader.segments:
            words, terms = seg.words(lang)
            self.stem_of.update(zip(words, terms, strict=True))
            for fname in self.fieldnames:
                own.update(seg.terms(fname))
        self.own = own  # strings that are terms of the fields themselves
        self.words = sorted(own.union(self.stem_of))
        self._df: dict[str, int] | None = None
        self.expansions: dict[tuple[Any, ...], tuple[list[str], int]] = {}
        self._blob: str | None = None
        self._codes: np.ndarray | None = None
        self._lengths = self._starts = np.zeros(0, np.int64)

    def terms(self, words: Iterable[str]) -> set[str]:
        """The terms ``words`` stand for: their stems, and themselves when they are terms."""
        words = list(words)
        out: set[str] = set(map(self.stem_of.get, words))  # type: ignore[arg-type]
        out.discard(None)
        out.update(self.own.intersection(words))
        return out

    def df(self, term: str) -> int:
        """Postings of ``term`` over the fields and segments (counted for every term at the
        first call: one pass over the postings offsets, not a lookup per term and segment)."""
        if self._df is None:
            df: dict[str, int] = {}
            get = df.get
            for seg in self.reader.segments:
                for fname in self.fieldnames:
                    terms = seg.terms(fname)
                    if terms:
                        counts = np.diff(seg.field_arrays(fname)["start"]).tolist()
                        for t, n in zip(terms, counts, strict=False):
                            df[t] = get(t, 0) + n
            self._df = df
        return self._df.get(term, 0)

    def df_key(self, term: str) -> tuple[int, str]:
        """Sort key of the most frequent terms first (ties: the term, for a stable choice)."""
        return self.df(term), term

    def head_range(self, head: str) -> tuple[int, int]:
        """Indexes of the words starting with ``head``."""
        r = _range(self.words, head)
        return r.start, r.stop

    def _joined(self) -> str:
        """The words joined by newlines (built once), with each word's start and length."""
        if self._blob is None:
            self._blob = "\n".join(self.words)
            self._lengths = np.fromiter(map(len, self.words), np.int64, len(self.words))
            self._starts = np.concatenate(([0], np.cumsum(self._lengths + 1)))
        return self._blob

    def wildcard(self, pattern: str, lo: int, hi: int) -> list[str]:
        """The words in ``lo:hi`` that ``pattern`` (``*`` and ``?``) matches whole."""
        blob = self._joined()
        body = "".join(
            "[^\n]*" if c == "*" else "[^\n]" if c == "?" else re.escape(c) for c in pattern
        )
        rx = re.compile(f"^{body}$", re.MULTILINE)
        found: list[str] = rx.findall(blob, int(self._starts[lo]), int(self._starts[hi]))
        return found

    def fuzzy(self, word: str, lo: int, hi: int, dist: int) -> list[str]:
        """The words in ``lo:hi`` within edit distance ``dist`` of ``word``."""
        if self._codes is None:
            self._codes = np.frombuffer(self._joined().encode("utf-32-le"), dtype=np.uint32)
        near = np.abs(self._lengths[lo:hi] - len(word)) <= dist
        cands = lo + np.flatnonzero(near)
        if not cands.size:
            return []
        lengths = self._lengths[cands]
        cols = np.arange(int(lengths.max()))
        inside = cols < lengths[:, None]
        at = np.where(inside, self._starts[cands][:, None] + cols, 0)
        codes = np.where(inside, self._codes[at], 0)
        d = _distances(word, codes, lengths)
        return [self.words[i] for i in cands[d <= dist].tolist()]


def edit_distances(word: str, others: Sequence[str]) -> np.ndarray:
    """Levenshtein distance of ``word`` to each of ``others``, vectorised over them.

    The dynamic programme runs one row (one character of ``word``) at a time over all the
    candidates at once; within a row, insertions are a running minimum (``cur[j] = j +
    min_k<=j (tmp[k] - k)``), so a row is a few whole-array operations.
    """
    m = max(map(len, others))
    lengths = np.fromiter(map(len, others), dtype=np.intp, count=len(others))
    padded = "".join(o.ljust(m, "\0") for o in others)
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).reshape(len(others), m)
    return _distances(word, codes, lengths)


def _distances(word: str, codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`edit_distances` over words given as a matrix of code points (one word a row,
    padded with zeros) and their lengths."""
    n, m = codes.shape
    cols = np.arange(m + 1, dtype=np.int32)
    prev = np.broadcast_to(cols, (n, m + 1)).copy()
    for i, ch in enumerate(word, 1):
        tmp = np.empty_like(prev)
        tmp[:, 0] = i
        np.minimum(prev[:, 1:] + 1, prev[:, :-1] + (codes != ord(ch)), out=tmp[:, 1:])
        prev = np.minimum.accumulate(tmp - cols, axis=1) + cols
    out: np.ndarray = prev[np.arange(n), lengths]
    return out


@attrs.frozen(slots=True)
class BagOfWords:
    """Plain text scored as a weighted sum of its distinct terms (no syntax; for eval and MLT).

    ``langs`` overrides the search's languages (cross-lingual expansion scores a translation
    against the other language's documents only).
    """

    text: str
    field: str | None = None
    boost: float = 1.0
    langs: tuple[str, ...] | None = None


@attrs.frozen(slots=True)
class InLanguage:
    """``query`` run in one language: its words analysed by that language's chain against that
    language's fields, and only documents of that language match (so a NOT or a filter of the
    query does not reach the documents of the other language). ``boost`` scales its scores."""

    query: Query | BagOfWords
    lang: str
    boost: float = 1.0


@attrs.frozen(slots=True)
class TermGroups:
    """Terms of one language in weighted groups (a plain-text query's translation, see
    :mod:`searchlib.search.fusion`): each group, the translations of one word of the query, is
    scored as one term (BM25F of their frequencies summed, the idf of any of them), times its
    weight; ``boost`` scales the sum. Only that language's fields are read."""

    lang: str
    groups: tuple[tuple[tuple[str, ...], float], ...]
    field: str | None = None
    boost: float = 1.0


def _term_groups(ctx: SearchContext, seg: SegmentReader, node: TermGroups) -> Match:
    fields = ctx.fields_of(node.field)
    ctx = ctx.in_language(node.lang)
    mask, scores = _empty(seg)
    for terms, weight in node.groups:
        hit = _score_sparse(ctx, seg, node.lang, fields, terms, weight * node.boost)
        if hit is not None:
            mask[hit[0]] = True
            scores[hit[0]] += hit[1]
    return mask, scores


@attrs.frozen(slots=True)
class CrossLingual:
    """A query plus its translation into the other language (a lower-weighted part).

    ``translation`` only matches documents of its own language, so a document matches when it
    matches ``query`` (in the query's language) or the translation (in the other one).
    """

    query: Query | BagOfWords | InLanguage
    translation: BagOfWords | InLanguage | TermGroups
    note: str = ""
    """How the translation was weighed (shown by :func:`explain`)."""
    as_typed: BagOfWords | InLanguage | None = None
    """The query as typed, against the other language's documents, at the translation's weight:
    when the query's language was only detected, a document of the other language that the
    query matches as typed (a name, a word both languages write alike) and the translation
    misses keeps its match, so translating never loses a hit of the untranslated search."""


def _bag(ctx: SearchContext, seg: SegmentReader, node: BagOfWords) -> Match:
    fields = ctx.fields_of(node.field)
    mask, scores = _empty(seg)
    for lang in node.langs or ctx.langs:
        counts: dict[str, int] = {}
        for t in ctx.analyse(lang, node.text)[0]:
            counts[t] = counts.get(t, 0) + 1
        for t, c in counts.items():
            hit = _score_sparse(ctx, seg, lang, fields, (t,), node.boost * c)
            if hit is not None:
                mask[hit[0]] = True
                scores[hit[0]] += hit[1]
    return mask, scores


# -- leaves --------------------------------------------------------------------------------------


def _empty(seg: SegmentReader) -> Match:
    return np.zeros(seg.ndocs, dtype=bool), np.zeros(seg.ndocs, dtype=np.float32)


def _score_group(
    ctx: SearchContext,
    seg: SegmentReader,
    lang: str,
    fields: tuple[str, ...],
    terms: Sequence[str],
    boost: float,
) -> Match:
    """BM25F of a term group (one term, or the expansions of a prefix/fuzzy term summed as one)."""
    mask, scores = _empty(seg)
    hit = _score_sparse(ctx, seg, lang, fields, terms, boost)
    if hit is not None:
        mask[hit[0]] = True
        scores[hit[0]] = hit[1]
    return mask, scores


def _score_sparse(
    ctx: SearchContext,
    seg: SegmentReader,
    lang: str,
    fields: tuple[str, ...],
    terms: Sequence[str],
    boost: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """BM25F of a term group as (doc numbers, scores) of the matching documents, or None.

    The hot path of every query: per field, one postings slice, one gather of the cached
    length norms and a multiply; fields are summed densely only when more than one matched.
    The result (before the boost) is cached on the reader: a term's impacts are fixed for a
    snapshot, as in engines that store precomputed impacts, so a repeated term costs one
    lookup.
    """
    terms = tuple(terms)
    # The statistics mode (one language or both) changes idf, so it is part of the key.
    key = (seg.name, lang, fields, terms, ctx.bm25_key, len(ctx.langs) > 1)
    cached = ctx.impacts.get(key, _MISSING)
    if cached is _MISSING:
        cached = _impacts(ctx, seg, lang, fields, terms)
        ctx.remember_impacts(key, cached)
    if cached is None:
        return None
    docs, vals = cached
    return docs, vals if boost == 1.0 else vals * np.float32(boost)


_MISSING = object()


def _impacts(
    ctx: SearchContext,
    seg: SegmentReader,
    lang: str,
    fields: tuple[str, ...],
    terms: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray] | None:
    parts = []
    for f in fields:
        norm = None
        for t in terms:
            p = seg.postings(field_name(f, lang), t)
            if p is None:
                continue
            if norm is None:
                norm = ctx.norm(seg, f, lang)
                if norm is None:
                    break
            docs, tfs = p
            parts.append((docs, tfs * norm[docs]))
    if not parts:
        return None
    if len(parts) == 1:
        docs, tf = parts[0]
        docs = docs.astype(np.intp)
    else:
        dense = np.zeros(seg.ndocs, dtype=np.float32)
        for d, v in parts:
            dense[d] += v
        docs = np.flatnonzero(dense)
        tf = dense[docs]
    return docs, ctx.bm25.saturate(tf, ctx.idf(lang, fields, terms)).astype(np.float32)


def _phrase_freqs(
    seg: SegmentReader, fname: str, terms: Sequence[str], rel: Sequence[int], slop: int
) -> tuple[np.ndarray, np.ndarray]:
    """Docs where ``terms`` occur at relative positions ``rel`` (within ``slop``), and how often.

    The cost follows the rarest word: documents are intersected from the shortest postings
    list up (a binary search of the survivors in each longer list), and positions are read
    only for the documents every word shares, once per distinct word.
    """
    none = np.zeros(0, np.int64), np.zeros(0, np.int64)
    ords = [seg.term_ord(fname, t) for t in terms]
    if any(o < 0 for o in ords):
        return none
    postings = {o: seg.postings_at(fname, o) for o in set(ords)}
    by_size = sorted(postings, key=lambda o: (postings[o][0].size, o))
    common = np.asarray(postings[by_size[0]][0], dtype=np.int64)
    for o in by_size[1:]:
        docs = postings[o][0]
        if docs.size == 0:
            return none
        at = np.minimum(np.searchsorted(docs, common), docs.size - 1)
        common = common[docs[at] == common]
        if common.size == 0:
            return none
    shift = np.int64(1 << 32)
    keys_of: dict[int, np.ndarray] = {}
    for o in postings:
        docs, tfs = postings[o]
        pos, offs = seg.positions_at(fname, o)
        at = np.searchsorted(docs, common)
        counts = tfs[at].astype(np.int64)
        starts = offs[at]
        # Gather each shared document's run of positions: start of its run + 0, 1, ...
        within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(counts) - counts, counts
        )
        gathered = np.asarray(pos[np.repeat(starts, counts) + within], dtype=np.int64)
        keys_of[o] = np.repeat(common, counts) * shift + gathered
    keys = [keys_of[o] for o in ords]
    # Chains of positions, word by word: each next word must follow the previous one at its
    # query distance, give or take ``slop`` (and never at or before it). Every admissible
    # offset is tried (at most 2 * slop + 1), so no chain is missed.
    cur = keys[0]
    start = cur
    for k, gap in zip(keys[1:], np.diff(np.asarray(rel, dtype=np.int64)), strict=True):
        next_cur, next_start = [], []
        for step in range(max(1, int(gap) - slop), int(gap) + slop + 1):
            want = cur + step
            i = np.searchsorted(k, want)
            ok = i < k.size
            ok[ok] &= k[i[ok]] == want[ok]
            next_cur.append(want[ok])
            next_start.append(start[ok])
        cur = np.concatenate(next_cur)
        start = np.concatenate(next_start)
        if cur.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        if slop:
            start, cur = unique_pairs(start, cur)
    start = unique(start)
    matched_docs = start // shift
    docs_u, counts = unique_counts(matched_docs)
    return docs_u, counts


def _score_phrase(
    ctx: SearchContext,
    seg: SegmentReader,
    lang: str,
    fields: tuple[str, ...],
    terms: list[str],
    rel: list[int],
    slop: int,
) -> Match:
    tf = np.zeros(seg.ndocs, dtype=np.float32)
    for f in fields:
        norm = ctx.norm(seg, f, lang)
        if norm is None:
            continue
        docs, freqs = _phrase_freqs(seg, field_name(f, lang), terms, rel, slop)
        if docs.size:
            tf[docs] += freqs * norm[docs]
    mask = tf > 0
    scores = np.zeros(seg.ndocs, dtype=np.float32)
    if mask.any():
        phrase_idf = sum(ctx.idf(lang, fields, (t,)) for t in set(terms))
        scores[mask] = ctx.bm25.saturate(tf[mask], phrase_idf)
    return mask, scores


def _cached_phrase(
    ctx: SearchContext,
    seg: SegmentReader,
    lang: str,
    fields: tuple[str, ...],
    terms: list[str],
    rel: list[int],
    slop: int,
    boost: float,
) -> Match:
    """:func:`_score_phrase`, its matches kept with the term impacts of the reader snapshot (a
    translated query may hold several phrases, each costly to match on positions)."""
    both = len(ctx.langs) > 1  # the statistics mode changes idf
    key = ("phrase", seg.name, lang, fields, tuple(terms), tuple(rel), slop, ctx.bm25_key, both)
    cached = ctx.impacts.get(key, _MISSING)
    if cached is _MISSING:
        m, s = _score_phrase(ctx, seg, lang, fields, terms, rel, slop)
        docs = np.flatnonzero(m)
        cached = (docs, s[docs]) if docs.size else None
        ctx.remember_impacts(key, cached)
    mask, scores = _empty(seg)
    if cached is not None:
        docs, vals = cached
        mask[docs] = True
        scores[docs] = vals if boost == 1.0 else vals * np.float32(boost)
    return mask, scores


def _column_match(seg: SegmentReader, field: str, value: str) -> np.ndarray:
    mask = np.zeros(seg.ndocs, dtype=bool)
    if field == "id":
        d = seg.docnum(value)
        if d >= 0:
            mask[d] = True
        return mask
    column = COLUMN_FIELDS[field]
    if column == "sections" and canonical(value) is not None:
        # a country's page is a section of the site too: section:colombia finds Colombia
        either: np.ndarray = place_mask(seg, "sections", value) | place_mask(
            seg, "countries", value
        )
        return either
    if column in PLACE_COLUMNS:
        return place_mask(seg, column, value)
    for code in seg.column_code_list(COLUMN_TABLES[column], value):
        mask[seg.cols[column] == code] = True
    return mask


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance of ``a`` and ``b``, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        best = i
        for j, cb in enumerate(b, 1):
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            cur.append(v)
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _range(words: list[str], head: str) -> range:
    """Indexes of the sorted ``words`` starting with ``head``."""
    if not head:
        return range(len(words))
    return range(bisect_left(words, head), bisect_left(words, head + "\U0010ffff"))


WordMatcher = Callable[[list[str]], Iterable[int]]
"""Given a sorted word list, the indexes of the words a multi-term leaf accepts."""


def _word_matcher(node: Prefix | Wildcard | Fuzzy, normalize: Callable[[str], str]) -> WordMatcher:
    """A matcher over sorted (normalized, unstemmed) words for a multi-term leaf.

    Every matcher narrows the list by binary search on the leaf's literal head first.
    """
    if isinstance(node, Prefix):
        prefix = normalize(node.text)
        return lambda words: _range(words, prefix)
    if isinstance(node, Wildcard):
        pattern = normalize(node.pattern)
        head = re.split(r"[*?]", pattern, maxsplit=1)[0]
        rx = re.compile(fnmatch.translate(pattern))
        return lambda words: (i for i in _range(words, head) if rx.match(words[i]))
    word = normalize(node.text)
    head = word[: node.prefixlength]
    dist = min(node.maxdist, 2)

    lo, hi = len(word) - dist, len(word) + dist

    def fuzzy(words: list[str]) -> Iterable[int]:
        for i in _range(words, head):
            w = words[i]
            if lo <= len(w) <= hi and levenshtein(word, w, dist) <= dist:
                yield i

    return fuzzy


def _column_values(seg: SegmentReader, node: Prefix | Wildcard | Fuzzy, field: str) -> np.ndarray:
    """Documents whose column value (country, kind...; case and accents ignored) the multi-term
    leaf accepts: ``country:bol*``."""
    column = COLUMN_FIELDS[field]
    if column in PLACE_COLUMNS:  # every name of the countries (or sections) present
        names = place_names(seg, column)
    else:
        names = seg.col_tables[COLUMN_TABLES[column]]
    values = sorted({fold_accents(v).casefold() for v in names})
    matcher = _word_matcher(node, lambda w: fold_accents(w).casefold())
    mask = np.zeros(seg.ndocs, dtype=bool)
    for i in matcher(values):
        mask |= _column_match(seg, field, values[i])
    return mask


def _id_values(seg: SegmentReader, node: Prefix | Wildcard | Fuzzy) -> np.ndarray:
    """Documents whose id the multi-term leaf accepts (ids as written: case counts). Ids
    often share their length and head (``reuters-00001``), so fuzzy ids are compared in C."""
    ids = seg.ids
    if isinstance(node, Wildcard) and not node.pattern.strip("*"):
        return np.ones(seg.ndocs, dtype=bool)
    mask = np.zeros(seg.ndocs, dtype=bool)
    if isinstance(node, Fuzzy):
        head = node.text[: node.prefixlength]
        near = [i for i, d in enumerate(ids) if d.startswith(head)]
        from rapidfuzz import process  # imported by the fuzzy path only
        from rapidfuzz.distance import Levenshtein

        found = process.extract(
            node.text,
            [ids[i] for i in near],
            scorer=Levenshtein.distance,
            score_cutoff=min(node.maxdist, 2),
            limit=None,
        )
        mask[[near[k] for _, _, k in found]] = True
        return mask
    order = sorted(range(len(ids)), key=ids.__getitem__)
    matcher = _word_matcher(node, str)
    mask[[order[i] for i in matcher([ids[i] for i in order])]] = True
    return mask


def _has_text(seg: SegmentReader, field: str) -> np.ndarray:
    """Documents with some text in ``field`` (in either language): ``author:*``."""
    mask = np.zeros(seg.ndocs, dtype=bool)
    for lang in LANGS:
        lengths = seg.lengths.get(field_name(field, lang))
        if lengths is not None:
            mask |= lengths > 0
    return mask


def _multi_term(ctx: SearchContext, seg: SegmentReader, node: Prefix | Wildcard | Fuzzy) -> Match:
    if node.field in COLUMN_FIELDS:
        return _column_values(seg, node, node.field), np.zeros(seg.ndocs, dtype=np.float32)
    if node.field == "id":
        return _id_values(seg, node), np.zeros(seg.ndocs, dtype=np.float32)
    if node.field == AUTHOR_FIELD and isinstance(node, Wildcard) and not node.pattern.strip("*"):
        return _has_text(seg, AUTHOR_FIELD), np.zeros(seg.ndocs, dtype=np.float32)
    fields = ctx.fields_of(node.field)
    mask, scores = _empty(seg)
    for lang in _langs(ctx, node.field):
        terms = ctx.expand(lang, fields, node)
        if terms:
            m, s = _score_group(ctx, seg, lang, fields, terms, node.boost)
            mask |= m
            scores += s
    return mask, _scored(node.field, scores)


def _langs(ctx: SearchContext, field: str | None) -> tuple[str, ...]:
    """The languages a text leaf is analysed in: the search's, but both for the author field
    (names are the same in both languages, and a filter holds whatever the query's language)."""
    return LANGS if field == AUTHOR_FIELD else ctx.langs


def _scored(field: str | None, scores: np.ndarray) -> np.ndarray:
    """A leaf's scores: zero for the author field, which filters and never scores."""
    return np.zeros_like(scores) if field == AUTHOR_FIELD else scores


def _text(ctx: SearchContext, seg: SegmentReader, node: Term | Phrase) -> Match:
    if node.field in COLUMN_FIELDS or node.field == ID_FIELD:
        value = node.text if isinstance(node, Term) else " ".join(node.words)
        return _column_match(seg, node.field, value), np.zeros(seg.ndocs, dtype=np.float32)
    fields = ctx.fields_of(node.field)
    mask, scores = _empty(seg)
    text = node.text if isinstance(node, Term) else " ".join(node.words)
    slop = node.slop if isinstance(node, Phrase) else 0
    for lang in _langs(ctx, node.field):
        terms, positions = ctx.analyse(lang, text)
        if not terms:
            continue
        if len(terms) == 1:
            m, s = _score_group(ctx, seg, lang, fields, terms, node.boost)
        else:
            rel = [p - positions[0] for p in positions]
            m, s = _cached_phrase(ctx, seg, lang, fields, terms, rel, slop, node.boost)
        mask |= m
        scores += s
    return mask, _scored(node.field, scores)


def _date_range(seg: SegmentReader, node: DateRange) -> np.ndarray:
    dates = seg.cols["date"].astype(np.int64)
    mask = dates != NO_DATE
    if node.start is not None:
        lo = date_to_days(node.start)
        mask &= dates > lo if node.startexcl else dates >= lo
    if node.end is not None:
        hi = date_to_days(node.end)
        mask &= dates < hi if node.endexcl else dates <= hi
    out: np.ndarray = mask
    return out


def evaluate(
    node: Query | BagOfWords | CrossLingual | InLanguage | TermGroups,
    ctx: SearchContext,
    seg: SegmentReader,
) -> Match:
    """Evaluate ``node`` over every document of ``seg`` (the caller drops deleted ones)."""
    if isinstance(node, (Term, Phrase)):
        return _text(ctx, seg, node)
    if isinstance(node, (Prefix, Wildcard, Fuzzy)):
        return _multi_term(ctx, seg, node)
    if isinstance(node, BagOfWords):
        return _bag(ctx, seg, node)
    if isinstance(node, TermGroups):
        return _term_groups(ctx, seg, node)
    if isinstance(node, CrossLingual):
        m1, s1 = evaluate(node.query, ctx, seg)
        m2, s2 = evaluate(node.translation, ctx, seg)
        if node.as_typed is not None:
            m3, s3 = evaluate(node.as_typed, ctx, seg)
            s2 = np.where(m2, s2, s3)
            m2 = m2 | m3
        twinned = _twinned(ctx, seg)
        if twinned is not None:  # a story told in the query's language ranks in it
            s2 = np.where(twinned, s2 * np.float32(TWIN_SHARE), s2)
        return m1 | m2, s1 + s2
    if isinstance(node, InLanguage):
        m, s = evaluate(node.query, ctx.in_language(node.lang), seg)
        m = m & _column_match(seg, "lang", node.lang)
        return m, np.where(m, s * np.float32(node.boost), np.float32(0))
    if isinstance(node, (And, Or)):
        results = [evaluate(c, ctx, seg) for c in node.children]
        if not results:
            return _empty(seg)
        mask = results[0][0].copy()
        scores = np.zeros(seg.ndocs, dtype=np.float32)
        for m, _ in results[1:]:
            if isinstance(node, And):
                mask &= m
            else:
                mask |= m
        for _, s in results:
            if isinstance(node, Synonyms):  # equivalent names: the best one, not their sum
                np.maximum(scores, s, out=scores)
            else:
                scores += s
        return mask, np.where(mask, scores * np.float32(node.boost), np.float32(0))
    if isinstance(node, Not):
        m, _ = evaluate(node.child, ctx, seg)
        return ~m, np.zeros(seg.ndocs, dtype=np.float32)
    if isinstance(node, AndNot):
        m, s = evaluate(node.positive, ctx, seg)
        neg, _ = evaluate(node.negative, ctx, seg)
        mask = m & ~neg
        return mask, np.where(mask, s * np.float32(node.boost), np.float32(0))
    if isinstance(node, AndMaybe):
        m, s = evaluate(node.required, ctx, seg)
        _, opt = evaluate(node.optional, ctx, seg)
        return m, np.where(m, (s + opt) * np.float32(node.boost), np.float32(0))
    if isinstance(node, DateRange):
        return _date_range(seg, node), np.zeros(seg.ndocs, dtype=np.float32)
    if isinstance(node, TermRange):
        return _term_range(seg, node), np.zeros(seg.ndocs, dtype=np.float32)
    if isinstance(node, Every):
        return np.ones(seg.ndocs, dtype=bool), np.zeros(seg.ndocs, dtype=np.float32)
    if isinstance(node, NullQuery):
        return _empty(seg)
    raise TypeError(f"cannot execute query node {node!r}")


TWIN_SHARE = 0.01
"""The share of its translated score a document keeps when its twin is in the index: it still
matches (translation never narrows a query), below the documents found in their own right."""


def _twinned(ctx: SearchContext, seg: SegmentReader) -> np.ndarray | None:
    """Which documents of ``seg`` have a twin (their story in the other language, see
    :mod:`searchlib.search.twins`) in the index, or None when none has. What the translation
    of a query scores on them counts :data:`TWIN_SHARE` only: the story is there in the
    query's language, and ranks by how well that version matches the query as typed (the
    translation of a story does not compete with its original)."""
    cache: dict[str, np.ndarray | None] = ctx.reader.cache.setdefault("twinned", {})
    if seg.name in cache:
        return cache[seg.name]
    out: np.ndarray | None = None
    for i, s in enumerate(ctx.reader.segments):
        if s is seg:
            offsets, partner = twin_partners(ctx.reader)
            found = partner[int(offsets[i]) : int(offsets[i]) + seg.ndocs] >= 0
            out = found if found.any() else None
            break
    cache[seg.name] = out
    return out


def best_score(
    node: Query | BagOfWords | CrossLingual | InLanguage | TermGroups,
    ctx: SearchContext,
    boosts: bool = True,
) -> float:
    """An upper bound of what ``node`` can score on one document: BM25F saturates towards a
    term's idf, so a leaf's bound is the sum of its terms' idf (times its boost), a boolean
    node's the sum of its scored parts. ``boosts=False`` leaves out the boost of ``node``
    itself when it is an :class:`InLanguage` or a :class:`BagOfWords` (its weight in a
    cross-lingual query). Filters, ranges and NOT score nothing. A form's scores divided by
    this bound compare across queries and languages (the share of what it could score)."""
    if isinstance(node, InLanguage):
        inner = best_score(node.query, ctx.in_language(node.lang))
        return inner * node.boost if boosts else inner
    if isinstance(node, TermGroups):
        tctx, fields = ctx.in_language(node.lang), ctx.fields_of(node.field)
        total = sum(w * tctx.idf(node.lang, fields, terms) for terms, w in node.groups)
        return total * node.boost if boosts else total
    if isinstance(node, CrossLingual):
        other = best_score(node.translation, ctx)
        if node.as_typed is not None:
            other = max(other, best_score(node.as_typed, ctx))
        return best_score(node.query, ctx) + other
    if isinstance(node, BagOfWords):
        fields = ctx.fields_of(node.field)
        total = 0.0
        for lang in node.langs or ctx.langs:
            counts: dict[str, int] = {}
            for t in ctx.analyse(lang, node.text)[0]:
                counts[t] = counts.get(t, 0) + 1
            total += sum(c * ctx.idf(lang, fields, (t,)) for t, c in counts.items())
        return total * node.boost if boosts else total
    if isinstance(node, (Term, Phrase)):
        if node.field in COLUMN_FIELDS or node.field in (ID_FIELD, AUTHOR_FIELD):
            return 0.0
        fields = ctx.fields_of(node.field)
        text = node.text if isinstance(node, Term) else " ".join(node.words)
        total = 0.0
        for lang in ctx.langs:
            terms = set(ctx.analyse(lang, text)[0])
            total += sum(ctx.idf(lang, fields, (t,)) for t in terms)
        return total * node.boost
    if isinstance(node, (Prefix, Wildcard, Fuzzy)):
        if node.field in COLUMN_FIELDS or node.field == AUTHOR_FIELD:
            return 0.0
        fields = ctx.fields_of(node.field)
        total = 0.0
        for lang in ctx.langs:
            expanded = ctx.expand(lang, fields, node)
            total += ctx.idf(lang, fields, tuple(expanded)) if expanded else 0.0
        return total * node.boost
    if isinstance(node, (And, Or)):
        return sum(best_score(c, ctx) for c in node.children) * node.boost
    if isinstance(node, AndNot):
        return best_score(node.positive, ctx) * node.boost
    if isinstance(node, AndMaybe):
        return (best_score(node.required, ctx) + best_score(node.optional, ctx)) * node.boost
    return 0.0


def _in_range(value: str, node: TermRange, fold: Callable[[str], str]) -> bool:
    v = fold(value)
    if node.start is not None:
        start = fold(node.start)
        if v <= start if node.startexcl else v < start:
            return False
    if node.end is not None:
        end = fold(node.end)
        if v >= end if node.endexcl else v > end:
            return False
    return True


def _term_range(seg: SegmentReader, node: TermRange) -> np.ndarray:
    """Ranges over a column (kind, lang, country) compare the column's values as text, ignoring
    case; over ids, the ids as written; over authors, the byline's words, ignoring case and
    accents. Other fields have no range (nothing matches)."""
    mask = np.zeros(seg.ndocs, dtype=bool)
    if node.field == "id":
        ids = seg.ids
        mask[[i for i, d in enumerate(ids) if _in_range(d, node, str)]] = True
        return mask
    if node.field == AUTHOR_FIELD:
        fold = lambda w: fold_accents(w).casefold()  # noqa: E731
        for lang in LANGS:
            field = field_name(AUTHOR_FIELD, lang)
            for i, term in enumerate(seg.terms(field)):
                if _in_range(term, node, fold):
                    mask[seg.postings_at(field, i)[0]] = True
        return mask
    if node.field not in COLUMN_FIELDS:
        return mask
    column = COLUMN_FIELDS[node.field]
    for value in seg.col_tables.get(COLUMN_TABLES[column], ()):
        if _in_range(value, node, str.casefold):
            mask |= _column_match(seg, node.field, value)
    return mask


def explain(
    node: Query | BagOfWords | CrossLingual | InLanguage | TermGroups,
    ctx: SearchContext,
    seg: SegmentReader,
    docnum: int,
) -> Explanation:
    """How ``node`` scored document ``docnum`` of ``seg``: a tree whose parts sum to the score."""
    mask, scores = evaluate(node, ctx, seg)
    value = float(scores[docnum])
    children: Iterable[Query | BagOfWords | CrossLingual | InLanguage | TermGroups] = ()
    if isinstance(node, CrossLingual):
        children = (node.query, node.translation)
    elif isinstance(node, InLanguage):
        children = (node.query,)
        ctx = ctx.in_language(node.lang)
    elif isinstance(node, (And, Or)):
        children = node.children
    elif isinstance(node, AndNot):
        children = (node.positive,)
    elif isinstance(node, AndMaybe):
        children = (node.required, node.optional)
    details = tuple(explain(c, ctx, seg, docnum) for c in children)
    if isinstance(node, CrossLingual):
        typed, translated = details
        weight = getattr(node.translation, "boost", 1.0)
        form = "query translated"
        if node.as_typed is not None and not evaluate(node.translation, ctx, seg)[0][docnum]:
            translated = explain(node.as_typed, ctx, seg, docnum)
            form = "query as typed, in the other language (the translation misses it)"
        details = (
            attrs.evolve(typed, description=f"query as typed: {typed.description}"),
            attrs.evolve(
                translated,
                description=f"{form} (weight {weight:.3f}"
                + (f": {node.note}" if node.note else "")
                + f"): {translated.description}",
            ),
        )
    label = f"{type(node).__name__} {node!r}" if not details else f"sum of {type(node).__name__}"
    if details and getattr(node, "boost", 1.0) != 1.0:
        label += f" x boost {getattr(node, 'boost', 1.0)}"
    if not mask[docnum]:
        label = f"no match: {node!r}"
    elif not details and value:
        label = f"BM25F {node!r} (k1={ctx.bm25.k1})"
    return Explanation(value, label, details)
