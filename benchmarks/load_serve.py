"""Load test of ``searchlib serve`` on the news corpus index, over loopback (not a timed test:
it reports figures, benchmarks/README.md keeps them).

The server is ``python3 -m searchlib serve`` (uvicorn, one process) in a child process; the
clients are threads of this process with one keep-alive ``http.client`` connection each. The
requests are a search box's mix, drawn once with a fixed seed: 60% ``GET /search`` (one or two
words or a phrase of either language, some with ``facets``, ``twins`` or ``doc_lang``), 15%
``GET /suggest`` (a word's first letters), 15% ``GET /docs/{id}`` and 10% ``GET /related/{id}``
(ids the searches found). Four phases of ``--seconds`` each, after a warm-up that sends every
distinct request once:

* ``closed``: ``--clients`` (16) clients, each sending its next request when the previous
  answer arrives (the most the server answers: requests per second);
* ``open``: requests sent on a fixed schedule of ``--rate`` (100) per second, whatever the
  answers (latency counted from the scheduled time, so a stall counts for every request it
  delays: no coordinated omission);
* ``closed+writer`` and ``open+writer``: the same while a writer ``POST /docs?commit=true``
  5 new records every ``--commit-every`` (3; quick 1) seconds (each commit is a new
  snapshot: the next searches rebuild what they cache per snapshot).

Each phase reports requests/s, p50/p95/p99/max latency in ms, errors (any status but 200, or
a failed connection) and the server's RSS at its start and end (``VmRSS``). The target (issue
20): p95 under 50 ms at 100 requests per second, 0 errors, memory flat.

Usage::

    python3 benchmarks/load_serve.py                 # the whole news corpus, 30 s per phase
    python3 benchmarks/load_serve.py --quick         # CI: ~5 MB of it, 3 s per phase
    python3 benchmarks/load_serve.py --index DIR     # reuse (or build once into) DIR
    python3 benchmarks/load_serve.py --json out.json

It exits 0 whatever the figures (1 only when the server cannot start or a phase has errors).
Without ../shared/corpora it uses the generated corpus of ``_corpus.py``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import Corpus, news_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEED = 20_201_201
TOKEN = "load-test-token"


# -- the server ---------------------------------------------------------------------------------


class Server:
    """``python3 -m searchlib serve`` on a free loopback port, in a child process."""

    def __init__(self, index: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "SEARCHLIB_SERVE_TOKEN": TOKEN}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "searchlib", "serve", "--index", str(index), "--port", "0"]
            + ["--allow-writes"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
            env=env,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.stop()
            raise SystemExit(f"the server did not start: {line!r}")
        self.port = int(m.group(1))
        for _ in range(200):
            try:
                if self.get("/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise SystemExit("the server never answered /health")

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def rss_mb(self) -> float:
        """The server's resident memory (VmRSS) in MB."""
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1))  # type: ignore[union-attr]
        return kb / 1024

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


# -- the requests -------------------------------------------------------------------------------


def request_mix(corpus: Corpus, server: Server, n: int = 400) -> list[str]:
    """``n`` request paths of a search box's mix (see the module docstring), fixed seed."""
    rng = random.Random(SEED)
    words = {lang: list(ws) for lang, ws in corpus.words.items()}
    phrases = {lang: list(ps) for lang, ps in corpus.phrases.items()}
    searches = []
    for lang in sorted(words):
        ws = words[lang]
        searches += [(lang, w) for w in ws]
        searches += [(lang, f"{a} {b}") for a, b in zip(ws, ws[1:] + ws[:1], strict=True)]
        searches += [(lang, f'"{p}"') for p in phrases.get(lang, [])]
    ids: list[str] = []
    for _lang, q in searches[:: max(1, len(searches) // 12)]:
        status, body = server.get("/search?" + urlencode({"q": q, "limit": 10}))
        if status == 200:
            ids += [h["id"] for h in json.loads(body)["hits"]]
    ids = sorted(set(ids)) or list(corpus.sample_ids)
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.60:
            lang, q = rng.choice(searches)
            params: dict[str, Any] = {"q": q}
            extra = rng.random()
            if extra < 0.15:
                params["facets"] = "true"
            elif extra < 0.30:
                params["twins"] = "true"
            elif extra < 0.40:
                params["doc_lang"] = lang
            elif extra < 0.50:
                params["lang"] = lang
            out.append("/search?" + urlencode(params))
        elif roll < 0.75:
            lang, q = rng.choice(searches)
            word = q.strip('"').split()[0]
            out.append("/suggest?" + urlencode({"q": word[: max(2, len(word) - 2)]}))
        elif roll < 0.90:
            out.append("/docs/" + quote(rng.choice(ids), safe=""))
        else:
            out.append("/related/" + quote(rng.choice(ids), safe="") + "?limit=5")
    return out


# -- the clients --------------------------------------------------------------------------------


class Client:
    """One keep-alive connection; reconnects after a failure."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> bool:
        """Whether ``path`` was answered 200."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                r.read()
                return r.status == 200
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    return False
        return False

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0

    def add(self, seconds: float, ok: bool) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if not ok:
                self.errors += 1


def closed_loop(port: int, paths: list[str], clients: int, seconds: float) -> Tally:
    tally = Tally()
    end = time.perf_counter() + seconds

    def run(k: int) -> None:
        client = Client(port)
        i = k * 7919
        while time.perf_counter() < end:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            ok = client.get(path)
            tally.add(time.perf_counter() - t0, ok)
        client.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def open_loop(port: int, paths: list[str], rate: float, seconds: float, pool: int = 32) -> Tally:
    """Requests at ``rate`` per second on a fixed schedule; latency from the scheduled time."""
    tally = Tally()
    total = int(rate * seconds)
    start = time.perf_counter() + 0.05
    next_i = [0]
    lock = threading.Lock()

    def run() -> None:
        client = Client(port)
        while True:
            with lock:
                i = next_i[0]
                next_i[0] += 1
            if i >= total:
                break
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            ok = client.get(paths[i % len(paths)])
            tally.add(time.perf_counter() - due, ok)
        client.close()

    threads = [threading.Thread(target=run) for _ in range(pool)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


class Writer(threading.Thread):
    """Every ``every`` seconds: POST 5 new records with commit=true (timed)."""

    def __init__(self, port: int, every: float) -> None:
        super().__init__()
        self.port = port
        self.every = every
        self.stop = threading.Event()
        self.commits: list[float] = []
        self.errors = 0
        self.n = 0

    def run(self) -> None:
        rng = random.Random(SEED + 1)
        words = ["coca", "cartel", "frontera", "extorsión", "police", "border", "smuggling"]
        while not self.stop.wait(self.every):
            batch = []
            for _ in range(5):
                self.n += 1
                lang = "es" if self.n % 2 else "en"
                text = " ".join(rng.choice(words) for _ in range(30))
                batch.append(
                    {
                        "id": f"load-{os.getpid()}-{self.n}",
                        "lang": lang,
                        "title": text[:60],
                        "body": text,
                    }
                )
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            t0 = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    "/docs?commit=true",
                    body=json.dumps(batch),
                    headers={
                        "Authorization": f"Bearer {TOKEN}",
                        "Content-Type": "application/json",
                    },
                )
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    self.errors += 1
            except (OSError, http.client.HTTPException):
                self.errors += 1
            finally:
                conn.close()
            self.commits.append(time.perf_counter() - t0)


# -- the report ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def phase(
    name: str, server: Server, run: Callable[[], Tally], seconds: float, writer_every: float
) -> dict[str, Any]:
    rss0 = server.rss_mb()
    writer = Writer(server.port, writer_every) if writer_every else None
    if writer:
        writer.start()
    t0 = time.perf_counter()
    tally = run()
    wall = time.perf_counter() - t0
    if writer:
        writer.stop.set()
        writer.join()
    lat = [x * 1000 for x in tally.latencies]
    row: dict[str, Any] = {
        "phase": name,
        "requests": len(lat),
        "rps": round(len(lat) / wall, 1),
        "p50_ms": round(percentile(lat, 50), 1),
        "p95_ms": round(percentile(lat, 95), 1),
        "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(max(lat, default=float("nan")), 1),
        "errors": tally.errors,
        "rss_start_mb": round(rss0, 1),
        "rss_end_mb": round(server.rss_mb(), 1),
    }
    if writer:
        row["commits"] = len(writer.commits)
        row["commit_p50_ms"] = round(percentile([c * 1000 for c in writer.commits], 50), 1)
        row["commit_max_ms"] = round(max((c * 1000 for c in writer.commits), default=0.0), 1)
        row["errors"] += writer.errors
    print(
        f"{name:<16} {row['requests']:>6} req {row['rps']:>7.1f}/s  p50 {row['p50_ms']:>6.1f}"
        f"  p95 {row['p95_ms']:>6.1f}  p99 {row['p99_ms']:>6.1f}  max {row['max_ms']:>7.1f} ms"
        f"  errors {row['errors']}  RSS {row['rss_start_mb']:.0f} -> {row['rss_end_mb']:.0f} MB"
        + (
            f"  commits {row['commits']} (p50 {row['commit_p50_ms']:.0f} ms, "
            f"max {row['commit_max_ms']:.0f} ms)"
            if writer
            else ""
        ),
        flush=True,
    )
    return row


def build_index(corpus: Corpus, index: Path) -> None:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "searchlib", "index", str(corpus.path), "--index", str(index)]
        + ["--quiet"],
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    print(f"indexed {corpus.docs} documents in {time.perf_counter() - t0:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="~5 MB of the corpus, 3 s per phase")
    ap.add_argument("--index", type=Path, help="the index to serve (built there when absent)")
    ap.add_argument("--seconds", type=float, help="length of each phase (30; quick 3)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument(
        "--commit-every", type=float, help="seconds between the writer's commits (3; quick 1)"
    )
    ap.add_argument(
        "--soak", type=int, default=0, metavar="N", help="then N more open+writer phases (memory)"
    )
    ap.add_argument("--only-soak", action="store_true", help="the soak phases only")
    ap.add_argument("--json", type=Path, help="write the figures there")
    args = ap.parse_args(argv)
    mode = "quick" if args.quick else "full"
    seconds = args.seconds or (3.0 if args.quick else 30.0)
    args.commit_every = args.commit_every or (1.0 if args.quick else 3.0)
    with tempfile.TemporaryDirectory(prefix="load-serve-") as tmp:
        work = Path(tmp)
        corpus = news_corpus(mode, work)
        print(f"corpus: {corpus.name}", flush=True)
        index = args.index or work / "index"
        if not (index / "manifest_00000001").exists() and not any(index.glob("manifest_*")):
            build_index(corpus, index)
        elif args.index:
            # a reused index grows with each run's writer: serve a copy of it
            copy = work / "index"
            subprocess.run(["cp", "-r", str(index), str(copy)], check=True)
            index = copy
        server = Server(index)
        try:
            paths = request_mix(corpus, server)
            t0 = time.perf_counter()
            warm = Client(server.port)
            for path in dict.fromkeys(paths):
                warm.get(path)
            warm.close()
            print(
                f"server pid {server.proc.pid}, {len(set(paths))} distinct requests, "
                f"warm-up {time.perf_counter() - t0:.1f} s, RSS {server.rss_mb():.0f} MB",
                flush=True,
            )
            port = server.port
            rows = (
                []
                if args.only_soak
                else [
                    phase(
                        f"closed {args.clients}",
                        server,
                        lambda: closed_loop(port, paths, args.clients, seconds),
                        seconds,
                        0,
                    ),
                    phase(
                        f"open {args.rate:g}/s",
                        server,
                        lambda: open_loop(port, paths, args.rate, seconds),
                        seconds,
                        0,
                    ),
                    phase(
                        f"closed {args.clients}+writer",
                        server,
                        lambda: closed_loop(port, paths, args.clients, seconds),
                        seconds,
                        args.commit_every,
                    ),
                    phase(
                        f"open {args.rate:g}/s+writer",
                        server,
                        lambda: open_loop(port, paths, args.rate, seconds),
                        seconds,
                        args.commit_every,
                    ),
                ]
            )
            for n in range(args.soak):
                rows.append(
                    phase(
                        f"soak {n + 1}",
                        server,
                        lambda: open_loop(port, paths, args.rate, seconds),
                        seconds,
                        args.commit_every,
                    )
                )
        finally:
            server.stop()
    report = {
        "mode": mode,
        "corpus": corpus.name,
        "docs": corpus.docs,
        "seconds": seconds,
        "phases": rows,
    }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
