"""The benchmark corpora: real news and CACM from ../shared/corpora, or a generated stand-in.

``news_corpus(mode, workdir)`` writes one JSONL file (Reuters-21578 + fakenews-es + xquad-en-es in
full mode, a proportional ~5 MB prefix of each in quick mode) and ``query_corpus(mode, workdir)``
the CACM documents and queries. Without ../shared both fall back to a deterministic generated
corpus with realistic statistics (Zipfian vocabulary in English and Spanish, 150-400 word briefs,
a generated query set), so the benchmarks also run on a bare checkout. Each corpus carries the
query words the search benchmarks use, chosen so that they exist in that corpus.
"""

from __future__ import annotations

import json
import os
import random
import string
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import BinaryIO

REPO = Path(__file__).resolve().parents[1]
CORPORA = Path(os.environ.get("SEARCHLIB_SHARED", REPO.parent / "shared")) / "corpora"
NEWS_SOURCES = ("reuters21578", "fakenews-es", "xquad-en-es")
QUICK_NEWS_BYTES = 5_000_000
SEED = 20_110_923


def bench_mode() -> str:
    """``quick`` (default) or ``full``, from the SEARCHLIB_BENCH environment variable."""
    mode = os.environ.get("SEARCHLIB_BENCH", "quick").strip().lower() or "quick"
    if mode not in ("quick", "full"):
        raise ValueError(f"SEARCHLIB_BENCH must be 'quick' or 'full', got {mode!r}")
    return mode


def use_real_corpora() -> bool:
    """True when ../shared/corpora has every file and SEARCHLIB_BENCH_CORPUS != generated."""
    if os.environ.get("SEARCHLIB_BENCH_CORPUS", "").lower() == "generated":
        return False
    needed = [CORPORA / s / "docs.jsonl" for s in (*NEWS_SOURCES, "cacm")]
    needed.append(CORPORA / "cacm" / "queries.jsonl")
    return all(p.is_file() for p in needed)


@dataclass
class Corpus:
    """A JSONL file of documents plus what the benchmarks need to know about it."""

    name: str  # printed in the summary: which corpus was used
    path: Path
    docs: int
    nbytes: int
    sample_ids: list[str] = field(default_factory=list)  # documents for related-items latency
    texts: dict[str, str] = field(default_factory=dict)  # their text (Whoosh's more_like input)
    words: dict[str, list[str]] = field(default_factory=dict)  # per language: query words
    phrases: dict[str, list[str]] = field(default_factory=dict)  # per language: two-word phrases
    queries: list[dict[str, str]] = field(
        default_factory=list
    )  # plain-text queries (id, lang, text)


# -- the real corpora ------------------------------------------------------------------------

# Words chosen from the real news collections (Reuters, fakenews-es); all occur many times.
REAL_WORDS = {
    "en": [
        "oil",
        "wheat",
        "coffee",
        "bank",
        "dollar",
        "shares",
        "trade",
        "sugar",
        "gold",
        "tariffs",
    ],
    "es": [
        "gobierno",
        "presidente",
        "elecciones",
        "policía",
        "méxico",
        "salud",
        "dinero",
        "guerra",
        "candidato",
        "reforma",
    ],
}
REAL_PHRASES = {
    "en": ["interest rates", "crude oil", "trade deficit", "stock exchange", "central bank"],
    "es": [
        "redes sociales",
        "estados unidos",
        "andrés manuel",
        "seguridad pública",
        "ciudad de méxico",
    ],
}


def _copy_prefix(
    src: Path, out: BinaryIO, budget: int | None
) -> tuple[int, int, list[str], dict[str, str]]:
    """Copy lines of ``src`` into ``out`` up to ``budget`` bytes; (docs, bytes, ids, texts)."""
    docs = nbytes = 0
    ids: list[str] = []
    texts: dict[str, str] = {}
    with src.open("rb") as f:
        for line in f:
            if not line.strip():
                continue
            if budget is not None and nbytes + len(line) > budget and docs:
                break
            out.write(line if line.endswith(b"\n") else line + b"\n")
            docs += 1
            nbytes += len(line)
            if docs % 97 == 1 and len(ids) < 4:
                obj = json.loads(line)
                body = obj.get("body") or ""
                if len(body) > 400:
                    ids.append(str(obj["id"]))
                    texts[str(obj["id"])] = (obj.get("title") or "") + "\n" + body
    return docs, nbytes, ids, texts


def _real_news(mode: str, workdir: Path) -> Corpus:
    path = workdir / f"news-{mode}.jsonl"
    sizes = {s: (CORPORA / s / "docs.jsonl").stat().st_size for s in NEWS_SOURCES}
    total = sum(sizes.values())
    corpus = Corpus("", path, 0, 0, words=REAL_WORDS, phrases=REAL_PHRASES)
    parts = []
    with path.open("wb") as out:
        for s in NEWS_SOURCES:
            budget = None if mode == "full" else int(QUICK_NEWS_BYTES * sizes[s] / total)
            docs, nbytes, ids, texts = _copy_prefix(CORPORA / s / "docs.jsonl", out, budget)
            corpus.docs += docs
            corpus.nbytes += nbytes
            corpus.sample_ids += ids[:3]
            corpus.texts.update(texts)
            parts.append(
                f"{s} {docs}"
                + ("" if mode == "full" else f"/{_count_lines(CORPORA / s / 'docs.jsonl')}")
            )
    corpus.name = f"real news corpus ({mode}: {', '.join(parts)} docs) from {CORPORA}"
    return corpus


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def _real_cacm(workdir: Path) -> Corpus:
    src = CORPORA / "cacm"
    path = workdir / "cacm.jsonl"
    path.write_bytes((src / "docs.jsonl").read_bytes())
    with (src / "queries.jsonl").open(encoding="utf-8") as f:
        queries = [json.loads(line) for line in f if line.strip()]
    return Corpus(
        f"CACM ({_count_lines(path)} docs, {len(queries)} queries) from {src}",
        path,
        _count_lines(path),
        path.stat().st_size,
        queries=[
            {"id": str(q["id"]), "lang": q.get("lang") or "en", "text": q["text"]} for q in queries
        ],
    )


# -- the generated corpus --------------------------------------------------------------------

# Real words head the Zipfian ranking (function words first, then news words); generated words
# built from each language's syllables and endings make up the long tail.
HEAD = {
    "en": (
        "the of to and a in that for is on said was with by it as at from he be his has have "
        "are will an not which its this were would but had they been who their more also after "
        "government police president officials security drug cocaine trafficking military country "
        "minister army border violence cartel gang prison court judge election congress years "
        "million report attack killed arrested authorities investigation state national forces "
        "city region leaders group organization money corruption murder homicide criminal network "
        "peru colombia mexico honduras guatemala venezuela brazil bolivia ecuador salvador "
        "oil prices market bank trade exports coffee wheat sugar gold shares dollar tariffs"
    ).split(),
    "es": (
        "de la que el en y a los del se las por un para con no una su al lo como más pero sus "
        "le ya o fue este ha sí porque esta son entre cuando muy sin sobre también me hasta hay "
        "gobierno policía presidente funcionarios seguridad droga cocaína narcotráfico militares "
        "país ministro ejército frontera violencia cártel pandilla cárcel tribunal juez elecciones "
        "congreso años millones informe ataque asesinados detenidos autoridades investigación "
        "estado nacional fuerzas ciudad región líderes grupo organización dinero corrupción "
        "homicidio criminal red perú colombia méxico honduras guatemala venezuela brasil bolivia "
        "ecuador petróleo precios mercado banco comercio exportaciones café trigo azúcar oro"
    ).split(),
}
ONSETS = {
    "en": [
        "b",
        "c",
        "d",
        "f",
        "g",
        "h",
        "l",
        "m",
        "n",
        "p",
        "r",
        "s",
        "t",
        "v",
        "w",
        "br",
        "cr",
        "st",
        "tr",
        "pl",
        "gr",
        "sh",
        "th",
        "ch",
    ],
    "es": [
        "b",
        "c",
        "d",
        "f",
        "g",
        "j",
        "l",
        "m",
        "n",
        "p",
        "r",
        "s",
        "t",
        "v",
        "br",
        "cr",
        "tr",
        "pl",
        "gr",
        "ll",
        "ch",
        "ñ",
        "rr",
    ],
}
VOWELS = {
    "en": ["a", "e", "i", "o", "u", "ea", "ou", "ai"],
    "es": ["a", "e", "i", "o", "u", "ia", "ue", "ío"],
}
ENDINGS = {
    "en": ["", "", "s", "ed", "ing", "tion", "ment", "er", "ly", "ness", "al", "ity"],
    "es": ["", "o", "a", "os", "as", "ción", "mente", "ado", "ada", "ista", "idad", "ía", "ón"],
}
COUNTRIES = [
    "Peru",
    "Colombia",
    "Mexico",
    "Honduras",
    "Guatemala",
    "Venezuela",
    "Brazil",
    "Bolivia",
]
VOCAB_SIZE = 30_000


def _vocabulary(lang: str, rng: random.Random) -> list[str]:
    words = list(dict.fromkeys(HEAD[lang]))
    seen = set(words)
    while len(words) < VOCAB_SIZE:
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        w = "".join(rng.choice(ONSETS[lang]) + rng.choice(VOWELS[lang]) for _ in range(syllables))
        w += rng.choice(ENDINGS[lang])
        if w not in seen and len(w) > 2:
            seen.add(w)
            words.append(w)
    return words


def _sentence(rng: random.Random, vocab: list[str], cum: list[float], n: int) -> str:
    words = rng.choices(vocab, cum_weights=cum, k=n)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _generated_news(mode: str, workdir: Path, target: int) -> Corpus:
    rng = random.Random(SEED)
    vocab = {lang: _vocabulary(lang, rng) for lang in ("en", "es")}
    cum = list(accumulate(1.0 / (r + 1) ** 1.07 for r in range(VOCAB_SIZE)))
    path = workdir / f"generated-news-{mode}.jsonl"
    docs = nbytes = 0
    sample_ids: list[str] = []
    texts: dict[str, str] = {}
    with path.open("w", encoding="utf-8") as out:
        while nbytes < target:
            lang = "en" if docs % 3 else "es"  # two English briefs for each Spanish one
            n_words = rng.randint(150, 400)
            paragraphs = []
            left = n_words
            while left > 0:
                k = min(left, rng.randint(40, 90))
                paragraphs.append(
                    " ".join(
                        _sentence(rng, vocab[lang], cum, rng.randint(8, 25))
                        for _ in range(max(1, k // 16))
                    )
                )
                left -= k
            title = _sentence(rng, vocab[lang], cum, rng.randint(5, 12))[:-1]
            day = 1 + (docs * 7919) % 3650
            obj = {
                "id": f"gen-{lang}-{docs:06d}",
                "lang": lang,
                "title": title.title(),
                "body": "\n".join(paragraphs),
                "kind": "brief",
                "date": f"{2011 + day // 365}-{1 + day % 365 // 31:02d}-{1 + day % 28:02d}",
                "country": rng.choice(COUNTRIES),
            }
            line = json.dumps(obj, ensure_ascii=False) + "\n"
            out.write(line)
            docs += 1
            nbytes += len(line.encode("utf-8"))
            if docs % 211 == 5 and len(sample_ids) < 8:
                sample_ids.append(obj["id"])
                texts[obj["id"]] = title + "\n" + obj["body"]
    words = {lang: vocab[lang][150:160] for lang in ("en", "es")}
    phrases = {
        lang: [f"{vocab[lang][i]} {vocab[lang][i + 1]}" for i in (150, 152, 154)]
        for lang in ("en", "es")
    }
    # Phrases of frequent words adjacent by chance; also a few that occur verbatim in titles.
    for lang in ("en", "es"):
        phrases[lang] += [
            " ".join(texts[i].split("\n")[0].lower().split()[:2])
            for i in sample_ids
            if i.startswith(f"gen-{lang}")
        ][:2]
    return Corpus(
        f"generated news corpus ({mode}: {docs} docs, seed {SEED}; ../shared/corpora not used)",
        path,
        docs,
        nbytes,
        sample_ids,
        texts,
        words,
        phrases,
    )


def _generated_queries(workdir: Path) -> Corpus:
    rng = random.Random(SEED + 1)
    vocab = _vocabulary("en", rng)
    cum = list(accumulate(1.0 / (r + 1) ** 1.07 for r in range(VOCAB_SIZE)))
    path = workdir / "generated-cacm.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(3200):
            body = " ".join(
                _sentence(rng, vocab, cum, rng.randint(8, 20)) for _ in range(rng.randint(0, 8))
            )
            title = _sentence(rng, vocab, cum, rng.randint(4, 10))[:-1]
            out.write(
                json.dumps({"id": str(i + 1), "lang": "en", "title": title, "body": body}) + "\n"
            )
    queries = []
    for i in range(64):
        words = rng.choices(vocab[60:3000], k=rng.randint(4, 18))
        queries.append({"id": str(i + 1), "lang": "en", "text": " ".join(words).capitalize() + "?"})
    return Corpus(
        "generated CACM-like collection (3200 docs, 64 queries; ../shared/corpora not used)",
        path,
        3200,
        path.stat().st_size,
        queries=queries,
    )


def news_corpus(mode: str, workdir: Path) -> Corpus:
    """The news corpus for indexing and query-shape benchmarks, written under ``workdir``."""
    if use_real_corpora():
        return _real_news(mode, workdir)
    return _generated_news(mode, workdir, QUICK_NEWS_BYTES if mode == "quick" else 28_000_000)


def query_corpus(mode: str, workdir: Path) -> Corpus:
    """The collection whose own queries are run one at a time (CACM, or a generated stand-in)."""
    del mode  # CACM is small: the whole collection in both modes
    return _real_cacm(workdir) if use_real_corpora() else _generated_queries(workdir)


def plain(text: str) -> str:
    """Query text without syntax characters (for parsers that would read them as operators)."""
    keep = set(string.punctuation) - {"'", "-"}
    return "".join(" " if c in keep else c for c in text).lower()
