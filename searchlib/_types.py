"""Domain type aliases shared by every layer."""

from __future__ import annotations

from typing import Literal

DocId = str
"""A document's stable external id."""

Lang = Literal["en", "es"]
"""A language searchlib analyses."""

LANGS: tuple[Lang, ...] = ("en", "es")

UNDETERMINED = "und"
"""What language detection returns when it cannot tell."""

Score = float
