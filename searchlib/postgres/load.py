"""Batch indexing into a PostgreSQL index: files and folders in, one commit (or one per
``commit_every`` records) out, bad input skipped and reported as the embedded engine reports it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from searchlib.errors import IngestError, IngestWarning

if TYPE_CHECKING:
    from searchlib.api import IndexReport
    from searchlib.postgres.index import PostgresIndex

__all__ = ["index_paths"]


def index_paths(
    index: PostgresIndex,
    paths: Iterable[str | os.PathLike[str]],
    *,
    commit_every: int | None = None,
    workers: int | None = None,
    on_skip: Callable[[IngestError], None] | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
    on_warning: Callable[[IngestWarning], None] | None = None,
) -> IndexReport:
    """Ingest ``paths`` into ``index`` (as :func:`searchlib.index_paths`; ``workers`` is
    accepted and ignored: analysis runs in this process, the servers work in parallel)."""
    from searchlib.api import IndexReport, add_paths

    report = IndexReport()
    t0 = time.perf_counter()
    add_paths(
        index,
        paths,
        report,
        commit_every=commit_every,
        on_skip=on_skip,
        on_progress=on_progress,
        on_warning=on_warning,
    )
    report.generation = index.commit()
    report.seconds = time.perf_counter() - t0
    return report
