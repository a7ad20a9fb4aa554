"""Relevance evaluation: queries and judgments in, nDCG@k, recall@100, MRR@k and latency out.

Formats (as in ``../shared/corpora``): queries are JSONL ``{"id", "lang", "text"}`` (``lang`` is the
language the query is written in); qrels are TSV with a header line and
``query_id<TAB>doc_id<TAB>relevance`` rows (graded; 0 means not relevant).
nDCG uses the exponential gain ``2^rel - 1`` and ``log2(rank + 1)`` discounts (trec_eval's
``ndcg_cut`` uses linear gain; with binary judgments both agree).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from searchlib._types import is_lang
from searchlib.api import Index
from searchlib.errors import ArgumentError, IngestError

__all__ = ["evaluate_run", "load_qrels", "load_queries", "mrr_at_k", "ndcg_at_k", "recall_at_k"]


def load_queries(path: str | Path) -> list[dict[str, str]]:
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                out.append(
                    {"id": str(q["id"]), "lang": q.get("lang") or "", "text": str(q["text"])}
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise IngestError(str(path), f"bad query line ({exc})", line=n) from exc
    return out


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            parts = line.rstrip("\n").split("\t")
            if n == 1 and not parts[-1].lstrip("-").isdigit():
                continue  # header
            if len(parts) < 3:
                if line.strip():
                    raise IngestError(
                        str(path), "expected query_id<TAB>doc_id<TAB>relevance", line=n
                    )
                continue
            try:
                qrels.setdefault(parts[0], {})[parts[1]] = int(parts[-1])
            except ValueError as exc:
                raise IngestError(
                    str(path), f"relevance is not an integer ({exc})", line=n
                ) from exc
    return qrels


def ndcg_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with gain 2^rel - 1.

    >>> ndcg_at_k(["a", "b"], {"a": 1})
    1.0
    >>> round(ndcg_at_k(["b", "a"], {"a": 1}), 4)
    0.6309
    """
    dcg = sum((2 ** judged.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((r for r in judged.values() if r > 0), reverse=True)[:k]
    idcg = sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    relevant = {d for d, r in judged.items() if r > 0}
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    for i, d in enumerate(ranked[:k]):
        if judged.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate_run(
    index: Index,
    queries: Sequence[Mapping[str, str]],
    qrels: Mapping[str, Mapping[str, int]] | None = None,
    k: int = 10,
    lang_mode: str = "query",
    depth: int = 100,
    timed: bool = True,
) -> dict[str, Any]:
    """Run every query (after one warm-up pass), one at a time; report quality and latency.

    Only judged queries (with at least one relevant document) count towards the quality figures.
    Queries are read as plain text (no syntax: a judged query is what a person wrote, and may
    hold an unbalanced quote). ``k`` and ``depth`` are whole numbers from 1 (ArgumentError).
    ``timed=False`` reports quality only: each query runs once, with no warm-up pass, and the
    report has no ``latency_ms`` or ``qps`` (the same rankings, half the work).
    """
    for name, value in (("k", k), ("depth", depth)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ArgumentError(f"{name} must be a whole number of at least 1, not {value!r}")
    if lang_mode not in ("query", "any"):
        raise ArgumentError(f"lang_mode must be 'query' or 'any', not {lang_mode!r}")
    searcher = index.searcher()

    def run(q: Mapping[str, str]) -> list[str]:
        lang = q.get("lang") if lang_mode == "query" and is_lang(q.get("lang")) else None
        res = searcher.search_text(q["text"], depth, lang=lang)
        return [h.id for h in res.hits]

    runs: dict[str, list[str]] = {}
    latencies = []
    if timed:
        for q in queries:
            run(q)
        for q in queries:
            t0 = time.perf_counter()
            runs[q["id"]] = run(q)
            latencies.append((time.perf_counter() - t0) * 1000)
    else:
        runs = {q["id"]: run(q) for q in queries}
    report: dict[str, Any] = {"queries": len(queries)}
    if qrels is not None:
        judged = [q["id"] for q in queries if any(r > 0 for r in qrels.get(q["id"], {}).values())]
        report["judged"] = len(judged)
        for name, fn, cut in (
            (f"ndcg@{k}", ndcg_at_k, k),
            ("recall@100", recall_at_k, 100),
            (f"mrr@{k}", mrr_at_k, k),
        ):
            vals = [fn(runs[q], qrels[q], cut) for q in judged]
            report[name] = round(float(np.mean(vals)), 4) if vals else 0.0
    if not timed:
        return report
    lat = np.array(latencies) if latencies else np.zeros(1)
    report["latency_ms"] = {
        "p50": round(float(np.percentile(lat, 50)), 3),
        "p95": round(float(np.percentile(lat, 95)), 3),
        "mean": round(float(lat.mean()), 3),
    }
    total_s = float(lat.sum()) / 1000
    report["qps"] = round(len(queries) / total_s, 1) if total_s > 0 else 0.0
    return report


MIXED_GROUPS = ("present-es", "absent-es", "present-en", "absent-en")
"""The groups of :func:`xquad_mixed`: the query's language, and whether the paragraph it asks
about is in the index in that language (else only in the other one)."""


def xquad_mixed(
    corpora: str | Path,
    workdir: str | Path,
    k: int = 10,
    distractors: Sequence[str] = ("reuters21578", "fakenews-es"),
    timed: bool = True,
) -> dict[str, Any]:
    """The cross-lingual benchmark with competition in it, from the shared XQuAD files.

    Per query language (``es``, then ``en``), one index holds every paragraph of the other
    language, the query language's paragraphs of every other article (the first, third...
    article in file order), and the ``distractors`` corpora (English and Spanish news). Every
    question of that language is asked (as :func:`evaluate_run` asks it, in its language):

    - ``present-<lang>``: its article is in the index in its own language: the relevant
      document is its own paragraph (``qrels.tsv``), the translation next to it is not;
    - ``absent-<lang>``: only the other language's paragraph is there: that one is relevant
      (``qrels-crosslingual.tsv``).

    Returns ``{group: evaluate_run report}`` plus ``"docs"`` (the index sizes). ``corpora`` is
    the folder of the shared corpora; ``workdir`` receives the two indexes and their sources.
    ``timed``: as in :func:`evaluate_run` (False: quality only).
    """
    import searchlib  # the facade: the benchmark indexes as a user would

    corpora, workdir = Path(corpora), Path(workdir)
    xquad = corpora / "xquad-en-es"
    docs = [json.loads(ln) for ln in (xquad / "docs.jsonl").read_text("utf-8").splitlines() if ln]
    articles = list(dict.fromkeys(d["title"] for d in docs))
    kept = set(articles[::2])
    queries = load_queries(xquad / "queries.jsonl")
    qrels = {
        "mono": load_qrels(xquad / "qrels.tsv"),
        "cross": load_qrels(xquad / "qrels-crosslingual.tsv"),
    }
    title_of = {d["id"]: d["title"] for d in docs}
    extra = [corpora / name / "docs.jsonl" for name in distractors]
    out: dict[str, Any] = {"docs": {}}
    for lang in ("es", "en"):
        chosen = [d for d in docs if d["lang"] != lang or d["title"] in kept]
        src = workdir / f"xquad-mixed-{lang}.jsonl"
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(
            "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in chosen), encoding="utf-8"
        )
        index = searchlib.create_index(workdir / f"index-{lang}")
        try:
            searchlib.index_paths(index, [src, *(p for p in extra if p.is_file())])
            out["docs"][f"{lang}-queries"] = len(index)
            mine = [q for q in queries if q["lang"] == lang]
            for present in (True, False):
                judged = qrels["mono" if present else "cross"]
                group = [
                    q
                    for q in mine
                    if any((title_of[d] in kept) == present for d in qrels["mono"].get(q["id"], {}))
                ]
                name = f"{'present' if present else 'absent'}-{lang}"
                wanted = {q["id"]: judged[q["id"]] for q in group}
                out[name] = evaluate_run(index, group, wanted, k=k, timed=timed)
        finally:
            index.close()
    return out
