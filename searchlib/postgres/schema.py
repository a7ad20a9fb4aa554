"""The tables of an index on PostgreSQL: on each shard, on the coordinator, and how they meet.

An index lives in one PostgreSQL schema (``searchlib`` unless the URL says ``?index=NAME``) on
the coordinator and on every shard. The shards hold the data; the coordinator holds the commit
log and sees the shards' tables as foreign partitions (``postgres_fdw``) of its own tables, so a
query on the coordinator runs on every shard at once (asynchronous foreign scans) and only the
merge happens there.

On each shard (the embedded engine's segments, as rows; a *segment* is what one flush wrote to
one shard, numbered index-wide, visible from the commit generation ``gen`` that published it):

* ``segments(shard, seg, gen, ndocs, ord, dropped)``: visible from generation ``gen`` until
  ``dropped`` (the generation whose merge replaced it; NULL while it is in use); ``ord`` orders
  segments as their documents were added (a merged segment takes its first source's).
* ``documents(id, shard, seg, docnum, lang, kind, date, stored, deleted)``: one row per
  document version; ``docnum`` numbers the documents of a segment from 0; ``stored`` is the
  JSON of the record (bytea: JSON text may hold a NUL, which PostgreSQL's text cannot);
  ``deleted`` is the generation that deleted or replaced it (NULL while live).
* ``columns(shard, seg, data)``: one row per segment: ids, titles and the filter and facet
  columns (lang, kind, date, countries, sections, links) as the file format's ``.cols`` holds
  them, in searchlib's checksummed array format (``pg-columns``).
* ``postings(shard, field, term, seg, df, docs, tfs, positions)``: one row per field, term and
  segment, keyed by (field, term, seg). ``field`` is per language (``body.es``), terms are
  searchlib's analyzer's; ``docs`` (ascending), ``tfs`` and ``positions`` (each posting's,
  ascending, back to back) are little-endian int32 arrays (what the client reads); ``sdocs``,
  ``stfs`` and ``slens`` the same doc numbers and frequencies and each posting's document length
  in the field, as PostgreSQL arrays (``int4[]``): what the shard itself scores with.
* ``matches`` (a view): one row per posting, ``(shard, field, term, seg, doc, tf, len)``, the
  postings rows unnested. A search's per-shard top-k (:mod:`searchlib.postgres.pushdown`) is
  one aggregate over it, run on each shard.
* ``lengths(shard, seg, field, docs, total, lens)``: each document's length in the field (int32
  array), how many documents have the field and the sum of lengths: BM25F's statistics.
* ``langs(shard, seg, lang, docs)``: documents per language (the statistics per language).
* ``dictionary(shard, seg, name, data)``: the segment's sorted terms of each field (``name``
  the field) with their document frequencies, and the normalized words of each language
  (``@words/<lang>``) with their terms (prefix, wildcard and fuzzy queries expand over words),
  each one blob in searchlib's checksummed array format (``pg-dictionary``): a search reads a
  segment's whole vocabulary in one row per field, not a row per term.

On the coordinator: ``meta(key, value)`` (format version, shard servers, next segment number),
``commits(gen, state, shards, at)`` (``committing`` once the commit is decided, ``done`` once
every shard committed: readers read the newest ``done`` generation), and the tables above as
partitioned tables: ``documents`` PARTITION BY HASH (id), so a document's shard is PostgreSQL's
own hash partitioning of its id (the writer asks the coordinator which partition an id belongs
to), the others PARTITION BY LIST (shard). Each partition is a foreign table on its shard.
``matches_<i>`` is shard ``i``'s ``matches`` view as a plain foreign table (not a partition: a
query on one foreign table is what postgres_fdw sends whole, aggregate, ORDER BY and LIMIT
included, to its server).
"""

from __future__ import annotations

from psycopg import Connection, sql

__all__ = [
    "COORDINATOR_TABLES",
    "FORMAT",
    "SHARD_TABLES",
    "create_coordinator",
    "create_shard",
]

FORMAT = 4
"""The version of the tables' layout, in ``meta``; another one is refused when opened (2 added
the segments' ``ord`` and ``dropped``: merges; 3 the ``dictionary`` and ``columns`` rows; 4 the
postings' ``sdocs``, ``stfs`` and ``slens`` arrays and the ``matches`` view the shards score)."""

_COLUMNS = {
    "segments": (
        "shard int NOT NULL, seg int NOT NULL, gen int NOT NULL, ndocs int NOT NULL,"
        " ord int NOT NULL, dropped int"
    ),
    "documents": (
        'id text COLLATE "C" NOT NULL, shard int NOT NULL, seg int NOT NULL, docnum int NOT NULL,'
        " lang text NOT NULL, kind text NOT NULL, date int NOT NULL,"
        " stored bytea NOT NULL, deleted int"
    ),
    "postings": (
        'shard int NOT NULL, field text COLLATE "C" NOT NULL, term text COLLATE "C" NOT NULL,'
        " seg int NOT NULL, df int NOT NULL, docs bytea NOT NULL, tfs bytea NOT NULL,"
        " positions bytea NOT NULL, sdocs int4[] NOT NULL, stfs int4[] NOT NULL,"
        " slens int4[] NOT NULL"
    ),
    "lengths": (
        'shard int NOT NULL, seg int NOT NULL, field text COLLATE "C" NOT NULL,'
        " docs int NOT NULL, total bigint NOT NULL, lens bytea NOT NULL"
    ),
    "langs": "shard int NOT NULL, seg int NOT NULL, lang text NOT NULL, docs int NOT NULL",
    "dictionary": (
        'shard int NOT NULL, seg int NOT NULL, name text COLLATE "C" NOT NULL, data bytea NOT NULL'
    ),
    "columns": "shard int NOT NULL, seg int NOT NULL, data bytea NOT NULL",
}
_KEYS = {
    "segments": "PRIMARY KEY (seg)",
    "documents": "PRIMARY KEY (seg, docnum)",
    "postings": "PRIMARY KEY (field, term, seg)",
    "lengths": "PRIMARY KEY (seg, field)",
    "langs": "PRIMARY KEY (seg, lang)",
    "dictionary": "PRIMARY KEY (seg, name)",
    "columns": "PRIMARY KEY (seg)",
}
SHARD_TABLES = tuple(_COLUMNS)
COORDINATOR_TABLES = ("meta", "commits", *SHARD_TABLES)


def create_shard(conn: Connection[object], schema: str) -> None:
    """Create the index's tables on a shard (in the current transaction)."""
    s = sql.Identifier(schema)
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(s))
    for table, columns in _COLUMNS.items():
        conn.execute(
            sql.SQL("CREATE TABLE IF NOT EXISTS {}.{} ({}, {})").format(
                s, sql.Identifier(table), sql.SQL(columns), sql.SQL(_KEYS[table])
            )
        )
    # Looking a document up by id (get, replace, delete) among its versions.
    conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS documents_id ON {}.documents (id)").format(s))
    conn.execute(sql.SQL(MATCHES_VIEW).format(s, s))


MATCHES_VIEW = (
    "CREATE OR REPLACE VIEW {}.matches AS SELECT p.shard, p.field, p.term, p.seg,"
    " m.doc, m.tf, m.len FROM {}.postings p, unnest(p.sdocs, p.stfs, p.slens) AS m(doc, tf, len)"
)
"""A shard's postings, one row per posting: a condition on ``field``, ``term`` or ``seg`` is
applied to the postings rows (their primary key) before they are unnested."""
MATCHES_COLUMNS = (
    'shard int, field text COLLATE "C", term text COLLATE "C", seg int, doc int, tf int, len int'
)


def create_coordinator(conn: Connection[object], schema: str, servers: list[str]) -> None:
    """Create the coordinator's tables: the commit log, and a partitioned table per shard table
    whose partitions are foreign tables on ``servers`` (in shard order)."""
    s = sql.Identifier(schema)
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(s))
    conn.execute(
        sql.SQL("CREATE TABLE {}.meta (key text PRIMARY KEY, value text NOT NULL)").format(s)
    )
    conn.execute(
        sql.SQL(
            "CREATE TABLE {}.commits (gen int PRIMARY KEY, state text NOT NULL"
            " CHECK (state IN ('committing', 'done')), shards int[] NOT NULL,"
            " at timestamptz NOT NULL DEFAULT now())"
        ).format(s)
    )
    n = len(servers)
    for table, columns in _COLUMNS.items():
        by = "HASH (id)" if table == "documents" else "LIST (shard)"
        conn.execute(
            sql.SQL("CREATE TABLE {}.{} ({}) PARTITION BY {}").format(
                s, sql.Identifier(table), sql.SQL(columns), sql.SQL(by)
            )
        )
        for i, server in enumerate(servers):
            bounds = (
                sql.SQL("WITH (MODULUS {}, REMAINDER {})").format(sql.Literal(n), sql.Literal(i))
                if table == "documents"
                else sql.SQL("IN ({})").format(sql.Literal(i))
            )
            conn.execute(
                sql.SQL(
                    "CREATE FOREIGN TABLE {}.{} PARTITION OF {}.{} FOR VALUES {} SERVER {}"
                    " OPTIONS (schema_name {}, table_name {})"
                ).format(
                    s,
                    sql.Identifier(f"{table}_{i}"),
                    s,
                    sql.Identifier(table),
                    bounds,
                    sql.Identifier(server),
                    sql.Literal(schema),
                    sql.Literal(table),
                )
            )
    for i, server in enumerate(servers):
        conn.execute(
            sql.SQL(
                "CREATE FOREIGN TABLE {}.{} ({}) SERVER {} OPTIONS (schema_name {}, table_name {})"
            ).format(
                s,
                sql.Identifier(f"matches_{i}"),
                sql.SQL(MATCHES_COLUMNS),
                sql.Identifier(server),
                sql.Literal(schema),
                sql.Literal("matches"),
            )
        )
