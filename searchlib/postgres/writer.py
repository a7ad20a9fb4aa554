"""The single writer of a PostgreSQL index: add/replace/delete, flush to the shards, 2-phase commit.

Records are analysed exactly as the embedded engine analyses them (:func:`to_index_doc`, then
:class:`~searchlib.index.builder.SegmentBuilder`: searchlib's analyzer, not PostgreSQL's text
search configurations), so both backends hold the same terms, positions and lengths. A flush
routes each buffered document to its shard (PostgreSQL's hash partitioning of its id, asked of
the coordinator), builds one segment per shard and sends it with binary ``COPY`` inside that
shard's open transaction; a replaced or deleted document's old row gets ``deleted = <gen>``.

``commit()`` runs two phases (see :mod:`searchlib.postgres.db`): PREPARE TRANSACTION on every
shard written to, the decision on the coordinator, COMMIT PREPARED on each shard, then the
generation is published. Until it is published no reader sees any of it; a writer killed at any
point leaves a state the next :meth:`Database.recover` completes or undoes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, cast

import numpy as np
import psycopg
from psycopg import sql
from psycopg.abc import Buffer
from psycopg.adapt import Dumper
from psycopg.pq import Format

from searchlib.errors import AfterCommitError, IndexStateError, IngestError
from searchlib.index.budget import MemoryBudget
from searchlib.index.builder import IndexDoc, SegmentBuilder
from searchlib.index.documents import to_index_doc
from searchlib.index.merge import MERGE_FACTOR, MIN_MERGE_DOCS, merge_segments, select_merge
from searchlib.index.segment import SegmentData, SegmentReader
from searchlib.index.writer import DEFAULT_LOCK_TIMEOUT, trim_caches
from searchlib.postgres.db import Database, ShardError
from searchlib.postgres.source import PgSegment, PgSnapshot, columns_row, dictionary_rows
from searchlib.records import Brief, RelatedItem, id_problem

__all__ = ["PostgresWriter"]

KEEP_DROPPED = 2
"""Generations a merged-away segment stays readable (snapshots that old still read it)."""
_DOC_COLS = "id, shard, seg, docnum, lang, kind, date, stored"
_DOC_TYPES = ["text", "int4", "int4", "int4", "text", "text", "int4", "bytea"]
_POST_COLS = "shard, field, term, seg, df, docs, tfs, positions, sdocs, stfs, slens"
_POST_TYPES = [
    "int4", "text", "text", "int4", "int4", "bytea", "bytea", "bytea", "int4[]", "int4[]", "int4[]"
]  # fmt: skip
_INT4_OID = 23
_INT4_ARRAY_OID = 1007


def _i4(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype="<i4").tobytes()


class _Int4ArrayDumper(Dumper):
    """Dumps the bytes :func:`_int4_arrays` made as an ``int4[]`` in binary COPY (registered
    by oid only: ``set_types`` picks it; a list of Python ints would cost a call per element)."""

    format = Format.BINARY
    oid = _INT4_ARRAY_OID

    def dump(self, obj: Any) -> Buffer:
        out: Buffer = obj
        return out


def _int4_arrays(values: np.ndarray, start: np.ndarray) -> tuple[bytes, list[int]]:
    """Every slice ``values[start[i]:start[i + 1]]`` in PostgreSQL's binary ``int4[]`` format,
    back to back in one buffer, and where each one starts (``len(start)`` offsets). An
    array is a header (1 dimension, no NULLs, int4, its length, lower bound 1) and each
    element as (4, value), big-endian; an empty one is the 12-byte header of 0 dimensions."""
    n = int(start.size) - 1
    counts = np.diff(start).astype(np.int64)
    sizes = np.where(counts > 0, 20 + 8 * counts, 12)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    out = np.zeros(int(offsets[-1]) // 4, dtype=">i4")
    heads = offsets[:-1] // 4
    full = counts > 0
    out[heads] = np.where(full, 1, 0)
    out[heads + 2] = _INT4_OID
    out[heads[full] + 3] = counts[full]
    out[heads[full] + 4] = 1
    # Element j of array i sits at word heads[i] + 5 + 2 * (j - start[i]): (4, value).
    owner = np.repeat(np.arange(n), counts)
    at = heads[owner] + 5 + 2 * (np.arange(int(counts.sum())) - start[:-1][owner].astype(np.int64))
    out[at] = 4
    out[at + 1] = values[int(start[0]) : int(start[-1])]
    return out.tobytes(), offsets.tolist()


class _InTransaction(PgSnapshot):
    """The segments a writer flushed to one shard and has not committed, read through its own
    transaction (the only one that sees them), for merging."""

    def __init__(self, db: Database, conn: psycopg.Connection[Any]) -> None:
        # Not PgSnapshot.__init__: nothing here is published; segments are made one by one.
        self.db = db
        self._conn = conn
        self._generation = -1

    def segment_rows(self, seg: PgSegment, query: str, *params: Any) -> list[Any]:
        return self._conn.execute(sql.SQL(query).format(self.db.s), (seg.seg, *params)).fetchall()

    def shard_rows(self, seg: PgSegment, query: str) -> list[Any]:
        rows = self._conn.execute(sql.SQL(query).format(self.db.s), ([seg.seg],)).fetchall()
        return [tuple(r[1:]) for r in rows]

    def segment(self, seg: int) -> PgSegment:
        s = self.db.s
        row = self._conn.execute(
            sql.SQL("SELECT shard, ndocs FROM {}.segments WHERE seg = %s").format(s), (seg,)
        ).fetchone()
        if row is None:
            raise IndexStateError(f"segment {seg} vanished from its own transaction")
        fields = [
            r[0]
            for r in self._conn.execute(
                sql.SQL("SELECT field FROM {}.lengths WHERE seg = %s ORDER BY field").format(s),
                (seg,),
            )
        ]
        deleted = [
            int(r[0])
            for r in self._conn.execute(
                sql.SQL(
                    "SELECT docnum FROM {}.documents WHERE seg = %s AND deleted IS NOT NULL"
                ).format(s),
                (seg,),
            )
        ]
        return PgSegment(self, seg, int(row[0]), int(row[1]), fields, deleted or None)


class PostgresWriter:
    """Adds, replaces and deletes documents of a PostgreSQL index; ``commit()`` publishes.

    ``on_phase`` (for fault tests) is called with ``"prepared"`` once every shard has prepared,
    ``"decided"`` once the coordinator has recorded the commit and ``"committed"`` once every
    shard has committed, each before the next step.
    """

    def __init__(
        self,
        db: Database,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        on_phase: Callable[[str], None] | None = None,
        budget: MemoryBudget | None = None,
    ) -> None:
        self.db = db
        self.budget = budget or MemoryBudget.of(None)
        self.merge_factor = MERGE_FACTOR
        self.on_phase = on_phase
        db.acquire(lock_timeout)
        self._closed = False
        try:
            self.recovered = db.recover()
            self.generation = db.last_generation()
            next_seg = db.query(
                sql.SQL("SELECT value FROM {}.meta WHERE key = 'next_seg'").format(db.s)
            )
            self._next_seg = int(next_seg[0][0])
        except BaseException:
            self.close()
            raise
        self._reset()

    def _reset(self) -> None:
        self._pending: dict[str, tuple[IndexDoc, bool]] = {}  # id -> (doc, only if absent)
        self._deletes: set[str] = set()  # ids whose committed versions go at the next flush
        self._chars = 0
        self._stored_bytes = 0
        self._open: set[int] = set()  # shards with an open transaction
        self._changed = False
        self._fresh: dict[int, list[int]] = {}  # shard -> segments flushed in its transaction

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> PostgresWriter:
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
        """Discard uncommitted changes and release the lock."""
        if self._closed:
            return
        self._closed = True
        for shard in list(getattr(self, "_open", ())):
            try:
                self.db.shard(shard).rollback()
            except (psycopg.Error, ShardError):
                self.db.drop_shard_connection(shard)
        self._open = set()
        try:
            self.db.unlock()
        except psycopg.Error:
            pass

    def _check_open(self) -> None:
        if self._closed:
            raise IndexStateError("the index writer is closed")

    @property
    def has_changes(self) -> bool:
        return bool(self._pending or self._deletes or self._changed)

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    # -- changes --------------------------------------------------------------------------------

    def add(self, record: Brief | RelatedItem) -> None:
        """Add ``record`` (replacing the document with its id) and a brief's related items
        (each unless a document with its id is already there).

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
                if item.id not in self._pending:
                    self._put(to_index_doc(item), if_absent=True)

    def add_many(self, records: Iterable[Brief | RelatedItem]) -> int:
        n = 0
        for r in records:
            self.add(r)
            n += 1
        return n

    def add_document(self, doc: IndexDoc) -> None:
        self._check_open()
        self._deletes.add(doc.id)
        self._put(doc, if_absent=False)

    def _put(self, doc: IndexDoc, if_absent: bool) -> None:
        self._pending.pop(doc.id, None)  # re-inserted last: documents keep the order of adds
        self._pending[doc.id] = (doc, if_absent)
        self._chars += sum(len(t) for t in doc.fields.values())
        self._stored_bytes += len(doc.stored)
        # The shards' segments are built one after the other: the peak is one shard's share.
        n = len(self.db.servers)
        if self.budget.buffer_full(self._chars // n, self._stored_bytes // n):
            self.flush()

    def delete(self, doc_id: str) -> None:
        """Delete ``doc_id`` (a no-op when it is not in the index)."""
        self._check_open()
        self._pending.pop(doc_id, None)
        self._deletes.add(doc_id)

    # -- flushing -------------------------------------------------------------------------------

    def _begin(self, shard: int) -> psycopg.Connection[Any]:
        conn = self.db.shard(shard)
        if shard not in self._open:
            conn.execute("BEGIN")
            self._open.add(shard)
        return conn

    def flush(self) -> None:
        """Send buffered changes to the shards (inside their open transactions)."""
        self._check_open()
        if not self._pending and not self._deletes:
            return
        gen = self.generation + 1
        deletes = sorted(self._deletes)
        ids = list(self._pending)
        shards = self.db.route(deletes + ids)
        n = len(self.db.servers)
        deletes_of: list[list[str]] = [[] for _ in range(n)]
        for doc_id, shard in zip(deletes, shards, strict=False):
            deletes_of[shard].append(doc_id)
        docs_of: list[list[IndexDoc]] = [[] for _ in range(n)]
        absent_of: list[list[str]] = [[] for _ in range(n)]
        for doc_id, shard in zip(ids, shards[len(deletes) :], strict=True):
            doc, if_absent = self._pending[doc_id]
            docs_of[shard].append(doc)
            if if_absent:
                absent_of[shard].append(doc_id)
        for shard in range(n):
            if not deletes_of[shard] and not docs_of[shard]:
                continue
            with self.db.on_shard(shard):
                conn = self._begin(shard)
                if deletes_of[shard]:
                    conn.execute(
                        sql.SQL(
                            "UPDATE {}.documents SET deleted = %s"
                            " WHERE id = ANY(%s) AND deleted IS NULL"
                        ).format(self.db.s),
                        (gen, deletes_of[shard]),
                    )
                    self._changed = True
                if absent_of[shard]:
                    present = {
                        r[0]
                        for r in conn.execute(
                            sql.SQL(
                                "SELECT id FROM {}.documents WHERE id = ANY(%s) AND deleted IS NULL"
                            ).format(self.db.s),
                            (absent_of[shard],),
                        )
                    }
                    docs_of[shard] = [d for d in docs_of[shard] if d.id not in present]
                if docs_of[shard]:
                    builder = SegmentBuilder()
                    for doc in docs_of[shard]:
                        builder.add(doc)
                    seg = self._next_seg
                    self._next_seg += 1
                    self._copy_segment(conn, shard, seg, gen, builder.finish())
                    self._changed = True
                    self._fresh.setdefault(shard, []).append(seg)
                    self._merge_fresh(shard, conn, gen)
        self._pending = {}
        self._deletes = set()
        self._chars = self._stored_bytes = 0
        trim_caches(self.budget)

    def _copy_segment(
        self,
        conn: psycopg.Connection[Any],
        shard: int,
        seg: int,
        gen: int,
        data: SegmentData,
        ord: int | None = None,
    ) -> None:
        s = self.db.s
        cur = conn.cursor()
        conn.execute(
            sql.SQL(
                "INSERT INTO {}.segments (shard, seg, gen, ndocs, ord) VALUES (%s, %s, %s, %s, %s)"
            ).format(s),
            (shard, seg, gen, data.ndocs, seg if ord is None else ord),
        )
        copy_docs = sql.SQL("COPY {}.documents ({}) FROM STDIN (FORMAT BINARY)").format(
            s, sql.SQL(_DOC_COLS)
        )
        with cur.copy(copy_docs) as copy:
            copy.set_types(_DOC_TYPES)
            dates = data.date.tolist()
            for d in range(data.ndocs):
                copy.write_row(
                    (data.ids[d], shard, seg, d, data.lang[d], data.kind[d], dates[d],
                     data.stored[d])
                )  # fmt: skip
        conn.execute(
            sql.SQL("INSERT INTO {}.columns (shard, seg, data) VALUES (%s, %s, %s)").format(s),
            (shard, seg, columns_row(data)),
        )
        copy_post = sql.SQL("COPY {}.postings ({}) FROM STDIN (FORMAT BINARY)").format(
            s, sql.SQL(_POST_COLS)
        )
        cur.adapters.register_dumper(None, _Int4ArrayDumper)
        with cur.copy(copy_post) as copy:
            copy.set_types(_POST_TYPES)
            for field, fp in data.fields.items():
                docs, tfs, pos = _i4(fp.docs), _i4(fp.tfs), _i4(fp.pos)
                lens = data.lengths[field][np.asarray(fp.docs, dtype=np.intp)]
                sdocs, so = _int4_arrays(np.asarray(fp.docs), fp.start)
                stfs, to = _int4_arrays(np.asarray(fp.tfs), fp.start)
                slens, lo = _int4_arrays(lens, fp.start)
                start = fp.start.tolist()
                pstart = fp.pstart.tolist()
                for i, term in enumerate(fp.terms):
                    a, b = 4 * start[i], 4 * start[i + 1]
                    pa, pb = 4 * pstart[i], 4 * pstart[i + 1]
                    copy.write_row(
                        (shard, field, term, seg, start[i + 1] - start[i], docs[a:b], tfs[a:b],
                         pos[pa:pb], sdocs[so[i] : so[i + 1]], stfs[to[i] : to[i + 1]],
                         slens[lo[i] : lo[i + 1]])
                    )  # fmt: skip
        with cur.copy(
            sql.SQL(
                "COPY {}.lengths (shard, seg, field, docs, total, lens) FROM STDIN (FORMAT BINARY)"
            ).format(s)
        ) as copy:
            copy.set_types(["int4", "int4", "text", "int4", "int8", "bytea"])
            for field, lens in data.lengths.items():
                copy.write_row(
                    (shard, seg, field, int(np.count_nonzero(lens)), int(lens.sum(dtype=np.int64)),
                     _i4(lens))
                )  # fmt: skip
        with cur.copy(
            sql.SQL("COPY {}.langs (shard, seg, lang, docs) FROM STDIN (FORMAT BINARY)").format(s)
        ) as copy:
            copy.set_types(["int4", "int4", "text", "int4"])
            for lang, count in sorted(Counter(data.lang).items()):
                copy.write_row((shard, seg, lang, count))
        copy_dict = "COPY {}.dictionary (shard, seg, name, data) FROM STDIN (FORMAT BINARY)"
        with cur.copy(sql.SQL(copy_dict).format(s)) as copy:
            copy.set_types(["int4", "int4", "text", "bytea"])
            for name, blob in dictionary_rows(data):
                copy.write_row((shard, seg, name, blob))

    # -- commits --------------------------------------------------------------------------------

    def _phase(self, name: str) -> None:
        if self.on_phase is not None:
            self.on_phase(name)

    # -- merges ---------------------------------------------------------------------------------

    def merge(self, force: bool = False) -> None:
        """Merge committed segments of each shard into the next commit (in its transactions):
        ``merge_factor`` adjacent segments of one size tier (the embedded writer's policy), or
        every segment of a shard when ``force``. Documents deleted by then are dropped. The
        sources stay readable by older snapshots: they are marked ``dropped`` at the new
        generation, and their rows are removed :data:`KEEP_DROPPED` generations later."""
        self._check_open()
        gen = self.generation + 1
        snapshot = PgSnapshot(self.db, self.generation)
        for shard in range(len(self.db.servers)):
            segs = [s for s in snapshot.segments if isinstance(s, PgSegment) and s.shard == shard]
            if not segs:
                continue
            numbers = [s.seg for s in segs]
            with self.db.on_shard(shard):
                conn = self._begin(shard)
                for seg, docnum in conn.execute(
                    sql.SQL(
                        "SELECT seg, docnum FROM {}.documents WHERE deleted = %s AND seg = ANY(%s)"
                    ).format(self.db.s),
                    (gen, numbers),
                ):
                    segs[numbers.index(seg)].mark_deleted([int(docnum)])
                if force:
                    one_whole = len(segs) == 1 and segs[0].live is None
                    chosen = None if one_whole else list(range(len(segs)))
                else:
                    chosen = select_merge(
                        [s.live_count for s in segs], self.merge_factor, min_docs=MIN_MERGE_DOCS
                    )
                if not chosen:
                    continue
                data, sources = _merged(segs, chosen)
                ords = conn.execute(
                    sql.SQL("SELECT min(ord) FROM {}.segments WHERE seg = ANY(%s)").format(
                        self.db.s
                    ),
                    (sources,),
                ).fetchone()
                if data.ndocs:
                    seg = self._next_seg
                    self._next_seg += 1
                    self._copy_segment(conn, shard, seg, gen, data, int(ords[0]) if ords else None)
                conn.execute(
                    sql.SQL("UPDATE {}.segments SET dropped = %s WHERE seg = ANY(%s)").format(
                        self.db.s
                    ),
                    (gen, sources),
                )
                conn.execute(
                    sql.SQL(
                        "UPDATE {}.documents SET deleted = %s"
                        " WHERE seg = ANY(%s) AND deleted IS NULL"
                    ).format(self.db.s),
                    (gen, sources),
                )
                self._changed = True

    def _merge_fresh(self, shard: int, conn: psycopg.Connection[Any], gen: int) -> None:
        """Merge the segments this transaction flushed to ``shard`` by the tier policy, so a
        long batch (one commit) leaves few segments. No one ever saw them: the sources' rows
        are deleted at once, in the same transaction."""
        fresh = self._fresh.get(shard, [])
        view = _InTransaction(self.db, conn)
        segs = [view.segment(seg) for seg in fresh]
        chosen = select_merge(
            [s.live_count for s in segs], self.merge_factor, min_docs=MIN_MERGE_DOCS
        )
        if not chosen:
            return
        data, sources = _merged(segs, chosen)
        self._delete_segments(conn, sources)
        kept = [seg for seg in fresh if seg not in sources]
        if data.ndocs:
            seg = self._next_seg
            self._next_seg += 1
            self._copy_segment(conn, shard, seg, gen, data, min(sources))
            kept.insert(min(chosen), seg)
        self._fresh[shard] = kept

    def _delete_segments(self, conn: psycopg.Connection[Any], segs: list[int]) -> None:
        for table in (
            "postings",
            "lengths",
            "langs",
            "dictionary",
            "columns",
            "documents",
            "segments",
        ):
            conn.execute(
                sql.SQL("DELETE FROM {}.{} WHERE seg = ANY(%s)").format(
                    self.db.s, sql.Identifier(table)
                ),
                (segs,),
            )

    def _purge(self, gen: int) -> None:
        """Remove the rows of segments merged away :data:`KEEP_DROPPED` generations before
        ``gen`` (on the shards this commit writes to, in its transactions)."""
        for shard in sorted(self._open):
            with self.db.on_shard(shard) as conn:
                gone = [
                    r[0]
                    for r in conn.execute(
                        sql.SQL("SELECT seg FROM {}.segments WHERE dropped <= %s").format(
                            self.db.s
                        ),
                        (gen - KEEP_DROPPED,),
                    )
                ]
                if gone:
                    self._purged = True
                    self._delete_segments(conn, gone)

    def commit(self, merge: bool = True) -> int:
        """Publish every change since the last commit, on every shard at once; returns the new
        generation. ``merge``: merge segments as the tier policy asks, in the same commit.

        An exception other than :class:`AfterCommitError` means nothing was published (and the
        changes are discarded: the writer is closed). AfterCommitError means the commit was
        decided but a shard could not finish it: it becomes visible, on every shard at once,
        when the index is next opened with that shard reachable.
        """
        self._check_open()
        try:
            self.flush()
            if merge and self.has_changes:
                self.merge()
            self._purged = False
            self._purge(self.generation + 1)
        except BaseException:
            self.close()
            raise
        if not self._open:
            self._changed = False
            return self.db.published()
        gen = self.generation + 1
        shards = sorted(self._open)
        prepared: list[int] = []
        try:
            for shard in shards:
                with self.db.on_shard(shard) as conn:
                    conn.execute(sql.SQL("PREPARE TRANSACTION {}").format(
                        sql.Literal(self.db.gid(gen, shard))))  # fmt: skip
                prepared.append(shard)
            self._open = set()
            self._phase("prepared")
            with self.db.conn.transaction():
                self.db.conn.execute(
                    sql.SQL("INSERT INTO {}.commits (gen, state, shards)"
                            " VALUES (%s, 'committing', %s)").format(self.db.s),
                    (gen, shards),
                )  # fmt: skip
                self.db.conn.execute(
                    sql.SQL("UPDATE {}.meta SET value = %s WHERE key = 'next_seg'").format(
                        self.db.s
                    ),
                    (str(self._next_seg),),
                )
                if self._purged:  # snapshots older than this may miss the rows removed
                    self.db.conn.execute(
                        sql.SQL(
                            "INSERT INTO {}.meta VALUES ('oldest_readable', %s) ON CONFLICT (key)"
                            " DO UPDATE SET value = excluded.value"
                        ).format(self.db.s),
                        (str(gen - KEEP_DROPPED),),
                    )
        except BaseException as exc:
            self._undo(gen, prepared, exc)
            raise
        self._phase("decided")
        try:
            for shard in shards:
                with self.db.on_shard(shard) as conn:
                    conn.execute(sql.SQL("COMMIT PREPARED {}").format(
                        sql.Literal(self.db.gid(gen, shard))))  # fmt: skip
            self._phase("committed")
            self.db.query(
                sql.SQL("UPDATE {}.commits SET state = 'done' WHERE gen = %s RETURNING gen").format(
                    self.db.s
                ),
                (gen,),
            )
        except Exception as exc:
            self.close()
            raise AfterCommitError(
                gen, "commit on the shards (it completes when the index is next opened)", exc
            ) from exc
        self.generation = gen
        self._changed = False
        self._fresh = {}
        return gen

    def _undo(self, gen: int, prepared: list[int], exc: BaseException) -> None:
        """Roll back what a failed first phase prepared (what cannot be reached now is rolled
        back by the next recovery: no decision was recorded), then close."""
        for shard in prepared:
            try:
                with self.db.on_shard(shard) as conn:
                    conn.execute(sql.SQL("ROLLBACK PREPARED {}").format(
                        sql.Literal(self.db.gid(gen, shard))))  # fmt: skip
            except (ShardError, psycopg.Error):
                pass
        self.close()


def _merged(segs: list[PgSegment], chosen: list[int]) -> tuple[SegmentData, list[int]]:
    """The merge of ``segs[i]`` for ``i`` in ``chosen`` (read in full first), with their
    segment numbers. merge_segments reads only what the seam's SegmentSource offers (plus the
    positions in field_arrays and live_count, which PgSegment also gives)."""
    merged = [segs[i] for i in chosen]
    for seg in merged:
        seg.preload()
    return merge_segments(cast("list[SegmentReader]", merged)), [m.seg for m in merged]
