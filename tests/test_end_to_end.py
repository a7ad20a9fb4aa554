"""Seeds -> index on disk -> search through the command line, with its JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shared_paths import SAMPLE_ID, SAMPLE_TITLE, SEEDS

from searchlib.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def search_json(capsys: pytest.CaptureFixture[str], index: Path, query: str, *extra: str) -> dict:
    code, out, err = run(capsys, "search", query, "--index", str(index), "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_index_command_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`searchlib index seeds/` indexes every seed page and prints one summary line."""
    code, out, err = run(capsys, "index", str(SEEDS), "--index", str(tmp_path / "idx"))
    assert code == 0, err
    assert out.startswith("indexed 4 records, skipped 1,") and "docs/s" in out
    assert err == (
        f"skipped {SEEDS / 'regressions.json'}: not indexed: .json file"
        " (a folder contributes .jsonl, .md, .txt files)\n"
    )


@pytest.mark.parametrize("query", ["Humala", "Humala coca"])
def test_sample_brief_ranks_first(
    seeds_index: Path, capsys: pytest.CaptureFixture[str], query: str
) -> None:
    """The sample brief is the first hit, with its exact title and metadata."""
    res = search_json(capsys, seeds_index, query)
    assert res["query"] == query
    assert res["total"] >= 1
    first = res["hits"][0]
    assert first["id"] == SAMPLE_ID
    assert first["title"] == SAMPLE_TITLE
    assert first["lang"] == "en" and first["kind"] == "brief"
    assert first["date"] == "2011-09-23" and first["countries"] == ["Peru"]
    assert "<b>Humala</b>" in first["snippet"]
    # everything a program needs without a second call
    assert first["country_codes"] == ["PE"] and first["section"] is None
    assert first["authors"] == ["Geoffrey Ramsey"]
    assert first["source"].endswith("000_60fa42e6893d93ee.txt")
    assert set(first) == {
        "id",
        "score",
        "kind",
        "title",
        "lang",
        "date",
        "countries",
        "country_codes",
        "section",
        "sections",
        "authors",
        "url",
        "source",
        "snippet",
        "snippet_text",
        "highlights",
    }


@pytest.mark.parametrize(
    "query", ["donate", '"Creative Commons"', '"Was this content helpful"', "share icon"]
)
def test_boilerplate_is_not_indexed(
    seeds_index: Path, capsys: pytest.CaptureFixture[str], query: str
) -> None:
    """Site boilerplate never reaches indexed text. (A phrase is searched as written in both
    languages; as two words, Commons would also be the lexicon's común, which real Spanish
    text holds: frontera común.)"""
    res = search_json(capsys, seeds_index, query, "--lang", "en")
    assert res["total"] == 0 and res["hits"] == []


def test_stats_json(seeds_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats", "--index", str(seeds_index), "--json")
    stats = json.loads(out)
    assert code == 0
    assert stats["generation"] >= 1 and stats["segments"] >= 1
    assert (
        stats["docs"] == sum(stats["docs_by_kind"].values()) == sum(stats["docs_by_lang"].values())
    )
    assert stats["docs_by_kind"]["related"] >= 3


def test_check_healthy(seeds_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--index", str(seeds_index))
    assert code == 0 and out.startswith("ok:")


def test_related_lists_the_pages_related_items(
    seeds_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "related", SAMPLE_ID, "--index", str(seeds_index), "--json")
    assert code == 0
    res = json.loads(out)
    shown = [h for h in res["hits"] if h["reason"] == "shown on its page"]
    assert [h["countries"] for h in shown] == [["Brazil"], [], ["Brazil"]]
    assert [h["section"] for h in shown] == [None, "China and Crime", None]
    # the teaser is the item's only text: JSON holds it whole, as the snippet too
    page = (SEEDS / "000_60fa42e6893d93ee.txt").read_text(encoding="utf-8")
    for h in shown:
        assert h["teaser"] in page and h["snippet"] == h["teaser"]
        assert "…" not in h["title"]
    assert shown[1]["teaser"] == (
        "The taricaya turtle conservation program in northern Peru has been heralded as "
        "bringing an endangered species back from the brink…"
    )
    assert [h["date"] for h in shown] == ["2022-11-25", "2021-05-14", "2021-12-28"]
    assert all(h["kind"] == "related" for h in shown)


def test_analyze_json(capsys: pytest.CaptureFixture[str]) -> None:
    text = "U.S. drug officials"
    code, out, _ = run(capsys, "analyze", text, "--lang", "en", "--json")
    res = json.loads(out)
    assert code == 0 and res["lang"] == "en"
    assert [t["term"] for t in res["tokens"]] == ["us", "drug", "offici"]
    for t in res["tokens"]:
        assert set(t) == {"term", "position", "start", "end"}
    assert [text[t["start"] : t["end"]] for t in res["tokens"]] == ["U.S.", "drug", "officials"]


def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], seeds_index: Path
) -> None:
    for argv in (
        ["search"],
        ["frobnicate"],
        ["search", "x", "--limit", "many"],
        ["search", "x", "--lang", "fr"],
    ):
        code, out, err = run(capsys, *argv)
        assert code == 2, argv
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_query_syntax_error_exits_2_naming_position(
    seeds_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "search", 'coca "erradicación', "--index", str(seeds_index))
    assert code == 2
    assert "position 5" in err and "Traceback" not in err


def test_missing_index_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "search", "coca", "--index", str(tmp_path / "nothing"))
    assert code == 3
    assert "no index" in err and "Traceback" not in err


def test_python_api_mirrors_the_cli(tmp_path: Path) -> None:
    """What the CLI does is reachable from Python: create, add, commit, search, related, stats."""
    import datetime as dt

    import searchlib

    with searchlib.create_index(tmp_path / "api") as index:
        index.add(
            searchlib.Brief(
                id="x1",
                lang="es",
                title="Extorsión en Honduras",
                date=dt.date(2020, 1, 2),
                body=["Las pandillas cobran extorsión a los transportistas de Tegucigalpa."],
                countries=["Honduras"],
            )
        )
        index.commit()
        hits = index.search("extorsion", lang="es")
        assert [h.id for h in hits] == ["x1"]
        assert hits[0].snippet.count("<b>") == 1 and "<b>extorsión</b>" in hits[0].snippet
        assert index.stats()["docs"] == 1
        assert index.search("extorsion", country="Peru").total == 0
    with searchlib.open_index(tmp_path / "api") as again:
        assert again.get("x1").title == "Extorsión en Honduras"


def _bad_folder(root: Path) -> Path:
    """Good records mixed with a binary file, invalid UTF-8, an empty file, a broken JSONL line."""
    folder = root / "input"
    folder.mkdir()
    (folder / "a_binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (folder / "b_latin1.txt").write_bytes("Título\n\nCañón en el país.".encode("latin-1"))
    (folder / "c_empty.md").write_bytes(b"")
    good = [
        {"id": "en-1", "lang": "en", "title": "Gangs in Honduras", "body": "Extortion by gangs."},
        {"id": "es-2", "lang": "es", "title": "Pandillas", "body": "La policía detuvo a dos."},
    ]
    lines = [json.dumps(good[0]), '{"id": "broken", "lang": "en", "title": ', json.dumps(good[1])]
    (folder / "d_docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("workers", ["1", "2"])
def test_index_skips_bad_input_names_it_and_commits_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], workers: str
) -> None:
    """Each bad file (and the JSONL line) is named once; the good records are committed; exit 0."""
    folder = _bad_folder(tmp_path)
    idx = str(tmp_path / "idx")
    code, out, err = run(capsys, "index", str(folder), "--index", idx, "--workers", workers)
    assert code == 0
    skipped = [line for line in err.splitlines() if line.startswith("skipped ")]
    assert [line.split(": ")[0] for line in skipped] == [
        f"skipped {folder / 'a_binary.txt'}",
        f"skipped {folder / 'b_latin1.txt'}:1",
        f"skipped {folder / 'c_empty.md'}",
        f"skipped {folder / 'd_docs.jsonl'}:2",
    ]
    assert out.startswith("indexed 2 records, skipped 4,")
    res = search_json(capsys, Path(idx), "extortion OR pandillas")
    assert sorted(h["id"] for h in res["hits"]) == ["en-1", "es-2"]


def test_index_exits_3_when_nothing_could_be_indexed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    code, _, err = run(capsys, "index", str(bad), "--index", str(tmp_path / "idx"))
    assert code == 3 and "binary file" in err and "Traceback" not in err


def test_spanish_query_finds_the_english_sample_brief(
    seeds_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the lexicon, a Spanish query reaches English briefs (and its Spanish twin)."""
    res = search_json(capsys, seeds_index, "erradicación de coca Humala", "--lang", "es")
    ids = [h["id"] for h in res["hits"]]
    assert SAMPLE_ID in ids and "44fea6efc1d86929" in ids
    english = next(h for h in res["hits"] if h["id"] == SAMPLE_ID)
    assert "<b>eradication</b>" in english["snippet"] and "<b>coca</b>" in english["snippet"]


def test_workers_and_sequential_indexing_give_the_same_results(tmp_path: Path) -> None:
    """Worker processes writing many small segments rank exactly as one sequential run."""
    import searchlib
    from searchlib.bulk import bulk_index

    src = tmp_path / "docs.jsonl"
    words = "coca cartel police border prison gang extortion army drug trafficking".split()
    with open(src, "w", encoding="utf-8") as f:
        for i in range(400):
            body = " ".join(words[(i * 7 + k) % len(words)] for k in range(5 + i % 11))
            f.write(json.dumps({"id": f"d{i % 390}", "lang": "en", "title": f"t{i}", "body": body}))
            f.write("\n")  # ids d0..d9 come twice: the later record must win in both runs
    rankings = []
    for workers in (1, 2):
        path = tmp_path / f"idx{workers}"
        with searchlib.create_index(path) as index:
            if workers == 1:
                searchlib.index_paths(index, [src], workers=1)
                index.optimize()
            else:
                n, errors = bulk_index(index.writer, path, [src], workers=2, chunk_bytes=4096)
                assert (n, errors) == (400, [])
                assert len(index.writer._flushed) > 1  # several worker segments
                index.commit()
                index.optimize()  # both runs end as one segment without the replaced records
            assert len(index) == 390
            assert index.get("d5").title == "t395"  # the later record won
            rankings.append(
                [
                    (h.id, h.title, round(h.score, 5))
                    for q in ("coca", "drug trafficking", "gang -army")
                    for h in index.search(q, limit=50)
                ]
            )
    assert rankings[0] == rankings[1] and len(rankings[0]) > 0


def test_country_filter_ignores_case_and_accents(
    seeds_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--country peru keeps the English brief (Peru) and its Spanish twin (Perú), nothing else."""
    res = search_json(capsys, seeds_index, "Humala OR armas", "--country", "peru")
    assert sorted(h["id"] for h in res["hits"]) == ["44fea6efc1d86929", SAMPLE_ID]
    assert res["total"] == 2
