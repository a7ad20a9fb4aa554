"""The one-process writer's flush thread (IndexWriter.flush, _Writing): a segment's stored
fields are compressed and written, and its files fsynced, by a thread while indexing goes on.
What a failure there does to the commits, what is in flight at once, and what the thread does
at close, at an error of on_flush, when the writer is dropped, and across a fork."""

from __future__ import annotations

import errno
import threading
from pathlib import Path

import pytest
from index_helpers import brief

from searchlib.index import IndexWriter
from searchlib.index import writer as writer_module
from searchlib.index.check import check_index
from searchlib.index.manifest import latest_generation, read_manifest
from searchlib.storage import FileDirectory


def _own_files(path: Path) -> set[str]:
    return {p.name for p in path.iterdir() if p.name != "write.lock"}


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
        for i in range(5):
            w.add(brief(i))
        with pytest.raises(OSError) as info:
            w.commit()
        assert info.value.errno == errno.EIO
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
    assert _own_files(tmp_path) - {n for n in _own_files(tmp_path) if n.startswith("twins_")} == (
        read_manifest(FileDirectory(tmp_path)).files()
    )


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
        for i in range(4):
            w.add(brief(i))
        with pytest.raises(OSError) as info:
            w.commit()
        assert info.value.errno == errno.ENOSPC
        assert latest_generation(directory) == 0
        assert not directory.exists("s000001.store")
        assert w.commit() == 1
    assert calls[0] != threading.main_thread().name
    assert check_index(FileDirectory(tmp_path))["docs"] == 4
