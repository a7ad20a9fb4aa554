"""The PostgreSQL backend's tests: each gets an index of its own (a schema: ``?index=NAME``)
on the session's cluster (``pg_cluster``, tests/conftest.py). Without psycopg they are not
collected."""

from __future__ import annotations

import itertools
import os

import pytest

from searchlib.postgres.cluster import LocalCluster

_counter = itertools.count()

try:
    import psycopg  # noqa: F401
except ImportError:  # the 'postgres' extra is not installed: the modules cannot even import
    collect_ignore_glob = ["test_pg_*.py"]

    def pytest_report_header() -> str:
        return (
            "tests/postgres: not collected: psycopg (pip install 'searchlib[postgres]') is absent"
        )


@pytest.fixture
def pg_url(pg_cluster: LocalCluster) -> str:
    """The URL of a new, empty index (its own schema) on the session's cluster."""
    return f"{pg_cluster.url}?index=t{os.getpid()}_{next(_counter)}"
