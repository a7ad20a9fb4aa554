"""Commit points: one manifest file per generation, naming the live segments and their deletions.

``manifest_<generation>`` is written to a temp file, fsynced and renamed into place: until the
rename the previous generation is the index, after it the new one is. Readers open the highest
generation and keep it; the writer removes files no manifest refers to.

A manifest is input like any other file: every name in it must be one the format itself makes
(``s<6+ digits>``, its ``.ext`` files, ``<segment>_<8+ digits>.del``), so a damaged or hostile
manifest cannot make the library read or write outside the index folder. Generations have at
least eight digits and grow past them (``manifest_100000000`` follows ``manifest_99999999``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from searchlib.errors import CorruptIndexError, IndexNotFoundError
from searchlib.storage import Directory, decode_array_file, encode_array_file

__all__ = ["Manifest", "SegmentEntry", "latest_generation", "read_manifest", "write_manifest"]

VERSION = 1
_NAME_RE = re.compile(r"^manifest_(\d{8,})$", re.ASCII)
SEGMENT_NAME_RE = re.compile(r"^s\d{6,}$", re.ASCII)
OWN_FILE_RE = re.compile(
    r"^(manifest_\d{8,}|s\d{6,}\.(terms|post|pos|len|cols|store)|s\d{6,}_\d{8,}\.del|\..*\.tmp)$",
    re.ASCII,
)
_SEGMENT_FILE_RE = re.compile(r"^(s\d{6,})\.([a-z]+)$", re.ASCII)
_DELETES_RE = re.compile(r"^(s\d{6,})_\d{8,}\.del$", re.ASCII)
REQUIRED_EXTS = ("terms", "post", "pos", "len", "cols", "store")


@attrs.frozen(slots=True)
class SegmentEntry:
    """A segment as one commit lists it: its ``name`` (``s000001``), number of documents
    (``docs``, deleted ones included), the index ``fields`` it has, its ``files`` (name -> size
    in bytes) and the deletions file of this commit (``deletes``; None: nothing deleted)."""

    name: str
    docs: int
    fields: tuple[str, ...]
    files: Mapping[str, int]
    deletes: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as the manifest's JSON stores it (``deletes`` only when there is one)."""
        out: dict[str, Any] = {
            "name": self.name,
            "docs": self.docs,
            "fields": list(self.fields),
            "files": dict(self.files),
        }
        if self.deletes is not None:
            out["deletes"] = self.deletes
        return out

    @classmethod
    def from_json(cls, s: Any) -> SegmentEntry:
        """An entry read from a manifest, whose names must all be ones the format makes
        (ValueError otherwise)."""
        if not isinstance(s, dict):
            raise ValueError("segment entry is not an object")
        name = s["name"]
        if not isinstance(name, str) or not SEGMENT_NAME_RE.match(name):
            raise ValueError(f"segment name {name!r} is not a segment name")
        docs = _int(s["docs"], f"{name} docs")
        fields = s.get("fields", [])
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise ValueError(f"{name} fields is not a list of names")
        files = s["files"]
        if not isinstance(files, dict):
            raise ValueError(f"{name} files is not an object")
        for fname, size in files.items():
            m = _SEGMENT_FILE_RE.match(fname)
            if not m or m.group(1) != name:
                raise ValueError(f"file {fname!r} is not a file of segment {name}")
            _int(size, f"size of {fname}")
        missing = [ext for ext in REQUIRED_EXTS if f"{name}.{ext}" not in files]
        if missing:
            raise ValueError(f"segment {name} lacks files {missing}")
        deletes = s.get("deletes")
        if deletes is not None:
            m = _DELETES_RE.match(deletes) if isinstance(deletes, str) else None
            if not m or m.group(1) != name:
                raise ValueError(f"deletions file {deletes!r} is not one of segment {name}")
        return cls(name, docs, tuple(fields), dict(files), deletes)


@attrs.frozen
class Manifest:
    """One commit: its generation and segment entries."""

    generation: int
    segments: tuple[SegmentEntry, ...]
    next_segment: int
    nbytes: int = attrs.field(default=0, eq=False)
    """Size of the manifest file this was read from (0 when not read from a file)."""

    @property
    def name(self) -> str:
        return manifest_name(self.generation)

    def files(self) -> set[str]:
        """Every file this commit needs."""
        out = {self.name}
        for s in self.segments:
            out.update(s.files)
            if s.deletes:
                out.add(s.deletes)
        return out


def manifest_name(generation: int) -> str:
    return f"manifest_{generation:08d}"


def generations(directory: Directory) -> list[int]:
    """Generations present, newest first (canonical names only: no extra leading zeros)."""
    gens = []
    for n in directory.list():
        m = _NAME_RE.match(n)
        if m and n == manifest_name(int(m.group(1))):
            gens.append(int(m.group(1)))
    return sorted(gens, reverse=True)


def latest_generation(directory: Directory) -> int | None:
    gens = generations(directory)
    return gens[0] if gens else None


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} is not a non-negative integer: {value!r}")
    return value


def read_manifest(directory: Directory, generation: int | None = None) -> Manifest:
    """Read a generation's manifest (the newest when None)."""
    if generation is None:
        generation = latest_generation(directory)
        if generation is None:
            raise IndexNotFoundError(f"no index in {directory.describe('')} (no manifest file)")
    name = manifest_name(generation)
    buf = directory.read(name)
    f = decode_array_file(buf, directory.describe(name), "manifest", VERSION, VERSION)
    meta = f.meta
    try:
        if meta["generation"] != generation:
            raise CorruptIndexError(
                directory.describe(name), "generation inside differs from file name"
            )
        if not isinstance(meta["segments"], list):
            raise ValueError("segments is not a list")
        segments = tuple(SegmentEntry.from_json(s) for s in meta["segments"])
        if len({s.name for s in segments}) != len(segments):
            raise ValueError("a segment is listed twice")
        next_segment = _int(meta["next_segment"], "next_segment")
        return Manifest(generation, segments, next_segment, nbytes=len(buf))
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptIndexError(directory.describe(name), f"malformed manifest ({exc!r})") from exc


def write_manifest(directory: Directory, manifest: Manifest) -> None:
    """Atomically publish ``manifest`` as the newest commit."""
    meta = {
        "generation": manifest.generation,
        "segments": [s.to_json() for s in manifest.segments],
        "next_segment": manifest.next_segment,
    }
    directory.write_atomic(manifest.name, encode_array_file("manifest", VERSION, {}, meta))
