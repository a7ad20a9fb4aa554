"""Term lookup in a segment (``SegmentReader.term_ord``): a binary search of the stored term
table, which must find every term at its ordinal and nothing else, whatever the bytes. A
field's first terms are found by a plain binary search, the later ones through a table of
their first 8 bytes: both are tested (``_BISECT_FIRST`` 0: always the table, a billion:
never)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import searchlib
from searchlib.index import segment as segment_module
from searchlib.index.segment import SegmentReader
from searchlib.records import Brief

WORDS = [
    "a",
    "ab",
    "abc",
    "abcdefgh",  # exactly the 8 bytes the search compares first
    "abcdefghi",
    "abcdefghij",
    "abcdefgg",
    "abcdefgz",
    "internationalization",
    "internationalizations",
    "zz",
    "año",
    "ano",
    "añoñoñoñoñ",
    "ñandú",
    "über",
    "ζeta",
    "日本",
    "2011",
    "2,000",
]


def _segment(words: list[str]) -> SegmentReader:
    index = searchlib.create_index()
    index.add(Brief(id="d", lang="es", title="t", body=[" ".join(words)]))
    index.commit()
    (segment,) = index.reader.segments
    return segment


@pytest.mark.parametrize("bisect_first", [0, 32, 10**9])
def test_every_term_is_found_at_its_ordinal_and_no_other_string_is(
    bisect_first: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segment_module, "_BISECT_FIRST", bisect_first)
    segment = _segment(WORDS)
    for field in segment.field_names:
        terms = segment.terms(field)
        assert terms == sorted(terms)
        for ordinal, term in enumerate(terms):
            assert segment.term_ord(field, term) == ordinal
    terms = segment.terms("body.es")
    assert "abcdefgh" in terms and "abcdefghi" in terms and "ñandu" in terms
    for absent in [
        "",
        "abcd",
        "abcdefg",
        "abcdefgha",
        "abcdefghz",
        "internationalizatio",
        "zzz",
        "an",
        "ñ",
        "\udc80",
        "\x00",
        "abcdefgh\x00",
        "ab\x00",
    ]:
        assert absent not in terms
        assert segment.term_ord("body.es", absent) == -1
    assert segment.term_ord("no.such.field", "abc") == -1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.text(st.characters(categories=["Ll", "Lo", "Nd"]), min_size=1, max_size=12),
        min_size=1,
        max_size=30,
    )
)
def test_lookup_agrees_with_the_decoded_terms(words: list[str]) -> None:
    segment = _segment(words)
    terms = segment.terms("body.es")
    index = {t: i for i, t in enumerate(terms)}
    probes = [*terms, *words, *(w + "x" for w in words), *(w[:-1] for w in words)]
    for word in probes:  # the first 32 by a plain binary search, the others by the heads
        assert segment.term_ord("body.es", word) == index.get(word, -1)
    fresh = _segment(words)
    for word in probes:
        assert fresh._bisect_term("body.es", word) == index.get(word, -1)
