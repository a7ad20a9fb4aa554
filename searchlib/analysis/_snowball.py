"""Loading nltk's Snowball stemmers without the seconds nltk spends importing scipy.

``import nltk`` imports its whole package, and ``nltk.metrics`` imports ``scipy.stats`` when
scipy is installed (about 2 s here, against 0.5 s without it) only for its collocation
statistics, which searchlib never uses. When neither nltk nor scipy is imported yet, the import
of nltk runs with scipy hidden; nltk then treats scipy as absent (its Fisher exact test raises
NotImplementedError), and everything else, scipy included, imports normally afterwards.
Set ``SEARCHLIB_NLTK_WITH_SCIPY=1`` to import nltk unchanged.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["snowball_stemmer"]


def snowball_stemmer(language: str) -> Any:
    """``nltk.stem.snowball.SnowballStemmer(language)``."""
    hide = (
        "nltk" not in sys.modules
        and "scipy" not in sys.modules
        and not os.environ.get("SEARCHLIB_NLTK_WITH_SCIPY")
    )
    if hide:
        sys.modules["scipy"] = None  # type: ignore[assignment]  # makes `import scipy` fail
    try:
        from nltk.stem.snowball import SnowballStemmer
    finally:
        if hide and sys.modules.get("scipy", 0) is None:
            del sys.modules["scipy"]
    return SnowballStemmer(language)
