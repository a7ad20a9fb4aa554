"""The index: immutable segments, commits, the writer and point-in-time readers.

Where analysis (records -> terms) and storage (files of arrays) meet.
"""

from __future__ import annotations

from searchlib.index.builder import IndexDoc, SegmentBuilder
from searchlib.index.documents import TEXT_FIELDS, field_name, record_from_stored, to_index_doc
from searchlib.index.manifest import Manifest, SegmentEntry, latest_generation, read_manifest
from searchlib.index.reader import IndexReader
from searchlib.index.segment import SegmentReader
from searchlib.index.writer import IndexWriter
from searchlib.schema import StoredDoc

__all__ = [
    "TEXT_FIELDS",
    "IndexDoc",
    "IndexReader",
    "IndexWriter",
    "Manifest",
    "SegmentBuilder",
    "SegmentEntry",
    "SegmentReader",
    "StoredDoc",
    "field_name",
    "latest_generation",
    "read_manifest",
    "record_from_stored",
    "to_index_doc",
]
