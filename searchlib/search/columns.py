"""Clauses on the document fields: columns (lang, kind, country, section), ids, authors, dates.

They filter (match or not) and never score. Values compare ignoring case and accents (``ñ``
kept), so ``country:peru`` finds ``Perú``; ``country`` and ``section`` accept any name of a
country (:mod:`searchlib.search.places`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from searchlib._types import LANGS
from searchlib.analysis import fold_accents, folded_matches
from searchlib.countries import canonical
from searchlib.index.documents import date_to_days
from searchlib.schema import (
    AUTHOR_FIELD,
    COLUMN_FIELDS,
    COLUMN_TABLES,
    ID_FIELD,
    PLACE_COLUMNS,
    field_name,
)
from searchlib.seam import NO_DATE, SegmentSource
from searchlib.search.expansion import word_matcher
from searchlib.search.places import place_mask, place_names
from searchlib.search.query import DateRange, Fuzzy, Prefix, TermRange, Wildcard

__all__ = [
    "column_match",
    "column_values",
    "date_range",
    "has_text",
    "id_values",
    "term_range",
]


def column_match(seg: SegmentSource, field: str, value: str) -> np.ndarray:
    mask = np.zeros(seg.ndocs, dtype=bool)
    if field == ID_FIELD:
        d = seg.docnum(value)
        if d >= 0:
            mask[d] = True
        return mask
    column = COLUMN_FIELDS[field]
    if column == "sections" and canonical(value) is not None:
        # a country's page is a section of the site too: section:colombia finds Colombia
        either: np.ndarray = place_mask(seg, "sections", value) | place_mask(
            seg, "countries", value
        )
        return either
    if column in PLACE_COLUMNS:
        return place_mask(seg, column, value)
    for code in folded_matches(seg.col_tables[COLUMN_TABLES[column]], value):
        mask[seg.cols[column] == code] = True
    return mask


def column_values(seg: SegmentSource, node: Prefix | Wildcard | Fuzzy, field: str) -> np.ndarray:
    """Documents whose column value (country, kind...; case and accents ignored) the multi-term
    leaf accepts: ``country:bol*``."""
    column = COLUMN_FIELDS[field]
    if column in PLACE_COLUMNS:  # every name of the countries (or sections) present
        names = place_names(seg, column)
    else:
        names = seg.col_tables[COLUMN_TABLES[column]]
    values = sorted({fold_accents(v).casefold() for v in names})
    matcher = word_matcher(node, lambda w: fold_accents(w).casefold())
    mask = np.zeros(seg.ndocs, dtype=bool)
    for i in matcher(values):
        mask |= column_match(seg, field, values[i])
    return mask


def id_values(seg: SegmentSource, node: Prefix | Wildcard | Fuzzy) -> np.ndarray:
    """Documents whose id the multi-term leaf accepts (ids as written: case counts). Ids
    often share their length and head (``reuters-00001``), so fuzzy ids are compared in C."""
    ids = seg.ids
    if isinstance(node, Wildcard) and not node.pattern.strip("*"):
        return np.ones(seg.ndocs, dtype=bool)
    mask = np.zeros(seg.ndocs, dtype=bool)
    if isinstance(node, Fuzzy):
        head = node.text[: node.prefixlength]
        near = [i for i, d in enumerate(ids) if d.startswith(head)]
        from rapidfuzz import process  # imported by the fuzzy path only
        from rapidfuzz.distance import Levenshtein

        found = process.extract(
            node.text,
            [ids[i] for i in near],
            scorer=Levenshtein.distance,
            score_cutoff=min(node.maxdist, 2),
            limit=None,
        )
        mask[[near[k] for _, _, k in found]] = True
        return mask
    order = sorted(range(len(ids)), key=ids.__getitem__)
    matcher = word_matcher(node, str)
    mask[[order[i] for i in matcher([ids[i] for i in order])]] = True
    return mask


def has_text(seg: SegmentSource, field: str) -> np.ndarray:
    """Documents with some text in ``field`` (in either language): ``author:*``."""
    mask = np.zeros(seg.ndocs, dtype=bool)
    for lang in LANGS:
        lengths = seg.lengths.get(field_name(field, lang))
        if lengths is not None:
            mask |= lengths > 0
    return mask


def date_range(seg: SegmentSource, node: DateRange) -> np.ndarray:
    dates = seg.cols["date"].astype(np.int64)
    mask = dates != NO_DATE
    if node.start is not None:
        lo = date_to_days(node.start)
        mask &= dates > lo if node.startexcl else dates >= lo
    if node.end is not None:
        hi = date_to_days(node.end)
        mask &= dates < hi if node.endexcl else dates <= hi
    out: np.ndarray = mask
    return out


def _in_range(value: str, node: TermRange, fold: Callable[[str], str]) -> bool:
    v = fold(value)
    if node.start is not None:
        start = fold(node.start)
        if v <= start if node.startexcl else v < start:
            return False
    if node.end is not None:
        end = fold(node.end)
        if v >= end if node.endexcl else v > end:
            return False
    return True


def term_range(seg: SegmentSource, node: TermRange) -> np.ndarray:
    """Ranges over a column (kind, lang, country) compare the column's values as text, ignoring
    case; over ids, the ids as written; over authors, the byline's words, ignoring case and
    accents. Other fields have no range (nothing matches)."""
    mask = np.zeros(seg.ndocs, dtype=bool)
    if node.field == ID_FIELD:
        ids = seg.ids
        mask[[i for i, d in enumerate(ids) if _in_range(d, node, str)]] = True
        return mask
    if node.field == AUTHOR_FIELD:
        fold = lambda w: fold_accents(w).casefold()  # noqa: E731
        for lang in LANGS:
            field = field_name(AUTHOR_FIELD, lang)
            for i, term in enumerate(seg.terms(field)):
                if _in_range(term, node, fold):
                    mask[seg.postings_at(field, i)[0]] = True
        return mask
    if node.field not in COLUMN_FIELDS:
        return mask
    column = COLUMN_FIELDS[node.field]
    for value in seg.col_tables.get(COLUMN_TABLES[column], ()):
        if _in_range(value, node, str.casefold):
            mask |= column_match(seg, node.field, value)
    return mask
