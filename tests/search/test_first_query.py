"""What the first query of a fresh process loads: only what its answer needs (issue 16).

The tables answer the same however they are loaded (see test_derived.py, test_prebuilt.py,
test_wordtables.py); these tests check that a first query does not pay for loading what it
does not need: numpy.ma (which numpy 2's np.unique imports: 5-15 ms), the whole lexicon
tables, stems table and detection word lists (parsed only after many lookups), every word of
a letter for a cognate, a segment's whole id table (twins from their saved places); and that
what it reads that way answers as the whole tables do (the same hits, scores and suggestion
as a process that parsed every table before its query)."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import searchlib

REPO = Path(__file__).resolve().parents[2]

DOCS = [
    ("en-1", "en", "Coca growers in Peru", "Coca growers protest the eradication of coca crops."),
    ("en-2", "en", "Colombia drug trafficking", "Colombian cocaine and narcotics trafficking."),
    ("es-1", "es", "Cocaleros en el Perú", "Los cultivos de coca en el Perú crecen."),
    ("es-2", "es", "Narcotráfico en Colombia", "Los narcotraficantes de Colombia y el Perú."),
    ("en-3", "en", "Coca and the Amazon", "Coca crops threaten the biodiversity of Peru."),
]

CHILD = """
import json, sys
import searchlib
if sys.argv[3] == "whole":  # every table parsed whole before the first query, used whole
    from searchlib.analysis import get_analyzer, languages, lexicon, prebuilt, stems
    from searchlib.search import cognates as cognates_module
    prebuilt._TEXT_LOOKUPS = stems._TEXT_LOOKUPS = cognates_module._KEYS_BEFORE_LETTERS = 0
    for src in ("en", "es"):
        for table in lexicon.load_lexicon()._table(src)[:2]:
            table.table()
    for words in languages._lexicon_words():
        words.words()
    get_analyzer("en")._stem("police")
imported = set(sys.modules)
index = searchlib.open_index(sys.argv[1])
results = index.search(sys.argv[2], 10)
from searchlib.analysis import lexicon, prebuilt
from searchlib.analysis import get_analyzer
from searchlib.search.cache import snapshot_cache
tables = [t for src in ("en", "es") for t in lexicon.load_lexicon()._tables.get(src, ())[:2]]
cognates = list(snapshot_cache(index.reader).cognates.values())
print(json.dumps({
    "hits": [h.id for h in results.hits],
    "scores": [[h.id, h.score] for h in results.hits],
    "total": results.total,
    "suggestion": results.suggestion,
    "numpy.ma": "numpy.ma" in sys.modules,
    "nltk": "nltk" in sys.modules,
    "imported by the query": sorted(
        m for m in ("hashlib", "_hashlib") if m in sys.modules and m not in imported
    ),
    "parsed tables": sum(getattr(t, "_parsed", None) is not None for t in tables),
    "lazy tables": sum(isinstance(t, prebuilt.LazyTable) for t in tables),
    "stems parsed": get_analyzer("en")._stem._table is not None,
    "letters keyed": sorted(c for table in cognates for c in table._done),
    "keys found": sorted(k for table in cognates for k in table._found),
    "id tables decoded": sum(s._ids is not None for s in index.reader.segments),
    "stores read": sorted(s.name for s in index.reader.segments if "store" in s._files),
    "hit segments": sorted({index.reader.segments[index.reader.locate(h.id)[0]].name
                            for h in results.hits}),
}))
"""


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("first")
    index = searchlib.create_index(path)
    for doc_id, lang, title, body in DOCS:
        index.add(searchlib.Brief(id=doc_id, lang=lang, title=title, body=[body]))
        index.commit()  # a segment each
    return str(path)


@cache
def _first(index_path: str, query: str, mode: str = "lazy") -> dict[str, Any]:
    """What a fresh process's first query found and loaded; ``mode`` "whole": a process
    that parsed every table whole first (and reads them whole, from their first lookup)."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, index_path, query, mode],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    ).stdout
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return found


QUERIES = [
    "coca peru",
    "cultivos de coca en el Perú",
    '"coca growers"',
    "narcotraficantes colmbia",
    "Humala coca",
]


@pytest.mark.parametrize("query", QUERIES[:4])
def test_a_first_query_loads_what_its_answer_needs(index_path: str, query: str) -> None:
    first = _first(index_path, query)
    assert first["hits"], first
    assert first["numpy.ma"] is False and first["nltk"] is False, first
    # hashlib (OpenSSL, ~3 ms; the lexicon tables' digest) loads with `import searchlib`
    assert first["imported by the query"] == [], first
    assert first["lazy tables"] and first["parsed tables"] == 0, first
    assert first["stems parsed"] is False, first
    assert first["letters keyed"] == [], first
    assert first["id tables decoded"] == 0, first  # (hits' ids and twins: one at a time)
    # stored fields verified and read where a hit is shown, no other segment's
    assert first["stores read"] == first["hit segments"], first


def test_a_misspelt_untranslated_word_gets_its_suggestion_and_its_cognates(
    index_path: str,
) -> None:
    first = _first(index_path, "narcotraficantes colmbia")
    assert first["suggestion"] == "narcotraficantes colombia"
    assert first["keys found"] == ["colmbi"]  # its cognates, by the words' start
    assert set(first["hits"]) >= {"es-2"}


@pytest.mark.parametrize(
    ("which", "query"),
    [
        (which, query)
        for which in ("four documents", "seeds")
        for query in [
            *QUERIES,
            "secuestros en Colombia",
            "drug trafficking in Peru",  # (entries of several translations)
            "police arrested coca growers",
            "narcotráfico en Colombia",
            "biodiversidad en el Perú",  # (a cognate the lexicon lacks: biodiversity)
        ]
        if (which, query) != ("seeds", '"coca growers"')  # (no seed page has the phrase)
    ],
)
def test_a_first_query_answers_as_one_read_from_the_whole_tables(
    index_path: str, seeds_index: Path, which: str, query: str
) -> None:
    """The tables read from their text (a fresh process) give the very hits, scores and
    suggestion the parsed tables give."""
    path = index_path if which == "four documents" else str(seeds_index)
    lazy = _first(path, query)
    whole = _first(path, query, "whole")
    assert lazy["parsed tables"] == 0 and lazy["stems parsed"] is False, lazy
    assert lazy["letters keyed"] == [], lazy
    assert whole["parsed tables"] == whole["lazy tables"] == 4, whole
    assert whole["stems parsed"] is True and whole["keys found"] == [], whole
    assert lazy["total"] > 0, lazy
    assert (lazy["scores"], lazy["total"], lazy["suggestion"]) == (
        whole["scores"],
        whole["total"],
        whole["suggestion"],
    )


def test_a_cognate_the_lexicon_lacks_is_found_by_its_key_alone(index_path: str) -> None:
    first = _first(index_path, "biodiversidad en el Perú")
    assert first["keys found"] == ["biodiversiti"]
    assert first["letters keyed"] == []
    assert "en-3" in first["hits"]  # (its English cognate: biodiversity)
