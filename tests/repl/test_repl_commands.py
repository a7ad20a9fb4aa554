"""The REPL in process: command and filter parsing, each command's output, completion."""

from __future__ import annotations

import datetime as _dt
import io
import shutil
from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from shared_paths import SAMPLE_ID, SAMPLE_TITLE, SEEDS

import searchlib
from searchlib.repl import (
    COMMANDS,
    Command,
    CommandError,
    FilterState,
    Printer,
    ReplCompleter,
    hit_frags,
    offer_to_index,
    parse_command,
    parse_filters,
    run_repl,
)
from searchlib.search import Hit


def repl(index: Path | str, script: str) -> tuple[int, str]:
    out = io.StringIO()
    code = run_repl(str(index), stdin=io.StringIO(script), stdout=out)
    return code, out.getvalue()


# -- parsing ------------------------------------------------------------------------------------


def test_parse_command() -> None:
    assert parse_command("Humala coca") is None
    assert parse_command("title:humala") is None
    assert parse_command(":open 3") == Command("open", ("3",))
    assert parse_command("  :Q ") == Command("quit")
    quoted = Command("filter", ("country=El Salvador",))
    assert parse_command(':filter country="El Salvador"') == quoted
    with pytest.raises(CommandError, match="unknown command :opne.*did you mean :open"):
        parse_command(":opne 1")
    with pytest.raises(CommandError, match="empty command"):
        parse_command(":")


def test_parse_filters() -> None:
    f = parse_filters(["country=peru", "since=2011-01-01"])
    assert f == FilterState(country="peru", since=_dt.date(2011, 1, 1))
    assert f.describe() == "country=peru since=2011-01-01"
    f = parse_filters(["kind=Brief", "until=2012", "lang=ES"], f)
    assert (f.kind, f.until, f.doc_lang, f.country) == (
        "brief",
        _dt.date(2012, 12, 31),
        "es",
        "peru",
    )
    assert f.describe() == "country=peru kind=brief doc_lang=es since=2011-01-01 until=2012-12-31"
    assert parse_filters(["doc_lang=en"], f).doc_lang == "en"  # the search's name; lang= too
    assert parse_filters(["country=", "lang=any"], f).country is None
    assert parse_filters(["doc_lang=any"], f).doc_lang is None
    assert parse_filters(["country=El", "Salvador"]).country == "El Salvador"
    assert FilterState().describe() == "none"
    # the same date forms as --since/--until: year, year-month, full date
    f = parse_filters(["since=2020-02", "until=2020-02", "section=China and Crime"])
    assert (f.since, f.until) == (_dt.date(2020, 2, 1), _dt.date(2020, 2, 29))
    assert f.section == "China and Crime"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["peru"], "expected KEY=VALUE, got 'peru'"),
        (
            ["colour=red"],
            "unknown filter 'colour': use country=, section=, kind=, doc_lang=, since=, until=",
        ),
        (["since=2011-13-01"], "since=2011-13-01: not a date"),
        (["lang=fr"], "doc_lang=fr: the documents' language is en or es"),
        (["since=2012-01-01", "until=2011-01-01"], "since=2012-01-01 is after until=2011-01-01"),
    ],
)
def test_bad_filters(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as info:
        parse_filters(args)
    assert message in str(info.value)


def test_completion() -> None:
    def complete(text: str) -> list[str]:
        doc = Document(text, len(text))
        return [c.text for c in ReplCompleter().get_completions(doc, CompleteEvent())]

    assert complete(":re") == [":related"]
    assert set(complete(":")) == {f":{c}" for c in COMMANDS}
    assert complete(":filter co") == ["country="]
    assert complete(":lang e") == ["en", "es"]
    assert complete(":f c") == ["country=", "clear"]
    assert complete(": ") == []
    assert complete("humala ti") == ["title:"]
    assert complete("humala c") == ["country:"]


# -- commands -----------------------------------------------------------------------------------


def test_query_open_related_explain(seeds_index: Path) -> None:
    script = f"Humala coca\n:explain 1\n:open 1\n:related {SAMPLE_ID}\n:open 3\n"
    code, out = repl(seeds_index, script)
    assert code == 0
    first = out.splitlines()[0]
    assert first == f" 1. {SAMPLE_TITLE}"
    assert "brief | en | 2011-09-23 | Peru | score " in out
    assert "-- 1 hit (1-1) in " in out  # the Spanish twin is folded into the English story
    twin = "Humala de Perú pide mayor cooperación antidrogas con EEUU (id 44fea6efc1d86929)"
    assert f"also in es: {twin}" in out
    assert "BM25F" in out  # explain
    assert "Peru's President Ollanta Humala has called" in out  # the body
    assert "Related (3):" in out and "taricaya turtle" in out
    assert out.count("[shown on its page]") == 3
    assert "[same story, other language]" in out  # its twin comes first
    assert "China and Crime (related item)" in out  # :open 3 opened the second related item


def test_settings_and_errors(seeds_index: Path) -> None:
    script = (
        "\n".join(
            [
                ":filter country=peru since=2011-01-01",
                ":filter",
                "coca",
                ":filter kind=brif",
                ":filter clear",
                ":facets on",
                "coca",
                ":facets maybe",
                ":more",
                ":lang xx",
                '"coca',
                ":open 99",
                ":explain",
                ":stats",
                ":bogus",
                ":lang es",
                "erradicación de coca",
                ":quit",
                "never",
            ]
        )
        + "\n"
    )
    code, out = repl(seeds_index, script)
    assert code == 2  # some lines failed (usage errors): a script can tell
    assert out.count("filters: country=peru since=2011-01-01") == 2
    assert "filters country=peru since=2011-01-01" in out  # in the footer
    assert "error: kind=brif: this index has kinds analysis, brief, news, related" in out
    assert "filters: none" in out
    assert "   kind: brief (" in out  # facets
    assert "error: usage: :facets on|off (now on)" in out
    assert "error: no more hits" in out
    assert "error: usage: :lang en|es|any" in out
    # What a person types is read leniently: the stray quote is read as a space, and said so.
    assert "bad query" not in out
    assert 'note: position 0: unbalanced quote: this " is never closed: read as words' in out
    assert "error: no hit 99: choose 1-" in out
    assert "error: usage: :explain N|ID" in out
    assert "docs_by_kind: analysis 1, brief 2" in out
    assert "error: unknown command :bogus" in out
    assert "Humala de Perú pide mayor cooperación antidrogas con EEUU" in out
    assert out.splitlines()[-1].endswith("| query lang es")  # :quit stopped reading


def test_more_pages_on(seeds_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("searchlib.repl.PAGE_SIZE", 1)
    code, out = repl(seeds_index, ":lang es\nHumala OR armas\n:more\n:open 2\n")
    assert code == 0
    assert "-- 5 hits (1-1)" in out and ":more for the next page" in out
    assert " 2. El tráfico de armas florece en la frontera" in out and "-- 5 hits (2-2)" in out
    assert "México, Guatemala" in out  # :open 2 shows the second story's metadata


def test_twin_is_shown() -> None:
    hit = Hit(
        id="a",
        score=1.0,
        kind="brief",
        title="T",
        lang="en",
        date=None,
        countries=(),
        snippet="the <b>coca</b> crop",
        twin="b",
    )
    out = io.StringIO()
    for frags in hit_frags(1, hit):
        Printer(out).line(frags)
    assert "the *coca* crop" in out.getvalue()
    assert "also in es: b" in out.getvalue()


def test_missing_index(tmp_path: Path) -> None:
    code, out = repl(tmp_path / "nope", "coca\n")
    assert code == 3
    assert f"searchlib index seeds/ --index {tmp_path / 'nope'}" in out


def test_offer_to_index(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    out = io.StringIO()
    asked: list[str] = []

    def decline(question: str) -> str:
        asked.append(question)
        return "n"

    assert offer_to_index("idx", decline, Printer(out), tmp_path) is None
    assert asked and "[y/N]" in asked[0]
    target = str(tmp_path / "idx")
    index = offer_to_index(target, lambda q: "y", Printer(out), tmp_path)
    assert index is not None
    with index:
        assert index.search("Humala coca")[0].title == SAMPLE_TITLE
    assert "indexed 4 records" in out.getvalue()
    with searchlib.open_index(target) as reopened:
        assert len(reopened) == 13
    (tmp_path / "sub").mkdir()  # a seeds/ folder next to the working directory also counts
    assert offer_to_index("x", decline, Printer(out), tmp_path / "sub") is None
    assert str(tmp_path / "seeds") in asked[-1]
    assert offer_to_index("x", lambda q: "y", Printer(out), tmp_path / "seeds" / "es") is None


def test_snippets_wrap_at_word_boundaries() -> None:
    """Wrapped snippet lines fit the width, keep every word whole and the spaces around marks."""
    from searchlib.render import snippet_frags, wrap_frags

    frags = snippet_frags("the <b>gangs</b> have begun paying members to assault agents " * 3)
    lines = wrap_frags(frags, 40)
    texts = ["".join(t for _, t in line) for line in lines]
    assert all(len(t) <= 40 for t in texts) and len(texts) > 2
    assert (
        " ".join(t.strip() for t in texts)
        == ("the gangs have begun paying members to assault agents " * 3).strip()
    )
    assert ("class:match", "gangs") in [f for line in lines for f in line]


def test_more_pages_the_query_as_it_ran(seeds_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``:more`` after ``:filter`` or ``:lang`` pages the last query with the settings it ran
    with (it ran the query again under the new ones from the old offset, so page 2 came from
    another list and skipped its first hits); a new query takes the new settings."""
    monkeypatch.setattr("searchlib.repl.PAGE_SIZE", 1)
    script = ":lang es\nHumala OR armas\n:filter doc_lang=en\n:lang en\n:more\n"
    code, out = repl(seeds_index, script)
    assert code == 0
    assert " 2. El tráfico de armas florece en la frontera" in out
    assert "-- 5 hits (2-2) in" in out and "| query lang es | :more for the next page" in out
    code, out = repl(seeds_index, script + "Humala OR armas\n")
    assert code == 0
    new = out.split("-- 5 hits (2-2) in ")[1]
    assert " 1. Peru's Humala Calls for Closer Anti-Drug Cooperation with US" in new
    assert "-- 1 hit (1-1) in " in new and "| query lang en | filters doc_lang=en\n" in new
