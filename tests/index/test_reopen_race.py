"""Reading an index from several threads while a commit replaces its manifest (found by
tests/serve's concurrent searches during commits): a folder listing from each thread sees
every file, and a listing that shows no manifest keeps the snapshot (never IndexNotFoundError)."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path

import pytest

import searchlib
from searchlib.records import Brief
from searchlib.storage import FileDirectory


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


def test_threads_listing_one_folder_each_see_every_file(tmp_path: Path) -> None:
    """FileDirectory.list from 8 threads at once: every listing has every file (scandir of a
    shared descriptor made threads miss the entries another had read: 157 of 16,000
    listings of a 39-file index missed some)."""
    directory = FileDirectory(tmp_path, create=True)
    for i in range(40):
        directory.write(f"f{i:03d}", [b"x"])
    expected = directory.list()
    assert len(expected) == 40
    short: list[int] = []

    def run() -> None:
        for _ in range(500):
            found = directory.list()
            if found != expected:
                short.append(len(found))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert short == []


def test_a_snapshot_left_behind_is_freed() -> None:
    """After searches that cache per-snapshot work (prefix and fuzzy vocabularies,
    cognates, did-you-mean, twins, facets) and a commit, the old snapshot is freed: its cache
    is weakly keyed by it, and nothing in the cache may refer back to it (a Vocabulary did:
    a server that reopened after each commit grew 22 MB a commit)."""
    index = searchlib.create_index()
    index.add(Brief(id="b1", lang="en", title="Coca in Peru", body=["Coca crops."]))
    index.add(Brief(id="b2", lang="es", title="Coca en Perú", body=["Cultivos de coca."]))
    index.commit()
    old = weakref.ref(index.reader)
    for query in ("coc*", "cocq~1", "Humla coca", "erradicación de coca"):
        index.search(query, facets=True, twins=True)
    index.search("hypothesis crops", syntax="plain")
    index.related("b1")
    index.add(Brief(id="b3", lang="en", title="Coca in Bolivia", body=["Coca."]))
    index.commit()
    gc.collect()
    assert old() is None
