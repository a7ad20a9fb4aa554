"""Snippets: the passage of a stored text that best matches the query, words marked as written.

A word is highlighted when its term is one the query looked for, so ``erradicación`` is marked
for the query ``erradicacion`` and the marked text is always the word as written, never a stem.
Where the query's terms occur is read from the index's positions (:func:`indexed_matches`), so a
hit's text is not analysed again; only the words up to the chosen passage are tokenized, for
their character offsets. A text given without positions is analysed with its language chain.

A snippet is data first (:class:`Snippet`: plain text plus the character spans to highlight), so
a program can render it its own way; :meth:`Snippet.html` is the HTML rendering, with the
document's text escaped (a body may hold ``<KWP>`` or ``<img ...>``) and only the highlight
tags left as markup.

The work is bounded whatever the document's size: the text is analysed in windows of
:data:`SCAN_CHARS` characters, from the start, until one holds a match; the passage is chosen
inside that window, in time linear in its matches. After :data:`MAX_SCAN_CHARS` characters
without a match, the index's positions say where the first match is (its token ordinal): the
scan jumps to where that many tokens fall at the density of the text's start and analyses at
most :data:`JUMP_WINDOWS` windows around it; only when those hold no match either is the
snippet the start of the text, unmarked.
"""

from __future__ import annotations

import html
import re
import sys
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable
from itertools import compress, islice, repeat

import attrs
import numpy as np

from searchlib.analysis import Analyzer, get_analyzer
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.seam import SegmentSource

__all__ = [
    "JUMP_WINDOWS",
    "MAX_SCAN_CHARS",
    "SCAN_CHARS",
    "Snippet",
    "TermPositions",
    "first_indexed_position",
    "indexed_matches",
    "make_snippet",
]

SCAN_CHARS = 32_768
"""Characters of text analysed at once while looking for the first matches."""

MAX_SCAN_CHARS = 1_048_576
"""Characters of a text searched for a match before the snippet falls back to its start."""

JUMP_WINDOWS = 4
"""Windows analysed around the estimated place of a match that lies past
:data:`MAX_SCAN_CHARS` (half of them before it)."""

_SPACE = re.compile(r"\s+")
_CUT_SLACK = 1_000  # how far past a window's end to look for a space to cut at


@attrs.frozen(slots=True)
class Snippet:
    """A passage of a document: its plain ``text`` (whitespace collapsed, ``…`` where cut) and
    the ``spans`` of highlighted words, as ``(start, end)`` character offsets into ``text``."""

    text: str = ""
    spans: tuple[tuple[int, int], ...] = ()

    def fragments(self) -> list[tuple[str, bool]]:
        """The text cut at the highlights: ``(piece, highlighted)`` in order."""
        out: list[tuple[str, bool]] = []
        cursor = 0
        for start, end in self.spans:
            if start > cursor:
                out.append((self.text[cursor:start], False))
            out.append((self.text[start:end], True))
            cursor = end
        if cursor < len(self.text):
            out.append((self.text[cursor:], False))
        return out

    def html(self, open_tag: str = "<b>", close_tag: str = "</b>") -> str:
        """The snippet as HTML element content: ``<``, ``>`` and ``&`` of the text escaped
        (quotes are left as written: not for use inside an attribute), each highlighted word
        inside the tags."""
        text = self.text
        if "<" not in text and ">" not in text and "&" not in text:  # nothing to escape
            out: list[str] = []
            cursor = 0
            for start, end in self.spans:
                out += (text[cursor:start], open_tag, text[start:end], close_tag)
                cursor = end
            out.append(text[cursor:])
            return "".join(out)
        return "".join(
            f"{open_tag}{html.escape(piece, quote=False)}{close_tag}"
            if marked
            else html.escape(piece, quote=False)
            for piece, marked in self.fragments()
        )

    def marked(self, open_mark: str = "*", close_mark: str = "*") -> str:
        """The snippet as plain text with the highlighted words between marks (terminals)."""
        return "".join(
            f"{open_mark}{piece}{close_mark}" if marked else piece
            for piece, marked in self.fragments()
        )


def _window_end(text: str, start: int, size: int) -> int:
    """Where a window of about ``size`` characters from ``start`` ends: at a space, so no word
    is cut (or at ``start + size`` when no space is near)."""
    end = start + size
    if end >= len(text):
        return len(text)
    m = _SPACE.search(text, end, end + _CUT_SLACK)
    return m.start() if m else end


def _positions(seg: SegmentSource, field: str, docnum: int, term: str) -> np.ndarray | None:
    """The positions of ``term`` in document ``docnum``'s ``field``, or None when the document
    does not hold it."""
    ordinal = seg.term_ord(field, term)
    if ordinal < 0:
        return None
    docs, _ = seg.postings_at(field, ordinal)
    i = int(docs.searchsorted(docnum))
    if i == docs.size or int(docs[i]) != docnum:
        return None
    return seg.posting_positions(field, ordinal, i)


def indexed_matches(
    seg: SegmentSource, field: str, docnum: int, terms: Iterable[str]
) -> list[tuple[int, str]]:
    """(position, term) of ``terms`` in document ``docnum``'s ``field``, in text order, read
    from the segment's positions: what :func:`make_snippet` would find by analysing the text
    the field was indexed from, without analysing it."""
    return TermPositions(seg, field, terms).matches(docnum)


class TermPositions:
    """Where some terms occur in one field of one segment, for the hits of one search: each
    term's postings are looked up once (:meth:`matches` is :func:`indexed_matches` of one
    document). The postings of a rare term (most of a query's) are read as a Python list:
    a hit costs a bisection, not a numpy call per term."""

    __slots__ = ("_field", "_seg", "_terms")

    def __init__(self, seg: SegmentSource, field: str, terms: Iterable[str]) -> None:
        self._seg = seg
        self._field = field
        # (term, ordinal, its doc numbers: a list when short)
        self._terms: list[tuple[str, int, list[int] | np.ndarray]] = []
        for term in terms:
            ordinal = seg.term_ord(field, term)
            if ordinal >= 0:
                docs = seg.postings_at(field, ordinal)[0]
                self._terms.append(
                    (term, ordinal, docs.tolist() if docs.size <= _LIST_POSTINGS else docs)
                )

    def matches(self, docnum: int) -> list[tuple[int, str]]:
        """(position, term) of the terms in document ``docnum``, in text order."""
        found: list[tuple[int, str]] = []
        seg, field = self._seg, self._field
        for term, ordinal, docs in self._terms:
            if isinstance(docs, list):
                i = bisect_left(docs, docnum)
                if i == len(docs) or docs[i] != docnum:
                    continue
            else:
                i = int(docs.searchsorted(docnum))
                if i == docs.size or int(docs[i]) != docnum:
                    continue
            found.extend(zip(seg.posting_positions(field, ordinal, i).tolist(), repeat(term)))
        found.sort()
        return found


_LIST_POSTINGS = 512
"""Postings of at most this many documents are read as Python lists by :class:`TermPositions`."""


def first_indexed_position(
    seg: SegmentSource, field: str, docnum: int, terms: Iterable[str]
) -> int | None:
    """The position (token ordinal) of the first of ``terms`` in document ``docnum``'s
    ``field``, or None: one position per term read, whatever the document's size."""
    first: int | None = None
    for term in terms:
        pos = _positions(seg, field, docnum, term)
        if pos is not None and pos.size and (first is None or int(pos[0]) < first):
            first = int(pos[0])
    return first


def make_snippet(
    text: str,
    lang: str,
    is_match: Callable[[str], bool] | None,
    width: int = 220,
    found: list[tuple[int, str]] | None = None,
    first_match: Callable[[], int | None] | None = None,
) -> Snippet:
    """The ``width``-character passage of ``text`` holding the most distinct matched terms
    (the start of ``text`` when ``is_match`` is None: nothing to look for).

    Matches are found with the analyzer's cached fast path (terms and positions), one window
    of :data:`SCAN_CHARS` at a time; character offsets are then computed only for the words
    of the chosen window. ``found``, when given, is the (position, term) list of the matches
    in ``text`` (from the index: :func:`indexed_matches`); it is used when ``text`` is one
    window, in place of analysing it. ``first_match``, when given, returns the position of
    the first match (:func:`first_indexed_position`); it is called only when the first
    :data:`MAX_SCAN_CHARS` characters hold no match.
    """
    if not text:
        return Snippet()
    if is_match is None:
        return _clip(text, width)
    analyzer = get_analyzer(lang)
    base = 0
    hits: list[tuple[int, str]] = []
    chunk = ""
    indexed = found is not None and len(text) <= SCAN_CHARS
    if indexed:
        hits, chunk = found or [], text  # read only
    while not indexed and base < min(len(text), MAX_SCAN_CHARS):
        stop = _window_end(text, base, SCAN_CHARS)
        chunk = text[base:stop]
        terms, positions = analyzer.terms(chunk)
        hits = list(compress(zip(positions, terms, strict=True), map(is_match, terms)))
        if hits or stop >= len(text):
            break
        base = stop
    if not hits and first_match is not None and len(text) > MAX_SCAN_CHARS:
        hits, chunk, base = _jump(text, analyzer, is_match, first_match())
    if not hits:
        return _clip(text, width)
    span = max(1, width // 7)  # words in a window, at about 7 characters a word
    first_pos = hits[_densest(hits, span)][0]
    wanted = {p for p, _ in hits if first_pos - span // 3 <= p < first_pos + span * 2}
    # Character offsets of the marked words only: the words between them are skipped
    # (``first_pos`` is one of ``wanted``); a position past the text's words has none.
    found_spans = _word_spans(chunk, sorted(wanted))
    matched = [(base + a, base + b) for a, b in found_spans.values()]
    first = found_spans.get(first_pos)
    return _passage(text, matched, (base + first[0], base + first[1]) if first else (0, 0), width)


def _word_spans(chunk: str, positions: list[int]) -> dict[int, tuple[int, int]]:
    """The (start, end) offsets in ``chunk`` of its words at ``positions`` (ascending token
    ordinals, as TOKEN_RE finds them one after another), skipping the words between them
    without making a match object of each where the regular expressions allow it."""
    out: dict[int, tuple[int, int]] = {}
    if _SKIPS is None:  # (Python 3.10: no atomic groups) every word's match read
        low = positions[0]
        words = TOKEN_RE.finditer(chunk)
        deque(islice(words, low), maxlen=0)
        spans = list(map(re.Match.span, islice(words, positions[-1] - low + 1)))
        return {p: spans[p - low] for p in positions if p - low < len(spans)}
    pos = 0  # where the search for word number ``done`` starts
    done = 0
    for p in positions:
        skip = p - done
        for n, pattern in _SKIPS:
            while skip >= n:
                m = pattern.match(chunk, pos)
                if m is None:
                    return out
                pos = m.end()
                skip -= n
        # the last few words skipped and the word itself: one match
        word = _TAKES[skip].match(chunk, pos)
        if word is None:
            return out
        out[p] = word.span(1)
        pos, done = word.end(), p + 1
    return out


def _skip_patterns() -> tuple[tuple[int, re.Pattern[str]], ...] | None:
    """Patterns that match exactly ``n`` words from where they start (and what lies before
    each): the same words as ``n`` successive TOKEN_RE searches, each word kept once found.

    Every word starts with a character of :data:`_WORD_START` and a TOKEN_RE search finds
    the first place where one matches (each such character starts at least a word of its own),
    so the characters before a word are skipped as one possessive run of the others instead
    of trying TOKEN_RE at each of them. The word is then :data:`_PLAIN_WORD` (most words) or
    TOKEN_RE's match, in an atomic group (its first alternative that matches, as a search
    takes it), so a text with fewer words fails at once instead of backtracking."""
    if sys.version_info < (3, 11):
        return None
    return tuple(
        (n, re.compile(rf"(?:[^{_WORD_START}]*+{_WORD}){{{n}}}")) for n in (256, 64, 32, 16, 8)
    )


_WORD_START = r"\w\u0300-\u036f"
"""The characters a word (a TOKEN_RE match) may start with: every one of them starts one."""

_PLAIN_WORD = rf"[A-Za-z0-9]++(?![{_WORD_START}]|[.,'’＇][{_WORD_START}])"
"""ASCII letters and digits followed by no word character, nor by a dot, comma or apostrophe
that joins them to one (``U.S``, ``2,000``, ``O'Brien``): exactly the word TOKEN_RE matches
there (no acronym or number of its alternatives is longer, its words take every such
character), in a fraction of the steps; ``said.``, ``year,`` and ``dogs'`` are plain words."""
_WORD = f"(?>{_PLAIN_WORD}|{TOKEN_RE.pattern})"
"""One word as a TOKEN_RE search from its first character finds it."""

_SKIPS = _skip_patterns()

_TAKES = (
    ()
    if _SKIPS is None
    else tuple(
        re.compile(rf"(?:[^{_WORD_START}]*+{_WORD}){{{n}}}[^{_WORD_START}]*+({_WORD})")
        for n in range(8)
    )
)
"""``_TAKES[n]`` skips ``n`` words (fewer than the smallest step of :data:`_SKIPS`) and
matches the next one as its group 1 (Python 3.11 on: possessive quantifiers)."""


def _jump(
    text: str, analyzer: Analyzer, is_match: Callable[[str], bool], position: int | None
) -> tuple[list[tuple[int, str]], str, int]:
    """The matches of the first window holding one near the estimated place of token
    ``position`` (estimated at the density of tokens in the text's first window), with that
    window and its offset; nothing when :data:`JUMP_WINDOWS` windows around it hold none."""
    if position is None:
        return [], "", 0
    sample = text[:SCAN_CHARS]
    per_char = max(1, len(TOKEN_RE.findall(sample))) / len(sample)
    start = max(0, int(position / per_char) - SCAN_CHARS * (JUMP_WINDOWS // 2))
    space = _SPACE.search(text, start, start + _CUT_SLACK) if start else None
    base = space.end() if space else start  # a window starts at a word
    for _ in range(JUMP_WINDOWS):
        if base >= len(text):
            break
        stop = _window_end(text, base, SCAN_CHARS)
        chunk = text[base:stop]
        terms, positions = analyzer.terms(chunk)
        hits = list(compress(zip(positions, terms, strict=True), map(is_match, terms)))
        if hits:
            return hits, chunk, base
        base = stop
    return [], "", 0


def _densest(hits: list[tuple[int, str]], span: int) -> int:
    """Index of the first hit of the earliest run of hits less than ``span`` positions long
    holding the most distinct terms (a sliding window: linear in the hits)."""
    if len(hits) == 1:
        return 0
    counts: dict[str, int] = {}
    best_n, best_i = 0, 0
    most = len({t for _, t in hits})  # no run holds more: the first that does is the answer
    j = 0
    for i, (first_pos, _) in enumerate(hits):
        while j < len(hits) and hits[j][0] - first_pos < span:
            t = hits[j][1]
            counts[t] = counts.get(t, 0) + 1
            j += 1
        if len(counts) > best_n:
            best_n, best_i = len(counts), i
            if best_n == most:
                break
        t = hits[i][1]
        counts[t] -= 1
        if not counts[t]:
            del counts[t]
    return best_i


def _passage(
    text: str, matched: list[tuple[int, int]], first: tuple[int, int], width: int
) -> Snippet:
    """The passage of ``text`` around the ``first`` matched word, with ``matched`` marked."""
    start = max(0, first[0] - width // 5)
    # Start on a word boundary: after the space before ``start`` when it is near enough,
    # else after the next space (which is at or before the first match).
    if start > 0:
        space = text.rfind(" ", max(0, start - width), start)
        if space >= 0 and first[0] - space < width // 3:
            start = space + 1
        elif space < 0 and first[0] < width // 3:
            start = 0
        else:
            start = text.find(" ", start, first[0]) + 1 or first[0]
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first[1] else end
    # The text from ``start`` to ``end`` with the matched words inside it marked: runs of
    # whitespace between them made one space, the passage's ends stripped, ``…`` where cut.
    out: list[str] = ["…"] if start > 0 else []
    length = len(out)
    spans: list[tuple[int, int]] = []
    cursor = start
    for a, b in matched:
        if a >= start and b <= end:
            piece = _squeeze(text[cursor:a])
            if cursor == start:
                piece = piece.lstrip()
            out += (piece, text[a:b])
            length += len(piece)
            spans.append((length, length + b - a))
            length += b - a
            cursor = b
    piece = _squeeze(text[cursor:end]).rstrip()
    out.append(piece.lstrip() if cursor == start else piece)
    if end < len(text):
        out.append("…")
    return Snippet("".join(out), tuple(spans))


def _squeeze(piece: str) -> str:
    """``piece`` with each run of whitespace made one space: ``re.sub(r"\\s+", " ", piece)``
    (``str.split`` and ``\\s`` know the same whitespace), in a third of its time; a piece
    whose only whitespace is single ASCII spaces (printable, no two spaces) as it is."""
    if piece.isprintable() and "  " not in piece:
        return piece
    inner = " ".join(piece.split())
    if not inner:
        return " " if piece else ""
    if piece[0].isspace():
        inner = " " + inner
    if piece[-1].isspace():
        inner += " "
    return inner


def _clip(text: str, width: int) -> Snippet:
    if len(text) <= width:
        return Snippet(" ".join(text.split()))
    cut = text.rfind(" ", 0, width)
    return Snippet(" ".join(text[: cut if cut > 0 else width].split()) + "…")
