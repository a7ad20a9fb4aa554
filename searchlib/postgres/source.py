"""A PostgreSQL index as the search layer sees it: :class:`PgSnapshot` implements
:class:`searchlib.seam.IndexSource` and :class:`PgSegment` :class:`searchlib.seam.SegmentSource`,
so the one search layer (parser, translation, BM25F, top-k, facets, snippets, twins, related)
runs over PostgreSQL unchanged: there is no second copy of it here.

A snapshot is one published generation: the segments written up to it, each document live unless
a generation up to it deleted it. Rows never change once committed (a deletion only sets the
generation that made it), so a snapshot stays the same while newer commits arrive.

What spans the shards goes through the coordinator, whose partitioned tables send the work to
every shard at once (postgres_fdw, asynchronous foreign scans) and merge what they return:

* a term's postings: one query per term, over every text field of the index and every segment
  (``WHERE term = $1 AND field = ANY($2) AND seg = ANY($3)``, run on the shards through the
  ``(field, term, seg)`` key); its rows become each segment's postings;
* statistics (documents per language, documents per field and length totals: BM25F's N and
  average lengths) from the ``langs`` and ``lengths`` rows of the snapshot's segments.

What belongs to one segment is read on the shard that holds it (nothing to merge), on first use,
and kept by the snapshot: field lengths, the ``columns`` row (ids, titles, lang, kind, date,
countries, sections, links), the ``dictionary`` rows (each field's sorted terms with their
document frequencies, each language's words), stored documents (one at a time, or in growing
blocks when read in order).

A server that cannot be reached is a :class:`~searchlib.postgres.db.ShardError` naming it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

import numpy as np
from psycopg import sql

from searchlib._json import loads
from searchlib._types import LANGS
from searchlib.analysis import get_analyzer
from searchlib.errors import CorruptIndexError, IndexStateError
from searchlib.index.segment import SegmentData
from searchlib.postgres import pushdown
from searchlib.postgres.db import Database
from searchlib.schema import StoredDoc
from searchlib.seam import SegmentSource
from searchlib.search import BM25F, Filters, Results, Searcher
from searchlib.search.collector import Matches, top_k
from searchlib.search.context import SearchContext
from searchlib.search.query import AnyQuery
from searchlib.storage import decode_array_file, decode_strings, encode_array_file, encode_strings

__all__ = ["PgSearcher", "PgSegment", "PgSnapshot"]

_Post = tuple[np.ndarray, np.ndarray, np.ndarray]  # docs, tfs, positions

SHARD_POSTINGS = (
    "SELECT term, seg, field, docs, tfs, positions FROM {}.postings"
    " WHERE term = ANY(%s) AND field = ANY(%s) AND seg = ANY(%s)"
    " UNION ALL SELECT NULL, count(*)::int, NULL, NULL, NULL, NULL FROM {}.segments"
    " WHERE seg = ANY(%s)"
)
"""The postings of terms in a shard's segments of a snapshot (``{}``: the index's schema), run
on the shard by the postings' key, and a row (term NULL) counting the segments the shard
still holds (fewer than asked: the snapshot is older than the rows the index keeps)."""
MAX_PREFETCH = 256
"""The most terms one prefetch asks for (a pasted paragraph is asked term by term)."""
_LENGTHS_ROWS = "SELECT seg, field, lens FROM {}.lengths WHERE seg = ANY(%s)"
_COLUMNS_ROWS = "SELECT seg, data FROM {}.columns WHERE seg = ANY(%s)"
_DICTIONARY_ROWS = "SELECT seg, name, data FROM {}.dictionary WHERE seg = ANY(%s)"
_STORED_ROWS = (
    "SELECT d.seg, d.docnum, d.stored FROM unnest(%s::int[], %s::int[]) AS h(seg, docnum)"
    " JOIN {}.documents d ON d.seg = h.seg AND d.docnum = h.docnum"
)
MAX_STORED_BLOCK = 512
"""The most stored documents one read fetches (when they are read in order)."""
STORED_CACHE = 1024
"""Stored documents a segment keeps once read (hits are read again by later searches)."""


def _uint(a: np.ndarray) -> np.ndarray:
    """``a`` in the smallest unsigned dtype that holds it (the file format's rule: term
    frequencies and lengths times float32 norms stay float32, so scores match to the bit)."""
    top = int(a.max(initial=0))
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return a.astype(dtype)
    return a.astype(np.uint64)


def _i4(raw: Any) -> np.ndarray:
    return np.frombuffer(raw, dtype="<i4")


DICTIONARY = "pg-dictionary"
DICTIONARY_VERSION = 1


COLUMNS = "pg-columns"
COLUMNS_VERSION = 1
_COLUMN_TABLES = ("langs", "kinds", "countries", "sections", "links")
_COLUMN_ARRAYS = (
    "lang", "kind", "date", "countries", "countries_off", "sections", "sections_off",
    "links", "links_off", "titles", "titles_off",
)  # fmt: skip


def _coded(values: Sequence[str]) -> tuple[list[str], np.ndarray]:
    table = sorted(set(values))
    index = {v: i for i, v in enumerate(table)}
    return table, _uint(np.array([index[v] for v in values], dtype=np.int64))


def _csr(lists: Sequence[Sequence[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    table = sorted({v for vs in lists for v in vs})
    index = {v: i for i, v in enumerate(table)}
    off = np.zeros(len(lists) + 1, dtype=np.uint32)
    off[1:] = np.cumsum([len(vs) for vs in lists])
    codes = np.array([index[v] for vs in lists for v in vs], dtype=np.int64)
    return table, off, _uint(codes)


def columns_row(data: SegmentData) -> bytes:
    """The ``columns`` row of a segment: ids, titles and the filter and facet columns, as the
    file format's ``.cols`` holds them (codes into value tables, CSR lists), in one checksummed
    array file, so a search reads them with one query and no per-document parsing."""
    n = data.ndocs
    tables: dict[str, list[str]] = {}
    arrays: dict[str, np.ndarray] = {"date": np.asarray(data.date, dtype=np.int32)}
    tables["langs"], arrays["lang"] = _coded(data.lang)
    tables["kinds"], arrays["kind"] = _coded(data.kind)
    lists = {
        "countries": data.countries,
        "sections": data.sections or [()] * n,
        "links": data.links,
    }
    for col, per_doc in lists.items():
        tables[col], arrays[col + "_off"], arrays[col] = _csr(per_doc)
    arrays["titles"], arrays["titles_off"] = encode_strings(data.titles or [""] * n)
    arrays["ids"], arrays["ids_off"] = encode_strings(data.ids)
    return b"".join(encode_array_file(COLUMNS, COLUMNS_VERSION, arrays, tables))


def dictionary_rows(data: SegmentData) -> list[tuple[str, bytes]]:
    """The ``dictionary`` rows of a segment: each field's sorted terms and document
    frequencies, each language's sorted words and their terms (checksummed array files)."""
    rows = []
    for field, fp in sorted(data.fields.items()):
        terms, terms_off = encode_strings(fp.terms)
        arrays = {"terms": terms, "terms_off": terms_off, "dfs": np.diff(fp.start).astype("<i4")}
        rows.append((field, b"".join(encode_array_file(DICTIONARY, DICTIONARY_VERSION, arrays))))
    for lang, pairs in sorted(data.words.items()):
        words = sorted(pairs)
        w, w_off = encode_strings(words)
        t, t_off = encode_strings([pairs[x] for x in words])
        arrays = {"words": w, "words_off": w_off, "terms": t, "terms_off": t_off}
        blob = b"".join(encode_array_file(DICTIONARY, DICTIONARY_VERSION, arrays))
        rows.append((f"@words/{lang}", blob))
    return rows


class PgSnapshot:
    """One published generation of a PostgreSQL index (a :class:`~searchlib.seam.IndexSource`)."""

    def __init__(self, db: Database, generation: int) -> None:
        self.db = db
        self._generation = generation
        s = db.s
        rows = db.visible_segments(generation)
        self.seg_numbers = [r[0] for r in rows]
        segs = self.seg_numbers
        deleted: dict[int, list[int]] = {}
        for seg, docnum in db.query(
            sql.SQL(
                "SELECT seg, docnum FROM {}.documents WHERE deleted <= %s AND seg = ANY(%s)"
            ).format(s),
            (generation, segs),
        ):
            deleted.setdefault(int(seg), []).append(int(docnum))
        field_rows = db.query(
            sql.SQL("SELECT seg, field, docs, total FROM {}.lengths WHERE seg = ANY(%s)").format(s),
            (segs,),
        )
        fields_of: dict[int, list[str]] = {}
        self._field_docs: dict[str, int] = {}
        self._field_total: dict[str, int] = {}
        for seg, field, docs, total in field_rows:
            fields_of.setdefault(int(seg), []).append(field)
            self._field_docs[field] = self._field_docs.get(field, 0) + int(docs)
            self._field_total[field] = self._field_total.get(field, 0) + int(total)
        self.fields = sorted(self._field_docs)
        self._lang_docs: dict[str, int] = {}
        for lang, docs in db.query(
            sql.SQL(
                "SELECT lang, sum(docs) FROM {}.langs WHERE seg = ANY(%s) GROUP BY lang"
            ).format(s),
            (segs,),
        ):
            self._lang_docs[lang] = int(docs)
        shared = db.segment_caches
        caches = {int(seg): shared.get(int(seg)) or SegmentCache() for seg, _, _ in rows}
        db.segment_caches = caches  # (what the segments of older snapshots hold is let go)
        self._segments = [
            PgSegment(
                self, int(seg), int(shard), int(ndocs), sorted(fields_of.get(int(seg), [])),
                deleted.get(int(seg)), caches[int(seg)],
            )
            for seg, shard, ndocs in rows
        ]  # fmt: skip
        self._deleted = deleted
        self._position = {seg.seg: i for i, seg in enumerate(self._segments)}
        self._fetched: dict[str, dict[tuple[int, str], _Post]] = {}
        self._located: dict[str, tuple[int, int]] | None = None
        self._by_shard: dict[tuple[str, int], dict[int, list[tuple[Any, ...]]]] = {}
        self._saved: bool | None = None

    def __repr__(self) -> str:
        return f"PgSnapshot({self.db.where}, generation={self._generation})"

    # -- IndexSource ------------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def segments(self) -> Sequence[SegmentSource]:
        return self._segments

    def lang_doc_count(self, lang: str | None = None) -> int:
        if lang is None:
            return sum(self._lang_docs.values())
        return self._lang_docs.get(lang, 0)

    def doc_freq(self, field: str, term: str) -> int:
        return sum(int(p[0].size) for (_, f), p in self.term_postings(term).items() if f == field)

    def avg_field_length(self, field: str) -> float:
        n = self._field_docs.get(field, 0)
        return self._field_total.get(field, 0) / n if n else 0.0

    def locate(self, doc_id: str) -> tuple[int, int] | None:
        if self._located is None:
            located: dict[str, tuple[int, int]] = {}
            for i, seg in enumerate(self._segments):
                for d, doc in enumerate(seg.ids):
                    if seg.live is None or seg.live[d]:
                        located[doc] = (i, d)
            self._located = located
        return self._located.get(doc_id)

    def document(self, doc_id: str) -> StoredDoc | None:
        loc = self.locate(doc_id)
        return None if loc is None else self._segments[loc[0]].stored(loc[1])

    def saved(self, name: str) -> bytes | None:
        """A file saved beside the commit (the twin links), from the coordinator's ``saved``
        (an index whose commits saved nothing yet has no such table)."""
        if self._saved is None:
            found = self.db.query(
                "SELECT to_regclass(%s) IS NOT NULL", (f"{self.db.schema}.saved",)
            )
            self._saved = bool(found and found[0][0])
        if not self._saved:
            return None
        rows = self.db.query(
            sql.SQL("SELECT data FROM {}.saved WHERE name = %s").format(self.db.s), (name,)
        )
        return bytes(rows[0][0]) if rows else None

    # -- beyond the Protocol (what the Index facade and evaluation read) ------------------------

    @property
    def doc_count(self) -> int:
        """Live documents."""
        return sum(s.live_count for s in self._segments)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.locate(doc_id) is not None

    def warm(self) -> None:
        """Read what a first search of the snapshot needs from its segments (columns,
        dictionaries, field lengths), on every shard at once, for the segments no earlier
        snapshot of this index has read (published segments never change: they share it)."""
        todo: dict[int, list[PgSegment]] = {}
        for seg in self._segments:
            if seg.d.cols is None or seg.d.terms is None or seg.d.lengths is None:
                todo.setdefault(seg.shard, []).append(seg)
        if not todo:
            return
        queries = (_COLUMNS_ROWS, _DICTIONARY_ROWS, _LENGTHS_ROWS)
        jobs: dict[int, list[tuple[sql.Composed | sql.SQL | str, Any]]] = {
            shard: [(sql.SQL(q).format(self.db.s), ([x.seg for x in segs],)) for q in queries]
            for shard, segs in todo.items()
        }
        for shard, results in self.db.read_shards_many(jobs).items():
            for query, rows in zip(queries, results, strict=True):
                held = self._by_shard[(query, shard)] = {}
                for row in rows:
                    held.setdefault(int(row[0]), []).append(tuple(row[1:]))
        for segs in todo.values():
            for seg in segs:
                seg.load()

    def postings_count(self, groups: Iterable[pushdown.Group]) -> int:
        """How many postings the (field, term) keys of ``groups`` have in the snapshot (read
        already: idf counted their documents)."""
        count = 0
        for field, term in {key for g in groups for key in g.keys}:
            for (_, f), post in self.term_postings(term).items():
                if f == field:
                    count += int(post[0].size)
        return count

    def preload_stored(self, hits: Iterable[tuple[int, int]]) -> None:
        """Read the stored documents of ``hits`` (segment index, doc number) that are not held
        yet: one query per shard, the shards at once (a page of hits would else read them one
        at a time)."""
        want: dict[int, tuple[list[int], list[int]]] = {}
        for i, docnum in hits:
            seg = self._segments[i]
            if docnum not in seg._stored:
                segs, docs = want.setdefault(seg.shard, ([], []))
                segs.append(seg.seg)
                docs.append(docnum)
        if not want:
            return
        statement = sql.SQL(_STORED_ROWS).format(self.db.s)
        jobs = {shard: (statement, pair) for shard, pair in want.items()}
        for rows in self.db.read_shards(jobs).values():
            for seg_number, docnum, raw in rows:
                segment = self._segments[self._position[int(seg_number)]]
                if len(segment._stored) >= max(STORED_CACHE, segment.ndocs + 1):
                    segment._stored.clear()
                segment._stored[int(docnum)] = bytes(raw)

    def segments_by_shard(self) -> dict[int, list[int]]:
        """The snapshot's segment numbers on each shard that holds some."""
        out: dict[int, list[int]] = {}
        for seg in self._segments:
            out.setdefault(seg.shard, []).append(seg.seg)
        return out

    def deleted_count(self) -> int:
        return sum(len(d) for d in self._deleted.values())

    def deleted_keys(self, shard: int) -> list[int]:
        """The deleted documents of the snapshot's segments on ``shard``, as
        ``seg << 32 | docnum`` (what a shard's top-k leaves out)."""
        return [
            (seg.seg << 32) | d
            for seg in self._segments
            if seg.shard == shard
            for d in self._deleted.get(seg.seg, ())
        ]

    # -- reading from the shards ------------------------------------------------------------------

    def prefetch(self, terms: Iterable[str]) -> None:
        """Read the postings of ``terms`` (those not read yet) in one query per shard, the
        shards at once, so a search asks once for the words of its query instead of once per
        word."""
        wanted = sorted({t for t in terms if t not in self._fetched})[:MAX_PREFETCH]
        if wanted:
            self._read_postings(wanted)

    def term_postings(self, term: str) -> dict[tuple[int, str], _Post]:
        """Every posting of ``term`` in every text field and segment (read on every shard at
        once, kept by the snapshot)."""
        got = self._fetched.get(term)
        if got is None:
            self._read_postings([term])
            got = self._fetched[term]
        return got

    def _read_postings(self, terms: list[str]) -> None:
        """The postings of ``terms`` in the snapshot's segments, read on each shard that holds
        some (:data:`SHARD_POSTINGS`, the shards at once), into ``_fetched``. A shard that no
        longer holds every segment asked for means the snapshot is too old."""
        if len(self._fetched) + len(terms) > 100_000:
            self._fetched.clear()
        for term in terms:
            self._fetched[term] = {}
        if not self.seg_numbers:
            return
        statement = sql.SQL(SHARD_POSTINGS).format(self.db.s, self.db.s)
        by_shard = self.segments_by_shard()
        jobs = {
            shard: (statement, (terms, self.fields, segs, segs)) for shard, segs in by_shard.items()
        }
        for shard, rows in self.db.read_shards(jobs, prepare=True).items():
            for term, seg, field, docs, tfs, pos in rows:
                if term is None:
                    if int(seg) < len(by_shard[shard]):
                        for t in terms:
                            del self._fetched[t]
                        raise self.too_old()
                    continue
                self._fetched[term][int(seg), field] = (_i4(docs), _uint(_i4(tfs)), _uint(_i4(pos)))

    def shard_rows(self, seg: PgSegment, query: str) -> list[Any]:
        """Rows of ``query`` for one segment, read for every segment of the snapshot on its
        shard at once (the first search of a snapshot needs them all: one query per shard, not
        one per segment) and handed out segment by segment. ``query`` selects the segment
        first, then the row, ``WHERE seg = ANY(%s)``."""
        key = (query, seg.shard)
        held = self._by_shard.get(key)
        if held is None:
            segs = [s.seg for s in self._segments if s.shard == seg.shard]
            held = self._by_shard[key] = {}
            for row in self.db.read_shard(seg.shard, sql.SQL(query).format(self.db.s), (segs,)):
                held.setdefault(int(row[0]), []).append(tuple(row[1:]))
        rows = held.pop(seg.seg, None)
        if rows is None:
            self._check_kept()
            return []
        return rows

    def segment_rows(self, seg: PgSegment, query: str, *params: Any) -> list[Any]:
        """Rows of ``query`` (its ``{}`` the index's schema) about one segment, read on the
        shard that holds it (one server: nothing to merge). No row: the segment may have been
        removed since (merged away long ago), which raises rather than answer partially."""
        rows = self.db.read_shard(seg.shard, sql.SQL(query).format(self.db.s), (seg.seg, *params))
        if not rows:
            self._check_kept()
        return rows

    def _check_kept(self) -> None:
        """Raise when this snapshot is older than the generations the index keeps readable."""
        found = self.db.query(
            sql.SQL("SELECT value::int FROM {}.meta WHERE key = 'oldest_readable'").format(
                self.db.s
            )
        )
        if found and int(found[0][0]) > self._generation:
            raise self.too_old()

    def too_old(self) -> IndexStateError:
        return IndexStateError(
            f"{self!r} is older than the generations the index keeps readable "
            "(its merged-away segments were removed): search a newer snapshot"
        )


class _LazyArrays(Mapping[str, np.ndarray]):
    """A segment's ``field_arrays``: ``start`` from the term list, ``docs``, ``tfs`` and ``pos``
    (every posting of the field, with positions: a merge reads them) only when asked for."""

    def __init__(self, seg: PgSegment, field: str) -> None:
        self._seg = seg
        self._field = field
        self._arrays: dict[str, np.ndarray] = {"start": seg.starts(field)}

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._arrays and key in ("docs", "tfs", "pos"):
            docs, tfs, pos = [], [], []
            for _, d, t, p in self._seg.segment_postings(self._field):
                docs.append(d)
                tfs.append(t)
                pos.append(p)
            empty = np.zeros(0, np.int32)
            self._arrays["docs"] = np.concatenate(docs) if docs else empty
            self._arrays["tfs"] = _uint(np.concatenate(tfs) if tfs else empty)
            self._arrays["pos"] = _uint(np.concatenate(pos) if pos else empty)
        return self._arrays[key]

    def __iter__(self) -> Iterator[str]:
        return iter(("start", "docs", "tfs", "pos"))

    def __len__(self) -> int:
        return 4


class SegmentCache:
    """What a segment's rows hold, once read (its rows never change once published, so every
    snapshot that has the segment shares one: :meth:`Database.segment_cache`)."""

    __slots__ = ("cols", "dfs", "id_index", "ids", "lengths", "ords", "tables", "terms", "words")

    def __init__(self) -> None:
        self.lengths: dict[str, np.ndarray] | None = None
        self.cols: dict[str, np.ndarray] | None = None
        self.tables: dict[str, list[str]] = {}
        self.ids: list[str] = []
        self.id_index: dict[str, int] | None = None
        self.terms: dict[str, list[str]] | None = None
        self.dfs: dict[str, np.ndarray] = {}
        self.ords: dict[str, dict[str, int]] = {}
        self.words: dict[str, tuple[list[str], list[str]]] = {}


class PgSegment:
    """One segment of a snapshot (a :class:`~searchlib.seam.SegmentSource`); what it reads from
    the shards it keeps, as the snapshot does."""

    def __init__(
        self,
        snapshot: PgSnapshot,
        seg: int,
        shard: int,
        ndocs: int,
        fields: list[str],
        deleted: list[int] | None,
        shared: SegmentCache | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.seg = seg
        self.shard = shard
        self._ndocs = ndocs
        self._fields = fields
        self._live: np.ndarray | None = None
        if deleted:
            self._live = np.ones(ndocs, dtype=bool)
            self._live[deleted] = False
        self.d = SegmentCache() if shared is None else shared
        self._stored: dict[int, bytes] = {}
        self._last_miss = -2
        self._block = 1

    def __repr__(self) -> str:
        return f"PgSegment({self.seg}, shard={self.shard}, ndocs={self._ndocs})"

    def _corrupt(self, detail: str) -> CorruptIndexError:
        return CorruptIndexError(
            f"{self.snapshot.db.shard_name(self.shard)} segment {self.seg}", detail
        )

    @property
    def name(self) -> str:
        return f"pg{self.seg:06d}"

    @property
    def ndocs(self) -> int:
        return self._ndocs

    @property
    def live(self) -> np.ndarray | None:
        return self._live

    @property
    def live_count(self) -> int:
        return self._ndocs if self._live is None else int(self._live.sum())

    @property
    def field_names(self) -> Sequence[str]:
        return self._fields

    @property
    def lengths(self) -> Mapping[str, np.ndarray]:
        if self.d.lengths is None:
            rows = self.snapshot.shard_rows(self, _LENGTHS_ROWS)
            lengths = {field: _uint(_i4(lens)) for field, lens in rows}
            if any(a.size != self._ndocs for a in lengths.values()):
                raise self._corrupt("field lengths do not cover the documents")
            self.d.lengths = lengths
        return self.d.lengths

    # -- columns ----------------------------------------------------------------------------------

    def _load_columns(self) -> dict[str, np.ndarray]:
        """The segment's columns row (ids, titles, filter and facet values), read once."""
        if self.d.cols is not None:
            return self.d.cols
        rows = self.snapshot.shard_rows(self, _COLUMNS_ROWS)
        at = f"{self.snapshot.db.shard_name(self.shard)} segment {self.seg} columns"
        if len(rows) != 1:
            raise CorruptIndexError(at, f"{len(rows)} columns rows")
        f = decode_array_file(bytes(rows[0][0]), at, COLUMNS, COLUMNS_VERSION, COLUMNS_VERSION)
        try:
            cols = {k: f[k] for k in _COLUMN_ARRAYS}
            self.d.ids = decode_strings(f["ids"], f["ids_off"], at, "ids")
            self.d.tables = {k: [str(v) for v in f.meta[k]] for k in _COLUMN_TABLES}
        except (KeyError, TypeError) as exc:
            raise CorruptIndexError(at, f"missing or malformed {exc}") from exc
        n = self._ndocs
        if len(self.d.ids) != n or cols["date"].size != n or cols["titles_off"].size != n + 1:
            raise CorruptIndexError(at, f"columns do not cover the {n} documents")
        self.d.cols = cols
        return cols

    @property
    def cols(self) -> Mapping[str, np.ndarray]:
        return self._load_columns()

    @property
    def col_tables(self) -> Mapping[str, list[str]]:
        self._load_columns()
        return self.d.tables

    @property
    def ids(self) -> Sequence[str]:
        self._load_columns()
        return self.d.ids

    def docnum(self, doc_id: str) -> int:
        if self.d.id_index is None:
            self.d.id_index = {d: i for i, d in enumerate(self.ids)}
        i = self.d.id_index.get(doc_id, -1)
        if i >= 0 and self._live is not None and not self._live[i]:
            return -1
        return i

    def title(self, docnum: int) -> str:
        cols = self._load_columns()
        off = cols["titles_off"]
        raw: bytes = cols["titles"][int(off[docnum]) : int(off[docnum + 1])].tobytes()
        return raw.decode("utf-8", "surrogatepass")

    def doc_values(self, column: str, docnum: int) -> list[str]:
        cols = self._load_columns()
        if column not in cols or column + "_off" not in cols:
            return []
        off = cols[column + "_off"]
        table = self.d.tables[column]
        return [table[int(c)] for c in cols[column][int(off[docnum]) : int(off[docnum + 1])]]

    # -- terms and postings -----------------------------------------------------------------------

    def _vocabulary(self) -> dict[str, list[str]]:
        """Read the segment's dictionary (every field's terms, every language's words) once."""
        if self.d.terms is None:
            terms: dict[str, list[str]] = {}
            where = f"{self.snapshot.db.shard_name(self.shard)} segment {self.seg}"
            for name, blob in self.snapshot.shard_rows(self, _DICTIONARY_ROWS):
                at = f"{where} dictionary {name!r}"
                f = decode_array_file(
                    bytes(blob), at, DICTIONARY, DICTIONARY_VERSION, DICTIONARY_VERSION
                )
                try:
                    if name.startswith("@words/"):
                        words = decode_strings(f["words"], f["words_off"], at, "words")
                        stems = decode_strings(f["terms"], f["terms_off"], at, "terms")
                        if len(words) != len(stems):
                            raise self._corrupt(f"{name}: {len(words)} words, {len(stems)} terms")
                        self.d.words[name[len("@words/") :]] = (words, stems)
                    else:
                        terms[name] = decode_strings(f["terms"], f["terms_off"], at, "terms")
                        self.d.dfs[name] = f["dfs"].astype(np.int64)
                        if self.d.dfs[name].size != len(terms[name]):
                            raise self._corrupt(f"{name}: terms and frequencies differ in number")
                except KeyError as exc:
                    raise self._corrupt(f"{name}: missing array {exc}") from exc
            self.d.terms = terms
        return self.d.terms

    def terms(self, field: str) -> Sequence[str]:
        return self._vocabulary().get(field, [])

    def starts(self, field: str) -> np.ndarray:
        """Where each term's postings start in :meth:`field_arrays` (``len(terms) + 1``)."""
        self._vocabulary()
        dfs = self.d.dfs.get(field, np.zeros(0, np.int64))
        return np.concatenate([[0], np.cumsum(dfs)]).astype(np.int64)

    def words(self, lang: str) -> tuple[Sequence[str], Sequence[str]]:
        self._vocabulary()
        return self.d.words.get(lang, ([], []))

    def term_ord(self, field: str, term: str) -> int:
        index = self.d.ords.get(field)
        if index is None:
            index = self.d.ords[field] = {t: i for i, t in enumerate(self.terms(field))}
        return index.get(term, -1)

    def _postings(self, field: str, term: str) -> _Post | None:
        return self.snapshot.term_postings(term).get((self.seg, field))

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        p = self._postings(field, term)
        return None if p is None else (p[0], p[1])

    def _at(self, field: str, ordinal: int) -> _Post:
        terms = self.terms(field)
        p = self._postings(field, terms[ordinal]) if 0 <= ordinal < len(terms) else None
        if p is None:
            raise self._corrupt(f"{field}: no postings for term number {ordinal}")
        return p

    def postings_at(self, field: str, ordinal: int) -> tuple[np.ndarray, np.ndarray]:
        docs, tfs, _ = self._at(field, ordinal)
        return docs, tfs

    def positions_at(self, field: str, ordinal: int) -> tuple[np.ndarray, np.ndarray]:
        _, tfs, pos = self._at(field, ordinal)
        offs = np.zeros(tfs.size + 1, dtype=np.int64)
        np.cumsum(tfs, out=offs[1:])
        return pos, offs

    def posting_positions(self, field: str, ordinal: int, i: int) -> np.ndarray:
        _, tfs, pos = self._at(field, ordinal)
        a = int(tfs[:i].sum(dtype=np.int64))
        out: np.ndarray = pos[a : a + int(tfs[i])]
        return out

    def segment_postings(self, field: str) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
        """(term, docs, tfs, positions) of every term of ``field``, in term order."""
        rows = self.snapshot.segment_rows(
            self,
            "SELECT term, docs, tfs, positions FROM {}.postings WHERE seg = %s AND field = %s"
            " ORDER BY term",
            field,
        )
        return [(term, _i4(d), _i4(t), _i4(p)) for term, d, t, p in rows]

    def load(self) -> None:
        """Read (or take from what :meth:`PgSnapshot.warm` read) the columns, dictionary and
        field lengths now."""
        self._load_columns()
        self._vocabulary()
        self.lengths  # noqa: B018 (reads them)

    def mark_deleted(self, docnums: list[int]) -> None:
        """Count ``docnums`` as deleted (a writer's own deletions, before its commit)."""
        if self._live is None:
            self._live = np.ones(self._ndocs, dtype=bool)
        self._live[docnums] = False

    def preload(self) -> None:
        """Read every stored document of the segment at once (a merge reads them all)."""
        rows = self.snapshot.segment_rows(
            self, "SELECT docnum, stored FROM {}.documents WHERE seg = %s"
        )
        self._stored = {int(d): bytes(raw) for d, raw in rows}

    def field_arrays(self, field: str) -> Mapping[str, np.ndarray]:
        return _LazyArrays(self, field)

    # -- stored documents -------------------------------------------------------------------------

    def stored_raw(self, docnum: int) -> bytes:
        raw = self._stored.get(docnum)
        if raw is None:
            # A reader going through the documents in order (twins, a merge) gets them in
            # growing blocks; a hit here and there, one at a time.
            sequential = docnum == self._last_miss + self._block
            self._block = min(self._block * 8, MAX_STORED_BLOCK) if sequential else 1
            self._last_miss = docnum
            rows = self.snapshot.segment_rows(
                self,
                "SELECT docnum, stored FROM {}.documents"
                " WHERE seg = %s AND docnum >= %s AND docnum < %s",
                docnum,
                docnum + self._block,
            )
            if len(self._stored) + len(rows) > max(STORED_CACHE, self._ndocs + 1):
                self._stored.clear()
            for d, data in rows:
                self._stored[int(d)] = bytes(data)
            raw = self._stored.get(docnum)
            if raw is None:
                raise self._corrupt(f"document {docnum} is missing")
        return raw

    def stored(self, docnum: int) -> StoredDoc:
        try:
            doc = loads(self.stored_raw(docnum))
        except (ValueError, RecursionError) as exc:
            raise self._corrupt(f"document {docnum}: {exc}") from exc
        if not isinstance(doc, dict):
            raise self._corrupt(f"document {docnum} is not an object")
        return cast(StoredDoc, doc)


class PgSearcher(Searcher):
    """The shared :class:`~searchlib.search.Searcher` over a :class:`PgSnapshot`, which first
    reads the postings of the query's words (as each language's analyzer makes them) in one
    query: a search then asks the shards once for them instead of once per word. Ranking,
    translation and everything else are the searcher's own."""

    reader: PgSnapshot
    push_down = True
    """Whether the shards rank the searches they can (:meth:`matches`); False: the client
    ranks every search from the postings the shards matched (the same results)."""

    def __init__(self, reader: PgSnapshot, bm25: BM25F | None = None) -> None:
        super().__init__(reader, bm25)
        self.reader = reader

    def _prefetch(self, text: str) -> None:
        self.reader.prefetch(t for lang in LANGS for t in get_analyzer(lang).terms(text)[0])

    def matches(
        self,
        q: AnyQuery,
        ctx: SearchContext,
        filters: Filters,
        k: int,
        every: bool,
        restrict: np.ndarray | None = None,
    ) -> tuple[Matches | None, int]:
        """The shards rank (:mod:`searchlib.postgres.pushdown`): each returns its top ``K`` by a
        bound of the query's BM25F and its count; the candidates are scored exactly here, and
        when the bounds of what the shards left out cannot reach the k-th best score, they hold
        the top ``k``. Otherwise more are asked for, or (facets, twins, filters, AND, NOT,
        phrases, deep pages) every match is scored here, from the postings the shards matched."""
        if restrict is not None:  # the query's filter clauses: every match scored here
            found, total = super().matches(q, ctx, filters, k, every, restrict)
        else:
            found, total = self._matches(q, ctx, filters, k, every)
        if found is not None and k:
            order = top_k(found, min(found.total, k))
            self.reader.preload_stored(
                zip(found.segs[order].tolist(), found.docs[order].tolist(), strict=True)
            )
        return found, total

    def _matches(
        self, q: AnyQuery, ctx: SearchContext, filters: Filters, k: int, every: bool
    ) -> tuple[Matches | None, int]:
        if (
            not self.push_down
            or every
            or filters != Filters()
            or k > pushdown.MAX_PUSHED_K
            or not self.reader.seg_numbers
            or self.reader.deleted_count() > pushdown.MAX_DELETED
        ):
            return super().matches(q, ctx, filters, k, every)
        groups = pushdown.bound_plan(q, ctx)
        if groups is None or self.reader.postings_count(groups) > pushdown.MAX_PUSHED_POSTINGS:
            return super().matches(q, ctx, filters, k, every)
        want = pushdown.first_k(k)
        for _ in range(pushdown.MAX_ROUNDS):
            answer = pushdown.shard_top_k(self.reader, ctx, groups, want)
            found, total = pushdown.candidate_matches(q, ctx, answer)
            candidates = sum(len(rows) for rows in answer.rows.values())
            if (0 if found is None else found.total) != candidates or (
                found is not None and not pushdown.bounded(answer, found, self.reader.seg_numbers)
            ):
                break  # (never: every candidate holds a term of the query, so it matches, and
                # no score passes its bound; else the search is ranked on the client)
            if found is None or k == 0 or all(answer.complete(s) for s in answer.rows):
                return found, total
            if found.total >= k:
                kth = float(np.partition(found.scores, found.total - k)[found.total - k])
                if all(
                    answer.complete(s) or answer.lowest(s) * (1 + pushdown.MARGIN) < kth
                    for s in answer.rows
                ):
                    return found, total
            want *= 4
        return super().matches(q, ctx, filters, k, every)

    def search(self, query: Any, *args: Any, **kwargs: Any) -> Results:
        if isinstance(query, str):
            self._prefetch(query)
        return super().search(query, *args, **kwargs)

    def search_text(self, text: str, *args: Any, **kwargs: Any) -> Results:
        self._prefetch(text)
        return super().search_text(text, *args, **kwargs)
