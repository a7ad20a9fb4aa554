"""The facade's surface is pinned: adding or removing a public name is a deliberate change."""

from __future__ import annotations

from pathlib import Path

import searchlib

EXPECTED = [
    "AboutItem",
    "AfterCommitError",
    "AnalysisError",
    "Analyzer",
    "ArgumentError",
    "BM25F",
    "Brief",
    "CorruptIndexError",
    "Explanation",
    "Filters",
    "Hit",
    "Index",
    "IndexFormatTooNewError",
    "IndexFormatTooOldError",
    "IndexNotFoundError",
    "IndexReport",
    "IndexStateError",
    "IngestError",
    "IngestWarning",
    "LockError",
    "MissingExtraError",
    "QuerySyntaxError",
    "RelatedItem",
    "Results",
    "SearchlibError",
    "Token",
    "create_index",
    "detect_language",
    "get_analyzer",
    "index_paths",
    "iter_records",
    "open_index",
    "parse_page",
    "parse_query",
    "read_file",
]


def test_all_is_pinned_and_sorted() -> None:
    """__all__ is exactly the expected list, sorted."""
    assert searchlib.__all__ == EXPECTED
    assert searchlib.__all__ == sorted(searchlib.__all__)


def test_every_public_name_exists_and_nothing_else_leaks() -> None:
    """Each name in __all__ resolves; no other public module attribute is defined."""
    for name in searchlib.__all__:
        assert getattr(searchlib, name) is not None
    # The package's own modules become attributes once imported (the doctests import them all).
    package = Path(searchlib.__file__).parent
    submodules = {p.stem for p in package.glob("*.py")} | {
        p.parent.name for p in package.glob("*/__init__.py")
    }
    extra = {
        n
        for n in vars(searchlib)
        if not n.startswith("_") and n not in searchlib.__all__ and n not in submodules
    }
    assert extra == set()


def test_errors_share_one_root() -> None:
    """Every exported exception derives from SearchlibError; none shadows a builtin name."""
    import builtins

    for name in searchlib.__all__:
        obj = getattr(searchlib, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, searchlib.SearchlibError), name
            assert not hasattr(builtins, name), name
    assert issubclass(searchlib.QuerySyntaxError, ValueError)
