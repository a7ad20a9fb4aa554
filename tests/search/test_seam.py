"""The seam: the search layer reads an index only through searchlib.seam's two Protocols.

``DictIndex`` below implements :class:`~searchlib.seam.IndexSource` and ``DictSegment``
:class:`~searchlib.seam.SegmentSource` from plain Python dicts and lists (postings as
``{term: [(doc, [positions])]}``, columns as one list of values per document, stored documents
as dicts), with none of the file format's code. A :class:`~searchlib.search.Searcher` over it
gives exactly the hits, scores, totals, facets, snippets, twins, related items and explanations
it gives over the real index: the searcher needs nothing else from storage.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from search_corpus import corpus_briefs
from shared_paths import SEEDS

import searchlib
from searchlib._json import dumps
from searchlib.api import Index
from searchlib.index import IndexReader
from searchlib.records import Brief
from searchlib.seam import NO_DATE, IndexSource, Postings, SegmentSource
from searchlib.search import Filters, Results, Searcher

PACKAGE = Path(__file__).resolve().parents[2] / "searchlib"


def _uint(values: Sequence[int]) -> np.ndarray:
    """The smallest unsigned type holding ``values`` (the dtype rule the file format keeps:
    term frequencies times float32 norms stay float32, so scores match to the bit)."""
    top = max(values, default=0)
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return np.array(values, dtype=dtype)
    return np.array(values, dtype=np.uint64)


class DictSegment:
    """A segment held as plain Python values; numpy arrays are made when asked for."""

    def __init__(
        self,
        name: str,
        ids: list[str],
        deleted: set[int],
        postings: dict[str, dict[str, list[tuple[int, list[int]]]]],
        lengths: dict[str, list[int]],
        words: dict[str, dict[str, str]],
        values: dict[str, list[str]],
        dates: list[int | None],
        lists: dict[str, list[list[str]]],
        titles: list[str],
        stored: list[dict[str, Any]],
    ) -> None:
        self._name = name
        self._ids = ids
        self._deleted = deleted
        self._postings = postings
        self._lengths = lengths
        self._words = words
        self._values = values  # "lang", "kind": one value per document
        self._dates = dates  # days since 1970, None when unknown
        self._lists = lists  # "countries", "sections", "links": values per document
        self._titles = titles
        self._stored = stored
        self._sorted_terms = {f: sorted(p) for f, p in postings.items()}

    # -- what the Protocol asks -------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def ndocs(self) -> int:
        return len(self._ids)

    @property
    def live(self) -> np.ndarray | None:
        if not self._deleted:
            return None
        return np.array([d not in self._deleted for d in range(self.ndocs)], dtype=bool)

    @property
    def field_names(self) -> Sequence[str]:
        return sorted(self._postings)

    @property
    def lengths(self) -> Mapping[str, np.ndarray]:
        return {f: _uint(v) for f, v in self._lengths.items()}

    @property
    def col_tables(self) -> Mapping[str, list[str]]:
        tables = {
            "langs": sorted(set(self._values["lang"])),
            "kinds": sorted(set(self._values["kind"])),
        }
        for col, per_doc in self._lists.items():
            tables[col] = sorted({v for vs in per_doc for v in vs})
        return tables

    @property
    def cols(self) -> Mapping[str, np.ndarray]:
        tables = self.col_tables
        cols = {
            "lang": _uint([tables["langs"].index(v) for v in self._values["lang"]]),
            "kind": _uint([tables["kinds"].index(v) for v in self._values["kind"]]),
            "date": np.array([NO_DATE if d is None else d for d in self._dates], dtype=np.int32),
        }
        for col, per_doc in self._lists.items():
            cols[col] = _uint([tables[col].index(v) for vs in per_doc for v in vs])
            cols[col + "_off"] = np.cumsum([0] + [len(vs) for vs in per_doc]).astype(np.uint32)
        return cols

    @property
    def ids(self) -> Sequence[str]:
        return self._ids

    def docnum(self, doc_id: str) -> int:
        for d, i in enumerate(self._ids):
            if i == doc_id and d not in self._deleted:
                return d
        return -1

    def title(self, docnum: int) -> str:
        return self._titles[docnum]

    def terms(self, field: str) -> Sequence[str]:
        return self._sorted_terms.get(field, [])

    def words(self, lang: str) -> tuple[Sequence[str], Sequence[str]]:
        table = self._words.get(lang, {})
        words = sorted(table)
        return words, [table[w] for w in words]

    def term_ord(self, field: str, term: str) -> int:
        terms = self.terms(field)
        return terms.index(term) if term in self._postings.get(field, {}) else -1

    def postings(self, field: str, term: str) -> Postings | None:
        i = self.term_ord(field, term)
        return None if i < 0 else self.postings_at(field, i)

    def postings_at(self, field: str, ordinal: int) -> Postings:
        plist = self._postings[field][self.terms(field)[ordinal]]
        return _uint([d for d, _ in plist]), _uint([len(p) for _, p in plist])

    def positions_at(self, field: str, ordinal: int) -> tuple[np.ndarray, np.ndarray]:
        plist = self._postings[field][self.terms(field)[ordinal]]
        offsets = np.cumsum([0] + [len(p) for _, p in plist]).astype(np.int64)
        return _uint([x for _, p in plist for x in p]), offsets

    def posting_positions(self, field: str, ordinal: int, i: int) -> np.ndarray:
        return _uint(self._postings[field][self.terms(field)[ordinal]][i][1])

    def field_arrays(self, field: str) -> Mapping[str, np.ndarray]:
        lists = [self._postings[field][t] for t in self.terms(field)]
        return {
            "start": np.cumsum([0] + [len(p) for p in lists]).astype(np.int64),
            "docs": _uint([d for p in lists for d, _ in p]),
            "tfs": _uint([len(x) for p in lists for _, x in p]),
        }

    def doc_values(self, column: str, docnum: int) -> list[str]:
        return list(self._lists[column][docnum]) if column in self._lists else []

    def stored(self, docnum: int) -> dict[str, Any]:
        return dict(self._stored[docnum])

    def stored_raw(self, docnum: int) -> bytes:
        return dumps(self._stored[docnum])


class DictIndex:
    """An index snapshot of :class:`DictSegment` s, its statistics computed from their dicts."""

    def __init__(self, segments: list[DictSegment], generation: int = 1) -> None:
        self._segments = segments
        self._generation = generation

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def segments(self) -> Sequence[SegmentSource]:
        return self._segments

    def lang_doc_count(self, lang: str | None = None) -> int:
        return sum(
            sum(1 for v in s._values["lang"] if lang is None or v == lang) for s in self._segments
        )

    def doc_freq(self, field: str, term: str) -> int:
        return sum(len(s._postings.get(field, {}).get(term, ())) for s in self._segments)

    def avg_field_length(self, field: str) -> float:
        lengths = [n for s in self._segments for n in s._lengths.get(field, ()) if n > 0]
        return sum(lengths) / len(lengths) if lengths else 0.0

    def locate(self, doc_id: str) -> tuple[int, int] | None:
        for i in range(len(self._segments) - 1, -1, -1):
            d = self._segments[i].docnum(doc_id)
            if d >= 0:
                return i, d
        return None

    def document(self, doc_id: str) -> dict[str, Any] | None:
        loc = self.locate(doc_id)
        return None if loc is None else self._segments[loc[0]].stored(loc[1])

    def saved(self, name: str) -> bytes | None:
        return None  # nothing saved: the twins are computed from the documents


def as_dicts(reader: IndexReader) -> DictIndex:
    """The documents of ``reader`` copied into plain Python values (read through the public
    segment reader, the way an export would)."""
    out = []
    for seg in reader.segments:
        postings: dict[str, dict[str, list[tuple[int, list[int]]]]] = {}
        for field in seg.field_names:
            postings[field] = {}
            for i, term in enumerate(seg.terms(field)):
                docs, _ = seg.postings_at(field, i)
                positions, offs = seg.positions_at(field, i)
                postings[field][term] = [
                    (int(d), positions[int(offs[k]) : int(offs[k + 1])].tolist())
                    for k, d in enumerate(docs.tolist())
                ]
        words = {}
        for lang in ("en", "es"):
            w, t = seg.words(lang)
            words[lang] = dict(zip(w, t, strict=True))
        tables = seg.col_tables
        out.append(
            DictSegment(
                name=seg.name,
                ids=list(seg.ids),
                deleted=set() if seg.live is None else set(np.flatnonzero(~seg.live).tolist()),
                postings=postings,
                lengths={f: a.tolist() for f, a in seg.lengths.items()},
                words=words,
                values={
                    "lang": [tables["langs"][int(c)] for c in seg.cols["lang"]],
                    "kind": [tables["kinds"][int(c)] for c in seg.cols["kind"]],
                },
                dates=[None if d == NO_DATE else int(d) for d in seg.cols["date"].tolist()],
                lists={
                    col: [seg.doc_values(col, d) for d in range(seg.ndocs)]
                    for col in ("countries", "sections", "links")
                },
                titles=[seg.title(d) for d in range(seg.ndocs)],
                stored=[seg.stored(d) for d in range(seg.ndocs)],
            )
        )
    return DictIndex(out, reader.generation)


HUMALA_EN = Brief(
    id="humala-en",
    lang="en",
    title="Peru's Humala calls for closer anti-drug cooperation",
    date=dt.date(2011, 9, 23),
    countries=("Peru",),
    body=[
        "Peru's President Ollanta Humala called for counternarcotics cooperation against "
        "drug trafficking and the eradication of coca crops in the VRAE."
    ],
)
HUMALA_ES = Brief(
    id="humala-es",
    lang="es",
    title="Humala de Perú pide mayor cooperación antidrogas",
    date=dt.date(2011, 9, 23),
    countries=("Perú",),
    body=[
        "El presidente de Perú, Ollanta Humala, pidió cooperación antinarcóticos contra el "
        "narcotráfico y la erradicación de cultivos de coca en el VRAE."
    ],
)


@pytest.fixture(scope="module")
def index() -> Iterator[Index]:
    """Several segments (one commit each, no merge), a deletion, related items, twins."""
    ix = searchlib.create_index()
    briefs = corpus_briefs()
    ix.add_many(briefs[:12])
    ix.commit(merge=False)
    ix.add_many(briefs[12:])
    ix.add_many([HUMALA_EN, HUMALA_ES])
    ix.commit(merge=False)
    searchlib.index_paths(ix, [SEEDS], workers=1)
    ix.delete(briefs[3].id)
    ix.commit(merge=False)
    assert len(ix.reader.segments) >= 3
    yield ix
    ix.close()


@pytest.fixture(scope="module")
def fake(index: Index) -> DictIndex:
    return as_dicts(index.reader)


def _same(a: Results, b: Results) -> None:
    assert (a.total, a.facets, a.suggestion, a.warnings) == (
        b.total,
        b.facets,
        b.suggestion,
        b.warnings,
    )
    assert [(h.to_json(), h.score) for h in a.hits] == [(h.to_json(), h.score) for h in b.hits]


SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("coca eradication", {}),
    ('"drug trafficking"', {}),  # phrase
    ('"coca growers"~2 OR cartel', {"lang": "en"}),
    ("cocaína", {"lang": "es"}),  # translated into English
    ("coca", {"filters": Filters(country="peru")}),  # filter
    ("police", {"filters": Filters(doc_lang="es", since=dt.date(2011, 1, 1))}),
    ("drug* OR extorsion~1 OR tra?ficking", {"facets": True}),  # expansions, facets
    ("Humala", {"twins": True, "facets": True}),  # twins folded
    ("humala cooperation", {"twins": True, "lang": "en"}),
    ("kind:brief AND country:mexico", {"facets": True}),
    ("coca -peru date:[2010-01-01 TO 2011-12-31]", {}),
    ("cocaine seized port", {"syntax": "plain", "limit": 3, "offset": 1}),
    ("eradicaton", {}),  # did-you-mean
]


@pytest.mark.parametrize(("query", "opts"), SEARCHES, ids=[q for q, _ in SEARCHES])
def test_a_dict_index_gives_the_same_results(
    index: Index, fake: DictIndex, query: str, opts: dict[str, Any]
) -> None:
    real = Searcher(index.reader).search(query, **opts)
    assert real.total > 0 or query == "eradicaton"
    if opts.get("twins"):
        assert any(h.twin for h in real.hits)  # a story folded with its other version
    _same(Searcher(fake).search(query, **opts), real)


def test_the_same_related_items_and_explanations(index: Index, fake: DictIndex) -> None:
    real, other = Searcher(index.reader), Searcher(fake)
    related_any = 0
    for doc_id in ("humala-en", "e01", *(d for d in index.reader.segments[-1].ids[:6])):
        a, b = other.related(doc_id, 8), real.related(doc_id, 8)
        _same(a, b)
        related_any += len(b.hits)
    assert related_any > 0
    reasons = {h.reason for h in real.related("humala-en").hits}
    assert "same story, other language" in reasons
    top = real.search("coca eradication").hits[0].id
    assert other.explain("coca eradication", top) == real.explain("coca eradication", top)


def test_the_fake_implements_nothing_but_the_protocols() -> None:
    """DictSegment and DictIndex carry only the Protocols' public members (and private
    state), so the searcher cannot be using anything else."""

    def public(cls: type) -> set[str]:
        return {n for n in vars(cls) if not n.startswith("_")}

    def protocol(cls: type) -> set[str]:
        return {n for n in vars(cls) if not n.startswith("_")} - {"mro"}

    assert public(DictSegment) == protocol(SegmentSource)
    assert public(DictIndex) == protocol(IndexSource)


def test_the_search_layer_imports_no_index_reader() -> None:
    """No search module imports the file format's readers: they use searchlib.seam."""
    for path in sorted((PACKAGE / "search").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {a.name for a in node.names}
                assert not (
                    node.module.startswith("searchlib.index")
                    and names & {"IndexReader", "SegmentReader"}
                ), path
                assert node.module not in ("searchlib.index.reader", "searchlib.index.segment"), (
                    path
                )
