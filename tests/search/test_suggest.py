"""Did-you-mean suggestions on a small in-memory index."""

from __future__ import annotations

import datetime as dt

import pytest

import searchlib
from searchlib.index import IndexReader
from searchlib.records import Brief
from searchlib.search import suggest as suggest_module
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


# -- candidates: real words, weighed by how common they are -------------------------------------


@pytest.fixture(scope="module")
def news_index() -> searchlib.Index:
    """Spanish news on gangs and vaccines, English wire news, and many short words starting
    with p (which once crowded the real word out of the candidates)."""
    index = searchlib.create_index()
    for i in range(6):
        index.add(
            Brief(
                id=f"es-gangs-{i}",
                lang="es",
                title=f"Las pandillas de la capital, parte {i}",
                body=["Las pandillas controlan los barrios y cobran extorsiones a los comercios."],
            )
        )
    index.add(
        Brief(
            id="es-panfila",
            lang="es",
            title="Una vecina panfila",
            body=["La vecina panfila no vio nada; pan, pas, par, paz, pad, pal, pap, pat."],
        )
    )
    index.add(
        Brief(
            id="es-short",
            lang="es",
            title="Pez, pie, pia, pua, pub, pic, pen, pin, pon, pun, pum, pus, pau, pav, pax",
            body=["Pena, pino, pana, pago, pais, palo, papa, pata, pavo, pera, peso, pila."],
        )
    )
    index.add(
        Brief(
            id="es-short-2",
            lang="es",
            title="Pab, pac, pae, paf, pag, pah, pai, paj, pak, pam, paq, paw, pay, pao",
            body=["Panz, panj, pane, pani, pano, panu, pard, pald, pend, pind, pond, pund."],
        )
    )
    for i in range(3):
        index.add(
            Brief(
                id=f"es-vaccines-{i}",
                lang="es",
                title="Llegan más vacunas de Pfizer a México",
                body=["Las vacunas de Pfizer llegaron al aeropuerto de la Ciudad de México."],
            )
        )
    index.add(
        Brief(
            id="en-trump",
            lang="en",
            title="UAL said Donald Trump was interested in UAL stock",
            body=["Donald Trump bought shares of the airline."],
        )
    )
    for i in range(5):
        index.add(
            Brief(
                id=f"en-trucks-{i}",
                lang="en",
                title="Truck sales rise",
                body=["Every truck maker reported more trips and more trust from buyers."],
            )
        )
    index.commit()
    return index


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pandilas", "pandillas"),  # one edit from a common word, not two from a rare one
        ("Pandilas", "Pandillas"),
        ("Pfzer", "Pfizer"),  # names are candidates
        ("vacnas Pfzer", "vacunas Pfizer"),  # every word of a multi-word query
        ("Trupm", "Trump"),  # a transposition is one edit ("truck" is two)
        ("pandilas Trupm coca", "pandillas Trump coca"),  # words of both languages
    ],
)
def test_the_closest_real_word_is_suggested(
    news_index: searchlib.Index, query: str, expected: str
) -> None:
    assert suggest(news_index.reader, query, BOTH) == expected


def test_search_suggests_from_both_languages_unless_the_query_language_is_given(
    news_index: searchlib.Index,
) -> None:
    # The query language is detected for ranking; the suggestion still looks at both languages.
    assert news_index.search("vacnas Pfzer").suggestion == "vacunas Pfizer"
    assert news_index.search("vacnas Pfzer", lang="es").suggestion == "vacunas Pfizer"
    assert news_index.search("Trupm").suggestion == "Trump"
    assert news_index.search("Trupm", lang="es").suggestion is None


def test_the_more_common_word_wins_at_the_same_distance(news_index: searchlib.Index) -> None:
    # "trusk" is one edit from "truck" (6 documents) and from "trust" (5): the commoner wins.
    assert suggest(news_index.reader, "trusk", ("en",)) == "truck"


def test_a_stem_is_never_suggested(news_index: searchlib.Index) -> None:
    # "pandill" is the index term of "pandillas" (one edit from "pandillz"), but no document
    # has the word "pandill": the word two edits away is suggested.
    assert suggest(news_index.reader, "pandillz", ("es",)) == "pandillas"


def test_long_text_looks_up_each_unknown_word_once_and_at_most_max_words(
    news_index: searchlib.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[str] = []
    best_word = suggest_module._best_word

    def counting(reader: IndexReader, word: str, langs: tuple[str, ...]) -> str | None:
        looked_up.append(word)
        return best_word(reader, word, langs)

    monkeypatch.setattr(suggest_module, "_best_word", counting)
    text = " ".join(["pandilas Trupm"] * 300)
    assert suggest(news_index.reader, text, BOTH) == " ".join(["pandillas Trump"] * 300)
    assert sorted(looked_up) == ["Trupm", "pandilas"]

    looked_up.clear()
    many = [f"zq{chr(97 + i)}{chr(97 + j)}xw" for i in range(10) for j in range(10)]
    assert suggest(news_index.reader, " ".join([*many, "pandilas"]), BOTH) is None
    assert looked_up == many[: suggest_module.MAX_WORDS]
