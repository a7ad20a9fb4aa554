"""Analysis throughput (MB/s, tokens/s): searchlib's en/es chains vs Whoosh on the same text.

Run: ``python -m pytest benchmarks/bench_analysis.py -q -s`` (pytest-benchmark). Texts: Reuters
docs (en) and fakenews-es docs (es) from the repo's sibling ``../shared/corpora`` when present
(first ~4 MB of each), else a deterministic generated text; the source is printed. Every
analyzer is warmed once on the text first, so the figures are the steady state of an indexer
whose term cache is already populated.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path

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


def _searchlib(lang: str) -> Callable[[str], int]:
    analyzer = Analyzer(lang)
    return lambda text: len(analyzer.terms(text)[0])


def _whoosh(lang: str) -> Callable[[str], int]:
    analysis = pytest.importorskip("whoosh.analysis", reason="whoosh is not installed")
    if lang == "en":
        analyzer = analysis.StemmingAnalyzer()
    else:
        analyzer = analysis.LanguageAnalyzer("es")
    return lambda text: sum(1 for _ in analyzer(text))


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("engine", ["searchlib", "whoosh"])
def test_throughput(benchmark: object, engine: str, lang: str) -> None:
    docs, source = _texts(lang)
    megabytes = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    run_one = _searchlib(lang) if engine == "searchlib" else _whoosh(lang)

    def run() -> int:
        return sum(run_one(d) for d in docs)

    tokens = run()  # warm-up: fills the term/stem caches
    start = time.perf_counter()
    benchmark.pedantic(run, rounds=3, iterations=1)  # type: ignore[attr-defined]
    seconds = (time.perf_counter() - start) / 3
    RESULTS.setdefault(lang, {})[engine] = megabytes / seconds
    print(
        f"\n[{lang}] {engine:9s} {megabytes:.2f} MB from {source}: "
        f"{megabytes / seconds:6.1f} MB/s, {tokens / seconds:,.0f} tokens/s"
    )
    if len(RESULTS[lang]) == 2:
        ratio = RESULTS[lang]["searchlib"] / RESULTS[lang]["whoosh"]
        print(f"[{lang}] searchlib / whoosh speed ratio: {ratio:.1f}x")
    assert tokens > 0
