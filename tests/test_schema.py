"""The fields are declared once (searchlib.schema) and every layer reads them from there."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

import searchlib
from searchlib import schema
from searchlib._types import LANGS, is_lang
from searchlib.errors import ArgumentError, QuerySyntaxError
from searchlib.index import SegmentReader
from searchlib.search import Filters
from searchlib.search.parser import DEFAULT_FIELDS, parse_query

BRIEF_EN = "60fa42e6893d93ee"  # the seed brief by Geoffrey Ramsey
BRIEF_ES = "44fea6efc1d86929"


def test_the_declarations_agree() -> None:
    assert set(schema.STORED_KEYS) == set(schema.QUERY_FIELDS)
    assert len(set(schema.QUERY_FIELDS)) == len(schema.QUERY_FIELDS)
    assert schema.FILTER_FIELDS < set(schema.QUERY_FIELDS)
    assert set(schema.TEXT_FIELDS).isdisjoint(schema.FILTER_FIELDS)
    assert set(schema.TWIN_FIELDS) <= set(schema.INDEXED_TEXT_FIELDS)
    assert set(schema.COLUMN_FIELDS.values()) <= set(schema.COLUMN_TABLES)
    assert set(schema.PLACE_COLUMNS) <= set(schema.COLUMN_TABLES)
    assert all(v in schema.QUERY_FIELDS for v in schema.FIELD_ALIASES.values())
    assert DEFAULT_FIELDS == frozenset(schema.QUERY_FIELDS)


def test_query_names_and_aliases() -> None:
    assert schema.query_field("AUTHORS") == "author"
    assert schema.query_field("countries") == "country"
    assert schema.query_field("colour") is None
    assert schema.lang_fields("es", schema.INDEXED_TEXT_FIELDS) == (
        "title.es",
        "body.es",
        "teaser.es",
        "author.es",
    )
    assert [is_lang(x) for x in (*LANGS, "und", "EN", None)] == [True, True, False, False, False]


def test_every_column_table_exists_in_a_segment(seeds_index: Path) -> None:
    """The names the schema gives the columns and their value tables are the segment's."""
    with searchlib.open_index(seeds_index) as index:
        seg: SegmentReader = index.reader.segments[0]
        for column, table in schema.COLUMN_TABLES.items():
            assert table in seg.col_tables, table
            assert column in seg.cols, column
        assert set(seg.col_tables["langs"]) == set(LANGS)
        fields = set(seg.field_names)
        assert {"title.en", "body.es", "teaser.en", "author.en", "author.es"} <= fields
        assert fields <= {f"{f}.{lang}" for f in schema.INDEXED_TEXT_FIELDS for lang in LANGS}


@pytest.mark.parametrize(
    "query", ["author:ramsey", "AUTHOR:Ramsey", "authors:ramsey", 'author:"Geoffrey Ramsey"']
)
def test_author_ramsey_finds_the_seed_brief(seeds_index: Path, query: str) -> None:
    """The seed brief's byline is Geoffrey Ramsey (both language versions carry it)."""
    with searchlib.open_index(seeds_index) as index:
        stored = index.stored(BRIEF_EN)
        assert stored is not None and stored["authors"] == ["Geoffrey Ramsey"]
        hits = index.search(query).hits
        assert [h.id for h in hits] == [BRIEF_EN, BRIEF_ES]
        assert all(h.authors == ("Geoffrey Ramsey",) for h in hits)
        assert index.search("author:ramsey", filters=Filters(doc_lang="es")).hits[0].id == BRIEF_ES
        assert index.search("coca author:ramsey").total == 2
        assert index.search("coca author:smith").total == 0


def test_an_unknown_field_lists_the_schema_fields() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query("colour:red")
    for name in schema.QUERY_FIELDS:
        assert name in str(info.value)


def test_filters_as_one_value_or_as_keywords(seeds_index: Path) -> None:
    """``filters=Filters(...)`` and the keywords are the same search; both at once is an error."""
    with searchlib.open_index(seeds_index) as index:
        everything = index.search("coca OR prison OR turtle OR amazon")
        for kw in (
            {"doc_lang": "es"},
            {"country": "Perú", "kind": "brief"},
            {"since": _dt.date(2021, 1, 1), "until": _dt.date(2021, 12, 31)},
            {"section": "China and Crime"},
        ):
            by_keywords = index.search("coca OR prison OR turtle OR amazon", **kw)  # type: ignore[arg-type]
            by_value = index.search("coca OR prison OR turtle OR amazon", filters=Filters(**kw))  # type: ignore[arg-type]
            assert 0 < by_keywords.total < everything.total
            assert [(h.id, h.score) for h in by_value.hits] == [
                (h.id, h.score) for h in by_keywords.hits
            ]
        with pytest.raises(ArgumentError, match="filters given twice.*country=peru"):
            index.search("coca", filters=Filters(doc_lang="es"), country="peru")
        # an empty Filters() and no keywords: unfiltered
        assert index.search("coca", filters=Filters()).total == index.search("coca").total


def test_date_filters_take_datetimes_and_text_as_the_command_line_does(seeds_index: Path) -> None:
    """``since``/``until`` as a datetime or as ``--since`` text ("2011", "2011-09") filter
    like the date they name; they used to raise TypeError from inside the mask."""
    with searchlib.open_index(seeds_index) as index:
        by_date = index.search("coca", since=_dt.date(2011, 1, 1), until=_dt.date(2011, 12, 31))
        assert [h.id for h in by_date.hits] == [BRIEF_EN, BRIEF_ES]
        for since, until in (
            (_dt.datetime(2011, 1, 1, 12, 30), _dt.datetime(2011, 12, 31)),
            ("2011", "2011"),
            ("2011-09", "2011-09-23"),
        ):
            for results in (
                index.search("coca", since=since, until=until),
                index.search("coca", filters=Filters(since=since, until=until)),
            ):
                assert [(h.id, h.score) for h in results.hits] == [
                    (h.id, h.score) for h in by_date.hits
                ]
        assert Filters(since="2011", until="2011") == Filters(
            since=_dt.date(2011, 1, 1), until=_dt.date(2011, 12, 31)
        )
        assert index.search("coca", until="2011-08").total == 0
        with pytest.raises(ArgumentError, match="since: not a date .*'garbage'"):
            index.search("coca", since="garbage")
        with pytest.raises(ArgumentError, match="until must be a date .* not int 2011"):
            Filters(until=2011)
        with pytest.raises(ArgumentError, match="filters must be a searchlib.Filters, not dict"):
            index.search("coca", filters={"country": "peru"})  # type: ignore[arg-type]
