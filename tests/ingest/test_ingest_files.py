"""read_file and iter_records: JSONL, plain text, folders, and one IngestError per bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from searchlib.errors import IngestError
from searchlib.ingest import iter_records, read_file
from searchlib.records import Brief, stable_id

GOOD_JSONL = [
    {"id": "en-1", "lang": "en", "title": "Gangs in Honduras", "body": "First line.\nSecond."},
    {"id": "ES-2 ", "lang": "es", "title": "Pandillas", "body": "La policía detuvo a dos."},
]


def _write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_folder_with_bad_files_yields_good_records_and_one_error_per_bad_file(
    tmp_path: Path,
) -> None:
    """Binary, invalid UTF-8, empty files, a broken JSONL line, and the files a folder does
    not contribute (hidden, other extensions): each named with its reason; the rest read."""
    (tmp_path / "a_binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (tmp_path / "b_latin1.txt").write_bytes("Título\n\nCañón en el país.".encode("latin-1"))
    (tmp_path / "c_empty.md").write_bytes(b"")
    lines = [json.dumps(GOOD_JSONL[0]), '{"id": "broken", "lang": "en", "title": ', ""]
    lines.append(json.dumps(GOOD_JSONL[1]))
    _write_jsonl(tmp_path / "d_docs.jsonl", lines)
    sub = tmp_path / "e_sub"
    sub.mkdir()
    (sub / "note.txt").write_text("Police Arrest Gang Leader\n\nThe police said on Monday.\n")
    (sub / "ignored.csv").write_text("a,b\n")
    (sub / "ignored.json").write_text('{"id": "x", "title": "t"}')
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nnot read")
    hidden_dir = tmp_path / ".git"
    hidden_dir.mkdir()
    (hidden_dir / "x.txt").write_text("Hidden too\n")

    results = list(iter_records([tmp_path]))

    errors = [r for r in results if isinstance(r, IngestError)]
    briefs = [r for r in results if isinstance(r, Brief)]
    assert [(Path(e.path).name, e.line) for e in errors] == [
        (".git", None),
        (".hidden.txt", None),
        ("a_binary.txt", None),
        ("b_latin1.txt", 1),
        ("c_empty.md", None),
        ("d_docs.jsonl", 2),
        ("ignored.csv", None),
        ("ignored.json", None),
    ]
    assert [e.reason for e in errors[:5]] == [
        "not indexed: hidden folder",
        "not indexed: hidden file",
        "binary file (contains NUL bytes)",
        "not valid UTF-8 (byte 1)",
        "empty file",
    ]
    assert errors[5].reason.startswith("malformed JSON")
    assert [e.reason for e in errors[6:]] == [
        "not indexed: .csv file (a folder contributes .jsonl, .md, .txt files)",
        "not indexed: .json file (a folder contributes .jsonl, .md, .txt files)",
    ]
    assert [b.id for b in briefs] == [
        "en-1",
        "ES-2 ",
        stable_id("file", f"{tmp_path.name}/e_sub/note.txt"),
    ]
    assert briefs[0].source == f"{tmp_path / 'd_docs.jsonl'}:1"
    assert briefs[1].source == f"{tmp_path / 'd_docs.jsonl'}:4"
    assert briefs[2].source == str(sub / "note.txt")
    assert briefs[2].id == stable_id("file", f"{tmp_path.name}/e_sub/note.txt")


def test_jsonl_record_missing_id_or_text_is_an_error_with_its_line(tmp_path: Path) -> None:
    """No id, an empty id, no title and body, a language or a shape not known: error at the
    line (a bad date is not an error: see test_bad_date_keeps_the_record_with_a_warning)."""
    lines = [
        json.dumps({"lang": "en", "title": "No id", "body": "x"}),
        json.dumps({"id": "", "lang": "en", "title": "Empty id", "body": "x"}),
        json.dumps({"id": "no-text", "lang": "en"}),
        json.dumps({"id": "fr", "lang": "fr", "title": "Bonjour"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "ok", "lang": "en", "title": "Fine"}),
    ]
    results = list(read_file(_write_jsonl(tmp_path / "docs.jsonl", lines)))
    errors = [r for r in results if isinstance(r, IngestError)]
    assert [(e.path, e.line) for e in errors] == [
        (str(tmp_path / "docs.jsonl"), n) for n in range(1, 6)
    ]
    assert [e.reason for e in errors] == [
        "record has no id",
        "record has no id",
        "record has no text (neither title nor body)",
        "unsupported language 'fr'",
        "record is a JSON list, not an object",
    ]
    assert [r.id for r in results if isinstance(r, Brief)] == ["ok"]


def test_jsonl_fields_extra_fields_in_meta_and_ids_preserved(tmp_path: Path) -> None:
    """Known fields map to the record; the others land in meta; ids are kept as given."""
    record = {
        "id": "  Mixed-Case_ID/1 ",
        "lang": "es",
        "title": "Capturan a líder",
        "body": ["Primer párrafo.", "SEE ALSO:", "Perfil de Honduras", "Segundo párrafo."],
        "date": "2020-03-18",
        "country": "Honduras",
        "url": "https://insightcrime.org/es/noticias/x/",
        "kind": "Analysis",
        "author": "Ana",
        "tags": ["a", "b"],
    }
    numeric = {"id": 42, "lang": "en", "title": "Numeric id", "body": ""}
    path = _write_jsonl(tmp_path / "x.jsonl", [json.dumps(record), json.dumps(numeric)])
    first, second = read_file(path)
    assert first == Brief(
        id="  Mixed-Case_ID/1 ",
        lang="es",
        title="Capturan a líder",
        body=("Primer párrafo.", "Segundo párrafo."),
        kind="analysis",
        date=dt.date(2020, 3, 18),
        countries=("Honduras",),
        source=f"{path}:1",
        url="https://insightcrime.org/es/noticias/x/",
    )
    assert dict(first.meta) == {"author": "Ana", "tags": ["a", "b"]}
    assert isinstance(second, Brief)
    assert (second.id, second.body, dict(second.meta)) == ("42", (), {})


def test_jsonl_body_boilerplate_of_the_old_layout_is_removed(tmp_path: Path) -> None:
    """strip_boilerplate applies to JSONL bodies: SEE ALSO + link, analysis heading, tail."""
    body = "\n".join(
        [
            "Caption of the photo",
            "SHARE",
            "First.",
            "SEE ALSO",
            ":",
            "Mexico News and Profiles",
            "InSight Crime Analysis",
            "Second.",
            "SHARE",
            "What are your thoughts? Click",
            "here",
            "We encourage readers to copy and distribute our work for",
            "non-commercial purposes",
        ]
    )
    path = _write_jsonl(
        tmp_path / "d.jsonl", [json.dumps({"id": "1", "lang": "en", "title": "T", "body": body})]
    )
    (brief,) = read_file(path)
    assert isinstance(brief, Brief)
    assert brief.body == ("First.", "Second.")


def test_plain_text_files_title_first_line_language_detected(tmp_path: Path) -> None:
    """Plain .txt/.md: title = first non-empty line, paragraphs, language detected."""
    es = tmp_path / "nota.txt"
    es.write_text(
        "\n\n  La policía captura a un líder  \n\nLas autoridades del país dijeron que la\n"
        "operación fue un éxito.\n\n  \nEl detenido será extraditado.\n",
        encoding="utf-8",
    )
    en = tmp_path / "note.md"
    en.write_text("# Police Arrest a Leader\n\nThe police said that the operation was a success.\n")
    und = tmp_path / "und.txt"
    und.write_text("12345\n\n67890\n")
    (b_es,) = read_file(es)
    (b_en,) = read_file(en)
    (b_und,) = read_file(und)
    assert b_es == Brief(
        id=stable_id("file", f"{tmp_path.name}/nota.txt"),
        lang="es",
        title="La policía captura a un líder",
        body=(
            "Las autoridades del país dijeron que la operación fue un éxito.",
            "El detenido será extraditado.",
        ),
        source=str(es),
    )
    assert isinstance(b_en, Brief) and isinstance(b_und, Brief)
    assert (b_en.lang, b_en.title, b_en.body) == (
        "en",
        "Police Arrest a Leader",
        ("The police said that the operation was a success.",),
    )
    assert (b_und.lang, b_und.title, b_und.body) == ("en", "12345", ("67890",))


def test_bad_page_yields_error_with_line(tmp_path: Path) -> None:
    """read_file turns a page's IngestError into a yielded error, not a raise."""
    page = tmp_path / "p.txt"
    page.write_text("BRIEF\n\nTitle\n\nPERU / 40 SEP 2011 BY X EN\n\nBody.\n")
    (err,) = read_file(page)
    assert isinstance(err, IngestError)
    assert (err.path, err.line) == (str(page), 5)


def test_missing_path_and_explicit_file_with_other_extension(tmp_path: Path) -> None:
    """A missing path is one error; a file named directly is read whatever its extension."""
    other = tmp_path / "docs.ndjson"
    other.write_text(json.dumps(GOOD_JSONL[0]) + "\n")
    results = list(iter_records([tmp_path / "nope", other]))
    assert isinstance(results[0], IngestError)
    assert results[0].path == str(tmp_path / "nope")
    assert isinstance(results[1], Brief) and results[1].id == "en-1"


def test_seed_folder_reads_without_errors(seeds: Path) -> None:
    """Every seed file is a valid record (no fixture in seeds/ is meant to fail)."""
    results = list(iter_records([seeds]))
    errors = [r for r in results if isinstance(r, IngestError)]
    assert [(Path(e.path).name, e.reason.split(":")[0]) for e in errors] == [
        ("regressions.json", "not indexed")
    ]
    ids = [r.id for r in results if isinstance(r, Brief)]
    assert {
        "60fa42e6893d93ee",
        "44fea6efc1d86929",
        "trafico-armas-frontera-mexico-guatemala",
        "77a1ed72c552bb05",
    } <= set(ids)


def test_shared_corpora_load_with_their_ids(corpora: Path) -> None:
    """Every docs.jsonl of ../shared/corpora loads: same count and ids as its raw lines."""
    files = sorted(corpora.glob("*/docs.jsonl"))
    assert files
    for path in files:
        with path.open(encoding="utf-8") as f:
            raw_ids = [json.loads(line)["id"] for line in f if line.strip()]
        results = list(read_file(path))
        assert not [r for r in results if isinstance(r, IngestError)], path
        ids = [r.id for r in results if isinstance(r, Brief)]
        assert len(ids) == len(raw_ids), path
        assert ids == raw_ids and set(ids) == set(raw_ids), path


def test_insightcrime_crawl_bodies_have_no_boilerplate(corpora: Path) -> None:
    """The 2020 crawl's markers never reach a body."""
    path = corpora / "insightcrime-crawl-2020" / "docs.jsonl"
    briefs = [r for r in read_file(path) if isinstance(r, Brief)]
    assert len(briefs) == 38
    for brief in briefs:
        for para in brief.body:
            assert para not in ("SHARE", "SEE ALSO", "InSight Crime Analysis"), brief.id
            assert not para.startswith(("SEE ALSO", "We encourage readers")), brief.id
