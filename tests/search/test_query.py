"""Tests of searchlib.search.query: node values, repr, normalisation, boosting, iter_terms."""

from __future__ import annotations

import datetime

import attrs
import pytest

from searchlib.search import query as Q
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
    Term,
    TermRange,
    Wildcard,
    boosted,
    iter_terms,
    normalize,
)

NS = {name: getattr(Q, name) for name in Q.__all__} | {"datetime": datetime}
a, b, c = Term(None, "a"), Term(None, "b"), Term(None, "c")

EXAMPLES = [
    (Term("body", "coca"), "Term('body', 'coca')"),
    (Term(None, "coca", 2.0), "Term(None, 'coca', boost=2.0)"),
    (Phrase(None, ("a", "b")), "Phrase(None, ['a', 'b'])"),
    (Phrase("title", ["a", "b"], slop=2), "Phrase('title', ['a', 'b'], slop=2)"),
    (Prefix(None, "erradic"), "Prefix(None, 'erradic')"),
    (Wildcard(None, "co?a"), "Wildcard(None, 'co?a')"),
    (Fuzzy(None, "cocaine"), "Fuzzy(None, 'cocaine')"),
    (Fuzzy(None, "x", 2, 0, 1.5), "Fuzzy(None, 'x', maxdist=2, prefixlength=0, boost=1.5)"),
    (
        DateRange("date", datetime.date(2011, 1, 1), None, startexcl=True),
        "DateRange('date', datetime.date(2011, 1, 1), None, startexcl=True)",
    ),
    (TermRange("author", "a", "m"), "TermRange('author', 'a', 'm')"),
    (And([a, b]), "And([Term(None, 'a'), Term(None, 'b')])"),
    (Or((a, b), boost=2.0), "Or([Term(None, 'a'), Term(None, 'b')], boost=2.0)"),
    (Not(a), "Not(Term(None, 'a'))"),
    (AndNot(a, b), "AndNot(Term(None, 'a'), Term(None, 'b'))"),
    (AndMaybe(a, b), "AndMaybe(Term(None, 'a'), Term(None, 'b'))"),
    (Every(), "Every()"),
    (NullQuery(), "NullQuery()"),
]


@pytest.mark.parametrize(("node", "text"), EXAMPLES, ids=[e[1] for e in EXAMPLES])
def test_repr_is_whoosh_like_and_round_trips(node: Q.Query, text: str) -> None:
    assert repr(node) == text
    assert eval(text, NS) == node  # noqa: S307


def test_nodes_are_frozen_hashable_values() -> None:
    assert Term(None, "a") == Term(None, "a")
    assert Term(None, "a") != Term(None, "a", 2.0)
    assert len({And([a, b]), And((a, b))}) == 1
    assert And([a, b]).children == (a, b)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.text = "z"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Phrase(None, "a b")
    assert all(node.boost == 1.0 for node, _ in EXAMPLES[:1] + EXAMPLES[2:7])


def test_iter_terms_positive_leaves_only() -> None:
    leaves = [
        Term("title", "t"),
        Phrase(None, ("p", "q")),
        Prefix(None, "pre"),
        Wildcard(None, "w?"),
        Fuzzy(None, "f"),
    ]
    q = AndNot(
        AndMaybe(And([leaves[0], Not(Term(None, "hidden"))]), Or(leaves[1:])),
        Term(None, "banned"),
    )
    assert list(iter_terms(q)) == leaves
    ranges = And([DateRange("date", None, None), TermRange("a", "b", None), Every()])
    assert list(iter_terms(ranges)) == []
    assert list(iter_terms(NullQuery())) == []


def test_boosted() -> None:
    assert boosted(a, 2.0) == Term(None, "a", 2.0)
    assert boosted(Term(None, "a", 3.0), 2.0) == Term(None, "a", 6.0)
    assert boosted(AndNot(a, b), 2.0) == AndNot(Term(None, "a", 2.0), b)
    assert boosted(NullQuery(), 2.0) == NullQuery()
    assert boosted(a, 1.0) is a


NORMALIZE = [
    (And([And([a, b]), c]), And([a, b, c])),
    (Or([Or([a, b], 2.0), c]), Or([Term(None, "a", 2.0), Term(None, "b", 2.0), c])),
    (And([Or([a, b], 2.0)]), Or([a, b], 2.0)),
    (Or([a], 3.0), Term(None, "a", 3.0)),
    (Or([a, a, b]), Or([a, b])),
    (Or([]), NullQuery()),
    (And([a, NullQuery()]), a),
    (Or([a, Every()]), Every()),
    (And([a, Every()]), a),
    (And([Every(), Every()]), Every()),
    (Not(Or([])), NullQuery()),
    (AndNot(NullQuery(), a), NullQuery()),
    (AndNot(a, Or([])), a),
    (AndMaybe(NullQuery(), b), b),
    (AndMaybe(a, NullQuery()), a),
    (Phrase(None, ()), NullQuery()),
    (Phrase("title", ("x",), boost=2.0), Term("title", "x", 2.0)),
    (TermRange("a", "m", "m"), Term("a", "m")),
    (TermRange("a", "m", "m", startexcl=True), NullQuery()),
    (NullQuery(boost=2.0), NullQuery()),
]


@pytest.mark.parametrize(("before", "after"), NORMALIZE, ids=[repr(n[0]) for n in NORMALIZE])
def test_normalize(before: Q.Query, after: Q.Query) -> None:
    assert normalize(before) == after
    assert normalize(after) == after
