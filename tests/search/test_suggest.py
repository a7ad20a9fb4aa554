"""Did-you-mean suggestions on a small in-memory index."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import searchlib
from searchlib.analysis import fold_accents
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


def test_a_word_two_edits_away_keeps_the_first_letter() -> None:
    index = searchlib.create_index()
    index.add(Brief(id="h", lang="en", title="A hand of help", body=["Hands on the evo board."]))
    index.commit()
    assert suggest(index.reader, "ñandú", BOTH) is None  # hand: two edits, first letter changed
    assert suggest(index.reader, "bandu", BOTH) is None
    assert suggest(index.reader, "handuu", BOTH) == "hand"  # two edits, the first letter kept
    assert suggest(index.reader, "jand", BOTH) == "hand"  # one edit may change the first letter
    assert suggest(index.reader, "nuevo", ("en",)) is None  # not "evo" (two edits)


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

    def counting(
        reader: IndexReader, word: str, langs: tuple[str, ...], *fields: tuple[str, ...]
    ) -> str | None:
        looked_up.append(word)
        return best_word(reader, word, langs, *fields)

    monkeypatch.setattr(suggest_module, "_best_word", counting)
    text = " ".join(["pandilas Trupm"] * 300)
    assert suggest(news_index.reader, text, BOTH) == " ".join(["pandillas Trump"] * 300)
    assert sorted(looked_up) == ["Trupm", "pandilas"]

    looked_up.clear()
    many = [f"zq{chr(97 + i)}{chr(97 + j)}xw" for i in range(10) for j in range(10)]
    assert suggest(news_index.reader, " ".join([*many, "pandilas"]), BOTH) is None
    assert looked_up == many[: suggest_module.MAX_WORDS]


# -- property: a suggestion is a word of the documents, within the edit limit ---------------------


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance, written out (the oracle for rapidfuzz's)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _document_words(index: searchlib.Index) -> set[str]:
    words: set[str] = set()
    for doc in index.reader.iter_documents():
        text = " ".join([doc.get("title") or "", *(doc.get("body") or [])])
        words.update(w.lower() for w in re.findall(r"[^\W\d_]+", text))
    return words


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_suggestion_is_a_document_word_within_the_edit_limit(
    news_index: searchlib.Index, data: st.DataObject
) -> None:
    words = sorted(w for w in _document_words(news_index) if len(w) >= 5)
    word = data.draw(st.sampled_from(words))
    i = data.draw(st.integers(1, len(word) - 2))
    edit = data.draw(st.sampled_from(["drop", "swap", "double", "replace"]))
    typed = {
        "drop": word[:i] + word[i + 1 :],
        "swap": word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :],
        "double": word[:i] + word[i] + word[i:],
        "replace": word[:i] + "q" + word[i + 1 :],
    }[edit]
    got = suggest(news_index.reader, typed, BOTH)
    if got is None:
        return
    assert got in _document_words(news_index)
    folded = fold_accents(got).lower()
    assert 0 < _osa(fold_accents(typed).lower(), folded) <= (1 if len(typed) <= 4 else 2)
    # No word of this index is DF_WEIGHT orders of magnitude commoner than another, so the
    # suggestion is never further from the typo than the word the typo came from.
    assert _osa(typed, folded) <= _osa(typed, fold_accents(word))


def test_a_suggestion_is_looked_up_once_per_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    """The closest word of an unknown word depends on the snapshot only: a second search of it
    reads the snapshot's cache; a commit's new snapshot looks again (and sees its words)."""
    from searchlib.search import suggest as suggest_module

    index = searchlib.create_index()
    index.add(Brief(id="a", lang="en", title="Humala", body=["Humala visits coca growers"]))
    index.commit()
    looked: list[str] = []
    real = suggest_module._closest_word

    def counted(*args: object) -> str | None:
        looked.append(str(args[1]))
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(suggest_module, "_closest_word", counted)
    assert index.search("Hxmalaa coca").suggestion == "Humala coca"  # two edits
    assert index.search("Hxmalaa coca").suggestion == "Humala coca"
    assert looked == ["Hxmalaa"]
    index.add(Brief(id="b", lang="en", title="Hxmala", body=["Hxmala"]))
    index.commit()
    assert index.search("Hxmalaa coca").suggestion == "Hxmala coca"  # one edit: closer
    assert looked == ["Hxmalaa", "Hxmalaa"]


def test_the_letter_filter_keeps_every_word_in_reach(tmp_path: Path) -> None:
    """The numpy filter over a segment's undecoded word lists (lengths in reach, few letters
    not shared) keeps every word within the edit limit: what it lets through, compared by
    OSA, is exactly what comparing the whole vocabulary finds, for words of every kind
    (transpositions, doubled and dropped letters, accents, digits, beyond ASCII)."""
    from rapidfuzz.distance import OSA

    from searchlib.schema import TEXT_FIELDS
    from searchlib.search.suggest import _near, _word_lists

    index = searchlib.create_index(tmp_path)  # on disk: the segments' string tables
    index.add(Brief(id="a", lang="en", title="Humala", body=["Humala visits coca growers 2024"]))
    index.add(Brief(id="b", lang="es", title="Erradicación", body=["erradicación de cocales"]))
    index.add(Brief(id="c", lang="es", title="Año", body=["el año del niño, ñandú y cañón"]))
    index.commit()
    reader = index.reader
    for lang in ("en", "es"):
        vocabulary: dict[str, str] = {}
        for seg in reader.segments:
            for w, t in zip(*seg.words(lang), strict=True):
                vocabulary.setdefault(w, t)  # a word takes the term of its first list
            for f in TEXT_FIELDS:
                for t in seg.terms(f"{f}.{lang}"):
                    vocabulary.setdefault(t, t)
        typos = [w[:i] + x + w[i + 1 :] for w in vocabulary for i in range(len(w)) for x in "añz"]
        typos += [w[1] + w[0] + w[2:] for w in vocabulary] + [w + w[-1] for w in vocabulary]
        for typo in typos:
            limit = 1 if len(typo) <= 4 else 2
            expected = {
                w: (d, t)
                for w, t in vocabulary.items()
                if 0 < (d := OSA.distance(typo, w)) <= limit
            }
            assert _near(reader, lang, typo, limit) == expected, typo
        # the lists are the segments' own, undecoded, made once per segment
        seg = reader.segments[0]
        assert _word_lists(seg, lang, TEXT_FIELDS)[0] is _word_lists(seg, lang, TEXT_FIELDS)[0]
    index.close()


def test_osa_distances_are_rapidfuzz_osa_capped_at_the_limit() -> None:
    """The distances did-you-mean compares with, all candidates at once in numpy, are
    rapidfuzz's OSA distances (adjacent transpositions one edit, no substring edited twice:
    ``ca`` -> ``abc`` is 3), or ``limit + 1`` beyond the limit; words beyond ASCII, long ones,
    empty ones and repeated letters included."""
    import random

    from rapidfuzz.distance import OSA

    from searchlib.search.suggest import osa_distances

    rng = random.Random(7)
    letters = "aabcdeñóü"
    others = ["", "a", "ca", "abc", "ac", "aa", "erradicación", "erradicacion", "x" * 45]
    others += ["".join(rng.choices(letters, k=rng.randint(0, 9))) for _ in range(400)]
    for word in ["abc", "ca", "aab", "erradicasion", "ñandu", "x" * 44, "baaa", "cabd"]:
        for limit in (1, 2, 3):
            got = osa_distances(word, others, limit).tolist()
            assert got == [min(OSA.distance(word, o), limit + 1) for o in others], (word, limit)
    assert osa_distances("ca", ["abc"], 3).tolist() == [3]
    assert osa_distances("ca", [], 2).tolist() == []
