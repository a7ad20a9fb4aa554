"""Query execution: a query tree evaluated per segment with numpy, scored with BM25F.

Each node evaluates to a :class:`Match` over one segment: a boolean array (which documents match)
and a float32 array (their scores), both as long as the segment. Leaves read postings arrays and
score them vectorised; boolean nodes combine arrays. Statistics (N, df, average lengths) come from
the whole index through :class:`SearchContext`, so a score does not depend on segmentation.

Text leaves are analysed once per language: the English chain against the English fields
(``body.en``...), the Spanish chain against the Spanish ones. A document has fields of one
language only, so the per-language scores never add up on the same document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import attrs
import numpy as np

from searchlib._types import LANGS
from searchlib.schema import AUTHOR_FIELD, COLUMN_FIELDS, ID_FIELD
from searchlib.seam import Postings, SegmentSource
from searchlib.search.arrays import unique
from searchlib.search.columns import (
    column_match,
    column_values,
    date_range,
    has_text,
    id_values,
    term_range,
)
from searchlib.search.context import Match, SearchContext
from searchlib.search.leaves import (
    cached_phrase,
    empty,
    score_group,
    score_sparse,
    whole_impacts,
    whole_phrase,
)
from searchlib.search.query import (
    And,
    AndMaybe,
    AndNot,
    BagOfWords,
    Concepts,
    CrossLingual,
    DateRange,
    Every,
    Fuzzy,
    InLanguage,
    Node,
    Not,
    NullQuery,
    Or,
    Phrase,
    Prefix,
    Synonyms,
    Term,
    TermGroups,
    TermRange,
    Wildcard,
)
from searchlib.search.scoring import Explanation
from searchlib.search.twins import twin_partners

__all__ = ["TWIN_SHARE", "best_score", "evaluate", "evaluate_index", "explain", "matched_docs"]


def _bag(ctx: SearchContext, seg: SegmentSource, node: BagOfWords) -> Match:
    fields = ctx.fields_of(node.field)
    mask, scores = empty(seg)
    docs: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for lang in node.langs or ctx.langs:
        counts: dict[str, int] = {}
        for t in ctx.analyse(lang, node.text)[0]:
            counts[t] = counts.get(t, 0) + 1
        for t, c in counts.items():
            hit = score_sparse(ctx, seg, lang, fields, (t,), node.boost * c)
            if hit is not None:
                docs.append(hit[0])
                vals.append(hit[1])
    _add_sparse(mask, scores, docs, vals)
    return mask, scores


def _term_groups(ctx: SearchContext, seg: SegmentSource, node: TermGroups) -> Match:
    fields = ctx.fields_of(node.field)
    ctx = ctx.in_language(node.lang)
    mask, scores = empty(seg)
    for terms, weight in node.groups:
        hit = score_sparse(ctx, seg, node.lang, fields, terms, weight * node.boost)
        if hit is not None:
            mask[hit[0]] = True
            scores[hit[0]] += hit[1]
    return mask, scores


def _multi_term(ctx: SearchContext, seg: SegmentSource, node: Prefix | Wildcard | Fuzzy) -> Match:
    if node.field in COLUMN_FIELDS:
        return column_values(seg, node, node.field), np.zeros(seg.ndocs, dtype=np.float32)
    if node.field == ID_FIELD:
        return id_values(seg, node), np.zeros(seg.ndocs, dtype=np.float32)
    if node.field == AUTHOR_FIELD and isinstance(node, Wildcard) and not node.pattern.strip("*"):
        return has_text(seg, AUTHOR_FIELD), np.zeros(seg.ndocs, dtype=np.float32)
    fields = ctx.fields_of(node.field)
    mask, scores = empty(seg)
    for lang in _langs(ctx, node.field):
        terms = ctx.expand(lang, fields, node)
        if terms:
            m, s = score_group(ctx, seg, lang, fields, terms, node.boost)
            mask |= m
            scores += s
    return mask, _scored(node.field, scores)


def _langs(ctx: SearchContext, field: str | None) -> tuple[str, ...]:
    """The languages a text leaf is analysed in: the search's, but both for the author field
    (names are the same in both languages, and a filter holds whatever the query's language)."""
    return LANGS if field == AUTHOR_FIELD else ctx.langs


def _scored(field: str | None, scores: np.ndarray) -> np.ndarray:
    """A leaf's scores: zero for the author field, which filters and never scores."""
    return np.zeros_like(scores) if field == AUTHOR_FIELD else scores


def _text(ctx: SearchContext, seg: SegmentSource, node: Term | Phrase) -> Match:
    if node.field in COLUMN_FIELDS or node.field == ID_FIELD:
        value = node.text if isinstance(node, Term) else " ".join(node.words)
        return column_match(seg, node.field, value), np.zeros(seg.ndocs, dtype=np.float32)
    fields = ctx.fields_of(node.field)
    mask, scores = empty(seg)
    slop = node.slop if isinstance(node, Phrase) else 0
    for lang, terms, rel in _leaf_terms(ctx, node):
        if rel is None:
            m, s = score_group(ctx, seg, lang, fields, terms, node.boost)
        else:
            m, s = cached_phrase(ctx, seg, lang, fields, terms, rel, slop, node.boost)
        mask |= m
        scores += s
    return mask, _scored(node.field, scores)


def _leaf_terms(
    ctx: SearchContext, node: Term | Phrase
) -> Iterator[tuple[str, list[str], list[int] | None]]:
    """A text leaf's terms in each language it is searched in (none where the analysis
    leaves none), with their positions relative to the first for a phrase of several terms
    (None for one term)."""
    text = node.text if isinstance(node, Term) else " ".join(node.words)
    for lang in _langs(ctx, node.field):
        terms, positions = ctx.analyse(lang, text)
        if len(terms) == 1:
            yield lang, terms, None
        elif terms:
            yield lang, terms, [p - positions[0] for p in positions]


_Group = tuple[str, tuple[str, ...], list[str], float]  # (lang, fields, terms, boost)


def _sparse_leaf(ctx: SearchContext, node: Node) -> list[_Group] | None:
    """The term groups a text leaf scores, per language (what :func:`score_sparse` takes),
    or None when the leaf is not a plain text term (a column or id field, the author field,
    a phrase): it is evaluated then. They depend on the search, not on the segment.
    A clause that matches nothing (``NOT *``: a word the translation has no words for) has
    no group: it adds nothing to an OR."""
    if isinstance(node, NullQuery) or (isinstance(node, Not) and isinstance(node.child, Every)):
        return []
    if not isinstance(node, (Term, Prefix, Wildcard, Fuzzy)):
        return None
    if node.field in COLUMN_FIELDS or node.field in (ID_FIELD, AUTHOR_FIELD):
        return None
    fields = ctx.fields_of(node.field)
    if isinstance(node, Term):  # its analysis only: the same for every search
        key = (node, ctx.langs, fields)
        found = _TERM_GROUPS.get(key, _NOT_KEPT)
        if found is _NOT_KEPT:
            found = _term_groups_of(ctx, node, fields)
            if len(_TERM_GROUPS) >= _TERM_GROUPS_SIZE:
                _TERM_GROUPS.clear()
            _TERM_GROUPS[key] = found
        groups: list[_Group] | None = found  # type: ignore[assignment]
        return groups
    out = []
    for lang in ctx.langs:
        if isinstance(node, Term):
            terms = ctx.analyse(lang, node.text)[0]
            if len(terms) > 1:
                return None  # a phrase
        else:
            terms = ctx.expand(lang, fields, node)
        if terms:
            out.append((lang, fields, terms, node.boost))
    return out


_TERM_GROUPS: dict[tuple[Any, ...], list[_Group] | None] = {}
"""(term, languages, fields) -> its groups (:func:`_sparse_leaf`): a query's words planned once,
not once per search (the groups are never changed)."""
_TERM_GROUPS_SIZE = 50_000
_WHOLE_SIZE = 50_000  # entries of a snapshot's index-wide cache (SnapshotCache.whole)
_NOT_KEPT = object()


def _term_groups_of(ctx: SearchContext, node: Term, fields: tuple[str, ...]) -> list[_Group] | None:
    out = []
    for lang in ctx.langs:
        terms = ctx.analyse(lang, node.text)[0]
        if len(terms) > 1:
            return None  # a phrase
        if terms:
            out.append((lang, fields, terms, node.boost))
    return out


def _or_plan(ctx: SearchContext, node: Or) -> list[tuple[Any, list[_Group] | None]]:
    """Each child of an OR with its term groups when it is a plain text term (made once per
    search and kept in the context: every segment runs the same plan)."""
    key = (id(node), ctx.langs)
    found = ctx.plans.get(key)
    if found is None or found[0] is not node:  # (the plan holds its node: no id is reused)
        found = ctx.plans[key] = (node, [(c, _sparse_leaf(ctx, c)) for c in node.children])
    plan: list[tuple[Any, list[_Group] | None]] = found[1]
    return plan


def _or(ctx: SearchContext, seg: SegmentSource, node: Or) -> Match:
    """Any of the children, their scores summed (in child order, as :func:`evaluate` adds
    their arrays: the same float32 sums). Plain text terms, most of a query, are added from
    their cached impacts (:func:`_sparse_leaf`), gathered and added in one ``np.add.at``
    (in order, as one addition after another); other children are evaluated."""
    if not node.children:
        return empty(seg)
    mask, scores = empty(seg)
    dense = False  # a child evaluated over the whole segment
    docs: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for child, groups in _or_plan(ctx, node):
        if groups is None:
            _add_sparse(mask, scores, docs, vals)
            m, s = evaluate(child, ctx, seg)
            mask |= m
            scores += s
            dense = True
            continue
        for lang, fields, terms, boost in groups:
            hit = score_sparse(ctx, seg, lang, fields, terms, boost)
            if hit is not None:
                docs.append(hit[0])
                vals.append(hit[1])
    _add_sparse(mask, scores, docs, vals)
    if not dense and node.boost == 1.0:
        return mask, scores  # (sparse sums only: zero wherever the mask is False)
    return mask, np.where(mask, scores * np.float32(node.boost), np.float32(0))


def _add_sparse(
    mask: np.ndarray, scores: np.ndarray, docs: list[np.ndarray], vals: list[np.ndarray]
) -> None:
    """Add the (doc numbers, scores) gathered in ``docs`` and ``vals`` to ``scores`` and
    ``mask``, in their order (``np.add.at`` adds one after another, as ``+=`` per part did),
    and empty the lists."""
    if not docs:
        return
    # (index-wide impacts hold 32-bit doc numbers: as intp, numpy indexes without a cast)
    if len(docs) == 1:
        at = docs[0].astype(np.intp, copy=False)
        mask[at] = True
        scores[at] += vals[0]
    else:
        at = np.concatenate(docs, dtype=np.intp)
        mask[at] = True
        np.add.at(scores, at, np.concatenate(vals))
    docs.clear()
    vals.clear()


def evaluate(node: Node, ctx: SearchContext, seg: SegmentSource) -> Match:
    """Evaluate ``node`` over every document of ``seg`` (the caller drops deleted ones)."""
    if isinstance(node, (Term, Phrase)):
        return _text(ctx, seg, node)
    if isinstance(node, (Prefix, Wildcard, Fuzzy)):
        return _multi_term(ctx, seg, node)
    if isinstance(node, BagOfWords):
        return _bag(ctx, seg, node)
    if isinstance(node, TermGroups):
        return _term_groups(ctx, seg, node)
    if isinstance(node, CrossLingual):
        m1, s1 = evaluate(node.query, ctx, seg)
        m2, s2 = evaluate(node.translation, ctx, seg)
        if node.as_typed is not None:
            m3, s3 = evaluate(node.as_typed, ctx, seg)
            s2 = np.where(m2, s2, s3)
            m2 = m2 | m3
        twinned = _twinned(ctx, seg)
        if twinned is not None:  # a story told in the query's language ranks in it
            s2 = np.where(twinned, s2 * np.float32(TWIN_SHARE), s2)
        if node.concepts is not None:
            terms = _concept_terms(ctx, node.concepts)
            hits = [score_sparse(c, seg, lang, f, t, 1.0) for c, lang, f, t in terms]
            return m1 | m2, (s1 + s2) * _concept_factor(node.concepts, hits, seg.ndocs)
        return m1 | m2, s1 + s2
    if isinstance(node, InLanguage):
        in_lang = ctx.lang_mask(seg, node.lang)
        if in_lang is None:  # no document of the segment is in that language: none matches
            return empty(seg)
        m, s = evaluate(node.query, ctx.in_language(node.lang), seg)
        m = m & in_lang
        if node.boost != 1.0:
            s = s * np.float32(node.boost)
        return m, np.where(m, s, np.float32(0))
    if isinstance(node, Or) and not isinstance(node, Synonyms):
        return _or(ctx, seg, node)
    if isinstance(node, (And, Or)):
        results = [evaluate(c, ctx, seg) for c in node.children]
        return _combine(node, results) if results else empty(seg)
    if isinstance(node, Not):
        m, _ = evaluate(node.child, ctx, seg)
        return ~m, np.zeros(seg.ndocs, dtype=np.float32)
    if isinstance(node, AndNot):
        m, s = evaluate(node.positive, ctx, seg)
        neg, _ = evaluate(node.negative, ctx, seg)
        mask = m & ~neg
        return mask, np.where(mask, s * np.float32(node.boost), np.float32(0))
    if isinstance(node, AndMaybe):
        m, s = evaluate(node.required, ctx, seg)
        _, opt = evaluate(node.optional, ctx, seg)
        return m, np.where(m, (s + opt) * np.float32(node.boost), np.float32(0))
    if isinstance(node, DateRange):
        return date_range(seg, node), np.zeros(seg.ndocs, dtype=np.float32)
    if isinstance(node, TermRange):
        return term_range(seg, node), np.zeros(seg.ndocs, dtype=np.float32)
    if isinstance(node, Every):
        return np.ones(seg.ndocs, dtype=bool), np.zeros(seg.ndocs, dtype=np.float32)
    if isinstance(node, NullQuery):
        return empty(seg)
    raise TypeError(f"cannot execute query node {node!r}")


def _combine(node: And | Or, results: list[Match]) -> Match:
    """An AND's or an OR's children's matches (per segment or index-wide alike) combined:
    the mask of all or of any, the sum of the scores (the best one for Synonyms) times the
    node's boost where the mask holds."""
    mask = results[0][0].copy()
    scores = np.zeros(mask.size, dtype=np.float32)
    for m, _ in results[1:]:
        if isinstance(node, And):
            mask &= m
        else:
            mask |= m
    for _, s in results:
        if isinstance(node, Synonyms):  # equivalent names: the best one, not their sum
            np.maximum(scores, s, out=scores)
        else:
            scores += s
    return mask, np.where(mask, scores * np.float32(node.boost), np.float32(0))


def evaluate_index(node: Node, ctx: SearchContext) -> Match:
    """:func:`evaluate` over every segment at once: a mask and scores over the whole index
    (documents numbered across segments, see :meth:`SearchContext.offsets`), the same
    documents and the same float32 scores, bit for bit (the same additions in the same
    order, the same products). The nodes of a typical query (its language and translation,
    OR groups of words) run once for the whole index, their term impacts added from the
    snapshot's cache; any other node is evaluated per segment. Deleted documents are not
    dropped (the caller does).

    Where :func:`evaluate` keeps a value or zero (``np.where``), this multiplies by a mask
    of ones and zeros, or adds a part that is zero where it does not apply: the same value
    where it is kept (``x * 1 == x``, ``x + 0 == x``), zero elsewhere (scores are finite and
    zero outside their mask), without the cost of a branch per document."""
    if isinstance(node, InLanguage):
        # (evaluate_index gives arrays of its own: changed in place)
        within = False
        if type(node.query) is Or:
            lctx = ctx.in_language(node.lang)
            mask, scores, within = _or_within(lctx, node.query, node.lang)
        else:
            mask, scores = evaluate_index(node.query, ctx.in_language(node.lang))
        if not within:  # (when every match is in the language, this changes nothing)
            ones = ctx.whole_lang_ones(node.lang)  # 1.0 for the language's documents, else 0.0
            mask &= ctx.whole_lang_mask(node.lang)
            scores *= ones
        if node.boost != 1.0:
            scores *= np.float32(node.boost)
        return mask, scores
    if isinstance(node, CrossLingual):
        return _cross_index(ctx, node)
    if isinstance(node, Or) and not isinstance(node, Synonyms):
        return _or_index(ctx, node)
    plan: list[tuple[Any, list[_Group] | None]] | None
    if isinstance(node, (Term, Prefix, Wildcard, Fuzzy)):
        groups = _leaf_plan(ctx, node)
        plan = None if groups is None else [(node, groups)]
    elif isinstance(node, BagOfWords):
        plan = [(node, _bag_groups(ctx, node))]
    elif isinstance(node, TermGroups):
        fields = ctx.fields_of(node.field)
        ctx = ctx.in_language(node.lang)
        plan = [(node, [(node.lang, fields, list(t), w * node.boost) for t, w in node.groups])]
    else:
        plan = None
    if plan is None:
        return _whole_node(node, ctx)
    size = int(ctx.offsets()[-1])
    mask = np.zeros(size, dtype=bool)
    scores = np.zeros(size, dtype=np.float32)
    docs: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for child, groups in plan:
        if groups is None:  # (an OR's child that is no plain term: a phrase, a group)
            _add_sparse(mask, scores, docs, vals)
            m, s = evaluate_index(child, ctx)
            mask |= m
            scores += s
            continue
        for lang, fields, terms, boost in groups:
            hit = whole_impacts(ctx, lang, fields, terms, boost)
            if hit is not None:
                docs.append(hit[0])
                vals.append(hit[1])
    _add_sparse(mask, scores, docs, vals)
    if isinstance(node, Or) and node.boost != 1.0:
        scores *= np.float32(node.boost)
    return mask, scores


def _or_index(ctx: SearchContext, node: Or) -> Match:
    """:func:`_or` index-wide: the impacts of each child that is a plain text term (most of a
    query: :func:`_word_hits`) gathered and added in one ``np.add.at``, in child order; any
    other child evaluated index-wide and added in its turn (as :func:`_or` does)."""
    mask, scores, _ = _or_within(ctx, node, None)
    return mask, scores


def _or_within(
    ctx: SearchContext, node: Or, lang: str | None
) -> tuple[np.ndarray, np.ndarray, bool]:
    """:func:`_or_index`, and whether every document it matches is in ``lang`` (its children
    all words whose documents all are; False when ``lang`` is None)."""
    mask, scores = _whole_empty(ctx)
    docs: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    within = _or_words(ctx, node, lang, docs, vals, (mask, scores))
    _add_sparse(mask, scores, docs, vals)
    if node.boost != 1.0:
        scores *= np.float32(node.boost)
    return mask, scores, bool(within)


def _or_words(
    ctx: SearchContext,
    node: Or,
    lang: str | None,
    docs: list[np.ndarray],
    vals: list[np.ndarray],
    into: Match | None,
) -> bool | None:
    """The impacts of an OR's words (:func:`_word_hits`) appended to ``docs`` and ``vals`` in
    child order, and whether every document they match is in ``lang`` (False when ``lang`` is
    None). A child that is no plain word (a phrase, a group, a column field...): with
    ``into``, (mask, scores) index-wide, what was gathered before it is added there, then the
    child evaluated index-wide and added in its turn (and False: its documents are not known
    to be in ``lang``); without, None at once."""
    within = lang is not None
    words = ctx.word_table("hits")  # (read here for each word, without a call)
    inside = ctx.word_table(_WITHIN.get(lang) or "within " + lang) if lang is not None else {}
    for child in node.children:
        found = words.get(child, _NOT_KEPT) if type(child) is Term else _NOT_KEPT
        hits: list[Postings] | None = (
            _word_hits(ctx, child) if found is _NOT_KEPT else found  # type: ignore[assignment]
        )
        if hits is None:
            if into is None:
                return None
            within = False
            mask, scores = into
            _add_sparse(mask, scores, docs, vals)
            m, s = evaluate_index(child, ctx)
            mask |= m
            scores += s
            continue
        if within:
            flag = inside.get(child) if type(child) is Term else None
            within = _hits_within(ctx, child, hits, lang) if flag is None else flag  # type: ignore[arg-type]
        for at, values in hits:
            docs.append(at)
            vals.append(values)
    return within


_WITHIN: dict[str, str] = {lang: "within " + lang for lang in LANGS}
"""The name of the word table of whether a word's documents all are in a language."""


def _hits_within(ctx: SearchContext, node: Any, hits: list[Postings], lang: str) -> bool:
    """Whether every document of a leaf's ``hits`` is in ``lang`` (kept per word)."""
    word = type(node) is Term and node.field is None
    table = ctx.word_table(_WITHIN.get(lang) or "within " + lang) if word else None
    found: bool | None = None if table is None else table.get(node)
    if found is None:
        in_lang = ctx.whole_lang_mask(lang)
        found = all(bool(in_lang[at.astype(np.intp, copy=False)].all()) for at, _ in hits)
        if table is not None:
            ctx.remember_word((_WITHIN.get(lang) or "within " + lang), node, found)
    return found


def _word_hits(ctx: SearchContext, node: Any) -> list[Postings] | None:
    """The index-wide impacts (:func:`whole_impacts`, boosted) of a plain text leaf, one per
    language that matches it, or None when it is not one (see :func:`_sparse_leaf`). A
    word's are kept per snapshot (:attr:`SnapshotCache.leaves`): what a word matches and
    scores does not depend on the query around it. A prefix, wildcard or fuzzy term expands
    in each search (its expansions count against the search's budget)."""
    if type(node) is Term and node.field is None:
        table = ctx.word_table("hits")
        found = table.get(node, _NOT_KEPT)
        if found is _NOT_KEPT:
            found = _hits_of(ctx, _sparse_leaf(ctx, node))
            ctx.remember_word("hits", node, found)
        hits: list[Postings] | None = found
        return hits
    return _hits_of(ctx, _sparse_leaf(ctx, node))


def _hits_of(ctx: SearchContext, groups: list[_Group] | None) -> list[Postings] | None:
    if groups is None:
        return None
    out = []
    for lang, fields, terms, boost in groups:
        hit = whole_impacts(ctx, lang, fields, terms, boost)
        if hit is not None:
            out.append(hit)
    return out


def _whole_node(node: Node, ctx: SearchContext) -> Match:
    """:func:`evaluate` of a node no plan covers, index-wide: text words and phrases from the
    snapshot's cached impacts (:func:`_text_index`), boolean nodes from their children
    evaluated index-wide, with the arithmetic of :func:`evaluate` (element by element, so the
    same values); any other node per segment."""
    if isinstance(node, (Term, Phrase)):
        if node.field in COLUMN_FIELDS or node.field == ID_FIELD:
            return _by_segment(node, ctx)
        return _text_index(ctx, node)
    if isinstance(node, (And, Or)):  # (an OR of plain terms has a plan: a Synonyms, an AND)
        results = [evaluate_index(c, ctx) for c in node.children]
        return _combine(node, results) if results else _whole_empty(ctx)
    if isinstance(node, Not):
        m, _ = evaluate_index(node.child, ctx)
        return ~m, np.zeros(m.size, dtype=np.float32)
    if isinstance(node, AndNot):
        m, s = evaluate_index(node.positive, ctx)
        neg, _ = evaluate_index(node.negative, ctx)
        mask = m & ~neg
        return mask, np.where(mask, s * np.float32(node.boost), np.float32(0))
    if isinstance(node, AndMaybe):
        m, s = evaluate_index(node.required, ctx)
        _, opt = evaluate_index(node.optional, ctx)
        return m, np.where(m, (s + opt) * np.float32(node.boost), np.float32(0))
    return _by_segment(node, ctx)


def _whole_empty(ctx: SearchContext) -> Match:
    size = int(ctx.offsets()[-1])
    return np.zeros(size, dtype=bool), np.zeros(size, dtype=np.float32)


def _text_index(ctx: SearchContext, node: Term | Phrase) -> Match:
    """:func:`_text` index-wide: each language's word or phrase added from its index-wide
    impacts where :func:`_text` adds a segment's (``+=`` of an array that is zero elsewhere:
    the same sums)."""
    fields = ctx.fields_of(node.field)
    mask, scores = _whole_empty(ctx)
    slop = node.slop if isinstance(node, Phrase) else 0
    for lang, terms, rel in _leaf_terms(ctx, node):
        if rel is None:
            hit = whole_impacts(ctx, lang, fields, terms, node.boost)
        else:
            hit = whole_phrase(ctx, lang, fields, terms, rel, slop, node.boost)
        if hit is not None:
            mask[hit[0]] = True
            scores[hit[0]] += hit[1]
    return mask, _scored(node.field, scores)


def _by_segment(node: Node, ctx: SearchContext) -> Match:
    """:func:`evaluate` per segment, joined index-wide."""
    parts = [evaluate(node, ctx, seg) for seg in ctx.reader.segments]
    if not parts:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.float32)
    return np.concatenate([m for m, _ in parts]), np.concatenate([s for _, s in parts])


def _leaf_plan(ctx: SearchContext, node: Term | Prefix | Wildcard | Fuzzy) -> list[_Group] | None:
    """:func:`_sparse_leaf` of a leaf, made once per search."""
    key = ("leaf", id(node), ctx.langs)
    found = ctx.plans.get(key)
    if found is None or found[0] is not node:
        found = ctx.plans[key] = (node, _sparse_leaf(ctx, node))
    groups: list[_Group] | None = found[1]
    return groups


def _bag_groups(ctx: SearchContext, node: BagOfWords) -> list[_Group]:
    """The term groups of plain text, as :func:`_bag` scores them (each distinct term, its
    boost times how often it occurs)."""
    fields = ctx.fields_of(node.field)
    out: list[_Group] = []
    for lang in node.langs or ctx.langs:
        counts: dict[str, int] = {}
        for t in ctx.analyse(lang, node.text)[0]:
            counts[t] = counts.get(t, 0) + 1
        out.extend((lang, fields, [t], node.boost * c) for t, c in counts.items())
    return out


def _twin_docs(ctx: SearchContext) -> np.ndarray | None:
    """The index-wide numbers of the documents with a twin, in order, or None when no
    document has one (cached per snapshot)."""
    key = ("twin docs",)
    if key not in ctx.cache.whole:
        _, partner = twin_partners(ctx.reader)
        docs = np.flatnonzero(partner >= 0)
        docs.flags.writeable = False
        ctx.cache.whole[key] = docs if docs.size else None
    out: np.ndarray | None = ctx.cache.whole[key]
    return out


def _cross_index(ctx: SearchContext, node: CrossLingual) -> Match:
    """:func:`evaluate` of a :class:`CrossLingual` node index-wide (see
    :func:`evaluate_index` for the arithmetic in place of ``np.where``)."""
    m1, s1 = evaluate_index(node.query, ctx)
    _other_lang(ctx, node, m1, s1)
    if node.concepts is not None:
        # s1 is zero outside m1 (and stays zero times any factor): the factor of the
        # matches only, element by element the same as _concept_factor's (a concept's
        # weight added once where any of its terms matches)
        covered = np.zeros(int(ctx.offsets()[-1]), dtype=np.float32)
        total = 0.0
        parts: list[np.ndarray] = []
        weights: list[float] = []
        for weight, docs in _concept_docs(ctx, node.concepts):
            total += weight
            if docs is not None:
                parts.append(docs)
                weights.append(weight)
        if parts:
            # each concept's weight added where its documents are (each once in a concept),
            # concept after concept: one ``np.add.at`` adds them in that order, as one call
            # per concept did (the same float32 sums)
            np.add.at(
                covered,
                np.concatenate(parts, dtype=np.intp),
                np.repeat(np.array(weights, dtype=np.float32), [p.size for p in parts]),
            )
        at = np.flatnonzero(m1)
        s1[at] *= _concept_power(node.concepts, covered[at], total)
        ctx.plans[("matched", id(node))] = (node, m1, at)  # (see matched_docs)
    return m1, s1


def _other_lang(ctx: SearchContext, node: CrossLingual, m1: np.ndarray, s1: np.ndarray) -> None:
    """The other language's part of a cross-lingual query (its translation, else the query as
    typed there; a twinned document's share of it) added into the query's ``m1`` and ``s1``."""
    m2, s2 = evaluate_index(node.translation, ctx)
    if node.as_typed is not None and not _typed_into(ctx, node.as_typed, m2, s2):
        m3, s3 = evaluate_index(node.as_typed, ctx)
        # the translation's score, else the query's as typed: ``s2 + s3 * ~m2``, where s2 is
        # zero outside m2 and s3 outside m3, so only the documents of m3 outside m2 change
        # (to s3: 0 + s3)
        only = np.flatnonzero(m3 & ~m2)
        s2[only] += s3[only]
        m2 |= m3
    twinned = _twin_docs(ctx)
    if twinned is not None:  # a story told in the query's language ranks in it
        # (times TWIN_SHARE where a document has a twin, as :func:`evaluate` multiplies by a
        # factor of 1 elsewhere, which changes nothing)
        s2[twinned] *= np.float32(TWIN_SHARE)
    m1 |= m2
    s1 += s2


def _typed_into(ctx: SearchContext, typed: Node, m2: np.ndarray, s2: np.ndarray) -> bool:
    """Where the translation (``m2``, ``s2``) misses, the query as typed in the other
    language (``typed``, an :class:`InLanguage` of an OR of words), added in place: what
    :func:`_cross_index` does with ``typed`` evaluated index-wide, without arrays over every
    document. Its words' impacts at the documents of its language outside ``m2`` are added
    into ``s2``, zero there, in child order (the additions of :func:`_or_within`, from the
    same zero), then boosted once per document (``s2[at] *= b`` reads every document's sum
    before it writes), as :func:`evaluate_index` boosts. False (nothing done) for any other
    shape, or a child that is no plain word."""
    if type(typed) is not InLanguage or type(typed.query) is not Or:
        return False
    docs: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    within = _or_words(ctx.in_language(typed.lang), typed.query, typed.lang, docs, vals, None)
    if within is None:
        return False
    if not docs:
        return True  # it matches nothing
    at = np.concatenate(docs, dtype=np.intp)
    keep = ~m2[at]
    if not within:
        keep &= ctx.whole_lang_mask(typed.lang)[at]
    at = at[keep]
    if not at.size:
        return True
    np.add.at(s2, at, np.concatenate(vals)[keep])
    if typed.query.boost != 1.0:
        s2[at] *= np.float32(typed.query.boost)
    if typed.boost != 1.0:
        s2[at] *= np.float32(typed.boost)
    m2[at] = True
    return True


def matched_docs(node: Node, ctx: SearchContext, mask: np.ndarray) -> np.ndarray:
    """``mask.nonzero()[0]`` of the mask :func:`evaluate_index` gave for ``node`` (the root
    of the search), without a second pass when evaluating it already listed them."""
    found = ctx.plans.get(("matched", id(node)))
    if found is not None and found[0] is node and found[1] is mask:
        docs: np.ndarray = found[2]
        return docs
    return mask.nonzero()[0]


def _concept_docs(ctx: SearchContext, concepts: Concepts) -> list[tuple[float, np.ndarray | None]]:
    """Per concept of ``concepts``, in order: its weight and the index-wide documents any of
    its terms (in the query's language) or of its translation's groups matches, sorted and
    each once (None: none), kept per concept for the snapshot (a concept is a query word
    and its translation: the same in every query that holds it)."""
    fields = ctx.fields_of(concepts.field)
    table = ctx.word_table("concept docs")
    out: list[tuple[float, np.ndarray | None]] = []
    for src_terms, groups, weight in concepts.items:
        key = (concepts.src, concepts.tgt, fields, src_terms, groups)
        docs = table.get(key, _NOT_KEPT)
        if docs is _NOT_KEPT:
            sctx, tctx = ctx.in_language(concepts.src), ctx.in_language(concepts.tgt)
            found = [
                hit[0]
                for c, lang, terms in [(sctx, concepts.src, (t,)) for t in src_terms]
                + [(tctx, concepts.tgt, g) for g in groups]
                if (hit := whole_impacts(c, lang, fields, terms, 1.0)) is not None
            ]
            own = 0  # entries of an array of its own (counted in the impacts cache's bound)
            if not found:
                docs = None
            elif len(found) == 1:
                docs = found[0]  # the impacts cache's array (sorted, each once): no copy
            else:
                # compact (4 bytes a document) while the index's numbers fit
                small = int(ctx.offsets()[-1]) <= np.iinfo(np.int32).max
                docs = unique(  # (no np.ma import)
                    np.concatenate(found, dtype=np.int32 if small else np.intp)
                )
                own = int(docs.size)
            ctx.remember_word("concept docs", key, docs, own)
        out.append((weight, docs))
    return out


def _concept_terms(
    ctx: SearchContext, concepts: Concepts
) -> list[tuple[SearchContext, str, tuple[str, ...], tuple[str, ...]]]:
    """(context, language, fields, terms) of every term group of ``concepts``, in order: per
    concept, its terms in the query's language one by one, then its groups in the other."""
    fields = ctx.fields_of(concepts.field)
    sctx, tctx = ctx.in_language(concepts.src), ctx.in_language(concepts.tgt)
    out: list[tuple[SearchContext, str, tuple[str, ...], tuple[str, ...]]] = []
    for src_terms, groups, _ in concepts.items:
        out.extend((sctx, concepts.src, fields, (t,)) for t in src_terms)
        out.extend((tctx, concepts.tgt, fields, g) for g in groups)
    return out


def _concept_factor(
    concepts: Concepts, hits: list[tuple[np.ndarray, np.ndarray] | None], size: int
) -> np.ndarray:
    """Per document, the share of the concepts' weight it matches (a concept counts when
    any of its terms, or any of its translation's groups, matches), to ``concepts.power``.

    Each concept's weight is added where its terms match only (``covered[docs] += weight``:
    a document several of its terms match is gathered once per index and written the same
    sum, so it counts once): per document the same float32 additions in the same order as
    adding a mask of the concept times its weight (``x + 0 == x``), without a pass over
    every document per concept."""
    covered = np.zeros(size, dtype=np.float32)
    total = 0.0
    i = 0
    for src_terms, groups, weight in concepts.items:
        n = len(src_terms) + len(groups)
        found = [hit[0] for hit in hits[i : i + n] if hit is not None]
        i += n
        total += weight
        if found:
            docs = (
                found[0].astype(np.intp, copy=False)
                if len(found) == 1
                else np.concatenate(found, dtype=np.intp)
            )
            covered[docs] += np.float32(weight)
    return _concept_power(concepts, covered, total)


def _concept_power(concepts: Concepts, covered: np.ndarray, total: float) -> np.ndarray:
    """The concept factor from the weight each document ``covered`` of the ``total``."""
    if total <= 0:
        return np.ones(covered.size, dtype=np.float32)
    # a document matched otherwise (a country's other name, the query as typed) counts as
    # matching the least of the concepts
    least = min([w for _, _, w in concepts.items])
    factor: np.ndarray = np.maximum(covered, np.float32(least))
    factor /= np.float32(total)
    np.power(factor, np.float32(concepts.power), out=factor)
    return factor


TWIN_SHARE = 0.01
"""The share of its translated score a document keeps when its twin is in the index: it still
matches (translation never narrows a query), below the documents found in their own right."""


def _twinned(ctx: SearchContext, seg: SegmentSource) -> np.ndarray | None:
    """Which documents of ``seg`` have a twin (their story in the other language, see
    :mod:`searchlib.search.twins`) in the index, or None when none has. What the translation
    of a query scores on them counts :data:`TWIN_SHARE` only: the story is there in the
    query's language, and ranks by how well that version matches the query as typed (the
    translation of a story does not compete with its original)."""
    cache = ctx.cache.twinned
    if seg.name in cache:
        return cache[seg.name]
    out: np.ndarray | None = None
    for i, s in enumerate(ctx.reader.segments):
        if s is seg:
            offsets, partner = twin_partners(ctx.reader)
            found = partner[int(offsets[i]) : int(offsets[i]) + seg.ndocs] >= 0
            out = found if found.any() else None
            break
    cache[seg.name] = out
    return out


def best_score(node: Node, ctx: SearchContext, boosts: bool = True) -> float:
    """An upper bound of what ``node`` can score on one document: BM25F saturates towards a
    term's idf, so a leaf's bound is the sum of its terms' idf (times its boost), a boolean
    node's the sum of its scored parts. ``boosts=False`` leaves out the boost of ``node``
    itself when it is an :class:`InLanguage` or a :class:`BagOfWords` (its weight in a
    cross-lingual query). Filters, ranges and NOT score nothing. A form's scores divided by
    this bound compare across queries and languages (the share of what it could score)."""
    if type(node) is Term and node.field is None:  # (most of a query: its words)
        table = ctx.word_table("best")
        found: float | None = table.get(node)
        if found is None:
            found = _best_word(node, ctx)
            ctx.remember_word("best", node, found)
        return found
    if isinstance(node, InLanguage):
        inner = best_score(node.query, ctx.in_language(node.lang))
        return inner * node.boost if boosts else inner
    if isinstance(node, TermGroups):
        tctx, fields = ctx.in_language(node.lang), ctx.fields_of(node.field)
        total = sum(w * tctx.idf(node.lang, fields, terms) for terms, w in node.groups)
        return total * node.boost if boosts else total
    if isinstance(node, CrossLingual):
        other = best_score(node.translation, ctx)
        if node.as_typed is not None:
            other = max(other, best_score(node.as_typed, ctx))
        return best_score(node.query, ctx) + other
    if isinstance(node, BagOfWords):
        fields = ctx.fields_of(node.field)
        total = 0.0
        for lang in node.langs or ctx.langs:
            counts: dict[str, int] = {}
            for t in ctx.analyse(lang, node.text)[0]:
                counts[t] = counts.get(t, 0) + 1
            total += sum(c * ctx.idf(lang, fields, (t,)) for t, c in counts.items())
        return total * node.boost if boosts else total
    if isinstance(node, (Term, Phrase)):
        if node.field in COLUMN_FIELDS or node.field in (ID_FIELD, AUTHOR_FIELD):
            return 0.0
        fields = ctx.fields_of(node.field)
        key = ("best", node, ctx.langs, fields)  # fixed for a snapshot: kept in its cache
        found = ctx.cache.whole.get(key)
        if found is None:
            if len(ctx.cache.whole) >= _WHOLE_SIZE:
                ctx.cache.whole.clear()  # (what else it holds is made again when needed)
            found = ctx.cache.whole[key] = _best_word(node, ctx)
        return found
    if isinstance(node, (Prefix, Wildcard, Fuzzy)):
        if node.field in COLUMN_FIELDS or node.field == AUTHOR_FIELD:
            return 0.0
        fields = ctx.fields_of(node.field)
        total = 0.0
        for lang in ctx.langs:
            expanded = ctx.expand(lang, fields, node)
            total += ctx.idf(lang, fields, tuple(expanded)) if expanded else 0.0
        return total * node.boost
    if isinstance(node, (And, Or)):
        table = ctx.word_table("best")  # (its words' bounds, read here without a call each)
        parts = []
        for c in node.children:
            found = table.get(c) if type(c) is Term and c.field is None else None
            parts.append(best_score(c, ctx) if found is None else found)
        return sum(parts) * node.boost
    if isinstance(node, AndNot):
        return best_score(node.positive, ctx) * node.boost
    if isinstance(node, AndMaybe):
        return (best_score(node.required, ctx) + best_score(node.optional, ctx)) * node.boost
    return 0.0


def _best_word(node: Term | Phrase, ctx: SearchContext) -> float:
    """:func:`best_score` of a word or phrase: its terms' idf, times its boost."""
    fields = ctx.fields_of(node.field)
    text = node.text if isinstance(node, Term) else " ".join(node.words)
    total = 0.0
    for lang in ctx.langs:
        terms = set(ctx.analyse(lang, text)[0])
        total += sum(ctx.idf(lang, fields, (t,)) for t in terms)
    return total * node.boost


def explain(
    node: Node,
    ctx: SearchContext,
    seg: SegmentSource,
    docnum: int,
) -> Explanation:
    """How ``node`` scored document ``docnum`` of ``seg``: a tree whose parts sum to the score."""
    mask, scores = evaluate(node, ctx, seg)
    value = float(scores[docnum])
    children: Iterable[Node] = ()
    if isinstance(node, CrossLingual):
        children = (node.query, node.translation)
    elif isinstance(node, InLanguage):
        children = (node.query,)
        ctx = ctx.in_language(node.lang)
    elif isinstance(node, (And, Or)):
        children = node.children
    elif isinstance(node, AndNot):
        children = (node.positive,)
    elif isinstance(node, AndMaybe):
        children = (node.required, node.optional)
    details = tuple(explain(c, ctx, seg, docnum) for c in children)
    if isinstance(node, TermGroups) and mask[docnum]:
        details = _explain_groups(node, ctx, seg, docnum)
    if isinstance(node, CrossLingual):
        typed, translated = details
        weight = getattr(node.translation, "boost", 1.0)
        form = "query translated"
        if node.as_typed is not None and not evaluate(node.translation, ctx, seg)[0][docnum]:
            translated = explain(node.as_typed, ctx, seg, docnum)
            form = "query as typed, in the other language (the translation misses it)"
        twinned = _twinned(ctx, seg)
        if twinned is not None and twinned[docnum] and translated.value:
            form += f" x {TWIN_SHARE} (its story is in the index in the query's language)"
            translated = attrs.evolve(translated, value=translated.value * TWIN_SHARE)
        details = (
            attrs.evolve(typed, description=f"query as typed: {typed.description}"),
            attrs.evolve(
                translated,
                description=f"{form} (weight {weight:.3f}"
                + (f": {node.note}" if node.note else "")
                + f"): {translated.description}",
            ),
        )
    label = f"{type(node).__name__} {node!r}" if not details else f"sum of {type(node).__name__}"
    if details and getattr(node, "boost", 1.0) != 1.0:
        label += f" x boost {getattr(node, 'boost', 1.0)}"
    if isinstance(node, CrossLingual) and node.concepts is not None:
        label += _explain_concepts(node.concepts, ctx, seg, docnum)
    if not mask[docnum]:
        label = f"no match: {node!r}"
    elif not details and value:
        label = f"BM25F {node!r} (k1={ctx.bm25.k1})"
    return Explanation(value, label, details)


def _explain_concepts(
    concepts: Concepts, ctx: SearchContext, seg: SegmentSource, docnum: int
) -> str:
    """The factor the share of the query's concepts ``docnum`` matches puts on its score,
    and which concepts (by their terms in the query's language) it matches."""
    terms = _concept_terms(ctx, concepts)
    hits = [score_sparse(c, seg, lang, f, t, 1.0) for c, lang, f, t in terms]
    factor = float(_concept_factor(concepts, hits, seg.ndocs)[docnum])
    matched = []
    i = 0
    for src_terms, groups, _ in concepts.items:
        n = len(src_terms) + len(groups)
        if any(h is not None and docnum in h[0] for h in hits[i : i + n]):
            matched.append(" ".join(src_terms))
        i += n
    return (
        f" x {factor:.3f} (the share of the query's concepts it matches, in either language, "
        f"to the power {concepts.power}: {len(matched)} of {len(concepts.items)}"
        + (f", {', '.join(matched)}" if matched else "")
        + ")"
    )


def _explain_groups(
    node: TermGroups, ctx: SearchContext, seg: SegmentSource, docnum: int
) -> tuple[Explanation, ...]:
    """What each group of a translation (one word of the query, its translations) scored on
    ``docnum``: the translated words that matched (before the node's boost)."""
    fields = ctx.fields_of(node.field)
    lctx = ctx.in_language(node.lang)
    out = []
    for terms, weight in node.groups:
        hit = score_sparse(lctx, seg, node.lang, fields, terms, weight)
        if hit is None:
            continue
        at = int(np.searchsorted(hit[0], docnum))
        if at < hit[0].size and hit[0][at] == docnum:
            label = f"BM25F {' | '.join(terms)} ({node.lang}, one term" + (
                f" x {weight:g})" if weight != 1 else ")"
            )
            out.append(Explanation(float(hit[1][at]), label, ()))
    return tuple(out)
