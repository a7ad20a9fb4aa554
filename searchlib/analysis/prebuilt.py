"""The tables ``derived.py`` builds ahead of time from the shipped data, as a search reads
them (no builder and no nltk imported here)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

__all__ = [
    "LEXICON_TABLES_FILE",
    "data_dir",
    "derived_detect_words",
    "derived_lexicon_table",
    "has_derived_tables",
    "lexicon_digest",
    "shipped_json",
    "shipped_lexicon_texts",
]

LEXICON_TABLES_FILE = "lexicon_tables.json"


def data_dir() -> Path:
    """The package's analysis data folder (where the derived tables are written)."""
    return Path(str(resources.files("searchlib.analysis").joinpath("data")))


def shipped_lexicon_texts() -> list[tuple[str, str]]:
    """(file name, text) of every shipped ``lexicon_*.tsv``, in name order."""
    data = resources.files("searchlib.analysis").joinpath("data")
    return [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(data.iterdir(), key=lambda e: e.name)
        if entry.name.startswith("lexicon_") and entry.name.endswith(".tsv")
    ]


def lexicon_digest(texts: Sequence[tuple[str, str]]) -> str:
    """The sha256 of the lexicon files (names and contents) the tables derive from."""
    h = hashlib.sha256()
    for name, text in texts:
        h.update(name.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return h.hexdigest()


@cache
def shipped_json() -> dict[str, Any] | None:
    path = resources.files("searchlib.analysis").joinpath(f"data/{LEXICON_TABLES_FILE}")
    try:
        data = orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def has_derived_tables(digest: str) -> bool:
    """Whether the shipped derived tables were built from the lexicon files of ``digest``."""
    data = shipped_json()
    return data is not None and data.get("digest") == digest


def derived_lexicon_table(src: str) -> tuple[dict[str, list[str]], dict[str, list[str]], int]:
    """The shipped lexicon's prebuilt lookup tables of ``src`` (see :meth:`Lexicon._table`),
    to be used once :func:`has_derived_tables` said they are the shipped lexicon's."""
    data = shipped_json()
    assert data is not None
    table = data[src]
    return table["exact"], table["stemmed"], int(table["longest"])


def derived_detect_words(digest: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """The prebuilt one-language words of the lexicon for language detection (English only,
    Spanish only), or None unless they were built from the lexicon files of ``digest``."""
    data = shipped_json()
    if data is None or not has_derived_tables(digest):
        return None
    return frozenset(data["detect"]["en"]), frozenset(data["detect"]["es"])
