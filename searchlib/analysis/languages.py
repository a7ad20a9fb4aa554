"""Language detection for two languages from stop-word and character statistics."""

from __future__ import annotations

import re

__all__ = ["detect_language"]

_EN = frozenset("the of and to in is was that for with on as by at from it are be this".split())
_ES = frozenset("de la que el en los del se las por un para con una su al lo como es".split())
_WORD = re.compile(r"\w+")


def detect_language(text: str) -> str:
    """Guess the language of ``text``: "en", "es", or "und" when it cannot tell.

    >>> detect_language("La policía detuvo a los sospechosos en el país")
    'es'
    """
    en = es = 0
    for w in _WORD.findall(text.lower()):
        if w in _EN:
            en += 1
        if w in _ES:
            es += 1
    if any(c in text for c in "ñáéíóú¿¡"):
        es += 1
    if en == es:
        return "und"
    return "en" if en > es else "es"
