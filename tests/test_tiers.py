"""The test tiers hold: a test that reads the shared corpora is marked ``corpus``, so the quick
tier (``-m 'not slow and not corpus and not heavy'``) never reads them."""

from __future__ import annotations

import pytest
from shared_paths import CORPORA, corpus


def test_an_unmarked_test_reading_a_corpus_fails() -> None:
    with pytest.raises(AssertionError, match="reads the shared corpus cacm: mark it"):
        corpus("cacm")


@pytest.mark.corpus
def test_a_marked_test_reads_it() -> None:
    assert corpus("cacm") == CORPORA / "cacm"  # (skips when ../shared is absent)
