"""The English<->Spanish lexicon: exact translations both ways, greedy phrases, user files."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchlib.analysis import Lexicon, load_lexicon
from searchlib.errors import AnalysisError

LEX = load_lexicon()


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("drug trafficking", "narcotráfico"),
        ("gang", "pandilla"),
        ("extortion", "extorsión"),
        ("kidnapping", "secuestro"),
        ("cocaine", "cocaína"),
        ("Peru", "Perú"),
        ("Peruvian", "peruano"),
        ("Mexico", "México"),
        ("money laundering", "lavado de dinero"),
        ("hitman", "sicario"),
        ("prosecutor", "fiscal"),
        ("prison", "cárcel"),
        ("coca growers", "cocaleros"),
        ("extradition", "extradición"),
    ],
)
def test_both_directions(english: str, spanish: str) -> None:
    assert spanish in LEX.translate(english, "en")
    assert english in LEX.translate(spanish, "es")


def test_exact_outputs() -> None:
    assert LEX.translate("drug trafficking", "en") == ["narcotráfico", "tráfico de drogas"]
    assert LEX.translate("NARCOTRAFICO", "es")[0] == "drug trafficking"
    assert LEX.translate("Perú", "es") == ["Peru"]
    assert LEX.translate("peru", "es") == ["Peru"]
    assert LEX.translate("cocaine seizures", "en") == ["cocaína", "incautaciones", "decomisos"]


def test_greedy_longest_match_and_stems() -> None:
    assert LEX.translate("the drug trafficking gangs", "en") == [
        "narcotráfico",
        "tráfico de drogas",
        "pandillas",
        "bandas",
    ]
    assert LEX.translate("kidnappings", "en")[0] == "secuestros"
    assert LEX.translate("Fujimori", "es") == []
    assert LEX.translate("Fujimori", "es", keep_unknown=True) == ["Fujimori"]


def test_size_and_errors(tmp_path: Path) -> None:
    assert len(LEX) >= 3000
    with pytest.raises(AnalysisError):
        LEX.translate("x", "fr")
    bad = tmp_path / "bad.tsv"
    bad.write_text("only one column\n", encoding="utf-8")
    with pytest.raises(AnalysisError):
        load_lexicon([bad])


def test_user_file(tmp_path: Path) -> None:
    extra = tmp_path / "mine.tsv"
    extra.write_text("# mine\nneighborhood watch\tronda vecinal\n", encoding="utf-8")
    lexicon = load_lexicon([extra])
    assert lexicon.translate("Neighborhood Watch", "en") == ["ronda vecinal"]
    assert lexicon.translate("ronda vecinal", "es") == ["neighborhood watch"]
    small = Lexicon([("gang", "pandilla")])
    assert len(small) == 1 and small.lookup("pandillas", "es") == ["gang"]


def test_tables_are_built_per_direction_on_first_use_and_rebuilt_after_add() -> None:
    """The lookup tables of a direction are built lazily: a pair added after a lookup is found,
    the count of distinct pairs is that of the eager tables, bad entries fail at add."""
    lex = Lexicon([("Peru", "Perú"), ("Peru", "Perú"), ("PERU", "Perú"), ("drug", "droga")])
    assert len(lex) == 3 and repr(lex) == "<Lexicon 3 pairs>"  # PERU differs on one side
    assert lex.lookup("drugs", "en") == ["droga"]
    assert lex.lookup("kidnappings", "en") == []
    lex.add("kidnapping", "secuestro")
    assert lex.lookup("kidnappings", "en") == ["secuestro"]
    assert lex.lookup("secuestros", "es") == ["kidnapping"]
    assert lex.lookup("peru", "es") == ["Peru", "PERU"]
    assert len(lex) == 4
    with pytest.raises(AnalysisError, match="has no words"):
        lex.add("...", "nada")
    assert len(lex) == 4
