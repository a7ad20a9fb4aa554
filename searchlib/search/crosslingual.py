"""Cross-lingual search: the query plus its translation into the other language, weighed.

The translation itself is made node by node by :mod:`searchlib.search.translate`; here it is
weighed (:func:`with_translation`): by the lexicon's coverage of the query's words and by how
well the query's own language already answers it (:func:`answered`), and each country the query
names also matches the country's other names (:func:`with_place_names`).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from searchlib._types import is_lang, other_lang
from searchlib.search import translate
from searchlib.search.context import SearchContext
from searchlib.search.execute import best_score, evaluate_whole
from searchlib.search.fusion import with_bag_translation
from searchlib.search.places import expand_places
from searchlib.search.query import AnyQuery, BagOfWords, CrossLingual, InLanguage, TextQuery
from searchlib.search.translate import coverage, query_language, query_words

__all__ = [
    "ANSWERED_POWER",
    "CROSS_WEIGHT",
    "MIN_CONFIDENCE",
    "answered",
    "with_place_names",
    "with_translation",
]

CROSS_WEIGHT = 2.0
"""Weight of the translated part of a query relative to the query itself, at full confidence:
every content word of the query translated, and no document of the query's language matching
it (see :func:`with_translation`)."""


ANSWERED_POWER = 3.0
"""How sharply the translation's weight falls as the query's own language answers it: the
weight is multiplied by ``(1 - answered) ** ANSWERED_POWER`` (see :func:`answered`)."""

MIN_CONFIDENCE = 0.25
"""The confidence of a translation none of whose words the lexicon knows: the words are kept
as written (names, numbers, words spelt alike in both languages), which is still evidence."""


def with_place_names(q: AnyQuery) -> AnyQuery:
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
            inner = q.query.query if isinstance(q.query, InLanguage) else q.query
            if typed.query is inner and isinstance(query, InLanguage):
                expanded = query.query  # the query itself, most often: expanded once
            else:
                expanded = _place_names(typed.query)
            typed = attrs.evolve(typed, query=expanded)
        # its note kept
        return attrs.evolve(q, query=query, translation=translation, as_typed=typed)
    if isinstance(q, InLanguage):
        return attrs.evolve(q, query=_place_names(q.query))
    return _place_names(q)


def _place_names(q: TextQuery) -> TextQuery:
    return q if isinstance(q, BagOfWords) else expand_places(q)


def with_translation(
    q: AnyQuery,
    lang: str | None,
    context: Callable[[str], SearchContext],
    cross_weight: float = CROSS_WEIGHT,
    detected: bool = False,
) -> AnyQuery:
    """``q`` plus its translation into the other language, when the query's language is
    known (given, or detected from its words) and the lexicon translates any of them.

    The translation weighs ``cross_weight`` times its confidence (from the share of the
    query's content words it carries over, see :func:`~searchlib.search.translate.coverage`)
    times the share of the query that its own language leaves unanswered (1 -
    :func:`answered`, to the power :data:`ANSWERED_POWER`): a query that documents of its
    language answer well keeps them first, one they barely match leans on the translation.
    A document whose story is also in the index in the query's language is not matched by
    the translation (see :data:`~searchlib.search.execute.TWIN_SHARE`). ``detected``: the
    query's language was detected, so the other language's documents also keep what the
    query matches as typed (:attr:`~searchlib.search.query.CrossLingual.as_typed`).
    ``context(lang)``: the search's context in one language."""
    if isinstance(q, (CrossLingual, InLanguage)):
        return q
    src = lang or query_language(query_words(q))
    if not is_lang(src):
        return q
    ctx = context(src)
    if not ctx.reader.lang_doc_count(other_lang(src)):
        return q  # nothing to find in the other language
    if isinstance(q, BagOfWords):  # plain text: like with like (search/fusion.py)
        return with_bag_translation(q, src, ctx, as_typed=detected)
    confidence = MIN_CONFIDENCE + (1 - MIN_CONFIDENCE) * coverage(query_words(q), src)
    share = answered(q, ctx)
    weight = cross_weight * confidence * (1.0 - share) ** ANSWERED_POWER
    note = (
        f"{cross_weight} x confidence {confidence:.2f} (from the share of the {src} "
        f"query's words translated) x {1 - share:.2f}^{ANSWERED_POWER:g} (share left "
        f"unanswered by the best {src} document)"
    )
    return translate.with_translation(q, src, weight, note, as_typed=detected)


def answered(q: TextQuery, ctx: SearchContext) -> float:
    """How well the query's own language (``ctx``'s one language) answers it: the best score
    of the query's words (all optional, as plain text) over the documents of its language, as
    a share of what they could score at best (0..1). Filter clauses, operators and the
    search's filters play no part, so they never change the translation's weight (a filter
    never reorders hits)."""
    (src,) = ctx.langs
    part = BagOfWords(q.text if isinstance(q, BagOfWords) else query_words(q), langs=(src,))
    bound = best_score(part, ctx)
    if bound <= 0:
        return 0.0
    docs, scores = evaluate_whole(part, ctx)
    live = ctx.whole_live()
    if live is not None:
        scores = scores[live[docs]]
    top = float(scores.max()) if scores.size else 0.0
    return min(1.0, top / bound)
