"""The seam between the search layer and storage: what a search may ask of an index.

After tantivy's ``Searcher``/``SegmentReader`` and its ``Bm25StatisticsProvider``: the search
layer (``searchlib.search``: the query language, BM25F scoring, translation, top-k, facets,
twins, related items) is written once against two typed interfaces, and a storage engine
implements them.

* :class:`IndexSource`: one point-in-time snapshot of an index: its segments, statistics over
  all of them (document counts per language, document frequencies, average field lengths),
  documents by id, and files saved beside the commit (the twin links).
* :class:`SegmentSource`: one segment of it: term lookup, postings and positions of a term in a
  field, field lengths, column values (for filters, facets and hits), deleted documents and
  stored documents.

:class:`searchlib.index.IndexReader` and :class:`searchlib.index.SegmentReader` (the
memory-mapped file format) are the implementations the library ships; a test implements both
with plain Python dicts and gets the same hits (``tests/search/test_seam.py``). Nothing in the
search layer reaches the index any other way.

Conventions every implementation keeps:

* Text fields are named ``<field>.<lang>`` (``body.en``); each language has its own terms,
  postings and lengths. A segment's documents are numbered ``0 .. ndocs - 1``.
* Postings are ``(docs, tfs)``: ascending doc numbers and each one's term frequency (numpy
  integer arrays). Positions of a term are grouped per posting, in posting order.
* Columns (``cols``): ``lang`` and ``kind`` hold one code per document into the tables
  ``col_tables["langs"]`` and ``col_tables["kinds"]``; ``date`` holds days since 1970-01-01
  (:data:`NO_DATE` when unknown); multi-valued columns (``countries``, ``sections``,
  ``links``) are CSR: ``cols[c]`` codes into ``col_tables[c]`` and ``cols[c + "_off"]`` the
  ``ndocs + 1`` offsets of each document's codes; ``titles`` + ``titles_off`` the UTF-8 titles.
* Statistics count deleted documents too (as Lucene does); ``live`` says which are not deleted.
* Integer arrays use the smallest unsigned type that holds their values, as the file format
  writes them: BM25F multiplies term frequencies by float32 length norms, and numpy computes
  ``uint8``/``uint16`` times float32 in float32 but ``uint32`` or ``int64`` in float64, so
  another implementation gets the same scores to the bit only with the same types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from searchlib.schema import StoredDoc

__all__ = ["NO_DATE", "IndexSource", "Postings", "SegmentSource"]

NO_DATE = int(np.iinfo(np.int32).min)
"""The ``date`` column's value of a document without a date."""

Postings = tuple[np.ndarray, np.ndarray]
"""(doc numbers ascending, term frequencies) of one term in one field of a segment."""


class SegmentSource(Protocol):
    """One segment of a snapshot, as the search layer reads it."""

    @property
    def name(self) -> str:
        """Unique within the index; caches of a snapshot are keyed by it."""

    @property
    def ndocs(self) -> int:
        """Documents in the segment, deleted ones included."""

    @property
    def live(self) -> np.ndarray | None:
        """Bool per document, False where deleted; None when nothing is deleted."""

    @property
    def field_names(self) -> Sequence[str]:
        """The text fields (``body.en``...) that have terms in this segment."""

    @property
    def lengths(self) -> Mapping[str, np.ndarray]:
        """Terms per document of each text field (absent: the field has no text here)."""

    @property
    def cols(self) -> Mapping[str, np.ndarray]:
        """Column arrays: ``lang``, ``kind``, ``date``, CSR ``countries``, ``sections``,
        ``links`` (``sections`` may be absent: an older segment without it)."""

    @property
    def col_tables(self) -> Mapping[str, list[str]]:
        """The value table of each coded column (``langs``, ``kinds``, ``countries``...)."""

    @property
    def ids(self) -> Sequence[str]:
        """The external id of each document, by doc number."""

    def docnum(self, doc_id: str) -> int:
        """The doc number of ``doc_id`` if it is live here, else -1."""

    def title(self, docnum: int) -> str:
        """A document's display title (from the columns, no stored document read)."""

    def terms(self, field: str) -> Sequence[str]:
        """The sorted terms of ``field`` (empty when the field is absent)."""

    def words(self, lang: str) -> tuple[Sequence[str], Sequence[str]]:
        """The normalized (unstemmed) words of ``lang``, sorted, and each word's term."""

    def term_ord(self, field: str, term: str) -> int:
        """The ordinal of ``term`` in :meth:`terms` of ``field``, or -1."""

    def postings(self, field: str, term: str) -> Postings | None:
        """The postings of ``term`` in ``field``, or None."""

    def postings_at(self, field: str, ordinal: int) -> Postings:
        """The postings of the term with this ordinal."""

    def positions_at(self, field: str, ordinal: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, offsets): every position of the term, grouped per posting, and where
        each posting's run starts (``len(postings) + 1`` offsets)."""

    def posting_positions(self, field: str, ordinal: int, i: int) -> np.ndarray:
        """The positions of the term with this ordinal in its ``i``-th posting."""

    def field_arrays(self, field: str) -> Mapping[str, np.ndarray]:
        """Every term's postings of ``field`` at once: ``start`` (``len(terms) + 1`` offsets
        into the next two), ``docs`` and ``tfs``."""

    def doc_values(self, column: str, docnum: int) -> list[str]:
        """The values of a multi-valued column for one document ([] if the column is absent)."""

    def stored(self, docnum: int) -> StoredDoc:
        """The stored fields of a document."""

    def stored_raw(self, docnum: int) -> bytes:
        """The stored fields of a document as UTF-8 JSON bytes."""


class IndexSource(Protocol):
    """One point-in-time snapshot of an index: it never changes while it is used."""

    @property
    def generation(self) -> int:
        """The commit this snapshot shows."""

    @property
    def segments(self) -> Sequence[SegmentSource]:
        """The segments, in the order their documents were added."""

    def lang_doc_count(self, lang: str | None = None) -> int:
        """N: documents of ``lang`` (every document when None), deleted ones included."""

    def doc_freq(self, field: str, term: str) -> int:
        """df: documents holding ``term`` in ``field`` over every segment."""

    def avg_field_length(self, field: str) -> float:
        """Mean length of ``field`` over the documents that have it."""

    def locate(self, doc_id: str) -> tuple[int, int] | None:
        """(segment index, doc number) of a live document, or None."""

    def document(self, doc_id: str) -> StoredDoc | None:
        """The stored fields of a live document, or None."""

    def saved(self, name: str) -> bytes | None:
        """A file the search layer saved beside this commit (the twin links), or None when
        there is none."""
