"""The segment builder's sorting helper: a radix stable argsort equal to numpy's merge sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib.index.builder import stable_argsort


@settings(max_examples=100, deadline=None)
@given(
    keys=st.lists(st.integers(0, 70_000), max_size=300),
    high=st.sampled_from([1, 1 << 16, 1 << 20, (1 << 32) - 1]),
)
def test_stable_argsort_equals_numpy_stable_sort(keys: list[int], high: int) -> None:
    arr = np.array([k % high for k in keys], dtype=np.int64)
    assert stable_argsort(arr).tolist() == np.argsort(arr, kind="stable").tolist()


def test_stable_argsort_keeps_the_order_of_equal_keys_across_both_digits() -> None:
    keys = np.array([70_000, 5, 70_000, 5, 1 << 17, 5], dtype=np.int64)
    assert stable_argsort(keys).tolist() == [1, 3, 5, 0, 2, 4]
