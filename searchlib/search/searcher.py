"""The searcher: runs a query over one index snapshot and turns scores into hits.

A query string is read (:mod:`~searchlib.search.parser`), its language found and its
translation added (:mod:`~searchlib.search.crosslingual`), evaluated per segment
(:mod:`~searchlib.search.execute`), its matches collected, ranked, faceted and folded by story
(:mod:`~searchlib.search.collector`) and the page's hits built (:mod:`~searchlib.search.hits`).
Filters (the documents' language, kind, country/section, date range) only restrict which
documents may match; they never change scores. The searcher reads the index only through
:class:`~searchlib.seam.IndexSource`.
"""

from __future__ import annotations

import datetime as _dt

# A first search checks the shipped lexicon tables against the lexicon files' sha256
# (analysis.prebuilt.lexicon_digest, which imports hashlib when it runs, so that indexing never
# loads OpenSSL). hashlib is loaded here, with the search side (at `import searchlib` in a
# program), not inside a program's first query: ~3 ms of it.
import hashlib  # noqa: F401
import operator
import time

import attrs
import numpy as np

from searchlib._types import LANGS, is_lang
from searchlib.dates import DATE_FORMS, date_bound
from searchlib.errors import ArgumentError, IndexStateError
from searchlib.index.documents import date_to_days
from searchlib.schema import COLUMN_FIELDS, StoredDoc
from searchlib.seam import NO_DATE, IndexSource, SegmentSource
from searchlib.search import related as related_items
from searchlib.search.collector import (
    Matches,
    collect,
    count_facets,
    fold_twins,
    hidden_twins,
    ranked,
    top_k,
    twin_pairs,
)
from searchlib.search.columns import column_match
from searchlib.search.context import SearchContext
from searchlib.search.crosslingual import CROSS_WEIGHT, with_place_names, with_translation
from searchlib.search.execute import evaluate_index, explain
from searchlib.search.filternotes import filter_notes
from searchlib.search.hits import build_hit, term_matcher, with_twin
from searchlib.search.parser import parse_lenient, parse_query, split_filters
from searchlib.search.query import And, AnyQuery, BagOfWords, Or, Query, Term, TextQuery
from searchlib.search.results import Hit, Results
from searchlib.search.scoring import BM25F, Explanation
from searchlib.search.suggest import suggest
from searchlib.search.translate import query_language, query_words

__all__ = [
    "MAX_RESULT_WINDOW",
    "MAX_TEXT_LENGTH",
    "NO_FILTERS",
    "SYNTAX_MODES",
    "Filters",
    "Searcher",
]

MAX_RESULT_WINDOW = 10_000
"""The deepest hit a search returns: ``offset + limit`` may not exceed it (as in
Elasticsearch's ``index.max_result_window``); past it, page with filters instead."""

MAX_TEXT_LENGTH = 100_000
"""Characters of plain text (``syntax="plain"``, or a lenient query read as words) searched;
the rest is left out, with a warning in the results."""

SYNTAX_MODES = ("strict", "lenient", "plain")
"""How a query string is read: ``strict`` (the query syntax; errors raise QuerySyntaxError),
``lenient`` (syntax where it parses, words otherwise; never raises), ``plain`` (every word
an optional term, no syntax: a pasted paragraph, more-like-this)."""


def whole_number(name: str, value: object, low: int, high: int | None = None) -> int:
    """``value`` as an int in ``[low, high]``, else ArgumentError naming ``name``.

    Accepts ints and integer-like numbers (numpy integers), never bools or floats.
    """
    if isinstance(value, bool):
        raise ArgumentError(f"{name} must be a whole number, not {value!r}")
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise ArgumentError(
            f"{name} must be a whole number, not {type(value).__name__} {value!r}"
        ) from None
    if number < low or (high is not None and number > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ArgumentError(f"{name} must be {bound}, got {number}")
    return number


def _date_filter(name: str, value: object, *, end: bool) -> _dt.date | None:
    """A ``since``/``until`` filter's value: a date (a datetime's day) or text as
    ``--since``/``--until`` take it (a year or year-month is its first day, its last for
    ``until``); anything else raises ArgumentError naming ``name``.

    >>> _until("2020-02")
    datetime.date(2020, 2, 29)
    """
    if value is None or type(value) is _dt.date:
        return value
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return _dt.date(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return date_bound(value, end=end)
        except ValueError as e:
            raise ArgumentError(f"{name}: {e}") from None
    raise ArgumentError(
        f"{name} must be a date or text ({DATE_FORMS}), not {type(value).__name__} {value!r}"
    )


def _since(value: object) -> _dt.date | None:
    return _date_filter("since", value, end=False)


def _until(value: object) -> _dt.date | None:
    return _date_filter("until", value, end=True)


@attrs.frozen(slots=True)
class Filters:
    """Restrictions that do not change scores (``Index.search(q, filters=Filters(...))``, the
    REPL's ``:filter``): the documents' language ``doc_lang``, ``kind``, ``country`` (any name
    of it, or its ISO code), byline ``section``, and dates from ``since`` to ``until``
    (inclusive): dates, or text as ``--since``/``--until`` take it (``since="2011"`` is
    2011-01-01, ``until="2011"`` 2011-12-31). Values compare case-insensitively.

    >>> Filters(country="peru", doc_lang="es").describe()
    'country=peru doc_lang=es'
    """

    doc_lang: str | None = None
    kind: str | None = None
    country: str | None = None
    since: _dt.date | None = attrs.field(default=None, converter=_since)
    until: _dt.date | None = attrs.field(default=None, converter=_until)
    section: str | None = None

    def describe(self) -> str:
        """The filters set, as ``name=value`` words ("none" when there are none)."""
        names = ("country", "section", "kind", "doc_lang", "since", "until")
        parts = [f"{k}={v}" for k in names if (v := getattr(self, k)) is not None]
        return " ".join(parts) or "none"

    def mask(self, seg: SegmentSource) -> np.ndarray | None:
        """Which documents of ``seg`` pass, or None when nothing is filtered."""
        mask: np.ndarray | None = None

        def both(m: np.ndarray) -> None:
            nonlocal mask
            mask = m if mask is None else mask & m

        if self.doc_lang:
            both(column_match(seg, "lang", self.doc_lang))
        if self.kind:
            both(column_match(seg, "kind", self.kind))
        if self.country:
            both(column_match(seg, "country", self.country))
        if self.section:
            both(column_match(seg, "section", self.section))
        if self.since or self.until:
            dates = seg.cols["date"].astype(np.int64)
            m = dates != NO_DATE
            if self.since:
                m &= dates >= date_to_days(self.since)
            if self.until:
                m &= dates <= date_to_days(self.until)
            both(m)
        return mask


NO_FILTERS = Filters()
"""No filter (what a search without one reads: one value, not one a search)."""


def _words_only(q: TextQuery) -> bool:
    """Whether ``q`` is words of the text fields and nothing else (a Term, or an OR or AND of
    Terms, without a field): it has no column clause for :func:`filter_notes` to check."""
    if type(q) in (Or, And):
        return all(type(c) is Term and c.field is None for c in q.children)  # type: ignore[union-attr]
    return type(q) is Term and q.field is None


class Searcher:
    """Searches one index snapshot (an :class:`~searchlib.seam.IndexSource`)."""

    def __init__(
        self, reader: IndexSource, bm25: BM25F | None = None, cross_weight: float = CROSS_WEIGHT
    ) -> None:
        self.reader = reader
        self.bm25 = bm25 or BM25F()
        self.cross_weight = cross_weight

    def prepare(
        self,
        query: str | AnyQuery,
        lang: str | None,
        cross_lingual: bool = True,
        default_op: str = "OR",
        doc_lang: str | None = None,
        made: dict[str, SearchContext] | None = None,
    ) -> tuple[AnyQuery, str | None]:
        """The query tree that runs, and the language it runs in: parsed, its language found
        (given, detected or voted by the lexicon) and its translation added when asked.

        ``doc_lang``: the search's filter on the documents' language. When it keeps only the
        query's own language, the translation (which matches only the other language's
        documents) could add no hit and no score, so it is left out (same hits, same scores,
        without the translation's work: ``with_translation(own_only=True)``).
        ``made``: where the contexts the translation made are kept, by language (the search
        goes on in its language's, see :meth:`SearchContext.unspent`)."""
        q: AnyQuery = (
            parse_query(query, default_op=default_op) if isinstance(query, str) else query  # type: ignore[arg-type]
        )
        detected = lang is None
        if cross_lingual:
            if lang is None:
                lang = query_language(query_words(q)) or None
            own = lang is not None and doc_lang is not None and doc_lang.casefold() == lang
            context = self.context
            if made is not None:

                def context(lang: str | None) -> SearchContext:
                    out = made[lang or ""] = self.context(lang)
                    return out

            q = with_translation(q, lang, context, self.cross_weight, detected, own)
        return with_place_names(q), lang

    def context(self, lang: str | None) -> SearchContext:
        """A search's context in ``lang`` (None: both languages); ArgumentError for another."""
        if lang is not None and not is_lang(lang):
            raise ArgumentError(f"lang must be 'en' or 'es', got {lang!r}")
        return SearchContext(self.reader, (lang,) if lang else LANGS, self.bm25)

    def search(
        self,
        query: str | TextQuery,
        limit: int = 10,
        *,
        offset: int = 0,
        lang: str | None = None,
        filters: Filters | None = None,
        facets: bool = False,
        snippets: bool = True,
        default_op: str = "OR",
        cross_lingual: bool = True,
        twins: bool = False,
        syntax: str = "strict",
    ) -> Results:
        """Rank the documents matching ``query``; return hits ``offset`` .. ``offset + limit``.

        ``limit`` (0 counts without hits) and ``offset`` are whole numbers with ``offset +
        limit`` at most :data:`MAX_RESULT_WINDOW`; else ArgumentError. ``syntax`` says how a
        query string is read (:data:`SYNTAX_MODES`): ``"lenient"`` never raises on what a
        person typed, ``"plain"`` takes long text (up to :data:`MAX_TEXT_LENGTH` characters).
        ``Results.warnings`` says when the answer is not the whole query's: a syntax error
        read as words, text left out, an expansion cut (see :class:`SearchContext`), a filter
        value that names nothing the index can match (``lang:fr``, ``country="Atlantis"``,
        a kind no document has: :mod:`~searchlib.search.filternotes`).

        ``lang`` says which language the query is written in (its analysis chain, and the
        documents of that language); None searches both languages, each with its own chain.
        With ``cross_lingual``, the query is also translated with the bilingual lexicon, its
        structure kept (see :mod:`searchlib.search.translate`), and matched against the other
        language's documents at ``cross_weight`` of the weight, so a Spanish query finds
        English briefs and the reverse.
        With ``twins``, English and Spanish versions of one story are shown and counted once
        (in the query's language when both match; the hit's ``twin`` names the other version).
        A did-you-mean ``suggestion`` is given when a word of a query string is unknown to
        the index (searched in the query's languages) and a known word is close to it.
        """
        t0 = time.perf_counter()
        limit = whole_number("limit", limit, 0, MAX_RESULT_WINDOW)
        offset = whole_number("offset", offset, 0, MAX_RESULT_WINDOW - limit)
        text = (
            query
            if isinstance(query, str)
            else query.text
            if isinstance(query, BagOfWords)
            else repr(query)
        )
        labels = lang  # facet labels: in the language asked for (English when none)
        warnings: list[str] = []
        parsed = self._read(query, syntax, default_op, warnings)
        asked = LANGS if lang is None else (lang,)  # did-you-mean: not the detected one
        if filters is not None and not isinstance(filters, Filters):
            raise ArgumentError(
                f"filters must be a searchlib.Filters, not {type(filters).__name__} {filters!r}"
            )
        filters = filters or NO_FILTERS
        if filters is not NO_FILTERS or not _words_only(parsed):
            given = [(f, getattr(filters, "doc_lang" if f == "lang" else f)) for f in COLUMN_FIELDS]
            if not _words_only(parsed) or any(value for _, value in given):
                warnings += filter_notes(self.reader, parsed, given)
        text_part, where = split_filters(parsed)
        made: dict[str, SearchContext] = {}
        q, lang = self.prepare(text_part, lang, cross_lingual, default_op, filters.doc_lang, made)
        ctx = made.get(lang or "")  # (the translation's context, when it spent nothing)
        if ctx is None or not ctx.unspent:
            ctx = self.context(lang)
        restrict = None if where is None else evaluate_index(where, ctx)[0]
        matches, total = self.matches(q, ctx, filters, offset + limit, facets or twins, restrict)
        hits: list[Hit] = []
        facet_out = None
        if facets:
            # facets count what the hits count: with twins, a story's shown version only
            hidden = (
                hidden_twins(self.reader, matches, lang) if twins and matches is not None else None
            )
            facet_out = count_facets(self.reader, matches, hidden, labels)
        if matches is not None:
            k = min(total, offset + limit)
            if twins:
                k = min(total, 3 * k + 10)  # room for the twins the dedup will fold
            order = top_k(matches, k)
            matcher = term_matcher(q, ctx) if snippets else None
            if twins:
                picked = fold_twins(self.reader, order, matches, lang)
                total -= twin_pairs(self.reader, matches)
            else:
                picked = ranked(matches, order)
            for seg_idx, docnum, score in picked[offset : offset + limit]:
                hit = build_hit(self.reader, seg_idx, docnum, score, matcher)
                if twins:
                    hit = with_twin(self.reader, hit)
                hits.append(hit)
        suggestion = None
        if isinstance(query, str) and not isinstance(parsed, BagOfWords):
            suggestion = suggest(self.reader, query, asked)
        took = (time.perf_counter() - t0) * 1000
        warnings += ctx.warnings
        return Results(
            text, total, took, tuple(hits), facet_out, suggestion, tuple(dict.fromkeys(warnings))
        )

    def matches(
        self,
        q: AnyQuery,
        ctx: SearchContext,
        filters: Filters,
        k: int,
        every: bool,
        restrict: np.ndarray | None = None,
    ) -> tuple[Matches | None, int]:
        """The matches of ``q`` that ``filters`` keep (and ``restrict``, the query's own filter
        clauses as a mask over the whole index), and how many there are. Here every one;
        a storage engine whose shards rank (:class:`searchlib.postgres.source.PgSearcher`) may
        give, unless ``every`` (facets and twins count them all), only candidates that
        provably hold the best ``k``, each with its exact score, and the total beside them."""
        found = collect(q, ctx, None if filters is NO_FILTERS else filters.mask, restrict)
        return found, 0 if found is None else found.total

    def _read(
        self,
        query: str | TextQuery,
        syntax: str,
        default_op: str,
        warnings: list[str],
    ) -> TextQuery:
        """A query string read in its ``syntax`` mode (notes on what was not read as written
        go to ``warnings``); a query tree as it is."""
        if syntax not in SYNTAX_MODES:
            raise ArgumentError(f"syntax must be one of {', '.join(SYNTAX_MODES)}, not {syntax!r}")
        if not isinstance(query, str):
            if not isinstance(query, (*Query.__args__, BagOfWords)):  # type: ignore[attr-defined]
                raise TypeError(
                    "query must be a string or a query tree (searchlib.parse_query), not "
                    f"{type(query).__name__} {query!r:.80}"
                )
            return query
        if syntax == "strict":
            return parse_query(query, default_op=default_op)  # type: ignore[arg-type]
        if syntax == "lenient":
            tree, notes = parse_lenient(query, default_op=default_op)  # type: ignore[arg-type]
            warnings.extend(notes)
            if tree is not None:
                return tree
        if len(query) > MAX_TEXT_LENGTH:
            cut = query.rfind(" ", 0, MAX_TEXT_LENGTH + 1)
            query = query[: cut if cut > 0 else MAX_TEXT_LENGTH]
            warnings.append(
                f"text past {MAX_TEXT_LENGTH:,} characters left out (the limit of plain text)"
            )
        return BagOfWords(query)

    def search_text(
        self, text: str, limit: int = 10, *, lang: str | None = None, filters: Filters | None = None
    ) -> Results:
        """Rank documents for plain text (no query syntax): every word is an optional term."""
        return self.search(BagOfWords(text), limit, lang=lang, filters=filters, snippets=False)

    def explain(
        self,
        query: str | Query,
        doc_id: str,
        lang: str | None = None,
        cross_lingual: bool = True,
        syntax: str = "strict",
    ) -> Explanation:
        """How ``doc_id`` got its score for ``query`` (run exactly as :meth:`search` runs it,
        read in the same ``syntax``, translation included); the root value equals the hit's
        score."""
        text_part, _ = split_filters(self._read(query, syntax, "OR", []))
        q, lang = self.prepare(text_part, lang, cross_lingual)
        loc = self.reader.locate(doc_id)
        if loc is None:
            raise IndexStateError(f"no document with id {doc_id!r} in the index")
        seg = self.reader.segments[loc[0]]
        return explain(q, self.context(lang), seg, loc[1])

    # -- related items --------------------------------------------------------------------------

    def related(self, doc_id: str, limit: int = 10) -> Results:
        """Items related to ``doc_id``, each hit with its reason (see
        :func:`searchlib.search.related.related`)."""
        limit = whole_number("limit", limit, 0, MAX_RESULT_WINDOW)
        return related_items.related(self.reader, doc_id, limit, self.context)

    def key_terms(self, doc: StoredDoc, n: int = 12) -> list[tuple[str, float]]:
        """The ``n`` terms of a stored document with the highest tf-idf."""
        return related_items.key_terms(doc, self.context, n)
