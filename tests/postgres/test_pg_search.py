"""The shared search layer over PostgreSQL (searchlib.seam's Protocols implemented by
searchlib.postgres.source): the same hits, scores, totals, facets, snippets, suggestions, twins,
related items and explanations as the embedded engine on the same records and commits."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from psycopg import sql
from search.search_corpus import CORPUS, corpus_briefs
from shared_paths import SEEDS

import searchlib
from searchlib.analysis import get_analyzer
from searchlib.api import Index
from searchlib.errors import IndexStateError
from searchlib.postgres.cluster import LocalCluster
from searchlib.postgres.db import ShardError
from searchlib.postgres.index import PostgresIndex
from searchlib.postgres.source import SHARD_POSTINGS, PgSegment, PgSnapshot
from searchlib.records import Brief
from searchlib.seam import IndexSource, SegmentSource
from searchlib.search import Filters, Results
from searchlib.search.twins import links_name, twins_for

HUMALA = [
    Brief(
        id="humala-en",
        lang="en",
        title="Peru's Humala calls for closer anti-drug cooperation",
        date=dt.date(2011, 9, 23),
        countries=("Peru",),
        body=["Peru's President Ollanta Humala called for cooperation against drug trafficking."],
    ),
    Brief(
        id="humala-es",
        lang="es",
        title="Humala de Perú pide mayor cooperación antidrogas",
        date=dt.date(2011, 9, 23),
        countries=("Perú",),
        body=["El presidente de Perú, Ollanta Humala, pidió cooperación contra el narcotráfico."],
    ),
]


def build(index: Index) -> None:
    """Three commits (several segments), a deletion, related items, twins."""
    briefs = corpus_briefs()
    index.add_many(briefs[:12])
    index.commit(merge=False)
    index.add_many([*briefs[12:], *HUMALA])
    index.commit(merge=False)
    searchlib.index_paths(index, [SEEDS], workers=1)
    index.delete(briefs[3].id)
    index.commit(merge=False)


@pytest.fixture(scope="module")
def pair(pg_cluster: LocalCluster) -> Iterator[tuple[PostgresIndex, Index]]:
    pg = searchlib.create_index(f"{pg_cluster.url}?index=search_pair")
    assert isinstance(pg, PostgresIndex)
    embedded = searchlib.create_index()
    build(pg)
    build(embedded)
    yield pg, embedded
    pg.close()
    embedded.close()


def _ranked(r: Results) -> list[tuple[float, str]]:
    """Hits by score; documents of equal score in id order (the two backends number documents
    differently: each shard has its own segments, so ties may come in another order)."""
    return sorted((-h.score, h.id) for h in r.hits)


def _same(a: Results, b: Results) -> None:
    assert (a.total, a.facets, a.suggestion, a.warnings) == (
        b.total,
        b.facets,
        b.suggestion,
        b.warnings,
    )
    assert _ranked(a) == _ranked(b)
    assert {h.id: h.to_json() for h in a.hits} == {h.id: h.to_json() for h in b.hits}


SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("coca eradication", {}),
    ('"drug trafficking"', {}),
    ('"coca growers"~2 OR cartel', {"lang": "en"}),
    ("cocaína", {"lang": "es"}),
    ("coca", {"filters": Filters(country="peru")}),
    ("police", {"filters": Filters(doc_lang="es", since=dt.date(2011, 1, 1))}),
    ("drug* OR extorsion~1 OR tra?ficking", {"facets": True}),
    ("Humala", {"twins": True, "facets": True}),
    ("kind:brief AND country:mexico", {"facets": True}),
    ("coca -peru date:[2010-01-01 TO 2011-12-31]", {}),
    ("narcotráfico", {}),
    ("eradicaton", {}),
    ("author:ramsey", {}),
]


@pytest.mark.parametrize(("query", "opts"), SEARCHES, ids=[q for q, _ in SEARCHES])
def test_the_same_results_as_the_embedded_engine(
    pair: tuple[PostgresIndex, Index], query: str, opts: dict[str, Any]
) -> None:
    pg, embedded = pair
    ours, theirs = pg.search(query, limit=50, **opts), embedded.search(query, limit=50, **opts)
    assert theirs.total > 0 or query == "eradicaton"
    _same(ours, theirs)


def test_related_explain_get_and_stats_match(pair: tuple[PostgresIndex, Index]) -> None:
    pg, embedded = pair
    for doc_id in ("humala-en", "e01", "60fa42e6893d93ee"):
        _same(pg.related(doc_id, 20), embedded.related(doc_id, 20))
    assert "same story, other language" in {h.reason for h in pg.related("humala-en").hits}
    top = embedded.search("coca eradication").hits[0].id
    assert pg.explain("coca eradication", top) == embedded.explain("coca eradication", top)
    assert pg.get("humala-es") == embedded.get("humala-es")
    assert len(pg) == len(embedded)
    assert pg.check()["docs"] == len(embedded)


def test_nasty_queries_are_parameters(pair: tuple[PostgresIndex, Index]) -> None:
    """Quotes, backslashes, semicolons, SQL and NUL in queries: the same answers, no SQL."""
    pg, embedded = pair
    for q in [
        "it's",
        "coca'; DROP TABLE documents; --",
        "back\\slash",
        "semi;colon coca",
        "nul\x00coca",
        "%s %(x)s",
    ]:
        _same(pg.search(q, syntax="plain"), embedded.search(q, syntax="plain"))
    assert len(pg) == len(embedded)


def test_the_snapshot_implements_the_seam(pair: tuple[PostgresIndex, Index]) -> None:
    pg, _ = pair
    snap = pg.snapshot()
    assert isinstance(snap, PgSnapshot)
    source: IndexSource = snap
    segment: SegmentSource = snap.segments[0]
    assert isinstance(segment, PgSegment) and source.generation == pg.generation
    assert {s.shard for s in snap.segments if isinstance(s, PgSegment)} == {0, 1}
    assert snap is pg.snapshot()  # kept while no newer generation is published


def test_the_commit_saves_the_twin_links_for_every_reader(
    pair: tuple[PostgresIndex, Index],
) -> None:
    pg, embedded = pair
    saved = pg.snapshot().saved(links_name(pg.generation))
    assert saved is not None
    with searchlib.open_index(pg.url) as other:  # another reader loads them, computes nothing
        assert twins_for(other.snapshot()) == twins_for(embedded.reader)
        assert twins_for(other.snapshot())["humala-en"] == "humala-es"


def test_term_matching_runs_on_the_shards(pair: tuple[PostgresIndex, Index]) -> None:
    """A term's postings are read on every shard at once, each for its own segments: the
    term match is in the shard's plan (the postings' key), the client only gathers rows."""
    pg, _ = pair
    snap = pg.snapshot()
    explain = sql.SQL("EXPLAIN (VERBOSE, COSTS OFF) " + SHARD_POSTINGS).format(pg.db.s, pg.db.s)
    by_shard = snap.segments_by_shard()
    assert sorted(by_shard) == [0, 1]
    for shard, segs in by_shard.items():
        rows = pg.db.read_shard(shard, explain, (["coca"], snap.fields, segs, segs))
        plan = "\n".join(r[0] for r in rows)
        assert "on pushdown_pair.postings" in plan or f"on {pg.db.schema}.postings" in plan
        assert "postings.term = ANY ('{coca}'::text[])" in plan
        listed = ",".join(map(str, segs))
        assert re.search(rf"postings\.seg = ANY \('\{{{listed}\}}'::\w+\[\]\)", plan)
    got = snap.term_postings("coca")
    assert {snap.segments[snap._position[seg]].shard for seg, _ in got} == {0, 1}


def test_a_search_sees_commits_whole_and_a_snapshot_keeps_its_view(pg_url: str) -> None:
    with searchlib.create_index(pg_url) as index:
        index.add_many(
            [Brief(id=f"d{i}", lang="en", title=f"Coca {i}", body=["coca"]) for i in range(6)]
        )
        index.commit()
        before = index.searcher()
        assert before.search("coca").total == 6
        index.delete("d0")
        index.add(Brief(id="d9", lang="en", title="Coca 9", body=["coca"]))
        index.commit()
        assert index.search("coca").total == 6
        assert "d0" not in {h.id for h in index.search("coca").hits}
        assert "d0" in {h.id for h in before.search("coca").hits}  # the old snapshot's view


def test_a_stopped_shard_fails_a_search_naming_it(pg_url: str, pg_cluster: LocalCluster) -> None:
    with searchlib.create_index(pg_url) as index:
        index.add_many(
            [Brief(id=f"d{i}", lang="en", title=f"Coca {i}", body=["coca"]) for i in range(6)]
        )
        index.commit()
        pg_cluster.stop_server("shard0")
        try:
            with pytest.raises(ShardError, match="shard0"):
                index.search("coca")
        finally:
            pg_cluster.start_server("shard0")
        assert index.search("coca").total == 6


def test_merges_keep_the_results_and_old_snapshots(pg_url: str) -> None:
    """Twelve small commits: the tier policy merges each shard's segments in a commit (deleted
    documents dropped), searches match the embedded engine's documents throughout, a snapshot
    taken before a merge still reads its segments, optimize leaves one segment per shard."""
    briefs = corpus_briefs()
    embedded = searchlib.create_index()
    with searchlib.create_index(pg_url) as pg:
        assert isinstance(pg, PostgresIndex)
        pg.pg_writer.merge_factor = 3
        old = None
        for n in range(12):
            for index in (pg, embedded):
                index.add_many(briefs[n * 2 : n * 2 + 3])
                if n == 5:
                    index.delete(briefs[1].id)
                index.commit()
            if n == 3:
                old = pg.searcher()
                old_total = old.search("coca OR police").total
            if n == 4:  # one generation later the old snapshot still reads what it read
                assert old is not None and old.search("coca OR police").total == old_total
            for q in ("coca eradication", '"drug trafficking"', "police"):
                # The same documents match (scores differ by when each backend's merges drop
                # replaced documents from the statistics, as in Lucene).
                ours, theirs = pg.search(q, limit=50), embedded.search(q, limit=50)
                assert {h.id for h in ours.hits} == {h.id for h in theirs.hits}
        assert len(pg.snapshot().segments) < 12  # merged (24 flushed segments without merges)
        dropped = pg.db.query(
            f"SELECT count(*) FROM {pg.db.schema}.segments WHERE dropped IS NOT NULL"
        )
        assert dropped[0][0] > 0
        assert old is not None  # generation 4: its merged-away segments are gone by now
        with pytest.raises(IndexStateError, match="older than the generations the index keeps"):
            old.search("coca OR police OR drug OR cartel")
        assert pg.check()["docs"] == len(embedded) == len(pg)
        pg.optimize()
        assert len(pg.snapshot().segments) == 2
        assert pg.get(briefs[1].id) is None and len(pg) == len(embedded)
        for q in ("coca eradication", '"drug trafficking"', "narcotráfico"):
            assert {h.id for h in pg.search(q, limit=50).hits} == {
                h.id for h in embedded.search(q, limit=50).hits
            }
        assert pg.check()["docs"] == len(embedded)


def test_a_long_batch_merges_its_own_segments(pg_url: str) -> None:
    """A batch that flushes many times (a small memory budget) before its one commit merges
    its own segments in its transaction: few segments, the embedded engine's exact results."""
    docs = [
        Brief(id=f"n{i}", lang="en" if i % 3 else "es", title=f"{w} report {i}", body=[text])
        for i, (w, text) in enumerate(
            (w, f"{w} {CORPUS[i % len(CORPUS)][6]} number {i}")
            for i, w in enumerate(["coca", "police", "border", "cartel", "gang"] * 40)
        )
    ]
    embedded = searchlib.create_index()
    embedded.add_many(docs)
    embedded.commit()
    with searchlib.create_index(pg_url) as pg:
        assert isinstance(pg, PostgresIndex)
        writer = pg.pg_writer
        writer.merge_factor = 3
        for d in docs:
            pg.add(d)
            if int(d.id[1:]) % 10 == 9:
                writer.flush()  # 20 flushes, as a small budget would make
        pg.commit()
        segments = pg.snapshot().segments
        assert len(segments) <= 12 and max(s.ndocs for s in segments) > 30  # 40 flushed
        for q in ("coca police", '"report 17"', "cartel~1", "frontera"):
            _same(pg.search(q, limit=200), embedded.search(q, limit=200))
        assert pg.check()["docs"] == len(docs)


def test_a_search_reads_its_words_postings_in_one_query(
    pair: tuple[PostgresIndex, Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    pg, embedded = pair
    asked: list[Any] = []
    read_shards = pg.db.read_shards

    def counting(jobs: dict[int, Any], **kwargs: Any) -> dict[int, list[Any]]:
        asked.append([params for _, params in jobs.values()])
        return read_shards(jobs, **kwargs)

    monkeypatch.setattr(pg.db, "read_shards", counting)
    snapshot = PgSnapshot(pg.db, pg.generation)
    monkeypatch.setattr(pg, "snapshot", lambda: snapshot)
    text = "coca eradication police border cartel"
    ours = pg.search(text, limit=50, lang="en")
    words = {t for t in get_analyzer("en").terms(text)[0]}
    reads = [p[0] for call in asked for p in call if isinstance(p, tuple)]
    batches = [terms for terms in reads if words <= set(terms)]
    singles = [terms for terms in reads if len(terms) == 1 and terms[0] in words]
    assert len(asked[0]) == 2  # each read goes to both shards at once
    assert len(batches) == 2 and singles == []  # one read per shard for the five words
    _same(ours, embedded.search(text, limit=50, lang="en"))
