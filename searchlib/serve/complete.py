"""Completions for a search box: the words of the index's titles that start with what is typed.

Each segment's titles (read from the columns, no stored field decompressed) are counted once,
when a snapshot first needs them, and kept with the segment (a segment never changes, and the
next commit's snapshot shares it), so a commit costs only its new segments. A word is compared
folded (lowercase, accents folded, ``ñ`` kept: ``narcotrafi`` and ``narcotráfi`` find
``narcotráfico``), shown as the titles most often write it (lowercase; an acronym of a
mixed-case title as written, ``FARC``; a title all in capitals is read as lowercase), and
ranked by the number of titles holding it, deleted documents included. Stop words of either
language, numbers and words under :data:`MIN_WORD` letters are left out.

>>> c = Completions.from_titles(["Narcotráfico en Perú", "El narcotráfico y la FARC", "NARCOS"])
>>> c.complete("lucha contra narcotrafi", 5)
['lucha contra narcotráfico']
>>> c.complete("narc", 5), c.complete("far", 5)
(['narcotráfico', 'narcos'], ['FARC'])
"""

from __future__ import annotations

import bisect
import functools
import heapq
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence

from searchlib.analysis.stopwords import load_stopwords
from searchlib.analysis.tokenizer import TOKEN_RE, normalize_surface
from searchlib.seam import IndexSource, SegmentSource

__all__ = ["MAX_PREFIX", "MIN_WORD", "Completions", "TitleWords"]

MIN_WORD = 3
"""Shortest word offered as a completion."""

MAX_PREFIX = 40
"""Longest last word completed (a longer one is no prefix of a word of a title)."""


@functools.cache
def _stop_words() -> frozenset[str]:
    return load_stopwords("en") | load_stopwords("es")


def _title_words(title: str) -> set[str]:
    """The distinct words of a title as shown (lowercase unless an acronym of a mixed-case
    title)."""
    words = TOKEN_RE.findall(title)
    if title.isupper():
        return {w.lower() for w in words}
    return {w if len(w) > 1 and w.isupper() else w.lower() for w in words}


class TitleWords:
    """The title words of some documents: folded forms sorted, with their counts and the form
    shown."""

    def __init__(self, titles: Iterable[str]) -> None:
        counts: Counter[str] = Counter()
        for title in titles:
            counts.update(_title_words(title))
        stop = _stop_words()
        best: dict[str, tuple[int, str]] = {}  # folded -> (titles, shown form)
        totals: Counter[str] = Counter()
        for shown, n in counts.items():
            key = normalize_surface(shown)
            if len(key) < MIN_WORD or key in stop or key.isdigit():
                continue
            totals[key] += n
            if key not in best or (n, shown) > best[key]:
                best[key] = (n, shown)
        self.keys = sorted(totals)
        self.counts = [totals[k] for k in self.keys]
        self.shown = [best[k][1] for k in self.keys]

    def prefixed(self, key: str) -> range:
        """Positions of the folded words starting with ``key``."""
        lo = bisect.bisect_left(self.keys, key)
        return range(lo, bisect.bisect_left(self.keys, key + "\U0010ffff", lo))


_SEGMENT_WORDS: weakref.WeakKeyDictionary[SegmentSource, TitleWords] = weakref.WeakKeyDictionary()


def segment_words(seg: SegmentSource) -> TitleWords:
    """The title words of every document of ``seg`` (kept as long as the segment)."""
    found = _SEGMENT_WORDS.get(seg)
    if found is None:
        found = _SEGMENT_WORDS[seg] = TitleWords(seg.title(d) for d in range(seg.ndocs))
    return found


class Completions:
    """The title words of a snapshot's segments (see the module docstring)."""

    def __init__(self, parts: Sequence[TitleWords]) -> None:
        self.parts = list(parts)

    @classmethod
    def from_titles(cls, titles: Iterable[str]) -> Completions:
        return cls([TitleWords(titles)])

    @classmethod
    def build(cls, reader: IndexSource) -> Completions:
        """The completions of ``reader``'s segments (each counted once, then kept)."""
        return cls([segment_words(seg) for seg in reader.segments])

    def words(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` words starting with ``prefix`` (folded), most frequent first."""
        key = normalize_surface(prefix)
        if not key or len(key) > MAX_PREFIX or limit <= 0:
            return []
        totals: Counter[str] = Counter()
        shown: dict[str, tuple[int, str]] = {}
        for part in self.parts:
            for i in part.prefixed(key):
                word, n = part.keys[i], part.counts[i]
                totals[word] += n
                if word not in shown or n > shown[word][0]:
                    shown[word] = (n, part.shown[i])
        best = heapq.nsmallest(limit, totals, key=lambda w: (-totals[w], w))
        return [shown[w][1] for w in best]

    def complete(self, query: str, limit: int) -> list[str]:
        """``query`` with its last word completed, up to ``limit`` ways (none when it ends in
        a space or its last word is no word)."""
        if not query or query[-1].isspace():
            return []
        last = None
        for m in TOKEN_RE.finditer(query):
            last = m
        if last is None or last.end() != len(query):
            return []
        head = query[: last.start()]
        return [head + word for word in self.words(last.group(), limit)]
