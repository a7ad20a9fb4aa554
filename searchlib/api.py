"""The public API behind the ``searchlib`` facade: :class:`Index`, its factories and batch indexing.

Everything the command line does goes through these functions.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs

from searchlib.errors import (
    ArgumentError,
    IndexNotFoundError,
    IndexStateError,
    IngestError,
    IngestWarning,
    SearchlibError,
)
from searchlib.index import (
    IndexReader,
    IndexWriter,
    latest_generation,
    read_manifest,
    record_from_stored,
    to_index_doc,
)
from searchlib.index.budget import MemoryBudget
from searchlib.index.check import check_index
from searchlib.index.manifest import OWN_FILE_RE
from searchlib.index.merge import MERGE_FACTOR
from searchlib.index.segment import SegmentData
from searchlib.index.writer import DEFAULT_LOCK_TIMEOUT
from searchlib.records import Brief, BriefFields, RelatedItem, id_problem
from searchlib.schema import StoredDoc
from searchlib.search.scoring import BM25F, Explanation
from searchlib.search.twins import TwinHints, links_name, store_twins_of_commit, twin_hints
from searchlib.storage import Directory, FileDirectory, MemoryDirectory
from searchlib.storage.directory import LOCK_NAME

if TYPE_CHECKING:
    from searchlib.search import Filters, Query, Results, Searcher
# The query language, hits and searcher are imported where a method searches: an indexing
# process (``searchlib index``) never loads them.

__all__ = [
    "Index",
    "IndexReport",
    "create_index",
    "discard_on_failure",
    "index_paths",
    "open_index",
]

PathLike = str | os.PathLike[str]


class Index:
    """An index on disk or in memory: add records, commit, search, find related items.

    Reading needs no lock. The first change (``add``/``delete``) opens the index's single writer
    (waiting up to ``lock_timeout`` seconds for the write lock); ``commit()`` publishes changes.
    As a context manager, a clean exit commits pending changes and an exception discards them.

    ``memory_mb`` is the memory budget of indexing in megabytes (default
    :data:`~searchlib.index.budget.DEFAULT_MEMORY_MB`, 256): it bounds the writer's buffers,
    the analysis caches, the size of merges and, in :func:`index_paths`, the worker processes
    together, so indexing memory stays under the budget plus a constant whatever the archive's
    size (see :mod:`searchlib.index.budget`). ArgumentError when it is not a whole number of at
    least 16.

    >>> with create_index() as index:
    ...     index.add(Brief(id="b1", lang="en", title="Coca in Peru", body=["Coca crops grow."]))
    ...     index.commit()
    ...     [hit.id for hit in index.search("coca")]
    1
    ['b1']
    """

    def __init__(
        self,
        directory: Directory,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        bm25: BM25F | None = None,
        memory_mb: int | None = None,
        merge_factor: int = MERGE_FACTOR,
    ) -> None:
        self.budget = MemoryBudget.of(memory_mb)
        if isinstance(merge_factor, bool) or not isinstance(merge_factor, int) or merge_factor < 2:
            raise ArgumentError(f"merge_factor must be a whole number >= 2, got {merge_factor!r}")
        self.merge_factor = merge_factor
        """Segments of one size tier that a commit merges into one (the log-tier policy)."""
        self.directory = directory
        self.lock_timeout = lock_timeout
        self.bm25 = bm25 or BM25F()
        self._writer: IndexWriter | None = None
        self._hints: dict[str, TwinHints] = {}  # what twins read from this writer's segments
        self._hint_bytes = 0
        self._reader = IndexReader.open(directory)
        self._closed = False

    def __repr__(self) -> str:
        return f"Index({self.directory!r}, generation={self._reader.generation})"

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None and self._writer is not None:
            self.commit()
        self.close()

    def close(self) -> None:
        """Release the writer (uncommitted changes are discarded)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._closed = True

    # -- writing --------------------------------------------------------------------------------

    @property
    def writer(self) -> IndexWriter:
        """The index's writer, opened (and the lock taken) on first use."""
        if self._closed:
            raise IndexStateError("the index is closed")
        if self._writer is None:
            self._writer = IndexWriter(
                self.directory,
                merge_factor=self.merge_factor,
                lock_timeout=self.lock_timeout,
                memory_mb=self.budget,
            )
            # Names of segments a discarded writer flushed are given again: no hint outlives
            # the writer that made it.
            self._hints, self._hint_bytes = {}, 0
            # Through a weak reference: a writer that held its Index would make a cycle, and an
            # Index dropped without close() would keep the write lock until the collector ran.
            method = weakref.WeakMethod(self._hint_segment)

            def on_flush(name: str, data: SegmentData) -> None:
                if (hint := method()) is not None:
                    hint(name, data)

            self._writer.on_flush = on_flush
        return self._writer

    def _hint_segment(self, name: str, data: SegmentData) -> None:
        """Keep what twin linking reads from a flushed segment's stored fields (as bulk
        workers hand it over), so the commit does not read them back; within an eighth of
        the budget (past it, segments are read back as without hints)."""
        hints = twin_hints(data.stored, data.ids, data.provenance)
        if self._hint_bytes + hints.nbytes <= self.budget.bytes // 8:
            self._hints[name] = hints
            self._hint_bytes += hints.nbytes

    def add(self, record: Brief | RelatedItem | BriefFields) -> None:
        """Add or replace (by id) a record; a brief brings its related items. A JSONL
        record's checked values (:class:`~searchlib.records.BriefFields`) are indexed as
        their Brief, without building it."""
        if isinstance(record, BriefFields):
            if problem := id_problem(record.id):  # as IndexWriter.add checks a Brief's
                raise IngestError(record.source or "<record>", f"{problem}: {record.id!r}")
            self.writer.add_document(to_index_doc(record))
        else:
            self.writer.add(record)

    def add_many(self, records: Iterable[Brief | RelatedItem]) -> int:
        return self.writer.add_many(records)

    def delete(self, doc_id: str) -> None:
        self.writer.delete(doc_id)

    def commit(self, merge: bool = True, *, twins: bool = True) -> int:
        """Publish pending changes; returns the new generation.

        The commit also links the English and Spanish versions of each story (twins) and saves
        the links, so searches do not compute them; ``twins=False`` skips that (for the
        intermediate commits of a long run: a search that folds twins computes them then).
        As :meth:`IndexWriter.commit <searchlib.index.IndexWriter.commit>`: an exception other
        than AfterCommitError means nothing was published; the links failing after the
        commit is an AfterCommitError of step "twin links".
        """
        writer = self.writer
        published = writer.has_changes
        gen = writer.commit(merge=merge)
        self._reader = writer.reader
        live = {s.name for s in self._reader.segments}
        for name in [n for n in self._hints if n not in live]:  # merged away
            self._hint_bytes -= self._hints.pop(name).nbytes
        if twins:
            store_twins_of_commit(
                gen if published else None,
                self._reader,
                self.directory,
                self.budget,
                hints=self._hints,
            )
        return gen

    def optimize(self) -> None:
        """Merge everything into one segment (a failure after it published a commit is an
        AfterCommitError, as :meth:`commit`'s)."""
        before = self.writer.reader.generation
        self.writer.force_merge()
        self._reader = self.writer.reader
        gen = self._reader.generation
        store_twins_of_commit(
            gen if gen != before else None, self._reader, self.directory, self.budget
        )

    # -- reading --------------------------------------------------------------------------------

    @property
    def reader(self) -> IndexReader:
        """The snapshot searches run on (refreshed when another process has committed)."""
        self._reader = self._reader.reopen()
        return self._reader

    def searcher(self) -> Searcher:
        return (_SEARCHING or _searching())[0](self.reader, self.bm25)

    def search(
        self,
        query: str | Query,
        limit: int = 10,
        *,
        offset: int = 0,
        lang: str | None = None,
        country: str | None = None,
        kind: str | None = None,
        doc_lang: str | None = None,
        section: str | None = None,
        since: _dt.date | str | None = None,
        until: _dt.date | str | None = None,
        filters: Filters | None = None,
        facets: bool = False,
        snippets: bool = True,
        cross_lingual: bool = True,
        twins: bool = False,
        syntax: str = "strict",
    ) -> Results:
        """Ranked hits for ``query`` (Whoosh-style syntax; see :func:`searchlib.parse_query`).

        ``syntax`` says how the query string is read: ``"strict"`` (a syntax error raises
        QuerySyntaxError naming its position), ``"lenient"`` (for what people type: syntax
        where it parses, words otherwise, never raises; repairs are listed in
        ``Results.warnings``) or ``"plain"`` (no syntax: every word an optional term, up to
        ``MAX_TEXT_LENGTH`` = 100,000 characters; for a pasted paragraph).
        ``limit`` (0: count only) and ``offset`` are whole numbers with ``offset + limit`` at
        most ``MAX_RESULT_WINDOW`` (10,000); anything else raises ArgumentError (a ValueError).

        ``lang`` is the language the query is written in (None: both); the other arguments
        filter without changing scores (``doc_lang`` restricts the documents' language;
        ``country`` takes any name of a country in English or Spanish, or its ISO code;
        ``section`` a byline section such as "China and Crime"). ``filters`` gives them as
        one :class:`Filters` value instead (the same names); giving both is an ArgumentError.
        ``cross_lingual`` also matches the query's translation against the other language;
        ``snippets`` builds highlighted passages for the hits; ``twins`` shows a story once
        when both its English and Spanish versions match (``Hit.twin`` names the other).
        """
        _, filters_type, no_filters = _SEARCHING or _searching()
        given = (
            no_filters
            if doc_lang is kind is country is since is until is section is None
            else filters_type(
                doc_lang=doc_lang,
                kind=kind,
                country=country,
                since=since,
                until=until,
                section=section,
            )
        )
        if filters is None:
            filters = given
        elif given != no_filters:
            raise ArgumentError(
                f"filters given twice: filters= and the keywords {given.describe()}; "
                "give them one way or the other"
            )
        return self.searcher().search(
            query,
            limit,
            offset=offset,
            lang=lang,
            filters=filters,
            facets=facets,
            snippets=snippets,
            cross_lingual=cross_lingual,
            twins=twins,
            syntax=syntax,
        )

    def related(self, doc_id: str, limit: int = 10) -> Results:
        """Items related to a document, each hit with its ``reason``; ``limit`` as in
        :meth:`search` (ArgumentError when it is not a whole number from 0 to 10,000)."""
        return self.searcher().related(doc_id, limit)

    def explain(
        self,
        query: str | Query,
        doc_id: str,
        lang: str | None = None,
        cross_lingual: bool = True,
        syntax: str = "strict",
    ) -> Explanation:
        """How ``doc_id`` scored for ``query`` searched as :meth:`search` would search it."""
        return self.searcher().explain(query, doc_id, lang, cross_lingual, syntax)

    def get(self, doc_id: str) -> Brief | RelatedItem | None:
        """The stored record of ``doc_id``, or None; a brief comes with its related items
        (those still in the index)."""
        reader = self.reader
        doc = reader.document(doc_id)
        if doc is None:
            return None
        related = []
        for rid in doc.get("related", ()):
            stored = reader.document(rid)
            item = None if stored is None else record_from_stored(stored)
            if isinstance(item, RelatedItem):
                related.append(item)
        return record_from_stored(doc, tuple(related))

    def stored(self, doc_id: str) -> StoredDoc | None:
        return self.reader.document(doc_id)

    def __len__(self) -> int:
        return self.reader.doc_count

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.reader

    def stats(self) -> dict[str, Any]:
        """{"docs", "segments", "generation", "docs_by_kind", "docs_by_lang", "bytes"}."""
        return self.reader.stats()

    def check(self) -> dict[str, object]:
        """Verify every checksum and recompute statistics; raises CorruptIndexError on damage."""
        return check_index(self.directory)


def _not_a_folder(path: PathLike) -> str | None:
    """Why ``path`` can be no index folder (it, or a folder above it, is a file), or None."""
    p = Path(path)
    for candidate in (p, *p.parents):
        if candidate.exists():
            if candidate.is_dir():
                return None
            what = "it is a file" if candidate == p else f"{candidate} is a file"
            return f"{what}, not a folder"
    return None


def create_index(path: PathLike | None = None, **kwargs: Any) -> Index:
    """Open the index at ``path``, creating it when absent; ``None`` makes an in-memory index;
    a ``postgresql://`` URL opens (or creates) an index in PostgreSQL (docs/postgres.md).

    Keyword arguments go to :class:`Index` (``lock_timeout``, ``bm25``, ``memory_mb``)."""
    MemoryBudget.of(kwargs.get("memory_mb"))  # a bad value fails before anything is created
    if isinstance(path, str) and path.startswith(("postgresql://", "postgres://")):
        from searchlib.postgres import open_postgres

        return open_postgres(path, create=True, **kwargs)
    if path is not None and (why := _not_a_folder(path)) is not None:
        raise IndexStateError(f"cannot make an index at {path}: {why}")
    directory: Directory = MemoryDirectory() if path is None else FileDirectory(path, create=True)
    if latest_generation(directory) is None:
        IndexWriter(
            directory, lock_timeout=kwargs.get("lock_timeout", DEFAULT_LOCK_TIMEOUT)
        ).close()
    return Index(directory, **kwargs)


def open_index(path: PathLike, **kwargs: Any) -> Index:
    """Open the existing index at ``path`` (a folder, or a ``postgresql://`` URL); raises
    IndexNotFoundError when there is none."""
    if isinstance(path, str) and path.startswith(("postgresql://", "postgres://")):
        from searchlib.postgres import open_postgres

        return open_postgres(path, **kwargs)
    if (why := _not_a_folder(path)) is not None:
        raise IndexNotFoundError(f"no index at {path}: {why}")
    directory = FileDirectory(path)
    if latest_generation(directory) is None:
        raise IndexNotFoundError(
            f"no index at {path} (run `searchlib index SRC --index {path}` first)"
        )
    return Index(directory, **kwargs)


@contextmanager
def discard_on_failure(path: PathLike) -> Iterator[Callable[[], None]]:
    """Guard a batch run into the on-disk index at ``path`` (the ``searchlib index`` command).

    When no index was at ``path`` before and the run fails (the block raises, or calls the
    function it is given) with no document committed, what the run created is removed: the
    index's own files, then the folders made for it if they are empty. A failed first run
    thus leaves no empty index that would answer "no results". An index that was there before
    is never touched, nor is any file the index did not write.
    """
    folder = Path(os.path.abspath(path))
    new_folders = []
    parent = folder
    while not parent.exists() and parent != parent.parent:
        new_folders.append(parent)
        parent = parent.parent
    try:
        existed = not new_folders and latest_generation(FileDirectory(folder)) is not None
    except (SearchlibError, OSError):  # not a folder, unreadable: nothing will be touched
        existed = True
    failed = False

    def fail() -> None:
        nonlocal failed
        failed = True

    try:
        yield fail
    except BaseException:
        failed = True
        raise
    finally:
        if failed and not existed:
            _remove_empty_index(folder, new_folders)


def _remove_empty_index(folder: Path, new_folders: list[Path]) -> None:
    try:
        directory = FileDirectory(folder)
        generation = latest_generation(directory)
        if generation is not None and read_manifest(directory).segments:
            return  # the run committed documents before it failed: they are kept
        ours = {LOCK_NAME} | ({links_name(generation)} if generation is not None else set())
        for name in directory.list():
            if OWN_FILE_RE.match(name) or name in ours:
                directory.delete(name)
    except (SearchlibError, OSError):
        return
    for made in new_folders:  # deepest first
        try:
            made.rmdir()
        except OSError:
            return


@attrs.define
class IndexReport:
    """What a batch indexing run did: ``skipped`` lists every input not indexed (bad records
    and files, files a folder does not contribute), ``warnings`` what was indexed with a loss
    (a record without its unparseable date)."""

    indexed: int = 0
    skipped: list[IngestError] = attrs.field(factory=list)
    warnings: list[IngestWarning] = attrs.field(factory=list)
    seconds: float = 0.0
    generation: int = 0

    @property
    def docs_per_s(self) -> float:
        return self.indexed / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "indexed": self.indexed,
            "skipped": len(self.skipped),
            "errors": [str(e) for e in self.skipped],
            "warnings": [str(w) for w in self.warnings],
            "seconds": round(self.seconds, 3),
            "docs_per_s": round(self.docs_per_s, 1),
            "generation": self.generation,
        }


def index_paths(
    index: Index,
    paths: Iterable[PathLike],
    *,
    commit_every: int | None = None,
    workers: int | None = None,
    on_skip: Callable[[IngestError], None] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
    on_warning: Callable[[IngestWarning], None] | None = None,
) -> IndexReport:
    """Ingest files and folders into ``index``; bad input is skipped and reported, the rest kept.

    On disk, the work is shared by ``workers`` processes (default: one per core; 1 indexes in
    this process), each writing whole segments; with ``commit_every`` the run is sequential and
    commits every that many records, so an interruption keeps whole commits.
    ``on_progress(records, bytes_done, bytes_total)`` reports progress (bytes are 0 when the
    run is sequential); ``on_skip`` and ``on_warning`` see each entry of the report's
    ``skipped`` and ``warnings`` as it is found.
    """
    load = getattr(index, "load_paths", None)  # another backend's own batch (PostgreSQL)
    if load is not None:
        with _gc_paused():
            report: IndexReport = load(
                paths,
                commit_every=commit_every,
                on_skip=on_skip,
                on_progress=on_progress,
                on_warning=on_warning,
            )
            return report
    with _gc_paused():
        return _index_paths(index, paths, commit_every, workers, on_skip, on_progress, on_warning)


_SEARCHING: tuple[type[Searcher], type[Filters], Filters] | None = None
"""The search layer's Searcher, Filters and NO_FILTERS, imported on the first search
(:func:`_searching`; importing searchlib stays light), then read without an import."""


def _searching() -> tuple[type[Searcher], type[Filters], Filters]:
    global _SEARCHING
    from searchlib.search.searcher import NO_FILTERS, Filters, Searcher

    _SEARCHING = (Searcher, Filters, NO_FILTERS)
    return _SEARCHING


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a batch.

    Indexing allocates millions of small, long-lived containers (cached analyses, postings
    buffers); every full collection walks all of them, which took 7 of 18 seconds of a
    28 MB run. Records form no reference cycles, so nothing piles up meanwhile; the
    collector runs again as soon as the batch ends (worker processes inherit the pause).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # The objects made meanwhile go straight to the oldest generation (freeze, then
            # unfreeze), so the next young collection does not walk all of them (0.4 s).
            unfreeze = gc.get_freeze_count() == 0
            gc.freeze()
            gc.enable()
            if unfreeze:
                gc.unfreeze()


def _index_paths(
    index: Index,
    paths: Iterable[PathLike],
    commit_every: int | None,
    workers: int | None,
    on_skip: Callable[[IngestError], None] | None,
    on_progress: Callable[[int, int, int], None] | None,
    on_warning: Callable[[IngestWarning], None] | None,
) -> IndexReport:
    report = IndexReport()
    t0 = time.perf_counter()

    def warn(warning: IngestWarning) -> None:
        report.warnings.append(warning)
        if on_warning:
            on_warning(warning)

    if workers != 1 and not commit_every and isinstance(index.directory, FileDirectory):
        # Imported here: worker processes (multiprocessing) are only for
        # indexing, and every search command would pay for their import.
        from searchlib.bulk import bulk_index, commit_bulk

        hints: dict[str, TwinHints] = {}  # what the twins read from the new documents
        report.indexed, report.skipped = bulk_index(
            index.writer,
            index.directory.path,
            paths,
            workers=workers,
            on_skip=on_skip,
            on_progress=on_progress,
            on_warning=warn,
            hints=hints,
        )
        index._reader = commit_bulk(index.writer, hints)  # merges while it finds the twins
        report.generation = index._reader.generation
        report.seconds = time.perf_counter() - t0
        return report
    add_paths(
        index,
        paths,
        report,
        commit_every=commit_every,
        on_skip=on_skip,
        on_progress=on_progress,
        on_warning=on_warning,
    )
    report.generation = (
        index.commit() if report.indexed or index._writer else index.reader.generation
    )
    report.seconds = time.perf_counter() - t0
    return report


def add_paths(
    index: Index,
    paths: Iterable[PathLike],
    report: IndexReport,
    *,
    commit_every: int | None = None,
    on_skip: Callable[[IngestError], None] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
    on_warning: Callable[[IngestWarning], None] | None = None,
) -> None:
    """Add the records of ``paths`` to ``index`` one by one, in this process (any backend):
    bad input goes to ``report.skipped``, losses to ``report.warnings``, each also to its
    callback; with ``commit_every``, a commit every that many records (twins are left to the
    last). The caller makes the last commit."""

    def warn(warning: IngestWarning) -> None:
        report.warnings.append(warning)
        if on_warning:
            on_warning(warning)

    from searchlib.ingest import iter_index_records  # not loaded by a process that only searches

    since_commit = 0
    for item in iter_index_records([Path(p) for p in paths], warn):
        if isinstance(item, IngestError):
            report.skipped.append(item)
            if on_skip:
                on_skip(item)
            continue
        index.add(item)  # a JSONL record comes as its BriefFields: no Brief built
        report.indexed += 1
        since_commit += 1
        if on_progress:
            on_progress(report.indexed, 0, 0)
        if commit_every and since_commit >= commit_every:
            index.commit(twins=False)  # twins once, at the last commit
            since_commit = 0
