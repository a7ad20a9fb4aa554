"""What the first query of a fresh process loads: only what its answer needs (issue 16).

The answers are the same however the tables behind them are loaded (see test_derived.py,
test_wordtables.py); these tests check that a first query does not pay for loading what it
does not need: numpy.ma (which numpy 2's np.unique imports: 5-15 ms), the whole lexicon
tables, stems table and detection word lists (parsed only after many lookups), every word of
a letter for a cognate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import searchlib

REPO = Path(__file__).resolve().parents[2]

DOCS = [
    ("en-1", "en", "Coca growers in Peru", "Coca growers protest the eradication of coca crops."),
    ("en-2", "en", "Colombia drug trafficking", "Colombian cocaine and narcotics trafficking."),
    ("es-1", "es", "Cocaleros en el Perú", "Los cultivos de coca en el Perú crecen."),
    ("es-2", "es", "Narcotráfico en Colombia", "Los narcotraficantes de Colombia y el Perú."),
]

CHILD = """
import json, sys
import searchlib
index = searchlib.open_index(sys.argv[1])
results = index.search(sys.argv[2], 10)
from searchlib.analysis import lexicon, prebuilt
from searchlib.analysis import get_analyzer
from searchlib.search.cache import snapshot_cache
tables = [t for src in ("en", "es") for t in lexicon.load_lexicon()._tables.get(src, ())[:2]]
cognates = list(snapshot_cache(index.reader).cognates.values())
print(json.dumps({
    "hits": [h.id for h in results.hits],
    "suggestion": results.suggestion,
    "numpy.ma": "numpy.ma" in sys.modules,
    "nltk": "nltk" in sys.modules,
    "parsed tables": sum(getattr(t, "_parsed", None) is not None for t in tables),
    "lazy tables": sum(isinstance(t, prebuilt.LazyTable) for t in tables),
    "stems parsed": get_analyzer("en")._stem._table is not None,
    "letters keyed": sorted(c for table in cognates for c in table._done),
    "keys found": sorted(k for table in cognates for k in table._found),
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


def _first(index_path: str, query: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, index_path, query],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    ).stdout
    found: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize(
    "query",
    ["coca peru", "cultivos de coca en el Perú", '"coca growers"', "narcotraficantes colmbia"],
)
def test_a_first_query_loads_what_its_answer_needs(index_path: str, query: str) -> None:
    first = _first(index_path, query)
    assert first["hits"], first
    assert first["numpy.ma"] is False and first["nltk"] is False, first
    assert first["lazy tables"] and first["parsed tables"] == 0, first
    assert first["stems parsed"] is False, first
    assert first["letters keyed"] == [], first


def test_a_misspelt_untranslated_word_gets_its_suggestion_and_its_cognates(
    index_path: str,
) -> None:
    first = _first(index_path, "narcotraficantes colmbia")
    assert first["suggestion"] == "narcotraficantes colombia"
    assert first["keys found"] == ["colmbi"]  # its cognates, by the words' start
    assert set(first["hits"]) >= {"es-2"}
