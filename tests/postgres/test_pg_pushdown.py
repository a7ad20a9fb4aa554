"""Per-shard top-k (searchlib.postgres.pushdown) on a real 2-shard cluster: each shard matches
the query's terms, scores them with BM25F and cuts its list to k in its own SQL; the client
only merges, and the results are the client path's and the embedded engine's, to the bit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from psycopg import sql
from search.search_corpus import corpus_briefs
from shared_paths import SEEDS

import searchlib
from searchlib.api import Index
from searchlib.errors import CorruptIndexError, IndexStateError
from searchlib.postgres import pushdown
from searchlib.postgres.cluster import LocalCluster
from searchlib.postgres.index import PostgresIndex
from searchlib.postgres.source import PgSearcher
from searchlib.records import Brief
from searchlib.search import Filters, Results
from searchlib.search.parser import parse_query


def build(index: Index) -> None:
    """Two commits (several segments on each shard), a deletion, the seeds (twins)."""
    briefs = corpus_briefs()
    index.add_many(briefs[:15])
    index.commit(merge=False)
    index.add_many(briefs[15:])
    searchlib.index_paths(index, [SEEDS], workers=1)
    index.delete(briefs[2].id)
    index.commit(merge=False)


@pytest.fixture(scope="module")
def pair(pg_cluster: LocalCluster) -> Iterator[tuple[PostgresIndex, Index]]:
    pg = searchlib.create_index(f"{pg_cluster.url}?index=pushdown_pair")
    assert isinstance(pg, PostgresIndex)
    embedded = searchlib.create_index()
    build(pg)
    build(embedded)
    yield pg, embedded
    pg.close()
    embedded.close()


class Asked:
    """Records the k each pushed search asked the shards for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ks: list[int] = []
        real = pushdown.shard_top_k

        def counting(snapshot: Any, ctx: Any, groups: Any, k: int) -> pushdown.ShardTopK:
            self.ks.append(k)
            return real(snapshot, ctx, groups, k)

        monkeypatch.setattr(pushdown, "shard_top_k", counting)


def _exact(r: Results) -> list[tuple[str, float, str]]:
    return [(h.id, h.score, str(h.to_json())) for h in r.hits]


def _ranked(r: Results) -> list[tuple[float, str]]:
    """Hits by score, ties by id (each backend numbers its documents its own way)."""
    return sorted((-h.score, h.id) for h in r.hits)


PUSHED: list[tuple[str, dict[str, Any]]] = [
    ("coca eradication", {}),
    ("coca eradication", {"limit": 3, "offset": 2}),
    ("cocaína", {"lang": "es"}),
    ("extorsión pandillas", {}),
    ("narcotráfico", {}),  # plain words: its translation's words are one term, no phrase
    ("police^2 OR cartel", {"lang": "en"}),
    ("drug* OR extorsion~1", {}),
    ("Humala", {"limit": 1}),
    ("humala peru coca police gang", {"limit": 0}),
]


@pytest.mark.parametrize(("query", "opts"), PUSHED, ids=[f"{q} {o}" for q, o in PUSHED])
def test_the_shards_rank_and_the_answer_is_the_client_paths_and_the_embedded_engines(
    pair: tuple[PostgresIndex, Index],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    opts: dict[str, Any],
) -> None:
    pg, embedded = pair
    asked = Asked(monkeypatch)
    pushed = pg.search(query, **opts)
    assert asked.ks, "the shards did not rank this search"
    with monkeypatch.context() as m:
        m.setattr(PgSearcher, "push_down", False)  # every match scored on the client
        client = pg.search(query, **opts)
    assert len(asked.ks) == 1
    theirs = embedded.search(query, **opts)
    assert pushed.total == client.total == theirs.total > 0
    assert _exact(pushed) == _exact(client)
    assert _ranked(pushed) == _ranked(theirs)
    assert pushed.warnings == theirs.warnings and pushed.suggestion == theirs.suggestion


def test_each_shard_matches_scores_and_cuts_in_its_own_sql(
    pair: tuple[PostgresIndex, Index],
) -> None:
    """EXPLAIN VERBOSE of the statement each shard runs (over its own connection: postgres_fdw
    would run the aggregate on the coordinator, see docs/postgres.md): the term match on the
    postings' key, BM25F, the ordering, the LIMIT and the count are in the shard's plan; what
    comes back is k rows per shard of the more that match, and their count."""
    pg, embedded = pair
    searcher = pg.searcher()
    q, lang = searcher.prepare("coca police cartel", None)
    ctx = searcher.context(lang)
    groups = pushdown.bound_plan(q, ctx)
    assert groups is not None
    keys, jobs = pushdown.shard_jobs(searcher.reader, ctx, groups, 2)
    assert ("body.en", "coca") in keys and ("title.es", "polic") in keys
    assert sorted(jobs) == [0, 1]
    for shard, (statement, params) in jobs.items():
        assert params["k"] == 2
        explain = sql.SQL("EXPLAIN (VERBOSE, COSTS OFF) ") + statement
        plan = "\n".join(r[0] for r in pg.db.read_shard(shard, explain, params))
        # the term match: the query's (field, term) keys joined to the postings' key
        assert re.search(
            r"Function Call: unnest\('\{title\.en,body\.en,teaser\.en,[^']*'::text\[\]\), "
            r"unnest\('\{[^']*\bcoca\b",
            plan,
        )
        assert re.search(
            r"po\.field = \(g\.field\)::text\) AND \(po\.term = \(g\.term\)::text|"
            r"\(g\.field\)::text = po\.field\) AND \(\(g\.term\)::text = po\.term",
            plan,
        )
        # BM25F per term group, then per document: tf / (p + q len), c x / (k1 + x)
        assert "sum(((m.tf)::double precision / (g.p + (g.q * (m.len)::double precision))))" in plan
        assert re.search(r"sum\(+'\{[0-9.,e-]+\}'::double precision\[\]\)\[g\.g\] \* \(sum", plan)
        # its best k, ordered, and the count of every match before the cut
        assert re.search(r"Sort Key: \(sum\(.*\)\) DESC, (?:x|po)\.seg, (?:x|m)\.doc$", plan, re.M)
        assert re.search(r"^ +-> +Limit$", plan, re.M)
        assert "count(*) OVER (?)" in plan  # the shard counts its matches
    answer = pushdown.shard_top_k(searcher.reader, ctx, groups, 2)
    assert all(0 < len(rows) <= 2 for rows in answer.rows.values())
    assert not all(answer.complete(shard) for shard in answer.rows)  # more matched than came
    assert answer.total == pg.search("coca police cartel").total
    assert answer.total == embedded.search("coca police cartel").total


def test_the_shards_bound_is_never_below_the_exact_score(
    pair: tuple[PostgresIndex, Index],
) -> None:
    pg, _ = pair
    searcher = pg.searcher()
    for text in ("coca eradication", "extorsión pandillas", "drug* OR extorsion~1", "Humala"):
        q, lang = searcher.prepare(text, None)
        ctx = searcher.context(lang)
        groups = pushdown.bound_plan(q, ctx)
        assert groups is not None
        answer = pushdown.shard_top_k(searcher.reader, ctx, groups, 1000)
        assert all(answer.complete(shard) for shard in answer.rows)
        found, total = pushdown.candidate_matches(q, ctx, answer)
        assert found is not None and found.total == total
        bound = {
            (int(seg), int(doc)): float(u)
            for rows in answer.rows.values()
            for seg, doc, u, *_ in rows
        }
        numbers = [getattr(seg, "seg", -1) for seg in searcher.reader.segments]
        for i, doc, score in zip(found.segs, found.docs, found.scores, strict=True):
            assert 0 < score <= bound[numbers[int(i)], int(doc)] * (1 + pushdown.MARGIN)


def test_a_cut_that_cannot_be_proven_asks_again_then_ranks_on_the_client(
    pair: tuple[PostgresIndex, Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    pg, embedded = pair
    monkeypatch.setattr(pushdown, "MIN_K", 1)
    monkeypatch.setattr(pushdown, "MARGIN", 10.0)  # no cut is ever proven
    asked = Asked(monkeypatch)
    ours = pg.search("coca police", limit=2)
    assert asked.ks == [3, 12]  # 12: every match of each shard, nothing left out
    assert _ranked(ours) == _ranked(embedded.search("coca police", limit=2))
    monkeypatch.setattr(pushdown, "MAX_ROUNDS", 1)
    asked.ks.clear()
    assert _ranked(pg.search("coca police", limit=2)) == _ranked(ours)
    assert asked.ks == [3]  # then ranked on the client
    monkeypatch.setattr(pushdown, "MAX_ROUNDS", 3)
    monkeypatch.setattr(pushdown, "MARGIN", 1e-5)
    asked.ks.clear()
    assert _ranked(pg.search("coca police", limit=2)) == _ranked(ours)
    assert asked.ks[0] == 3


@pytest.mark.parametrize(
    ("query", "opts"),
    [
        ('"drug trafficking"', {}),
        # boosted, no query of plain words: translated node by node, with a phrase
        ("narcotráfico^2", {}),  # ("drug trafficking")
        ("coca AND police", {}),
        ("coca -peru", {}),
        ("coca NOT peru", {}),  # NOT beside a clause excludes
        ("coca country:peru", {}),  # the query's filter clause: a restriction, as the option
        ("-peru", {"limit": 50}),  # exclusions only: every document without them
        ("author:ramsey", {}),
        ("kind:brief", {"limit": 50}),
        ("coca", {"filters": Filters(country="peru")}),
        ("coca", {"facets": True}),
        ("Humala", {"twins": True}),
    ],
)
def test_other_searches_rank_on_the_client(
    pair: tuple[PostgresIndex, Index],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    opts: dict[str, Any],
) -> None:
    """Phrases (a query's, or a translation's), AND, NOT, field filters, filters, facets and
    twins need every match (or positions): the shards match the terms, the client ranks, as
    the embedded engine does."""
    pg, embedded = pair
    asked = Asked(monkeypatch)
    ours, theirs = pg.search(query, **opts), embedded.search(query, **opts)
    assert asked.ks == []
    assert ours.total == theirs.total and _ranked(ours) == _ranked(theirs)
    assert ours.facets == theirs.facets


def test_which_queries_the_shards_can_bound(pair: tuple[PostgresIndex, Index]) -> None:
    pg, _ = pair
    searcher = pg.searcher()
    assert isinstance(searcher, PgSearcher)
    ctx = searcher.context("en")

    def plan(text: str) -> list[pushdown.Group] | None:
        return pushdown.bound_plan(parse_query(text), ctx)

    groups = plan("coca OR police^2")
    assert groups is not None
    assert [(g.keys[0], g.translated) for g in groups] == [
        (("title.en", "coca"), False),
        (("title.en", "polic"), False),
    ]
    assert groups[1].c == pytest.approx(2 * ctx.idf("en", ctx.default_fields, ("polic",)))
    assert {k for g in groups for k in g.keys} >= {("body.en", "coca"), ("teaser.en", "polic")}
    for text in ('"coca growers"', "coca AND police", "coca -peru", "author:ramsey", "lang:es"):
        assert plan(text) is None, text
    q, lang = searcher.prepare("extorsión", None)
    translated = pushdown.bound_plan(q, searcher.context(lang))
    assert translated is not None and {g.translated for g in translated} == {False, True}


def test_a_snapshot_whose_segments_were_removed_is_refused(pg_url: str) -> None:
    with searchlib.create_index(pg_url) as index:
        assert isinstance(index, PostgresIndex)
        index.pg_writer.merge_factor = 2
        for n in range(2):
            index.add(Brief(id=f"d{n}", lang="en", title=f"Coca {n}", body=["coca crops"]))
            index.commit()
        old = index.searcher()
        q, lang = old.prepare("coca", None)
        ctx = old.context(lang)
        groups = pushdown.bound_plan(q, ctx)
        assert groups is not None
        assert pushdown.shard_top_k(old.reader, ctx, groups, 5).total == 2
        for n in range(2, 12):  # merges drop the old segments; two generations later, gone
            index.add(Brief(id=f"d{n}", lang="en", title=f"Coca {n}", body=["coca crops"]))
            index.commit()
        with pytest.raises(IndexStateError, match="older than the generations the index keeps"):
            pushdown.shard_top_k(old.reader, ctx, groups, 5)
        assert index.search("coca").total == 12


def test_check_compares_what_the_shards_score_with_to_the_postings(pg_url: str) -> None:
    with searchlib.create_index(pg_url) as index:
        assert isinstance(index, PostgresIndex)
        index.add_many(
            [Brief(id=f"d{n}", lang="en", title="Coca", body=["coca"]) for n in range(6)]
        )
        index.commit()
        assert index.check()["docs"] == 6
        for shard in range(2):
            with index.db.on_shard(shard) as conn:
                conn.execute(
                    sql.SQL(
                        "UPDATE {}.postings SET slens = array_replace(slens, 1, 7)"
                        " WHERE field = 'body.en' AND term = 'coca'"
                    ).format(index.db.s)
                )
        with pytest.raises(CorruptIndexError, match="'coca': sdocs, stfs, slens differ"):
            index.check()


def test_a_query_with_too_many_postings_ranks_on_the_client(
    pair: tuple[PostgresIndex, Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    pg, embedded = pair
    searcher = pg.searcher()
    assert isinstance(searcher, PgSearcher)
    q, lang = searcher.prepare("coca police", None)
    groups = pushdown.bound_plan(q, searcher.context(lang))
    assert groups is not None
    count = searcher.reader.postings_count(groups)
    assert count > 10
    asked = Asked(monkeypatch)
    monkeypatch.setattr(pushdown, "MAX_PUSHED_POSTINGS", count - 1)
    ours = pg.search("coca police")
    assert asked.ks == []
    monkeypatch.setattr(pushdown, "MAX_PUSHED_POSTINGS", count)
    assert _exact(pg.search("coca police")) == _exact(ours)
    assert len(asked.ks) == 1
    assert _ranked(ours) == _ranked(embedded.search("coca police"))


def test_a_bound_below_an_exact_score_sends_the_search_to_the_client(
    pair: tuple[PostgresIndex, Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the shared layer score a query in a way bound_plan does not know, the exact
    scores of the candidates pass their bounds: the search is ranked on the client, not cut
    on an unproven bound."""
    pg, embedded = pair
    real = pushdown.bound_plan

    def too_low(node: Any, ctx: Any) -> list[pushdown.Group] | None:
        groups = real(node, ctx)
        for g in groups or ():
            g.c *= 0.5
        return groups

    monkeypatch.setattr(pushdown, "bound_plan", too_low)
    monkeypatch.setattr(pushdown, "MIN_K", 1)
    checks: list[bool] = []
    real_bounded = pushdown.bounded

    def recording(*args: Any) -> bool:
        checks.append(real_bounded(*args))
        return checks[-1]

    monkeypatch.setattr(pushdown, "bounded", recording)
    asked = Asked(monkeypatch)
    ours = pg.search("coca police", limit=2)
    assert asked.ks == [3] and checks == [False]
    assert _ranked(ours) == _ranked(embedded.search("coca police", limit=2))
