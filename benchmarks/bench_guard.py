"""The regression guard: this run's searchlib/Whoosh ratios against ``baseline.json`` (runs last).

Fails when a ratio falls below its baseline / 3 (generous, for shared noisy machines). Only the
ratios measured in this run and present in the baseline section of this mode and corpus kind
(``quick/real``, ``quick/generated``, ``full/real``...) are checked. Refresh on purpose with
``SEARCHLIB_BENCH_UPDATE_BASELINE=1`` (rewrites this run's section of ``baseline.json``).
"""

from __future__ import annotations

import pytest
from _corpus import bench_mode, use_real_corpora
from _report import baseline_section, build_rows, check_against_baseline, ratios


def test_ratios_against_baseline(pytestconfig: pytest.Config, guard_notes: list[str]) -> None:
    session = getattr(pytestconfig, "_benchmarksession", None)
    if session is None or getattr(session, "disabled", False):
        pytest.skip("benchmarks disabled: no ratios to check")
    measured = ratios(build_rows(session.benchmarks))
    if not measured:
        pytest.skip("no searchlib/Whoosh ratio measured in this run")
    failures, note = check_against_baseline(
        measured, baseline_section(bench_mode(), use_real_corpora())
    )
    guard_notes.append(note)
    guard_notes.extend(f"  REGRESSION {f}" for f in failures)
    assert not failures, "ratios fell below baseline / 3:\n" + "\n".join(failures)
