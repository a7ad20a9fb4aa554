"""Command-line details (issue 14): get/delete, the documents' language, date forms, help
texts, index paths that are files, the generation after --optimize, a closed pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shared_paths import SAMPLE_ID, SEEDS

from searchlib.cli import build_parser, main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def own_index(tmp_path: Path) -> Path:
    path = tmp_path / "idx"
    assert main(["index", str(SEEDS), "--index", str(path), "--quiet"]) == 0
    return path


def test_get_prints_the_stored_record(
    seeds_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "get", SAMPLE_ID, "--index", str(seeds_index), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["id"] == SAMPLE_ID and doc["authors"] == ["Geoffrey Ramsey"]
    assert doc["countries"] == ["Peru"] and doc["country_codes"] == ["PE"]
    assert [r["section"] for r in doc["related"]] == ["Brazil", "China and Crime", "Brazil"]
    assert doc["related"][1]["teaser"].startswith("The taricaya turtle conservation program")
    code, out, _ = run(capsys, "get", SAMPLE_ID, "--index", str(seeds_index))
    assert code == 0 and out.startswith("Peru's Humala Calls for Closer")
    code, out, err = run(capsys, "get", "nope", "--index", str(seeds_index))
    assert code == 3 and out == "" and "no document with id 'nope'" in err


def test_delete_commits_and_refuses_unknown_ids(
    own_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "delete", "nope", "--index", str(own_index))
    assert code == 3 and "no document with id 'nope'" in err
    code, out, _ = run(capsys, "delete", SAMPLE_ID, "--index", str(own_index))
    assert code == 0 and out.startswith(f"deleted {SAMPLE_ID}")
    code, out, _ = run(capsys, "search", "Humala", "--index", str(own_index), "--json")
    assert SAMPLE_ID not in {h["id"] for h in json.loads(out)["hits"]}
    code, _, _ = run(capsys, "get", SAMPLE_ID, "--index", str(own_index))
    assert code == 3


def test_doc_lang_section_and_date_forms(
    seeds_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def hits(*extra: str) -> list[dict[str, object]]:
        code, out, err = run(
            capsys,
            "search",
            "coca OR armas OR Humala",
            "--index",
            str(seeds_index),
            "--json",
            "--limit",
            "50",
            *extra,
        )
        assert code == 0, err
        return list(json.loads(out)["hits"])

    every = hits()
    assert {h["lang"] for h in every} == {"en", "es"}
    assert {h["lang"] for h in hits("--doc-lang", "es")} == {"es"}
    assert {h["id"] for h in hits("--doc-lang", "es")} == {
        h["id"] for h in every if h["lang"] == "es"
    }
    assert {h["section"] for h in hits("--section", "armas y seguridad")} == {"Armas y Seguridad"}
    # year, year-month and full date, as the REPL's :filter since= accepts them
    assert {h["date"][:4] for h in hits("--since", "2020") if h["date"]} >= {"2021"}  # type: ignore[index]
    assert all(h["date"] and h["date"] <= "2011-09-30" for h in hits("--until", "2011-09"))  # type: ignore[operator]
    assert hits("--until", "2011-09") and hits("--since", "2011-09-23", "--until", "2011")
    code, _, err = run(capsys, "search", "coca", "--index", str(seeds_index), "--since", "2011-13")
    assert code == 2 and "not a date (YYYY, YYYY-MM or YYYY-MM-DD): '2011-13'" in err


def test_help_describes_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # no line wrapped inside a phrase looked for
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    search = sub.choices["search"].format_help()  # type: ignore[attr-defined]
    for words in (
        "default: indexes/default",
        "hits to show",
        "--doc-lang",
        "ISO code",
        "YYYY, YYYY-MM or YYYY-MM-DD",
        "kind: brief",
        "byline section",
    ):
        assert words in " ".join(search.split()), words
    for name in ("index", "related", "get", "delete", "stats", "repl"):
        text = " ".join(sub.choices[name].format_help().split())  # type: ignore[attr-defined]
        assert "the index folder" in text and "default: indexes/default" in text, name


def test_an_index_path_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "search", "coca", "--index", str(afile))
    assert code == 3 and f"no index at {afile}: it is a file, not a folder" in err
    code, _, err = run(capsys, "index", str(SEEDS), "--index", str(afile))
    assert code == 3 and f"cannot make an index at {afile}: it is a file, not a folder" in err
    code, _, err = run(capsys, "index", str(SEEDS), "--index", str(afile / "idx"))
    assert code == 3 and f"{afile} is a file, not a folder" in err
    assert afile.read_text(encoding="utf-8") == "x"


def test_optimize_reports_the_generation_stats_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    idx = str(tmp_path / "idx")
    assert run(capsys, "index", str(SEEDS / "es"), "--index", idx)[0] == 0
    code, out, _ = run(
        capsys, "index", str(SEEDS / "000_60fa42e6893d93ee.txt"), "--index", idx, "--optimize"
    )
    said = int(out.rsplit("generation ", 1)[1].rstrip(")\n"))
    code, out, _ = run(capsys, "stats", "--index", idx, "--json")
    assert said == json.loads(out)["generation"]


def test_a_closed_pipe_is_no_error(tmp_path: Path) -> None:
    """`searchlib analyze ... | head -1`: exit 0, nothing on stderr."""
    text = "coca cocaína policía " * 4000  # output far past a pipe buffer
    with subprocess.Popen(
        [sys.executable, "-m", "searchlib", "analyze", text, "--lang", "es"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONIOENCODING="utf-8"),
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 0, err
    assert first.startswith(b"lang: es") and err == b""


def test_a_document_without_a_title_shows_its_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "docs.jsonl"
    record = {"id": "x1", "lang": "en", "title": "", "body": "Coca prices fell in the valley."}
    src.write_text(json.dumps(record) + "\n", encoding="utf-8")
    idx = str(tmp_path / "idx")
    assert run(capsys, "index", str(src), "--index", idx)[0] == 0
    code, out, _ = run(capsys, "search", "coca", "--index", idx)
    assert code == 0 and out.splitlines()[0] == " 1. Coca prices fell in the valley."
    code, out, _ = run(capsys, "search", "coca", "--index", idx, "--json")
    assert json.loads(out)["hits"][0]["title"] == ""


def test_a_later_page_numbers_its_hits_from_the_offset(
    seeds_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--offset 2`` numbers its hits 3 and 4, as the REPL's ``:more`` numbers a later page
    (they were numbered 1 and 2 again), and its last line says which hits they are."""
    query = "coca OR prison OR turtle OR amazon"
    where = ("--index", str(seeds_index))

    def numbered(out: str) -> list[str]:
        return [line for line in out.splitlines() if line[:4].strip().rstrip(".").isdigit()]

    code, first, _ = run(capsys, "search", query, "--limit", "4", *where)
    assert code == 0 and len(numbered(first)) == 4
    code, later, _ = run(capsys, "search", query, "--limit", "2", "--offset", "2", *where)
    assert code == 0
    assert numbered(later) == numbered(first)[2:]
    assert [line[:4] for line in numbered(later)] == [" 3. ", " 4. "]
    total = first.splitlines()[-1].split()[1]
    assert later.splitlines()[-1].startswith(f"-- {total} hits (3-4) in ")
    code, past, _ = run(capsys, "search", query, "--offset", "50", *where)
    assert code == 0 and past.startswith(f"-- {total} hits (none past --offset 50) in ")


def test_the_query_words_and_a_query_that_starts_with_a_dash(
    seeds_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unquoted words are one query; a query that starts with ``-`` goes after ``--``, and the
    error for one before it says so."""
    index = ["--index", str(seeds_index), "--json"]
    code, out, _ = run(capsys, "search", "coca", "peru", *index)
    together = json.loads(out)
    code2, out2, _ = run(capsys, "search", "coca peru", *index)
    assert code == code2 == 0 and together["hits"] == json.loads(out2)["hits"]
    assert together["query"] == "coca peru" and together["total"] > 0
    code, out, err = run(capsys, "search", "-coca", *index)
    assert code == 2 and out == ""
    assert "(a query that starts with -: searchlib search [options] -- -coca)" in err
    code, out, _ = run(capsys, "search", *index, "--", "-coca")
    without = {h["id"] for h in json.loads(out)["hits"]}
    code2, out2, _ = run(capsys, "search", "NOT coca", *index)
    assert code == code2 == 0 and without and without == {h["id"] for h in json.loads(out2)["hits"]}
    assert SAMPLE_ID not in without


def test_the_parser_of_one_command_lists_every_command_and_parses_it_as_the_whole() -> None:
    """main builds only the options of the command it runs (build_parser(command)): the
    command list and help are those of the whole parser, and that command parses the same."""
    whole = build_parser()
    for argv in (
        ["index", "seeds", "--workers", "2", "--quiet", "--memory-mb", "300"],
        ["search", "coca", "peru", "--lang", "es", "--since", "2011-09", "--limit", "3"],
        ["--debug", "get", "60fa42e6893d93ee", "--json"],
    ):
        one = build_parser(argv[1] if argv[0] == "--debug" else argv[0])
        assert one.format_help() == whole.format_help()
        assert one.parse_args(argv) == whole.parse_args(argv)
    sub = next(a for a in build_parser("index")._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(  # type: ignore[attr-defined]
        next(a for a in whole._actions if a.dest == "command").choices  # type: ignore[attr-defined]
    )
