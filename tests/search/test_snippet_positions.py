"""Snippets read where the query's terms occur from the index's positions instead of analysing
the hit's text again: the matches, and so the snippets, must be exactly those the analysis finds.

The oracle is the analysis path of :func:`make_snippet` (the text's terms and positions from the
language chain), over generated texts with the shapes that make positions drift when the index
and the text disagree: stop words (which keep a position), numbers with separators, acronyms,
apostrophes, accents, punctuation, several paragraphs, teasers in place of bodies.
"""

from __future__ import annotations

import random
from itertools import compress

from hypothesis import given, settings
from hypothesis import strategies as st

import searchlib
from searchlib import Brief, RelatedItem
from searchlib.analysis import get_analyzer
from searchlib.index.documents import field_name
from searchlib.search.highlight import indexed_matches, make_snippet

WORDS = {
    "en": [
        "the",
        "of",
        "and",
        "police",
        "Police",
        "coca",
        "growers",
        "U.S.",
        "2,000",
        "23.5",
        "1990s",
        "don't",
        "O'Neill",
        "cartel's",
        "cartels",
        "Peru",
        "seized",
        "is",
        "a",
        "border",
        "café",
        "naïve",
        "it’s",
        "x",
        "Bogotá",
    ],
    "es": [
        "la",
        "de",
        "el",
        "y",
        "policía",
        "Policía",
        "coca",
        "cocaleros",
        "EE.UU.",
        "2.000",
        "3,5",
        "año",
        "ano",
        "niño",
        "erradicación",
        "erradicacion",
        "Perú",
        "incautó",
        "que",
        "frontera",
        "sicarios",
        "narcotráfico",
        "l'Aquila",
        "Bogotá",
        "es",
    ],
}
GLUE = [" ", " ", " ", ", ", ". ", " (", ") ", "; ", " - ", "\n", " «", "» ", "'", ' "']


@st.composite
def texts(draw: st.DrawFn, lang: str) -> list[str]:
    paragraphs = []
    for _ in range(draw(st.integers(1, 3))):
        words = draw(st.lists(st.sampled_from(WORDS[lang]), min_size=1, max_size=40))
        glue = draw(st.lists(st.sampled_from(GLUE), min_size=len(words), max_size=len(words)))
        paragraphs.append("".join(w + g for w, g in zip(words, glue, strict=True)).strip())
    return paragraphs


@st.composite
def corpora(draw: st.DrawFn) -> list[tuple[str, list[str], bool]]:
    out = []
    for _ in range(draw(st.integers(1, 6))):
        lang = draw(st.sampled_from(["en", "es"]))
        out.append((lang, draw(texts(lang)), draw(st.booleans())))
    return out


def _analysed(text: str, lang: str, wanted: frozenset[str]) -> list[tuple[int, str]]:
    terms, positions = get_analyzer(lang).terms(text)
    return list(compress(zip(positions, terms, strict=True), map(wanted.__contains__, terms)))


@settings(max_examples=40, deadline=None)
@given(corpora(), st.randoms(use_true_random=False))
def test_indexed_matches_are_the_analysed_matches(
    docs: list[tuple[str, list[str], bool]], rnd: random.Random
) -> None:
    index = searchlib.create_index()
    briefs: list[Brief | RelatedItem] = []
    for i, (lang, paragraphs, as_teaser) in enumerate(docs):
        if as_teaser:  # a related item: its teaser is its text
            briefs.append(
                RelatedItem(
                    section="s", date=None, teaser=" ".join(paragraphs), lang=lang, id=f"d{i}"
                )
            )
        else:
            briefs.append(Brief(id=f"d{i}", lang=lang, title="t", body=paragraphs))
    index.add_many(briefs)
    index.commit()
    reader = index.reader
    for seg in reader.segments:
        for docnum in range(seg.ndocs):
            doc = seg.stored(docnum)
            lang = doc["lang"]
            teaser = doc.get("teaser") if doc.get("kind") == "related" else None
            field = "teaser" if teaser else "body"
            text = teaser or "\n\n".join(doc.get("body", ()))
            terms = sorted(set(get_analyzer(lang).terms(text)[0]))
            wanted = frozenset(rnd.sample(terms, min(len(terms), rnd.randint(1, 4)))) | {"zzq"}
            found = indexed_matches(seg, field_name(field, lang), docnum, wanted)
            assert found == _analysed(text, lang, wanted)
            assert make_snippet(text, lang, wanted.__contains__, found=found) == make_snippet(
                text, lang, wanted.__contains__
            )
