"""Paths and constants shared by the tests: the repository, its seeds, the shared corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SAMPLE_PAGE = SEEDS / "000_60fa42e6893d93ee.txt"
SAMPLE_ID = "60fa42e6893d93ee"
SAMPLE_TITLE = "Peru's Humala Calls for Closer Anti-Drug Cooperation with US"
SHARED = Path(os.environ.get("SEARCHLIB_SHARED", REPO.parent / "shared"))
CORPORA = SHARED / "corpora"


def corpus(name: str) -> Path:
    """The folder of a shared corpus, or skip the test when ../shared is absent."""
    path = CORPORA / name
    if not (path / "docs.jsonl").is_file():
        pytest.skip(f"shared corpus {name} not present at {path}")
    return path
