"""The two engines as benchmarks drive them: indexing child processes and in-process searchers.

Indexing runs as a whole command in a child process (``python -m searchlib index`` or the Whoosh
script ``whoosh_index.py``) through a wrapper that prints the child's own peak RSS at exit, since
``RUSAGE_CHILDREN`` only reports the largest child ever waited for. Searching opens both indexes in
this process: searchlib through its public API, Whoosh with the schema of ``whoosh_index.py``, an
OrGroup parser over the title and body fields of the query's language and BM25F (its default).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _corpus import Corpus

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WHOOSH_SCRIPT = HERE / "whoosh_index.py"
TANTIVY_SCRIPT = HERE / "tantivy_index.py"
RSS_TAG = "__BENCH_MAXRSS_KB__"

# Runs a module (-m NAME) or a script (PATH) with the remaining arguments, then prints on stderr
# its own peak RSS in KiB (VmHWM on Linux, else ru_maxrss), its workers' largest peak RSS, their
# number and, when it has workers, the peak of the sum of all their PSS sampled every 20 ms
# (a sample costs about 1 ms of CPU, taken from the cores the workers run on);
# whatever the exit code, also when the command leaves through os._exit.
WRAPPER = f"""
import os, resource, runpy, sys, threading, time
target, args = sys.argv[1], sys.argv[2:]
main_pid = os.getpid()
n_workers = int(os.environ.get("SEARCHLIB_BENCH_WORKERS", "0"))
sampling = n_workers and os.environ.get("SEARCHLIB_BENCH_SAMPLE") == "1"
pss_peak = [0]


def pss_kb(pid):
    try:
        with open(f"/proc/{{pid}}/smaps_rollup") as f:
            return int(next(ln for ln in f if ln.startswith("Pss:")).split()[1])
    except (OSError, StopIteration, ValueError):
        return 0


def children():
    try:  # the children of each thread (Linux 3.5+): no scan of /proc, 3 ms a sample
        found = []
        for tid in os.listdir(f"/proc/{{main_pid}}/task"):
            with open(f"/proc/{{main_pid}}/task/{{tid}}/children") as f:
                found += [int(p) for p in f.read().split()]
        return found
    except (OSError, ValueError):
        pass
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{{name}}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == main_pid:
                        out.append(int(name))
            except (OSError, ValueError, IndexError):
                pass
    return out


def sample():  # the whole run's memory: PSS of this process and its workers, every 20 ms
    while True:
        total = pss_kb(main_pid) + sum(pss_kb(p) for p in children())
        pss_peak[0] = max(pss_peak[0], total)
        time.sleep(0.02)


if sampling:
    threading.Thread(target=sample, daemon=True).start()


def report():
    if os.getpid() != main_pid:  # a forked worker leaving
        return
    # VmHWM: this process's own peak. ru_maxrss would also count the parent's RSS at fork
    # time, which Linux carries across exec (the pytest parent is bigger than small children).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        with open("/proc/self/status") as status:
            rss = int(next(ln for ln in status if ln.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration, ValueError):
        pass
    # Worker processes (searchlib's bulk indexing): the largest one's peak, and how many.
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print("{RSS_TAG}", rss, workers, n_workers, pss_peak[0], file=sys.stderr, flush=True)


_exit = os._exit


def exit_reporting(status):  # the searchlib command ends with os._exit (no teardown)
    report()
    _exit(status)


os._exit = exit_reporting
code = 0
try:
    if target == "-m":
        sys.argv = [args[0], *args[1:]]
        runpy.run_module(args[0], run_name="__main__", alter_sys=True)
    else:
        sys.argv = [target, *args]
        runpy.run_path(target, run_name="__main__")
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
report()
sys.exit(code)
"""


@dataclass
class ChildRun:
    """One indexing child process: wall time, its own peak RSS, and the index it left."""

    seconds: float
    peak_rss_mb: float
    index_bytes: int
    stdout: str
    peak_rss_upper_mb: float = 0.0  # with workers: main + workers x the largest worker's RSS
    cpu_seconds: float = 0.0  # user + system time of the command and its worker processes


def _workers() -> int:
    from searchlib.bulk import default_workers

    return default_workers()


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_child(
    argv: list[str], index_dir: Path, workers: int = 0, sample_memory: bool = False
) -> ChildRun:
    """Run ``python -c WRAPPER argv...`` (``workers``: its worker processes); raise with its
    stderr when it fails. ``sample_memory``: sample the PSS of all its processes every 20 ms,
    which costs the run about a quarter of its speed with two workers on two cores (a run to
    measure memory, not time)."""
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "SEARCHLIB_BENCH_WORKERS": str(workers),
            "SEARCHLIB_BENCH_SAMPLE": "1" if sample_memory else "0",
        },
    )
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child and the workers it waited for
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    rss_lines = [ln for ln in proc.stderr.splitlines() if ln.startswith(RSS_TAG)]
    if proc.returncode != 0 or not rss_lines:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    _, own, worker, n_workers, pss = rss_lines[-1].split()
    # One process: its own peak RSS. With workers: the peak of the sampled sum of the
    # processes' PSS (shared pages counted once), and, as an upper bound, the main process
    # plus every worker at the largest worker's peak RSS (forked pages counted twice).
    upper_kb = int(own) + int(n_workers) * int(worker)
    peak_kb = max(int(pss), int(own))
    return ChildRun(
        seconds, peak_kb / 1024, dir_bytes(index_dir), proc.stdout, upper_kb / 1024, cpu
    )


def searchlib_index_argv(corpus: Path, index_dir: Path, workers: int | None = None) -> list[str]:
    argv = ["-m", "searchlib", "index", str(corpus), "--index", str(index_dir), "--quiet"]
    return argv if workers is None else [*argv, "--workers", str(workers)]


def whoosh_index_argv(corpus: Path, index_dir: Path) -> list[str]:
    return [str(WHOOSH_SCRIPT), str(corpus), str(index_dir)]


def searchlib_doc_count(index_dir: Path) -> int:
    """The docs count `searchlib stats --json` reports for ``index_dir``."""
    out = subprocess.run(
        [sys.executable, "-m", "searchlib", "stats", "--index", str(index_dir), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(json.loads(out)["docs"])


def whoosh_doc_count(index_dir: Path) -> int:
    from whoosh import index as windex

    ix = windex.open_dir(str(index_dir))
    try:
        return int(ix.doc_count())
    finally:
        ix.close()


class WhooshSearch:
    """A Whoosh index opened for searching: an OrGroup parser per language (plus fuzzy terms)."""

    def __init__(self, index_dir: Path) -> None:
        from whoosh import index as windex
        from whoosh import qparser

        self.ix = windex.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()  # BM25F, Whoosh's default
        self.parsers: dict[str, Any] = {}
        for lang, fields in (
            ("en", ["title_en", "body_en"]),
            ("es", ["title_es", "body_es"]),
            ("any", ["title_en", "body_en", "title_es", "body_es"]),
        ):
            parser = qparser.MultifieldParser(fields, self.ix.schema, group=qparser.OrGroup)
            parser.add_plugin(qparser.FuzzyTermPlugin())  # `term~1`, as searchlib's syntax has it
            self.parsers[lang] = parser

    def search(
        self, text: str, lang: str = "en", limit: int = 10, lang_filter: str | None = None
    ) -> list[str]:
        from whoosh.query import Term

        q = self.parsers[lang].parse(text)
        flt = Term("lang", lang_filter) if lang_filter else None
        return [hit["id"] for hit in self.searcher.search(q, limit=limit, filter=flt)]

    def more_like(self, doc_id: str, text: str, lang: str, limit: int = 10) -> list[str]:
        """Whoosh's more-like-this for a document, given its text (the body field is not stored)."""
        docnum = self.searcher.document_number(id=doc_id)
        hits = self.searcher.more_like(docnum, f"body_{lang}", text=text, top=limit)
        return [hit["id"] for hit in hits]

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


class IndexStore:
    """Indexes built once per session, keyed by (engine, corpus file); bench_indexing fills it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.built: dict[tuple[str, Path], tuple[Path, ChildRun]] = {}
        self._n = 0

    def fresh_dir(self, engine: str, corpus: Corpus) -> Path:
        self._n += 1
        path = self.root / f"{engine}-{corpus.path.stem}-{self._n}"
        path.mkdir(parents=True)
        return path

    def build(
        self, engine: str, corpus: Corpus, index_dir: Path, sample_memory: bool = False
    ) -> ChildRun:
        """Index ``corpus`` with ``engine``: "searchlib" (default worker processes),
        "searchlib-1" (one process), "whoosh" or "tantivy" (``tantivy_index.py``, one thread);
        ``sample_memory``: see :func:`run_child`."""
        if engine == "whoosh":
            run = run_child(whoosh_index_argv(corpus.path, index_dir), index_dir)
        elif engine == "tantivy":
            run = run_child([str(TANTIVY_SCRIPT), str(corpus.path), str(index_dir)], index_dir)
        elif engine == "searchlib-1":
            run = run_child(searchlib_index_argv(corpus.path, index_dir, 1), index_dir)
        else:
            workers = _workers()
            argv = searchlib_index_argv(corpus.path, index_dir)
            run = run_child(argv, index_dir, workers if workers > 1 else 0, sample_memory)
        self.built[(engine, corpus.path)] = (index_dir, run)
        return run

    def build_record(self, engine: str, corpus: Corpus, index_dir: Path, run: ChildRun) -> None:
        """Make ``index_dir`` (built by ``run``) the index :meth:`get` returns."""
        self.built[(engine, corpus.path)] = (index_dir, run)

    def get(self, engine: str, corpus: Corpus) -> Path:
        """The index of ``corpus`` for ``engine``, built now (outside timed regions) if needed."""
        if (engine, corpus.path) not in self.built:
            self.build(engine, corpus, self.fresh_dir(engine, corpus))
        return self.built[(engine, corpus.path)][0]


def build_tantivy(tantivy: Any, docs: Path, index_dir: Path) -> tuple[Any, Any]:
    """tantivy-py's index of a JSONL file as the tantivy comparisons build it: id, title and
    body stored, ``en_stem``, one thread. Returns the index and its schema; ``tantivy`` is the
    imported module (an optional peer: the caller decides how its absence is reported)."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True)
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    schema = builder.build()
    index = tantivy.Index(schema, path=str(index_dir))
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    with docs.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            body = d.get("body") or ""
            body = "\n\n".join(body) if isinstance(body, list) else body
            writer.add_document(
                tantivy.Document(id=str(d["id"]), title=d.get("title") or "", body=body)
            )
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, schema
