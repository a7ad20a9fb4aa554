"""Worker scheduling in bulk indexing: contiguous runs per worker, then stealing from the back."""

from __future__ import annotations

import multiprocessing
from types import SimpleNamespace
from typing import Any

import searchlib.bulk as bulk


def _claims(order: list[int], ntasks: int, nworkers: int) -> list[list[int]]:
    """Tasks each simulated worker gets when they ask in ``order`` (worker numbers)."""
    bounds = [ntasks * k // nworkers for k in range(nworkers + 1)]
    runs = multiprocessing.get_context().Array(
        "q", [*(x for k in range(nworkers) for x in bounds[k : k + 2]), 0]
    )
    workers: list[Any] = [SimpleNamespace(run=None) for _ in range(nworkers)]
    got: list[list[int]] = [[] for _ in range(nworkers)]
    for w in order:
        task = bulk._claim(runs, workers[w])
        assert task is not None
        got[w].append(task)
    assert [bulk._claim(runs, w) for w in workers] == [None] * nworkers  # all claimed
    return got


def test_each_worker_runs_its_own_part_then_steals_from_the_back() -> None:
    # Worker 0 is fast: it finishes its run 0-4, then takes the last tasks of worker 1's run.
    got = _claims([0, 1, 0, 0, 0, 0, 0, 1, 0, 1], 10, 2)
    assert got == [[0, 1, 2, 3, 4, 9, 8], [5, 6, 7]]


def test_every_task_is_claimed_once_whatever_the_order() -> None:
    order = [2, 2, 0, 2, 2, 2, 1, 2, 2, 0, 2]  # worker 2 fast, 1 slow; 11 tasks, 3 workers
    got = _claims(order, 11, 3)
    assert sorted(t for tasks in got for t in tasks) == list(range(11))
    # Runs go to workers as they first ask: 2 gets 0-2, 0 gets 3-6, 1 gets 7-10; then worker 2
    # steals the last task of the run with the most left, first run on a tie.
    assert got == [[3, 4], [7], [0, 1, 2, 10, 6, 5, 9, 8]]


def test_plan_cuts_contiguous_runs_with_a_short_tail(tmp_path: Any) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(f'{{"id": "d{i}", "title": "{"x" * 90}"}}\n' for i in range(4000)))
    tasks, bounds = bulk.plan_tasks([src], 64_000, 2)
    sizes = [sum(c.end - c.start for c in t) for t in tasks]  # a JSONL file's byte ranges
    assert bounds == [0, len(tasks) // 2] and len(tasks) >= 8
    chunks = [c for t in tasks for c in t]  # every byte once, in order
    assert chunks[0].start == 0 and chunks[-1].end == src.stat().st_size
    assert all(a.end == b.start for a, b in zip(chunks, chunks[1:], strict=False))
    for run in (sizes[: bounds[1]], sizes[bounds[1] :]):
        assert max(run) <= 64_000 * 1.2  # "about" chunk_bytes: chunks are cut at lines
        assert run[-1] < run[-2] < run[0]  # the tail shrinks: a stolen task is a short one
    assert abs(sum(sizes[: bounds[1]]) - sum(sizes[bounds[1] :])) < 0.1 * sum(sizes)
    small, small_bounds = bulk.plan_tasks([src], 10 * src.stat().st_size, 2)
    assert (len(small), small_bounds) == (1, [0])  # a small input is one task


def test_a_worker_fills_a_segment_with_consecutive_tasks(tmp_path: Any) -> None:
    """The short tasks at the end of a run share a segment; documents keep the input order."""
    import searchlib

    src = tmp_path / "docs.jsonl"
    rows = [f'{{"id": "d{i}", "lang": "en", "title": "coca route {i}"}}\n' for i in range(4000)]
    src.write_text("".join(rows))
    tasks, bounds = bulk.plan_tasks([src], 64_000, 2)
    index = searchlib.create_index(tmp_path / "idx", merge_factor=100)
    indexed, errors = bulk.bulk_index(
        index.writer, tmp_path / "idx", [src], workers=2, chunk_bytes=64_000
    )
    assert (indexed, errors) == (4000, [])
    reader = bulk.commit_bulk(index.writer)
    # Each run's two short tail tasks (0.6 and 0.3 of a full one) fit in one segment.
    assert len(tasks) - 2 <= len(reader.segments) < len(tasks)
    ids = [i for seg in reader.segments for i in seg.ids]
    assert ids == [f"d{i}" for i in range(4000)]
    index.close()


def test_a_worker_holding_a_segment_claims_no_more_once_another_run_is_done() -> None:
    # Two runs: 0-4 and 5-9; the second worker has claimed all of its run.
    runs = multiprocessing.get_context().Array("q", [2, 5, 10, 10, 2])
    first: Any = SimpleNamespace(run=0)
    assert bulk._claim(runs, first, steal=False, packing=True) is None  # write what it holds
    assert bulk._claim(runs, first, steal=False) == 2  # then go on with its run
    busy = multiprocessing.get_context().Array("q", [3, 5, 7, 10, 2])
    assert bulk._claim(busy, SimpleNamespace(run=0), steal=False, packing=True) == 3
    done = multiprocessing.get_context().Array("q", [5, 5, 7, 10, 2])
    assert bulk._claim(done, SimpleNamespace(run=0), steal=False) is None  # its run is done
    assert bulk._claim(done, SimpleNamespace(run=0)) == 9  # it steals the back of the other


def test_a_worker_writes_a_full_segment_before_it_claims_the_next_task(monkeypatch: Any) -> None:
    """A task is claimed when the worker can start on it: a worker that finishes its run
    meanwhile can still steal it (not when it is only queued behind a segment to analyse)."""
    runs = multiprocessing.get_context().Array("q", [0, 3, 3, 6, 0])  # runs 0-2 and 3-5
    flushed: list[tuple[int, int, int]] = []  # (first task, last task, next task of the run)

    class Recorder:
        take = bulk._Worker.take

        def __init__(self, path: str, jobs: list[Any], limit: int, emit: Any) -> None:
            self.jobs, self.limit = jobs, limit
            self.first = self.last = -1
            self.nbytes = 0
            self.run: int | None = None
            self.syncing: list[Any] = []
            self.sync_error = None

        def flush(self) -> None:
            if self.first >= 0:
                flushed.append((self.first, self.last, int(runs[0])))
            self.first = self.last = -1
            self.nbytes = 0

    monkeypatch.setattr(bulk, "_Worker", Recorder)
    monkeypatch.setattr(bulk, "_index_task", lambda args: None)
    # Tasks 0 and 1 share a segment (60 + 40 bytes), task 2 does not fit in it; then the
    # worker steals 5, 4 and 3 from the back of run 1, a segment each (not consecutive).
    jobs: list[Any] = [(f"s{k}", [], 64.0, size) for k, size in enumerate([60, 40, 30, 9, 9, 9])]
    bulk._work("unused", jobs, runs, 100, lambda msg: None)
    assert flushed == [(0, 1, 2), (2, 2, 3), (5, 5, 3), (4, 4, 3), (3, 3, 3)]
