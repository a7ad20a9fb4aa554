"""Snippets: the passage of a stored text that best matches the query, words marked as written.

The text is re-analysed with its document's language chain; a word is highlighted when its term
is one the query looked for, so ``erradicación`` is marked for the query ``erradicacion`` and the
marked text is always the word as written, never a stem.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from searchlib.analysis import get_analyzer

__all__ = ["make_snippet"]

_SPACE = re.compile(r"\s+")


def make_snippet(
    text: str,
    lang: str,
    is_match: Callable[[str], bool],
    width: int = 220,
    open_tag: str = "<b>",
    close_tag: str = "</b>",
) -> str:
    """The ``width``-character window of ``text`` holding the most distinct matched terms."""
    if not text:
        return ""
    tokens = get_analyzer(lang).tokens(text)
    matched = [t for t in tokens if is_match(t.term)]
    if not matched:
        return _clip(text, 0, width)
    best = (0, 0)  # (distinct terms, index into matched)
    for i, first in enumerate(matched):
        seen = {t.term for t in matched[i:] if t.end - first.start <= width}
        if len(seen) > best[0]:
            best = (len(seen), i)
    first = matched[best[1]]
    start = max(0, first.start - width // 5)
    # Start on a word boundary.
    if start > 0:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and first.start - space < width // 3 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first.end else end
    parts = []
    cursor = start
    for t in matched:
        if t.start >= start and t.end <= end:
            parts.append(text[cursor : t.start])
            parts.append(f"{open_tag}{text[t.start : t.end]}{close_tag}")
            cursor = t.end
    parts.append(text[cursor:end])
    body = _SPACE.sub(" ", "".join(parts)).strip()
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _clip(text: str, start: int, width: int) -> str:
    if len(text) <= width:
        return _SPACE.sub(" ", text).strip()
    cut = text.rfind(" ", 0, width)
    return _SPACE.sub(" ", text[: cut if cut > 0 else width]).strip() + "…"
