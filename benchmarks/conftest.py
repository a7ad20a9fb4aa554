"""Benchmark session plumbing: collects ``bench_*.py``, builds corpora once, prints the summary.

Mode: ``SEARCHLIB_BENCH=quick`` (default: ~5 MB of the news corpus, CACM) or ``full`` (all ~28 MB).
Corpus: ``../shared/corpora`` when present, else a generated one (``_corpus.py``); the run's
header and summary name which. The summary table (what, searchlib, Whoosh, ratio) comes last in
the terminal output, built from every benchmark's ``extra_info``; ``bench_guard.py`` checks the
ratios against ``baseline.json`` and always runs last.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _corpus import Corpus, bench_mode, news_corpus, query_corpus, use_real_corpora
from _engines import IndexStore
from _report import build_rows, render

ENGINES = ("searchlib", "whoosh")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect ``bench_*.py`` (pytest's python_files only matches ``test_*.py`` here)."""
    if file_path.suffix != ".py" or not file_path.name.startswith("bench_"):
        return None
    if parent.session.isinitpath(file_path):
        return None  # named on the command line: the python plugin collects it already
    patterns = parent.config.getini("python_files")
    if any(fnmatch.fnmatch(file_path.name, p) for p in patterns):
        return None  # already collected by the python plugin (e.g. -o python_files=bench_*.py)
    module: pytest.Module = pytest.Module.from_parent(parent, path=file_path)
    return module


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The baseline guard reads every other benchmark's figures, so it runs last."""
    items.sort(key=lambda item: item.path.name == "bench_guard.py")


def pytest_report_header(config: pytest.Config) -> str:
    source = (
        "real ../shared/corpora"
        if use_real_corpora()
        else "generated corpus (../shared/corpora absent)"
    )
    return f"searchlib benchmarks: mode {bench_mode()}, {source}"


@pytest.fixture(scope="session")
def mode() -> str:
    return bench_mode()


@pytest.fixture(scope="session", autouse=True)
def compiled_searchlib() -> None:
    """Byte-compile searchlib once, as a regular install does (pip compiles Whoosh's modules when
    it installs them): an editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise
    compile every module again in each indexing command the benchmarks time."""
    import compileall

    import searchlib

    compileall.compile_dir(Path(searchlib.__file__).parent, quiet=1)


@pytest.fixture(scope="session")
def bench_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


def _announce(config: pytest.Config, text: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"\n[corpus] {text}")
    CORPUS_NAMES.append(text)


CORPUS_NAMES: list[str] = []


@pytest.fixture(scope="session")
def news(mode: str, bench_dir: Path, pytestconfig: pytest.Config) -> Corpus:
    """The news corpus (Reuters + fakenews-es + xquad, or generated) as one JSONL file."""
    corpus = news_corpus(mode, bench_dir)
    _announce(pytestconfig, f"{corpus.name}: {corpus.docs} docs, {corpus.nbytes / 1e6:.1f} MB")
    return corpus


@pytest.fixture(scope="session")
def cacm(mode: str, bench_dir: Path, pytestconfig: pytest.Config) -> Corpus:
    """The query-latency collection with its own queries (CACM, or generated)."""
    corpus = query_corpus(mode, bench_dir)
    _announce(pytestconfig, corpus.name)
    return corpus


@pytest.fixture(scope="session")
def index_store(bench_dir: Path) -> IndexStore:
    return IndexStore(bench_dir / "indexes")


@pytest.fixture(scope="session")
def engines() -> tuple[str, ...]:
    return ENGINES


@pytest.hookimpl(trylast=True)  # after pytest-benchmark's own tables: the log ends with it
def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """One table, last in the log: what, searchlib, Whoosh, ratio (from benchmarks' extra_info)."""
    session = getattr(config, "_benchmarksession", None)
    benchmarks = list(getattr(session, "benchmarks", None) or [])
    rows = build_rows(benchmarks)
    if not rows:
        return
    corpus = "; ".join(dict.fromkeys(CORPUS_NAMES)) or "no corpus built in this run"
    header = f"searchlib vs Whoosh 2.7 — mode {bench_mode()} — corpus: {corpus}"
    terminalreporter.write_sep("=", "searchlib benchmark summary")
    for line in render(rows, header):
        terminalreporter.write_line(line)
    for line in GUARD_NOTES:
        terminalreporter.write_line(line)


GUARD_NOTES: list[str] = []  # filled by bench_guard.py, printed under the table


@pytest.fixture(scope="session")
def guard_notes() -> Iterator[list[str]]:
    yield GUARD_NOTES
