"""A real PostgreSQL cluster (a coordinator and two shards on loopback) for the backend's tests.

One :class:`~searchlib.postgres.cluster.LocalCluster` is started per session, from the machine's
PostgreSQL binaries, and stopped by its pids at the end; each test gets an index of its own (a
schema: ``?index=NAME``). Without PostgreSQL binaries the tests skip, saying so.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from searchlib.postgres.cluster import LocalCluster, find_pg_bin

_counter = itertools.count()

try:
    import psycopg  # noqa: F401
except ImportError:  # the 'postgres' extra is not installed: the modules cannot even import
    collect_ignore_glob = ["test_pg_*.py"]

    def pytest_report_header() -> str:
        return (
            "tests/postgres: not collected: psycopg (pip install 'searchlib[postgres]') is absent"
        )


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[LocalCluster]:
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


@pytest.fixture
def pg_url(pg_cluster: LocalCluster) -> str:
    """The URL of a new, empty index (its own schema) on the session's cluster."""
    return f"{pg_cluster.url}?index=t{os.getpid()}_{next(_counter)}"
