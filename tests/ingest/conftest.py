"""Fixtures of the ingest tests: the repo's seed folder and the sibling ``shared`` corpora."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_paths import CORPORA, SEEDS


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The repo's ``seeds`` folder."""
    return SEEDS


@pytest.fixture(scope="session")
def corpora() -> Path:
    """``../shared/corpora``; skips the test when the ``shared`` folder is absent."""
    if not CORPORA.is_dir():
        pytest.skip(f"shared corpora not found at {CORPORA}")
    return CORPORA
