"""Shared fixtures and the hypothesis profile."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings
from shared_paths import CURRENT_TEST, SEEDS

if TYPE_CHECKING:
    from searchlib.postgres.cluster import LocalCluster

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Test tiers (pyproject's markers): `corpus` tests read ../shared (marked where they do, and
# here for the fixtures that build indexes of the corpora); `heavy` ones take seconds each.
# The quick tier: pytest -m 'not slow and not corpus and not heavy'.
CORPUS_FIXTURES = frozenset({"corpora", "xquad_reader", "shared_family"})
HEAVY_FOLDERS = ("postgres",)  # every test there starts PostgreSQL servers


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if CORPUS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.corpus)
        if any(f"tests/{folder}/" in item.nodeid for folder in HEAVY_FOLDERS):
            item.add_marker(pytest.mark.heavy)


@pytest.fixture(autouse=True)
def _current_test(request: pytest.FixtureRequest) -> object:
    """Lets shared_paths.corpus() check that the test reading a corpus is marked corpus."""
    CURRENT_TEST.append(request.node)
    yield
    CURRENT_TEST.pop()


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


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[LocalCluster]:
    """A real PostgreSQL cluster (a coordinator and two shards on loopback), started once per
    session from the machine's PostgreSQL binaries when a test first asks for it, and stopped by
    its pids at the end. Without psycopg or the server binaries the test skips, saying so."""
    from searchlib.postgres.cluster import LocalCluster, find_pg_bin

    pytest.importorskip("psycopg", reason="psycopg (the 'postgres' extra) is not installed")
    if find_pg_bin() is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    # Not under pytest's tmp folder: the servers run as the postgres user, who cannot enter
    # root's 0700 temporary folders.
    root = Path(tempfile.mkdtemp(prefix="searchlib-pg-"))
    root.chmod(0o755)
    cluster = LocalCluster(root / "cluster", shards=2, fsync=False)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.destroy()
        root.rmdir()
