"""Bulk indexing with worker processes: each worker ingests and analyses a share of the input
and writes whole segments; the one writer adopts the segments and commits them at once.

This is how Lucene and tantivy use several cores: segments are independent, so workers need no
coordination beyond a segment name each. The writer keeps the write lock for the whole run and
applies replacement by id (a later document wins, in input order), so the result is the same
index a sequential run builds, split into more segments (and merged by the usual policy).

Each worker takes a contiguous run of tasks, so it learns the vocabulary of its part of the
input rather than of all of it (with tasks dealt out in turn, two workers on the news corpus
spent 15% more CPU), and steals from the back of the longest run once its own is done;
runs end with smaller tasks, so what is stolen last is short (:func:`plan_tasks`).

A worker fills one segment with consecutive tasks up to a task's input size (the memory a task
may take, :func:`task_bytes`) and writes it when the next task would pass that or does not
follow (a stolen one), so the short tasks at the end of a run do not each become a segment:
the news corpus (27.7 MB) on two workers makes 9 segments, not 10 (one tier of ten, which
the policy merged at once: 0.5 s of CPU after the workers). The workers run as long as there
are tasks and send their segments and progress over a pipe each; the writer takes segments in
input order, as they come.

Workers die with the process that started them (:func:`_die_with_parent`): a killed indexer
leaves no worker writing segment files, and the write lock is never theirs (the storage layer
closes a lock's descriptor in every forked child), so the next writer can start at once and
removes the segments the dead run left behind.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.connection import wait
from typing import Any

from searchlib.errors import IngestError, IngestWarning
from searchlib.index import IndexReader, IndexWriter, SegmentBuilder, to_index_doc
from searchlib.index.budget import CHAR_COST, MemoryBudget
from searchlib.index.segment import write_segment
from searchlib.index.writer import trim_caches
from searchlib.ingest import Chunk, plan_chunks, read_index_chunk
from searchlib.records import Brief
from searchlib.search.twins import TwinHints, find_twins, store_twins_of_commit, twin_hints
from searchlib.storage import FileDirectory

__all__ = ["CHUNK_BYTES", "bulk_index", "commit_bulk", "default_workers", "plan_tasks"]

CHUNK_BYTES = 4 << 20
"""Input per worker task at most (about): large enough to amortise a task, small enough to
bound its memory. Smaller when the memory budget's share of a worker asks for it
(:func:`task_bytes`)."""

_Note = tuple[bool, str, str, "int | None"]  # warning?, path, reason, line: IngestWarning/Error
_Job = tuple[str, list[Chunk], float, int]  # segment name, chunks, worker's budget MB, bytes
_Msg = tuple[Any, ...]
"""A worker's message: ("task", task, records read) after each task, ("segment", first task,
last task, SegmentEntry or None, ids, notes) when a segment of consecutive tasks is written."""


def default_workers() -> int:
    """One worker per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


_TAIL = (0.6, 0.3)
"""Sizes of the last two tasks of a worker's run, relative to its other tasks."""


def plan_tasks(
    sources: list[str | os.PathLike[str]], chunk_bytes: int, workers: int
) -> tuple[list[list[Chunk]], list[int]]:
    """Tasks (consecutive chunks of the input) and the first task of each worker's run.

    The input is cut into ``workers`` contiguous runs of about equal size (fewer for an input
    under ``workers * chunk_bytes / 2``); a run larger than ``chunk_bytes`` into at least four
    tasks of at most about ``chunk_bytes``, its last two smaller (:data:`_TAIL`),
    so that the task a finished worker steals from the back of another run is a short one and
    the workers end together (27.7 MB on two workers: runs of five tasks, 3.7 MB down to 1 MB).
    """
    chunks = plan_chunks(sources, max(1, chunk_bytes // 8))
    total = sum(map(_chunk_size, chunks))
    runs = max(1, min(workers, math.ceil(2 * total / chunk_bytes)))  # small input: fewer
    tasks: list[list[Chunk]] = []
    bounds: list[int] = []
    for run in _split(chunks, [1.0] * runs):
        run_bytes = sum(map(_chunk_size, run))
        bounds.append(len(tasks))
        if run_bytes <= chunk_bytes:
            tasks.append(run)
            continue
        # n tasks: n - 2 of a full size, at most chunk_bytes, and the two of the tail
        n = max(len(_TAIL) + 2, math.ceil(run_bytes / chunk_bytes + len(_TAIL) - sum(_TAIL)))
        tasks += _split(run, [1.0] * (n - len(_TAIL)) + list(_TAIL))
    return tasks, bounds


def _split(chunks: Sequence[Chunk], weights: Sequence[float]) -> list[list[Chunk]]:
    """Consecutive groups of ``chunks`` with sizes in about the proportions ``weights``; a
    chunk goes to the group its middle byte falls in; empty groups are left out."""
    sizes = [_chunk_size(c) for c in chunks]
    total = sum(sizes) or 1
    ends = list(itertools.accumulate(w * total / sum(weights) for w in weights))
    groups: list[list[Chunk]] = [[] for _ in weights]
    done = 0
    g = 0
    for chunk, size in zip(chunks, sizes, strict=True):
        while g < len(groups) - 1 and done + size / 2 > ends[g]:
            g += 1
        groups[g].append(chunk)
        done += size
    return [group for group in groups if group]


def _chunk_size(c: Chunk) -> int:
    return (c.end - c.start) if c.end is not None else _size(c.path)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def task_bytes(budget: MemoryBudget, workers: int, chunk_bytes: int = CHUNK_BYTES) -> int:
    """Input of one worker task: at most ``chunk_bytes``, and no more than half a worker's
    share of ``budget`` can analyse at once (:data:`CHAR_COST` a character; the workers share
    the budget, the writer buffers nothing while they run; the other half holds the worker's
    analysis caches and its reading). At the default budget and two workers: ``CHUNK_BYTES``."""
    share = budget.share(workers)
    return max(1, min(chunk_bytes, share.bytes // 2 // CHAR_COST))


class _Worker:
    """What a worker holds between its tasks: the segment it is filling (the documents of
    consecutive tasks, analysed when it is written) and the tasks it has from them."""

    def __init__(self, path: str, jobs: list[_Job], limit: int, emit: Callable[[_Msg], None]):
        self.directory = FileDirectory(path, sync=False)  # synced by a thread (_sync)
        self.syncing: list[threading.Thread] = []
        self.sync_error: BaseException | None = None
        self.reader = IndexReader.open(self.directory)  # related items already in the index
        self.jobs = jobs
        self.limit = limit  # input bytes of one segment at most
        self.emit = emit
        self.builder = SegmentBuilder()
        self.first = self.last = -1  # the tasks in the builder, -1: none
        self.nbytes = 0
        self.notes: list[_Note] = []
        self.run: int | None = None  # the run of tasks this worker claimed first

    def take(self, task: int) -> None:
        """Add the records of ``task`` to the segment, after writing the segment when the
        task does not follow its last one or would take it past the limit."""
        size = self.jobs[task][3]
        if self.first >= 0 and (task != self.last + 1 or self.nbytes + size > self.limit):
            self.flush()
        if self.first < 0:
            self.first = task
        self.last = task
        self.nbytes += size
        _index_task((self, task))

    def flush(self) -> None:
        """Write the segment of the tasks taken since the last flush (none when they had no
        document) and send it with their notes."""
        if self.first < 0:
            return
        entry = None
        hints = None
        builder = self.builder
        mb = self.jobs[self.first][2]
        if len(builder):
            trim_caches(MemoryBudget(mb))
            data = builder.finish()
            # so the commit does not read them back
            hints = twin_hints(data.stored, data.ids, data.provenance)
            entry = write_segment(self.directory, self.jobs[self.first][0], data)
            del data
            sync = threading.Thread(target=_sync, args=(self, list(entry.files)))
            sync.start()  # the disk writes while the next segment is analysed
            self.syncing.append(sync)
            trim_caches(MemoryBudget(mb))
        self.emit(("segment", self.first, self.last, entry, builder.ids, self.notes, hints))
        self.builder = SegmentBuilder()
        self.first = self.last = -1
        self.nbytes = 0
        self.notes = []


def _sync(worker: _Worker, names: list[str]) -> None:
    """fsync the files of a segment ``worker`` wrote (see :meth:`_Worker.flush`); a failure
    is raised by the worker at its end (:func:`_work`), before the commit could name them."""
    try:
        for name in names:
            worker.directory.sync_file(name)
    except BaseException as exc:
        worker.sync_error = exc


def _index_task(args: tuple[_Worker, int]) -> None:
    """Worker: ingest the records of one task into the worker's segment (analysed when the
    segment is written); send the number of records read."""
    worker, task = args
    builder, reader, notes = worker.builder, worker.reader, worker.notes
    seen: set[str] = set()  # a related item twice in a task is added once, as in a task alone

    def warn(w: IngestWarning) -> None:
        notes.append((True, w.path, w.reason, w.line))

    count = 0
    for chunk in worker.jobs[task][1]:
        for item in read_index_chunk(chunk, warn):  # JSONL: BriefFields, no Brief built
            if isinstance(item, IngestError):
                notes.append((False, item.path, item.reason, item.line))
                continue
            count += 1
            builder.add(to_index_doc(item))
            seen.add(item.id)
            if isinstance(item, Brief):
                for rel in item.related:
                    if rel.id not in seen and rel.id not in reader:
                        seen.add(rel.id)
                        builder.add(to_index_doc(rel))
    worker.emit(("task", task, count))


def _claim(runs: Any, worker: _Worker, steal: bool = True, packing: bool = False) -> int | None:
    """The next task of ``worker``, None when none is left (or, unless ``steal``, none of its
    own run; or, when ``packing`` a task into a segment not yet written, when another run has
    none left: the worker writes its segment first, and what it has not claimed meanwhile is
    left to a worker that is done).

    Each worker owns a contiguous run of tasks (it learns the vocabulary of one part of the
    input, not of all of it) and takes them from the front; a worker whose run is done takes
    the last task of the run with the most left (work stealing, as in Cilk). ``runs`` holds
    (next, end) per run, then the number of runs claimed by a worker so far."""
    with runs.get_lock():
        nruns = (len(runs) - 1) // 2
        if worker.run is None:  # this worker's first task: claim a run of its own
            worker.run = runs[-1] if runs[-1] < nruns else -1
            runs[-1] += 1
        r = worker.run
        if packing and any(runs[2 * k] >= runs[2 * k + 1] for k in range(nruns) if k != r):
            return None
        if r >= 0 and runs[2 * r] < runs[2 * r + 1]:
            task = int(runs[2 * r])
            runs[2 * r] += 1
            return task
        if not steal:
            return None
        left = [runs[2 * k + 1] - runs[2 * k] for k in range(nruns)]
        k = left.index(max(left))
        if left[k] <= 0:
            return None
        runs[2 * k + 1] -= 1
        return int(runs[2 * k + 1])


def _next_fits(runs: Any, worker: _Worker) -> bool:
    """Whether the next task of ``worker``'s own run goes into the segment it is filling
    (:meth:`_Worker.take` would not write the segment first); True when its run has none
    left (:func:`_claim` decides then)."""
    r = worker.run
    if r is None or r < 0:
        return False
    with runs.get_lock():
        task, end = int(runs[2 * r]), int(runs[2 * r + 1])
    if task >= end:
        return True
    return task == worker.last + 1 and worker.nbytes + worker.jobs[task][3] <= worker.limit


def _work(path: str, jobs: list[_Job], runs: Any, limit: int, emit: Callable[[_Msg], None]) -> None:
    """A worker's whole run: claim tasks until none is left, filling segments of consecutive
    tasks of at most ``limit`` bytes of input, written as they fill and at the end."""
    worker = _Worker(path, jobs, limit, emit)
    while True:
        if worker.first >= 0 and not _next_fits(runs, worker):
            # The segment is analysed and written before the next task is claimed, not
            # after: a task claimed is out of reach of a worker that finishes meanwhile,
            # which would otherwise wait for this one to analyse and read it.
            worker.flush()
        task = _claim(runs, worker, steal=False, packing=worker.first >= 0)
        if task is None:
            # Analysis waits for a segment's writing: the worker steals only once it has done
            # its own, so that what it takes is what the others will not reach in time; and
            # once a worker is done with its run, the others claim no task before they have
            # analysed what they hold (what is left stays for it to steal).
            worker.flush()
            task = _claim(runs, worker)
            if task is None:
                break
        worker.take(task)
    worker.flush()
    for sync in worker.syncing:
        sync.join()
    if worker.sync_error is not None:
        raise worker.sync_error


def _worker_main(
    send: Any,
    path: str,
    jobs: list[_Job],
    runs: Any,
    limit: int,
    parent: int,
    lifeline: tuple[int, int],
) -> None:
    """A worker process: :func:`_work`, its messages sent on ``send``, then ("done",) or
    ("error", exception)."""
    _die_with_parent(parent, lifeline)
    try:
        _work(path, jobs, runs, limit, send.send)
        send.send(("done",))
    except BaseException as exc:  # the indexing process raises it
        try:
            send.send(("error", exc))
        except Exception:  # not picklable: its text
            import traceback

            send.send(("error", RuntimeError(traceback.format_exc())))
    finally:
        send.close()


def _run(
    path: str,
    jobs: list[_Job],
    bounds: list[int],
    workers: int,
    limit: int,
    on_msg: Callable[[_Msg], None],
) -> None:
    """Run the tasks ``jobs`` in ``workers`` processes (in this one for one worker or one
    task), passing their messages to ``on_msg`` as they come; ``bounds`` holds the first
    task of each worker's run."""
    if not jobs:  # nothing to read (an empty folder or file)
        return
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    ends = [*bounds[1:], len(jobs)]
    runs = context.Array("q", [*(x for run in zip(bounds, ends, strict=True) for x in run), 0])
    if workers <= 1 or len(jobs) <= 1:
        _work(path, jobs, runs, limit, on_msg)
        return
    workers = min(workers, len(bounds))
    lifeline = os.pipe()  # only this process holds the write end open: EOF when it is gone
    procs: dict[Any, Any] = {}  # receiving end -> its worker process
    try:
        for _ in range(workers):
            receive, send = context.Pipe(duplex=False)
            proc = context.Process(
                target=_worker_main,
                args=(send, path, jobs, runs, limit, os.getpid(), lifeline),
                daemon=True,
            )
            proc.start()
            send.close()
            procs[receive] = proc
        while procs:
            for ready in wait(list(procs)):
                conn: Any = ready  # a Connection: wait returns the objects it is given
                try:
                    msg = conn.recv()
                except EOFError:
                    proc = procs.pop(conn)
                    conn.close()
                    proc.join()
                    raise RuntimeError(
                        f"a bulk indexing worker ended before its work was done "
                        f"(exit code {proc.exitcode})"
                    ) from None
                if msg[0] == "done":  # its segments are written and synced
                    # Reaped by a thread: the commit need not wait for the exit of a process
                    # of a few hundred megabytes (0-40 ms after its last message).
                    threading.Thread(target=procs.pop(conn).join, daemon=True).start()
                    conn.close()
                elif msg[0] == "error":
                    raise msg[1]
                else:
                    on_msg(msg)
    finally:
        for receive, proc in procs.items():
            proc.kill()
            proc.join()
            receive.close()
        for fd in lifeline:
            os.close(fd)


def _die_with_parent(parent: int, lifeline: tuple[int, int]) -> None:
    """Worker: end this process as soon as ``parent`` (the indexing process) ends.

    A worker orphaned by a killed indexer would otherwise go on writing segments that no
    commit will ever name. On Linux the kernel kills it (``PR_SET_PDEATHSIG``); everywhere, a
    thread waits on the read end of ``lifeline``, a pipe whose write end only the parent keeps
    open, and ends the process at end of file, which is when the parent is gone.
    """
    read_end, write_end = lifeline
    os.close(write_end)  # this process's copy, inherited through fork
    _kill_me_with_parent()
    threading.Thread(target=_wait_for_eof, args=(read_end,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the two above were in place
        os._exit(1)


PR_SET_PDEATHSIG = 1


def _kill_me_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
        return False


def _wait_for_eof(fd: int) -> None:
    try:
        while os.read(fd, 1):
            pass
    except OSError:
        pass
    os._exit(1)


def bulk_index(
    writer: IndexWriter,
    path: str | os.PathLike[str],
    sources: Iterable[str | os.PathLike[str]],
    *,
    workers: int | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    on_skip: Callable[[IngestError], None] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
    on_warning: Callable[[IngestWarning], None] | None = None,
    hints: dict[str, TwinHints] | None = None,
) -> tuple[int, list[IngestError]]:
    """Index ``sources`` into the on-disk index at ``path`` (whose ``writer`` holds the lock).

    ``hints``: filled with the :class:`~searchlib.search.twins.TwinHints` of each new segment
    (by name), for :func:`commit_bulk`, while they take at most an eighth of the budget (the
    segments past that are read back by the twin linking, as without hints).

    ``on_progress(records, bytes_done, bytes_total)`` is called after each task; ``on_skip``
    and ``on_warning`` in input order. Returns (records indexed, errors). Nothing is
    committed: the caller commits. The workers share the writer's memory budget
    (:func:`task_bytes`).
    """
    sources = list(sources)
    workers = workers or default_workers()
    share = writer.budget.share(workers)
    limit = task_bytes(writer.budget, workers, chunk_bytes)
    tasks, bounds = plan_tasks(sources, limit, workers)
    names = writer.reserve_segment_names(len(tasks))
    sizes = [sum(_chunk_size(c) for c in t) for t in tasks]
    jobs = [(n, t, share.mb, size) for n, t, size in zip(names, tasks, sizes, strict=True)]
    total = sum(sizes)
    indexed = done = 0
    errors: list[IngestError] = []
    segments: dict[int, _Msg] = {}  # first task -> its segment, until taken
    applied = 0  # segments and errors are taken in input order (a later document wins)
    hint_bytes = 0

    def on_msg(msg: _Msg) -> None:
        nonlocal indexed, done, applied, hint_bytes
        if msg[0] == "task":
            indexed += msg[2]
            done += sizes[msg[1]]
            if on_progress:
                on_progress(indexed, done, total)
            return
        segments[msg[1]] = msg
        while applied in segments:
            _, _, last, entry, ids, notes, found = segments.pop(applied)
            applied = last + 1
            for is_warning, p, reason, line in notes:
                if is_warning:
                    if on_warning:
                        on_warning(IngestWarning(p, reason, line))
                    continue
                err = IngestError(p, reason, line)
                errors.append(err)
                if on_skip:
                    on_skip(err)
            if entry is not None:
                writer.add_segment(entry, ids)
                if hints is not None and found is not None:
                    hint_bytes += found.nbytes
                    if hint_bytes <= writer.budget.bytes // 8:  # else read back at commit
                        hints[entry.name] = found

    # The workers are forked: not while the writer's thread is writing a segment it flushed
    # (the child would hold a copy of its data and of a write half done)
    writer.wait_for_flushes()
    try:
        _run(os.fspath(path), jobs, bounds, workers, limit, on_msg)
    except BaseException as exc:
        # The writer may hold segments of this run whose fsync failed (a worker reports that
        # at its end, after it sent them), or a part of the run: no commit may name them
        writer.close_after_failure(exc)
        raise
    return indexed, errors


def commit_bulk(writer: IndexWriter, hints: dict[str, TwinHints] | None = None) -> IndexReader:
    """Commit what :func:`bulk_index` added, merge as the policy asks and save the twins
    (:func:`~searchlib.search.twins.store_twins`) of the result; returns the committed reader.

    The merge and the twins do not wait for each other: the twins of the commit before the
    merge (the same documents in the same order, as neighbouring segments merge in order) are
    computed in a worker process while this one merges, then saved for the merged commit. On
    two cores this shortens the run by the shorter of the two (0.2-0.4 s on the news corpus).
    ``hints`` (from :func:`bulk_index`) spare the twins reading the new segments' stored fields.
    As a commit's, a failure once a generation is published is an AfterCommitError.
    """
    before = writer.reader.generation
    writer.commit(merge=False)
    directory = writer.directory
    if writer.reader.generation == before:
        # nothing published (no record indexed): no merge either, as a commit without
        # changes (a merge due from before failing then would be no "after commit" error)
        store_twins_of_commit(None, writer.reader, directory, writer.budget, hints=hints)
        return writer.reader
    if not writer.merge_due or "fork" not in multiprocessing.get_all_start_methods():
        gen = writer.merge_after_commit()
        store_twins_of_commit(gen, writer.reader, directory, writer.budget, hints=hints)
        return writer.reader
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    lifeline = os.pipe()
    child = context.Process(
        target=_twins_worker,
        args=(writer.reader, writer.budget, hints, send, os.getpid(), lifeline),
        daemon=True,
    )
    found: dict[str, str] | None = None
    try:
        child.start()
        send.close()
        try:
            writer.merge_after_commit()
        except BaseException:
            child.kill()
            child.join()
            raise
        try:
            found = receive.recv()
        except (EOFError, OSError):  # the worker died: the twins are computed here
            found = None
        child.join()
    finally:
        receive.close()
        send.close()
        for fd in lifeline:
            os.close(fd)
    store_twins_of_commit(
        writer.reader.generation, writer.reader, directory, writer.budget, found=found, hints=hints
    )
    return writer.reader


def _twins_worker(
    reader: IndexReader,
    budget: MemoryBudget,
    hints: dict[str, TwinHints] | None,
    send: Any,
    parent: int,
    lifeline: tuple[int, int],
) -> None:
    """Worker of :func:`commit_bulk`: send the twins of ``reader``."""
    _die_with_parent(parent, lifeline)
    send.send(find_twins(reader, memory_mb=budget, hints=hints))
    send.close()
