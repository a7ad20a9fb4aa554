"""Layering: a module may import only from its own layer or the layers below (checked with ast)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "searchlib"

# Lower number = lower layer. analysis and storage share a layer but must not import each other.
LAYERS = {
    "searchlib._types": 0,
    "searchlib._json": 0,
    "searchlib.seam": 0,
    "searchlib.errors": 0,
    "searchlib.records": 0,
    "searchlib.schema": 0,
    "searchlib.countries": 0,
    "searchlib.dates": 0,
    "searchlib.analysis": 1,
    "searchlib.storage": 1,
    "searchlib.ingest": 2,
    "searchlib.index": 2,
    "searchlib.search": 3,
    "searchlib.api": 4,
    "searchlib.bulk": 4,
    "searchlib.postgres": 4,
    "searchlib.evaluation": 5,
    "searchlib.render": 5,
    "searchlib.repl": 5,
    "searchlib.serve": 6,
    "searchlib.cli": 6,
    "searchlib.__main__": 7,
    "searchlib": 5,  # the facade re-exports from every layer
}
SIBLINGS_APART = {
    ("searchlib.analysis", "searchlib.storage"),
    ("searchlib.storage", "searchlib.analysis"),
    ("searchlib.ingest", "searchlib.index"),
    ("searchlib.index", "searchlib.ingest"),
}


def layer_of(module: str) -> str:
    best = ""
    for name in LAYERS:
        if (module == name or module.startswith(name + ".")) and len(name) > len(best):
            best = name
    return best


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return [m for m in out if m == "searchlib" or m.startswith("searchlib.")]


MODULES = sorted(PACKAGE.rglob("*.py"))


def violations(path: Path, module: str) -> list[str]:
    """What breaks the layering in ``path``, read as the module ``module``."""
    me = layer_of(module)
    if not me:
        return [f"{path} is in no layer: add it to LAYERS"]
    out = []
    for target in imports(path):
        other = layer_of(target)
        if not other:
            out.append(f"{path} imports {target}, which is in no layer")
        elif me.startswith(other) or other.startswith(me):
            continue  # inside its own package
        elif LAYERS[other] > LAYERS[me]:
            out.append(f"{module} (layer {LAYERS[me]}) imports {target} (layer {LAYERS[other]})")
        elif (me, other) in SIBLINGS_APART:
            out.append(f"{module} must not import {target}")
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_upward_imports(path: Path) -> None:
    """No module imports from a layer above its own, nor across analysis/storage or ingest/index."""
    assert violations(path, module_name(path)) == []


def test_the_checker_catches_an_upward_import(tmp_path: Path) -> None:
    """The rule above fails on a storage module importing the search layer, an analysis module
    importing storage, and a module outside every layer; it passes a downward import."""
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy\nfrom searchlib.search import Searcher\n")
    assert violations(bad, "searchlib.storage.bad") == [
        "searchlib.storage.bad (layer 1) imports searchlib.search (layer 3)"
    ]
    assert violations(bad, "searchlib.api") == []
    sibling = tmp_path / "sibling.py"
    sibling.write_text("from searchlib.storage import codec\n")
    assert violations(sibling, "searchlib.analysis.x") == [
        "searchlib.analysis.x must not import searchlib.storage"
    ]
    assert violations(sibling, "searchlib.index.x") == []
    assert violations(sibling, "elsewhere") == [f"{sibling} is in no layer: add it to LAYERS"]


def test_no_pickle_or_eval_in_the_package() -> None:
    """Opening an index must never run code: no pickle, marshal, eval or exec anywhere."""
    for path in MODULES:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + (
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
                )
                assert not any(
                    n and n.split(".")[0] in {"pickle", "marshal", "shelve", "dill"} for n in names
                ), path
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec"}, path
        assert "allow_pickle=True" not in source, path
