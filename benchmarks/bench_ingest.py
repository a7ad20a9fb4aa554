"""Ingest throughput (MB/s of input text): shared corpora JSONL and the seed pages repeated.

Run: ``python -m pytest benchmarks -k ingest -q`` (benchmarks/conftest.py collects ``bench_*.py``;
naming this file directly currently collects it twice). The MB/s figures are printed and stored
in ``extra_info["mb_per_s"]``, which the suite's summary table shows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from searchlib.errors import IngestError
from searchlib.ingest import iter_records, parse_page, read_file
from searchlib.records import Brief

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
CORPORA = REPO.parent / "shared" / "corpora"
PAGE_REPEATS = 200


def _report(benchmark: Any, name: str, nbytes: int, capsys: pytest.CaptureFixture[str]) -> None:
    stats = getattr(benchmark, "stats", None)
    if stats is None:  # --benchmark-disable
        return
    mean = stats.stats.mean
    mb_per_s = nbytes / 1e6 / mean
    benchmark.extra_info["mb_per_s"] = round(mb_per_s, 2)
    benchmark.extra_info["megabytes"] = round(nbytes / 1e6, 3)
    with capsys.disabled():
        print(f"\n{name}: {nbytes / 1e6:.2f} MB in {mean:.3f} s = {mb_per_s:.2f} MB/s")


def _run(benchmark: Any, fn: Callable[[], int], rounds: int) -> int:
    result: int = benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
    return result


def test_ingest_shared_corpora_jsonl(benchmark: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """read_file over every ../shared/corpora/*/docs.jsonl (file reading included)."""
    files = sorted(CORPORA.glob("*/docs.jsonl"))
    if not files:
        pytest.skip(f"shared corpora not found at {CORPORA}")
    nbytes = sum(f.stat().st_size for f in files)
    lines = 0
    for f in files:
        with f.open("rb") as fh:
            lines += sum(1 for line in fh if line.strip())

    def ingest() -> int:
        count = 0
        for f in files:
            for record in read_file(f):
                assert isinstance(record, Brief), record
                count += 1
        return count

    assert _run(benchmark, ingest, rounds=3) == lines
    _report(benchmark, "ingest corpora JSONL", nbytes, capsys)


def _seed_pages() -> list[str]:
    paths = sorted(p for p in SEEDS.rglob("*.txt") if not p.name.startswith("."))
    return [p.read_text(encoding="utf-8") for p in paths]


def test_parse_seed_pages_repeated(benchmark: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """parse_page over the seed pages (English + Spanish), repeated in memory."""
    pages = _seed_pages() * PAGE_REPEATS
    nbytes = sum(len(p.encode("utf-8")) for p in pages)

    def ingest() -> int:
        return sum(1 for text in pages if parse_page(text).title)

    assert _run(benchmark, ingest, rounds=5) == len(pages)
    _report(benchmark, f"parse_page seed pages x{PAGE_REPEATS}", nbytes, capsys)


def test_iter_records_seed_pages_folder(
    benchmark: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """iter_records over a folder of the seed pages copied many times (I/O, detection, parse)."""
    pages = _seed_pages()
    for n in range(PAGE_REPEATS // 4):
        for k, text in enumerate(pages):
            (tmp_path / f"{n:04d}_{k}.txt").write_text(text, encoding="utf-8")
    nbytes = sum(p.stat().st_size for p in tmp_path.iterdir())
    expected = len(pages) * (PAGE_REPEATS // 4)

    def ingest() -> int:
        records = list(iter_records([tmp_path]))
        assert not [r for r in records if isinstance(r, IngestError)]
        return len(records)

    assert _run(benchmark, ingest, rounds=5) == expected
    _report(benchmark, "iter_records seed page folder", nbytes, capsys)
