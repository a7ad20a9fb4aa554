"""A model-based test of the index (issue 5): random add/update/delete/commit/merge/reopen
sequences checked against a plain dict of committed and pending documents.

After every step, what a fresh reader sees (ids, titles, languages, ``stats()``, and the hits of
a search for every vocabulary word) must equal the model's committed state; after a commit or an
optimize, ``check()`` must pass and count the same documents.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import searchlib
from searchlib.analysis import get_analyzer
from searchlib.api import Index
from searchlib.records import Brief
from searchlib.storage import FileDirectory, MemoryDirectory

pytestmark = pytest.mark.heavy

IDS = [f"doc{i}" for i in range(8)]
VOCAB = {
    "en": ["coca", "cartel", "police", "border", "prison", "gang", "army", "president", "judge"],
    "es": [
        "cocaína",
        "cártel",
        "policía",
        "frontera",
        "cárcel",
        "pandilla",
        "ejército",
        "presidente",
        "juez",
    ],
}

words_of = {lang: st.lists(st.sampled_from(v), min_size=1, max_size=6) for lang, v in VOCAB.items()}


@st.composite
def briefs(draw: st.DrawFn, doc_id: str | None = None) -> Brief:
    lang = draw(st.sampled_from(["en", "es"]))
    title = draw(words_of[lang])
    body = draw(words_of[lang])
    return Brief(
        id=doc_id if doc_id is not None else draw(st.sampled_from(IDS)),
        lang=lang,
        title=" ".join(title) + f" #{draw(st.integers(0, 999))}",
        body=[" ".join(body)],
    )


def doc_terms(doc: Brief) -> set[str]:
    terms, _ = get_analyzer(doc.lang).terms(f"{doc.title}\n{doc.text}")
    return set(terms)


class IndexModel(RuleBasedStateMachine):
    """The index against ``committed`` (what readers must see) and ``pending`` (id -> Brief to
    add or None to delete, applied in order at the next commit)."""

    def make_directory(self) -> FileDirectory | MemoryDirectory:
        created = searchlib.create_index()  # in memory; its directory is shared by reopens
        created.close()
        assert isinstance(created.directory, MemoryDirectory)
        return created.directory

    merge_factor = 3  # small, so that commits trigger log-tier merges within 25 steps

    def open(self) -> Index:
        # A small merge factor (the default is 10), so that merges of segments with deletions
        # happen.
        return Index(self.directory, merge_factor=self.merge_factor)

    @initialize()
    def start(self) -> None:
        self.directory = self.make_directory()
        self.index = self.open()
        self.committed: dict[str, Brief] = {}
        self.pending: dict[str, Brief | None] = {}
        self.just_committed = True

    def teardown(self) -> None:
        index = getattr(self, "index", None)
        if index is not None:
            index.close()

    # -- operations ----------------------------------------------------------------------------

    @rule(doc=briefs())
    def add(self, doc: Brief) -> None:
        self.index.add(doc)
        self.pending[doc.id] = doc
        self.just_committed = False

    @precondition(lambda self: bool(self.committed) or bool(self.pending))
    @rule(data=st.data())
    def update(self, data: st.DataObject) -> None:
        known = sorted(set(self.committed) | {k for k, v in self.pending.items() if v})
        if not known:
            return
        doc = data.draw(briefs(doc_id=data.draw(st.sampled_from(known))))
        self.index.add(doc)
        self.pending[doc.id] = doc
        self.just_committed = False

    @rule(doc_id=st.sampled_from(IDS))
    def delete(self, doc_id: str) -> None:
        self.index.delete(doc_id)
        self.pending[doc_id] = None
        self.just_committed = False

    def _apply_pending(self) -> None:
        for doc_id, doc in self.pending.items():
            if doc is None:
                self.committed.pop(doc_id, None)
            else:
                self.committed[doc_id] = doc
        self.pending = {}
        self.just_committed = True

    @rule()
    def commit(self) -> None:
        self.index.commit()
        self._apply_pending()

    @rule()
    def commit_without_merge(self) -> None:
        self.index.commit(merge=False)
        self._apply_pending()

    @rule()
    def optimize(self) -> None:
        self.index.optimize()
        self._apply_pending()
        segments = self.index.stats()["segments"]
        assert segments == (1 if self.committed else 0)

    @rule()
    def reopen(self) -> None:
        """A new Index on the same directory: the old one's uncommitted changes are lost."""
        self.index.close()
        self.index = self.open()
        self.pending = {}

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def committed_documents_are_visible(self) -> None:
        fresh = Index(self.directory)
        try:
            stats = fresh.stats()
            assert stats["docs"] == len(self.committed)
            assert len(fresh) == len(self.committed)
            by_lang: dict[str, int] = {}
            for doc in self.committed.values():
                by_lang[doc.lang] = by_lang.get(doc.lang, 0) + 1
            assert stats["docs_by_lang"] == dict(sorted(by_lang.items()))
            assert stats["docs_by_kind"] == (
                {"brief": len(self.committed)} if self.committed else {}
            )
            for doc_id in IDS:
                got = fresh.get(doc_id)
                want = self.committed.get(doc_id)
                if want is None:
                    assert got is None, doc_id
                    assert doc_id not in fresh
                else:
                    assert got is not None, doc_id
                    assert (got.id, got.title, got.lang, got.body) == (
                        want.id,
                        want.title,
                        want.lang,
                        want.body,
                    )
            assert sorted(d["id"] for d in fresh.reader.iter_documents()) == sorted(self.committed)
            # The writer's own index object sees the same committed state.
            assert self.index.stats()["docs"] == len(self.committed)
        finally:
            fresh.close()

    @invariant()
    def search_finds_exactly_the_committed_documents(self) -> None:
        searcher = Index(self.directory).searcher()
        terms = {doc_id: doc_terms(doc) for doc_id, doc in self.committed.items()}
        for lang, vocab in VOCAB.items():
            analyzer = get_analyzer(lang)
            for word in vocab:
                term = analyzer.term(word)
                want = {
                    doc_id
                    for doc_id, doc in self.committed.items()
                    if doc.lang == lang and term in terms[doc_id]
                }
                results = searcher.search(
                    word, limit=100, lang=lang, cross_lingual=False, snippets=False
                )
                got = [h.id for h in results]
                assert len(got) == len(set(got)), (word, got)
                assert set(got) == want, (lang, word)
                assert results.total == len(want)

    @invariant()
    def check_passes_after_commits(self) -> None:
        if self.just_committed:
            report = self.index.check()
            assert report["docs"] == len(self.committed)


TestIndexModelInMemory = IndexModel.TestCase
TestIndexModelInMemory.settings = settings(
    max_examples=35,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


class IndexModelOnDisk(IndexModel):
    """The same machine on a FileDirectory (memory-mapped reads, file locks, atomic renames)."""

    merge_factor = 10  # the default

    def make_directory(self) -> FileDirectory | MemoryDirectory:
        self.tmp = Path(tempfile.mkdtemp(prefix="searchlib-model-"))
        searchlib.create_index(self.tmp / "idx").close()
        return FileDirectory(self.tmp / "idx")

    def teardown(self) -> None:
        super().teardown()
        tmp = getattr(self, "tmp", None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


TestIndexModelOnDisk = IndexModelOnDisk.TestCase
TestIndexModelOnDisk.settings = settings(
    max_examples=15,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_model_vocabulary_words_have_distinct_terms() -> None:
    """The model's oracle relies on each vocabulary word having its own term in its language."""
    for lang, vocab in VOCAB.items():
        terms = [get_analyzer(lang).term(w) for w in vocab]
        assert all(terms) and len(set(terms)) == len(terms), (lang, terms)


@pytest.mark.parametrize("merge", [True, False])
def test_replay_update_then_delete_then_reopen(merge: bool) -> None:
    """A fixed sequence through the same operations, as a readable example of the model."""
    index = searchlib.create_index()
    directory = index.directory
    index.add(Brief(id="doc1", lang="en", title="coca", body=["police border"]))
    index.add(Brief(id="doc2", lang="es", title="cárcel", body=["pandilla"]))
    index.commit(merge=merge)
    index.add(Brief(id="doc1", lang="es", title="policía", body=["frontera"]))
    index.delete("doc2")
    index.commit(merge=merge)
    index.add(Brief(id="doc3", lang="en", title="army", body=["gang"]))  # never committed
    index.close()
    index = Index(directory)
    assert index.stats()["docs"] == 1
    assert index.get("doc1").title == "policía" and index.get("doc1").lang == "es"
    assert index.get("doc2") is None and index.get("doc3") is None
    s = index.searcher()
    assert [h.id for h in s.search("coca", lang="en", cross_lingual=False)] == []
    assert [h.id for h in s.search("policía", lang="es", cross_lingual=False)] == ["doc1"]
    index.optimize()
    assert index.stats()["segments"] == 1
    assert index.check()["docs"] == 1
    index.close()
