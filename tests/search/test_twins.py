"""Twin linking: XQuAD's parallel paragraphs, the repository's seeds and hand-built cases."""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import searchlib
from searchlib.records import Brief, RelatedItem
from searchlib.search import twins as twins_module
from searchlib.search.twins import (
    LINKS_FORMAT,
    LINKS_VERSION,
    find_twins,
    links_name,
    origin_keys,
    twins_for,
)
from searchlib.storage import decode_array_file, encode_array_file

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"
XQUAD = CORPORA / "xquad-en-es"
DAY = dt.date(2011, 9, 23)

HUMALA_EN = Brief(
    id="humala-en",
    lang="en",
    title="Peru's Humala Calls for Closer Anti-Drug Cooperation with US",
    date=DAY,
    body=[
        "Peru's President Ollanta Humala has called for heightened counternarcotics cooperation "
        "with the U.S., requesting new technology to assist his government in the struggle "
        "against drug trafficking.",
        "Last year Peru received $38 million from the U.S. for the eradication of illicit coca "
        "crops in the Apurimac and Ene River Valley (VRAE).",
    ],
)
HUMALA_ES = Brief(
    id="humala-es",
    lang="es",
    title="Humala de Perú pide mayor cooperación antidrogas con EEUU",
    date=DAY,
    body=[
        "El presidente de Perú, Ollanta Humala, ha pedido una mayor cooperación antinarcóticos "
        "con Estados Unidos y ha solicitado nuevas tecnologías para ayudar a su gobierno en la "
        "lucha contra el narcotráfico.",
        "El año pasado Perú recibió 38 millones de dólares de Estados Unidos para la "
        "erradicación de cultivos ilícitos de coca en el Valle de los Ríos Apurímac y Ene "
        "(VRAE).",
    ],
)
ECUADOR_ES = Brief(
    id="ecuador-es",
    lang="es",
    title="Ecuador decomisa un cargamento récord de cocaína en el puerto de Guayaquil",
    date=DAY,
    body=[
        "La policía de Ecuador decomisó casi nueve toneladas de cocaína escondidas en un "
        "contenedor de banano en el puerto de Guayaquil, el mayor decomiso en la historia del "
        "país.",
        "Según las autoridades, el cargamento tenía como destino Europa y pertenecía a una red "
        "vinculada con grupos criminales de Colombia y de los Balcanes.",
    ],
)


def _memory_index(*records: Brief | RelatedItem) -> searchlib.Index:
    index = searchlib.create_index()
    for record in records:
        index.add(record)
    index.commit()
    return index


def _assert_symmetric(twins: dict[str, str]) -> None:
    for a, b in twins.items():
        assert twins[b] == a and a != b


# -- XQuAD ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xquad_reader(tmp_path_factory: pytest.TempPathFactory) -> searchlib.Index:
    if not (XQUAD / "docs.jsonl").is_file():
        pytest.skip(f"shared corpus xquad-en-es not present at {XQUAD}")
    path = tmp_path_factory.mktemp("xquad") / "idx"
    index = searchlib.create_index(path)
    searchlib.index_paths(index, [XQUAD / "docs.jsonl"])
    index.commit()
    return index


def _gold() -> dict[str, str]:
    with (XQUAD / "parallel-docs.tsv").open(encoding="utf-8") as f:
        return {row["en_doc_id"]: row["es_doc_id"] for row in csv.DictReader(f, delimiter="\t")}


@pytest.mark.parametrize("use_metadata", [False, True], ids=["content", "metadata+content"])
def test_xquad_parallel_paragraphs_are_twins(
    xquad_reader: searchlib.Index, use_metadata: bool
) -> None:
    gold = _gold()
    assert len(gold) == 240
    start = time.perf_counter()
    twins = find_twins(xquad_reader.reader, use_metadata=use_metadata)
    took = time.perf_counter() - start
    _assert_symmetric(twins)
    found = sum(twins.get(en) == es for en, es in gold.items())
    links = sum(1 for k in twins if k.startswith("en-"))
    precision = found / links if links else 0.0
    print(
        f"xquad {use_metadata=}: {found}/{len(gold)} found, precision {precision:.3f}, {took:.2f}s"
    )
    assert found >= 0.95 * len(gold)
    assert precision >= 0.95
    assert took < 10


# -- seeds ----------------------------------------------------------------------------------------


def test_seed_sample_and_its_spanish_fixture_are_twins(seeds_index: Path) -> None:
    with searchlib.open_index(seeds_index) as index:
        twins = find_twins(index.reader)
    assert twins.get("60fa42e6893d93ee") == "44fea6efc1d86929"
    assert twins.get("44fea6efc1d86929") == "60fa42e6893d93ee"
    _assert_symmetric(twins)


# -- hand-built cases -----------------------------------------------------------------------------


def test_translation_pair_is_linked() -> None:
    index = _memory_index(HUMALA_EN, HUMALA_ES)
    assert find_twins(index.reader) == {"humala-en": "humala-es", "humala-es": "humala-en"}


def test_unrelated_pair_with_the_same_date_is_not_linked() -> None:
    index = _memory_index(HUMALA_EN, ECUADOR_ES)
    assert find_twins(index.reader) == {}


def test_the_twin_wins_over_an_unrelated_story_of_the_same_day() -> None:
    index = _memory_index(HUMALA_EN, ECUADOR_ES, HUMALA_ES)
    assert find_twins(index.reader) == {"humala-en": "humala-es", "humala-es": "humala-en"}


def test_different_dates_are_never_candidates() -> None:
    later = Brief(
        id="humala-es",
        lang="es",
        title=HUMALA_ES.title,
        body=HUMALA_ES.body,
        date=DAY + dt.timedelta(days=30),
    )
    index = _memory_index(HUMALA_EN, later)
    assert find_twins(index.reader) == {}


def test_an_undated_document_is_compared_with_any_date() -> None:
    undated = Brief(id="humala-es", lang="es", title=HUMALA_ES.title, body=HUMALA_ES.body)
    index = _memory_index(HUMALA_EN, undated)
    assert find_twins(index.reader) == {"humala-en": "humala-es", "humala-es": "humala-en"}


def test_one_document_never_gets_two_twins() -> None:
    copy = Brief(
        id="humala-es-2",
        lang="es",
        title=HUMALA_ES.title,
        body=HUMALA_ES.body,
        date=DAY,
    )
    index = _memory_index(HUMALA_EN, HUMALA_ES, copy)
    twins = find_twins(index.reader)
    _assert_symmetric(twins)
    assert len(twins) == 2
    assert twins["humala-en"] in ("humala-es", "humala-es-2")


def test_same_language_documents_are_never_twins() -> None:
    copy = Brief(id="humala-en-2", lang="en", title=HUMALA_EN.title, body=HUMALA_EN.body, date=DAY)
    index = _memory_index(HUMALA_EN, copy)
    assert find_twins(index.reader) == {}


def test_metadata_links_whatever_the_content() -> None:
    named = Brief(
        id="ecuador-es",
        lang="es",
        title=ECUADOR_ES.title,
        body=ECUADOR_ES.body,
        date=DAY,
        meta={"twin": "humala-en"},
    )
    index = _memory_index(HUMALA_EN, named)
    assert find_twins(index.reader) == {"humala-en": "ecuador-es", "ecuador-es": "humala-en"}
    assert find_twins(index.reader, use_metadata=False) == {}


def test_matching_url_slugs_link() -> None:
    en = Brief(
        id="a",
        lang="en",
        title="Guns at the border",
        body=["Weapons cross the border."],
        url="https://insightcrime.org/news/brief/guns-border-mexico/",
    )
    es = Brief(
        id="b",
        lang="es",
        title="Armas en la frontera",
        body=["Las armas cruzan la frontera."],
        date=dt.date(2020, 1, 5),
        url="https://insightcrime.org/es/noticias/guns-border-mexico/",
    )
    index = _memory_index(en, es)
    assert find_twins(index.reader, use_content=False) == {"a": "b", "b": "a"}


def test_related_items_and_deleted_documents_are_left_out() -> None:
    item = RelatedItem(section="Peru", date=DAY, teaser=HUMALA_ES.body[0], lang="es")
    index = _memory_index(HUMALA_EN, item)
    assert find_twins(index.reader) == {}
    index.add(HUMALA_ES)
    index.commit()
    assert find_twins(index.reader) == {"humala-en": "humala-es", "humala-es": "humala-en"}
    index.delete("humala-es")
    index.commit()
    assert find_twins(index.reader) == {}


def test_twins_for_caches_per_reader() -> None:
    index = _memory_index(HUMALA_EN, HUMALA_ES)
    reader = index.reader
    first = twins_for(reader)
    assert twins_for(reader) is first
    index.delete("humala-es")
    index.commit()
    assert index.reader is not reader
    assert twins_for(index.reader) == {}
    assert twins_for(reader) is first


def test_empty_and_one_language_indexes() -> None:
    assert find_twins(searchlib.create_index().reader) == {}
    assert find_twins(_memory_index(HUMALA_EN).reader) == {}


# -- origins and dates: what a content link needs --------------------------------------------------

WIRE = {"source": "corpora/wire/docs.jsonl:12", "meta": {"source": "Wire Service"}}
PORTAL = {
    "source": "corpora/portal/docs.jsonl:7",
    "url": "http://www.portal-noticias.com.mx/humala-pide-cooperacion/",
}
# The Spanish version cut to its first paragraph, without title: a weaker match than the full
# translation (its cosine with HUMALA_EN lies between THRESHOLD and CROSS_SOURCE_THRESHOLD), and
# the English without title and second paragraph against the full Spanish (between THRESHOLD
# and UNDATED_THRESHOLD).
HUMALA_ES_PART = attrs.evolve(HUMALA_ES, title="", body=HUMALA_ES.body[:1])
HUMALA_EN_PART = attrs.evolve(HUMALA_EN, title="", body=HUMALA_EN.body[:1])


def test_an_undated_document_from_another_source_is_never_linked_by_content() -> None:
    # A dated wire story and an undated web article of another outlet: even a translation is
    # no evidence that the outlet ran the same story (the 1987 Reuters / 2018 Spanish pairs).
    en = attrs.evolve(HUMALA_EN, **WIRE)
    es = attrs.evolve(HUMALA_ES, date=None, **PORTAL)
    index = _memory_index(en, es)
    assert find_twins(index.reader) == {}
    hits = index.search("Humala", twins=True, limit=5)
    assert sorted(h.id for h in hits) == ["humala-en", "humala-es"]


def test_a_same_day_pair_from_two_sources_needs_a_close_match() -> None:
    en = attrs.evolve(HUMALA_EN, **WIRE)
    full = attrs.evolve(HUMALA_ES, **PORTAL)
    assert find_twins(_memory_index(en, full).reader) == {
        "humala-en": "humala-es",
        "humala-es": "humala-en",
    }
    part = attrs.evolve(HUMALA_ES_PART, **PORTAL)
    assert find_twins(_memory_index(en, part).reader) == {}
    # The same weaker match from one source is a link.
    same = attrs.evolve(HUMALA_ES_PART, **WIRE)
    assert find_twins(_memory_index(en, same).reader) == {
        "humala-en": "humala-es",
        "humala-es": "humala-en",
    }


def test_an_undated_pair_needs_a_closer_match_than_a_same_day_pair() -> None:
    assert find_twins(_memory_index(HUMALA_EN_PART, HUMALA_ES).reader) == {
        "humala-en": "humala-es",
        "humala-es": "humala-en",
    }
    undated = attrs.evolve(HUMALA_EN_PART, date=None)
    assert find_twins(_memory_index(undated, HUMALA_ES).reader) == {}


def test_language_folders_and_subdomains_are_one_origin() -> None:
    assert origin_keys({"source": "seeds/es/001_x.txt"}) == origin_keys({"source": "seeds/0.txt"})
    assert origin_keys({"url": "https://es.insightcrime.org/noticias/a/"}) == origin_keys(
        {"url": "https://www.insightcrime.org/news/a/"}
    )
    assert origin_keys({"url": "http://www.eluniversal.com.mx/a"}) == ["site:eluniversal.com.mx"]
    assert origin_keys({"meta": {"source": "La Voz Popular"}}) == ["name:lavozpopular"]
    assert origin_keys({"source": "corpora/reuters/docs.jsonl:3", "url": None}) == [
        "path:corpora/reuters"
    ]
    assert origin_keys({}) == []


# -- links saved at commit ------------------------------------------------------------------------


def test_twins_are_saved_at_commit_and_loaded_without_recomputing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "idx"
    with searchlib.create_index(path) as index:
        index.add(HUMALA_EN)
        index.add(HUMALA_ES)
        index.add(ECUADOR_ES)
        gen = index.commit()
    assert (path / links_name(gen)).is_file()

    def fail(*args: object, **kwargs: object) -> dict[str, str]:
        raise AssertionError("twins computed again")

    monkeypatch.setattr(twins_module, "find_twins", fail)
    with searchlib.open_index(path) as index:
        assert twins_for(index.reader) == {"humala-en": "humala-es", "humala-es": "humala-en"}
        hits = index.search("Humala", twins=True)
        assert [(h.id, h.twin) for h in hits] == [("humala-en", "humala-es")]
        assert [h.id for h in index.related("humala-es")][:1] == ["humala-en"]


def test_a_new_commit_replaces_the_saved_links(tmp_path: Path) -> None:
    path = tmp_path / "idx"
    with searchlib.create_index(path) as index:
        index.add(HUMALA_EN)
        index.add(HUMALA_ES)
        first = index.commit()
        index.delete("humala-es")
        second = index.commit()
        assert twins_for(index.reader) == {}
    assert not (path / links_name(first)).exists()
    assert (path / links_name(second)).is_file()
    with searchlib.open_index(path) as index:
        assert twins_for(index.reader) == {}


def test_damaged_or_stale_saved_links_are_computed_again(tmp_path: Path) -> None:
    path = tmp_path / "idx"
    with searchlib.create_index(path) as index:
        index.add(HUMALA_EN)
        index.add(HUMALA_ES)
        gen = index.commit()
    saved = path / links_name(gen)
    saved.write_bytes(saved.read_bytes()[:-3] + b"\0\0\0")
    with searchlib.open_index(path) as index:
        assert twins_for(index.reader) == {"humala-en": "humala-es", "humala-es": "humala-en"}
    saved.write_bytes(b"SLIB not links")
    with searchlib.open_index(path) as index:
        assert twins_for(index.reader) == {"humala-en": "humala-es", "humala-es": "humala-en"}


def test_saved_links_of_another_type_are_computed_again(tmp_path: Path) -> None:
    """A links file with a valid checksum whose places are floats (a damaged or foreign
    writer) is not read as places: the twins are computed again, no TypeError."""
    path = tmp_path / "idx"
    with searchlib.create_index(path) as index:
        index.add(HUMALA_EN)
        index.add(HUMALA_ES)
        gen = index.commit()
    name = links_name(gen)
    links = decode_array_file(
        (path / name).read_bytes(), name, LINKS_FORMAT, LINKS_VERSION, LINKS_VERSION
    )
    floats = {k: links[k].astype(np.float64) for k in ("seg", "doc", "twin_seg", "twin_doc")}
    damaged = b"".join(encode_array_file(LINKS_FORMAT, LINKS_VERSION, floats, links.meta))
    (path / name).write_bytes(damaged)
    with searchlib.open_index(path) as index:
        assert twins_for(index.reader) == {"humala-en": "humala-es", "humala-es": "humala-en"}
        hits = index.search("Humala", twins=True)
        assert [(h.id, h.twin) for h in hits] == [("humala-en", "humala-es")]


def test_intermediate_commits_of_a_long_run_leave_the_links_to_the_last(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    rows = [
        {"id": "humala-en", "lang": "en", "title": HUMALA_EN.title, "body": HUMALA_EN.body},
        {"id": "ecuador-es", "lang": "es", "title": ECUADOR_ES.title, "body": ECUADOR_ES.body},
        {"id": "humala-es", "lang": "es", "title": HUMALA_ES.title, "body": HUMALA_ES.body},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    path = tmp_path / "idx"
    with searchlib.create_index(path) as index:
        report = searchlib.index_paths(index, [src], commit_every=1)
        assert report.generation == 3
    assert sorted(p.name for p in path.glob("twins_*")) == [links_name(3)]
    with searchlib.open_index(path) as index:
        assert twins_for(index.reader) == {"humala-en": "humala-es", "humala-es": "humala-en"}


# -- property: what any content link satisfies -------------------------------------------------

_TEXTS = [HUMALA_EN, HUMALA_EN_PART, HUMALA_ES, HUMALA_ES_PART, ECUADOR_ES]
_ORIGINS: list[dict[str, object]] = [WIRE, PORTAL, {}]
_DATES = [None, DAY, DAY + dt.timedelta(days=1)]


def _with_own_url(origin: dict[str, object], i: int) -> dict[str, object]:
    url = origin.get("url")
    return {**origin, "url": f"{url}{i}/"} if isinstance(url, str) else origin


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(_TEXTS) - 1),
            st.integers(0, len(_ORIGINS) - 1),
            st.integers(0, len(_DATES) - 1),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_every_link_joins_two_languages_of_one_day_or_one_origin(
    picks: list[tuple[int, int, int]],
) -> None:
    # Each record its own URL path (same site): one URL slug in both languages would be a
    # metadata link, which needs neither a shared day nor content.
    records = [
        attrs.evolve(_TEXTS[t], id=f"d{i}", date=_DATES[d], **_with_own_url(_ORIGINS[o], i))
        for i, (t, o, d) in enumerate(picks)
    ]
    index = _memory_index(*records)
    twins = find_twins(index.reader)
    _assert_symmetric(twins)
    by_id = {r.id: r for r in records}
    for a, b in twins.items():
        ra, rb = by_id[a], by_id[b]
        assert ra.lang != rb.lang
        if ra.date is None or rb.date is None:
            # undated: only within one origin (the same folder, site or named source)
            assert picks[int(a[1:])][1] == picks[int(b[1:])][1]
        else:
            assert ra.date == rb.date
    # What the commit saved is what a reader computes.
    assert twins_module._load(index.reader) == twins


def test_one_jsonl_file_of_two_sources_is_two_origins() -> None:
    # Records read from one JSONL file (source "file:line") that name their own outlets: the
    # shared file must not join the two outlets into one origin (it did, and an undated
    # Spanish article then paired with a wire story of the same file).
    en = attrs.evolve(
        HUMALA_EN, source="/data/all.jsonl:1", **{k: v for k, v in WIRE.items() if k != "source"}
    )
    es = attrs.evolve(
        HUMALA_ES,
        date=None,
        source="/data/all.jsonl:2",
        **{k: v for k, v in PORTAL.items() if k != "source"},
    )
    assert origin_keys({"source": "/data/all.jsonl:1", "meta": {"source": "Reuters"}}) == [
        "name:reuters"
    ]
    assert find_twins(_memory_index(en, es).reader) == {}


# -- batches --------------------------------------------------------------------------------------


def _story(i: int) -> list[Brief]:
    """Day ``i // 2``'s story ``i``: a translated pair (its own figure) and an unrelated brief."""
    day = DAY + dt.timedelta(days=i // 2)
    cost = f"The operation cost {1000 + 37 * i} dollars in {2000 + i}."
    costo = f"La operación costó {1000 + 37 * i} dólares en {2000 + i}."
    return [
        attrs.evolve(HUMALA_EN, id=f"en-{i}", date=day, body=[*HUMALA_EN.body, cost]),
        attrs.evolve(HUMALA_ES, id=f"es-{i}", date=day, body=[*HUMALA_ES.body, costo]),
        attrs.evolve(ECUADOR_ES, id=f"ecuador-{i}", date=day),
    ]


def test_twins_scored_in_batches_are_those_of_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    index = _memory_index(*(b for i in range(12) for b in _story(i)))
    reader = index.reader
    docs = twins_module._eligible(reader)
    everyone = np.arange(docs.seg.size)
    rows, origin = twins_module._candidates(docs, everyone)
    # Rows of one day stay together: 6 days, one batch each at the smallest size.
    assert [len(b) for b in twins_module._batches(docs, rows, origin, 1)] == [6] * 6
    assert [len(b) for b in twins_module._batches(docs, rows, origin, 13)] == [12, 12, 12]
    one = twins_module.content_scores(reader, docs, everyone)
    assert one[0].size > 0
    for size in (1, 5, 13, 1000):
        got = twins_module.content_scores(reader, docs, everyone, batch_rows=size)
        for x, y in zip(one, got, strict=True):
            assert x.dtype == y.dtype
            assert np.array_equal(x, y)  # same pairs, same scores, bit for bit
    expected = {f"en-{i}": f"es-{i}" for i in range(12)} | {f"es-{i}": f"en-{i}" for i in range(12)}
    assert find_twins(reader) == expected
    monkeypatch.setattr(twins_module, "ROW_COST", 1 << 40)  # one row a batch: six batches
    assert twins_module.batch_rows(16) == 1
    assert find_twins(reader, memory_mb=16) == expected


# -- twin partners --------------------------------------------------------------------------------


def _partners_by_ids(reader: searchlib.IndexReader) -> np.ndarray:
    """twin_partners' array made the long way: each twin's id located."""
    offsets = np.concatenate([[0], np.cumsum([s.ndocs for s in reader.segments])])
    partner = np.full(int(offsets[-1]), -1, dtype=np.int64)
    for a, b in twins_for(reader).items():
        here, there = reader.locate(a), reader.locate(b)
        assert here is not None and there is not None
        partner[offsets[here[0]] + here[1]] = offsets[there[0]] + there[1]
    return partner


def _three_segments(path: Path) -> Path:
    """Humala's story in two languages over three segments, the English one updated (its
    first copy deleted), and an unlinked Spanish story."""
    with searchlib.create_index(path) as index:
        index.add(HUMALA_EN)
        index.add(ECUADOR_ES)
        index.commit(merge=False)
        index.add(HUMALA_ES)
        index.commit(merge=False)
        index.add(attrs.evolve(HUMALA_EN, title=HUMALA_EN.title + "."))
        index.commit(merge=False)
    return path


def test_twin_partners_come_from_the_saved_links_without_decoding_an_id(tmp_path: Path) -> None:
    path = _three_segments(tmp_path / "idx")
    reader = searchlib.open_index(path).reader
    assert [s.ndocs for s in reader.segments] == [2, 1, 1]
    offsets, partner = twins_module.twin_partners(reader)
    assert offsets.tolist() == [0, 2, 3]
    # the Spanish version (segment 1) and the live English one (segment 2)
    assert partner.tolist() == [-1, -1, 3, 2]
    assert all(s._ids is None for s in reader.segments)  # no id table decoded
    assert np.array_equal(partner, _partners_by_ids(reader))


def test_twin_partners_locate_the_ids_when_a_saved_place_is_not_live(tmp_path: Path) -> None:
    # A saved link to a deleted document (not what a commit saves): the ids decide, as they
    # did before the links' places were read.
    path = _three_segments(tmp_path / "idx")
    reader = searchlib.open_index(path).reader
    last = reader.segments[2]
    last.live = np.zeros(1, dtype=bool)
    _, partner = twins_module.twin_partners(reader)
    assert partner.tolist() == [-1, -1, -1, -1]
    assert last._ids is not None  # read the long way
