"""Word fingerprints of lines, for near-duplicate matching of boilerplate in either language.

A line's fingerprint is the set of its content words, folded (case, accents, curly quotes,
run-together widget text such as ``SHARETweet`` split) with the stop words of both languages
removed and each word cut to its first :data:`PREFIX` characters, a language-blind stemmer
that makes "comment"/"comments", "donate"/"donation" and "recursos"/"recurso" one word.
Two lines are near-duplicates when their fingerprints have a high Jaccard similarity.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from searchlib.analysis import fold_accents
from searchlib.analysis.stopwords import load_stopwords

__all__ = ["PREFIX", "fingerprint", "jaccard", "stop_words", "words"]

PREFIX = 6
"""Words are compared on this many first characters."""

_WORD = re.compile(r"[^\W_]+")
_CAMEL = re.compile(r"(?<=[^\W\d_])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])")
_CAMEL_HINT = re.compile(r"[a-z][A-Z]|[A-Z][A-Z][a-z]")
"""Where :data:`_CAMEL` may split (a cheaper first test)."""


@functools.cache
def stop_words() -> frozenset[str]:
    """The stop words of both languages (folded)."""
    return load_stopwords("en") | load_stopwords("es")


def words(line: str) -> list[str]:
    """The folded words of ``line``; a word with capitals inside is also split there, as the
    crawler runs widget labels together (``SHARETweet``), and kept whole (``InSight``).

    >>> words("SHARETweet about InSight")
    ['sharetweet', 'share', 'tweet', 'about', 'insight', 'in', 'sight']
    """
    line = _fold(line)
    if not _CAMEL_HINT.search(line):
        return _WORD.findall(line.casefold())
    out = []
    for word in _WORD.findall(line):
        out.append(word.casefold())
        if not word.islower() and _CAMEL.search(word):
            out += _CAMEL.sub(" ", word).casefold().split()
    return out


def _fold(text: str) -> str:
    """:func:`~searchlib.analysis.fold_accents` of ``text``; for text of the Windows-1252
    repertoire (English and Spanish news: accented Latin letters, curly quotes, dashes) by
    one byte table: there no character is a combining mark, each folds on its own to one
    character of the repertoire, and the Unicode normalisations the general case takes
    (18 us for a 400-character Spanish paragraph) are not needed."""
    if text.isascii():
        return text
    try:
        data = text.encode("cp1252")
    except UnicodeEncodeError:
        return fold_accents(text)
    return data.translate(_CP1252_FOLD).decode("cp1252")


def _cp1252_fold() -> bytes:
    table = bytearray(range(256))
    for b in range(256):
        try:
            c = bytes([b]).decode("cp1252")
        except UnicodeDecodeError:  # unused byte: never encoded
            continue
        folded = fold_accents(c).encode("cp1252")
        assert len(folded) == 1, c  # one character of the repertoire (a test checks all)
        table[b] = folded[0]
    return bytes(table)


_CP1252_FOLD = _cp1252_fold()


def fingerprint(line: str | Iterable[str]) -> frozenset[str]:
    """The content words of a line (or of its :func:`words`), cut to :data:`PREFIX` characters.

    >>> sorted(fingerprint("¿Le resultó útil este contenido?"))
    ['conten', 'result', 'util']
    """
    ws = words(line) if isinstance(line, str) else line
    return frozenset(w[:PREFIX] for w in set(ws) - stop_words())


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    both = len(a & b)
    return both / (len(a) + len(b) - both) if both else 0.0
