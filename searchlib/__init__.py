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

from searchlib._command import argv0 as _argv0
from searchlib.analysis import Analyzer, Token, detect_language, get_analyzer
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

# The command line (``python -m searchlib``, the ``searchlib`` script) imports what its command
# needs: ``searchlib index`` loads neither the search layer's query language and hits nor the
# Index class's search side before its worker processes start (their start is the critical path
# of a bulk index). A program's ``import searchlib`` loads them at once, so that its first
# query pays for none of it.
_ARGV0 = _argv0()
_COMMAND_LINE = _ARGV0 in ("-m", "searchlib", "searchlib.exe")


if _typing.TYPE_CHECKING or not _COMMAND_LINE:
    from searchlib.api import Index, IndexReport, create_index, index_paths, open_index
    from searchlib.search import BM25F, Explanation, Filters, Hit, Results, parse_query
if _typing.TYPE_CHECKING:
    from searchlib.ingest import iter_records, parse_page, read_file

__version__ = "0.1.0"

_HOME = {
    **dict.fromkeys(("iter_records", "parse_page", "read_file"), "searchlib.ingest"),
    **dict.fromkeys(
        ("Index", "IndexReport", "create_index", "index_paths", "open_index"), "searchlib.api"
    ),
    **dict.fromkeys(
        ("BM25F", "Explanation", "Filters", "Hit", "Results", "parse_query"), "searchlib.search"
    ),
}


def __getattr__(name: str) -> _typing.Any:
    """The ingest functions, imported at their first use: a process that only searches never
    loads the ingest package (about 8 ms of every command's start); on the command line, the
    API and the search layer too."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'searchlib' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
