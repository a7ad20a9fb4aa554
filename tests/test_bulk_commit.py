"""The commit of a bulk run: the merge and the twins at once, the links of the merged index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import searchlib
import searchlib.bulk as bulk
from searchlib.search.twins import (
    TwinHints,
    find_twins,
    links_name,
    store_twins,
    twin_hints,
    twins_for,
)
from searchlib.storage import FileDirectory

STORIES = [
    (
        "humala",
        "Peru's Humala Calls for Closer Anti-Drug Cooperation with US",
        "Peru's President Ollanta Humala has called for heightened counternarcotics cooperation "
        "with the U.S., requesting new technology to assist his government against drug "
        "trafficking in the Apurimac and Ene River Valley (VRAE).",
        "Humala de Perú pide mayor cooperación antidrogas con EEUU",
        "El presidente de Perú, Ollanta Humala, ha pedido una mayor cooperación antinarcóticos "
        "con Estados Unidos y nuevas tecnologías contra el narcotráfico en el Valle de los Ríos "
        "Apurímac y Ene (VRAE).",
    ),
    (
        "guayaquil",
        "Ecuador seizes record cocaine shipment in the port of Guayaquil",
        "Ecuador's police seized almost nine tonnes of cocaine hidden in a banana container in "
        "the port of Guayaquil, the largest seizure in the country's history, bound for Europe.",
        "Ecuador decomisa un cargamento récord de cocaína en el puerto de Guayaquil",
        "La policía de Ecuador decomisó casi nueve toneladas de cocaína escondidas en un "
        "contenedor de banano en el puerto de Guayaquil, el mayor decomiso de la historia del "
        "país, con destino a Europa.",
    ),
]


def _write_docs(path: Path) -> Path:
    rows = []
    for n, (slug, en_title, en_body, es_title, es_body) in enumerate(STORIES):
        date = f"2011-09-{20 + n}"
        rows.append(
            {"id": f"{slug}-en", "lang": "en", "date": date, "title": en_title, "body": en_body}
        )
        for i in range(6):  # filler of the same day, so that the pairs are not alone
            rows.append(
                {
                    "id": f"{slug}-x{i}",
                    "lang": "en",
                    "date": date,
                    "title": f"Markets report {i}",
                    "body": f"Shares rose {i} percent.",
                }
            )
        rows.append(
            {"id": f"{slug}-es", "lang": "es", "date": date, "title": es_title, "body": es_body}
        )
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _bulk(tmp_path: Path, name: str) -> searchlib.Index:
    """A bulk run of many small tasks into an index that merges every two segments."""
    index = searchlib.create_index(tmp_path / name, merge_factor=2)
    docs = _write_docs(tmp_path / "docs.jsonl")
    bulk.bulk_index(index.writer, tmp_path / name, [docs], workers=2, chunk_bytes=2000)
    return index


def test_the_twins_of_a_merged_bulk_commit_are_those_of_the_merged_index(tmp_path: Path) -> None:
    index = _bulk(tmp_path, "idx")
    before = index.writer.reader.generation
    reader = bulk.commit_bulk(index.writer)
    assert reader.generation > before + 1  # the commit, then at least one merge
    assert len(reader.segments) < 4
    expected = {"humala-en": "humala-es", "guayaquil-en": "guayaquil-es"}
    expected.update({b: a for a, b in expected.items()})
    assert find_twins(reader) == expected
    saved = tmp_path / "idx" / links_name(reader.generation)
    assert sorted(p.name for p in (tmp_path / "idx").glob("twins_*")) == [saved.name]
    # The file is the one computing the links on the merged index writes.
    again = tmp_path / "again"
    again.mkdir()
    assert store_twins(reader, FileDirectory(again)) == expected
    assert saved.read_bytes() == (again / saved.name).read_bytes()
    index.close()
    with searchlib.open_index(tmp_path / "idx") as opened:
        assert twins_for(opened.reader) == expected


def test_the_twins_are_computed_by_the_writer_when_their_worker_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = _bulk(tmp_path, "idx")
    calls: list[int] = []

    def fail(*args: object, **kwargs: object) -> dict[str, str]:
        calls.append(1)
        raise RuntimeError("worker down")

    monkeypatch.setattr(bulk, "find_twins", fail)  # only the worker process calls this one
    reader = bulk.commit_bulk(index.writer)
    assert calls == []  # it failed in the worker, not here
    assert twins_for(reader)["humala-es"] == "humala-en"
    assert (tmp_path / "idx" / links_name(reader.generation)).is_file()
    index.close()


def test_stale_found_twins_are_computed_again(tmp_path: Path) -> None:
    index = _bulk(tmp_path, "idx")
    reader = bulk.commit_bulk(index.writer)
    other = tmp_path / "other"
    other.mkdir()
    twins = store_twins(reader, FileDirectory(other), found={"gone-en": "gone-es"})
    assert twins["humala-en"] == "humala-es" and "gone-en" not in twins
    index.close()


def _hinted_bulk(tmp_path: Path) -> tuple[searchlib.Index, dict[str, TwinHints]]:
    index = searchlib.create_index(tmp_path / "idx")
    docs = _write_docs(tmp_path / "docs.jsonl")
    hints: dict[str, TwinHints] = {}
    bulk.bulk_index(
        index.writer, tmp_path / "idx", [docs], workers=2, chunk_bytes=2000, hints=hints
    )
    return index, hints


def test_the_workers_hints_are_what_the_stored_fields_say(tmp_path: Path) -> None:
    index, hints = _hinted_bulk(tmp_path)
    reader = bulk.commit_bulk(index.writer, hints)
    assert sorted(hints) == sorted(s.name for s in reader.segments)
    for seg in reader.segments:
        stored = [seg.stored_raw(n) for n in range(seg.ndocs)]
        assert hints[seg.name] == twin_hints(stored, seg.ids)
    assert find_twins(reader, hints=hints) == find_twins(reader)
    assert twins_for(reader)["guayaquil-es"] == "guayaquil-en"
    index.close()


def test_the_twins_take_the_hints_instead_of_the_stored_fields(tmp_path: Path) -> None:
    index, hints = _hinted_bulk(tmp_path)
    reader = bulk.commit_bulk(index.writer, hints)
    # Hints that say a filler document names the Spanish Humala story as its twin.
    where = {doc_id: (seg.name, n) for seg in reader.segments for n, doc_id in enumerate(seg.ids)}
    name, n = where["humala-x0"]
    hints[name].metas[n] = {"lang": "en", "url": None, "meta": {"twin": "humala-es"}}
    twins = find_twins(reader, hints=hints)
    assert twins["humala-es"] == "humala-x0" and "humala-en" not in twins
    # Hints of another length than their segment are not taken.
    hints[name].ndocs -= 1
    assert find_twins(reader, hints=hints) == find_twins(reader)
    index.close()


def test_hints_past_an_eighth_of_the_budget_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TwinHints, "nbytes", property(lambda self: 5 << 20))
    index = searchlib.create_index(tmp_path / "idx", memory_mb=64)  # an eighth: 8 MB
    docs = _write_docs(tmp_path / "docs.jsonl")
    hints: dict[str, TwinHints] = {}
    bulk.bulk_index(
        index.writer, tmp_path / "idx", [docs], workers=2, chunk_bytes=2000, hints=hints
    )
    reader = bulk.commit_bulk(index.writer, hints)
    assert len(hints) == 1 < len(reader.segments)
    assert twins_for(reader)["humala-es"] == "humala-en"
    index.close()


def test_a_worker_syncs_every_file_it_wrote_before_it_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    monkeypatch.setattr(FileDirectory, "sync_file", lambda self, name: synced.append(name))
    index = searchlib.create_index(tmp_path / "idx", merge_factor=100)
    docs = _write_docs(tmp_path / "docs.jsonl")
    bulk.bulk_index(index.writer, tmp_path / "idx", [docs], workers=1, chunk_bytes=2000)
    reader = bulk.commit_bulk(index.writer)
    assert len(reader.segments) > 1
    written = {f for seg in reader.manifest.segments for f in seg.files}
    assert sorted(synced) == sorted(written)
    index.close()


def test_a_failed_sync_fails_the_run_before_its_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: FileDirectory, name: str) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(FileDirectory, "sync_file", fail)
    index = searchlib.create_index(tmp_path / "idx")
    docs = _write_docs(tmp_path / "docs.jsonl")
    with pytest.raises(OSError, match="Input/output error"):
        bulk.bulk_index(index.writer, tmp_path / "idx", [docs], workers=2, chunk_bytes=2000)
    assert index.reader.generation == 0 or not index.reader.segments
    index.close()


def test_one_process_commit_takes_the_hints_of_the_segments_it_flushed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from searchlib.index.segment import SegmentReader
    from searchlib.ingest.files import jsonl_fields

    docs = _write_docs(tmp_path / "docs.jsonl")
    index = searchlib.create_index(tmp_path / "idx", merge_factor=100)
    for n, line in enumerate(docs.read_text("utf-8").splitlines()):
        index.add(jsonl_fields(json.loads(line)))  # as indexing a JSONL file adds them
        if n % 5 == 4:
            index.writer.flush()

    def unread(self: SegmentReader, *args: object) -> bytes:
        raise AssertionError("every document's stored fields read back at the commit")

    with monkeypatch.context() as patched:  # (the candidates' texts are read for their names)
        patched.setattr(SegmentReader, "stored_raws", unread)
        index.commit()
    reader = index.reader
    assert len(reader.segments) == 4
    expected = {"humala-en": "humala-es", "guayaquil-en": "guayaquil-es"}
    expected.update({b: a for a, b in expected.items()})
    assert twins_for(reader) == expected
    again = tmp_path / "again"
    again.mkdir()
    store_twins(reader, FileDirectory(again))  # read back from the stored fields
    saved = links_name(reader.generation)
    assert (tmp_path / "idx" / saved).read_bytes() == (again / saved).read_bytes()
    index.close()


def test_hints_from_the_records_fields_are_those_their_stored_json_gives() -> None:
    import datetime as dt

    from searchlib.index.documents import to_index_doc
    from searchlib.ingest.files import jsonl_fields

    objs: list[dict[str, object]] = [
        {"id": "a", "lang": "en", "title": "T", "body": "B"},
        {"id": "b", "title": "T", "url": "https://es.insightcrime.org/x/slug-b", "meta": 1},
        {"id": "c", "title": "T", "source": "El País", "twin": "a", "places": ["peru"]},
        {"id": "d", "title": "T", "source": 3.5, "deep": [{"twin_group": "g"}], "n": 10**30},
        {"id": "e", "title": "T", "source": "bad \ud800 surrogate", "url": "http://x.com/\ud800"},
        {"id": "f", "title": "T", "source": None, "alternate": "http://y.org/e"},
    ]
    records = [jsonl_fields(o, f"/data/es/news.jsonl:{n}") for n, o in enumerate(objs, 1)]
    records.append(records[0]._replace(id="g", meta={"source": dt.date(2020, 1, 2)}))
    docs = [to_index_doc(r) for r in records]
    assert [d.provenance is None for d in docs] == [False] * 6 + [True]  # a date: its text
    stored, ids = [d.stored for d in docs], [d.id for d in docs]
    told = twin_hints(stored, ids, [d.provenance for d in docs])
    assert told == twin_hints(stored, ids)
    assert told.origin_keys(2) == ["name:elpaís"] and told.origin_keys(6) == ["name:20200102"]
    assert sorted(told.metas) == [1, 2, 3, 4, 5]


def test_a_run_that_publishes_nothing_merges_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers indexing an empty file over an index whose merge is due (its segments
    committed with merge=False): nothing is published, so no merge runs either, as with one
    worker; a merge failing then would have been an AfterCommitError claiming a commit."""
    folder = tmp_path / "idx"
    with searchlib.create_index(folder) as index:
        for n in range(12):
            index.add(searchlib.Brief(id=f"b{n}", lang="en", title=f"Brief {n}", body=["coca"]))
            index.commit(merge=False)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with searchlib.open_index(folder) as index:
        assert index.writer.merge_due
        monkeypatch.setattr("searchlib.index.writer.write_segment", no_space)
        report = searchlib.index_paths(index, [empty], workers=2)
        assert (report.indexed, report.generation) == (0, 12)
        assert len(index.reader.segments) == 12
