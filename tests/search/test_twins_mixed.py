"""Twins on the mixed index a user builds (seeds, InSight Crime crawl, Spanish news, Reuters,
XQuAD): the parallel paragraphs are found, and no story is paired across unrelated sources.

Needs ../shared (skips cleanly without it); the core rules are tested in test_twins.py.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from shared_paths import SEEDS, corpus

import searchlib
from searchlib.search.twins import find_twins, links_name, twins_for

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> searchlib.Index:
    sources = [
        corpus(name) / "docs.jsonl"
        for name in ("insightcrime-crawl-2020", "fakenews-es", "reuters21578", "xquad-en-es")
    ]
    path = tmp_path_factory.mktemp("mixed") / "idx"
    index = searchlib.create_index(path)
    report = searchlib.index_paths(index, [SEEDS, *sources])
    assert all(e.reason.startswith("not indexed:") for e in report.skipped)  # regressions.json
    assert (path / links_name(report.generation)).is_file()
    return index


def _gold() -> dict[str, str]:
    with (corpus("xquad-en-es") / "parallel-docs.tsv").open(encoding="utf-8") as f:
        return {row["en_doc_id"]: row["es_doc_id"] for row in csv.DictReader(f, delimiter="\t")}


@pytest.mark.parametrize("use_metadata", [False, True], ids=["content", "metadata+content"])
def test_xquad_parallel_paragraphs_are_found_among_everything_else(
    mixed: searchlib.Index, use_metadata: bool
) -> None:
    twins = find_twins(mixed.reader, use_metadata=use_metadata)
    gold = _gold()
    found = sum(twins.get(en) == es for en, es in gold.items())
    xquad_links = [a for a in twins if a.startswith("en-p")]
    assert found >= 0.95 * len(gold)
    assert found == len(xquad_links)  # precision 1.0
    if use_metadata:
        assert twins_for(mixed.reader) == twins  # what the commit saved


def test_no_twin_links_between_reuters_and_the_spanish_news(mixed: searchlib.Index) -> None:
    twins = twins_for(mixed.reader)
    crossed = {a: b for a, b in twins.items() if a.startswith("reuters-") and b.startswith("fnes-")}
    assert crossed == {}
    # The pairs seen in the issue: a 1987 wire story and a 2018 Spanish web article.
    assert "fnes-train-674" not in twins
    assert not any(a.startswith("reuters-") for a in twins)


def test_folding_twins_keeps_the_english_story(mixed: searchlib.Index) -> None:
    plain = mixed.search("UAL Donald Trump", limit=5)
    folded = mixed.search("UAL Donald Trump", limit=5, twins=True)
    assert [h.id for h in folded] == [h.id for h in plain]
    assert all(h.twin is None for h in folded)


def test_the_seed_pair_is_linked(mixed: searchlib.Index) -> None:
    assert twins_for(mixed.reader).get("60fa42e6893d93ee") == "44fea6efc1d86929"


def test_saved_links_name_live_documents(mixed: searchlib.Index) -> None:
    reader = mixed.reader
    for a, b in twins_for(reader).items():
        assert reader.locate(a) is not None and reader.locate(b) is not None
    assert Path(str(reader.directory.describe(links_name(reader.generation)))).is_file()
