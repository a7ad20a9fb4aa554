"""The byte format shared by every index file: header, table of contents, arrays, checksum footer.

Grammar of one file (integers little-endian)::

    file    := header toc padding arrays footer
    header  := b"SLIB" version:u16 name_len:u16 name:utf8      -- format name, e.g. "postings"
    toc     := toc_len:u32 json:utf8                           -- {"meta": {...}, "arrays": [...]}
    arrays  := each array's raw bytes, 8-byte aligned; the toc lists [name, dtype, offset, count]
    footer  := b"SLIBXXH3" xxh3_64:u64                         -- XXH3-64 of all bytes before it
             | b"SLIBEND\\0" crc32:u32                        -- zlib crc32 (files written before)

The footer's magic names its checksum: files are written with XXH3-64 (xxhash, about 15 GB/s,
where zlib's crc32 runs at about 2: the check of every file when an index opens was most of a
first query's time), and files of earlier indexes, with a crc32 footer, open and verify as
before (``encode_array_file(..., checksum="crc32")`` still writes them).

Only plain numeric dtypes are allowed (no object arrays, no pickle): reading a file never runs code.
A wrong magic, name, version, size or checksum raises :class:`CorruptIndexError` naming the file.
"""

from __future__ import annotations

import json
import mmap
import struct
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import xxhash

from searchlib.errors import CorruptIndexError, IndexFormatTooNewError, IndexFormatTooOldError

__all__ = [
    "ALLOWED_DTYPES",
    "SIGNATURE_OTHER",
    "ArrayFile",
    "StringTable",
    "decode_array_file",
    "decode_strings",
    "decode_strings_at",
    "encode_array_file",
    "encode_strings",
    "lower_bound",
    "string_lengths",
    "string_signatures",
]

MAGIC = b"SLIB"
FOOTER_MAGIC = b"SLIBEND\0"
"""The footer magic of a zlib crc32 checksum (u32), which files were written with before."""
FOOTER_SIZE = len(FOOTER_MAGIC) + 4
XXH3_FOOTER_MAGIC = b"SLIBXXH3"
"""The footer magic of an XXH3-64 checksum (u64), which files are written with now."""
XXH3_FOOTER_SIZE = len(XXH3_FOOTER_MAGIC) + 8
CHECKSUMS = ("xxh3_64", "crc32")
"""The checksums a footer can hold, the one files are written with first."""
ALLOWED_DTYPES = frozenset(
    {"<u1", "<u2", "<u4", "<u8", "<i1", "<i2", "<i4", "<i8", "<f4", "<f8", "|u1", "|i1"}
)


def _pad(n: int) -> int:
    return (-n) % 8


class ArrayFile:
    """A decoded file: its ``meta`` mapping and named arrays (views into the file's buffer)."""

    __slots__ = ("arrays", "buffer", "meta", "name", "nbytes", "version")

    def __init__(
        self,
        name: str,
        version: int,
        meta: dict[str, Any],
        arrays: dict[str, np.ndarray],
        nbytes: int = 0,
        buffer: memoryview | bytes = b"",
    ):
        self.buffer = buffer
        """The file's bytes (a memory map for files on disk), which the arrays view."""
        self.name = name
        self.version = version
        self.meta = meta
        self.arrays = arrays
        self.nbytes = nbytes
        """Size of the file's bytes (what a reader holding it keeps mapped)."""

    def __getitem__(self, key: str) -> np.ndarray:
        return self.arrays[key]


def _toc_bytes(toc: Mapping[str, Any]) -> bytes:
    """The table of contents as compact UTF-8 JSON (lone surrogates in table values kept)."""
    return json.dumps(toc, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8", "surrogatepass"
    )


def encode_array_file(
    format_name: str,
    version: int,
    arrays: Mapping[str, np.ndarray],
    meta: Mapping[str, Any] | None = None,
    checksum: str = "xxh3_64",
) -> Iterator[bytes]:
    """Serialize arrays and a JSON-able ``meta`` into the file format; return its chunks, made
    as they are read (the arrays are checked at once: a dtype the format does not allow
    raises TypeError here). ``checksum`` is the footer's: ``xxh3_64`` (the default) or
    ``crc32`` (the footer of files written before)."""
    if checksum not in CHECKSUMS:
        raise ValueError(f"unknown checksum {checksum!r} (known: {', '.join(CHECKSUMS)})")
    name_b = format_name.encode("utf-8")
    header = MAGIC + struct.pack("<HH", version, len(name_b)) + name_b
    items = []
    for key, arr in arrays.items():
        a = np.ascontiguousarray(arr)
        dt = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
        a = a.astype(dt, copy=False)
        if a.dtype.str not in ALLOWED_DTYPES:
            raise TypeError(f"array {key!r} has unsupported dtype {a.dtype.str}")
        items.append((key, a))
    # The toc holds offsets, which depend on the toc's own length: encode until they stop
    # moving. Offsets and the toc's length only grow from one pass to the next (a longer toc
    # moves every offset up, a larger offset never has fewer digits), so this ends; each pass
    # after the first two is an offset crossing a power of ten.
    toc_entries: list[list[Any]] = [[k, a.dtype.str, 0, int(a.size)] for k, a in items]
    toc = {"meta": dict(meta or {}), "arrays": toc_entries}
    changed = True
    while changed:
        toc_b = _toc_bytes(toc)
        offset = len(header) + 4 + len(toc_b)
        offset += _pad(offset)
        changed = False
        for entry, (_, a) in zip(toc_entries, items, strict=True):
            if entry[2] != offset:
                entry[2] = offset
                changed = True
            offset += a.nbytes + _pad(a.nbytes)
    toc_b = _toc_bytes(toc)
    return _emit(
        [header, struct.pack("<I", len(toc_b)), toc_b], toc_entries, items, checksum == "crc32"
    )


class _Crc32:
    """zlib's crc32 behind the update/intdigest calls of an xxhash state."""

    __slots__ = ("crc",)

    def __init__(self) -> None:
        self.crc = 0

    def update(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)

    def intdigest(self) -> int:
        return self.crc


def _emit(
    head: list[bytes],
    toc_entries: list[list[Any]],
    items: list[tuple[str, np.ndarray]],
    crc32: bool,
) -> Iterator[bytes]:
    """The chunks of a file, one array's bytes at a time (a file is never whole in memory),
    then the footer with the checksum of all of them (XXH3-64, or crc32 when ``crc32``)."""
    state: _Crc32 | xxhash.xxh3_64 = _Crc32() if crc32 else xxhash.xxh3_64()
    pos = 0
    for c in head:
        state.update(c)
        pos += len(c)
        yield c
    pad = b"\0" * _pad(pos)
    state.update(pad)
    pos += len(pad)
    yield pad
    for entry, (_, a) in zip(toc_entries, items, strict=True):
        if entry[2] != pos:  # pragma: no cover - the loop above makes them agree
            raise RuntimeError(f"toc offset of {entry[0]!r} out of step ({entry[2]} != {pos})")
        raw = a.tobytes()
        pad = b"\0" * _pad(len(raw))
        state.update(raw)
        state.update(pad)
        pos += len(raw) + len(pad)
        yield raw
        del raw
        yield pad
    if crc32:
        yield FOOTER_MAGIC + struct.pack("<I", state.intdigest())
    else:
        yield XXH3_FOOTER_MAGIC + struct.pack("<Q", state.intdigest())


def footer_size(buf: memoryview | bytes, path: str) -> int:
    """The size of the file's footer (16 bytes for XXH3-64, 12 for crc32); CorruptIndexError
    when the file is too short or ends in neither."""
    n = len(buf)
    if n < len(MAGIC) + FOOTER_SIZE:
        raise CorruptIndexError(path, f"file too short ({n} bytes)")
    if bytes(buf[n - FOOTER_SIZE : n - 4]) == FOOTER_MAGIC:
        return FOOTER_SIZE
    if n >= len(MAGIC) + XXH3_FOOTER_SIZE and (
        bytes(buf[n - XXH3_FOOTER_SIZE : n - 8]) == XXH3_FOOTER_MAGIC
    ):
        return XXH3_FOOTER_SIZE
    raise CorruptIndexError(path, "missing footer (truncated or not a searchlib file)")


def verify_checksum(buf: memoryview | bytes, path: str) -> None:
    """Raise CorruptIndexError unless the footer's checksum (XXH3-64, or the crc32 of files
    written before) matches the bytes before it."""
    n = len(buf)
    size = footer_size(buf, path)
    body = buf[: n - size]
    if size == FOOTER_SIZE:
        (expected,) = struct.unpack("<I", bytes(buf[n - 4 :]))
        actual = zlib.crc32(body)
        width = 8
    else:
        (expected,) = struct.unpack("<Q", bytes(buf[n - 8 :]))
        actual = xxhash.xxh3_64_intdigest(body)
        width = 16
    if actual != expected:
        raise CorruptIndexError(
            path, f"checksum mismatch (stored {expected:0{width}x}, computed {actual:0{width}x})"
        )


def release_pages(buf: memoryview | bytes) -> None:
    """Let the kernel drop the resident pages of a memory-mapped file (reading it whole, as a
    checksum does, brings every page in): they stay in the page cache and come back on the
    next read, but no longer count in this process's resident memory. A no-op for bytes."""
    obj = buf.obj if isinstance(buf, memoryview) else None
    if isinstance(obj, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        try:
            obj.madvise(mmap.MADV_DONTNEED)
        except (OSError, ValueError):  # pragma: no cover - madvise refused: pages stay
            pass


def decode_array_file(
    buf: memoryview | bytes,
    path: str,
    format_name: str,
    min_version: int,
    max_version: int,
    verify: bool = True,
) -> ArrayFile:
    """Parse a file written by :func:`encode_array_file`; arrays are zero-copy views of ``buf``."""
    if verify:
        verify_checksum(buf, path)
        release_pages(buf)
    n = len(buf)
    end = n - footer_size(buf, path)  # where the arrays must end
    try:
        if bytes(buf[:4]) != MAGIC:
            raise CorruptIndexError(path, "not a searchlib file (bad magic)")
        version, name_len = struct.unpack("<HH", bytes(buf[4:8]))
        name = bytes(buf[8 : 8 + name_len]).decode("utf-8")
        if name != format_name:
            raise CorruptIndexError(
                path, f"format mismatch: file is {name!r}, expected {format_name!r}"
            )
        if version < min_version:
            raise IndexFormatTooOldError(
                path, f"{name} version {version} < supported {min_version}"
            )
        if version > max_version:
            raise IndexFormatTooNewError(
                path, f"{name} version {version} > supported {max_version}"
            )
        p = 8 + name_len
        (toc_len,) = struct.unpack("<I", bytes(buf[p : p + 4]))
        if p + 4 + toc_len > end:
            raise CorruptIndexError(path, "table of contents runs past the end of the file")
        toc = json.loads(bytes(buf[p + 4 : p + 4 + toc_len]).decode("utf-8", "surrogatepass"))
        if not isinstance(toc, dict) or not isinstance(toc["arrays"], list):
            raise CorruptIndexError(path, "table of contents is not an object with an array list")
        meta = toc["meta"]
        arrays: dict[str, np.ndarray] = {}
        for key, dtype, offset, count in toc["arrays"]:
            if not isinstance(key, str) or dtype not in ALLOWED_DTYPES:
                raise CorruptIndexError(path, f"array {key!r} has forbidden dtype {dtype!r}")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (offset, count)):
                raise CorruptIndexError(path, f"array {key!r} has a non-integer offset or count")
            dt = np.dtype(dtype)
            # Counts are checked against the file's size before anything is made of them.
            if not (0 <= offset and 0 <= count and offset + count * dt.itemsize <= end):
                raise CorruptIndexError(path, f"array {key!r} lies outside the file")
            arrays[key] = np.frombuffer(buf, dtype=dt, count=count, offset=offset)
    except CorruptIndexError:
        raise
    except RecursionError as exc:
        raise CorruptIndexError(path, "table of contents nested too deeply") from exc
    except (ValueError, KeyError, TypeError, struct.error, UnicodeDecodeError) as exc:
        raise CorruptIndexError(path, f"unreadable header or table of contents ({exc})") from exc
    if not isinstance(meta, dict):
        raise CorruptIndexError(path, "table of contents meta is not an object")
    return ArrayFile(name, version, meta, arrays, n, buf)


def encode_strings(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """A string table: the UTF-8 bytes of ``strings`` back to back and n+1 byte offsets.

    Lengths are explicit, so a string may hold any character (NUL included): nothing in the
    bytes separates one string from the next. Lone surrogates are kept (``surrogatepass``).
    """
    # One encode of all of them (a str holds no surrogate pair to join across a boundary, so
    # it equals the strings' encodings back to back); lengths in characters, corrected to
    # bytes for the strings that are not ASCII.
    data = "".join(strings).encode("utf-8", "surrogatepass")
    n = len(strings)
    lens = np.fromiter(map(len, strings), dtype=np.int64, count=n)
    if len(data) != int(lens.sum()):
        wide = np.flatnonzero(~np.fromiter(map(str.isascii, strings), dtype=bool, count=n))
        for i in wide.tolist():
            lens[i] = len(strings[i].encode("utf-8", "surrogatepass"))
    offs = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=offs[1:])
    blob = np.frombuffer(data, dtype=np.uint8)
    last = int(offs[-1])
    return blob, offs.astype(np.uint32 if last < 1 << 32 else np.uint64)


def decode_strings(blob: np.ndarray, offs: np.ndarray, path: str, what: str) -> list[str]:
    """The strings of a table made by :func:`encode_strings`; CorruptIndexError when the
    offsets do not cut the bytes into whole UTF-8 strings."""
    buf = blob.view(np.uint8) if blob.dtype != np.uint8 else blob
    ends = _string_ends(buf, offs, path, what)
    n = ends.size - 1
    if n and not bool((buf == 0).any()):
        # Fast path (C speed): no string holds a NUL, so NULs put at the offsets and a split
        # give back exactly the n strings; a NUL inside a multibyte character fails to decode.
        joined = np.insert(buf, ends[1:-1], 0).tobytes()
        try:
            return joined.decode("utf-8", "surrogatepass").split("\0")
        except UnicodeDecodeError as exc:
            raise CorruptIndexError(path, f"{what}: not UTF-8 ({exc.reason})") from exc
    raw = buf.tobytes()
    try:
        text = raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError as exc:
        raise CorruptIndexError(path, f"{what}: not UTF-8 ({exc.reason})") from exc
    if len(text) != len(raw):
        # Byte offsets to character offsets: each continuation byte (10xxxxxx) before an
        # offset belongs to a character counted once. An offset on a continuation byte would
        # cut a character in two.
        cont = (buf & 0xC0) == 0x80
        inner = ends[ends < buf.size]
        if bool(cont[inner].any()):
            raise CorruptIndexError(path, f"{what}: a string offset cuts a character")
        before = np.zeros(buf.size + 1, dtype=np.int64)
        np.cumsum(cont, out=before[1:])
        ends = ends - before[ends]
    cut = ends.tolist()
    return [text[a:b] for a, b in zip(cut[:-1], cut[1:], strict=True)]


def _string_ends(blob: np.ndarray, offs: np.ndarray, path: str, what: str) -> np.ndarray:
    """The offsets of a string table as int64, checked to cut its bytes from 0 to the end."""
    ends = offs.astype(np.int64)
    if (
        ends.size == 0
        or ends[0] != 0
        or ends[-1] != blob.size * blob.itemsize
        or bool((ends[1:] < ends[:-1]).any())
    ):
        raise CorruptIndexError(path, f"{what}: string offsets do not cover the bytes")
    return ends


def string_lengths(blob: np.ndarray, offs: np.ndarray, path: str, what: str) -> np.ndarray:
    """The length in characters of each string of a table made by :func:`encode_strings`,
    without decoding it: its bytes less its UTF-8 continuation bytes (numpy, one pass)."""
    ends = _string_ends(blob, offs, path, what)
    buf = blob.view(np.uint8) if blob.dtype != np.uint8 else blob
    chars = np.diff(ends)
    cont = np.flatnonzero((buf & 0xC0) == 0x80)  # few: the bytes after a non-ASCII lead
    if cont.size:
        # the string holding each: the last whose start is at or before it
        holder = np.searchsorted(ends, cont, side="right") - 1
        chars -= np.bincount(holder, minlength=chars.size)[: chars.size]
    return chars


def decode_strings_at(
    blob: np.ndarray, offs: np.ndarray, at: np.ndarray, path: str, what: str
) -> list[str]:
    """The strings at positions ``at`` (ascending) of a table made by :func:`encode_strings`,
    only those decoded; CorruptIndexError as :func:`decode_strings` says."""
    ends = _string_ends(blob, offs, path, what)
    buf = blob.view(np.uint8) if blob.dtype != np.uint8 else blob
    return _decode_at(buf, ends, at, path, what)


_FEW_STRINGS = 64
"""Strings asked of a table that :func:`_decode_at` decodes one by one."""


def _decode_at(
    buf: np.ndarray, ends: np.ndarray, at: np.ndarray, path: str, what: str
) -> list[str]:
    """:func:`decode_strings_at` of a table whose offsets ``ends`` (any integer type) were
    checked."""
    if at.size == 0:
        return []
    if int(at[-1]) >= ends.size - 1 or int(at[0]) < 0:
        raise CorruptIndexError(path, f"{what}: fewer strings than asked for")
    if at.size <= _FEW_STRINGS and buf.flags.c_contiguous:
        # each decoded alone from the bytes in place: for a few dozen strings, numpy's
        # gather below costs more than they do (did-you-mean and the cognates ask a few
        # words of dozens of tables)
        view = buf.data
        try:
            return [
                str(view[a:b], "utf-8", "surrogatepass")
                for a, b in zip(ends[at].tolist(), ends[at + 1].tolist(), strict=True)
            ]
        except UnicodeDecodeError as exc:
            raise CorruptIndexError(path, f"{what}: not UTF-8 ({exc.reason})") from exc
    starts = ends[:-1][at].astype(np.int64)
    sizes = ends[1:][at].astype(np.int64) - starts
    sub = np.zeros(at.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=sub[1:])
    # The kept strings' bytes back to back: byte j comes from starts[i] + (j - sub[i]) for the
    # string i that holds it.
    take = np.repeat(starts - sub[:-1], sizes) + np.arange(int(sub[-1]), dtype=np.int64)
    return decode_strings(buf[take], sub, path, what)


SIGNATURE_OTHER = 28
"""The bit of :func:`string_signatures` that every byte from 0x80 sets (and most others
below ``a``): a string without it is ASCII."""


def lower_bound(buf: np.ndarray, ends: np.ndarray, key: bytes, lo: int, hi: int) -> int:
    """The first position in ``lo..hi`` of sorted strings (``buf`` bytes, string ``i`` from
    ``ends[i]`` to ``ends[i + 1]``) whose bytes are not below ``key``: a binary search that
    decodes nothing (UTF-8 bytes sort as their characters do)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if buf[ends[mid] : ends[mid + 1]].tobytes() < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


def string_signatures(blob: np.ndarray, offs: np.ndarray) -> np.ndarray:
    """A 32-bit sketch of the byte values of each string of a table made by
    :func:`encode_strings` (uint32, one per string): the OR of one bit per byte, bit 0-25 for
    ``a``-``z``, bit 26-28 for the other values (``{``, ``|``; every byte from 0x80, and every
    other byte, sets bit 28, so a character beyond ASCII sets one bit however many bytes it
    takes). A bit set in one string's sketch and not in another's means a byte value (a
    character) of the one that the other lacks: did-you-mean rules out candidates with it."""
    buf = blob.view(np.uint8) if blob.dtype != np.uint8 else blob
    ends = offs.astype(np.int64, copy=False)
    starts = ends[:-1]
    if not buf.size:
        return np.zeros(starts.size, dtype=np.uint32)
    code = buf - np.uint8(ord("a"))  # a-z: 0-25; the rest wraps to 26 or more
    np.minimum(code, np.uint8(SIGNATURE_OTHER), out=code)
    bits = np.left_shift(np.uint32(1), code, dtype=np.uint32)
    if bool((ends[1:] > starts).all()):
        out: np.ndarray = np.bitwise_or.reduceat(bits, starts)
        return out
    out = np.zeros(starts.size, dtype=np.uint32)
    full = np.flatnonzero(ends[1:] > starts)
    # an empty string holds no byte: the next string starts where it does
    out[full] = np.bitwise_or.reduceat(bits, starts[full])
    return out


_OFFSET_DTYPES = (np.dtype(np.uint32), np.dtype(np.uint64), np.dtype(np.int64))


class StringTable:
    """A string table of :func:`encode_strings` read without decoding it: its bytes, its
    offsets (checked once to cut the bytes from 0 to the end), the length of each string in
    characters, and the strings at chosen positions, only those decoded. ``path`` and ``what``
    name it in a CorruptIndexError."""

    __slots__ = ("_signatures", "_sizes", "_stored", "buf", "ends", "path", "what")

    def __init__(
        self,
        blob: np.ndarray,
        offs: np.ndarray,
        path: str,
        what: str,
        signatures: np.ndarray | None = None,
    ) -> None:
        self.buf: np.ndarray = blob.view(np.uint8) if blob.dtype != np.uint8 else blob
        # the offsets as stored (uint32 or uint64, as encode_strings writes them: no copy;
        # another integer type is made int64), checked in one pass to ascend from 0 to the end
        ends = offs if offs.dtype in _OFFSET_DTYPES else offs.astype(np.int64)
        if (
            ends.size == 0
            or ends[0] != 0
            or ends[-1] != self.buf.size
            or bool((ends[1:] < ends[:-1]).any())
        ):
            raise CorruptIndexError(path, f"{what}: string offsets do not cover the bytes")
        self.ends: np.ndarray = ends
        """Where each string starts, and the end of the bytes (ascending, from 0)."""
        self._sizes: np.ndarray | None = None
        self.path = path
        self.what = what
        if signatures is not None and (
            signatures.dtype != np.uint32 or signatures.size != self.ends.size - 1
        ):
            raise CorruptIndexError(path, f"{what}: signatures do not match the strings")
        self._signatures = signatures
        self._stored = signatures is not None

    @property
    def sizes(self) -> np.ndarray:
        """Bytes of each string (int64), computed once."""
        if self._sizes is None:
            self._sizes = np.diff(self.ends.astype(np.int64))
        return self._sizes

    @property
    def stored_signatures(self) -> np.ndarray | None:
        """The signatures stored beside the table (None: none, they are computed)."""
        return self._signatures if self._stored else None

    def signatures(self) -> np.ndarray:
        """:func:`string_signatures` of the table: as stored beside it, else computed once."""
        if self._signatures is None:
            self._signatures = string_signatures(self.buf, self.ends)
        return self._signatures

    def __len__(self) -> int:
        return int(self.ends.size) - 1

    def lengths(self) -> np.ndarray:
        """Characters of each string (:func:`string_lengths`)."""
        return string_lengths(self.buf, self.ends, self.path, self.what)

    def strings_at(self, at: np.ndarray) -> list[str]:
        """The strings at positions ``at`` (ascending), as :func:`decode_strings_at`."""
        return _decode_at(self.buf, self.ends, at, self.path, self.what)

    @classmethod
    def of(cls, strings: Sequence[str], what: str) -> StringTable:
        """The table of strings already decoded (a source without string tables)."""
        return cls(*encode_strings(strings), "<memory>", what)
