"""Shared fixtures and the hypothesis profile."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from shared_paths import SEEDS

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of seeds/ built once for the session (read-only for tests)."""
    import searchlib

    path = tmp_path_factory.mktemp("seeds-index") / "idx"
    with searchlib.create_index(path) as index:
        report = searchlib.index_paths(index, [SEEDS])
    assert report.indexed >= 1
    assert all(e.reason.startswith("not indexed:") for e in report.skipped)  # regressions.json
    return path
