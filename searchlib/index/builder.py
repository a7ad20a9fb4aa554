"""The in-memory buffer of a segment being written: documents in, :class:`SegmentData` out.

Adding a document only buffers its raw texts (per field, with its document number) and its
column and stored values; nothing is analysed then. When the segment is finished, each field's
texts are analysed in one batch by their language's analyzer, and the postings are sorted and
grouped once, vectorised with numpy (:func:`build_field`).
"""

from __future__ import annotations

from array import array
from typing import Any

import attrs
import numpy as np

from searchlib.analysis import get_analyzer
from searchlib.analysis.analyzers import text_slices
from searchlib.analysis.chunks import ChunkTable
from searchlib.index.segment import FieldPostings, SegmentData

__all__ = ["IndexDoc", "SegmentBuilder", "build_field", "stable_argsort"]


@attrs.define(slots=True)
class IndexDoc:
    """A document ready for the index: the text of each field plus column and stored values.

    Texts are analysed when the segment is finished, a whole segment's texts of a field at
    once (:meth:`~searchlib.analysis.Analyzer.analyse_batch`), by the analyzer of ``lang``.
    Not frozen (nothing changes one once made): a frozen class sets each of its eleven
    attributes through ``object.__setattr__``, 0.6 us more per document indexed.
    """

    id: str
    lang: str
    kind: str
    date: int  # days since 1970-01-01, NO_DATE when unknown
    countries: tuple[str, ...]  # ISO codes (names the vocabulary does not know: as written)
    links: tuple[str, ...]
    fields: dict[str, str]  # index field -> its text
    stored: bytes
    title: str = ""
    sections: tuple[str, ...] = ()
    provenance: tuple[str, str | None, dict[str, Any]] | None = attrs.field(default=None, eq=False)
    """The ``source``, ``url`` and ``meta`` that ``stored`` reads back as, when the maker knows
    them (a JSONL record's): what twin linking reads from the stored fields, given here so
    that it is not parsed out of them (:attr:`SegmentData.provenance`)."""


class _FieldTexts:
    """The texts of one field and the documents they belong to."""

    __slots__ = ("docnums", "lang", "texts")

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.texts: list[str] = []
        self.docnums = array("I")


def stable_argsort(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for non-negative integer keys below 2**32, as one or
    two radix sorts of 16-bit digits (numpy sorts 16-bit integers stably by radix sort, which is
    faster than its merge sort of 64-bit integers)."""
    if not keys.size or int(keys.max()) < 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    low = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    high = np.argsort((keys[low] >> 16).astype(np.uint16), kind="stable")
    return low[high]


def build_field(
    sorted_terms: list[str], tid: np.ndarray, docs: np.ndarray, pos: np.ndarray
) -> FieldPostings:
    """Group one field's (term rank, doc, position) triples, in doc order and positions
    ascending per doc, into postings; ``sorted_terms[rank]`` is the term."""
    # A stable sort on the term keeps doc and position order inside each term.
    order = stable_argsort(tid)
    tid, docs, pos = tid[order], docs[order], pos[order]
    n = tid.size
    change = np.ones(n, dtype=bool)
    if n > 1:
        change[1:] = (tid[1:] != tid[:-1]) | (docs[1:] != docs[:-1])
    heads = np.flatnonzero(change)
    tfs = np.diff(np.append(heads, n))
    start = np.searchsorted(tid[heads], np.arange(len(sorted_terms) + 1))
    pstart = np.append(heads, n)[start]
    return FieldPostings(sorted_terms, start, docs[heads], tfs, pstart, pos)


def _distinct(ids: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of ``ids`` (all in ``range(size)``), sorted: a mask, not a sort."""
    seen = np.zeros(size, dtype=bool)
    seen[ids] = True
    return np.flatnonzero(seen)


def _term_ranks(table: ChunkTable, tids: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The sorted distinct terms of ``tids`` (term ids of ``table``) and ``tids`` replaced by
    the rank of their term among them."""
    distinct = _distinct(tids, len(table.terms))
    names = list(map(table.terms.__getitem__, distinct.tolist()))
    order = sorted(range(len(names)), key=names.__getitem__)
    lut = np.zeros(len(table.terms), dtype=np.int64)
    lut[distinct[order]] = np.arange(len(order))
    return list(map(names.__getitem__, order)), lut[tids]


HUGE_TEXT = 1 << 20
"""A field whose texts include one longer than this (characters) is analysed a piece of about
this size at a time, the pieces' postings joined after: its memory is that of a piece, not of
the text (a 50 MB text took 1 GB at once: some 120 bytes a word in flight)."""


def _build_in_pieces(
    buf: _FieldTexts,
    docnums: np.ndarray,
    lens: np.ndarray,
    words: dict[int, tuple[ChunkTable, list[np.ndarray]]],
) -> FieldPostings:
    """The postings of one field whose texts include a huge one: texts cut into pieces of at
    most about :data:`HUGE_TEXT` characters (where the analysis itself would cut them), a
    batch of pieces analysed and grouped into postings at a time, each piece's positions
    shifted by the words of the pieces of its text before it; then the batches' postings
    joined (a document's postings of one term, split over batches, become one). The result
    equals the postings of the whole texts analysed at once."""
    analyzer = get_analyzer(buf.lang)
    partials: list[FieldPostings] = []
    batch: list[str] = []
    owners: list[int] = []  # the document of each piece of the batch
    size = 0
    current = [-1, 0]  # the document of the last piece analysed, and its words so far

    def run() -> None:
        nonlocal batch, owners, size
        table, ex, counted = analyzer.analyse_pieces(batch)
        starts = []  # where each piece's positions start in its text
        for owner, n in zip(owners, counted.tolist(), strict=True):
            start = current[1] if owner == current[0] else 0
            starts.append(start)
            current[:] = [owner, start + n]
        doc = np.asarray(owners, dtype=np.int64)
        np.add.at(lens, doc, ex.lengths.astype(np.uint32))
        distinct = np.unique(ex.word_ids)  # which words occur: not one id per word in flight
        words.setdefault(id(table), (table, []))[1].append(distinct)
        sorted_terms, ranks = _term_ranks(table, ex.term_ids)
        texts = ex.texts  # (made on each read: read once)
        pos = ex.positions + np.asarray(starts, dtype=ex.positions.dtype)[texts]
        partials.append(build_field(sorted_terms, ranks, doc[texts], pos))
        batch, owners, size = [], [], 0

    for text, doc in zip(buf.texts, docnums.tolist(), strict=True):
        for piece in text_slices(text, HUGE_TEXT) if len(text) > HUGE_TEXT else [text]:
            if batch and size + len(piece) > HUGE_TEXT:
                run()
            batch.append(piece)
            owners.append(doc)
            size += len(piece)
    if batch:
        run()
    return _join_postings(partials)


def _join_postings(parts: list[FieldPostings]) -> FieldPostings:
    """Postings of consecutive batches of documents as one field: a term's postings in batch
    order, a (term, document) pair split over two batches made one posting."""
    vocab = sorted({t for p in parts for t in p.terms})
    rank = {t: i for i, t in enumerate(vocab)}
    tids, docs, tfs, sources, positions = [], [], [], [], []
    base = 0
    for p in parts:
        seg_rank = np.fromiter((rank[t] for t in p.terms), dtype=np.int64, count=len(p.terms))
        start = np.asarray(p.start, dtype=np.int64)
        tids.append(np.repeat(seg_rank, np.diff(start)))
        docs.append(np.asarray(p.docs, dtype=np.int64))
        tf = np.asarray(p.tfs, dtype=np.int64)
        tfs.append(tf)
        first = np.zeros(tf.size + 1, dtype=np.int64)
        np.cumsum(tf, out=first[1:])
        sources.append(first[:-1] + base)
        positions.append(p.pos)
        base += p.pos.size
    tid = np.concatenate(tids)
    order = stable_argsort(tid)
    tid, doc = tid[order], np.concatenate(docs)[order]
    tf, source = np.concatenate(tfs)[order], np.concatenate(sources)[order]
    allpos = np.concatenate(positions)
    offs = np.zeros(tf.size + 1, dtype=np.int64)
    np.cumsum(tf, out=offs[1:])
    pos = np.empty(int(offs[-1]), dtype=allpos.dtype)
    i = 0
    while i < tf.size:  # pos[offs[p] + k] = allpos[source[p] + k], a batch of postings at a time
        j = int(np.searchsorted(offs, offs[i] + HUGE_TEXT, side="right")) - 1
        j = min(max(j, i + 1), tf.size)
        idx = np.repeat(source[i:j] - offs[i:j], tf[i:j]) + np.arange(offs[i], offs[j])
        pos[offs[i] : offs[j]] = allpos[idx]
        i = j
    del allpos
    n = tid.size
    change = np.ones(n, dtype=bool)
    if n > 1:
        change[1:] = (tid[1:] != tid[:-1]) | (doc[1:] != doc[:-1])
    heads = np.flatnonzero(change)
    tf = np.add.reduceat(tf, heads) if n else tf
    tid, doc = tid[heads], doc[heads]
    start = np.searchsorted(tid, np.arange(len(vocab) + 1))
    pstart = np.zeros(tf.size + 1, dtype=np.int64)
    np.cumsum(tf, out=pstart[1:])
    return FieldPostings(vocab, start, doc, tf, pstart[start], pos)


class SegmentBuilder:
    """Collects the documents of one new segment (their texts are analysed by :meth:`finish`)."""

    def __init__(self) -> None:
        self._fields: dict[str, _FieldTexts] = {}
        self.ids: list[str] = []
        self._docs: list[IndexDoc] = []  # their column and stored values, taken at finish
        self.bytes_buffered = 0
        self.chars_buffered = 0

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, doc: IndexDoc) -> int:
        """Append ``doc``; returns its document number in the segment."""
        docnum = len(self.ids)
        chars = 0
        for field, text in doc.fields.items():
            buf = self._fields.get(field)
            if buf is None:
                buf = self._fields[field] = _FieldTexts(doc.lang)
            buf.texts.append(text)
            buf.docnums.append(docnum)
            chars += len(text)
        self.chars_buffered += chars
        self.ids.append(doc.id)
        self._docs.append(doc)
        self.bytes_buffered += len(doc.stored)
        return docnum

    def finish(self) -> SegmentData:
        """Analyse each field's texts, build sorted postings and field lengths, and collect the
        stemmed words of each language's text (so multi-term queries can expand over words,
        not stems)."""
        ndocs = len(self.ids)
        fields = {}
        lengths = {}
        words: dict[int, tuple[ChunkTable, list[np.ndarray]]] = {}
        for name, buf in self._fields.items():
            docnums = np.frombuffer(buf.docnums, dtype=np.uint32).astype(np.int64)
            lens = lengths[name] = np.zeros(ndocs, dtype=np.uint32)
            if max(map(len, buf.texts), default=0) > HUGE_TEXT:
                fields[name] = _build_in_pieces(buf, docnums, lens, words)
                continue
            table, ex = get_analyzer(buf.lang).analyse_batch(buf.texts)
            lens[docnums] = ex.lengths
            words.setdefault(id(table), (table, []))[1].append(ex.word_ids)
            sorted_terms, ranks = _term_ranks(table, ex.term_ids)
            docs = np.repeat(docnums, ex.lengths)  # = docnums[ex.texts], without the gather
            fields[name] = build_field(sorted_terms, ranks, docs, ex.positions)
        by_lang: dict[str, dict[str, str]] = {}
        for table, word_ids in words.values():
            by_lang.setdefault(table.lang, {}).update(table.stemmed_words(np.concatenate(word_ids)))
        held = self._docs
        return SegmentData(
            ndocs=ndocs,
            fields=fields,
            lengths=lengths,
            ids=list(self.ids),
            lang=[d.lang for d in held],
            kind=[d.kind for d in held],
            date=np.array(array("i", [d.date for d in held]), dtype=np.int32),
            countries=[d.countries for d in held],
            sections=[d.sections for d in held],
            links=[d.links for d in held],
            stored=[d.stored for d in held],
            titles=[d.title for d in held],
            provenance=[d.provenance for d in held],
            words={lang: w for lang, w in sorted(by_lang.items()) if w},
        )
