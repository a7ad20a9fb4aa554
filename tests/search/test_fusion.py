"""Like-with-like fusion of a plain-text query and its translation, and cognates (issue 19)."""

from __future__ import annotations

import datetime
import math

import attrs
import pytest

import searchlib
from searchlib.analysis import get_analyzer
from searchlib.analysis.lemmas import spanish_irregular_forms
from searchlib.records import Brief
from searchlib.search import fusion
from searchlib.search.cognates import CognateTable, cognate_key, cognate_keys
from searchlib.search.execute import best_score
from searchlib.search.fusion import (
    CROSS_WEIGHT,
    BagTranslation,
    best_share,
    translate_bag,
    translation_weight,
)
from searchlib.search.query import BagOfWords, CrossLingual, TermGroups
from searchlib.search.scoring import idf


@pytest.mark.parametrize(
    ("es", "en"),
    [
        ("teoria", "theory"),
        ("teorias", "theories"),
        ("sistema", "system"),
        ("universidad", "university"),
        ("filosofia", "philosophy"),
        ("organizacion", "organization"),
        ("estructura", "structure"),
        ("famoso", "famous"),
        ("politico", "political"),
        ("independencia", "independence"),
        ("rapidamente", "rapidly"),
        ("territorio", "territory"),
        ("dinastia", "dynasty"),
    ],
)
def test_cognates_share_a_key(es: str, en: str) -> None:
    assert cognate_key(es) == cognate_key(en)


@pytest.mark.parametrize(
    ("es", "en"), [("poblacion", "population"), ("ciudad", "city"), ("pandilla", "gang")]
)
def test_words_spelt_apart_are_no_cognates(es: str, en: str) -> None:
    assert cognate_key(es) != cognate_key(en)


def test_the_keys_of_many_words_at_once_are_each_word_s() -> None:
    words = [
        "philosophies", "theatres", "chemistry", "kilos", "zonas", "stress", "virus", "crisis",
        "escuela", "estructura", "espacio", "organizacion", "organization", "rapidamente",
        "basically", "annually", "terrible", "cases", "boxes", "es", "", "a", "tion", "ss",
    ]  # fmt: skip
    assert cognate_keys(words) == [cognate_key(w) for w in words]
    assert cognate_keys(words)[-5:] == ["es", "", "", "cion", "s"]
    assert cognate_keys([]) == [] and cognate_keys([""]) == [""]


def test_cognate_table_finds_the_other_words_never_the_word_itself() -> None:
    table = CognateTable(["theory", "theories", "teoria", "gang", "the", "y2k"])
    assert sorted(table.find("teoria")) == ["theories", "theory"]
    assert table.find("teo") == []  # shorter than MIN_LENGTH
    assert table.find("pandilla") == []


EN = Brief(
    id="en1", lang="en", kind="brief", title="The hypothesis of gang extortion in Honduras",
    date=datetime.date(2022, 2, 2),
    body=["Gangs charge extortion to bus drivers in Honduras, a new hypothesis says."],
)  # fmt: skip
ES_OTHER = Brief(
    id="es2", lang="es", kind="news", title="Elecciones en Honduras",
    date=datetime.date(2021, 6, 6),
    body=["Los votantes de Honduras eligieron un nuevo congreso."],
)  # fmt: skip


def _index(*docs: Brief) -> searchlib.Index:
    index = searchlib.create_index()
    for d in docs:
        index.add(d)
    index.commit()
    return index


def test_translation_groups_lexicon_cognates_and_names() -> None:
    searcher = _index(EN, ES_OTHER).searcher()
    t = translate_bag(BagOfWords("la hipótesis de la extorsión en Honduras por Zzyzx"), "es",
                      searcher.context("es"))  # fmt: skip
    assert dict(t.groups) == {
        ("extort", "racket"): 1.0,  # extorsión: its lexicon translations, one group
        ("hondura",): 1.0,  # a name, as written
        ("hypothesi",): 1.0,  # no lexicon entry: its cognate in the index
    }
    assert (t.lexicon, t.cognate, t.written) == (2, 1, 0)
    # Zzyzx is in no English document: the share of the query's weight not carried over.
    assert 0.5 < t.coverage < 1.0


def test_a_query_with_nothing_to_carry_over_runs_alone() -> None:
    """No translated pass when the translation could match nothing (coverage zero)."""
    searcher = _index(EN, ES_OTHER).searcher()
    q, _ = searcher.prepare(BagOfWords("votantes eligieron"), "es")
    assert q == BagOfWords("votantes eligieron")


def test_translation_weight_scales_the_translation_onto_the_query_scale() -> None:
    # sqrt(coverage 0.5 x languages' scale 0.5 x this query's 8.0 / 2.0)
    t = BagTranslation(((("gang",), 1.0),), 0.5, 8.0, 2.0, 0.5, 1, 0, 0)
    assert translation_weight(t) == pytest.approx(CROSS_WEIGHT * 1.0)
    assert translation_weight(t, cross_weight=0.5) == pytest.approx(0.5)
    assert translation_weight(attrs.evolve(t, coverage=0.125)) == pytest.approx(0.5)
    assert translation_weight(BagTranslation((), 0.0, 8.0, 0.0, 1.0, 0, 0, 0)) == 0.0
    assert best_share(3.0, 6.0) == 0.5
    assert best_share(7.0, 6.0) == 1.0
    assert best_share(1.0, 0.0) == 0.0


def test_shares_compare_across_languages() -> None:
    """A document of the other language scores its share of the translation's best score,
    times the translation's weight: on the query's scale, the geometric mean of this query's
    and the languages' (their rarest words' idf)."""
    more = attrs.evolve(ES_OTHER, id="es3", body=["Los votantes de Guatemala votaron."])
    index = _index(EN, ES_OTHER, more)
    searcher = index.searcher()
    ctx = searcher.context("es")
    q, _ = searcher.prepare(BagOfWords("extorsión pandillas"), "es")
    assert isinstance(q, CrossLingual) and isinstance(q.translation, TermGroups)
    t = translate_bag(BagOfWords("extorsión pandillas"), "es", ctx)
    assert t.coverage == pytest.approx(1.0)
    hit = searcher.search(BagOfWords("extorsión pandillas"), lang="es", snippets=False).hits[0]
    assert hit.id == "en1"
    assert t.scale == pytest.approx(idf(0, 2) / idf(0, 1))  # 2 Spanish documents, 1 English
    weight = CROSS_WEIGHT * math.sqrt(t.scale * t.best / t.best_translated)
    assert q.translation.boost == pytest.approx(weight)
    translated_share = hit.score / weight / best_score(q.translation, ctx, False)
    assert 0.5 < translated_share < 1.0


def test_the_answer_in_the_other_language_beats_a_weak_match_in_the_query_language() -> None:
    """The Spanish document shares one common word (Honduras) of the query; the English one
    answers all of it through the translation: the English one ranks first. A Spanish
    document answering the whole query still ranks above both."""
    text = "hipótesis de la extorsión de pandillas en Honduras"
    index = _index(EN, ES_OTHER)
    assert [h.id for h in index.search(text, lang="es", syntax="plain")] == ["en1", "es2"]
    answer = Brief(
        id="es1", lang="es", kind="brief", title="Hipótesis de la extorsión de pandillas",
        date=datetime.date(2020, 1, 1),
        body=["Las pandillas cobran extorsión en Honduras, dice una hipótesis."],
    )  # fmt: skip
    index = _index(EN, ES_OTHER, answer)
    assert [h.id for h in index.search(text, lang="es", syntax="plain")][0] == "es1"


def test_explain_shows_the_like_with_like_weighing() -> None:
    index = _index(EN, ES_OTHER)
    searcher = index.searcher()
    text = "hipótesis de la extorsión en Honduras"
    tree = searcher.explain(text, "en1", lang="es", syntax="plain")
    typed, translated = tree.details
    assert typed.description.startswith("query as typed: no match")
    assert translated.description.startswith("query translated (weight ")
    assert "like with like: 1.00 of the es query's weight carried over" in translated.description
    assert "(2 by the lexicon, 1 as cognates, 0 as written)" in translated.description
    assert translated.value == pytest.approx(tree.value)


def test_only_names_and_numbers_carry_over_as_written() -> None:
    """A lowercase word of the query is not searched as written in the other language (Spanish
    era, son: was, are) unless it is spelt alike there and long enough (piano); a name or a
    number is."""
    en = Brief(
        id="en9", lang="en", kind="brief", title="The era of the son",
        date=datetime.date(2022, 2, 2), body=["A piano in Honduras in 2015."],
    )  # fmt: skip
    searcher = _index(en, ES_OTHER).searcher()
    t = translate_bag(BagOfWords("era son piano Honduras 2015"), "es", searcher.context("es"))
    assert sorted(g for g, _ in t.groups) == [("2015",), ("hondura",), ("piano",)]
    assert (t.lexicon, t.cognate, t.written) == (1, 0, 2)  # Honduras: a lexicon entry


def test_a_spanish_infinitive_meets_the_english_verb_both_ways() -> None:
    assert CognateTable(["prepare", "decide", "order"], "en").find("preparar") == ["prepare"]
    assert CognateTable(["preparar", "decidir", "lugar"], "es").find("decide") == ["decidir"]
    assert CognateTable(["preparar"], "es").find("prepa") == []  # no verb


def test_covering_more_of_the_query_in_either_language_ranks_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The English brief matches three of the query's four concepts through the translation
    (extortion, gangs, drivers), the Spanish story two as typed (conductores, autobús) with a
    higher score: the share of the concepts each covers puts the brief first; without it
    (CONCEPT_POWER 0) the story's raw score wins."""
    en = Brief(
        id="en1", lang="en", kind="brief", title="Gangs in the region",
        date=datetime.date(2022, 2, 2),
        body=["Gangs charge extortion to drivers in the city, prosecutors say.",
              "It covers ports and farms."],
    )  # fmt: skip
    es = Brief(
        id="es1", lang="es", kind="news", title="Conductores de autobús",
        date=datetime.date(2021, 6, 6),
        body=["Los conductores de autobús de la ciudad piden autobuses nuevos."],
    )  # fmt: skip
    fill = [
        Brief(id=f"{lang}{i}", lang=lang, kind="news", title=title, date=datetime.date(2021, 6, 6),
              body=[body])
        for i in range(5, 9)
        for lang, title, body in (("es", f"Noticia {i}", "La ciudad celebra una fiesta."),
                                  ("en", f"News {i}", "The city holds a party."))
    ]  # fmt: skip
    index = _index(en, es, *fill)
    text = "extorsión de pandillas a conductores de autobús"
    assert [h.id for h in index.search(text, lang="es", syntax="plain")] == ["en1", "es1"]
    tree = index.searcher().explain(text, "en1", lang="es", syntax="plain")
    assert "of the query's concepts it matches, in either language" in tree.description
    assert tree.description.endswith("to the power 0.15: 3 of 4, extorsion, pandill, conductor)")
    monkeypatch.setattr(fusion, "CONCEPT_POWER", 0.0)
    assert [h.id for h in index.search(text, lang="es", syntax="plain")] == ["es1", "en1"]


def test_a_translation_into_an_english_verb_also_matches_its_irregular_forms() -> None:
    """huyeron -> flee (through the Spanish lemma huir); English news writes fled, which the
    English stemmer does not join to flee: the group holds both. A form that is as often
    another word (left, of leave) is not added."""
    en = Brief(
        id="en7", lang="en", kind="brief", title="Leaders fled", date=datetime.date(2022, 2, 2),
        body=["The party leaders fled the country and left no address; others will leave."],
    )  # fmt: skip
    searcher = _index(en, ES_OTHER).searcher()
    t = translate_bag(BagOfWords("los dirigentes huyeron"), "es", searcher.context("es"))
    groups = [set(g) for g, _ in t.groups]
    assert any({"flee", "fled"} <= g for g in groups)
    t = translate_bag(BagOfWords("salir del país"), "es", searcher.context("es"))
    assert any("leav" in g for g, _ in t.groups)  # leave, not its past left
    assert not any("left" in g for g, _ in t.groups)
    hits = searcher.search(BagOfWords("los dirigentes huyeron"), lang="es", snippets=False)
    assert [h.id for h in hits.hits][0] == "en7"


def test_a_translation_into_a_spanish_irregular_verb_also_matches_its_forms() -> None:
    """flee -> huir, arrest -> detener: Spanish news writes huyeron, detuvieron, which the
    Spanish stemmer does not join to the infinitive; their groups hold those forms too."""
    es = Brief(
        id="es7", lang="es", kind="news", title="Huyeron los jefes", date=datetime.date(2022, 2, 2),
        body=["Los jefes huyeron del país; la policía detuvo a dos."],
    )  # fmt: skip
    searcher = _index(EN, es).searcher()
    t = translate_bag(BagOfWords("the bosses flee, police arrest two"), "en",
                      searcher.context("en"))  # fmt: skip
    groups = [set(g) for g, _ in t.groups]
    analyzer = get_analyzer("es")
    assert any(analyzer.term("huyeron") in g for g in groups)
    assert any(analyzer.term("detuvo") in g for g in groups)
    assert spanish_irregular_forms("sostener")[:4] == [
        "sostiene",
        "sostienen",
        "sostuvo",
        "sostuvieron",
    ]
    assert spanish_irregular_forms("matar") == []
