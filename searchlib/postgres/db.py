"""Connections to an index's coordinator and shards, the writer's lock and the commit log.

:class:`Database` is opened from the coordinator's URL. It finds the index's shard servers in the
coordinator's catalog (the ``postgres_fdw`` foreign servers named in the index's ``meta``) and
connects to them directly when it must (writing, two-phase commits, recovery); reads go through
the coordinator. A server that cannot be reached is a :class:`ShardError` naming it.

Commits are atomic across shards (PostgreSQL 15's postgres_fdw has no two-phase commit, so the
writer runs one itself, :meth:`searchlib.postgres.writer.PostgresWriter.commit`): every shard's
transaction is prepared (``PREPARE TRANSACTION 'searchlib:<index>:<gen>:<shard>'``), then the
decision is one row of the coordinator's ``commits`` (state ``committing``), then each shard
commits its prepared transaction, then the row becomes ``done``. Readers read the newest
``done`` generation and filter every row by it, so they see all of a commit or none of it.
:meth:`Database.recover` resolves what a writer that died (or a shard that stopped) left in
doubt: a prepared transaction whose generation was decided is committed, any other is rolled
back, and decided generations whose shards have all committed become ``done``.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg import Connection, sql
from psycopg.conninfo import make_conninfo

from searchlib.errors import (
    IndexFormatTooNewError,
    IndexFormatTooOldError,
    IndexNotFoundError,
    IndexStateError,
    LockError,
    SearchlibError,
)
from searchlib.postgres.schema import FORMAT, create_coordinator, create_shard

__all__ = ["Database", "ShardError", "split_url"]

DEFAULT_SCHEMA = "searchlib"
_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,47}$")
GID_PREFIX = "searchlib"
T = TypeVar("T")


class ShardError(IndexStateError):
    """A server of the index (a shard or the coordinator) cannot be reached or failed; the
    message names it. Nothing is ever answered from the servers that remain."""

    def __init__(self, server: str, detail: str) -> None:
        self.server = server
        super().__init__(f"{server}: {detail}")


def split_url(url: str) -> tuple[str, str, list[str] | None]:
    """(connection URL for libpq, index schema, shard servers): ``?index=NAME`` names the index
    (its schema, ``searchlib`` by default) and ``?shards=S1,S2`` the foreign servers a new
    index is sharded over (default: every postgres_fdw server of the coordinator); both are
    taken out of the URL, other parameters stay."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    names = [v for k, v in query if k == "index"]
    shards = [v for k, v in query if k == "shards"]
    kept = [(k, v) for k, v in query if k not in ("index", "shards")]
    schema = names[-1] if names else DEFAULT_SCHEMA
    if not _SCHEMA_RE.match(schema):
        raise IndexStateError(
            f"index name {schema!r}: use lower-case letters, digits and _ (it is a schema name)"
        )
    conn_url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))
    servers = [x for x in shards[-1].split(",") if x] if shards else None
    return conn_url, schema, servers


def _where(url: str) -> str:
    """The host:port/db of a URL, without credentials (for messages)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "localhost"
    return f"{host}:{parts.port or 5432}{parts.path or ''}"


def _natural(name: str) -> tuple[str, int]:
    m = re.match(r"^(.*?)(\d+)$", name)
    return (m.group(1), int(m.group(2))) if m else (name, -1)


class Database:
    """The coordinator connection of one index, plus on-demand connections to its shards."""

    def __init__(self, url: str, *, create: bool = False) -> None:
        self.url, self.schema, self._wanted = split_url(url)
        self.where = f"coordinator {_where(self.url)}"
        self.conn = self._connect(self.url, self.where)
        self._shard_conns: dict[int, Connection[Any]] = {}
        self._read_conns: dict[int, Connection[Any]] = {}  # never inside a writer's transaction
        self._pool: ThreadPoolExecutor | None = None
        # What the segments of the newest snapshot read (searchlib.postgres.source.SegmentCache,
        # by segment number): published segments never change, so snapshots share it.
        self.segment_caches: dict[int, Any] = {}
        self.s = sql.Identifier(self.schema)
        try:
            self._open(create)
        except BaseException:
            self.close()
            raise

    def _open(self, create: bool) -> None:
        if not self._exists():
            if not create:
                raise IndexNotFoundError(
                    f"no index {self.schema!r} at {self.where} (create it with "
                    f"searchlib.create_index or `searchlib index SRC --index URL`)"
                )
            self._create()
        meta = dict(self.query(sql.SQL("SELECT key, value FROM {}.meta").format(self.s)))
        if int(meta.get("format", "0")) > FORMAT:
            raise IndexFormatTooNewError(
                f"{self.where} schema {self.schema}",
                f"format {meta['format']} is newer than this searchlib reads ({FORMAT})",
            )
        if int(meta.get("format", "0")) < FORMAT:
            raise IndexFormatTooOldError(
                f"{self.where} schema {self.schema}",
                f"format {meta.get('format')} is older than this searchlib reads ({FORMAT}): "
                "index the documents again into a new index (?index=NAME)",
            )
        self.servers: list[str] = meta["shards"].split(",")
        found = [self._server_url(name) for name in self.servers]
        self.shard_urls = [url for url, _ in found]
        self.shard_where = [where for _, where in found]

    # -- connections ----------------------------------------------------------------------------

    @staticmethod
    def _connect(url: str, where: str, **kwargs: Any) -> Connection[Any]:
        try:
            return psycopg.connect(url, autocommit=True, connect_timeout=10, **kwargs)
        except psycopg.Error as exc:
            raise ShardError(where, f"cannot connect ({_first_line(exc)})") from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        for conns in (self._shard_conns, self._read_conns):
            for conn in conns.values():
                conn.close()
            conns.clear()
        self.conn.close()

    def shard_name(self, shard: int) -> str:
        return f"shard {shard} (server {self.servers[shard]}, {self.shard_where[shard]})"

    def shard(self, shard: int) -> Connection[Any]:
        """A connection to shard ``shard`` (opened on first use, autocommit)."""
        conn = self._shard_conns.get(shard)
        if conn is None or conn.closed:
            conn = self._shard_conns[shard] = self._connect(
                self.shard_urls[shard], self.shard_name(shard)
            )
        return conn

    def drop_shard_connection(self, shard: int) -> None:
        conn = self._shard_conns.pop(shard, None)
        if conn is not None:
            conn.close()

    @contextmanager
    def on_shard(self, shard: int) -> Iterator[Connection[Any]]:
        """Shard ``shard``'s connection; a database error is a ShardError naming the shard."""
        try:
            yield self.shard(shard)
        except psycopg.OperationalError as exc:
            self.drop_shard_connection(shard)
            raise ShardError(self.shard_name(shard), _first_line(exc)) from exc

    def read_shard(
        self,
        shard: int,
        statement: sql.Composed | sql.SQL | str,
        params: Any = None,
        binary: bool = False,
        prepare: bool | None = None,
    ) -> list[Any]:
        """Rows of a read on one shard, over a connection of its own (autocommit, so never in a
        writer's open transaction); a failure is a ShardError naming the shard. A connection
        the server closed since its last use (the shard restarted) is opened again, once.
        ``binary``: the rows in PostgreSQL's binary format; ``prepare``: as psycopg's (True: a
        statement run at every search is planned once per connection)."""
        for attempt in (0, 1):
            conn = self._read_conns.get(shard)
            fresh = conn is None or conn.closed
            try:
                if conn is None or conn.closed:
                    conn = self._read_conns[shard] = self._connect(
                        self.shard_urls[shard], self.shard_name(shard)
                    )
                return conn.execute(statement, params, binary=binary, prepare=prepare).fetchall()
            except psycopg.OperationalError as exc:
                dropped = self._read_conns.pop(shard, None)
                if dropped is not None:
                    dropped.close()
                if fresh or attempt:
                    raise ShardError(self.shard_name(shard), _first_line(exc)) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def read_shards(
        self,
        jobs: Mapping[int, tuple[sql.Composed | sql.SQL | str, Any]],
        binary: bool = False,
        prepare: bool | None = None,
    ) -> dict[int, list[Any]]:
        """:meth:`read_shard` on several shards at once (a thread per shard, each on the
        shard's own connection: the servers work in parallel); the first failure is raised."""
        if len(jobs) < 2:
            return {
                shard: self.read_shard(shard, *job, binary, prepare) for shard, job in jobs.items()
            }
        if self._pool is None:
            self._pool = ThreadPoolExecutor(len(self.servers), thread_name_prefix="searchlib-pg")
        futures = {
            shard: self._pool.submit(self.read_shard, shard, *job, binary, prepare)
            for shard, job in jobs.items()
        }
        return {shard: future.result() for shard, future in futures.items()}

    def read_shards_many(
        self, jobs: Mapping[int, list[tuple[sql.Composed | sql.SQL | str, Any]]]
    ) -> dict[int, list[list[Any]]]:
        """Several reads per shard: each shard's in turn, the shards at once."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(len(self.servers), thread_name_prefix="searchlib-pg")

        def one(shard: int) -> list[list[Any]]:
            return [self.read_shard(shard, *job) for job in jobs[shard]]

        futures = {shard: self._pool.submit(one, shard) for shard in jobs}
        return {shard: future.result() for shard, future in futures.items()}

    def query(self, statement: sql.Composed | sql.SQL | str, params: Any = None) -> list[Any]:
        """Rows of a query on the coordinator; an unreachable shard behind it is named."""
        return self.run(lambda: self.conn.execute(statement, params).fetchall())

    def execute(self, statement: sql.Composed | sql.SQL | str, params: Any = None) -> None:
        """A statement on the coordinator that returns no rows."""
        self.run(lambda: self.conn.execute(statement, params))

    def run(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except psycopg.OperationalError as exc:
            raise self._explain(exc) from exc

    def _explain(self, exc: psycopg.Error) -> SearchlibError:
        """A ShardError naming the server behind a failed coordinator query."""
        text = str(exc)
        for i, where in enumerate(self.shard_where):
            port = where.split(":")[-1].split("/")[0]
            if f'server "{self.servers[i]}"' in text or f"port {port} " in text + " ":
                return ShardError(self.shard_name(i), _first_line(exc))
        if self.conn.closed or self.conn.broken:
            return ShardError(self.where, _first_line(exc))
        return ShardError(f"{self.where} (a shard behind it)", _first_line(exc))

    def _server_url(self, server: str) -> tuple[str, str]:
        """The conninfo of a foreign server, from the coordinator's catalog and user mapping,
        and where it is (host:port/db, for messages)."""
        rows = self.query(
            "SELECT s.srvoptions, m.umoptions FROM pg_foreign_server s"
            " LEFT JOIN pg_user_mappings m ON m.srvid = s.oid"
            " AND m.usename IN (current_user, 'public')"
            " WHERE s.srvname = %s ORDER BY m.usename = 'public'",
            (server,),
        )
        if not rows:
            raise IndexStateError(f"{self.where}: the index's shard server {server!r} is gone")
        opts = dict(o.split("=", 1) for o in rows[0][0] or ())
        umap = dict(o.split("=", 1) for o in rows[0][1] or ())
        keep = {k: v for k, v in opts.items() if k in {"host", "port", "dbname", "sslmode"}}
        keep.update({k: v for k, v in umap.items() if k in {"user", "password"}})
        host, port = keep.get("host", "localhost"), keep.get("port", "5432")
        where = f"{host}:{port}/{keep.get('dbname', '')}"
        return make_conninfo("", **keep), where

    # -- creation --------------------------------------------------------------------------------

    def _exists(self) -> bool:
        return bool(
            self.query(
                "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'meta'",
                (self.schema,),
            )
        )

    def _create(self) -> None:
        """Create the index on every foreign server of the coordinator (postgres_fdw)."""
        with self.lock(30.0, "creating the index"):
            if self._exists():
                return
            servers = sorted(
                (
                    r[0]
                    for r in self.query(
                        "SELECT s.srvname FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w"
                        " ON w.oid = s.srvfdw WHERE w.fdwname = 'postgres_fdw'"
                    )
                ),
                key=_natural,
            )
            if self._wanted is not None:
                unknown = [x for x in self._wanted if x not in servers]
                if unknown or not self._wanted or len(set(self._wanted)) != len(self._wanted):
                    raise IndexStateError(
                        f"{self.where}: shards={','.join(self._wanted)} must name distinct "
                        f"postgres_fdw servers of the coordinator (it has {', '.join(servers)})"
                    )
                servers = self._wanted
            if not servers:
                raise IndexStateError(
                    f"{self.where} declares no shard: it needs postgres_fdw foreign servers "
                    "(`searchlib cluster start` makes them; see docs/postgres.md)"
                )
            for i, server in enumerate(servers):
                url, at = self._server_url(server)
                where = f"shard {i} (server {server}, {at})"
                with self._connect(url, where) as conn:
                    prepared = conn.execute("SHOW max_prepared_transactions").fetchone()
                    if not prepared or int(prepared[0]) < 1:
                        raise IndexStateError(
                            f"{where}: max_prepared_transactions is 0; commits across shards "
                            "prepare a transaction on each: set it to at least 2"
                        )
                    with conn.transaction():
                        create_shard(conn, self.schema)
            with self.conn.transaction():
                create_coordinator(self.conn, self.schema, servers)
                self.conn.execute(
                    sql.SQL("INSERT INTO {}.meta VALUES ('format', %s), ('shards', %s),"
                            " ('next_seg', '1')").format(self.s),
                    (str(FORMAT), ",".join(servers)),
                )  # fmt: skip
                self.conn.execute(
                    sql.SQL("INSERT INTO {}.commits VALUES (0, 'done', '{{}}')").format(self.s)
                )

    def route(self, ids: list[str]) -> list[int]:
        """The shard of each id: the hash partition of ``documents`` it belongs to."""
        if not ids:
            return []
        n = len(self.servers)
        rows = self.query(
            "SELECT u.i, r FROM unnest(%s::text[]) WITH ORDINALITY AS u(id, i),"
            " generate_series(0, %s - 1) AS r"
            " WHERE satisfies_hash_partition(%s::regclass, %s, r, u.id)",
            (ids, n, f"{self.schema}.documents", n),
        )
        out = [-1] * len(ids)
        for i, r in rows:
            out[int(i) - 1] = int(r)
        return out

    # -- the writer's lock -----------------------------------------------------------------------

    def _lock_key(self) -> sql.Composable:
        return sql.SQL("hashtextextended({}, 0)").format(sql.Literal(f"searchlib:{self.schema}"))

    def try_lock(self) -> bool:
        row = self.conn.execute(
            sql.SQL("SELECT pg_try_advisory_lock({})").format(self._lock_key())
        ).fetchone()
        return bool(row and row[0])

    def unlock(self) -> None:
        if not self.conn.closed:
            self.conn.execute(sql.SQL("SELECT pg_advisory_unlock({})").format(self._lock_key()))

    @contextmanager
    def lock(self, timeout: float, what: str = "writing") -> Iterator[None]:
        """The index's single-writer lock: a session advisory lock on the coordinator, which
        PostgreSQL releases when the session ends (a writer that dies never keeps it)."""
        self.acquire(timeout, what)
        try:
            yield
        finally:
            self.unlock()

    def acquire(self, timeout: float, what: str = "writing") -> None:
        deadline = time.monotonic() + timeout
        while not self.try_lock():
            if time.monotonic() >= deadline:
                raise LockError(
                    f"index {self.schema!r} at {self.where} is locked by another writer "
                    f"(waited {timeout:g} s for {what})"
                )
            time.sleep(0.05)

    # -- generations -----------------------------------------------------------------------------

    def visible_segments(self, gen: int) -> list[tuple[int, int, int]]:
        """(seg, shard, ndocs) of the segments generation ``gen`` reads, in the order their
        documents were added."""
        rows = self.query(
            sql.SQL(
                "SELECT seg, shard, ndocs FROM {}.segments WHERE gen <= %s"
                " AND (dropped IS NULL OR dropped > %s) ORDER BY ord, seg"
            ).format(self.s),
            (gen, gen),
        )
        return [(int(a), int(b), int(c)) for a, b, c in rows]

    def published(self) -> int:
        """The newest generation every shard has committed: what readers read."""
        rows = self.query(
            sql.SQL("SELECT max(gen) FROM {}.commits WHERE state = 'done'").format(self.s)
        )
        return int(rows[0][0])

    def last_generation(self) -> int:
        rows = self.query(sql.SQL("SELECT max(gen) FROM {}.commits").format(self.s))
        return int(rows[0][0])

    def gid(self, gen: int, shard: int) -> str:
        return f"{GID_PREFIX}:{self.schema}:{gen}:{shard}"

    def prepared(self, shard: int) -> list[tuple[str, int]]:
        """(gid, generation) of the index's prepared transactions on ``shard``."""
        prefix = f"{GID_PREFIX}:{self.schema}:"
        with self.on_shard(shard) as conn:
            rows = conn.execute(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()"
                " AND starts_with(gid, %s)",
                (prefix,),
            ).fetchall()
        return [(g, int(g[len(prefix) :].split(":")[0])) for (g,) in rows]

    def recover(self) -> list[str]:
        """Resolve in-doubt commits (call with the writer's lock held); returns what was done.

        A prepared transaction whose generation the coordinator decided (a ``commits`` row) is
        committed; any other (its writer died before deciding) is rolled back. A decided
        generation becomes ``done`` once no shard holds a transaction of it. A shard that cannot
        be reached raises ShardError: the commit stays in doubt (and invisible) until it can.
        """
        done: list[str] = []
        decided = {
            int(g)
            for (g,) in self.query(
                sql.SQL("SELECT gen FROM {}.commits WHERE state = 'committing'").format(self.s)
            )
        }
        for shard in range(len(self.servers)):
            for gid, gen in self.prepared(shard):
                verb = "COMMIT" if gen in decided else "ROLLBACK"
                with self.on_shard(shard) as conn:
                    conn.execute(sql.SQL(verb + " PREPARED {}").format(sql.Literal(gid)))
                done.append(f"{verb.lower()} {gid}")
        for gen in sorted(decided):
            self.query(
                sql.SQL("UPDATE {}.commits SET state = 'done' WHERE gen = %s RETURNING gen").format(
                    self.s
                ),
                (gen,),
            )
            done.append(f"published generation {gen}")
        return done

    def recover_if_idle(self) -> list[str]:
        """:meth:`recover` when no writer holds the lock (else a writer is at work: nothing)."""
        if not self.try_lock():
            return []
        try:
            return self.recover()
        finally:
            self.unlock()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
