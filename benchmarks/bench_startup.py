"""Start-up, where a person waits for it: the first query of a fresh process (open + one
search, after the import) and the wall time of ``searchlib search`` on the command line.

Each is run in a child process, ``ROUNDS`` times, against Whoosh doing the same job in a
child of its own: open the index, parse the query (OrGroup over the four text fields), top 10
(and, for the command line, print them). ``extra_info``: ``p50_ms``/``p95_ms`` of the timed part,
``import_ms`` (the first-query rows: the package import, not timed in ``p50_ms``).
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
t1 = time.perf_counter()
index = searchlib.open_index(sys.argv[1])
hits = index.search(sys.argv[2], 10).hits
t2 = time.perf_counter()
print(json.dumps({"import_ms": 1000 * (t1 - t0), "ms": 1000 * (t2 - t1), "hits": len(hits)}))
"""

WHOOSH_FIRST = """
import json, sys, time
t0 = time.perf_counter()
from whoosh import index as windex, qparser
t1 = time.perf_counter()
ix = windex.open_dir(sys.argv[1])
fields = ["title_en", "body_en", "title_es", "body_es"]
parser = qparser.MultifieldParser(fields, ix.schema, group=qparser.OrGroup)
with ix.searcher() as searcher:
    hits = [h["id"] for h in searcher.search(parser.parse(sys.argv[2]), limit=10)]
t2 = time.perf_counter()
print(json.dumps({"import_ms": 1000 * (t1 - t0), "ms": 1000 * (t2 - t1), "hits": len(hits)}))
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


@pytest.mark.parametrize("engine", ["searchlib", "whoosh"])
def test_first_query(benchmark: Any, engine: str, news: Corpus, index_store: IndexStore) -> None:
    """Open the index and answer one query in a process that has just imported the package."""
    if engine == "whoosh":
        pytest.importorskip("whoosh")
    benchmark.group = "start-up: first query"
    path = str(index_store.get(engine, news))
    code = SEARCHLIB_FIRST if engine == "searchlib" else WHOOSH_FIRST
    query = _query(news)
    runs: list[dict[str, Any]] = []

    def run() -> None:
        runs.append(_child_json(code, path, query))

    _child_json(code, path, query)  # page cache, .pyc files
    benchmark.pedantic(run, rounds=ROUNDS[bench_mode()], iterations=1, warmup_rounds=0)
    assert all(r["hits"] > 0 for r in runs), runs
    _record(benchmark, "first query (fresh process)", engine, news, [r["ms"] for r in runs])
    benchmark.extra_info["import_ms"] = round(float(np.median([r["import_ms"] for r in runs])), 1)


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
