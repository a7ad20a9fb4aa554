"""Merging segments: the log-size tier policy and the vectorised merge of N segments into one.

Deleted documents are dropped and the survivors renumbered in segment order, so a term's postings
stay in ascending doc order after the merge and every array is rebuilt with numpy, not per posting.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from searchlib._types import LANGS
from searchlib.index.builder import stable_argsort
from searchlib.index.documents import legacy_places
from searchlib.index.segment import (
    FieldPostings,
    SegmentData,
    SegmentReader,
    StoreWriter,
    smallest_uint,
)
from searchlib.schema import COLUMN_TABLES, LANG_COLUMN

__all__ = ["merge_segments", "select_merge"]

MERGE_FACTOR = 10

MIN_MERGE_DOCS = 1000
"""Segments of fewer live documents than this are all of one tier (Lucene's LogDocMergePolicy
``minMergeDocs``, also 1000): the small segments a budgeted writer or its workers flush (a few
hundred to a couple of thousand documents each, the last of each worker smaller) would else
fall into two tiers, break each other's runs and never merge, and every search would pay for
each of them."""


def select_merge(
    sizes: Sequence[int],
    factor: int = MERGE_FACTOR,
    nbytes: Sequence[int] | None = None,
    max_bytes: int | None = None,
    min_docs: int = 1,
) -> list[int] | None:
    """Indexes of segments to merge, or None: ``factor`` adjacent segments of one log-size tier
    (the lowest such tier, leftmost run first).

    Only neighbours merge (as in Lucene's LogMergePolicy), so documents keep the order they
    were added in, whatever the segmentation: a ranking's ties, broken by index order, come out
    the same from a sequential run and from worker processes.

    ``max_bytes`` caps a merge (as Lucene's ``maxMergedSegmentMB`` does), ``nbytes`` giving
    each segment's size in bytes: a segment of more than half the cap never merges again, and
    a run of one tier whose total would pass the cap merges only its longest prefix that fits
    (two segments at least), so no merge reads more than ``max_bytes`` of segments.

    ``min_docs`` is a floor: segments smaller than it count as its size (:data:`MIN_MERGE_DOCS`),
    so small segments of uneven sizes are one tier.

    >>> select_merge([500, 7, 6, 8, 9, 4, 3, 2, 1, 5, 6, 1000], factor=10)
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    >>> select_merge([5, 7, 6, 1000, 8, 9, 4, 3, 2, 1, 5], factor=10) is None
    True
    >>> select_merge([1, 1, 1, 1], factor=4, nbytes=[40, 40, 40, 40], max_bytes=100)
    [0, 1]
    >>> select_merge([1, 1, 1, 1], factor=4, nbytes=[60, 40, 40, 40], max_bytes=100)
    [1, 2]
    >>> select_merge([505, 1056, 469, 1713, 355, 1378, 606, 1426, 1008, 1323], factor=10) is None
    True
    >>> select_merge([505, 1056, 469, 1713, 355, 1378, 606, 1426, 1008, 1323], 10, min_docs=1000)
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    if max_bytes is not None and nbytes is None:
        raise ValueError("max_bytes needs the segments' nbytes")
    tiers = [_tier(max(n, min_docs, 1), factor) for n in sizes]
    best: list[int] | None = None
    for start in range(len(sizes) - factor + 1):
        window = tiers[start : start + factor]
        if window.count(window[0]) != factor or (best is not None and window[0] >= tiers[best[0]]):
            continue
        chosen = list(range(start, start + factor))
        if max_bytes is not None and nbytes is not None:
            chosen = _fitting(chosen, nbytes, max_bytes)
            if len(chosen) < 2:
                continue
        best = chosen
    return best


def _tier(n: int, factor: int) -> int:
    """The integer log of ``n`` to base ``factor``, exactly (``math.log(1000, 10)`` is
    2.9999999999999996).

    >>> [_tier(n, 10) for n in (1, 9, 10, 999, 1000, 1001)]
    [0, 0, 1, 2, 3, 3]
    """
    tier = 0
    while n >= factor:
        n //= factor
        tier += 1
    return tier


def _fitting(chosen: list[int], nbytes: Sequence[int], max_bytes: int) -> list[int]:
    """The longest run of ``chosen``, from its first segment under half of ``max_bytes``,
    whose segments are all under half of it and add up to at most ``max_bytes``."""
    out: list[int] = []
    total = 0
    for i in chosen:
        if 2 * nbytes[i] > max_bytes or total + nbytes[i] > max_bytes:
            if len(out) >= 2:
                break
            out, total = [], 0  # too big: start after it
            if 2 * nbytes[i] > max_bytes:
                continue
        out.append(i)
        total += nbytes[i]
    return out


def _let_go(reader: object, field: str | None = None) -> None:
    """What a merge has read of ``reader`` (one ``field``'s decoded terms, its mapped pages)
    is let go, where the reader can (:class:`SegmentReader`; other sources keep theirs)."""
    if field is not None and (forget := getattr(reader, "forget_field", None)) is not None:
        forget(field)
    if (release := getattr(reader, "release_pages", None)) is not None:
        release()


POSITION_BATCH = 1 << 20
"""Positions gathered at once when a field's positions are merged (bounds the index array)."""


def _merge_field(
    field: str, readers: Sequence[SegmentReader], docmaps: Sequence[np.ndarray], ndocs: int
) -> FieldPostings | None:
    """One field of the merged segment: postings in their segments' (renumbered) order per
    term, positions copied a posting at a time in that order, arrays in their narrowest
    types (the merge holds what the merged files hold, not 64-bit copies of it)."""
    vocab = sorted(set().union(*(r.terms(field) for r in readers if field in r.field_names)))
    if not vocab:
        return None
    rank = dict(zip(vocab, range(len(vocab)), strict=True))
    tids, docs, tfs, sources, positions = [], [], [], [], []
    base = 0  # where the segment's positions start in all segments' positions back to back
    for r, docmap in zip(readers, docmaps, strict=True):
        if field not in r.field_names:
            continue
        a = r.field_arrays(field)
        terms = r.terms(field)
        seg_rank = np.array(list(map(rank.__getitem__, terms)), dtype=np.int64)
        seg_start = a["start"].astype(np.int64)
        per_post_tid = np.repeat(seg_rank, np.diff(seg_start))
        new_docs = docmap[a["docs"]]
        seg_tfs = a["tfs"]
        first = np.zeros(seg_tfs.size + 1, dtype=np.int64)  # each posting's first position
        np.cumsum(seg_tfs, out=first[1:])
        keep = new_docs >= 0
        tids.append(per_post_tid[keep])
        docs.append(new_docs[keep])
        tfs.append(seg_tfs[keep])
        sources.append(first[:-1][keep] + base)
        positions.append(a["pos"])
        base += a["pos"].size
    # Segments come in order and renumbering keeps that order: a stable sort by term keeps
    # each term's postings in doc order.
    tid = np.concatenate(tids)
    order = stable_argsort(tid)
    tid = tid[order]
    doc = np.concatenate(docs)[order].astype(smallest_uint(max(ndocs - 1, 0)))
    tf = np.concatenate(tfs)[order]
    source = np.concatenate(sources)[order]
    del order, tids, docs, tfs, sources
    start = np.searchsorted(tid, np.arange(len(vocab) + 1))
    offs = np.zeros(tf.size + 1, dtype=np.int64)
    np.cumsum(tf, out=offs[1:])
    pstart = offs[start]
    allpos = np.concatenate(positions)
    pos = np.empty(int(offs[-1]), dtype=allpos.dtype)
    i = 0
    while i < tf.size:  # out[offs[p] + k] = allpos[source[p] + k], k < tf[p]
        j = int(np.searchsorted(offs, offs[i] + POSITION_BATCH, side="right")) - 1
        j = min(max(j, i + 1), tf.size)
        idx = np.repeat(source[i:j] - offs[i:j], tf[i:j]) + np.arange(offs[i], offs[j])
        pos[offs[i] : offs[j]] = allpos[idx]
        i = j
    # Drop terms whose every posting was deleted.
    df = np.diff(start)
    if (df == 0).any():
        live_terms = np.flatnonzero(df > 0)
        vocab = [vocab[i] for i in live_terms]
        start = np.append(start[live_terms], start[-1])
        pstart = np.append(pstart[live_terms], pstart[-1])
    return FieldPostings(vocab, start, doc, tf, pstart, pos)


def _doc_values(r: SegmentReader, column: str, docs: list[int]) -> list[list[str]]:
    """``[r.doc_values(column, d) for d in docs]``, the column's codes and offsets converted
    to Python integers once, not one numpy scalar at a time."""
    if column not in r.cols:  # a column newer than the segment (sections)
        return [[] for _ in docs]
    off = r.cols[f"{column}_off"].tolist()
    table = r.col_tables[column]
    values = [table[c] for c in r.cols[column].tolist()]
    return [values[off[d] : off[d + 1]] for d in docs]


def merge_segments(readers: Sequence[SegmentReader], *, compress: bool = False) -> SegmentData:
    """One segment holding every live document of ``readers``, in order.

    ``compress``: the stored documents come compressed in ``.store`` blocks (``store``) as
    they are read, instead of as a list of every document (``stored``): what the file writer
    wants, in a fraction of the memory. Readers that can (:class:`SegmentReader`) drop each
    field's decoded terms once it is merged and let their mapped pages go."""
    docmaps = []
    base = 0
    for r in readers:
        live = np.ones(r.ndocs, dtype=bool) if r.live is None else r.live
        m = np.full(r.ndocs, -1, dtype=np.int64)
        m[live] = base + np.arange(int(live.sum()))
        base += int(live.sum())
        docmaps.append(m)
    fields: dict[str, FieldPostings] = {}
    for field in sorted({f for r in readers for f in r.field_names}):
        fp = _merge_field(field, readers, docmaps, base)
        if fp is not None:
            fields[field] = fp
        for r in readers:
            _let_go(r, field)
    lengths = {}
    for field in sorted({f for r in readers for f in r.lengths}):
        parts = []
        for r in readers:
            arr = r.lengths.get(field)
            if arr is None:
                parts.append(np.zeros(r.live_count, np.uint32))
            else:
                parts.append((arr if r.live is None else arr[r.live]).astype(np.uint32))
        lengths[field] = np.concatenate(parts)
    ids: list[str] = []
    lang: list[str] = []
    kind: list[str] = []
    countries: list[Sequence[str]] = []
    sections: list[Sequence[str]] = []
    links: list[Sequence[str]] = []
    store = StoreWriter() if compress else None
    stored: list[bytes] = []
    titles: list[str] = []
    dates: list[np.ndarray] = []
    for r in readers:
        tables = r.col_tables
        kept: list[int] = (
            list(range(r.ndocs)) if r.live is None else np.flatnonzero(r.live).tolist()
        )
        seg_ids = r.ids
        ids.extend([seg_ids[d] for d in kept])
        for column, out in ((LANG_COLUMN, lang), ("kind", kind)):
            table = tables[COLUMN_TABLES[column]]
            column_codes = r.cols[column].tolist()
            out.extend([table[column_codes[d]] for d in kept])
        if "sections" in r.cols:
            countries.extend(_doc_values(r, "countries", kept))
            sections.extend(_doc_values(r, "sections", kept))
        else:  # written before the sections column: its labels are all in countries
            for values in _doc_values(r, "countries", kept):
                codes, labels = legacy_places(values)
                countries.append(codes)
                sections.append(labels)
        links.extend(_doc_values(r, "links", kept))
        for d in kept:
            if store is None:
                stored.append(r.stored_raw(d))
            else:
                store.add(r.stored_raw(d))
            titles.append(r.title(d))
        dates.append(r.cols["date"] if r.live is None else r.cols["date"][r.live].copy())
        _let_go(r)  # its stored blocks were read: let them go
    words: dict[str, dict[str, str]] = {}
    for language in LANGS:
        suffix = "." + language
        present = set().union(*(fp.terms for name, fp in fields.items() if name.endswith(suffix)))
        pairs: dict[str, str] = {}
        for r in readers:
            ws, ts = r.words(language)
            if present.issuperset(ts):  # every word's term kept (no document deleted)
                pairs.update(zip(ws, ts, strict=True))
            else:
                pairs.update((w, t) for w, t in zip(ws, ts, strict=True) if t in present)
        if pairs:
            words[language] = pairs
    return SegmentData(
        ndocs=base,
        fields=fields,
        lengths=lengths,
        ids=ids,
        lang=lang,
        kind=kind,
        date=np.concatenate(dates).astype(np.int32) if dates else np.zeros(0, np.int32),
        countries=countries,
        sections=sections,
        links=links,
        stored=stored,
        titles=titles,
        words=words,
        store=None if store is None else store.finish(),
    )
