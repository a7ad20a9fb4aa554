"""Golden files: tests/golden/analysis/{en,es}.tsv, one ``input<TAB>expected terms`` per line."""

from __future__ import annotations

from pathlib import Path

import pytest

from searchlib.analysis import get_analyzer

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "analysis"


def _cases(lang: str) -> list[tuple[str, str]]:
    cases = []
    for line in (GOLDEN / f"{lang}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, _, expected = line.partition("\t")
            cases.append((text, expected))
    return cases


@pytest.mark.parametrize("lang", ["en", "es"])
def test_golden(lang: str) -> None:
    analyzer = get_analyzer(lang)
    cases = _cases(lang)
    assert len(cases) >= 30
    for text, expected in cases:
        assert " ".join(analyzer.terms(text)[0]) == expected, text
