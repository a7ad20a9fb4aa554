"""A killed bulk indexer: its workers die with it, never hold the write lock, and the next
writer starts at once and removes the segment files they left (real processes, kill -9)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import searchlib
from searchlib.errors import LockError
from searchlib.index import IndexWriter, read_manifest
from searchlib.index.check import check_index
from searchlib.index.manifest import OWN_FILE_RE
from searchlib.storage import FileDirectory

REPO = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.heavy,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="reads /proc to find the workers"
    ),
]

# `searchlib index --workers 2` with small tasks that each end with a pause (the run outlasts
# the test's checks); "pipe" takes PR_SET_PDEATHSIG away, leaving the portable lifeline pipe,
# "prctl" the other way round.
INDEXER = """
import sys, time
from searchlib import bulk
from searchlib.cli import main

src, index, mode = sys.argv[1:]
if mode == "pipe":
    bulk._kill_me_with_parent = lambda: False
if mode == "prctl":
    bulk._wait_for_eof = lambda fd: None
bulk.bulk_index.__kwdefaults__["chunk_bytes"] = 32 << 10
index_task = bulk._index_task

def slow_task(args):
    result = index_task(args)
    time.sleep(0.25)
    return result

bulk._index_task = slow_task
sys.exit(main(["index", src, "--index", index, "--workers", "2", "--quiet"]))
"""


def write_corpus(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            body = " ".join(f"coca{i % 7} word{j} route{i % 13}" for j in range(20))
            f.write(json.dumps({"id": f"d{i}", "lang": "en", "title": f"doc {i}", "body": body}))
            f.write("\n")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended (its new parent may never reap it)


@pytest.mark.parametrize("mode", ["default", "prctl", "pipe"])
def test_kill_9_of_bulk_indexing_leaves_no_worker_and_a_free_index(
    tmp_path: Path, mode: str
) -> None:
    src = tmp_path / "docs.jsonl"
    write_corpus(src, 3000)
    index_dir = tmp_path / "idx"
    proc = subprocess.Popen(
        [sys.executable, "-c", INDEXER, str(src), str(index_dir), mode],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not list(index_dir.glob("s*.store")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.02)
        workers = children(proc.pid)
        assert len(workers) >= 2  # the pool is running
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 3
        while any(map(alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not [w for w in workers if alive(w)]

        directory = FileDirectory(index_dir)
        committed = read_manifest(directory).files()
        assert {n for n in directory.list() if OWN_FILE_RE.match(n)} - committed  # orphans
        writer = IndexWriter(directory, lock_timeout=0)  # at once: no LockError
        left = {n for n in directory.list() if OWN_FILE_RE.match(n)}
        assert left == committed
        writer.close()
    finally:
        for pid in [proc.pid, *workers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        proc.wait()
        if proc.stderr:
            proc.stderr.close()

    with searchlib.open_index(index_dir) as index:  # the next run indexes everything
        report = searchlib.index_paths(index, [src], workers=2)
    assert report.indexed == 3000 and not report.skipped
    assert check_index(FileDirectory(index_dir))["docs"] == 3000


def test_a_forked_child_does_not_hold_its_parents_write_lock(tmp_path: Path) -> None:
    directory = FileDirectory(tmp_path)
    ready, told = os.pipe()
    with directory.lock(0):
        pid = os.fork()
        if pid == 0:  # the child lives on after the parent lets the lock go
            os.write(told, b"1")  # the fork handlers have run
            time.sleep(5)
            os._exit(0)
        assert os.read(ready, 1) == b"1"
        with pytest.raises(LockError):  # the parent's lock still holds
            with FileDirectory(tmp_path).lock(0):
                pass
    try:
        with directory.lock(0):
            pass
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(ready)
        os.close(told)


def test_a_spawned_child_does_not_inherit_the_write_lock(tmp_path: Path) -> None:
    """The lock's descriptor is not inheritable (close-on-exec): a spawn-context worker, as
    used where fork is not available, never holds it."""
    import multiprocessing

    directory = FileDirectory(tmp_path)
    context = multiprocessing.get_context("spawn")
    with directory.lock(0):
        child = context.Process(target=time.sleep, args=(5,))
        child.start()
    try:
        with directory.lock(0):
            pass
    finally:
        child.kill()
        child.join()
