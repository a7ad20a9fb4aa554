"""Reading of input files and folders (JSONL, page text, plain text) into Briefs or IngestErrors.

Errors are yielded, never raised, so a batch run can skip a bad file or line, report it, and
keep everything else. Which files a folder contributes: regular files ending in ``.txt``,
``.md`` or ``.jsonl`` (case-insensitive), found recursively and read in sorted path order;
``README.md`` is read like any other ``.md``. Every other file of the folder is reported, in
the same order, as an IngestError saying why it is not indexed: another extension (``.json``,
``.csv``, ``.gz``...), a hidden name (starting with "."; a hidden folder is one entry, its
files are not listed), a broken symbolic link, a link to a folder (links to folders are not
followed), something other than a regular file (a FIFO, a socket), a folder that cannot be
read.

A text file's id comes from its path: the indexed folder's name and the path under it (for a
file named directly, its folder's name and its own), so indexing an edited file again replaces
it. A page file keeps the id its URL or file name gives (:func:`~searchlib.ingest.page.page_id`).
"""

from __future__ import annotations

import datetime as _dt
import json
import mmap
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import Any, cast

import attrs
import numpy as np

from searchlib._json import JSONTooDeepError, loads
from searchlib.errors import IngestError, IngestWarning
from searchlib.ingest.boilerplate import strip_boilerplate
from searchlib.ingest.layout import LAYOUTS
from searchlib.ingest.template import LineCounter, LineTable
from searchlib.records import Brief, BriefFields, id_problem, stable_id

__all__ = [
    "INGEST_SUFFIXES",
    "Chunk",
    "iter_index_records",
    "iter_records",
    "parse_jsonl_record",
    "plan_chunks",
    "read_chunk",
    "read_index_chunk",
    "read_file",
    "jsonl_fields",
]

INGEST_SUFFIXES = frozenset({".txt", ".md", ".jsonl"})
"""File extensions a folder walk reads; others are ignored."""

JSONL_FIELDS = frozenset({"id", "lang", "title", "body", "date", "country", "url", "kind"})
"""Fields of a JSONL record that map to Brief attributes; all others go to ``Brief.meta``."""

Result = Brief | IngestError
FieldsResult = Brief | BriefFields | IngestError
"""What the indexing path reads: a JSONL record's checked values instead of its Brief."""
OnWarning = Callable[[IngestWarning], None]
"""Called with what was indexed with a loss (a record without its unparseable date)."""

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_BOM = b"\xef\xbb\xbf"
MAX_FIELD_DEPTH = 100
"""Deepest nesting of arrays and objects inside one extra field of a JSONL record."""
READ_BYTES = 4 << 20
"""A JSONL file larger than this is read a block of about this size at a time (whole lines),
so reading it takes memory for a block, not for the file (a line longer than a block is read
whole)."""


def read_file(
    path: str | os.PathLike[str],
    key: str | None = None,
    on_warning: OnWarning | None = None,
    template: LineTable | None = None,
) -> Iterator[Result]:
    """Records of one file: a Brief per record, an IngestError per bad record or bad file.

    ``.jsonl`` files (or any non-``.txt``/``.md`` file whose text starts with ``{``) are read
    as JSONL, one record per line (see :func:`parse_jsonl_record`); a bad line (malformed or
    too deeply nested JSON, a raw NUL byte, invalid UTF-8, a bad field) yields an error naming
    the file and line, and reading goes on. Other files are text: page text
    (:func:`~searchlib.ingest.page.looks_like_page`) goes to :func:`parse_page`, anything else
    is plain text (title = first non-empty line, body = the blank-line separated paragraphs
    after it, language detected). A text file's id is made from ``key``, its path under the
    indexed folder (default: its folder's name and its own), unless it is a page whose URL or
    file name gives one. A file that is not a regular file, unreadable, empty, binary (NUL
    bytes, and for JSONL not starting with ``{``) or non-UTF-8 text yields one IngestError.
    ``on_warning`` is called for each record indexed with a loss. ``template``: the run's
    repeated page lines (:func:`page_table`), dropped from page bodies.
    """
    return cast(Iterator[Result], _read_file(path, key, on_warning, template, False))


def _read_file(
    path: str | os.PathLike[str],
    key: str | None,
    on_warning: OnWarning | None,
    template: LineTable | None,
    fields: bool,
) -> Iterator[FieldsResult]:
    """:func:`read_file`; with ``fields``, a JSONL record's :class:`BriefFields`, not its
    Brief (see :func:`iter_index_records`)."""
    return chain.from_iterable(_file_parts(path, key, on_warning, template, fields))


def _file_parts(
    path: str | os.PathLike[str],
    key: str | None,
    on_warning: OnWarning | None,
    template: LineTable | None,
    fields: bool,
) -> Iterator[Iterable[FieldsResult]]:
    """What :func:`_read_file` yields, as the iterables it chains: a block of JSONL lines'
    records passes to the caller through no Python frame but the one reading its lines."""
    name = os.fspath(path)
    try:
        st = os.stat(name)
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read
            yield (IngestError(name, "not a regular file"),)
            return
        if st.st_size > READ_BYTES and Path(name).suffix.lower() not in (".txt", ".md"):
            with open(name, "rb") as f:
                head = f.read(4096)
            if _starts_json(head):  # JSONL: read a block at a time, not the whole file
                yield from _jsonl_blocks(name, on_warning, fields)
                return
        data = Path(name).read_bytes()
    except OSError as exc:
        yield (IngestError(name, f"cannot read file: {exc.strerror or exc}"),)
        return
    if not data.strip():
        yield (IngestError(name, "empty file"),)
        return
    suffix = Path(name).suffix.lower()
    starts_json = _starts_json(data)
    jsonl = suffix == ".jsonl" or (suffix not in (".txt", ".md") and starts_json)
    if b"\x00" in data and not (jsonl and starts_json):  # JSONL: only the lines with NUL
        yield (IngestError(name, "binary file (contains NUL bytes)"),)
        return
    if jsonl:
        lines = data.split(b"\n")
        del data  # held by the lines only
        yield _read_lines(name, lines, 1, on_warning, fields=fields)
        return
    yield _text_file(name, data, key, on_warning, template)


def _text_file(
    name: str,
    data: bytes,
    key: str | None,
    on_warning: OnWarning | None,
    template: LineTable | None,
) -> tuple[Result]:
    """The record (or error) of a page or plain text file of bytes ``data``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return (IngestError(name, f"not valid UTF-8 (byte {exc.start})", line=line),)
    file_id = stable_id("file", key or _file_key(name))
    from searchlib.ingest.page import looks_like_page, parse_page  # not loaded by JSONL input

    try:
        if not looks_like_page(text):
            return (_plain(text, name, file_id),)
        warn = None
        if on_warning is not None:
            report = on_warning

            def warn(note: str, line: int) -> None:
                report(IngestWarning(name, note, line=line))

        page = parse_page(text, name, template, warn)
        return (page if _has_own_id(page.url, name) else attrs.evolve(page, id=file_id),)
    except IngestError as exc:
        return (exc,)


def iter_records(
    paths: Iterable[str | os.PathLike[str]], on_warning: OnWarning | None = None
) -> Iterator[Result]:
    """Records of files and folders, in order; errors are yielded, not raised.

    A folder is walked recursively (see the module docstring for which files count, and the
    error each other file yields); a file named directly is read whatever its extension; a
    missing path yields an IngestError. ``on_warning`` is called for each record indexed
    with a loss (see :func:`parse_jsonl_record`). The page files are read twice: first to
    count the lines repeated across them (:func:`page_table`), then to parse them with that
    evidence.
    """
    return cast(Iterator[Result], _iter_records(paths, on_warning, False))


def iter_index_records(
    paths: Iterable[str | os.PathLike[str]], on_warning: OnWarning | None = None
) -> Iterator[FieldsResult]:
    """:func:`iter_records` for indexing: a JSONL record comes as its :class:`BriefFields`
    (the same checks, errors and warnings), which the index turns into a document without
    building the Brief; page and text files still give Briefs."""
    return _iter_records(paths, on_warning, True)


def _iter_records(
    paths: Iterable[str | os.PathLike[str]], on_warning: OnWarning | None, fields: bool
) -> Iterator[FieldsResult]:
    return chain.from_iterable(_record_parts(paths, on_warning, fields))


def _record_parts(
    paths: Iterable[str | os.PathLike[str]], on_warning: OnWarning | None, fields: bool
) -> Iterator[Iterable[FieldsResult]]:
    """What :func:`_iter_records` yields, as the iterables it chains (see :func:`_file_parts`)."""
    entries: list[_Entry] = []
    for path in paths:
        name = os.fspath(path)
        if os.path.isdir(name):
            entries.extend(_walk(Path(name)))
        elif os.path.exists(name):
            entries.append(_Entry(name, _file_key(name)))
        else:
            entries.append(_Entry(name, "", _missing(name)))
    table = page_table(e.path for e in entries if e.skip is None)
    for entry in entries:
        if entry.skip is not None:
            yield (IngestError(entry.path, entry.skip),)
        else:
            yield _read_file(entry.path, entry.key, on_warning, table, fields)


def page_table(files: Iterable[str]) -> LineTable:
    """The lines repeated across the page files among ``files`` (``.txt``/``.md`` page text),
    per site: the first pass of a run (see :mod:`searchlib.ingest.template`)."""
    counter = LineCounter()
    for name in files:
        if Path(name).suffix.lower() not in (".txt", ".md") or not os.path.isfile(name):
            continue
        try:
            text = Path(name).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue  # reported by the second pass
        from searchlib.ingest.page import looks_like_page  # not loaded by JSONL input

        if "\x00" not in text and looks_like_page(text):
            counter.add_page_text(text)
    return counter.table()


@attrs.frozen(slots=True)
class Chunk:
    """A unit of input for parallel ingest: a whole file, or a line-aligned byte range of a
    JSONL file (``start``..``end``, whose first line is line ``first_line`` of the file).

    ``key`` is the file's path under the indexed folder (its id, see :func:`read_file`);
    ``skip`` says why a file of a folder is not indexed (the chunk yields only that error).
    """

    path: str
    start: int = 0
    end: int | None = None
    first_line: int = 1
    key: str | None = None
    skip: str | None = None
    template: LineTable | None = attrs.field(default=None, eq=False)


def plan_chunks(paths: Iterable[str | os.PathLike[str]], chunk_bytes: int = 4 << 20) -> list[Chunk]:
    """Split the input of :func:`iter_records` into chunks of about ``chunk_bytes``, in order.

    Reading the chunks in order with :func:`read_chunk` yields exactly what ``iter_records``
    yields; large JSONL files are cut at line boundaries, other files stay whole.
    """
    entries: list[_Entry] = []
    for path in paths:
        name = os.fspath(path)
        entries.extend(_walk(Path(name)) if os.path.isdir(name) else [_Entry(name, "")])
    table = page_table(e.path for e in entries if e.skip is None)
    template = table if table else None
    chunks: list[Chunk] = []
    for entry in entries:
        if entry.skip is not None:
            chunks.append(Chunk(entry.path, skip=entry.skip))
        else:
            chunks.extend(_file_chunks(entry.path, entry.key or None, chunk_bytes, template))
    return chunks


def _file_chunks(
    name: str, key: str | None, chunk_bytes: int, template: LineTable | None
) -> Iterator[Chunk]:
    try:
        size = os.path.getsize(name)
    except OSError:
        yield Chunk(name, key=key)
        return
    if Path(name).suffix.lower() != ".jsonl" or size <= chunk_bytes or not os.path.isfile(name):
        yield Chunk(name, key=key, template=template)
        return
    with open(name, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if not _starts_json(data[:4096]):  # perhaps binary: read_file judges the whole
            yield Chunk(name, key=key, template=template)
            return
        start, line = 0, 1
        while start < size:
            end = data.find(b"\n", min(start + chunk_bytes, size - 1))
            end = size if end < 0 else end + 1
            yield Chunk(name, start, end, line, key)
            line += _newlines(data, start, end)
            start = end


def _newlines(data: mmap.mmap, start: int, end: int) -> int:
    """How many newlines ``data[start:end]`` holds, counted in place by numpy (a quarter of the
    time of a slice's ``bytes.count``: 4 ms, not 17, for the news corpus, before the workers of
    ``searchlib index`` can start)."""
    return int(np.count_nonzero(np.frombuffer(data, np.uint8, end - start, start) == 10))


def read_chunk(chunk: Chunk, on_warning: OnWarning | None = None) -> Iterator[Result]:
    """The records of one chunk (see :func:`plan_chunks`)."""
    return cast(Iterator[Result], _read_chunk(chunk, on_warning, False))


def read_index_chunk(chunk: Chunk, on_warning: OnWarning | None = None) -> Iterator[FieldsResult]:
    """:func:`read_chunk` for indexing: a JSONL record comes as its :class:`BriefFields`, as
    from :func:`iter_index_records`."""
    return _read_chunk(chunk, on_warning, True)


def _read_chunk(chunk: Chunk, on_warning: OnWarning | None, fields: bool) -> Iterator[FieldsResult]:
    return chain.from_iterable(_chunk_parts(chunk, on_warning, fields))


def _chunk_parts(
    chunk: Chunk, on_warning: OnWarning | None, fields: bool
) -> Iterator[Iterable[FieldsResult]]:
    """What :func:`_read_chunk` yields, as the iterables it chains (see :func:`_file_parts`)."""
    if chunk.skip is not None:
        yield (IngestError(chunk.path, chunk.skip),)
        return
    if chunk.end is None:
        if os.path.exists(chunk.path):
            yield _read_file(chunk.path, chunk.key, on_warning, chunk.template, fields)
        else:
            yield (IngestError(chunk.path, _missing(chunk.path)),)
        return
    with open(chunk.path, "rb") as f:
        f.seek(chunk.start)
        lines = f.read(chunk.end - chunk.start).split(b"\n")
    yield _read_lines(chunk.path, lines, chunk.first_line, on_warning, fields=fields)


def _jsonl_blocks(
    name: str, on_warning: OnWarning | None, fields: bool = False
) -> Iterator[Iterator[FieldsResult]]:
    """The records of the JSONL file ``name`` (starting with ``{``), read :data:`READ_BYTES`
    at a time, a block's at a time: chained, what :func:`_read_lines` yields for the lines of
    the whole file. A block is split into lines as it is (no copy of it joined to the line it
    finishes)."""
    line = 1
    first = True
    with open(name, "rb") as f:
        rest = b""
        while True:
            block = f.read(READ_BYTES)
            if not block:
                break
            lines = block.split(b"\n")
            del block  # held by the lines only
            if len(lines) == 1:  # a line longer than a block: keep reading it
                rest += lines[0]
                continue
            lines[0] = rest + lines[0]
            rest = lines.pop()  # the start of the next block's first line
            records = _read_lines(name, lines, line, on_warning, bom=first, fields=fields)
            line += len(lines)  # before they are read: reading empties the list
            first = False
            yield records
        if rest:
            yield _read_lines(name, [rest], line, on_warning, bom=first, fields=fields)


def _missing(name: str) -> str:
    return "broken symbolic link" if os.path.islink(name) else "no such file or folder"


def _starts_json(data: bytes) -> bool:
    """Whether ``data`` starts with ``{`` (after a UTF-8 BOM and white space)."""
    return data[:4096].removeprefix(_BOM).lstrip()[:1] == b"{"


def _file_key(name: str) -> str:
    """The id key of a file named directly: its folder's name and its own."""
    path = Path(os.path.abspath(name))
    return f"{path.parent.name}/{path.name}"


def _has_own_id(url: str | None, source: str) -> bool:
    """Whether :func:`page_id` finds an id in a page's URL or file name (rather than making
    one from its text)."""
    from searchlib.ingest.page import page_id

    return page_id(url, source, "", "", None) != stable_id("", "", None)


@attrs.frozen(slots=True)
class _Entry:
    """A file found in a folder: its path, its key (the folder's name and the path under
    it, ``/``-separated) and, when it is not indexed, why."""

    path: str
    key: str
    skip: str | None = None


def _walk(root: Path) -> list[_Entry]:
    """Every entry of the folder ``root`` in sorted path order (see the module docstring)."""
    top = Path(os.path.abspath(root)).name
    found: list[tuple[tuple[str, ...], _Entry]] = []

    def add(path: Path, skip: str | None) -> None:
        parts = path.relative_to(root).parts
        found.append((parts, _Entry(str(path), "/".join((top, *parts)), skip)))

    def unreadable(exc: OSError) -> None:
        path = Path(exc.filename or root)
        reason = f"not indexed: cannot read folder ({exc.strerror or exc})"
        if path == root:
            found.append(((), _Entry(str(root), top, reason)))
        else:
            add(path, reason)

    for folder, dirs, files in os.walk(root, onerror=unreadable):
        kept = []
        for d in dirs:
            full = Path(folder, d)
            if d.startswith("."):
                add(full, "not indexed: hidden folder")
            elif full.is_symlink():
                add(full, "not indexed: link to a folder (links to folders are not followed)")
            else:
                kept.append(d)
        dirs[:] = kept
        for f in files:
            full = Path(folder, f)
            add(full, _why_not(full))
    return [entry for _, entry in sorted(found, key=lambda item: item[0])]


def _why_not(path: Path) -> str | None:
    """Why a file found in a folder is not indexed, or None when it is read."""
    if path.name.startswith("."):
        return "not indexed: hidden file"
    if not path.exists():
        return "not indexed: broken symbolic link"
    if not path.is_file():
        return "not indexed: not a regular file"
    suffix = path.suffix.lower()
    if suffix not in INGEST_SUFFIXES:
        kind = f"{suffix} file" if suffix else "file without an extension"
        wanted = ", ".join(sorted(INGEST_SUFFIXES))
        return f"not indexed: {kind} (a folder contributes {wanted} files)"
    return None


def _read_lines(
    name: str,
    lines: list[bytes],
    first_line: int = 1,
    on_warning: OnWarning | None = None,
    bom: bool = True,
    fields: bool = False,
) -> Iterator[FieldsResult]:
    """The records of the JSONL ``lines`` (without their newlines; the first is line
    ``first_line``; ``bom``: a UTF-8 byte order mark at its start is dropped; ``fields``: each
    record's :class:`BriefFields`, not its Brief). The list is emptied as it is read: a huge
    line is dropped once parsed."""
    if bom and lines and lines[0].startswith(_BOM):
        lines[0] = lines[0][3:]
    notes: list[str] = []
    add_note = notes.append
    lines.reverse()
    lineno = first_line - 1
    while lines:
        raw = lines.pop()
        lineno += 1
        if raw[:1] != b"{" and not raw.strip():
            continue
        if b"\x00" in raw:
            yield IngestError(name, "raw NUL byte in the line (binary data)", line=lineno)
            continue
        try:
            obj = loads(raw)
        except UnicodeDecodeError as exc:
            yield IngestError(name, f"not valid UTF-8 (byte {exc.start} of the line)", line=lineno)
            continue
        except JSONTooDeepError as exc:
            yield IngestError(name, f"JSON {exc.msg}", line=lineno)
            continue
        except json.JSONDecodeError as exc:
            yield IngestError(name, f"malformed JSON: {exc.msg} (column {exc.colno})", line=lineno)
            continue
        # Too few brackets for a field nested too deep (the record's own braces and those of
        # MAX_FIELD_DEPTH + 1 levels of a field): not looked for.
        shallow = raw.count(b"[") + raw.count(b"{") <= MAX_FIELD_DEPTH + 1
        raw = b""  # a huge line is not held while its record is indexed
        try:
            record = _jsonl_fields(obj, f"{name}:{lineno}", add_note, True, shallow)
            obj = None
        except IngestError as exc:
            notes.clear()  # the record is skipped: no loss to report on top
            yield IngestError(name, exc.reason, line=lineno)
            continue
        if notes:
            if on_warning is not None:
                for note in notes:
                    on_warning(IngestWarning(name, note, line=lineno))
            notes.clear()
        yield record if fields else record.brief()


def parse_jsonl_record(
    obj: Any, source: str = "<string>", on_warning: Callable[[str], None] | None = None
) -> Brief:
    """One JSONL record -> Brief.

    Fields: ``id`` (string or integer, kept exactly; required), ``lang`` ("en"/"es" in any
    case; detected from the text when missing or empty), ``title`` and ``body`` (strings; at
    least one must be present, but empty text is kept so every id of a corpus loads; ``body``
    may also be a list of paragraphs), optional ``date`` (ISO date or datetime), ``country``
    (string or list of strings), ``url``, ``kind``. Other fields are kept in ``meta`` (each
    nested at most :data:`MAX_FIELD_DEPTH` levels). A string body is split into lines (the
    corpora's paragraph breaks) and cleaned by :func:`strip_boilerplate`.

    A date that cannot be read (``2020-02-30``, ``March 2020``) does not cost the record: it
    is kept without a date, and ``on_warning`` is called with the reason.

    Raises:
        IngestError: the record is not an object, or a field is missing or of the wrong type.
    """
    return jsonl_fields(obj, source, on_warning).brief()


def jsonl_fields(
    obj: Any, source: str = "<string>", on_warning: Callable[[str], None] | None = None
) -> BriefFields:
    """:func:`parse_jsonl_record` without building the Brief: its checked values (the same
    errors and warnings), which indexing turns into an index document directly."""
    return _jsonl_fields(obj, source, on_warning, False, False)


def _jsonl_fields(
    obj: Any,
    source: str,
    on_warning: Callable[[str], None] | None,
    own: bool,
    shallow: bool,
) -> BriefFields:
    """:func:`jsonl_fields`; ``own``: ``obj`` is the caller's to change (just read from a line):
    its extra fields become ``meta`` in place; ``shallow``: its text holds too few brackets
    for any field to be nested deeper than :data:`MAX_FIELD_DEPTH` (not looked for)."""
    if not isinstance(obj, dict):
        raise IngestError(source, f"record is a JSON {type(obj).__name__}, not an object")
    get = obj.get
    rid = get("id")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or rid == "":
        raise IngestError(source, "record has no id" if rid in (None, "") else "id is not text")
    if isinstance(rid, str) and (problem := id_problem(rid)):
        raise IngestError(source, problem)
    title = get("title")
    if type(title) is not str:
        title = _opt_text(title, "title", source) or ""
    body = get("body")
    paragraphs = body.split("\n") if type(body) is str else _paragraphs(body, source)
    if body is None and "title" not in obj and "body" not in obj:
        raise IngestError(source, "record has no text (neither title nor body)")
    lang = get("lang")
    if type(lang) is not str or lang not in LAYOUTS:  # missing, or not in lower case
        from searchlib.ingest.page import guess_lang  # only records without a language

        lang = _lang(lang, source) or guess_lang(title, paragraphs)
    country = get("country")
    if country is not None and not (
        isinstance(country, str)
        or (isinstance(country, list) and all(isinstance(c, str) for c in country))
    ):
        raise IngestError(source, "country is neither text nor a list of texts")
    kind, date, url = get("kind"), get("date"), get("url")
    if own:  # the extra fields are what is left of the record
        meta = obj
        for key in _FIELDS_ORDER:
            if key in meta:
                del meta[key]
    else:
        meta = {k: v for k, v in obj.items() if k not in JSONL_FIELDS}
    if not shallow:
        field = _too_deep_field(meta)
        if field is not None:
            raise IngestError(
                source, f"field {field!r} is nested deeper than {MAX_FIELD_DEPTH} levels"
            )
    if type(rid) is not str:
        rid = _id_text(rid, source)
    paras = strip_boilerplate(paragraphs, lang)
    if type(kind) is not str:
        kind = _opt_text(kind, "kind", source)
    kind = kind.lower() if kind else "brief"
    day = _date(date, on_warning)
    if type(url) is not str:
        url = _opt_text(url, "url", source)
    return _new_fields(
        BriefFields,
        (
            rid,
            lang,
            title,
            paras,
            kind,
            day,
            () if country is None else (country,) if type(country) is str else tuple(country),
            source,
            url,
            meta,
        ),
    )


_FIELDS_ORDER = tuple(sorted(JSONL_FIELDS))
_from_iso = _dt.date.fromisoformat
_new_fields = cast(Callable[[type[BriefFields], tuple[Any, ...]], BriefFields], tuple.__new__)
"""BriefFields of a tuple of its values, without the Python-level ``__new__`` in between."""


def _id_text(rid: str | int, source: str) -> str:
    if isinstance(rid, str):
        return rid
    try:
        return str(rid)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        raise IngestError(source, "id is a number too long to convert to text") from None


def _lang(value: Any, source: str) -> str | None:
    """The record's language code in lower case, None when it has none."""
    if value is None or value == "":
        return None
    code = value.strip().lower() if isinstance(value, str) else None
    if code not in LAYOUTS:
        raise IngestError(source, f"unsupported language {value!r}")
    return code


def _too_deep_field(meta: Mapping[str, Any]) -> str | None:
    """The first field nested deeper than :data:`MAX_FIELD_DEPTH`, or None."""
    for key, value in meta.items():
        kind = type(value)
        if kind is list:
            kinds = set(map(type, value))  # at C speed: most lists hold only text
            if (list in kinds or dict in kinds) and _too_deep(value, MAX_FIELD_DEPTH):
                return key
        elif kind is dict and _too_deep(value, MAX_FIELD_DEPTH):
            return key
    return None


def _too_deep(value: list[Any] | dict[str, Any], limit: int) -> bool:
    """Whether ``value`` nests arrays and objects more than ``limit`` levels (no recursion)."""
    level: list[Any] = [value]
    for _ in range(limit):
        inner: list[Any] = []
        for v in level:
            items = v.values() if type(v) is dict else v
            kinds = set(map(type, items))  # at C speed: most fields are flat
            if list in kinds or dict in kinds:
                inner += [x for x in items if type(x) is list or type(x) is dict]
        if not inner:
            return False
        level = inner
    return True


def _opt_text(value: Any, key: str, source: str) -> str | None:
    """The value of the optional text field ``key``: text, or None when it is missing
    (callers test ``type(value) is str`` first: text passes without the call)."""
    if value is None or isinstance(value, str):
        return value
    raise IngestError(source, f"{key} is not text")


def _paragraphs(body: Any, source: str) -> list[str]:
    if body is None:
        return []
    if isinstance(body, str):
        return body.split("\n")
    if isinstance(body, list) and all(isinstance(p, str) for p in body):
        return list(body)
    raise IngestError(source, "body is neither text nor a list of texts")


def _date(value: Any, on_warning: Callable[[str], None] | None) -> _dt.date | None:
    """The date of a record's ``date`` field (an ISO date, or the date of an ISO datetime),
    None when it has none; one that cannot be read is reported to ``on_warning``."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return _from_iso(value[:10])
        except ValueError:
            pass
    if on_warning is not None:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        on_warning(f"unparseable date {shown}: indexed without a date")
    return None


def _plain(text: str, source: str, doc_id: str) -> Brief:
    """A plain text file: first non-empty line is the title, blank-line paragraphs the body."""
    first, _, rest = text.strip().partition("\n")
    title = first.strip().lstrip("#").strip() or first.strip()
    paragraphs = [" ".join(b.split()) for b in _BLANK_LINE.split(rest)]
    from searchlib.ingest.page import guess_lang

    lang = guess_lang(title, paragraphs)
    return Brief(
        id=doc_id,
        lang=lang,
        title=title,
        body=strip_boilerplate(paragraphs, lang),
        source=source,
    )
