"""Reading of input files and folders (JSONL, page text, plain text) into Briefs or IngestErrors.

Errors are yielded, never raised, so a batch run can skip a bad file or line, report it, and
keep everything else. Which files a folder contributes: regular files ending in ``.txt``,
``.md`` or ``.jsonl`` (case-insensitive), found recursively and read in sorted path order; names
starting with "." (hidden files and folders) are skipped; ``README.md`` is read like any other
``.md``; ``.json`` and every other extension are ignored silently.
"""

from __future__ import annotations

import datetime as _dt
import json
import mmap
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from searchlib._json import loads
from searchlib.errors import IngestError
from searchlib.ingest.boilerplate import strip_boilerplate
from searchlib.ingest.layout import LAYOUTS
from searchlib.ingest.page import guess_lang, looks_like_page, parse_page
from searchlib.ingest.template import LineCounter, LineTable
from searchlib.records import Brief, stable_id

__all__ = [
    "INGEST_SUFFIXES",
    "Chunk",
    "iter_records",
    "parse_jsonl_record",
    "plan_chunks",
    "read_chunk",
    "read_file",
]

INGEST_SUFFIXES = frozenset({".txt", ".md", ".jsonl"})
"""File extensions a folder walk reads; others are ignored."""

JSONL_FIELDS = frozenset({"id", "lang", "title", "body", "date", "country", "url", "kind"})
"""Fields of a JSONL record that map to Brief attributes; all others go to ``Brief.meta``."""

Result = Brief | IngestError

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


def read_file(path: str | os.PathLike[str], template: LineTable | None = None) -> Iterator[Result]:
    """Records of one file: a Brief per record, an IngestError per bad record or bad file.

    ``.jsonl`` files (or any non-``.txt``/``.md`` file whose text starts with ``{``) are read
    as JSONL, one record per line (see :func:`parse_jsonl_record`); a bad line yields an error
    naming the file and line, and reading goes on. Other files are text: page text
    (:func:`~searchlib.ingest.page.looks_like_page`) goes to :func:`parse_page`, anything else
    is plain text (title = first non-empty line, body = the blank-line separated paragraphs
    after it, language detected, id = ``stable_id(lang, title, None)``). An unreadable, empty,
    binary (NUL bytes) or non-UTF-8 text file yields one IngestError. ``template``: the
    run's repeated page lines (:func:`page_table`), dropped from page bodies.
    """
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        yield IngestError(name, f"cannot read file: {exc.strerror or exc}")
        return
    if not data.strip():
        yield IngestError(name, "empty file")
        return
    if b"\x00" in data:
        yield IngestError(name, "binary file (contains NUL bytes)")
        return
    suffix = Path(name).suffix.lower()
    if suffix == ".jsonl" or (suffix not in (".txt", ".md") and data.lstrip()[:1] == b"{"):
        yield from _read_jsonl(name, data)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        yield IngestError(name, f"not valid UTF-8 (byte {exc.start})", line=line)
        return
    try:
        yield parse_page(text, name, template) if looks_like_page(text) else _plain(text, name)
    except IngestError as exc:
        yield exc


def iter_records(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Result]:
    """Records of files and folders, in order; errors are yielded, not raised.

    A folder is walked recursively (see the module docstring for which files count); a file
    named directly is read whatever its extension; a missing path yields an IngestError.
    The page files are read twice: first to count the lines repeated across them
    (:func:`page_table`), then to parse them with that evidence.
    """
    files: list[str | None] = []
    missing: list[str] = []
    for path in paths:
        name = os.fspath(path)
        if os.path.isdir(name):
            files.extend(_walk(Path(name)))
        elif os.path.exists(name):
            files.append(name)
        else:
            files.append(None)
            missing.append(name)
    table = page_table(f for f in files if f is not None)
    gone = iter(missing)
    for file in files:
        if file is None:
            yield IngestError(next(gone), "no such file or folder")
        else:
            yield from read_file(file, table)


def page_table(files: Iterable[str]) -> LineTable:
    """The lines repeated across the page files among ``files`` (``.txt``/``.md`` page text),
    per site: the first pass of a run (see :mod:`searchlib.ingest.template`)."""
    counter = LineCounter()
    for name in files:
        if Path(name).suffix.lower() not in (".txt", ".md"):
            continue
        try:
            text = Path(name).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # reported by the second pass
        if "\x00" not in text and looks_like_page(text):
            counter.add_page_text(text)
    return counter.table()


@attrs.frozen(slots=True)
class Chunk:
    """A unit of input for parallel ingest: a whole file, or a line-aligned byte range of a
    JSONL file (``start``..``end``, whose first line is line ``first_line`` of the file)."""

    path: str
    start: int = 0
    end: int | None = None
    first_line: int = 1
    template: LineTable | None = attrs.field(default=None, eq=False)


def plan_chunks(paths: Iterable[str | os.PathLike[str]], chunk_bytes: int = 4 << 20) -> list[Chunk]:
    """Split the input of :func:`iter_records` into chunks of about ``chunk_bytes``, in order.

    Reading the chunks in order with :func:`read_chunk` yields exactly what ``iter_records``
    yields; large JSONL files are cut at line boundaries, other files stay whole and carry
    the run's :func:`page_table`.
    """
    files: list[str] = []
    for path in paths:
        name = os.fspath(path)
        files.extend(_walk(Path(name)) if os.path.isdir(name) else [name])
    chunks: list[Chunk] = []
    table = page_table(files)
    template = table if table else None
    for name in files:
        try:
            size = os.path.getsize(name)
        except OSError:
            chunks.append(Chunk(name))
            continue
        if Path(name).suffix.lower() != ".jsonl" or size <= chunk_bytes:
            chunks.append(Chunk(name, template=template))
            continue
        with open(name, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            start, line = 0, 1
            while start < size:
                end = data.find(b"\n", min(start + chunk_bytes, size - 1))
                end = size if end < 0 else end + 1
                chunks.append(Chunk(name, start, end, line))
                line += data[start:end].count(b"\n")
                start = end
    return chunks


def read_chunk(chunk: Chunk) -> Iterator[Result]:
    """The records of one chunk (see :func:`plan_chunks`)."""
    if chunk.end is None:
        if os.path.exists(chunk.path):
            yield from read_file(chunk.path, chunk.template)
        else:
            yield IngestError(chunk.path, "no such file or folder")
        return
    with open(chunk.path, "rb") as f:
        f.seek(chunk.start)
        data = f.read(chunk.end - chunk.start)
    if b"\x00" in data:
        line = chunk.first_line + data.count(b"\n", 0, data.index(b"\x00"))
        yield IngestError(chunk.path, "binary data (contains NUL bytes)", line=line)
        return
    yield from _read_jsonl(chunk.path, data, chunk.first_line)


def _walk(root: Path) -> list[str]:
    found: list[tuple[tuple[str, ...], str]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for f in files:
            if f.startswith(".") or Path(f).suffix.lower() not in INGEST_SUFFIXES:
                continue
            full = Path(folder, f)
            if full.is_file():
                found.append((full.relative_to(root).parts, str(full)))
    return [p for _, p in sorted(found)]


def _read_jsonl(name: str, data: bytes, first_line: int = 1) -> Iterator[Result]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for lineno, raw in enumerate(data.split(b"\n"), start=first_line):
        if not raw.strip():
            continue
        try:
            obj = loads(raw)
        except UnicodeDecodeError as exc:
            yield IngestError(name, f"not valid UTF-8 (byte {exc.start} of the line)", line=lineno)
            continue
        except json.JSONDecodeError as exc:
            yield IngestError(name, f"malformed JSON: {exc.msg} (column {exc.colno})", line=lineno)
            continue
        try:
            yield parse_jsonl_record(obj, f"{name}:{lineno}")
        except IngestError as exc:
            yield IngestError(name, exc.reason, line=lineno)


def parse_jsonl_record(obj: Any, source: str = "<string>") -> Brief:
    """One JSONL record -> Brief.

    Fields: ``id`` (string or integer, kept exactly; required), ``lang`` ("en"/"es"; detected
    from the text when missing), ``title`` and ``body`` (strings; at least one must be present,
    but empty text is kept so every id of a corpus loads; ``body`` may also be a list of
    paragraphs), optional ``date`` (ISO date or datetime), ``country`` (string or list),
    ``url``, ``kind``. Other fields are kept in ``meta``. A string body is split into lines
    (the corpora's paragraph breaks) and cleaned by :func:`strip_boilerplate`.

    Raises:
        IngestError: the record is not an object, or a field is missing or of the wrong type.
    """
    if not isinstance(obj, dict):
        raise IngestError(source, f"record is a JSON {type(obj).__name__}, not an object")
    rid = obj.get("id")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or rid == "":
        raise IngestError(source, "record has no id" if rid in (None, "") else "id is not text")
    title = _opt_str(obj, "title", source) or ""
    paragraphs = _paragraphs(obj.get("body"), source)
    if "title" not in obj and "body" not in obj:
        raise IngestError(source, "record has no text (neither title nor body)")
    lang = obj.get("lang")
    if lang is None:
        lang = guess_lang(title, paragraphs)
    elif lang not in LAYOUTS:
        raise IngestError(source, f"unsupported language {lang!r}")
    country = obj.get("country")
    if country is not None and not isinstance(country, (str, list)):
        raise IngestError(source, "country is neither text nor a list")
    return Brief(
        id=str(rid),
        lang=lang,
        title=title,
        body=strip_boilerplate(paragraphs, lang),
        kind=(_opt_str(obj, "kind", source) or "brief").lower(),
        date=_date(obj.get("date"), source),
        countries=country,
        source=source,
        url=_opt_str(obj, "url", source),
        meta={k: v for k, v in obj.items() if k not in JSONL_FIELDS},
    )


def _opt_str(obj: Mapping[str, Any], key: str, source: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise IngestError(source, f"{key} is not text")
    return value


def _paragraphs(body: Any, source: str) -> list[str]:
    if body is None:
        return []
    if isinstance(body, str):
        return body.split("\n")
    if isinstance(body, list) and all(isinstance(p, str) for p in body):
        return list(body)
    raise IngestError(source, "body is neither text nor a list of texts")


def _date(value: Any, source: str) -> _dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise IngestError(source, f"unparseable date {value!r}")


def _plain(text: str, source: str) -> Brief:
    """A plain text file: first non-empty line is the title, blank-line paragraphs the body."""
    first, _, rest = text.strip().partition("\n")
    title = first.strip().lstrip("#").strip() or first.strip()
    paragraphs = [" ".join(b.split()) for b in _BLANK_LINE.split(rest)]
    lang = guess_lang(title, paragraphs)
    return Brief(
        id=stable_id(lang, title, None),
        lang=lang,
        title=title,
        body=strip_boilerplate(paragraphs, lang),
        source=source,
    )
