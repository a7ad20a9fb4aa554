"""Query latency of searchlib, bm25s and Whoosh on the same documents and queries, in one run.

Issue 6 asks that searchlib's p50 (top 10, one plain-text query at a time, after a warm-up
pass) be no slower than bm25s and at least 20x faster than Whoosh. bm25s is not a dependency
of searchlib, so this is a script, not part of the CI benchmarks::

    python3 -m pip install bm25s
    python3 benchmarks/compare_latency.py ../shared/corpora/cacm/docs.jsonl \\
        ../shared/corpora/cacm/queries.jsonl
    cat ../shared/corpora/{reuters21578,fakenews-es,xquad-en-es}/docs.jsonl > /tmp/news.jsonl
    python3 benchmarks/compare_latency.py /tmp/news.jsonl \\
        ../shared/corpora/xquad-en-es/queries.jsonl --every 4

bm25s indexes title + body as one field with its English stop words (its tokenizer does no
stemming and knows no Spanish); Whoosh uses per-language fields (StemmingAnalyzer,
LanguageAnalyzer("es")) with an OrGroup parser; searchlib runs ``search_text`` with the
query's language.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

import searchlib


def p50(queries: list[dict[str, Any]], run: Callable[[dict[str, Any]], object]) -> float:
    """Median latency in ms of ``run`` over ``queries``, after one warm-up pass."""
    for q in queries:
        run(q)
    lat = []
    for q in queries:
        t = time.perf_counter()
        run(q)
        lat.append(time.perf_counter() - t)
    return 1000 * statistics.median(lat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs")
    ap.add_argument("queries")
    ap.add_argument("--every", type=int, default=1, help="use every Nth query")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    docs = [json.loads(line) for line in open(args.docs, encoding="utf-8")]
    queries = [json.loads(line) for line in open(args.queries, encoding="utf-8")][:: args.every]
    work = tempfile.mkdtemp(prefix="searchlib-latency-")
    try:
        with searchlib.create_index(os.path.join(work, "searchlib")) as index:
            searchlib.index_paths(index, [args.docs])
        searcher = searchlib.open_index(os.path.join(work, "searchlib")).searcher()
        ours = p50(queries, lambda q: searcher.search_text(q["text"], 10, lang=q.get("lang")))

        import bm25s

        corpus = [(d.get("title") or "") + "\n" + (d.get("body") or "") for d in docs]
        retriever = bm25s.BM25()
        retriever.index(
            bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
        )
        theirs = p50(
            queries,
            lambda q: retriever.retrieve(
                bm25s.tokenize([q["text"]], stopwords="en", show_progress=False),
                k=10,
                show_progress=False,
            ),
        )

        from whoosh import fields, index, qparser
        from whoosh.analysis import LanguageAnalyzer, StemmingAnalyzer

        schema = fields.Schema(
            id=fields.ID(stored=True),
            title_en=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
            body_en=fields.TEXT(analyzer=StemmingAnalyzer()),
            title_es=fields.TEXT(analyzer=LanguageAnalyzer("es"), stored=True),
            body_es=fields.TEXT(analyzer=LanguageAnalyzer("es")),
        )
        os.makedirs(os.path.join(work, "whoosh"))
        wix = index.create_in(os.path.join(work, "whoosh"), schema)
        writer = wix.writer(limitmb=256)
        for d in docs:
            lang = "es" if d.get("lang") == "es" else "en"
            writer.add_document(
                id=str(d["id"]),
                **{f"title_{lang}": d.get("title") or "", f"body_{lang}": d.get("body") or ""},
            )
        writer.commit()
        whoosh_searcher = wix.searcher()
        parsers = {
            lang: qparser.MultifieldParser(
                [f"title_{lang}", f"body_{lang}"], wix.schema, group=qparser.OrGroup
            )
            for lang in ("en", "es")
        }

        def whoosh_query(q: dict[str, Any]) -> int:
            lang = "es" if q.get("lang") == "es" else "en"
            return len(whoosh_searcher.search(parsers[lang].parse(q["text"]), limit=10))

        whoosh = p50(queries, whoosh_query)
        print(
            f"{len(docs)} docs, {len(queries)} queries, p50 ms: searchlib {ours:.3f}, "
            f"bm25s {theirs:.3f}, Whoosh {whoosh:.3f}; searchlib is {theirs / ours:.2f}x "
            f"bm25s's speed and {whoosh / ours:.1f}x Whoosh's"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
