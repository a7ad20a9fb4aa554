"""Hypothesis properties of the analyzers: offsets, re-analysis, robustness, idempotence."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib.analysis import detect_language, get_analyzer

LANGS = st.sampled_from(["en", "es"])
WORDY = st.text(
    alphabet=st.sampled_from(list("abcñáéíóúüN'’-.,$ 0123456789ÁÑ\u0301\t\n")), max_size=60
)
ANY_TEXT = st.one_of(st.text(max_size=80), WORDY)


@settings(max_examples=300, deadline=None)
@given(lang=LANGS, text=ANY_TEXT)
def test_offsets_in_order_and_reanalysis(lang: str, text: str) -> None:
    analyzer = get_analyzer(lang)
    tokens = analyzer.tokens(text)
    last_end, last_pos = 0, -1
    for token in tokens:
        assert 0 <= last_end <= token.start < token.end <= len(text)
        assert token.position > last_pos
        last_end, last_pos = token.end, token.position
        surface = text[token.start : token.end]
        assert analyzer.term(surface) == token.term
        assert [t.term for t in analyzer.tokens(surface)] == [token.term]
    assert analyzer.terms(text) == ([t.term for t in tokens], [t.position for t in tokens])


@settings(max_examples=300, deadline=None)
@given(lang=LANGS, text=ANY_TEXT)
def test_never_raises(lang: str, text: str) -> None:
    analyzer = get_analyzer(lang)
    analyzer.terms(text)
    analyzer.term(text)
    analyzer.normalize(text)
    assert detect_language(text) in {"en", "es", "und"}


@settings(max_examples=300, deadline=None)
@given(lang=LANGS, word=ANY_TEXT)
def test_normalize_idempotent(lang: str, word: str) -> None:
    analyzer = get_analyzer(lang)
    once = analyzer.normalize(word)
    assert analyzer.normalize(once) == once


@given(
    lang=LANGS,
    word=st.one_of(ANY_TEXT, st.text(alphabet="abcxyzABC's.,0ñé", min_size=1, max_size=12)),
)
def test_cached_analysis_normalizes_as_normalize(lang: str, word: str) -> None:
    """The analysis keeps ``normalize``'s form, also on its shortcut for plain lowercase
    ASCII words: ``normalize`` of a word the analyzer has analysed (read from its cache) is
    that of a fresh analyzer (computed)."""
    from searchlib.analysis import Analyzer

    fresh = Analyzer(lang).normalize(word)
    analyzer = Analyzer(lang)
    analyzer.term(word)  # analysed: its term and normalized form cached
    assert analyzer.normalize(word) == fresh
