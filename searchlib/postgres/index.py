""":class:`PostgresIndex`: the Index API over a sharded PostgreSQL index.

``searchlib.open_index("postgresql://user@host:port/db")`` (and ``create_index``) return one.
Writing goes through :class:`~searchlib.postgres.writer.PostgresWriter` (one writer at a time:
an advisory lock on the coordinator); reading goes through the coordinator, always at one
published generation, so a reader sees each commit whole, on every shard, or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, cast

from psycopg import sql

from searchlib._json import loads
from searchlib.api import Index, IndexReport
from searchlib.errors import AfterCommitError, CorruptIndexError, IndexStateError
from searchlib.index import IndexReader
from searchlib.index.budget import MemoryBudget
from searchlib.index.documents import record_from_stored
from searchlib.index.writer import DEFAULT_LOCK_TIMEOUT, IndexWriter
from searchlib.postgres.db import Database
from searchlib.postgres.saved import SavedFiles
from searchlib.postgres.source import PgSearcher, PgSnapshot
from searchlib.postgres.writer import PostgresWriter
from searchlib.records import Brief, BriefFields, RelatedItem
from searchlib.schema import StoredDoc
from searchlib.search import BM25F, Searcher
from searchlib.search.twins import store_twins_of_commit

__all__ = ["PostgresIndex"]


class PostgresIndex(Index):
    """An index in PostgreSQL, sharded over the coordinator's postgres_fdw servers.

    The same API as the embedded :class:`~searchlib.api.Index` for writing, ``get``, ``stats``,
    ``check``, ``len`` and ``in``. Opening it resolves commits a dead writer left in doubt (when
    no writer is at work). As a context manager, a clean exit commits pending changes and an
    exception discards them.
    """

    def __init__(
        self,
        url: str,
        *,
        create: bool = False,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        bm25: BM25F | None = None,
        memory_mb: int | None = None,
    ) -> None:
        # Not Index.__init__: there is no folder; what reads one is overridden below.
        self.budget = MemoryBudget.of(memory_mb)
        self.bm25 = bm25 or BM25F()
        self.url = url
        self.lock_timeout = lock_timeout
        self.db = Database(url, create=create)
        self._pg_writer: PostgresWriter | None = None
        self._snapshot: PgSnapshot | None = None
        self._closed = False
        self.on_phase: Callable[[str], None] | None = None
        try:
            self.recovered = self.db.recover_if_idle()
            # A first search would read every segment's columns, dictionary and lengths, one
            # shard after another: read them now, on the shards at once.
            self.snapshot().warm()
        except BaseException:
            self.db.close()
            raise

    def __repr__(self) -> str:
        return f"PostgresIndex({self.db.where}, index={self.db.schema!r})"

    def __enter__(self) -> PostgresIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None and self._pg_writer is not None and not self._pg_writer._closed:
            self.commit()
        self.close()

    def close(self) -> None:
        """Release the writer (uncommitted changes are discarded) and the connections."""
        if self._pg_writer is not None:
            self._pg_writer.close()
            self._pg_writer = None
        if not self._closed:
            self._closed = True
            self.db.close()

    # -- writing --------------------------------------------------------------------------------

    @property
    def reader(self) -> IndexReader:
        raise IndexStateError(
            f"{self!r} has no folder reader: snapshot() is what the search layer reads"
        )

    @property
    def writer(self) -> IndexWriter:
        raise IndexStateError(f"{self!r} has no folder writer: use add/delete/commit")

    @property
    def pg_writer(self) -> PostgresWriter:
        """The index's writer, opened (and the lock taken) on first use."""
        if self._closed:
            raise IndexStateError("the index is closed")
        if self._pg_writer is None or self._pg_writer._closed:
            self._pg_writer = PostgresWriter(self.db, self.lock_timeout, self._phase, self.budget)
        return self._pg_writer

    def _phase(self, name: str) -> None:
        if self.on_phase is not None:
            self.on_phase(name)

    def add(self, record: Brief | RelatedItem | BriefFields) -> None:
        """Add or replace (by id) a record; a brief brings its related items."""
        self.pg_writer.add(record.brief() if isinstance(record, BriefFields) else record)

    def add_many(self, records: Iterable[Brief | RelatedItem]) -> int:
        return self.pg_writer.add_many(records)

    def delete(self, doc_id: str) -> None:
        self.pg_writer.delete(doc_id)

    def commit(self, merge: bool = True, *, twins: bool = True) -> int:
        """Publish pending changes on every shard at once; returns the new generation.
        (``merge`` and ``twins`` are accepted for the embedded Index's signature.)"""
        if self._pg_writer is None or self._pg_writer._closed:
            return self.generation
        before = self.generation
        gen = self._pg_writer.commit(merge=merge)
        if twins:
            # As the embedded index does: link the stories' English and Spanish versions once
            # per commit and save the links, so searches (in any process) load them (a
            # failure once the commit is published: AfterCommitError of step "twin links").
            published = gen if gen != before else None
            store_twins_of_commit(published, self.snapshot(), SavedFiles(self.db))
        return gen

    def optimize(self) -> None:
        """Merge each shard's segments into one (deleted documents purged), in one commit.
        As the embedded index's: once a commit is published (what was pending, first), a
        failure is an AfterCommitError of its generation."""
        writer = self.pg_writer
        writer.flush()
        before = self.generation
        gen = writer.commit()  # what is pending becomes segments that can merge
        try:
            writer.merge(force=True)
            last = writer.commit(merge=False) if writer.has_changes else gen
        except AfterCommitError:
            raise
        except Exception as exc:
            if gen == before:
                raise
            raise AfterCommitError(gen, "merge", exc) from exc
        if last > before:
            store_twins_of_commit(last, self.snapshot(), SavedFiles(self.db))

    # -- reading --------------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """The newest published generation (what reads see)."""
        return self.db.published()

    def snapshot(self) -> PgSnapshot:
        """The newest published generation as the search layer reads it (kept, with what it
        has read, until a newer generation is published)."""
        gen = self.generation
        if self._snapshot is None or self._snapshot.generation != gen:
            self._snapshot = PgSnapshot(self.db, gen)
        return self._snapshot

    def searcher(self) -> Searcher:
        """The shared search layer over :meth:`snapshot`: ``search``, ``related``, ``explain``
        and suggestions run as on the embedded index."""
        snapshot = self.snapshot()
        snapshot.warm()  # (the segments a newer generation added)
        return PgSearcher(snapshot, self.bm25)

    def _segments(self, gen: int) -> list[int]:
        return sorted(seg for seg, _, _ in self.db.visible_segments(gen))

    def _live(self) -> tuple[sql.Composable, tuple[Any, ...]]:
        gen = self.generation
        return sql.SQL("seg = ANY(%s) AND (deleted IS NULL OR deleted > %s)"), (
            self._segments(gen),
            gen,
        )

    def stored(self, doc_id: str) -> StoredDoc | None:
        """The stored fields of ``doc_id``, or None."""
        live, params = self._live()
        rows = self.db.query(
            sql.SQL("SELECT stored FROM {}.documents WHERE id = %s AND {}").format(self.db.s, live),
            (doc_id, *params),
        )
        if not rows:
            return None
        doc = loads(bytes(rows[0][0]))
        if not isinstance(doc, dict):
            raise CorruptIndexError(f"{self.db.where} {doc_id!r}", "stored fields not an object")
        return cast(StoredDoc, doc)

    def get(self, doc_id: str) -> Brief | RelatedItem | None:
        """The stored record of ``doc_id``, or None; a brief comes with its related items
        (those still in the index)."""
        doc = self.stored(doc_id)
        if doc is None:
            return None
        related = []
        for rid in doc.get("related", ()):
            stored = self.stored(rid)
            item = None if stored is None else record_from_stored(stored)
            if isinstance(item, RelatedItem):
                related.append(item)
        return record_from_stored(doc, tuple(related))

    def __len__(self) -> int:
        live, params = self._live()
        rows = self.db.query(
            sql.SQL("SELECT count(*) FROM {}.documents WHERE {}").format(self.db.s, live), params
        )
        return int(rows[0][0])

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, str):
            return False
        live, params = self._live()
        rows = self.db.query(
            sql.SQL("SELECT 1 FROM {}.documents WHERE id = %s AND {} LIMIT 1").format(
                self.db.s, live
            ),
            (doc_id, *params),
        )
        return bool(rows)

    def stats(self) -> dict[str, Any]:
        """{"docs", "segments", "generation", "docs_by_kind", "docs_by_lang", "bytes",
        "shards", "docs_by_shard"}."""
        gen = self.generation
        segs = self._segments(gen)
        rows = self.db.query(
            sql.SQL(
                "SELECT shard, kind, lang, count(*) FROM {}.documents WHERE seg = ANY(%s)"
                " AND (deleted IS NULL OR deleted > %s) GROUP BY shard, kind, lang"
            ).format(self.db.s),
            (segs, gen),
        )
        kinds: Counter[str] = Counter()
        langs: Counter[str] = Counter()
        shards: Counter[int] = Counter()
        for shard, kind, lang, n in rows:
            kinds[kind] += int(n)
            langs[lang] += int(n)
            shards[int(shard)] += int(n)
        size = 0  # what the index's tables take on the shards (indexes and TOAST included)
        for shard in range(len(self.db.servers)):
            rows = self.db.read_shard(
                shard,
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relkind = 'r'",
                (self.db.schema,),
            )
            size += int(rows[0][0])
        return {
            "docs": sum(kinds.values()),
            "segments": len(segs),
            "generation": gen,
            "docs_by_kind": dict(sorted(kinds.items())),
            "docs_by_lang": dict(sorted(langs.items())),
            "bytes": size,
            "shards": len(self.db.servers),
            "docs_by_shard": [shards[i] for i in range(len(self.db.servers))],
        }

    def check(self) -> dict[str, object]:
        """Verify every shard against the commit log and recompute statistics from postings;
        raises CorruptIndexError naming the shard and segment."""
        from searchlib.postgres.check import check_index

        return check_index(self)

    # -- batch ----------------------------------------------------------------------------------

    def load_paths(self, paths: Iterable[Any], **kwargs: Any) -> IndexReport:
        """:func:`searchlib.index_paths` into this index."""
        from searchlib.postgres.load import index_paths

        return index_paths(self, paths, **kwargs)
