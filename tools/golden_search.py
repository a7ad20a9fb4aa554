"""Golden rankings: run a few thousand searches over real corpora and dump every result as JSON.

A refactor of the search layer must not change a single result. Run this tool on the commit
before the change and on the commit after it, then compare the two files (``cmp`` or ``diff``):
they must be identical. Every hit is recorded with its exact score (``repr`` of the float), so a
change in the last bit of a score shows.

The searches cover: plain text, the query syntax (phrases, AND/OR/NOT, prefixes, wildcards,
fuzzy terms, fields, ranges, boosts), filters (document language, country, kind, dates), facets,
twins, snippets, both query languages and none, cross-lingual on and off, related items and
explanations, over the seed pages, the InSight Crime crawl, Reuters-21578, the Spanish news
corpus and a mixed English/Spanish index (XQuAD's parallel paragraphs plus the crawl and the
seeds, where twins and translation matter).

It uses only the public API (``searchlib.create_index``, ``index_paths``, ``Index.search``,
``related``, ``explain``), so the same file runs against any tree::

    PYTHONPATH=/path/to/tree python3 tools/golden_search.py --indexes /tmp/golden-idx \\
        --out /tmp/golden-tree.json

``--indexes`` keeps the built indexes (built on first use, reused after), so two trees can be
compared on the very same index files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import searchlib

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
if not CORPORA.is_dir():
    CORPORA = Path("/work/shared/corpora")

WORD = re.compile(r"[^\W\d_]{4,}")


def _jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
                if limit is not None and len(out) >= limit:
                    break
    return out


def _sources(work: Path) -> dict[str, list[Path]]:
    """The inputs of each index."""
    seeds = REPO / "seeds"
    pages = [p for p in sorted(seeds.rglob("*.txt"))]
    mixed_src = work / "mixed-xquad.jsonl"
    if not mixed_src.exists():
        docs = _jsonl(CORPORA / "xquad-en-es" / "docs.jsonl")
        mixed_src.write_text(
            "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8"
        )
    return {
        "seeds": pages,
        "insight": [CORPORA / "insightcrime-crawl-2020" / "docs.jsonl"],
        "reuters": [CORPORA / "reuters21578" / "docs.jsonl"],
        "fakenews": [CORPORA / "fakenews-es" / "docs.jsonl"],
        "mixed": [mixed_src, CORPORA / "insightcrime-crawl-2020" / "docs.jsonl", *pages],
    }


def _open(work: Path, name: str, paths: list[Path]) -> searchlib.Index:
    folder = work / name
    if (folder / ".built").exists():
        return searchlib.open_index(folder)
    index = searchlib.create_index(folder)
    searchlib.index_paths(index, paths, workers=1)
    (folder / ".built").write_text("ok")
    return index


def _titles(index: searchlib.Index, step: int, limit: int) -> list[tuple[str, str, list[str]]]:
    """(id, lang, title words) of every ``step``-th document with a usable title."""
    out = []
    for i, doc in enumerate(index.reader.iter_documents()):
        if i % step:
            continue
        words = WORD.findall(doc.get("title") or doc.get("teaser") or "")
        if len(words) >= 2:
            out.append((doc["id"], doc.get("lang", "en"), words))
        if len(out) >= limit:
            break
    return out


def _queries(words: list[str], i: int) -> Iterator[str]:
    a, b = words[0].lower(), words[1].lower()
    c = words[2].lower() if len(words) > 2 else a
    yield f"{a} {b}"
    yield f'"{a} {b}"'
    yield [f"{a} AND {b}", f"{a} OR {b} NOT {c}", f"({a} OR {c}) AND {b}", f"+{a} -{b}"][i % 4]
    yield [f"{a[:4]}*", f"{a}~1", f"title:{a}", f"{a[:3]}?{a[4:]}"][i % 4]
    yield [f"{a}^2 {b}", f'"{a} {c}"~3', f"body:{b} {c}", f"{b} kind:brief"][i % 4]


FILTER_SETS: list[dict[str, Any]] = [
    {},
    {"doc_lang": "en"},
    {"doc_lang": "es"},
    {"country": "peru"},
    {"country": "mexico"},
    {"kind": "related"},
    {"since": "1987-03-01", "until": "1987-04-15"},
    {"since": "2015-01-01"},
]


def _hit(h: searchlib.Hit) -> dict[str, Any]:
    out = h.to_json()
    out["score"] = repr(h.score)
    return out


def _results(r: searchlib.Results) -> dict[str, Any]:
    out = r.to_json()
    del out["took_ms"]
    out["hits"] = [_hit(h) for h in r.hits]
    return out


def _explanation(e: Any) -> Any:
    return [repr(e.value), e.description, [_explanation(d) for d in e.details]]


def _run(index: searchlib.Index, name: str, step: int, limit: int) -> dict[str, Any]:
    import datetime as dt

    records: dict[str, Any] = {}
    samples = _titles(index, step, limit)
    n = 0
    for i, (doc_id, lang, words) in enumerate(samples):
        for j, q in enumerate(_queries(words, i)):
            opts: dict[str, Any] = {
                "lang": [None, lang, None, "es" if lang == "en" else "en"][(i + j) % 4],
                "cross_lingual": (i + j) % 5 != 4,
                "facets": (i + j) % 3 == 0,
                "twins": (i + j) % 4 == 1,
                "snippets": (i + j) % 2 == 0,
                "syntax": ["strict", "lenient", "strict", "plain"][(i * 3 + j) % 4],
                "limit": [10, 20, 5][(i + j) % 3],
                "offset": [0, 0, 3][(i + j) % 3],
            }
            filters = dict(FILTER_SETS[(i + 2 * j) % len(FILTER_SETS)]) if (i + j) % 2 else {}
            for key in ("since", "until"):
                if key in filters:
                    filters[key] = dt.date.fromisoformat(filters[key])
            key = f"{name}|search|{q}|{sorted(opts.items())}|{sorted(filters.items())}"
            try:
                r = index.search(q, **opts, **filters)
                records[key] = _results(r)
                if r.hits and j in (0, 1) and i % 2 == 0:
                    top = r.hits[min(2, len(r.hits) - 1)].id
                    e = index.explain(
                        q,
                        top,
                        lang=opts["lang"],
                        cross_lingual=opts["cross_lingual"],
                        syntax=opts["syntax"],
                    )
                    records[f"{name}|explain|{q}|{top}|{opts['lang']}"] = _explanation(e)
            except searchlib.SearchlibError as exc:
                records[key] = {"error": type(exc).__name__, "message": str(exc)}
            n += 1
        if i % 3 == 0:
            rel = index.related(doc_id, limit=[10, 5, 20][i % 3])
            records[f"{name}|related|{doc_id}"] = _results(rel)
            n += 1
    print(f"{name}: {n} searches", file=sys.stderr)
    return records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--indexes", type=Path, required=True, help="folder of the built indexes")
    ap.add_argument("--out", type=Path, required=True, help="JSON file to write")
    ap.add_argument("--quick", action="store_true", help="fewer searches per index")
    args = ap.parse_args(argv)
    args.indexes.mkdir(parents=True, exist_ok=True)
    plan = {  # index -> (every n-th document, documents sampled)
        "seeds": (1, 200),
        "insight": (1, 200),
        "reuters": (41, 160),
        "fakenews": (7, 160),
        "mixed": (2, 200),
    }
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    for name, paths in _sources(args.indexes).items():
        step, limit = plan[name]
        if args.quick:
            limit = max(1, limit // 8)
        index = _open(args.indexes, name, paths)
        try:
            out.update(_run(index, name, step, limit))
        finally:
            index.close()
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
    print(f"{len(out)} records in {time.perf_counter() - t0:.1f} s -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
