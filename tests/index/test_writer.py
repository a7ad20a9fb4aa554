"""The writer: commits, replacement by id, deletions, snapshots, merges and related-item links."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from index_helpers import brief

import searchlib
from searchlib.index import IndexReader, IndexWriter
from searchlib.index.merge import MIN_MERGE_DOCS, select_merge
from searchlib.records import RelatedItem
from searchlib.storage import FileDirectory, MemoryDirectory

QUERIES = [
    "coca",
    "police border",
    '"drug trafficking"',
    "pandilla OR extorsión",
    "cart*",
    "polise~1",
    "coca -cartel",
]


def ranking(index: searchlib.Index, q: str) -> list[tuple[str, float]]:
    return [(h.id, round(h.score, 4)) for h in index.search(q, limit=50)]


def test_uncommitted_changes_are_invisible() -> None:
    d = MemoryDirectory()
    w = IndexWriter(d)
    w.add(brief(1))
    assert IndexReader.open(d).doc_count == 0
    w.commit()
    assert IndexReader.open(d).doc_count == 1
    w.add(brief(2))
    w.close()  # discards the uncommitted brief
    assert IndexReader.open(d).doc_count == 1


def test_update_replaces_by_id_and_delete_removes() -> None:
    index = searchlib.create_index()
    index.add(brief(1))
    index.add(brief(2))
    index.commit()
    changed = brief(1).__class__(id="en-1", lang="en", title="Changed title", body=["nothing here"])
    index.add(changed)
    index.delete("en-2")
    index.commit()
    assert len(index) == 1
    assert index.get("en-1").title == "Changed title"
    assert index.get("en-2") is None
    assert index.search("coca").total == 0
    assert index.check()["docs"] == 1


def test_same_id_twice_before_commit_keeps_the_last() -> None:
    index = searchlib.create_index()
    index.add(brief(1))
    index.add(brief(1).__class__(id="en-1", lang="en", title="Second", body=["x"]))
    index.commit()
    assert len(index) == 1 and index.get("en-1").title == "Second"


def test_reader_keeps_its_generation(tmp_path: Path) -> None:
    index = searchlib.create_index(tmp_path)
    index.add(brief(1))
    index.commit()
    old = IndexReader.open(FileDirectory(tmp_path))
    for i in range(2, 30):
        index.add(brief(i))
        index.commit()  # merges run and old files are removed
    assert old.doc_count == 1 and old.document("en-1")["id"] == "en-1"
    assert old.reopen().doc_count == 29


def test_related_items_are_stored_once_and_linked() -> None:
    item = RelatedItem("Brazil", None, "Mega-prisons will not solve insecurity.")
    index = searchlib.create_index()
    index.add(brief(1, related=(item,)))
    index.commit()
    index.add(brief(2, related=(item,)))
    index.commit()
    assert index.stats()["docs_by_kind"] == {"brief": 2, "related": 1}
    assert [h.id for h in index.search("kind:related")] == [item.id]
    rel = index.related(item.id)
    assert {h.id for h in rel if h.reason == "page that shows it"} == {"en-1", "en-2"}


def test_scores_do_not_depend_on_segmentation() -> None:
    """One commit or many, merged or not: identical hits and scores."""
    docs = [brief(i, "en" if i % 3 else "es") for i in range(60)]
    one = searchlib.create_index()
    one.add_many(docs)
    one.commit()
    many = searchlib.create_index()
    for i, d in enumerate(docs):
        many.add(d)
        if i % 7 == 0:
            many.commit(merge=False)
    many.commit(merge=False)
    assert many.stats()["segments"] > 5
    for q in QUERIES:
        assert ranking(one, q) == ranking(many, q), q
    many.optimize()
    assert many.stats()["segments"] == 1
    for q in QUERIES:
        assert ranking(one, q) == ranking(many, q), q


def test_merge_drops_deleted_documents_and_keeps_results() -> None:
    index = searchlib.create_index()
    for i in range(40):
        index.add(brief(i))
        if i % 4 == 0:
            index.commit(merge=False)
    index.commit(merge=False)
    for i in range(0, 40, 3):
        index.delete(f"en-{i}")
    index.commit(merge=False)
    before = {q: [h.id for h in index.search(q, limit=100)] for q in QUERIES}
    index.optimize()
    seg = index.reader.segments[0]
    assert seg.live is None and seg.ndocs == 40 - 14
    for q in QUERIES:
        assert [h.id for h in index.search(q, limit=100)] == before[q], q
    index.check()


def test_log_tier_merge_policy_bounds_segments() -> None:
    index = searchlib.create_index()
    for i in range(120):
        index.add(brief(i))
        index.commit()
    assert len(index) == 120
    assert index.stats()["segments"] < 20
    assert select_merge([1] * 9) is None and select_merge([1] * 10) == list(range(10))


def test_small_segments_of_uneven_sizes_are_one_tier() -> None:
    """The flushes of a budgeted writer (hundreds to a couple of thousand documents each) merge:
    without the floor, sizes on both sides of 1,000 break every run of ten."""
    sizes = [505, 1056, 469, 1713, 355, 1378, 606, 1426, 1008, 1323, 1376]
    assert select_merge(sizes) is None
    assert select_merge(sizes, min_docs=MIN_MERGE_DOCS) == list(range(10))
    assert select_merge([*sizes[:5], 12_000, *sizes[5:]], min_docs=MIN_MERGE_DOCS) is None
    assert select_merge([12_000, *sizes], min_docs=MIN_MERGE_DOCS) == list(range(1, 11))


def test_a_writer_merges_its_small_uneven_flushes() -> None:
    index = searchlib.create_index(merge_factor=4)
    for i in range(8):
        for j in range(1 + 3 * (i % 2)):  # segments of 1 and 4 documents: two tiers of 4
            index.add(brief(10 * i + j))
        index.commit()
    assert len(index) == 20
    assert index.stats()["segments"] < 8


def test_merges_keep_documents_in_the_order_they_were_added() -> None:
    """Only adjacent segments merge: a small segment between big ones never jumps ahead."""
    assert select_merge([500, *[1] * 10, 1000]) == list(range(1, 11))
    assert select_merge([1, 1, 1, 1000, *[1] * 7]) is None
    index = searchlib.create_index()
    order = []
    for i in range(25):
        for j in range(1 + 40 * (i % 7 == 3)):  # now and then a much bigger segment
            index.add(brief(100 * i + j))
            order.append(brief(100 * i + j).id)
        index.commit()
    index.optimize()
    assert index.reader.segments[0].ids == order


def test_positions_survive_merge() -> None:
    index = searchlib.create_index()
    for i in range(12):
        index.add(brief(i, words=30))
        index.commit(merge=False)
    seg_before = [(s.name, s.ndocs) for s in index.reader.segments]
    phrase = [h.id for h in index.search('"drug trafficking"', limit=100)]
    index.optimize()
    assert len(seg_before) == 12
    assert [h.id for h in index.search('"drug trafficking"', limit=100)] == phrase
    seg = index.reader.segments[0]
    a = seg.field_arrays("body.en")
    assert a["pos"].size == int(np.asarray(a["tfs"], dtype=np.int64).sum())


def test_the_facade_takes_a_merge_factor() -> None:
    """``Index(merge_factor=)`` is the writer's: with 2, two commits of one segment each are
    merged into one; with the default (10) they stay two."""
    for factor, segments in ((2, 1), (10, 2)):
        created = searchlib.create_index()
        index = searchlib.Index(created.directory, merge_factor=factor)
        for i in range(2):
            index.add(brief(i))
            index.commit()
        assert index.stats()["segments"] == segments
    with pytest.raises(searchlib.ArgumentError, match="merge_factor"):
        searchlib.Index(searchlib.create_index().directory, merge_factor=1)
