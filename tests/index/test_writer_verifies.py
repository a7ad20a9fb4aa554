"""A writer verifies every file it commits on top of or names, the stored fields included (a
program's searches verify those only when they first read them): a damaged .store, or one of a
newer format, fails the write before anything is published, and a step that fails after a
publish (the twin links) is an AfterCommitError, as the commit's contract says."""

from __future__ import annotations

import errno
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from commands import searchlib_cli
from index_helpers import brief
from shared_paths import SAMPLE_ID, SEEDS

import searchlib
from searchlib.errors import AfterCommitError, CorruptIndexError, IndexFormatTooNewError
from searchlib.index import IndexWriter
from searchlib.index.builder import SegmentBuilder
from searchlib.index.documents import to_index_doc
from searchlib.index.manifest import latest_generation
from searchlib.index.segment import VERSIONS, write_segment
from searchlib.storage import FileDirectory, decode_array_file, encode_array_file


def _damage(path: Path) -> None:
    """Flip a bit in the middle of the file (its checksum no longer matches)."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of the index but its lock, with its bytes."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "write.lock"}


def _records(folder: Path, n: int = 5) -> Path:
    src = folder / "src"
    src.mkdir()
    lines = [
        {"id": f"new-{i}", "lang": "en", "title": f"Coca report {i}", "body": f"coca cartel {i}"}
        for i in range(n)
    ]
    (src / "new.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines), "utf-8")
    return src


@pytest.fixture
def seeds_index(tmp_path: Path) -> Path:
    index = tmp_path / "idx"
    proc = searchlib_cli("index", str(SEEDS), "--index", str(index), "--quiet", "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    return index


@pytest.mark.parametrize(
    "command",
    [
        ["index", "SRC", "--quiet", "--workers", "1"],
        ["index", "SRC", "--quiet", "--workers", "2"],
        ["delete", SAMPLE_ID],
    ],
    ids=["index", "index-workers-2", "delete"],
)
def test_a_write_on_a_damaged_store_publishes_nothing(
    seeds_index: Path, tmp_path: Path, command: list[str]
) -> None:
    """`searchlib index` and `delete` on an index whose .store is damaged exit 3 naming the
    file, and the index is as it was: no new manifest, no file written or removed."""
    store = sorted(seeds_index.glob("*.store"))[0]
    _damage(store)
    before = _files(seeds_index)
    generation = latest_generation(FileDirectory(seeds_index))
    src = str(_records(tmp_path))
    args = [src if a == "SRC" else a for a in command]
    proc = searchlib_cli(*args, "--index", str(seeds_index))
    assert proc.returncode == 3, proc.stderr
    assert f"{store}: checksum mismatch" in proc.stderr
    assert latest_generation(FileDirectory(seeds_index)) == generation
    assert _files(seeds_index) == before


def _newer_store(index: Path) -> Path:
    """Rewrite a .store as a newer searchlib would: the next version, a valid checksum."""
    store = sorted(index.glob("*.store"))[0]
    old = decode_array_file(store.read_bytes(), str(store), "segment-store", 1, VERSIONS["store"])
    arrays = {k: np.array(v) for k, v in old.arrays.items()}
    newer = encode_array_file("segment-store", VERSIONS["store"] + 1, arrays, old.meta)
    store.write_bytes(b"".join(newer))
    return store


def test_a_store_of_a_newer_version_is_refused_before_anything_is_written(
    seeds_index: Path, tmp_path: Path
) -> None:
    """An older searchlib does not commit into an index a newer one wrote: the writer is
    refused when it opens (IndexFormatTooNewError naming the file), the command exits 3."""
    store = _newer_store(seeds_index)
    before = _files(seeds_index)
    with pytest.raises(IndexFormatTooNewError, match=store.name):
        IndexWriter(FileDirectory(seeds_index))
    proc = searchlib_cli(
        "index", str(_records(tmp_path)), "--index", str(seeds_index), "--quiet", "--workers", "1"
    )
    assert proc.returncode == 3
    assert f"index file {store} was written by a newer searchlib" in proc.stderr
    assert _files(seeds_index) == before
    with pytest.raises(IndexFormatTooNewError):  # (not LockError: the refused writer let go)
        IndexWriter(FileDirectory(seeds_index), lock_timeout=0)


def test_a_segment_damaged_before_the_writer_adopts_it_is_not_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulk worker's segment whose .store is damaged on disk before the writer adopts it:
    the run fails with CorruptIndexError naming the file, and nothing is published."""
    from searchlib import bulk

    write = bulk.write_segment

    def write_and_damage(directory: FileDirectory, name: str, data: Any, **kw: Any) -> Any:
        entry = write(directory, name, data, **kw)
        _damage(directory.path / f"{name}.store")
        return entry

    monkeypatch.setattr(bulk, "write_segment", write_and_damage)
    src = _records(tmp_path)
    folder = tmp_path / "idx"
    index = searchlib.create_index(folder)
    try:
        with pytest.raises(CorruptIndexError, match=r"s\d+\.store: checksum mismatch"):
            searchlib.index_paths(index, [src], workers=2)
    finally:
        index.close()
    assert latest_generation(FileDirectory(folder)) == 0


def test_add_segment_with_a_damaged_store_fails_the_commit(tmp_path: Path) -> None:
    directory = FileDirectory(tmp_path, create=True)
    writer = IndexWriter(directory)
    try:
        builder = SegmentBuilder()
        for i in range(4):
            builder.add(to_index_doc(brief(i)))
        [name] = writer.reserve_segment_names(1)
        data = builder.finish()
        entry = write_segment(directory, name, data)
        _damage(tmp_path / f"{name}.store")
        writer.add_segment(entry, data.ids)
        with pytest.raises(CorruptIndexError, match=rf"{name}\.store: checksum mismatch"):
            writer.commit()
        assert latest_generation(directory) == 0
    finally:
        writer.close()


def test_a_flushed_segment_damaged_before_the_commit_is_not_published(tmp_path: Path) -> None:
    directory = FileDirectory(tmp_path, create=True)
    writer = IndexWriter(directory)
    try:
        writer.add(brief(1))
        writer.flush()
        writer.wait_for_flushes()
        [store] = tmp_path.glob("*.store")
        _damage(store)
        with pytest.raises(CorruptIndexError, match=rf"{store.name}: checksum mismatch"):
            writer.commit()
        assert latest_generation(directory) == 0
    finally:
        writer.close()


def test_a_merged_segment_that_does_not_verify_is_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge after a commit writes a segment whose .store is then damaged: the commit
    stands (AfterCommitError of step "merge"), the merge is not published."""
    from searchlib.index import writer as writer_module

    write = writer_module.write_segment

    def write_and_damage(directory: FileDirectory, name: str, data: Any, **kw: Any) -> Any:
        entry = write(directory, name, data, **kw)
        if kw.get("store", True):  # (a flush writes its store in a thread: not damaged)
            _damage(directory.path / f"{name}.store")
        return entry

    directory = FileDirectory(tmp_path, create=True)
    with IndexWriter(directory, merge_factor=2) as writer:
        writer.add(brief(1))
        assert writer.commit() == 1
        monkeypatch.setattr(writer_module, "write_segment", write_and_damage)
        writer.add(brief(2))
        with pytest.raises(AfterCommitError) as info:
            writer.commit()
        assert (info.value.generation, info.value.step) == (2, "merge")
        cause = info.value.__cause__
        assert isinstance(cause, CorruptIndexError) and "checksum mismatch" in str(cause)
        assert latest_generation(directory) == 2
        monkeypatch.undo()
    with searchlib.open_index(tmp_path) as index:
        assert sorted(h.id for h in index.search("*", limit=10)) == ["en-1", "en-2"]


@pytest.fixture
def no_space_for_links(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Saving twin links fails as on a full disk (every other file is written)."""
    write_atomic = FileDirectory.write_atomic

    def refuse_links(self: FileDirectory, name: str, chunks: Any) -> int:
        if name.startswith("twins_"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return write_atomic(self, name, chunks)

    monkeypatch.setattr(FileDirectory, "write_atomic", refuse_links)
    yield


def _after_links(info: pytest.ExceptionInfo[AfterCommitError], folder: Path) -> None:
    assert info.value.step == "twin links"
    assert info.value.generation == latest_generation(FileDirectory(folder))
    assert isinstance(info.value.__cause__, OSError)


@pytest.mark.usefixtures("no_space_for_links")
def test_twin_links_failing_after_a_commit_is_an_after_commit_error(tmp_path: Path) -> None:
    """Index.commit, Index.optimize and a bulk run publish, then save the twin links: the
    links failing is an AfterCommitError of the published generation, not a plain error
    (which would say that nothing was published)."""
    folder = tmp_path / "idx"
    index = searchlib.create_index(folder)
    index.add(brief(1))
    with pytest.raises(AfterCommitError) as info:
        index.commit(merge=False)
    _after_links(info, folder)
    assert info.value.generation == 1
    index.add(brief(2, "es"))
    with pytest.raises(AfterCommitError):
        index.commit(merge=False)
    with pytest.raises(AfterCommitError) as info:
        index.optimize()
    _after_links(info, folder)
    assert info.value.generation == 3
    with pytest.raises(AfterCommitError) as info:
        searchlib.index_paths(index, [_records(tmp_path)], workers=2)
    _after_links(info, folder)
    index.close()
    with searchlib.open_index(folder) as again:
        assert again.reader.doc_count == 7
