"""Notes on filter values that name nothing the index can match.

``lang:fr``, ``--country Atlantis`` or ``kind:nope`` filter every document out: the search
answers 0 hits, and these notes (``Results.warnings``) say why. A language other than
English and Spanish, a country the country table (:mod:`searchlib.countries`) does not know
(with the closest name it knows, when one is close), a kind or section no document of the
snapshot has (its value tables, every segment).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

from searchlib._types import is_lang
from searchlib.countries import canonical, countries, name_key
from searchlib.seam import IndexSource
from searchlib.search.columns import column_match
from searchlib.search.query import AndMaybe, AndNot, Not, Phrase, Term

__all__ = ["LANG_NOTE", "filter_notes"]

LANG_NOTE = "searchlib knows English (en) and Spanish (es)"

_NAMES = ("lang", "kind", "country", "section")  # the Filters attribute of each column field


def _clauses(node: object) -> Iterator[tuple[str, str]]:
    """(field, value) of every column clause of a query tree: ``country:peru``,
    ``country:"united states"``."""
    if isinstance(node, Term) and node.field in _NAMES:
        yield node.field, node.text
    elif isinstance(node, Phrase) and node.field in _NAMES:
        yield node.field, " ".join(node.words)
    elif isinstance(node, Not):
        yield from _clauses(node.child)
    elif isinstance(node, AndNot):
        yield from _clauses(node.positive)
        yield from _clauses(node.negative)
    elif isinstance(node, AndMaybe):
        yield from _clauses(node.required)
        yield from _clauses(node.optional)
    else:
        for child in getattr(node, "children", ()):
            yield from _clauses(child)


@functools.cache
def _country_keys() -> dict[str, str]:
    """Name key -> a name as the table writes it (English and Spanish short names)."""
    out: dict[str, str] = {}
    for c in countries():
        for name in (c.en, c.es):
            out.setdefault(name_key(name), name)
    return out


def close_country(value: str) -> str | None:
    """The country name of the table closest to ``value`` when one is close (``Atlantis``:
    none; ``Peur``: Peru)."""
    from rapidfuzz import fuzz, process

    keys = _country_keys()
    found = process.extractOne(name_key(value), list(keys), scorer=fuzz.ratio, score_cutoff=75)
    return None if found is None else keys[found[0]]


def _matches_nothing(reader: IndexSource, field: str, value: str) -> bool:
    return not any(column_match(seg, field, value).any() for seg in reader.segments)


def _note(reader: IndexSource, field: str, value: str, written: str) -> str | None:
    if field == "lang":
        return None if is_lang(value.casefold()) else f"{written}: {LANG_NOTE}"
    if field == "country":
        if canonical(value) is not None or not _matches_nothing(reader, field, value):
            return None
        near = close_country(value)
        return f"no country {value!r}" + (f" (did you mean {near!r}?)" if near else "")
    if not _matches_nothing(reader, field, value):
        return None
    note = f"no document has {field} {value!r}"
    if field == "kind":  # a handful of kinds: name them
        kinds = sorted({k for seg in reader.segments for k in seg.col_tables.get("kinds", ())})
        note += f" (kinds: {', '.join(kinds)})" if kinds else ""
    return note


def filter_notes(
    reader: IndexSource, query: object, filters: Sequence[tuple[str, str | None]]
) -> list[str]:
    """One note per filter value that can match nothing in ``reader``: the column clauses of
    ``query`` (a query tree) and ``filters`` (``(field, value)``, value None when unset)."""
    notes: list[str] = []
    for field, value in _clauses(query):
        if value and (note := _note(reader, field, value, f"{field}:{value}")):
            notes.append(note)
    for field, given in filters:
        name = "doc_lang" if field == "lang" else field
        if given and (note := _note(reader, field, given, f"{name}={given}")):
            notes.append(note)
    return notes
