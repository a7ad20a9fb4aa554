"""Did-you-mean: a corrected query when a query word is unknown to the index.

:func:`suggest` looks at the plain words of a query (operators ``AND``/``OR``/``NOT``/``TO``,
field names, values of column fields such as ``lang:``, prefix/wildcard/fuzzy words and numbers
are left alone). A word is *unknown* when its analysed term has document frequency 0 in every
text field (title, body, teaser) of every language searched; stop words count as known.

For an unknown word, in each language:

1. **Candidates** are the index terms (stems) of that language's fields that start with the
   same letter as the word's normalised form (lowercase, accents folded) and come within the
   edit limit (1 for words of 3-4 letters, 2 from 5 letters; shorter words are never corrected)
   of the normalised word, of its stem, or of the word's prefix as long as the term (terms at
   least 2/5 as long as the word): a stem can be much shorter than its words (``errad`` for
   ``erradicación``), so a misspelt suffix is judged on the surface word in step 2, not here.
2. **Surface words.** A stem is not a word to show, so each candidate is mapped back to the
   words the index saw: the stored text of a few documents holding the term is tokenized and
   the words whose term equals the stem are kept (cached per segment; the first segment with a
   sample is enough). The candidate's distance
   is the edit distance between the normalised query word and the nearest of those words.
3. **Ranking**: (distance, -document frequency, word); the best word within the limit replaces
   the query word, its case following the query word's (``Humla`` -> ``Humala``, ``humla`` ->
   ``humala``) and its accents kept as written in the documents (``erradicasion`` ->
   ``erradicación``).

The work only happens for unknown words; term lists are cached by the segments themselves and
surface words per segment here.
"""

from __future__ import annotations

import re
import weakref
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

from searchlib.analysis import fold_accents, get_analyzer
from searchlib.analysis.analyzers import Analyzer
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.index import IndexReader, SegmentReader
from searchlib.index.documents import TEXT_FIELDS, field_name
from searchlib.search.execute import COLUMN_FIELDS, levenshtein

__all__ = ["MAX_CANDIDATES", "SAMPLE_DOCS", "suggest"]

MAX_CANDIDATES = 24
"""Most candidate stems per word and language whose surface words are looked up."""

SAMPLE_DOCS = 5
"""Documents read per candidate stem to find its surface words."""

_OPERATORS = frozenset({"AND", "OR", "NOT", "TO"})
_FIELD_BEFORE = re.compile(r"(\w+):$")
_NO_VALUE_FIELDS = frozenset(COLUMN_FIELDS) | {"id", "date"}

_surfaces: weakref.WeakKeyDictionary[SegmentReader, dict[tuple[str, str], Counter[str]]] = (
    weakref.WeakKeyDictionary()
)


def _limit(norm: str) -> int:
    if len(norm) < 3:
        return 0
    return 1 if len(norm) <= 4 else 2


def _is_known(reader: IndexReader, word: str, langs: Sequence[str]) -> bool:
    for lang in langs:
        term = get_analyzer(lang).term(word)
        if not term:
            return True  # a stop word
        if any(reader.doc_freq(field_name(f, lang), term) for f in TEXT_FIELDS):
            return True
    return False


def _field_text(doc: dict[str, object], field: str) -> str:
    value = doc.get(field)
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def _surface_words(seg: SegmentReader, lang: str, field: str, term: str) -> Counter[str]:
    """Words of ``field`` (in ``lang``) whose term is ``term``, from a few documents (cached)."""
    cache = _surfaces.setdefault(seg, {})
    fname = field_name(field, lang)
    found = cache.get((fname, term))
    if found is None:
        found = Counter()
        postings = seg.postings(fname, term)
        if postings is not None:
            analyzer = get_analyzer(lang)
            for docnum in postings[0][:SAMPLE_DOCS].tolist():
                text = _field_text(seg.stored(int(docnum)), field)
                found.update(
                    w
                    for w in TOKEN_RE.findall(text)
                    if fold_accents(w[:1]).lower() == term[:1] and analyzer.term(w) == term
                )
        cache[(fname, term)] = found
    return found


def _candidate_terms(
    reader: IndexReader, analyzer: Analyzer, norm: str, stem: str, limit: int
) -> list[tuple[int, int, str]]:
    """(rough distance, -df, term) of the terms near ``norm``: best first (rough distance, then
    length difference, then document frequency), at most :data:`MAX_CANDIDATES`."""
    first, after = norm[0], chr(ord(norm[0]) + 1)
    near: dict[str, int] = {}
    seen: set[str] = set()
    shortest = max(3, 2 * len(norm) // 5)
    for seg in reader.segments:
        for f in TEXT_FIELDS:
            terms = seg.terms(field_name(f, analyzer.lang))
            bucket = set(terms[bisect_left(terms, first) : bisect_left(terms, after)])
            for t in bucket - seen:
                if shortest <= len(t) <= len(norm) + limit:
                    d = levenshtein(norm, t, limit)
                    if d > limit:
                        d = min(levenshtein(stem, t, limit), levenshtein(norm[: len(t)], t, limit))
                    if d <= limit:
                        near[t] = d
            seen |= bucket
    ranked = []
    for t, d in near.items():
        df = sum(reader.doc_freq(field_name(f, analyzer.lang), t) for f in TEXT_FIELDS)
        ranked.append((d, abs(len(norm) - len(t)), -df, t))
    ranked.sort()
    return [(d, neg_df, t) for d, _, neg_df, t in ranked[:MAX_CANDIDATES]]


def _best_word(reader: IndexReader, word: str, langs: Sequence[str]) -> str | None:
    """The known word closest to the unknown ``word``, as written in the documents, or None."""
    best: tuple[int, int, str] | None = None
    for lang in langs:
        analyzer = get_analyzer(lang)
        norm = analyzer.normalize(word)
        limit = _limit(norm)
        if not limit or not norm.isalpha():
            continue
        stem = analyzer.term(word) or norm
        for _, neg_df, term in _candidate_terms(reader, analyzer, norm, stem, limit):
            surfaces: Counter[str] = Counter()
            for seg in reader.segments:
                for f in TEXT_FIELDS:
                    surfaces.update(_surface_words(seg, lang, f, term))
                if surfaces:
                    break  # one segment's sample is enough
            scored = sorted(
                (levenshtein(norm, analyzer.normalize(s), limit), -n, s.lower())
                for s, n in surfaces.items()
            )
            if not scored or scored[0][0] > limit or scored[0][0] == 0:
                continue
            key = (scored[0][0], neg_df, scored[0][2])
            if best is None or key < best:
                best = key
    return None if best is None else best[2]


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _plain_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words of a query that name content (see the module docstring)."""
    out = []
    for m in TOKEN_RE.finditer(text):
        word, start, end = m.group(), m.start(), m.end()
        if word in _OPERATORS or not any(c.isalpha() for c in word):
            continue
        if text[end : end + 1] in (":", "*", "?", "~") or text[start - 1 : start] in ("*", "?"):
            continue
        field = _FIELD_BEFORE.search(text[:start])
        if field is not None and field.group(1).lower() in _NO_VALUE_FIELDS:
            continue
        out.append((start, end, word))
    return out


def suggest(reader: IndexReader, text: str, langs: Sequence[str]) -> str | None:
    """``text`` with each unknown word replaced by the closest known word, or None.

    None when every word is known (or is not a plain word) or no unknown word has a close
    known word. Words are compared in each language of ``langs`` ("en", "es").
    """
    parts: list[str] = []
    pos = 0
    changed = False
    for start, end, word in _plain_words(text):
        if _is_known(reader, word, langs):
            continue
        better = _best_word(reader, word, langs)
        if better is None:
            continue
        parts.append(text[pos:start])
        parts.append(_match_case(word, better))
        pos = end
        changed = True
    if not changed:
        return None
    parts.append(text[pos:])
    return "".join(parts)
