"""Tables derived from the shipped data, built ahead of time so that a first query does not
build them (``python -m searchlib.analysis.derived`` writes them; see ``--help``).

* ``data/stems_en.tsv``: nltk's English Snowball stem of every word of the lexicon's English
  side and of the country names, and of the frequent words of English news (the words of the
  ``--corpus`` JSONL files seen at least ``--min-count`` times; without ``--corpus``, the words
  the table already holds are kept). Words :func:`~searchlib.analysis.stems.unchanged`
  answers are left out.
* ``data/lexicon_tables.json``: the lookup tables of the shipped lexicon, both directions
  (:meth:`Lexicon._table`: exact and stemmed keys -> translations, longest entry), and the
  lexicon's one-language words for :func:`~searchlib.analysis.languages.detect_language`,
  with the digest of the lexicon files they come from: the tables are used only while that
  digest is the shipped files' (else they are built as before).

``tests/analysis/test_derived.py`` rebuilds both and fails when the shipped files differ (after
an edit of a lexicon file, a stop list or the analysis chain: run this module and commit its
output).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from searchlib.analysis.analyzers import get_analyzer
from searchlib.analysis.prebuilt import (
    LEXICON_TABLES_FILE,
    data_dir,
    forget_shipped_tables,
    lexicon_digest,
    shipped_lexicon_texts,
)
from searchlib.analysis.stems import STEMS_FILE, forget_shipped_stems, parse_stems, unchanged
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.countries import countries

__all__ = [
    "build_lexicon_tables",
    "build_stems",
    "fresh_lexicon_text",
    "fresh_stems_text",
    "main",
    "render_stems",
]

DEFAULT_MIN_COUNT = 3


def vocabulary_words() -> set[str]:
    """The English words a query is likely to hold that the shipped data names: the English
    side of the lexicon and the names of the countries, as the English chain normalizes them."""
    from searchlib.analysis.lexicon import parse_lexicon

    analyzer = get_analyzer("en")
    texts: list[str] = []
    for name, text in shipped_lexicon_texts():
        texts.extend(english for english, _ in parse_lexicon(text, name))
    for country in countries():
        texts.extend(country.names)
    return {analyzer.normalize(w) for text in texts for w in TOKEN_RE.findall(text)}


def corpus_words(paths: Iterable[str | Path], min_count: int) -> set[str]:
    """The normalized words of the English documents (``lang`` "en" or absent) of JSONL
    files seen at least ``min_count`` times."""
    analyzer = get_analyzer("en")
    counts: Counter[str] = Counter()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                if doc.get("lang", "en") != "en":
                    continue
                body = doc.get("body") or ""
                if isinstance(body, list):
                    body = " ".join(body)
                counts.update(TOKEN_RE.findall(f"{doc.get('title') or ''} {body}"))
    out: Counter[str] = Counter()
    for word, n in counts.items():
        out[analyzer.normalize(word)] += n
    return {w for w, n in out.items() if n >= min_count}


def build_stems(words: Iterable[str]) -> dict[str, str]:
    """word -> nltk's English Snowball stem (its public ``SnowballStemmer``), for the words
    that need the stemmer: no stop word, number or word :func:`unchanged` answers."""
    from nltk.stem.snowball import SnowballStemmer

    stem = SnowballStemmer("english").stem
    stop = get_analyzer("en").stopwords
    return {
        w: stem(w)
        for w in sorted(set(words))
        if w and w not in stop and not w[0].isdigit() and not unchanged(w) and "\t" not in w
    }


def render_stems(stems: dict[str, str]) -> str:
    """The text of ``stems_en.tsv``."""
    lines = [
        "# nltk's English Snowball stems (word<TAB>stem; empty: the word itself), written by",
        "# python -m searchlib.analysis.derived; a cache of nltk's answers, see analysis/stems.py",
    ]
    lines.extend(f"{w}\t{'' if s == w else s}" for w, s in sorted(stems.items()))
    return "\n".join(lines) + "\n"


def build_lexicon_tables(texts: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The lookup tables of a lexicon made of ``texts`` (both directions) and its
    one-language words for language detection, as JSON data."""
    from searchlib.analysis.languages import lexicon_words
    from searchlib.analysis.lexicon import Lexicon, parse_lexicon

    lexicon = Lexicon(pair for name, text in texts for pair in parse_lexicon(text, name))
    out: dict[str, Any] = {"digest": lexicon_digest(texts)}
    for src in ("en", "es"):
        exact, stemmed, longest = lexicon.build_table(src)
        out[src] = {"exact": exact, "stemmed": stemmed, "longest": longest}
    en_words, es_words = lexicon_words([text for _, text in texts])
    out["detect"] = {"en": sorted(en_words), "es": sorted(es_words)}
    return out


def render_json(data: dict[str, Any]) -> str:
    """Stable JSON text: one table entry per line, so a diff shows what changed."""
    parts = ["{", f' "digest": {json.dumps(data["digest"])},']
    for src in ("en", "es"):
        table = data[src]
        parts.append(f' "{src}": {{')
        for name in ("exact", "stemmed"):
            rows = ",\n".join(
                f"   {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
                for k, v in table[name].items()
            )
            parts.append(f'  "{name}": {{\n{rows}\n  }},')
        parts.append(f'  "longest": {table["longest"]}')
        parts.append(" },")
    detect = json.dumps(data["detect"], ensure_ascii=False, sort_keys=True)
    parts.append(f' "detect": {detect}')
    parts.append("}")
    return "\n".join(parts) + "\n"


def fresh_stems_text(extra_words: Iterable[str] = ()) -> str:
    """What ``stems_en.tsv`` should hold: the words it holds now, the shipped vocabulary and
    ``extra_words``, each stemmed afresh."""
    words = set(shipped_stems_words()) | vocabulary_words() | set(extra_words)
    return render_stems(build_stems(words))


def shipped_stems_words() -> list[str]:
    """The words of the shipped stems table, read from the file (not the cached table)."""
    path = resources.files("searchlib.analysis").joinpath(f"data/{STEMS_FILE}")
    try:
        return list(parse_stems(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return []


def fresh_lexicon_text() -> str:
    """What ``lexicon_tables.json`` should hold, built afresh from the shipped lexicon."""
    return render_json(build_lexicon_tables(shipped_lexicon_texts()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m searchlib.analysis.derived",
        description="Write the derived tables of searchlib/analysis/data (stems_en.tsv, "
        "lexicon_tables.json), or check them with --check.",
    )
    parser.add_argument(
        "--corpus",
        nargs="*",
        default=[],
        help="JSONL files whose frequent English words join the stems table",
    )
    parser.add_argument("--min-count", type=int, default=DEFAULT_MIN_COUNT)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a shipped table differs from a build"
    )
    args = parser.parse_args(argv)
    extra = corpus_words(args.corpus, args.min_count) if args.corpus else set()
    stale = []
    # the stems first: the lexicon's stemmed keys are made by the analyzer, which reads them
    builds: list[tuple[str, Callable[[], str]]] = [
        (STEMS_FILE, lambda: fresh_stems_text(extra)),
        (LEXICON_TABLES_FILE, fresh_lexicon_text),
    ]
    for name, build in builds:
        text = build()
        path = data_dir() / name
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        stale.append(name)
        print(f"{'stale' if args.check else 'wrote'} {path}", file=sys.stderr)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            forget_shipped_stems()
            forget_shipped_tables()
            get_analyzer.cache_clear()
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
