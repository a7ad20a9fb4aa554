"""A huge text is scanned a slice at a time (bounded temporary arrays): its chunk ids and count
are exactly those of scanning it whole, wherever the slices are cut."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import searchlib.analysis.analyzers as analyzers
from searchlib.analysis.analyzers import Analyzer, _slices

PIECES = st.sampled_from(
    ["said", "Said,", "U.S.", "dogs'", "2,000", "3.5", "٣,٤", "O'Brien", "el", "niño", ",", ".",
     "'", "-", "(x)", "a.b", "\u00a0", "ab.", "x.", " ", "  ", "\n", "\t", "policía", "ÑANDÚ"]
)  # fmt: skip
TEXTS = st.lists(st.lists(PIECES, max_size=40).map("".join), min_size=1, max_size=4)


@pytest.mark.parametrize("lang", ["en", "es"])
@given(texts=TEXTS, size=st.integers(1, 12))
@settings(max_examples=150, deadline=None)
def test_sliced_scan_equals_whole_scan(lang: str, texts: list[str], size: int) -> None:
    analyzer = Analyzer(lang)
    table = analyzer.table()
    whole_ids, whole_counts = analyzer.chunk_ids_batch(texts, table)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(analyzers, "_SCAN_CHARS", size)
        ids, counts = analyzer.chunk_ids_batch(texts, table)
    assert counts.tolist() == whole_counts.tolist()
    assert np.array_equal(ids, whole_ids)
    # the table still answers as a fresh analyzer's tokenizer does
    assert analyzer.terms(" ".join(texts)) == Analyzer(lang).terms(" ".join(texts))


def test_slices_cut_before_an_ascii_space_only() -> None:
    text = "ab cd\u00a0ef\ngh " + "x" * 30
    parts = list(_slices(text, 3))
    assert "".join(parts) == text
    assert all(p[0] in " \n" for p in parts[1:])
    assert parts[-1].endswith("x" * 30)  # no space past the last cut: left whole
