"""`searchlib index`: warnings in the summary, and a failed run that leaves no index behind
(while an index that was there is never touched)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from shared_paths import SEEDS

import searchlib
from searchlib.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "write.lock"}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_bad_dates_are_warnings_in_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    src = tmp_path / "docs.jsonl"
    lines = [
        {"id": "a", "lang": "EN", "title": "Extortion in Honduras", "date": "2020-02-30"},
        {"id": "b", "lang": "es", "title": "Extorsión", "date": "March 2020"},
        {"id": "c", "lang": "en", "title": "Dated", "date": "2020-02-29"},
    ]
    src.write_text("".join(json.dumps(x) + "\n" for x in lines))
    idx = str(tmp_path / "idx")
    code, out, err = run(capsys, "index", str(src), "--index", idx, "--workers", workers)
    assert code == 0
    assert out.startswith("indexed 3 records, skipped 0, 2 warnings, ")
    assert err.splitlines() == [
        f"warning {src}:1: unparseable date '2020-02-30': indexed without a date",
        f"warning {src}:2: unparseable date 'March 2020': indexed without a date",
    ]
    code, out, _ = run(capsys, "index", str(src), "--index", idx, "--json", "--workers", workers)
    warnings = [line.removeprefix("warning ") for line in err.splitlines()]
    assert json.loads(out)["warnings"] == warnings
    with searchlib.open_index(idx) as index:
        dates = [getattr(index.get(i), "date", "missing") for i in "abc"]
        assert dates == [None, None, dt.date(2020, 2, 29)]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_failed_first_run_leaves_no_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    target = tmp_path / "new" / "deeper" / "idx"
    code, _, err = run(capsys, "index", str(bad), "--index", str(target), "--workers", workers)
    assert code == 3 and "binary file" in err
    assert not (tmp_path / "new").exists()
    code, out, err = run(capsys, "search", "coca", "--index", str(target))
    assert code == 3 and "no index" in err and out == ""


def test_a_run_that_raises_leaves_no_index_but_keeps_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import searchlib.api

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(searchlib.api, "index_paths", broken)
    empty = tmp_path / "empty"  # a folder that was there: kept, with the user's file
    empty.mkdir()
    (empty / "notes.txt").write_text("mine")
    for target in (tmp_path / "fresh", empty):
        code, _, err = run(capsys, "index", str(SEEDS), "--index", str(target))
        assert code == 3 and "No space left on device" in err
    assert not (tmp_path / "fresh").exists()
    assert [p.name for p in empty.iterdir()] == ["notes.txt"]


def test_a_failed_run_never_touches_an_existing_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    idx = tmp_path / "idx"
    assert run(capsys, "index", str(SEEDS), "--index", str(idx))[0] == 0
    before = snapshot(idx)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    assert run(capsys, "index", str(bad), "--index", str(idx))[0] == 3
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "x.csv").write_text("a,b\n")
    assert run(capsys, "index", str(empty), "--index", str(idx))[0] == 3
    assert snapshot(idx) == before


def test_a_run_that_committed_before_failing_keeps_its_commits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": f"d{i}", "title": "t"}) + "\n" for i in range(10)))
    real_add = searchlib.Index.add
    added = [0]

    def add_then_fail(self: searchlib.Index, record: searchlib.Brief) -> None:
        added[0] += 1
        if added[0] > 6:
            raise OSError(28, "No space left on device")
        real_add(self, record)

    monkeypatch.setattr(searchlib.Index, "add", add_then_fail)
    idx = tmp_path / "idx"
    code, _, _ = run(capsys, "index", str(src), "--index", str(idx), "--commit-every", "3")
    assert code == 3
    with searchlib.open_index(idx) as index:
        assert len(index) == 6


def test_both_modes_report_the_same_lines_in_input_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchlib import bulk

    monkeypatch.setitem(bulk.bulk_index.__kwdefaults__, "chunk_bytes", 4 << 10)  # many tasks
    folder = tmp_path / "in"
    folder.mkdir()
    lines = []
    for i in range(300):
        date = "2020-02-30" if i % 50 == 7 else "2020-01-01"
        lines.append(json.dumps({"id": f"r{i}", "title": f"t {i}", "date": date}))
        if i % 60 == 11:
            lines.append('{"id": "broken", ')
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "b.csv").write_text("a,b\n")
    reports = []
    for workers in ("1", "2"):
        idx = str(tmp_path / f"idx{workers}")
        code, out, err = run(capsys, "index", str(folder), "--index", idx, "--workers", workers)
        assert code == 0 and out.startswith("indexed 300 records, skipped 6, 6 warnings, ")
        reports.append(err.splitlines())
    assert reports[0] == reports[1]
    assert [line.split(":")[1] for line in reports[0][:4]] == ["8", "13", "59", "74"]


def test_a_warning_of_a_record_skipped_for_another_reason_is_not_reported(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": "x", "title": "t", "date": "2020-02-30", "url": 5}) + "\n")
    warnings: list[searchlib.IngestWarning] = []
    (item,) = searchlib.iter_records([src], on_warning=warnings.append)
    assert isinstance(item, searchlib.IngestError) and item.reason == "url is not text"
    assert warnings == []


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_empty_folder_makes_an_empty_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    idx = tmp_path / "idx"
    code, out, err = run(capsys, "index", str(folder), "--index", str(idx), "--workers", workers)
    assert (code, err) == (0, "")
    assert out.startswith("indexed 0 records, skipped 0, ")
    assert out.rstrip().endswith(f"-> {idx} (0 documents, generation 0)")
    assert run(capsys, "search", "coca", "--index", str(idx)) == (0, "no results\n", "")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_files_without_records_are_reported_and_make_no_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(b"")
    (folder / "b.jsonl").write_text("\n\n   \n")
    idx = tmp_path / "idx"
    code, out, err = run(capsys, "index", str(folder), "--index", str(idx), "--workers", workers)
    assert code == 3 and out.startswith("indexed 0 records, skipped 2, ")
    assert err.splitlines() == [
        f"skipped {folder / 'a.jsonl'}: empty file",
        f"skipped {folder / 'b.jsonl'}: empty file",
    ]
    assert not idx.exists()
