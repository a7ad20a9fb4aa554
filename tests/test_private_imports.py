"""No private import between modules: a name starting with ``_`` stays in its own module.

``from searchlib.search.execute import _score_group`` couples two modules through an internal
detail; a helper another module needs is public (named without ``_``, listed in ``__all__``).
Modules whose own name starts with ``_`` (``searchlib._json``) are internal to the package but
their public names may be imported anywhere in it. Checked with ``ast`` over every module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "searchlib"
MODULES = sorted(PACKAGE.rglob("*.py"))


def private_imports(source: str) -> list[str]:
    """``module._name`` for each private name ``source`` imports from a searchlib module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module != "searchlib" and not node.module.startswith("searchlib."):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found += [f".{a.name}" for a in node.names if a.name.startswith("_")]
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_name_is_imported_from_another_module(path: Path) -> None:
    assert private_imports(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_private_import() -> None:
    """The checker is able to fail: it reports the private names, and only those."""
    source = (
        "from searchlib.search.execute import _column_match, evaluate\n"
        "from searchlib._json import loads\n"
        "from numpy import _private\n"
        "def f():\n"
        "    from searchlib.search.leaves import _impacts\n"
    )
    assert private_imports(source) == [
        "searchlib.search.execute._column_match",
        "searchlib.search.leaves._impacts",
    ]
