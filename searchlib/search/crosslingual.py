"""Cross-lingual search: the query plus its translation into the other language, weighed.

Which translation a query gets (:func:`with_translation`): plain words are translated word by
word, a query with operators, fields or phrases node by node, both weighed like with like
(:mod:`searchlib.search.fusion`); and each country the query names also matches the country's
other names (:func:`with_place_names`).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from searchlib._types import is_lang, other_lang
from searchlib.search.context import SearchContext
from searchlib.search.fusion import (
    CROSS_WEIGHT,
    plain_words,
    with_bag_translation,
    with_tree_translation,
)
from searchlib.search.places import expand_places
from searchlib.search.query import (
    AnyQuery,
    BagOfWords,
    CrossLingual,
    InLanguage,
    TermGroups,
    TextQuery,
)
from searchlib.search.translate import query_language, query_words

__all__ = ["CROSS_WEIGHT", "with_place_names", "with_translation"]


def with_place_names(q: AnyQuery) -> AnyQuery:
    """``q`` with each country it names also matching the country's other names, in both
    languages (:func:`~searchlib.search.places.expand_places`), in the query and in its
    translation; done after the language and translation are settled, which the other names
    must not sway."""
    if isinstance(q, CrossLingual):
        query = q.query
        if isinstance(query, InLanguage):
            query = _in_language(query, _place_names(query.query))
        else:
            query = _place_names(query)
        translation = q.translation
        if isinstance(translation, InLanguage):
            translation = _in_language(translation, _place_names(translation.query))
        typed = q.as_typed
        if isinstance(typed, InLanguage):
            inner = q.query.query if isinstance(q.query, InLanguage) else q.query
            if typed.query is inner and isinstance(query, InLanguage):
                expanded = query.query  # the query itself, most often: expanded once
            else:
                expanded = _place_names(typed.query)
            typed = _in_language(typed, expanded)
        if query is q.query and translation is q.translation and typed is q.as_typed:
            return q  # (most queries: no country named)
        # its note kept
        return attrs.evolve(q, query=query, translation=translation, as_typed=typed)
    if isinstance(q, InLanguage):
        return _in_language(q, _place_names(q.query))
    return _place_names(q)


def _in_language(node: InLanguage, query: TextQuery) -> InLanguage:
    """``node`` running ``query`` (``node`` itself when that is its query already)."""
    return node if query is node.query else attrs.evolve(node, query=query)


def _place_names(q: TextQuery) -> TextQuery:
    return q if isinstance(q, BagOfWords) else expand_places(q)


def with_translation(
    q: AnyQuery,
    lang: str | None,
    context: Callable[[str], SearchContext],
    cross_weight: float = CROSS_WEIGHT,
    detected: bool = False,
    own_only: bool = False,
) -> AnyQuery:
    """``q`` plus its translation into the other language, when the query's language is
    known (given, or detected from its words) and the lexicon translates any of them.

    Weighed like with like (:mod:`searchlib.search.fusion`): a document of the other language
    scores its share of what the translation could score, on the query's own scale, times
    the translation's confidence (the share of the query's weight it carries over). Plain
    text, and a parsed query that is nothing but words (``extorsión de pandillas`` in the
    query syntax), are translated word by word (``fusion.with_bag_translation``); a query
    with operators, fields or phrases node by node, its structure kept
    (``fusion.with_tree_translation``). A document whose story is also
    in the index in the query's language is not matched by the translation (see
    :data:`~searchlib.search.execute.TWIN_SHARE`). ``detected``: the query's language was
    detected, so the other language's documents also keep what the query matches as typed
    (:attr:`~searchlib.search.query.CrossLingual.as_typed`). ``context(lang)``: the search's
    context in one language."""
    if isinstance(q, (CrossLingual, InLanguage)):
        return q
    src = lang or query_language(query_words(q))
    if not is_lang(src):
        return q
    ctx = context(src)
    if not ctx.reader.lang_doc_count(other_lang(src)):
        return q  # nothing to find in the other language
    out: AnyQuery
    if isinstance(q, BagOfWords):  # plain text: like with like (search/fusion.py)
        out = with_bag_translation(q, src, ctx, cross_weight, as_typed=detected)
    elif (words := plain_words(q)) is not None:
        bag = BagOfWords(words)
        out = with_bag_translation(bag, src, ctx, cross_weight, as_typed=detected, tree=q)
    else:
        out = with_tree_translation(q, src, ctx, cross_weight, as_typed=detected)
    if own_only and isinstance(out, CrossLingual):
        if out.concepts is None:
            return out.query
        nothing = TermGroups(other_lang(src), (), None, 0.0)
        return attrs.evolve(out, translation=nothing, as_typed=None)
    return out
