"""The parser's shortcut for words side by side (no syntax) makes the tree the parser makes.

``parse_query`` reads a query with no syntax character, operator, sign or field as its words'
leaves in the default group without running the parser; these tests run the parser itself
(``_Parser``) on the same text and compare the trees, over tricky strings and, when the shared
corpora are there, every query of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchlib.search import parser as parser_module
from searchlib.search.parser import DEFAULT_FIELDS, parse_query
from searchlib.search.query import And, Or, Term, Wildcard, normalize

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"

TRICKY = [
    "coca",
    "How many points did the Panthers defense surrender?",
    "¿Qué causa la tensión en las estructuras?",
    "drug  trafficking\tPeru\n",
    "coca*",
    "*",
    "* coca",
    "co*ca",
    "c?ca",
    "?",
    "a-b c+d e.f U.S. O'Brien president’s",
    "coca AND peru",
    "coca OR",
    "NOT coca",
    "ANDNOT",
    "and or not",
    "+coca peru",
    "-coca peru",
    "coca -peru",
    "coca lang:es",
    "title:coca",
    "12:30",
    '"drug trafficking"',
    "coca^2",
    "coca~",
    "(coca)",
    "[a TO b]",
    "coca coca coca",
    " ".join(f"w{i}" for i in range(64)),
    " ".join(f"w{i}" for i in range(65)),
    "",
    "   ",
    "\u00a0coca\u2003peru",
]


def _parsed(text: str, default_op: str) -> object:
    try:
        return parse_query(text, default_op=default_op)  # type: ignore[arg-type]
    except Exception as e:  # noqa: BLE001 - the error itself is compared
        return (type(e), str(e))


def _full_parser(text: str, default_op: str) -> object:
    group = And if default_op == "AND" else Or
    try:
        if len(text) > 1000:
            return parse_query(text, default_op=default_op)  # type: ignore[arg-type]
        return normalize(parser_module._Parser(text, group, DEFAULT_FIELDS).parse())
    except Exception as e:  # noqa: BLE001
        return (type(e), str(e))


@pytest.mark.parametrize("default_op", ["OR", "AND"])
@pytest.mark.parametrize("text", TRICKY)
def test_shortcut_makes_the_parsers_tree(text: str, default_op: str) -> None:
    assert _parsed(text, default_op) == _full_parser(text, default_op)


def test_the_shortcut_is_taken_for_plain_words() -> None:
    assert parser_module._plain_words("How many points did the Panthers defense surrender?") == [
        "How", "many", "points", "did", "the", "Panthers", "defense", "surrender?",
    ]  # fmt: skip
    # a question's mark is punctuation, a ? inside a word a wildcard
    assert parse_query("coca surrender?") == Or([Term(None, "coca"), Term(None, "surrender")])
    assert parse_query("coca surr?nder") == Or([Term(None, "coca"), Wildcard(None, "surr?nder")])
    for syntax in ("coca AND peru", "+coca", '"a b"', "lang:es", "a^2", "(a)", "a~"):
        assert parser_module._plain_words(syntax) is None


def test_shortcut_on_every_corpus_query() -> None:
    files = sorted(CORPORA.glob("*/queries.jsonl")) if CORPORA.is_dir() else []
    if not files:
        pytest.skip("shared corpora not available")
    seen = 0
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            text = record.get("text") or record.get("query") or ""
            for op in ("OR", "AND"):
                assert _parsed(text, op) == _full_parser(text, op), text
            seen += 1
    assert seen > 100
