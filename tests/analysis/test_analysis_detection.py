"""Language detection: examples, and accuracy on the shared corpora (skipped without them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchlib.analysis import detect_language

CORPORA = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpora"


def test_sentences() -> None:
    spanish = "La policía detuvo a los sospechosos de narcotráfico en el país."
    assert detect_language(spanish) == "es"
    assert detect_language("Police arrested the drug trafficking suspects in the country.") == "en"
    assert detect_language("¿Cuántos puntos anotó el equipo?") == "es"
    assert detect_language("How many points did the team score?") == "en"
    assert detect_language("") == "und"
    assert detect_language("2020 123,456") == "und"


def _accuracy(pairs: list[tuple[str, str]]) -> float:
    return sum(detect_language(text) == lang for text, lang in pairs) / len(pairs)


def _corpus_docs() -> list[Path]:
    if not CORPORA.is_dir():
        pytest.skip(f"shared corpora not found at {CORPORA}")
    paths = sorted(CORPORA.glob("*/docs.jsonl"))
    if not paths:
        pytest.skip(f"no docs.jsonl under {CORPORA}")
    return paths


@pytest.mark.corpus
def test_document_accuracy() -> None:
    for path in _corpus_docs():
        pairs = []
        with path.open(encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                text = (doc.get("title") or "") + "\n" + (doc.get("body") or "")
                pairs.append((text, doc["lang"]))
        accuracy = _accuracy(pairs)
        assert accuracy >= 0.995, (path.parent.name, accuracy)


@pytest.mark.corpus
def test_question_accuracy() -> None:
    path = CORPORA / "xquad-en-es" / "queries.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    with path.open(encoding="utf-8") as f:
        pairs = [(q["text"], q["lang"]) for q in map(json.loads, f)]
    assert _accuracy(pairs) >= 0.95
