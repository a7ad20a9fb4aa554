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


CURRENT_TEST: list[pytest.Item] = []
"""The test running now (set by an autouse fixture of tests/conftest.py)."""


def corpus(name: str) -> Path:
    """The folder of a shared corpus, or skip the test when ../shared is absent. A test that
    reads one must be marked ``corpus`` (the quick tier leaves those out): else it fails."""
    if CURRENT_TEST and CURRENT_TEST[-1].get_closest_marker("corpus") is None:
        raise AssertionError(
            f"{CURRENT_TEST[-1].nodeid} reads the shared corpus {name}: mark it pytest.mark.corpus"
        )
    path = CORPORA / name
    if not (path / "docs.jsonl").is_file():
        pytest.skip(f"shared corpus {name} not present at {path}")
    return path
