"""Small record factories for index tests."""

from __future__ import annotations

import datetime as dt

from searchlib.records import Brief, RelatedItem

WORDS_EN = (
    "coca cocaine cartel police border prison gang extortion army drug trafficking president"
).split()
WORDS_ES = (
    "coca cocaína cártel policía frontera cárcel pandilla extorsión ejército droga "
    "narcotráfico presidente"
).split()


def brief(
    i: int, lang: str = "en", words: int = 12, related: tuple[RelatedItem, ...] = ()
) -> Brief:
    """A deterministic brief whose text depends on ``i``."""
    vocab = WORDS_EN if lang == "en" else WORDS_ES
    body = " ".join(vocab[(i * 7 + k * 3) % len(vocab)] for k in range(words))
    return Brief(
        id=f"{lang}-{i}",
        lang=lang,
        title=f"{vocab[i % len(vocab)]} {i}",
        body=[body],
        date=dt.date(2010 + i % 10, 1 + i % 12, 1 + i % 28),
        countries=["Peru" if i % 2 else "Mexico"],
        related=related,
    )
