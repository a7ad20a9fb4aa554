"""Related items of a document: its twin, the items its page shows (or the pages that show it),
then documents of similar content (more-like-this over its key terms), each with its reason."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence

import attrs
import numpy as np

from searchlib.analysis import get_analyzer
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.errors import IndexStateError
from searchlib.schema import StoredDoc
from searchlib.seam import IndexSource, SegmentSource
from searchlib.search.arrays import unique
from searchlib.search.context import SearchContext
from searchlib.search.hits import build_hit
from searchlib.search.leaves import score_group
from searchlib.search.results import Hit, Results
from searchlib.search.twins import twins_for

__all__ = ["key_terms", "pages_showing", "related", "written_forms"]


def written_forms(doc: StoredDoc, lang: str, terms: list[str]) -> dict[str, str]:
    """For each of ``terms``, the first word of a stored document that has it, as written
    (``traffick`` -> ``trafficking``); terms the document does not hold are left out."""
    term = get_analyzer(lang).term
    wanted = set(terms)
    first: dict[str, str] = {}
    for text in (doc.get("title") or "", doc.get("teaser") or "", *doc.get("body", ())):
        for match in TOKEN_RE.finditer(text):
            t = term(match.group())
            if t in wanted and t not in first:
                first[t] = match.group()
                if len(first) == len(wanted):
                    return first
    return first


def related(
    reader: IndexSource, doc_id: str, limit: int, context: Callable[[str], SearchContext]
) -> Results:
    """Items related to ``doc_id``: the items shown on its page, then similar documents.

    Each hit carries a ``reason``: "same story, other language" (its twin), "shown on its
    page", "page that shows it", or "similar content: <key words>". ``limit`` is checked by
    the caller; ``context(lang)`` gives the search context of one language (the key terms'
    statistics).
    """
    t0 = time.perf_counter()
    doc = reader.document(doc_id)
    if doc is None:
        raise IndexStateError(f"no document with id {doc_id!r} in the index")
    hits: list[Hit] = []
    seen = {doc_id}
    twin = twins_for(reader).get(doc_id)
    twin_loc = None if twin is None else reader.locate(twin)
    if twin is not None and twin_loc is not None:
        seen.add(twin)
        hits.append(
            build_hit(
                reader,
                twin_loc[0],
                twin_loc[1],
                0.0,
                None,
                "same story, other language",
                whole=True,
            )
        )
    for rid in doc.get("related", ()):
        loc = reader.locate(rid)
        if loc is not None and rid not in seen:
            seen.add(rid)
            hits.append(
                build_hit(reader, loc[0], loc[1], 0.0, None, "shown on its page", whole=True)
            )
    if doc["kind"] == "related":
        for i, seg in enumerate(reader.segments):
            ids = seg.ids
            for j in pages_showing(seg, doc_id).tolist():
                if ids[j] not in seen:
                    seen.add(ids[j])
                    hits.append(
                        build_hit(reader, i, j, 0.0, None, "page that shows it", whole=True)
                    )
    hits += _more_like_this(reader, doc, limit, seen, context)
    took = (time.perf_counter() - t0) * 1000
    hits = hits[:limit] if len(hits) > limit else hits
    return Results(f"related:{doc_id}", len(hits), took, tuple(hits))


def key_terms(
    doc: StoredDoc, context: Callable[[str], SearchContext], n: int = 12
) -> list[tuple[str, float]]:
    """The ``n`` terms of a stored document with the highest tf-idf."""
    lang = doc.get("lang", "en")
    text = " ".join([doc.get("title", ""), doc.get("teaser", "")] + list(doc.get("body", ())))
    terms, _ = get_analyzer(lang).terms(text)
    counts = Counter(t for t in terms if len(t) > 2 and not t.isdigit())
    ctx = context(lang)
    scored = [(t, c * ctx.idf(lang, ctx.default_fields, (t,))) for t, c in counts.items()]
    scored.sort(key=lambda x: (-x[1], x[0]))
    return scored[:n]


def _more_like_this(
    reader: IndexSource,
    doc: StoredDoc,
    limit: int,
    seen: set[str],
    context: Callable[[str], SearchContext],
) -> list[Hit]:
    lang = doc.get("lang", "en")
    key = key_terms(doc, context)
    if not key:
        return []
    ctx = context(lang)
    seg_ids, docnums, scores = [], [], []
    holds: list[list[tuple[str, np.ndarray]]] = []  # per segment: (key term, its docs)
    for i, seg in enumerate(reader.segments):
        total = np.zeros(seg.ndocs, dtype=np.float32)
        holds.append([])
        for term, _ in key:
            m, s = score_group(ctx, seg, lang, ctx.default_fields, [term], 1.0)
            total += s
            holds[-1].append((term, m))
        if seg.live is not None:
            total[~seg.live] = 0
        docs = np.flatnonzero(total > 0)
        seg_ids += [i] * docs.size
        docnums += docs.tolist()
        scores += total[docs].tolist()
    order = np.lexsort((np.array(docnums), np.array(seg_ids), -np.array(scores, dtype=np.float64)))
    # each hit's reason: the key words it shares, as the document asked about writes them
    written = written_forms(doc, lang, [t for t, _ in key])
    hits = []
    for j in order:
        seg = reader.segments[seg_ids[j]]
        d = seg.ids[docnums[j]]
        if d in seen:
            continue
        seen.add(d)
        hit = build_hit(reader, seg_ids[j], docnums[j], float(scores[j]), None, whole=True)
        shared = [t for t, m in holds[seg_ids[j]] if m[docnums[j]] and t in written][:5]
        words = ", ".join(written[t] for t in shared)
        hits.append(attrs.evolve(hit, reason=f"similar content: {words}"))
        if len(hits) >= limit:
            break
    return hits


def _codes_equal(table: Sequence[str], value: str) -> list[int]:
    """The codes of ``value`` in a column's value table."""
    out: list[int] = []
    i = -1
    while True:
        try:
            i = table.index(value, i + 1)
        except ValueError:
            return out
        out.append(i)


def pages_showing(seg: SegmentSource, item_id: str) -> np.ndarray:
    """The live documents of ``seg`` whose page shows (links to) ``item_id``, ascending: read
    from the ``links`` column's codes with numpy, not document by document."""
    codes = _codes_equal(seg.col_tables["links"], item_id)
    if not codes:
        return np.zeros(0, dtype=np.intp)
    links = seg.cols["links"]
    hold = np.isin(links, codes) if len(codes) > 1 else links == codes[0]
    at = np.flatnonzero(hold)
    docs = unique(np.searchsorted(seg.cols["links_off"], at, side="right") - 1)
    if seg.live is not None:
        docs = docs[seg.live[docs]]
    out: np.ndarray = docs.astype(np.intp)
    return out
