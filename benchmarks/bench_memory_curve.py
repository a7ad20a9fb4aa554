"""Indexing memory as the archive grows (issue 21): ``memory_curve.py`` as benchmark rows.

One row per size: the news corpus of this mode (quick: the ~5 MB prefix; full: all ~28 MB)
copied 1x and 4x (quick) or 1x, 4x and 16x (full, plus the variant whose vocabulary grows with
the copies), indexed by ``searchlib index --workers 1`` in a child process. ``extra_info``: wall
seconds, docs/s, peak RSS of the process tree, index MB, segments, query p50/p95, and the peak
and the docs/s relative to the 1x row of the same variant (``rss_vs_1x``, ``speed_vs_1x``).
The targets (issue 21: peak RSS at 4x and 16x within 1.3x the 1x peak, docs/s at 16x at least
80% of 1x) are reported, not asserted: timing is not a test. No Whoosh counterpart, so no ratio
enters the baseline guard.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from _corpus import Corpus
from memory_curve import Row, measure

SIZES = {"quick": (1, 4), "full": (1, 4, 16)}
VARIANTS = {"quick": ("copies",), "full": ("copies", "vocab")}
_FIRST: dict[str, Row] = {}  # variant -> its 1x row


def _cases() -> list[tuple[str, int]]:
    mode = os.environ.get("SEARCHLIB_BENCH", "quick").strip().lower() or "quick"
    mode = mode if mode in SIZES else "quick"
    return [(v, n) for v in VARIANTS[mode] for n in SIZES[mode]]


@pytest.mark.parametrize(("variant", "copies"), _cases())
def test_memory_curve(
    benchmark: Any, variant: str, copies: int, news: Corpus, tmp_path: Path
) -> None:
    benchmark.group = "memory curve"
    rows: list[Row] = []

    def run() -> Row:
        row = measure(news.path, tmp_path, copies, grow_vocab=variant == "vocab", rounds=3)
        rows.append(row)
        return row

    benchmark.pedantic(run, rounds=1, iterations=1, warmup_rounds=0)
    row = rows[-1]
    assert row.docs == copies * news.docs
    base = _FIRST.setdefault(variant, row)
    info = asdict(row)
    info["rss_vs_1x"] = round(row.peak_rss_mb / base.peak_rss_mb, 2)
    info["speed_vs_1x"] = round(row.docs_per_s / base.docs_per_s, 2)
    info["cpu_speed_vs_1x"] = round(row.docs_per_cpu_s / base.docs_per_cpu_s, 2)
    benchmark.extra_info.update(info)
    print(
        f"\n[memory curve {variant} {copies}x] {row.docs} docs: {row.seconds} s, "
        f"{row.docs_per_s} docs/s ({info['speed_vs_1x']}x of 1x; per CPU second "
        f"{info['cpu_speed_vs_1x']}x), peak RSS {row.peak_rss_mb} MB "
        f"({info['rss_vs_1x']}x of 1x), index {row.index_mb} MB in {row.segments} segments, "
        f"query p50 {row.query_p50_ms} ms p95 {row.query_p95_ms} ms"
    )
