"""Search: the query language, its execution over index snapshots, BM25F ranking and results."""

from __future__ import annotations

from searchlib.search.parser import parse_query
from searchlib.search.query import Query
from searchlib.search.results import Hit, Results
from searchlib.search.scoring import BM25F, Explanation
from searchlib.search.searcher import Filters, Searcher

__all__ = ["BM25F", "Explanation", "Filters", "Hit", "Query", "Results", "Searcher", "parse_query"]
