"""Domain type aliases shared by every layer."""

from __future__ import annotations

from typing import Literal, TypeGuard

DocId = str
"""A document's stable external id."""

Lang = Literal["en", "es"]
"""A language searchlib analyses."""

LANGS: tuple[Lang, ...] = ("en", "es")
"""The languages searchlib analyses, in the order it reports them."""

UNDETERMINED = "und"
"""What language detection returns when it cannot tell."""

Score = float


def is_lang(value: object) -> TypeGuard[Lang]:
    """Whether ``value`` is a language searchlib analyses.

    >>> is_lang("es"), is_lang("fr"), is_lang(None)
    (True, False, False)
    """
    return value in LANGS


def other_lang(lang: Lang) -> Lang:
    """The other language: ``other_lang("en") == "es"``."""
    return "es" if lang == "en" else "en"
