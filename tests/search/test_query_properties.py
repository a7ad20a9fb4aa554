"""Properties of query meaning over generated queries (issue 13's test family).

Queries are generated as small trees of corpus words, phrases cut from the documents, title:
words and filter clauses (country, lang, kind, author, date), combined by juxtaposition with
``+``/``-``, parentheses, AND, OR and NOT, then written out as query text. A naive matcher,
written here independently of the engine, decides from each document's own text and columns
whether it satisfies the tree, with the analyzer's public ``terms`` used only to match words.

- every hit satisfies the query, and every document that satisfies it is a hit, with and without
  cross-lingual expansion (the translation matched by the matcher through the public lexicon);
- adding an AND / ``+`` clause never adds hits;
- adding a filter clause never changes the order (or scores) of the remaining hits;
- cross-lingual expansion keeps every hit of the search without it (queries without exclusions).

The fixture corpus is built in (tests/search/meaning_corpus.py); the same properties also run
over a sample of the shared InSight Crime crawl and Spanish news when ../shared is present.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meaning_corpus import DOCS, Doc, build
from shared_paths import CORPORA

import searchlib
from searchlib.analysis import fold_accents, get_analyzer, load_lexicon
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.api import Index
from searchlib.records import Brief

Node = tuple[Any, ...]
"""("word", field|None, w) ("phrase", words) ("filter", field, value) ("group", [(sign, node)])
("and", [nodes]) ("or", [nodes]) ("not", node)."""

# -- the naive matcher ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=100_000)
def _terms(lang: str, text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    terms, positions = get_analyzer(lang).terms(text)
    return tuple(terms), tuple(positions)


@functools.lru_cache(maxsize=10_000)
def _positions(lang: str, text: str) -> dict[int, str]:
    terms, positions = _terms(lang, text)
    return dict(zip(positions, terms, strict=True))


def has_text(doc: Doc, text: str, fields: Iterable[str]) -> bool:
    """``text`` (a word or several, in order, at the same distances) is in one of the fields."""
    terms, positions = _terms(doc.lang, text)
    if not terms:
        return False
    rel = [p - positions[0] for p in positions]
    for f in fields:
        at = _positions(doc.lang, getattr(doc, f))
        for start, term in at.items():
            if term == terms[0] and all(
                at.get(start + r) == t for r, t in zip(rel[1:], terms[1:], strict=True)
            ):
                return True
    return False


def _fold(value: str) -> str:
    return fold_accents(value).casefold()


def filter_holds(doc: Doc, field: str, value: str) -> bool:
    if field == "country":
        return _fold(value) in {_fold(c) for c in doc.countries}
    if field == "lang":
        return doc.lang == value.casefold()
    if field == "kind":
        return doc.kind == value.casefold()
    if field == "date":
        return doc.date is not None and doc.date.year == int(value)
    if field == "author":
        (term,) = _terms(doc.lang, value)[0]
        return any(term in _terms(doc.lang, name)[0] for name in doc.authors)
    raise AssertionError(field)


def is_filter(n: Node) -> bool:
    kind = n[0]
    if kind == "filter":
        return True
    if kind == "not":
        return is_filter(n[1])
    if kind in ("and", "or"):
        return all(is_filter(c) for c in n[1])
    if kind == "group":
        return all(is_filter(c) for _, c in n[1])
    return False


def excluded(n: Node) -> Node | None:
    """What clause ``n``, unsigned beside others, excludes: ``NOT x`` excludes x as ``-x`` does,
    and so does a group with only excluded clauses (it means "without them"); None for a clause
    that is no exclusion. Filters stay filters (a negated filter restricts the group)."""
    if is_filter(n):
        return None
    if n[0] == "not":
        return n[1]
    if n[0] == "group":
        optional, required, banned = _parts(n[1])
        if banned and not optional and not required:
            return ("or", banned)
    return None


def _parts(items: list[tuple[str, Node]]) -> tuple[list[Node], list[Node], list[Node]]:
    """A group's unsigned, required and banned clauses, an unsigned exclusion among the banned."""
    optional: list[Node] = []
    banned = [c for s, c in items if s == "-"]
    for s, c in items:
        if s == "":
            gone = excluded(c)
            if gone is None:
                optional.append(c)
            else:
                banned.append(gone)
    return optional, [c for s, c in items if s == "+"], banned


def matches(n: Node, doc: Doc, src: str | None) -> bool:
    """Whether ``doc`` satisfies query tree ``n``. ``src``: the query's language when it is
    translated; a document of the other language then matches a word or phrase through any of
    its lexicon translations as well."""
    kind = n[0]
    if kind in ("word", "phrase"):
        field = n[1] if kind == "word" else None
        text = n[2] if kind == "word" else " ".join(n[1])
        fields = (field,) if field else ("title", "body")
        alternatives = [text]
        if src is not None and doc.lang != src:
            alternatives += load_lexicon().lookup(text, src)
        return any(has_text(doc, a, fields) for a in alternatives)
    if kind == "filter":
        return filter_holds(doc, n[1], n[2])
    if kind == "and":
        return all(matches(c, doc, src) for c in n[1])
    if kind == "or":
        return any(matches(c, doc, src) for c in n[1])
    if kind == "not":
        return not matches(n[1], doc, src)
    assert kind == "group"
    items: list[tuple[str, Node]] = n[1]
    unsigned, signed, banned = _parts(items)
    if banned and not unsigned and not signed:  # only exclusions: every document without them
        return not any(matches(c, doc, src) for c in banned)
    optional = [c for c in unsigned if not is_filter(c)]
    required = [c for c in signed if not is_filter(c)]
    filters = [("", c) for c in unsigned if is_filter(c)]
    filters += [("+", c) for c in signed if is_filter(c)]
    if required:
        ok = all(matches(c, doc, src) for c in required)
    elif optional:
        ok = any(matches(c, doc, src) for c in optional)
    else:
        ok = bool(filters)
    # Filters: those on one field side by side (no sign) are alternatives; the rest all hold.
    same_field: dict[str, list[Node]] = {}
    for s, c in filters:
        if s == "" and c[0] == "filter":
            same_field.setdefault(c[1], []).append(c)
        else:
            ok = ok and matches(c, doc, src)
    ok = ok and all(any(matches(c, doc, src) for c in cs) for cs in same_field.values())
    return ok and not any(matches(c, doc, src) for c in banned)


def expected(docs: dict[str, Doc], n: Node, src: str | None) -> set[str]:
    return {d.id for d in docs.values() if matches(n, d, src)}


# -- writing a tree as query text ------------------------------------------------------------------


def render(n: Node, top: bool = False) -> str:
    kind = n[0]
    if kind == "word":
        return f"{n[1]}:{n[2]}" if n[1] else n[2]
    if kind == "phrase":
        return '"' + " ".join(n[1]) + '"'
    if kind == "filter":
        return f"{n[1]}:{n[2]}"
    if kind == "not":
        return f"NOT {render(n[1])}"
    if kind in ("and", "or"):
        return "(" + f" {kind.upper()} ".join(render(c) for c in n[1]) + ")"
    text = " ".join(s + (f"({render(c)})" if s and c[0] == "not" else render(c)) for s, c in n[1])
    return text if top else f"({text})"


# -- vocabulary ----------------------------------------------------------------------------------


def _multiword_entry_words() -> set[str]:
    """Normalized words and stems of the multi-word lexicon entries: words side by side that form
    an entry also match the entry's translation, a rule this matcher leaves out, so generated
    words never form one."""
    out: set[str] = set()
    data = resources.files("searchlib.analysis").joinpath("data")
    for entry in data.iterdir():
        if not entry.name.startswith("lexicon_"):
            continue
        for line in entry.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or "\t" not in line:
                continue
            for lang, side in zip(("en", "es"), line.split("\t"), strict=True):
                words = TOKEN_RE.findall(side)
                if len(words) > 1:
                    a = get_analyzer(lang)
                    out.update(a.normalize(w) for w in words)
                    out.update(a.term(w) for w in words)
    return out


def vocabulary(docs: dict[str, Doc], limit: int = 400) -> tuple[list[str], list[tuple[str, ...]]]:
    """Words (one term in both chains, in no multi-word entry) and 2-3 word phrases of the docs."""
    en, es = get_analyzer("en"), get_analyzer("es")
    banned = _multiword_entry_words()
    words: dict[str, None] = {}
    phrases: dict[tuple[str, ...], None] = {}
    for d in docs.values():
        for text in (d.title, d.body):
            tokens = TOKEN_RE.findall(text)
            for w in tokens:
                if (
                    re.fullmatch(r"[^\W\d_]{3,}", w)
                    and len(en.terms(w)[0]) == len(es.terms(w)[0]) == 1
                    and not {en.normalize(w), es.normalize(w), en.term(w), es.term(w)} & banned
                ):
                    words.setdefault(w)
            for size in (2, 3):
                for i in range(0, len(tokens) - size + 1, 2):
                    gram = tuple(tokens[i : i + size])
                    if len(get_analyzer(d.lang).terms(" ".join(gram))[0]) >= 2:
                        phrases.setdefault(gram)
    return list(words)[:limit], list(phrases)[:limit]


def filter_values(docs: dict[str, Doc]) -> list[tuple[str, str]]:
    out: set[tuple[str, str]] = {("lang", "en"), ("lang", "es")}
    for d in docs.values():
        out.update(("country", c.lower()) for c in d.countries if re.fullmatch(r"\w+", c))
        out.add(("kind", d.kind))
        if d.date is not None:
            out.add(("date", str(d.date.year)))
        for name in d.authors:
            out.update(("author", w.lower()) for w in TOKEN_RE.findall(name) if len(w) > 2)
    return sorted(out)


class _Pool:
    """Picks a value by number; a short repr (hypothesis prints strategies in its reports)."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __call__(self, i: int) -> Any:
        return self.items[i]

    def __repr__(self) -> str:
        return f"<one of {len(self.items)} values>"


def queries(docs: dict[str, Doc], positive: bool = False) -> st.SearchStrategy[Node]:
    """Query trees over the docs' vocabulary; ``positive``: without NOT or ``-``."""
    words, phrases = vocabulary(docs)
    values = filter_values(docs)

    def pick(items: list[Any]) -> st.SearchStrategy[Any]:
        return st.integers(0, len(items) - 1).map(_Pool(items))

    leaf = st.one_of(
        pick(words).map(lambda w: ("word", None, w)),
        pick(words).map(lambda w: ("word", "title", w)),
        pick(phrases).map(lambda p: ("phrase", p)),
        pick(values).map(lambda fv: ("filter", *fv)),
    )
    signs = st.sampled_from(["", "+"] if positive else ["", "", "+", "-"])

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        options = [
            st.lists(st.tuples(signs, children), min_size=1, max_size=4)
            .filter(lambda items: any(s != "-" for s, _ in items))
            .map(lambda items: ("group", items)),
            st.lists(children, min_size=2, max_size=3).map(lambda cs: ("and", cs)),
            st.lists(children, min_size=2, max_size=3).map(lambda cs: ("or", cs)),
        ]
        if not positive:
            options.append(children.map(lambda c: ("not", c)))
        return st.one_of(options)

    tree = st.recursive(leaf, extend, max_leaves=7)
    return (
        st.lists(st.tuples(signs, tree), min_size=1, max_size=4)
        .filter(lambda items: any(s != "-" for s, _ in items))
        .map(lambda items: ("group", items))
    )


# -- the searches --------------------------------------------------------------------------------


def hits(index: Index, query: str, **kwargs: Any) -> list[tuple[str, float]]:
    results = index.search(query, limit=10_000, snippets=False, **kwargs)
    assert results.total == len(results.hits)
    return [(h.id, h.score) for h in results]


def ids(index: Index, query: str, **kwargs: Any) -> set[str]:
    return {doc_id for doc_id, _ in hits(index, query, **kwargs)}


def used_fields(n: Node) -> set[str]:
    if n[0] == "filter":
        return {n[1]}
    if n[0] in ("and", "or"):
        return set().union(*(used_fields(c) for c in n[1]))
    if n[0] == "group":
        return set().union(*(used_fields(c) for _, c in n[1]))
    if n[0] == "not":
        return used_fields(n[1])
    return set()


class Family:
    """The properties, over one corpus and its index."""

    def __init__(self, docs: dict[str, Doc], index: Index) -> None:
        self.docs = docs
        self.index = index
        self.values = filter_values(docs)

    def exact(self, n: Node, src: str | None) -> None:
        query = render(n, top=True)
        if src is None:
            got = ids(self.index, query, cross_lingual=False)
        else:
            got = ids(self.index, query, lang=src, cross_lingual=True)
        want = expected(self.docs, n, src)
        assert got == want, (query, src, sorted(got - want), sorted(want - got))

    def and_never_adds(self, n: Node, clause: Node, src: str | None) -> None:
        query, extra = render(n, top=True), render(clause)
        kwargs: dict[str, Any] = (
            {"cross_lingual": False} if src is None else {"lang": src, "cross_lingual": True}
        )
        before = ids(self.index, query, **kwargs)
        anded = ids(self.index, f"({query}) AND {extra}", **kwargs)
        assert anded <= before, (query, extra, sorted(anded - before))
        assert ids(self.index, f"+({query}) +{extra}", **kwargs) == anded, (query, extra)

    def filter_keeps_order(self, n: Node, field_value: tuple[str, str]) -> None:
        field, value = field_value
        query = render(n, top=True)
        before = hits(self.index, query)
        after = hits(self.index, f"{query} {field}:{value}")
        kept = [(d, s) for d, s in before if filter_holds(self.docs[d], field, value)]
        assert after == kept, (query, field, value)

    def cross_keeps_hits(self, n: Node) -> None:
        query = render(n, top=True)
        plain = ids(self.index, query, cross_lingual=False)
        crossed = ids(self.index, query)
        assert plain <= crossed, (query, sorted(plain - crossed))


@pytest.fixture(scope="module")
def family() -> Family:
    return Family(DOCS, build())


# Examples per property: the hypothesis profile's (60 in CI, 200 with HYPOTHESIS_PROFILE=dev).
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TREES = queries(DOCS)
SRC = st.sampled_from([None, "en", "es"])


@SETTINGS
@given(n=TREES, src=SRC)
def test_hits_are_exactly_the_documents_satisfying_the_query(
    family: Family, n: Node, src: str | None
) -> None:
    family.exact(n, src)


@SETTINGS
@given(n=TREES, clause=TREES, src=SRC)
def test_an_and_clause_never_adds_hits(
    family: Family, n: Node, clause: Node, src: str | None
) -> None:
    family.and_never_adds(n, clause, src)


@SETTINGS
@given(n=TREES, data=st.data())
def test_a_filter_clause_never_reorders_hits(family: Family, n: Node, data: st.DataObject) -> None:
    fields = used_fields(n)
    choices = [fv for fv in family.values if fv[0] not in fields]
    if choices:
        family.filter_keeps_order(n, data.draw(st.sampled_from(choices)))


@pytest.mark.parametrize(
    ("query", "clause"),
    [
        ("government", "country:peru"),  # plain words: translated word by word either way
        ("government", "lang:es"),
        ("government police", "country:peru"),
        ("police -government", "country:peru"),
        ("police AND gang", "country:mexico"),
    ],
)
def test_a_filter_clause_in_the_query_keeps_the_scores(
    family: Family, query: str, clause: str
) -> None:
    """The query's filter clause restricts its hits as the filter option does, scores and order
    kept (hypothesis found ``government country:peru`` ranking a Spanish story higher: the
    clause made the words a tree, translated node by node)."""
    field, value = clause.split(":")
    before = hits(family.index, query)
    after = hits(family.index, f"{query} {clause}")
    assert after and after == [
        (d, s) for d, s in before if filter_holds(family.docs[d], field, value)
    ]
    option = {"doc_lang" if field == "lang" else field: value}
    assert after == hits(family.index, query, **option)


@SETTINGS
@given(n=queries(DOCS, positive=True))
def test_cross_lingual_keeps_every_hit(family: Family, n: Node) -> None:
    family.cross_keeps_hits(n)


def entry_alternatives(words: list[str], src: str) -> list[str]:
    """Translations of the lexicon entries that words side by side form (an OR of words also
    matches them: ``drug trafficking`` -> ``narcotráfico``)."""
    out: list[str] = []
    for start, end, found in load_lexicon().spans(words, src):
        if end - start > 1:
            out += found
    return out


def _or_words(docs: dict[str, Doc]) -> list[str]:
    """Single-term words of the docs (in both chains), entry words included."""
    en, es = get_analyzer("en"), get_analyzer("es")
    out: dict[str, None] = {}
    for d in docs.values():
        for w in TOKEN_RE.findall(f"{d.title} {d.body}"):
            if re.fullmatch(r"[^\W\d_]{3,}", w) and len(en.terms(w)[0]) == len(es.terms(w)[0]) == 1:
                out.setdefault(w)
    return list(out)


OR_WORDS = _or_words(DOCS)


def _entries_in(words: list[str]) -> list[list[str]]:
    """The multi-word lexicon entries (either side) whose words are all among ``words``."""
    known = {w.casefold(): w for w in words}
    out = []
    data = resources.files("searchlib.analysis").joinpath("data")
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if not entry.name.startswith("lexicon_"):
            continue
        for line in entry.read_text(encoding="utf-8").splitlines():
            for side in line.split("\t") if "\t" in line and not line.startswith("#") else ():
                parts = side.split()
                if len(parts) > 1 and all(p.casefold() in known for p in parts):
                    out.append([known[p.casefold()] for p in parts])
    return out


ENTRIES = _entries_in(OR_WORDS)
_WORD_LISTS = st.lists(st.integers(0, len(OR_WORDS) - 1).map(_Pool(OR_WORDS)), max_size=3)
OR_QUERIES = (
    st.one_of(
        _WORD_LISTS,
        st.tuples(
            _WORD_LISTS, st.integers(0, len(ENTRIES) - 1).map(_Pool(ENTRIES)), _WORD_LISTS
        ).map(lambda t: t[0] + t[1] + t[2]),
    )
    .map(lambda ws: list({w.casefold(): w for w in ws}.values()))
    .filter(bool)
)


@SETTINGS
@given(words=OR_QUERIES, src=st.sampled_from(["en", "es"]))
def test_words_side_by_side_match_their_translations_and_entries(
    family: Family, words: list[str], src: str
) -> None:
    # Boosted, the OR group is no query of plain words (which is weighed as plain text,
    # search/fusion.py): it is translated node by node, as every query with syntax is.
    got = ids(family.index, f"({' '.join(words)})^2", lang=src)
    entries = entry_alternatives(words, src)
    want = set()
    for d in family.docs.values():
        alternatives = list(words)
        if d.lang != src:
            alternatives += entries + [t for w in words for t in load_lexicon().lookup(w, src)]
        if any(has_text(d, a, ("title", "body")) for a in alternatives):
            want.add(d.id)
    assert got == want, (words, src, sorted(got - want), sorted(want - got))


def test_the_or_words_include_lexicon_entries() -> None:
    """The property above meets words that form an entry (else it would test little more)."""
    assert {"drug", "trafficking", "Hit", "men"} <= set(OR_WORDS)
    assert ["drug", "trafficking"] in ENTRIES and len(ENTRIES) >= 5
    assert entry_alternatives(["drug", "trafficking"], "en") == [
        "narcotráfico",
        "tráfico de drogas",
    ]


# -- the same over real text, when ../shared is present ----------------------------------------


def _shared_docs(limit: int = 150) -> dict[str, Doc]:
    docs: dict[str, Doc] = {}
    for name, lang in (("insightcrime-crawl-2020", None), ("fakenews-es", "es")):
        path = CORPORA / name / "docs.jsonl"
        if not path.is_file():
            pytest.skip(f"shared corpus {name} not present at {path}")
        with path.open(encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= limit:
                    break
                r = json.loads(line)
                if r.get("lang", lang) not in ("en", "es"):
                    continue
                country = r.get("country")
                countries = (
                    tuple(country) if isinstance(country, list) else ((country,) if country else ())
                )
                docs[r["id"]] = Doc(
                    r["id"], r.get("lang", lang), r.get("kind") or "news", None, countries,
                    r.get("title", ""), r.get("body", "")[:1500],
                )  # fmt: skip
    return docs


@pytest.fixture(scope="module")
def shared_family() -> Family:
    docs = _shared_docs()
    index = searchlib.create_index()
    for d in docs.values():
        index.add(
            Brief(id=d.id, lang=d.lang, kind=d.kind, title=d.title, body=[d.body],
                  countries=d.countries)
        )  # fmt: skip
    index.commit()
    return Family(docs, index)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), src=SRC)
def test_shared_corpus_hits_satisfy_the_query(
    shared_family: Family, data: st.DataObject, src: str | None
) -> None:
    n = data.draw(_shared_trees(shared_family))
    shared_family.exact(n, src)
    shared_family.cross_keeps_hits(_positive(n))


_TREES_CACHE: dict[int, st.SearchStrategy[Node]] = {}


def _shared_trees(family: Family) -> st.SearchStrategy[Node]:
    key = id(family)
    if key not in _TREES_CACHE:
        _TREES_CACHE[key] = queries(family.docs)
    return _TREES_CACHE[key]


def _positive(n: Node) -> Node:
    """``n`` without its NOTs and ``-`` clauses (a positive query)."""
    kind = n[0]
    if kind == "not":
        return _positive(n[1])
    if kind in ("and", "or"):
        return (kind, [_positive(c) for c in n[1]])
    if kind == "group":
        return (kind, [(s, _positive(c)) for s, c in n[1] if s != "-"])
    return n
