"""Per-language analysis chains (English, Spanish), the Token type and the analyzer registry.

English: possessive removal ('s, ’s) -> lowercase -> accent folding (keeps ñ) -> stop words
-> Snowball English (nltk).
Spanish: lowercase -> accent folding that keeps ñ -> stop words -> Snowball Spanish (nltk),
after an override table and plural rules for known over-stemming
(:mod:`searchlib.analysis.spanish`).

Both chains share the tokenizer and the surface normalisation of
:mod:`searchlib.analysis.tokenizer` (acronym dots, number separators, apostrophes). Terms are
cached per surface word in a dict, so the stemmer runs once per distinct word.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import cache
from itertools import compress, repeat
from operator import is_, itemgetter

import attrs
import numpy as np

from searchlib.analysis.chunks import ChunkTable, Expanded
from searchlib.analysis.spanish import spanish_stem_input, spanish_stem_inputs
from searchlib.analysis.stems import LazyStemmer
from searchlib.analysis.stopwords import load_stopwords
from searchlib.analysis.tokenizer import TOKEN_RE, normalize_surface
from searchlib.errors import AnalysisError

__all__ = ["Analyzer", "Token", "get_analyzer", "text_slices"]

_STEMMER_NAMES = {"en": "english", "es": "spanish"}
_ASCII_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)+")
_ASCII_THOUSANDS = re.compile(r"(?!0[.,])[0-9]{1,3}(?:[.,][0-9]{3})+").fullmatch


def _ascii_number_norm(number: str) -> str:
    """:func:`~searchlib.analysis.tokenizer.normalize_number` of an ASCII number with
    separators (``_ASCII_NUMBER``): one regular expression tells thousands separators (a head
    of one to three digits, not ``0``, then groups of three), which vanish; otherwise the
    last separator is the decimal point."""
    if _ASCII_THOUSANDS(number):
        return number.replace(",", "").replace(".", "")
    head, _, last = number.replace(",", ".").rpartition(".")
    return head.replace(".", "") + "." + last


_MAX_CHUNK_CACHE = 2_000_000
_MAX_WORD_CACHE = 2_000_000
_SCAN_CHARS = 1_000_000
# Bytes of memory per cache entry (measured with tracemalloc on the news corpus: 26 MB for the
# English caches of 74,000 words, 20 MB for the Spanish of 46,000).
_WORD_BYTES = 150  # a cached surface word: its dict slot, the key, the (term, normalized) pair
_STEM_BYTES = 60  # a cached stem
_CHUNK_BYTES = 100  # a chunk of the table: its keys, counts, hash slot and term entries
_TERM_BYTES = 80  # a term of the table (string, id)
_PAIR_BYTES = 100  # a (normalized word, term) pair of the table


@attrs.frozen(slots=True)
class Token:
    """One analysed word: ``text[start:end]`` of the source is the word as written."""

    term: str
    position: int
    start: int
    end: int


class Analyzer:
    """The analysis chain of one language ("en" or "es").

    Words are cached (surface word -> term and normalized form) and the stemmer runs once per
    distinct normalized word. The indexing path (:meth:`analyse_batch`) analyses many texts at
    once through a :class:`ChunkTable`: each distinct chunk of text is analysed once, and
    finding known chunks and expanding them to terms are numpy operations.
    """

    def __init__(self, lang: str, stopwords: frozenset[str] | None = None) -> None:
        if lang not in _STEMMER_NAMES:
            raise AnalysisError(
                f"unknown language {lang!r}; expected one of {sorted(_STEMMER_NAMES)}"
            )
        self.lang = lang
        self.stopwords: frozenset[str] = (
            load_stopwords(lang)
            if stopwords is None
            else frozenset(normalize_surface(w) for w in stopwords)
        )
        self._stem = LazyStemmer(lang, _STEMMER_NAMES[lang])  # nltk loads when needed
        self._spanish = lang == "es"
        self._possessive = lang == "en"
        self._cache: dict[str, tuple[str, str]] = {}  # surface word -> (term, normalized)
        self._stems: dict[str, str] = {}  # stemmer input -> its stem
        self._table = ChunkTable(lang)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"Analyzer({self.lang!r})"

    def normalize(self, word: str) -> str:
        """The word as the index sees it before stop words and stemming.

        Lowercase, ASCII apostrophes, acronym dots dropped, numbers canonical, accents folded
        (ñ kept); English also drops a trailing possessive. No stemming; idempotent. Used for
        prefix, wildcard and fuzzy terms and for the unstemmed (exact/phrase) form.
        """
        entry = self._cache.get(word)
        return entry[1] if entry else self._normalize(word)  # never runs the stemmer

    def _normalize(self, word: str) -> str:
        norm = normalize_surface(word)
        if self._possessive:
            while norm.endswith("'s") and len(norm) > 2:
                norm = norm[:-2]
        return norm

    def term(self, word: str) -> str:
        """The index term of one surface word, or "" when it is a stop word."""
        entry = self._cache.get(word)
        return (entry or self._analyse(word))[0]

    def _analyse(self, word: str) -> tuple[str, str]:
        """(term, normalized word) of ``word``, cached; the term is "" for a stop word."""
        if word.isascii() and word.isalpha() and word.islower():
            norm = word  # most words: nothing to normalize (same as _normalize, faster)
        else:
            norm = self._normalize(word)
        if not norm or norm in self.stopwords:
            term = ""
        elif norm[0].isdigit() and ("." in norm or norm.isdigit()):
            term = norm  # numbers are not stemmed
        else:  # the stemmer runs once per distinct normalized word ("Police" = "police")
            stem_input = spanish_stem_input(norm) if self._spanish else norm
            term = self._stems.get(stem_input) or self._stems.setdefault(
                stem_input, self._stem(stem_input)
            )
        if len(self._cache) >= _MAX_WORD_CACHE:
            self._cache.clear()
            self._stems.clear()
        entry = self._cache[word] = (term, norm)
        return entry

    def _analyse_many(self, words: list[str]) -> list[tuple[str, str]]:
        """``[self._analyse(w) for w in words]`` for distinct ``words`` not in the cache, a
        list at a time: the same entries (and cached the same way), with one Python step per
        word where :meth:`_analyse` takes several calls. Most words need no normalisation
        (lowercase ASCII letters or digits); the stemmer runs on each distinct stem input not
        stemmed yet, once."""
        if len(self._cache) + len(words) > _MAX_WORD_CACHE:
            self._cache.clear()
            self._stems.clear()
        normalize = self._normalize
        number = _ASCII_NUMBER.fullmatch
        # Lowercase ASCII letters and digits: _normalize returns the word itself; an ASCII
        # number with separators: its canonical form (what normalize_surface returns).
        norms = [
            w
            if w.isascii() and w.isalnum() and (w.islower() or w.isdigit())
            else _ascii_number_norm(w)
            if number(w)
            else normalize(w)
            for w in words
        ]
        stop = self.stopwords
        stems = self._stems
        # What goes to the stemmer: every norm that is neither empty, a stop word nor a
        # number (numbers are their own term); "" marks the others.
        inputs = [
            "" if not n or n in stop or (n[0].isdigit() and ("." in n or n.isdigit())) else n
            for n in norms
        ]
        if self._spanish:
            inputs = spanish_stem_inputs(inputs)
        todo = [n for n in dict.fromkeys(inputs) if n and n not in stems]
        if todo:
            stems.update(zip(todo, self._stem.many(todo), strict=True))
        # Each word's term: its stem input's stem; the words without one (numbers, stop words,
        # empty norms) fixed one at a time: a number is its own term, the others have none.
        terms = list(map(stems.get, inputs))  # ("" is never a stem input: None)
        for i in compress(range(len(terms)), map(is_, terms, repeat(None))):
            n = norms[i]
            terms[i] = n if n and n not in stop else ""
        entries: list[tuple[str, str]] = list(zip(terms, norms, strict=True))  # type: ignore[arg-type]
        self._cache.update(zip(words, entries, strict=True))
        return entries

    def table(self) -> ChunkTable:
        """The chunk table new texts are analysed into (a fresh one once the current one holds
        more than a cap of chunks; tables in use elsewhere stay valid)."""
        with self._lock:
            if len(self._table) > _MAX_CHUNK_CACHE:
                self._table = ChunkTable(self.lang)
            return self._table

    def cache_bytes(self) -> int:
        """An estimate of the memory the caches (words, stems, chunk table) take."""
        t = self._table
        return (
            len(self._cache) * _WORD_BYTES
            + len(self._stems) * _STEM_BYTES
            + len(t) * _CHUNK_BYTES
            + len(t.terms) * _TERM_BYTES
            + len(t.words) * _PAIR_BYTES
        )

    def trim(self, max_bytes: int) -> bool:
        """Empty the caches when they take more than ``max_bytes`` (:meth:`cache_bytes`); they
        fill again as words are analysed. Terms do not change; tables in use elsewhere stay
        valid. Returns whether they were emptied. The indexing budget calls this after each
        flush (:mod:`searchlib.index.budget`)."""
        with self._lock:
            if self.cache_bytes() <= max_bytes:
                return False
            self._cache = {}
            self._stems = {}
            self._table = ChunkTable(self.lang)
            return True

    def analyse_batch(self, texts: list[str]) -> tuple[ChunkTable, Expanded]:
        """The indexing path in one call: ``texts`` analysed into the current chunk table and
        expanded to terms and positions (:meth:`chunk_ids_batch`, :meth:`ChunkTable.expand`).
        Safe to call from several threads: one batch at a time updates the shared table."""
        with self._lock:
            table = self.table()
            return table, table.expand(*self.chunk_ids_batch(texts, table))

    def analyse_pieces(self, texts: list[str]) -> tuple[ChunkTable, Expanded, np.ndarray]:
        """:meth:`analyse_batch`, and the number of words of each text (stop words included):
        where the positions of a text's next piece start when a huge text is analysed a piece
        at a time (pieces cut by :func:`text_slices`)."""
        with self._lock:
            table = self.table()
            ids, counts = self.chunk_ids_batch(texts, table)
            nwords = np.frombuffer(table.nwords, dtype=np.uint32, count=len(table.nwords))
            ends = np.cumsum(counts)
            total = np.zeros(ids.size + 1, dtype=np.int64)
            np.cumsum(nwords[ids], out=total[1:])
            words = total[ends] - total[ends - counts]
            return table, table.expand(ids, counts), words

    def chunk_ids_batch(self, texts: list[str], table: ChunkTable) -> tuple[np.ndarray, np.ndarray]:
        """The indexing fast path, for many texts at once: the ids in ``table`` of the chunks
        of all ``texts`` back to back, and the number of chunks of each text
        (:meth:`ChunkTable.scan`, a slice of about a million characters at a time, which bounds
        its temporary arrays); new chunks are analysed and added first.
        :meth:`ChunkTable.expand` turns them into the terms and positions of :meth:`terms`."""
        ids: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        start = size = 0
        with self._lock:  # tables are shared: one batch at a time learns into them
            for i, text in enumerate(texts):
                if len(text) > _SCAN_CHARS:  # a huge text: scanned a slice at a time
                    if start < i:
                        a, b = self._scan(texts[start:i], table)
                        ids.append(a)
                        counts.append(b)
                    parts = [self._scan([piece], table) for piece in _slices(text, _SCAN_CHARS)]
                    ids.extend(a for a, _ in parts)
                    counts.append(np.array([sum(int(b.sum()) for _, b in parts)], np.int64))
                    start, size = i + 1, 0
                    continue
                size += len(text)
                if size >= _SCAN_CHARS or i == len(texts) - 1:
                    a, b = self._scan(texts[start : i + 1], table)
                    ids.append(a)
                    counts.append(b)
                    start, size = i + 1, 0
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(ids), np.concatenate(counts)

    def _scan(self, texts: list[str], table: ChunkTable) -> tuple[np.ndarray, np.ndarray]:
        scan = table.scan(texts)
        new = table.learn(scan.missing, scan.key_lo, scan.key_hi, self._cache, self._analyse_many)
        return scan.fill(new), scan.counts

    def terms(self, text: str) -> tuple[list[str], list[int]]:
        """The terms of ``text`` and their positions (queries, highlighting).

        Stop words are removed but keep their position, so positions have gaps. Same result as
        :meth:`tokens` and as the indexing path (:meth:`chunk_ids_batch`).
        """
        words = TOKEN_RE.findall(text)
        entries = list(map(self._cache.get, words))
        if None in entries:  # words not seen yet
            for i in compress(range(len(words)), map(is_, entries, repeat(None))):
                entries[i] = self._analyse(words[i])
        every = list(map(itemgetter(0), entries))  # type: ignore[arg-type]  # no None left
        return list(filter(None, every)), list(compress(range(len(every)), every))

    def tokens(self, text: str) -> list[Token]:
        """Every non-stop word of ``text`` as a :class:`Token` with its position and offsets."""
        out = []
        term = self.term
        for pos, m in enumerate(TOKEN_RE.finditer(text)):
            t = term(m.group())
            if t:
                out.append(Token(t, pos, m.start(), m.end()))
        return out


_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]")


def text_slices(text: str, size: int) -> list[str]:
    """``text`` cut into slices of about ``size`` characters whose chunks and words back to
    back are the text's (see :func:`_slices`)."""
    return list(_slices(text, size))


def _slices(text: str, size: int) -> Iterator[str]:
    """``text`` in slices of about ``size`` characters, each cut just before an ASCII space.

    No chunk or token holds an ASCII space, and the commas, dots and apostrophes around one
    are judged the same whether their neighbour is that space or the end of a slice (see
    :func:`~searchlib.analysis.chunks._outside_tokens`), so the slices' chunks back to back
    are the text's chunks. A text with no space past a cut point is not cut there.
    """
    pos = 0
    while len(text) - pos > size:
        m = _ASCII_SPACE.search(text, pos + size)
        if m is None:
            break
        yield text[pos : m.start()]
        pos = m.start()
    yield text[pos:]


@cache
def get_analyzer(lang: str) -> Analyzer:
    """The shared analyzer of ``lang`` ("en" or "es"); raises AnalysisError for other values."""
    return Analyzer(lang)
