"""Per-language analysis chains and the shared analyzer registry.

English: possessive removal -> lowercase -> stop words -> Snowball English.
Spanish: lowercase -> accent folding that keeps ñ -> stop words -> Snowball Spanish + overrides.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import attrs
from nltk.stem.snowball import SnowballStemmer

from searchlib.errors import AnalysisError

__all__ = ["Analyzer", "Token", "fold_accents", "get_analyzer"]

# Acronyms (U.S.), numbers with separators (2,000 23.5), words with inner apostrophes/hyphens.
TOKEN_RE = re.compile(
    r"(?:[^\W\d_]\.){2,}"
    r"|\d+(?:[.,]\d+)*"
    r"|\w+(?:['’\-]\w+)*"
)

_STOP = {
    "en": frozenset(
        "a an and are as at be but by for if in into is it no not of on or such that the their "
        "then there these they this to was will with he she his her its we our you your i".split()
    ),
    "es": frozenset(
        "de la que el en y a los del se las por un para con no una su al lo como más mas pero sus "
        "le ya o este sí si porque esta entre cuando muy sin sobre también tambien me hasta hay "
        "donde quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos e "
        "esto mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada "
        "muchos cual poco ella estar estas algunas algo nosotros es son fue ha han".split()
    ),
}

_POSSESSIVE_RE = re.compile(r"['’]s$", re.IGNORECASE)

# Accent marks removed by folding; the tilde (U+0303) is kept so ñ stays ñ.
_FOLD_MARKS = {0x0301: None, 0x0300: None, 0x0302: None, 0x0308: None}


def fold_accents(text: str) -> str:
    """Remove acute, grave, circumflex accents and diaeresis, keeping ñ.

    >>> fold_accents("Perú año pingüino")
    'Peru año pinguino'
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(_FOLD_MARKS))


@attrs.frozen(slots=True)
class Token:
    """One analysed word: ``text[start:end]`` of the source is the word as written."""

    term: str
    position: int
    start: int
    end: int


class Analyzer:
    """The analysis chain of one language. Stems are cached: the stemmer runs once per word."""

    def __init__(self, lang: str) -> None:
        if lang not in _STOP:
            raise AnalysisError(f"unknown language {lang!r}; expected one of {sorted(_STOP)}")
        self.lang = lang
        self.stopwords = _STOP[lang]
        self._stemmer = SnowballStemmer("english" if lang == "en" else "spanish")
        self._cache: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Analyzer({self.lang!r})"

    def normalize(self, word: str) -> str:
        """The word as the index would see it before stemming (lowercase, folded)."""
        w = word.lower()
        if self.lang == "en":
            w = _POSSESSIVE_RE.sub("", w)
        return fold_accents(w)

    def term(self, word: str) -> str:
        """The index term of one surface word, or "" when it is a stop word."""
        term = self._cache.get(word)
        if term is None:
            norm = self.normalize(word)
            term = "" if norm in self.stopwords else self._stemmer.stem(norm)
            self._cache[word] = term
        return term

    def terms(self, text: str) -> tuple[list[str], list[int]]:
        """Fast path for indexing: the terms of ``text`` and their positions."""
        cache = self._cache
        words = TOKEN_RE.findall(text)
        terms: list[str] = []
        positions: list[int] = []
        for pos, word in enumerate(words):
            term = cache.get(word)
            if term is None:
                term = self.term(word)
            if term:
                terms.append(term)
                positions.append(pos)
        return terms, positions

    def tokens(self, text: str) -> list[Token]:
        """Every non-stop word of ``text`` as a :class:`Token` with offsets and position."""
        out = []
        for pos, m in enumerate(TOKEN_RE.finditer(text)):
            term = self.term(m.group())
            if term:
                out.append(Token(term, pos, m.start(), m.end()))
        return out


@lru_cache(maxsize=None)
def get_analyzer(lang: str) -> Analyzer:
    """The shared analyzer of ``lang`` ("en" or "es")."""
    return Analyzer(lang)
