"""Hypothesis properties of parse_page and strip_boilerplate on arbitrary and page-like text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib.errors import IngestError
from searchlib.ingest import parse_page, strip_boilerplate
from searchlib.ingest.layout import LAYOUTS, MONTHS
from searchlib.records import Brief

_WORDS = st.text(
    alphabet=st.sampled_from("abcñáéíóúü ABCÑÁÉ'’-.,/:¿?¡!0123456789\u00a0\t"), max_size=40
)
_MONTH = st.sampled_from([*MONTHS, "FOO", "Sep", "sept."])
_UPPER = st.sampled_from(["PERU", "PERÚ", "MEXICO, GUATEMALA", "CHINA AND CRIME", "X", "US"])
_DATE = st.builds("{} {} {}".format, st.integers(0, 40), _MONTH, st.integers(1, 3000))
_BYLINE = st.builds(
    "{} / {}{}{}".format,
    _UPPER,
    _DATE,
    st.sampled_from(["", " BY GEOFFREY RAMSEY", " POR ANA Y JUAN", " BY", " POR"]),
    st.sampled_from(["", " EN", " ES", " FR"]),
)
_FIXED = st.sampled_from(
    sorted(
        {
            line
            for lay in LAYOUTS.values()
            for group in (
                lay.related_headings,
                lay.about_headings,
                lay.drop_lines,
                lay.drop_prefixes,
                lay.tail_prefixes,
                lay.see_also,
                tuple(lay.kinds),
                lay.breadcrumb_prefixes,
            )
            for line in group
        }
        | {"HomeNewsBrief", "InicioNoticias", ":", "https://insightcrime.org/news/x/", "URL: x"}
    )
)
_LINE = st.one_of(_WORDS, _BYLINE, _DATE, _FIXED, st.text(max_size=30))
_PAGE = st.builds(
    lambda lines, sep: sep.join(lines),
    st.lists(_LINE, max_size=25),
    st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"]),
)


def _parse_or_none(text: str) -> Brief | None:
    try:
        return parse_page(text, "prop.txt")
    except IngestError as exc:
        assert exc.path == "prop.txt"
        assert exc.line is None or 1 <= exc.line <= text.count("\n") + 1
        return None


@settings(deadline=None)
@given(st.one_of(st.text(), _PAGE))
def test_parse_page_raises_only_ingest_errors(text: str) -> None:
    """Whatever the text, parse_page returns a Brief or raises IngestError (with a valid line)."""
    _parse_or_none(text)


@settings(deadline=None)
@given(_PAGE)
def test_every_body_word_of_a_parsed_page_occurs_in_its_source(text: str) -> None:
    """Parsing only selects text: each body, title and teaser word is in the source."""
    brief = _parse_or_none(text)
    if brief is None:
        return
    words = [w for p in brief.body for w in p.split()] + brief.title.split()
    words += [w for r in brief.related for w in r.teaser.split()]
    words += [w for a in brief.about for w in (a.teaser + " " + a.title).split()]
    for word in words:
        assert word in text
    assert brief.lang in LAYOUTS


@settings(deadline=None)
@given(st.lists(st.one_of(_WORDS, _FIXED), max_size=20), st.sampled_from(["en", "es", "xx"]))
def test_strip_boilerplate_keeps_an_ordered_subset(paragraphs: list[str], lang: str) -> None:
    """strip_boilerplate only removes: its output is a subsequence of the stripped input."""
    out = strip_boilerplate(paragraphs, lang)
    rest = iter(p.strip() for p in paragraphs)
    assert all(any(p == q for q in rest) for p in out)
