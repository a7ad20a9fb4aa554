"""The searcher: runs a parsed query over one index snapshot and turns scores into hits.

Filters (the documents' language, kind, country/section, date range) only restrict which
documents may match; they never change scores. Top-k selection partitions the candidates of
every segment at the k-th best score (``np.partition``) and keeps every candidate scoring at least
that, ties ordered by index order, so a ranking is deterministic and pages never overlap.
"""

from __future__ import annotations

import datetime as _dt
import operator
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from searchlib._types import LANGS, is_lang
from searchlib.analysis import get_analyzer
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.countries import canonical, label, split_places
from searchlib.errors import ArgumentError, IndexStateError
from searchlib.index import IndexReader, SegmentReader
from searchlib.index.documents import date_to_days, field_name, legacy_places
from searchlib.index.segment import NO_DATE
from searchlib.schema import FACETS, FILTER_FIELDS
from searchlib.search.execute import (
    BagOfWords,
    CrossLingual,
    InLanguage,
    SearchContext,
    _column_match,
    _score_group,
    best_score,
    evaluate,
    explain,
)
from searchlib.search.highlight import SCAN_CHARS, Snippet, indexed_matches, make_snippet
from searchlib.search.parser import parse_lenient, parse_query
from searchlib.search.places import count_places, expand_places
from searchlib.search.query import Phrase, Query, Term, iter_terms
from searchlib.search.results import Hit, Results, TwinRef
from searchlib.search.scoring import BM25F, Explanation
from searchlib.search.suggest import suggest
from searchlib.search.translate import coverage, query_language, query_words, with_translation
from searchlib.search.twins import twin_partners, twins_for

__all__ = ["MAX_RESULT_WINDOW", "MAX_TEXT_LENGTH", "SYNTAX_MODES", "Filters", "Searcher"]

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


@attrs.frozen(slots=True)
class Filters:
    """Restrictions that do not change scores (``Index.search(q, filters=Filters(...))``, the
    REPL's ``:filter``): the documents' language ``doc_lang``, ``kind``, ``country`` (any name
    of it, or its ISO code), byline ``section``, and dates from ``since`` to ``until``
    (inclusive). Values compare case-insensitively.

    >>> Filters(country="peru", doc_lang="es").describe()
    'country=peru doc_lang=es'
    """

    doc_lang: str | None = None
    kind: str | None = None
    country: str | None = None
    since: _dt.date | None = None
    until: _dt.date | None = None
    section: str | None = None

    def describe(self) -> str:
        """The filters set, as ``name=value`` words ("none" when there are none)."""
        names = ("country", "section", "kind", "doc_lang", "since", "until")
        parts = [f"{k}={v}" for k in names if (v := getattr(self, k)) is not None]
        return " ".join(parts) or "none"

    def mask(self, seg: SegmentReader) -> np.ndarray | None:
        """Which documents of ``seg`` pass, or None when nothing is filtered."""
        mask: np.ndarray | None = None

        def both(m: np.ndarray) -> None:
            nonlocal mask
            mask = m if mask is None else mask & m

        if self.doc_lang:
            both(_column_match(seg, "lang", self.doc_lang))
        if self.kind:
            both(_column_match(seg, "kind", self.kind))
        if self.country:
            both(_column_match(seg, "country", self.country))
        if self.section:
            both(_column_match(seg, "section", self.section))
        if self.since or self.until:
            dates = seg.cols["date"].astype(np.int64)
            m = dates != NO_DATE
            if self.since:
                m &= dates >= date_to_days(self.since)
            if self.until:
                m &= dates <= date_to_days(self.until)
            both(m)
        return mask


_EPOCH = _dt.date(1970, 1, 1)


def _year(days: int) -> str | None:
    if days == NO_DATE:
        return None
    return str((_dt.date(1970, 1, 1) + _dt.timedelta(days=int(days))).year)


CROSS_WEIGHT = 2.0
"""Weight of the translated part of a query relative to the query itself, at full confidence:
every content word of the query translated, and no document of the query's language matching
it (see :meth:`Searcher.with_translation`)."""


ANSWERED_POWER = 3.0
"""How sharply the translation's weight falls as the query's own language answers it: the
weight is multiplied by ``(1 - answered) ** ANSWERED_POWER`` (see :meth:`Searcher.answered`)."""

MIN_CONFIDENCE = 0.25
"""The confidence of a translation none of whose words the lexicon knows: the words are kept
as written (names, numbers, words spelt alike in both languages), which is still evidence."""


def with_place_names(q: Query | BagOfWords | CrossLingual) -> Query | BagOfWords | CrossLingual:
    """``q`` with each country it names also matching the country's other names, in both
    languages (:func:`~searchlib.search.places.expand_places`), in the query and in its
    translation; done after the language and translation are settled, which the other names
    must not sway."""
    if isinstance(q, CrossLingual):
        query = q.query
        if isinstance(query, InLanguage):
            query = attrs.evolve(query, query=_place_names(query.query))
        else:
            query = _place_names(query)
        translation = q.translation
        if isinstance(translation, InLanguage):
            translation = attrs.evolve(translation, query=_place_names(translation.query))
        typed = q.as_typed
        if isinstance(typed, InLanguage):
            typed = attrs.evolve(typed, query=_place_names(typed.query))
        # its note kept
        return attrs.evolve(q, query=query, translation=translation, as_typed=typed)
    return _place_names(q)


def _place_names(q: Query | BagOfWords) -> Query | BagOfWords:
    return q if isinstance(q, BagOfWords) else expand_places(q)


def written_forms(doc: dict[str, Any], lang: str, terms: list[str]) -> dict[str, str]:
    """For each of ``terms``, the first word of a stored document that has it, as written
    (``traffick`` -> ``trafficking``); terms the document does not hold are left out."""
    term = get_analyzer(lang).term
    wanted = set(terms)
    first: dict[str, str] = {}
    for text in (doc.get("title") or "", doc.get("teaser") or "", *doc.get("body", ())):
        for match in TOKEN_RE.finditer(text):
            t = term(match.group())
            if t in wanted and t not in first:
                first[t] = match.group()
                if len(first) == len(wanted):
                    return first
    return first


class Searcher:
    """Searches one :class:`IndexReader` snapshot."""

    def __init__(
        self, reader: IndexReader, bm25: BM25F | None = None, cross_weight: float = CROSS_WEIGHT
    ) -> None:
        self.reader = reader
        self.bm25 = bm25 or BM25F()
        self.cross_weight = cross_weight

    def prepare(
        self,
        query: str | Query | BagOfWords | CrossLingual,
        lang: str | None,
        cross_lingual: bool = True,
        default_op: str = "OR",
        doc_lang: str | None = None,
    ) -> tuple[Query | BagOfWords | CrossLingual, str | None]:
        """The query tree that runs, and the language it runs in: parsed, its language found
        (given, detected or voted by the lexicon) and its translation added when asked.

        ``doc_lang``: the search's filter on the documents' language. When it keeps only the
        query's own language, the translation (which matches only the other language's
        documents) could add no hit and no score, so it is left out (same hits, same scores,
        without the translation's work)."""
        q: Query | BagOfWords | CrossLingual = (
            parse_query(query, default_op=default_op) if isinstance(query, str) else query  # type: ignore[arg-type]
        )
        detected = lang is None
        if cross_lingual:
            if lang is None:
                lang = query_language(query_words(q)) or None
            if lang is None or doc_lang is None or doc_lang.casefold() != lang:
                q = self.with_translation(q, lang, detected)
        return with_place_names(q), lang

    def _context(self, lang: str | None) -> SearchContext:
        if lang is not None and not is_lang(lang):
            raise ArgumentError(f"lang must be 'en' or 'es', got {lang!r}")
        return SearchContext(self.reader, (lang,) if lang else LANGS, self.bm25)

    def search(
        self,
        query: str | Query | BagOfWords,
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
        read as words, text left out, an expansion cut (see :class:`SearchContext`).

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
        filters = filters or Filters()
        q, lang = self.prepare(parsed, lang, cross_lingual, default_op, filters.doc_lang)
        ctx = self._context(lang)
        seg_ids, docnums, scores = [], [], []
        facet_counts: dict[str, Counter[str]] = {k: Counter() for k in FACETS} if facets else {}
        for i, seg in enumerate(self.reader.segments):
            mask, sc = evaluate(q, ctx, seg)
            if seg.live is not None:
                mask &= seg.live
            fm = filters.mask(seg)
            if fm is not None:
                mask &= fm
            docs = np.flatnonzero(mask)
            if not docs.size:
                continue
            seg_ids.append(np.full(docs.size, i, dtype=np.int32))
            docnums.append(docs)
            scores.append(sc[docs])
        total = int(sum(d.size for d in docnums))
        hits: list[Hit] = []
        if total:
            all_seg = np.concatenate(seg_ids)
            all_doc = np.concatenate(docnums)
            all_score = np.concatenate(scores)
            if facets:
                # facets count what the hits count: with twins, a story's shown version only
                hidden = self._hidden_twins(all_seg, all_doc, all_score, lang) if twins else None
                for i, seg in enumerate(self.reader.segments):
                    pick = all_seg == i
                    if hidden is not None:
                        pick &= ~hidden
                    if pick.any():
                        self._count_facets(seg, all_doc[pick], facet_counts, labels)
            k = min(total, offset + limit)
            if twins:
                k = min(total, 3 * k + 10)  # room for the twins the dedup will fold
            if k == 0:
                top = np.zeros(0, dtype=np.intp)
            elif k < total:
                # Everything scoring at least the k-th best score: ties at the cut are then
                # ordered by index order like the rest, so pages never overlap or skip.
                kth = np.partition(all_score, total - k)[total - k]
                top = np.flatnonzero(all_score >= kth)
            else:
                top = np.arange(total)
            order = top[np.lexsort((all_doc[top], all_seg[top], -all_score[top]))]
            matcher = self._term_matcher(q, ctx) if snippets else None
            if twins:
                picked = self._fold_twins(order, all_seg, all_doc, all_score, lang)
                total -= self._twin_pairs(all_seg, all_doc)
            else:
                picked = [(int(all_seg[j]), int(all_doc[j]), float(all_score[j])) for j in order]
            for seg_idx, docnum, score in picked[offset : offset + limit]:
                hit = self._hit(seg_idx, docnum, score, matcher)
                if twins:
                    hit = self._with_twin(hit)
                hits.append(hit)
        suggestion = None
        if isinstance(query, str) and not isinstance(parsed, BagOfWords):
            suggestion = suggest(self.reader, query, asked)
        took = (time.perf_counter() - t0) * 1000
        facet_out = {k: dict(v.most_common()) for k, v in facet_counts.items()} if facets else None
        warnings += ctx.warnings
        return Results(
            text, total, took, tuple(hits), facet_out, suggestion, tuple(dict.fromkeys(warnings))
        )

    def _read(
        self,
        query: str | Query | BagOfWords,
        syntax: str,
        default_op: str,
        warnings: list[str],
    ) -> Query | BagOfWords:
        """A query string read in its ``syntax`` mode (notes on what was not read as written
        go to ``warnings``); a query tree as it is."""
        if syntax not in SYNTAX_MODES:
            raise ArgumentError(f"syntax must be one of {', '.join(SYNTAX_MODES)}, not {syntax!r}")
        if not isinstance(query, str):
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

    def _with_twin(self, hit: Hit) -> Hit:
        """``hit`` with its twin's id, language and title (when the story has a twin)."""
        twin = twins_for(self.reader).get(hit.id)
        loc = None if twin is None else self.reader.locate(twin)
        if twin is None or loc is None:
            return hit
        seg = self.reader.segments[loc[0]]
        lang = seg.col_tables["langs"][int(seg.cols["lang"][loc[1]])]
        return attrs.evolve(hit, twin=twin, twin_ref=TwinRef(twin, lang, seg.title(loc[1])))

    def _hidden_twins(
        self, segs: np.ndarray, docs: np.ndarray, scores: np.ndarray, lang: str | None
    ) -> np.ndarray:
        """Which matches the twin fold hides (the version of a story not shown when both
        match), as a mask over the matches: the same choice as :meth:`_fold_twins`."""
        hidden = np.zeros(segs.size, dtype=bool)
        twin_of = twins_for(self.reader)
        if not twin_of:
            return hidden
        order = np.lexsort((docs, segs, -scores))
        ids = [self.reader.segments[int(segs[j])].ids[int(docs[j])] for j in order.tolist()]
        where = {doc_id: int(j) for doc_id, j in zip(ids, order.tolist(), strict=True)}
        for doc_id, j in zip(ids, order.tolist(), strict=True):
            twin = twin_of.get(doc_id)
            if twin is None or twin not in where or hidden[j] or hidden[where[twin]]:
                continue
            other = where[twin]
            keep = j  # the better-ranked version, unless the other is in the query's language
            if lang is not None:
                seg = self.reader.segments[int(segs[j])]
                if seg.col_tables["langs"][int(seg.cols["lang"][int(docs[j])])] != lang:
                    keep = other
            hidden[other if keep == j else j] = True
        return hidden

    def _twin_pairs(self, segs: np.ndarray, docs: np.ndarray) -> int:
        """How many stories match in both languages (each is counted once in the total)."""
        offsets, partner = twin_partners(self.reader)
        matched = offsets[segs] + docs
        hit = np.zeros(partner.size + 1, dtype=bool)  # the last slot stands for "no twin"
        hit[matched] = True
        return int(hit[partner[matched]].sum()) // 2

    def _fold_twins(
        self,
        order: np.ndarray,
        segs: np.ndarray,
        docs: np.ndarray,
        scores: np.ndarray,
        lang: str | None,
    ) -> list[tuple[int, int, float]]:
        """The ranking with each story once: when both language versions match, the story
        keeps the rank of its better version and shows the one in the query's language (the
        better-ranked one when the query's language is unknown)."""
        offsets, partner = twin_partners(self.reader)
        ranked = offsets[segs[order]] + docs[order]
        twin = partner[ranked]
        has = twin >= 0
        where = dict(zip(ranked[has].tolist(), order[has].tolist(), strict=True))
        out: list[tuple[int, int, float]] = []
        shown: set[int] = set()
        for g, j, t in zip(ranked.tolist(), order.tolist(), twin.tolist(), strict=True):
            if g in shown:
                continue
            chosen = j
            if t >= 0:
                shown.add(t)
                if t in where and lang is not None:
                    seg = self.reader.segments[int(segs[j])]
                    if seg.col_tables["langs"][int(seg.cols["lang"][int(docs[j])])] != lang:
                        chosen = where[t]
            out.append((int(segs[chosen]), int(docs[chosen]), float(scores[chosen])))
        return out

    def with_translation(
        self, q: Query | BagOfWords | CrossLingual, lang: str | None, detected: bool = False
    ) -> Query | BagOfWords | CrossLingual:
        """``q`` plus its translation into the other language, when the query's language is
        known (given, or detected from its words) and the lexicon translates any of them.

        The translation weighs :attr:`cross_weight` times its confidence (from the share of the
        query's content words it carries over, see :func:`~searchlib.search.translate.coverage`)
        times the share of the query that its own language leaves unanswered (1 -
        :meth:`answered`, to the power :data:`ANSWERED_POWER`): a query that documents of its
        language answer well keeps them first, one they barely match leans on the translation.
        A document whose story is also in the index in the query's language is not matched by
        the translation (see :func:`~searchlib.search.execute._twinned`). ``detected``: the
        query's language was detected, so the other language's documents also keep what the
        query matches as typed (:attr:`~searchlib.search.execute.CrossLingual.as_typed`)."""
        if isinstance(q, (CrossLingual, InLanguage)):
            return q
        src = lang or query_language(query_words(q))
        if not is_lang(src):
            return q
        if not self.reader.lang_doc_count("es" if src == "en" else "en"):
            return q  # nothing to find in the other language
        confidence = MIN_CONFIDENCE + (1 - MIN_CONFIDENCE) * coverage(query_words(q), src)
        answered = self.answered(q, src)
        weight = self.cross_weight * confidence * (1.0 - answered) ** ANSWERED_POWER
        note = (
            f"{self.cross_weight} x confidence {confidence:.2f} (from the share of the {src} "
            f"query's words translated) x {1 - answered:.2f}^{ANSWERED_POWER:g} (share left "
            f"unanswered by the best {src} document)"
        )
        return with_translation(q, src, weight, note, as_typed=detected)

    def answered(self, q: Query | BagOfWords, src: str) -> float:
        """How well the query's own language answers it: the best score of the query's words
        (all optional, as plain text) over the documents of its language, as a share of what
        they could score at best (0..1). Filter clauses, operators and the search's filters
        play no part, so they never change the translation's weight (a filter never
        reorders hits)."""
        part = BagOfWords(q.text if isinstance(q, BagOfWords) else query_words(q), langs=(src,))
        ctx = self._context(src)
        bound = best_score(part, ctx)
        if bound <= 0:
            return 0.0
        top = 0.0
        for seg in self.reader.segments:
            mask, scores = evaluate(part, ctx, seg)
            if seg.live is not None:
                mask &= seg.live
            if mask.any():
                top = max(top, float(scores[mask].max()))
        return min(1.0, top / bound)

    def search_text(
        self, text: str, limit: int = 10, *, lang: str | None = None, filters: Filters | None = None
    ) -> Results:
        """Rank documents for plain text (no query syntax): every word is an optional term."""
        return self.search(BagOfWords(text), limit, lang=lang, filters=filters, snippets=False)

    def _count_facets(
        self, seg: SegmentReader, docs: np.ndarray, out: dict[str, Counter[str]], lang: str | None
    ) -> None:
        """Count ``docs`` per language, kind, country (once per country, labelled in ``lang``),
        section and year."""
        for col, table in (("lang", "langs"), ("kind", "kinds")):
            names = seg.col_tables[table]
            for code, n in zip(*np.unique(seg.cols[col][docs], return_counts=True), strict=True):
                out[col][names[int(code)]] += int(n)
        count_places(seg, "countries", docs, lang, out["country"])
        count_places(seg, "sections", docs, lang, out["section"])
        for days, n in zip(*np.unique(seg.cols["date"][docs], return_counts=True), strict=True):
            year = _year(int(days))
            if year:
                out["year"][year] += int(n)

    def _term_matcher(
        self, q: Query | BagOfWords | CrossLingual, ctx: SearchContext
    ) -> dict[str, frozenset[str] | None]:
        """Per language, the terms the query looks for. Prefix, wildcard and fuzzy leaves
        contribute the terms they expanded to during the search."""
        exact: dict[str, set[str]] = {"en": set(), "es": set()}
        for (lang, *_), terms in ctx.expansions().items():
            exact[lang].update(terms)

        def add(
            node: Query | BagOfWords | CrossLingual | InLanguage, langs: tuple[str, ...]
        ) -> None:
            if isinstance(node, CrossLingual):
                add(node.query, langs)
                add(node.translation, langs)
                if node.as_typed is not None:
                    add(node.as_typed, langs)
            elif isinstance(node, InLanguage):
                add(node.query, (node.lang,))
            elif isinstance(node, BagOfWords):
                for lang in node.langs or langs:
                    exact[lang].update(get_analyzer(lang).terms(node.text)[0])
            else:
                for leaf in iter_terms(node):
                    if leaf.field in FILTER_FIELDS or not isinstance(leaf, (Term, Phrase)):
                        continue
                    text = leaf.text if isinstance(leaf, Term) else " ".join(leaf.words)
                    for lang in langs:
                        exact[lang].update(get_analyzer(lang).terms(text)[0])

        add(q, LANGS)
        # None: nothing to mark in that language (``*``, a column filter), no text to analyse.
        return {lang: frozenset(terms) if terms else None for lang, terms in exact.items()}

    def _hit(
        self,
        seg_idx: int,
        docnum: int,
        score: float,
        matcher: dict[str, frozenset[str] | None] | None,
        reason: str | None = None,
        whole: bool = False,
    ) -> Hit:
        """A hit from the segment's columns and the document's stored fields (everything a
        program needs without a second call). With ``whole`` (related items, found without a
        query) the snippet is the item's teaser, or a brief's first paragraph, whole. Without
        a matcher or ``whole`` (``snippets=False``: ranking only, as evaluation runs), the hit
        comes from the columns alone: countries by their English names, no authors or url.
        A snippet's matches are read from the positions of the field its text was indexed as."""
        seg = self.reader.segments[seg_idx]
        lang = seg.col_tables["langs"][int(seg.cols["lang"][docnum])]
        if matcher is None and not whole:
            return self._column_hit(seg, docnum, score, lang, reason)
        doc = seg.stored(docnum)
        teaser = doc.get("teaser") if doc.get("kind") == "related" else None
        text = teaser or "\n\n".join(doc.get("body", ()))
        if matcher is not None:
            terms = matcher[lang]
            field = field_name("teaser" if teaser else "body", lang)
            # positions are used for texts of one scan window (see make_snippet)
            found = (
                indexed_matches(seg, field, docnum, terms)
                if terms is not None and len(text) <= SCAN_CHARS
                else None
            )
            passage = make_snippet(
                text, lang, None if terms is None else terms.__contains__, found=found
            )
        elif whole:  # found without a query: the teaser (or first paragraph), whole
            passage = Snippet(teaser or next(iter(doc.get("body", ())), ""))
        else:
            passage = Snippet()
        days = int(seg.cols["date"][docnum])
        countries: tuple[str, ...]
        sections: tuple[str, ...]
        if teaser is not None:  # a related item: its section is a country or a section
            section = doc.get("section") or ""
            known = canonical(section) is not None
            countries = (section,) if known else ()
            sections = (section,) if section and not known else ()
        elif "sections" in doc:
            countries, sections = tuple(doc.get("countries", ())), tuple(doc["sections"])
        else:  # stored before sections had a field: byline labels were all countries
            countries, sections = split_places(doc.get("countries", ()))
        return Hit(
            seg.ids[docnum],
            score,
            seg.col_tables["kinds"][int(seg.cols["kind"][docnum])],
            doc.get("title") or "" if teaser is not None else seg.title(docnum),
            lang,
            None if days == NO_DATE else _EPOCH + _dt.timedelta(days=days),
            countries,
            passage.html(),
            reason,
            passage=passage,
            country_codes=tuple(canonical(c) for c in countries),
            sections=sections,
            authors=tuple(doc.get("authors", ())),
            url=doc.get("url"),
            source=doc.get("source") or None,
            teaser=teaser,
        )

    def _column_hit(
        self, seg: SegmentReader, docnum: int, score: float, lang: str, reason: str | None
    ) -> Hit:
        days = int(seg.cols["date"][docnum])
        codes: Sequence[str] = seg.doc_values("countries", docnum)
        if "sections" in seg.cols:
            sections: Sequence[str] = seg.doc_values("sections", docnum)
        else:  # written before the sections column: byline labels were all countries
            codes, sections = legacy_places(list(codes))
        return Hit(
            seg.ids[docnum],
            score,
            seg.col_tables["kinds"][int(seg.cols["kind"][docnum])],
            seg.title(docnum),
            lang,
            None if days == NO_DATE else _EPOCH + _dt.timedelta(days=days),
            tuple(label(c) for c in codes),
            "",
            reason,
            country_codes=tuple(canonical(c) for c in codes),
            sections=tuple(sections),
        )

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
        q, lang = self.prepare(self._read(query, syntax, "OR", []), lang, cross_lingual)
        loc = self.reader.locate(doc_id)
        if loc is None:
            raise IndexStateError(f"no document with id {doc_id!r} in the index")
        seg = self.reader.segments[loc[0]]
        return explain(q, self._context(lang), seg, loc[1])

    # -- related items --------------------------------------------------------------------------

    def related(self, doc_id: str, limit: int = 10) -> Results:
        """Items related to ``doc_id``: the items shown on its page, then similar documents.

        Each hit carries a ``reason``: "same story, other language" (its twin), "shown on its
        page", "page that shows it", or "similar content: <key words>".
        """
        t0 = time.perf_counter()
        limit = whole_number("limit", limit, 0, MAX_RESULT_WINDOW)
        doc = self.reader.document(doc_id)
        if doc is None:
            raise IndexStateError(f"no document with id {doc_id!r} in the index")
        hits: list[Hit] = []
        seen = {doc_id}
        twin = twins_for(self.reader).get(doc_id)
        twin_loc = None if twin is None else self.reader.locate(twin)
        if twin is not None and twin_loc is not None:
            seen.add(twin)
            hits.append(
                self._hit(
                    twin_loc[0], twin_loc[1], 0.0, None, "same story, other language", whole=True
                )
            )
        for rid in doc.get("related", ()):
            loc = self.reader.locate(rid)
            if loc is not None and rid not in seen:
                seen.add(rid)
                hits.append(self._hit(loc[0], loc[1], 0.0, None, "shown on its page", whole=True))
        if doc["kind"] == "related":
            for i, seg in enumerate(self.reader.segments):
                for j, d in enumerate(seg.ids):
                    if (
                        d not in seen
                        and doc_id in seg.doc_values("links", j)
                        and (seg.live is None or seg.live[j])
                    ):
                        seen.add(d)
                        hits.append(self._hit(i, j, 0.0, None, "page that shows it", whole=True))
        hits += self._more_like_this(doc, limit, seen)
        took = (time.perf_counter() - t0) * 1000
        hits = hits[:limit] if len(hits) > limit else hits
        return Results(f"related:{doc_id}", len(hits), took, tuple(hits))

    def key_terms(self, doc: dict[str, Any], n: int = 12) -> list[tuple[str, float]]:
        """The ``n`` terms of a stored document with the highest tf-idf."""
        lang = doc.get("lang", "en")
        text = " ".join([doc.get("title", ""), doc.get("teaser", "")] + list(doc.get("body", ())))
        terms, _ = get_analyzer(lang).terms(text)
        counts = Counter(t for t in terms if len(t) > 2 and not t.isdigit())
        ctx = self._context(lang)
        scored = [(t, c * ctx.idf(lang, ctx.default_fields, (t,))) for t, c in counts.items()]
        scored.sort(key=lambda x: (-x[1], x[0]))
        return scored[:n]

    def _more_like_this(self, doc: dict[str, Any], limit: int, seen: set[str]) -> list[Hit]:
        lang = doc.get("lang", "en")
        key = self.key_terms(doc)
        if not key:
            return []
        ctx = self._context(lang)
        seg_ids, docnums, scores = [], [], []
        holds: list[list[tuple[str, np.ndarray]]] = []  # per segment: (key term, its docs)
        for i, seg in enumerate(self.reader.segments):
            total = np.zeros(seg.ndocs, dtype=np.float32)
            holds.append([])
            for term, _ in key:
                m, s = _score_group(ctx, seg, lang, ctx.default_fields, [term], 1.0)
                total += s
                holds[-1].append((term, m))
            if seg.live is not None:
                total[~seg.live] = 0
            docs = np.flatnonzero(total > 0)
            seg_ids += [i] * docs.size
            docnums += docs.tolist()
            scores += total[docs].tolist()
        order = np.lexsort(
            (np.array(docnums), np.array(seg_ids), -np.array(scores, dtype=np.float64))
        )
        # each hit's reason: the key words it shares, as the document asked about writes them
        written = written_forms(doc, lang, [t for t, _ in key])
        hits = []
        for j in order:
            seg = self.reader.segments[seg_ids[j]]
            d = seg.ids[docnums[j]]
            if d in seen:
                continue
            seen.add(d)
            hit = self._hit(seg_ids[j], docnums[j], float(scores[j]), None, whole=True)
            shared = [t for t, m in holds[seg_ids[j]] if m[docnums[j]] and t in written][:5]
            words = ", ".join(written[t] for t in shared)
            hits.append(attrs.evolve(hit, reason=f"similar content: {words}"))
            if len(hits) >= limit:
                break
        return hits
