"""IndexReader.reopen while a commit replaces the manifest: a listing that shows no manifest
(readdir may miss both the renamed-in and the deleted name) keeps the snapshot, never raises
IndexNotFoundError (found by tests/serve's concurrent searches during commits)."""

from __future__ import annotations

import pytest

import searchlib
from searchlib.records import Brief


def test_a_listing_without_a_manifest_keeps_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    index = searchlib.create_index()
    index.add(Brief(id="b1", lang="en", title="Coca in Peru", body=["Coca crops."]))
    index.commit()
    reader = index.reader
    directory = reader.directory
    listing = directory.list()
    monkeypatch.setattr(directory, "list", lambda: [n for n in listing if "manifest" not in n])
    assert reader.reopen() is reader
    assert [h.id for h in index.search("coca")] == ["b1"]
    monkeypatch.undo()
    index.add(Brief(id="b2", lang="en", title="Coca in Bolivia", body=["Coca."]))
    index.commit()
    assert reader.reopen().generation == reader.generation + 1
