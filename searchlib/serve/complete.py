"""Completions for a search box: the words of the index's titles that start with what is typed.

:class:`Completions` is built once per snapshot from the titles of its live documents (read
from the columns, no stored field is decompressed): each word of a title, compared folded
(lowercase, accents folded, ``ñ`` kept: ``narcotrafi`` and ``narcotráfi`` find
``narcotráfico``), shown as the titles most often write it (lowercase, an acronym as
``FARC``), ranked by the number of titles holding it. Stop words of either language and words
under :data:`MIN_WORD` letters are left out.

>>> c = Completions.from_titles(["Narcotráfico en Perú", "El narcotráfico y la coca", "Narcos"])
>>> c.complete("lucha contra narcotrafi", 5)
['lucha contra narcotráfico']
>>> c.complete("narc", 5)
['narcotráfico', 'narcos']
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Iterable

from searchlib.analysis.stopwords import load_stopwords
from searchlib.analysis.tokenizer import TOKEN_RE, normalize_surface
from searchlib.seam import IndexSource

__all__ = ["MAX_PREFIX", "MIN_WORD", "Completions"]

MIN_WORD = 3
"""Shortest word offered as a completion."""

MAX_PREFIX = 40
"""Longest last word completed (a longer one is no prefix of a word of a title)."""


def _shown(word: str) -> str:
    return word if len(word) > 1 and word.isupper() else word.lower()


class Completions:
    """The words of a snapshot's titles, by folded form (see the module docstring)."""

    def __init__(self, counts: Counter[str]) -> None:
        stop = load_stopwords("en") | load_stopwords("es")
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

    @classmethod
    def from_titles(cls, titles: Iterable[str]) -> Completions:
        counts: Counter[str] = Counter()
        for title in titles:
            counts.update({_shown(w) for w in TOKEN_RE.findall(title)})
        return cls(counts)

    @classmethod
    def build(cls, reader: IndexSource) -> Completions:
        """The completions of the live documents' titles of ``reader``."""

        def titles() -> Iterable[str]:
            for seg in reader.segments:
                live = seg.live
                for d in range(seg.ndocs):
                    if live is None or live[d]:
                        yield seg.title(d)

        return cls.from_titles(titles())

    def __len__(self) -> int:
        return len(self.keys)

    def words(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` words starting with ``prefix`` (folded), most frequent first."""
        key = normalize_surface(prefix)
        if not key or len(key) > MAX_PREFIX or limit <= 0:
            return []
        lo = bisect.bisect_left(self.keys, key)
        hi = bisect.bisect_left(self.keys, key + "\U0010ffff")
        best = heapq.nsmallest(limit, range(lo, hi), key=lambda i: (-self.counts[i], self.keys[i]))
        return [self.shown[i] for i in best]

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
