"""The in-memory buffer of a segment being written: analysed documents in, :class:`SegmentData` out.

Adding a document only appends to flat lists (term strings, doc numbers, positions per field);
all sorting and grouping happens once, vectorised with numpy, when the segment is finished.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import attrs
import numpy as np

from searchlib.analysis.chunks import ChunkTable
from searchlib.index.segment import FieldPostings, SegmentData

__all__ = ["IndexDoc", "SegmentBuilder", "build_field"]


@attrs.frozen(slots=True)
class IndexDoc:
    """A document ready for the index: analysed fields plus column and stored values.

    Each text field is the ids of its whitespace-separated chunks in ``table``, the chunk table
    of the document's analyzer (see :mod:`searchlib.analysis.chunks`).
    """

    id: str
    lang: str
    kind: str
    date: int  # days since 1970-01-01, NO_DATE when unknown
    countries: tuple[str, ...]
    links: tuple[str, ...]
    fields: dict[str, list[int]]  # field -> chunk ids of its text in ``table``
    table: ChunkTable
    stored: bytes
    title: str = ""


class _Run:
    """Chunk ids of consecutive documents of one field, all from one chunk table: per-token
    work is one array extend; they become terms and positions when the segment ends."""

    __slots__ = ("counts", "docnums", "ids", "table")

    def __init__(self, table: ChunkTable) -> None:
        self.table = table
        self.ids = array("I")
        self.docnums = array("I")
        self.counts = array("I")


def build_field(
    sorted_terms: list[str], tid: np.ndarray, docs: np.ndarray, pos: np.ndarray
) -> FieldPostings:
    """Group one field's (term rank, doc, position) triples, in doc order and positions
    ascending per doc, into postings; ``sorted_terms[rank]`` is the term."""
    # A stable sort on the term keeps doc and position order inside each term.
    order = np.argsort(tid, kind="stable")
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


def _term_ranks(
    runs: list[tuple[ChunkTable, np.ndarray]],
) -> tuple[list[str], list[np.ndarray]]:
    """The sorted distinct terms of ``runs`` (term ids of their tables) and each run's ids
    replaced by the rank of their term."""
    uniq = [_distinct(t, len(table.terms)) for table, t in runs]
    names = [
        list(map(table.terms.__getitem__, u.tolist()))
        for (table, _), u in zip(runs, uniq, strict=True)
    ]
    if len(runs) == 1:  # the usual case: rank the run's own distinct terms
        order = sorted(range(len(names[0])), key=names[0].__getitem__)
        sorted_terms = list(map(names[0].__getitem__, order))
        ranks = [np.empty(len(order), dtype=np.int64)]
        ranks[0][order] = np.arange(len(order))
    else:
        sorted_terms = sorted(set().union(*names))
        rank = {t: i for i, t in enumerate(sorted_terms)}
        ranks = [np.fromiter(map(rank.__getitem__, nm), np.int64, len(nm)) for nm in names]
    out = []
    for (_, tids), u, r in zip(runs, uniq, ranks, strict=True):
        lut = np.zeros(int(u[-1]) + 1 if u.size else 1, dtype=np.int64)
        lut[u] = r
        out.append(lut[tids])
    return sorted_terms, out


class SegmentBuilder:
    """Collects analysed documents for one new segment."""

    def __init__(self) -> None:
        self._fields: dict[str, list[_Run]] = {}
        self.ids: list[str] = []
        self._lang: list[str] = []
        self._kind: list[str] = []
        self._date = array("i")
        self._countries: list[Sequence[str]] = []
        self._links: list[Sequence[str]] = []
        self._stored: list[bytes] = []
        self._titles: list[str] = []
        self.bytes_buffered = 0
        self.tokens_buffered = 0

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, doc: IndexDoc) -> int:
        """Append ``doc``; returns its document number in the segment."""
        docnum = len(self.ids)
        for field, ids in doc.fields.items():
            runs = self._fields.get(field)
            if runs is None:
                runs = self._fields[field] = []
            if not runs or runs[-1].table is not doc.table:
                runs.append(_Run(doc.table))
            run = runs[-1]
            run.ids.extend(ids)
            run.docnums.append(docnum)
            run.counts.append(len(ids))
            self.tokens_buffered += len(ids)
        self.ids.append(doc.id)
        self._lang.append(doc.lang)
        self._kind.append(doc.kind)
        self._date.append(doc.date)
        self._countries.append(doc.countries)
        self._links.append(doc.links)
        self._stored.append(doc.stored)
        self._titles.append(doc.title)
        self.bytes_buffered += len(doc.stored)
        return docnum

    def finish(self) -> SegmentData:
        """Expand chunk ids into sorted postings and field lengths, with the stemmed words of
        each language's text (so multi-term queries can expand over words, not stems)."""
        ndocs = len(self.ids)
        fields = {}
        lengths = {}
        words: dict[int, tuple[ChunkTable, list[np.ndarray]]] = {}
        for name, runs in self._fields.items():
            lens = lengths[name] = np.zeros(ndocs, dtype=np.uint32)
            expanded = []
            for run in runs:
                ex = run.table.expand(
                    np.frombuffer(run.ids, dtype=np.uint32),
                    np.frombuffer(run.counts, dtype=np.uint32),
                )
                docnums = np.frombuffer(run.docnums, dtype=np.uint32).astype(np.int64)
                lens[docnums] = ex.lengths
                expanded.append((run.table, ex.term_ids, docnums[ex.texts], ex.positions))
                words.setdefault(id(run.table), (run.table, []))[1].append(ex.word_ids)
            sorted_terms, ranks = _term_ranks([(t, tids) for t, tids, _, _ in expanded])
            fields[name] = build_field(
                sorted_terms,
                np.concatenate(ranks),
                np.concatenate([d for _, _, d, _ in expanded]),
                np.concatenate([p for _, _, _, p in expanded]),
            )
        by_lang: dict[str, dict[str, str]] = {}
        for table, word_ids in words.values():
            by_lang.setdefault(table.lang, {}).update(table.stemmed_words(np.concatenate(word_ids)))
        return SegmentData(
            ndocs=ndocs,
            fields=fields,
            lengths=lengths,
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
            words={lang: w for lang, w in sorted(by_lang.items()) if w},
        )
