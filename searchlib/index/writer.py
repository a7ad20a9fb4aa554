"""The one writer of an index: buffers added documents, flushes segments, publishes commits, merges.

Only one writer may be open on an index (the directory's write lock). Adding a document whose id
is already in the index replaces it (delete + add). A brief's related items are added as documents
of kind "related" unless an item with the same id is already there, so a teaser shown on many
pages is stored once and every brief links to it by id. Nothing is visible to readers until
:meth:`IndexWriter.commit` renames the new manifest into place.
"""

from __future__ import annotations

import struct
import threading

# hashlib's own blake2b (hashlib.blake2b is _blake2.blake2b) without importing hashlib, which
# loads OpenSSL: about 2 ms of the start of ``searchlib index``, before its workers start.
from _blake2 import blake2b
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from types import TracebackType
from typing import cast

import attrs
import numpy as np

from searchlib._types import LANGS
from searchlib.analysis import get_analyzer
from searchlib.errors import AfterCommitError, CorruptIndexError, IndexStateError, IngestError
from searchlib.index.budget import MemoryBudget
from searchlib.index.builder import IndexDoc, SegmentBuilder
from searchlib.index.documents import to_index_doc
from searchlib.index.manifest import (
    OWN_FILE_RE,
    Manifest,
    SegmentEntry,
    latest_generation,
    write_manifest,
)
from searchlib.index.merge import MERGE_FACTOR, MIN_MERGE_DOCS, merge_segments, select_merge
from searchlib.index.reader import IndexReader
from searchlib.index.segment import (
    SegmentData,
    SegmentReader,
    with_store,
    write_deletes,
    write_segment,
    write_store,
)
from searchlib.records import Brief, RelatedItem, id_problem
from searchlib.storage import Directory, FileDirectory
from searchlib.storage.directory import deferred_sync

__all__ = ["FlushedIds", "IndexWriter"]

DEFAULT_LOCK_TIMEOUT = 5.0

_halves = cast(Callable[[bytes], tuple[int, int]], struct.Struct("<QQ").unpack)
"""The two little-endian 64-bit halves of a 16-byte digest (low, high)."""


class FlushedIds:
    """Where each document flushed since the last commit is: id -> (segment, doc number).

    Held as sorted numpy arrays of the ids' 128-bit hashes (blake2b) and locations, 24 bytes a
    document, not as a dict of strings (about 250 bytes a document, 90 MB for the 377,600
    documents of 16 copies of the news corpus before one commit). Two ids are taken as equal
    when their 128-bit hashes are: a collision among a billion ids has odds of about 1e-21.

    A bitmap of :data:`SEEN_BITS` bits, one per low bits of a hash ever added, answers most
    lookups of an id that is not here (every new document's) without a binary search: a clear
    bit means absent; a set one (the id's, or another's with the same low bits) sends the
    lookup on to the arrays. Fixed size (2 MiB); bits are never cleared.
    """

    __slots__ = ("_check", "_dead", "_keys", "_seen", "_where")

    SEEN_BITS = 1 << 24

    def __init__(self) -> None:
        self._keys = np.zeros(0, dtype=np.uint64)  # first half of the hash, ascending
        self._check = np.zeros(0, dtype=np.uint64)  # second half
        self._where = np.zeros(0, dtype=np.int64)  # segment << 32 | doc number; -1: gone
        self._dead = 0
        self._seen: bytearray | None = None  # the bitmap, made at the first add

    @staticmethod
    def key_of(doc_id: str) -> tuple[int, int]:
        """The two 64-bit halves of ``doc_id``'s hash (a caller that has them passes them to
        :meth:`pop` and :meth:`add`, which then do not hash the id again)."""
        return _halves(blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=16).digest())

    @staticmethod
    def keys_of(doc_ids: Sequence[str]) -> np.ndarray:
        """:meth:`key_of` of each of ``doc_ids``, as the rows of an (n, 2) uint64 array."""
        digests = b"".join(
            [blake2b(d.encode("utf-8", "surrogatepass"), digest_size=16).digest() for d in doc_ids]
        )
        return np.frombuffer(digests, dtype="<u8").reshape(-1, 2)

    def __len__(self) -> int:
        return self._keys.size - self._dead

    def _find(self, doc_id: str, hashed: tuple[int, int] | None = None) -> int:
        seen = self._seen
        if seen is None:
            return -1
        key, check = self.key_of(doc_id) if hashed is None else hashed
        low = key & (self.SEEN_BITS - 1)
        if not seen[low >> 3] >> (low & 7) & 1:
            return -1
        keys = self._keys
        i = int(np.searchsorted(keys, np.uint64(key)))
        while i < keys.size and int(keys[i]) == key:
            if int(self._check[i]) == check and self._where[i] >= 0:
                return i
            i += 1
        return -1

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._find(doc_id) >= 0

    def pop(self, doc_id: str, hashed: tuple[int, int] | None = None) -> tuple[int, int] | None:
        """(segment, doc number) of ``doc_id`` (whose :meth:`key_of` is ``hashed``, when
        given), now forgotten; None when it is not here."""
        i = self._find(doc_id, hashed)
        if i < 0:
            return None
        where = int(self._where[i])
        self._where[i] = -1
        self._dead += 1
        return where >> 32, where & 0xFFFFFFFF

    def pop_many(self, ids: Sequence[str], hashed: np.ndarray) -> list[tuple[int, int]]:
        """:meth:`pop` of each of ``ids`` (``hashed``: :meth:`keys_of`), in order: the
        (segment, doc number) of those that were here. The bitmap is asked for all at once,
        so only the few ids whose bit is set are looked up one by one."""
        seen = self._seen
        if seen is None or not len(ids):
            return []
        low = (hashed[:, 0] & np.uint64(self.SEEN_BITS - 1)).astype(np.int64)
        bits = np.frombuffer(seen, dtype=np.uint8)[low >> 3] >> (low & 7).astype(np.uint8)
        found = []
        for i in np.flatnonzero(bits & 1).tolist():
            where = self.pop(ids[i], (int(hashed[i, 0]), int(hashed[i, 1])))
            if where is not None:
                found.append(where)
        return found

    def add(
        self,
        segment: int,
        ids: Sequence[str],
        docnums: Sequence[int],
        hashed: Sequence[tuple[int, int]] | np.ndarray | None = None,
    ) -> None:
        """Record where ``ids`` (none of them here already; ``hashed``: their
        :meth:`key_of`, when known) are."""
        if not ids:
            return
        if hashed is None:
            hashed = [self.key_of(d) for d in ids]
        halves = np.array(hashed, dtype=np.uint64).reshape(-1, 2)
        where = (segment << 32) | np.asarray(docnums, dtype=np.int64)
        if self._seen is None:
            self._seen = bytearray(self.SEEN_BITS // 8)
        low = (halves[:, 0] & np.uint64(self.SEEN_BITS - 1)).astype(np.int64)
        bits = np.frombuffer(self._seen, dtype=np.uint8)
        np.bitwise_or.at(bits, low >> 3, (1 << (low & 7)).astype(np.uint8))
        if self._dead > self._keys.size // 2:  # forgotten entries go once they are many
            live = self._where >= 0
            self._keys, self._check, self._where = (
                self._keys[live],
                self._check[live],
                self._where[live],
            )
            self._dead = 0
        order = np.argsort(halves[:, 0], kind="stable")
        keys = halves[order, 0]
        at = np.searchsorted(self._keys, keys)
        self._keys = np.insert(self._keys, at, keys)
        self._check = np.insert(self._check, at, halves[order, 1])
        self._where = np.insert(self._where, at, where[order])


class IndexWriter:
    """Adds, replaces and deletes documents; ``commit()`` makes the changes visible atomically.

    Use as a context manager: a clean exit commits, an exception discards uncommitted changes.
    """

    def __init__(
        self,
        directory: Directory,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        merge_factor: int = MERGE_FACTOR,
        memory_mb: int | MemoryBudget | None = None,
    ) -> None:
        """``memory_mb``: the memory budget of indexing (:mod:`searchlib.index.budget`), which
        decides when buffered documents are flushed, how large the analysis caches may grow
        and how large a merge may be; ArgumentError when it is not a whole number of
        megabytes of at least ``MIN_MEMORY_MB``."""
        self.budget = MemoryBudget.of(memory_mb)
        self.directory = directory
        self.merge_factor = merge_factor
        self.on_flush: Callable[[str, SegmentData], None] | None = None
        """Called with the name and data of each segment this writer flushes, once written
        (the facade computes what twin linking reads from its stored fields then)."""
        self._stack = ExitStack()
        self._stack.enter_context(directory.lock(lock_timeout))
        self._closed = False
        self._tragic: BaseException | None = None  # what closed it (close_after_failure)
        try:
            self._load()
        except BaseException:
            self._stack.close()
            raise

    def _load(self) -> None:
        if latest_generation(self.directory) is None:
            self._manifest = Manifest(0, (), 1)
            write_manifest(self.directory, self._manifest)
        self._reader = IndexReader.open(self.directory)
        # Every file verified (the stored fields too, which a search reads late): a commit
        # is not published on top of a damaged (or newer) file, nor is anything written
        self._reader.verify()
        self._manifest = self._reader.manifest
        self._cleanup()  # files a killed writer (or its workers) wrote but never committed
        self._builder = SegmentBuilder()
        self._pending: dict[str, int] = {}  # id -> docnum in the builder
        self._pending_keys: dict[str, tuple[int, int]] = {}  # id -> FlushedIds.key_of(id)
        self._superseded: list[int] = []  # builder docnums replaced before the flush
        self._flushed: list[SegmentEntry] = []  # segments written since the last commit
        self._adopted: list[SegmentReader] = []  # of adopted ones, opened (see add_segment)
        self._flushed_ids = FlushedIds()
        self._flushed_dead: dict[int, list[int]] = {}
        self._deleted_ids: set[str] = set()  # ids to delete from committed segments
        self._deleted_any = False
        self._next_segment = self._manifest.next_segment
        self._writing: _Writing | None = None  # the segment a thread is finishing (flush)
        self._held = 0  # the memory its data takes until then (_Writing.nbytes)

    # -- context manager ----------------------------------------------------------------------

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        self.close()

    def close(self) -> None:
        """Release the lock; uncommitted changes are discarded."""
        if not self._closed:
            self._closed = True
            if self._writing is not None:  # (files never named) before the folder's fd closes
                self._writing.abandon()
                self._writing = None
            self._stack.close()

    def close_after_failure(self, cause: BaseException) -> None:
        """Close the writer because of ``cause``, a failure that leaves segments it holds
        unsafe to name (a bulk worker's fsync failed after the writer adopted its segment):
        what was not committed is discarded, the last commit stays whole, and every later
        use raises IndexStateError naming ``cause`` (Lucene's tragic exception)."""
        self._tragic = cause
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            cause = self._tragic
            if cause is not None:
                raise IndexStateError(
                    f"the index writer was closed by a failure, its uncommitted changes "
                    f"discarded: {type(cause).__name__}: {cause}"
                ) from cause
            raise IndexStateError("the index writer is closed")

    # -- changes ------------------------------------------------------------------------------

    @property
    def reader(self) -> IndexReader:
        """The last committed state this writer started from."""
        return self._reader

    def add(self, record: Brief | RelatedItem) -> None:
        """Add ``record`` (replacing the document with its id) and a brief's related items.

        Raises:
            IngestError: the record's id (or a related item's) is empty or holds a control
                character.
        """
        self._check_open()
        checked: tuple[Brief | RelatedItem, ...] = (record,)
        if isinstance(record, Brief):
            checked += record.related
        for r in checked:
            if problem := id_problem(r.id):
                raise IngestError(getattr(r, "source", "") or "<record>", f"{problem}: {r.id!r}")
        self.add_document(to_index_doc(record))
        if isinstance(record, Brief):
            for item in record.related:
                if (
                    item.id not in self._pending
                    and item.id not in self._reader
                    and item.id not in self._flushed_ids
                ):
                    self.add_document(to_index_doc(item))

    def add_many(self, records: Iterable[Brief | RelatedItem]) -> int:
        n = 0
        for r in records:
            self.add(r)
            n += 1
        return n

    def add_document(self, doc: IndexDoc) -> None:
        """Add (or replace, by id) a document; its texts are analysed when the buffer is
        flushed into a segment."""
        self._check_open()
        doc_id = doc.id
        hashed = self._pending_keys[doc_id] = FlushedIds.key_of(doc_id)
        self._forget(doc_id, hashed)
        builder = self._builder
        self._pending[doc_id] = builder.add(doc)
        budget = self.budget
        if budget.buffer_full(builder.chars_buffered, builder.bytes_buffered + self._held):
            # the segment the thread is finishing counts against the buffer's share: wait
            # for it (a slow disk) before this buffer grows past what is left
            if self._held:
                self._finish_writing()
            if budget.buffer_full(builder.chars_buffered, builder.bytes_buffered):
                self.flush()

    def delete(self, doc_id: str) -> None:
        """Delete ``doc_id`` (a no-op when it is not in the index)."""
        self._check_open()
        self._forget(doc_id)

    def _forget(self, doc_id: str, hashed: tuple[int, int] | None = None) -> None:
        old = self._pending.pop(doc_id, None)
        if old is not None:
            self._superseded.append(old)
        flushed = self._flushed_ids.pop(doc_id, hashed)
        if flushed is not None:
            self._flushed_dead.setdefault(flushed[0], []).append(flushed[1])
        self._deleted_any = True
        if self._reader.segments:  # an id of nothing committed needs no deletion at commit
            self._deleted_ids.add(doc_id)

    @property
    def has_changes(self) -> bool:
        """Whether anything was added or deleted since the last commit."""
        return bool(len(self._builder) or self._flushed or self._deleted_any)

    @property
    def pending_count(self) -> int:
        return len(self._pending) + len(self._flushed_ids)

    def flush(self) -> None:
        """Write buffered documents as a new (not yet committed) segment.

        On disk, a thread compresses and writes its stored fields and fsyncs its files while
        this one goes on adding documents (:class:`_Writing`); the flush of the next segment,
        the commit and a buffer that would take the memory it holds wait for it first, so one
        segment at most is in flight. A failure of that thread is raised by the next of these
        (nothing is published), and the segment's files are then all written again, fsynced,
        from its data, which is held until its fsyncs succeeded: an fsync that failed is never
        run again as proof that the data is on disk (Linux marks the pages it could not write
        clean, and reports the error once)."""
        if not len(self._builder):
            return
        self._finish_writing()
        name = f"s{self._next_segment:06d}"
        self._next_segment += 1
        trim_caches(self.budget)  # before the analysis adds this buffer's new words
        data = self._builder.finish()
        directory = self.directory
        idx = len(self._flushed)
        writing = None
        if isinstance(directory, FileDirectory) and directory.sync_writes:
            # The stored fields are compressed (zstd releases the GIL) and written, and every
            # file fsynced, by a thread started once this one has written the others (the
            # writes of a segment are made in one order: a full disk fails at the same byte).
            with deferred_sync():
                entry = write_segment(directory, name, data, store=False)
            writing = _Writing(idx, directory, name, data, entry)
        else:
            entry = write_segment(directory, name, data)
        if self.on_flush is not None:
            try:
                self.on_flush(name, data)
            except BaseException:
                if writing is not None:  # its files, never named, go at the next commit
                    writing.abandon()
                raise
        del data
        self._flushed.append(entry)
        if writing is not None:
            self._writing, self._held = writing, writing.nbytes
        keys = self._pending_keys
        self._flushed_ids.add(
            idx, list(self._pending), list(self._pending.values()), [keys[d] for d in self._pending]
        )
        if self._superseded:
            self._flushed_dead.setdefault(idx, []).extend(self._superseded)
        self._builder = SegmentBuilder()
        self._pending = {}
        self._pending_keys = {}
        self._superseded = []
        trim_caches(self.budget)

    def _finish_writing(self) -> None:
        """Wait until the segment a thread is finishing (see :meth:`flush`) is written and
        fsynced; raises the thread's failure, once (then the next call writes the segment's
        files again, and raises what that raises)."""
        writing = self._writing
        if writing is not None:
            self._flushed[writing.idx] = writing.finish()
            self._writing, self._held = None, 0

    def wait_for_flushes(self) -> None:
        """Wait until every segment flushed so far is written and fsynced (a process forking
        workers calls it first: see :mod:`searchlib.bulk`); raises what :meth:`flush` left
        undone."""
        self._check_open()
        self._finish_writing()

    def reserve_segment_names(self, n: int) -> list[str]:
        """Names for ``n`` segments that other processes will write for this writer."""
        names = [f"s{self._next_segment + i:06d}" for i in range(n)]
        self._next_segment += n
        return names

    def add_segment(self, entry: SegmentEntry, ids: Sequence[str]) -> None:
        """Adopt a segment written elsewhere (a bulk-indexing worker) into the next commit.

        ``ids`` are its documents' ids in doc order; like :meth:`add`, each replaces any
        document with the same id, including earlier ones of the same segment.
        """
        self._check_open()
        self.flush()
        idx = len(self._flushed)
        self._flushed.append(entry)
        last: dict[str, int] = {}  # an id twice in the segment: the later one wins
        if not self._pending:  # (always, after the flush) the ids' replacements all at once
            dead = self._flushed_dead.setdefault(idx, [])
            for docnum, doc_id in enumerate(ids):
                earlier = last.get(doc_id)
                if earlier is not None:
                    dead.append(earlier)
                last[doc_id] = docnum
            if not dead:
                del self._flushed_dead[idx]
            unique = list(last)
            halves = FlushedIds.keys_of(unique)
            for seg, docnum in self._flushed_ids.pop_many(unique, halves):
                self._flushed_dead.setdefault(seg, []).append(docnum)
            if unique:
                self._deleted_any = True
                if self._reader.segments:  # see _forget
                    self._deleted_ids.update(unique)
            self._flushed_ids.add(idx, unique, list(last.values()), halves)
            self._adopt(entry)
            return
        keys: dict[str, tuple[int, int]] = {}
        for docnum, doc_id in enumerate(ids):
            earlier = last.get(doc_id)
            if earlier is not None:
                self._flushed_dead.setdefault(idx, []).append(earlier)
            else:
                hashed = keys[doc_id] = FlushedIds.key_of(doc_id)
                self._forget(doc_id, hashed)
            last[doc_id] = docnum
        self._flushed_ids.add(idx, list(last), list(last.values()), list(keys.values()))
        self._adopt(entry)

    def _adopt(self, entry: SegmentEntry) -> None:
        """Open and verify the adopted segment ``entry`` now (every file's checksum, its
        stored fields' included: 25 ms for the news corpus's nine), for the commit's reader to
        take as it is: in a bulk run the workers are still writing the others, and the commit,
        which waits for the last, no longer opens them all. A segment that does not open or
        verify is left to the commit, which opens it again and fails before publishing
        (:meth:`_publish`), naming the file."""
        try:
            seg = SegmentReader(self.directory, entry)
            seg.verify()
        except (OSError, CorruptIndexError):
            return
        self._adopted.append(seg)

    # -- commits ------------------------------------------------------------------------------

    def commit(self, merge: bool = True) -> int:
        """Publish every change since the last commit; returns the new generation.

        A commit reports exactly whether it happened: an exception other than
        :class:`AfterCommitError` means nothing was published (the last commit is intact and
        the changes are still pending: commit again, e.g. once disk space is freed); an
        ``AfterCommitError`` means the commit was published and a later step (the merge after
        it, removing old files) failed. A new segment whose files do not verify (damaged on
        disk since they were written) fails the commit before it is published, with a
        CorruptIndexError naming the file.
        """
        self._check_open()
        if not self.has_changes:
            return self._manifest.generation
        self.flush()
        self._finish_writing()  # before the manifest names the files
        gen = self._manifest.generation + 1
        segments = []
        for seg in self._reader.segments:
            entry = next(s for s in self._manifest.segments if s.name == seg.name)
            dead = [d for d in map(seg.docnum, self._deleted_ids) if d >= 0]
            deleted = None if seg.live is None else ~seg.live
            kept = self._with_deletes(entry, deleted, dead, gen)
            if kept is not None:
                segments.append(kept)
        for idx, entry in enumerate(self._flushed):
            kept = self._with_deletes(entry, None, self._flushed_dead.get(idx, []), gen)
            if kept is not None:
                segments.append(kept)
        self._publish(Manifest(gen, tuple(segments), self._next_segment))
        if merge:
            self.merge_after_commit()
        return self._manifest.generation

    def merge_after_commit(self) -> int:
        """The merges of :meth:`maybe_merge` right after a commit (``commit()`` runs them, or
        its caller after ``commit(merge=False)``): a failure is an AfterCommitError of the
        commit's generation. Returns the generation published last."""
        gen = self._manifest.generation
        try:
            self.maybe_merge()
        except AfterCommitError:
            raise
        except Exception as exc:
            raise AfterCommitError(gen, "merge", exc) from exc
        return self._manifest.generation

    def _with_deletes(
        self, entry: SegmentEntry, deleted: np.ndarray | None, dead: list[int], gen: int
    ) -> SegmentEntry | None:
        """The manifest entry of a segment after deleting doc numbers ``dead`` (on top of the
        ``deleted`` bitmap it has): unchanged, with a new deletion file, or None when no
        document is left."""
        if not dead:
            return entry
        mask = np.zeros(entry.docs, dtype=bool) if deleted is None else deleted.copy()
        mask[dead] = True
        if mask.all():
            return None
        deletes = f"{entry.name}_{gen:08d}.del"
        write_deletes(self.directory, deletes, mask)
        return attrs.evolve(entry, deletes=deletes)

    def _publish(self, manifest: Manifest) -> None:
        """Publish ``manifest``: the rename of its file is the commit. A failure before it
        propagates as it is (nothing happened); one after it is an AfterCommitError.

        Every segment the manifest names that the last commit did not (flushed, adopted or
        merged by this writer) is opened and verified first, stored fields included: a
        damaged one fails the commit before it is published."""
        known = {s.name for s in self._reader.segments} | {s.name for s in self._adopted}
        fresh = [SegmentReader(self.directory, s) for s in manifest.segments if s.name not in known]
        for seg in fresh:
            seg.verify()
        late: tuple[str, Exception] | None = None
        try:
            write_manifest(self.directory, manifest)
        except Exception as exc:
            if latest_generation(self.directory) != manifest.generation:
                raise
            late = ("sync of the folder", exc)  # renamed into place, the folder's fsync failed
        self._manifest = manifest
        self._flushed, self._flushed_ids, self._flushed_dead = [], FlushedIds(), {}
        self._deleted_ids = set()
        self._deleted_any = False
        adopted, self._adopted = self._adopted, []
        try:
            self._reader = IndexReader.open(
                self.directory,
                manifest.generation,
                reuse=[*self._reader.segments, *adopted, *fresh],
            )
        except Exception as exc:
            self.close()  # its reader is not the published state: no later commit from it
            raise AfterCommitError(manifest.generation, "reopen", exc) from exc
        try:
            self._cleanup()
        except Exception as exc:
            late = late or ("removal of old files", exc)
        if late is not None:
            raise AfterCommitError(manifest.generation, late[0], late[1]) from late[1]

    def _cleanup(self) -> None:
        keep = self._manifest.files()
        for name in self.directory.list():
            if name not in keep and OWN_FILE_RE.match(name):
                self.directory.delete(name)

    def maybe_merge(self) -> None:
        """Merge segments while the log-size tier policy finds ``merge_factor`` of one tier
        (segments under :data:`~searchlib.index.merge.MIN_MERGE_DOCS` documents all one tier)
        that fit the budget's largest merge (``MemoryBudget.max_merge_bytes``)."""
        while True:
            chosen = self._next_merge()
            if chosen is None:
                return
            self._merge(chosen)

    @property
    def merge_due(self) -> bool:
        """Whether :meth:`maybe_merge` would merge segments of the last commit."""
        return self._next_merge() is not None

    def _next_merge(self) -> list[int] | None:
        segments = self._reader.segments
        return select_merge(
            [s.live_count for s in segments],
            self.merge_factor,
            [s.nbytes for s in segments],
            self.budget.max_merge_bytes,
            MIN_MERGE_DOCS,
        )

    def force_merge(self) -> None:
        """Merge every segment into one (fewer files, faster searches, deletions purged)."""
        self._check_open()
        committed = self.has_changes
        gen = self.commit(merge=False)
        if len(self._reader.segments) > 1 or any(s.live is not None for s in self._reader.segments):
            try:
                self._merge(list(range(len(self._reader.segments))))
            except AfterCommitError:
                raise
            except Exception as exc:
                if committed:
                    raise AfterCommitError(gen, "merge", exc) from exc
                raise

    def _merge(self, chosen: list[int]) -> None:
        readers: list[SegmentReader] = [self._reader.segments[i] for i in chosen]
        name = f"s{self._next_segment:06d}"
        self._next_segment += 1
        data = merge_segments(readers, compress=True)
        merged_names = {r.name for r in readers}
        segments = []
        inserted = False
        for s in self._manifest.segments:
            if s.name in merged_names:
                if not inserted:
                    if data.ndocs:
                        segments.append(write_segment(self.directory, name, data))
                    inserted = True
                continue
            segments.append(s)
        self._publish(Manifest(self._manifest.generation + 1, tuple(segments), self._next_segment))


class _Writing:
    """The end of the writing of segment ``name`` (its ``data``; ``entry``: its files but the
    store, written and not fsynced) by a thread of its own: the stored fields compressed and
    written, then every file fsynced. A thread a segment, one segment at a time
    (:meth:`IndexWriter.flush`): it ends with its segment, so no thread outlives a writer
    that is dropped without :meth:`IndexWriter.close`, and a forked child, in which the thread
    does not run (Python marks it stopped there: ``join`` returns at once), writes the
    segment again itself instead of waiting for it."""

    __slots__ = ("data", "directory", "entry", "error", "idx", "name", "nbytes", "size", "thread")

    def __init__(
        self, idx: int, directory: FileDirectory, name: str, data: SegmentData, entry: SegmentEntry
    ) -> None:
        self.idx = idx
        self.directory = directory
        self.name = name
        self.data: SegmentData | None = data  # until the files are on disk
        self.entry = entry
        self.nbytes = _held_bytes(data)
        self.size: int | None = None  # the .store's, once every file is fsynced
        self.error: BaseException | None = None  # the thread's failure, until raised
        self.thread = threading.Thread(target=self._run, name=f"searchlib {name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            data = self.data
            assert data is not None
            size = write_store(self.directory, self.name, data.ndocs, data.stored, data.store)
            del data
            for name in self.entry.files:
                self.directory.sync_file(name)
            self.size = size
            # let go of the data now: held until the next flush, it kept the memory around
            # it from being reused (one process, news corpus: a peak of 352 MB, not 224)
            self.data = None
        except BaseException as exc:
            self.error = exc

    def finish(self) -> SegmentEntry:
        """The segment's manifest entry once its files are written and fsynced. The thread's
        failure is raised (once), and leaves the files to write again: by the next call, all
        of them, from the data, in this thread, fsync included (a file whose fsync failed may
        have lost pages that the kernel no longer counts as unwritten)."""
        self.thread.join()
        if self.size is not None:
            return with_store(self.entry, self.size)
        error, self.error = self.error, None
        if error is not None:
            raise error
        # the thread failed (and that was raised), or did not run (a child forked meanwhile)
        data = self.data
        assert data is not None
        entry = write_segment(self.directory, self.name, data)
        self.data = None
        self.size = entry.files[f"{self.name}.store"]
        return entry

    def abandon(self) -> None:
        """Wait for the thread, whatever it did: the segment will not be named."""
        self.thread.join()
        self.data = None


def _held_bytes(data: SegmentData) -> int:
    """About the memory ``data`` takes: its stored fields and postings (the rest is small)."""
    n = sum(map(len, data.stored)) + 200 * data.ndocs
    for fp in data.fields.values():
        n += fp.start.nbytes + fp.docs.nbytes + fp.tfs.nbytes + fp.pstart.nbytes + fp.pos.nbytes
        n += 64 * len(fp.terms)
    return n


def trim_caches(budget: MemoryBudget) -> None:
    """Drop the analysis caches past the budget's share (each language gets half of it)."""
    for lang in LANGS:
        get_analyzer(lang).trim(budget.cache_bytes // 2)
