"""Country and section columns: filters that accept any name of a country, facets that count it
once.

The countries column holds ISO codes (:mod:`searchlib.countries`); segments written before the
vocabulary hold the names as written (``Peru`` and ``Perú`` side by side). Both compare through
one key: the country's code when the vocabulary knows the name, else the name with case and
accents ignored. So ``country:Brasil`` finds a document tagged ``Brazil``, ``EEUU`` one tagged
``usa``, and a facet counts Peru once however its documents wrote it.
"""

from __future__ import annotations

import functools
from collections import Counter

import attrs
import numpy as np

from searchlib.analysis import get_analyzer
from searchlib.countries import (
    by_code,
    canonical,
    label,
    may_continue_name,
    may_start_name,
    name_key,
    named,
)
from searchlib.schema import PLACE_COLUMNS, TEXT_FIELDS
from searchlib.seam import SegmentSource
from searchlib.search.arrays import unique
from searchlib.search.query import (
    And,
    AndMaybe,
    AndNot,
    DateRange,
    Every,
    Fuzzy,
    Not,
    NullQuery,
    Or,
    Phrase,
    Prefix,
    Query,
    Synonyms,
    Term,
    TermRange,
    Wildcard,
    boosted,
)

__all__ = [
    "PLACE_COLUMNS",
    "count_places",
    "expand_places",
    "place_key",
    "place_mask",
    "place_names",
]


def place_key(value: str, column: str = "countries") -> str:
    """The comparison key of a country (its code, else its folded name) or a section (its
    folded name)."""
    if column == "countries":
        code = canonical(value)
        if code is not None:
            return code
    return name_key(value)


def _source(seg: SegmentSource, column: str) -> tuple[str, list[str | None]]:
    """The column that holds ``column``'s values in ``seg``, and each table entry's key (None:
    an entry that belongs to the other place column). A segment written before the sections
    column kept every byline label in countries: there, labels the vocabulary does not know
    are its sections."""
    legacy = "sections" not in seg.cols
    source = "countries" if legacy else column
    keys: list[str | None] = []
    for value in seg.col_tables.get(source, ()):
        is_country = canonical(value) is not None
        if legacy and (column == "sections") == is_country:
            keys.append(None)
        else:
            keys.append(place_key(value, column))
    return source, keys


def place_names(seg: SegmentSource, column: str) -> list[str]:
    """The values of ``column`` in ``seg`` as a prefix, wildcard or fuzzy clause may match
    them: each country by its English and Spanish names (the column holds codes; other names
    would let ``bol*`` reach the Bolivarian Republic of Venezuela), each section as written."""
    source, keys = _source(seg, column)
    out: list[str] = []
    for value, key in zip(seg.col_tables.get(source, ()), keys, strict=True):
        if key is None:
            continue
        country = by_code(key) if column == "countries" else None
        out.extend((country.en, country.es) if country is not None else (value,))
    return out


def _doc_codes(seg: SegmentSource, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(document number, table code) of every value of a multi-valued column."""
    off = seg.cols[f"{column}_off"].astype(np.int64)
    codes = seg.cols[column]
    docs = np.repeat(np.arange(seg.ndocs, dtype=np.int64), np.diff(off))
    return docs, codes.astype(np.int64)


def place_mask(seg: SegmentSource, column: str, value: str) -> np.ndarray:
    """Which documents of ``seg`` have ``value`` in ``column`` (any name of the same country)."""
    mask = np.zeros(seg.ndocs, dtype=bool)
    want = place_key(value, column)
    source, keys = _source(seg, column)
    codes = [i for i, k in enumerate(keys) if k == want]
    if codes:
        docs, values = _doc_codes(seg, source)
        mask[docs[np.isin(values, codes)]] = True
    return mask


def count_places(
    seg: SegmentSource, column: str, docs: np.ndarray, lang: str | None, out: Counter[str]
) -> None:
    """Add to ``out`` how many of ``docs`` hold each place of ``column``: a document counts
    once per country however many of its names it holds; countries are labelled in ``lang``
    (English unless "es"), sections as first written."""
    source, keys = _source(seg, column)
    if not docs.size or not any(k is not None for k in keys):
        return
    table = seg.col_tables[source]
    distinct = sorted({k for k in keys if k is not None})
    key_id = {k: i for i, k in enumerate(distinct)}
    lut = np.array([-1 if k is None else key_id[k] for k in keys], dtype=np.int64)
    all_docs, values = _doc_codes(seg, source)
    chosen = np.zeros(seg.ndocs, dtype=bool)
    chosen[docs] = True
    keep = chosen[all_docs] & (lut[values] >= 0)
    pairs = unique(all_docs[keep] * len(distinct) + lut[values[keep]])
    counts = np.bincount(pairs % len(distinct), minlength=len(distinct))
    shown = {k: table[keys.index(k)] for k in distinct}
    for i, n in enumerate(counts.tolist()):
        if n:
            name = shown[distinct[i]]
            out[label(name, lang or "en") if column == "countries" else name] += n


# -- country names as equivalent terms in queries -------------------------------------------------

MAX_NAME_WORDS = 5
"""Longest country name, in words, looked for among a query's adjacent terms."""

_TEXT_FIELDS = (None, *TEXT_FIELDS)


@functools.cache
def _equivalents(code: str) -> tuple[tuple[str, ...], ...]:
    """The names of a country worth searching for, as word tuples: one per distinct analysis
    (``USA`` and ``U.S.A.`` are one), none that merely extends a shorter one (``United States
    of America`` finds nothing ``United States`` does not)."""
    country = by_code(code)
    if country is None:
        return ()
    analysed: list[tuple[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]]] = []
    for name in sorted(country.text_names, key=lambda n: len(n.split())):
        forms = _forms(tuple(name.split()))
        if not any(forms) or any(_contains(forms, seen) for _, seen in analysed):
            continue
        analysed.append((tuple(name.split()), forms))
    return tuple(words for words, _ in analysed)


def _contains(
    forms: tuple[tuple[str, ...], tuple[str, ...]], shorter: tuple[tuple[str, ...], tuple[str, ...]]
) -> bool:
    """Whether each language's terms of ``forms`` hold those of ``shorter`` as a run."""
    for long, short in zip(forms, shorter, strict=True):
        if not short or not any(long[i : i + len(short)] == short for i in range(len(long))):
            return False
    return True


@functools.lru_cache(maxsize=4096)
def _forms(words: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    text = " ".join(words)
    return tuple(get_analyzer("en").terms(text)[0]), tuple(get_analyzer("es").terms(text)[0])


def _variants(code: str, field: str | None, words: tuple[str, ...], written: Query) -> Query:
    """``written`` (the ``words`` of the query) or any other name of the country, each
    document scored by the best of them."""
    children: list[Query] = [written]
    mine = _forms(words)
    for name in _equivalents(code):
        if _forms(name) != mine:
            leaf: Query = Term(field, name[0]) if len(name) == 1 else Phrase(field, name)
            children.append(leaf)
    return Synonyms(children) if len(children) > 1 else written


def expand_places(query: Query) -> Query:
    """``query`` with every country name (a term, a phrase, or adjacent terms such as
    ``United States``) also matching the country's other names in both languages: ``EEUU``
    finds ``Estados Unidos`` and ``U.S.``. Only plain words of the text fields are expanded;
    ``country:`` and other column clauses are filters, left as they are."""
    if isinstance(query, Term) and query.field in _TEXT_FIELDS:
        code = named(query.text)
        if code is not None:
            word: Query = attrs.evolve(query, boost=1.0)
            return boosted(_variants(code, query.field, (query.text,), word), query.boost)
        return query
    if isinstance(query, Phrase) and query.field in _TEXT_FIELDS and query.slop == 0:
        code = named(" ".join(query.words))
        if code is not None:
            phrase: Query = attrs.evolve(query, boost=1.0)
            return boosted(_variants(code, query.field, query.words, phrase), query.boost)
        return query
    if isinstance(query, Synonyms):
        return query
    if isinstance(query, (And, Or)):
        if all(_unnamed(c) for c in query.children):
            return query  # (most queries: no word of them may name a country)
        children = _expand_runs([c if _unnamed(c) else expand_places(c) for c in query.children])
        if all(a is b for a, b in zip(children, query.children, strict=False)) and len(
            children
        ) == len(query.children):
            return query  # no name of a country: the same query
        return attrs.evolve(query, children=children)
    if isinstance(query, Not):
        return attrs.evolve(query, child=expand_places(query.child))
    if isinstance(query, AndNot):
        return attrs.evolve(
            query, positive=expand_places(query.positive), negative=expand_places(query.negative)
        )
    if isinstance(query, AndMaybe):
        return attrs.evolve(
            query, required=expand_places(query.required), optional=expand_places(query.optional)
        )
    return query


_NO_RUN = object()  # (a field value no term has)

_UNNAMED = frozenset({Prefix, Wildcard, Fuzzy, Every, NullQuery, DateRange, TermRange})
"""Node types :func:`expand_places` leaves as they are, and no run of words goes through."""

_INERT: dict[Term, bool] = {}
_INERT_SIZE = 50_000


def _unnamed(q: Query) -> bool:
    """Whether :func:`expand_places` gives ``q`` as it is (or an equal node) and no run of
    words goes through it."""
    kind = type(q)
    if kind is Term:
        return _inert(q)  # type: ignore[arg-type]
    return kind in _UNNAMED or (kind is Not and type(q.child) in _UNNAMED)  # type: ignore[union-attr]


def _inert(term: Term) -> bool:
    """Whether :func:`expand_places` leaves the word as it is and no run of words (see
    :func:`_expand_runs`) can start at it: it names no country and starts no name (kept per
    word: the country names are fixed)."""
    found = _INERT.get(term)
    if found is None:
        text = term.field in _TEXT_FIELDS
        found = not (text and named(term.text) is not None) and not (
            text and term.boost == 1.0 and may_start_name(term.text)
        )
        if len(_INERT) >= _INERT_SIZE:
            _INERT.clear()
        _INERT[term] = found
    return found


def _expand_runs(children: list[Query]) -> list[Query]:
    """Adjacent plain terms of one field that together name a country (``United``,
    ``States``) become one clause for the country."""
    out: list[Query] = []
    # each child's field when it is a plain term of a text field that may start a country's
    # name (else _NO_RUN): a run is children of one such field, the first starting a name
    fields = [
        t.field
        if isinstance(t, Term)
        and not (type(t) is Term and _inert(t))
        and t.boost == 1.0
        and t.field in _TEXT_FIELDS
        and may_start_name(t.text)
        else _NO_RUN
        for t in children
    ]
    i = 0
    while i < len(children):
        if fields[i] is _NO_RUN:  # no run starting here names a country
            out.append(children[i])
            i += 1
            continue
        second = children[i + 1] if i + 1 < len(children) else None
        if (
            type(second) is Term
            and second.boost == 1.0
            and second.field == fields[i]
            and not may_continue_name(f"{children[i].text} {second.text}")  # type: ignore[union-attr]
        ):  # no run of two words or more starting here names a country
            out.append(children[i])
            i += 1
            continue
        for n in range(min(MAX_NAME_WORDS, len(children) - i), 1, -1):
            run = children[i : i + n]
            if not all(
                isinstance(t, Term) and t.boost == 1.0 and t.field == fields[i] for t in run[1:]
            ):
                continue
            words = tuple(t.text for t in run)  # type: ignore[union-attr]
            code = named(" ".join(words))
            if code is not None:
                field = run[0].field  # type: ignore[union-attr]
                out.append(_variants(code, field, words, Phrase(field, words)))
                i += n
                break
        else:
            out.append(children[i])
            i += 1
    return out
