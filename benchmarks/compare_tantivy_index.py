"""Indexing speed against tantivy-py, in one run: ``searchlib index`` in one process and with
two worker processes against tantivy-py on one thread, each a whole command in a child process.

Issue 16's targets: one searchlib process at least 0.8x tantivy's single-thread speed, two
workers faster than it (ratio above 1). tantivy-py is not a dependency of searchlib (it is in
the ``bench`` extra), so this is a script; ``bench_indexing.py`` has the same rows in CI::

    python3 -m pip install tantivy
    cat ../shared/corpora/{reuters21578,fakenews-es,xquad-en-es}/docs.jsonl > /tmp/news.jsonl
    python3 benchmarks/compare_tantivy_index.py /tmp/news.jsonl --rounds 3

Every command starts a new interpreter and counts its imports, the JSONL's reading and parsing,
the analysis and the writing to disk: ``python -m searchlib index DOCS --index DIR --quiet
--workers N`` and ``python benchmarks/tantivy_index.py DOCS DIR`` (``_engines.build_tantivy``:
id, title and body stored, ``en_stem``, one indexing thread, one commit, merges waited for).
The commands run in alternation, ``--rounds`` times each; the median run of each is reported,
with docs/s and MB/s of JSONL input, its CPU time (user + system, its worker processes
included) and the speed ratio searchlib / tantivy (wall clock; CPU in brackets). Each index is
checked to hold every document of the corpus.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _engines import (
    REPO,
    TANTIVY_SCRIPT,
    ChildRun,
    run_child,
    searchlib_doc_count,
    searchlib_index_argv,
)


def _count_docs(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--workers", default="1,2", help="searchlib's worker counts to run (default: 1,2)"
    )
    args = ap.parse_args()
    try:
        import tantivy  # noqa: F401
    except ImportError:
        raise SystemExit("tantivy-py is not installed: python3 -m pip install tantivy") from None
    docs: Path = args.docs.resolve()
    ndocs, nbytes = _count_docs(docs), docs.stat().st_size
    engines = ["tantivy", *(f"searchlib-{int(w)}" for w in args.workers.split(","))]
    runs: dict[str, list[ChildRun]] = {e: [] for e in engines}
    work = Path(tempfile.mkdtemp(prefix="searchlib-tantivy-index-"))
    print(f"{docs.name}: {ndocs} docs, {nbytes / 1e6:.1f} MB; {args.rounds} rounds", flush=True)
    try:
        for r in range(args.rounds):
            order = engines if r % 2 == 0 else engines[::-1]  # alternate who goes first
            for engine in order:
                out = work / f"{engine}-{r}"
                if engine == "tantivy":
                    run = run_child([str(TANTIVY_SCRIPT), str(docs), str(out)], out)
                    count = int(run.stdout.split()[-1])
                else:
                    workers = int(engine.rsplit("-", 1)[1])
                    argv = searchlib_index_argv(docs, out, workers)
                    run = run_child(argv, out, workers if workers > 1 else 0)
                    count = searchlib_doc_count(out)
                if count != ndocs:
                    raise SystemExit(f"{engine} indexed {count} documents, the corpus has {ndocs}")
                runs[engine].append(run)
                print(
                    f"  round {r + 1} {engine:12} wall {run.seconds:6.2f} s  "
                    f"CPU {run.cpu_seconds:6.2f} s",
                    flush=True,
                )
                shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median = {e: sorted(rs, key=lambda x: x.seconds)[len(rs) // 2] for e, rs in runs.items() if rs}
    wall = {e: statistics.median(x.seconds for x in rs) for e, rs in runs.items()}
    cpu = {e: statistics.median(x.cpu_seconds for x in rs) for e, rs in runs.items()}
    print(
        f"\n{'engine':14} {'wall s':>7} {'CPU s':>7} {'docs/s':>8} {'MB/s':>6} "
        f"{'peak MB':>8}  speed vs tantivy (wall; CPU)"
    )
    for e in engines:
        ratio = ""
        if e != "tantivy":
            ratio = f"{wall['tantivy'] / wall[e]:.2f}x; {cpu['tantivy'] / cpu[e]:.2f}x"
        print(
            f"{e:14} {wall[e]:7.2f} {cpu[e]:7.2f} {ndocs / wall[e]:8.0f} "
            f"{nbytes / 1e6 / wall[e]:6.2f} {median[e].peak_rss_mb:8.0f}  {ratio}"
        )
    print(
        "\ntargets (issue 16): searchlib-1 at least 0.80x tantivy's speed, searchlib-2 above 1.00x"
        f"\nrun from {REPO} with {sys.executable}"
    )


if __name__ == "__main__":
    main()
