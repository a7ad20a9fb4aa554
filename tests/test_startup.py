"""Start-up: what a search pays before its first answer, and an index command before its
workers start. Checked by what is imported, never by timing: the worker-process machinery of
bulk indexing, the ingest package, rapidfuzz (fuzzy terms and filter notes only: did-you-mean
compares in numpy) and numpy.ma (which np.unique imports) are not loaded by searching, a query
with a misspelt word included; ``searchlib index`` does not load the query language, hits and
rendering (nor numpy.ma at its commit: the twins take their distinct values by sorting), while a
program's ``import searchlib`` does (its first query pays none of it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _python(code: str) -> list[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()


def test_searching_does_not_import_the_bulk_indexing_machinery(tmp_path: Path) -> None:
    _python(
        "import searchlib\n"
        f"index = searchlib.create_index({str(tmp_path / 'ix')!r})\n"
        "index.add(searchlib.Brief(id='a', lang='en', title='Coca', body=['coca growers']))\n"
        "index.commit()\n"
    )
    out = _python(
        "import sys, searchlib\n"
        f"index = searchlib.open_index({str(tmp_path / 'ix')!r})\n"
        "print([h.id for h in index.search('coca').hits])\n"
        "print([h.id for h in index.search('\"coca growers\"~1', facets=True).hits])\n"
        "print(index.search('cocaa growers').suggestion)\n"
        "print(sorted(m for m in ('searchlib.bulk', 'multiprocessing', 'concurrent.futures',"
        " 'searchlib.ingest', 'rapidfuzz', 'numpy.ma') if m in sys.modules))\n"
    )
    assert out == ["['a']", "['a']", "coca growers", "[]"]


SEARCH_SIDE = (
    "searchlib.search.parser",
    "searchlib.search.query",
    "searchlib.search.results",
    "searchlib.search.searcher",
    "searchlib.search.highlight",
    "searchlib.render",
)


def test_the_index_command_does_not_import_the_search_side(tmp_path: Path) -> None:
    imported, out = _index_command_imports(REPO / "seeds", tmp_path / "ix")
    assert {"searchlib.api", "searchlib.index.builder", "searchlib.search.twins"} <= imported
    assert sorted(m for m in (*SEARCH_SIDE, "numpy.ma") if m in imported) == []
    assert '"indexed": ' in out


def _index_command_imports(source: Path, index: Path, *options: str) -> tuple[set[str], str]:
    """The modules ``searchlib index SOURCE --index INDEX --json OPTIONS`` imports (its
    ``-X importtime`` report; forked workers' imports included), and what it printed."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "searchlib", "index", str(source)]
        + ["--index", str(index), "--json", *options],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    imported = {
        line.split("|")[-1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:")
    }
    return imported, run.stdout


def test_a_program_imports_the_search_side_with_searchlib() -> None:
    out = _python(
        "import sys, searchlib\n"
        f"print(sorted(m for m in {SEARCH_SIDE[:-1]!r} if m not in sys.modules))\n"
        "print(vars(searchlib)['Hit'].__module__, vars(searchlib)['open_index'].__module__)\n"
    )
    assert out == ["[]", "searchlib.search.results searchlib.api"]


def test_indexing_jsonl_does_not_import_the_page_parser(tmp_path: Path) -> None:
    """JSONL records with a language need neither the page parser nor its byline rules (their
    regular expressions are compiled at import, before the workers of ``searchlib index``
    start); a record without a language loads the page module's language guess."""
    source = tmp_path / "news.jsonl"
    source.write_text(
        '{"id": "a", "lang": "en", "title": "Coca", "body": "Coca growers in Peru."}\n'
        '{"id": "b", "title": "Cocaleros", "body": "Los cocaleros del Perú protestan."}\n'
    )
    out = _python(
        "import sys\n"
        "from searchlib.ingest import iter_records\n"
        f"first = next(iter(iter_records([{str(source)!r}])))\n"
        "print(first.id, first.lang, [m for m in ('searchlib.ingest.page',"
        " 'searchlib.ingest.byline') if m in sys.modules])\n"
        "second = list(iter_records([" + repr(str(source)) + "]))[1]\n"
        "print(second.id, second.lang, 'searchlib.ingest.page' in sys.modules)\n"
    )
    assert out == ["a en []", "b es True"]


def test_indexing_jsonl_loads_neither_the_page_parser_nor_openssl(tmp_path: Path) -> None:
    """``searchlib index`` of JSONL records with ids and languages (``--workers`` 1 and 2)
    imports neither the page parser and its byline rules (regular expressions compiled at
    import) nor hashlib (which loads OpenSSL; blake2b comes from its own module)."""
    source = tmp_path / "news.jsonl"
    source.write_text(
        "".join(
            f'{{"id": "n{i}", "lang": "en", "title": "Coca {i}", "body": "Coca growers {i}."}}\n'
            for i in range(400)
        )
    )
    for workers in ("1", "2"):
        imported, out = _index_command_imports(
            source, tmp_path / f"ix{workers}", "--workers", workers
        )
        assert {"searchlib.ingest.files", "searchlib.index.writer", "_blake2"} <= imported
        unwanted = ("searchlib.ingest.page", "searchlib.ingest.byline", "hashlib", "_hashlib")
        assert sorted(m for m in unwanted if m in imported) == []
        assert '"indexed": 400' in out


def test_only_the_command_itself_runs_numpy_without_blas_threads() -> None:
    """The ``searchlib`` command sets OPENBLAS_NUM_THREADS=1 before numpy's import (its
    thread pool costs every command 50 ms and the commands make no BLAS call); a program
    that imports searchlib, even one run as ``python -m package``, keeps its environment."""
    from searchlib._command import runs_the_command

    assert runs_the_command(["python3", "-m", "searchlib", "index", "x"], "-m")
    assert runs_the_command(["/usr/bin/python3", "/venv/bin/searchlib", "search"], "searchlib")
    assert not runs_the_command(["python3", "-m", "myapp", "-m", "searchlib"], "-m")
    assert not runs_the_command(["python3", "-m", "pytest"], "-m")
    assert not runs_the_command(["python3", "-m"], "-m")
    out = _python(
        "import os, searchlib\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'), searchlib.open_index.__module__)\n"
    )
    assert out == ["None searchlib.api"]
