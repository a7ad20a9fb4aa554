"""The Snowball stemmers: nltk's, loaded without the seconds nltk spends importing scipy, or
libstemmer's (PyStemmer) where its output is the same.

PyStemmer runs the Snowball algorithms compiled to C, 20-40x faster than nltk's pure Python.
For Spanish its stems equal nltk's (checked on every distinct Spanish word of the shared corpora,
37,603 words, and by ``tests/analysis/test_analysis_vocabulary.py``), so Spanish uses it when it
is installed. English does not: PyStemmer ships the newer Snowball English (``organization``
-> ``organiz`` where nltk gives ``organ``, 86 of 53,276 words differ), and index terms must not
depend on which library happens to be installed.

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
from collections.abc import Callable
from typing import cast

__all__ = ["snowball_stemmer"]

_SAME_IN_LIBSTEMMER = frozenset({"spanish"})


def snowball_stemmer(language: str) -> Callable[[str], str]:
    """The stem function of Snowball ``language``: ``SnowballStemmer(language).stem`` of nltk,
    or the same algorithm from PyStemmer where both give the same stems."""
    if language in _SAME_IN_LIBSTEMMER:
        try:
            import Stemmer  # PyStemmer
        except ImportError:
            pass
        else:  # no cache of its own: the analyzers cache every word's term
            return cast(Callable[[str], str], Stemmer.Stemmer(language, 0).stemWord)
    return nltk_stemmer(language)


def nltk_stemmer(language: str) -> Callable[[str], str]:
    """``nltk.stem.snowball.SnowballStemmer(language).stem``."""
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
    return cast(Callable[[str], str], SnowballStemmer(language).stem)
