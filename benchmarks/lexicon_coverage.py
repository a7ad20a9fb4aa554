"""Lexicon coverage (issue 19): the share of distinct query terms that have a translation.

For each language of the XQuAD questions, and for the Spanish InSight Crime queries of
``benchmarks/data/insight_es_queries.jsonl`` (crime and security), the distinct content terms
(stemmed, stop words left out) of all its queries, and how many the lexicon translates (alone or
inside a multi-word entry of the query). Cognates and names found in an index are not counted:
this measures the lexicon alone. Prints JSON::

    PYTHONPATH=$PWD python3 benchmarks/lexicon_coverage.py [--corpora DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from searchlib.analysis import get_analyzer, load_lexicon
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.evaluation import load_queries

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SEARCHLIB_SHARED", REPO.parent / "shared"))


def coverage(texts: list[str], lang: str) -> dict[str, float | int]:
    lexicon = load_lexicon()
    analyzer = get_analyzer(lang)
    terms: dict[str, bool] = {}
    for text in texts:
        words = TOKEN_RE.findall(text)
        covered = [False] * len(words)
        for start, end, _ in lexicon.spans(words, lang):
            covered[start:end] = [True] * (end - start)
        for word, hit in zip(words, covered, strict=True):
            term = analyzer.term(word)
            if term:
                terms[term] = terms.get(term, False) or hit
    n = sum(terms.values())
    return {"terms": len(terms), "translated": n, "coverage": round(n / max(1, len(terms)), 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=SHARED / "corpora")
    args = ap.parse_args(argv)
    insight = load_queries(Path(__file__).resolve().parent / "data" / "insight_es_queries.jsonl")
    out: dict[str, dict[str, float | int]] = {
        "insight-es": coverage([q["text"] for q in insight], "es")
    }
    path = args.corpora / "xquad-en-es" / "queries.jsonl"
    if path.is_file():
        queries = load_queries(path)
        for lang in ("es", "en"):
            out[f"xquad-{lang}"] = coverage([q["text"] for q in queries if q["lang"] == lang], lang)
    else:
        out["xquad"] = {"skipped": 1}
    print(json.dumps({"lexicon_pairs": len(load_lexicon()), **out}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
