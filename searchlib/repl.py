"""The query REPL (placeholder until the REPL issue): one query per line, ranked hits printed."""

from __future__ import annotations

import sys

from searchlib.api import open_index
from searchlib.errors import QuerySyntaxError, SearchlibError

__all__ = ["run_repl"]


def run_repl(path: str) -> int:
    """Read queries from stdin until EOF or ``:quit``; print ranked hits."""
    try:
        index = open_index(path)
    except SearchlibError as exc:
        print(f"searchlib: {exc}", file=sys.stderr)
        return 3
    with index:
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            if line in (":quit", ":q"):
                break
            try:
                results = index.search(line)
            except QuerySyntaxError as exc:
                print(f"error: {exc}")
                continue
            for i, h in enumerate(results.hits, 1):
                print(f"{i:>2}. {h.title} [{h.lang}, {h.score:.3f}]")
            print(f"-- {results.total} hits")
    return 0
