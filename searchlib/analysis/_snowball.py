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
            fast = cast(Callable[[str], str], Stemmer.Stemmer(language, 0).stemWord)

            def libstemmer(word: str) -> str:
                try:
                    return fast(word)
                except UnicodeEncodeError:  # lone surrogates: libstemmer takes UTF-8 only
                    return nltk_stemmer(language)(word)

            return libstemmer
    stem = nltk_stemmer(language)
    if language == "english":
        return _skip_unchanged_english(stem)
    return stem


def _skip_unchanged_english(stem: Callable[[str], str]) -> Callable[[str], str]:
    """nltk's English ``stem`` without the call for the words it returns unchanged.

    Every step of the algorithm (nltk's ``EnglishStemmer``) acts only on a word that ends with
    one of that step's suffixes (step 1c: ``y``; step 5: ``e``, ``l``), and words of one or two
    letters are returned as they are. A lowercase ASCII word without a leading apostrophe that
    ends with none of them (and is not one of nltk's special words) comes back unchanged: 41% of
    the distinct English words of the corpora, which skip a call of about 15 us (checked against
    nltk on all 53,276 of them, and by ``tests/analysis/test_analysis_vocabulary.py``). The
    suffixes are read from nltk's class.
    """
    from nltk.stem.snowball import EnglishStemmer

    steps = ("step0", "step1a", "step1b", "step2", "step3", "step4", "step5")
    suffixes = {"y", "e", "l"}
    for step in steps:
        suffixes.update(getattr(EnglishStemmer, f"_EnglishStemmer__{step}_suffixes"))
    endings = tuple(sorted(suffixes, key=len, reverse=True))
    special = frozenset(EnglishStemmer._EnglishStemmer__special_words)

    def english_stem(word: str) -> str:
        if (
            word.isascii()  # no curly apostrophes for nltk to straighten
            and word.islower()
            and word[0] != "'"
            and (len(word) <= 2 or not word.endswith(endings))
            and word not in special
        ):
            return word
        return stem(word)

    return english_stem


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
