"""The query tree: immutable query node value classes, their normalisation and term iteration.

Nodes hold the RAW text the user typed (no analysis: that happens at execution, per language).
``field=None`` means "the default fields". Every node has a ``boost`` (a score multiplier).
Their ``repr`` is Whoosh-like and evaluates back to an equal node (``datetime`` in scope).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Union, cast

import attrs

__all__ = [
    "And",
    "AndMaybe",
    "AndNot",
    "AnyQuery",
    "BagOfWords",
    "Concepts",
    "CrossLingual",
    "DateRange",
    "Every",
    "Fuzzy",
    "InLanguage",
    "Not",
    "Node",
    "NullQuery",
    "Or",
    "Phrase",
    "Prefix",
    "Query",
    "Synonyms",
    "TextQuery",
    "Term",
    "TermGroups",
    "TermRange",
    "Wildcard",
    "boosted",
    "iter_terms",
    "normalize",
]


def _to_words(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError("words must be a sequence of strings, not a single string")
    return tuple(value)


def _to_children(value: Iterable[Query]) -> tuple[Query, ...]:
    return tuple(value)


class _Node:
    """Mixin giving nodes a Whoosh-like repr: the first ``_SHOWN`` fields positionally, the rest
    as keywords when they differ from their default; tuples are shown as lists."""

    __slots__ = ()
    _SHOWN: ClassVar[int] = 0

    def __repr__(self) -> str:
        parts: list[str] = []
        for i, a in enumerate(attrs.fields(cast(Any, type(self)))):
            value = getattr(self, a.name)
            text = repr(list(value)) if isinstance(value, tuple) else repr(value)
            if i < self._SHOWN:
                parts.append(text)
            elif value != a.default:
                parts.append(f"{a.name}={text}")
        return f"{type(self).__name__}({', '.join(parts)})"


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class Term(_Node):
    """Documents containing the word ``text`` in ``field``."""

    _SHOWN: ClassVar[int] = 2
    field: str | None
    text: str
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class Phrase(_Node):
    """The ``words`` in order. ``slop`` is how many extra positions may separate consecutive words:
    0 = adjacent (the parser maps Whoosh's ``"a b"~N`` to ``slop=N-1``, so both mean the same)."""

    _SHOWN: ClassVar[int] = 2
    field: str | None
    words: tuple[str, ...] = attrs.field(converter=_to_words)
    slop: int = 0
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class Prefix(_Node):
    """Words starting with ``text``."""

    _SHOWN: ClassVar[int] = 2
    field: str | None
    text: str
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class Wildcard(_Node):
    """Words matching ``pattern``, where ``*`` is any run of characters and ``?`` one character."""

    _SHOWN: ClassVar[int] = 2
    field: str | None
    pattern: str
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class Fuzzy(_Node):
    """Words within ``maxdist`` edits of ``text`` sharing its first ``prefixlength`` characters."""

    _SHOWN: ClassVar[int] = 2
    field: str | None
    text: str
    maxdist: int = 1
    prefixlength: int = 1
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class DateRange(_Node):
    """Documents whose date ``field`` lies between ``start`` and ``end`` (None = open)."""

    _SHOWN: ClassVar[int] = 3
    field: str
    start: datetime.date | None
    end: datetime.date | None
    startexcl: bool = False
    endexcl: bool = False
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class TermRange(_Node):
    """Words of non-date ``field`` sorting between ``start`` and ``end`` (None = open)."""

    _SHOWN: ClassVar[int] = 3
    field: str | None
    start: str | None
    end: str | None
    startexcl: bool = False
    endexcl: bool = False
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class And(_Node):
    """Documents matching every child."""

    _SHOWN: ClassVar[int] = 1
    children: tuple[Query, ...] = attrs.field(converter=_to_children)
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class Or(_Node):
    """Documents matching any child."""

    _SHOWN: ClassVar[int] = 1
    children: tuple[Query, ...] = attrs.field(converter=_to_children)
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class Synonyms(Or):
    """Documents matching any child, each scored by its best child: equivalent names of one
    thing (``EEUU``, ``Estados Unidos``, ``U.S.``), so a document that uses two of them is not
    counted twice."""


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class Not(_Node):
    """Documents not matching ``child``."""

    _SHOWN: ClassVar[int] = 1
    child: Query
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class AndNot(_Node):
    """Documents matching ``positive`` but not ``negative``; only ``positive`` scores."""

    _SHOWN: ClassVar[int] = 2
    positive: Query
    negative: Query
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class AndMaybe(_Node):
    """Documents matching ``required``; matching ``optional`` as well raises the score."""

    _SHOWN: ClassVar[int] = 2
    required: Query
    optional: Query
    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class Every(_Node):
    """All documents."""

    boost: float = 1.0


@attrs.frozen(slots=True, repr=False, cache_hash=True)
class NullQuery(_Node):
    """No documents."""

    boost: float = 1.0


Query = Union[  # noqa: UP007 - a runtime alias usable on Python 3.10 with isinstance
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
]
TermLike = Union[Term, Phrase, Prefix, Wildcard, Fuzzy]  # noqa: UP007
_TERM_TYPES = (Term, Phrase, Prefix, Wildcard, Fuzzy)


def iter_terms(query: Query) -> Iterator[TermLike]:
    """Yield the positive word leaves of ``query`` (not those under Not or an AndNot's negative
    side), depth first, left to right: the words worth highlighting in a hit."""
    stack: list[Query] = [query]
    while stack:
        q = stack.pop()
        if isinstance(q, _TERM_TYPES):
            yield q
        elif isinstance(q, (And, Or)):
            stack.extend(reversed(q.children))
        elif isinstance(q, AndNot):
            stack.append(q.positive)
        elif isinstance(q, AndMaybe):
            stack.extend((q.optional, q.required))


def boosted(query: Query, factor: float) -> Query:
    """Return ``query`` with its weight multiplied by ``factor`` (an AndNot passes it to its
    positive side, as Whoosh does, since the negative side never scores)."""
    if factor == 1.0 or isinstance(query, NullQuery):
        return query
    if isinstance(query, AndNot):
        return attrs.evolve(query, positive=boosted(query.positive, factor))
    new: Query = attrs.evolve(query, boost=query.boost * factor)
    return new


def normalize(query: Query) -> Query:
    """Simplify ``query`` the way Whoosh's ``Query.normalize()`` does: merge nested And/Or of the
    same kind (their boost moves onto the merged children), drop NullQuery and duplicate children,
    collapse single-child groups, empty groups and phrases to NullQuery, one-word phrases to Term,
    ``[a TO a]`` to Term.  Deliberate differences: an Every child makes an Or match everything but
    is simply dropped from an And (Whoosh turns ``a AND *`` into Every); overlapping ranges are not
    merged; boosts always multiply."""
    if type(query) in _AS_THEY_ARE:
        return query
    if isinstance(query, (And, Or)):
        return _normalize_group(query)
    if isinstance(query, Not):
        child = normalize(query.child)
        if child is query.child:
            return query
        return NullQuery() if isinstance(child, NullQuery) else Not(child, query.boost)
    if isinstance(query, AndNot):
        pos, neg = normalize(query.positive), normalize(query.negative)
        if isinstance(pos, NullQuery):
            return NullQuery()
        if isinstance(neg, NullQuery):
            return boosted(pos, query.boost)
        return AndNot(pos, neg, query.boost)
    if isinstance(query, AndMaybe):
        req, opt = normalize(query.required), normalize(query.optional)
        if isinstance(req, NullQuery):
            return boosted(opt, query.boost)
        if isinstance(opt, NullQuery):
            return boosted(req, query.boost)
        return AndMaybe(req, opt, query.boost)
    if isinstance(query, Phrase):
        if not query.words:
            return NullQuery()
        if len(query.words) == 1:
            return Term(query.field, query.words[0], query.boost)
        return query
    if isinstance(query, TermRange):
        if query.start is not None and query.start == query.end:
            if query.startexcl or query.endexcl:
                return NullQuery()
            return Term(query.field, query.start, query.boost)
        return query
    if isinstance(query, NullQuery):
        return NullQuery()
    return query


_AS_THEY_ARE = frozenset({Term, Prefix, Wildcard, Fuzzy, DateRange, Every})
"""Node types :func:`normalize` leaves as they are (the most common children of a group)."""


def _normalize_group(query: And | Or) -> Query:
    cls = type(query)
    subs: list[Query] = []
    for child in query.children:
        if type(child) not in _AS_THEY_ARE:
            child = normalize(child)
        if type(child) is cls:
            assert isinstance(child, (And, Or))
            subs.extend(boosted(c, child.boost) for c in child.children)
        else:
            subs.append(child)
    if isinstance(query, Or) and any(isinstance(s, Every) for s in subs):
        return Every()
    if isinstance(query, And) and not all(isinstance(s, (Every, NullQuery)) for s in subs):
        subs = [s for s in subs if not isinstance(s, Every)]
    seen: set[Any] = set()
    unique: list[Query] = []
    for s in subs:
        if not isinstance(s, NullQuery) and s not in seen:
            seen.add(s)
            unique.append(s)
    if not unique:
        return NullQuery()
    if len(unique) == 1:
        return boosted(unique[0], query.boost)
    return cls(tuple(unique), query.boost)


# -- nodes the searcher builds (never parsed) -----------------------------------------------------


@attrs.frozen(slots=True, cache_hash=True)
class BagOfWords:
    """Plain text scored as a weighted sum of its distinct terms (no syntax; for eval and MLT).

    ``langs`` overrides the search's languages (cross-lingual expansion scores a translation
    against the other language's documents only).
    """

    text: str
    field: str | None = None
    boost: float = 1.0
    langs: tuple[str, ...] | None = None


TextQuery = Union[Query, BagOfWords]  # noqa: UP007
"""What a search is asked: a parsed query tree, or plain text."""


@attrs.frozen(slots=True, cache_hash=True)
class InLanguage:
    """``query`` run in one language: its words analysed by that language's chain against that
    language's fields, and only documents of that language match (so a NOT or a filter of the
    query does not reach the documents of the other language). ``boost`` scales its scores."""

    query: TextQuery
    lang: str
    boost: float = 1.0


@attrs.frozen(slots=True, cache_hash=True)
class TermGroups:
    """Terms of one language in weighted groups (a plain-text query's translation, see
    :mod:`searchlib.search.fusion`): each group, the translations of one word of the query, is
    scored as one term (BM25F of their frequencies summed, the idf of any of them), times its
    weight; ``boost`` scales the sum. Only that language's fields are read."""

    lang: str
    groups: tuple[tuple[tuple[str, ...], float], ...]
    field: str | None = None
    boost: float = 1.0


@attrs.frozen(slots=True)
class Concepts:
    """The concepts of a plain-text query (its words, or the lexicon entries they form) in
    both its languages, for :attr:`CrossLingual.concepts`: per concept, its terms in the
    query's language, its term groups in the other one (none when it is not translated) and
    its weight (the idf of its terms in the query's language)."""

    src: str
    tgt: str
    field: str | None
    items: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...], float], ...]
    power: float = 1.0
    """A document's score is multiplied by the share of the concepts' weight it matches (in
    either language), to this power."""


@attrs.frozen(slots=True, cache_hash=True)
class CrossLingual:
    """A query plus its translation into the other language (a lower-weighted part).

    ``translation`` only matches documents of its own language, so a document matches when it
    matches ``query`` (in the query's language) or the translation (in the other one).
    """

    query: TextQuery | InLanguage
    translation: BagOfWords | InLanguage | TermGroups
    note: str = ""
    """How the translation was weighed (shown by :func:`~searchlib.search.execute.explain`)."""
    as_typed: BagOfWords | InLanguage | None = None
    """The query as typed, against the other language's documents, at the translation's weight:
    when the query's language was only detected, a document of the other language that the
    query matches as typed (a name, a word both languages write alike) and the translation
    misses keeps its match, so translating never loses a hit of the untranslated search."""
    concepts: Concepts | None = None
    """When given, each document's score is scaled by the share of the query's concepts it
    matches in its own language, the query's words or their translation
    (:mod:`searchlib.search.fusion`)."""


AnyQuery = Union[Query, BagOfWords, CrossLingual, InLanguage]  # noqa: UP007
"""Any query a search runs: a query tree, plain text, and the nodes translation wraps them in."""

Node = Union[AnyQuery, TermGroups]  # noqa: UP007
"""Any node evaluation meets (:class:`TermGroups` only as the translation of plain text)."""
