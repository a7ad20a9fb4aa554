"""Tests of searchlib.search.parser: agreement with Whoosh's parser, each syntax feature, errors."""

from __future__ import annotations

import datetime
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib.errors import QuerySyntaxError
from searchlib.search.parser import DEFAULT_FIELDS, MAX_CLAUSES, parse_query
from searchlib.search.query import (
    And,
    AndMaybe,
    AndNot,
    DateRange,
    Every,
    Fuzzy,
    Not,
    NullQuery,
    Or,
    Phrase,
    Prefix,
    Query,
    Term,
    TermRange,
    Wildcard,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from whoosh import analysis, fields, qparser
    from whoosh import query as wq
    from whoosh.util.times import long_to_datetime

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "parser" / "queries.txt"
QUERIES = [line for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]

# -- Whoosh side ------------------------------------------------------------------------------

# Terms kept as typed (no lowercasing), so the comparison is on structure only.
_ANALYZER = analysis.RegexTokenizer(r"\S+")
_SCHEMA = fields.Schema(
    **{name: fields.TEXT(analyzer=_ANALYZER) for name in DEFAULT_FIELDS if name != "date"},
    date=fields.DATETIME(),
)


def whoosh_parse(text: str, group: Any) -> Any:
    """Whoosh's default QueryParser plus the +/- and term~ plugins searchlib's syntax includes.
    + and - are only signs at the start of a clause, as in searchlib (Whoosh's default pattern
    would split ``al-Qaeda``)."""
    parser = qparser.QueryParser("body", _SCHEMA, group=group)
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    return parser.parse(text)


def _field(name: str | None) -> str | None:
    return None if name == "body" else name


def _date(value: int | None) -> datetime.date | None:
    return None if value is None else long_to_datetime(value).date()


def from_whoosh(q: Any) -> Query:
    """Map a normalised Whoosh query tree onto searchlib's node types.

    Known differences accounted for: the default field "body" is None; Whoosh's phrase slop
    counts from 1, ours from 0; a bare ``term~`` has prefixlength 0 in Whoosh, 1 here (Whoosh
    never produces 0 otherwise); Every is unfielded here; dates come back from Whoosh's
    microsecond longs."""
    boost = float(getattr(q, "boost", 1.0))
    if q is wq.NullQuery:
        return NullQuery()
    if isinstance(q, wq.FuzzyTerm):
        return Fuzzy(_field(q.fieldname), q.text, min(q.maxdist, 2), q.prefixlength or 1, boost)
    if isinstance(q, wq.Prefix):
        return Prefix(_field(q.fieldname), q.text, boost)
    if isinstance(q, wq.Wildcard):
        return Wildcard(_field(q.fieldname), q.text, boost)
    if isinstance(q, wq.Term):
        return Term(_field(q.fieldname), q.text, boost)
    if isinstance(q, wq.Phrase):
        return Phrase(_field(q.fieldname), tuple(q.words), q.slop - 1, boost)
    if isinstance(q, wq.NumericRange):
        assert q.fieldname == "date"
        return DateRange("date", _date(q.start), _date(q.end), q.startexcl, q.endexcl, boost)
    if isinstance(q, wq.TermRange):
        return TermRange(_field(q.fieldname), q.start, q.end, q.startexcl, q.endexcl, boost)
    if isinstance(q, wq.Every):
        return Every(boost)
    if isinstance(q, wq.AndNot):
        return AndNot(from_whoosh(q.a), from_whoosh(q.b), boost)
    if isinstance(q, wq.AndMaybe):
        return AndMaybe(from_whoosh(q.a), from_whoosh(q.b), boost)
    if isinstance(q, wq.Not):
        return Not(from_whoosh(q.query), boost)
    if isinstance(q, wq.And):
        return And([from_whoosh(s) for s in q.subqueries], boost)
    if isinstance(q, wq.Or):
        return Or([from_whoosh(s) for s in q.subqueries], boost)
    raise AssertionError(f"no mapping for Whoosh query {q!r}")


# -- agreement with Whoosh ----------------------------------------------------------------------


def test_golden_list_is_big_enough() -> None:
    assert len(QUERIES) >= 40
    assert len(set(QUERIES)) == len(QUERIES)


# Exclusions (see with_filters): NOT beside other clauses excludes, as - does (Whoosh's OR group
# reads ``coca NOT cocaine`` as "coca, or anything without cocaine"), and a query of exclusions
# only matches every document without them (Whoosh: nothing). Checked in DIFFERENCES below.
EXCLUDING = {"coca NOT cocaine", "-coca", "-coca -gang"}


@pytest.mark.parametrize("text", [q for q in QUERIES if q not in EXCLUDING])
def test_same_structure_as_whoosh_or(text: str) -> None:
    expected = from_whoosh(whoosh_parse(text, qparser.OrGroup))
    assert parse_query(text) == expected


def test_the_golden_list_holds_the_exclusions() -> None:
    assert EXCLUDING <= set(QUERIES)
    assert EXCLUDING <= {text for text, _ in DIFFERENCES}


@pytest.mark.parametrize("text", [q for q in QUERIES if q not in EXCLUDING - {"coca NOT cocaine"}])
def test_same_structure_as_whoosh_and(text: str) -> None:
    expected = from_whoosh(whoosh_parse(text, qparser.AndGroup))
    assert parse_query(text, default_op="AND") == expected


# Where we deliberately part from Whoosh (see the parser module docstring): ours, and proof that
# Whoosh does something else (a different tree, or an exception).
DIFFERENCES: list[tuple[str, Query | type[Exception]]] = [
    ("cocaine~2^3", Fuzzy(None, "cocaine", maxdist=2, boost=3.0)),  # Whoosh: Term('^3')
    ('"coca"^2', Term(None, "coca", boost=2.0)),  # Whoosh drops the boost
    (
        "(coca -gang)^2 x",
        Or([AndNot(Term(None, "coca", 2.0), Term(None, "gang")), Term(None, "x")]),
    ),  # Whoosh: NotImplementedError
    ("NOT NOT coca", Not(Not(Term(None, "coca")))),  # Whoosh: IndexError
    ("coca NOT cocaine", AndNot(Term(None, "coca"), Term(None, "cocaine"))),  # Whoosh: an Or
    ("-coca", Not(Term(None, "coca"))),  # Whoosh: NullQuery
    ("-coca -gang", Not(Or([Term(None, "coca"), Term(None, "gang")]))),  # Whoosh: NullQuery
    ("-lang:es", Not(Term("lang", "es"))),  # Whoosh: NullQuery
    ("coca AND *", Term(None, "coca")),  # Whoosh: Every('body')
    (
        "date:{2011-01-01 TO 2011-03-01}",  # Whoosh ignores the exclusive bounds
        DateRange("date", datetime.date(2011, 1, 1), datetime.date(2011, 3, 1), True, True),
    ),
    ('coca "erradicación', QuerySyntaxError),  # Whoosh: Term('"erradicación')
    ("(coca gang", QuerySyntaxError),  # Whoosh: closes it silently
    ("coca gang)", QuerySyntaxError),  # Whoosh: ignores it
    ("coca^x", QuerySyntaxError),  # Whoosh: Term('coca^x')
    ("title:", QuerySyntaxError),  # Whoosh: Term('title:')
    ('"coca growers"~', QuerySyntaxError),  # Whoosh: Term('~')
    ("date:[2013 TO 2012]", QuerySyntaxError),  # Whoosh: an empty range
    # Unknown fields are errors (Whoosh: the word 'foo:bar'); field names ignore case.
    ("foo:bar", QuerySyntaxError),
    ("foo:bar coca", QuerySyntaxError),
    ("Title:coca", Term("title", "coca")),  # Whoosh: Term('body', 'Title:coca')
    # Filter clauses restrict the clauses beside them (Whoosh: one more OR alternative).
    ("country:PERU section:brief", And([Term("country", "PERU"), Term("section", "brief")])),
    ("title:(coca author:gang)", And([Term("title", "coca"), Term("author", "gang")])),
    (
        "coca date:[2011 TO 2012]",
        And(
            [
                Term(None, "coca"),
                DateRange("date", datetime.date(2011, 1, 1), datetime.date(2012, 12, 31)),
            ]
        ),
    ),
    (
        "+title:coca +date:[2011 TO 2012] cocaine",  # the same documents as Whoosh's tree
        And(
            [
                AndMaybe(Term("title", "coca"), Term(None, "cocaine")),
                DateRange("date", datetime.date(2011, 1, 1), datetime.date(2012, 12, 31)),
            ]
        ),
    ),
]


@pytest.mark.parametrize(("text", "ours"), DIFFERENCES, ids=[d[0] for d in DIFFERENCES])
def test_deliberate_differences_from_whoosh(text: str, ours: Query | type[Exception]) -> None:
    if isinstance(ours, type):
        with pytest.raises(ours):
            parse_query(text)
    else:
        assert parse_query(text) == ours
    try:
        theirs: Any = from_whoosh(whoosh_parse(text, qparser.OrGroup))
    except Exception as err:  # noqa: BLE001 - Whoosh fails on some of these
        theirs = err
    if isinstance(ours, type):
        assert not isinstance(theirs, Exception)  # Whoosh is lenient where we are strict
    else:
        assert theirs != ours


# -- exact structures per feature -------------------------------------------------------------

D = datetime.date
CASES: list[tuple[str, Query]] = [
    ("coca", Term(None, "coca")),
    ("Erradicación", Term(None, "Erradicación")),
    ("coca gang", Or([Term(None, "coca"), Term(None, "gang")])),
    ('"coca growers"', Phrase(None, ("coca", "growers"))),
    ('"coca growers"~1', Phrase(None, ("coca", "growers"), slop=0)),
    ('"coca growers"~3', Phrase(None, ("coca", "growers"), slop=2)),
    ("title:coca", Term("title", "coca")),
    ('title:"a b"', Phrase("title", ("a", "b"))),
    ("title:(a b)", Or([Term("title", "a"), Term("title", "b")])),
    ("title:(a author:b)", And([Term("title", "a"), Term("author", "b")])),
    ("Title:bar", Term("title", "bar")),
    ("AUTHORS:ramsey", Term("author", "ramsey")),
    ("countries:peru", Term("country", "peru")),
    (
        "http://x.org 10:30 note: a",
        Or([Term(None, w) for w in ("http://x.org", "10:30", "note:", "a")]),
    ),
    ("a AND b", And([Term(None, "a"), Term(None, "b")])),
    ("a OR b AND c", Or([Term(None, "a"), And([Term(None, "b"), Term(None, "c")])])),
    ("a and b", Or([Term(None, "a"), Term(None, "and"), Term(None, "b")])),
    ("NOT a", Not(Term(None, "a"))),
    ("NOT NOT a", Not(Not(Term(None, "a")))),
    ("a ANDNOT b", AndNot(Term(None, "a"), Term(None, "b"))),
    ("a ANDMAYBE b", AndMaybe(Term(None, "a"), Term(None, "b"))),
    ("+a b -c", AndNot(AndMaybe(Term(None, "a"), Term(None, "b")), Term(None, "c"))),
    ("-a", Not(Term(None, "a"))),  # only exclusions: every document without them
    ("a NOT b", AndNot(Term(None, "a"), Term(None, "b"))),
    ("NOT a NOT b", Not(Or([Term(None, "a"), Term(None, "b")]))),
    ("a (-b)", AndNot(Term(None, "a"), Term(None, "b"))),
    ("a OR NOT b", Or([Term(None, "a"), Not(Term(None, "b"))])),  # an explicit OR keeps it
    ("a -b", AndNot(Term(None, "a"), Term(None, "b"))),
    ("al-Qaeda", Term(None, "al-Qaeda")),
    ("(a -b) c", Or([AndNot(Term(None, "a"), Term(None, "b")), Term(None, "c")])),
    ("title:(+a b)", AndMaybe(Term("title", "a"), Term("title", "b"))),
    ("erradic*", Prefix(None, "erradic")),
    ("co?a", Wildcard(None, "co?a")),
    ("*ina", Wildcard(None, "*ina")),
    ("a*b*", Wildcard(None, "a*b*")),
    ("*", Every()),
    ("title:*", Every()),
    ("cocaine~", Fuzzy(None, "cocaine", maxdist=1, prefixlength=1)),
    ("cocaine~2", Fuzzy(None, "cocaine", maxdist=2)),
    ("cocaine~5", Fuzzy(None, "cocaine", maxdist=2)),
    ("cocaine~0", Fuzzy(None, "cocaine", maxdist=0)),
    ("cocaine~1/3", Fuzzy(None, "cocaine", maxdist=1, prefixlength=3)),
    ("cocaine~^2", Fuzzy(None, "cocaine", boost=2.0)),
    ("coca^2", Term(None, "coca", boost=2.0)),
    ("coca^0.5", Term(None, "coca", boost=0.5)),
    ("coca^.5", Term(None, "coca", boost=0.5)),
    ('"a b"^2', Phrase(None, ("a", "b"), boost=2.0)),
    ("(a AND b)^2", And([Term(None, "a"), Term(None, "b")], boost=2.0)),
    ("(a b)^2 c", Or([Term(None, "a", 2.0), Term(None, "b", 2.0), Term(None, "c")])),
    ("(a^3 b)^2", Or([Term(None, "a", 6.0), Term(None, "b", 2.0)])),
    ("date:[2011-01-01 TO 2012-12-31]", DateRange("date", D(2011, 1, 1), D(2012, 12, 31))),
    ("date:[2011 TO 2012]", DateRange("date", D(2011, 1, 1), D(2012, 12, 31))),
    ("date:[2012-02 TO 2012-02]", DateRange("date", D(2012, 2, 1), D(2012, 2, 29))),
    ("date:[2011 TO]", DateRange("date", D(2011, 1, 1), None)),
    ("date:[TO 2012]", DateRange("date", None, D(2012, 12, 31))),
    ("date:[2011 to 2012]", DateRange("date", D(2011, 1, 1), D(2012, 12, 31))),
    (
        "date:{2011-01-01 TO 2012-12-31}",
        DateRange("date", D(2011, 1, 1), D(2012, 12, 31), startexcl=True, endexcl=True),
    ),
    (  # an exclusive partial date excludes its whole period
        "date:{2011 TO 2012-06}",
        DateRange("date", D(2011, 12, 31), D(2012, 6, 1), startexcl=True, endexcl=True),
    ),
    ("date:2011-05", DateRange("date", D(2011, 5, 1), D(2011, 5, 31))),
    ("date:[2011 TO 2012]^2", DateRange("date", D(2011, 1, 1), D(2012, 12, 31), boost=2.0)),
    ("author:[a TO m}", TermRange("author", "a", "m", endexcl=True)),
    ("[a TO m]", TermRange(None, "a", "m")),
    ("", NullQuery()),
    ("   ", NullQuery()),
    ("()", NullQuery()),
    ('""', NullQuery()),
    ("a AND ", Term(None, "a")),
    ("a a", Term(None, "a")),
    ("a *", Every()),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_structure(text: str, expected: Query) -> None:
    assert parse_query(text) == expected


def test_default_op_and() -> None:
    assert parse_query("a b", default_op="AND") == And([Term(None, "a"), Term(None, "b")])
    assert parse_query("a b OR c", default_op="AND") == And(
        [Term(None, "a"), Or([Term(None, "b"), Term(None, "c")])]
    )
    assert parse_query("a *", default_op="AND") == Term(None, "a")  # Whoosh: Every('body')
    # NOT beside a clause already excludes under AND; exclusions only: every document without them
    assert parse_query("a NOT b", default_op="AND") == And([Term(None, "a"), Not(Term(None, "b"))])
    assert parse_query("-a -b", default_op="AND") == Not(Or([Term(None, "a"), Term(None, "b")]))


def test_fields_override() -> None:
    assert parse_query("place:lima", fields=frozenset({"place"})) == Term("place", "lima")
    with pytest.raises(QuerySyntaxError, match="unknown field 'title' .fields: place;"):
        parse_query("title:lima", fields=frozenset({"place"}))


def test_bad_default_op() -> None:
    with pytest.raises(ValueError):
        parse_query("a", default_op="XOR")  # type: ignore[arg-type]


# -- errors -----------------------------------------------------------------------------------

ERRORS = [
    ('coca "erradicación', 5, "quote"),
    ('"a" "b', 4, "quote"),
    ("(coca gang", 0, "parenthesis"),
    ("a (b (c) d", 2, "parenthesis"),
    ("coca gang)", 9, "parenthesis"),
    ("date:[2011 TO 2012", 5, "range"),
    ("date:[2011 2012]", 5, "range"),
    ("date:[TO]", 5, "range"),
    ("date:[2013 TO 2012]", 5, "range"),
    ("date:[2011-13 TO 2012]", 6, "date"),
    ("date:[2011 TO 2012-02-30]", 14, "date"),
    ("date:coca", 5, "date"),
    ('date:"2011"', 5, "date"),
    ("coca^x", 4, "boost"),
    ("coca^", 4, "boost"),
    ("coca ^2", 5, "boost"),
    ("^2", 0, "boost"),
    ("coca^2^3", 4, "boost"),
    ("title:", 0, "empty field"),
    ("coca title: gang", 5, "empty field"),
    ("(title:)", 1, "empty field"),
    ('"a b"~', 5, "slop"),
    ('"a b"~0', 5, "slop"),
    ("coca~x", 4, "fuzzy"),
    ("~2", 0, "fuzzy"),
    ("co*a~", 0, "wildcard"),
    ("coca nosuchfield:coca", 5, "unknown field 'nosuchfield' (fields: author, body, country,"),
    ('a (zz:"b c")', 3, "unknown field 'zz'"),
    ("title:x authorz:[a TO b]", 8, "unknown field"),
]


@pytest.mark.parametrize(("text", "position", "word"), ERRORS)
def test_error_position(text: str, position: int, word: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    err = info.value
    assert (err.position, err.query) == (position, text)
    assert word in err.reason
    assert f"position {position}" in str(err)
    assert isinstance(err, ValueError)


FILTERS: list[tuple[str, Query]] = [
    ("coca country:peru", And([Term(None, "coca"), Term("country", "peru")])),
    ("coca +country:peru", And([Term(None, "coca"), Term("country", "peru")])),
    ("+country:peru", Term("country", "peru")),
    ("coca OR country:peru", Or([Term(None, "coca"), Term("country", "peru")])),
    (
        "coca country:peru -gang",
        AndNot(And([Term(None, "coca"), Term("country", "peru")]), Term(None, "gang")),
    ),
    ("country:peru -coca", AndNot(Term("country", "peru"), Term(None, "coca"))),
    (
        "coca gang lang:es",
        And([Or([Term(None, "coca"), Term(None, "gang")]), Term("lang", "es")]),
    ),
    (  # the same field side by side: either value; different fields: both
        "coca country:peru country:bolivia kind:brief",
        And(
            [
                Term(None, "coca"),
                Or([Term("country", "peru"), Term("country", "bolivia")]),
                Term("kind", "brief"),
            ]
        ),
    ),
    (
        "coca country:(peru bolivia)",
        And([Term(None, "coca"), Or([Term("country", "peru"), Term("country", "bolivia")])]),
    ),
    ("coca NOT country:peru", And([Term(None, "coca"), Not(Term("country", "peru"))])),
    (
        "(coca country:peru) OR gang",
        Or([And([Term(None, "coca"), Term("country", "peru")]), Term(None, "gang")]),
    ),
    (
        "+coca +gang author:ramsey",
        And([Term(None, "coca"), Term(None, "gang"), Term("author", "ramsey")]),
    ),
    ("coca id:e01 id:s01", And([Term(None, "coca"), Or([Term("id", "e01"), Term("id", "s01")])])),
]


@pytest.mark.parametrize(("text", "expected"), FILTERS, ids=[f[0] for f in FILTERS])
def test_filter_clauses_restrict_the_clauses_beside_them(text: str, expected: Query) -> None:
    assert parse_query(text) == expected


def test_filter_clauses_with_default_op_and() -> None:
    assert parse_query("coca gang country:peru country:bolivia", default_op="AND") == And(
        [
            Term(None, "coca"),
            Term(None, "gang"),
            Term("country", "peru"),
            Term("country", "bolivia"),
        ]
    )


def test_length_limit() -> None:
    parse_query("a" * 1000)
    with pytest.raises(QuerySyntaxError, match="too long") as info:
        parse_query("a" * 1001)
    assert info.value.position == 1000
    with pytest.raises(QuerySyntaxError, match="too long"):
        parse_query("a b c", max_length=4)


def test_clause_limit() -> None:
    words = [f"w{i}" for i in range(MAX_CLAUSES + 1)]
    assert isinstance(parse_query(" ".join(words[:MAX_CLAUSES])), Or)
    text = " ".join(words)
    with pytest.raises(QuerySyntaxError, match="too many clauses") as info:
        parse_query(text)
    assert info.value.position == text.index(words[-1])


def test_nesting_limit() -> None:
    parse_query("(" * 32 + "a" + ")" * 32)
    with pytest.raises(QuerySyntaxError, match="nested"):
        parse_query("(" * 33 + "a" + ")" * 33)
    with pytest.raises(QuerySyntaxError, match="nested"):
        parse_query("NOT " * 40 + "a")
    with pytest.raises(QuerySyntaxError, match="nested"):
        parse_query("title:" * 40 + "a", max_length=10_000)


# -- properties -------------------------------------------------------------------------------

_SYNTAX = st.text(alphabet=' \t()"[]{}^~*?:+-/.0123456789abTOANDRNtiledaé', max_size=60)
_OPS = st.sampled_from(["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "title:", "date:"])
_MIXED = st.lists(st.one_of(_SYNTAX, _OPS), max_size=8).map(" ".join)
_NS = {name: obj for name, obj in globals().items() if isinstance(obj, type)} | {
    "datetime": datetime
}


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), _SYNTAX, _MIXED))
def test_any_text_parses_or_raises_query_syntax_error(text: str) -> None:
    try:
        q = parse_query(text)
    except QuerySyntaxError as err:
        assert 0 <= err.position <= len(text)
        return
    assert isinstance(
        q,
        (
            Term,
            Phrase,
            Prefix,
            Wildcard,
            Fuzzy,
            DateRange,
            TermRange,
            And,
            Or,
            Not,
            AndNot,
            AndMaybe,
            Every,
            NullQuery,
        ),
    )
    assert eval(repr(q), _NS) == q  # noqa: S307 - the repr reads back as the same tree
    assert parse_query(text, default_op="AND") is not None


def test_repr_is_readable_and_round_trips() -> None:
    q = parse_query('+title:coca "coca growers"~2^1.5 -date:[2011 TO 2012] erradic* cocaína~2')
    text = repr(q)
    assert text == (
        "AndNot(AndMaybe(Term('title', 'coca'), Or([Phrase(None, ['coca', 'growers'], slop=1, "
        "boost=1.5), Prefix(None, 'erradic'), Fuzzy(None, 'cocaína', maxdist=2)])), "
        "DateRange('date', datetime.date(2011, 1, 1), datetime.date(2012, 12, 31)))"
    )
    assert eval(text, _NS) == q  # noqa: S307
