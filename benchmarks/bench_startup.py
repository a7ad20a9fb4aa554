"""Start-up, where a person waits for it: the first query of a fresh process (open + one
search, after the import) and the wall time of ``searchlib search`` on the command line.

Each is run in a child process, ``ROUNDS`` times, against Whoosh doing the same job in a
child of its own: open the index, parse the query (OrGroup over the four text fields), top 10
(and, for the command line, print them). ``extra_info``: ``p50_ms``/``p95_ms`` of the timed part,
``import_ms`` (the first-query rows: the package import, not timed in ``p50_ms``) and
``cpu_p50_ms`` (the first-query rows: the child's CPU time of the timed part). The first query
is timed for two words the index holds and for a misspelt word beside one (did-you-mean).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pytest
from _corpus import Corpus, bench_mode
from _engines import REPO, IndexStore

ROUNDS = {"quick": 5, "full": 9}

SEARCHLIB_FIRST = """
import json, sys, time
t0 = time.perf_counter()
import searchlib
t1, c1 = time.perf_counter(), time.process_time()
index = searchlib.open_index(sys.argv[1])
results = index.search(sys.argv[2], 10)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import_ms": 1000 * (t1 - t0), "ms": 1000 * (t2 - t1),
                  "cpu_ms": 1000 * (c2 - c1), "hits": len(results.hits),
                  "suggestion": results.suggestion}))
"""

WHOOSH_FIRST = """
import json, sys, time
t0 = time.perf_counter()
from whoosh import index as windex, qparser
t1, c1 = time.perf_counter(), time.process_time()
ix = windex.open_dir(sys.argv[1])
fields = ["title_en", "body_en", "title_es", "body_es"]
parser = qparser.MultifieldParser(fields, ix.schema, group=qparser.OrGroup)
suggestion = None
with ix.searcher() as searcher:
    query = parser.parse(sys.argv[2])
    hits = [h["id"] for h in searcher.search(query, limit=10)]
    if sys.argv[3:] == ["correct"]:  # Whoosh's did-you-mean
        corrected = searcher.correct_query(query, sys.argv[2])
        suggestion = corrected.string if corrected.query != query else None
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import_ms": 1000 * (t1 - t0), "ms": 1000 * (t2 - t1),
                  "cpu_ms": 1000 * (c2 - c1), "hits": len(hits), "suggestion": suggestion}))
"""

WHOOSH_CLI = """
import sys
from whoosh import index as windex, qparser
ix = windex.open_dir(sys.argv[1])
fields = ["title_en", "body_en", "title_es", "body_es"]
parser = qparser.MultifieldParser(fields, ix.schema, group=qparser.OrGroup)
with ix.searcher() as searcher:
    for i, hit in enumerate(searcher.search(parser.parse(sys.argv[2]), limit=10), 1):
        print(i, hit.get("title_en") or hit.get("title_es") or "", hit["id"])
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _child_json(code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    ).stdout
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return data


def _query(corpus: Corpus) -> str:
    return f"{corpus.words['en'][0]} {corpus.words['en'][3]}"


def _misspelt_query(corpus: Corpus) -> str:
    """The longest of the corpus's first query words with two different letters swapped
    (``coffee`` -> ``cfofee``) beside a word it holds: the index lacks the first, so
    did-you-mean runs."""
    word = max(corpus.words["en"][:6], key=len)
    i = next(i for i in range(1, len(word) - 1) if word[i] != word[i + 1])
    return f"{word[:i]}{word[i + 1]}{word[i]}{word[i + 2 :]} {corpus.words['en'][3]}"


def _record(benchmark: Any, what: str, engine: str, corpus: Corpus, ms: list[float]) -> None:
    lat = np.array(ms)
    benchmark.extra_info.update(
        {
            "what": what,
            "engine": engine,
            "corpus": corpus.name,
            "runs": len(ms),
            "p50_ms": round(float(np.percentile(lat, 50)), 2),
            "p95_ms": round(float(np.percentile(lat, 95)), 2),
        }
    )


@pytest.mark.parametrize("unknown", [False, True], ids=["words it holds", "a misspelt word"])
@pytest.mark.parametrize("engine", ["searchlib", "whoosh"])
def test_first_query(
    benchmark: Any, engine: str, unknown: bool, news: Corpus, index_store: IndexStore
) -> None:
    """Open the index and answer one query in a process that has just imported the package:
    two words the index holds, or a misspelt word beside one (searchlib suggests a correction
    with its defaults; Whoosh is asked for its ``correct_query`` after the search).
    ``cpu_p50_ms``: the child's CPU time of the same part."""
    if engine == "whoosh":
        pytest.importorskip("whoosh")
    benchmark.group = "start-up: first query"
    path = str(index_store.get(engine, news))
    code = SEARCHLIB_FIRST if engine == "searchlib" else WHOOSH_FIRST
    query = _misspelt_query(news) if unknown else _query(news)
    args = (path, query, *(["correct"] if unknown else []))
    runs: list[dict[str, Any]] = []

    def run() -> None:
        runs.append(_child_json(code, *args))

    _child_json(code, *args)  # page cache, .pyc files
    benchmark.pedantic(run, rounds=ROUNDS[bench_mode()], iterations=1, warmup_rounds=0)
    assert all(r["hits"] > 0 for r in runs), runs
    if unknown and engine == "searchlib":
        assert all(r["suggestion"] for r in runs), runs  # did-you-mean ran
    what = (
        "first query, misspelt word (fresh process)" if unknown else "first query (fresh process)"
    )
    _record(benchmark, what, engine, news, [r["ms"] for r in runs])
    benchmark.extra_info["import_ms"] = round(float(np.median([r["import_ms"] for r in runs])), 1)
    benchmark.extra_info["cpu_p50_ms"] = round(float(np.median([r["cpu_ms"] for r in runs])), 1)
    benchmark.extra_info["query"] = query


@pytest.mark.parametrize("engine", ["searchlib", "whoosh"])
def test_command_line_search(
    benchmark: Any, engine: str, news: Corpus, index_store: IndexStore
) -> None:
    """``searchlib search QUERY --index DIR`` (ten hits printed), start to exit, against a
    Whoosh script doing the same: the wall time a person waits for at a terminal."""
    if engine == "whoosh":
        pytest.importorskip("whoosh")
    benchmark.group = "start-up: command line search"
    path = str(index_store.get(engine, news))
    query = _query(news)
    argv = (
        [sys.executable, "-m", "searchlib", "search", query, "--index", path]
        if engine == "searchlib"
        else [sys.executable, "-c", WHOOSH_CLI, path, query]
    )
    ms: list[float] = []
    outputs: list[str] = []

    def run() -> None:
        t0 = time.perf_counter()
        out = subprocess.run(argv, capture_output=True, text=True, check=True, env=_env())
        ms.append(1000 * (time.perf_counter() - t0))
        outputs.append(out.stdout)

    run()  # page cache, .pyc files
    ms.clear()
    benchmark.pedantic(run, rounds=ROUNDS[bench_mode()], iterations=1, warmup_rounds=0)
    assert all(o.strip() for o in outputs)
    _record(benchmark, "command line search (wall)", engine, news, ms)
