"""Cognates: a query word the lexicon does not know, matched to the other language's words that
are spelt alike (``teoría`` / ``theory``, ``universidad`` / ``university``, ``población`` is
no ``population`` but ``organización`` is ``organization``).

English and Spanish share many Latin and Greek words whose spellings differ by regular rules:
suffixes (-ción/-tion, -dad/-ty, -ía/-y, -oso/-ous, -ico/-ic(al), -mente/-ly...), Greek
spellings (ph/f, th/t, y/i, ch/c), doubled consonants, a Spanish ``es`` before s + consonant
(``estructura`` / ``structure``), a Spanish final vowel. :func:`cognate_key` maps a folded
word of either language to a spelling both share; two words are cognates when their keys are
equal. The words looked for are the index's own (the other language's vocabulary, see
:class:`~searchlib.search.wordtables.LetterVocabulary`), so a cognate is only proposed when the
archive has it, and the table of keys is built once per snapshot and language (:func:`cognates`),
one first letter at a time.

Only words of at least :data:`MIN_LENGTH` letters are matched: short words collide by chance.
False friends exist (``actual``: current, not actual); the translation weighs a cognate like
a lexicon translation, and a word of the query is never matched to itself (the word as typed
is kept anyway).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

from searchlib.schema import field_name
from searchlib.seam import IndexSource
from searchlib.search.cache import snapshot_cache
from searchlib.search.wordtables import LetterVocabulary, PrefixAutomaton

__all__ = ["MIN_LENGTH", "CognateTable", "cognate_key", "cognate_keys", "cognates"]

MIN_LENGTH = 4
"""Shortest word (in letters) matched by spelling."""

_SPELLING = (("ph", "f"), ("th", "t"), ("ch", "c"), ("k", "c"), ("y", "i"), ("z", "s"))
_SUFFIXES = (
    ("amente", "li"), ("mente", "li"), ("ically", "ic"), ("ly", "li"),
    ("idad", "iti"), ("iti", "iti"), ("tad", "ti"),
    ("ismo", "ism"), ("ista", "ist"),
    ("ous", "os"), ("oso", "os"), ("osa", "os"),
    ("ical", "ic"), ("ico", "ic"), ("ica", "ic"),
    ("ivo", "iv"), ("iva", "iv"), ("ive", "iv"),
    ("encia", "enc"), ("ence", "enc"), ("ancia", "anc"), ("ance", "anc"),
    ("ento", "ent"), ("ente", "ent"), ("ante", "ant"),
    ("ated", "at"), ("ado", "at"), ("ada", "at"), ("ate", "at"),
    ("ure", "ur"), ("ura", "ur"),
    ("ia", "i"), ("io", "i"),
)  # fmt: skip
"""(ending, shared ending), applied after the spelling rules: the longest ending that leaves at
least 3 letters before it. Else a final a, o or e is dropped."""

_SHARED = dict(_SUFFIXES)
_LONGEST = max(map(len, _SHARED))
_DOUBLE = re.compile(r"([b-df-hj-np-tv-z])\1")


def cognate_key(word: str) -> str:
    """The spelling an English word and its Spanish cognate share: ``word`` folded
    (lowercase, accents off, as the analyzers' ``normalize`` gives it), plural ending off,
    spelling and suffix rules applied.

    >>> cognate_key("teoria"), cognate_key("theories")
    ('teori', 'teori')
    >>> cognate_key("organizacion") == cognate_key("organization")
    True
    """
    w = word
    n = len(w)
    if n > 4 and w[-1] == "s":
        if w[-2] == "e" and w[-3] not in "aeiou":
            w = w[:-2]
        elif w[-2] not in "sui":
            w = w[:-1]
    for a, b in _SPELLING:
        if a in w:
            w = w.replace(a, b)
    if "tion" in w:
        w = w.replace("tion", "cion")
    if _DOUBLE.search(w) is not None:  # a search is cheaper than a sub that finds nothing
        w = _DOUBLE.sub(r"\1", w)
    if w[:2] == "es" and len(w) > 3 and w[2] in "cpt" and w[3] not in "aeiou":
        w = w[1:]
    # the longest ending of _SUFFIXES that leaves 3 letters or more before it
    for size in range(min(_LONGEST, len(w) - 3), 1, -1):
        shared = _SHARED.get(w[-size:])
        if shared is not None:
            return w[:-size] + shared
    return w[:-1] if w[-1:] in ("a", "o", "e") else w


def cognate_keys(words: Sequence[str]) -> list[str]:
    """:func:`cognate_key` of each of ``words`` (words of letters only, no line breaks), the
    spelling and double-consonant rules applied to all the words at once (joined by line
    breaks, which none of those rules' patterns holds)."""
    cut = []
    for w in words:
        if len(w) > 4 and w[-1] == "s":
            if w[-2] == "e" and w[-3] not in "aeiou":
                w = w[:-2]
            elif w[-2] not in "sui":
                w = w[:-1]
        cut.append(w)
    text = "\n".join(cut)
    for a, b in _SPELLING:
        text = text.replace(a, b)
    text = _DOUBLE.sub(r"\1", text.replace("tion", "cion"))
    keys = []
    for w in text.split("\n") if cut else ():
        if w[:2] == "es" and len(w) > 3 and w[2] in "cpt" and w[3] not in "aeiou":
            w = w[1:]
        for size in range(min(_LONGEST, len(w) - 3), 1, -1):
            shared = _SHARED.get(w[-size:])
            if shared is not None:
                keys.append(w[:-size] + shared)
                break
        else:
            keys.append(w[:-1] if w[-1:] in ("a", "o", "e") else w)
    return keys


_SOURCES = {"f": "fp", "c": "ck", "i": "iy", "s": "sze"}
"""The first letters of the words whose key can start with a letter (ph -> f, k -> c, y -> i,
z -> s, es + consonant -> s); any other letter comes from itself."""


def _class(c: str) -> str:
    """The class of a letter that no rule of :func:`cognate_key` changes: ``ph``/``f`` and
    ``p`` are one (``f``), ``c``/``k``/``t`` (``ch``, ``th``, ``tion``/``cion``) one (``c``),
    ``y``/``i`` one, ``z``/``s`` one; ``h`` has none (dropped)."""
    return _CLASSES.get(c, c)


_CLASSES = {"p": "f", "k": "c", "t": "c", "y": "i", "z": "s", "h": ""}

_KEYS_BEFORE_LETTERS = 4
"""Keys a snapshot's table finds by their words' start (:meth:`CognateTable._matching`)
before it keys every word of their letters (a long-running process's many queries)."""

_SHAPE_DEPTH = 8
"""Bytes of a word its start's test reads (an undecided word after them is kept)."""


def _shape(text: str) -> str:
    """``text`` by letter classes (:func:`_class`), ``h`` dropped, runs of a class made one:
    each rule of :func:`cognate_key` but the plural's, the ``es``'s and the ending's leaves a
    word's shape as it is (``ph``/``f``, ``th``/``t``, ``ch``/``c``, ``k``/``c``, ``y``/``i``,
    ``z``/``s``, ``tion``/``cion``, a doubled consonant), and the shape of a word's start is
    the start of its shape."""
    out: list[str] = []
    for c in text:
        k = _class(c)
        if k and (not out or out[-1] != k):
            out.append(k)
    return "".join(out)


def _start_test(shape: str) -> PrefixAutomaton:
    """The test a word's first bytes pass when the word's :func:`_shape` may start with
    ``shape`` (ASCII): states 2 + i for i classes of ``shape`` read so far; a byte beyond
    ASCII is not looked at (the word is kept)."""
    m = len(shape)
    table = np.zeros((m + 2, 256), dtype=np.uint8)
    table[1, :] = 1
    for i in range(m):
        row = table[2 + i]
        row[0x80:] = 1
        for b in range(0x80):
            k = _class(chr(b))
            if not k or (i > 0 and k == shape[i - 1]):
                row[b] = 2 + i  # h, or the class read last: no new class
            elif k == shape[i]:
                row[b] = 2 + i + 1 if i + 1 < m else 1
    return PrefixAutomaton(table, _SHAPE_DEPTH)


class CognateTable:
    """The words of one language's vocabulary (``lang``) by :func:`cognate_key`. A Spanish
    infinitive is also found by its stem (``preparar``: ``prepar``, as ``prepare``), so the
    English verb and its Spanish infinitive meet in both directions.

    A word's key starts with a letter of few first letters (:data:`_SOURCES`), and its first
    three letters are those of the word once the spelling rules are applied (an ending
    replaced leaves 3 letters or more; the plural's is cut before): so a word spelt like
    another has the same :func:`_shape` of its start, the first three letters of the key
    shaped. A snapshot's vocabulary gives only the words of the key's first letters whose
    first bytes may have that shape (:meth:`LetterVocabulary.matching`, decoding no other),
    and only their keys are computed: a query word the lexicon lacks keys a few dozen words,
    not every word of its letters. After :data:`_KEYS_BEFORE_LETTERS` keys, and for a list
    of words, the words are keyed one first letter at a time."""

    def __init__(self, words: Sequence[str] | LetterVocabulary, lang: str = "") -> None:
        # a snapshot's words come one first letter at a time, decoded when first needed
        self._vocabulary = words if isinstance(words, LetterVocabulary) else None
        self._words = [] if isinstance(words, LetterVocabulary) else sorted(words)
        self._table: dict[str, list[str]] = {}
        self._done: set[str] = set()
        self._tests: dict[str, PrefixAutomaton] = {}
        self._found: dict[str, list[str]] = {}  # per key, before its letters are keyed
        self.lang = lang

    def __len__(self) -> int:
        """Keys computed so far."""
        return len(self._table)

    def _load(self, key: str) -> None:
        for letter in _SOURCES.get(key[:1], key[:1]):
            if letter in self._done:
                continue
            self._done.add(letter)
            if self._vocabulary is not None:
                words = self._vocabulary.starting(letter)
            else:
                lo = bisect_left(self._words, letter)
                words = self._words[lo : bisect_left(self._words, chr(ord(letter) + 1), lo)]
            for w, k in self._keyed(words):
                self._table.setdefault(k, []).append(w)

    def _keyed(self, words: Sequence[str]) -> list[tuple[str, str]]:
        """(word, key) of each of ``words`` long enough and of letters only, in their order,
        and (infinitive, key of its stem) after each Spanish infinitive."""
        kept = [w for w in words if len(w) >= MIN_LENGTH and w.isalpha()]
        spanish = self.lang == "es"
        infinitives = [w[:-2] for w in kept if _infinitive(w)] if spanish else []
        stems = iter(cognate_keys(infinitives))
        out = []
        for w, key in zip(kept, cognate_keys(kept), strict=True):
            out.append((w, key))
            if spanish and _infinitive(w):
                out.append((w, next(stems)))
        return out

    def _matching(self, key: str) -> list[str]:
        """The words of the snapshot's vocabulary whose key is ``key``, in the order a table
        of their letters' words (:data:`_SOURCES`, each sorted) lists them."""
        found: list[str] = []
        assert self._vocabulary is not None
        head = key[:3]
        shape = _shape(head)
        for letter in _SOURCES.get(key[:1], key[:1]):
            # (a word of e + s + c, p or t: its key drops the e)
            start = "e" + shape if letter == "e" and key[:1] == "s" else shape
            if not start.isascii() or not start:
                words = self._vocabulary.starting(letter)
            else:
                test = self._tests.get(start)
                if test is None:
                    test = self._tests[start] = _start_test(start)
                words = self._vocabulary.matching(letter, test)
            found.extend(w for w, k in self._keyed(words) if k == key)
        return found

    def terms(self, words: Sequence[str]) -> set[str]:
        """The terms the vocabulary's ``words`` stand for (their stems, and themselves when they
        are terms of the fields): a table of a snapshot's words only."""
        if self._vocabulary is None:
            raise TypeError("a cognate table of a word list has no terms")
        return self._vocabulary.terms(words)

    def _get(self, key: str) -> list[str]:
        letters = _SOURCES.get(key[:1], key[:1])
        if self._vocabulary is not None and not all(c in self._done for c in letters):
            found = self._found.get(key)
            if found is not None:
                return found
            if len(self._found) < _KEYS_BEFORE_LETTERS:
                found = self._found[key] = self._matching(key)
                return found
        self._load(key)
        return self._table.get(key, [])

    def find(self, word: str, itself: bool = False) -> list[str]:
        """The vocabulary's words spelt like ``word`` (folded, of the other language), ``word``
        itself only when ``itself`` is true (a word both languages write alike: ``hospital``);
        [] for a word shorter than :data:`MIN_LENGTH` or not all letters."""
        if len(word) < MIN_LENGTH or not word.isalpha():
            return []
        found = list(self._get(cognate_key(word)))
        if self.lang == "en" and _infinitive(word):
            found += [w for w in self._get(cognate_key(word[:-2])) if w not in found]
        return [w for w in found if itself or w != word]


def _infinitive(word: str) -> bool:
    """Whether a Spanish word looks like an infinitive (-ar, -er, -ir) with a stem of 4+."""
    return len(word) >= 6 and word[-2:] in ("ar", "er", "ir")


def cognates(reader: IndexSource, lang: str, fields: Sequence[str]) -> CognateTable:
    """The cognate table of ``lang``'s words in a snapshot (each segment's words and the terms
    of ``fields``: a :class:`~searchlib.search.wordtables.LetterVocabulary`, decoded one first
    letter at a time), built on first use and kept in the snapshot's cache (a snapshot's
    words never change)."""
    cache = snapshot_cache(reader).cognates
    key = (lang, tuple(field_name(f, lang) for f in fields))
    table = cache.get(key)
    if table is None:
        table = cache[key] = CognateTable(LetterVocabulary(reader, lang, fields), lang)
    return table
