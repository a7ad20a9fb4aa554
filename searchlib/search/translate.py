"""Cross-lingual expansion: a query's language, and the query in the other language.

A query tree is translated node by node, so the translation keeps the query's structure:
what is required stays required, what is excluded stays excluded, AND stays AND, a phrase
stays a phrase, and filters (``country:peru``, ``lang:es``...) apply unchanged. Every hit of the
translation therefore satisfies the query in its own language; translation only widens what each
word may be, never which words a document needs.

Per leaf, in the other language:

- a word becomes the word itself (a name or a number is the same in both languages) or any of
  its lexicon translations; a translation of several words is a phrase (``sicarios`` ->
  ``"hit men"``, never ``hit`` and ``men`` apart);
- words side by side in an OR group that form one lexicon entry (``drug trafficking``) may
  also be matched by that entry's translation (``narcotráfico``): a document holding the entry
  holds its words. Not in an AND group: ``drug AND trafficking`` would then find documents
  that ``drug`` alone does not, and adding a required word must never add hits;
- a phrase becomes itself or, when the whole phrase is a lexicon entry, its translations, each
  a phrase with the same slop. A phrase is an exact quotation, so it is never translated word
  by word (the word order differs between the languages: ``vacuna de Pfizer``, ``Pfizer
  vaccine``); a phrase of names and numbers is thus searched as it is in both languages;
- a stop word of the query's language matches nothing in either language (as in its own);
- prefix, wildcard and fuzzy terms, ranges and filters are kept as they are.

Plain text (:class:`BagOfWords`: evaluation, more-like-this), and a parsed query of plain words
only, is translated word by word by :mod:`searchlib.search.fusion`, not here; fusion also weighs
this module's translations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from searchlib._types import is_lang
from searchlib.analysis import Lexicon, detect_language, get_analyzer, load_lexicon
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.search.parser import FILTER_FIELDS
from searchlib.search.query import (
    And,
    AndMaybe,
    AndNot,
    AnyQuery,
    BagOfWords,
    CrossLingual,
    Every,
    Fuzzy,
    InLanguage,
    Not,
    NullQuery,
    Or,
    Phrase,
    Prefix,
    Query,
    Term,
    Wildcard,
    boosted,
    iter_terms,
    normalize,
)

__all__ = [
    "Spans",
    "coverage",
    "lexicon_spans",
    "query_language",
    "query_words",
    "translate_query",
]

OTHER = {"en": "es", "es": "en"}

_NOTHING = Not(Every())
"""A clause no document matches (unlike NullQuery, never dropped from an AND)."""


def query_words(q: AnyQuery) -> str:
    """The words of a query's positive text leaves (words and phrases), to tell its language:
    filter clauses (``lang:``, ``country:``...) and partial words (prefix, fuzzy) are left out."""
    while isinstance(q, (CrossLingual, InLanguage)):
        q = q.query
    if isinstance(q, BagOfWords):
        return q.text
    if type(q) is Or and all(type(c) is Term for c in q.children):  # (most queries: words)
        words = cast("tuple[Term, ...]", q.children)
        return " ".join([w.text for w in words if w.field not in FILTER_FIELDS])
    parts = []
    for leaf in iter_terms(q):
        if leaf.field in FILTER_FIELDS:
            continue
        if isinstance(leaf, Term):
            parts.append(leaf.text)
        elif isinstance(leaf, Phrase):
            parts.extend(leaf.words)
    return " ".join(parts)


def query_language(text: str) -> str:
    """The language of a query: the detector's answer, else a vote of the lexicon (a word
    counts for a language when the lexicon knows it on that side only, or it is a stop word
    of that language only); "" when it stays undetermined (names, shared words)."""
    lang = detect_language(text)
    if is_lang(lang):
        return lang
    lexicon = load_lexicon()
    en_chain, es_chain = get_analyzer("en"), get_analyzer("es")
    votes = {"en": 0, "es": 0}
    for word in TOKEN_RE.findall(text):
        es = bool(lexicon.lookup(word, "es"))
        en_stop, es_stop = not en_chain.term(word), not es_chain.term(word)
        en = bool(lexicon.lookup(word, "en")) or (en_stop and not es_stop)
        es = es or (es_stop and not en_stop)
        if en != es:
            votes["en" if en else "es"] += 1
    if votes["en"] == votes["es"]:
        return ""
    return "en" if votes["en"] > votes["es"] else "es"


Spans = dict[tuple[str, ...], list[tuple[int, int, list[str]]]]
"""The lexicon's entries (:meth:`Lexicon.spans`) in runs of words, kept for the length of one
search (:func:`translate_query` and :func:`coverage` of one query read the same runs)."""


def lexicon_spans(
    lexicon: Lexicon, words: list[str], src: str, memo: Spans | None
) -> list[tuple[int, int, list[str]]]:
    """``lexicon.spans(words, src)``, kept in ``memo`` (one search's) when given."""
    if memo is None:
        return lexicon.spans(words, src)
    key = tuple(words)
    found = memo.get(key)
    if found is None:
        found = memo[key] = lexicon.spans(words, src)
    return found


def coverage(
    text: str,
    src: str,
    lexicon: Lexicon | None = None,
    weight: Callable[[str], float] | None = None,
    spans: Spans | None = None,
) -> float:
    """The share of the distinct content words of ``text`` (in ``src``; stop words left out)
    that the translation carries over: those the lexicon translates (alone or inside a
    multi-word entry) and those that are the same in both languages (numbers, and names:
    capitalised words past the first). 1.0 when ``text`` has no content word. ``weight``:
    what each word (its ``src`` term) counts for, 1 each when None (the share of the query's
    idf when it is the idf). ``spans``: the lexicon's entries found so far in this search
    (see :data:`Spans`)."""
    lexicon = lexicon or load_lexicon()
    analyzer = get_analyzer(src)
    words = TOKEN_RE.findall(text)
    covered = [False] * len(words)
    for start, end, _ in lexicon_spans(lexicon, words, src, spans):
        covered[start:end] = [True] * (end - start)
    seen: dict[str, bool] = {}
    for i, word in enumerate(words):
        term = analyzer.term(word)
        if not term:
            continue
        same = any(c.isdigit() for c in word) or (i > 0 and word[:1].isupper())
        seen[term] = seen.get(term, False) or covered[i] or same
    if weight is None:
        return sum(seen.values()) / len(seen) if seen else 1.0
    total = sum(weight(t) for t in seen)
    return sum(weight(t) for t, c in seen.items() if c) / total if total > 0 else 1.0


def translate_query(
    q: Query, src: str, lexicon: Lexicon | None = None, spans: Spans | None = None
) -> Query:
    """``q`` (written in ``src``) for the documents of the other language: the same tree, each
    word widened to its translations (see the module docstring). ``spans``: the lexicon's
    entries found so far in this search (see :data:`Spans`)."""
    if src not in OTHER:
        raise ValueError(f"src must be 'en' or 'es', got {src!r}")
    translator = _Translator(src, lexicon or load_lexicon(), spans)
    if type(q) is Or:  # (most queries: words, each now a word or its translations)
        alternatives = translator.alternatives(q.children)
        flat = _flat_or(alternatives, q.boost)
        return flat if flat is not None else normalize(Or(alternatives, q.boost))
    return normalize(translator.node(q))


def _flat_or(alternatives: list[Query], boost: float) -> Query | None:
    """:func:`normalize` of ``Or(alternatives, boost)`` when each alternative is a leaf (a
    word, a phrase, a prefix, wildcard or fuzzy term, a clause that matches nothing) or an
    unboosted OR of leaves (a word's translations): the leaves in order, each once; None for
    any other tree (then normalized as it is)."""
    flat: list[Query] = []
    for a in alternatives:
        if type(a) is Or and a.boost == 1.0:
            for c in a.children:
                if not _is_flat(c):
                    return None
                flat.append(c)
        elif _is_flat(a):
            flat.append(a)
        else:
            return None
    unique = list(dict.fromkeys(flat))
    if not unique:
        return NullQuery()
    if len(unique) == 1:
        return boosted(unique[0], boost)
    return Or(tuple(unique), boost)


def _is_flat(q: Query) -> bool:
    """Whether :func:`normalize` leaves ``q`` as it is (or equal) inside an OR."""
    kind = type(q)
    if kind is Term or kind is Prefix or kind is Wildcard or kind is Fuzzy:
        return True
    if kind is Phrase:
        return len(q.words) > 1  # type: ignore[union-attr]
    return kind is Not and type(q.child) is Every  # type: ignore[union-attr]


_TERMS: dict[tuple[str, Term], tuple[Lexicon, int, Query]] = {}
"""(language, word) -> (the lexicon and its generation, the word's translation): a query's
words are translated once, not once per search (query nodes are immutable values)."""
_TERMS_SIZE = 50_000


def _is_text(field: str | None) -> bool:
    return field not in FILTER_FIELDS


def _leaf(field: str | None, text: str, slop: int, boost: float) -> Term | Phrase:
    """A word, or a phrase when ``text`` has several words."""
    words = tuple(text.split())
    if len(words) == 1:
        return Term(field, words[0], boost)
    return Phrase(field, words, slop, boost)


class _Translator:
    def __init__(self, src: str, lexicon: Lexicon, spans: Spans | None = None) -> None:
        self.src = src
        self.lexicon = lexicon
        self.spans = spans
        self.analyzer = get_analyzer(src)
        self.target = get_analyzer(OTHER[src])

    def node(self, q: Query) -> Query:
        if isinstance(q, Term) and _is_text(q.field):
            return self.term(q)
        if isinstance(q, Phrase) and _is_text(q.field):
            found = self.lexicon.lookup(" ".join(q.words), self.src)
            return self.either(q, [_leaf(q.field, t, q.slop, q.boost) for t in found])
        if isinstance(q, Or):
            return Or(self.alternatives(q.children), q.boost)
        if isinstance(q, And):
            return And([self.node(c) for c in q.children], q.boost)
        if isinstance(q, Not):
            return Not(self.node(q.child), q.boost)
        if isinstance(q, AndNot):
            return AndNot(self.node(q.positive), self.node(q.negative), q.boost)
        if isinstance(q, AndMaybe):
            return AndMaybe(self.node(q.required), self.node(q.optional), q.boost)
        return q  # filters, prefix, wildcard, fuzzy, ranges, Every, NullQuery

    def term(self, q: Term) -> Query:
        """A word or any of its translations (kept per lexicon and word: :data:`_TERMS`)."""
        key = (self.src, q)
        found = _TERMS.get(key)
        if found is not None and found[0] is self.lexicon and found[1] == self.lexicon.generation:
            return found[2]
        out = self._term(q)
        if len(_TERMS) >= _TERMS_SIZE:
            _TERMS.clear()
        _TERMS[key] = (self.lexicon, self.lexicon.generation, out)
        return out

    def _term(self, q: Term) -> Query:
        if not self.analyzer.terms(q.text)[0]:
            return _NOTHING  # a stop word: it matches nothing in its own language either
        found = self.lexicon.lookup(q.text, self.src)
        return self.either(q, [_leaf(q.field, t, 0, q.boost) for t in found])

    def either(self, q: Term | Phrase, alternatives: Sequence[Term | Phrase]) -> Query:
        """``q`` or any of its translations (those the other language reads as ``q`` left out)."""
        alternatives = self.distinct([q, *alternatives])[1:]
        return Or([q, *alternatives]) if alternatives else q

    def distinct(self, alternatives: Sequence[Term | Phrase]) -> list[Term | Phrase]:
        """``alternatives`` less those the other language's analysis makes the same as an
        earlier one: ``transportistas`` is ``transport`` or ``transportation``, one English
        stem, which would otherwise score twice in the OR of alternatives."""
        seen: set[tuple[bool, tuple[str, ...]]] = set()
        out: list[Term | Phrase] = []
        for a in alternatives:
            text = a.text if isinstance(a, Term) else " ".join(a.words)
            key = (isinstance(a, Term), tuple(self.target.terms(text)[0]))
            if key not in seen:
                seen.add(key)
                out.append(a)
        return out

    def alternatives(self, children: Sequence[Query]) -> list[Query]:
        """The translated children of an OR group, plus the translations of the lexicon entries
        that runs of single words side by side form."""
        out: list[Query] = []
        i = 0
        while i < len(children):
            run_end = i
            while run_end < len(children) and self._single_word(children[run_end], children[i]):
                run_end += 1
            if run_end - i < 2:
                out.append(self.node(children[i]))
                i += 1
                continue
            run = [c for c in children[i:run_end] if isinstance(c, Term)]
            done = 0
            words = [t.text for t in run]
            for start, end, found in lexicon_spans(self.lexicon, words, self.src, self.spans):
                if end - start < 2:
                    continue
                out.extend(self.term(t) for t in run[done:end])
                field, boost = run[start].field, run[start].boost
                out.extend(self.distinct([_leaf(field, t, 0, boost) for t in found]))
                done = end
            out.extend(self.term(t) for t in run[done:])
            i = run_end
        return out

    @staticmethod
    def _single_word(q: Query, first: Query) -> bool:
        """Whether ``q`` is a one-token text word on the same field as ``first`` (a run)."""
        return (
            isinstance(q, Term)
            and isinstance(first, Term)
            and q.field == first.field
            and _is_text(q.field)
            and TOKEN_RE.fullmatch(q.text) is not None
        )
