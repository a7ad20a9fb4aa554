"""``np.unique`` for the search path, without its cost on the first query.

numpy 2's ``np.unique`` asks ``np.ma.is_masked`` about its argument, which imports
``numpy.ma`` (about 16 ms, once per process, on the first query that counts or phrases).
These are the same results, by a sort and a comparison of neighbours.
"""

from __future__ import annotations

import numpy as np

__all__ = ["unique", "unique_counts", "unique_pairs"]


def _heads(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values of the sorted 1-d ``ordered`` starts (a mask)."""
    heads = np.empty(ordered.size, dtype=bool)
    if ordered.size:
        heads[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=heads[1:])
    return heads


def unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)``: the sorted distinct values (flattened)."""
    ordered: np.ndarray = np.sort(values, axis=None)
    distinct: np.ndarray = ordered[_heads(ordered)]
    return distinct


def unique_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_counts=True)``: the sorted distinct values and how often
    each occurs."""
    ordered: np.ndarray = np.sort(values, axis=None)
    starts = np.flatnonzero(_heads(ordered))
    counts = np.diff(np.append(starts, ordered.size))
    return ordered[starts], counts


def unique_pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pairs ``(first[i], second[i])`` in lexicographic order, as two arrays:
    ``np.unique(np.stack([first, second]), axis=1)``."""
    order = np.lexsort((second, first))
    a, b = first[order], second[order]
    keep = _heads(a)
    if b.size:
        keep[1:] |= b[1:] != b[:-1]
    return a[keep], b[keep]
