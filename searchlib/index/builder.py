"""The in-memory buffer of a segment being written: analysed documents in, :class:`SegmentData` out.

Adding a document only appends to flat lists (term strings, doc numbers, positions per field);
all sorting and grouping happens once, vectorised with numpy, when the segment is finished.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import count

import attrs
import numpy as np

from searchlib.analysis import get_analyzer
from searchlib.index.segment import FieldPostings, SegmentData

__all__ = ["IndexDoc", "SegmentBuilder", "build_field"]


@attrs.frozen(slots=True)
class IndexDoc:
    """A document ready for the index: analysed fields plus column and stored values."""

    id: str
    lang: str
    kind: str
    date: int  # days since 1970-01-01, NO_DATE when unknown
    countries: tuple[str, ...]
    links: tuple[str, ...]
    fields: dict[str, tuple[list[str], list[int]]]  # field -> (terms, positions)
    stored: bytes
    title: str = ""
    chunks: frozenset[str] = frozenset()  # distinct whitespace chunks of its text


class _FieldBuffer:
    """One field's terms and positions back to back, and (doc, count) runs: per-token work
    is two list extends; doc numbers are expanded with ``np.repeat`` when the segment ends."""

    __slots__ = ("counts", "docnums", "pos", "terms")

    def __init__(self) -> None:
        self.terms: list[str] = []
        self.pos: list[int] = []
        self.docnums = array("I")
        self.counts = array("I")


def build_field(terms: list[str], docs: np.ndarray, pos: np.ndarray) -> FieldPostings:
    """Group one field's (term, doc, position) triples, in doc order, into sorted postings."""
    # Each distinct term keeps the index of its first occurrence as its id (map/count run in
    # C); ids are then replaced by the term's rank in sorted order.
    vocab: dict[str, int] = {}
    ids = np.fromiter(map(vocab.setdefault, terms, count()), dtype=np.int64, count=len(terms))
    sorted_terms = sorted(vocab)
    rank = np.zeros(max(len(terms), 1), dtype=np.int64)
    rank[np.fromiter(map(vocab.__getitem__, sorted_terms), dtype=np.int64, count=len(vocab))] = (
        np.arange(len(vocab))
    )
    tid = rank[ids]
    # docs arrive in ascending order and positions ascending per doc: a stable sort on the term
    # keeps both orders inside each term.
    order = np.argsort(tid, kind="stable")
    tid, docs, pos = tid[order], docs[order], pos[order]
    n = tid.size
    change = np.ones(n, dtype=bool)
    if n > 1:
        change[1:] = (tid[1:] != tid[:-1]) | (docs[1:] != docs[:-1])
    heads = np.flatnonzero(change)
    tfs = np.diff(np.append(heads, n))
    p_tid = tid[heads]
    start = np.searchsorted(p_tid, np.arange(len(sorted_terms) + 1))
    pstart = np.append(heads, n)[start]
    return FieldPostings(sorted_terms, start, docs[heads], tfs, pstart, pos)


class SegmentBuilder:
    """Collects analysed documents for one new segment."""

    def __init__(self) -> None:
        self._fields: dict[str, _FieldBuffer] = {}
        self._lengths: dict[str, array[int]] = {}
        self.ids: list[str] = []
        self._lang: list[str] = []
        self._kind: list[str] = []
        self._date = array("i")
        self._countries: list[Sequence[str]] = []
        self._links: list[Sequence[str]] = []
        self._stored: list[bytes] = []
        self._titles: list[str] = []
        self._chunks: dict[str, set[str]] = {}
        self.bytes_buffered = 0
        self.tokens_buffered = 0

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, doc: IndexDoc) -> int:
        """Append ``doc``; returns its document number in the segment."""
        docnum = len(self.ids)
        for field, (terms, positions) in doc.fields.items():
            buf = self._fields.get(field)
            if buf is None:
                buf = self._fields[field] = _FieldBuffer()
                self._lengths[field] = array("I", bytes(4 * docnum))
            buf.terms += terms
            buf.pos += positions
            buf.docnums.append(docnum)
            buf.counts.append(len(terms))
            self.tokens_buffered += len(terms)
        for field, lens in self._lengths.items():
            entry = doc.fields.get(field)
            lens.append(len(entry[0]) if entry else 0)
        self.ids.append(doc.id)
        self._lang.append(doc.lang)
        self._kind.append(doc.kind)
        self._date.append(doc.date)
        self._countries.append(doc.countries)
        self._links.append(doc.links)
        self._stored.append(doc.stored)
        self._titles.append(doc.title)
        self._chunks.setdefault(doc.lang, set()).update(doc.chunks)
        self.bytes_buffered += len(doc.stored)
        return docnum

    def finish(self) -> SegmentData:
        """Sort and group everything into the arrays of a segment, with the stemmed words of
        each language's text (so multi-term queries can expand over words, not stems)."""
        fields = {}
        for name, buf in self._fields.items():
            docs = np.repeat(
                np.frombuffer(buf.docnums, dtype=np.uint32).astype(np.int64),
                np.frombuffer(buf.counts, dtype=np.uint32),
            )
            fields[name] = build_field(buf.terms, docs, np.array(buf.pos, dtype=np.uint32))
        return SegmentData(
            ndocs=len(self.ids),
            fields=fields,
            lengths={f: np.frombuffer(a, dtype=np.uint32).copy() for f, a in self._lengths.items()},
            ids=list(self.ids),
            lang=self._lang,
            kind=self._kind,
            date=np.frombuffer(self._date, dtype=np.int32).copy()
            if self._date
            else np.zeros(0, np.int32),
            countries=self._countries,
            links=self._links,
            stored=self._stored,
            titles=self._titles,
            words={
                lang: words
                for lang, chunks in sorted(self._chunks.items())
                if lang in ("en", "es") and (words := get_analyzer(lang).stemmed_words(chunks))
            },
        )
