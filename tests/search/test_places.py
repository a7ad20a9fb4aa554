"""Countries and sections: one vocabulary for filters and facets, sections in a field of their
own, and hits that carry what a program needs (issue 14)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import searchlib
from searchlib import Brief, RelatedItem, countries, create_index
from searchlib.analysis import get_analyzer
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.api import Index
from searchlib.ingest import parse_page

D = dt.date


def brief(i: str, lang: str, countries: tuple[str, ...], **kw: object) -> Brief:
    body = (
        "Coca growers and police clashed near the border."
        if lang == "en"
        else ("Los cocaleros y la policía chocaron cerca de la frontera.")
    )
    return Brief(id=i, lang=lang, title=f"Coca {i}", body=[body], countries=countries, **kw)  # type: ignore[arg-type]


@pytest.fixture()
def places() -> Index:
    index = create_index()
    index.add(brief("a", "en", ("Peru",)))
    index.add(brief("b", "es", ("Perú",)))
    index.add(brief("c", "en", ("Brazil", "USA")))
    index.add(brief("d", "es", ("Brasil", "EEUU", "Estados Unidos")))
    index.add(brief("e", "en", ("U.S.",), sections=("China and Crime",)))
    index.add(brief("f", "es", ("EE.UU.",), sections=("Armas y Seguridad",)))
    index.add(brief("g", "en", ("Atlantis",)))
    index.commit()
    return index


def ids(results: searchlib.Results) -> set[str]:
    return {h.id for h in results}


@pytest.mark.parametrize(
    ("country", "want"),
    [
        ("Brazil", {"c", "d"}),
        ("brasil", {"c", "d"}),
        ("BR", {"c", "d"}),
        ("Peru", {"a", "b"}),
        ("PERÚ", {"a", "b"}),
        ("United States", {"c", "d", "e", "f"}),
        ("EE. UU.", {"c", "d", "e", "f"}),
        ("usa", {"c", "d", "e", "f"}),
        ("atlantis", {"g"}),
        ("China and Crime", set()),  # a section, not a country
    ],
)
def test_country_filter_accepts_any_variant(places: Index, country: str, want: set[str]) -> None:
    assert ids(places.search("coca OR cocaleros", 50, country=country)) == want
    assert (
        ids(places.search(f'(coca OR cocaleros) AND country:"{country}"', 50, cross_lingual=False))
        == want
    )


def test_facets_count_a_country_once_labelled_in_the_language_asked(places: Index) -> None:
    en = places.search("coca OR cocaleros", 50, facets=True, cross_lingual=False).facets
    assert en is not None
    assert en["country"] == {"United States": 4, "Peru": 2, "Brazil": 2, "Atlantis": 1}
    assert en["section"] == {"China and Crime": 1, "Armas y Seguridad": 1}
    es = places.search("coca OR cocaleros", 50, lang="es", facets=True, cross_lingual=False)
    assert es.facets is not None
    # d names the United States twice (EEUU, Estados Unidos): counted once
    assert es.facets["country"] == {"Estados Unidos": 2, "Perú": 1, "Brasil": 1}


def test_section_filter_and_field(places: Index) -> None:
    assert ids(places.search("coca OR cocaleros", 50, section="china and crime")) == {"e"}
    assert (
        ids(places.search("(coca OR cocaleros) AND section:armas", 50, cross_lingual=False))
        == set()
    )
    assert ids(
        places.search(
            '(coca OR cocaleros) AND section:"Armas y Seguridad"', 50, cross_lingual=False
        )
    ) == {"f"}


def test_hits_carry_codes_and_names_as_written(places: Index) -> None:
    hits = places.search("cocaleros", 50, country="Brasil", lang="es")
    assert {h.id for h in hits} == {"c", "d"}  # d in Spanish, c through the translation
    hit = next(h for h in hits if h.id == "d")
    assert hit.countries == ("Brasil", "EEUU", "Estados Unidos")
    assert hit.country_codes == ("BR", "US", "US")
    e = places.search("coca", 50, section="China and Crime")[0]
    assert (e.sections, e.to_json()["section"]) == (("China and Crime",), "China and Crime")


def test_byline_sections_are_not_countries() -> None:
    page = parse_page("Title\nCHINA AND CRIME / 14 MAY 2021 BY X EN\nBody text.", source="p.txt")
    assert (page.countries, page.sections) == ((), ("China and Crime",))
    es = parse_page("Título\nEEUU, ARMAS Y SEGURIDAD / 3 ENE 2022 POR X ES\nTexto.", source="q.txt")
    assert (es.countries, es.sections, es.country_codes) == (
        ("EEUU",),
        ("Armas y Seguridad",),
        ("US",),
    )


def test_seeds_humala_counts_peru_once(seeds_index: Path) -> None:
    with searchlib.open_index(seeds_index) as index:
        facets = index.search("Humala", facets=True).facets
        assert facets is not None
        assert facets["country"] == {"Peru": 2}
        es = index.search("Humala", lang="es", facets=True).facets
        assert es is not None and es["country"] == {"Perú": 2}
        twins = index.search("Humala", facets=True, twins=True)
        assert twins.total == 1 and twins.facets is not None
        assert twins.facets["country"] == {"Peru": 1} and twins.facets["lang"] == {"en": 1}
        hit = twins[0]
        assert hit.twin_ref is not None
        assert (hit.twin_ref.id, hit.twin_ref.lang) == ("44fea6efc1d86929", "es")
        assert hit.twin_ref.title.startswith("Humala de Perú pide")
        assert hit.to_json()["twin"] == hit.twin_ref.to_json()
        related = index.search("turtle", limit=5)
        assert not any("China and Crime" in h.countries for h in related)


def test_get_returns_the_related_items(seeds_index: Path) -> None:
    with searchlib.open_index(seeds_index) as index:
        record = index.get("60fa42e6893d93ee")
        assert isinstance(record, Brief)
        assert [r.section for r in record.related] == ["Brazil", "China and Crime", "Brazil"]
        assert all(isinstance(r, RelatedItem) and r.teaser for r in record.related)
        assert record.country_codes == ("PE",)


def test_related_reason_shows_shared_words_as_written_per_hit(seeds_index: Path) -> None:
    """The reason names the words a similar document shares with the one asked about, as that
    one writes them (not stems), and only those this hit holds."""
    with searchlib.open_index(seeds_index) as index:
        source = index.stored("44fea6efc1d86929") or {}
        written = set(TOKEN_RE.findall(" ".join([source["title"], *source["body"]])))
        hits = index.related("44fea6efc1d86929", 20)
        similar = [h for h in hits if (h.reason or "").startswith("similar content: ")]
        assert len(similar) >= 2
        reasons = set()
        analyzer = get_analyzer("es")
        for h in similar:
            words = (h.reason or "").removeprefix("similar content: ").split(", ")
            stored = index.stored(h.id) or {}
            text = " ".join([stored.get("title") or "", *stored.get("body", ())])
            held = set(analyzer.terms(text)[0])
            assert words and set(words) <= written, (h.id, words)
            assert all(analyzer.term(w) in held for w in words), (h.id, words)
            reasons.add(h.reason)
        assert len(reasons) == len(similar)  # each hit's own shared words


def test_empty_title_is_never_shown_bare() -> None:
    index = create_index()
    index.add(Brief(id="x1", lang="en", title="", body=["Coca prices fell in the valley."]))
    index.commit()
    hit = index.search("coca")[0]
    assert hit.title == "" and hit.display_title == "Coca prices fell in the valley."


# -- country names are equivalent terms in queries ------------------------------------------------

US_DOCS = {
    "u1": ("en", "Extradition to the U.S. was approved."),
    "u2": ("en", "The United States approved the extradition."),
    "u3": ("es", "La extradición a EEUU fue aprobada."),
    "u4": ("es", "Estados Unidos aprobó la extradición."),
    "u5": ("es", "EE. UU. aprobó la extradición."),
    "p1": ("en", "Peru approved the extradition."),
    "p2": ("es", "Perú aprobó la extradición."),
}


@pytest.fixture(scope="module")
def names_index() -> Index:
    index = create_index()
    for i, (lang, text) in US_DOCS.items():
        index.add(Brief(id=i, lang=lang, title="", body=[text]))
    index.commit()
    return index


@pytest.mark.parametrize(
    "query",
    ["U.S.", '"United States"', "United States", "EEUU", "EE.UU.", '"Estados Unidos"', "US"],
)
def test_every_name_of_a_country_finds_every_other(names_index: Index, query: str) -> None:
    got = names_index.search(query, 50, cross_lingual=False)
    assert ids(got) == {"u1", "u2", "u3", "u4", "u5"}
    assert any("<b>" in h.snippet for h in got)  # the other names are highlighted as written


def test_country_equivalence_keeps_the_rest_of_the_query(names_index: Index) -> None:
    assert ids(names_index.search("Perú AND extradition", 50, cross_lingual=False)) == {"p1"}
    assert ids(names_index.search("us", 50, cross_lingual=False)) == {"u1"}  # the word, no name
    assert ids(names_index.search("country:peru", 50)) == set()  # a filter, not a name


def test_a_document_is_not_scored_twice_for_two_names() -> None:
    index = create_index()
    index.add(Brief(id="one", lang="es", title="", body=["EEUU y la extradición de capos."]))
    index.add(Brief(id="two", lang="es", title="", body=["EEUU, Estados Unidos: extradición."]))
    index.add(Brief(id="pad", lang="es", title="", body=["Otro texto sobre capos y jueces."]))
    index.commit()
    scores = {h.id: h.score for h in index.search("EEUU", 10, lang="es", cross_lingual=False)}
    plain = {h.id: h.score for h in index.search("eeuu", 10, lang="es", cross_lingual=False)}
    assert set(scores) == {"one", "two"}
    assert scores["two"] <= plain["two"] * 1.0001  # the best name's score, not a sum


NAMED = [
    (c.code, n)
    for c in countries.countries()
    for n in c.text_names
    if countries.named(n) == c.code and len(n) > 3
]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(NAMED), st.data())
def test_any_two_names_of_a_country_are_equivalent(
    pair: tuple[str, str], data: st.DataObject
) -> None:
    code, written = pair
    country = countries.by_code(code)
    assert country is not None
    other = data.draw(st.sampled_from([n for n in country.text_names if len(n) > 3]))
    index = create_index()
    index.add(Brief(id="en", lang="en", title="", body=[f"Officials from {other} met today."]))
    index.add(Brief(id="es", lang="es", title="", body=[f"Funcionarios de {other} se reunieron."]))
    index.add(Brief(id="no", lang="en", title="", body=["Officials met today."]))
    index.commit()
    assert ids(index.search(f'"{written}"', 10, cross_lingual=False)) == {"en", "es"}


# -- an index written before the vocabulary ----------------------------------------------------

LEGACY = Path(__file__).resolve().parents[1] / "data" / "legacy-seeds-index"


@pytest.fixture()
def legacy(tmp_path: Path) -> Path:
    """The seeds indexed by the code before the sections column (countries held every byline
    label, names as written)."""
    path = tmp_path / "legacy"
    shutil.copytree(LEGACY, path)
    return path


def test_an_older_index_reads_countries_and_sections_apart(legacy: Path) -> None:
    with searchlib.open_index(legacy) as index:
        facets = index.search("turtle OR tortuga OR Humala", 20, facets=True).facets
        assert facets is not None
        assert facets["country"] == {"Peru": 2}
        assert facets["section"] == {"China and Crime": 1, "China y Crimen": 1}
        found = index.search("turtle OR tortuga", 20, section="China and Crime")
        assert [(h.lang, h.sections, h.countries) for h in found] == [
            ("en", ("China and Crime",), ())
        ]
        light = index.search("turtle", 5, snippets=False)[0]
        assert (light.countries, light.sections) == ((), ("China and Crime",))


def test_merging_an_older_segment_keeps_sections_apart(legacy: Path) -> None:
    with searchlib.open_index(legacy) as index:
        index.add(
            Brief(id="new", lang="en", title="Turtles", body=["A turtle."], countries=["Peru"])
        )
        index.commit()
        index.optimize()
        assert index.stats()["segments"] == 1
        facets = index.search("turtle", 20, facets=True).facets
        assert facets is not None
        assert facets["country"] == {"Peru": 1} and facets["section"] == {"China and Crime": 1}


SOME = ["US", "PE", "BR", "MX", "GB", "DE", "CO", "SUHH"]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["en", "es"]),
            st.lists(st.tuples(st.sampled_from(SOME), st.integers(0, 30)), max_size=4),
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["en", "es"]),
    st.sampled_from(SOME),
)
def test_facets_and_filters_match_a_naive_count(
    docs: list[tuple[str, list[tuple[str, int]]]], labels: str, wanted: str
) -> None:
    """Documents tagged with random spellings of random countries: a country's facet count is
    the number of documents naming it at least once, under its name in the language asked for;
    a filter by any of its names finds exactly those documents."""
    index = create_index()
    tagged: dict[str, set[str]] = {}
    for i, (lang, tags) in enumerate(docs):
        written = []
        for code, k in tags:
            country = countries.by_code(code)
            assert country is not None
            written.append(country.names[k % len(country.names)])
        index.add(Brief(id=f"d{i}", lang=lang, title="Coca", body=["coca"], countries=written))
        tagged[f"d{i}"] = {code for code, _ in tags}
    index.commit()
    # the query's language names the countries; its translation reaches the other language
    results = index.search("coca", 100, lang=labels, facets=True)
    assert results.total == len(docs)
    want: dict[str, int] = {}
    for codes in tagged.values():
        for code in codes:
            name = countries.by_code(code).name(labels)  # type: ignore[union-attr]
            want[name] = want.get(name, 0) + 1
    assert results.facets is not None and results.facets["country"] == want
    for name in countries.by_code(wanted).names:  # type: ignore[union-attr]
        found = ids(index.search("coca", 100, country=name, cross_lingual=False))
        assert found == {d for d, codes in tagged.items() if wanted in codes}, name
