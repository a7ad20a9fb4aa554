"""The Snowball stemmers: nltk's (its public ``nltk.stem.snowball.SnowballStemmer``), or
libstemmer's (PyStemmer) where its output is the same, or for English nltk's algorithm ported
into :mod:`searchlib.analysis._english` (same stems, without importing nltk).

PyStemmer runs the Snowball algorithms compiled to C. For Spanish its stems equal nltk's
(checked on every distinct Spanish word of the shared corpora by
``tests/analysis/test_analysis_vocabulary.py``), so Spanish uses it when it is installed.
English does not: PyStemmer ships the newer Snowball English (``organization`` -> ``organiz``
where nltk gives ``organ``), and index terms must not depend on which library happens to be
installed (PyStemmer 3.1's English gives another stem than nltk's for 88 of the 144,962
distinct normalized words of the shared corpora and the news file: ``added`` -> ``add`` for
nltk's ``ad``, ``international`` -> ``internat`` for ``intern``, ``biologist`` -> ``biolog``,
``emergency`` -> ``emergenc`` for ``emerg``...: newer Snowball rules, not bugs of either).
English uses :func:`~searchlib.analysis._english.english_stem`, nltk's
``EnglishStemmer.stem`` ported: importing nltk (its whole package) took a large
share of an indexing process's CPU, in every worker again (figure: benchmarks/README.md).

nltk (Spanish without PyStemmer, and :func:`nltk_stemmer`) is imported when a word first
needs it, not before: ``import nltk.stem.snowball`` imports
the whole nltk package, and ``nltk.metrics`` imports ``scipy.stats`` when scipy is installed,
only for collocation statistics searchlib never uses. When neither nltk nor scipy is imported
yet, nltk is imported with scipy marked absent (a ``None`` entry in ``sys.modules``, which makes
``import scipy`` raise ImportError: nltk then treats scipy as not installed) and the mark is
removed at once, so scipy imports normally afterwards. Process CPU of the import here:
0.66-0.70 s as is, 0.18-0.21 s with scipy marked absent. Set ``SEARCHLIB_NLTK_WITH_SCIPY=1`` to
import nltk unchanged.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, cast

__all__ = ["nltk_stemmer", "snowball_stemmer", "snowball_stemmers"]

_SAME_IN_LIBSTEMMER = frozenset({"spanish"})


def snowball_stemmer(language: str) -> Callable[[str], str]:
    """The stem function of Snowball ``language``: ``SnowballStemmer(language).stem`` of nltk,
    or the same algorithm from PyStemmer where both give the same stems, or (English) nltk's
    algorithm ported into :mod:`searchlib.analysis._english`."""
    return snowball_stemmers(language)[0]


def snowball_stemmers(
    language: str,
) -> tuple[Callable[[str], str], Callable[[list[str]], list[str]]]:
    """:func:`snowball_stemmer` of ``language`` and the same for a list of words at a time
    (PyStemmer's ``stemWords``, one call for the whole list, where it is used)."""
    if language == "english":
        from searchlib.analysis._english import english_stem

        return english_stem, _one_at_a_time(english_stem)
    if language in _SAME_IN_LIBSTEMMER:
        try:
            import Stemmer  # PyStemmer
        except ImportError:
            pass
        else:  # no cache of its own: the analyzers cache every word's term
            stemmer = Stemmer.Stemmer(language, 0)
            fast = cast(Callable[[str], str], stemmer.stemWord)
            fast_many = cast(Callable[[list[str]], list[str]], stemmer.stemWords)
            slow = nltk_stemmer(language)

            def libstemmer(word: str) -> str:
                try:
                    return fast(word)
                except UnicodeEncodeError:  # lone surrogates: libstemmer takes UTF-8 only
                    return slow(word)

            def libstemmer_many(words: list[str]) -> list[str]:
                try:
                    return fast_many(words)
                except UnicodeEncodeError:  # a lone surrogate somewhere: word by word
                    return list(map(libstemmer, words))

            return libstemmer, libstemmer_many
    stem = nltk_stemmer(language)
    return stem, _one_at_a_time(stem)


def _one_at_a_time(stem: Callable[[str], str]) -> Callable[[list[str]], list[str]]:
    def many(words: list[str]) -> list[str]:
        return list(map(stem, words))

    return many


def nltk_stemmer(language: str) -> Callable[[str], str]:
    """``nltk.stem.snowball.SnowballStemmer(language).stem``, nltk imported at the first word."""
    stem: list[Callable[[str], str]] = []

    def nltk_stem(word: str) -> str:
        if not stem:
            stem.append(_snowball_stemmer_class()(language).stem)
        return stem[0](word)

    return nltk_stem


def _snowball_stemmer_class() -> Any:
    """nltk's public ``SnowballStemmer`` class (see the module docstring for the import)."""
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
    return SnowballStemmer
