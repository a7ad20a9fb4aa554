"""Term lookup in a segment (``SegmentReader.term_ord``): a binary search of the stored term
table, which must find every term at its ordinal and nothing else, whatever the bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import searchlib
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


def test_every_term_is_found_at_its_ordinal_and_no_other_string_is() -> None:
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
    for word in [*terms, *words, *(w + "x" for w in words), *(w[:-1] for w in words)]:
        assert segment.term_ord("body.es", word) == index.get(word, -1)
