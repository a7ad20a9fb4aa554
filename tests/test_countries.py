"""The country vocabulary: one code per country, whatever language or variant names it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchlib import countries as C

SAME = [
    ("US", ["United States", "Estados Unidos", "EEUU", "EE.UU.", "EE. UU.", "USA", "U.S.", "usa"]),
    ("PE", ["Peru", "Perú", "PERU", "PERÚ", "per"]),
    ("BR", ["Brazil", "Brasil", "BRASIL"]),
    ("MX", ["Mexico", "México", "MÉXICO", "Méjico"]),
    ("DE", ["Germany", "Alemania", "west-germany"]),
    ("GB", ["United Kingdom", "UK", "Reino Unido", "Britain", "uk"]),
    ("CI", ["Ivory Coast", "Côte d'Ivoire", "Costa de Marfil", "ivory-coast"]),
    ("SUHH", ["USSR", "Soviet Union", "URSS", "Unión Soviética", "ussr"]),
    ("DO", ["Dominican Republic", "República Dominicana", "dominican-republic"]),
]


@pytest.mark.parametrize(("code", "names"), SAME, ids=[c for c, _ in SAME])
def test_every_variant_names_one_code(code: str, names: list[str]) -> None:
    assert {C.canonical(n) for n in names} == {code}


@pytest.mark.parametrize(
    "section", ["China and Crime", "China y Crimen", "Armas y Seguridad", "The Organization", ""]
)
def test_sections_are_no_country(section: str) -> None:
    assert C.canonical(section) is None


def test_labels_in_each_language() -> None:
    assert (C.label("EEUU", "en"), C.label("EEUU", "es")) == ("United States", "Estados Unidos")
    assert (C.label("PE", "es"), C.label("Peru", "en")) == ("Perú", "Peru")
    assert C.label("Atlantis", "es") == "Atlantis"


def test_spelling_restores_what_the_page_wrote() -> None:
    # the byline parser re-cases EEUU to "Eeuu" and PERÚ to "Perú"
    assert C.spelling("Eeuu") == "EEUU"
    assert C.spelling("PERÚ") == "Perú" and C.spelling("PERU") == "Peru"
    assert C.spelling("Atlantis") == "Atlantis"


def test_split_places() -> None:
    assert C.split_places(["Mexico", "China and Crime", "Eeuu"]) == (
        ("Mexico", "EEUU"),
        ("China and Crime",),
    )


def test_every_reuters_place_is_known() -> None:
    reuters = "usa uk canada japan west-germany france brazil china hong-kong south-korea"
    for name in reuters.split() + ["trinidad-tobago", "uae", "yemen-arab-republic", "zaire"]:
        assert C.canonical(name) is not None, name


def test_table_is_consistent() -> None:
    table = C.countries()
    assert len({c.code for c in table}) == len(table) >= 249
    for c in table:
        assert c.en and c.es
        for name in c.names:
            assert C.canonical(name) == c.code, (name, c.code)


def test_codes_match_iso_3166() -> None:
    pycountry = pytest.importorskip("pycountry")
    ours = {c.code: c for c in C.countries()}
    for country in pycountry.countries:
        assert ours[country.alpha_2].alpha3 == country.alpha_3
        assert C.canonical(country.name) == country.alpha_2


NAMES = [(c.code, n) for c in C.countries() for n in c.names]


@given(st.sampled_from(NAMES), st.sampled_from(["upper", "lower", "hyphens", "the"]))
def test_names_survive_case_and_punctuation(pair: tuple[str, str], how: str) -> None:
    code, name = pair
    written = {
        "upper": name.upper(),
        "lower": name.lower(),
        "hyphens": name.replace(" ", "-"),
        "the": "The " + name,
    }[how]
    assert C.canonical(written) == code


def test_may_start_name_never_rejects_a_name_and_rejects_plain_words() -> None:
    """The cheap first-word check before named(): a country's name (any form, as written,
    in capitals, after "the") always passes; most query words do not."""
    may_start_name, named = C.may_start_name, C.named
    for country in C.countries():
        for name in (*country.names, *(n.upper() for n in country.names)):
            assert may_start_name(name), name
            assert may_start_name(f"the {name}"), name
    for word in ("How", "many", "points", "did", "defense", "surrender?", "policía"):
        assert not may_start_name(word), word
        assert named(f"{word} Peru") is None
    for word in ("", " Peru", "EE.", "Estados", "the", "U.S.", "Perú"):
        assert may_start_name(word), word


def test_may_continue_name_never_rejects_a_name_and_rejects_plain_runs() -> None:
    """The check before a run of words is tried as a name (search/places.py): the first two
    words of any name of several words (as written, in capitals, after "the") pass; two words
    that start no name do not, and the runs they start name no country."""
    may_continue_name, named = C.may_continue_name, C.named
    for country in C.countries():
        for name in (*country.names, *(n.upper() for n in country.names)):
            for text in (name, f"the {name}", f"The {name}"):
                words = text.split()
                if len(words) >= 2 and named(text) is not None:
                    assert may_continue_name(" ".join(words[:2])), text
    for run in ("the name", "el año", "the stock", "What was"):
        assert not may_continue_name(run), run
        assert named(f"{run} Peru") is None
        assert named(f"{run} of the") is None
    for run in ("the United", "Estados Unidos", "EE. UU.", "the the", "El Salvador"):
        assert may_continue_name(run), run


def test_names_table_agrees_with_the_whole_table() -> None:
    # named(), may_start_name() and canonical() of a code read _names() (made from the text
    # alone) before, or instead of, the whole table: both must say the same.
    keys, heads, codes = C._names()
    vocabulary = C._vocabulary()
    assert heads == vocabulary.heads
    assert {k for k in keys.values() if k} == set(vocabulary.by_name)
    assert all(C.name_key(name) == key for name, key in keys.items())
    assert codes == {
        C.name_key(n): c.code for c in vocabulary.by_code.values() for n in (c.code, c.alpha3) if n
    }
    assert all(vocabulary.by_key[key] == code for key, code in codes.items())
    # canonical() of a name reads _name_codes(): the whole table's codes of the names' keys
    assert C._name_codes() == {k: vocabulary.by_key[k] for k in keys.values() if k}
    assert {**vocabulary.by_key, **C._name_codes(), **codes} == vocabulary.by_key
    assert set(vocabulary.by_key) == set(codes) | set(C._name_codes())
    assert C.canonical("per") == C.canonical("PE") == "PE"
