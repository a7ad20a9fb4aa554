"""Stored fields: zstd blocks of about 4 KiB now, zlib blocks and blocks of 16 documents of
older indexes still read, bad headers and block tables refused."""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import zstandard
from index_helpers import brief

import searchlib
from searchlib.errors import CorruptIndexError
from searchlib.index import IndexReader
from searchlib.index.segment import (
    STORE_BLOCK,
    STORE_BLOCK_BYTES,
    STORE_CACHE_BYTES,
    VERSIONS,
    SegmentReader,
    StoreWriter,
)
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
    assert store.meta["codec"] == "zstd" and store.version == 3
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


def _blocks_of_16(docs: list[bytes], compress: Callable[[bytes], bytes]) -> dict[str, np.ndarray]:
    """The ``.store`` arrays of versions 1 and 2: blocks of :data:`STORE_BLOCK` documents, no
    ``firsts``; ``offs`` restart at each block, the last one is the length of all."""
    blocks = [
        compress(b"".join(docs[b : b + STORE_BLOCK])) for b in range(0, len(docs), STORE_BLOCK)
    ]
    starts = np.zeros(len(blocks) + 1, dtype=np.uint64)
    starts[1:] = np.cumsum([len(b) for b in blocks])
    offs = np.zeros(len(docs) + 1, dtype=np.uint32)
    for d in range(1, len(docs)):
        offs[d] = 0 if d % STORE_BLOCK == 0 else offs[d - 1] + len(docs[d - 1])
    offs[-1] = sum(map(len, docs))
    return {"data": np.frombuffer(b"".join(blocks), dtype=np.uint8), "blocks": starts, "offs": offs}


@pytest.mark.parametrize("codec", ["zlib", "zstd"])
def test_blocks_of_16_documents_of_earlier_indexes_still_read(codec: str) -> None:
    """Store versions 1 (zlib, or zstd named in meta) and 2 (zstd): blocks of 16 documents."""
    index = _index_with_docs(2 * STORE_BLOCK + 5)
    seg = index.reader.segments[0]
    docs = [seg.stored_raw(d) for d in range(seg.ndocs)]
    if codec == "zlib":
        arrays = _blocks_of_16(docs, lambda b: zlib.compress(b, 3))
        _rewrite_store(index, arrays, {"ndocs": seg.ndocs})  # no codec: written before zstd
    else:
        arrays = _blocks_of_16(docs, zstandard.ZstdCompressor(level=1).compress)
        name = f"{seg.name}.store"
        meta = {"ndocs": seg.ndocs, "codec": "zstd"}
        index.directory.write(name, encode_array_file("segment-store", 2, arrays, meta))
    again = _segment(index)
    assert [again.stored_raw(d) for d in range(again.ndocs)] == docs
    mixed = [STORE_BLOCK + 3, 0, STORE_BLOCK - 1, STORE_BLOCK, seg.ndocs - 1, 1, 1]
    assert list(_segment(index).stored_raws(mixed)) == [docs[d] for d in mixed]
    assert list(_segment(index).stored_raws(range(seg.ndocs))) == docs


def test_blocks_close_at_their_byte_size() -> None:
    """A block closes once its documents reach STORE_BLOCK_BYTES, or at STORE_BLOCK documents:
    small documents share one, a large one ends the block it joins."""
    sizes = [100] * 20 + [STORE_BLOCK_BYTES + 1] + [1500] * 5 + [10]
    docs = [bytes([65 + i % 26]) * n for i, n in enumerate(sizes)]
    writer = StoreWriter()
    for doc in docs:
        writer.add(doc)
    arrays = writer.finish()
    assert arrays["firsts"].tolist() == [0, 16, 21, 24, 27]
    assert arrays["offs"].tolist()[:3] == [0, 100, 200] and arrays["offs"][16] == 0
    index = _index_with_docs(len(docs))
    seg = index.reader.segments[0]
    meta = {"ndocs": seg.ndocs, "codec": "zstd"}
    index.directory.write(f"{seg.name}.store", encode_array_file("segment-store", 3, arrays, meta))
    again = _segment(index)
    assert [again.stored_raw(d) for d in range(len(docs))] == docs
    mixed = (26, 0, 20, 21, 19, 16, 15, 23, 24)
    assert list(again.stored_raws(mixed)) == [docs[d] for d in mixed]


_UNCOVERED = "firsts: offsets do not cover their values"
_EMPTY_BLOCK = "firsts: a block without documents"


@pytest.mark.parametrize(
    ("firsts", "problem"),
    [
        ([0, 2], _UNCOVERED),
        ([0, 1, 1, 3], _EMPTY_BLOCK),
        ([1, 3], _UNCOVERED),
        ([0, 3, 2, 3], _UNCOVERED),
        ([0, 1, 2, 3, 3], _EMPTY_BLOCK),
    ],
    ids=str,
)
def test_a_block_table_that_does_not_cover_the_documents_is_corrupt(
    firsts: list[int], problem: str
) -> None:
    """Refused by the checks of the table itself (verify() decompresses no block), at
    every read, before any block is decompressed."""
    index = _index_with_docs(3)
    seg = index.reader.segments[0]
    old = decode_array_file(
        index.directory.read(f"{seg.name}.store"), "x", "segment-store", 1, VERSIONS["store"]
    )
    arrays = {k: np.array(v) for k, v in old.arrays.items()}
    arrays["firsts"] = np.array(firsts, dtype=np.uint32)
    arrays["blocks"] = np.linspace(0, arrays["data"].size, len(firsts)).astype(np.uint64)
    meta = {"ndocs": seg.ndocs, "codec": "zstd"}
    index.directory.write(f"{seg.name}.store", encode_array_file("segment-store", 3, arrays, meta))
    again = _segment(index)  # (the stored fields are checked when first read)
    message = rf"{seg.name}\.store: {problem}$"
    with pytest.raises(CorruptIndexError, match=message):
        again.verify()
    for _ in range(2):  # refused at every read, before any block is
        with pytest.raises(CorruptIndexError, match=message):
            again.stored_raw(0)


def test_a_version_3_store_without_its_block_table_is_corrupt() -> None:
    index = _index_with_docs(3)
    seg = index.reader.segments[0]
    old = decode_array_file(
        index.directory.read(f"{seg.name}.store"), "x", "segment-store", 1, VERSIONS["store"]
    )
    arrays = {k: np.array(v) for k, v in old.arrays.items() if k != "firsts"}
    meta = {"ndocs": seg.ndocs, "codec": "zstd"}
    index.directory.write(f"{seg.name}.store", encode_array_file("segment-store", 3, arrays, meta))
    again = _segment(index)
    with pytest.raises(CorruptIndexError, match="missing arrays"):
        again.stored_raw(0)
    with pytest.raises(CorruptIndexError, match="missing arrays"):
        again.verify()


def test_the_block_cache_is_bounded_in_bytes() -> None:
    """Reading every document keeps at most STORE_CACHE_BYTES of decompressed blocks."""
    index = searchlib.create_index()
    for i in range(600):
        index.add(brief(i, words=400))
    index.commit()
    seg = _segment(index)
    for d in range(seg.ndocs):
        assert json.loads(seg.stored_raw(d))["id"] == f"en-{d}"
    held = sum(map(len, seg._block_cache.values()))
    assert held == seg._cached_bytes
    assert STORE_CACHE_BYTES - 2 * STORE_BLOCK_BYTES <= held <= STORE_CACHE_BYTES


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
    # a hit reads its fields with orjson, the standard library where orjson refuses
    (hit,) = index.search("cocaine seized").hits
    assert (hit.title, hit.passage.text) == ("cocaine \ud800 seized", "x")
    (hit,) = index.search("id:big").hits
    assert hit.id == "big" and hit.title == "t"
    assert index.stored("id\udfff") == {**index.stored("id\udfff"), "countries": ["Per\udfffu"]}


@pytest.mark.parametrize(
    ("batch", "batch_bytes"),
    [(True, 1 << 20), (True, 5000), (False, 1 << 20)],
    ids=["batch", "batches of 5000 bytes", "block by block"],
)
def test_a_flushed_segment_stores_what_a_store_writer_adding_one_by_one_makes(
    batch: bool, batch_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store of a flushed segment, its blocks compressed in batch calls of at most
    ``STORE_BATCH_BYTES`` of documents (a block larger than that alone; or block by block
    where zstd's backend has none), is byte for byte what StoreWriter makes."""
    import random

    import zstandard

    from searchlib.index import segment

    monkeypatch.setattr(segment, "STORE_BATCH_BYTES", batch_bytes)

    if not batch:

        def no_batch(*args: object, **kwargs: object) -> None:
            raise NotImplementedError("the cffi backend has no batch compression")

        monkeypatch.setattr(zstandard.ZstdCompressor, "multi_compress_to_buffer", no_batch)

    import attrs

    from searchlib.index.builder import SegmentBuilder
    from searchlib.index.documents import to_index_doc
    from searchlib.index.segment import write_segment
    from searchlib.storage import MemoryDirectory

    rnd = random.Random(5)
    sizes = [0, 1, 10, 300, 2000, STORE_BLOCK_BYTES - 1, STORE_BLOCK_BYTES, 5000, 9000, 30]
    builder = SegmentBuilder()
    for i in range(300):
        builder.add(to_index_doc(brief(i, words=3)))
    # Stored documents around the block size: blocks of one document, of a few, of 16.
    stored = [b"y" * 30] * 40 + [b"y" * rnd.choice(sizes) for _ in range(260)]
    data = attrs.evolve(builder.finish(), stored=stored)
    written = MemoryDirectory()
    write_segment(written, "s1", data)  # its blocks cut in one pass over the documents
    store = StoreWriter()
    for doc in data.stored:
        store.add(doc)
    again = MemoryDirectory()
    write_segment(again, "s1", attrs.evolve(data, store=store.finish()))
    assert written.read("s1.store") == again.read("s1.store")
    firsts = decode_array_file(written.read("s1.store"), "x", "segment-store", 1, 3).arrays[
        "firsts"
    ]
    blocks = np.diff(firsts.astype(np.int64))
    assert blocks.max() == STORE_BLOCK and blocks.min() == 1


def test_a_store_of_empty_documents_round_trips() -> None:
    """Blocks made only of empty documents (which zstd's batch call refuses) are compressed
    one by one: the store is what StoreWriter makes and reads back."""
    from searchlib.index.segment import _compress_store

    for docs in ([b""], [b""] * 40, [b"x" * 5000, b"", b""], [b"a"] * 16 + [b""] * 16):
        store = StoreWriter()
        for doc in docs:
            store.add(doc)
        expected, made = store.finish(), _compress_store(docs)
        assert {k: v.tolist() for k, v in made.items()} == {
            k: v.tolist() for k, v in expected.items()
        }
