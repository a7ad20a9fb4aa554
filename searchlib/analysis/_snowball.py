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
Set ``SEARCHLIB_NLTK_WITH_SCIPY=1`` to import nltk unchanged (whole, with scipy).

Even without scipy, ``import nltk`` takes about 0.3 s (its parsers, corpora readers, grammar and
translation packages), paid by every indexing command and every worker process. When nltk is
not imported yet, its ``nltk/stem/snowball.py`` is run on its own instead
(:class:`_PrivateNltk`): only the modules the stemmers import (``nltk.stem.api``, ``util``,
``porter``, ``nltk.redos``, ``nltk.termsec``) run, from nltk's own files, into private module
objects; ``sys.modules`` is not touched, so a later ``import nltk`` anywhere in the process
imports the whole package normally. The stemmer classes are nltk's own code either way; if
loading them so fails (another nltk layout), nltk is imported whole.
"""

from __future__ import annotations

import builtins
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Callable
from typing import Any, cast

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
    EnglishStemmer = _load_snowball().EnglishStemmer  # noqa: N806  (nltk's class)

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
    return cast(Callable[[str], str], _load_snowball().SnowballStemmer(language).stem)


_SNOWBALL: list[Any] = []  # nltk's snowball module, once loaded


def _load_snowball() -> Any:
    """nltk's ``nltk.stem.snowball`` module, without importing the whole of nltk when it is
    not imported yet (see the module docstring)."""
    if not _SNOWBALL:
        module = None
        if "nltk" not in sys.modules and not os.environ.get("SEARCHLIB_NLTK_WITH_SCIPY"):
            try:
                module = _snowball_alone()
            except Exception:  # another nltk layout: import it whole
                module = None
        _SNOWBALL.append(module or _import_nltk_snowball())
    return _SNOWBALL[0]


def _snowball_alone() -> types.ModuleType | None:
    spec = importlib.util.find_spec("nltk")
    if spec is None or not spec.submodule_search_locations:
        return None
    return _PrivateNltk(list(spec.submodule_search_locations)).module("nltk.stem.snowball")


class _PrivateNltk:
    """Modules of nltk run from nltk's own files into private module objects: never put in
    ``sys.modules``, so nothing another thread imports meanwhile can see or lose them. Their
    ``import nltk...`` statements resolve here (through their own ``__import__``); the
    packages ``nltk``, ``nltk.stem`` and ``nltk.corpus`` are empty stand-ins whose
    ``__init__`` is not run; every other import is the normal one."""

    PACKAGES = {"nltk": "", "nltk.stem": "stem", "nltk.corpus": "corpus"}

    def __init__(self, roots: list[str]) -> None:
        self.roots = roots
        self.modules: dict[str, types.ModuleType] = {}
        self.builtins = {**vars(builtins), "__import__": self.import_}

    def module(self, name: str) -> types.ModuleType:
        found = self.modules.get(name)
        if found is not None:
            return found
        mod = types.ModuleType(name)
        self.modules[name] = mod
        if name in self.PACKAGES:
            mod.__path__ = [os.path.join(r, self.PACKAGES[name]) for r in self.roots]
            if name == "nltk.corpus":
                # snowball.py imports the reader of nltk's stop word lists, used only with
                # ignore_stopwords=True (never here)
                mod.stopwords = None  # type: ignore[attr-defined]
        else:
            parts = name.split(".")[1:]
            path = next(
                (f for r in self.roots if os.path.isfile(f := os.path.join(r, *parts) + ".py")),
                None,
            )
            if path is None:
                raise ImportError(f"no nltk module {name}")
            mod.__file__ = path
            mod.__dict__["__builtins__"] = self.builtins
            # nltk's own code (from its .pyc when up to date), as `import` would run it
            importlib.machinery.SourceFileLoader(name, path).exec_module(mod)
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(self.module(parent), child, mod)
        return mod

    def import_(
        self,
        name: str,
        globals: Any = None,  # noqa: A002  (the signature of __import__)
        locals: Any = None,  # noqa: A002
        fromlist: Any = (),
        level: int = 0,
    ) -> Any:
        if level or not (name == "nltk" or name.startswith("nltk.")):
            return builtins.__import__(name, globals, locals, fromlist, level)
        mod = self.module(name)
        if not fromlist:
            return self.module("nltk")
        for item in fromlist:
            if not hasattr(mod, item):
                self.module(f"{name}.{item}")
        return mod


def _import_nltk_snowball() -> Any:
    hide = (
        "nltk" not in sys.modules
        and "scipy" not in sys.modules
        and not os.environ.get("SEARCHLIB_NLTK_WITH_SCIPY")
    )
    if hide:
        sys.modules["scipy"] = None  # type: ignore[assignment]  # makes `import scipy` fail
    try:
        import nltk.stem.snowball
    finally:
        if hide and sys.modules.get("scipy", 0) is None:
            del sys.modules["scipy"]
    return nltk.stem.snowball
