"""Did-you-mean suggestions on a small in-memory index."""

from __future__ import annotations

import datetime as dt

import pytest

import searchlib
from searchlib.index import IndexReader
from searchlib.records import Brief
from searchlib.search.suggest import suggest

BOTH = ("en", "es")


@pytest.fixture(scope="module")
def reader() -> IndexReader:
    index = searchlib.create_index()
    index.add(
        Brief(
            id="en1",
            lang="en",
            title="Peru's Humala Calls for Closer Anti-Drug Cooperation with US",
            date=dt.date(2011, 9, 23),
            body=[
                "President Ollanta Humala asked for help against cocaine trafficking.",
                "Coca eradication in the Apurimac valley continues.",
            ],
        )
    )
    index.add(
        Brief(
            id="es1",
            lang="es",
            title="Humala pide cooperación antidrogas",
            date=dt.date(2011, 9, 23),
            body=[
                "La erradicación de cultivos ilícitos de coca avanza en Perú.",
                "El gobierno anunció la erradicación de 10.000 hectáreas.",
            ],
        )
    )
    index.commit()
    return index.reader


@pytest.fixture(scope="module")
def english_reader() -> IndexReader:
    index = searchlib.create_index()
    index.add(
        Brief(
            id="c1",
            lang="en",
            title="Police seize cocaine in port",
            body=["Police seized two tons of cocaine hidden in bananas."],
        )
    )
    index.commit()
    return index.reader


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Humla", "Humala"),  # the case of the query word is kept
        ("humla", "humala"),
        ("HUMLA", "HUMALA"),
        ("humla coca", "humala coca"),  # only the unknown word changes
        ("presidnt", "president"),
        ("erradicasion", "erradicación"),  # a real word, accents as written in the documents
        ("cultibos ilicitos", "cultivos ilicitos"),  # "ilicitos" is known (accents fold)
        ("hectarias", "hectáreas"),
        ("title:Humla AND lang:es", "title:Humala AND lang:es"),  # syntax kept around it
    ],
)
def test_unknown_word_is_replaced(reader: IndexReader, query: str, expected: str) -> None:
    assert suggest(reader, query, BOTH) == expected


def test_spanish_word_in_an_english_index_gets_the_english_word(
    english_reader: IndexReader,
) -> None:
    # "cocaina" has df 0 in every field (the index holds the English stem "cocain" of "cocaine"
    # and no Spanish field at all), so it is unknown; the nearest known word is "cocaine".
    assert suggest(english_reader, "cocaina", BOTH) == "cocaine"
    assert suggest(english_reader, "cocaina", ("es",)) is None


@pytest.mark.parametrize(
    "query",
    [
        "Humala coca",  # every word known
        "cooperacion",  # known once accents are folded
        "the of",  # stop words count as known
        "xqzvwk",  # far from everything
        "humlaxyzzz",
        "zz",  # too short to correct
        "humla*",  # prefix and fuzzy words are left alone
        "humla~1",
        "lang:xx",  # column values are left alone
        "",
    ],
)
def test_no_suggestion(reader: IndexReader, query: str) -> None:
    assert suggest(reader, query, BOTH) is None


def test_languages_restrict_the_candidates(reader: IndexReader) -> None:
    assert suggest(reader, "presidnt", ("es",)) is None
    assert suggest(reader, "erradicasion", ("en",)) == "eradication"
    assert suggest(reader, "erradicasion", ("es",)) == "erradicación"


def test_empty_index() -> None:
    assert suggest(searchlib.create_index().reader, "humla", BOTH) is None
