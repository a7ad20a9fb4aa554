"""Spanish queries for English InSight Crime briefs in a mixed archive (issue 19).

One index holds the 38 English InSight Crime articles of the shared crawl with Reuters
(English) and the Spanish news corpus as distractors; each query of
``benchmarks/data/insight_es_queries.jsonl`` describes one article by its content, in Spanish
(written for this benchmark, not translated titles), and that article is its one relevant
document. Two groups: ``named`` queries name the places and people of the story, ``unnamed``
ones (ids ``ic-es-h..``) describe it without them. Prints ``searchlib eval``-style JSON per
group, or a note when the shared corpora are absent::

    PYTHONPATH=$PWD python3 benchmarks/insight_mixed.py [--corpora DIR] [--summary]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import searchlib
from searchlib.evaluation import evaluate_run

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SEARCHLIB_SHARED", REPO.parent / "shared"))
QUERIES = Path(__file__).resolve().parent / "data" / "insight_es_queries.jsonl"
CORPORA = ("insightcrime-crawl-2020", "reuters21578", "fakenews-es")


def load() -> tuple[list[dict[str, str]], dict[str, dict[str, int]]]:
    """The queries and their judgements (each query's one relevant article)."""
    rows = [json.loads(ln) for ln in QUERIES.read_text("utf-8").splitlines() if ln.strip()]
    queries = [{"id": r["id"], "lang": r["lang"], "text": r["text"]} for r in rows]
    return queries, {r["id"]: {r["relevant"]: 1} for r in rows}


def run(corpora: Path, workdir: Path) -> dict[str, Any]:
    queries, qrels = load()
    index = searchlib.create_index(workdir / "index")
    try:
        searchlib.index_paths(index, [corpora / name / "docs.jsonl" for name in CORPORA])
        report = {"docs": index.searcher().reader.doc_count}
        for name, keep in (("named", False), ("unnamed", True)):
            group = [q for q in queries if q["id"].startswith("ic-es-h") == keep]
            report[name] = evaluate_run(index, group, qrels, k=10)
    finally:
        index.close()
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=SHARED / "corpora")
    ap.add_argument("--summary", action="store_true")
    args = ap.parse_args(argv)
    missing = [n for n in CORPORA if not (args.corpora / n / "docs.jsonl").is_file()]
    if missing:
        print(json.dumps({"skipped": f"shared corpora absent: {', '.join(missing)}"}))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        report = run(args.corpora, Path(tmp))
    if args.summary:
        report = {
            g: {m: report[g][m] for m in ("judged", "ndcg@10", "recall@100", "mrr@10")}
            for g in ("named", "unnamed")
        }
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
