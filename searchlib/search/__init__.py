"""Search: the query language, its execution over index snapshots, BM25F ranking and results.

The names below are imported at their first use: a module that needs one part of the layer
(the twin linking of a commit, BM25F's parameters) does not load the query language, hits and
highlighting with it (``searchlib index`` never loads them, about 15 ms of its start)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from searchlib.search.parser import parse_query
    from searchlib.search.query import Query
    from searchlib.search.results import Hit, Results
    from searchlib.search.scoring import BM25F, Explanation
    from searchlib.search.searcher import Filters, Searcher

__all__ = ["BM25F", "Explanation", "Filters", "Hit", "Query", "Results", "Searcher", "parse_query"]

_HOME = {
    "BM25F": "scoring",
    "Explanation": "scoring",
    "Filters": "searcher",
    "Hit": "results",
    "Query": "query",
    "Results": "results",
    "Searcher": "searcher",
    "parse_query": "parser",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'searchlib.search' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"searchlib.search.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
