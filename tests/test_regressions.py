"""Relevance regressions: nDCG@10 and recall@100 per collection, pinned in seeds/regressions.json.

Each collection of ``../shared/corpora`` is indexed alone (Python API: ``create_index`` +
``index_paths``) and evaluated with ``evaluate_run(index, queries, qrels, k=10)``;
every figure must equal the file's to 3 decimals. XQuAD is split by document language: monolingual
runs put each language's questions to that language's paragraphs (``qrels.tsv``), cross-lingual runs
put the other language's questions, analysed in their own language, to them
(``qrels-crosslingual.tsv``). Skips when the corpora are absent. A changed number is a decision:
rewrite the file with ``SEARCHLIB_UPDATE_REGRESSIONS=1 python -m pytest tests/test_regressions.py``
and explain the change in the commit.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from shared_paths import CORPORA, REPO

import searchlib
from searchlib.evaluation import MIXED_GROUPS, evaluate_run, load_qrels, load_queries, xquad_mixed

pytestmark = pytest.mark.corpus

EXPECTED_FILE = REPO / "seeds" / "regressions.json"
UPDATE = os.environ.get("SEARCHLIB_UPDATE_REGRESSIONS") == "1"
METRICS = ("ndcg@10", "recall@100")

# run -> (collection folder, document language or None for all, query language or None, qrels)
RUNS: dict[str, tuple[str, str | None, str | None, str]] = {
    "cranfield": ("cranfield", None, None, "qrels.tsv"),
    "cisi": ("cisi", None, None, "qrels.tsv"),
    "cacm": ("cacm", None, None, "qrels.tsv"),
    "xquad-en-es": ("xquad-en-es", None, None, "qrels.tsv"),  # both languages, 2,380 questions
    "xquad-en-es/mono-en": ("xquad-en-es", "en", "en", "qrels.tsv"),
    "xquad-en-es/mono-es": ("xquad-en-es", "es", "es", "qrels.tsv"),
    "xquad-en-es/cross-en-docs-es-queries": ("xquad-en-es", "en", "es", "qrels-crosslingual.tsv"),
    "xquad-en-es/cross-es-docs-en-queries": ("xquad-en-es", "es", "en", "qrels-crosslingual.tsv"),
}
MEASURED: dict[str, dict[str, Any]] = {}


def _expected() -> dict[str, Any]:
    if not EXPECTED_FILE.is_file():
        return {}
    data: dict[str, Any] = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def indexes(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[tuple[str, str | None], searchlib.Index]]:
    """One index per (collection, document language), built on first use."""
    cache: dict[tuple[str, str | None], searchlib.Index] = {}
    yield cache
    for index in cache.values():
        index.close()


def _index(
    cache: dict[tuple[str, str | None], searchlib.Index],
    folder: str,
    doc_lang: str | None,
    root: Path,
) -> searchlib.Index:
    key = (folder, doc_lang)
    if key not in cache:
        src = CORPORA / folder / "docs.jsonl"
        if doc_lang is not None:  # the documents of one language only, as their own file
            lines = [
                ln
                for ln in src.read_text(encoding="utf-8").splitlines()
                if ln.strip() and json.loads(ln).get("lang") == doc_lang
            ]
            src = root / f"{folder}-{doc_lang}.jsonl"
            src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        index = searchlib.create_index(root / f"{folder}-{doc_lang or 'all'}")
        report = searchlib.index_paths(index, [src])
        assert not report.skipped, report.skipped[:3]
        cache[key] = index
    return cache[key]


@pytest.mark.parametrize("run", list(RUNS))
def test_relevance_matches_pinned_figures(
    run: str,
    indexes: dict[tuple[str, str | None], searchlib.Index],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder, doc_lang, query_lang, qrels_name = RUNS[run]
    if not (CORPORA / folder / "docs.jsonl").is_file():
        pytest.skip(f"shared corpus {folder} not present at {CORPORA / folder}")
    index = _index(indexes, folder, doc_lang, tmp_path_factory.mktemp("regressions"))
    queries = load_queries(CORPORA / folder / "queries.jsonl")
    if query_lang is not None:
        queries = [q for q in queries if q["lang"] == query_lang]
    qrels = load_qrels(CORPORA / folder / qrels_name)
    report = evaluate_run(index, queries, qrels, k=10, timed=False)  # quality only
    got = {m: report[m] for m in METRICS}
    got["judged"] = report["judged"]
    MEASURED[run] = got
    if UPDATE:
        data = _expected()
        data.setdefault(
            "_about",
            "nDCG@10 and recall@100 per collection; tests/test_regressions.py "
            "checks them to 3 decimals. Rewrite: SEARCHLIB_UPDATE_REGRESSIONS=1.",
        )
        data.setdefault("runs", {})[run] = got
        EXPECTED_FILE.write_text(
            json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        return
    expected = _expected().get("runs", {}).get(run)
    assert expected is not None, (
        f"{run} is not pinned in {EXPECTED_FILE} (SEARCHLIB_UPDATE_REGRESSIONS=1)"
    )
    assert got["judged"] == expected["judged"]
    for m in METRICS:
        assert got[m] == pytest.approx(expected[m], abs=5e-4), (
            f"{run} {m}: {got[m]} != pinned {expected[m]}"
        )


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The XQuAD mixed-archive benchmark (issue 19), run once."""
    if not all((CORPORA / n / "docs.jsonl").is_file() for n in ("xquad-en-es", *MIXED_EXTRA)):
        pytest.skip(f"shared corpora for the mixed benchmark not present at {CORPORA}")
    return xquad_mixed(
        CORPORA, tmp_path_factory.mktemp("mixed"), distractors=MIXED_EXTRA, timed=False
    )


MIXED_EXTRA = ("reuters21578", "fakenews-es")


@pytest.mark.parametrize("group", MIXED_GROUPS)
def test_mixed_archive_matches_pinned_figures(group: str, mixed: dict[str, Any]) -> None:
    """Cross-lingual ranking with competition: each XQuAD question against an index of every
    paragraph of the other language, half the articles in its own, and news distractors
    (:func:`searchlib.evaluation.xquad_mixed`)."""
    run = f"xquad-mixed/{group}"
    got = {m: mixed[group][m] for m in METRICS}
    got["judged"] = mixed[group]["judged"]
    if UPDATE:
        data = _expected()
        data.setdefault("runs", {})[run] = got
        EXPECTED_FILE.write_text(
            json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        return
    expected = _expected().get("runs", {}).get(run)
    assert expected is not None, f"{run} is not pinned in {EXPECTED_FILE}"
    assert got["judged"] == expected["judged"]
    for m in METRICS:
        assert got[m] == pytest.approx(expected[m], abs=5e-4), (
            f"{run} {m}: {got[m]} != pinned {expected[m]}"
        )
