"""The benchmark summary rows (what, searchlib, Whoosh, ratio) from ``extra_info``, and the guard.

Every benchmark that records ``extra_info`` shows up. Benchmarks of this suite record ``what`` and
``engine`` (``searchlib`` or ``whoosh``; ``tantivy`` for the rows named "vs tantivy", in the
other engine's column) so the two engines' figures pair up into one row with a ratio. A
tantivy run with ``pairs_with`` (row name -> the ``what`` of a searchlib row) makes one row per
entry, with the figures of the searchlib row it names (one tantivy run, two rows). Rows that
record ``percentiles`` (and the start-up rows, which time a few runs) have p50 and p95 latency
ratios (the other engine's time / searchlib's); any other benchmark (``bench_ingest.py``...)
gets a row of its own with its domain units.
Ratios are oriented so that a bigger number is better for searchlib (speed: searchlib / Whoosh;
memory and size: Whoosh / searchlib), and the guard fails when one falls below baseline / 3.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASELINE = Path(__file__).resolve().parent / "baseline.json"
TOLERANCE = 3.0  # shared, noisy machines: only a 3x drop against the baseline fails
UNITS = {
    "docs_per_s": "docs/s",
    "mb_per_s": "MB/s",
    "tokens_per_s": "tokens/s",
    "queries_per_s": "q/s",
    "peak_rss_mb": "MB peak RSS",
}


@dataclass
class Row:
    what: str
    searchlib: str
    whoosh: str
    ratio: float | None  # bigger is better for searchlib; None when there is no Whoosh figure
    key: str | None = None  # the name of the ratio in baseline.json


def _fmt(x: float) -> str:
    if x >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}" if x < 10 else f"{x:.1f}"


def _cells(info: Mapping[str, Any]) -> dict[str, tuple[str, float, bool]]:
    """(label, cell text, value, bigger-is-better) per ratio key of one engine's figures."""
    out: dict[str, tuple[str, float, bool]] = {}
    if "docs_per_s" in info and "index_mb" in info:
        out["speed"] = (
            f"{_fmt(info['docs_per_s'])} docs/s, {_fmt(info['mb_per_s'])} MB/s",
            float(info["docs_per_s"]),
            True,
        )
        out["peak RSS"] = (f"{_fmt(info['peak_rss_mb'])} MB", float(info["peak_rss_mb"]), False)
        out["size on disk"] = (f"{_fmt(info['index_mb'])} MB", float(info["index_mb"]), False)
    elif "mb_per_s" in info and "what" in info:
        out["speed"] = (f"{_fmt(info['mb_per_s'])} MB/s", float(info["mb_per_s"]), True)
    elif "queries_per_s" in info:
        out["latency"] = (
            f"p50 {info['p50_ms']:.2f} ms, p95 {info['p95_ms']:.2f} ms, "
            f"{_fmt(info['queries_per_s'])} q/s",
            float(info["queries_per_s"]),
            True,
        )
    if "p50_ms" in info and (info.get("percentiles") or "queries_per_s" not in info):
        for p in ("p50", "p95"):
            out[p] = (f"{p} {info[f'{p}_ms']:.2f} ms", float(info[f"{p}_ms"]), False)
    return out


def build_rows(benchmarks: Iterable[Any]) -> list[Row]:
    """Summary rows from pytest-benchmark's metadata objects (anything with name/extra_info)."""
    paired: dict[str, dict[str, Mapping[str, Any]]] = {}
    rows: list[Row] = []
    tantivy_runs: list[dict[str, Any]] = []
    for bench in benchmarks:
        info = dict(getattr(bench, "extra_info", None) or {})
        if not info:
            continue
        engine = info.get("engine") or (getattr(bench, "params", None) or {}).get("engine")
        if engine == "tantivy" and isinstance(info.get("pairs_with"), dict):
            tantivy_runs.append(info)  # one run, paired below with the searchlib rows it names
            continue
        if "what" in info and engine in ("searchlib", "whoosh", "tantivy"):
            role = "whoosh" if engine == "tantivy" else str(engine)  # the other engine's column
            paired.setdefault(str(info["what"]), {})[role] = info
            continue
        if "what" in info and isinstance(info.get("ratio"), (int, float)):
            # A comparison within searchlib (e.g. twins folded vs not): its own ratio.
            cell = f"p50 {info['p50_ms']:.2f} ms, {_fmt(info['queries_per_s'])} q/s"
            what = str(info["what"])
            ratio = float(info["ratio"])
            rows.append(Row(what, cell, f"({info.get('ratio_of', 'ratio')})", ratio, what))
            continue
        units = ", ".join(
            f"{_fmt(float(info[u]))} {label}"
            for u, label in UNITS.items()
            if isinstance(info.get(u), (int, float))
        )
        rows.append(Row(f"{bench.name}", units or json.dumps(info)[:60], "-", None))
    for info in tantivy_runs:  # e.g. "index news vs tantivy": searchlib's "index news" row
        for what, mine in info["pairs_with"].items():
            searchlib_info = paired.get(str(mine), {}).get("searchlib")
            if searchlib_info is not None:
                paired[str(what)] = {"searchlib": searchlib_info, "whoosh": info}
    ordered: list[Row] = []
    for what, engines in paired.items():
        whoosh = engines.get("whoosh") or paired.get(
            str(engines.get("searchlib", {}).get("vs")), {}
        ).get("whoosh", {})
        mine, theirs = _cells(engines.get("searchlib", {})), _cells(whoosh)
        for key in mine.keys() | theirs.keys():
            a, b = mine.get(key), theirs.get(key)
            ratio = None
            if a and b and a[1] > 0 and b[1] > 0:
                ratio = a[1] / b[1] if a[2] else b[1] / a[1]
            label = what if key in ("latency", "speed") else f"{what}: {key}"
            ordered.append(
                Row(label, a[0] if a else "-", b[0] if b else "-", ratio, f"{what}: {key}")
            )
    ordered.sort(key=lambda r: (not r.what.startswith("index"), r.what))
    return ordered + rows


def render(rows: list[Row], header: str) -> list[str]:
    table = [("what", "searchlib", "Whoosh (tantivy: rows vs tantivy)", "ratio")]
    for r in rows:
        table.append((r.what, r.searchlib, r.whoosh, "-" if r.ratio is None else f"{r.ratio:.2f}x"))
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    lines = [header]
    for n, row in enumerate(table):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("-+-".join("-" * w for w in widths))
    lines.append(
        "ratio: bigger is better for searchlib "
        "(speed searchlib/Whoosh; RSS, size and p50/p95 times the other engine's/searchlib's)"
    )
    return lines


def ratios(rows: list[Row]) -> dict[str, float]:
    return {r.key: round(r.ratio, 3) for r in rows if r.key and r.ratio is not None}


def baseline_section(mode: str, real: bool) -> str:
    return f"{mode}/{'real' if real else 'generated'}"


def check_against_baseline(measured: Mapping[str, float], section: str) -> tuple[list[str], str]:
    """Failures (ratios below baseline / 3) and a one-line note; rewrites the file when asked to."""
    data: dict[str, Any] = (
        json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.is_file() else {}
    )
    if os.environ.get("SEARCHLIB_BENCH_UPDATE_BASELINE") == "1":
        data.setdefault("ratios", {})[section] = dict(sorted(measured.items()))
        BASELINE.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return [], f"baseline [{section}] rewritten with {len(measured)} ratios: {BASELINE}"
    base = data.get("ratios", {}).get(section)
    if not base:
        return [], f"no baseline for [{section}] in {BASELINE.name}: guard skipped"
    failures = [
        f"{key}: ratio {measured[key]:.2f} < baseline {want:.2f} / {TOLERANCE:g}"
        for key, want in sorted(base.items())
        if key in measured and measured[key] < want / TOLERANCE
    ]
    checked = sum(1 for key in base if key in measured)
    return (
        failures,
        f"baseline [{section}]: {checked} ratios checked, "
        f"{len(failures)} below baseline / {TOLERANCE:g}",
    )
