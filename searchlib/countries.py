"""One country vocabulary for both languages: ISO 3166 codes, English and Spanish names, variants.

A byline says ``PERU`` on an English page and ``PERÚ`` on a Spanish one, a JSONL record says
``usa``, the press writes ``U.S.``, ``EE.UU.`` or ``Estados Unidos``: all name one country. This
module maps any of those to one code (ISO 3166-1 alpha-2; the four-letter ISO 3166-3 code for a
country that no longer exists, such as ``SUHH`` for the Soviet Union), so filters and facets
count a country once and label it in the language asked for.

The table is ``data/countries.tsv`` (shipped with the package): code, alpha-3 code, English
name, Spanish name, and the other names in either language (official names, press
abbreviations, former names; one written ``=USA`` names the country in filters and facets but
not in running text, where it is also a word). Codes and English short names follow ISO 3166 as
published by the iso-codes project (the data behind pycountry); Spanish names and press variants
are ours.

Names compare by a key that ignores case, accents, dots, hyphens, commas and a leading "the"
(``EE. UU.`` = ``eeuu``, ``west-germany`` = ``West Germany``). Labels that are no country (the
sections ``China and Crime``, ``Armas y Seguridad``) map to None.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from importlib import resources

import attrs

__all__ = [
    "Country",
    "by_code",
    "canonical",
    "countries",
    "label",
    "may_continue_name",
    "may_start_name",
    "name_key",
    "named",
    "spelling",
    "split_places",
]


@attrs.frozen(slots=True)
class Country:
    """One country: its code, its names in English and Spanish, and its other names."""

    code: str
    alpha3: str
    en: str
    es: str
    variants: tuple[str, ...]
    labels_only: tuple[str, ...] = ()  # names for filters and facets, not for text search

    def name(self, lang: str = "en") -> str:
        """The country's name in ``lang`` ("es" for Spanish, English otherwise)."""
        return self.es if lang == "es" else self.en

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of the country (English, Spanish, variants), each once."""
        return tuple(dict.fromkeys((self.en, self.es, *self.variants, *self.labels_only)))

    @property
    def text_names(self) -> tuple[str, ...]:
        """The names that mean the country in running text: :attr:`names` less those that are
        also a common word once lower-cased (``USA`` is Spanish "uses")."""
        return tuple(dict.fromkeys((self.en, self.es, *self.variants)))


_DROP = re.compile(r"[.\u00b7]")
_SPACE = re.compile(r"[\s\-\u2010-\u2015_,/()]+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def name_key(text: str) -> str:
    """The comparison key of a place name: case, accents, dots, hyphens, commas and a leading
    "the" ignored. ``name_key("EE. UU.") == name_key("EEUU") == "eeuu"``."""
    if text.isascii() and "`" not in text:
        # (most names and words: ASCII, so no quote to translate, casefold is lower, no mark
        # to drop; letters, digits and single spaces leave the two subs nothing to do)
        plain = text.lower()
        if plain.replace(" ", "").isalnum() and "  " not in plain:
            key = plain.strip()
            while key.startswith("the "):
                key = key[4:]
            return key
    plain = text.translate(_QUOTES).casefold()
    if not plain.isascii():  # (ASCII text has no marks to drop: most names)
        decomposed = unicodedata.normalize("NFKD", plain)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    if plain.isascii() and plain.replace(" ", "").isalnum() and "  " not in plain:
        # letters, digits and single spaces (most names): nothing for the two subs to do
        key = plain.strip()
    else:
        key = _SPACE.sub(" ", _DROP.sub("", plain)).strip()
    while key.startswith("the "):
        key = key[4:]
    return key


class _Vocabulary:
    """The loaded table: countries by code and codes by name key."""

    def __init__(self, rows: Iterable[Country], keys: dict[str, str] | None = None) -> None:
        self.by_code: dict[str, Country] = {}
        self.by_key: dict[str, str] = {}
        self.spelling: dict[str, str] = {}  # case-folded name -> the table's spelling
        self.by_name: dict[str, str] = {}  # name key -> code, names only (no bare codes)
        self.acronyms: set[str] = set()  # keys of short capitals (US, UK): as written only
        # name -> name_key(name), each name keyed once (those _names() keyed: not again)
        keys = dict(keys or {})
        for c in rows:
            self.by_code[c.code] = c
            names = c.names
            for name in (c.code, c.alpha3, *names):
                if not name:
                    continue
                key = keys.get(name)
                if key is None:
                    key = keys[name] = name_key(name)
                other = self.by_key.setdefault(key, c.code)
                if other != c.code:
                    raise ValueError(f"country name {name!r} is both {other} and {c.code}")
            for name in names:
                key = keys.get(name)
                if key is None:  # (an empty name)
                    key = keys[name] = name_key(name)
                self.spelling.setdefault(name.casefold(), name)
                self.spelling.setdefault(key, name)
                self.by_name[key] = c.code
                if len(name) <= 3 and name.isalpha() and name.isupper():
                    self.acronyms.add(key)
        # The first word of every name's key, and what a text's first word may leave for the
        # rest of the text to decide (nothing, or "the"): see named().
        self.heads: set[str] = {k.split(" ", 1)[0] for k in self.by_name} | {"", "the"}
        self.sorted_keys = sorted(self.by_name)  # (see may_continue_name)


def _rows(text: str) -> Iterator[list[str]]:
    """The five cells of each row of countries.tsv (blank and ``#`` lines skipped)."""
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 5:
            raise ValueError(f"countries.tsv line {lineno}: {len(cells)} cells, expected 5")
        yield cells


def _parse(text: str) -> list[Country]:
    rows = []
    for code, alpha3, en, es, variants in _rows(text):
        names = [v for v in variants.split("|") if v]
        rows.append(
            Country(
                code,
                alpha3,
                en,
                es,
                tuple(v for v in names if not v.startswith("=")),
                tuple(v[1:] for v in names if v.startswith("=")),
            )
        )
    return rows


@functools.cache
def _table() -> str:
    return resources.files("searchlib").joinpath("data/countries.tsv").read_text("utf-8")


@functools.cache
def _names() -> tuple[dict[str, str], frozenset[str], dict[str, str]]:
    """The key of every name of the table, the heads of those keys (:attr:`_Vocabulary.heads`)
    and the codes by the keys of the codes (alpha-2 and alpha-3, as in
    :attr:`_Vocabulary.by_key`), made from the table's text alone: a query whose words start
    no name, and hits whose country columns hold codes, ask for no more, at half the whole
    table's cost (no Country rows, no spellings, no sorted keys)."""
    keys: dict[str, str] = {}
    codes: dict[str, str] = {}
    for cells in _rows(_table()):
        for code in cells[:2]:
            if code:
                codes.setdefault(name_key(code), cells[0])
        for name in _row_names(cells):
            if name not in keys:
                keys[name] = name_key(name)
    heads = {k.split(" ", 1)[0] for k in keys.values()} | {"", "the"}
    return keys, frozenset(heads), codes


@functools.cache
def _name_codes() -> dict[str, str]:
    """The code of the key of every name of the table (as :attr:`_Vocabulary.by_key` holds
    the names' keys), made from the table's text alone: :func:`canonical` of a name (the
    countries of a search's hits) does not build the whole table."""
    keys = _names()[0]
    out: dict[str, str] = {}
    for cells in _rows(_table()):
        for name in _row_names(cells):
            if name:
                out.setdefault(keys[name], cells[0])
    return out


def _row_names(cells: list[str]) -> Iterator[str]:
    """The names of a row of the table: English, Spanish and each variant (a ``=`` variant
    without its mark; empty cells as they are)."""
    for name in (cells[2], cells[3], *cells[4].split("|")):
        yield name[1:] if name.startswith("=") else name


@functools.cache
def _vocabulary() -> _Vocabulary:
    return _Vocabulary(_parse(_table()), _names()[0])


@functools.lru_cache(maxsize=8192)
def canonical(name: str) -> str | None:
    """The code of the country ``name`` names in English or Spanish (any variant, or its
    alpha-2/alpha-3 code), or None when it names no country.

    >>> canonical("Perú"), canonical("EE.UU."), canonical("usa"), canonical("China and Crime")
    ('PE', 'US', 'US', None)
    """
    key = name_key(name)
    # (a code's key names that code's country alone, a name's key likewise: the whole table
    # refuses a key of two)
    return _names()[2].get(key) or _name_codes().get(key)


@functools.lru_cache(maxsize=8192)
def named(text: str) -> str | None:
    """The code of the country ``text`` names in running text, or None: like
    :func:`canonical` but bare codes are no names (``pe``, ``in``), and a short acronym
    counts only in capitals (``US`` and ``UK`` name countries, the words ``us`` and ``uk``
    do not).

    >>> named("Estados Unidos"), named("U.S."), named("US"), named("us"), named("per")
    ('US', 'US', 'US', None, None)
    """
    # Most texts a query holds name no country, and their first word already says so: the
    # key of a text starts with its first word's key (the key is made character by
    # character, runs of separators becoming one space), so when no name's key starts with
    # it, no key of the text is a name (a run of words of a query costs one cached lookup).
    head = text.split(None, 1)[0] if text and not text[0].isspace() else ""
    if head and _head_key(head) not in _names()[1]:
        return None
    vocabulary = _vocabulary()
    key = name_key(text)
    if key in vocabulary.acronyms and not text.isupper():
        return None
    return vocabulary.by_name.get(key)


def may_start_name(word: str) -> bool:
    """Whether a text starting with ``word`` may name a country (:func:`named`): False when
    no name's key starts with the word's key, so that no text starting with it is a name."""
    if not word or word[0].isspace():
        return True
    return _head_key(word.split(None, 1)[0]) in _names()[1]


def may_continue_name(text: str) -> bool:
    """Whether ``text`` followed by a space and more words may name a country
    (:func:`named`): False when no name's key starts with ``text``'s key. The key of a longer
    text starts with that of ``text`` (separators, dots and accents are dropped character by
    character, cases folded, the ends stripped), unless a leading "the" left ``text``'s key
    "the" (the longer text's "the the Gambia" loses both): then True, not known."""
    key = name_key(text)
    if key == "the":
        return True
    keys = _vocabulary().sorted_keys
    at = bisect_left(keys, key)
    return at < len(keys) and keys[at].startswith(key)


@functools.lru_cache(maxsize=65536)
def _head_key(word: str) -> str:
    """The first word of :func:`name_key` of ``word``."""
    return name_key(word).split(" ", 1)[0]


def by_code(code: str) -> Country | None:
    """The country with this code, or None."""
    return _vocabulary().by_code.get(code)


def countries() -> tuple[Country, ...]:
    """Every country of the vocabulary, in the table's order."""
    return tuple(_vocabulary().by_code.values())


@functools.lru_cache(maxsize=8192)
def label(value: str, lang: str = "en") -> str:
    """How a country is shown in ``lang``: its name when ``value`` is a code or any name of a
    known country, else ``value`` itself (a country the vocabulary does not know)."""
    code = canonical(value)
    country = None if code is None else by_code(code)
    return value if country is None else country.name(lang)


def spelling(name: str) -> str:
    """``name`` as the vocabulary spells that same name (``Eeuu`` -> ``EEUU``, ``PERÚ`` ->
    ``Perú``), or ``name`` unchanged when the vocabulary does not know it. For labels that a
    page wrote in capitals and the parser re-cased word by word."""
    table = _vocabulary().spelling
    return table.get(name.casefold()) or table.get(name_key(name), name)


def split_places(labels: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A byline's labels split into (countries, sections): ``("Mexico", "China and Crime")``
    -> ``(("Mexico",), ("China and Crime",))``; countries as the vocabulary spells them."""
    places: list[str] = []
    sections: list[str] = []
    for text in labels:
        if canonical(text) is not None:
            places.append(spelling(text))
        elif text.strip():
            sections.append(text)
    return tuple(places), tuple(sections)
