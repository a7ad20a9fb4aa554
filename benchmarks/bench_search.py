"""Query latency by shape, related items and CACM's own queries: searchlib vs Whoosh, same docs.

Both indexes are built once per session (by ``bench_indexing.py`` or, if it did not run, here
before any timing). Every query is timed on its own; ``extra_info`` holds p50/p95 latency in ms
and queries/s, and the summary pairs the engines into a speed ratio. Whoosh searches with an
OrGroup parser over the title and body fields of the query's language, BM25F (its default) and
``searcher.search(q, limit=10)``. Each bench checks its results (hits where hits must exist).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _corpus import CORPORA, Corpus, bench_mode, plain, use_real_corpora
from _engines import IndexStore, WhooshSearch, build_tantivy

import searchlib
from searchlib.search.cache import snapshot_cache
from searchlib.search.suggest import suggest
from searchlib.search.twins import twins_for

ROUNDS = {"quick": 3, "full": 5}
Query = Callable[[], int]  # runs one query, returns its number of hits


@dataclass
class Engines:
    searchlib: searchlib.Index
    whoosh: WhooshSearch | None


@pytest.fixture(scope="module")
def news_engines(news: Corpus, index_store: IndexStore) -> Iterator[Engines]:
    idx = searchlib.open_index(index_store.get("searchlib", news))
    whoosh = _open_whoosh(index_store, news)
    yield Engines(idx, whoosh)
    idx.close()
    if whoosh is not None:
        whoosh.close()


@pytest.fixture(scope="module")
def cacm_engines(cacm: Corpus, index_store: IndexStore) -> Iterator[Engines]:
    idx = searchlib.open_index(index_store.get("searchlib", cacm))
    whoosh = _open_whoosh(index_store, cacm)
    yield Engines(idx, whoosh)
    idx.close()
    if whoosh is not None:
        whoosh.close()


def _open_whoosh(store: IndexStore, corpus: Corpus) -> WhooshSearch | None:
    try:
        import whoosh  # noqa: F401
    except ImportError:
        return None
    return WhooshSearch(Path(store.get("whoosh", corpus)))


def _misspell(word: str) -> str:
    """One edit away (Levenshtein): the middle letter dropped."""
    i = len(word) // 2
    return word[:i] + word[i + 1 :]


def shape_queries(shape: str, corpus: Corpus, eng: Engines, engine: str) -> list[Query]:
    """The queries of one shape for one engine (same text for both engines)."""
    en, es = corpus.words["en"], corpus.words["es"]
    idx, wh = eng.searchlib, eng.whoosh
    specs: list[
        tuple[str, str | None, str | None]
    ] = []  # (query text, query lang, doc-lang filter)
    if shape in ("one term", "one term, with snippets"):
        specs = [(w, "en", None) for w in en[:6]] + [(w, "es", None) for w in es[:4]]
    elif shape == "two-term OR":
        specs = [(f"{a} OR {b}", "en", None) for a, b in zip(en[:6], en[1:7], strict=False)]
        specs += [(f"{a} OR {b}", "es", None) for a, b in zip(es[:4], es[1:5], strict=False)]
    elif shape == "AND":
        specs = [(f"{a} AND {b}", "en", None) for a, b in zip(en[:6], en[2:8], strict=False)]
        specs += [(f"{a} AND {b}", "es", None) for a, b in zip(es[:4], es[2:6], strict=False)]
    elif shape == "phrase":
        specs = [(f'"{p}"', "en", None) for p in corpus.phrases["en"]]
        specs += [(f'"{p}"', "es", None) for p in corpus.phrases["es"]]
    elif shape == "prefix":
        specs = [(w[:4] + "*", "en", None) for w in en[:6]] + [
            (w[:4] + "*", "es", None) for w in es[:4]
        ]
    elif shape == "fuzzy":
        specs = [(_misspell(w) + "~1", "en", None) for w in en[:6] if len(w) > 3]
        specs += [(_misspell(w) + "~1", "es", None) for w in es[:4] if len(w) > 3]
    elif shape == "filtered (doc lang)":
        specs = [(w, None, "en") for w in en[:5]] + [(w, None, "es") for w in es[:5]]
    elif shape == "cross-lingual es->en":
        specs = [(w, "es", None) for w in es[:10]]
    if engine == "searchlib" and shape == "one term, with snippets":
        # Extra work Whoosh does not do here (its hits carry no highlighted passage).
        return [
            (lambda t=t, ql=ql: len(idx.search(t, 10, lang=ql, snippets=True).hits))
            for t, ql, _ in specs
        ]
    if engine == "searchlib":  # the same work as Whoosh's search: top 10 with stored fields
        return [
            (
                lambda t=t, ql=ql, dl=dl: len(
                    idx.search(t, 10, lang=ql, doc_lang=dl, snippets=False).hits
                )
            )
            for t, ql, dl in specs
        ]
    assert wh is not None
    return [
        (lambda t=t, ql=ql, dl=dl: len(wh.search(t, ql or "any", 10, lang_filter=dl)))
        for t, ql, dl in specs
    ]


def _measure(benchmark: Any, queries: list[Query]) -> tuple[list[int], np.ndarray]:
    """Warm up once, then time each query alone for ROUNDS rounds; return hits and ms latencies."""
    hits = [q() for q in queries]  # warm-up (caches, lazy loading), outside the timed rounds
    latencies: list[float] = []

    def run_all() -> int:
        total = 0
        for q in queries:
            t0 = time.perf_counter()
            total += q()
            latencies.append((time.perf_counter() - t0) * 1000)
        return total

    benchmark.pedantic(run_all, rounds=ROUNDS[bench_mode()], iterations=1, warmup_rounds=0)
    return hits, np.array(latencies)


def _record(
    benchmark: Any, what: str, engine: str, corpus: Corpus, lat: np.ndarray, n: int
) -> None:
    benchmark.extra_info.update(
        {
            "what": what,
            "engine": engine,
            "corpus": corpus.name,
            "queries": n,
            "p50_ms": round(float(np.percentile(lat, 50)), 3),
            "p95_ms": round(float(np.percentile(lat, 95)), 3),
            "queries_per_s": round(len(lat) / (float(lat.sum()) / 1000), 1),
        }
    )


SHAPES = [
    "one term",
    "one term, with snippets",
    "two-term OR",
    "AND",
    "phrase",
    "prefix",
    "fuzzy",
    "filtered (doc lang)",
    "cross-lingual es->en",
]


@pytest.mark.parametrize("engine", ["searchlib", "whoosh"])
@pytest.mark.parametrize("shape", SHAPES)
def test_query_shape(
    benchmark: Any, shape: str, engine: str, news: Corpus, news_engines: Engines
) -> None:
    if engine == "whoosh" and news_engines.whoosh is None:
        pytest.skip("whoosh is not installed")
    benchmark.group = f"query: {shape}"
    queries = shape_queries(shape, news, news_engines, engine)
    hits, lat = _measure(benchmark, queries)
    if shape == "cross-lingual es->en":
        # Spanish words on a mostly English index: only the count is informative (see README).
        if engine == "searchlib":
            res = [news_engines.searchlib.search(w, 10, lang="es") for w in news.words["es"][:10]]
            benchmark.extra_info["english_hits"] = sum(h.lang == "en" for r in res for h in r.hits)
        assert all(h >= 0 for h in hits)
    elif shape in ("AND", "phrase", "fuzzy"):
        assert sum(1 for h in hits if h > 0) >= len(hits) // 2, f"{engine} {shape}: {hits}"
    else:
        assert all(h > 0 for h in hits), f"{engine} {shape}: a query found nothing: {hits}"
    _record(benchmark, f"query {shape}", engine, news, lat, len(queries))
    benchmark.extra_info["hits"] = hits


@pytest.mark.parametrize("engine", ["searchlib", "whoosh"])
def test_related(benchmark: Any, engine: str, news: Corpus, news_engines: Engines) -> None:
    """searchlib ``index.related(id)`` vs Whoosh ``more_like`` (given the document's text)."""
    if engine == "whoosh" and news_engines.whoosh is None:
        pytest.skip("whoosh is not installed")
    benchmark.group = "query: related items"
    idx, wh = news_engines.searchlib, news_engines.whoosh
    ids = news.sample_ids
    assert ids, "the corpus has no sample documents for related items"
    queries: list[Query]
    if engine == "searchlib":
        queries = [(lambda d=d: len(idx.related(d).hits)) for d in ids]
    else:
        assert wh is not None
        langs = {d: (idx.stored(d) or {}).get("lang", "en") for d in ids}
        queries = [(lambda d=d: len(wh.more_like(d, news.texts[d], langs[d]))) for d in ids]
    hits, lat = _measure(benchmark, queries)
    if engine == "searchlib":  # every document has related items (at least similar ones)
        assert all(h > 0 for h in hits), f"searchlib: no related items for some of {ids}: {hits}"
    else:  # Whoosh's more_like may find nothing for a document of rare generated words
        assert sum(h > 0 for h in hits) * 2 >= len(hits), f"whoosh: {hits}"
    _record(benchmark, "related items", engine, news, lat, len(queries))


@pytest.mark.parametrize("engine", ["searchlib", "whoosh"])
def test_cacm_queries(benchmark: Any, engine: str, cacm: Corpus, cacm_engines: Engines) -> None:
    """The collection's own queries, one at a time, plain text, top 10."""
    if engine == "whoosh" and cacm_engines.whoosh is None:
        pytest.skip("whoosh is not installed")
    benchmark.group = "query: CACM queries"
    texts = [q["text"] for q in cacm.queries]
    queries: list[Query]
    if engine == "searchlib":
        searcher = cacm_engines.searchlib.searcher()
        queries = [(lambda t=t: len(searcher.search_text(t, 10).hits)) for t in texts]
    else:
        wh = cacm_engines.whoosh
        assert wh is not None
        queries = [(lambda t=t: len(wh.search(plain(t), "en", 10))) for t in texts]
    hits, lat = _measure(benchmark, queries)
    assert sum(1 for h in hits if h == 10) >= 0.9 * len(hits), (
        f"{engine}: too few full result lists"
    )
    _record(benchmark, "CACM queries (plain text)", engine, cacm, lat, len(queries))


def test_twins_folding(
    benchmark: Any, news: Corpus, news_engines: Engines, index_store: IndexStore
) -> None:
    """One-term queries with ``twins=True`` (English/Spanish versions of a story folded into one
    hit) against the same queries without: the links are saved at commit, so folding should cost
    about nothing. ``ratio`` is the time without twins / the time with them (1.0: free); the
    first query on a freshly opened index (loading the saved links) is in ``first_*_ms``."""
    benchmark.group = "query: twins folded"
    idx = news_engines.searchlib
    words = news.words["en"][:6] + news.words["es"][:4]
    path = index_store.get("searchlib", news)
    first: dict[bool, float] = {}
    with searchlib.open_index(path) as fresh:  # process-wide warm-up (analyzers, page cache)
        fresh.search(words[1], 10, snippets=False)
    for twins in (False, True):  # a fresh reader each: its caches empty
        with searchlib.open_index(path) as fresh:
            t0 = time.perf_counter()
            fresh.search(words[0], 10, snippets=False, twins=twins)
            first[twins] = (time.perf_counter() - t0) * 1000

    def plain_queries() -> list[Query]:
        return [(lambda w=w: len(idx.search(w, 10, snippets=False).hits)) for w in words]

    plain_hits = [q() for q in plain_queries()]
    plain_lat = []
    for _ in range(ROUNDS[bench_mode()]):
        for q in plain_queries():
            t0 = time.perf_counter()
            q()
            plain_lat.append((time.perf_counter() - t0) * 1000)
    queries = [(lambda w=w: len(idx.search(w, 10, snippets=False, twins=True).hits)) for w in words]
    hits, lat = _measure(benchmark, queries)
    assert all(h > 0 for h in hits) and all(h > 0 for h in plain_hits)
    _record(benchmark, "query one term, twins folded (vs not)", "-", news, lat, len(queries))
    del benchmark.extra_info["engine"]  # not a searchlib/Whoosh pair: a ratio of its own
    plain = np.array(plain_lat)
    benchmark.extra_info.update(
        {
            "plain_p50_ms": round(float(np.percentile(plain, 50)), 3),
            "ratio": round(float(plain.sum() / lat.sum()), 3),
            "ratio_of": "time without twins / time with twins",
            "first_query_ms": round(first[False], 2),
            "first_query_twins_ms": round(first[True], 2),
            "twin_links": len(twins_for(idx.reader)) // 2,
        }
    )


@pytest.mark.parametrize("engine", ["searchlib", "whoosh"])
def test_did_you_mean(benchmark: Any, engine: str, news: Corpus, news_engines: Engines) -> None:
    """A correction for a misspelt word (its middle letter dropped), in the query's language:
    searchlib's ``suggest`` (real words of title, body and teaser, ranked by distance and
    document frequency) vs Whoosh's ``searcher.suggest`` on the body field (its terms are stems,
    so its suggestions may be stems)."""
    if engine == "whoosh" and news_engines.whoosh is None:
        pytest.skip("whoosh is not installed")
    benchmark.group = "query: did-you-mean"
    specs = [(w, "en") for w in news.words["en"][:6]] + [(w, "es") for w in news.words["es"][:4]]
    specs = [(_misspell(w), lang) for w, lang in specs if len(w) > 4]
    queries: list[Query]
    if engine == "searchlib":
        reader = news_engines.searchlib.reader
        kept = snapshot_cache(reader).suggestions  # a snapshot keeps its suggestions: timed
        # here is the lookup itself, as for a word the snapshot was not asked before

        def fresh(word: str, lang: str) -> int:
            kept.clear()
            return int(suggest(reader, word, (lang,)) is not None)

        queries = [(lambda w=w, ql=ql: fresh(w, ql)) for w, ql in specs]
    else:
        wh = news_engines.whoosh
        assert wh is not None
        queries = [
            (lambda w=w, ql=ql: len(wh.searcher.suggest(f"body_{ql}", w, limit=1, maxdist=2)))
            for w, ql in specs
        ]
    hits, lat = _measure(benchmark, queries)
    assert sum(hits) >= len(hits) // 2, f"{engine}: too few suggestions {hits}"
    _record(benchmark, "did-you-mean", engine, news, lat, len(queries))
    benchmark.extra_info["suggested"] = hits


# -- the default search() against tantivy-py ------------------------------------------------------


@dataclass
class Tantivy:
    index: Any
    searcher: Any
    schema: Any


@pytest.fixture(scope="module")
def tantivy_news(news: Corpus, bench_dir: Path) -> Tantivy:
    """tantivy-py's index of the news corpus (title + body, stored, ``en_stem``; one thread),
    as ``benchmarks/compare_tantivy.py`` builds it."""
    tantivy = pytest.importorskip("tantivy")
    path = bench_dir / f"tantivy-{news.path.stem}"
    path.mkdir(exist_ok=True)
    index, schema = build_tantivy(tantivy, news.path, path)
    return Tantivy(index, index.searcher(), schema)


def person_queries(corpus: Corpus) -> list[str]:
    """Questions as a person types them: every 8th XQuAD question (English and Spanish) when
    the shared corpora are there, else sentences of the corpus's query words."""
    path = CORPORA / "xquad-en-es" / "queries.jsonl"
    if use_real_corpora() and path.exists():
        with path.open(encoding="utf-8") as f:
            texts = [json.loads(line)["text"] for line in f if line.strip()]
        return texts[:: 8 if bench_mode() == "full" else 24]
    en, es = corpus.words["en"], corpus.words["es"]
    return [" ".join(en[i : i + 5]) for i in range(0, 30, 3)] + [
        " ".join(es[i : i + 5]) for i in range(0, 20, 3)
    ]


DEFAULT_ROWS = {
    "default search() (snippets) vs tantivy": True,
    "search(snippets=False) vs tantivy": False,
}


@pytest.mark.parametrize("engine", ["searchlib", "tantivy"])
@pytest.mark.parametrize("what", list(DEFAULT_ROWS))
def test_default_search_vs_tantivy(
    benchmark: Any, what: str, engine: str, news: Corpus, news_engines: Engines, request: Any
) -> None:
    """``index.search(text)`` as a program calls it (its defaults: snippets on) and with
    ``snippets=False``, against tantivy-py on the same documents and queries: title + body,
    top 10, stored documents fetched, and for the snippet row a ``SnippetGenerator`` per
    query rendering each hit ``to_html`` (issue 16's targets: snippets p50 <= 1.5x tantivy's,
    p95 <= 3x; no snippets p50 <= 2x)."""
    benchmark.group = f"query: {what}"
    snippets = DEFAULT_ROWS[what]
    texts = person_queries(news)
    queries: list[Query]
    if engine == "searchlib":
        idx = news_engines.searchlib
        queries = [
            (lambda t=t: len(idx.search(t, 10, snippets=snippets, syntax="lenient").hits))
            for t in texts
        ]
    else:
        tv: Tantivy = request.getfixturevalue("tantivy_news")
        import tantivy

        def run(text: str) -> int:
            query = tv.index.parse_query(re.sub(r"[^\w\s]", " ", text), ["title", "body"])
            hits = tv.searcher.search(query, 10).hits
            if not snippets:
                return len([tv.searcher.doc(address)["id"] for _, address in hits])
            gen = tantivy.SnippetGenerator.create(tv.searcher, query, tv.schema, "body")
            return len([gen.snippet_from_doc(tv.searcher.doc(a)).to_html() for _, a in hits])

        queries = [(lambda t=t: run(t)) for t in texts]
    hits, lat = _measure(benchmark, queries)
    assert sum(h > 0 for h in hits) >= 0.9 * len(hits), f"{engine}: {hits}"
    _record(benchmark, f"query {what}", engine, news, lat, len(queries))
    benchmark.extra_info["percentiles"] = True  # p50 and p95 ratios (issue 16's targets)
