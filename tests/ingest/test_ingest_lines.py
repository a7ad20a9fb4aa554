"""One bad JSONL line costs that line only, in a sequential run and in chunks (bulk mode):
raw NUL bytes, nesting past the parser's depth, numbers too long; integer ids of any size are
kept exactly; a bad date or an upper-case language code does not cost the record."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import searchlib
from searchlib import bulk
from searchlib.errors import IngestError, IngestWarning
from searchlib.ingest import iter_records, parse_jsonl_record, plan_chunks, read_chunk, read_file
from searchlib.records import Brief


def record(i: int) -> bytes:
    body = f"Police seized {i} kilos of cocaine near the border, officials said."
    return json.dumps({"id": f"r{i}", "lang": "en", "title": f"Seizure {i}", "body": body}).encode()


def jsonl(path: Path, lines: dict[int, bytes], n: int) -> Path:
    """``n`` good records, line k replaced by ``lines[k]`` (1-based)."""
    path.write_bytes(b"\n".join(lines.get(k, record(k)) for k in range(1, n + 1)) + b"\n")
    return path


def both_modes(path: Path, split: bool = True) -> list[list[Brief | IngestError]]:
    """What iter_records yields, and what the chunks of a bulk run yield in order."""
    chunks = plan_chunks([path], chunk_bytes=8 << 10)
    assert (len(chunks) > 4) == split
    return [list(iter_records([path])), [x for c in chunks for x in read_chunk(c)]]


def outline(items: list[Brief | IngestError]) -> tuple[list[str], list[tuple[int | None, str]]]:
    ids = [x.id for x in items if isinstance(x, Brief)]
    errors = [(x.line, x.reason) for x in items if isinstance(x, IngestError)]
    return ids, errors


@pytest.mark.parametrize("bad", [b"\x00", b'{"id": "x\x00", "title": "t"}', b'{"id": "n",\x00}'])
def test_a_raw_nul_byte_costs_its_line_only(tmp_path: Path, bad: bytes) -> None:
    path = jsonl(tmp_path / "docs.jsonl", {1001: bad}, 2000)
    for items in both_modes(path):
        ids, errors = outline(items)
        assert ids == [f"r{k}" for k in range(1, 2001) if k != 1001]
        assert errors == [(1001, "raw NUL byte in the line (binary data)")]


def test_a_binary_file_named_jsonl_is_one_error(tmp_path: Path) -> None:
    """Binary content (NUL bytes, not starting with "{") is one error for the file, in both
    modes, not an error per "line"."""
    path = tmp_path / "archive.jsonl"
    path.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes(range(256)) * 200)
    for items in both_modes(path, split=False):
        assert outline(items) == ([], [(None, "binary file (contains NUL bytes)")])


def nested(depth: int) -> bytes:
    return b'{"id": "deep", "title": "t", "x": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def test_nesting_past_the_parser_limit_is_an_error_for_its_line(tmp_path: Path) -> None:
    lines = {
        5: nested(1500),  # orjson refuses: the json fallback used to recurse
        9: b"[" * 1500,  # unterminated as well
        13: b'{"id": "s\\ud800", "x": ' + b"[" * 990 + b"]" * 990 + b"}",  # json only
    }
    path = jsonl(tmp_path / "docs.jsonl", lines, 600)
    for items in both_modes(path):
        ids, errors = outline(items)
        assert ids == [f"r{k}" for k in range(1, 601) if k not in lines]
        too_deep = "JSON arrays and objects nested too deeply (at most 1024 levels)"
        assert errors == [(5, too_deep), (9, too_deep), (13, too_deep)]


def test_fields_nested_too_deeply_to_store_are_refused_at_ingest(tmp_path: Path) -> None:
    """orjson reads 1,000 levels but the stored document could not be written (the whole run
    stopped with RecursionError); a list of lists is no country."""
    lines = {
        2: nested(1000),
        3: b'{"id": "c", "title": "t", "country": [["Peru"]]}',
        4: nested(100),  # at the limit: kept
        5: nested(101),  # 100 levels (101 brackets with the record's): kept
        6: nested(102),  # 101 levels: the fewest brackets a refused line has
        7: b'{"id": "s", "title": "[[[{{{", "x": ' + b"[" * 99 + b"]" * 99 + b"}",  # kept
    }
    path = jsonl(tmp_path / "docs.jsonl", lines, 7)
    ids, errors = outline(list(read_file(path)))
    assert ids == ["r1", "deep", "deep", "s"]
    assert errors == [
        (2, "field 'x' is nested deeper than 100 levels"),
        (3, "country is neither text nor a list of texts"),
        (6, "field 'x' is nested deeper than 100 levels"),
    ]
    with searchlib.create_index(tmp_path / "idx") as index:
        report = searchlib.index_paths(index, [path], workers=1)
        assert report.indexed == 4 and index.get("deep") is not None


@pytest.mark.parametrize(
    "rid",
    [2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30, -(10**30), 10**400, 123456789012345678901],
)
def test_integer_ids_of_any_size_are_kept_exactly(tmp_path: Path, rid: int) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps({"id": rid, "lang": "en", "title": "t", "n": rid}) + "\n")
    (brief,) = read_file(path)
    assert isinstance(brief, Brief)
    assert brief.id == str(rid) and brief.meta["n"] == rid
    with searchlib.create_index(tmp_path / "idx") as index:
        searchlib.index_paths(index, [path], workers=1)
        stored = index.stored(str(rid))
        assert stored is not None and stored["meta"]["n"] == rid


@given(st.integers())
def test_integer_id_property(rid: int) -> None:
    """Any integer id comes out as its decimal text (orjson alone turned > 64 bits to floats)."""
    (brief,) = read_records(json.dumps({"id": rid, "title": "t"}).encode())
    assert isinstance(brief, Brief) and brief.id == str(rid)


def read_records(line: bytes) -> list[Brief | IngestError]:
    from searchlib.ingest.files import _read_lines

    return list(_read_lines("<test>", line.split(b"\n")))


def test_a_number_too_long_to_convert_is_an_error_for_its_line() -> None:
    items = read_records(b'{"id": ' + b"7" * 5000 + b', "title": "t"}\n' + record(2))
    ids, errors = outline(items)
    assert ids == ["r2"]
    assert len(errors) == 1 and errors[0][0] == 1
    assert errors[0][1].startswith("malformed JSON: Exceeds the limit (4300 digits)")


@pytest.mark.parametrize("value", ["2020-02-30", "March 2020", "23/09/2011", 2020, ["2020"]])
def test_bad_date_keeps_the_record_with_a_warning(tmp_path: Path, value: object) -> None:
    lines = {2: json.dumps({"id": "d", "lang": "en", "title": "Dated", "date": value}).encode()}
    path = jsonl(tmp_path / "docs.jsonl", lines, 3)
    warnings: list[IngestWarning] = []
    items = list(iter_records([path], on_warning=warnings.append))
    assert [x.id for x in items if isinstance(x, Brief)] == ["r1", "d", "r3"]
    assert items[1].date is None  # type: ignore[union-attr]
    assert [(w.path, w.line, w.reason) for w in warnings] == [
        (str(path), 2, f"unparseable date {value!r}: indexed without a date")
    ]
    assert str(warnings[0]) == f"{path}:2: unparseable date {value!r}: indexed without a date"


@pytest.mark.parametrize(
    "value,want",
    [("2020-02-29", dt.date(2020, 2, 29)), ("2011-09-23T10:00:00Z", dt.date(2011, 9, 23))],
)
def test_dates_that_parse_are_kept(value: str, want: dt.date) -> None:
    notes: list[str] = []
    brief = parse_jsonl_record({"id": "x", "title": "t", "date": value}, "s", notes.append)
    assert (brief.date, notes) == (want, [])


@pytest.mark.parametrize("workers", [1, 2])
def test_warnings_reach_the_report_in_both_modes(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = {
        k: json.dumps({"id": f"d{k}", "lang": "en", "title": "t", "date": "2020-13-01"}).encode()
        for k in (7, 700)
    }
    path = jsonl(tmp_path / "docs.jsonl", lines, 900)
    seen: list[IngestWarning] = []
    monkeypatch.setitem(bulk.bulk_index.__kwdefaults__, "chunk_bytes", 16 << 10)  # many tasks
    with searchlib.create_index(tmp_path / "idx") as index:
        report = searchlib.index_paths(index, [path], workers=workers, on_warning=seen.append)
        assert report.indexed == 900 and not report.skipped
        assert [(w.line, w.reason) for w in report.warnings] == [
            (7, "unparseable date '2020-13-01': indexed without a date"),
            (700, "unparseable date '2020-13-01': indexed without a date"),
        ]
        assert seen == report.warnings
        assert report.to_json()["warnings"] == [str(w) for w in report.warnings]
        stored = index.stored("d700")
        assert stored is not None and stored.get("date") is None


@pytest.mark.parametrize("code,want", [("EN", "en"), ("Es", "es"), (" es ", "es"), ("", None)])
def test_language_codes_are_case_insensitive(code: str, want: str | None) -> None:
    brief = parse_jsonl_record({"id": "x", "lang": code, "title": "La policía y el crimen"})
    assert brief.lang == (want or "es")


@pytest.mark.parametrize("code", ["fr", "ENG", 1, ["en"]])
def test_unknown_language_codes_are_still_errors(code: object) -> None:
    with pytest.raises(IngestError, match="unsupported language"):
        parse_jsonl_record({"id": "x", "lang": code, "title": "t"})


_LINES = st.one_of(
    st.integers(1, 60).map(record),
    st.sampled_from(
        [
            b"",
            b"  \t",
            b"\r",
            b"{bad json",
            b'{"id": "n\x00", "title": "t"}',
            b"\x00\x00",
            b'{"id": "d", "title": "t", "date": "2020-02-30"}',
            b'{"id": "u", "title": "\xff"}',
            b'["not", "an", "object"]',
            b'{"id": "crlf", "title": "t"}\r',
            b'{"id": "long", "title": "' + b"x" * 700 + b'"}',
            b'{"id": "deep", "title": "t", "x": ' + b"[" * 101 + b"]" * 101 + b"}",
        ]
    ),
)


@settings(max_examples=80, deadline=None)
@given(
    lines=st.lists(_LINES, min_size=1, max_size=30),
    bom=st.booleans(),
    last_newline=st.booleans(),
    blocks=st.integers(2, 60),
)
def test_a_file_read_in_blocks_reads_as_a_whole(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[bytes],
    bom: bool,
    last_newline: bool,
    blocks: int,
) -> None:
    """A JSONL file larger than a block is read a block at a time: the same records, errors
    (lines and reasons) and warnings as read whole, whatever the block size (smaller than a
    line, cutting a BOM, ending on a newline or not). Every example's file starts as JSON and
    is read in ``blocks`` blocks or more (a block of at most half the file)."""
    from searchlib.ingest import files

    data = b"\xef\xbb\xbf" * bom + b"\n".join(lines) + (b"\n" if last_newline else b"")
    assume(files._starts_json(data) and len(data) >= blocks)  # else never read in blocks
    path = tmp_path_factory.mktemp("blocks") / "docs.jsonl"
    path.write_bytes(data)
    block = len(data) // blocks

    def read() -> tuple[list[object], list[tuple[int | None, str]]]:
        warnings: list[IngestWarning] = []
        out = [
            (x.line, x.reason) if isinstance(x, IngestError) else x
            for x in read_file(path, on_warning=warnings.append)
        ]
        return out, [(w.line, w.reason) for w in warnings]

    whole = read()
    streamed: list[str] = []
    stream = files._jsonl_blocks

    def spied(name: str, *args: Any) -> Any:
        streamed.append(name)
        return stream(name, *args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(files, "READ_BYTES", block)
        mp.setattr(files, "_jsonl_blocks", spied)
        assert read() == whole
    assert streamed == [str(path)]


class _FailingFile:
    """A file whose reads past byte ``fail_at`` fail as a disk's would (EIO)."""

    def __init__(self, f: Any, fail_at: int) -> None:
        self.f, self.fail_at = f, fail_at

    def read(self, n: int = -1) -> bytes:
        if self.f.tell() >= self.fail_at:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        data: bytes = self.f.read(n)
        return data

    def __enter__(self) -> _FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.f.close()


def test_a_read_error_while_a_file_is_streamed_ends_it_with_cannot_read_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EIO from a JSONL file read in blocks: the records of the lines read whole before it,
    then one error naming the file; the next file is read."""
    from searchlib.ingest import files

    path = jsonl(tmp_path / "docs.jsonl", {}, 40)
    other = jsonl(tmp_path / "other.jsonl", {}, 2)
    data = path.read_bytes()
    monkeypatch.setattr(files, "READ_BYTES", 1000)
    real_open = open

    def failing_open(name: str, mode: str) -> _FailingFile:
        return _FailingFile(real_open(name, mode), 2500 if name == str(path) else 1 << 30)

    monkeypatch.setattr(files, "open", failing_open, raising=False)
    items = list(iter_records([path, other]))
    whole_lines = data[:3000].count(b"\n")  # three blocks read, the fourth fails
    assert [x.id for x in items[:whole_lines] if isinstance(x, Brief)] == [
        f"r{i}" for i in range(1, whole_lines + 1)
    ]
    error = items[whole_lines]
    assert isinstance(error, IngestError)
    assert (error.path, error.line, error.reason) == (
        str(path),
        None,
        "cannot read file: Input/output error",
    )
    assert [x.id for x in items[whole_lines + 1 :] if isinstance(x, Brief)] == ["r1", "r2"]
    assert len(items) == whole_lines + 3


@pytest.mark.parametrize("read_bytes", [1000, 4 << 20])
def test_an_error_of_the_warning_callback_is_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_bytes: int
) -> None:
    """An OSError raised by the caller's on_warning (its log cannot be written) reaches the
    caller as raised, whether the file is read whole or in blocks: it is not a read error
    of the file."""
    from searchlib.ingest import files

    bad = {25: json.dumps({"id": "d", "title": "t", "date": "2020-02-30"}).encode()}
    path = jsonl(tmp_path / "docs.jsonl", bad, 40)
    monkeypatch.setattr(files, "READ_BYTES", read_bytes)
    full = OSError(errno.ENOSPC, "No space left on device")

    def on_warning(warning: IngestWarning) -> None:
        raise full

    got: list[object] = []
    with pytest.raises(OSError) as raised:
        for item in iter_records([path], on_warning=on_warning):
            got.append(item)
    assert raised.value is full
    assert [x.id for x in got if isinstance(x, Brief)] == [f"r{i}" for i in range(1, 25)]
    assert len(got) == 24
