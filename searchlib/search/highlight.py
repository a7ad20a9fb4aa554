"""Snippets: the passage of a stored text that best matches the query, words marked as written.

The text is re-analysed with its document's language chain; a word is highlighted when its term
is one the query looked for, so ``erradicación`` is marked for the query ``erradicacion`` and the
marked text is always the word as written, never a stem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import compress
from typing import NamedTuple

from searchlib.analysis import get_analyzer
from searchlib.analysis.tokenizer import TOKEN_RE

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
    """The ``width``-character window of ``text`` holding the most distinct matched terms.

    Matches are found with the analyzer's cached fast path (terms and positions); character
    offsets are then computed only for the matched words up to the end of the chosen window.
    """
    if not text:
        return ""
    terms, positions = get_analyzer(lang).terms(text)
    hits = list(compress(zip(positions, terms, strict=True), map(is_match, terms)))
    if not hits:
        return _clip(text, 0, width)
    span = max(1, width // 7)  # words in a window, at about 7 characters a word
    best = (0, 0)  # (distinct terms, index into hits)
    for i, (first_pos, _) in enumerate(hits):
        seen = {t for p, t in hits[i:] if p - first_pos < span}
        if len(seen) > best[0]:
            best = (len(seen), i)
    first_pos = hits[best[1]][0]
    wanted = {p for p, _ in hits if first_pos - span // 3 <= p < first_pos + span * 2}
    last = max(wanted)
    matched = []
    first = _Span(0, 0)
    for pos, m in enumerate(TOKEN_RE.finditer(text)):
        if pos in wanted:
            matched.append(_Span(m.start(), m.end()))
            if pos == first_pos:
                first = matched[-1]
        if pos >= last:
            break
    start = max(0, first.start - width // 5)
    # Start on a word boundary: after the space before ``start`` when it is near enough,
    # else after the next space (which is at or before the first match).
    if start > 0:
        space = text.rfind(" ", 0, start)
        if space >= 0 and first.start - space < width // 3:
            start = space + 1
        elif space < 0 and first.start < width // 3:
            start = 0
        else:
            start = text.find(" ", start, first.start) + 1 or first.start
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


class _Span(NamedTuple):
    start: int
    end: int


def _clip(text: str, start: int, width: int) -> str:
    if len(text) <= width:
        return _SPACE.sub(" ", text).strip()
    cut = text.rfind(" ", 0, width)
    return _SPACE.sub(" ", text[: cut if cut > 0 else width]).strip() + "…"
