"""The tables ``derived.py`` builds ahead of time from the shipped data, as a search reads
them (no builder and no nltk imported here)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import orjson

__all__ = [
    "LEXICON_TABLES_FILE",
    "LazyTable",
    "LazyWords",
    "data_dir",
    "derived_detect_words",
    "derived_lexicon_table",
    "forget_shipped_tables",
    "has_derived_tables",
    "key_heads",
    "lexicon_digest",
    "shipped_digest",
    "shipped_json",
    "shipped_lexicon_digest",
    "shipped_lexicon_texts",
]

LEXICON_TABLES_FILE = "lexicon_tables.json"


def data_dir() -> Path:
    """The package's analysis data folder (where the derived tables are written)."""
    return Path(str(resources.files("searchlib.analysis").joinpath("data")))


def shipped_lexicon_texts() -> list[tuple[str, str]]:
    """(file name, text) of every shipped ``lexicon_*.tsv``, in name order."""
    return list(_shipped_texts()[0])


@cache
def shipped_lexicon_digest() -> str:
    """:func:`lexicon_digest` of :func:`shipped_lexicon_texts` (computed once), from the
    files' bytes when they hold no carriage return (which reading them as text makes a
    newline): a first query does not decode the texts to encode them again, and parses
    them only when the shipped tables are not theirs. (Bytes that are no UTF-8 text digest
    to what no text does: no shipped table matches them, and reading their text raises.)"""
    from hashlib import sha256  # (see lexicon_digest)

    h = sha256()
    for entry in _lexicon_entries():
        raw = entry.read_bytes()
        if b"\r" in raw:
            return _shipped_texts()[1]
        h.update(entry.name.encode("utf-8") + b"\0" + raw + b"\0")
    return h.hexdigest()


def _lexicon_entries() -> list[Any]:
    """The shipped ``lexicon_*.tsv`` files (importlib resources), in name order."""
    data = resources.files("searchlib.analysis").joinpath("data")
    return [
        entry
        for entry in sorted(data.iterdir(), key=lambda e: e.name)
        if entry.name.startswith("lexicon_") and entry.name.endswith(".tsv")
    ]


@cache
def _shipped_texts() -> tuple[tuple[tuple[str, str], ...], str]:
    texts = tuple((entry.name, entry.read_text(encoding="utf-8")) for entry in _lexicon_entries())
    return texts, lexicon_digest(texts)


def lexicon_digest(texts: Sequence[tuple[str, str]]) -> str:
    """The sha256 of the lexicon files (names and contents) the tables derive from."""
    from hashlib import sha256  # here: hashlib loads OpenSSL (2 ms of every start)

    h = sha256()
    for name, text in texts:
        h.update(name.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return h.hexdigest()


@cache
def shipped_json() -> dict[str, Any] | None:
    """The whole of the shipped ``lexicon_tables.json`` parsed (None: absent or not JSON)."""
    path = resources.files("searchlib.analysis").joinpath(f"data/{LEXICON_TABLES_FILE}")
    try:
        data = orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def forget_shipped_tables() -> None:
    """Read the shipped tables again at their next use (after ``derived.py`` rewrote them)."""
    shipped_json.cache_clear()
    _shipped_parts.cache_clear()
    _shipped_texts.cache_clear()
    shipped_lexicon_digest.cache_clear()


_TEXT_LOOKUPS = 24
"""Keys a :class:`LazyTable` looks for in its rows' text before it parses them all."""


class LazyTable(Mapping[str, list[str]]):
    """One lookup table of ``lexicon_tables.json`` (keys -> translations) read from the text
    of its rows as ``derived.py`` renders them, one row a line (``   "key": ["a", "b"]``).

    Parsing the four tables of the file makes some 60,000 objects (about 8 ms); a first query
    looks up a few dozen keys. So a key is first found in the text (a search for its row's
    start: the key as ``json.dumps`` writes it, which is unique in a table), and only the row
    found is parsed; the rows are all parsed at the :data:`_TEXT_LOOKUPS`-th lookup, or as
    soon as the table is iterated or measured. Either way a key maps to the same list."""

    __slots__ = ("_asks", "_found", "_parsed", "_rows")

    def __init__(self, rows: bytes) -> None:
        """``rows``: the rows of the table joined by ``,\\n``, as the file holds them."""
        self._rows = b"\n" + rows + b",\n" if rows else b""
        self._parsed: dict[str, list[str]] | None = None
        self._found: dict[str, list[str] | None] = {}
        self._asks = 0

    def table(self) -> dict[str, list[str]]:
        """Every row, parsed (once)."""
        if self._parsed is None:
            parsed = orjson.loads(b"{" + self._rows[1:-2] + b"}")
            if not isinstance(parsed, dict):  # pragma: no cover - rows are an object's
                raise ValueError("the rows of a lexicon table are not an object")
            self._parsed = parsed
        return self._parsed

    def get(self, key: str, default: Any = None) -> Any:
        parsed = self._parsed
        if parsed is not None:
            return parsed.get(key, default)
        if key in self._found:
            found = self._found[key]
            return default if found is None else found
        self._asks += 1
        if self._asks > _TEXT_LOOKUPS or not isinstance(key, str):
            return self.table().get(key, default)
        needle = _utf8(f"\n   {json.dumps(key, ensure_ascii=False)}: ")
        at = self._rows.find(needle)
        if at < 0:
            self._found[key] = None
            return default
        start = at + len(needle)
        end = self._rows.index(b",\n", start)  # (no JSON string holds a line break)
        value = orjson.loads(self._rows[start:end])
        self._found[key] = value
        return value

    def __getitem__(self, key: str) -> list[str]:
        found: list[str] | None = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.table())

    def __len__(self) -> int:
        return len(self.table())

    def heads(self) -> KeyHeads:
        """Per first word of the keys of several words, the most words such a key has."""
        return KeyHeads(self)


def key_heads(keys: Iterable[str]) -> dict[str, int]:
    """Per first word of the ``keys`` holding a space (entries of several words, their words
    joined by spaces), the most words such a key has: a run of words whose first word is not
    there is no entry longer than one word."""
    most: dict[str, int] = {}
    for key in keys:
        if " " in key:
            n = key.count(" ") + 1
            first = key.partition(" ")[0]
            if most.get(first, 1) < n:
                most[first] = n
    return most


class KeyHeads(Mapping[str, int]):
    """:func:`key_heads` of the keys of a :class:`LazyTable`: found per word asked in the
    table's text (the rows whose key starts with the word and a space) for the first
    :data:`_TEXT_LOOKUPS` distinct words, then all of them at once from the parsed rows (a
    dict, as when iterated), as soon as the table parses its rows or at the next new word:
    the words kept are at most :data:`_TEXT_LOOKUPS`, however many a process asks."""

    __slots__ = ("_all", "_memo", "_table")

    def __init__(self, table: LazyTable) -> None:
        self._table = table
        self._memo: dict[str, int] = {}
        self._all: dict[str, int] | None = None

    def _every(self) -> dict[str, int]:
        if self._all is None:
            self._all = key_heads(self._table.table())
            self._memo = {}  # (answered by the dict from now on)
        return self._all

    def get(self, first: str, default: Any = None) -> Any:
        if self._all is None and self._table._parsed is not None:
            self._every()  # (the rows are parsed: a dict from now on)
        if self._all is not None:
            return self._all.get(first, default)
        if not isinstance(first, str) or " " in first:
            return default  # (no key's first word holds a space)
        most = self._memo.get(first)
        if most is None:
            if len(self._memo) >= _TEXT_LOOKUPS:
                return self._every().get(first, default)  # (parses the table's rows)
            rows = self._table._rows
            # a key's JSON starts with its first word's JSON, less the closing quote
            start = _utf8(f"\n   {json.dumps(first, ensure_ascii=False)[:-1]} ")
            most = 0
            at = rows.find(start)
            while at >= 0:
                end = rows.index(b",\n", at)
                row = orjson.loads(b"{" + rows[at:end] + b"}")
                most = max(most, *(k.count(" ") + 1 for k in row))
                at = rows.find(start, end)
            self._memo[first] = most
        return default if most == 0 else most

    def __getitem__(self, first: str) -> int:
        found: int | None = self.get(first)
        if found is None:
            raise KeyError(first)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._every())

    def __len__(self) -> int:
        return len(self._every())


_Parts = tuple[str, dict[str, tuple[bytes, bytes, int]], bytes]


def _utf8(text: str) -> bytes:
    """``text`` in UTF-8 (a lone surrogate kept: bytes no valid file holds)."""
    return text.encode("utf-8", "surrogatepass")


@cache
def _shipped_parts() -> _Parts | None:
    """The shipped file cut where ``derived.py``'s rendering puts each part, unparsed: the
    digest, per direction the rows of its exact and stemmed tables and its longest entry, the
    detection words' JSON; None when the file is absent or laid out otherwise (then
    :func:`shipped_json` parses it whole)."""
    path = resources.files("searchlib.analysis").joinpath(f"data/{LEXICON_TABLES_FILE}")
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None
    head = b'{\n "digest": "'
    if not text.startswith(head):
        return None
    at = text.find(b'",\n', len(head))
    digest = text[len(head) : at]
    if not digest.isalnum() or not digest.isascii():
        return None
    at += 3
    tables: dict[str, tuple[bytes, bytes, int]] = {}
    for src in ("en", "es"):
        cut: list[bytes] = []
        for before, after in (
            (_utf8(f' "{src}": {{\n  "exact": {{\n'), b"\n  },\n"),
            (b'  "stemmed": {\n', b"\n  },\n"),
            (b'  "longest": ', b"\n },\n"),
        ):
            if not text.startswith(before, at):
                return None
            at += len(before)
            end = text.find(after, at)
            if end < 0:
                return None
            cut.append(text[at:end])
            at = end + len(after)
        if not cut[2].isdigit():
            return None
        tables[src] = (cut[0], cut[1], int(cut[2]))
    before = b' "detect": '
    if not (text.startswith(before, at) and text.endswith(b"}\n}\n")):
        return None
    return digest.decode("ascii"), tables, text[at + len(before) : -3]


def shipped_digest() -> str | None:
    """The digest of the lexicon files the shipped tables were built from (None: no tables)."""
    parts = _shipped_parts()
    if parts is not None:
        return parts[0]
    data = shipped_json()
    digest = data.get("digest") if data is not None else None
    return digest if isinstance(digest, str) else None


def has_derived_tables(digest: str) -> bool:
    """Whether the shipped derived tables were built from the lexicon files of ``digest``."""
    return shipped_digest() == digest


def derived_lexicon_table(
    src: str,
) -> tuple[Mapping[str, list[str]], Mapping[str, list[str]], int]:
    """The shipped lexicon's prebuilt lookup tables of ``src`` (see :meth:`Lexicon._table`),
    to be used once :func:`has_derived_tables` said they are the shipped lexicon's: each a
    :class:`LazyTable` when the file is laid out as ``derived.py`` writes it."""
    parts = _shipped_parts()
    if parts is not None:
        exact, stemmed, longest = parts[1][src]
        return LazyTable(exact), LazyTable(stemmed), longest
    data = shipped_json()
    assert data is not None
    table = data[src]
    return table["exact"], table["stemmed"], int(table["longest"])


def derived_detect_words(digest: str) -> tuple[AbstractSet[str], AbstractSet[str]] | None:
    """The prebuilt one-language words of the lexicon for language detection (English only,
    Spanish only), or None unless they were built from the lexicon files of ``digest``:
    :class:`LazyWords` when the file is laid out as ``derived.py`` writes it."""
    if not has_derived_tables(digest):
        return None
    parts = _shipped_parts()
    if parts is not None:
        en, _, es = parts[2].partition(_DETECT_ES)
        if en.startswith(b'{"en": ') and es.endswith(b"}"):
            return LazyWords(en[7:]), LazyWords(es[:-1])
    data = shipped_json()
    assert data is not None
    detect = data["detect"]
    return frozenset(detect["en"]), frozenset(detect["es"])


_S = TypeVar("_S")

_DETECT_ES = b', "es": '
"""Between the two lists of the detection words (``json.dumps(..., sort_keys=True)``)."""


class LazyWords(AbstractSet[str]):
    """A list of words of ``lexicon_tables.json`` (``["a", "b"]``, as ``json.dumps`` writes
    it) as a set: a word is first looked for in the text, ``"word"`` (the list's words are
    letters and apostrophes, written as they are; a match of a word without a quote, a
    backslash or a control character that does not start with the ``,`` or ``]`` after a
    closing quote starts at an opening quote, and ends at that string's end), the whole list
    parsed at the :data:`_TEXT_LOOKUPS`-th lookup or when iterated or measured."""

    __slots__ = ("_asks", "_parsed", "_text")

    def __init__(self, text: bytes) -> None:
        self._text = text
        self._parsed: frozenset[str] | None = None
        self._asks = 0

    def words(self) -> frozenset[str]:
        """Every word, parsed (once)."""
        if self._parsed is None:
            parsed = orjson.loads(self._text)
            if not isinstance(parsed, list):  # pragma: no cover - a list as derived.py writes
                raise ValueError("detection words are not a list")
            self._parsed = frozenset(parsed)
        return self._parsed

    def __contains__(self, word: object) -> bool:
        if self._parsed is not None:
            return word in self._parsed
        self._asks += 1
        if (
            self._asks > _TEXT_LOOKUPS
            or not isinstance(word, str)
            or not word.isprintable()
            or '"' in word
            or "\\" in word
            or word[:1] in (",", "]")  # (a match would start at a closing quote)
        ):
            return word in self.words()
        return _utf8(f'"{word}"') in self._text

    def __iter__(self) -> Iterator[str]:
        return iter(self.words())

    def __len__(self) -> int:
        return len(self.words())

    def __hash__(self) -> int:
        return hash(self.words())  # (equal to a frozenset of the same words, as it hashes)

    @classmethod
    def _from_iterable(cls, words: Iterable[_S], /) -> frozenset[_S]:
        """What the set operators (``&``, ``|``, ``-``, ``^``) give: a frozenset, as when the
        words were one (not a :class:`LazyWords`, whose argument is the list's text)."""
        return frozenset(words)
