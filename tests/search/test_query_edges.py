"""Edges of query meaning found by trying issue 13 as a user would, with cases the first tests
did not cover: ``field:*`` on a column field, id patterns and ranges, ranges on fields that
have no order, and did-you-mean next to operators and column values. Expectations come from
the fixture documents' own columns and text (meaning_corpus.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from meaning_corpus import DOCS, Doc, build

import searchlib
from searchlib.analysis import get_analyzer
from searchlib.api import Index
from searchlib.index import IndexReader
from searchlib.records import Brief
from searchlib.search import suggest as suggest_module


@pytest.fixture(scope="module")
def index() -> Index:
    return build()


def ids(index: Index, query: str, **kwargs: object) -> set[str]:
    return {h.id for h in index.search(query, limit=1000, snippets=False, **kwargs)}


def where(pred: Callable[[Doc], bool]) -> set[str]:
    return {d.id for d in DOCS.values() if pred(d)}


def has(doc: Doc, word: str) -> bool:
    a = get_analyzer(doc.lang)
    (term,) = a.terms(word)[0]
    return term in a.terms(doc.title)[0] or term in a.terms(doc.body)[0]


# -- field:* on a column field is "has a value", a filter ------------------------------------


@pytest.mark.parametrize("cross_lingual", [False, True])
def test_any_value_of_a_column_field_filters(index: Index, cross_lingual: bool) -> None:
    """``drug date:*`` was every document of the index (``date:*`` read as ``*``, which
    an OR group turns into everything); it is the hits of ``drug`` that have a date."""
    kw = {"cross_lingual": cross_lingual}
    words = ids(index, "drug", **kw)
    dated = where(lambda d: d.date is not None)
    authored = where(lambda d: bool(d.authors))
    assert authored == {"a01", "a02", "a03"}
    assert words - dated and words & dated  # e08 (and s08 translated) have no date
    assert ids(index, "drug date:*", **kw) == words & dated
    assert ids(index, "date:*", **kw) == dated
    assert ids(index, "drug -date:*", **kw) == words - dated
    assert ids(index, "author:*", **kw) == authored
    assert ids(index, "Authors:*", **kw) == authored
    assert ids(index, "drug country:*", **kw) == words  # every fixture has a country
    assert ids(index, "drug lang:*", **kw) == words
    assert ids(index, "drug kind:* id:*", **kw) == words
    # an explicit OR keeps its meaning
    assert ids(index, "drug OR author:*", **kw) == words | authored


def test_any_author_has_no_expansion_warning(index: Index) -> None:
    assert index.search("author:*").warnings == ()


# -- id: takes patterns and ranges like the other column fields -------------------------------


def test_id_patterns(index: Index) -> None:
    """``id:e0*`` found nothing (the id column had no prefix, wildcard or fuzzy matching)."""
    assert ids(index, "id:e0*") == where(lambda d: d.id.startswith("e0"))
    assert ids(index, "id:?01") == {"a01", "e01", "s01"}
    assert ids(index, "id:e1?") == where(lambda d: d.id.startswith("e1"))
    assert ids(index, "id:x01~1/0") == {"a01", "e01", "s01"}
    assert ids(index, "id:e1~") == {"e01", "e10", "e11", "e12", "e13", "e14", "e15"}
    assert ids(index, "coca id:s*") == where(lambda d: has(d, "coca") and d.id.startswith("s"))
    assert ids(index, "id:[e10 TO e12]") == {"e10", "e11", "e12"}
    assert ids(index, "id:{e10 TO e12}") == {"e11"}
    assert ids(index, "id:[TO a02]") == {"a01", "a02"}
    assert ids(index, "id:E0*") == set()  # ids are exact: case counts


# -- ranges -----------------------------------------------------------------------------------


def test_an_author_range(index: Index) -> None:
    """``author:[a TO m]`` (an example of the parser's own docstring) found nothing."""
    assert ids(index, "author:[a TO h]") == {"a01", "a02", "a03"}  # ana, geoffrey
    assert ids(index, "author:[p TO q]") == {"a03"}  # pérez
    assert ids(index, "author:[ramsey TO ramsey]") == {"a01", "a03"}
    assert ids(index, "coca author:[a TO z]") == set()


# -- did-you-mean next to operators and column values -----------------------------------------


@pytest.fixture(scope="module")
def small() -> Index:
    index = searchlib.create_index()
    index.add(
        Brief(
            id="x1",
            lang="en",
            title="Andino coca growers",
            body=["Ramly said coca prices rose in Peru."],
            countries=("Peru",),
            authors=("Geoffrey Ramsey",),
        )
    )
    index.add(Brief(id="x2", lang="es", title="La coca", body=["Los precios de la coca."]))
    index.commit()
    return index


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        # ANDNOT and ANDMAYBE are operators, not words (was: coca ANDINO lang:es)
        ("coca ANDNOT lang:es", None),
        ("coca ANDMAYBE growers", None),
        # an alias names a column field like its field (was: coca countries:peru, a country
        # value replaced by a word of the text)
        ("coca countries:peruu", None),
        ("coca Country:peruu", None),
        # bylines are compared with bylines (was: author:ramly, a word of the text, 0 hits)
        ("author:ramsy", "author:ramsey"),
        ("coca authors:Ramsy", "coca authors:Ramsey"),
        ("author:geofrey ramly", "author:geoffrey ramly"),
        ("coca author:ramsey", None),
        # values in quotes or parentheses belong to their field too (was: author:"geoffrey
        # ramly", lang:(less) coca)
        ('author:"geofrey ramsy"', 'author:"geoffrey ramsey"'),
        ("AUTHOR:(geofrey OR ramsy) cocca", "AUTHOR:(geoffrey OR ramsey) coca"),
        ("lang:(ess) cocca", "lang:(ess) coca"),
        ('coca country:"peruu" title:(cocca)', 'coca country:"peruu" title:(coca)'),
        (
            "title:(cocca country:(peruu bolivia)) ramlly",
            "title:(coca country:(peruu bolivia)) ramly",
        ),
        # the text's words are still corrected
        ("ramlly cocca", "ramly coca"),
    ],
)
def test_did_you_mean_reads_operators_and_fields(
    small: Index, query: str, suggestion: str | None
) -> None:
    assert small.search(query).suggestion == suggestion


def test_did_you_mean_leaves_overlong_words_alone(
    small: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 900-letter word was compared with the whole vocabulary (1.5 s on the mixed index)."""
    near = suggest_module._near
    looked_up: list[str] = []

    def counting(reader: IndexReader, lang: str, norm: str, *rest: object) -> object:
        looked_up.append(norm)
        return near(reader, lang, norm, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(suggest_module, "_near", counting)
    # suggestions are kept per snapshot: other tests of this index asked for "cocca" already
    suggest_module.snapshot_cache(small.reader).suggestions.clear()
    long_word = "cocaa" * (suggest_module.MAX_WORD_LENGTH // 5) + "x"
    assert small.search(f"{long_word} cocca").suggestion == f"{long_word} coca"
    assert looked_up == ["cocca", "cocca"]  # once per language


# -- a question's mark is punctuation, not a wildcard ----------------------------------------


@pytest.mark.parametrize("syntax", ["strict", "lenient"])
def test_a_question_mark_ends_a_question(index: Index, syntax: str) -> None:
    """``surrender?`` was the wildcard surrender + one character, and a lone ``?`` matched
    every one-character term of the index."""

    def ranked(q: str) -> list[tuple[str, float]]:
        return [(h.id, h.score) for h in index.search(q, limit=50, snippets=False, syntax=syntax)]

    assert index.search("?", syntax=syntax).total == 0
    assert ranked("coca?") == ranked("coca") != []
    assert ranked("police coca ?") == ranked("police coca") != []
    assert ranked("title:coca??") == ranked("title:coca") != []
    # with more of the word after it, ? is one character
    assert ids(index, "co?a", syntax=syntax) == where(lambda d: has(d, "coca"))
