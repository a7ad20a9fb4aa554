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

from collections.abc import Iterable
from functools import cache
from itertools import chain, compress

import attrs

from searchlib.analysis._snowball import snowball_stemmer
from searchlib.analysis.spanish import spanish_stem_input
from searchlib.analysis.stopwords import load_stopwords
from searchlib.analysis.tokenizer import TOKEN_RE, normalize_surface
from searchlib.errors import AnalysisError

__all__ = ["Analyzer", "Token", "get_analyzer"]

_STEMMER_NAMES = {"en": "english", "es": "spanish"}
_MAX_CHUNK_CACHE = 2_000_000


@attrs.frozen(slots=True)
class Token:
    """One analysed word: ``text[start:end]`` of the source is the word as written."""

    term: str
    position: int
    start: int
    end: int


class Analyzer:
    """The analysis chain of one language ("en" or "es").

    Stems are cached per surface word: the stemmer runs once per distinct word, and the indexing
    fast path (:meth:`terms`) is one regex ``findall`` plus one dict lookup per word.
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
        self._stem = snowball_stemmer(_STEMMER_NAMES[lang]).stem
        self._spanish = lang == "es"
        self._possessive = lang == "en"
        self._cache: dict[str, str] = {}
        self._chunks: dict[str, tuple[str, ...]] = {}
        self._chunk_stems: dict[str, tuple[tuple[str, str], ...]] = {}
        self._norm_cache: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Analyzer({self.lang!r})"

    def normalize(self, word: str) -> str:
        """The word as the index sees it before stop words and stemming.

        Lowercase, ASCII apostrophes, acronym dots dropped, numbers canonical, accents folded
        (ñ kept); English also drops a trailing possessive. No stemming; idempotent. Used for
        prefix, wildcard and fuzzy terms and for the unstemmed (exact/phrase) form.
        """
        norm = self._norm_cache.get(word)
        if norm is None:
            norm = normalize_surface(word)
            if self._possessive:
                while norm.endswith("'s") and len(norm) > 2:
                    norm = norm[:-2]
            if len(self._norm_cache) < 1_000_000:
                self._norm_cache[word] = norm
        return norm

    def term(self, word: str) -> str:
        """The index term of one surface word, or "" when it is a stop word."""
        term = self._cache.get(word)
        if term is None:
            term = self._analyse(word)
            self._cache[word] = term
        return term

    def _analyse(self, word: str) -> str:
        norm = self.normalize(word)
        if not norm or norm in self.stopwords:
            return ""
        if norm[0].isdigit() and ("." in norm or norm.isdigit()):
            return norm  # numbers are not stemmed
        if self._spanish:
            norm = spanish_stem_input(norm)
        return str(self._stem(norm))

    def terms(self, text: str) -> tuple[list[str], list[int]]:
        """Fast path for indexing: the terms of ``text`` and their positions.

        Stop words are removed but keep their position, so positions have gaps. Same result as
        :meth:`tokens`: no token contains whitespace, so the text is split on whitespace and
        each distinct chunk (``said,``, ``(Reuters)``, ``anti-drug``) is tokenized and analysed
        once, then cached as the tuple of its terms ("" for a stop word). A text whose chunks
        are all known is then analysed without a Python-level loop: split, one dict lookup per
        chunk (``map``), flatten, and positions from the flat list (``compress``).
        """
        chunks = text.split()
        cache = self._chunks
        try:
            parts = list(map(cache.__getitem__, chunks))
        except KeyError:  # new chunks: learn them all, then look again
            for chunk in set(chunks).difference(cache):
                self._learn_chunk(chunk)
            parts = list(map(cache.__getitem__, chunks))
        flat = list(chain.from_iterable(parts))
        return list(filter(None, flat)), list(compress(range(len(flat)), flat))

    def _learn_chunk(self, chunk: str) -> tuple[str, ...]:
        """Analyse a whitespace-free chunk and cache the tuple of its terms (and, when it has
        stemmed words, their (word, term) pairs for :meth:`stemmed_words`)."""
        if len(self._chunks) > _MAX_CHUNK_CACHE:
            self._chunks.clear()
            self._chunk_stems.clear()
        words = TOKEN_RE.findall(chunk)
        parts = tuple(map(self.term, words))
        self._chunks[chunk] = parts
        stems = tuple(
            (n, t) for w, t in zip(words, parts, strict=True) if t and (n := self.normalize(w)) != t
        )
        if stems:
            self._chunk_stems[chunk] = stems
        return parts

    def stemmed_words(self, chunks: Iterable[str]) -> dict[str, str]:
        """The stemmed words of whitespace-free ``chunks``: normalized word -> its term.

        Words that are their own term (names, numbers, short words) are left out: the term
        dictionary already holds them. The indexer stores this map for a segment's text so
        that prefix, wildcard and fuzzy queries expand over real words, not stems.
        """
        out: dict[str, str] = {}
        known = self._chunk_stems
        for chunk in chunks:
            stems = known.get(chunk)
            if stems is None:
                if chunk in self._chunks:
                    continue  # analysed before: no stemmed word
                self._learn_chunk(chunk)
                stems = known.get(chunk)
                if stems is None:
                    continue
            out.update(stems)
        return out

    def tokens(self, text: str) -> list[Token]:
        """Every non-stop word of ``text`` as a :class:`Token` with its position and offsets."""
        out = []
        term = self.term
        for pos, m in enumerate(TOKEN_RE.finditer(text)):
            t = term(m.group())
            if t:
                out.append(Token(t, pos, m.start(), m.end()))
        return out


@cache
def get_analyzer(lang: str) -> Analyzer:
    """The shared analyzer of ``lang`` ("en" or "es"); raises AnalysisError for other values."""
    return Analyzer(lang)
