"""A search checks for a newer commit every time: the folder is listed only when its stamp
(FileDirectory.stamp) changed since a listing found the snapshot newest, and that stamp is
trusted only when the folder had been quiet for reader.QUIET_NS before the listing."""

from __future__ import annotations

from pathlib import Path

import pytest

import searchlib
from searchlib.index import reader as reader_module
from searchlib.records import Brief


def _index(path: Path) -> searchlib.Index:
    """An index of one brief, committed by a writer that is gone, opened to search."""
    with searchlib.create_index(path) as writer:
        writer.add(Brief(id="b1", lang="en", title="Coca in Peru", body=["Coca crops."]))
        writer.commit()
    return searchlib.open_index(path)


def _count_listings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = reader_module.latest_generation

    def counting(directory: object) -> int | None:
        calls.append(1)
        return real(directory)  # type: ignore[arg-type]

    monkeypatch.setattr(reader_module, "latest_generation", counting)
    return calls


def test_a_quiet_unchanged_folder_is_not_listed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = _index(tmp_path / "idx")
    monkeypatch.setattr(reader_module, "QUIET_NS", -(10**18))  # every folder counts as quiet
    reader = index.reader
    calls = _count_listings(monkeypatch)
    for _ in range(3):
        assert reader.reopen() is reader
    assert calls == []  # (index.reader listed it: the newest, in a quiet folder)
    with searchlib.open_index(tmp_path / "idx") as writer:  # another writer commits
        writer.add(Brief(id="b2", lang="en", title="Coca in Bolivia", body=["Coca."]))
        writer.commit()
    assert reader.reopen().generation == reader.generation + 1
    assert sorted(h.id for h in index.search("coca")) == ["b1", "b2"]


def test_a_folder_changed_just_now_is_listed_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = _index(tmp_path / "idx")
    monkeypatch.setattr(reader_module, "QUIET_NS", 10**18)  # no folder is quiet enough
    reader = index.reader
    calls = _count_listings(monkeypatch)
    for _ in range(3):
        assert reader.reopen() is reader
    assert len(calls) == 3
