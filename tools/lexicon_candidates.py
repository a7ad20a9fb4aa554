"""The most frequent words of a corpus that the lexicon does not translate (issue 19).

Lists, for one language of a JSONL corpus (``id, lang, title, body`` records, as in
``../shared/corpora``), the stems held by the most documents that no lexicon entry translates
(any of their surface forms looked up), with their number of documents and most frequent
forms: the candidates a person then translates by hand into ``searchlib/analysis/data``
(``lexicon_news.tsv`` came from the Spanish news corpus and the English InSight Crime articles
this way). Capitalised words (names), numbers and words under 3 letters are left out. Never
run it on evaluation questions: the lexicon must not be fitted to a test set::

    PYTHONPATH=$PWD python3 tools/lexicon_candidates.py es \
        ../shared/corpora/fakenews-es/docs.jsonl -n 300
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from searchlib.analysis import get_analyzer, load_lexicon
from searchlib.analysis.tokenizer import TOKEN_RE


def candidates(path: Path, lang: str, n: int) -> list[tuple[str, int, list[str]]]:
    """(stem, documents holding it, its three most frequent forms) for the ``n`` stems of
    ``lang`` held by the most documents of ``path`` that the lexicon does not translate."""
    lexicon = load_lexicon()
    analyzer = get_analyzer(lang)
    df: Counter[str] = Counter()
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            doc = json.loads(line)
            if doc.get("lang") != lang:
                continue
            body = doc.get("body", "")
            text = f"{doc.get('title', '')} {body if isinstance(body, str) else ' '.join(body)}"
            seen = set()
            for word in TOKEN_RE.findall(text):
                if word[:1].isupper() or any(c.isdigit() for c in word) or len(word) < 3:
                    continue
                term = analyzer.term(word)
                if term:
                    forms[term][word.lower()] += 1
                    seen.add(term)
            df.update(seen)
    out = []
    for term, count in df.most_common():
        if any(lexicon.lookup(form, lang) for form in forms[term]):
            continue
        out.append((term, count, [f for f, _ in forms[term].most_common(3)]))
        if len(out) >= n:
            break
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lang", choices=("en", "es"))
    ap.add_argument("corpus", type=Path, help="a JSONL file of records")
    ap.add_argument("-n", type=int, default=300, help="how many stems to list")
    args = ap.parse_args(argv)
    for term, count, forms in candidates(args.corpus, args.lang, args.n):
        print(f"{count}\t{term}\t{','.join(forms)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
