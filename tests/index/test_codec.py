"""The array file format: round trips, and clean errors for damaged or foreign files."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
import xxhash
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from searchlib.errors import CorruptIndexError, IndexFormatTooNewError, IndexFormatTooOldError
from searchlib.storage import (
    MemoryDirectory,
    decode_array_file,
    decode_strings_at,
    encode_array_file,
    encode_strings,
    string_lengths,
)

DTYPES = st.sampled_from(["<u1", "<u2", "<u4", "<u8", "<i4", "<i8", "<f4", "<f8"])


@given(
    arrays=st.dictionaries(
        st.text(min_size=1, max_size=8), hnp.arrays(DTYPES, st.integers(0, 40)), max_size=5
    ),
    meta=st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3),
)
def test_round_trip(arrays: dict[str, np.ndarray], meta: dict[str, object]) -> None:
    """decode(encode(arrays, meta)) gives back the same arrays (dtype and values) and meta."""
    buf = b"".join(encode_array_file("postings", 1, arrays, meta))
    f = decode_array_file(buf, "x", "postings", 1, 1)
    assert f.meta == meta
    assert list(f.arrays) == list(arrays)
    for k, a in arrays.items():
        assert f[k].dtype == a.dtype
        np.testing.assert_array_equal(f[k], a)
        assert f[k].ctypes.data % 8 == 0 or f[k].size == 0


def make(version: int = 1) -> bytes:
    return b"".join(
        encode_array_file("postings", version, {"a": np.arange(100, dtype=np.uint32)}, {"k": 1})
    )


@pytest.mark.parametrize("offset", [0, 5, 9, 20, 60, 200, -18, -14, -10, -1])
def test_flipped_byte_is_detected(offset: int) -> None:
    data = bytearray(make())
    data[offset] ^= 0x40
    with pytest.raises(CorruptIndexError, match="segment.post"):
        decode_array_file(bytes(data), "dir/segment.post", "postings", 1, 1)


def make_crc32() -> bytes:
    """A file with the crc32 footer that files were written with before XXH3-64."""
    arrays = {"a": np.arange(100, dtype=np.uint32)}
    return b"".join(encode_array_file("postings", 1, arrays, {"k": 1}, checksum="crc32"))


def test_files_are_written_with_an_xxh3_footer_and_crc32_files_still_read() -> None:
    new, old = make(), make_crc32()
    assert new[-16:-8] == b"SLIBXXH3" and len(new) == len(old) + 4
    assert new[-8:] == struct.pack("<Q", xxhash.xxh3_64_intdigest(new[:-16]))
    assert old[-12:-4] == b"SLIBEND\0"
    assert old[-4:] == struct.pack("<I", zlib.crc32(old[:-12]))
    assert new[:-16] == old[:-12]  # the same bytes before the footer
    for data in (new, old):
        f = decode_array_file(data, "x", "postings", 1, 1)
        np.testing.assert_array_equal(f["a"], np.arange(100, dtype=np.uint32))
        assert f.meta == {"k": 1}
    with pytest.raises(ValueError, match="unknown checksum 'md5'"):
        encode_array_file("postings", 1, {}, checksum="md5")


@pytest.mark.parametrize("offset", [0, 5, 9, 20, 60, 200, -14, -10, -1])
def test_flipped_byte_of_a_crc32_file_is_detected(offset: int) -> None:
    data = bytearray(make_crc32())
    data[offset] ^= 0x40
    with pytest.raises(CorruptIndexError, match="segment.post"):
        decode_array_file(bytes(data), "dir/segment.post", "postings", 1, 1)


def test_a_footer_made_to_name_the_other_checksum_is_refused() -> None:
    """Damage that turns one footer into the other's magic still fails its check."""
    new = bytearray(make())
    new[-12:-4] = b"SLIBEND\0"  # the last 12 bytes now look like a crc32 footer
    with pytest.raises(CorruptIndexError, match="checksum mismatch"):
        decode_array_file(bytes(new), "x", "postings", 1, 1)
    old = make_crc32()
    forged = old[:-12] + b"SLIBXXH3" + old[-4:] + b"\0" * 4
    with pytest.raises(CorruptIndexError, match="checksum mismatch"):
        decode_array_file(forged, "x", "postings", 1, 1)


def test_truncated_and_empty_and_foreign_files() -> None:
    data = make()
    for bad in (data[:-1], data[: len(data) // 2], b"", b"hello world, not an index" * 3):
        with pytest.raises(CorruptIndexError, match="f.bin"):
            decode_array_file(bad, "f.bin", "postings", 1, 1)


def test_wrong_format_name_and_versions() -> None:
    with pytest.raises(CorruptIndexError, match="format mismatch"):
        decode_array_file(make(), "f", "terms", 1, 1)
    with pytest.raises(IndexFormatTooNewError):
        decode_array_file(make(version=3), "f", "postings", 1, 2)
    with pytest.raises(IndexFormatTooOldError):
        decode_array_file(make(version=1), "f", "postings", 2, 2)


def test_object_arrays_are_refused() -> None:
    with pytest.raises(TypeError):
        encode_array_file("x", 1, {"o": np.array([object()], dtype=object)})


def test_memory_directory_round_trip() -> None:
    d = MemoryDirectory()
    d.write("a", [b"12", b"34"])
    assert bytes(d.read("a")) == b"1234" and d.list() == ["a"] and d.size("a") == 4
    d.delete("a")
    with pytest.raises(CorruptIndexError):
        d.read("a")


@pytest.mark.parametrize("first", [992_000, 992_008, 995_000, 999_992])
def test_offsets_far_into_the_file_settle_whatever_the_toc_length(first: int) -> None:
    """Many arrays after a large one: their offsets cross 1,000,000, each crossing lengthens
    the table of contents by a digit, which moves every offset again. The encoder stopped
    after three passes (an AssertionError for these sizes); it now passes until they settle."""
    arrays = {"big": np.zeros(first, dtype="<u1")}
    arrays |= {f"a{i}": np.arange(i % 3, dtype="<u1") for i in range(300)}
    buf = b"".join(encode_array_file("toc", 1, arrays))
    f = decode_array_file(buf, "<mem>", "toc", 1, 1)
    assert list(f.arrays) == list(arrays)
    for key, arr in arrays.items():
        np.testing.assert_array_equal(f[key], arr)
        assert f[key].ctypes.data % 8 == np.frombuffer(buf, np.uint8).ctypes.data % 8


@given(
    strings=st.lists(st.text(max_size=12), max_size=30),
    lo=st.integers(0, 8),
    width=st.integers(0, 6),
)
def test_strings_of_a_band_of_lengths_decode_alone(strings: list[str], lo: int, width: int) -> None:
    """string_lengths gives each string's length in characters without decoding it, and
    decode_strings_at decodes just the strings asked for, as the whole table would."""
    strings = [s.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for s in strings]
    blob, offs = encode_strings(strings)
    lengths = string_lengths(blob, offs, "f", "t")
    assert lengths.tolist() == [len(s) for s in strings]
    at = np.flatnonzero((lengths >= lo) & (lengths <= lo + width))
    assert decode_strings_at(blob, offs, at, "f", "t") == [
        s for s in strings if lo <= len(s) <= lo + width
    ]


def test_a_band_of_a_damaged_table_is_refused() -> None:
    blob, offs = encode_strings(["uno", "dós", "tres"])
    with pytest.raises(CorruptIndexError, match="offsets do not cover"):
        string_lengths(blob, offs[:-1], "f.terms", "t")
    with pytest.raises(CorruptIndexError, match="not UTF-8"):
        decode_strings_at(blob, np.array([0, 3, 5, 11], dtype=offs.dtype), np.array([1]), "f", "t")
    with pytest.raises(CorruptIndexError, match="fewer strings"):
        decode_strings_at(blob, offs, np.array([3]), "f", "t")


@pytest.mark.parametrize("asked", [1, 64, 65, 150])
def test_few_strings_and_many_decode_alike(asked: int) -> None:
    """Up to 64 strings (codec._FEW_STRINGS) are decoded one by one, more at once in numpy:
    the same strings (a NUL, a lone surrogate, characters of 2 to 4 bytes), and
    CorruptIndexError for a string cut inside a character."""
    strings = [f"{i}\0é\ud800€𝄞" if i % 3 else f"w{i}" for i in range(200)]
    blob, offs = encode_strings(strings)
    at = np.arange(0, 200, 200 // asked)[:asked]
    assert decode_strings_at(blob, offs, at, "f", "t") == [strings[i] for i in at.tolist()]
    cut = offs.copy()
    cut[2] -= 1  # string 1 loses the last byte of its 𝄞, string 2 starts with it
    with pytest.raises(CorruptIndexError, match="not UTF-8|cuts a character"):
        decode_strings_at(blob, cut, at if 1 in at else np.append(at[:1], 1), "f", "t")
