"""The indexing path's JSONL records: ``iter_index_records`` yields each JSONL record's checked
values (BriefFields) instead of its Brief, with the same errors and warnings, and the index
document made from them is byte for byte the one made from the Brief."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib.errors import IngestError, IngestWarning
from searchlib.index.documents import to_index_doc
from searchlib.ingest import iter_index_records, iter_records, parse_jsonl_record
from searchlib.ingest.files import jsonl_fields
from searchlib.records import Brief, BriefFields

HOSTILE = [
    {"id": 7, "title": "Seven", "country": ["Peru", "EEUU", "Peru", "Narnia", " "]},
    {"id": "a", "lang": "ES", "title": "", "body": "", "country": "Mexico"},
    {"id": "b", "title": "Hola", "body": "El presidente dijo que la policía detuvo a tres."},
    {"id": "c", "lang": "en", "body": ["SHARE", " Police said. ", "", "SEE ALSO:", "Peru"]},
    {"id": "d", "lang": "en", "title": "T", "date": "2020-02-30", "kind": "News", "url": "u"},
    {"id": "e", "lang": "es", "title": "T", "date": "2011-09-23T10:00:00", "x": {"y": [1, 2]}},
    {"id": "f", "lang": "en", "title": "T", "body": "a\n\n b \nc", "meta": None, "z": 1.5},
]


@pytest.mark.parametrize("obj", HOSTILE, ids=lambda o: str(o["id"]))
def test_fields_make_the_briefs_document(obj: dict[str, object]) -> None:
    notes: list[str] = []
    fields = jsonl_fields(obj, "f.jsonl:1", notes.append)
    brief_notes: list[str] = []
    brief = parse_jsonl_record(obj, "f.jsonl:1", brief_notes.append)
    assert fields.brief() == brief
    assert notes == brief_notes
    assert to_index_doc(fields) == to_index_doc(brief)


def test_unparseable_date_warns_once() -> None:
    notes: list[str] = []
    fields = jsonl_fields({"id": "d", "title": "T", "date": "2020-02-30"}, "s", notes.append)
    assert fields.date is None
    assert notes == ["unparseable date '2020-02-30': indexed without a date"]


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ([1, 2], "record is a JSON list, not an object"),
        ({"title": "x"}, "record has no id"),
        ({"id": True, "title": "x"}, "id is not text"),
        ({"id": "x"}, "record has no text (neither title nor body)"),
        ({"id": "x", "title": "t", "lang": "fr"}, "unsupported language 'fr'"),
        ({"id": "x", "title": "t", "country": [1]}, "country is neither text nor a list of texts"),
        ({"id": "x", "title": 3}, "title is not text"),
    ],
)
def test_fields_raise_what_the_parser_raises(obj: object, reason: str) -> None:
    with pytest.raises(IngestError) as a:
        jsonl_fields(obj, "s")
    with pytest.raises(IngestError) as b:
        parse_jsonl_record(obj, "s")
    assert a.value.reason == b.value.reason == reason


def test_index_records_match_records(tmp_path: Path) -> None:
    lines = [json.dumps(o).encode() for o in HOSTILE]
    lines[2:2] = [b"{bad json", b'{"id": "", "title": "x"}', b"", b'"text"']
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    (tmp_path / "page.txt").write_text("A title\n\nSome plain text body.\n", encoding="utf-8")
    w1: list[IngestWarning] = []
    w2: list[IngestWarning] = []
    plain = list(iter_records([tmp_path], w1.append))
    fast = list(iter_index_records([tmp_path], w2.append))

    def shown(x: object) -> object:  # errors compare by what they say
        return (x.path, x.line, x.reason) if isinstance(x, IngestError) else x

    assert [shown(x.brief() if isinstance(x, BriefFields) else x) for x in fast] == [
        shown(x) for x in plain
    ]
    kinds = [type(x).__name__ for x in fast]
    assert kinds.count("BriefFields") == len(HOSTILE)
    assert kinds.count("Brief") == 1  # the text file
    assert kinds.count("IngestError") == 3
    assert (
        [(w.line, w.reason) for w in w2]
        == [(w.line, w.reason) for w in w1]
        == [(9, "unparseable date '2020-02-30': indexed without a date")]
    )


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    rid=st.one_of(_text.filter(bool), st.integers()),
    title=_text,
    body=st.one_of(_text, st.lists(_text, max_size=4)),
    country=st.one_of(st.none(), _text, st.lists(_text, max_size=3)),
    date=st.one_of(st.none(), st.dates().map(dt.date.isoformat), _text),
    lang=st.sampled_from(["en", "es", "EN", ""]),
)
def test_any_record_same_document(
    rid: str | int, title: str, body: str | list[str], country: object, date: object, lang: str
) -> None:
    obj = {"id": rid, "lang": lang, "title": title, "body": body, "country": country}
    obj["date"] = date
    try:
        brief = parse_jsonl_record(obj, "s")
    except IngestError as exc:
        with pytest.raises(IngestError) as again:
            jsonl_fields(obj, "s")
        assert again.value.reason == exc.reason
        return
    fields = jsonl_fields(obj, "s")
    assert isinstance(brief, Brief) and fields.brief() == brief
    assert to_index_doc(fields) == to_index_doc(brief)


def test_index_add_takes_fields_and_checks_their_id(tmp_path: Path) -> None:
    import searchlib

    good = jsonl_fields({"id": "g1", "lang": "en", "title": "Police seized cocaine"}, "s:1")
    bad = good._replace(id="x\ny", source="s:2")
    with searchlib.create_index(tmp_path / "idx") as index:
        index.add(good)
        with pytest.raises(IngestError, match=r"id holds a control character \(U\+000A"):
            index.add(bad)
        index.commit()
        assert [h.id for h in index.search("cocaine")] == ["g1"]


def test_index_chunks_match_chunks(tmp_path: Path) -> None:
    from searchlib.ingest import plan_chunks, read_chunk, read_index_chunk

    lines = [json.dumps({**o, "pad": "x" * 3000}).encode() for o in HOSTILE * 3]
    lines[4:4] = [b"{bad json", b'{"id": "", "title": "x"}']
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    chunks = plan_chunks([path], chunk_bytes=8 << 10)
    assert len(chunks) > 2
    w1: list[IngestWarning] = []
    w2: list[IngestWarning] = []
    plain = [x for c in chunks for x in read_chunk(c, w1.append)]
    fast = [x for c in chunks for x in read_index_chunk(c, w2.append)]

    def shown(x: object) -> object:
        return (x.path, x.line, x.reason) if isinstance(x, IngestError) else x

    assert [shown(x.brief() if isinstance(x, BriefFields) else x) for x in fast] == [
        shown(x) for x in plain
    ]
    assert sum(isinstance(x, BriefFields) for x in fast) == len(HOSTILE) * 3
    assert [(w.line, w.reason) for w in w2] == [(w.line, w.reason) for w in w1]
    assert len(w1) == 3


_json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("xyz"), inner, max_size=3)
    ),
    max_leaves=8,
)


def _deep(depth: int) -> object:
    value: object = []
    for _ in range(depth - 1):
        value = [value] if depth % 2 else {"k": value}
    return value


@settings(max_examples=300, deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from(["id", "lang", "title", "body", "date", "country", "url", "kind", "x"]),
        st.one_of(
            _json_value,
            st.sampled_from(["", "en", "ES", "2020-02-30", "2011-09-23T10:00", "News", "a\n\nb"]),
            st.integers(99, 102).map(_deep),
        ),
    ),
    extra=st.dictionaries(st.sampled_from(["meta", "source", "y"]), _json_value, max_size=2),
)
def test_a_line_reads_as_its_object(fields: dict[str, object], extra: dict[str, object]) -> None:
    """The line reader's shortcuts (the record's dict becomes its meta in place, the nesting
    check skipped for a line with few brackets) give what ``jsonl_fields`` of the same
    object gives: the same values or the same error, the same warnings."""
    from searchlib.ingest.files import _read_lines

    obj = {**fields, **extra}
    line = json.dumps(obj).encode()
    warnings: list[IngestWarning] = []
    (got,) = _read_lines("f.jsonl", [line], 7, warnings.append, fields=True)
    notes: list[str] = []
    try:
        want = jsonl_fields(json.loads(line), "f.jsonl:7", notes.append)
    except IngestError as exc:
        assert isinstance(got, IngestError) and (got.line, got.reason) == (7, exc.reason)
        assert warnings == []
        return
    assert got == want and got.meta == want.meta and list(got.meta) == list(want.meta)
    assert [(w.line, w.reason) for w in warnings] == [(7, n) for n in notes]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.one_of(
            st.characters(blacklist_categories=("Cs",)),
            st.sampled_from("\x00\x1f\x7f\x85\x9f\xa0\xad\u2028\u200b a"),
        ),
        max_size=12,
    )
)
def test_id_problem_names_the_first_control_character(doc_id: str) -> None:
    """An id is refused for being empty or for its first C0/C1 control character (other
    unprintable characters, such as a no-break space, are allowed)."""
    from searchlib.records import id_problem

    controls = [(i, c) for i, c in enumerate(doc_id) if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F]
    if doc_id == "":
        assert id_problem(doc_id) == "id is empty"
    elif controls:
        i, c = controls[0]
        want = f"id holds a control character (U+{ord(c):04X} at position {i})"
        assert id_problem(doc_id) == want
    else:
        assert id_problem(doc_id) is None


_ABSENT = object()
"""A field left out of the generated record."""

_NOT_TEXT = st.one_of(
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(_text, max_size=2),
    st.dictionaries(st.sampled_from("xy"), _text, max_size=2),
)
_OPT_TEXT = st.sampled_from([_ABSENT, None, "text", "text", "text", "wrong"]).flatmap(
    lambda k: _text if k == "text" else _NOT_TEXT if k == "wrong" else st.just(k)
)
"""A title, kind or url: left out, null, text (most often) or not text."""
# A date field and the date it gives: None for no date, "bad" for a warning.
_DATES = st.sampled_from(range(8)).flatmap(
    lambda k: [
        st.sampled_from([(_ABSENT, None), (None, None), ("", None)]),
        st.dates().map(lambda d: (d.isoformat(), d)),
        st.datetimes().map(lambda t: (t.isoformat(), t.date())),
        st.dates().map(lambda d: (d.isoformat() + "T10:00:00Z", d)),
        st.sampled_from(["2020-02-30", "2020-13-01", "March 2020", "23/09/2011", "2020", " "]).map(
            lambda s: (s, "bad")
        ),
        _NOT_TEXT.map(lambda v: (v, "bad")),
        st.text(max_size=80).map(lambda s: ("when: " + s, "bad")),
        # shown whole up to 60 characters (with its quotes), else cut to 57 and "..."
        st.sampled_from([57, 58, 59, 60, 80]).map(lambda n: ("x" * n, "bad")),
    ][k]
)


@settings(max_examples=300, deadline=None)
@given(title=_OPT_TEXT, kind=_OPT_TEXT, url=_OPT_TEXT, dated=_DATES, body=st.booleans())
def test_title_kind_url_and_date_follow_the_documented_rules(
    title: object, kind: object, url: object, dated: tuple[object, object], body: bool
) -> None:
    """Title, kind and url are optional text (anything else: '<field> is not text'), a date
    is an ISO date or datetime (anything else: the record is kept without a date, with a
    warning); with several wrong, the title is reported first, then a missing text, then the
    kind, then the date's warning, then the url. Through ``jsonl_fields`` and the line
    reader, against this expectation written out."""
    from searchlib.ingest.files import _read_lines

    date, day = dated
    given_fields = {"title": title, "kind": kind, "url": url, "date": date}
    obj: dict[str, object] = {"id": "r", "lang": "en"}
    obj.update({k: v for k, v in given_fields.items() if v is not _ABSENT})
    if body:
        obj["body"] = "Police said."
    shown = repr(date) if len(repr(date)) <= 60 else repr(date)[:57] + "..."
    warning = f"unparseable date {shown}: indexed without a date"
    error = None
    if title is not _ABSENT and title is not None and not isinstance(title, str):
        error = "title is not text"
    elif title is _ABSENT and not body:
        error = "record has no text (neither title nor body)"
    elif kind is not _ABSENT and kind is not None and not isinstance(kind, str):
        error = "kind is not text"
    elif url is not _ABSENT and url is not None and not isinstance(url, str):
        error = "url is not text"
    # jsonl_fields warns before the url's error; the line reader drops a skipped line's notes
    notes_wanted = [warning] if day == "bad" and error in (None, "url is not text") else []

    notes: list[str] = []
    try:
        got = jsonl_fields(dict(obj), "f.jsonl:7", notes.append)
        assert error is None
        assert got.title == (title if isinstance(title, str) else "")
        assert got.kind == (kind.lower() if isinstance(kind, str) and kind else "brief")
        assert got.url == (url if isinstance(url, str) else None)
        assert got.date == (None if day == "bad" else day)
    except IngestError as exc:
        assert exc.reason == error
    assert notes == notes_wanted

    warnings: list[IngestWarning] = []
    (line,) = _read_lines("f.jsonl", [json.dumps(obj).encode()], 7, warnings.append, fields=True)
    if error is None:
        assert isinstance(line, BriefFields) and line == got
        assert [(w.line, w.reason) for w in warnings] == [(7, n) for n in notes_wanted]
    else:
        assert isinstance(line, IngestError) and (line.line, line.reason) == (7, error)
        assert warnings == []
