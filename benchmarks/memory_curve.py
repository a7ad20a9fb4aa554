"""Indexing memory and speed as the archive grows: 1x, 4x and 16x the news corpus.

The input is the news corpus (Reuters-21578 + fakenews-es + xquad-en-es from ../shared/corpora,
or the generated stand-in of ``_corpus.py``) copied N times with new ids (``<id>~c<k>``, and
XQuAD's ``parallel_id`` likewise, so each copy's English and Spanish paragraphs are twins of
each other only), so nothing but volume grows; the ``vocab`` variant also gives every word of
seven letters or more a suffix of its copy (``government`` -> ``governmentbb`` in copy 1), so
the vocabulary grows with the copies as a real archive's names and numbers do.

Each size is indexed by ``python -m searchlib index FILE --workers 1`` in a child process; the
whole process tree's resident memory is sampled every 20 ms (the peak of the sum, and the
child's own high-water mark from ``wait4``, whichever is larger). Reported per row: wall
seconds, documents per second, CPU seconds and documents per CPU second (steadier than the
wall clock on a shared machine), peak RSS, index size on disk, segments, and the p50/p95 of the
same queries (one-term, two-term, phrase) on the index built, run in a fresh child process.

Run::

    python benchmarks/memory_curve.py                 # full: 1x, 4x, 16x (+ vocab variant)
    python benchmarks/memory_curve.py --sizes 1 4     # what quick mode runs
    python benchmarks/memory_curve.py --memory-mb 128 --json out.json

``bench_memory_curve.py`` runs it as a pytest-benchmark row (quick mode: 1x and 4x only).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from _corpus import news_corpus  # noqa: E402

QUERIES = (
    "oil",
    "gobierno",
    "wheat prices",
    "bank dollar",
    '"interest rates"',
    "coffee OR sugar",
    "elecciones presidente",
    "trade deficit",
)
SAMPLE_SECONDS = 0.02


def _tag(k: int) -> str:
    """A short letter tag of copy ``k`` (never a digit: the word stays a word)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = ""
    k += 26
    while k:
        k, r = divmod(k, 26)
        out = letters[r] + out
    return out


def _grow(text: str, tag: str) -> str:
    return " ".join(w + tag if len(w) >= 7 and w.isalpha() else w for w in text.split(" "))


def write_copies(src: Path, out: Path, copies: int, grow_vocab: bool = False) -> int:
    """Write ``copies`` copies of the JSONL ``src`` into ``out`` with new ids; returns docs."""
    lines = [ln for ln in src.read_bytes().splitlines() if ln.strip()]
    docs = 0
    with out.open("wb") as f:
        for k in range(copies):
            tag = _tag(k)
            for line in lines:
                obj = json.loads(line)
                if k:
                    obj["id"] = f"{obj['id']}~c{k}"
                    if "parallel_id" in obj:  # a copy is another story: its own twin group
                        obj["parallel_id"] = f"{obj['parallel_id']}~c{k}"
                    if grow_vocab:
                        for key in ("title", "body"):
                            if isinstance(obj.get(key), str):
                                obj[key] = _grow(obj[key], tag)
                f.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
                docs += 1
    return docs


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc)."""
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, ()):
            out.append(c)
            todo.append(c)
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_sampled(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run ``argv``; (wall seconds, CPU seconds (user + system, its waited-for children
    included), peak RSS of its process tree in MB, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total = _rss_kb(proc.pid) + sum(map(_rss_kb, _children(proc.pid)))
            peak[0] = max(peak[0], total)
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    outs: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda k=k, f=f: outs.__setitem__(k, f.read()), daemon=True)
        for k, f in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for t in readers:
        t.start()
    # wait4: the child's own high-water mark (ru_maxrss), which sampling may miss.
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    for t in readers:
        t.join()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{outs['err'][-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, max(peak[0], int(usage.ru_maxrss)) / 1024, outs["out"]


_QUERY_SCRIPT = """
import json, sys, time
import searchlib
index = searchlib.open_index(sys.argv[1])
queries = json.loads(sys.argv[2])
for q in queries:  # warm: the first query of a fresh process loads what it needs
    index.search(q)
times = []
for _ in range(int(sys.argv[3])):
    for q in queries:
        t0 = time.perf_counter()
        index.search(q)
        times.append(time.perf_counter() - t0)
print(json.dumps({"times": times, "segments": index.stats()["segments"],
                  "docs": index.stats()["docs"]}))
"""


@dataclass
class Row:
    variant: str
    copies: int
    docs: int
    input_mb: float
    seconds: float
    docs_per_s: float
    cpu_seconds: float
    docs_per_cpu_s: float
    peak_rss_mb: float
    index_mb: float
    segments: int
    query_p50_ms: float
    query_p95_ms: float


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(
    src: Path,
    workdir: Path,
    copies: int,
    *,
    grow_vocab: bool = False,
    memory_mb: int | None = None,
    rounds: int = 5,
    extra: Sequence[str] = (),
) -> Row:
    """Index ``copies`` copies of ``src`` in one process and query the index built."""
    variant = "vocab" if grow_vocab else "copies"
    data = workdir / f"{variant}-{copies}x.jsonl"
    docs = write_copies(src, data, copies, grow_vocab)
    index_dir = workdir / f"index-{variant}-{copies}x"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-m", "searchlib", "index", str(data), "--index", str(index_dir)]
    argv += ["--workers", "1", "--quiet", *extra]
    if memory_mb is not None:
        argv += ["--memory-mb", str(memory_mb)]
    seconds, cpu, peak_mb, _ = run_sampled(argv, env)
    index_mb = _dir_bytes(index_dir) / 1e6
    q = subprocess.run(
        [sys.executable, "-c", _QUERY_SCRIPT, str(index_dir), json.dumps(QUERIES), str(rounds)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(q.stdout)
    if result["docs"] < docs:  # related items may add documents, never fewer
        raise RuntimeError(f"{index_dir}: {result['docs']} docs indexed of {docs}")
    times = sorted(t * 1000 for t in result["times"])
    subprocess.run(["rm", "-rf", str(index_dir)], check=True)
    row = Row(
        variant=variant,
        copies=copies,
        docs=docs,
        input_mb=round(data.stat().st_size / 1e6, 1),
        seconds=round(seconds, 2),
        docs_per_s=round(docs / seconds, 1),
        cpu_seconds=round(cpu, 2),
        docs_per_cpu_s=round(docs / max(cpu, 1e-9), 1),
        peak_rss_mb=round(peak_mb, 1),
        index_mb=round(index_mb, 1),
        segments=int(result["segments"]),
        query_p50_ms=round(statistics.median(times), 2),
        query_p95_ms=round(times[min(len(times) - 1, int(0.95 * len(times)))], 2),
    )
    data.unlink()
    return row


def curve(
    sizes: Sequence[int],
    variants: Sequence[str] = ("copies", "vocab"),
    memory_mb: int | None = None,
    mode: str = "full",
    workdir: Path | None = None,
) -> Iterator[Row]:
    """Rows of the curve, smallest size first, for each variant."""
    with tempfile.TemporaryDirectory(prefix="memcurve-", dir=workdir) as tmp:
        base = Path(tmp)
        src = news_corpus(mode, base).path
        for variant in variants:
            for n in sizes:
                yield measure(src, base, n, grow_vocab=variant == "vocab", memory_mb=memory_mb)
                for p in base.glob("index-*"):
                    subprocess.run(["rm", "-rf", str(p)], check=True)


def render(rows: Sequence[Row]) -> str:
    head = (
        "| variant | input | docs | wall s | docs/s | CPU s | docs/CPU s | peak RSS MB | vs 1x |"
        " index MB | segments | query p50 ms | p95 ms |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    out = [head]
    first: dict[str, Row] = {}
    for r in rows:
        base = first.setdefault(r.variant, r)
        out.append(
            f"| {r.variant} | {r.copies}x ({r.input_mb} MB) | {r.docs} | {r.seconds} |"
            f" {r.docs_per_s} | {r.cpu_seconds} | {r.docs_per_cpu_s} |"
            f" {r.peak_rss_mb} | {r.peak_rss_mb / base.peak_rss_mb:.2f}x |"
            f" {r.index_mb} | {r.segments} | {r.query_p50_ms} | {r.query_p95_ms} |"
        )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16])
    p.add_argument("--variants", nargs="+", default=["copies", "vocab"])
    p.add_argument("--memory-mb", type=int, default=None)
    p.add_argument("--mode", choices=("quick", "full"), default="full", help="base corpus")
    p.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = p.parse_args(argv)
    rows: list[Row] = []
    for row in curve(args.sizes, args.variants, args.memory_mb, args.mode):
        rows.append(row)
        print(json.dumps(asdict(row)), flush=True)
    print(render(rows))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in rows], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def as_dicts(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]
