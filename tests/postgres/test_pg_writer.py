"""The PostgreSQL backend's write side on a real 2-shard cluster: the same records in, the same
analysis (searchlib's), the same records out, sharded by PostgreSQL's hash partitioning."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import psycopg
import pytest
from shared_paths import REPO, SAMPLE_ID, SAMPLE_TITLE, SEEDS

import searchlib
from searchlib.errors import (
    IndexNotFoundError,
    IndexStateError,
    IngestError,
    LockError,
    MissingExtraError,
)
from searchlib.postgres.cluster import LocalCluster
from searchlib.postgres.index import PostgresIndex
from searchlib.records import Brief, RelatedItem

NASTY = ["it's", 'say "no"', "back\\slash", "semi;colon", "'); DROP TABLE documents; --", "%s"]


def brief(n: int, lang: str = "en", text: str = "coca crops grow near the border") -> Brief:
    return Brief(id=f"{lang}-{n}", lang=lang, title=f"Brief {n}", body=[text])


def test_open_index_dispatches_on_the_url_and_needs_an_existing_index(pg_url: str) -> None:
    with pytest.raises(IndexNotFoundError, match="no index 't"):
        searchlib.open_index(pg_url)
    with searchlib.create_index(pg_url) as index:
        assert isinstance(index, PostgresIndex)
        assert isinstance(index, searchlib.Index)
        assert index.generation == 0 and len(index) == 0
    with searchlib.open_index(pg_url) as index:
        assert index.stats()["shards"] == 2


def test_add_replace_delete_commit(pg_url: str) -> None:
    with searchlib.create_index(pg_url) as index:
        for n in range(20):
            index.add(brief(n))
        assert len(index) == 0  # nothing visible before the commit
        assert index.commit() == 1
        assert len(index) == 20
        index.add(Brief(id="en-3", lang="en", title="Changed title", body=["nothing"]))
        index.delete("en-4")
        index.delete("no-such-id")
        assert index.commit() == 2
        assert len(index) == 19
        got = index.get("en-3")
        assert got is not None and got.title == "Changed title"
        assert index.get("en-4") is None and "en-4" not in index and "en-5" in index
        stats = index.stats()
        assert stats["docs"] == 19 and stats["generation"] == 2
        assert all(n > 0 for n in stats["docs_by_shard"])  # both shards hold documents
        assert index.check()["docs"] == 19


def test_same_id_twice_before_commit_keeps_the_last(pg_url: str) -> None:
    with searchlib.create_index(pg_url) as index:
        index.add(brief(1, text="first"))
        index.add(Brief(id="en-1", lang="en", title="Second", body=["second"]))
        index.commit()
        assert len(index) == 1
        got = index.get("en-1")
        assert got is not None and got.title == "Second"


def test_related_items_are_stored_once_and_kept(pg_url: str) -> None:
    item = RelatedItem(section="Peru", date=None, teaser="Coca growers protest", lang="en")
    with searchlib.create_index(pg_url) as index:
        index.add(Brief(id="a", lang="en", title="A", body=["x"], related=(item,)))
        index.commit()
        index.add(Brief(id="b", lang="en", title="B", body=["y"], related=(item,)))
        index.commit()
        assert index.stats()["docs_by_kind"] == {"brief": 2, "related": 1}
        got = index.get("b")
        assert isinstance(got, Brief) and [r.id for r in got.related] == [item.id]
        assert index.check()["docs"] == 3


def test_quotes_backslashes_semicolons_and_nul_round_trip(pg_url: str) -> None:
    """SQL is parameterised: ids, titles and bodies full of SQL and escapes are stored as they
    are; a NUL inside a title or body (PostgreSQL text cannot hold one) round-trips too."""
    with searchlib.create_index(pg_url) as index:
        for i, nasty in enumerate(NASTY):
            index.add(
                Brief(id=nasty, lang="en", title=f"T{i} {nasty}\x00!", body=[f"{nasty}\x00 body"])
            )
        index.commit()
        for i, nasty in enumerate(NASTY):
            got = index.get(nasty)
            assert got is not None and got.id == nasty
            assert got.title == f"T{i} {nasty}\x00!" and got.body == (f"{nasty}\x00 body",)
        assert len(index) == len(NASTY)
        assert index.check()["docs"] == len(NASTY)


def test_a_bad_id_is_an_ingest_error(pg_url: str) -> None:
    with searchlib.create_index(pg_url) as index:
        with pytest.raises(IngestError, match="control character"):
            index.add(Brief(id="a\x00b", lang="en", title="t", body=["b"]))


def test_the_terms_are_searchlibs_own_analysis(pg_url: str, tmp_path: Path) -> None:
    """Every posting (terms, doc, frequencies, positions) and every field length on the shards
    is what the embedded engine writes for the same records: ñ kept, accents folded."""
    records = [
        Brief(id="es-1", lang="es", title="Niños y gobiernos", body=["La policía incautó cocaína"]),
        Brief(id="en-1", lang="en", title="The president's cartels", body=["Police seized coca"]),
    ]
    with searchlib.create_index(pg_url) as index:
        for r in records:
            index.add(r)
        index.commit()
        s = index.db.schema
        ids = {
            (seg, d): i
            for i, seg, d in index.db.query(f"SELECT id, seg, docnum FROM {s}.documents")
        }
        ours: dict[tuple[str, str], dict[str, list[int]]] = {}
        for seg, field, term, docs, tfs, positions in index.db.query(
            f"SELECT seg, field, term, docs, tfs, positions FROM {s}.postings"
        ):
            pos = np.frombuffer(positions, "<i4").tolist()
            at = 0
            for d, tf in zip(np.frombuffer(docs, "<i4"), np.frombuffer(tfs, "<i4"), strict=True):
                ours.setdefault((field, term), {})[ids[seg, int(d)]] = pos[at : at + tf]
                at += tf
    expected: dict[tuple[str, str], dict[str, list[int]]] = {}
    with searchlib.create_index(tmp_path / "e") as embedded:
        for r in records:
            embedded.add(r)
        embedded.commit()
        for seg in embedded.reader.segments:
            for field in seg.field_names:
                for i, term in enumerate(seg.terms(field)):
                    docs, tfs = seg.postings_at(field, i)
                    for j, d in enumerate(docs.tolist()):
                        got = seg.posting_positions(field, i, j).tolist()
                        expected.setdefault((field, term), {})[seg.ids[d]] = got
    assert ours == expected
    assert ours[("body.es", "polici")] == {"es-1": [1]}  # policía: accent folded, then stemmed
    assert ours[("title.es", "niñ")] == {"es-1": [0]}  # ñ kept (PostgreSQL's spanish folds it)


def test_documents_live_on_the_shard_their_hash_partition_names(pg_url: str) -> None:
    """A document's shard is PostgreSQL's own hash partitioning of its id, so the coordinator's
    partitioned table finds every document on its partition (and prunes to it by id)."""
    with searchlib.create_index(pg_url) as index:
        for n in range(30):
            index.add(brief(n))
        index.commit()
        s = index.db.schema
        rows = index.db.query(f"SELECT id, shard, tableoid::regclass::text FROM {s}.documents")
        assert len(rows) == 30
        assert {shard for _, shard, _ in rows} == {0, 1}
        for _, shard, partition in rows:
            assert partition == f"{s}.documents_{shard}"
        plan = "\n".join(
            r[0]
            for r in index.db.query(
                f"EXPLAIN (VERBOSE, COSTS OFF) SELECT stored FROM {s}.documents WHERE id = 'en-7'"
            )
        )
        assert plan.count("Foreign Scan") == 1  # pruned to the one shard that holds it


def test_one_writer_at_a_time(pg_url: str) -> None:
    with (
        searchlib.create_index(pg_url) as first,
        searchlib.open_index(pg_url, lock_timeout=0.2) as second,
    ):
        first.add(brief(1))
        with pytest.raises(LockError, match="locked by another writer"):
            second.add(brief(2))
        first.commit()
        assert len(second) == 1  # readers never wait


def test_index_paths_reports_bad_input_as_the_embedded_engine_does(
    pg_url: str, tmp_path: Path
) -> None:
    jsonl = tmp_path / "docs.jsonl"
    good = {"id": "g1", "lang": "es", "title": "Extorsión", "body": "Las pandillas cobran."}
    jsonl.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({**good, "id": "g2"}) + "\n")
    with searchlib.create_index(pg_url) as index:
        report = searchlib.index_paths(index, [jsonl])
    assert report.indexed == 2
    assert [(e.path, e.line) for e in report.skipped] == [(str(jsonl), 2)]
    embedded = searchlib.index_paths(searchlib.create_index(), [jsonl])
    assert [str(e) for e in report.skipped] == [str(e) for e in embedded.skipped]


def test_the_seeds_index_like_the_embedded_engine(pg_url: str) -> None:
    with searchlib.create_index(pg_url) as index:
        report = searchlib.index_paths(index, [SEEDS])
        assert report.generation == 1
        got = index.get(SAMPLE_ID)
        assert got is not None and got.title == SAMPLE_TITLE
        embedded = searchlib.create_index()
        searchlib.index_paths(embedded, [SEEDS], workers=1)
        ours, theirs = index.stats(), embedded.stats()
        for key in ("docs", "docs_by_kind", "docs_by_lang"):
            assert ours[key] == theirs[key], key
        assert index.check()["docs"] == theirs["docs"]


def test_a_broken_connection_mid_batch_loses_nothing_committed(pg_url: str) -> None:
    with searchlib.create_index(pg_url) as index:
        for n in range(10):
            index.add(brief(n))
        index.commit()
        writer = index.pg_writer
        for n in range(10, 20):
            index.add(brief(n))
        writer.flush()  # the batch is on the shards, uncommitted
        pids = [writer.db.shard(s).info.backend_pid for s in sorted(writer._open)]
        with psycopg.connect(index.db.shard_urls[0], autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pids[0],))
        with pytest.raises(searchlib.SearchlibError):
            index.commit()
    with searchlib.open_index(pg_url) as index:
        assert len(index) == 10 and index.generation == 1
        assert index.check()["docs"] == 10
        index.add(brief(99))
        assert index.commit() == 2 and len(index) == 11


def test_without_psycopg_a_postgres_url_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "import searchlib\n"
        "from searchlib.errors import MissingExtraError\n"
        "try:\n"
        "    searchlib.open_index('postgresql://u@127.0.0.1:1/db')\n"
        "except MissingExtraError as e:\n"
        "    print(type(e).__name__, e.extra, e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    ).stdout
    assert out.startswith("MissingExtraError postgres ")
    assert "pip install 'searchlib[postgres]'" in out
    assert issubclass(MissingExtraError, ImportError)


def test_cluster_servers_stop_by_pid_and_start_again(pg_cluster: LocalCluster) -> None:
    pid = pg_cluster.pid("shard1")
    assert pid is not None
    pg_cluster.stop_server("shard1")
    assert pg_cluster.pid("shard1") is None
    pg_cluster.start_server("shard1")
    assert pg_cluster.pid("shard1") not in (None, pid)
    with psycopg.connect(pg_cluster.url) as conn:
        rows = conn.execute("SELECT srvname FROM pg_foreign_server ORDER BY srvname").fetchall()
    assert [r[0] for r in rows] == ["shard0", "shard1"]


def test_shards_in_the_url_choose_the_servers(pg_url: str) -> None:
    with pytest.raises(IndexStateError, match="must name distinct postgres_fdw servers"):
        searchlib.create_index(f"{pg_url}&shards=shard1,nowhere")
    with searchlib.create_index(f"{pg_url}&shards=shard1") as index:
        assert isinstance(index, PostgresIndex)
        for n in range(8):
            index.add(brief(n))
        index.commit()
        assert index.db.servers == ["shard1"]
        assert index.stats()["docs_by_shard"] == [8]
        assert index.search("coca").total == 8
        assert index.check()["shards"] == 1


def test_the_cluster_command_starts_indexes_searches_and_stops(pg_cluster: LocalCluster) -> None:
    """`searchlib cluster start` (initdb, servers on loopback, shards declared), the seeds indexed
    and searched through the URL it prints, `searchlib cluster stop` (by pid)."""
    del pg_cluster  # only for the skip when there are no PostgreSQL binaries
    root = Path(tempfile.mkdtemp(prefix="searchlib-cli-"))
    root.chmod(0o755)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "searchlib", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )

    try:
        started = cli("cluster", "start", "--shards", "2", "--dir", str(root / "c"), "--json")
        assert started.returncode == 0, started.stderr
        info = json.loads(started.stdout)
        url = info["url"]
        assert sorted(info["servers"]) == ["coordinator", "shard0", "shard1"]
        assert all(s["pid"] for s in info["servers"].values())
        indexed = cli("index", str(SEEDS), "--index", url, "--json")
        assert indexed.returncode == 0, indexed.stderr
        assert json.loads(indexed.stdout)["generation"] == 1
        found = cli("search", "Humala coca", "--index", url, "--json")
        assert json.loads(found.stdout)["hits"][0]["id"] == SAMPLE_ID
    finally:
        stopped = cli("cluster", "stop", "--dir", str(root / "c"), "--json")
        shutil.rmtree(root, ignore_errors=True)
    assert stopped.returncode == 0, stopped.stderr
    assert all(s["pid"] is None for s in json.loads(stopped.stdout)["servers"].values())


def test_small_segments_of_uneven_sizes_merge_as_one_tier(pg_url: str) -> None:
    """The embedded writer's floor (MIN_MERGE_DOCS): segments under it are one size tier, so a
    batch's flushes of 8, 80 and 8 documents (about 4, 40 and 4 per shard: tiers 1, 3 and 1
    of a factor of 3 without the floor) merge into one segment per shard."""
    with searchlib.create_index(pg_url) as index:
        assert isinstance(index, PostgresIndex)
        writer = index.pg_writer
        writer.merge_factor = 3
        n = 0
        for size in (8, 80, 8):
            for _ in range(size):
                index.add(brief(n))
                n += 1
            writer.flush()
        index.commit()
        segments = index.snapshot().segments
        assert len(segments) == 2 and sum(s.ndocs for s in segments) == 96
        assert len(index.search("coca", limit=100).hits) == 96


def test_purge_removes_every_row_of_a_merged_away_segment(pg_url: str) -> None:
    """Segments merged away KEEP_DROPPED generations ago lose their rows in every table, the
    columns row included (it was once left behind)."""
    with searchlib.create_index(pg_url) as ix:
        assert isinstance(ix, PostgresIndex)
        for n in range(8):
            ix.add(Brief(id=f"d{n}", lang="en", title=f"Coca {n}", body=["coca crops"]))
            ix.commit(merge=False)
        ix.optimize()
        for n in range(4):
            ix.add(Brief(id=f"e{n}", lang="en", title="Later", body=["later"]))
            ix.commit()
        db = ix.db
        for shard in range(len(db.shard_urls)):
            with db.on_shard(shard) as conn:
                live = sorted(
                    r[0]
                    for r in conn.execute(
                        psycopg.sql.SQL("SELECT seg FROM {}.segments").format(db.s)
                    )
                )
                for table in ("columns", "documents", "dictionary", "lengths", "langs", "postings"):
                    rows = conn.execute(
                        psycopg.sql.SQL("SELECT DISTINCT seg FROM {}.{} ORDER BY seg").format(
                            db.s, psycopg.sql.Identifier(table)
                        )
                    )
                    assert sorted(r[0] for r in rows) == live, (shard, table)
