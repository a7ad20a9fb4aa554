"""The PostgreSQL backend against the embedded engine, on the same data in the same run.

For each judged corpus of ``../shared/corpora`` (Cranfield, CISI, CACM, XQuAD: monolingual and
both cross-lingual directions) it loads ``docs.jsonl`` into an embedded index and into a
PostgreSQL index on a cluster of ``--shards`` shards started for the run (``LocalCluster``),
then runs every query on both (``searchlib.evaluation.evaluate_run``) and prints nDCG@10,
recall@100, their differences, query latency (p50/p95) and loading speed, with the ratios, and
the p50 of the same searches ranked on the client (``PgSearcher.push_down = False``)::

    PYTHONPATH=$PWD python3 benchmarks/bench_postgres.py [--shards 2] [--corpora cacm,cisi] [--json]
    searchlib cluster start --shards 2 --dir /tmp/pg    # or a cluster already running:
    PYTHONPATH=$PWD python3 benchmarks/bench_postgres.py --url postgresql://postgres@127.0.0.1:PORT/postgres

It needs PostgreSQL's server binaries and psycopg; without them, or without the shared
corpora, it says so and exits 0. (pytest collects no test here: it is a script.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SEARCHLIB_SHARED", REPO.parent / "shared"))
CORPORA = ("cranfield", "cisi", "cacm", "xquad-en-es")


def runs_of(folder: Path) -> list[tuple[str, list[dict[str, str]], dict[str, dict[str, int]]]]:
    """(name, queries, qrels) of a corpus: XQuAD gives mono and the two cross-lingual runs."""
    from searchlib.evaluation import load_qrels, load_queries

    queries = load_queries(folder / "queries.jsonl")
    mono = load_qrels(folder / "qrels.tsv")
    if folder.name != "xquad-en-es":
        return [(folder.name, queries, mono)]
    cross = load_qrels(folder / "qrels-crosslingual.tsv")
    return [
        ("xquad mono", queries, mono),
        ("xquad es->en", [q for q in queries if q["lang"] == "es"], cross),
        ("xquad en->es", [q for q in queries if q["lang"] == "en"], cross),
    ]


def cold_latency(path: Any, queries: list[dict[str, str]]) -> tuple[float, float]:
    """p50 and p95 (ms) of every query run once on a freshly opened index: nothing cached by
    the search layer (the servers' and the OS's caches are warm)."""
    import numpy as np

    import searchlib

    lat = []
    with searchlib.open_index(path) as index:
        searcher = index.searcher()
        for q in queries:
            t0 = time.perf_counter()
            searcher.search_text(q["text"], 100, lang=q.get("lang") or None)
            lat.append((time.perf_counter() - t0) * 1000)
    return float(np.percentile(lat, 50)), float(np.percentile(lat, 95))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--corpora", default=",".join(CORPORA))
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--url",
        help="the coordinator of a running cluster (`searchlib cluster start`) to load the "
        "corpora into (as new indexes) instead of starting one",
    )
    ap.add_argument(
        "--scale",
        action="store_true",
        help="instead: load time and query latency on the news corpus and a generated corpus "
        "four times its size, embedded vs PostgreSQL with 1 and 2 shards",
    )
    args = ap.parse_args(argv)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        print("psycopg is not installed (pip install 'searchlib[postgres]'): nothing to measure")
        return 0
    import searchlib
    from searchlib.evaluation import evaluate_run
    from searchlib.postgres.cluster import LocalCluster, find_pg_bin
    from searchlib.postgres.source import PgSearcher

    if find_pg_bin() is None:
        print("no PostgreSQL server binaries: nothing to measure")
        return 0
    if args.scale:
        return scale(args.json)
    names = [
        n for n in args.corpora.split(",") if (SHARED / "corpora" / n / "docs.jsonl").is_file()
    ]
    if not names:
        print(f"no shared corpora under {SHARED / 'corpora'}: nothing to measure")
        return 0
    work = Path(tempfile.mkdtemp(prefix="searchlib-bench-pg-"))
    work.chmod(0o755)
    cluster = None if args.url else LocalCluster(work / "cluster", shards=args.shards).start()
    base = args.url or (cluster.url if cluster else "")
    rows: list[dict[str, Any]] = []
    try:
        for n, name in enumerate(names):
            folder = SHARED / "corpora" / name
            docs = folder / "docs.jsonl"
            mb = docs.stat().st_size / 1e6
            url = f"{base}?index=bench_{os.getpid()}_{n}"
            t0 = time.perf_counter()
            with searchlib.create_index(url) as pg:
                searchlib.index_paths(pg, [docs])
            pg_load = time.perf_counter() - t0
            t0 = time.perf_counter()
            with searchlib.create_index(work / f"embedded-{n}") as emb:
                searchlib.index_paths(emb, [docs], workers=1)
            emb_load = time.perf_counter() - t0
            with (
                searchlib.open_index(url) as pg,
                searchlib.open_index(work / f"embedded-{n}") as emb,
            ):
                for run, queries, qrels in runs_of(folder):
                    ours = evaluate_run(pg, queries, qrels)
                    theirs = evaluate_run(emb, queries, qrels)
                    PgSearcher.push_down = False  # the same searches ranked on the client
                    try:
                        client = evaluate_run(pg, queries, qrels)
                    finally:
                        PgSearcher.push_down = True
                    assert (client["ndcg@10"], client["recall@100"]) == (
                        ours["ndcg@10"],
                        ours["recall@100"],
                    )
                    cold = cold_latency(url, queries), cold_latency(work / f"embedded-{n}", queries)
                    rows.append(
                        {
                            "run": run,
                            "queries": ours.get("judged", len(queries)),
                            "ndcg@10": [ours["ndcg@10"], theirs["ndcg@10"]],
                            "recall@100": [ours["recall@100"], theirs["recall@100"]],
                            "p50_ms": [ours["latency_ms"]["p50"], theirs["latency_ms"]["p50"]],
                            "p95_ms": [ours["latency_ms"]["p95"], theirs["latency_ms"]["p95"]],
                            "client_p50_ms": client["latency_ms"]["p50"],
                            "cold_p50_ms": [round(cold[0][0], 2), round(cold[1][0], 2)],
                            "cold_p95_ms": [round(cold[0][1], 2), round(cold[1][1], 2)],
                            "load_mb_s": [round(mb / pg_load, 2), round(mb / emb_load, 2)],
                        }
                    )
    finally:
        if cluster is not None:
            cluster.destroy()
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({"shards": args.shards, "runs": rows}, indent=1))
        return 0
    where = f"the cluster at {args.url}" if args.url else f"{args.shards} shards"
    print(f"PostgreSQL ({where}) vs embedded: value (postgres / embedded)")
    head = f"{'run':<14} {'q':>5} {'nDCG@10':>17} {'d':>7} {'recall@100':>17} {'d':>7}"
    print(
        head + f" {'p50 ms':>15} {'x':>5} {'p95 ms':>15} {'cold p50 ms':>15} {'x':>5}"
        f" {'cold p95 ms':>15} {'load MB/s':>13} {'client p50':>10} {'x':>5}"
    )
    for r in rows:
        (a, b), (c, d) = r["ndcg@10"], r["recall@100"]
        (p, e), (p95, e95) = r["p50_ms"], r["p95_ms"]
        lp, le = r["load_mb_s"]
        (cp, ce), (cp95, ce95) = r["cold_p50_ms"], r["cold_p95_ms"]
        print(
            f"{r['run']:<14} {r['queries']:>5} {a:>8.4f}/{b:<8.4f} {a - b:>+7.4f} "
            f"{c:>8.4f}/{d:<8.4f} {c - d:>+7.4f} {p:>7.2f}/{e:<7.2f} {p / max(e, 1e-9):>5.1f} "
            f"{p95:>7.2f}/{e95:<7.2f} {cp:>7.2f}/{ce:<7.2f} {cp / max(ce, 1e-9):>5.1f} "
            f"{cp95:>7.2f}/{ce95:<7.2f} {lp:>6.2f}/{le:<6.2f} {r['client_p50_ms']:>10.2f} "
            f"{r['client_p50_ms'] / max(e, 1e-9):>5.1f}"
        )
    return 0


def _latencies(index: Any, queries: list[tuple[str, str]]) -> list[float]:
    lat = []
    for text, lang in queries:
        t0 = time.perf_counter()
        index.search(text, 10, lang=lang)
        lat.append((time.perf_counter() - t0) * 1000)
    return lat


def scale(as_json: bool) -> int:
    """Load time and query latency (default search: 10 hits with snippets) on the news corpus
    and on a generated corpus four times its size: embedded, PostgreSQL 1 shard, 2 shards."""
    import numpy as np

    import searchlib
    from searchlib.postgres.cluster import LocalCluster
    from searchlib.postgres.source import PgSearcher

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _corpus import _generated_news, news_corpus  # noqa: PLC0415

    work = Path(tempfile.mkdtemp(prefix="searchlib-bench-pg-"))
    work.chmod(0o755)
    corpora = [news_corpus("full", work)]
    corpora.append(_generated_news("full", work, 4 * corpora[0].nbytes))
    rows = []
    try:
        for corpus in corpora:
            mb = corpus.nbytes / 1e6
            queries = [(w, lang) for lang in ("en", "es") for w in corpus.words[lang][:8]]
            queries += [
                (f"{a} {b}", lang)
                for lang in ("en", "es")
                for a, b in zip(corpus.words[lang][:4], corpus.words[lang][4:8], strict=False)
            ]
            queries += [(f'"{p}"', lang) for lang in ("en", "es") for p in corpus.phrases[lang][:4]]
            for backend, shards in (("embedded", 0), ("postgres", 1), ("postgres", 2)):
                cluster = None
                if shards:
                    cluster = LocalCluster(work / f"cluster{shards}", shards=shards).start()
                    target: Any = cluster.url
                else:
                    target = work / "embedded"
                try:
                    t0 = time.perf_counter()
                    with searchlib.create_index(target) as index:
                        searchlib.index_paths(index, [corpus.path])
                    load = time.perf_counter() - t0
                    with searchlib.open_index(target) as index:
                        segments = index.stats()["segments"]
                        cold = _latencies(index, queries)
                        warm = _latencies(index, queries)
                        client = warm
                        if shards:  # the same searches ranked on the client
                            PgSearcher.push_down = False
                            try:
                                client = _latencies(index, queries)
                            finally:
                                PgSearcher.push_down = True
                finally:
                    if cluster is not None:
                        cluster.destroy()
                    else:
                        import shutil

                        shutil.rmtree(work / "embedded", ignore_errors=True)
                rows.append(
                    {
                        "corpus": corpus.name[:40],
                        "mb": round(mb, 1),
                        "backend": backend + (f" {shards} shard(s)" if shards else ""),
                        "segments": segments,
                        "load_s": round(load, 2),
                        "mb_s": round(mb / load, 2),
                        "cold_p50": round(float(np.percentile(cold, 50)), 2),
                        "cold_p95": round(float(np.percentile(cold, 95)), 2),
                        "warm_p50": round(float(np.percentile(warm, 50)), 2),
                        "warm_p95": round(float(np.percentile(warm, 95)), 2),
                        "client_p50": round(float(np.percentile(client, 50)), 2),
                    }
                )
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    finally:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    if as_json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'corpus':<42} {'MB':>6} {'backend':<22} {'segs':>4} {'load s':>7} {'MB/s':>6} "
          f"{'cold p50':>8} {'x':>5} {'p95':>7} {'warm p50':>8} {'x':>5} {'p95':>7} "
          f"{'client p50':>10}")  # fmt: skip
    embedded = {r["corpus"]: r for r in rows if r["backend"] == "embedded"}
    for r in rows:
        e = embedded[r["corpus"]]
        print(
            f"{r['corpus']:<42} {r['mb']:>6} {r['backend']:<22} {r['segments']:>4} "
            f"{r['load_s']:>7} {r['mb_s']:>6} {r['cold_p50']:>8} "
            f"{r['cold_p50'] / max(e['cold_p50'], 1e-9):>5.1f} {r['cold_p95']:>7} "
            f"{r['warm_p50']:>8} {r['warm_p50'] / max(e['warm_p50'], 1e-9):>5.1f} "
            f"{r['warm_p95']:>7} {r['client_p50']:>10}"
        )
    small, big = rows[0]["corpus"], rows[-1]["corpus"]
    print(f"\ngrowth from {small} to {big} ({rows[-1]['mb'] / rows[0]['mb']:.1f}x the bytes):")
    for backend in dict.fromkeys(r["backend"] for r in rows):
        a = next(r for r in rows if r["backend"] == backend and r["corpus"] == small)
        b = next(r for r in rows if r["backend"] == backend and r["corpus"] == big)
        print(
            f"  {backend:<22} load time x{b['load_s'] / a['load_s']:.1f}, "
            f"cold p50 x{b['cold_p50'] / max(a['cold_p50'], 1e-9):.1f}, "
            f"warm p50 x{b['warm_p50'] / max(a['warm_p50'], 1e-9):.1f}, "
            f"warm p95 x{b['warm_p95'] / max(a['warm_p95'], 1e-9):.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
