"""Indexing as a whole command: ``searchlib index`` vs a Whoosh 2.7 script and vs tantivy-py, in
child processes.

searchlib runs twice: with its default worker processes (one per core) and in one process
(``--workers 1``, row "index news, 1 process"), both against the same Whoosh run, and both
against one tantivy-py run on one thread (``tantivy_index.py``; rows "index news vs tantivy"
and "index news, 1 process vs tantivy", issue 16's indexing targets; skipped when tantivy-py,
in the ``bench`` extra, is not installed). Each
searchlib command runs three times (``SEARCHLIB_BENCH_ROUNDS``) and the median run is reported:
a run of a few seconds on a shared machine can lose a third of its speed to a neighbour, while
Whoosh's single run of about a minute averages that out. Peak memory is the largest of the runs;
with workers it comes from one more, untimed run that samples the PSS of every process (the
sampling took a quarter of the speed of the timed runs when they did it).

Reports docs/s, MB/s (of JSONL input), the child's own peak RSS and the index's bytes on disk in
``extra_info``; the summary pairs the two engines into ratios. Each run is checked: the index
holds exactly the corpus's documents (``searchlib stats --json``; Whoosh's ``doc_count()``).
The indexes built here are reused by ``bench_search.py``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from _corpus import Corpus
from _engines import ChildRun, IndexStore, searchlib_doc_count, whoosh_doc_count

TANTIVY_ROWS = {
    "index news, 1 process vs tantivy": "index news, 1 process",
    "index news vs tantivy": "index news",
}
"""The summary rows against tantivy-py, each with the searchlib row it takes its figures from."""


@pytest.mark.parametrize("engine", ["searchlib", "searchlib-1", "whoosh", "tantivy"])
def test_index_news(benchmark: Any, engine: str, news: Corpus, index_store: IndexStore) -> None:
    if engine == "whoosh":
        pytest.importorskip("whoosh", reason="whoosh is not installed")
    if engine == "tantivy":
        pytest.importorskip("tantivy", reason="tantivy-py is not installed (bench extra)")
    benchmark.group = "indexing"
    runs: list[ChildRun] = []
    dirs = []

    def setup() -> tuple[tuple[()], dict[str, Any]]:
        dirs.append(index_store.fresh_dir(engine, news))
        return (), {}

    def run() -> ChildRun:
        result = index_store.build(engine, news, dirs[-1])
        runs.append(result)
        return result

    rounds = 1 if engine == "whoosh" else int(os.environ.get("SEARCHLIB_BENCH_ROUNDS", "3"))
    benchmark.pedantic(run, setup=setup, rounds=rounds, iterations=1, warmup_rounds=0)
    for path, done in zip(dirs, runs, strict=True):
        if engine == "tantivy":
            count = int(done.stdout.split()[-1])  # tantivy_index.py prints its num_docs
        elif engine == "whoosh":
            count = whoosh_doc_count(path)
        else:
            count = searchlib_doc_count(path)
        assert count == news.docs, f"{engine} indexed {count} documents, the corpus has {news.docs}"
    result = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]  # the median run
    memory_runs = runs
    if engine == "searchlib":  # workers: memory from a run that samples all the processes
        memory_dir = index_store.fresh_dir(engine, news)
        memory_runs = [index_store.build(engine, news, memory_dir, sample_memory=True)]
        index_store.build_record(engine, news, dirs[-1], runs[-1])  # searches use a timed one
    one_process = engine == "searchlib-1"
    if engine == "tantivy":  # one run, paired with both searchlib rows (_report.build_rows)
        benchmark.extra_info["pairs_with"] = TANTIVY_ROWS
    print(
        f"\n[{engine}] {news.docs} docs: wall {result.seconds:.2f} s "
        f"(runs: {', '.join(f'{r.seconds:.2f}' for r in runs)}), "
        f"CPU (user + system, workers included) {result.cpu_seconds:.2f} s"
    )
    benchmark.extra_info.update(
        {
            "what": "index news, 1 process"
            if one_process
            else ("tantivy index news" if engine == "tantivy" else "index news"),
            "vs": "index news",  # the Whoosh run to compare with
            "engine": "searchlib" if one_process else engine,
            "corpus": news.name,
            "docs": news.docs,
            "megabytes": round(news.nbytes / 1e6, 3),
            "seconds": round(result.seconds, 3),
            "cpu_seconds": round(result.cpu_seconds, 3),
            "docs_per_s": round(news.docs / result.seconds, 1),
            "mb_per_s": round(news.nbytes / 1e6 / result.seconds, 3),
            "rounds_seconds": [round(r.seconds, 3) for r in runs],
            "peak_rss_mb": round(max(r.peak_rss_mb for r in memory_runs), 1),
            "peak_rss_upper_mb": round(max(r.peak_rss_upper_mb for r in runs + memory_runs), 1),
            "index_mb": round(result.index_bytes / 1e6, 2),
        }
    )
