"""Analysis throughput (MB/s, tokens/s): searchlib's en/es chains vs Whoosh on the same text.

Run: ``python -m pytest benchmarks/bench_analysis.py -q -s`` (pytest-benchmark). Texts: Reuters
docs (en) and fakenews-es docs (es) from the repo's sibling ``../shared/corpora`` when present
(first ~4 MB of each), else a deterministic generated text; the source is printed.

searchlib is measured on its indexing path: all texts as one batch through
``Analyzer.analyse_batch`` (chunk ids, then terms and positions of every text), as
the segment builder runs it. Whoosh runs its StemmingAnalyzer / LanguageAnalyzer("es") over
each text. Two states, each engine alike: **cold**, a new analyzer per round (every distinct
word is stemmed once, every distinct chunk learned), and **warm**, the same analyzer again
(caches filled, the steady state of a long indexing run).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from searchlib.analysis import Analyzer

CORPORA = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpora"
SOURCES = {"en": "reuters21578", "es": "fakenews-es"}
LIMIT = 4_000_000  # characters per language
WORDS = {
    "en": "the police said drug traffickers seized cocaine in Peru on Monday and officials "
    "reported 2,000 kilos of U.S. bound shipments while president's gangs extorted".split(),
    "es": "la policía detuvo a los narcotraficantes que decomisaron cocaína en el Perú y los "
    "gobiernos informaron de 2.000 kilos mientras las pandillas extorsionaban años".split(),
}
RESULTS: dict[str, dict[str, float]] = {}


def _texts(lang: str) -> tuple[list[str], str]:
    path = CORPORA / SOURCES[lang] / "docs.jsonl"
    if path.is_file():
        docs: list[str] = []
        size = 0
        with path.open(encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                text = (doc.get("title") or "") + "\n" + (doc.get("body") or "")
                docs.append(text)
                size += len(text)
                if size >= LIMIT:
                    break
        return docs, str(path)
    rng = random.Random(42)
    docs = [" ".join(rng.choice(WORDS[lang]) for _ in range(400)) for _ in range(1500)]
    return docs, "generated text (corpora not found)"


class _Searchlib:
    def __init__(self, lang: str) -> None:
        self.analyzer = Analyzer(lang)

    def __call__(self, docs: list[str]) -> int:
        _, expanded = self.analyzer.analyse_batch(docs)
        return int(expanded.term_ids.size)


class _Whoosh:
    def __init__(self, lang: str) -> None:
        analysis = pytest.importorskip("whoosh.analysis", reason="whoosh is not installed")
        self.analyzer = (
            analysis.StemmingAnalyzer() if lang == "en" else analysis.LanguageAnalyzer("es")
        )

    def __call__(self, docs: list[str]) -> int:
        analyzer = self.analyzer
        return sum(sum(1 for _ in analyzer(d)) for d in docs)


@pytest.mark.parametrize("state", ["cold", "warm"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("engine", ["searchlib", "whoosh"])
def test_throughput(benchmark: Any, engine: str, lang: str, state: str) -> None:
    docs, source = _texts(lang)
    megabytes = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    make = _Searchlib if engine == "searchlib" else _Whoosh
    engines: list[Callable[[list[str]], int]] = []
    warm = make(lang)
    tokens = warm(docs)  # fills the caches of the warm analyzer

    def setup() -> tuple[tuple[()], dict[str, Any]]:
        engines.append(make(lang) if state == "cold" else warm)
        return (), {}

    def run() -> int:
        return engines[-1](docs)

    benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)
    seconds = float(benchmark.stats.stats.min)
    key = f"{lang} {state}"
    RESULTS.setdefault(key, {})[engine] = megabytes / seconds
    print(
        f"\n[{key}] {engine:9s} {megabytes:.2f} MB from {source}: "
        f"{megabytes / seconds:6.1f} MB/s, {tokens / seconds:,.0f} tokens/s"
    )
    if len(RESULTS[key]) == 2:
        ratio = RESULTS[key]["searchlib"] / RESULTS[key]["whoosh"]
        print(f"[{key}] searchlib / whoosh speed ratio: {ratio:.1f}x")
    benchmark.extra_info.update(
        {
            "what": f"analysis {lang} ({state})",
            "engine": engine,
            "megabytes": round(megabytes, 3),
            "mb_per_s": round(megabytes / seconds, 2),
            "tokens_per_s": round(tokens / seconds),
        }
    )
    assert tokens > 0
