"""Country and section columns: filters that accept any name of a country, facets that count it
once.

The countries column holds ISO codes (:mod:`searchlib.countries`); segments written before the
vocabulary hold the names as written (``Peru`` and ``Perú`` side by side). Both compare through
one key: the country's code when the vocabulary knows the name, else the name with case and
accents ignored. So ``country:Brasil`` finds a document tagged ``Brazil``, ``EEUU`` one tagged
``usa``, and a facet counts Peru once however its documents wrote it.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from searchlib.countries import canonical, label, name_key
from searchlib.index import SegmentReader

__all__ = ["PLACE_COLUMNS", "count_places", "place_key", "place_mask"]

PLACE_COLUMNS = ("countries", "sections")


def place_key(value: str, column: str = "countries") -> str:
    """The comparison key of a country (its code, else its folded name) or a section (its
    folded name)."""
    if column == "countries":
        code = canonical(value)
        if code is not None:
            return code
    return name_key(value)


def _keys(seg: SegmentReader, column: str) -> list[str]:
    return [place_key(v, column) for v in seg.col_tables.get(column, ())]


def _doc_codes(seg: SegmentReader, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(document number, table code) of every value of a multi-valued column."""
    off = seg.cols[f"{column}_off"].astype(np.int64)
    codes = seg.cols[column]
    docs = np.repeat(np.arange(seg.ndocs, dtype=np.int64), np.diff(off))
    return docs, codes.astype(np.int64)


def place_mask(seg: SegmentReader, column: str, value: str) -> np.ndarray:
    """Which documents of ``seg`` have ``value`` in ``column`` (any name of the same country)."""
    mask = np.zeros(seg.ndocs, dtype=bool)
    if column not in seg.cols:
        return mask
    want = place_key(value, column)
    codes = [i for i, k in enumerate(_keys(seg, column)) if k == want]
    if codes:
        docs, values = _doc_codes(seg, column)
        mask[docs[np.isin(values, codes)]] = True
    return mask


def count_places(
    seg: SegmentReader, column: str, docs: np.ndarray, lang: str | None, out: Counter[str]
) -> None:
    """Add to ``out`` how many of ``docs`` hold each place of ``column``: a document counts
    once per country however many of its names it holds; countries are labelled in ``lang``
    (English unless "es"), sections as first written."""
    if column not in seg.cols or not docs.size:
        return
    table = seg.col_tables[column]
    keys = _keys(seg, column)
    distinct = sorted(set(keys))
    key_id = {k: i for i, k in enumerate(distinct)}
    lut = np.array([key_id[k] for k in keys], dtype=np.int64)
    all_docs, values = _doc_codes(seg, column)
    chosen = np.zeros(seg.ndocs, dtype=bool)
    chosen[docs] = True
    keep = chosen[all_docs]
    pairs = np.unique(all_docs[keep] * len(distinct) + lut[values[keep]])
    counts = np.bincount(pairs % len(distinct), minlength=len(distinct))
    shown = {k: table[keys.index(k)] for k in distinct}
    for i, n in enumerate(counts.tolist()):
        if n:
            name = shown[distinct[i]]
            out[label(name, lang or "en") if column == "countries" else name] += n
