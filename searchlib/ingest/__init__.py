"""Ingest: raw input (page text, JSONL, plain text files and folders) -> :class:`Brief` records.

Knows nothing of storage, the index or search. The public surface:

* :func:`parse_page` -- crawled page text (English or Spanish layout) -> Brief, or IngestError.
* :func:`read_file` -- one file -> Briefs, with an IngestError per bad record or bad file.
* :func:`iter_records` -- files and folders -> Briefs and IngestErrors (never raises them).
* :func:`strip_boilerplate` -- drop share widgets, appeals, notices from a body's paragraphs.
* :data:`LAYOUTS` -- the per-language table of layout words (months, BY/POR, headings...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from searchlib.ingest.boilerplate import strip_boilerplate
from searchlib.ingest.files import (
    INGEST_SUFFIXES,
    Chunk,
    iter_index_records,
    iter_records,
    parse_jsonl_record,
    plan_chunks,
    read_chunk,
    read_file,
    read_index_chunk,
)
from searchlib.ingest.layout import LAYOUTS, Layout

if TYPE_CHECKING:
    from searchlib.ingest.page import looks_like_page, parse_page

__all__ = [
    "INGEST_SUFFIXES",
    "Chunk",
    "LAYOUTS",
    "Layout",
    "iter_index_records",
    "iter_records",
    "looks_like_page",
    "parse_jsonl_record",
    "parse_page",
    "plan_chunks",
    "read_chunk",
    "read_index_chunk",
    "read_file",
    "strip_boilerplate",
]


def __getattr__(name: str) -> Any:
    """The page functions, imported at their first use: indexing JSONL input never loads the
    page parser and its byline rules (their regular expressions: about 4 ms of the start of
    ``searchlib index``, before its workers are forked)."""
    if name not in ("looks_like_page", "parse_page"):
        raise AttributeError(f"module 'searchlib.ingest' has no attribute {name!r}")
    from searchlib.ingest import page

    value = getattr(page, name)
    globals()[name] = value
    return value
