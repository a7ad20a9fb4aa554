"""The memory budget of indexing: the option (API and CLI), what it bounds (flushes, analysis
caches, merges), and searches over the many segments a small budget leaves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from index_helpers import brief

import searchlib
from searchlib.analysis import get_analyzer
from searchlib.analysis.analyzers import Analyzer
from searchlib.cli import main
from searchlib.errors import ArgumentError
from searchlib.index import IndexWriter
from searchlib.index.budget import (
    DEFAULT_MEMORY_MB,
    MERGE_COST,
    MIN_MEMORY_MB,
    MemoryBudget,
)
from searchlib.index.merge import select_merge
from searchlib.ingest import files
from searchlib.storage import MemoryDirectory

WORDS = (
    "coca cocaine cartel police border prison gang extortion army drug trafficking president "
    "minister election court judge money laundering route port shipment seizure"
).split()


def long_brief(i: int, words: int = 400) -> searchlib.Brief:
    """A brief of ``words`` words (a few thousand characters), its text depending on ``i``."""
    body = " ".join(f"{WORDS[(i * 7 + k * 3) % len(WORDS)]}{k % 50}" for k in range(words))
    return searchlib.Brief(id=f"d{i}", lang="en", title=f"{WORDS[i % len(WORDS)]} {i}", body=[body])


# -- the option ---------------------------------------------------------------------------------


def test_default_budget() -> None:
    assert MemoryBudget.of(None).mb == DEFAULT_MEMORY_MB == 256
    assert searchlib.create_index().budget.mb == 256
    assert searchlib.create_index(memory_mb=64).writer.budget.mb == 64


@pytest.mark.parametrize("bad", [0, -5, MIN_MEMORY_MB - 1, 1.5, "64", True, 10**0.5])
def test_bad_budgets_are_argument_errors_and_create_nothing(tmp_path: Path, bad: object) -> None:
    with pytest.raises(ArgumentError, match="memory_mb"):
        searchlib.create_index(tmp_path / "idx", memory_mb=bad)
    assert not (tmp_path / "idx").exists()
    with pytest.raises(ArgumentError, match="memory_mb"):
        IndexWriter(MemoryDirectory(), memory_mb=bad)
    with pytest.raises(ValueError):  # ArgumentError is a ValueError
        searchlib.Index(MemoryDirectory(), memory_mb=bad)  # type: ignore[arg-type]


def test_cli_memory_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": f"d{i}", "lang": "en", "title": f"coca {i}", "body": "coca route"})
            + "\n"
            for i in range(30)
        )
    )
    idx = tmp_path / "idx"
    for bad, why in (("8", "must be at least 16, got 8"), ("lots", "not a whole number")):
        code = main(["index", str(src), "--index", str(idx), "--memory-mb", bad, "--quiet"])
        assert code == 2
        assert why in capsys.readouterr().err
        assert not idx.exists()
    code = main(["index", str(src), "--index", str(idx), "--memory-mb", "32", "--workers", "1"])
    assert code == 0
    with searchlib.open_index(idx) as index:
        assert len(index) == 30
        assert [h.id for h in index.search("coca", limit=3)] == ["d0", "d1", "d2"]


# -- what it bounds -----------------------------------------------------------------------------


def test_a_small_budget_flushes_more_often() -> None:
    counts = {}
    for mb in (MIN_MEMORY_MB, DEFAULT_MEMORY_MB):
        writer = IndexWriter(MemoryDirectory(), memory_mb=mb)
        for i in range(300):  # about 1.3 million characters
            writer.add(long_brief(i))
        counts[mb] = len(writer._flushed)
        writer.close()
    # 16 MB: flushed at 6 MB of buffer, about 390,000 characters at 16 bytes each.
    assert counts[MIN_MEMORY_MB] >= 2
    assert counts[DEFAULT_MEMORY_MB] == 0


def test_analysis_caches_are_trimmed_past_their_share() -> None:
    analyzer = Analyzer("en")
    texts = [long_brief(i).body[0] for i in range(50)]
    _, before = analyzer.analyse_batch(texts)
    size = analyzer.cache_bytes()
    assert size > 0
    assert not analyzer.trim(size)  # within the bound: kept
    assert analyzer.cache_bytes() == size
    assert analyzer.trim(size - 1)
    assert analyzer.cache_bytes() == Analyzer("en").cache_bytes() < size // 100
    _, after = analyzer.analyse_batch(texts)  # the same terms from empty caches
    assert [after.term_ids.size, after.positions.tolist()] == [
        before.term_ids.size,
        before.positions.tolist(),
    ]
    assert analyzer.terms("cocaine cartels")[0] == ["cocain", "cartel"]


def test_the_writer_trims_the_shared_caches_to_the_budget() -> None:
    writer = IndexWriter(MemoryDirectory(), memory_mb=MIN_MEMORY_MB)
    share = MemoryBudget(MIN_MEMORY_MB).cache_bytes // 2
    for i in range(600):
        writer.add(long_brief(i, words=200))
    writer.flush()
    assert get_analyzer("en").cache_bytes() <= share
    writer.close()


def _tier(n: int, factor: int) -> int:
    """The integer log of ``n`` to base ``factor``, exactly: ``int(math.log(243, 3))`` is 4,
    which put 81 and 243 in one tier and failed this test at random."""
    tier, power = 0, factor
    while power <= max(n, 1):
        tier, power = tier + 1, power * factor
    return tier


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5000), min_size=0, max_size=40),
    factor=st.integers(2, 10),
    max_bytes=st.integers(10, 2000),
    data=st.data(),
)
def test_capped_merge_selection(
    sizes: list[int], factor: int, max_bytes: int, data: st.DataObject
) -> None:
    """A capped merge is adjacent segments of one tier, at least two, none over half the cap,
    together within the cap; and the cap only ever takes segments out of the uncapped
    choice's tier run, never merges what the uncapped policy would not."""
    nbytes = data.draw(st.lists(st.integers(1, 1500), min_size=len(sizes), max_size=len(sizes)))
    chosen = select_merge(sizes, factor, nbytes, max_bytes)
    if chosen is None:
        # nothing fits: every run of ``factor`` of one tier has no two neighbours that fit
        for start in range(len(sizes) - factor + 1):
            run = range(start, start + factor)
            if len({_tier(sizes[i], factor) for i in run}) == 1:
                small = [2 * nbytes[i] <= max_bytes for i in run]
                assert not any(
                    a and b and nbytes[i] + nbytes[i + 1] <= max_bytes
                    for i, a, b in zip(run, small, small[1:], strict=False)
                )
        return
    assert len(chosen) >= 2
    assert chosen == list(range(chosen[0], chosen[-1] + 1))
    assert len({_tier(sizes[i], factor) for i in chosen}) == 1
    assert sum(nbytes[i] for i in chosen) <= max_bytes
    assert all(2 * nbytes[i] <= max_bytes for i in chosen)
    uncapped = select_merge(sizes, factor)
    assert uncapped is not None
    assert _tier(sizes[chosen[0]], factor) >= _tier(sizes[uncapped[0]], factor)


def test_uncapped_selection_is_the_log_tier_policy() -> None:
    assert select_merge([1] * 10, 10, [1] * 10, None) == list(range(10))
    assert select_merge([1] * 10, 10, [10] * 10, 100) == list(range(10))
    assert select_merge([1] * 10, 10, [11] * 10, 100) == list(range(9))
    assert select_merge([1] * 10, 10, [51] * 10, 100) is None
    with pytest.raises(ValueError, match="nbytes"):
        select_merge([1] * 10, 10, None, 100)


def test_no_merge_takes_more_than_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many flushes under a small budget: merges happen, and none reads more than the cap."""
    import searchlib.index.writer as writer_module

    cap = MemoryBudget(MIN_MEMORY_MB).max_merge_bytes
    merged: list[int] = []
    real = writer_module.merge_segments

    def spy(readers: list, **kwargs: bool) -> object:  # type: ignore[type-arg]
        merged.append(sum(r.nbytes for r in readers))
        return real(readers, **kwargs)

    monkeypatch.setattr(writer_module, "merge_segments", spy)
    writer = IndexWriter(MemoryDirectory(), memory_mb=MIN_MEMORY_MB, merge_factor=3)
    for i in range(1500):
        writer.add(long_brief(i, words=300))
    writer.commit()
    assert merged and max(merged) <= cap
    assert len(writer.reader.segments) > 1
    assert writer.reader.doc_count == 1500
    assert cap == MIN_MEMORY_MB * (1 << 20) // 2 // MERGE_COST
    writer.close()


# -- searches over many segments ----------------------------------------------------------------

QUERIES = [
    "coca",
    "cartel3 police",
    '"coca0 police1"',
    "court OR judge",
    "mon*",
    "polise~1",
    "coca -cartel",
    "title:coca",
]


def test_search_over_many_segments_equals_one_segment() -> None:
    many = searchlib.create_index(memory_mb=MIN_MEMORY_MB)
    one = searchlib.create_index()
    for index in (many, one):
        for i in range(900):  # statistics count deleted documents until a merge: none here
            index.add(long_brief(i, words=400) if i % 3 else brief(i))
        index.commit()
    one.optimize()
    assert one.stats()["segments"] == 1
    assert many.stats()["segments"] >= 3
    assert len(many) == len(one) == 900
    for q in QUERIES:
        a, b = many.search(q, limit=40), one.search(q, limit=40)
        assert a.total == b.total > 0, q
        assert [h.id for h in a] == [h.id for h in b], q
        assert [h.score for h in a] == pytest.approx([h.score for h in b], rel=1e-9), q
        assert [h.snippet for h in a] == [h.snippet for h in b], q


# -- reading JSONL a block at a time ------------------------------------------------------------


def test_a_large_jsonl_file_is_read_in_blocks_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = []
    for i in range(400):
        if i == 150:
            lines.append('{"id": "broken", "lang": ')  # malformed: that line only
        elif i == 220:
            lines.append(json.dumps({"id": "big", "lang": "en", "title": "x" * 5000}))
        elif i == 300:
            lines.append("")
        else:
            lines.append(json.dumps({"id": f"d{i}", "lang": "en", "title": f"coca {i}"}))
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode())

    def read() -> list[tuple[str, object]]:
        return [
            (type(r).__name__, getattr(r, "id", None) or getattr(r, "line", None))
            for r in files.read_file(path)
        ]

    whole = read()
    monkeypatch.setattr(files, "READ_BYTES", 1000)  # blocks smaller than one line (220)
    assert read() == whole
    assert ("IngestError", 151) in whole and ("Brief", "big") in whole
    assert sum(kind == "Brief" for kind, _ in whole) == 398


# -- the twins pass at commit -------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), batch=st.integers(1, 50), budget=st.integers(0, 400))
def test_the_twins_join_in_batches_equals_one_batch(seed: int, batch: int, budget: int) -> None:
    """Sparse dot products built a batch of keys at a time (bounded memory) are the same
    pairs and sums as built at once."""
    import numpy as np

    from searchlib.search import twins

    rng = np.random.default_rng(seed)
    n_a, n_b = int(rng.integers(0, 60)), int(rng.integers(1, 60))
    a = (rng.integers(0, 20, n_a), rng.integers(0, 30, n_a), rng.random(n_a))
    b = (rng.integers(0, 25, n_b), rng.integers(0, 30, n_b), rng.random(n_b))
    whole = twins._join(*a, *b, budget)
    old = twins.JOIN_BATCH
    try:
        twins.JOIN_BATCH = batch
        parts = twins._join(*a, *b, budget)
    finally:
        twins.JOIN_BATCH = old
    assert whole[0].tolist() == parts[0].tolist()
    assert whole[1].tolist() == parts[1].tolist()
    assert whole[2] == pytest.approx(parts[2], rel=1e-12)


# -- where flushed documents are -----------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(["add", "pop", "has"]), st.lists(st.text(max_size=4), max_size=6))
    )
)
def test_flushed_ids_behave_as_a_dict(ops: list[tuple[str, list[str]]]) -> None:
    """The compact table of flushed documents' places answers as the dict it replaces."""
    from searchlib.index.writer import FlushedIds

    table, model = FlushedIds(), {}
    for segment, (op, ids) in enumerate(ops):
        if op == "add":
            fresh = [d for d in dict.fromkeys(ids) if d not in model]
            table.add(segment, fresh, list(range(len(fresh))))
            model.update({d: (segment, n) for n, d in enumerate(fresh)})
        for doc_id in ids:
            if op == "pop":
                assert table.pop(doc_id) == model.pop(doc_id, None)
            assert (doc_id in table) == (doc_id in model)
        assert len(table) == len(model)


# -- a huge text ----------------------------------------------------------------------------------


def test_a_huge_text_is_indexed_in_pieces_with_the_same_segment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A field with a text longer than HUGE_TEXT is analysed a piece at a time (bounded
    memory): the segment's files are byte for byte those of the text analysed at once."""
    from searchlib.index import builder
    from searchlib.index.builder import SegmentBuilder
    from searchlib.index.documents import to_index_doc
    from searchlib.index.segment import write_segment

    words = "the coca route, a cartel's 2,000 police: and of prison-gang extortion".split()
    huge = " ".join(f"{words[k % len(words)]}{'' if k % 5 else k % 13}" for k in range(6000))
    records = [long_brief(1, words=30), long_brief(2, words=3000)]
    records.append(searchlib.Brief(id="huge", lang="en", title="Huge", body=[huge, "coca end"]))
    records += [long_brief(3, words=50), long_brief(4, words=2000)]

    def build() -> dict[str, bytes]:
        directory = MemoryDirectory()
        segment = SegmentBuilder()
        for r in records:
            segment.add(to_index_doc(r))
        write_segment(directory, "s1", segment.finish())
        return {name: directory.read(name).tobytes() for name in directory.list()}

    whole = build()
    monkeypatch.setattr(builder, "HUGE_TEXT", 700)  # pieces of ~700 characters, batches too
    assert build() == whole
    monkeypatch.setattr(builder, "HUGE_TEXT", 5)  # every word a piece
    assert build() == whole
