"""Cross-lingual fusion (issue 19): a structured query's translation is weighed by its confidence
(the share of the query's words it carries over) and by how little the query's own language
answers it, a plain-text query's like with like (tests/search/test_fusion.py), and explain says
which form of the query matched and how the languages were weighed."""

from __future__ import annotations

import datetime

import attrs
import pytest

import searchlib
from searchlib.records import Brief
from searchlib.search.execute import best_score
from searchlib.search.fusion import CROSS_WEIGHT, translate_bag
from searchlib.search.query import BagOfWords, CrossLingual, InLanguage
from searchlib.search.scoring import idf
from searchlib.search.translate import coverage

ES_DOC = Brief(
    id="es1", lang="es", kind="brief", title="Extorsión de pandillas en Honduras",
    date=datetime.date(2021, 1, 1),
    body=["Las pandillas cobran extorsión a los transportistas en Honduras."],
)  # fmt: skip
EN_DOC = Brief(
    id="en1", lang="en", kind="brief", title="Gang extortion in Honduras",
    date=datetime.date(2022, 2, 2),
    body=["Gangs charge extortion to bus drivers in Honduras."],
)  # fmt: skip
OTHER_ES = Brief(
    id="es2", lang="es", kind="news", title="Elecciones en Chile",
    date=datetime.date(2021, 6, 6),
    body=["Los votantes de Chile eligieron un nuevo congreso."],
)  # fmt: skip


def _index(*docs: Brief) -> searchlib.Index:
    index = searchlib.create_index()
    for d in docs:
        index.add(d)
    index.commit()
    return index


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("sicarios del cartel de Sinaloa", "es", 1.0),  # lexicon words and a name
        ("¿Qué nos susurran los cloroplastos perdidos?", "es", 1 / 3),  # susurran, cloroplastos
        ("the of and", "en", 1.0),  # stop words only: nothing to carry over
        ("la Renania en 1936", "es", 1.0),  # names (capitalised past the first word), numbers
        ("Renania", "es", 0.0),  # a first word may be capitalised as a sentence start
    ],
)
def test_coverage_is_the_share_of_content_words_translated(
    text: str, lang: str, expected: float
) -> None:
    assert coverage(text, lang) == pytest.approx(expected)


def _translation_weight(index: searchlib.Index, text: str) -> float:
    q, _ = index.searcher().prepare(BagOfWords(text), "es")
    assert isinstance(q, CrossLingual)
    return q.translation.boost


def test_plain_text_translation_is_weighed_like_with_like() -> None:
    """A plain-text query's translation (search/fusion.py) is scaled onto the query's own
    scale: CROSS_WEIGHT x sqrt(coverage x the languages' idf scale x its best score / the
    translation's best score), whether
    or not a document of the query's language answers it; the story in the query's language
    still ranks first, and alone in the other language it is found."""
    text = "extorsión de pandillas en Honduras"
    index = _index(EN_DOC, OTHER_ES, ES_DOC)
    searcher = index.searcher()
    ctx = searcher.context("es")
    t = translate_bag(BagOfWords(text), "es", ctx)
    assert t.coverage == pytest.approx(1.0)  # extorsión, pandillas: lexicon; Honduras: as written
    weight = _translation_weight(index, text)
    assert weight == pytest.approx(CROSS_WEIGHT * (t.scale * t.best / t.best_translated) ** 0.5)
    hits = [h.id for h in index.search(text, lang="es", snippets=False)]
    assert hits == ["es1", "en1"]  # the story in the query's language first
    assert [h.id for h in _index(EN_DOC, OTHER_ES).search(text, lang="es")] == ["en1"]


def test_best_score_bounds_every_document_score() -> None:
    index = _index(EN_DOC, OTHER_ES, ES_DOC)
    searcher = index.searcher()
    ctx = searcher.context("es")
    q = BagOfWords("extorsión pandillas Honduras pandillas")
    bound = best_score(q, ctx)
    results = searcher.search(q, lang="es", cross_lingual=False, snippets=False)
    assert results.hits and all(0 < h.score < bound for h in results.hits)


def test_explain_names_the_form_that_matched_and_the_weights() -> None:
    index = _index(EN_DOC, OTHER_ES, ES_DOC)
    searcher = index.searcher()
    text = "extorsión de pandillas en Honduras"
    hit = next(h for h in searcher.search(text, lang="es", snippets=False) if h.id == "en1")
    tree = searcher.explain(text, "en1", lang="es")
    assert tree.value == pytest.approx(hit.score, rel=1e-5)
    typed, translated = tree.details
    assert typed.description.startswith("query as typed: no match")
    assert translated.description.startswith("query translated (weight ")
    assert "like with like: 1.00 of the es query's weight carried over" in translated.description
    assert "3 by the lexicon, 0 as cognates, 0 as written" in translated.description
    assert "the translation's best en score" in translated.description
    assert translated.value == pytest.approx(hit.score, rel=1e-5)
    # which translated words matched, per word of the query: extorsión, pandillas, Honduras
    assert [d.description for d in translated.details] == [
        "BM25F extort | racket (en, one term)",
        "BM25F gang (en, one term)",
        "BM25F hondura (en, one term)",
    ]
    boost = float(translated.description.split("x boost ")[1])
    assert sum(d.value for d in translated.details) * boost == pytest.approx(hit.score, rel=1e-5)


def test_a_query_of_plain_words_is_weighed_as_plain_text() -> None:
    """In the query syntax (strict or lenient), words without operators or fields rank as
    plain text does: the same translation, the same weight, the same scores."""
    index = _index(EN_DOC, OTHER_ES, ES_DOC)
    text = "extorsión de pandillas en Honduras"
    plain = index.search(text, lang="es", syntax="plain", snippets=False)
    for syntax in ("strict", "lenient"):
        got = index.search(text, lang="es", syntax=syntax, snippets=False)
        assert [(h.id, round(h.score, 5)) for h in got] == [
            (h.id, round(h.score, 5)) for h in plain
        ]
    assert [h.id for h in plain] == ["es1", "en1"]


def test_a_structured_query_is_weighed_like_with_like() -> None:
    """With an operator the translation keeps the query's structure, and is weighed as plain
    text is: CROSS_WEIGHT x sqrt(coverage x the languages' idf scale x the query's best score /
    the translation's best score), with no pass over the query's own language first."""
    index = _index(EN_DOC, OTHER_ES, ES_DOC)
    searcher = index.searcher()
    q, _ = searcher.prepare("extorsión AND pandillas", "es")
    assert isinstance(q, CrossLingual) and isinstance(q.translation, InLanguage)
    ctx = searcher.context("es")
    best = best_score(q.query, ctx)
    best_translated = best_score(q.translation, ctx, boosts=False)
    scale = idf(0, 2) / idf(0, 1)  # two Spanish documents, one English
    expected = CROSS_WEIGHT * (scale * best / best_translated) ** 0.5  # coverage 1
    assert q.translation.boost == pytest.approx(expected)
    hits = [h.id for h in index.search("extorsión AND pandillas", lang="es")]
    assert hits == ["es1", "en1"]
    tree = searcher.explain("extorsión AND pandillas", "en1", lang="es")
    assert "like with like: 1.00 of the es query's weight carried over" in tree.render()


def test_a_story_in_the_query_language_is_not_found_again_by_the_translation() -> None:
    """The English version of a story whose Spanish version is indexed (twins, here by a
    shared ``parallel_id``; the fixture documents are dated apart, never twins by content)
    ranks below an English story without a Spanish version for a Spanish query (it still
    matches, at TWIN_SHARE of its translated score)."""
    es = attrs.evolve(ES_DOC, meta={"parallel_id": "p1"})
    en = attrs.evolve(EN_DOC, meta={"parallel_id": "p1"})
    alone = attrs.evolve(
        EN_DOC, id="en2", title="Gang extortion in Honduras, again", date=datetime.date(2023, 3, 3)
    )
    index = _index(es, en, alone, OTHER_ES)
    hits = [h.id for h in index.search("extorsión de pandillas en Honduras", lang="es")]
    assert hits == ["es1", "en2", "en1"]
    # explain says so, and its parts still sum to the score
    score = index.search("extorsión de pandillas en Honduras", lang="es")[2].score
    tree = index.explain("extorsión de pandillas en Honduras", "en1", lang="es")
    translated = tree.details[1]
    assert "x 0.01 (its story is in the index in the query's language)" in translated.description
    assert tree.value == pytest.approx(score, rel=1e-5)
    assert translated.value == pytest.approx(score, rel=1e-5)
    hits = [h.id for h in _index(ES_DOC, EN_DOC, alone).search("extorsión pandillas", lang="es")]
    assert set(hits) == {"es1", "en1", "en2"}
