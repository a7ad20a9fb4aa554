"""Data integrity: string tables, id validation, format versions, commit outcomes, snapshots."""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from index_helpers import brief

import searchlib
from searchlib.errors import AfterCommitError, CorruptIndexError, IngestError
from searchlib.index import IndexWriter
from searchlib.index.check import check_index
from searchlib.index.documents import to_index_doc
from searchlib.index.manifest import Manifest, latest_generation, read_manifest, write_manifest
from searchlib.index.reader import IndexReader
from searchlib.ingest.files import read_file
from searchlib.records import Brief
from searchlib.storage import FileDirectory, decode_strings, encode_strings

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]


def nul_brief(doc_id: str) -> Brief:
    return Brief(id=doc_id, lang="en", title=f"title {doc_id!r}", body=["coca cartel police"])


# -- string tables ------------------------------------------------------------------------------


@given(st.lists(st.text()))
def test_string_table_round_trip(strings: list[str]) -> None:
    """Any strings (NUL, lone surrogates, empty ones) come back exactly, in order."""
    blob, offs = encode_strings(strings)
    assert decode_strings(blob, offs, "f", "t") == strings


@given(st.lists(st.text(min_size=1), min_size=1), st.data())
def test_string_table_bad_offsets_are_corrupt(strings: list[str], data: st.DataObject) -> None:
    """Offsets that do not cut the bytes into whole strings raise CorruptIndexError, and any
    table that decodes has as many strings as offsets say."""
    blob, offs = encode_strings(strings)
    offs = offs.astype(np.int64)
    i = data.draw(st.integers(0, offs.size - 1))
    offs[i] = data.draw(st.integers(-3, int(blob.size) + 3))
    try:
        out = decode_strings(blob, offs, "f", "t")
    except CorruptIndexError:
        return
    assert len(out) == offs.size - 1


def test_nul_in_an_id_round_trips_and_deletes_the_right_document(tmp_path: Path) -> None:
    """Ids used to be NUL-joined: "x\\0y" became two ids and every later id shifted by one."""
    with searchlib.create_index(tmp_path) as index:
        w = index.writer
        for doc_id in ("a", "x\0y", "c"):
            w.add_document(to_index_doc(nul_brief(doc_id)))  # below the ingest check
        index.commit()
        assert index.reader.segments[0].ids == ["a", "x\0y", "c"]
        got = index.get("c")
        assert got is not None and got.id == "c"
        index.delete("c")
        index.commit()
        assert sorted(h.id for h in index.search("coca", limit=10)) == ["a", "x\0y"]
        assert index.get("c") is None
        got = index.get("x\0y")
        assert got is not None and got.id == "x\0y"
        assert check_index(index.directory)["docs"] == 2


# -- ids at ingest ----------------------------------------------------------------------------


def test_control_characters_in_ids_are_refused_at_ingest(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    lines = [
        {"id": "a", "lang": "en", "title": "coca", "body": "coca"},
        {"id": "x\u0000y", "lang": "en", "title": "coca", "body": "coca"},
        {"id": "tab\there", "lang": "en", "title": "coca", "body": "coca"},
        {"id": "c", "lang": "en", "title": "coca", "body": "coca"},
    ]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    out = list(read_file(src))
    assert [r.id for r in out if isinstance(r, Brief)] == ["a", "c"]
    errors = [e for e in out if isinstance(e, IngestError)]
    assert [(e.line, e.reason) for e in errors] == [
        (2, "id holds a control character (U+0000 at position 1)"),
        (3, "id holds a control character (U+0009 at position 3)"),
    ]
    with searchlib.create_index(None) as index:
        with pytest.raises(IngestError, match="U\\+000A"):
            index.add(nul_brief("new\nline"))
        index.add(nul_brief("fine"))
        index.commit()
        assert len(index) == 1


# -- format versions ----------------------------------------------------------------------------


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(DATA / name, dst)
    return dst


def test_version_1_index_is_read_and_extended(tmp_path: Path) -> None:
    """An index written by format version 1 opens, searches, checks, and takes new commits
    (new segments in version 2 beside the old one, merged together)."""
    path = copy_fixture("v1-index", tmp_path)
    with searchlib.open_index(path) as index:
        assert len(index) == 11 and "es-0" not in index
        assert index.reader.segments[0].ids[:3] == ["es-0", "en-1", "es-2"]
        assert check_index(index.directory)["docs"] == 11
        hits = {h.id for h in index.search("cartel", limit=20)}
        assert hits and hits <= {f"{'en' if i % 2 else 'es'}-{i}" for i in range(1, 12)}
        index.add(brief(100, "en"))
        index.commit()
        index.optimize()
        assert len(index) == 12 and check_index(index.directory)["docs"] == 12
        got = index.get("en-1")
        assert got is not None and got.id == "en-1"


def test_version_1_index_with_a_nul_id_is_an_error_not_a_misread(tmp_path: Path) -> None:
    """Version 1 stored "x\\0y" as two ids: reading it names the cause instead of shifting
    ids, and check fails."""
    path = copy_fixture("v1-nul-id", tmp_path)
    index = searchlib.open_index(path)
    with pytest.raises(CorruptIndexError, match="4 ids for 3 documents.*version 1"):
        index.get("c")
    with pytest.raises(CorruptIndexError, match="s000001.cols"):
        check_index(FileDirectory(path))


def test_check_verifies_the_id_table_against_the_documents(tmp_path: Path) -> None:
    """An id table with one id too many (what a NUL made) fails check: its offsets, one
    more than the documents', are refused when the segment opens (hits read ids one at a
    time through them), before the table is read whole ("4 ids for 3 documents")."""
    from searchlib.index import segment
    from searchlib.storage import encode_array_file

    with searchlib.create_index(tmp_path) as index:
        for i in range(3):
            index.add(brief(i))
    directory = FileDirectory(tmp_path)
    name = "s000001.cols"
    f = segment.decode_array_file(directory.read(name), name, "segment-cols", 1, 2)
    arrays = dict(f.arrays)
    arrays["ids"], arrays["ids_off"] = encode_strings(["en-0", "x", "en-1", "en-2"])
    directory.write(name, encode_array_file("segment-cols", 2, arrays, f.meta))
    with pytest.raises(CorruptIndexError, match=f"{name}: ids: offsets do not cover"):
        check_index(directory)


# -- manifests ----------------------------------------------------------------------------------


def test_generation_grows_past_eight_digits(tmp_path: Path) -> None:
    """manifest_99999999 is followed by manifest_100000000, which is found and kept."""
    with searchlib.create_index(tmp_path) as index:
        index.add(brief(1))
    directory = FileDirectory(tmp_path)
    m = read_manifest(directory)
    write_manifest(directory, Manifest(99_999_999, m.segments, m.next_segment))
    with searchlib.open_index(tmp_path) as index:
        assert index.reader.generation == 99_999_999
        index.add(brief(2))
        assert index.commit() == 100_000_000
    assert (tmp_path / "manifest_100000000").exists()
    assert not (tmp_path / "manifest_99999999").exists()
    with searchlib.open_index(tmp_path) as index:
        assert len(index) == 2 and index.reader.generation == 100_000_000
        assert check_index(index.directory)["generation"] == 100_000_000


# -- what a commit reports ----------------------------------------------------------------------


class FullDisk(FileDirectory):
    """A folder whose disk fills up after ``budget`` more bytes (None: unlimited).

    The writer's flush thread writes a segment's .store (IndexWriter.flush): the writes must
    still come one at a time, in one order, for the disk to fill at the same byte each run;
    ``writing`` counts the writes under way, and two at once fail the test."""

    budget: int | None = None
    writing = 0
    overlaps = 0

    def write(self, name: str, chunks: Iterable[bytes]) -> int:
        def metered() -> Iterable[bytes]:
            for c in chunks:
                if self.budget is not None:
                    if len(c) > self.budget:
                        raise OSError(errno.ENOSPC, "No space left on device")
                    self.budget -= len(c)
                yield c

        with _WRITES:
            self.writing += 1
            self.overlaps += self.writing > 1
        try:
            return super().write(name, metered())
        finally:
            with _WRITES:
                self.writing -= 1


_WRITES = threading.Lock()


@pytest.mark.heavy
def test_full_disk_before_publication_is_a_plain_failure_and_indexing_resumes(
    tmp_path: Path,
) -> None:
    """ENOSPC at any byte before the manifest's rename: the last commit stays whole, no partial
    file is left, and the same writer commits everything once space is freed (this held:
    keep it held)."""
    failures = 0
    for budget in range(0, 9000, 300):
        path = tmp_path / str(budget)
        with searchlib.create_index(path) as index:
            for i in range(5):
                index.add(brief(i))
        directory = FullDisk(path)
        with IndexWriter(directory, merge_factor=100) as w:
            gen = w.reader.generation
            for i in range(5, 25):
                w.add(brief(i, "es"))
            w.delete("en-0")
            directory.budget = budget
            try:
                w.commit()
            except AfterCommitError:
                raise
            except OSError as exc:
                failures += 1
                assert exc.errno == errno.ENOSPC
                assert latest_generation(directory) == gen
                assert not any(p.name.endswith(".tmp") for p in path.iterdir())
                assert check_index(directory)["docs"] == 5
                directory.budget = None
                assert w.commit() == gen + 1
        assert directory.overlaps == 0
        assert check_index(FileDirectory(path))["docs"] == 24
        names = {p.name for p in path.iterdir() if not p.name.startswith("twins_")}
        names.discard("write.lock")
        assert names == read_manifest(FileDirectory(path)).files()
    assert failures > 5


def test_a_failure_after_publication_is_an_after_commit_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge after a commit fails (a full disk): the commit happened and says so."""
    from searchlib.index import writer as writer_module

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with IndexWriter(FileDirectory(tmp_path, create=True), merge_factor=2) as w:
        w.add(brief(1))
        assert w.commit() == 1
        monkeypatch.setattr(writer_module, "merge_segments", no_space)
        w.add(brief(2))
        with pytest.raises(AfterCommitError) as info:
            w.commit()
        assert info.value.generation == 2 and info.value.step == "merge"
        assert isinstance(info.value.__cause__, OSError)
        assert IndexReader.open(w.directory).doc_count == 2
        monkeypatch.undo()
        w.add(brief(3))
        assert w.commit() >= 3
    with searchlib.open_index(tmp_path) as index:
        assert sorted(h.id for h in index.search("*", limit=10)) == ["en-1", "en-2", "en-3"]


# -- snapshots ----------------------------------------------------------------------------------


def test_a_snapshot_stays_readable_after_its_files_are_deleted(tmp_path: Path) -> None:
    """stats() measured the folder's files: FileNotFoundError once a merge removed them."""
    with searchlib.create_index(tmp_path) as index:
        for i in range(6):
            index.add(brief(i))
            index.commit(merge=False)
    old = IndexReader.open(FileDirectory(tmp_path))
    size = old.stats()["bytes"]
    assert size == sum(
        p.stat().st_size
        for p in tmp_path.iterdir()
        if p.name != "write.lock" and not p.name.startswith("twins_")  # not part of a commit
    )
    with searchlib.open_index(tmp_path) as index:
        index.optimize()
    assert not any((tmp_path / f).exists() for f in old.manifest.files())
    stats = old.stats()
    assert stats["bytes"] == size and stats["docs"] == 6 and stats["segments"] == 6
    assert old.document("en-3") is not None
    assert sorted(d["id"] for d in old.iter_documents()) == sorted(f"en-{i}" for i in range(6))


READER_PROCESS = """
import os, sys, traceback
import searchlib
from searchlib.index.reader import IndexReader
from searchlib.storage import FileDirectory
n = 0
try:
    index = searchlib.open_index(sys.argv[1])
    index.search("coca OR cartel", limit=5)  # loads the analyzers and lexicon once
    print("ready", flush=True)
    while not os.path.exists(sys.argv[2]):
        r = IndexReader.open(FileDirectory(sys.argv[1]))
        assert r.stats()["docs"] == r.doc_count
        index.search("coca OR cartel", limit=5)  # its snapshot follows the commits
        index.stats()
        n += 1
    print("ok", n)
except BaseException:
    traceback.print_exc()
"""


@pytest.mark.heavy
def test_readers_and_stats_during_commits_and_merges(tmp_path: Path) -> None:
    """Threads and processes opening, searching and measuring while a writer commits, merges
    and removes old files: no error (stats failed with FileNotFoundError), every snapshot
    whole."""
    with searchlib.create_index(tmp_path) as index:
        index.add(brief(0))
    errors: list[BaseException] = []
    stop = threading.Event()
    counts = [0]

    def read() -> None:
        index = searchlib.open_index(tmp_path)
        while not stop.is_set():
            try:
                r = IndexReader.open(FileDirectory(tmp_path))
                assert r.stats()["docs"] == r.doc_count
                assert index.stats()["docs"] >= 1
                assert index.search("coca OR cartel OR police", limit=5).total >= 0
                counts[0] += 1
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
                return

    threads = [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    stop_file = tmp_path.parent / "stop"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", READER_PROCESS, str(tmp_path), str(stop_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=REPO,
        )
        for _ in range(2)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    try:
        with IndexWriter(FileDirectory(tmp_path), merge_factor=3) as w:
            deadline = time.monotonic() + 3
            i = 1
            while time.monotonic() < deadline:
                w.add(brief(i, "en" if i % 2 else "es"))
                if i % 7 == 0:
                    w.delete(f"en-{i - 6}")
                w.commit()
                i += 1
    finally:
        stop.set()
        stop_file.touch()
        for t in threads:
            t.join()
        outputs = [p.communicate(timeout=60)[0] for p in procs]
    assert not errors, errors[:3]
    assert counts[0] > 10
    for out in outputs:
        assert out.startswith("ok ") and int(out.split()[1]) >= 3, out
    check_index(FileDirectory(tmp_path))
