"""Crash safety, corruption detection and the single-writer lock, with real processes."""

from __future__ import annotations

import gc
import json
import random
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import numpy as np
import pytest
from index_helpers import brief

import searchlib
from searchlib.errors import CorruptIndexError, LockError
from searchlib.index import IndexReader, IndexWriter
from searchlib.index.check import check_index
from searchlib.index.segment import VERSIONS
from searchlib.storage import FileDirectory, decode_array_file, encode_array_file

REPO = Path(__file__).resolve().parents[2]


def build(path: Path, n: int = 30) -> None:
    with searchlib.create_index(path) as index:
        for i in range(n):
            index.add(brief(i, "en" if i % 2 else "es"))
        index.commit(merge=False)
        for i in range(0, n, 5):
            index.delete(f"{'en' if i % 2 else 'es'}-{i}")
        index.commit(merge=False)


def test_check_names_each_damaged_file(tmp_path: Path) -> None:
    """A flipped byte in any file of any type makes check raise CorruptIndexError naming it."""
    build(tmp_path)
    check_index(FileDirectory(tmp_path))
    # twins_<generation> is a cache of the search layer, computed again when damaged
    # (tests/search/test_twins.py).
    files = sorted(
        p.name
        for p in tmp_path.iterdir()
        if p.name != "write.lock" and not p.name.startswith("twins_")
    )
    kinds = {name.rsplit(".", 1)[-1] if "." in name else "manifest" for name in files}
    assert kinds == {"terms", "post", "pos", "len", "cols", "store", "del", "manifest"}
    rng = random.Random(7)
    for name in files:
        path = tmp_path / name
        original = path.read_bytes()
        data = bytearray(original)
        data[rng.randrange(len(data))] ^= 0x10
        path.write_bytes(bytes(data))
        try:
            with pytest.raises(CorruptIndexError) as info:
                check_index(FileDirectory(tmp_path))
            assert name in str(info.value)
            with pytest.raises(CorruptIndexError, match=name):
                searchlib.open_index(tmp_path).search("coca")
        finally:
            path.write_bytes(original)


def test_damaged_stored_fields_are_found_when_read(tmp_path: Path) -> None:
    """A segment's stored fields are verified when first read, not when it opens: a search
    that shows no document (snippets=False: hits from the columns) reads none of them; the
    first read of a stored document (snippets, get) raises CorruptIndexError naming the file,
    as check does."""
    build(tmp_path)
    store = next(p for p in tmp_path.iterdir() if p.suffix == ".store")
    data = bytearray(store.read_bytes())
    data[len(data) // 2] ^= 0x10
    store.write_bytes(bytes(data))
    index = searchlib.open_index(tmp_path)
    assert index.search("coca", snippets=False).total > 0
    with pytest.raises(CorruptIndexError, match=store.name):
        index.search("coca")
    ids = [h.id for h in index.search("coca", 30, snippets=False).hits]
    with pytest.raises(CorruptIndexError, match=f"{store.name}.*checksum mismatch"):
        for doc_id in ids:
            index.get(doc_id)
    with pytest.raises(CorruptIndexError, match=store.name):
        check_index(FileDirectory(tmp_path))


def test_a_dropped_segment_reader_lets_its_files_go_without_the_collector(tmp_path: Path) -> None:
    """A segment reader whose stored fields were read holds no reference cycle: dropping the
    last reference unmaps its files at once (a server's searches, with merges, would else
    keep every dropped segment's files mapped until a full collection)."""
    build(tmp_path)
    gc.collect()  # (what building left behind)
    maps = Path("/proc/self/maps")

    def mapped() -> list[str]:
        return [line for line in maps.read_text().splitlines() if str(tmp_path) in line]

    gc.disable()
    try:
        reader = IndexReader.open(FileDirectory(tmp_path))
        seg = reader.segments[0]
        assert seg.stored(0)["id"] == seg.ids[0]  # the stored fields' file decoded and kept
        assert not maps.exists() or any(line.endswith(".store") for line in mapped())
        gone = weakref.ref(seg)
        del seg, reader
        assert gone() is None
        assert not maps.exists() or mapped() == []
    finally:
        gc.enable()


def test_an_id_table_whose_offsets_do_not_ascend_is_corrupt(tmp_path: Path) -> None:
    """Hits' ids are read one at a time through the id table's offsets: offsets that do not
    ascend (re-encoded with a valid checksum) are refused when the segment opens, naming the
    .cols file, never read as wrong ids."""
    build(tmp_path)
    cols = sorted(tmp_path.glob("*.cols"))[0]
    old = decode_array_file(cols.read_bytes(), str(cols), "segment-cols", 1, VERSIONS["cols"])
    assert old.version >= 2
    arrays = {k: np.array(v) for k, v in old.arrays.items()}
    off = arrays["ids_off"]
    off[1], off[2] = off[2], off[1]  # the ids of documents 0 and 1: "es-0" "en-1"
    assert int(off[1]) > int(off[2])
    cols.write_bytes(b"".join(encode_array_file("segment-cols", old.version, arrays, old.meta)))
    with pytest.raises(CorruptIndexError, match=f"{cols.name}: ids: offsets do not cover"):
        searchlib.open_index(tmp_path).search("coca")
    with pytest.raises(CorruptIndexError, match=f"{cols.name}: ids: offsets do not cover"):
        check_index(FileDirectory(tmp_path))


def test_cli_check_exit_3_names_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from searchlib.cli import main

    build(tmp_path)
    target = next(p for p in tmp_path.iterdir() if p.suffix == ".post")
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 1
    target.write_bytes(bytes(data))
    assert main(["check", "--index", str(tmp_path)]) == 3
    assert target.name in capsys.readouterr().err


HOLD = """
import sys, time
from searchlib.index import IndexWriter
from searchlib.storage import FileDirectory
w = IndexWriter(FileDirectory(sys.argv[1]))
print("locked", flush=True)
time.sleep(60)
"""


def test_second_writer_gets_lock_error_while_reads_work(tmp_path: Path) -> None:
    build(tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        with pytest.raises(LockError, match=f"locked by another writer \\(pid {child.pid}\\)"):
            IndexWriter(FileDirectory(tmp_path), lock_timeout=0.5)
        assert time.monotonic() - t0 >= 0.45
        assert searchlib.open_index(tmp_path).search("coca").total > 0  # readers need no lock
        child.send_signal(signal.SIGKILL)  # a writer killed while holding the lock
        child.wait()
        with IndexWriter(FileDirectory(tmp_path), lock_timeout=2) as w:  # stale lock taken over
            w.add(brief(99))
        assert "en-99" in searchlib.open_index(tmp_path)
    finally:
        child.kill()
        child.wait()
        if child.stdout:
            child.stdout.close()


def test_an_index_dropped_without_close_releases_its_lock_at_once(tmp_path: Path) -> None:
    """The writer does not hold its Index (no reference cycle): dropping the last reference
    releases the lock without waiting for the garbage collector."""
    gc.disable()
    try:
        for n in range(2):
            index = searchlib.create_index(tmp_path) if n == 0 else searchlib.open_index(tmp_path)
            index.lock_timeout = 0
            index.add(brief(n))
            index.commit()
            del index  # no close(): the next writer must get the lock now
        assert searchlib.open_index(tmp_path).search("*").total == 2
    finally:
        gc.enable()


def test_cli_lock_error_exits_3(tmp_path: Path) -> None:
    build(tmp_path)
    src = tmp_path.parent / "one.jsonl"
    src.write_text(json.dumps({"id": "z", "lang": "en", "title": "t", "body": "coca"}) + "\n")
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "searchlib",
                "index",
                str(src),
                "--index",
                str(tmp_path),
                "--lock-timeout",
                "0.2",
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        assert out.returncode == 3
        assert (
            f"locked by another writer (pid {child.pid})" in out.stderr
            and "Traceback" not in out.stderr
        )
    finally:
        child.kill()
        child.wait()
        if child.stdout:
            child.stdout.close()


def write_corpus(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            b = brief(i, "en" if i % 2 else "es", words=40)
            f.write(
                json.dumps({"id": b.id, "lang": b.lang, "title": b.title, "body": b.body[0]}) + "\n"
            )


@pytest.mark.heavy
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_leaves_a_whole_number_of_commits(tmp_path: Path, seed: int) -> None:
    """kill -9 at a random moment of `searchlib index --commit-every 50` leaves a checked index
    holding a whole number of 50-document commits."""
    src = tmp_path / "docs.jsonl"
    write_corpus(src, 3000)
    index_dir = tmp_path / "idx"
    rng = random.Random(seed)
    kills: list[int] = []
    for _ in range(2):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "searchlib",
                "index",
                str(src),
                "--index",
                str(index_dir),
                "--commit-every",
                "50",
                "--quiet",
            ],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while (
            not list(index_dir.glob("manifest_*"))
            and time.monotonic() < deadline
            and proc.poll() is None
        ):
            time.sleep(0.02)  # the interpreter is starting: kill during indexing, not before
        time.sleep(rng.uniform(0.05, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
        if not index_dir.exists() or not any(index_dir.glob("manifest_*")):
            continue
        summary = check_index(FileDirectory(index_dir))
        docs = int(summary["docs"])
        kills.append(docs)
        assert docs % 50 == 0 or docs == 3000, docs
        with searchlib.open_index(index_dir) as index:
            assert index.search("coca").total <= docs
    assert len(kills) == 2 and kills[0] <= kills[1]
