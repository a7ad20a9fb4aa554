"""The XQuAD mixed-archive benchmark (issue 19): cross-lingual ranking with competition.

Prints one JSON object, ``{group: searchlib eval report}`` for the groups present/absent x es/en
(see :func:`searchlib.evaluation.xquad_mixed`), or a note when the shared corpora are absent::

    PYTHONPATH=$PWD python3 benchmarks/xquad_mixed.py [--corpora DIR] [--workdir DIR] [--summary]

``--summary`` prints nDCG@10 and recall@100 per group only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from searchlib.evaluation import MIXED_GROUPS, xquad_mixed

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SEARCHLIB_SHARED", REPO.parent / "shared"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=SHARED / "corpora")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--summary", action="store_true")
    args = ap.parse_args(argv)
    if not (args.corpora / "xquad-en-es" / "docs.jsonl").is_file():
        print(json.dumps({"skipped": f"no XQuAD corpus at {args.corpora / 'xquad-en-es'}"}))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        report = xquad_mixed(args.corpora, args.workdir or Path(tmp))
    if args.summary:
        report = {
            g: {m: report[g][m] for m in ("judged", "ndcg@10", "recall@100")} for g in MIXED_GROUPS
        }
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
