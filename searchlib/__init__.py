"""searchlib: full-text search for bilingual (English/Spanish) news briefs.

The public API lives here; everything else is implementation or an expert tier
(``searchlib.analysis``, ``searchlib.storage``, ``searchlib.index``, ``searchlib.search``)::

    import searchlib
    with searchlib.create_index("indexes/default") as index:
        searchlib.index_paths(index, ["seeds/"])
        for hit in index.search("Humala coca"):
            print(hit.score, hit.title)
"""

import typing as _typing

from searchlib.analysis import Analyzer, Token, detect_language, get_analyzer
from searchlib.api import Index, IndexReport, create_index, index_paths, open_index
from searchlib.errors import (
    AfterCommitError,
    AnalysisError,
    ArgumentError,
    CorruptIndexError,
    IndexFormatTooNewError,
    IndexFormatTooOldError,
    IndexNotFoundError,
    IndexStateError,
    IngestError,
    IngestWarning,
    LockError,
    MissingExtraError,
    QuerySyntaxError,
    SearchlibError,
)
from searchlib.records import AboutItem, Brief, RelatedItem
from searchlib.search import BM25F, Explanation, Filters, Hit, Results, parse_query

if _typing.TYPE_CHECKING:
    from searchlib.ingest import iter_records, parse_page, read_file

__version__ = "0.1.0"

_INGEST = frozenset({"iter_records", "parse_page", "read_file"})


def __getattr__(name: str) -> _typing.Any:
    """The ingest functions, imported at their first use: a process that only searches never
    loads the ingest package (about 8 ms of every command's start)."""
    if name not in _INGEST:
        raise AttributeError(f"module 'searchlib' has no attribute {name!r}")
    import searchlib.ingest

    value = getattr(searchlib.ingest, name)
    globals()[name] = value
    return value


__all__ = [
    "AboutItem",
    "AfterCommitError",
    "AnalysisError",
    "Analyzer",
    "ArgumentError",
    "BM25F",
    "Brief",
    "CorruptIndexError",
    "Explanation",
    "Filters",
    "Hit",
    "Index",
    "IndexFormatTooNewError",
    "IndexFormatTooOldError",
    "IndexNotFoundError",
    "IndexReport",
    "IndexStateError",
    "IngestError",
    "IngestWarning",
    "LockError",
    "MissingExtraError",
    "QuerySyntaxError",
    "RelatedItem",
    "Results",
    "SearchlibError",
    "Token",
    "create_index",
    "detect_language",
    "get_analyzer",
    "index_paths",
    "iter_records",
    "open_index",
    "parse_page",
    "parse_query",
    "read_file",
]
