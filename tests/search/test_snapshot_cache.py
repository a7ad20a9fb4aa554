"""The snapshot cache's bound: what the word tables keep of their own (a cross-lingual concept's
documents) is counted with the cached impacts, so :data:`IMPACT_CACHE_POSTINGS` bounds both."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

import searchlib
from searchlib.records import Brief
from searchlib.search import cache as cache_module
from searchlib.search.cache import SnapshotCache, snapshot_cache

# (English, Spanish) pairs of the shipped lexicon: a query word and its translation
PAIRS = [
    ("culture", "cultura"), ("decision", "decisión"), ("destination", "destino"),
    ("difficulty", "dificultad"), ("document", "documento"), ("driver", "conductor"),
    ("education", "educación"), ("element", "elemento"), ("employee", "empleado"),
    ("engine", "motor"), ("example", "ejemplo"), ("experts", "expertos"),
    ("fame", "fama"), ("father", "padre"), ("food", "comida"), ("foreigners", "extranjeros"),
]  # fmt: skip
ONLY_ES = PAIRS[:4]  # no document holds the English word: its translation's documents only


def _index() -> searchlib.Index:
    index = searchlib.create_index()
    for i, (en, es) in enumerate(PAIRS):
        if (en, es) not in ONLY_ES:
            index.add(_brief(f"en{i}", "en", f"The {en} report", f"A story about the {en}."))
        index.add(_brief(f"es{i}", "es", f"El informe {es}", f"Una historia de {es}."))
    index.commit()
    return index


def _brief(id: str, lang: str, title: str, body: str) -> Brief:
    day = datetime.date(2021, 1, 1)
    return Brief(id=id, lang=lang, kind="brief", date=day, title=title, body=[body])


def _concept_tables(cache: SnapshotCache) -> dict[tuple[object, ...], dict[object, object]]:
    return {k: t for k, t in cache.words.items() if k[0] == "concept docs"}


def _check_accounting(cache: SnapshotCache) -> tuple[int, int]:
    """Assert the cache counts exactly its impacts' postings plus the word tables' own
    arrays; give (own arrays, arrays shared with the impacts) of the concept tables."""
    impact_arrays = {id(v[0]) for v in cache.impacts.values() if v is not None}
    postings = sum(int(v[0].size) for v in cache.impacts.values() if v is not None)
    own = shared = 0
    held: dict[tuple[object, ...], int] = {}
    for key, table in _concept_tables(cache).items():
        for docs in table.values():
            if docs is None:
                continue
            assert isinstance(docs, np.ndarray)
            if id(docs) in impact_arrays:
                shared += 1  # one term matched: the impacts' array itself, not a copy
            else:
                assert docs.dtype == np.int32  # compact: 4 bytes a document
                assert np.array_equal(docs, np.unique(docs))
                own += 1
                held[key] = held.get(key, 0) + int(docs.size)
    assert {k: v for k, v in cache.words_held.items() if v} == held
    assert cache.impacts_size == postings + sum(held.values())
    return own, shared


def _ranked(index: searchlib.Index) -> list[list[tuple[str, float]]]:
    return [
        [(h.id, h.score) for h in index.search(en, lang="en", snippets=False, limit=10)]
        for en, _ in PAIRS
    ]


def test_concept_documents_are_counted_in_the_impact_bound() -> None:
    index = _index()
    ranked = _ranked(index)
    cache = snapshot_cache(index.reader)
    own, shared = _check_accounting(cache)
    # every pair matched in both languages keeps one array of its own (English and Spanish
    # documents), the Spanish-only ones the impacts' array
    assert (own, shared) == (len(PAIRS) - len(ONLY_ES), len(ONLY_ES))
    assert sum(cache.words_held.values()) == 2 * own  # (one document in each language)
    assert [{d for d, _ in r} for r in ranked] == [
        {f"es{i}"} if p in ONLY_ES else {f"en{i}", f"es{i}"} for i, p in enumerate(PAIRS)
    ]


def test_the_bound_holds_with_the_concepts(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _ranked(_index())
    bound = 12
    monkeypatch.setattr(cache_module, "IMPACT_CACHE_POSTINGS", bound)
    index = _index()
    cache = snapshot_cache(index.reader)
    sizes = []
    for en, _ in PAIRS:
        index.search(en, lang="en", snippets=False)
        sizes.append(cache.impacts_size)
        _check_accounting(cache)
    assert max(sizes) <= bound
    assert sizes != sorted(sizes)  # it was emptied on the way (and counted again from zero)
    assert _ranked(index) == expected  # a cache emptied gives the same results


def test_a_full_word_table_takes_off_what_it_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "WORD_TABLE_SIZE", 3)
    index = _index()
    cache = snapshot_cache(index.reader)
    for en, _ in PAIRS:
        index.search(en, lang="en", snippets=False)
        _check_accounting(cache)
        assert all(len(t) <= 3 for t in _concept_tables(cache).values())
    # 16 concepts, a table of 3: emptied at the 4th, 7th, ... 16th; the 16th alone counted
    (table,) = _concept_tables(cache).values()
    assert len(table) == 1
    assert sum(cache.words_held.values()) == 2  # (its English and its Spanish document)


def test_column_hits_are_each_segments_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """A column hit's fields are kept per segment object: two indexes whose segments share
    names and document numbers each show their own document, and a segment's full table
    starts over without changing what it shows."""
    from searchlib.search import hits as hits_module

    monkeypatch.setattr(hits_module, "_COLUMN_DOCS", 1)
    first, second = searchlib.create_index(), searchlib.create_index()
    first.add(_brief("a1", "en", "The police report", "The police said so."))
    first.add(_brief("a2", "en", "The police again", "More police."))
    second.add(Brief(id="b1", lang="en", kind="brief", title="Police news", body=["Police."]))
    first.commit()
    second.commit()
    for _ in range(2):
        one = first.search("police", snippets=False, cross_lingual=False)
        two = second.search("police", snippets=False, cross_lingual=False)
        assert sorted((h.id, h.title, h.date) for h in one.hits) == [
            ("a1", "The police report", datetime.date(2021, 1, 1)),
            ("a2", "The police again", datetime.date(2021, 1, 1)),
        ]
        assert [(h.id, h.title, h.date) for h in two.hits] == [("b1", "Police news", None)]
