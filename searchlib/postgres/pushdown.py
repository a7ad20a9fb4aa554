"""Per-shard top-k: each shard scores the query's terms and returns only its best documents.

A search on PostgreSQL (:class:`~searchlib.postgres.source.PgSearcher`) prepares its query with
the shared search layer (parsing, translation, expansions, idf over the whole index), then asks
every shard at once for its top ``K`` documents by a BM25F score computed in SQL on the shard
(:data:`SHARD_TOP_K`): term matching, scoring, the ordering and the cut all run on the shard,
which also counts its matching documents. The client only merges: the union of the shards'
candidates is scored exactly by the shared search layer (the same
:func:`~searchlib.search.execute.evaluate`, over views of the segments that hold only the
candidates' postings, with the postings' term frequencies and lengths the shards returned), and
the ranking is the embedded engine's to the bit.

Why that is exact. The shard's score is an upper bound of the query's (:func:`bound_plan`): the
query's text leaves become a coefficient per (field, term), ``boost x idf`` of the leaf (a
leaf's scale in the query: boosts, translation weights), and the shard sums
``c x tf~ / (k1 + tf~)`` over each (field, term) of a document, with ``tf~`` the BM25F
length-normalised frequency of that field. BM25F sums a term group's frequencies over fields
and terms before saturating, and ``x / (k1 + x)`` is concave with value 0 at 0, so saturating
each part alone can only add; a phrase or a twin's share only lowers a score; a synonym set
takes its best child, not the sum. So no document scores more than its shard score. A shard
that had more matches than it returned had none left above the lowest score it returned, and
when that is below the k-th best exact score among the candidates, no document left out can
enter the top k: the answer is exact. Otherwise the search asks again for four times as many
(and, past :data:`MAX_ROUNDS`, computes on every posting as before). Only queries whose
matches are exactly the documents that hold one of their terms are sent to the shards this
way (:func:`bound_plan` says which: words, OR, translations, expansions); AND, NOT, phrases,
filters, facets and twins (which count every match) take the client path, where the shards
still match the terms (:meth:`~searchlib.postgres.source.PgSnapshot.prefetch`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from psycopg import sql

from searchlib.schema import AUTHOR_FIELD, COLUMN_FIELDS, ID_FIELD, field_name
from searchlib.seam import IndexSource, Postings, SegmentSource
from searchlib.search.cache import snapshot_cache
from searchlib.search.collector import Matches, collect
from searchlib.search.context import SearchContext
from searchlib.search.execute import TWIN_SHARE
from searchlib.search.query import (
    And,
    AnyQuery,
    BagOfWords,
    CrossLingual,
    Every,
    Fuzzy,
    InLanguage,
    Node,
    Not,
    NullQuery,
    Or,
    Prefix,
    Term,
    TermGroups,
    Wildcard,
)
from searchlib.search.twins import twin_partners

__all__ = [
    "MAX_PUSHED_K",
    "MAX_PUSHED_POSTINGS",
    "MAX_ROUNDS",
    "SHARD_TOP_K",
    "first_k",
    "CandidateSnapshot",
    "Group",
    "ShardTopK",
    "bound_plan",
    "bounded",
    "shard_jobs",
    "shard_top_k",
]

SHARD_TOP_K = """
WITH x AS (
  SELECT po.seg, m.doc, g.g, sum(m.tf / (g.p + g.q * m.len)) AS x
  FROM unnest(%(fields)s::text[], %(terms)s::text[], %(gg)s::int[], %(gp)s::float8[],
              %(gq)s::float8[]) AS g(field, term, g, p, q)
  JOIN {}.postings po ON po.field = g.field COLLATE "C" AND po.term = g.term COLLATE "C"
   AND po.seg = ANY(%(segs)s::int[])
  CROSS JOIN LATERAL unnest(po.sdocs, po.stfs, po.slens) AS m(doc, tf, len)
  WHERE (po.seg::int8 << 32 | m.doc) <> ALL(%(deleted)s::int8[])
  GROUP BY po.seg, m.doc, g.g
)
(SELECT x.seg, x.doc,
        sum((%(gc)s::float8[])[x.g] * x.x / (%(k1)s + x.x)
            * CASE WHEN (%(gt)s::bool[])[x.g] AND tw.key IS NOT NULL THEN %(share)s ELSE 1 END)
          AS score,
        count(*) OVER () AS matched
 FROM x LEFT JOIN (SELECT DISTINCT unnest(%(twinned)s::int8[]) AS key) tw
   ON tw.key = (x.seg::int8 << 32 | x.doc)
 GROUP BY x.seg, x.doc
 ORDER BY score DESC, x.seg, x.doc
 LIMIT %(k)s)
UNION ALL
SELECT NULL, NULL, NULL, count(*) FROM {}.segments WHERE seg = ANY(%(segs)s::int[])
"""
"""A shard's top ``k`` for a query, run on the shard (``{}``: the index's schema), the BM25F of
the query's term groups with the index-wide statistics the client passes:

* ``x``: each (field, term) of each term group ``g`` found by the postings' primary key
  (field, term, seg) in the snapshot's segments, its postings unnested (deleted documents left
  out) and summed per document and group: the group's BM25F frequency ``tf~ = sum over its
  fields and terms of w tf / (1 - b + b len / avglen)``, written ``tf / (p + q len)`` with
  ``p = (1 - b) / w`` and ``q = b / (w avglen)`` of the field;
* then per document ``sum over groups of c tf~ / (k1 + tf~)`` (``c = boost x idf``, times the
  twin share of a translated group on a document with a twin), the best ``k`` of them, and
  how many documents match in all (``matched``, counted before the cut);
* and last, how many of the segments asked for the shard still holds (a snapshot older than
  the generations the index keeps misses some: an error, not a partial answer)."""

MIN_K = 20
"""The first request asks each shard for ``k + max(MIN_K, k // 4)`` documents (``k = offset +
limit``), each next round four times as many. The shards' score is the exact one on most
documents (it differs by a translation's twin share, a synonym set's sum, the query as typed
beside its translation), so one shard's top ``k`` and a few more almost always prove the cut."""


def first_k(k: int) -> int:
    return k + max(MIN_K, k // 4)


MAX_ROUNDS = 3
MAX_PUSHED_K = 1000
"""Deeper pages (``offset + limit`` past it) are ranked on the client."""
MAX_PUSHED_POSTINGS = 40_000
"""A query whose terms have more postings than this (over the index) is ranked on the client:
a shard's SQL sums BM25F one posting row at a time (PostgreSQL's executor, about 0.3 to 1 µs
a posting and a plan node), the client with numpy over postings it already holds for the
statistics (idf counts their documents), tens of times faster. Below it, the shards rank."""
MAX_DELETED = 50_000
"""With more deleted documents than this in a snapshot (replaced documents a merge has not
dropped yet), ranking happens on the client."""
MARGIN = 1e-5
"""Relative slack between the shards' float64 bounds and the exact float32 scores."""

Key = tuple[str, str]  # (field name "body.en", term)


class Group:
    """One scored term group of a query: its (field, term) keys, scored as one term (BM25F of
    their frequencies summed), times ``c`` (boost x idf); ``translated``: a part of a
    translation, which counts the twin share on a document whose twin is in the index."""

    __slots__ = ("c", "keys", "translated")

    def __init__(self, keys: list[Key], c: float, translated: bool) -> None:
        self.keys = keys
        self.c = c
        self.translated = translated


def bound_plan(node: Node, ctx: SearchContext) -> list[Group] | None:
    """The term groups of ``node``, whose summed BM25F is at least its score on every document
    (see the module docstring), or None when the query is not one the shards can rank: its
    matches must be exactly the documents that hold one of its terms in that field."""
    groups: list[Group] = []

    def add(
        lang: str, only: str | None, fields: Sequence[str], terms: Sequence[str], c: float,
        translated: bool,
    ) -> bool:  # fmt: skip
        if only is not None and lang != only:
            return False  # a term of the other language under an InLanguage: masked there
        if not (math.isfinite(c) and c >= 0):
            return False
        keys = [(field_name(f, lang), t) for f in fields for t in terms]
        groups.append(Group(keys, c, translated))
        return True

    def scored_field(field: str | None) -> bool:
        return field not in COLUMN_FIELDS and field not in (ID_FIELD, AUTHOR_FIELD)

    def walk(node: Node, ctx: SearchContext, mult: float, only: str | None, tr: bool) -> bool:
        boost = float(getattr(node, "boost", 1.0))
        if not (math.isfinite(boost) and boost >= 0):
            return False
        if isinstance(node, NullQuery) or (isinstance(node, Not) and isinstance(node.child, Every)):
            return True  # matches nothing, scores nothing
        if isinstance(node, Term):
            if not scored_field(node.field):
                return False
            fields = ctx.fields_of(node.field)
            for lang in ctx.langs:
                terms = ctx.analyse(lang, node.text)[0]
                if len(terms) > 1:
                    return False  # a phrase: it matches on positions
                if terms:
                    c = mult * boost * ctx.idf(lang, fields, tuple(terms))
                    if not add(lang, only, fields, terms, c, tr):
                        return False
            return True
        if isinstance(node, (Prefix, Wildcard, Fuzzy)):
            if not scored_field(node.field):
                return False
            fields = ctx.fields_of(node.field)
            for lang in ctx.langs:
                terms = ctx.expand(lang, fields, node)
                if terms:
                    c = mult * boost * ctx.idf(lang, fields, tuple(terms))
                    if not add(lang, only, fields, terms, c, tr):
                        return False
            return True
        if isinstance(node, BagOfWords):
            if not scored_field(node.field):
                return False
            fields = ctx.fields_of(node.field)
            for lang in node.langs or ctx.langs:
                counts: dict[str, int] = {}
                for t in ctx.analyse(lang, node.text)[0]:
                    counts[t] = counts.get(t, 0) + 1
                for t, n in counts.items():
                    c = mult * boost * n * ctx.idf(lang, fields, (t,))
                    if not add(lang, only, fields, (t,), c, tr):
                        return False
            return True
        if isinstance(node, TermGroups):
            if not scored_field(node.field):
                return False
            fields = ctx.fields_of(node.field)
            tctx = ctx.in_language(node.lang)
            for group, weight in node.groups:
                c = mult * boost * float(weight) * tctx.idf(node.lang, fields, tuple(group))
                if not add(node.lang, only, fields, group, c, tr):
                    return False
            return True
        if isinstance(node, CrossLingual):
            # the query, plus its translation or (where that misses) the query as typed: at
            # most the sum; both count the twin share on a document with a twin
            return (
                walk(node.query, ctx, mult, only, tr)
                and walk(node.translation, ctx, mult, only, True)
                and (node.as_typed is None or walk(node.as_typed, ctx, mult, only, True))
            )
        if isinstance(node, InLanguage):
            if only is not None and node.lang != only:
                return False
            return walk(node.query, ctx.in_language(node.lang), mult * boost, node.lang, tr)
        if isinstance(node, Or):  # (and Synonyms: the best child, at most the sum)
            return all(walk(child, ctx, mult * boost, only, tr) for child in node.children)
        if isinstance(node, And) and len(node.children) == 1:
            return walk(node.children[0], ctx, mult * boost, only, tr)
        return False

    if not walk(node, ctx, 1.0, None, False) or not groups:
        return None
    return groups


class ShardTopK:
    """What the shards answered for one query: per shard, its candidates (best first), their
    bounds, the postings of the query's terms they hold, and how many documents match."""

    def __init__(self, keys: list[Key]) -> None:
        self.keys = keys
        self.rows: dict[int, list[Any]] = {}

    @property
    def total(self) -> int:
        return sum(int(rows[0][3]) for rows in self.rows.values() if rows)

    def complete(self, shard: int) -> bool:
        rows = self.rows[shard]
        return not rows or len(rows) >= int(rows[0][3])

    def lowest(self, shard: int) -> float:
        return float(self.rows[shard][-1][2])


def shard_jobs(
    snapshot: Any, ctx: SearchContext, groups: Sequence[Group], k: int
) -> tuple[list[Key], dict[int, tuple[sql.Composed, dict[str, Any]]]]:
    """The (field, term) keys of ``groups`` and, per shard holding segments of ``snapshot``,
    the statement and parameters of its top ``k`` (:data:`SHARD_TOP_K`, with ``ctx``'s BM25F
    parameters and the snapshot's average field lengths)."""
    keys = sorted({key for g in groups for key in g.keys})
    bm25 = ctx.bm25
    gfield, gterm, gg, gp, gq = [], [], [], [], []
    for n, group in enumerate(groups, start=1):
        for field, term in group.keys:
            base = field.rsplit(".", 1)[0]
            w = bm25.weight(base)
            if w <= 0:
                continue  # a field of weight 0 scores nothing
            b = bm25.length_b(base)
            avg = float(snapshot.avg_field_length(field)) or 1.0
            gfield.append(field)
            gterm.append(term)
            gg.append(n)
            gp.append((1.0 - b) / w)
            gq.append(b / (avg * w))
    twinned: dict[int, list[int]] = {}
    if any(g.translated for g in groups):
        offsets, partner = twin_partners(snapshot)
        for i, seg in enumerate(snapshot.segments):
            docs = np.flatnonzero(partner[int(offsets[i]) : int(offsets[i]) + seg.ndocs] >= 0)
            if docs.size:
                twinned.setdefault(seg.shard, []).extend(((seg.seg << 32) | docs).tolist())
    common = {
        "fields": gfield, "terms": gterm, "gg": gg, "gp": gp, "gq": gq,
        "gc": [g.c for g in groups],
        "gt": [g.translated for g in groups], "k1": float(bm25.k1), "share": TWIN_SHARE,
        "k": k,
    }  # fmt: skip
    jobs = {}
    for shard, segs in snapshot.segments_by_shard().items():
        params = dict(common)
        params.update(
            segs=segs, deleted=snapshot.deleted_keys(shard), twinned=twinned.get(shard, [])
        )
        text = _statement(bool(params["deleted"]), bool(params["twinned"]))
        jobs[shard] = (sql.SQL(text).format(snapshot.db.s, snapshot.db.s), params)
    return keys, jobs


def _statement(deleted: bool, twinned: bool) -> str:
    """:data:`SHARD_TOP_K`, without its deleted documents' filter or its twins' join when the
    shard has none (the same answer, less work per posting)."""
    text = SHARD_TOP_K
    if not deleted:
        text = text.replace(_DELETED, "")
    if not twinned:
        text = text.replace(_TWIN_SHARE, "").replace(_TWINS, "")
    return text


_DELETED = "\n  WHERE (po.seg::int8 << 32 | m.doc) <> ALL(%(deleted)s::int8[])"
_TWIN_SHARE = (
    "\n            * CASE WHEN (%(gt)s::bool[])[x.g] AND tw.key IS NOT NULL"
    " THEN %(share)s ELSE 1 END"
)
_TWINS = (
    " LEFT JOIN (SELECT DISTINCT unnest(%(twinned)s::int8[]) AS key) tw\n"
    "   ON tw.key = (x.seg::int8 << 32 | x.doc)"
)
assert all(part in SHARD_TOP_K for part in (_DELETED, _TWIN_SHARE, _TWINS))


def shard_top_k(snapshot: Any, ctx: SearchContext, groups: Sequence[Group], k: int) -> ShardTopK:
    """Ask every shard holding segments of ``snapshot`` for its top ``k`` by the summed BM25F
    of ``groups`` (:func:`shard_jobs`), all at once."""
    keys, jobs = shard_jobs(snapshot, ctx, groups, k)
    out = ShardTopK(keys)
    for shard, rows in snapshot.db.read_shards(jobs, prepare=True).items():
        if not rows or int(rows[-1][3]) < len(jobs[shard][1]["segs"]):
            raise snapshot.too_old()
        out.rows[shard] = rows[:-1]
    return out


class CandidateSegment:
    """A segment of the snapshot as the exact scoring of the candidates sees it (a
    :class:`~searchlib.seam.SegmentSource`): the query's postings of its candidates only, their
    field lengths, and everything else (columns, terms, stored documents) the segment's own."""

    def __init__(
        self,
        seg: SegmentSource,
        postings: dict[Key, Postings],
        lengths: Mapping[str, np.ndarray],
    ) -> None:
        self.seg = seg
        self._postings = postings
        self._lengths = lengths

    name = property(lambda self: self.seg.name)
    ndocs = property(lambda self: self.seg.ndocs)
    live = property(lambda self: self.seg.live)
    field_names = property(lambda self: self.seg.field_names)
    cols = property(lambda self: self.seg.cols)
    col_tables = property(lambda self: self.seg.col_tables)
    ids = property(lambda self: self.seg.ids)

    @property
    def lengths(self) -> Mapping[str, np.ndarray]:
        return self._lengths

    def docnum(self, doc_id: str) -> int:
        return self.seg.docnum(doc_id)

    def title(self, docnum: int) -> str:
        return self.seg.title(docnum)

    def terms(self, field: str) -> Sequence[str]:
        return self.seg.terms(field)

    def words(self, lang: str) -> tuple[Sequence[str], Sequence[str]]:
        return self.seg.words(lang)

    def term_ord(self, field: str, term: str) -> int:
        return self.seg.term_ord(field, term)

    def postings(self, field: str, term: str) -> Postings | None:
        return self._postings.get((field, term))

    def postings_at(self, field: str, ordinal: int) -> Postings:
        found = self.postings(field, self.seg.terms(field)[ordinal])
        return found if found is not None else (np.zeros(0, np.int32), np.zeros(0, np.uint8))

    def positions_at(self, field: str, ordinal: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError("the shards rank no query that reads positions")

    def posting_positions(self, field: str, ordinal: int, i: int) -> np.ndarray:
        raise NotImplementedError("the shards rank no query that reads positions")

    def field_arrays(self, field: str) -> Mapping[str, np.ndarray]:
        raise NotImplementedError("a candidate view holds no whole field")

    def doc_values(self, column: str, docnum: int) -> list[str]:
        return self.seg.doc_values(column, docnum)

    def stored(self, docnum: int) -> Any:
        return self.seg.stored(docnum)

    def stored_raw(self, docnum: int) -> bytes:
        return self.seg.stored_raw(docnum)


class CandidateSnapshot:
    """The snapshot as the exact scoring of the candidates sees it (an
    :class:`~searchlib.seam.IndexSource`): its segments are :class:`CandidateSegment` views,
    its statistics and documents the snapshot's own."""

    def __init__(self, parent: IndexSource, segments: list[CandidateSegment]) -> None:
        self.parent = parent
        self._segments = segments

    generation = property(lambda self: self.parent.generation)

    @property
    def segments(self) -> Sequence[SegmentSource]:
        return self._segments

    def lang_doc_count(self, lang: str | None = None) -> int:
        return self.parent.lang_doc_count(lang)

    def doc_freq(self, field: str, term: str) -> int:
        return self.parent.doc_freq(field, term)

    def avg_field_length(self, field: str) -> float:
        return self.parent.avg_field_length(field)

    def locate(self, doc_id: str) -> tuple[int, int] | None:
        return self.parent.locate(doc_id)

    def document(self, doc_id: str) -> Any:
        return self.parent.document(doc_id)

    def saved(self, name: str) -> bytes | None:
        return self.parent.saved(name)


class CandidateContext(SearchContext):
    """A search's context over a :class:`CandidateSnapshot`: idf is the whole snapshot's
    (computed, and cached, by a context over it: the candidates' postings are not all)."""

    def __init__(self, reader: CandidateSnapshot, outer: SearchContext) -> None:
        super().__init__(
            reader, outer.langs, outer.bm25, outer.default_fields, outer.max_expansions,
            outer.expansion_budget,
        )  # fmt: skip
        self._outer: dict[tuple[str, ...], SearchContext] = {outer.langs: outer}
        self._parent = reader.parent

    def idf(self, lang: str, fields: tuple[str, ...], terms: tuple[str, ...]) -> float:
        outer = self._outer.get(self.langs)
        if outer is None:
            outer = self._outer[self.langs] = SearchContext(self._parent, self.langs, self.bm25)
        return outer.idf(lang, fields, terms)


def candidate_matches(
    q: AnyQuery, ctx: SearchContext, answer: ShardTopK
) -> tuple[Matches | None, int]:
    """The exact scores of the shards' candidates (the shared layer's evaluation over views of
    the segments holding only the candidates' postings), and how many documents match in all.
    The postings are the snapshot's, read for the statistics (idf counts their documents)."""
    parent = ctx.reader
    wanted: dict[int, list[int]] = {}
    for rows in answer.rows.values():
        for seg, doc, _, _ in rows:
            wanted.setdefault(int(seg), []).append(int(doc))
    views = []
    for seg in parent.segments:
        held = wanted.get(getattr(seg, "seg", -1))
        postings: dict[Key, Postings] = {}
        if held:
            candidates = np.array(sorted(held), dtype=np.int64)
            for field, term in answer.keys:
                found = seg.postings(field, term)
                if found is None:
                    continue
                docs, tfs = found
                keep = np.isin(docs, candidates, assume_unique=True)
                if keep.any():
                    postings[(field, term)] = (docs[keep], tfs[keep])
        views.append(CandidateSegment(seg, postings, seg.lengths if held else {}))
    view = CandidateSnapshot(parent, views)
    _share_cache(parent, view)
    matches = collect(q, CandidateContext(view, ctx), lambda seg: None)
    return matches, answer.total


def bounded(answer: ShardTopK, found: Matches, numbers: Sequence[int]) -> bool:
    """Whether no candidate's exact score passes its shard's bound (``numbers``: each segment
    index's segment number): the proof of the cut rests on it, so a search whose bound fails
    (a scoring rule :func:`bound_plan` does not know) is ranked on the client instead."""
    keys, bounds = [], []
    for rows in answer.rows.values():
        for seg, doc, bound, _ in rows:
            keys.append((int(seg) << 32) | int(doc))
            bounds.append(float(bound))
    if not keys:
        return found.total == 0
    order = np.argsort(np.array(keys, dtype=np.int64))
    sorted_keys = np.array(keys, dtype=np.int64)[order]
    sorted_bounds = np.array(bounds)[order]
    wanted = (np.asarray(numbers, dtype=np.int64)[found.segs] << 32) | found.docs.astype(np.int64)
    at = np.minimum(np.searchsorted(sorted_keys, wanted), sorted_keys.size - 1)
    if not np.array_equal(sorted_keys[at], wanted):
        return False
    limit = sorted_bounds[at] * (1 + MARGIN) + 1e-9
    return bool((found.scores.astype(np.float64) <= limit).all())


def _share_cache(parent: IndexSource, view: CandidateSnapshot) -> None:
    """The candidate view reads what the snapshot's cache holds that does not depend on the
    postings (idf, length norms, vocabularies, cognates, language and twin masks); its impacts
    (over the candidates' postings only) stay its own."""
    mine, theirs = snapshot_cache(view), snapshot_cache(parent)
    mine.idf = theirs.idf
    mine.vocabularies = theirs.vocabularies
    mine.cognates = theirs.cognates
    mine.suggestions = theirs.suggestions
    mine.lang_masks = theirs.lang_masks
    mine.twinned = theirs.twinned
    mine.norms = theirs.norms  # (the views' field lengths are the segments' own)
    mine.whole = theirs.whole  # (offsets, live, language and twin masks: no postings)
    mine.twins = theirs.twins
    mine.twin_partners = twin_partners(parent)
