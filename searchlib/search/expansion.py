"""Multi-term leaves (prefix, wildcard, fuzzy): the words they expand over, and how they match.

A :class:`Vocabulary` holds the sorted distinct words of one language and field set over every
segment of a snapshot, with the terms they stand for; :func:`word_matcher` matches a leaf over a
sorted word list (binary search on its literal head first); edit distances are vectorised with
numpy (:func:`edit_distances`).
"""

from __future__ import annotations

import fnmatch
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from searchlib.index.documents import field_name
from searchlib.seam import IndexSource
from searchlib.search.query import Fuzzy, Prefix, Wildcard

__all__ = [
    "Vocabulary",
    "WordMatcher",
    "describe_leaf",
    "edit_distances",
    "leaf_key",
    "levenshtein",
    "word_matcher",
    "word_range",
]


def leaf_key(node: Prefix | Wildcard | Fuzzy, normalize: Callable[[str], str]) -> tuple[Any, ...]:
    """(kind, normalized text, literal head[, max distance]) of a multi-term leaf."""
    if isinstance(node, Prefix):
        prefix = normalize(node.text)
        return ("prefix", prefix, prefix)
    if isinstance(node, Wildcard):
        pattern = normalize(node.pattern)
        return ("wild", pattern, re.split(r"[*?]", pattern, maxsplit=1)[0])
    word = normalize(node.text)
    return ("fuzzy", word, word[: node.prefixlength], min(node.maxdist, 2))


def describe_leaf(node: Prefix | Wildcard | Fuzzy) -> str:
    field = f"{node.field}:" if node.field else ""
    if isinstance(node, Prefix):
        return f"{field}{node.text}*"
    if isinstance(node, Wildcard):
        return f"{field}{node.pattern}"
    return f"{field}{node.text}~{node.maxdist}"


class Vocabulary:
    """The sorted distinct words a multi-term leaf can match in one language and field set,
    over every segment of a snapshot, with the terms they stand for and (computed when first
    needed) each term's postings count, to keep the most frequent expansions.

    Matching runs over this one list instead of each segment's lists; wildcards run as one
    regular expression over the words joined by newlines, fuzzy terms as a vectorised edit
    distance.
    """

    def __init__(self, reader: IndexSource, lang: str, fields: tuple[str, ...]) -> None:
        # The segments, not the snapshot: the snapshot's cache holds this vocabulary, and a
        # reference back to the snapshot (its weak key) would keep both alive for ever
        # (22 MB a commit in a server that reopens).
        self.segments = reader.segments
        self.fieldnames = [field_name(f, lang) for f in fields]
        self.stem_of: dict[str, str] = {}
        own: set[str] = set()
        for seg in reader.segments:
            words, terms = seg.words(lang)
            self.stem_of.update(zip(words, terms, strict=True))
            for fname in self.fieldnames:
                own.update(seg.terms(fname))
        self.own = own  # strings that are terms of the fields themselves
        self.words = sorted(own.union(self.stem_of))
        self._df: dict[str, int] | None = None
        self.expansions: dict[tuple[Any, ...], tuple[list[str], int]] = {}
        self._blob: str | None = None
        self._codes: np.ndarray | None = None
        self._lengths = self._starts = np.zeros(0, np.int64)

    def terms(self, words: Iterable[str]) -> set[str]:
        """The terms ``words`` stand for: their stems, and themselves when they are terms."""
        words = list(words)
        out: set[str] = set(map(self.stem_of.get, words))  # type: ignore[arg-type]
        out.discard(None)
        out.update(self.own.intersection(words))
        return out

    def df(self, term: str) -> int:
        """Postings of ``term`` over the fields and segments (counted for every term at the
        first call: one pass over the postings offsets, not a lookup per term and segment)."""
        if self._df is None:
            df: dict[str, int] = {}
            get = df.get
            for seg in self.segments:
                for fname in self.fieldnames:
                    terms = seg.terms(fname)
                    if terms:
                        counts = np.diff(seg.field_arrays(fname)["start"]).tolist()
                        for t, n in zip(terms, counts, strict=False):
                            df[t] = get(t, 0) + n
            self._df = df
        return self._df.get(term, 0)

    def df_key(self, term: str) -> tuple[int, str]:
        """Sort key of the most frequent terms first (ties: the term, for a stable choice)."""
        return self.df(term), term

    def head_range(self, head: str) -> tuple[int, int]:
        """Indexes of the words starting with ``head``."""
        r = word_range(self.words, head)
        return r.start, r.stop

    def _joined(self) -> str:
        """The words joined by newlines (built once), with each word's start and length."""
        if self._blob is None:
            self._blob = "\n".join(self.words)
            self._lengths = np.fromiter(map(len, self.words), np.int64, len(self.words))
            self._starts = np.concatenate(([0], np.cumsum(self._lengths + 1)))
        return self._blob

    def wildcard(self, pattern: str, lo: int, hi: int) -> list[str]:
        """The words in ``lo:hi`` that ``pattern`` (``*`` and ``?``) matches whole."""
        blob = self._joined()
        body = "".join(
            "[^\n]*" if c == "*" else "[^\n]" if c == "?" else re.escape(c) for c in pattern
        )
        rx = re.compile(f"^{body}$", re.MULTILINE)
        found: list[str] = rx.findall(blob, int(self._starts[lo]), int(self._starts[hi]))
        return found

    def fuzzy(self, word: str, lo: int, hi: int, dist: int) -> list[str]:
        """The words in ``lo:hi`` within edit distance ``dist`` of ``word``."""
        if self._codes is None:
            self._codes = np.frombuffer(self._joined().encode("utf-32-le"), dtype=np.uint32)
        near = np.abs(self._lengths[lo:hi] - len(word)) <= dist
        cands = lo + np.flatnonzero(near)
        if not cands.size:
            return []
        lengths = self._lengths[cands]
        cols = np.arange(int(lengths.max()))
        inside = cols < lengths[:, None]
        at = np.where(inside, self._starts[cands][:, None] + cols, 0)
        codes = np.where(inside, self._codes[at], 0)
        d = _distances(word, codes, lengths)
        return [self.words[i] for i in cands[d <= dist].tolist()]


def edit_distances(word: str, others: Sequence[str]) -> np.ndarray:
    """Levenshtein distance of ``word`` to each of ``others``, vectorised over them.

    The dynamic programme runs one row (one character of ``word``) at a time over all the
    candidates at once; within a row, insertions are a running minimum (``cur[j] = j +
    min_k<=j (tmp[k] - k)``), so a row is a few whole-array operations.
    """
    m = max(map(len, others))
    lengths = np.fromiter(map(len, others), dtype=np.intp, count=len(others))
    padded = "".join(o.ljust(m, "\0") for o in others)
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).reshape(len(others), m)
    return _distances(word, codes, lengths)


def _distances(word: str, codes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """:func:`edit_distances` over words given as a matrix of code points (one word a row,
    padded with zeros) and their lengths."""
    n, m = codes.shape
    cols = np.arange(m + 1, dtype=np.int32)
    prev = np.broadcast_to(cols, (n, m + 1)).copy()
    for i, ch in enumerate(word, 1):
        tmp = np.empty_like(prev)
        tmp[:, 0] = i
        np.minimum(prev[:, 1:] + 1, prev[:, :-1] + (codes != ord(ch)), out=tmp[:, 1:])
        prev = np.minimum.accumulate(tmp - cols, axis=1) + cols
    out: np.ndarray = prev[np.arange(n), lengths]
    return out


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance of ``a`` and ``b``, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        best = i
        for j, cb in enumerate(b, 1):
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            cur.append(v)
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def word_range(words: list[str], head: str) -> range:
    """Indexes of the sorted ``words`` starting with ``head``."""
    if not head:
        return range(len(words))
    return range(bisect_left(words, head), bisect_left(words, head + "\U0010ffff"))


WordMatcher = Callable[[list[str]], Iterable[int]]
"""Given a sorted word list, the indexes of the words a multi-term leaf accepts."""


def word_matcher(node: Prefix | Wildcard | Fuzzy, normalize: Callable[[str], str]) -> WordMatcher:
    """A matcher over sorted (normalized, unstemmed) words for a multi-term leaf.

    Every matcher narrows the list by binary search on the leaf's literal head first.
    """
    if isinstance(node, Prefix):
        prefix = normalize(node.text)
        return lambda words: word_range(words, prefix)
    if isinstance(node, Wildcard):
        pattern = normalize(node.pattern)
        head = re.split(r"[*?]", pattern, maxsplit=1)[0]
        rx = re.compile(fnmatch.translate(pattern))
        return lambda words: (i for i in word_range(words, head) if rx.match(words[i]))
    word = normalize(node.text)
    head = word[: node.prefixlength]
    dist = min(node.maxdist, 2)

    lo, hi = len(word) - dist, len(word) + dist

    def fuzzy(words: list[str]) -> Iterable[int]:
        for i in word_range(words, head):
            w = words[i]
            if lo <= len(w) <= hi and levenshtein(word, w, dist) <= dist:
                yield i

    return fuzzy
