"""Folders: every file not indexed is reported with its reason (in both modes), and a text
file's id comes from its path, so indexing an edited file again replaces it."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from shared_paths import SAMPLE_ID, SAMPLE_PAGE

import searchlib
from searchlib.errors import IngestError
from searchlib.ingest import iter_records, plan_chunks, read_chunk, read_file
from searchlib.records import Brief, stable_id

OTHER = "(a folder contributes .jsonl, .md, .txt files)"


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A FIFO; should a read of it block, a writer comes after 5 s and ends it (a failure,
    not a hang)."""
    path = tmp_path / "fifo"
    os.mkfifo(path)
    done = threading.Event()

    def unblock() -> None:
        if not done.wait(5):
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)

    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    yield path
    done.set()
    thread.join()


def outline(items: list[Brief | IngestError], root: Path) -> list[tuple[str, str]]:
    return [
        (os.path.relpath(x.path, root), x.reason)
        if isinstance(x, IngestError)
        else (os.path.relpath(x.source, root), "ok")
        for x in items
    ]


def test_every_file_a_folder_does_not_index_is_reported_in_order(
    tmp_path: Path, fifo: Path
) -> None:
    root = tmp_path / "input"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("A title\n\nSome text.\n")
    (root / "b.csv").write_text("a,b\n")
    (root / "c.json").write_text('{"id": "x"}')
    (root / "d.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00")
    (root / "e").write_text("no extension\n")
    (root / "f.txt").symlink_to(root / "gone.txt")  # dangling
    (root / "g").symlink_to(root / "sub", target_is_directory=True)
    (root / "h.jsonl").symlink_to(fifo)  # a read would block
    (root / ".hidden.md").write_text("x")
    (root / ".cache").mkdir()
    (root / ".cache" / "x.txt").write_text("x")
    (root / "sub" / "i.TXT").write_text("Another title\n\nMore text.\n")
    (root / "sub" / "j.link.md").symlink_to(root / "a.txt")  # a link to a file is read

    want = [
        (".cache", "not indexed: hidden folder"),
        (".hidden.md", "not indexed: hidden file"),
        ("a.txt", "ok"),
        ("b.csv", f"not indexed: .csv file {OTHER}"),
        ("c.json", f"not indexed: .json file {OTHER}"),
        ("d.jsonl.gz", f"not indexed: .gz file {OTHER}"),
        ("e", f"not indexed: file without an extension {OTHER}"),
        ("f.txt", "not indexed: broken symbolic link"),
        ("g", "not indexed: link to a folder (links to folders are not followed)"),
        ("h.jsonl", "not indexed: not a regular file"),
        ("sub/i.TXT", "ok"),
        ("sub/j.link.md", "ok"),
    ]
    assert outline(list(iter_records([root])), root) == want
    chunks = plan_chunks([root], chunk_bytes=10)
    assert outline([x for c in chunks for x in read_chunk(c)], root) == want


def test_files_named_directly_that_cannot_be_read_are_named(tmp_path: Path, fifo: Path) -> None:
    (tmp_path / "link.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "pipe.jsonl").symlink_to(fifo)
    items = list(iter_records([tmp_path / "link.txt", tmp_path / "pipe.jsonl"]))
    assert [(Path(x.path).name, x.reason) for x in items if isinstance(x, IngestError)] == [
        ("link.txt", "broken symbolic link"),
        ("pipe.jsonl", "not a regular file"),
    ]
    assert list(plan_chunks([tmp_path / "pipe.jsonl"]))[0].end is None


def test_a_text_files_id_is_its_path_under_the_indexed_folder(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    (notes / "2020").mkdir(parents=True)
    (notes / "top.md").write_text("# Top\n\nText.\n")
    (notes / "2020" / "a.txt").write_text("Same title\n\nFirst.\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "a.txt").write_text("Same title\n\nFirst.\n")  # same text
    ids = {b.source: b.id for b in iter_records([notes, tmp_path / "other"])}  # type: ignore[union-attr]
    assert ids == {
        str(notes / "top.md"): stable_id("file", "notes/top.md"),
        str(notes / "2020" / "a.txt"): stable_id("file", "notes/2020/a.txt"),
        str(tmp_path / "other" / "a.txt"): stable_id("file", "other/a.txt"),
    }
    # a file named directly: its folder's name and its own (the same as through the folder)
    (direct,) = read_file(notes / "top.md")
    assert direct.id == ids[str(notes / "top.md")]  # type: ignore[union-attr]


def test_pages_keep_the_id_of_their_url_or_file_name(tmp_path: Path) -> None:
    page = SAMPLE_PAGE.read_text(encoding="utf-8")
    (tmp_path / "000_60fa42e6893d93ee.txt").write_text(page)  # id-like file name
    (tmp_path / "plain-name.txt").write_text(page)  # no id of its own: its path
    with_url = "https://insightcrime.org/news/brief/humala-peru/\n" + page
    (tmp_path / "url.txt").write_text(with_url)
    ids = [b.id for b in iter_records([tmp_path])]  # type: ignore[union-attr]
    assert ids == [SAMPLE_ID, stable_id("file", f"{tmp_path.name}/plain-name.txt"), "humala-peru"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_indexing_an_edited_file_again_replaces_it(
    tmp_path: Path, workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from searchlib.cli import main

    folder = tmp_path / "notes"
    folder.mkdir()
    note = folder / "note.txt"
    page = folder / "page.txt"
    idx = str(tmp_path / "idx")
    for version in ("one", "two"):
        note.write_text(f"Coca report\n\nThe version{version} of the report on coca.\n")
        sample = SAMPLE_PAGE.read_text(encoding="utf-8")
        page.write_text(sample.replace("Humala", f"Humala page{version}"))
        assert main(["index", str(folder), "--index", idx, "--workers", workers]) == 0
    capsys.readouterr()
    with searchlib.open_index(idx) as index:
        assert [index.search(w).total for w in ("versionone", "versiontwo")] == [0, 1]
        assert [index.search(w).total for w in ("pageone", "pagetwo")] == [0, 1]
        assert index.stats()["docs_by_kind"]["brief"] == 2
