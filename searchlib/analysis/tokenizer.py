"""The tokenizer and the language-independent word normalisations (folding, acronyms, numbers).

Tokenization is one regular expression (:data:`TOKEN_RE`); a match is a *surface word*, and
``text[m.start():m.end()]`` is the word as written. Three kinds of match, tried in this order:

* **Acronyms**: two or more groups of one or two letters, each followed by a dot
  (``U.S.``, ``U.N.``, ``EE.UU.``, ``a.m.``). The dots are dropped, so ``U.S.`` -> ``us`` meets
  ``US`` and ``EE.UU.`` -> ``eeuu`` meets ``EEUU``. (It also meets the English pronoun "us",
  which is not a stop word; every engine that strips acronym dots accepts that collision.)
* **Numbers** with ``.``/``,`` separators (``2,000``, ``23.5``, ``1.234,5``). ``$38 million``
  gives ``38`` and ``million``. See :func:`normalize_number` for the canonical form.
* **Words**: Unicode letters/digits (``\\w``, which keeps ``ñ`` and accented letters, plus
  combining marks so decomposed text stays one word) with inner apostrophes, straight or curly
  (``O'Brien``, ``president’s``).

**Hyphens split words**, as in Lucene's StandardTokenizer: ``anti-drug`` gives ``anti`` and
``drug`` at consecutive positions, so a query for ``drug`` finds it and the query ``anti-drug``
(analysed the same way) is a phrase of the two parts. Hyphenated names (``García-Márquez``,
``Jean-Pierre``) index as their parts the same way; nothing is lost, and no glued form
(``antidrug``) is invented.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = [
    "APOSTROPHES",
    "TOKEN_RE",
    "fold_accents",
    "folded_matches",
    "normalize_number",
    "normalize_surface",
]

TOKEN_RE = re.compile(
    r"(?:[^\W\d_]{1,2}\.){2,}"  # acronyms: U.S. EE.UU. a.m.
    r"|\d+(?:[.,]\d+)*(?![\w\u0300-\u036f])"  # numbers: 2,000 23.5 (not 1990s, which is a word)
    r"|[\w\u0300-\u036f]+(?:['’＇][\w\u0300-\u036f]+)*"  # words, with inner apostrophes
)
"""One match per surface word."""

APOSTROPHES = str.maketrans({"’": "'", "＇": "'", "ʼ": "'"})
"""Curly and full-width apostrophes -> ASCII apostrophe."""

# Combining marks removed by folding: grave, acute, circumflex, diaeresis, ring (loanwords).
# The tilde (U+0303) is kept, so ñ stays ñ (año != ano, niño != nino).
_FOLD_MARKS: dict[int, None] = {0x0300: None, 0x0301: None, 0x0302: None, 0x0308: None}


def fold_accents(text: str) -> str:
    """Remove grave, acute and circumflex accents and the diaeresis, keeping ñ (and ç).

    >>> fold_accents("Perú año pingüino ÁFRICA")
    'Peru año pinguino AFRICA'
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", decomposed.translate(_FOLD_MARKS))


def folded_matches(values: Sequence[str], value: str) -> list[int]:
    """The positions of ``values`` equal to ``value`` ignoring case and accents (ñ kept): the
    codes of a column's value table that a filter value names (``Peru`` and ``Perú`` may both
    be in a table).

    >>> folded_matches(["Perú", "Bolivia", "peru"], "PERU")
    [0, 2]
    """
    v = fold_accents(value).casefold()
    return [i for i, t in enumerate(values) if fold_accents(t).casefold() == v]


def normalize_number(number: str) -> str:
    """Canonical form of a number with separators, the same for English and Spanish styles.

    Separators before groups of exactly three digits are thousands separators and vanish
    (``2,000`` and ``2.000`` -> ``2000``); otherwise the last separator is the decimal point
    (``23.5`` and ``23,5`` -> ``23.5``; ``1,234.56`` -> ``1234.56``). A leading ``0`` group
    always means a decimal (``0.125``). The result is a fixed point of this function.
    """
    parts = number.replace(",", ".").split(".")  # split at either separator
    if len(parts) == 1:
        return number
    head, rest = parts[0], parts[1:]
    if head != "0" and len(head) <= 3 and all(len(p) == 3 for p in rest):
        return "".join(parts)
    return "".join(parts[:-1]) + "." + parts[-1]


def normalize_surface(word: str) -> str:
    """Lowercase, unify apostrophes, drop acronym dots, canonicalise numbers, fold accents.

    Shared by both languages; language chains add possessive removal, stop words and stemming.
    Idempotent: ``normalize_surface(normalize_surface(w)) == normalize_surface(w)``.
    """
    w = word.lower()
    if not w.isascii():
        w = fold_accents(w.translate(APOSTROPHES))
    if "." in w or "," in w:
        if w[:1].isdigit() and _is_number(w):
            return normalize_number(w)
        w = w.replace(".", "").replace(",", "")
    return w


def _is_number(w: str) -> bool:
    return all(p.isdigit() for p in w.replace(",", ".").split("."))
