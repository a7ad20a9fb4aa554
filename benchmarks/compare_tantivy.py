"""Latency of ``Index.search(text)`` as a program calls it, against tantivy-py, in one run.

Issue 16 compares searchlib's default search (snippets on) and ``snippets=False`` with
tantivy-py on the same documents and queries: title + body, stored body, top 10, and for the
snippet rows tantivy's ``SnippetGenerator`` per hit rendered ``to_html``. tantivy-py is not a
dependency of searchlib, so this is a script, not part of the CI benchmarks::

    python3 -m pip install tantivy
    cat ../shared/corpora/{reuters21578,fakenews-es,xquad-en-es}/docs.jsonl > /tmp/news.jsonl
    python3 benchmarks/compare_tantivy.py /tmp/news.jsonl \\
        ../shared/corpora/xquad-en-es/queries.jsonl --every 8

Each engine runs every query once to warm up, then the rows are timed in alternation, one
query at a time, ``--rounds`` times; p50 and p95 are printed with searchlib's ratio to tantivy
(the issue's targets: snippets p50 <= 1.5x, p95 <= 3x; no snippets p50 <= 2x). ``--cpu``
times with the process CPU clock instead of the wall clock (steadier on a loaded machine).
tantivy's side uses its ``en_stem`` tokenizer for both languages and a query with the
punctuation removed (its parser reads ``?`` and ``'`` as syntax).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _engines import build_tantivy

import searchlib


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs")
    ap.add_argument("queries")
    ap.add_argument("--every", type=int, default=1, help="use every Nth query")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--index", help="an existing searchlib index of DOCS (else one is built)")
    ap.add_argument("--cpu", action="store_true", help="time with the process CPU clock")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    try:
        import tantivy
    except ImportError:
        raise SystemExit("tantivy-py is not installed: python3 -m pip install tantivy") from None
    clock = time.process_time if args.cpu else time.perf_counter
    queries = [json.loads(line) for line in open(args.queries, encoding="utf-8")][:: args.every]
    work = tempfile.mkdtemp(prefix="searchlib-tantivy-")
    try:
        path = args.index
        if path is None:
            path = os.path.join(work, "searchlib")
            with searchlib.create_index(path) as index:
                searchlib.index_paths(index, [args.docs])
        ours = searchlib.open_index(path)

        os.makedirs(os.path.join(work, "tantivy"))
        theirs, schema = build_tantivy(tantivy, Path(args.docs), Path(work, "tantivy"))
        searcher = theirs.searcher()

        def tantivy_search(q: dict[str, Any], snippets: bool) -> int:
            query = theirs.parse_query(re.sub(r"[^\w\s]", " ", q["text"]), ["title", "body"])
            hits = searcher.search(query, 10).hits
            out = []
            if snippets:
                gen = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
                for _, address in hits:
                    out.append(gen.snippet_from_doc(searcher.doc(address)).to_html())
            else:
                out = [searcher.doc(address)["id"] for _, address in hits]
            return len(out)

        rows: dict[str, Callable[[dict[str, Any]], object]] = {
            "searchlib search() (snippets)": lambda q: ours.search(q["text"], 10),
            "tantivy (snippets)": lambda q: tantivy_search(q, True),
            "searchlib search(snippets=False)": lambda q: ours.search(
                q["text"], 10, snippets=False
            ),
            "tantivy (no snippets)": lambda q: tantivy_search(q, False),
        }
        lat: dict[str, list[float]] = {name: [] for name in rows}
        for run in rows.values():
            for q in queries:
                run(q)
        for _ in range(args.rounds):
            for q in queries:
                for name, run in rows.items():
                    t = clock()
                    run(q)
                    lat[name].append(clock() - t)
        stats = {}
        for name, values in lat.items():
            values.sort()
            stats[name] = (
                1000 * statistics.median(values),
                1000 * values[min(len(values) - 1, int(0.95 * len(values)))],
            )
            print(f"{name:34s} p50 {stats[name][0]:7.2f} ms   p95 {stats[name][1]:7.2f} ms")
        for ours_row, their_row in (
            ("searchlib search() (snippets)", "tantivy (snippets)"),
            ("searchlib search(snippets=False)", "tantivy (no snippets)"),
        ):
            (a50, a95), (b50, b95) = stats[ours_row], stats[their_row]
            print(f"{ours_row} / {their_row}: p50 {a50 / b50:.2f}x, p95 {a95 / b95:.2f}x")
        print(f"{len(queries)} queries x {args.rounds} rounds, clock: {clock.__name__}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
