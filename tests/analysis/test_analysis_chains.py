"""The must-hold behaviour of the English and Spanish chains, with exact terms."""

from __future__ import annotations

import pytest

from searchlib.analysis import Analyzer, Token, fold_accents, get_analyzer
from searchlib.errors import AnalysisError

EN = get_analyzer("en")
ES = get_analyzer("es")


def single(analyzer: Analyzer, word: str) -> str:
    terms, _ = analyzer.terms(word)
    assert len(terms) == 1, (word, terms)
    return terms[0]


@pytest.mark.parametrize(
    ("lang", "words", "term"),
    [
        ("es", ["Perú", "peru", "PERU"], "peru"),
        ("en", ["Perú", "peru"], "peru"),
        ("es", ["policía", "policías", "policia"], "polici"),
        ("es", ["gobierno", "gobiernos"], "gobiern"),
        ("es", ["narcotráfico", "NARCOTRAFICO"], "narcotraf"),
        ("es", ["país", "países"], "pais"),
        ("es", ["erradicación", "erradicacion"], "errad"),
        ("es", ["año", "años"], "año"),
        ("es", ["joven", "jóvenes"], "jov"),
        ("es", ["régimen", "regímenes"], "regim"),
        ("es", ["ciudad", "ciudades"], "ciud"),
        ("es", ["mujer", "mujeres"], "muj"),
        ("es", ["EE.UU.", "EEUU"], "eeuu"),
        ("en", ["president's", "President’s", "presidents", "president"], "presid"),
        ("en", ["eradication", "eradicate"], "erad"),
        ("en", ["U.S.", "US", "u.s."], "us"),
        ("en", ["2,000", "2000", "2.000"], "2000"),
        ("es", ["23,5", "23.5"], "23.5"),
    ],
)
def test_same_single_term(lang: str, words: list[str], term: str) -> None:
    analyzer = get_analyzer(lang)
    assert [single(analyzer, w) for w in words] == [term] * len(words)


def test_enye_is_not_folded() -> None:
    assert single(ES, "año") != single(ES, "ano")
    assert single(ES, "niño") != single(ES, "nino")
    assert (single(ES, "niño"), single(ES, "nino")) == ("niñ", "nin")
    assert fold_accents("Perú año pingüino ÁFRICA") == "Peru año pinguino AFRICA"


def test_stop_words_only() -> None:
    assert ES.terms("de la") == ([], [])
    assert EN.terms("the of") == ([], [])
    assert ES.term("de") == "" and EN.term("the") == ""


def test_cross_language_words_kept() -> None:
    # content words of the other language are not stop words
    assert EN.term("once") == "onc"
    assert ES.term("once") == "once"
    assert EN.term("no") == "no" and ES.term("no") == "no"
    assert [ES.term(w) for w in ("con", "sin", "son", "estado")] == ["con", "sin", "son", "estad"]


def test_acronym_drug_officials() -> None:
    assert EN.terms("U.S. drug officials") == (["us", "drug", "offici"], [0, 1, 2])


def test_positions_keep_stop_word_gaps() -> None:
    assert EN.terms("the war on drugs") == (["war", "drug"], [1, 3])
    assert ES.terms("la guerra contra el narcotráfico") == (["guerr", "narcotraf"], [1, 4])


def test_hyphen_splits_numbers_and_money() -> None:
    assert EN.terms("anti-drug agents seized $38 million, 23.5 tons") == (
        ["anti", "drug", "agent", "seiz", "38", "million", "23.5", "ton"],
        [0, 1, 2, 3, 4, 5, 6, 7],
    )


def test_tokens_offsets() -> None:
    text = "O’Brien's anti-drug unit"
    assert EN.tokens(text) == [
        Token("o'brien", 0, 0, 9),
        Token("anti", 1, 10, 14),
        Token("drug", 2, 15, 19),
        Token("unit", 3, 20, 24),
    ]
    assert text[0:9] == "O’Brien's"


def test_terms_equals_tokens() -> None:
    text = "La Policía Nacional del Perú (PNP) decomisó 2.000 kilos de cocaína en el VRAEM."
    tokens = ES.tokens(text)
    assert ES.terms(text) == ([t.term for t in tokens], [t.position for t in tokens])


def test_normalize() -> None:
    assert ES.normalize("Policías") == "policias"
    assert EN.normalize("President’s") == "president"
    assert ES.normalize("NIÑOS") == "niños"
    assert EN.normalize("U.S.") == "us"


def test_unknown_language() -> None:
    with pytest.raises(AnalysisError):
        get_analyzer("fr")
    assert get_analyzer("en") is EN
