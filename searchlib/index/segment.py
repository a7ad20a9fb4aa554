"""One immutable segment: its serializer (arrays -> files) and its reader (files -> arrays).

A segment named ``s000001`` is six files, each in the checksummed array format of
:mod:`searchlib.storage.codec`:

* ``.terms`` per field: ``F/terms`` + ``F/terms_off`` (a string table: UTF-8 bytes and n+1
  offsets, sorted), ``F/start`` (u8, n+1: where each term's postings begin) and ``F/pstart``
  (u8, n+1: where its positions begin); ``@words/L/words`` and ``@words/L/terms`` (string
  tables) map the normalized words of language L to their terms. ``F/terms_sig`` and
  ``@words/L/words_sig`` (u4, n; version 3) hold a 32-bit sketch of each term's and word's
  letters (:func:`~searchlib.storage.string_signatures`): did-you-mean rules out most of the
  vocabulary with them before it decodes a word. A file without them (version 2) has them
  computed on first use.
* ``.post``  per field: ``F/docs`` (doc numbers, ascending per term), ``F/tfs``.
* ``.pos``   per field: ``F/pos`` (positions, ascending per posting, grouped like the postings).
* ``.len``   per field: ``F`` (terms per document); meta holds each field's total.
* ``.cols``  column values for filters, facets and lookups: ``lang``, ``kind`` (codes into meta
  tables), ``date`` (days since 1970-01-01, ``NO_DATE`` when unknown), ``countries`` (ISO codes
  of :mod:`searchlib.countries`, or names as written: older segments, unknown countries),
  ``sections`` (absent in older segments: none) and ``links`` (CSR: ``X_off`` + codes),
  ``ids`` + ``ids_off`` (a string table), ``titles`` + ``titles_off``.
* ``.store`` stored fields: UTF-8 JSON objects in compressed blocks of about
  ``STORE_BLOCK_BYTES`` (at most ``STORE_BLOCK`` documents): ``data`` (the blocks back to back),
  ``blocks`` (u8, where each block starts, plus the end), ``firsts`` (u4, the first document
  of each block, plus the doc count) and ``offs`` (u4, n+1: where each document starts inside
  its uncompressed block). Meta ``codec`` names the compression: ``zstd`` (level 1) or
  ``zlib`` (the default when absent).

Every string table stores explicit offsets: no byte is a separator, so a string may hold any
character (NUL included). Format versions are per file (:data:`VERSIONS`), bumped whenever the
bytes change, and every older version is still read:

* ``.terms`` and ``.cols`` version 2: string tables with offsets (version 1 joined strings with
  NUL; a table whose count does not match what it describes, as an id with a NUL in it made,
  raises :class:`CorruptIndexError`).
* ``.terms`` version 3: the letter sketches of the terms and words (``_sig``), made at commit.
* ``.store`` version 2: zstd blocks (version 1 is zlib, or zstd when its meta says so: the
  store moved to zstd before its version was bumped, so a reader of those files that knows only
  zlib calls them corrupt; since version 2 it says they are too new). Version 3: blocks close
  at ``STORE_BLOCK_BYTES`` of documents (4 KiB) instead of every ``STORE_BLOCK`` (16)
  documents, so a hit decompresses about 4 KiB whatever the size of its neighbours (a
  quarter of the time for news briefs, a sixth for long articles; the store grows by about
  15%), and the ``firsts`` array says where blocks start (versions 1 and 2 have none: blocks
  of 16).

A file of a version newer than this code knows raises :class:`IndexFormatTooNewError` ("written
by a newer searchlib"), never a plain corruption error.

Deletions are not part of a segment: they live in ``<segment>_<generation>.del`` files (a packed
bitmap), named by the manifest, so a segment's own files are never rewritten.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

import attrs
import numpy as np
import zstandard

from searchlib._json import loads
from searchlib._types import LANGS
from searchlib.analysis import folded_matches
from searchlib.errors import CorruptIndexError
from searchlib.index.manifest import SegmentEntry
from searchlib.schema import COLUMN_TABLES, LANG_COLUMN, StoredDoc
from searchlib.seam import NO_DATE
from searchlib.storage import (
    ArrayFile,
    Directory,
    StringTable,
    decode_array_file,
    decode_strings,
    encode_array_file,
    encode_strings,
    lower_bound,
    release_pages,
    string_signatures,
)

__all__ = [
    "NO_DATE",
    "FieldPostings",
    "SegmentData",
    "SegmentReader",
    "with_store",
    "write_segment",
    "write_store",
]

VERSION = 1
"""Version of the files whose bytes have not changed since the first format (and of deletes)."""
VERSIONS = {"terms": 3, "post": 1, "pos": 1, "len": 1, "cols": 2, "store": 3}
"""The version each segment file is written in (version 1 of every file is read too)."""
SEGMENT_EXTS = ("terms", "post", "pos", "len", "cols", "store")
_REQUIRED_COLS = frozenset(
    {
        "lang",
        "kind",
        "date",
        "countries",
        "countries_off",
        "links",
        "links_off",
        "ids",
        "titles",
        "titles_off",
    }
)
STORE_BLOCK = 16
"""Most documents in one compressed block of stored fields (every block of a ``.store`` file
of version 1 or 2 holds this many, the last one excepted)."""
STORE_BLOCK_BYTES = 4096
"""A block of stored fields closes once its documents reach this many bytes (uncompressed):
a hit decompresses one block, so its cost stays small whatever the documents' size."""
STORE_CACHE_BYTES = 1 << 20
"""Bytes of decompressed stored-field blocks a segment keeps (the oldest go first): the hits
of a query and of the next page, the related items of a page, share blocks."""
STORE_ZSTD_LEVEL = 1
_MIN_DAY = -719162  # 0001-01-01 in days since 1970-01-01
_MAX_DAY = 2932896  # 9999-12-31
_TERM_MEMO = 1 << 16  # terms a field remembers the ordinal of (then it starts again)
_BISECT_FIRST = 32  # terms a field finds by a plain binary search before its table of heads
_MAX_STORE_BLOCK = 1 << 28  # bytes of one uncompressed block: more is a damaged or hostile file


def smallest_uint(max_value: int) -> type[np.unsignedinteger[Any]]:
    """The narrowest unsigned dtype that holds ``max_value``."""
    if max_value < 1 << 8:
        return np.uint8
    if max_value < 1 << 16:
        return np.uint16
    if max_value < 1 << 32:
        return np.uint32
    return np.uint64


@attrs.define(slots=True)
class FieldPostings:
    """The inverted lists of one field: sorted terms and their postings, as flat arrays."""

    terms: list[str]
    start: np.ndarray  # n+1 offsets into docs/tfs
    docs: np.ndarray
    tfs: np.ndarray
    pstart: np.ndarray  # n+1 offsets into pos
    pos: np.ndarray


@attrs.define(slots=True)
class SegmentData:
    """Everything a segment holds, in memory, ready to be serialized."""

    ndocs: int
    fields: dict[str, FieldPostings]
    lengths: dict[str, np.ndarray]
    ids: list[str]
    lang: list[str]
    kind: list[str]
    date: np.ndarray  # int32 days, NO_DATE when unknown
    countries: list[Sequence[str]]
    links: list[Sequence[str]]
    stored: list[bytes]  # one JSON object per document
    sections: list[Sequence[str]] = attrs.field(factory=list)  # empty: no document has one
    titles: list[str] = attrs.field(factory=list)  # display titles, for hits without the store
    words: dict[str, dict[str, str]] = attrs.field(factory=dict)  # lang -> {word: term}
    store: dict[str, np.ndarray] | None = None  # .store arrays made already (else from stored)
    provenance: list[tuple[str, str | None, dict[str, Any]] | None] = attrs.field(factory=list)
    """Each document's source, url and meta where known (IndexDoc.provenance); not written."""


def _codes(values: list[str]) -> tuple[list[str], np.ndarray]:
    table = sorted(set(values))
    index = {v: i for i, v in enumerate(table)}
    return table, np.array([index[v] for v in values], dtype=smallest_uint(len(table)))


def _csr(lists: list[Sequence[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    table = sorted({v for vs in lists for v in vs})
    index = {v: i for i, v in enumerate(table)}
    off = np.zeros(len(lists) + 1, dtype=np.uint32)
    off[1:] = np.cumsum([len(vs) for vs in lists])
    codes = np.array([index[v] for vs in lists for v in vs], dtype=smallest_uint(len(table)))
    return table, off, codes


class StoreWriter:
    """Stored documents compressed a block at a time as they are added: what a segment's
    ``.store`` holds, built without holding every document uncompressed (a merge adds its
    inputs' documents one by one)."""

    def __init__(self) -> None:
        self._compressor = zstandard.ZstdCompressor(level=STORE_ZSTD_LEVEL)
        self._blocks: list[bytes] = []
        self._pending: list[bytes] = []
        self._offs = array("Q", [0])  # where each document starts inside its block
        self._firsts = array("Q", [0])  # the first document of each block
        self._total = 0

    def add(self, doc: bytes) -> None:
        end = self._offs[-1] + len(doc)
        self._offs[-1:] = array("Q", [self._offs[-1], end])
        self._pending.append(doc)
        self._total += len(doc)
        if end >= STORE_BLOCK_BYTES or len(self._pending) == STORE_BLOCK:
            self._flush()

    def _flush(self) -> None:
        self._blocks.append(self._compressor.compress(b"".join(self._pending)))
        self._firsts.append(self._firsts[-1] + len(self._pending))
        self._pending = []
        self._offs[-1] = 0

    def finish(self) -> dict[str, np.ndarray]:
        """The ``.store`` arrays: ``data``, ``blocks``, ``firsts`` and ``offs`` (see the
        module doc)."""
        if self._pending:
            self._flush()
        # offs[n]: the length of all documents (as written since the first format; readers
        # take the last document's end from its block's length)
        self._offs[-1] = self._total
        starts = np.zeros(len(self._blocks) + 1, dtype=np.uint64)
        starts[1:] = np.cumsum([len(b) for b in self._blocks])
        data = np.frombuffer(b"".join(self._blocks), dtype=np.uint8)
        self._blocks = []
        return {
            "data": data,
            "blocks": starts,
            "firsts": np.array(self._firsts, dtype=np.uint32),
            "offs": np.array(self._offs, dtype=np.uint32),
        }


STORE_BATCH_BYTES = 1 << 20
"""Stored fields compressed in one call of zstd's at most (a few hundred blocks): they are
joined into one buffer for it, so the join copies this much at a time, not a segment's all."""


def _compress_store(docs: Sequence[bytes]) -> dict[str, np.ndarray]:
    """Stored documents in zstd blocks (faster than zlib at the same size; benchmarks/README.md):
    what :class:`StoreWriter` makes of them added one by one, the blocks cut in one pass and
    compressed :data:`STORE_BATCH_BYTES` of documents a call (:func:`_compress_blocks`)."""
    firsts = [0]
    offs = array("Q")
    cuts = [0]  # where each block starts in the documents joined, then their end
    start = end = done = 0  # the block's first document, its bytes so far, bytes before it
    for k, size in enumerate(map(len, docs)):
        offs.append(end)
        end += size
        if end >= STORE_BLOCK_BYTES or k + 1 - start == STORE_BLOCK:
            done += end
            cuts.append(done)
            firsts.append(k + 1)
            start, end = k + 1, 0
    if start < len(docs):
        done += end
        cuts.append(done)
        firsts.append(len(docs))
    offs.append(done)  # the length of all documents
    frames: list[Any] = []
    first = 0  # the first block of the batch
    while first < len(cuts) - 1:
        last = bisect.bisect_right(cuts, cuts[first] + STORE_BATCH_BYTES, first + 2) - 1
        base = cuts[first]
        blob = b"".join(docs[firsts[first] : firsts[last]])
        frames += _compress_blocks(blob, [c - base for c in cuts[first : last + 1]])
        first = last
    starts = np.zeros(len(frames) + 1, dtype=np.uint64)
    starts[1:] = np.cumsum([len(f) for f in frames])
    return {
        "data": np.frombuffer(b"".join(frames), dtype=np.uint8),
        "blocks": starts,
        "firsts": np.array(firsts, dtype=np.uint32),
        "offs": np.array(offs, dtype=np.uint32),
    }


def _compress_blocks(blob: bytes, cuts: Sequence[int]) -> list[Any]:
    """The bytes ``blob[cuts[i]:cuts[i + 1]]`` each compressed as one zstd frame.

    One call of zstd's batch compression makes the same frames as a ``compress`` per block,
    a little faster (news corpus, 5,912 blocks of 4-5 KiB: 101-105 ms instead of 107-111),
    and releases the GIL for all of them at once: the one-process writer compresses in its
    thread while it goes on indexing. The pure-Python (cffi) backend has no batch call, and
    the batch call refuses an empty block: then it compresses block by block."""
    compressor = zstandard.ZstdCompressor(level=STORE_ZSTD_LEVEL)
    bounds = np.asarray(cuts, dtype=np.uint64)
    segments = np.empty((len(cuts) - 1, 2), dtype=np.uint64)  # (offset, length) each
    segments[:, 0] = bounds[:-1]
    segments[:, 1] = np.diff(bounds)
    if len(segments) and segments[:, 1].all():  # (an empty block is a ValueError there)
        try:
            found = compressor.multi_compress_to_buffer(
                zstandard.BufferWithSegments(blob, segments.tobytes()), threads=0
            )
            return [found[i] for i in range(len(found))]
        except (NotImplementedError, AttributeError):  # the cffi backend
            pass
    view = memoryview(blob)
    return [compressor.compress(view[a:b]) for a, b in itertools.pairwise(cuts)]


def _put_strings(
    arrays: dict[str, np.ndarray], key: str, strings: Sequence[str], signed: bool = False
) -> None:
    """Store ``strings`` as the string table ``key`` (bytes) + ``key_off`` (offsets), and
    when ``signed`` each one's :func:`~searchlib.storage.string_signatures` as ``key_sig``."""
    blob, offs = arrays[key], arrays[f"{key}_off"] = encode_strings(strings)
    if signed:
        arrays[f"{key}_sig"] = string_signatures(blob, offs)


def _v1_strings(blob: np.ndarray | None) -> list[str]:
    """A version-1 table: UTF-8 strings joined by NUL (counts are checked by the caller)."""
    if blob is None or blob.size == 0:
        return []
    text: str = blob.tobytes().decode("utf-8", "surrogatepass")
    return text.split("\0")


def write_segment(
    directory: Directory, name: str, data: SegmentData, *, store: bool = True
) -> SegmentEntry:
    """Serialize ``data`` as segment ``name``; returns the segment's manifest entry.

    ``store=False``: every file but the ``.store``, which :func:`write_store` writes (the
    caller adds it to the entry's files, last: :func:`with_store`)."""
    n = data.ndocs
    doc_dtype = smallest_uint(max(n - 1, 0))
    terms_arrays: dict[str, np.ndarray] = {}
    post_arrays: dict[str, np.ndarray] = {}
    pos_arrays: dict[str, np.ndarray] = {}
    for field, fp in sorted(data.fields.items()):
        _put_strings(terms_arrays, f"{field}/terms", fp.terms, signed=True)
        start, pstart = fp.start, fp.pstart
        terms_arrays[f"{field}/start"] = start.astype(smallest_uint(int(start[-1])), copy=False)
        terms_arrays[f"{field}/pstart"] = pstart.astype(smallest_uint(int(pstart[-1])), copy=False)
        post_arrays[f"{field}/docs"] = fp.docs.astype(doc_dtype, copy=False)
        tfs_dtype = smallest_uint(int(fp.tfs.max(initial=0)))
        post_arrays[f"{field}/tfs"] = fp.tfs.astype(tfs_dtype, copy=False)
        pos_dtype = smallest_uint(int(fp.pos.max(initial=0)))
        pos_arrays[f"{field}/pos"] = fp.pos.astype(pos_dtype, copy=False)
    for lang, pairs in sorted(data.words.items()):
        words = sorted(pairs)
        _put_strings(terms_arrays, f"@words/{lang}/words", words, signed=True)
        _put_strings(terms_arrays, f"@words/{lang}/terms", [pairs[w] for w in words])
    len_arrays: dict[str, np.ndarray] = {
        f: a.astype(smallest_uint(int(a.max(initial=0)))) for f, a in sorted(data.lengths.items())
    }
    len_meta: dict[str, Any] = {
        "totals": {f: int(a.sum(dtype=np.uint64)) for f, a in data.lengths.items()}
    }
    langs, lang_codes = _codes(data.lang)
    kinds, kind_codes = _codes(data.kind)
    countries, c_off, c_codes = _csr(data.countries)
    links, l_off, l_codes = _csr(data.links)
    sections, s_off, s_codes = _csr(data.sections or [()] * n)
    encoded_titles = (
        [t.encode("utf-8", "surrogatepass") for t in data.titles] if data.titles else [b""] * n
    )
    titles_off = np.zeros(n + 1, dtype=np.uint64)
    titles_off[1:] = np.cumsum([len(t) for t in encoded_titles])
    cols: dict[str, np.ndarray] = {
        "lang": lang_codes,
        "kind": kind_codes,
        "date": data.date.astype(np.int32),
        "countries_off": c_off,
        "countries": c_codes,
        "links_off": l_off,
        "links": l_codes,
        "sections_off": s_off,
        "sections": s_codes,
        "titles": np.frombuffer(b"".join(encoded_titles), dtype=np.uint8),
        "titles_off": titles_off,
    }
    _put_strings(cols, "ids", data.ids)
    cols_meta: dict[str, Any] = {
        COLUMN_TABLES[LANG_COLUMN]: langs,
        COLUMN_TABLES["kind"]: kinds,
        "countries": countries,
        "links": links,
        "sections": sections,
    }
    files = {}
    parts: tuple[tuple[str, dict[str, np.ndarray], dict[str, Any]], ...] = (
        ("terms", terms_arrays, {"ndocs": n}),
        ("post", post_arrays, {"ndocs": n}),
        ("pos", pos_arrays, {"ndocs": n}),
        ("len", len_arrays, len_meta),
        ("cols", cols, cols_meta),
    )
    for ext, arrays, meta in parts:
        fname = f"{name}.{ext}"
        files[fname] = directory.write(
            fname, encode_array_file(f"segment-{ext}", VERSIONS[ext], arrays, meta)
        )
    entry = SegmentEntry(name, n, tuple(sorted(data.fields)), files)
    if store:
        entry = with_store(entry, write_store(directory, name, n, data.stored, data.store))
    return entry


def write_store(
    directory: Directory,
    name: str,
    ndocs: int,
    stored: Sequence[bytes],
    store: dict[str, np.ndarray] | None = None,
) -> int:
    """Write the ``.store`` file of segment ``name`` (``ndocs`` documents): ``store`` (the
    arrays of a :class:`StoreWriter`), else the documents ``stored`` compressed; returns its
    size. Most of its time is zstd's, which releases the GIL (:func:`_compress_blocks`): the
    one-process writer runs it in a thread while it goes on indexing."""
    arrays = store if store is not None else _compress_store(stored)
    meta = {"ndocs": ndocs, "codec": "zstd"}
    return directory.write(
        f"{name}.store", encode_array_file("segment-store", VERSIONS["store"], arrays, meta)
    )


def with_store(entry: SegmentEntry, size: int) -> SegmentEntry:
    """``entry`` (of :func:`write_segment` with ``store=False``) with its ``.store`` file of
    ``size`` bytes, listed last as :func:`write_segment` lists it."""
    return attrs.evolve(entry, files={**entry.files, f"{entry.name}.store": size})


def _descends(off: np.ndarray, strict: bool = False) -> bool:
    """Whether an offset is below the one before it (``strict``: at or below), the offsets
    read as int64. Integers that int64 holds are compared as they are (no copy and no
    differences: some 20 times faster on a field's offsets, which a first query checks)."""
    if off.dtype.kind in "iu" and off.dtype != np.uint64:
        after, before = off[1:], off[:-1]
        return bool((after <= before).any() if strict else (after < before).any())
    steps = np.diff(off.astype(np.int64))
    return bool((steps <= 0).any() if strict else (steps < 0).any())


_OFFSET_DTYPES = (np.dtype(np.uint32), np.dtype(np.uint64), np.dtype(np.int64))
"""Offsets used as they are stored (encode_strings writes uint32, or uint64 past 4 GB)."""

LATE_EXTS = ("store",)
"""The files of a segment verified and decoded when first used, not when it opens: the
stored fields, which only the documents a search shows are read from (and the largest file
of a segment)."""


class SegmentReader:
    """Read access to one segment: term lookup, postings, positions, lengths, columns, stored docs
    (the file format's :class:`searchlib.seam.SegmentSource`).

    All arrays are views of memory-mapped files. Every file is mapped when the segment opens
    (a missing file, a link or a special file is refused then); a file's checksum is verified,
    and its table of contents and what every read relies on checked, before any byte of it
    is read: when the segment opens, or for the stored fields (:data:`LATE_EXTS`) when they
    are first read (a search that shows no document of the segment never reads them).
    """

    def __init__(self, directory: Directory, entry: SegmentEntry) -> None:
        self.name: str = entry.name
        self.ndocs: int = entry.docs
        deletes = entry.deletes
        self.directory = directory
        self._late: dict[str, memoryview] = {
            ext: directory.read(f"{self.name}.{ext}") for ext in LATE_EXTS
        }  # mapped, not yet verified nor decoded (see _late_file)
        self._files: dict[str, Any] = {}  # decoded, by extension
        for ext in SEGMENT_EXTS:
            if ext not in LATE_EXTS:
                self._files[ext] = self._open(ext)
        self.nbytes = sum(f.nbytes for f in self._files.values()) + sum(
            len(buf) for buf in self._late.values()
        )
        """Bytes of the files this reader holds (mapped: readable even once a writer deletes
        them)."""
        t, p, q = self._files["terms"], self._files["post"], self._files["pos"]
        self.field_names: list[str] = sorted(
            {k.split("/")[0] for k in t.arrays if not k.startswith("@")}
        )
        self._words: dict[str, tuple[list[str], list[str]]] = {}
        self._terms_cache: dict[str, list[str]] = {}
        self._term_index: dict[str, dict[str, int]] = {}  # field -> term -> ordinal, asked
        self._term_keys: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray] | dict[str, int]] = {}
        self._term_asks: dict[str, int] = {}  # field -> terms looked up before _term_keys
        self._term_tables: dict[str, tuple[np.ndarray, np.ndarray] | dict[str, int]] = {}
        self._fields: dict[str, tuple[np.ndarray, ...]] = {}
        self._positions_checked: set[str] = set()  # fields whose every term was checked
        self._terms_checked: set[tuple[str, int]] = set()  # terms whose positions were
        self._t, self._p, self._q = t.arrays, p.arrays, q.arrays
        self.lengths: dict[str, np.ndarray] = self._files["len"].arrays
        self.length_totals: dict[str, int] = self._files["len"].meta.get("totals")
        cols = self._files["cols"]
        self.cols = cols.arrays
        self.col_tables: dict[str, list[str]] = cols.meta
        self._ids: list[str] | None = None
        self._block_cache: dict[int, bytes] = {}
        self._cached_bytes = 0
        self._doc_blocks: tuple[np.ndarray, np.ndarray] | None = None
        self._id_index: dict[str, int] | None = None
        self.live: np.ndarray | None = None  # bool per doc; None when nothing is deleted
        self.deletes_file = deletes
        self._check_shapes()
        if deletes is not None:
            f = decode_array_file(
                directory.read(deletes), directory.describe(deletes), "deletes", VERSION, VERSION
            )
            self.nbytes += f.nbytes
            bits = f.arrays.get("bits")
            if bits is None or bits.dtype != np.uint8 or bits.size != (self.ndocs + 7) // 8:
                raise CorruptIndexError(
                    directory.describe(deletes), f"deletion bitmap does not fit {self.ndocs} docs"
                )
            self.live = ~np.unpackbits(bits, count=self.ndocs).astype(bool)
        self.release_pages()  # what the checks above read: brought in again when used

    def forget_field(self, field: str) -> None:
        """Drop what was decoded and cached of ``field`` (its terms and their index): a merge
        reads each field of its inputs once, so it holds one field's terms at a time."""
        self._terms_cache.pop(field, None)
        self._term_index.pop(field, None)
        self._fields.pop(field, None)

    def release_pages(self) -> None:
        """Let the resident pages of this segment's mapped files go (and its cache of stored
        blocks): a pass over every document (twins at commit) does not keep the whole segment
        in memory. Later reads map the pages in again."""
        self._block_cache.clear()
        self._cached_bytes = 0
        for f in list(self._files.values()):  # (a store may be opened meanwhile)
            release_pages(f.buffer)

    def _open(self, ext: str) -> Any:
        fname = f"{self.name}.{ext}"
        late = self._late.get(ext)
        return decode_array_file(
            self.directory.read(fname) if late is None else late,
            self.directory.describe(fname),
            f"segment-{ext}",
            1,
            VERSIONS[ext],
        )

    def _late_file(self, ext: str) -> ArrayFile:
        """The file ``ext`` of :data:`LATE_EXTS` (mapped when the segment opened): verified,
        decoded and checked on its first use, then kept; a damaged file raises
        CorruptIndexError at each use. (No lock: two threads reading it first at once both
        verify it, and the same file is kept.)"""
        f: ArrayFile | None = self._files.get(ext)
        if f is None:
            f = self._open(ext)
            self._check_store(f)
            self._files[ext] = f
        return f

    def verify(self) -> None:
        """Verify and check every file of the segment now, those read late included
        (``searchlib check``, a writer, a server: see :meth:`IndexReader.verify`)."""
        for ext in LATE_EXTS:
            self._late_file(ext)

    def _corrupt(self, ext: str, detail: str) -> CorruptIndexError:
        return CorruptIndexError(self.directory.describe(f"{self.name}.{ext}"), detail)

    def _check_offsets(self, ext: str, what: str, off: np.ndarray, n: int, end: int) -> None:
        """``off`` must hold n+1 ascending offsets from 0 to ``end``."""
        if (
            off.size == 0
            or off.size != n + 1
            or int(off[0]) != 0
            or int(off[-1]) != end
            or (n > 1 and _descends(off))
        ):
            raise self._corrupt(ext, f"{what}: offsets do not cover their values")

    def _check_codes(self, column: str, codes: np.ndarray, table: str) -> None:
        values = self.col_tables.get(table)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise self._corrupt("cols", f"table {table} is not a list of strings")
        if codes.size and int(codes.max()) >= len(values):
            raise self._corrupt("cols", f"{column}: code outside its table")

    def _check_shapes(self) -> None:
        """What every read relies on, checked when the segment opens (cheap: per document, not
        per posting): sizes match the doc count, offsets ascend and stay inside their arrays,
        codes point into their tables. Postings are checked per field on first use, stored
        fields when their file is (:meth:`_check_store`)."""
        missing = _REQUIRED_COLS.difference(self.cols)
        if self._files["cols"].version >= 2 and "ids_off" not in self.cols:
            missing = missing | {"ids_off"}
        if missing:
            raise self._corrupt("cols", f"missing columns {sorted(missing)}")
        n = self.ndocs
        cols = self.cols
        if any(cols[c].size != n for c in ("lang", "kind", "date")):
            raise self._corrupt("cols", "column sizes differ from doc count")
        for key, arr in self.lengths.items():
            if arr.size != n:
                raise self._corrupt("len", f"{key} has {arr.size} lengths for {n} docs")
        totals = self.length_totals
        if not isinstance(totals, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in totals.values()
        ):
            raise self._corrupt("len", "length totals are not integers")
        self._check_codes(LANG_COLUMN, cols[LANG_COLUMN], COLUMN_TABLES[LANG_COLUMN])
        if not set(self.col_tables[COLUMN_TABLES[LANG_COLUMN]]) <= set(LANGS):
            raise self._corrupt("cols", f"unknown languages {self.col_tables['langs']}")
        self._check_codes("kind", cols["kind"], COLUMN_TABLES["kind"])
        tables = self.col_tables
        if not isinstance(tables, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in tables.values()
        ):
            raise self._corrupt("cols", "column tables are not lists of strings")
        # sections: absent in older segments
        for col in ("countries", "links", *(("sections",) if "sections" in cols else ())):
            if f"{col}_off" not in cols:
                raise self._corrupt("cols", f"missing column {col}_off")
            self._check_offsets("cols", col, cols[f"{col}_off"], n, cols[col].size)
            self._check_codes(col, cols[col], col)
        self._check_offsets("cols", "titles", cols["titles_off"], n, cols["titles"].size)
        if self._files["cols"].version >= 2:  # (ids read one at a time by doc_id rely on it)
            self._check_offsets("cols", "ids", cols["ids_off"], n, cols["ids"].size)
        dates = cols["date"].astype(np.int64)
        known = dates[dates != NO_DATE]
        if known.size and (int(known.min()) < _MIN_DAY or int(known.max()) > _MAX_DAY):
            raise self._corrupt("cols", "date out of range")

    def _check_store(self, store: ArrayFile) -> None:
        """What every read of stored fields relies on, checked when the file is first used:
        its arrays, its blocks' offsets, a document offset per document."""
        n = self.ndocs
        if not {"data", "blocks", "offs"} <= store.arrays.keys():
            raise self._corrupt("store", "missing arrays")
        firsts = store.arrays.get("firsts")
        if store.version >= 3 and firsts is None:
            raise self._corrupt("store", "missing arrays")
        if firsts is None:  # versions 1 and 2: blocks of STORE_BLOCK documents
            blocks = -(-n // STORE_BLOCK)
        else:
            blocks = firsts.size - 1
            self._check_offsets("store", "firsts", firsts, blocks, n)
            if n and _descends(firsts, strict=True):
                raise self._corrupt("store", "firsts: a block without documents")
        self._check_offsets("store", "blocks", store["blocks"], blocks, store["data"].size)
        if store["offs"].size != n + 1:
            raise self._corrupt("store", "document offsets differ from doc count")

    # -- terms and postings -------------------------------------------------------------------

    def _strings(self, ext: str, key: str) -> list[str]:
        """A string table of the ``ext`` file ([] when absent)."""
        f = self._files[ext]
        blob = f.arrays.get(key)
        if f.version < 2:
            try:
                return _v1_strings(blob)
            except UnicodeDecodeError as exc:
                raise self._corrupt(ext, f"{key}: not UTF-8") from exc
        offs = f.arrays.get(f"{key}_off")
        if blob is None and offs is None:
            return []
        if blob is None or offs is None:
            raise self._corrupt(ext, f"string table {key} lacks its bytes or offsets")
        return decode_strings(blob, offs, self.directory.describe(f"{self.name}.{ext}"), key)

    def terms(self, field: str) -> list[str]:
        """The sorted terms of ``field`` (decoded once, then cached)."""
        terms = self._terms_cache.get(field)
        if terms is None:
            terms = self._strings("terms", f"{field}/terms")
            start = self._t.get(f"{field}/start")
            if len(terms) != (0 if start is None else start.size - 1):
                raise self._corrupt("terms", f"{field}: {len(terms)} terms for their offsets")
            self._terms_cache[field] = terms
        return terms

    def words(self, lang: str) -> tuple[list[str], list[str]]:
        """The segment's vocabulary in ``lang``: sorted normalized words and each word's term."""
        out = self._words.get(lang)
        if out is None:
            words = self._strings("terms", f"@words/{lang}/words")
            terms = self._strings("terms", f"@words/{lang}/terms")
            if len(words) != len(terms):
                raise self._corrupt("terms", f"word list of {lang} does not match its terms")
            out = self._words[lang] = (words, terms)
        return out

    def _table(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The bytes and offsets of the ``terms`` file's string table ``key``, or None when
        it is absent or of version 1 (NUL-joined, no offsets)."""
        f = self._files["terms"]
        blob, offs = f.arrays.get(key), f.arrays.get(f"{key}_off")
        if f.version < 2 or blob is None or offs is None:
            return None
        return blob, offs

    def word_tables(self, lang: str) -> tuple[StringTable, StringTable] | None:
        """The undecoded string tables of :meth:`words` (the words, their terms), or None when
        the ``terms`` file is of version 1 or holds no words of ``lang``: did-you-mean filters
        the words in numpy and decodes the few it compares."""
        words_t = self._table(f"@words/{lang}/words")
        terms_t = self._table(f"@words/{lang}/terms")
        if words_t is None or terms_t is None:
            return None
        if words_t[1].size != terms_t[1].size:
            raise self._corrupt("terms", f"word list of {lang} does not match its terms")
        path = self.directory.describe(f"{self.name}.terms")
        key = f"@words/{lang}/words"
        return (
            StringTable(*words_t, path, key, self._t.get(f"{key}_sig")),
            StringTable(*terms_t, path, f"@words/{lang}/terms"),
        )

    def term_table(self, field: str) -> StringTable | None:
        """The undecoded string table of :meth:`terms`, or None (version 1, or no terms)."""
        table = self._table(f"{field}/terms")
        if table is None:
            return None
        start = self._t.get(f"{field}/start")
        if table[1].size != (1 if start is None else start.size):
            raise self._corrupt("terms", f"{field}: {table[1].size - 1} terms for their offsets")
        key = f"{field}/terms"
        path = self.directory.describe(f"{self.name}.terms")
        return StringTable(*table, path, key, self._t.get(f"{key}_sig"))

    def term_ord(self, field: str, term: str) -> int:
        """The ordinal of ``term`` in ``field``, or -1.

        A binary search of the field's sorted term table as stored (UTF-8 bytes, whose order
        is the terms' order), through the first 8 bytes of each term as one sorted uint64
        array: opening a field costs eight vectorised passes over its offsets instead of
        decoding every term into a dict. Each field remembers the terms it was asked for.
        """
        memo = self._term_index.get(field)
        if memo is None:
            memo = self._term_index[field] = {}
        found = memo.get(term)
        if found is None:
            found = self._find_term(field, term)
            if len(memo) >= _TERM_MEMO:
                memo.clear()
            memo[term] = found
        return found

    def _find_term(self, field: str, term: str) -> int:
        keys = self._term_keys.get(field)
        if keys is None:
            asked = self._term_asks.get(field, 0)
            if asked < _BISECT_FIRST:  # a few terms: a binary search of the table as stored
                self._term_asks[field] = asked + 1
                return self._bisect_term(field, term)
            keys = self._term_keys[field] = self._sorted_keys(field)
        if isinstance(keys, dict):  # a version 1 file: its decoded terms
            return keys.get(term, -1)
        heads, buf, ends = keys
        key = term.encode("utf-8", "surrogatepass")
        head = int.from_bytes(key[:8].ljust(8, b"\0"), "big")
        lo = int(np.searchsorted(heads, head, "left"))
        hi = int(np.searchsorted(heads, head, "right"))
        lo = lower_bound(buf, ends, key, lo, hi)  # those sharing the 8 bytes, by their whole bytes
        if lo < heads.size and buf[ends[lo] : ends[lo + 1]].tobytes() == key:
            return lo
        return -1

    def _bisect_term(self, field: str, term: str) -> int:
        """:meth:`_find_term` by a binary search of the whole terms (no table of first bytes:
        the first terms a field is asked for, as a first query's, need none)."""
        table = self._term_bytes(field)
        if isinstance(table, dict):
            return table.get(term, -1)
        buf, ends = table
        key = term.encode("utf-8", "surrogatepass")
        n = ends.size - 1
        lo = lower_bound(buf, ends, key, 0, n)
        if lo < n and buf[ends[lo] : ends[lo + 1]].tobytes() == key:
            return lo
        return -1

    def _term_bytes(self, field: str) -> tuple[np.ndarray, np.ndarray] | dict[str, int]:
        """(the terms table's bytes, its offsets) of ``field``, checked like :meth:`terms`
        checks the table it decodes; the decoded terms of a version 1 file."""
        found = self._term_tables.get(field)
        if found is not None:
            return found
        table = self._table(f"{field}/terms")
        if table is None:
            found = {t: i for i, t in enumerate(self.terms(field))}
        else:
            blob, offs = table
            buf = blob.view(np.uint8) if blob.dtype != np.uint8 else blob
            # the offsets as stored (no copy of a field's offsets: a first query opens a few
            # dozen), another integer type made int64; compared, never subtracted below 0
            ends = offs if offs.dtype in _OFFSET_DTYPES else offs.astype(np.int64)
            start = self._t.get(f"{field}/start")
            if (
                ends.size == 0
                or ends[0] != 0
                or ends[-1] != buf.size
                or bool((ends[1:] < ends[:-1]).any())
                or ends.size != (1 if start is None else start.size)
            ):
                raise self._corrupt("terms", f"{field}: term offsets do not cover the terms")
            found = (buf, ends)
        self._term_tables[field] = found
        return found

    def _sorted_keys(
        self, field: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | dict[str, int]:
        """(first 8 bytes of each term as a big-endian number, the table's bytes, its offsets),
        checked like :meth:`terms` checks the table it decodes."""
        table = self._term_bytes(field)
        self._term_tables.pop(field, None)  # (kept here from now on)
        if isinstance(table, dict):
            return table
        buf, ends = table
        firsts, lengths = ends[:-1], np.diff(ends)
        # the 8 bytes from each term's start at once (a window of the table padded with 8
        # zeros), as a big-endian number; the bytes past a term's end (the next term's) shifted
        # out and back as zeros
        padded = np.zeros(buf.size + 8, dtype=np.uint8)
        padded[: buf.size] = buf
        windows = np.lib.stride_tricks.sliding_window_view(padded, 8)[firsts]
        raw = windows.view(">u8").ravel().astype(np.uint64)
        cut = (np.uint64(8) - np.minimum(lengths, 8).astype(np.uint64)) * np.uint64(8)
        heads = np.where(lengths > 0, (raw >> (cut % np.uint64(64))) << cut % np.uint64(64), 0)
        return heads.astype(np.uint64, copy=False), buf, ends

    def _field(self, field: str) -> tuple[np.ndarray, ...]:
        """(start, pstart, docs, tfs, pos) of ``field``, checked on first use: offsets ascend
        and cover the postings, doc numbers are in range (so no read can run past an array or
        allocate more than it holds). That a term's frequencies add up to its positions is
        checked when its positions are read (:meth:`positions_at`, :meth:`posting_positions`;
        :meth:`field_arrays` checks every term): a pass over every posting of a field, which
        a first query reading a few terms' postings does not pay."""
        arrays = self._fields.get(field)
        if arrays is None:
            try:
                start, pstart = self._t[f"{field}/start"], self._t[f"{field}/pstart"]
                docs, tfs = self._p[f"{field}/docs"], self._p[f"{field}/tfs"]
                pos = self._q[f"{field}/pos"]
            except KeyError as exc:
                raise self._corrupt("terms", f"{field}: missing array {exc}") from exc
            n = start.size - 1
            self._check_offsets("terms", f"{field} postings", start, n, docs.size)
            self._check_offsets("terms", f"{field} positions", pstart, n, pos.size)
            if tfs.size != docs.size:
                raise self._corrupt("post", f"{field}: {tfs.size} frequencies, {docs.size} docs")
            if docs.size and int(docs.max()) >= self.ndocs:
                raise self._corrupt("post", f"{field}: doc number out of range")
            if n and docs.size:
                if _descends(start, strict=True):
                    raise self._corrupt("terms", f"{field}: a term without postings")
            arrays = self._fields[field] = (start, pstart, docs, tfs, pos)
        return arrays

    def _check_positions(self, field: str) -> None:
        """Every term's frequencies of ``field`` add up to its positions (once per field)."""
        if field in self._positions_checked:
            return
        start, pstart, docs, tfs, _ = self._field(field)
        if start.size > 1 and docs.size:
            sums = np.add.reduceat(tfs, start[:-1].astype(np.int64), dtype=np.int64)
            if not np.array_equal(sums, np.diff(pstart.astype(np.int64))):
                raise self._corrupt("pos", f"{field}: positions do not match frequencies")
        self._positions_checked.add(field)

    def _term_positions(self, field: str, ordinal: int) -> tuple[np.ndarray, int, int]:
        """(term frequencies, first and end position) of a term, checked to add up."""
        start, pstart, _, tfs, _ = self._field(field)
        t = tfs[int(start[ordinal]) : int(start[ordinal + 1])]
        a, b = int(pstart[ordinal]), int(pstart[ordinal + 1])
        key = (field, ordinal)
        if key not in self._terms_checked:
            if int(t.sum(dtype=np.int64)) != b - a:
                raise self._corrupt("pos", f"{field}: positions do not match frequencies")
            if len(self._terms_checked) >= _TERM_MEMO:
                self._terms_checked.clear()
            self._terms_checked.add(key)
        return t, a, b

    def doc_freq(self, field: str, term: str) -> int:
        i = self.term_ord(field, term)
        if i < 0:
            return 0
        start = self._field(field)[0]
        return int(start[i + 1] - start[i])

    def postings_at(self, field: str, ordinal: int) -> tuple[np.ndarray, np.ndarray]:
        """Doc numbers and term frequencies of the term with this ordinal."""
        start, _, docs, tfs, _ = self._field(field)
        a, b = int(start[ordinal]), int(start[ordinal + 1])
        return docs[a:b], tfs[a:b]

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        i = self.term_ord(field, term)
        return None if i < 0 else self.postings_at(field, i)

    def positions_at(self, field: str, ordinal: int) -> tuple[np.ndarray, np.ndarray]:
        """All positions of the term (grouped per posting) and each posting's offset in them."""
        pos = self._field(field)[4]
        t, a, b = self._term_positions(field, ordinal)
        offs = np.zeros(t.size + 1, dtype=np.int64)
        np.cumsum(t, out=offs[1:])
        return pos[a:b], offs

    def posting_positions(self, field: str, ordinal: int, i: int) -> np.ndarray:
        """The positions of the term with this ordinal in its ``i``-th posting."""
        pos = self._field(field)[4]
        t, a, _ = self._term_positions(field, ordinal)
        a += int(t[:i].sum())
        out: np.ndarray = pos[a : a + int(t[i])]
        return out

    def field_arrays(self, field: str) -> dict[str, np.ndarray]:
        """The raw arrays of a field (for merging and checking), every term checked."""
        self._check_positions(field)
        start, pstart, docs, tfs, pos = self._field(field)
        return {"start": start, "pstart": pstart, "docs": docs, "tfs": tfs, "pos": pos}

    # -- documents ----------------------------------------------------------------------------

    @property
    def ids(self) -> list[str]:
        if self._ids is None:
            ids = self._strings("cols", "ids")
            if self._files["cols"].version < 2 and not ids and self.ndocs == 1:
                ids = [""]  # version 1: an empty table is one document whose id is ""
            if len(ids) != self.ndocs:
                raise self._corrupt(
                    "cols",
                    f"{len(ids)} ids for {self.ndocs} documents"
                    + (
                        " (format version 1 joined ids with NUL: an id holding NUL cannot be"
                        " read back; index the documents again)"
                        if self._files["cols"].version < 2
                        else ""
                    ),
                )
            self._ids = ids
        return self._ids

    def doc_id(self, docnum: int) -> str:
        """The id of one document, decoded alone (a pass over some documents of a large
        segment does not decode and hold its whole id table, as :attr:`ids` does)."""
        off = self.cols.get("ids_off")
        if self._ids is not None or off is None or off.size != self.ndocs + 1:
            return self.ids[docnum]  # version 1, or damaged: the whole table, checked
        raw: bytes = self.cols["ids"][int(off[docnum]) : int(off[docnum + 1])].tobytes()
        try:
            return raw.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise self._corrupt("cols", f"id of document {docnum} is not UTF-8") from exc

    def docnum(self, doc_id: str) -> int:
        """The live document number of ``doc_id`` in this segment, or -1."""
        if self._id_index is None:
            self._id_index = {d: i for i, d in enumerate(self.ids)}
        i = self._id_index.get(doc_id, -1)
        if i >= 0 and self.live is not None and not self.live[i]:
            return -1
        return i

    def title(self, docnum: int) -> str:
        """The display title of a document (from the columns: no stored-field decompression)."""
        off = self.cols["titles_off"]
        raw: bytes = self.cols["titles"][off.item(docnum) : off.item(docnum + 1)].tobytes()
        try:
            return raw.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise self._corrupt("cols", f"title of document {docnum} is not UTF-8") from exc

    def _store_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """(the block of each document, the first document of each block plus the doc count),
        made on first use from ``firsts`` (blocks of :data:`STORE_BLOCK` before version 3)."""
        found = self._doc_blocks
        if found is None:
            firsts = self._late_file("store").arrays.get("firsts")
            if firsts is None:
                starts = np.append(np.arange(0, self.ndocs, STORE_BLOCK), self.ndocs)
            else:
                starts = firsts.astype(np.int64)
            sizes = np.diff(starts)
            found = (np.repeat(np.arange(sizes.size, dtype=np.int64), sizes), starts)
            self._doc_blocks = found
        return found

    def _block(self, block: int) -> bytes:
        """The uncompressed bytes of stored-field block ``block`` (kept in the segment's cache
        of :data:`STORE_CACHE_BYTES`, the oldest blocks let go first)."""
        data = self._block_cache.get(block)
        if data is not None:
            return data
        store = self._late_file("store")
        starts = store["blocks"]
        raw: Any = store["data"][int(starts[block]) : int(starts[block + 1])]  # (a buffer)
        codec = store.meta.get("codec", "zlib")
        try:
            if codec == "zstd":
                size = zstandard.frame_content_size(raw)
                if not 0 <= size <= _MAX_STORE_BLOCK:  # no allocation a header asks for
                    raise ValueError(f"block size {size} out of range")
                data = _zstd_decompressor().decompress(raw)
            elif codec == "zlib":
                data = zlib.decompress(raw)
            else:
                raise ValueError(f"unknown codec {codec!r}")
        except (zlib.error, zstandard.ZstdError, ValueError) as exc:
            where = self.directory.describe(f"{self.name}.store")
            raise CorruptIndexError(where, f"block {block}: {exc}") from exc
        cache = self._block_cache
        self._cached_bytes += len(data)
        while self._cached_bytes > STORE_CACHE_BYTES and cache:
            self._cached_bytes -= len(cache.pop(next(iter(cache))))
        cache[block] = data
        return data

    def stored_raw(self, docnum: int) -> bytes:
        """The stored JSON of a document, as bytes."""
        blocks, firsts = self._store_blocks()
        block = int(blocks[docnum])
        data = self._block(block)
        offs = self._late_file("store")["offs"]
        end = len(data) if docnum + 1 == int(firsts[block + 1]) else int(offs[docnum + 1])
        return data[int(offs[docnum]) : end]

    def stored_raws(self, docnums: Iterable[int]) -> Iterator[bytes]:
        """:meth:`stored_raw` of each of ``docnums`` in turn, a block's offsets read once for
        its documents (in ascending order, each block is decompressed once); one block held
        at a time."""
        offs = self._late_file("store")["offs"]
        blocks, firsts = self._store_blocks()
        base, last = 0, 0
        data = b""
        starts: list[int] = []
        for docnum in docnums:
            if not base <= docnum < last:
                block = int(blocks[docnum])
                data = self._block(block)
                base, last = int(firsts[block]), int(firsts[block + 1])
                starts = offs[base : last + 1].tolist()
            end = len(data) if docnum + 1 == last else starts[docnum + 1 - base]
            yield data[starts[docnum - base] : end]

    def stored(self, docnum: int) -> StoredDoc:
        """The stored fields of a document: a JSON object, else CorruptIndexError (its keys are
        not checked here: see :func:`~searchlib.index.documents.record_from_stored`)."""
        raw = self.stored_raw(docnum)
        try:
            doc = loads(raw)
        except (ValueError, RecursionError) as exc:
            raise self._corrupt("store", f"document {docnum}: {exc}") from exc
        if not isinstance(doc, dict):
            raise self._corrupt("store", f"document {docnum} is not an object")
        return cast(StoredDoc, doc)

    def column_codes(self, column: str, value: str) -> int:
        """The code of ``value`` in a categorical column's table, or -1; case and accents are
        ignored (ñ kept), so ``peru`` finds ``Perú``."""
        codes = folded_matches(self.col_tables[column], value)
        return codes[0] if codes else -1

    def csr_docs(self, column: str, code: int) -> np.ndarray:
        """Doc numbers whose multi-valued ``column`` holds ``code``."""
        codes = self.cols[column]
        hits = np.flatnonzero(codes == code)
        return np.searchsorted(self.cols[f"{column}_off"], hits, side="right") - 1

    def doc_values(self, column: str, docnum: int) -> list[str]:
        values = self.cols.get(column)
        if values is None or not values.size:  # a column newer than the segment, or empty
            return []
        off = self.cols[column + "_off"]
        start, end = off.item(docnum), off.item(docnum + 1)
        if start == end:
            return []
        table = self.col_tables[column]
        return [table[c] for c in values[start:end].tolist()]

    @property
    def live_count(self) -> int:
        return self.ndocs if self.live is None else int(self.live.sum())


_ZSTD = threading.local()


def _zstd_decompressor() -> zstandard.ZstdDecompressor:
    """This thread's zstd decompressor (making one costs about 12 us, more than decompressing
    a block of stored fields; an instance serves one thread at a time)."""
    found: zstandard.ZstdDecompressor | None = getattr(_ZSTD, "decompressor", None)
    if found is None:
        found = _ZSTD.decompressor = zstandard.ZstdDecompressor()
    return found


def write_deletes(directory: Directory, name: str, deleted: np.ndarray) -> int:
    """Write a deletion bitmap (bool per doc, True = deleted)."""
    bits = np.packbits(deleted.astype(bool))
    return directory.write(
        name, encode_array_file("deletes", VERSION, {"bits": bits}, {"count": int(deleted.sum())})
    )
