"""Stored fields: zstd blocks now, zlib blocks of older indexes still read, bad headers refused."""

from __future__ import annotations

import json
import math
import zlib
from pathlib import Path

import numpy as np
import pytest
import zstandard
from index_helpers import brief

import searchlib
from searchlib.errors import CorruptIndexError
from searchlib.index import IndexReader
from searchlib.index.segment import STORE_BLOCK, VERSIONS, SegmentReader
from searchlib.storage import decode_array_file, encode_array_file


def _index_with_docs(n: int) -> searchlib.Index:
    index = searchlib.create_index()
    for i in range(n):
        index.add(brief(i, words=20))
    index.commit()
    return index


def _rewrite_store(index: searchlib.Index, arrays: dict[str, np.ndarray], meta: dict) -> None:
    seg = index.reader.segments[0]
    name = f"{seg.name}.store"
    index.directory.write(name, encode_array_file("segment-store", 1, arrays, meta))


def _segment(index: searchlib.Index) -> SegmentReader:
    """The index's only segment, opened anew from its files."""
    return IndexReader.open(index.directory).segments[0]


def test_new_stores_are_zstd_and_round_trip() -> None:
    index = _index_with_docs(40)
    seg = index.reader.segments[0]
    store = decode_array_file(
        index.directory.read(f"{seg.name}.store"), "x", "segment-store", 1, VERSIONS["store"]
    )
    assert store.meta["codec"] == "zstd" and store.version == 2
    assert [index.get(f"en-{i}").title for i in range(40)] == [brief(i).title for i in range(40)]


def test_stored_raws_reads_what_stored_raw_reads() -> None:
    """The bulk read (a block's offsets once for its documents) gives each document's own
    stored JSON, across block ends, in any order, the last (short) block included."""
    index = _index_with_docs(2 * STORE_BLOCK + 5)
    seg = _segment(index)
    one_by_one = [seg.stored_raw(d) for d in range(seg.ndocs)]
    assert [json.loads(r)["id"] for r in one_by_one] == [f"en-{i}" for i in range(seg.ndocs)]
    assert list(seg.stored_raws(range(seg.ndocs))) == one_by_one
    mixed = [STORE_BLOCK + 3, 0, STORE_BLOCK - 1, STORE_BLOCK, seg.ndocs - 1, 1, 1]
    assert list(_segment(index).stored_raws(mixed)) == [one_by_one[d] for d in mixed]
    assert list(seg.stored_raws([])) == []


def test_zlib_stores_of_earlier_indexes_still_read() -> None:
    index = _index_with_docs(40)
    seg = index.reader.segments[0]
    docs = [seg.stored_raw(d) for d in range(seg.ndocs)]
    old = decode_array_file(
        index.directory.read(f"{seg.name}.store"), "x", "segment-store", 1, VERSIONS["store"]
    )
    blocks = [
        zlib.compress(b"".join(docs[b : b + STORE_BLOCK]), 3)
        for b in range(0, len(docs), STORE_BLOCK)
    ]
    starts = np.zeros(len(blocks) + 1, dtype=np.uint64)
    starts[1:] = np.cumsum([len(b) for b in blocks])
    arrays = {
        "data": np.frombuffer(b"".join(blocks), dtype=np.uint8),
        "blocks": starts,
        "offs": np.array(old["offs"]),
    }
    _rewrite_store(index, arrays, {"ndocs": seg.ndocs})  # no codec: written before zstd
    again = _segment(index)
    assert [again.stored_raw(d) for d in range(again.ndocs)] == docs


def test_a_zstd_header_asking_for_a_huge_block_is_refused() -> None:
    index = _index_with_docs(3)
    seg = index.reader.segments[0]
    # A zstd frame header (magic, single segment, 8-byte content size) claiming 1 TB.
    bomb = b"\x28\xb5\x2f\xfd" + b"\xe0" + (1 << 40).to_bytes(8, "little") + bytes(8)
    assert zstandard.frame_content_size(bomb) == 1 << 40
    arrays = {
        "data": np.frombuffer(bomb, dtype=np.uint8),
        "blocks": np.array([0, len(bomb)], dtype=np.uint64),
        "offs": np.zeros(seg.ndocs + 1, dtype=np.uint32),
    }
    _rewrite_store(index, arrays, {"ndocs": seg.ndocs, "codec": "zstd"})
    with pytest.raises(CorruptIndexError, match=r"\.store"):
        _segment(index).stored_raw(0)


def test_an_unknown_codec_is_a_corrupt_index() -> None:
    index = _index_with_docs(3)
    seg = index.reader.segments[0]
    old = decode_array_file(
        index.directory.read(f"{seg.name}.store"), "x", "segment-store", 1, VERSIONS["store"]
    )
    arrays = {k: np.array(v) for k, v in old.arrays.items()}
    _rewrite_store(index, arrays, {"ndocs": seg.ndocs, "codec": "lz77"})
    with pytest.raises(CorruptIndexError, match="unknown codec"):
        _segment(index).stored_raw(0)


def test_values_orjson_refuses_are_read_and_stored_exactly(tmp_path: Path) -> None:
    """Lone surrogates (legal JSON escapes), integers past 64 bits and NaN go through the
    standard library on both sides, so they index and come back unchanged."""
    lines = [
        json.dumps({"id": "s", "lang": "en", "title": "cocaine \ud800 seized", "body": "x"}),
        json.dumps({"id": "id\udfff", "lang": "en", "title": "t", "country": "Per\udfffu"}),
        json.dumps({"id": "big", "lang": "en", "title": "t", "n": 2**70, "f": float("nan")}),
        json.dumps({"id": "plain", "lang": "es", "title": "Perú", "date": "2011-09-23"}),
    ]
    src = tmp_path / "docs.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = searchlib.create_index(tmp_path / "idx")
    report = searchlib.index_paths(index, [src], workers=1)
    assert (report.indexed, report.skipped) == (4, [])
    index.close()
    index = searchlib.open_index(tmp_path / "idx")
    surrogate, big, plain = (index.stored(i) for i in ("s", "big", "plain"))
    assert surrogate is not None and surrogate["title"] == "cocaine \ud800 seized"
    assert big is not None and big["meta"]["n"] == 2**70 and math.isnan(big["meta"]["f"])
    assert plain is not None and (plain["title"], plain["date"]) == ("Perú", "2011-09-23")
    assert [h.id for h in index.search("cocaine")] == ["s"]
    assert index.stored("id\udfff") == {**index.stored("id\udfff"), "countries": ["Per\udfffu"]}
