"""The one-process writer's flush thread (IndexWriter.flush, _Writing): a segment's stored
fields are compressed and written, and its files fsynced, by a thread while indexing goes on.
What a failure there does to the commits, what is in flight at once, and what the thread does
at close, at an error of on_flush, when the writer is dropped, and across a fork."""

from __future__ import annotations

import errno
import gc
import os
import sys
import threading
from pathlib import Path

import pytest
from index_helpers import brief

from searchlib.index import IndexWriter
from searchlib.index import writer as writer_module
from searchlib.index.check import check_index
from searchlib.index.manifest import latest_generation, read_manifest
from searchlib.index.reader import IndexReader
from searchlib.index.segment import SegmentData
from searchlib.records import Brief
from searchlib.storage import FileDirectory


def _own_files(path: Path) -> set[str]:
    return {p.name for p in path.iterdir() if p.name != "write.lock"}


def _files_but_links(path: Path) -> set[str]:
    """The index's files but its twin links (what its manifest should name, exactly)."""
    return {n for n in _own_files(path) if not n.startswith("twins_")}


def _first_commit_fails(w: IndexWriter, docs: int, code: int) -> None:
    """Add ``docs`` briefs and commit: the commit raises the OSError of errno ``code``."""
    for i in range(docs):
        w.add(brief(i))
    with pytest.raises(OSError) as info:
        w.commit()
    assert info.value.errno == code


def test_an_fsync_error_in_the_thread_fails_the_commit_and_the_files_are_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thread's fsync of s000001.post fails (EIO). That fsync is not tried again as proof
    that the file is on disk (Linux reports such an error once and marks the pages clean):
    the commit raises it and publishes nothing; the next commit writes the segment's files
    anew from its data, fsynced, and only then names them."""
    real_sync = FileDirectory.sync_file
    failed: list[str] = []
    written: list[tuple[str, str]] = []  # (file, thread) of each write once the fsync failed

    def flaky_sync(self: FileDirectory, name: str) -> None:
        if name == "s000001.post" and not failed:
            failed.append(name)
            raise OSError(errno.EIO, "Input/output error (simulated)")
        real_sync(self, name)

    real_write = FileDirectory.write

    def logged_write(self: FileDirectory, name: str, chunks: object) -> int:
        if failed:
            written.append((name, threading.current_thread().name))
        return real_write(self, name, chunks)  # type: ignore[arg-type]

    monkeypatch.setattr(FileDirectory, "sync_file", flaky_sync)
    monkeypatch.setattr(FileDirectory, "write", logged_write)
    directory = FileDirectory(tmp_path, create=True)
    with IndexWriter(directory) as w:
        _first_commit_fails(w, 5, errno.EIO)
        assert failed == ["s000001.post"]
        assert latest_generation(directory) == 0  # nothing published
        assert w.commit() == 1
    main = threading.main_thread().name
    rewritten = sorted(name for name, thread in written if name.startswith("s000001."))
    assert rewritten == [
        f"s000001.{ext}" for ext in ("cols", "len", "pos", "post", "store", "terms")
    ]
    assert {thread for name, thread in written if name.startswith("s000001.")} == {main}
    assert check_index(FileDirectory(tmp_path))["docs"] == 5
    assert _files_but_links(tmp_path) == read_manifest(FileDirectory(tmp_path)).files()


def test_a_failed_store_write_in_the_thread_fails_the_commit_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thread's write of the .store fails (a full disk): the commit raises that error,
    publishes nothing, and the next commit, once the disk has room, names a whole segment."""
    real = writer_module.write_store
    calls: list[str] = []

    def full(*args: object, **kwargs: object) -> int:
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer_module, "write_store", full)
    directory = FileDirectory(tmp_path, create=True)
    with IndexWriter(directory) as w:
        _first_commit_fails(w, 4, errno.ENOSPC)
        assert latest_generation(directory) == 0
        assert not directory.exists("s000001.store")
        assert w.commit() == 1
    assert calls[0] != threading.main_thread().name
    assert check_index(FileDirectory(tmp_path))["docs"] == 4


def _big(i: int) -> Brief:
    """A brief of 10,000 characters: a few dozen fill the smallest budget's buffer."""
    return Brief(id=f"d{i}", lang="en", title=f"t{i}", body=(f"{i} " + "word " * 2000,), source="x")


def test_one_segment_at_most_is_in_flight_on_a_slow_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk is slower than indexing (30 ms an fsync): each flush waits for the segment
    before it, so when a segment is flushed, every earlier one's store is written and its
    data let go. (A queue of jobs let 153 stores pile up, 58 MB of stored documents held at a
    budget of 16 MB.)"""
    from searchlib.index.budget import MIN_MEMORY_MB

    real_sync = FileDirectory.sync_file

    def slow_sync(self: FileDirectory, name: str) -> None:
        threading.Event().wait(0.03)  # a slow disk, not a timed assertion
        real_sync(self, name)

    monkeypatch.setattr(FileDirectory, "sync_file", slow_sync)
    flushed: list[str] = []
    behind: list[list[str]] = []  # at each flush, the earlier segments without their store

    def on_flush(name: str, data: SegmentData) -> None:
        behind.append([n for n in flushed if not (tmp_path / f"{n}.store").exists()])
        flushed.append(name)

    with IndexWriter(FileDirectory(tmp_path, create=True), memory_mb=MIN_MEMORY_MB) as w:
        w.on_flush = on_flush
        for i in range(250):
            w.add(_big(i))
    assert len(flushed) >= 5
    assert behind == [[]] * len(flushed)
    assert check_index(FileDirectory(tmp_path))["docs"] == 250


def test_the_segment_in_flight_counts_against_the_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the thread holds a flushed segment's data, add() waits for it before the buffer
    grows past what the budget's share leaves (not at the next flush), and the segments are
    cut where they are without a thread (a writer in memory)."""
    from searchlib.index.budget import MIN_MEMORY_MB
    from searchlib.storage import MemoryDirectory

    started, release = _gate_store(monkeypatch)
    flushed: list[str] = []
    waits: list[tuple[int, int]] = []  # (segments flushed, documents buffered) at each wait
    real_finish = writer_module._Writing.finish

    def finish(self: writer_module._Writing) -> object:
        waits.append((len(flushed), len(w._builder)))
        release.set()
        return real_finish(self)

    monkeypatch.setattr(writer_module._Writing, "finish", finish)
    w = IndexWriter(FileDirectory(tmp_path, create=True), memory_mb=MIN_MEMORY_MB)
    w.on_flush = lambda name, data: flushed.append(name)
    n = 0
    while not flushed:
        w.add(_big(n))
        n += 1
    while not waits:
        w.add(_big(n))
        n += 1
    assert waits[0][0] == 1  # the first segment's thread, waited for by add()
    for i in range(n, 200):
        w.add(_big(i))
    w.commit(merge=False)
    w.close()
    memory = IndexWriter(MemoryDirectory(), memory_mb=MIN_MEMORY_MB)
    for i in range(200):
        memory.add(_big(i))
    memory.commit(merge=False)
    sizes = [s.docs for s in read_manifest(FileDirectory(tmp_path)).segments]
    assert len(sizes) > 3 and sizes == [s.docs for s in memory.reader.manifest.segments]
    assert 0 < waits[0][1] < sizes[1]  # the buffer short of a segment when add() waited


def test_every_file_is_fsynced_before_the_manifest_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fsyncs the thread does for the flush come before the rename that publishes the
    manifest naming the files (seen from os.fsync and os.replace themselves)."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc/self/fd to name an fsynced descriptor")
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        real_fsync(fd)
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}").rsplit("/", 1)[-1]))

    def replace(src: object, dst: object, **kwargs: object) -> None:
        real_replace(src, dst, **kwargs)  # type: ignore[arg-type]
        events.append(("replace", str(dst)))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    with IndexWriter(FileDirectory(tmp_path, create=True)) as w:
        for i in range(6):
            w.add(brief(i))
        w.flush()
        for i in range(6, 9):
            w.add(brief(i))
        w.commit(merge=False)
    published = events.index(("replace", "manifest_00000001"))
    synced = {name for kind, name in events[:published] if kind == "fsync"}
    named = read_manifest(FileDirectory(tmp_path)).files() - {"manifest_00000001"}
    assert len(named) == 12 and named <= synced


def _gate_store(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """The flush thread's write of the .store waits for ``release`` (``started`` once it is
    in it)."""
    started, release = threading.Event(), threading.Event()
    real = writer_module.write_store

    def gated(*args: object, **kwargs: object) -> int:
        started.set()
        release.wait()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer_module, "write_store", gated)
    return started, release


def _flush_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("searchlib s")]


def test_close_waits_for_the_segment_in_flight_and_names_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """close() while the thread writes a flushed segment: it waits for the thread, then lets
    go of the lock; nothing was committed, and the next writer removes the files."""
    started, release = _gate_store(monkeypatch)
    w = IndexWriter(FileDirectory(tmp_path, create=True))
    for i in range(5):
        w.add(brief(i))
    w.flush()
    started.wait()
    assert _flush_threads()
    release.set()
    w.close()
    assert not _flush_threads()
    assert (tmp_path / "s000001.store").exists()  # written whole: the folder was still open
    with IndexWriter(FileDirectory(tmp_path), lock_timeout=0) as again:
        assert again.reader.doc_count == 0
    assert not any(p.name.startswith("s000001") for p in tmp_path.iterdir())


def test_on_flush_raising_after_the_thread_started_loses_nothing(tmp_path: Path) -> None:
    """on_flush fails once the segment's thread runs: flush raises that error; the thread is
    waited for, its segment never named, and the documents go into the next commit."""
    calls: list[str] = []

    def on_flush(name: str, data: SegmentData) -> None:
        calls.append(name)
        if len(calls) == 1:
            raise ValueError("twin hints failed")

    with IndexWriter(FileDirectory(tmp_path, create=True)) as w:
        w.on_flush = on_flush
        for i in range(5):
            w.add(brief(i))
        with pytest.raises(ValueError, match="twin hints failed"):
            w.flush()
        assert not _flush_threads()
        w.add(brief(5))
        assert w.commit() == 1
    assert calls == ["s000001", "s000002"]
    reader = IndexReader.open(FileDirectory(tmp_path))
    assert sorted(d["id"] for d in reader.iter_documents()) == [f"en-{i}" for i in range(6)]
    assert _files_but_links(tmp_path) == read_manifest(FileDirectory(tmp_path)).files()


def test_a_writer_dropped_without_close_leaves_no_thread(tmp_path: Path) -> None:
    """The thread ends with its segment: a writer dropped without close() (never committed)
    leaves no thread waiting for work."""
    before = set(threading.enumerate())
    w = IndexWriter(FileDirectory(tmp_path, create=True))
    for i in range(5):
        w.add(brief(i))
    w.flush()
    del w
    gc.collect()
    left = [t for t in threading.enumerate() if t not in before]
    for t in left:
        t.join(timeout=20)  # a guard against hanging the run: it ends at once
    assert not [t for t in left if t.is_alive()]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_while_the_thread_writes_does_not_wait_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forked while the thread writes a segment (a thread that does not run in the child),
    the child does not wait for it forever: its commit writes the segment itself (the same
    bytes, into the same folder here). The parent's thread goes on, and the parent commits."""
    import signal
    import warnings

    started, release = _gate_store(monkeypatch)
    w = IndexWriter(FileDirectory(tmp_path, create=True))
    for i in range(5):
        w.add(brief(i))
    w.flush()
    started.wait()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12)
        pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            signal.alarm(60)  # blocked forever: killed
            code = 0 if w.commit(merge=False) == 1 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    release.set()
    assert os.waitstatus_to_exitcode(status) == 0
    assert w.commit() == 1
    w.close()
    assert check_index(FileDirectory(tmp_path))["docs"] == 5


@pytest.mark.skipif(sys.platform == "win32", reason="bulk workers fork")
def test_bulk_waits_for_the_writers_flush_thread_before_it_forks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bulk_index forks its workers once the segment the writer flushed before is written
    (a child forked meanwhile would copy its data and a write half done)."""
    import searchlib.bulk as bulk

    started, release = _gate_store(monkeypatch)
    real_run = bulk._run
    in_flight: list[bool] = []

    def run(*args: object, **kwargs: object) -> None:
        in_flight.append(any(t.is_alive() for t in _flush_threads()))
        real_run(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_run", run)
    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        "".join(
            f'{{"id": "j{i}", "lang": "en", "title": "t {i}", "body": "cartel border {i}"}}\n'
            for i in range(40)
        ),
        "utf-8",
    )
    w = IndexWriter(FileDirectory(tmp_path / "idx", create=True))
    for i in range(5):
        w.add(brief(i))
    w.flush()
    started.wait()
    threading.Timer(0.2, release.set).start()  # (the wait ends once the thread can write)
    bulk.bulk_index(w, tmp_path / "idx", [docs], workers=2, chunk_bytes=500)
    assert in_flight == [False]
    assert w.commit() >= 1
    w.close()
    assert check_index(FileDirectory(tmp_path / "idx"))["docs"] == 45


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bulk_run_whose_fsync_failed_leaves_nothing_to_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A bulk worker's fsync fails after the writer adopted its segment: bulk_index raises,
    and the writer is closed (its uncommitted segments discarded), so no later commit of it
    names a file whose fsync failed; the index is as it was, and opens again."""
    import searchlib
    import searchlib.bulk as bulk
    from searchlib.errors import IndexStateError

    real = FileDirectory.sync_file
    calls: list[str] = []

    def flaky(self: FileDirectory, name: str) -> None:
        calls.append(name)
        if len(calls) == 1:
            raise OSError(errno.EIO, "Input/output error (simulated)")
        real(self, name)

    docs = tmp_path / "docs.jsonl"
    docs.write_text(
        "".join(
            f'{{"id": "j{i}", "lang": "en", "title": "t {i}", "body": "cartel border {i}"}}\n'
            for i in range(40)
        ),
        "utf-8",
    )
    index = searchlib.create_index(tmp_path / "idx")
    monkeypatch.setattr(FileDirectory, "sync_file", flaky)
    with pytest.raises(OSError, match="Input/output error"):
        bulk.bulk_index(index.writer, tmp_path / "idx", [docs], workers=workers, chunk_bytes=300)
    monkeypatch.undo()
    with pytest.raises(IndexStateError, match="closed by a failure.*Input/output error"):
        index.commit()
    index.close()
    assert latest_generation(FileDirectory(tmp_path / "idx")) == 0
    with searchlib.open_index(tmp_path / "idx") as again:
        assert len(again) == 0
