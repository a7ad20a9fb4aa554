"""Commits are atomic across shards: two phases (PREPARE TRANSACTION on each shard, the decision
on the coordinator, COMMIT PREPARED), in-doubt commits resolved when the index is next opened.

The faults are real: the writing process is killed (SIGKILL) between the phases, and a shard
server is stopped (by its pid) between them. Afterwards every shard is at the same commit, no
prepared transaction is left and ``check()`` passes.
"""

from __future__ import annotations

import errno
import subprocess
import sys
import textwrap
from collections.abc import Iterable

import pytest
from shared_paths import REPO

import searchlib
from searchlib.errors import AfterCommitError
from searchlib.postgres.cluster import LocalCluster
from searchlib.postgres.db import Database, ShardError
from searchlib.postgres.saved import SavedFiles
from searchlib.postgres.writer import PostgresWriter
from searchlib.records import Brief


def brief(n: int) -> Brief:
    return Brief(id=f"b{n}", lang="en", title=f"Brief {n}", body=["coca crops near the border"])


def seed(url: str, n: int = 10) -> None:
    with searchlib.create_index(url) as index:
        for i in range(n):
            index.add(brief(i))
        index.commit()


def prepared(url: str) -> list[list[str]]:
    db = Database(url)
    try:
        return [[gid for gid, _ in db.prepared(s)] for s in range(len(db.servers))]
    finally:
        db.close()


def published(url: str) -> int:
    db = Database(url)
    try:
        return db.published()
    finally:
        db.close()


def kill_writer_at(url: str, phase: str) -> None:
    """A process that replaces b0..b9 by c-versions, adds 10 more and deletes b1, then is
    killed (SIGKILL) when its commit reaches ``phase``."""
    code = textwrap.dedent(
        f"""
        import os, signal, searchlib
        from searchlib.records import Brief
        index = searchlib.open_index({url!r})
        for i in range(20):
            index.add(Brief(id=f"b{{i}}", lang="en", title=f"Changed {{i}}", body=["changed"]))
        index.delete("b1")
        def die(name):
            if name == {phase!r}:
                os.kill(os.getpid(), signal.SIGKILL)
        index.on_phase = die
        index.commit()
        print("survived")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == -9, done.stderr
    assert "survived" not in done.stdout


def test_killed_after_prepare_rolls_back_on_every_shard(pg_url: str) -> None:
    seed(pg_url)
    kill_writer_at(pg_url, "prepared")
    assert [len(p) for p in prepared(pg_url)] == [1, 1]  # in doubt on both shards
    assert published(pg_url) == 1
    with searchlib.open_index(pg_url) as index:  # opening resolves: nothing was decided
        assert sorted(index.recovered) == sorted(
            f"rollback searchlib:{index.db.schema}:2:{s}" for s in (0, 1)
        )
        assert len(index) == 10 and index.generation == 1
        got = index.get("b3")
        assert got is not None and got.title == "Brief 3"
        assert index.check()["docs"] == 10
    assert prepared(pg_url) == [[], []]


def test_killed_after_the_decision_commits_on_every_shard(pg_url: str) -> None:
    seed(pg_url)
    kill_writer_at(pg_url, "decided")
    assert [len(p) for p in prepared(pg_url)] == [1, 1]
    assert published(pg_url) == 1  # decided, not yet visible
    with searchlib.open_index(pg_url) as index:
        assert "published generation 2" in index.recovered
        assert len(index) == 19 and index.generation == 2
        got = index.get("b3")
        assert got is not None and got.title == "Changed 3"
        assert "b1" not in index and "b19" in index
        assert index.check()["docs"] == 19
    assert prepared(pg_url) == [[], []]
    done = subprocess.run(
        [sys.executable, "-m", "searchlib", "check", "--index", pg_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.startswith(f"ok: {pg_url} generation 2"), done


def test_killed_after_the_shards_committed_publishes_on_open(pg_url: str) -> None:
    seed(pg_url)
    kill_writer_at(pg_url, "committed")
    assert prepared(pg_url) == [[], []] and published(pg_url) == 1
    with searchlib.open_index(pg_url) as index:
        assert index.recovered == ["published generation 2"]
        assert len(index) == 19 and index.check()["docs"] == 19


def test_a_reader_sees_a_commit_whole_or_not_at_all(pg_url: str) -> None:
    seed(pg_url)
    seen: dict[str, tuple[int, int]] = {}
    with searchlib.open_index(pg_url) as reader, searchlib.open_index(pg_url) as writer:

        def look(phase: str) -> None:
            seen[phase] = (reader.generation, len(reader))

        writer.on_phase = look
        for i in range(5, 25):
            writer.add(brief(i))
        writer.delete("b0")
        writer.commit()
        # Prepared, decided, even committed on every shard: still generation 1, whole.
        assert seen == {"prepared": (1, 10), "decided": (1, 10), "committed": (1, 10)}
        assert (reader.generation, len(reader)) == (2, 24)


def test_a_shard_stopped_between_the_phases(pg_url: str, pg_cluster: LocalCluster) -> None:
    """The shard stops after the decision: the commit raises AfterCommitError, readers keep the
    last commit, opening the index names the missing shard; once it is back, opening completes
    the commit on it and every shard is at the same generation."""
    seed(pg_url)
    try:
        with searchlib.open_index(pg_url) as reader, searchlib.open_index(pg_url) as writer:
            writer.on_phase = lambda p: pg_cluster.stop_server("shard1") if p == "decided" else None
            for i in range(10, 30):
                writer.add(brief(i))
            with pytest.raises(AfterCommitError, match="generation 2"):
                writer.commit()
            assert reader.generation == 1
            with pytest.raises(ShardError, match=r"shard1 \(server shard1|server shard1"):
                len(reader)  # never a partial answer from shard0 alone
        with pytest.raises(ShardError, match="shard 1 .server shard1, 127.0.0.1:"):
            searchlib.open_index(pg_url)
    finally:
        pg_cluster.start_server("shard1")
    with searchlib.open_index(pg_url) as index:
        assert index.recovered == [
            f"commit searchlib:{index.db.schema}:2:1",
            "published generation 2",
        ]
        assert len(index) == 30 and index.generation == 2
        assert index.check() == {
            "generation": 2,
            "shards": 2,
            "segments": 4,
            "docs": 30,
            "postings": index.check()["postings"],
        }


def test_a_killed_writer_and_a_stopped_shard_roll_back_once_it_is_back(
    pg_url: str, pg_cluster: LocalCluster
) -> None:
    seed(pg_url)
    kill_writer_at(pg_url, "prepared")
    pg_cluster.stop_server("shard0")
    try:
        with pytest.raises(ShardError, match="shard 0"):
            searchlib.open_index(pg_url)
    finally:
        pg_cluster.start_server("shard0")
    with searchlib.open_index(pg_url) as index:
        assert len(index.recovered) == 2
        assert len(index) == 10 and index.check()["docs"] == 10
    assert prepared(pg_url) == [[], []]


def test_twin_links_failing_after_a_commit_is_an_after_commit_error(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the embedded index's: the commit is published on every shard, then the twin links
    are saved; their failing is an AfterCommitError of the published generation (a plain
    error would say that nothing was published)."""
    seed(pg_url, 2)

    def refuse(self: SavedFiles, name: str, chunks: Iterable[bytes]) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(SavedFiles, "write_atomic", refuse)
    with searchlib.open_index(pg_url) as index:
        index.add(brief(7))
        with pytest.raises(AfterCommitError) as info:
            index.commit()
        assert info.value.step == "twin links"
        assert isinstance(info.value.__cause__, OSError)
        assert info.value.generation == published(pg_url) == 2
        monkeypatch.undo()
        assert index.commit() == 2  # nothing pending: nothing published, the links saved
    with searchlib.open_index(pg_url) as index:
        assert sorted(h.id for h in index.search("coca", limit=10)) == ["b0", "b1", "b7"]


def test_optimize_failing_after_its_first_commit_published_is_an_after_commit_error(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """optimize() first commits what is pending, then merges: the merge failing once that
    commit is published is an AfterCommitError of its generation (as the embedded index's),
    and the documents it published are searchable."""
    seed(pg_url, 2)

    merge = PostgresWriter.merge

    def no_space(self: PostgresWriter, force: bool = False) -> None:
        if force:  # optimize's merge (a commit's own merges as before)
            raise OSError(errno.ENOSPC, "No space left on device")
        merge(self, force)

    monkeypatch.setattr(PostgresWriter, "merge", no_space)
    with searchlib.open_index(pg_url) as index:
        index.add(brief(7))
        with pytest.raises(AfterCommitError) as info:
            index.optimize()
        assert (info.value.step, info.value.generation, published(pg_url)) == ("merge", 2, 2)
        assert isinstance(info.value.__cause__, OSError)
        with pytest.raises(OSError):  # nothing pending: the error as it is
            index.optimize()
        assert published(pg_url) == 2
    with searchlib.open_index(pg_url) as index:
        assert sorted(h.id for h in index.search("coca", limit=10)) == ["b0", "b1", "b7"]
