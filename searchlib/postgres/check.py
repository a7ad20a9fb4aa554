"""``check()`` of a PostgreSQL index: the commit protocol's invariants, then every segment's
postings, lengths and statistics recomputed, shard by shard (after :mod:`searchlib.index.check`).

Invariants: no shard holds a prepared transaction of the index and the commit log has no
undecided generation (else a commit is in doubt: opening the index as a writer resolves it);
no shard holds a segment or a deletion of a generation newer than the published one; every
live id is live once, on the shard its hash partition names.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
from psycopg import sql

from searchlib.errors import CorruptIndexError
from searchlib.postgres.source import COLUMNS, COLUMNS_VERSION, DICTIONARY, DICTIONARY_VERSION
from searchlib.storage import decode_array_file, decode_strings

if TYPE_CHECKING:
    from searchlib.postgres.index import PostgresIndex

__all__ = ["check_index"]


def _i4(raw: Any) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype="<i4").astype(np.int64)


def check_index(index: PostgresIndex) -> dict[str, object]:
    db = index.db
    s = db.s
    published = db.published()
    pending = db.query(
        sql.SQL("SELECT gen FROM {}.commits WHERE state <> 'done' ORDER BY gen").format(s)
    )
    if pending:
        raise CorruptIndexError(
            f"{db.where} {db.schema}.commits",
            f"generation {pending[0][0]} is decided but not published on every shard "
            "(open the index for writing to complete it)",
        )
    live_ids: Counter[str] = Counter()
    totals = {"segments": 0, "docs": 0, "postings": 0}
    for shard in range(len(db.servers)):
        where = db.shard_name(shard)
        for gid, _ in db.prepared(shard):
            raise CorruptIndexError(where, f"transaction {gid} is prepared, in doubt")
        with db.on_shard(shard) as conn:
            segs = conn.execute(
                sql.SQL(
                    "SELECT seg, gen, ndocs, shard, dropped FROM {}.segments ORDER BY seg"
                ).format(s)
            ).fetchall()
            for seg, gen, ndocs, seg_shard, dropped in segs:
                at = f"{where} segment {seg}"
                if gen > published or (dropped or 0) > published or seg_shard != shard:
                    raise CorruptIndexError(
                        at,
                        f"generation {gen} (dropped {dropped}) / shard {seg_shard}"
                        " is not published here",
                    )
                # Merged-away segments (kept for older snapshots) are checked, not counted.
                counted = totals if dropped is None else {"segments": 0, "postings": 0}
                _check_segment(conn, s, at, seg, ndocs, counted)
            late = conn.execute(
                sql.SQL("SELECT id, deleted FROM {}.documents WHERE deleted > %s LIMIT 1").format(
                    s
                ),
                (published,),
            ).fetchall()
            if late:
                raise CorruptIndexError(
                    where, f"{late[0][0]!r} deleted by unpublished generation {late[0][1]}"
                )
            ids = [
                r[0]
                for r in conn.execute(
                    sql.SQL("SELECT id FROM {}.documents WHERE deleted IS NULL").format(s)
                )
            ]
        live_ids.update(ids)
        totals["docs"] += len(ids)
        wrong = [i for i, r in zip(ids, db.route(ids), strict=True) if r != shard]
        if wrong:
            raise CorruptIndexError(where, f"ids on the wrong shard: {wrong[:5]}")
    dupes = [d for d, n in live_ids.items() if n > 1]
    if dupes:
        raise CorruptIndexError(f"{db.where} {db.schema}", f"document ids live twice: {dupes[:5]}")
    return {"generation": published, "shards": len(db.servers), **totals}


def _check_segment(
    conn: Any, s: sql.Composable, at: str, seg: int, ndocs: int, totals: dict[str, int]
) -> None:
    totals["segments"] += 1
    rows = conn.execute(
        sql.SQL(
            "SELECT docnum, id, lang, kind, date FROM {}.documents WHERE seg = %s ORDER BY docnum"
        ).format(s),
        (seg,),
    ).fetchall()
    if [r[0] for r in rows] != list(range(ndocs)):
        raise CorruptIndexError(at, f"documents are not numbered 0..{ndocs - 1}")
    blobs = conn.execute(
        sql.SQL("SELECT data FROM {}.columns WHERE seg = %s").format(s), (seg,)
    ).fetchall()
    where = f"{at} columns"
    if len(blobs) != 1:
        raise CorruptIndexError(where, f"{len(blobs)} rows for the segment")
    f = decode_array_file(bytes(blobs[0][0]), where, COLUMNS, COLUMNS_VERSION, COLUMNS_VERSION)
    try:
        ids = decode_strings(f["ids"], f["ids_off"], where, "ids")
        langs, kinds = f.meta["langs"], f.meta["kinds"]
        got = [
            (d, ids[d], langs[int(f["lang"][d])], kinds[int(f["kind"][d])], int(f["date"][d]))
            for d in range(ndocs)
        ]
    except (KeyError, IndexError, TypeError) as exc:
        raise CorruptIndexError(where, f"missing or malformed {exc}") from exc
    if got != [tuple(r) for r in rows]:
        raise CorruptIndexError(where, "ids, languages, kinds or dates differ from the documents")
    langs = dict(
        conn.execute(
            sql.SQL("SELECT lang, count(*) FROM {}.documents WHERE seg = %s GROUP BY lang").format(
                s
            ),
            (seg,),
        ).fetchall()
    )
    stats = dict(
        conn.execute(
            sql.SQL("SELECT lang, docs FROM {}.langs WHERE seg = %s").format(s), (seg,)
        ).fetchall()
    )
    if langs != stats:
        raise CorruptIndexError(at, f"documents per language {stats} differ from rows {langs}")
    lengths: dict[str, np.ndarray] = {}
    for field, docs, total, lens in conn.execute(
        sql.SQL("SELECT field, docs, total, lens FROM {}.lengths WHERE seg = %s").format(s),
        (seg,),
    ):
        arr = _i4(lens)
        if arr.size != ndocs or int(np.count_nonzero(arr)) != docs or int(arr.sum()) != total:
            raise CorruptIndexError(at, f"{field}: lengths and their statistics differ")
        lengths[field] = arr
    recomputed = {f: np.zeros(ndocs, dtype=np.int64) for f in lengths}
    vocab: dict[str, tuple[list[str], list[int]]] = {}
    prev: tuple[str, str] | None = None
    for field, term, df, docs_b, tfs_b, pos_b, sdocs, stfs, slens in conn.execute(
        sql.SQL(
            "SELECT field, term, df, docs, tfs, positions, sdocs, stfs, slens"
            " FROM {}.postings WHERE seg = %s ORDER BY field, term"
        ).format(s),
        (seg,),
    ):
        docs, tfs, pos = _i4(docs_b), _i4(tfs_b), _i4(pos_b)
        name = f"{field} {term!r}"
        if field in lengths and not (
            sdocs == docs.tolist()
            and stfs == tfs.tolist()
            and slens == lengths[field][np.clip(docs, 0, ndocs - 1)].tolist()
        ):
            # (what the shard scores with: pushdown.SHARD_TOP_K)
            raise CorruptIndexError(at, f"{name}: sdocs, stfs, slens differ from the postings")
        if prev is not None and (field, term) <= prev:
            raise CorruptIndexError(at, f"{name}: terms not unique")
        prev = (field, term)
        if docs.size != df or tfs.size != df or df == 0:
            raise CorruptIndexError(at, f"{name}: df {df} for {docs.size} postings")
        if docs.min() < 0 or docs.max() >= ndocs or (np.diff(docs) <= 0).any():
            raise CorruptIndexError(at, f"{name}: doc numbers out of range or order")
        if (tfs <= 0).any() or int(tfs.sum()) != pos.size:
            raise CorruptIndexError(at, f"{name}: positions do not match term frequencies")
        heads = np.zeros(pos.size, dtype=bool)
        heads[np.cumsum(tfs)[:-1]] = True
        if pos.size > 1 and (np.diff(pos)[~heads[1:]] <= 0).any():
            raise CorruptIndexError(at, f"{name}: positions not ascending in a posting")
        if field not in recomputed:
            raise CorruptIndexError(at, f"{name}: field without lengths")
        np.add.at(recomputed[field], docs, tfs)
        totals["postings"] += int(df)
        entry = vocab.setdefault(field, ([], []))
        entry[0].append(term)
        entry[1].append(int(df))
    dictionary: dict[str, tuple[list[str], list[int]]] = {}
    for name, blob in conn.execute(
        sql.SQL("SELECT name, data FROM {}.dictionary WHERE seg = %s").format(s), (seg,)
    ):
        where = f"{at} dictionary {name!r}"
        f = decode_array_file(
            bytes(blob), where, DICTIONARY, DICTIONARY_VERSION, DICTIONARY_VERSION
        )
        try:
            if name.startswith("@words/"):
                words = decode_strings(f["words"], f["words_off"], where, "words")
                if words != sorted(set(words)) or len(
                    decode_strings(f["terms"], f["terms_off"], where, "terms")
                ) != len(words):
                    raise CorruptIndexError(where, "words not sorted, unique, each with a term")
            else:
                terms = decode_strings(f["terms"], f["terms_off"], where, "terms")
                dictionary[name] = (terms, f["dfs"].astype(np.int64).tolist())
        except KeyError as exc:
            raise CorruptIndexError(where, f"missing array {exc}") from exc
    if {k: v for k, v in dictionary.items() if v[0]} != vocab:  # a field of stop words only
        raise CorruptIndexError(at, "the dictionary's terms or frequencies differ from postings")
    for field, arr in lengths.items():
        if not np.array_equal(arr, recomputed[field]):
            raise CorruptIndexError(at, f"{field}: field lengths differ from postings")
