"""The query-string parser: turns Whoosh-style query text into a normalised query tree.

Syntax (Whoosh's default parser plus its PlusMinus and FuzzyTerm plugins, where they overlap)::

    coca  "coca growers"  "coca growers"~2  title:coca  title:"a b"  title:(a b)  (a b)^2
    a AND b  a OR b  NOT a  a ANDNOT b  a ANDMAYBE b  +required optional -banned
    erradic*  co?a  *ina  cocaine~  cocaine~2  cocaine~2/3  coca^2  "a b"^0.5  *  *:*
    date:[2011-01-01 TO 2012-12-31]  date:{2011 TO 2012-06]  date:[2011 TO]  date:2011-05
    author:[a TO m]

Operators are recognised only in upper case and with whitespace around them (NOT may also
follow a parenthesis or start the query); precedence, tightest first: NOT, AND, OR, ANDNOT,
ANDMAYBE, then juxtaposition (``default_op``).  As in Whoosh, ``+``/``-`` first move the next
unit (term, phrase, range or parenthesised group) into a required/banned part, then operators
apply within each part: ``+a b -c`` is ``AndNot(AndMaybe(a, b), c)``, ``-a OR b`` is
``AndNot(b, a)``; unlike Whoosh, ``NOT`` beside other clauses excludes as ``-`` does
(``a NOT b`` is ``AndNot(a, b)``) and exclusions alone match every document without them
(``-a`` is ``Not(a)``), see :func:`with_filters`.

Fields: names are case-insensitive (``Title:humala``), ``authors:`` and ``countries:`` are
accepted for ``author:`` and ``country:``, and an unknown ``name:value`` is a syntax error listing
the fields (Whoosh makes it a word; ``"foo:bar"`` in quotes still searches it as text; a colon
after digits, as in ``10:30``, or before a non-word character, as in ``http://``, is no field).
Clauses on the fields that describe a document rather than its text (:data:`FILTER_FIELDS`:
lang, kind, country, section, date, author, id) filter: side by side with other clauses they
restrict the group instead of being one more alternative (``coca country:peru`` is coca in
Peru documents); written with an explicit operator (``coca OR country:peru``) they keep its
meaning; see :func:`with_filters`. ``field:*`` on those fields means "has a value" (``coca
country:*`` is coca in documents with a country); Whoosh's ``Every(field)`` likewise.

Deliberately stricter than Whoosh, which silently turns these into words or drops them: an
unbalanced ``"``, ``(`` or ``)``, an unclosed or malformed range or one whose start is after its
end, an invalid date on a date field, a malformed boost (``a^x``, ``a^``, ``^2`` alone), a
malformed slop (``"a b"~``, ``"a b"~0``) or fuzzy suffix (``~x``), a known field with nothing
after it (``title:``).  Other deliberate differences from Whoosh: ``+``/``-`` work inside groups
(Whoosh fails) and only at the start of a clause (Whoosh splits ``al-Qaeda``); ``term~``
uses prefixlength 1 (Whoosh 0) and ``~N`` is capped at 2; phrase slop is counted from 0
(see :class:`~searchlib.search.query.Phrase`); single quotes are ordinary characters; exclusive
date bounds are kept (Whoosh drops them) and exclude the whole period of a partial date
(``{2011 TO`` starts after 2011-12-31); dates are only YYYY, YYYY-MM or YYYY-MM-DD; ranges may
be boosted, and so may fuzzy terms and one-word phrases (Whoosh loses those boosts); ``NOT NOT a``
nests (Whoosh fails); see also :func:`~searchlib.search.query.normalize`.  Dangling operators
(``a AND``, ``a OR -b``) are dropped as in Whoosh.  Limits: ``max_length`` characters,
64 clauses, 32 levels of nesting (parentheses, NOTs, field prefixes).  Text people type goes
through :func:`parse_lenient` instead: it never raises, reads syntax errors as words, and tells
its caller to read text over these limits as plain words (a pasted paragraph).
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
from typing import Literal, NoReturn

import attrs

from searchlib.errors import ArgumentError, QuerySyntaxError
from searchlib.schema import (
    DATE_FIELDS,
    FIELD_ALIASES,
    FILTER_FIELDS,
    INDEXED_TEXT_FIELDS,
    QUERY_FIELDS,
)
from searchlib.search.query import (
    And,
    AndMaybe,
    AndNot,
    AnyQuery,
    DateRange,
    Every,
    Fuzzy,
    Not,
    Or,
    Phrase,
    Prefix,
    Query,
    Term,
    TermRange,
    Wildcard,
    normalize,
)

__all__ = [
    "DATE_FIELDS",
    "DEFAULT_FIELDS",
    "FIELD_ALIASES",
    "FILTER_FIELDS",
    "MAX_CLAUSES",
    "MAX_DEPTH",
    "MAX_REPAIRS",
    "is_filter",
    "parse_lenient",
    "parse_query",
    "split_filters",
    "with_filters",
]

DEFAULT_FIELDS = frozenset(QUERY_FIELDS)
"""The field names ``name:`` may use by default (:data:`searchlib.schema.QUERY_FIELDS`)."""
MAX_CLAUSES = 64
MAX_DEPTH = 32  # parentheses, NOTs and field prefixes nested inside one another
MAX_SLOP = 1000

_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_WORD_STOP = frozenset('()"^')
_OPERAND_KINDS = frozenset({"word", "phrase", "range", "field", "("})
_BOOSTABLE = frozenset({"word", "phrase", "range", ")"})
_FIELD_RE = re.compile(r"(\w+):")
_FIELD_VALUE_RE = re.compile(r"[\w\"(\[{*?]")  # what may follow a field name and its colon
_NONSPACE_RE = re.compile(r"\S+")
_BOOST_RE = re.compile(r"\^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)")
_SLOP_RE = re.compile(r"~([0-9]+)")
_FUZZY_SPEC_RE = re.compile(r"([0-9]*)(?:/([0-9]+))?")
_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")


@attrs.frozen(slots=True)
class _Bound:
    text: str
    pos: int


@attrs.frozen(slots=True)
class _Token:
    """One lexical unit. kind: word, phrase, range, field, (, ), +, -, boost or an operator."""

    kind: str
    pos: int
    end: int
    text: str = ""  # word text, field name
    words: tuple[str, ...] = ()  # phrase
    slop: int = 0  # phrase (already converted to 0-based)
    boost: float = 1.0  # boost
    start: _Bound | None = None  # range
    stop: _Bound | None = None  # range
    startexcl: bool = False
    endexcl: bool = False


def parse_query(
    text: str,
    *,
    default_op: Literal["OR", "AND"] = "OR",
    fields: frozenset[str] | None = None,
    max_length: int = 1000,
) -> Query:
    """Parse ``text`` into a normalised query tree (see the module docstring for the syntax).

    Args:
        text: the query string.
        default_op: how clauses side by side combine ("OR" or "AND").
        fields: the field names ``name:`` may use (default: :data:`DEFAULT_FIELDS`).
        max_length: longest accepted query, in characters.

    Raises:
        QuerySyntaxError: naming the 0-based position of the problem.
    """
    if default_op not in ("OR", "AND"):
        raise ArgumentError(f"default_op must be 'OR' or 'AND', not {default_op!r}")
    if len(text) > max_length:
        raise QuerySyntaxError(
            text, max_length, f"query is too long ({len(text)} characters, limit {max_length})"
        )
    group = And if default_op == "AND" else Or
    words = _plain_words(text)
    if words is not None:  # words side by side, no syntax: what the parser would make
        leaves = [_LEAVES.get(w) or _plain_leaf(w) for w in words]
        if all(type(leaf) is Term for leaf in leaves):  # (most queries: normalize's answer)
            unique = list(dict.fromkeys(leaves))  # (the first of each, in order)
            return unique[0] if len(unique) == 1 else group(tuple(unique))
        return normalize(group(leaves))
    parser = _Parser(text, group, fields or DEFAULT_FIELDS)
    return normalize(parser.parse())


def _plain_leaf(word: str) -> Query:
    """:func:`_word_leaf` of a word of the text fields, kept per word (:data:`_LEAVES`)."""
    if len(_LEAVES) >= _TERMS_SIZE:
        _LEAVES.clear()
    leaf = _LEAVES[word] = _word_leaf(None, word)
    return leaf


_LEAVES: dict[str, Query] = {}
"""word -> its leaf on the text fields (:func:`_word_leaf`; the nodes are immutable)."""

_SYNTAX_CHARS = re.compile(r'["()\[\]{}^~:]')


def _plain_words(text: str) -> list[str] | None:
    """The words of ``text`` when it is words side by side and nothing else (no syntax
    character, operator, sign or field; at most :data:`MAX_CLAUSES`), else None. Such text
    parses to its words' leaves in the default group, so the parser is skipped."""
    if _SYNTAX_CHARS.search(text):
        return None
    words = text.split()
    if not words or len(words) > MAX_CLAUSES:
        return None
    for w in words:
        if w[0] in "+-" or w in _OPERATORS:
            return None
    return words


def _word_leaf(field: str | None, word: str) -> Query:
    """A word's leaf on a text field: a prefix (``word*``), a wildcard (``*``/``?`` inside),
    else a term (a lone ``*`` matches everything).

    In text, ``?`` at the end of a word is a question's mark, not a wildcard: ``Humala?`` is
    the word Humala and a lone ``?`` (``relieve Saint-Pierre ?``) is punctuation, which
    matches no term; ``?`` with more of the word after it (``colo?r``, ``?olor``) stands for
    one character, as it does anywhere in a column's value (``id:e1?``)."""
    if word.endswith("?") and (field is None or field in INDEXED_TEXT_FIELDS):
        word = word.rstrip("?")
        if not word:
            return Term(field, "?")  # punctuation: analysed to no term, a clause that adds nothing
    if word == "*" and field is None:
        return Every()
    if "*" in word or "?" in word:
        if len(word) > 1 and word.find("*") == len(word) - 1 and "?" not in word:
            return Prefix(field, word[:-1])
        return Wildcard(field, word)
    key = (field, word)
    term = _TERMS.get(key)
    if term is None:
        if len(_TERMS) >= _TERMS_SIZE:
            _TERMS.clear()
        term = _TERMS[key] = Term(field, word)
    return term


_TERMS: dict[tuple[str | None, str], Term] = {}
"""(field, word) -> its Term, made once: a query's words are the same (immutable) nodes from
one search to the next, so the snapshot's tables keyed by a word find it by identity, without
comparing it field by field."""
_TERMS_SIZE = 50_000


MAX_REPAIRS = 16
"""Syntax errors :func:`parse_lenient` reads as words before it reads the whole text so."""

_SPECIAL = '"()[]{}^~:*?'
_OVER_LIMIT = ("query is too long", "too many clauses", "query nested too deeply")


def parse_lenient(
    text: str,
    *,
    default_op: Literal["OR", "AND"] = "OR",
    fields: frozenset[str] | None = None,
    max_length: int = 1000,
) -> tuple[Query | None, tuple[str, ...]]:
    """Syntax where it parses, words otherwise: what a search box needs for what people type.

    Never raises :class:`QuerySyntaxError`. Each syntax error is repaired by reading the
    character it names (an unbalanced ``"`` or ``(``, a stray ``^`` or ``~``, an unclosed
    ``[``), or the syntax characters of the word it names, as a space, and the query is parsed
    again (at most :data:`MAX_REPAIRS` times). A query over the parser's limits (length,
    clauses, nesting) or past repair gives ``None``: the caller reads the whole text as plain
    words (see ``syntax="plain"`` in :meth:`~searchlib.search.Searcher.search`).

    Returns:
        The query tree (or None) and one short note per repair, for the results' warnings.
    """
    notes: list[str] = []
    current = text
    for _ in range(MAX_REPAIRS + 1):
        try:
            return (
                parse_query(current, default_op=default_op, fields=fields, max_length=max_length),
                tuple(notes),
            )
        except QuerySyntaxError as exc:
            if exc.reason.startswith(_OVER_LIMIT):
                notes.append(f"{_short(exc.reason)}: read as plain words")
                return None, tuple(notes)
            repaired = _repair(current, exc.position)
            if repaired == current:
                break
            notes.append(f"position {exc.position}: {_short(exc.reason)}: read as words")
            current = repaired
    notes.append("syntax errors past repair: read as plain words")
    return None, tuple(notes)


def _short(reason: str, limit: int = 100) -> str:
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def _repair(text: str, pos: int) -> str:
    """``text`` with the syntax at ``pos`` read as a space: the character there when it is a
    syntax character, else the syntax characters of the word holding ``pos``."""
    if pos >= len(text):
        return text
    if text[pos] in _SPECIAL:
        return text[:pos] + " " + text[pos + 1 :]
    start = pos
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = pos
    while end < len(text) and not text[end].isspace():
        end += 1
    word = "".join(" " if c in _SPECIAL else c for c in text[start:end])
    return text[:start] + word + text[end:]


class _Parser:
    def __init__(self, text: str, group: type[And] | type[Or], fields: frozenset[str]) -> None:
        self.text = text
        self.group = group
        self.fields = fields
        self.clauses = 0
        self.i = 0
        self.tokens = self._tokenize()

    def fail(self, pos: int, reason: str) -> NoReturn:
        raise QuerySyntaxError(self.text, pos, reason)

    # -- tokenizer --------------------------------------------------------------------------

    def _tokenize(self) -> list[_Token]:
        text, n, pos = self.text, len(self.text), 0
        tokens: list[_Token] = []
        while pos < n:
            c = text[pos]
            if c.isspace():
                pos += 1
                continue
            clause_start = pos == 0 or text[pos - 1].isspace() or text[pos - 1] == "("
            if c in "()" or (c in "+-" and clause_start):
                tok = _Token(c, pos, pos + 1)
            elif c == '"':
                tok = self._phrase(pos)
            elif c in "[{":
                tok = self._range(pos)
            elif c == "^":
                tok = self._boost(pos, tokens)
            else:
                tok = self._word(pos)
            tokens.append(tok)
            pos = tok.end
        return tokens

    def _phrase(self, pos: int) -> _Token:
        close = self.text.find('"', pos + 1)
        if close < 0:
            self.fail(pos, 'unbalanced quote: this " is never closed')
        words = tuple(self.text[pos + 1 : close].split())
        end, slop = close + 1, 0
        if self.text.startswith("~", end):
            m = _SLOP_RE.match(self.text, end)
            if not m or len(m.group(1)) > 4 or not 1 <= int(m.group(1)) <= MAX_SLOP:
                self.fail(end, f"bad phrase slop: expected ~N with N from 1 to {MAX_SLOP}")
            end, slop = m.end(), int(m.group(1)) - 1
        return _Token("phrase", pos, end, words=words, slop=slop)

    def _range(self, pos: int) -> _Token:
        close = min(
            (i for i in (self.text.find("]", pos), self.text.find("}", pos)) if i >= 0), default=-1
        )
        if close < 0:
            self.fail(pos, f"bad range: this {self.text[pos]} is never closed by ] or }}")
        found = _NONSPACE_RE.finditer(self.text, pos + 1, close)
        parts = [_Bound(m.group(), m.start()) for m in found]
        is_to = [p.text.upper() == "TO" for p in parts]
        start = stop = None
        if len(parts) == 3 and is_to[1]:
            start, stop = parts[0], parts[2]
        elif len(parts) == 2 and is_to[0]:
            stop = parts[1]
        elif len(parts) == 2 and is_to[1]:
            start = parts[0]
        else:
            self.fail(pos, "bad range: expected [start TO end], [start TO] or [TO end]")
        return _Token(
            "range",
            pos,
            close + 1,
            start=start,
            stop=stop,
            startexcl=self.text[pos] == "{",
            endexcl=self.text[close] == "}",
        )

    def _boost(self, pos: int, tokens: list[_Token]) -> _Token:
        if not tokens or tokens[-1].end != pos or tokens[-1].kind not in _BOOSTABLE:
            self.fail(pos, "bad boost: ^ must directly follow a term, phrase, range or group")
        m = _BOOST_RE.match(self.text, pos)
        end = m.end() if m else pos
        if not m or (
            end < len(self.text) and not self.text[end].isspace() and self.text[end] != ")"
        ):
            self.fail(pos, "bad boost: expected a number such as ^2 or ^0.5")
        value = float(m.group(1))
        if not math.isfinite(value):
            self.fail(pos, "bad boost: number too large")
        return _Token("boost", pos, end, boost=value)

    def _word(self, pos: int) -> _Token:
        text, n = self.text, len(self.text)
        m = _FIELD_RE.match(text, pos)
        if m:
            name = self._field_name(m.group(1))
            if name is not None:
                if m.end() == n or text[m.end()].isspace() or text[m.end()] == ")":
                    self.fail(pos, f"empty field value: nothing after {m.group()}")
                return _Token("field", pos, m.end(), text=name)
            if _FIELD_VALUE_RE.match(text, m.end()) and not m.group(1)[0].isdigit():
                known = ", ".join(sorted(self.fields))
                self.fail(
                    pos,
                    f"unknown field {m.group(1)!r} (fields: {known}; "
                    f'quote "{m.group()}..." to search it as text)',
                )
        end = pos
        while end < n and not text[end].isspace() and text[end] not in _WORD_STOP:
            end += 1
        word = text[pos:end]
        if word in _OPERATORS:
            before = text[pos - 1] if pos else ""
            after_ws = end < n and text[end].isspace()
            if word == "NOT":
                if after_ws and (not before or before.isspace() or before in "()"):
                    return _Token(word, pos, end)
            elif after_ws and before.isspace():
                return _Token(word, pos, end)
        return _Token("word", pos, end, text=word)

    def _field_name(self, name: str) -> str | None:
        """The field ``name:`` refers to (any case; aliases allowed), or None if unknown."""
        name = name.lower()
        name = FIELD_ALIASES.get(name, name)
        return name if name in self.fields else None

    # -- parser -----------------------------------------------------------------------------

    def parse(self) -> Query:
        return self._group(None, 0, None)

    def _peek(self, offset: int = 0) -> _Token | None:
        i = self.i + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def _operand_at(self, offset: int) -> bool:
        """Whether the tokens from ``offset`` start an operand (NOTs followed by one count)."""
        tok = self._peek(offset)
        while tok is not None and tok.kind == "NOT":
            offset += 1
            tok = self._peek(offset)
        return tok is not None and tok.kind in _OPERAND_KINDS

    def _group(self, field: str | None, depth: int, open_pos: int | None) -> Query:
        """Parse up to the closing parenthesis (or the end).  As in Whoosh, ``+``/``-`` first
        move the next unit into the required/banned part; operators then apply within parts."""
        parts: dict[str, list[_Token]] = {"": [], "+": [], "-": []}
        sign = ""
        while True:
            tok = self._peek()
            if tok is None:
                if open_pos is not None:
                    self.fail(open_pos, "unbalanced parenthesis: this ( is never closed")
                break
            if tok.kind == ")":
                if open_pos is None:
                    self.fail(tok.pos, "unbalanced parenthesis: ) without a matching (")
                self.i += 1
                break
            if tok.kind in "+-":
                sign = tok.kind
                self.i += 1
                continue
            start = self._skip_unit()
            parts[sign].extend(self.tokens[start : self.i])
            sign = ""
        saved = self.tokens, self.i
        optional = self._items(parts[""], field, depth)
        required = self._items(parts["+"], field, depth)
        banned = self._items(parts["-"], field, depth)
        self.tokens, self.i = saved
        return with_filters(optional, required, banned, self.group)

    def _skip_unit(self) -> int:
        """Move past one unit (field prefixes, then a word, phrase, range or parenthesised group,
        with its boost; or a single operator) and return where it started."""
        start = self.i
        while self.tokens[self.i].kind == "field":
            self.i += 1
        opened: list[int] = []
        while True:
            tok = self._peek()
            if tok is None:
                self.fail(opened[-1], "unbalanced parenthesis: this ( is never closed")
            self.i += 1
            if tok.kind == "(":
                opened.append(tok.pos)
            elif tok.kind == ")":
                opened.pop()
            if not opened:
                break
        if self._peek() is not None and self.tokens[self.i].kind == "boost":
            self.i += 1
        return start

    def _items(self, tokens: list[_Token], field: str | None, depth: int) -> list[Query]:
        """Parse ``tokens`` (balanced) as clauses side by side, dropping dangling operators."""
        self.tokens, self.i = tokens, 0
        items: list[Query] = []
        while self.i < len(tokens):
            if self._operand_at(0):
                items.append(self._andmaybe(field, depth))
            else:  # an operator with nothing usable after it: dropped, as Whoosh does
                self.i += 1
        return items

    def _binop(self, kind: str) -> bool:
        """Consume an operator of ``kind`` if next; True when an operand follows it."""
        tok = self._peek()
        if tok is None or tok.kind != kind:
            return False
        self.i += 1
        return self._operand_at(0)

    def _andmaybe(self, field: str | None, depth: int) -> Query:
        left = self._andnot(field, depth)
        while self._binop("ANDMAYBE"):
            left = AndMaybe(left, self._andnot(field, depth))
        return left

    def _andnot(self, field: str | None, depth: int) -> Query:
        left = self._or(field, depth)
        while self._binop("ANDNOT"):
            left = AndNot(left, self._or(field, depth))
        return left

    def _or(self, field: str | None, depth: int) -> Query:
        parts = [self._and(field, depth)]
        while self._binop("OR"):
            parts.append(self._and(field, depth))
        return parts[0] if len(parts) == 1 else Or(parts)

    def _and(self, field: str | None, depth: int) -> Query:
        parts = [self._not(field, depth)]
        while self._binop("AND"):
            parts.append(self._not(field, depth))
        return parts[0] if len(parts) == 1 else And(parts)

    def _not(self, field: str | None, depth: int) -> Query:
        nots = 0
        while (tok := self._peek()) is not None and tok.kind == "NOT":
            nots += 1
            if depth + nots > MAX_DEPTH:
                self.fail(tok.pos, f"query nested too deeply (more than {MAX_DEPTH} levels)")
            self.i += 1
        q = self._unary(field, depth + nots)
        for _ in range(nots):
            q = Not(q)
        return q

    def _unary(self, field: str | None, depth: int) -> Query:
        tok = self.tokens[self.i]
        self.i += 1
        if tok.kind in ("field", "("):
            if depth + 1 > MAX_DEPTH:
                self.fail(tok.pos, f"query nested too deeply (more than {MAX_DEPTH} levels)")
            if tok.kind == "field":
                return self._unary(tok.text, depth + 1)
            q: Query = self._group(field, depth + 1, tok.pos)
            boost = self._take_boost()
            return q if boost is None else self.group((q,), boost)
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            self.fail(tok.pos, f"too many clauses (more than {MAX_CLAUSES})")
        if tok.kind == "phrase":
            if field in DATE_FIELDS:
                self.fail(tok.pos, f"the {field} field takes dates, not phrases")
            q = Phrase(field, tok.words, tok.slop)
        elif tok.kind == "range":
            q = self._make_range(field, tok)
        else:
            q = self._make_word(field, tok.text, tok.pos)
        boost = self._take_boost()
        return q if boost is None else attrs.evolve(q, boost=boost)

    def _take_boost(self) -> float | None:
        tok = self._peek()
        if tok is None or tok.kind != "boost":
            return None
        self.i += 1
        return tok.boost

    # -- leaves -----------------------------------------------------------------------------

    def _make_word(self, field: str | None, word: str, pos: int) -> Query:
        if word in ("*", "*:*"):
            # On a column field, "has a value" (a filter); Whoosh's Every(field) likewise.
            if field in DATE_FIELDS:
                return DateRange(field, None, None)
            if field in FILTER_FIELDS:
                return Wildcard(field, "*")
            return Every()
        if field in DATE_FIELDS:
            first, last = self._period(word, pos)
            return DateRange(field, first, last)
        if "~" in word:
            cut = word.index("~")
            base, m = word[:cut], _FUZZY_SPEC_RE.fullmatch(word, cut + 1)
            if not base or not m or len(word) - cut > 12:
                self.fail(pos + cut, "bad fuzzy term: expected term~, term~N or term~N/M")
            if "*" in base or "?" in base:
                self.fail(pos, "a fuzzy term cannot contain the wildcards * or ?")
            maxdist = min(int(m.group(1)), 2) if m.group(1) else 1
            prefixlength = int(m.group(2)) if m.group(2) else 1
            return Fuzzy(field, base, maxdist, prefixlength)
        return _word_leaf(field, word)

    def _make_range(self, field: str | None, tok: _Token) -> Query:
        start, stop = tok.start, tok.stop
        if field not in DATE_FIELDS:
            return TermRange(
                field,
                None if start is None else start.text,
                None if stop is None else stop.text,
                tok.startexcl,
                tok.endexcl,
            )
        assert field is not None
        first = last = None
        if start is not None:  # an exclusive partial date excludes its whole period
            first = self._period(start.text, start.pos)[1 if tok.startexcl else 0]
        if stop is not None:
            last = self._period(stop.text, stop.pos)[0 if tok.endexcl else 1]
        if start is not None and stop is not None:
            if self._period(start.text, start.pos)[0] > self._period(stop.text, stop.pos)[1]:
                self.fail(tok.pos, "bad range: the start date is after the end date")
        return DateRange(field, first, last, tok.startexcl, tok.endexcl)

    def _period(self, text: str, pos: int) -> tuple[datetime.date, datetime.date]:
        """First and last day of the YYYY, YYYY-MM or YYYY-MM-DD written at ``pos``."""
        m = _DATE_RE.fullmatch(text)
        if not m:
            self.fail(pos, f"bad date {text!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = m.groups()
        try:
            if month is None:
                return datetime.date(int(year), 1, 1), datetime.date(int(year), 12, 31)
            if day is None:
                days = calendar.monthrange(int(year), int(month))[1]
                return (
                    datetime.date(int(year), int(month), 1),
                    datetime.date(int(year), int(month), days),
                )
            one = datetime.date(int(year), int(month), int(day))
            return one, one
        except ValueError:
            self.fail(pos, f"bad date {text!r}: no such day")


def is_filter(q: Query) -> bool:
    """Whether ``q`` only says which documents qualify by their columns (language, kind,
    country, section, date, author, id): a leaf on a :data:`FILTER_FIELDS` field, a date range,
    or NOT / AND / OR / ANDNOT of such clauses."""
    if isinstance(q, DateRange):
        return True
    if isinstance(q, (Term, Phrase, Prefix, Wildcard, Fuzzy, TermRange)):
        return q.field in FILTER_FIELDS
    if isinstance(q, Not):
        return is_filter(q.child)
    if isinstance(q, AndNot):
        return is_filter(q.positive) and is_filter(q.negative)
    if isinstance(q, (And, Or)):
        return bool(q.children) and all(is_filter(c) for c in q.children)
    return False


def split_filters(q: AnyQuery) -> tuple[AnyQuery, Query | None]:
    """A query's text part and its filter clauses (:func:`is_filter`) apart: ``government
    country:peru`` is ``government`` restricted to Peru documents, ranked as ``government``
    is (a filter changes no score, as ``country=`` does not), however the text part is
    translated (plain words are translated word by word, a tree node by node). Splits the
    clauses an AND holds beside text (``with_filters`` makes them), under the positive side
    of an exclusion; the query itself and None otherwise."""
    return _split_filters(q) if isinstance(q, (And, AndNot)) else (q, None)


def _split_filters(q: Query) -> tuple[Query, Query | None]:
    if isinstance(q, AndNot) and q.boost == 1:
        positive, where = _split_filters(q.positive)
        return (q, None) if where is None else (AndNot(positive, q.negative), where)
    if type(q) is not And or q.boost != 1:
        return q, None
    text = [c for c in q.children if not is_filter(c)]
    clauses = [c for c in q.children if is_filter(c)]
    if not text or not clauses:
        return q, None
    return (text[0] if len(text) == 1 else And(text)), (
        clauses[0] if len(clauses) == 1 else And(clauses)
    )


def with_filters(
    optional: list[Query],
    required: list[Query],
    banned: list[Query],
    group: type[And] | type[Or] = Or,
) -> Query:
    """One group of clauses side by side: ``optional`` combined by ``group`` (the default
    operator), ``required`` (``+``) and ``banned`` (``-``) as in Whoosh, except that filter
    clauses (:func:`is_filter`) restrict the whole group instead of being one more alternative.

    ``coca country:peru`` is coca in Peru documents, and so is ``coca +country:peru`` (a
    required filter does not make the words optional). Filters on the same field side by side
    are alternatives among themselves (``country:peru country:bolivia`` is either country);
    filters on different fields all apply, as do negated ones. An explicit operator keeps its
    meaning: ``coca OR country:peru`` is one clause, an OR, not a filter.

    ``NOT`` side by side with other clauses excludes, as ``-`` does (Lucene's reading; Whoosh's
    OR group makes ``peru NOT coca`` "peru, or anything without coca", which ranks coca
    documents first): under the OR default a bare ``NOT x`` clause joins ``banned``. A group
    with only excluded clauses (``-coca``, ``-lang:es``, ``NOT a NOT b``) matches every document
    without them, as ``NOT coca`` does (Whoosh and Lucene match nothing for ``-coca``).
    """
    if group is Or:
        nots = [q for q in optional if isinstance(q, Not) and not is_filter(q)]
        if nots:
            optional = [q for q in optional if not any(q is n for n in nots)]
            banned = [*banned, *(n.child for n in nots)]
    if banned and not optional and not required:
        return Not(banned[0] if len(banned) == 1 else Or(banned))
    same_field: dict[str, list[Query]] = {}
    filters: list[Query] = []
    for q in optional:
        if not is_filter(q):
            continue
        if isinstance(q, (Term, Phrase, Prefix, Wildcard, Fuzzy, TermRange, DateRange)):
            same_field.setdefault(str(q.field), []).append(q)
        else:
            filters.append(q)
    filters = [group(qs) for qs in same_field.values()] + filters
    filters += [q for q in required if is_filter(q)]
    optional = [q for q in optional if not is_filter(q)]
    required = [q for q in required if not is_filter(q)]
    result: Query = group(optional)
    if required:
        result = AndMaybe(And(required), result) if optional else And(required)
    if filters:
        result = And([result, *filters]) if optional or required else And(filters)
    if banned:
        result = AndNot(result, Or(banned))
    return result
