"""Commit points: one manifest file per generation, naming the live segments and their deletions.

``manifest_<generation>`` is written to a temp file, fsynced and renamed into place: until the
rename the previous generation is the index, after it the new one is. Readers open the highest
generation and keep it; the writer removes files no manifest refers to.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from searchlib.errors import CorruptIndexError, IndexNotFoundError
from searchlib.storage import Directory, decode_array_file, encode_array_file

__all__ = ["Manifest", "latest_generation", "read_manifest", "write_manifest"]

VERSION = 1
_NAME_RE = re.compile(r"^manifest_(\d{8})$")
OWN_FILE_RE = re.compile(
    r"^(manifest_\d{8}|s\d{6}\.(terms|post|pos|len|cols|store)|s\d{6}_\d{8}\.del|\..*\.tmp)$"
)


@attrs.frozen
class Manifest:
    """One commit: its generation and segment entries (name, docs, files, deletes)."""

    generation: int
    segments: tuple[dict[str, Any], ...]
    next_segment: int

    @property
    def name(self) -> str:
        return manifest_name(self.generation)

    def files(self) -> set[str]:
        """Every file this commit needs."""
        out = {self.name}
        for s in self.segments:
            out.update(s["files"])
            if s.get("deletes"):
                out.add(s["deletes"])
        return out


def manifest_name(generation: int) -> str:
    return f"manifest_{generation:08d}"


def generations(directory: Directory) -> list[int]:
    """Generations present, newest first."""
    return sorted(
        (int(m.group(1)) for n in directory.list() if (m := _NAME_RE.match(n))), reverse=True
    )


def latest_generation(directory: Directory) -> int | None:
    gens = generations(directory)
    return gens[0] if gens else None


def read_manifest(directory: Directory, generation: int | None = None) -> Manifest:
    """Read a generation's manifest (the newest when None)."""
    if generation is None:
        generation = latest_generation(directory)
        if generation is None:
            raise IndexNotFoundError(f"no index in {directory.describe('')} (no manifest file)")
    name = manifest_name(generation)
    f = decode_array_file(
        directory.read(name), directory.describe(name), "manifest", VERSION, VERSION
    )
    meta = f.meta
    try:
        if int(meta["generation"]) != generation:
            raise CorruptIndexError(
                directory.describe(name), "generation inside differs from file name"
            )
        segments = tuple(dict(s) for s in meta["segments"])
        for s in segments:
            str(s["name"]), int(s["docs"]), dict(s["files"])
        return Manifest(generation, segments, int(meta["next_segment"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptIndexError(directory.describe(name), f"malformed manifest ({exc!r})") from exc


def write_manifest(directory: Directory, manifest: Manifest) -> None:
    """Atomically publish ``manifest`` as the newest commit."""
    meta = {
        "generation": manifest.generation,
        "segments": list(manifest.segments),
        "next_segment": manifest.next_segment,
    }
    directory.write_atomic(manifest.name, encode_array_file("manifest", VERSION, {}, meta))
