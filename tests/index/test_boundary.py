"""The index folder is a boundary: nothing in it makes the library read or write outside it,
block, or allocate what the files cannot hold."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tracemalloc
import zlib
from pathlib import Path

import pytest
from index_helpers import brief

import searchlib
from searchlib.errors import CorruptIndexError, LockError
from searchlib.index import IndexWriter
from searchlib.index.check import check_index
from searchlib.index.manifest import VERSION as MANIFEST_VERSION
from searchlib.index.manifest import read_manifest
from searchlib.storage import FileDirectory, decode_array_file, encode_array_file
from searchlib.storage.codec import FOOTER_MAGIC, MAGIC

REPO = Path(__file__).resolve().parents[2]


def build(path: Path, n: int = 6, deletes: bool = True) -> None:
    with searchlib.create_index(path) as index:
        for i in range(n):
            index.add(brief(i))
        index.commit(merge=False)
        if deletes:
            index.delete("en-0")
            index.commit(merge=False)


def outside_file(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    return victim


# -- writes never follow links ------------------------------------------------------------------


def test_write_lock_symlink_is_refused_not_truncated(tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    build(idx)
    victim = outside_file(tmp_path)
    (idx / "write.lock").unlink()
    (idx / "write.lock").symlink_to(victim)
    with pytest.raises(LockError, match="symbolic link"):
        IndexWriter(FileDirectory(idx))
    assert victim.read_text() == "precious\n"


def test_write_lock_hard_link_is_refused(tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    build(idx)
    victim = outside_file(tmp_path)
    (idx / "write.lock").unlink()
    os.link(victim, idx / "write.lock")
    with pytest.raises(LockError, match="not a plain file"):
        IndexWriter(FileDirectory(idx))
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize(
    "planted", ["s000002.terms", "s000002.store", ".manifest_00000003.tmp", "s000001_00000003.del"]
)
def test_links_named_like_the_next_files_are_replaced_not_written_through(
    tmp_path: Path, planted: str
) -> None:
    idx = tmp_path / "idx"
    build(idx)
    victim = outside_file(tmp_path)
    (idx / planted).symlink_to(victim)
    with searchlib.open_index(idx) as index:
        index.add(brief(10))
        index.delete("en-1")
        index.commit(merge=False)
    assert victim.read_text() == "precious\n"
    assert not any(p.is_symlink() for p in idx.iterdir())
    assert check_index(FileDirectory(idx))["docs"] == 5


def test_links_are_not_read(tmp_path: Path) -> None:
    """A segment file replaced by a link (even to a copy of itself) is not followed."""
    idx = tmp_path / "idx"
    build(idx)
    copy = tmp_path / "copy.post"
    copy.write_bytes((idx / "s000001.post").read_bytes())
    (idx / "s000001.post").unlink()
    (idx / "s000001.post").symlink_to(copy)
    with pytest.raises(CorruptIndexError, match="s000001.post.*symbolic link"):
        searchlib.open_index(idx)


# -- names in a manifest ------------------------------------------------------------------------


def rewrite_manifest(idx: Path, change: dict[str, object]) -> None:
    """The manifest with its first segment entry's JSON changed (a hostile manifest: the
    entries are written as JSON, never checked on the way out)."""
    directory = FileDirectory(idx)
    m = read_manifest(directory)
    seg = m.segments[0].to_json() | change
    rest = [s.to_json() for s in m.segments[1:]]
    meta = {"generation": m.generation, "segments": [seg, *rest], "next_segment": m.next_segment}
    directory.write_atomic(m.name, encode_array_file("manifest", MANIFEST_VERSION, {}, meta))


def test_segment_names_from_the_manifest_are_not_paths(tmp_path: Path) -> None:
    """``../../outside/seg/x`` read a whole segment outside the folder (a copy of a real one
    here, so only the name can stop it), and a delete + commit then wrote outside."""
    idx = tmp_path / "a" / "idx"
    build(idx, deletes=False)
    outside = tmp_path / "outside" / "seg"
    outside.mkdir(parents=True)
    for p in idx.glob("s000001.*"):
        (outside / ("x" + p.suffix)).write_bytes(p.read_bytes())
    name = "../../outside/seg/x"
    files = {f"{name}.{ext}": 1 for ext in ("terms", "post", "pos", "len", "cols", "store")}
    rewrite_manifest(idx, {"name": name, "files": files})
    with pytest.raises(CorruptIndexError, match="not a segment name"):
        searchlib.open_index(idx)
    with pytest.raises(CorruptIndexError):
        check_index(FileDirectory(idx))
    with pytest.raises(CorruptIndexError):
        IndexWriter(FileDirectory(idx))
    exts = ("cols", "len", "pos", "post", "store", "terms")
    assert sorted(p.name for p in outside.iterdir()) == [f"x.{e}" for e in exts]


@pytest.mark.parametrize(
    "change",
    [
        {"deletes": "../victim.txt"},
        {"deletes": "s000009_00000002.del"},
        {"files": {"s000001.terms": 1, "../s000001.post": 1}},
        {"files": {"s000001.terms": 1}},
        {"docs": -1},
        {"docs": "6"},
        {"name": "s000001/.."},
    ],
)
def test_manifest_entries_must_be_the_formats_own(
    tmp_path: Path, change: dict[str, object]
) -> None:
    idx = tmp_path / "idx"
    build(idx)
    rewrite_manifest(idx, change)
    with pytest.raises(CorruptIndexError, match="malformed manifest"):
        searchlib.open_index(idx)


# -- files that are not files, counts that are not sizes ----------------------------------------

FIFO_CHECK = """
import sys
from searchlib.errors import CorruptIndexError
from searchlib.index.check import check_index
from searchlib.storage import FileDirectory
try:
    check_index(FileDirectory(sys.argv[1]))
except CorruptIndexError as exc:
    print("corrupt:", exc)
"""


def test_a_fifo_in_place_of_a_file_does_not_block(tmp_path: Path) -> None:
    idx = tmp_path / "idx"
    build(idx)
    (idx / "s000001.post").unlink()
    os.mkfifo(idx / "s000001.post")
    out = subprocess.run(
        [sys.executable, "-c", FIFO_CHECK, str(idx)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert "corrupt:" in out.stdout and "not a regular file" in out.stdout, out.stderr


@pytest.mark.parametrize("docs", [10**9, 10**12, 7])
def test_document_counts_are_checked_before_allocating(tmp_path: Path, docs: int) -> None:
    """docs=10**9 with a deletions file took 1.95 GB and 7 s before CorruptIndexError."""
    idx = tmp_path / "idx"
    build(idx)
    rewrite_manifest(idx, {"docs": docs})
    tracemalloc.start()
    try:
        with pytest.raises(CorruptIndexError, match="doc count|lengths for"):
            searchlib.open_index(idx)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def raw_file(name: str, toc: bytes, body: bytes = b"", toc_len: int | None = None) -> bytes:
    name_b = name.encode()
    n = len(toc) if toc_len is None else toc_len
    data = MAGIC + struct.pack("<HH", 1, len(name_b)) + name_b + struct.pack("<I", n) + toc
    data += body
    return data + FOOTER_MAGIC + struct.pack("<I", zlib.crc32(data))


@pytest.mark.parametrize(
    "toc",
    [
        b'{"meta":{},"arrays":[["bits","|u1",8,-1]]}',
        b'{"meta":{},"arrays":[["bits","|u1",-8,4]]}',
        b'{"meta":{},"arrays":[["bits","|u1",8,1e3]]}',
        b'{"meta":{},"arrays":[["bits","|u1",true,1]]}',
        b'{"meta":{},"arrays":[["bits","|O",8,1]]}',
        b'{"meta":{},"arrays":{"bits":1}}',
        b'{"meta":[],"arrays":[]}',
        b"[]",
        b'{"meta":' + b"[" * 5000 + b"]" * 5000 + b',"arrays":[]}',
    ],
    ids=[
        "negative-count",
        "negative-offset",
        "float-count",
        "bool-offset",
        "object-dtype",
        "arrays-not-list",
        "meta-not-object",
        "toc-not-object",
        "deep-nesting",
    ],
)
def test_hostile_tables_of_contents_are_corrupt(toc: bytes) -> None:
    data = raw_file("deletes", toc, b"\0" * 64)
    with pytest.raises(CorruptIndexError):
        decode_array_file(data, "f.del", "deletes", 1, 1)


def test_a_table_of_contents_longer_than_the_file_is_corrupt() -> None:
    data = raw_file("deletes", b'{"meta":{},"arrays":[]}', toc_len=2**32 - 1)
    with pytest.raises(CorruptIndexError, match="past the end"):
        decode_array_file(data, "f.del", "deletes", 1, 1)
