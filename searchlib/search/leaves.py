"""BM25F of text leaves over one segment: term groups (a term, or the expansions of a
multi-term leaf scored as one) and phrases, with their impacts cached per snapshot."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from searchlib.index.documents import field_name
from searchlib.seam import SegmentSource
from searchlib.search.arrays import unique, unique_counts, unique_pairs
from searchlib.search.context import Match, SearchContext

__all__ = [
    "cached_phrase",
    "empty",
    "phrase_freqs",
    "score_group",
    "score_sparse",
    "whole_impacts",
    "whole_phrase",
]


def empty(seg: SegmentSource) -> Match:
    return np.zeros(seg.ndocs, dtype=bool), np.zeros(seg.ndocs, dtype=np.float32)


def score_group(
    ctx: SearchContext,
    seg: SegmentSource,
    lang: str,
    fields: tuple[str, ...],
    terms: Sequence[str],
    boost: float,
) -> Match:
    """BM25F of a term group (one term, or the expansions of a prefix/fuzzy term summed as one)."""
    mask, scores = empty(seg)
    hit = score_sparse(ctx, seg, lang, fields, terms, boost)
    if hit is not None:
        mask[hit[0]] = True
        scores[hit[0]] = hit[1]
    return mask, scores


def score_sparse(
    ctx: SearchContext,
    seg: SegmentSource,
    lang: str,
    fields: tuple[str, ...],
    terms: Sequence[str],
    boost: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """BM25F of a term group as (doc numbers, scores) of the matching documents, or None.

    The hot path of every query: per field, one postings slice, one gather of the cached
    length norms and a multiply; fields are summed densely only when more than one matched.
    The result (before the boost) is kept in the snapshot cache: a term's impacts are fixed for a
    snapshot, as in engines that store precomputed impacts, so a repeated term costs one
    lookup.
    """
    terms = tuple(terms)
    # The statistics mode (one language or both) changes idf, so it is part of the key.
    key = (seg.name, lang, fields, terms, ctx.bm25_key, len(ctx.langs) > 1)
    try:
        cached = ctx.impacts[key]
    except KeyError:
        cached = _impacts(ctx, seg, lang, fields, terms)
        ctx.remember_impacts(key, cached)
    if cached is None:
        return None
    docs, vals = cached
    return docs, vals if boost == 1.0 else vals * np.float32(boost)


def whole_impacts(
    ctx: SearchContext,
    lang: str,
    fields: tuple[str, ...],
    terms: Sequence[str],
    boost: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`score_sparse` over every segment at once: (index-wide doc numbers, see
    :meth:`SearchContext.offsets`, and their scores), or None. Kept in the snapshot cache
    like a segment's impacts (each segment's part computed the same way, so the same values)."""
    terms = tuple(terms)
    key = ("whole", lang, fields, terms, ctx.bm25_key, len(ctx.langs) > 1)
    try:
        cached = ctx.impacts[key]
    except KeyError:
        offsets = ctx.offsets()
        docs: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for i, seg in enumerate(ctx.reader.segments):
            hit = _impacts(ctx, seg, lang, fields, terms)
            if hit is not None:
                # index-wide doc numbers in numpy's index type: no cast where they index
                docs.append((hit[0] + offsets[i]).astype(np.intp))
                vals.append(hit[1])
        cached = None
        if docs:
            cached = (np.concatenate(docs), np.concatenate(vals))
        ctx.remember_impacts(key, cached)
    if cached is None:
        return None
    at, values = cached
    return at, values if boost == 1.0 else values * np.float32(boost)


def _impacts(
    ctx: SearchContext,
    seg: SegmentSource,
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


def phrase_freqs(
    seg: SegmentSource, fname: str, terms: Sequence[str], rel: Sequence[int], slop: int
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
    seg: SegmentSource,
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
        docs, freqs = phrase_freqs(seg, field_name(f, lang), terms, rel, slop)
        if docs.size:
            tf[docs] += freqs * norm[docs]
    mask = tf > 0
    scores = np.zeros(seg.ndocs, dtype=np.float32)
    if mask.any():
        phrase_idf = sum(ctx.idf(lang, fields, (t,)) for t in set(terms))
        scores[mask] = ctx.bm25.saturate(tf[mask], phrase_idf)
    return mask, scores


def cached_phrase(
    ctx: SearchContext,
    seg: SegmentSource,
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
    try:
        cached = ctx.impacts[key]
    except KeyError:
        m, s = _score_phrase(ctx, seg, lang, fields, terms, rel, slop)
        docs = np.flatnonzero(m)
        cached = (docs, s[docs]) if docs.size else None
        ctx.remember_impacts(key, cached)
    mask, scores = empty(seg)
    if cached is not None:
        docs, vals = cached
        mask[docs] = True
        scores[docs] = vals if boost == 1.0 else vals * np.float32(boost)
    return mask, scores


def whole_phrase(
    ctx: SearchContext,
    lang: str,
    fields: tuple[str, ...],
    terms: list[str],
    rel: list[int],
    slop: int,
    boost: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`cached_phrase` over every segment at once, as :func:`whole_impacts` is
    :func:`score_sparse`'s: (index-wide doc numbers, their scores), or None; each segment's
    part computed as :func:`cached_phrase` computes it (the same values), kept in the snapshot
    cache."""
    both = len(ctx.langs) > 1  # the statistics mode changes idf
    key = ("whole phrase", lang, fields, tuple(terms), tuple(rel), slop, ctx.bm25_key, both)
    try:
        cached = ctx.impacts[key]
    except KeyError:
        offsets = ctx.offsets()
        docs: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for i, seg in enumerate(ctx.reader.segments):
            m, s = _score_phrase(ctx, seg, lang, fields, terms, rel, slop)
            found = np.flatnonzero(m)
            if found.size:
                docs.append((found + offsets[i]).astype(np.intp))
                vals.append(s[found])
        cached = (np.concatenate(docs), np.concatenate(vals)) if docs else None
        ctx.remember_impacts(key, cached)
    if cached is None:
        return None
    at, values = cached
    return at, values if boost == 1.0 else values * np.float32(boost)
