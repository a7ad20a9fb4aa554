"""Hits: a matched document as a :class:`~searchlib.search.results.Hit`, from the segment's
columns and (for snippets and related items) its stored fields, with its twin when asked."""

from __future__ import annotations

import datetime as _dt
import weakref
from collections.abc import Sequence
from functools import partial
from typing import cast

import attrs
import orjson

from searchlib._types import LANGS
from searchlib.countries import canonical, label, split_places
from searchlib.index.documents import legacy_places
from searchlib.schema import COLUMN_TABLES, FILTER_FIELDS, LANG_COLUMN, StoredDoc, field_name
from searchlib.seam import NO_DATE, IndexSource, SegmentSource
from searchlib.search.context import SearchContext
from searchlib.search.highlight import (
    MAX_SCAN_CHARS,
    SCAN_CHARS,
    Snippet,
    TermPositions,
    first_indexed_position,
    make_snippet,
)
from searchlib.search.query import (
    BagOfWords,
    CrossLingual,
    InLanguage,
    Node,
    Phrase,
    Term,
    TermGroups,
    iter_terms,
)
from searchlib.search.results import Hit, TwinRef
from searchlib.search.twins import twins_for

__all__ = ["Matcher", "build_hit", "column_hit", "term_matcher", "with_twin"]

_EPOCH = _dt.date(1970, 1, 1)
_LANG_TABLE = COLUMN_TABLES[LANG_COLUMN]
_KIND_TABLE = COLUMN_TABLES["kind"]


class Matcher(dict[str, frozenset[str] | None]):
    """Per language, the terms a query looks for (None: nothing to mark in that language),
    and where they occur in each segment's fields (:class:`TermPositions`), looked up once for
    the hits of one search."""

    __slots__ = ("positions",)

    def __init__(self, terms: dict[str, frozenset[str] | None]) -> None:
        super().__init__(terms)
        self.positions: dict[tuple[int, str], TermPositions] = {}

    def matches(
        self, seg: SegmentSource, seg_idx: int, field: str, docnum: int, terms: frozenset[str]
    ) -> list[tuple[int, str]]:
        """:func:`~searchlib.search.highlight.indexed_matches` of ``terms`` (this matcher's
        terms of the field's language) in document ``docnum`` of segment ``seg_idx``."""
        found = self.positions.get((seg_idx, field))
        if found is None:
            found = self.positions[(seg_idx, field)] = TermPositions(seg, field, terms)
        return found.matches(docnum)


def term_matcher(q: Node, ctx: SearchContext) -> Matcher:
    """Per language, the terms the query looks for. Prefix, wildcard and fuzzy leaves
    contribute the terms they expanded to during the search."""
    exact: dict[str, set[str]] = {"en": set(), "es": set()}
    for (lang, *_), terms in ctx.expansions().items():
        exact[lang].update(terms)
    _add_terms(q, LANGS, ctx, exact)
    # None: nothing to mark in that language (``*``, a column filter), no text to analyse.
    return Matcher({lang: frozenset(terms) if terms else None for lang, terms in exact.items()})


def _add_terms(
    node: Node, langs: tuple[str, ...], ctx: SearchContext, exact: dict[str, set[str]]
) -> None:
    """The terms ``node`` looks for, added to ``exact`` per language (a function of its own,
    not a closure calling itself: that cycle would keep the search's context and arrays
    until the garbage collector ran)."""
    if isinstance(node, CrossLingual):
        _add_terms(node.query, langs, ctx, exact)
        _add_terms(node.translation, langs, ctx, exact)
        if node.as_typed is not None:
            _add_terms(node.as_typed, langs, ctx, exact)
    elif isinstance(node, InLanguage):
        _add_terms(node.query, (node.lang,), ctx, exact)
    elif isinstance(node, TermGroups):
        exact[node.lang].update(t for terms, _ in node.groups for t in terms)
    elif isinstance(node, BagOfWords):
        for lang in node.langs or langs:
            exact[lang].update(ctx.analyse(lang, node.text)[0])
    else:
        for leaf in iter_terms(node):
            if leaf.field in FILTER_FIELDS or not isinstance(leaf, (Term, Phrase)):
                continue
            text = leaf.text if isinstance(leaf, Term) else " ".join(leaf.words)
            for lang in langs:
                exact[lang].update(ctx.analyse(lang, text)[0])


def build_hit(
    reader: IndexSource,
    seg_idx: int,
    docnum: int,
    score: float,
    matcher: Matcher | None,
    reason: str | None = None,
    whole: bool = False,
) -> Hit:
    """A hit from the segment's columns and the document's stored fields (everything a
    program needs without a second call). With ``whole`` (related items, found without a
    query) the snippet is the item's teaser, or a brief's first paragraph, whole. Without
    a matcher or ``whole`` (``snippets=False``: ranking only, as evaluation runs), the hit
    comes from the columns alone: countries by their English names, no authors or url.
    A snippet's matches are read from the positions of the field its text was indexed as."""
    seg = reader.segments[seg_idx]
    if matcher is None and not whole:
        return column_hit(seg, docnum, score, None, reason)
    lang = seg.col_tables[_LANG_TABLE][seg.cols[LANG_COLUMN].item(docnum)]
    doc = _shown_fields(seg, docnum)
    teaser = doc.get("teaser") if doc.get("kind") == "related" else None
    text = teaser or "\n\n".join(doc.get("body", ()))
    if matcher is not None:
        terms = matcher[lang]
        field = field_name("teaser" if teaser else "body", lang)
        # positions are used for texts of one scan window (see make_snippet)
        found = (
            matcher.matches(seg, seg_idx, field, docnum, terms)
            if terms is not None and len(text) <= SCAN_CHARS
            else None
        )
        passage = make_snippet(
            text,
            lang,
            None if terms is None else terms.__contains__,
            found=found,
            first_match=(
                partial(first_indexed_position, seg, field, docnum, terms)
                if terms is not None and len(text) > MAX_SCAN_CHARS
                else None
            ),
        )
    elif whole:  # found without a query: the teaser (or first paragraph), whole
        passage = Snippet(teaser or next(iter(doc.get("body", ())), ""))
    else:
        passage = Snippet()
    days = int(seg.cols["date"][docnum])
    countries: tuple[str, ...]
    sections: tuple[str, ...]
    if teaser is not None:  # a related item: its section is a country or a section
        section = doc.get("section") or ""
        known = canonical(section) is not None
        countries = (section,) if known else ()
        sections = (section,) if section and not known else ()
    elif "sections" in doc:
        countries, sections = tuple(doc.get("countries", ())), tuple(doc["sections"])
    else:  # stored before sections had a field: byline labels were all countries
        countries, sections = split_places(doc.get("countries", ()))
    return Hit(
        _doc_id(seg, docnum),
        score,
        seg.col_tables[COLUMN_TABLES["kind"]][int(seg.cols["kind"][docnum])],
        # a brief's stored title is its column title (related items: the column's is the
        # title or the teaser cut), here without decoding the column
        doc.get("title") or "" if teaser is not None or "title" in doc else seg.title(docnum),
        lang,
        None if days == NO_DATE else _EPOCH + _dt.timedelta(days=days),
        countries,
        passage.html(),
        reason,
        passage=passage,
        country_codes=tuple(map(_canonical, countries)),
        sections=sections,
        authors=tuple(doc.get("authors", ())),
        url=doc.get("url"),
        source=doc.get("source") or None,
        teaser=teaser,
    )


def _shown_fields(seg: SegmentSource, docnum: int) -> StoredDoc:
    """The stored fields of a hit: orjson's reading of the document's JSON, which differs
    from :meth:`~searchlib.seam.SegmentSource.stored`'s only in numbers orjson cannot hold
    exactly (none in the fields a hit shows); JSON orjson refuses (lone surrogates, integers
    past 64 bits) and anything but an object go through ``stored``, its checks and errors."""
    try:
        doc = orjson.loads(seg.stored_raw(docnum))
    except orjson.JSONDecodeError:
        return seg.stored(docnum)
    return cast(StoredDoc, doc) if type(doc) is dict else seg.stored(docnum)


def column_hit(
    seg: SegmentSource, docnum: int, score: float, lang: str | None, reason: str | None
) -> Hit:
    """A hit from the segment's columns alone (``snippets=False``: ranking only); ``lang``:
    the document's language, read from its column when None."""
    fields = _column_fields(seg, docnum)
    return Hit(
        fields[0],
        score,
        fields[1],
        fields[2],
        fields[7] if lang is None else lang,
        fields[3],
        fields[4],
        "",
        reason,
        country_codes=fields[5],
        sections=fields[6],
    )


_ColumnFields = tuple[
    str,
    str,
    str,
    "_dt.date | None",
    tuple[str, ...],
    tuple["str | None", ...],
    tuple[str, ...],
    str,
]


def _column_fields(seg: SegmentSource, docnum: int) -> _ColumnFields:
    """What a column hit shows of a document (id, kind, title, date, countries, country
    codes, sections, language), kept per segment (a segment never changes; a document found
    once is often found again), at most :data:`_COLUMN_DOCS` documents a segment."""
    global _LAST_KEPT
    last = _LAST_KEPT  # (the segment of the hit before: most hits are of one segment)
    if last is not None and last[0]() is seg:
        kept = last[1]
    else:
        try:
            found_kept = _COLUMN_KEPT.get(seg)
            if found_kept is None:
                found_kept = _COLUMN_KEPT[seg] = {}
            kept = found_kept
            _LAST_KEPT = (weakref.ref(seg), kept)
        except TypeError:  # (a segment source that cannot be weakly referenced or hashed)
            kept = {}
    found = kept.get(docnum)
    if found is None:
        cols = seg.cols
        days = cols["date"].item(docnum)
        codes: Sequence[str] = seg.doc_values("countries", docnum)
        if "sections" in cols:
            sections: Sequence[str] = seg.doc_values("sections", docnum)
        else:  # written before the sections column: byline labels were all countries
            codes, sections = legacy_places(list(codes))
        countries, country_codes = _places(codes)
        found = (
            _doc_id(seg, docnum),
            seg.col_tables[_KIND_TABLE][cols["kind"].item(docnum)],
            seg.title(docnum),
            None if days == NO_DATE else _date(days),
            countries,
            country_codes,
            tuple(sections),
            seg.col_tables[_LANG_TABLE][cols[LANG_COLUMN].item(docnum)],
        )
        if len(kept) >= _COLUMN_DOCS:
            kept.clear()
        kept[docnum] = found
    return found


_COLUMN_DOCS = 20_000
_COLUMN_KEPT: weakref.WeakKeyDictionary[SegmentSource, dict[int, _ColumnFields]] = (
    weakref.WeakKeyDictionary()
)
_LAST_KEPT: tuple[weakref.ref[SegmentSource], dict[int, _ColumnFields]] | None = None


def _date(days: int) -> _dt.date:
    """The date of a column's day number, kept: a corpus's days are few and never change."""
    found = _DATES.get(days)
    if found is None:
        if len(_DATES) >= 100_000:
            _DATES.clear()
        found = _DATES[days] = _EPOCH + _dt.timedelta(days=days)
    return found


def _places(codes: Sequence[str]) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    """A column hit's countries (:func:`_label` of its codes) and country codes
    (:func:`_canonical`), kept per list of codes (a corpus's lists are few)."""
    key = tuple(codes)
    found = _PLACES.get(key)
    if found is None:
        if len(_PLACES) >= 10_000:
            _PLACES.clear()
        found = _PLACES[key] = (
            tuple(_label(c) for c in key),
            tuple(_canonical(c) for c in key),
        )
    return found


def _label(code: str) -> str:
    """:func:`~searchlib.countries.label` of a column's country code (English), kept: the
    codes are few and their labels never change."""
    found = _LABELS.get(code)
    if found is None:
        if len(_LABELS) >= 10_000:
            _LABELS.clear()
        found = _LABELS[code] = label(code)
    return found


def _doc_id(seg: SegmentSource, docnum: int) -> str:
    """The id of a document, decoded alone where the segment can (a first query's hits do
    not decode every segment's whole id table)."""
    one = getattr(seg, "doc_id", None)
    return str(one(docnum)) if one is not None else seg.ids[docnum]


def _canonical(code: str) -> str | None:
    """:func:`~searchlib.countries.canonical` of a column's country code, kept likewise."""
    if code in _CANONICAL:
        return _CANONICAL[code]
    if len(_CANONICAL) >= 10_000:
        _CANONICAL.clear()
    found = _CANONICAL[code] = canonical(code)
    return found


_LABELS: dict[str, str] = {}
_DATES: dict[int, _dt.date] = {}
_PLACES: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str | None, ...]]] = {}
_CANONICAL: dict[str, str | None] = {}


def with_twin(reader: IndexSource, hit: Hit) -> Hit:
    """``hit`` with its twin's id, language and title (when the story has a twin)."""
    twin = twins_for(reader).get(hit.id)
    loc = None if twin is None else reader.locate(twin)
    if twin is None or loc is None:
        return hit
    seg = reader.segments[loc[0]]
    lang = seg.col_tables[COLUMN_TABLES[LANG_COLUMN]][int(seg.cols[LANG_COLUMN][loc[1]])]
    return attrs.evolve(hit, twin=twin, twin_ref=TwinRef(twin, lang, seg.title(loc[1])))
