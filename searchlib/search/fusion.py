"""Cross-lingual fusion for plain text: a document ranks by how well it matches the query in its
own language, whichever language the query was typed in (issue 19).

A plain-text query (every word optional: ``search_text``, ``searchlib eval``, a pasted
paragraph) is translated word by word: each word of the query (or each multi-word lexicon
entry it holds: ``cobro de piso``) becomes a group of terms of the other language, scored as
one term (:class:`~searchlib.search.query.TermGroups`):

- its lexicon translations;
- else its cognates in the index (:mod:`searchlib.search.cognates`: ``hipótesis`` /
  ``hypothesis``), the word itself among them when the other language spells it alike and it
  is long enough (``piano``); and, for a name or a number (capitalised, or holding a digit),
  the word as written. A short lowercase word is never searched as written: Spanish ``era``
  and ``son`` are verbs, not the English nouns.

A group counts only when the other language's documents hold one of its terms.

The two forms of the query are then put on one scale, like with like. What a document of the
query's language scores is BM25F against what the query could score at best there
(:func:`best_share`); a document of the other language scores its share of what the
translation could score at best, times the translation's confidence: the share of the
query's weight (the idf of its terms) that the translation carries over, by its square root
(:func:`translation_weight`). What "at best" means differs between the languages by the size
of their archives (a word only one document holds has a higher idf in the larger one), so
the translation's best is brought onto the query's by the geometric mean of this query's
ratio and the two languages' (the idf of their rarest words). A document matching every
translated word of a fully translated query therefore weighs about what a document matching
every word of the query weighs in its own language. Scores of the query's own language are
unchanged (the translation is scaled into them), so monolingual rankings are the same as
without translation.

Last, a document's score is multiplied by the share of the query's concepts it matches in
its own language (:data:`CONCEPT_POWER`, :class:`~searchlib.search.query.Concepts`): a
concept is a word of the query or a lexicon entry it holds, matched by its terms in a
document of the query's language and by its translation in one of the other language, and
weighs the square of its idf. Scores alone compare a few common words matched as typed with
rarer ones matched through a weighed translation; the share compares what each document
covers of the query, whatever its language: a brief matching four of six concepts through
the translation rises above a story matching three of them as typed.

A parsed query (the query syntax) of plain words only is translated and weighed the same way
(:func:`plain_words`); one with operators, fields or phrases is translated node by node by
:mod:`searchlib.search.translate`, its structure kept, and weighed like with like too
(:func:`with_tree_translation`: the best scores of the two trees, the idf share of the
query's words the lexicon carries over).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from searchlib.analysis import Analyzer, get_analyzer, load_lexicon
from searchlib.analysis.lemmas import ENGLISH_IRREGULAR, spanish_irregular_forms
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.search.cognates import cognates
from searchlib.search.context import SearchContext
from searchlib.search.execute import best_score
from searchlib.search.query import (
    BagOfWords,
    Concepts,
    CrossLingual,
    InLanguage,
    Or,
    Query,
    Term,
    TermGroups,
)
from searchlib.search.scoring import idf
from searchlib.search.translate import (
    Spans,
    coverage,
    lexicon_spans,
    query_words,
    translate_query,
)

__all__ = [
    "AS_TYPED_SHARE",
    "CROSS_WEIGHT",
    "BagTranslation",
    "best_share",
    "plain_words",
    "translate_bag",
    "translation_weight",
    "with_bag_translation",
    "with_tree_translation",
]

OTHER = {"en": "es", "es": "en"}

CROSS_WEIGHT = 1.0
"""The translation's weight on the common scale: 1.0 puts a document matching the whole
translation of a fully translated query level with one matching the whole query in its own
language."""

CONCEPT_POWER = 0.15
"""How much the share of the query's concepts a document matches, in its own language (the
query's words or their translation), weighs on its score: its score is multiplied by that
share to this power (:class:`~searchlib.search.query.Concepts`). A concept weighs the square
of its idf in the query's language. 0 turns it off."""

AS_TYPED_SHARE = 0.1
"""The weight of the query as typed in the other language's documents (when its language was
only detected: :attr:`~searchlib.search.query.CrossLingual.as_typed`), as a share of the
translation's: it keeps their hits (a stop word of one language may be a name in the other:
``de Beers``) without letting the query's words read in the wrong language rank them
(benchmarks/README.md, "Cross-lingual ranking")."""


@attrs.frozen
class BagTranslation:
    """A plain-text query's translation: the groups of target terms and what the weighing
    needs (see the module docstring)."""

    groups: tuple[tuple[tuple[str, ...], float], ...]
    """(terms of the other language, weight) per group; the weight is how often the query
    holds the word or entry."""
    coverage: float
    """Share of the query's weight (its terms' idf) carried over (0..1)."""
    best: float
    """What the query could score at best in its own language: the sum of its terms' idf (a
    term no document of that language holds counts as the rarest)."""
    best_translated: float
    """What the groups could score at best in the other language."""
    scale: float
    """The two languages' idf scales: the idf of a term only one document of the query's
    language holds over that of a term only one document of the other language holds (their
    collection sizes: a rare word of a large archive weighs more than one of a small one)."""
    lexicon: int
    """Words or entries translated by the lexicon."""
    cognate: int
    """Words matched by spelling (cognates)."""
    written: int
    """Words kept as written (names, numbers, shared words)."""
    concepts: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...], float], ...] = ()
    """Per word of the query (or lexicon entry it holds): its terms, its term groups in the
    other language (none when nothing carries it over) and its weight (its terms' idf)."""


def best_share(score: float, best: float) -> float:
    """A score as a share of what its form of the query could score at best (0..1)."""
    return min(1.0, score / best) if best > 0 else 0.0


def translation_weight(t: BagTranslation, cross_weight: float = CROSS_WEIGHT) -> float:
    """The boost of the translated groups that puts their scores on the scale of the query's
    own language: ``cross_weight x sqrt(coverage) x sqrt(scale x best / best_translated)``
    (0 when nothing is carried over).

    The scale is the geometric mean of this query's (``best / best_translated``) and the two
    languages' (:attr:`BagTranslation.scale`): one query's ratio alone swings with the idf of
    the few words it has (a translation into words common in the other language is boosted
    by as much as they are common); the languages' alone ignores the query. The coverage
    counts by its square root: a translation that carries half the query's weight over is
    still good evidence for the documents it matches."""
    if t.best_translated <= 0 or t.coverage <= 0:
        return 0.0
    return cross_weight * math.sqrt(t.coverage * t.scale * t.best / t.best_translated)


def translate_bag(
    q: BagOfWords, src: str, ctx: SearchContext, spans: Spans | None = None
) -> BagTranslation:
    """The translation of the plain text ``q`` (written in ``src``) for the other language's
    documents of ``ctx``'s reader (whose vocabulary the cognates and words as written are
    checked against). ``spans``: the lexicon's entries found so far in this search
    (:data:`~searchlib.search.translate.Spans`)."""
    tgt = OTHER[src]
    fields = ctx.fields_of(q.field)
    sctx, tctx = ctx.in_language(src), ctx.in_language(tgt)
    source, target = get_analyzer(src), get_analyzer(tgt)
    # each word's term ("" for a stop word): the text's terms (what Analyzer.terms gives:
    # its words' terms, stop words left out), read once for the counts, the lexicon's
    # entries and the words left
    words = TOKEN_RE.findall(q.text)
    every = list(map(source.term, words))
    counts: dict[str, int] = {}
    for term in every:
        if term:
            counts[term] = counts.get(term, 0) + 1
    unseen = _unseen(ctx, src)
    weight = {t: c * (sctx.idf(src, fields, (t,)) or unseen) for t, c in counts.items()}
    best = sum(weight.values())
    groups: dict[tuple[str, ...], float] = {}
    covered: set[str] = set()
    kinds = {"lexicon": 0, "cognate": 0, "written": 0}
    concepts: dict[tuple[str, ...], set[tuple[str, ...]]] = {}

    def add(held: list[tuple[tuple[str, ...], float]], src_terms: set[str], kind: str) -> None:
        """One word's (or lexicon entry's) translation: the term groups of it the other
        language's documents hold (:func:`_held`) and their shares; counted once as ``kind``
        when there is any."""
        concept = concepts.setdefault(tuple(sorted(src_terms)), set())
        for key, share in held:
            groups[key] = groups.get(key, 0.0) + share
            concept.add(key)
        if held:
            covered.update(src_terms)
            kinds[kind] += 1

    in_entry = [False] * len(words)
    entries = tctx.word_table("entries held")  # an entry's groups held: fixed for a snapshot
    for start, end, found in lexicon_spans(load_lexicon(), words, src, spans):
        in_entry[start:end] = [True] * (end - start)
        src_terms = {t for t in every[start:end] if t}
        if src_terms:
            found_key = (tuple(found), fields)
            held = entries.get(found_key)
            if held is None:
                held = _held(_entry_groups(found, target), tctx, tgt, fields)
                tctx.remember_word("entries held", found_key, held)
            add(held, src_terms, "lexicon")
    table = None
    known = ctx.word_table("cognates")  # a word's (terms, kind): fixed for a snapshot
    for word, entry, term in zip(words, in_entry, every, strict=True):
        if entry or not term or term in covered:
            continue
        cached = known.get((word, tgt, fields))
        if cached is None:
            name = word[:1].isupper() or any(c.isdigit() for c in word)
            terms = set(target.terms(word)[0]) if name else set()
            if table is None:
                table = cognates(ctx.reader, tgt, fields)
            norm = source.normalize(word)
            similar = table.find(norm, itself=not name)
            if similar:
                terms |= table.terms(similar)
            cached = (
                _held([(terms, 1.0)], tctx, tgt, fields),
                "cognate" if set(similar) - {norm} else "written",
            )
            ctx.remember_word("cognates", (word, tgt, fields), cached)
        add(cached[0], {term}, cached[1])
    held = {t for c in concepts for t in c}  # (a word of its own: in no other concept)
    for term in weight:
        if term not in held:
            concepts[(term,)] = set()
    carried = sum(weight.get(t, 0.0) for t in covered)
    best_translated = sum(w * tctx.idf(tgt, fields, g) for g, w in groups.items())
    return BagTranslation(
        groups=tuple(groups.items()),
        coverage=min(1.0, carried / best) if best > 0 else 0.0,
        best=best,
        best_translated=best_translated,
        scale=_scale(ctx, src),
        lexicon=kinds["lexicon"],
        cognate=kinds["cognate"],
        written=kinds["written"],
        concepts=tuple(
            (terms, tuple(sorted(keys)), sum(weight.get(t, 0.0) for t in terms) ** 2)
            for terms, keys in concepts.items()
        ),
    )


def _held(
    parts: list[tuple[set[str], float]], tctx: SearchContext, tgt: str, fields: tuple[str, ...]
) -> list[tuple[tuple[str, ...], float]]:
    """The term groups of ``parts`` (as sorted tuples) that documents of ``tgt`` hold, in
    order, with their shares."""
    out = []
    for terms, share in parts:
        key = tuple(sorted(terms))
        if key and tctx.idf(tgt, fields, key) > 0:
            out.append((key, share))
    return out


def _entry_groups(found: Sequence[str], target: Analyzer) -> list[tuple[set[str], float]]:
    """:func:`_groups_of` of a lexicon entry's translations, kept per entry (never changed:
    shared)."""
    key = (tuple(found), target.lang)
    out = _ENTRY_GROUPS.get(key)
    if out is None:
        if len(_ENTRY_GROUPS) >= _ENTRY_GROUPS_SIZE:
            _ENTRY_GROUPS.clear()
        out = _ENTRY_GROUPS[key] = _groups_of(found, target)
    return out


_ENTRY_GROUPS: dict[tuple[tuple[str, ...], str], list[tuple[set[str], float]]] = {}
_ENTRY_GROUPS_SIZE = 50_000


def _groups_of(found: Sequence[str], target: Analyzer) -> list[tuple[set[str], float]]:
    """The term groups of a lexicon entry's translations and their shares of the entry's
    weight, the first translation (the lexicon's main one) leading; a group matches any of
    its terms and a document's translated score sums its groups' scores times their shares.
    A one-word main translation is one group with the entry's other one-word translations
    (``sicario`` -> ``hitman``; not ``hit``, ``man``, ``contract``, ``killer`` of ``hit
    man`` and ``contract killer``: a word of a multi-word unit alone means something else). A
    multi-word main translation gives each of its n words a group with 1/sqrt(n) of the
    weight, so a document scores it whole only with them all (``narcotráfico`` -> ``drug`` +
    ``trafficking``: one word alone, 0.71 of a word's score; both, 1.41, as a two-word query
    scores more than a one-word one, but less than two whole words; 1/n put the translation
    below its one-word source: InSight unnamed 0.70, 1: Spanish stories below English ones for
    a Spanish word), and the other one-word translations one more group, whole
    (``narcotrafficking``)."""
    analysed = [target.terms(f)[0] for f in found]
    if not analysed:
        return []
    # an English verb's irregular forms join its group (flee: fled)
    irregular = {t for f, terms in zip(found, analysed, strict=True) if len(terms) == 1
                 for t in _irregular_terms(f, target)}  # fmt: skip
    main = list(dict.fromkeys(analysed[0]))
    single = {t for terms in analysed[1:] if len(terms) == 1 for t in terms} - set(main)
    if len(main) == 1:
        return [(set(main) | single | irregular, 1.0)]
    single |= irregular
    groups = [({t}, 1.0 / math.sqrt(len(main))) for t in main]
    return groups + ([(single, 1.0)] if single else [])


def _irregular_terms(found: str, target: Analyzer) -> list[str]:
    """When ``found`` is an English verb with irregular forms, the terms of those forms
    (:data:`~searchlib.analysis.lemmas.ENGLISH_IRREGULAR`: ``flee``: ``fled``), else []."""
    if target.lang == "en":
        forms: Sequence[str] = ENGLISH_IRREGULAR.get(found.lower(), ())
    else:
        forms = spanish_irregular_forms(target.normalize(found)) if " " not in found else []
    return [t for f in forms for t in target.terms(f)[0]]


def with_bag_translation(
    q: BagOfWords,
    src: str,
    ctx: SearchContext,
    cross_weight: float = CROSS_WEIGHT,
    as_typed: bool = False,
    tree: Query | None = None,
) -> BagOfWords | CrossLingual | Query:
    """``q`` plus its translation, weighed like with like (see the module docstring); ``q``
    alone when nothing of it carries over (no second pass). ``as_typed`` (the query's
    language was only detected): the other language's documents also keep what ``q`` matches
    as typed, at :data:`AS_TYPED_SHARE` of the translation's weight (of ``cross_weight`` when
    nothing else carries over: a stop word of the query's language may be a name in the
    other). ``tree``: the query as parsed, when it is plain
    words (:func:`plain_words`): it is what runs in the query's own language (its country
    names widened like any parsed query's), ``q`` its words."""
    t = translate_bag(q, src, ctx)
    weight = translation_weight(t, cross_weight)
    if weight <= 0 and not as_typed:
        return q if tree is None else tree
    tgt = OTHER[src]
    if weight <= 0:  # nothing carried over: the words as typed still count (names: de Beers)
        t, weight = attrs.evolve(t, groups=()), cross_weight
    note = (
        f"like with like: {t.coverage:.2f} of the {src} query's weight carried over "
        f"({t.lexicon} by the lexicon, {t.cognate} as cognates, {t.written} as written); "
        f"its best {src} score {t.best:.2f} / the translation's best {tgt} score "
        f"{t.best_translated:.2f}, with the languages' idf scale {t.scale:.2f}"
    )
    translation = TermGroups(tgt, t.groups, q.field, weight)
    concepts = _concepts(t, src, q.field)
    if tree is None:
        typed = BagOfWords(q.text, q.field, weight * AS_TYPED_SHARE, (tgt,)) if as_typed else None
        return CrossLingual(q, translation, note, typed, concepts)
    typed_tree = InLanguage(tree, tgt, weight * AS_TYPED_SHARE) if as_typed else None
    return CrossLingual(InLanguage(tree, src), translation, note, typed_tree, concepts)


def plain_words(q: Query) -> str | None:
    """The words of a parsed query that is nothing but words (a word, or an OR of words, on
    the default fields, unboosted), as plain text: such a query is weighed as plain text is
    (:func:`with_bag_translation`), whichever syntax it was read with. None for any other
    query (operators, fields, filters, phrases, boosts: translated node by node,
    :func:`with_tree_translation`)."""
    words = [q]
    if isinstance(q, Or) and type(q) is Or and q.boost == 1:
        words = list(q.children)
    if not all(isinstance(w, Term) and w.field is None and w.boost == 1 for w in words):
        return None
    return " ".join(w.text for w in words if isinstance(w, Term))


def with_tree_translation(
    q: Query,
    src: str,
    ctx: SearchContext,
    cross_weight: float = CROSS_WEIGHT,
    as_typed: bool = False,
) -> CrossLingual:
    """A parsed query (operators, fields, phrases) plus its translation node by node
    (:func:`~searchlib.search.translate.translate_query`, the structure kept), weighed like
    with like as plain text is: ``cross_weight x sqrt(coverage x scale x best /
    best_translated)``, with the best scores of the query and of its translation
    (:func:`~searchlib.search.execute.best_score`) and the share of the query's words' idf
    that the lexicon carries over (names and numbers as written)."""
    tgt = OTHER[src]
    spans: Spans = {}  # (the lexicon's entries in the query's words: read once)
    translated = InLanguage(translate_query(q, src, spans=spans), tgt)
    sctx = ctx.in_language(src)
    fields = ctx.fields_of(None)
    unseen = _unseen(ctx, src)
    words = query_words(q)
    # a word no document of the query's language holds counts as the rarest (as in plain text)
    missing = {t for t in sctx.analyse(src, words)[0] if sctx.idf(src, fields, (t,)) <= 0}
    best = best_score(InLanguage(q, src), ctx) + unseen * len(missing)
    best_translated = best_score(translated, ctx)
    cov = coverage(words, src, weight=lambda t: sctx.idf(src, fields, (t,)) or unseen, spans=spans)
    t = BagTranslation((), cov, best, best_translated, _scale(ctx, src), 0, 0, 0)
    weight = translation_weight(t, cross_weight)
    note = (
        f"like with like: {cov:.2f} of the {src} query's weight carried over; its best "
        f"{src} score {best:.2f} / the translation's best {tgt} score {best_translated:.2f}, "
        f"with the languages' idf scale {t.scale:.2f}"
    )
    typed = InLanguage(q, tgt, weight * AS_TYPED_SHARE) if as_typed else None
    # the concepts of its words, as plain text's (a filter clause changes no score)
    concepts = _concepts(translate_bag(BagOfWords(words), src, ctx, spans), src, None)
    translated = attrs.evolve(translated, boost=weight)
    return CrossLingual(InLanguage(q, src), translated, note, typed, concepts)


def _concepts(t: BagTranslation, src: str, field: str | None) -> Concepts | None:
    """The :class:`~searchlib.search.query.Concepts` of a translation (None when there are
    none, or :data:`CONCEPT_POWER` is 0)."""
    if CONCEPT_POWER <= 0 or not t.concepts:
        return None
    return Concepts(src, OTHER[src], field, t.concepts, CONCEPT_POWER)


def _scale(ctx: SearchContext, src: str) -> float:
    """:attr:`BagTranslation.scale` for a query in ``src``."""
    return _unseen(ctx, src) / _unseen(ctx, OTHER[src])


def _unseen(ctx: SearchContext, lang: str) -> float:
    """The idf of a term no document of ``lang`` holds (cached per snapshot)."""
    key = ("unseen idf", lang)
    found: float | None = ctx.cache.whole.get(key)
    if found is None:
        found = ctx.cache.whole[key] = float(idf(0, max(1, ctx.reader.lang_doc_count(lang))))
    return found
