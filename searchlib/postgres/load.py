"""Batch indexing into a PostgreSQL index: files and folders in, one commit (or one per
``commit_every`` records) out, bad input skipped and reported as the embedded engine reports it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from searchlib.errors import IngestError, IngestWarning
from searchlib.ingest import iter_records

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
    from searchlib.api import IndexReport

    report = IndexReport()
    t0 = time.perf_counter()

    def warn(warning: IngestWarning) -> None:
        report.warnings.append(warning)
        if on_warning:
            on_warning(warning)

    since_commit = 0
    for item in iter_records([Path(p) for p in paths], warn):
        if isinstance(item, IngestError):
            report.skipped.append(item)
            if on_skip:
                on_skip(item)
            continue
        index.add(item)
        report.indexed += 1
        since_commit += 1
        if on_progress:
            on_progress(report.indexed, 0, 0)
        if commit_every and since_commit >= commit_every:
            index.commit(twins=False)  # twins once, at the last commit
            since_commit = 0
    report.generation = index.commit()
    report.seconds = time.perf_counter() - t0
    return report
