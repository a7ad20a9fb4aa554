"""Collecting a search's matches over every segment: top-k, facets and the twin fold.

A query evaluates per segment to a mask and scores (:func:`~searchlib.search.execute.evaluate`);
:func:`collect` keeps the live documents the filters let through, index-wide, as
:class:`Matches`. :func:`top_k` ranks them: everything scoring at least the k-th best score
(``partition``), ordered by score and then index order, so ties are deterministic and pages never
overlap or skip. With twins, English and Spanish versions of a story are shown and counted once
(:func:`fold_twins`, :func:`twin_pairs`), and facets count the version shown
(:func:`hidden_twins`).
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable

import numpy as np

from searchlib.schema import COLUMN_TABLES, FACETS, LANG_COLUMN
from searchlib.seam import NO_DATE, IndexSource, SegmentSource
from searchlib.search.arrays import unique_counts
from searchlib.search.context import SearchContext
from searchlib.search.execute import evaluate_index, matched_docs
from searchlib.search.places import count_places
from searchlib.search.query import AnyQuery
from searchlib.search.twins import twin_partners, twins_for

__all__ = [
    "Matches",
    "collect",
    "count_facets",
    "fold_twins",
    "hidden_twins",
    "top_k",
    "twin_pairs",
]

Ranked = list[tuple[int, int, float]]
"""(segment index, doc number, score) of ranked hits."""


class Matches:
    """Every match of a search, index-wide, in index order: ``whole``, their index-wide doc
    numbers (see :meth:`SearchContext.offsets`), and ``scores``; :attr:`segs` and
    :attr:`docs`, each one's segment index and doc number there (worked out when first read:
    ranking needs them for the page's hits only)."""

    __slots__ = ("_docs", "_segs", "offsets", "scores", "whole")

    def __init__(self, whole: np.ndarray, scores: np.ndarray, offsets: np.ndarray) -> None:
        self.whole = whole
        self.scores = scores
        self.offsets = offsets
        self._segs: np.ndarray | None = None
        self._docs: np.ndarray | None = None

    @property
    def total(self) -> int:
        return int(self.whole.size)

    @property
    def segs(self) -> np.ndarray:
        """Each match's segment index (int32)."""
        if self._segs is None:
            self._segs = (self.offsets.searchsorted(self.whole, "right") - 1).astype(np.int32)
        return self._segs

    @property
    def docs(self) -> np.ndarray:
        """Each match's doc number in its segment."""
        if self._docs is None:
            self._docs = self.whole - self.offsets[self.segs]
        return self._docs

    def located(self, picked: np.ndarray) -> Ranked:
        """(segment index, doc number, score) of the matches at ``picked``."""
        whole = self.whole[picked]
        segs = self.offsets.searchsorted(whole, "right") - 1
        docs = whole - self.offsets[segs]
        scores = self.scores[picked].tolist()  # (float32 to float: exact)
        return list(zip(segs.tolist(), docs.tolist(), scores, strict=True))


def collect(
    q: AnyQuery,
    ctx: SearchContext,
    mask_of: Callable[[SegmentSource], np.ndarray | None] | None,
    restrict: np.ndarray | None = None,
) -> Matches | None:
    """The live documents matching ``q`` that ``mask_of`` (the filters, a segment's mask:
    None lets every document through; ``mask_of`` None when there is no filter) and
    ``restrict`` (a mask over the whole index, or None) keep, or None when there is none."""
    mask, scores = evaluate_index(q, ctx)
    live = ctx.whole_live()
    if live is not None:
        mask = mask & live
    if restrict is not None:
        mask = mask & restrict
    masks = [] if mask_of is None else [mask_of(seg) for seg in ctx.reader.segments]
    if any(m is not None for m in masks):
        mask = mask & np.concatenate(
            [
                np.ones(seg.ndocs, dtype=bool) if m is None else m
                for seg, m in zip(ctx.reader.segments, masks, strict=True)
            ]
        )
    docs = matched_docs(q, ctx, mask)  # (the same mask when nothing is deleted or filtered)
    if not docs.size:
        return None
    return Matches(docs, scores[docs], ctx.offsets())


def top_k(m: Matches, k: int) -> np.ndarray:
    """Indexes into ``m`` of its best ``k`` (more when tied at the cut), best first; ties in
    index order."""
    total = m.total
    if k == 0:
        top = np.zeros(0, dtype=np.intp)
    elif k < total:
        # Everything scoring at least the k-th best score: ties at the cut are then
        # ordered by index order like the rest, so pages never overlap or skip.
        kth = np.partition(m.scores, total - k)[total - k]
        top = np.flatnonzero(m.scores >= kth)
    else:
        top = np.arange(total)
    # (index-wide doc numbers are in index order: segment, then doc number)
    order: np.ndarray = top[np.lexsort((m.whole[top], -m.scores[top]))]
    return order


def ranked(m: Matches, order: np.ndarray) -> Ranked:
    """(segment index, doc number, score) of the matches in ``order``."""
    return m.located(order)


def _year(days: int) -> str | None:
    if days == NO_DATE:
        return None
    return str((_dt.date(1970, 1, 1) + _dt.timedelta(days=int(days))).year)


def _count_segment(
    seg: SegmentSource, docs: np.ndarray, out: dict[str, Counter[str]], lang: str | None
) -> None:
    """Count ``docs`` per language, kind, country (once per country, labelled in ``lang``),
    section and year."""
    for col in (LANG_COLUMN, "kind"):
        names = seg.col_tables[COLUMN_TABLES[col]]
        for code, n in zip(*unique_counts(seg.cols[col][docs]), strict=True):
            out[col][names[int(code)]] += int(n)
    count_places(seg, "countries", docs, lang, out["country"])
    count_places(seg, "sections", docs, lang, out["section"])
    for days, n in zip(*unique_counts(seg.cols["date"][docs]), strict=True):
        year = _year(int(days))
        if year:
            out["year"][year] += int(n)


def count_facets(
    reader: IndexSource, m: Matches | None, hidden: np.ndarray | None, labels: str | None
) -> dict[str, dict[str, int]]:
    """The facets of the matches (those ``hidden`` by the twin fold left out), most common
    first, equal counts by value (the same order however the index is cut into segments);
    country and section names in ``labels``' language (English when None)."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in FACETS}
    if m is not None:
        for i, seg in enumerate(reader.segments):
            pick = m.segs == i
            if hidden is not None:
                pick &= ~hidden
            if pick.any():
                _count_segment(seg, m.docs[pick], counts, labels)
    return {k: dict(sorted(v.items(), key=_by_count)) for k, v in counts.items()}


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def _lang_of(reader: IndexSource, seg_idx: int, docnum: int) -> str:
    seg = reader.segments[seg_idx]
    return seg.col_tables[COLUMN_TABLES[LANG_COLUMN]][int(seg.cols[LANG_COLUMN][docnum])]


def hidden_twins(reader: IndexSource, m: Matches, lang: str | None) -> np.ndarray:
    """Which matches the twin fold hides (the version of a story not shown when both
    match), as a mask over the matches: the same choice as :func:`fold_twins`."""
    segs, docs, scores = m.segs, m.docs, m.scores
    hidden = np.zeros(segs.size, dtype=bool)
    twin_of = twins_for(reader)
    if not twin_of:
        return hidden
    order = np.lexsort((docs, segs, -scores))
    ids = [reader.segments[int(segs[j])].ids[int(docs[j])] for j in order.tolist()]
    where = {doc_id: int(j) for doc_id, j in zip(ids, order.tolist(), strict=True)}
    for doc_id, j in zip(ids, order.tolist(), strict=True):
        twin = twin_of.get(doc_id)
        if twin is None or twin not in where or hidden[j] or hidden[where[twin]]:
            continue
        other = where[twin]
        keep = j  # the better-ranked version, unless the other is in the query's language
        if lang is not None and _lang_of(reader, int(segs[j]), int(docs[j])) != lang:
            keep = other
        hidden[other if keep == j else j] = True
    return hidden


def twin_pairs(reader: IndexSource, m: Matches) -> int:
    """How many stories match in both languages (each is counted once in the total)."""
    offsets, partner = twin_partners(reader)
    matched = offsets[m.segs] + m.docs
    hit = np.zeros(partner.size + 1, dtype=bool)  # the last slot stands for "no twin"
    hit[matched] = True
    return int(hit[partner[matched]].sum()) // 2


def fold_twins(reader: IndexSource, order: np.ndarray, m: Matches, lang: str | None) -> Ranked:
    """The ranking with each story once: when both language versions match, the story
    keeps the rank of its better version and shows the one in the query's language (the
    better-ranked one when the query's language is unknown)."""
    segs, docs, scores = m.segs, m.docs, m.scores
    offsets, partner = twin_partners(reader)
    ranked = offsets[segs[order]] + docs[order]
    twin = partner[ranked]
    has = twin >= 0
    where = dict(zip(ranked[has].tolist(), order[has].tolist(), strict=True))
    out: Ranked = []
    shown: set[int] = set()
    for g, j, t in zip(ranked.tolist(), order.tolist(), twin.tolist(), strict=True):
        if g in shown:
            continue
        chosen = j
        if t >= 0:
            shown.add(t)
            if (
                t in where
                and lang is not None
                and _lang_of(reader, int(segs[j]), int(docs[j])) != lang
            ):
                chosen = where[t]
        out.append((int(segs[chosen]), int(docs[chosen]), float(scores[chosen])))
    return out
