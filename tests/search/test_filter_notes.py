"""A filter value that names nothing the index can match (``lang:fr``, ``--country Atlantis``,
``kind:nope``) says so in ``Results.warnings``, the command line's notes and its JSON."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from commands import searchlib_cli

import searchlib
from searchlib import ArgumentError, Filters

LANG = "searchlib knows English (en) and Spanish (es)"
KINDS = "(kinds: analysis, brief, news, related)"


@pytest.fixture(scope="module")
def index(seeds_index: Path) -> Any:
    with searchlib.open_index(seeds_index) as ix:
        yield ix


@pytest.mark.parametrize(
    ("query", "options", "total", "warnings"),
    [
        ("lang:fr coca", {}, 0, (f"lang:fr: {LANG}",)),
        ("coca", {"doc_lang": "fr"}, 0, (f"doc_lang=fr: {LANG}",)),
        ("coca", {"country": "Atlantis"}, 0, ("no country 'Atlantis'",)),
        ("coca country:atlantis", {}, 0, ("no country 'atlantis'",)),
        ("coca", {"country": "Peur"}, 0, ("no country 'Peur' (did you mean 'Peru'?)",)),
        ("coca", {"kind": "nope"}, 0, (f"no document has kind 'nope' {KINDS}",)),
        ("coca kind:nope", {}, 0, (f"no document has kind 'nope' {KINDS}",)),
        ("coca section:nope", {}, 0, ("no document has section 'nope'",)),
        ("coca", {"filters": Filters(section="Nope")}, 0, ("no document has section 'Nope'",)),
        # a negated clause filters nothing out, but it is still a typo worth a word
        ("coca -kind:nope", {}, 2, (f"no document has kind 'nope' {KINDS}",)),
        # valid values: hits and no warning
        ("coca lang:es country:peru kind:brief", {}, 1, ()),
        ("coca", {"country": "Perú", "kind": "Brief"}, 2, ()),
        ("coca", {"filters": Filters(doc_lang="ES", country="PE")}, 1, ()),
    ],
)
def test_a_filter_value_that_names_nothing_is_a_warning(
    index: Any, query: str, options: dict[str, Any], total: int, warnings: tuple[str, ...]
) -> None:
    results = index.search(query, **options)
    assert results.total == total
    assert results.warnings == warnings
    assert results.to_json().get("warnings", []) == list(warnings)


def test_an_unknown_query_language_stays_an_argument_error(index: Any) -> None:
    with pytest.raises(ArgumentError, match="lang must be 'en' or 'es', got 'fr'"):
        index.search("coca", lang="fr")


def _cli(seeds_index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return searchlib_cli("search", "--index", str(seeds_index), *args)


def test_the_command_line_prints_the_warning_and_its_json_holds_it(seeds_index: Path) -> None:
    proc = _cli(seeds_index, "coca", "--country", "Atlantis")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "no results\n"
    assert proc.stderr == "note: no country 'Atlantis'\n"
    proc = _cli(seeds_index, "lang:fr coca", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["total"], out["hits"]) == (0, [])
    assert out["warnings"] == [f"lang:fr: {LANG}"]
    proc = _cli(seeds_index, "coca", "--kind", "brief", "--country", "peru", "--json")
    out = json.loads(proc.stdout)
    assert out["total"] == 2
    assert "warnings" not in out
