"""The stop-word lists shipped as package data (``data/stop_en.txt``, ``data/stop_es.txt``).

Both start from the Snowball lists; each file's header says which words were removed and why
(words that are content words in the other language, such as "once", "con", "sin", "son").
Lists are folded and lowercased like the analyzer input, so the check is a set lookup on the
normalized word.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from searchlib.analysis.tokenizer import normalize_surface
from searchlib.errors import AnalysisError

__all__ = ["load_stopwords", "parse_word_list"]


def parse_word_list(text: str) -> list[str]:
    """Words of a one-word-per-line list; ``#`` starts a comment, blank lines are skipped."""
    words = []
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


@cache
def load_stopwords(lang: str) -> frozenset[str]:
    """The shipped stop words of ``lang``, normalized (lowercase, folded, ASCII apostrophes)."""
    try:
        text = (
            resources.files("searchlib.analysis")
            .joinpath(f"data/stop_{lang}.txt")
            .read_text(encoding="utf-8")
        )
    except FileNotFoundError as exc:
        raise AnalysisError(f"no stop-word list for language {lang!r}") from exc
    return frozenset(normalize_surface(w) for w in parse_word_list(text))
