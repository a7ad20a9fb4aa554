"""Indexes written by the previous format still open and search; a file written by a newer
format says so ("written by a newer searchlib"), not that it is corrupt."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest

import searchlib
from searchlib.errors import CorruptIndexError, IndexFormatTooNewError
from searchlib.index.segment import VERSIONS
from searchlib.storage import decode_array_file

DATA = Path(__file__).resolve().parents[1] / "data"
STORE_V1 = DATA / "store-v1-seeds-index"
STORE_V2 = DATA / "store-v2-seeds-index"
BRIEF_EN = "60fa42e6893d93ee"
BRIEF_ES = "44fea6efc1d86929"


def copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    return dst


def header_version(path: Path) -> int:
    return int(struct.unpack("<H", path.read_bytes()[4:6])[0])


def with_version(path: Path, version: int) -> None:
    """Rewrite a file's format version, its checksum made to match (a well-formed file)."""
    buf = bytearray(path.read_bytes())
    buf[4:6] = struct.pack("<H", version)
    buf[-4:] = struct.pack("<I", zlib.crc32(bytes(buf[:-12])))  # all before the footer
    path.write_bytes(bytes(buf))


def test_the_fixtures_are_the_previous_store_formats() -> None:
    assert header_version(STORE_V1 / "s000001.store") == 1
    assert header_version(STORE_V2 / "s000001.store") == 2
    assert VERSIONS["store"] == 3


@pytest.mark.parametrize("fixture", [STORE_V1, STORE_V2], ids=["store-v1", "store-v2"])
def test_an_index_of_the_previous_format_opens_and_searches(tmp_path: Path, fixture: Path) -> None:
    path = copy(fixture, tmp_path)
    with searchlib.open_index(path) as index:
        assert len(index) == 13
        assert [h.id for h in index.search("Humala coca")] == [BRIEF_EN, BRIEF_ES]
        assert [h.id for h in index.search("author:ramsey")] == [BRIEF_EN, BRIEF_ES]
        brief = index.get(BRIEF_EN)
        assert isinstance(brief, searchlib.Brief)
        assert brief.authors == ("Geoffrey Ramsey",) and len(brief.related) == 3
        assert index.search("coca", twins=True).hits[0].twin == BRIEF_ES
        assert index.check()["docs"] == 13


@pytest.mark.parametrize("fixture", [STORE_V1, STORE_V2], ids=["store-v1", "store-v2"])
def test_the_previous_format_keeps_its_documents_when_merged(tmp_path: Path, fixture: Path) -> None:
    """A new segment beside the old one, merged into one: the stored documents come across."""
    path = copy(fixture, tmp_path)
    with searchlib.open_index(path) as index:
        before = {d["id"]: d for d in index.reader.iter_documents()}
        index.add(searchlib.Brief(id="new", lang="en", title="Coca", body=["Coca crops."]))
        index.commit()
        index.optimize()
        assert index.stats()["segments"] == 1
        after = {d["id"]: d for d in index.reader.iter_documents()}
        assert {k: after[k] for k in before} == before
        assert header_version(path / f"{index.reader.segments[0].name}.store") == 3


@pytest.mark.parametrize("known", [1, 2])
def test_a_new_store_is_too_new_for_an_older_reader(tmp_path: Path, known: int) -> None:
    """What an older searchlib (reading store versions up to 1, or 2) makes of today's store."""
    with searchlib.create_index(tmp_path / "idx") as index:
        index.add(searchlib.Brief(id="b", lang="en", title="Coca", body=["Coca."]))
        index.commit()
    store = tmp_path / "idx" / "s000001.store"
    assert header_version(store) == 3
    with pytest.raises(IndexFormatTooNewError, match="written by a newer searchlib"):
        decode_array_file(store.read_bytes(), str(store), "segment-store", 1, known)


@pytest.mark.parametrize("ext", ["store", "cols", "terms"])
def test_a_file_newer_than_known_says_so(tmp_path: Path, ext: str) -> None:
    path = copy(STORE_V1, tmp_path)
    with_version(path / f"s000001.{ext}", VERSIONS[ext] + 1)
    with pytest.raises(IndexFormatTooNewError) as info:
        with searchlib.open_index(path) as index:
            index.search("coca")
    message = str(info.value)
    assert "written by a newer searchlib" in message and "corrupt" not in message
    assert f"s000001.{ext}" in message
    assert isinstance(info.value, CorruptIndexError)  # callers catching damage still catch it
