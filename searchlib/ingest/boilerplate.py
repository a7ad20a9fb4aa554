"""Removal of site boilerplate (share widgets, appeals, licence notice, see-also links) from bodies.

One function, :func:`strip_boilerplate`, used for page text, JSONL bodies and plain text alike,
so no boilerplate reaches an indexed body in either language. The lines of
:mod:`searchlib.ingest.layout` are matched exactly; lines worded differently are found by
evidence that does not depend on their wording: near-duplicates of the known lines (word-prefix
Jaccard, :mod:`searchlib.ingest.shingles`), their place (the closing run of template between the
article and the page's lists, widget rows at the top), and repetition across the pages of one
indexing run (:mod:`searchlib.ingest.template`).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable, Mapping

import attrs

from searchlib.ingest.layout import LAYOUTS, Layout, layout_for, normalize_line
from searchlib.ingest.shingles import fingerprint, stop_words, words
from searchlib.ingest.template import line_key

__all__ = ["is_boilerplate", "strip_boilerplate"]

_LEADING_SHARE_WINDOW = 3
"""A share line this close to the top of a body, with body text after it, has only a photo
caption above it."""

_MAX_LINK_TITLE = 160
"""A line after "SEE ALSO:" longer than this is body text, not a link title."""


SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""The characters up to U+3000 that ``str.isspace`` calls spaces, written out: finding them
among the 12,289 took 0.7 ms of the start of ``searchlib index`` (the tests check the list)."""

_SPACES_QUOTES = str.maketrans(
    dict.fromkeys(SPACES, " ") | {"’": "'", "‘": "'", "“": '"', "”": '"'}
)


@attrs.frozen
class _Rules:
    lang: str
    known: _Known
    share_words: tuple[str, ...]
    heads: frozenset[str]
    candidates: re.Pattern[str]
    ascii_candidates: re.Pattern[str]
    drop_lines: frozenset[str]
    drop_prefixes: tuple[str, ...]
    tail_prefixes: tuple[str, ...]
    see_also: frozenset[str]
    see_also_prefixes: tuple[str, ...]
    share_lines: frozenset[str]
    ruled: frozenset[str]
    ruled_prefixes: tuple[str, ...]


@functools.cache
def _rules(lang: str) -> _Rules:
    # Widget text stays English on Spanish pages, so English rules always apply as well.
    layouts: list[Layout] = [layout_for(lang)]
    if layouts[0] is not LAYOUTS["en"]:
        layouts.append(LAYOUTS["en"])
    # Near-duplicates are matched against the known lines of every language.
    everything = [
        line
        for lay in LAYOUTS.values()
        for group in (lay.drop_lines, lay.drop_prefixes, lay.tail_prefixes, lay.examples)
        for line in group
    ]
    share_words = frozenset(
        w for lay in LAYOUTS.values() for s in lay.share_lines for w in fingerprint(s)
    )
    see_also = frozenset(s for lay in layouts for s in lay.see_also)
    drop_lines = frozenset(s for lay in layouts for s in lay.drop_lines)
    drop_prefixes = tuple(s for lay in layouts for s in lay.drop_prefixes)
    tail_prefixes = tuple(s for lay in layouts for s in lay.tail_prefixes)
    see_also_prefixes = tuple(s.rstrip(":") + ":" for s in see_also)
    patterns = drop_lines | see_also | {":", *drop_prefixes, *tail_prefixes, *see_also_prefixes}
    return _Rules(
        lang=lang,
        known=(known := _Known.of(everything, share_words)),
        share_words=tuple(
            sorted({w for n, fp in enumerate(known.prints) if known.share[n] for w in fp})
        ),
        # A line whose first three characters start no pattern cannot match: it skips
        # normalisation, the hot path of ingest.
        heads=frozenset(s[:3] for s in patterns),
        candidates=_candidates_re(frozenset(s[:3] for s in patterns)),
        ascii_candidates=_candidates_re(frozenset(s[:3] for s in patterns), ascii_only=True),
        drop_lines=drop_lines,
        drop_prefixes=drop_prefixes,
        tail_prefixes=tail_prefixes,
        see_also=see_also,
        see_also_prefixes=see_also_prefixes,
        share_lines=(share_lines := frozenset(s for lay in layouts for s in lay.share_lines)),
        # A norm that is none of these and starts with none of those meets no rule.
        ruled=drop_lines | see_also | share_lines | {":"},
        ruled_prefixes=drop_prefixes + tail_prefixes + see_also_prefixes,
    )


_HEAD = operator.itemgetter(slice(3))
"""A paragraph's first three characters (its head)."""


def _candidates_re(heads: frozenset[str], ascii_only: bool = False) -> re.Pattern[str]:
    """A pattern that finds, in the heads (first three characters) of paragraphs joined by
    newlines, every paragraph whose head could be in ``heads`` (see :func:`_norm`), and maybe
    more: ASCII letters in either case, any whitespace for a space, and any head with a
    non-ASCII character (casefolding those can change the length of the head).

    ``ascii_only``: the same matches in ASCII text (the heads of most bodies), found faster:
    without the alternatives that need a non-ASCII character, and behind a look-ahead for
    the first characters of the others (most lines start with none of them)."""
    alternatives = []
    first: set[str] = set()
    for head in sorted(heads):
        if ascii_only and not head.isascii():
            continue
        parts = []
        for c in head:
            if c.isascii() and c.isalpha():
                parts.append(f"[{c.lower()}{c.upper()}]")
            elif c == " ":
                parts.append(r"\s")
            elif c.isascii():
                parts.append(re.escape(c))
            else:
                parts.append(r"[^\x00-\x7f]")
        alternatives.append("".join(parts))
        c = head[:1]
        first.add(c.lower() + c.upper() if c.isalpha() else r"\s" if c == " " else re.escape(c))
    if ascii_only:
        guard = "(?=[" + "".join(sorted(first)) + "])"
        return re.compile(r"(?m)^" + guard + "(?:" + "|".join(alternatives) + ")")
    return re.compile(r"(?m)^(?:" + "|".join(alternatives) + r"|.{0,2}[^\x00-\x7f])")


def _norm(line: str, rules: _Rules) -> str:
    """normalize_line of ``line`` (stripped), or "" when it cannot match any pattern."""
    if line[:3].translate(_SPACES_QUOTES).casefold()[:3] in rules.heads:
        return normalize_line(line)
    return ""


def _is_tail(norm: str, rules: _Rules) -> bool:
    return norm.startswith(rules.tail_prefixes)


def is_boilerplate(line: str, lang: str = "en") -> bool:
    """Whether ``line`` on its own is boilerplate (a widget, appeal, notice or heading).

    >>> is_boilerplate("share icon icon icon"), is_boilerplate("Peru's President spoke.")
    (True, False)
    """
    norm = normalize_line(line)
    rules = _rules(lang)
    return (
        norm in rules.drop_lines
        or norm in rules.see_also
        or norm.startswith(rules.drop_prefixes)
        or norm.startswith(rules.see_also_prefixes)
        or _is_tail(norm, rules)
    )


def strip_boilerplate(
    paragraphs: Iterable[str],
    lang: str = "en",
    template: frozenset[bytes] = frozenset(),
    *,
    page_end: bool = False,
) -> tuple[str, ...]:
    """The paragraphs of an article with the site's boilerplate removed.

    Empty paragraphs go; boilerplate lines (share widgets, DONATE, "Was this content helpful?",
    donation appeals, the "InSight Crime Analysis" heading) are dropped; "SEE ALSO:" is dropped
    with the link title that follows it (also when the crawler split it as ``SEE ALSO`` / ``:``);
    a photo caption above a share line at the very top is dropped (when body text follows
    the share line, as in the 2019-2020 layout); the comment invitation or the
    licence notice ends the article (it and everything after it are dropped). Kept paragraphs
    are returned stripped but otherwise unchanged.

    Lines worded differently from the layout table are found by evidence (see
    :func:`_tail_run`) in page bodies and in bodies where some line starts like a known
    boilerplate line (a body of the site; the cheap test keeps other corpora fast): the end of
    an article is template from the first line that is like a known boilerplate line (a
    near-duplicate: :mod:`searchlib.ingest.shingles`) when nothing after it reads like article
    text, and widget rows at the top go with the caption above them. Lines whose
    :func:`~searchlib.ingest.template.line_key` is in ``template`` (lines
    seen on many pages of the same site in one run) are dropped wherever they are.

    Args:
        paragraphs: the body's paragraphs (or lines) in order.
        lang: the text's language; its rules apply together with the English ones.
        template: keys of the lines repeated across the site's pages (empty: no such evidence).
        page_end: the paragraphs are a page's body, which ends where the site's closing lists
            (Related Content, About) begin: an upper-case button there is template.

    >>> strip_boilerplate(["Caption", "SHARE", "Body.", "SEE ALSO:", "Peru News", "More.",
    ...                    "SHARE", "What are your thoughts? Click here", "tail"])
    ('Body.', 'More.')
    """
    rules = _rules(lang)
    paras = list(filter(None, map(str.strip, paragraphs)))
    if not paras:
        return ()
    heads = "\n".join(map(_HEAD, paras))
    candidates = rules.ascii_candidates if heads.isascii() else rules.candidates
    if not candidates.search(heads):
        if not (page_end or template):
            # No line starts like a known boilerplate line: a body of no templated site (most
            # JSONL and text bodies), where the other evidence is not looked for either.
            return tuple(paras)
        norms = [""] * len(paras)
        marked: list[int] = []
    elif heads.count("\n") == len(paras) - 1:  # no head holds a newline: line k is paragraph k
        # Only a paragraph whose head the pattern matches can have a norm (see _candidates_re;
        # no match takes a newline but as its last character, so none hides the next head).
        norms = [""] * len(paras)
        marked = []
        k = at = 0
        for m in candidates.finditer(heads):
            k += heads.count("\n", at, m.start())  # counted from the last match: linear
            at = m.start()
            if norm := _norm(paras[k], rules):
                norms[k] = norm
                marked.append(k)
    else:
        norms = [_norm(p, rules) for p in paras]
        marked = [k for k, norm in enumerate(norms) if norm]
    if not (page_end or template) and _kept_whole(paras, norms, marked, rules):
        return tuple(paras)
    drop = _evidence(paras, norms, rules, template, page_end)
    out: list[str] = []
    caption_end: int | None = None  # kept paragraphs above a share line at the top
    i = 0  # the paragraphs before it are done
    # Only a paragraph with a norm or evidence against it can go: the others between them are
    # kept a run at a time.
    for k in sorted(drop.keys() | marked) if drop else marked:
        if k < i:  # skipped with a "SEE ALSO:" before it
            continue
        out += paras[i:k]
        norm = norms[k]
        i = k + 1
        if k in drop:
            if drop[k] and caption_end is None and i <= _LEADING_SHARE_WINDOW:
                caption_end = len(out)
            continue
        if caption_end is None and i <= _LEADING_SHARE_WINDOW and norm in rules.share_lines:
            caption_end = len(out)
        if _is_tail(norm, rules):
            i = len(paras) + 1  # it and everything after it go
            break
        if norm in rules.see_also:
            if i < len(paras) and norms[i] == ":":
                i += 1
            if i < len(paras) and _is_link_title(paras[i], rules):
                i += 1
            continue
        if (
            norm in rules.drop_lines
            or norm.startswith(rules.drop_prefixes)
            or norm.startswith(rules.see_also_prefixes)
        ):
            continue
        out.append(paras[k])
    out += paras[i:]
    if caption_end is not None and len(out) > caption_end:
        # The 2019-2020 layout: caption / SHARE / body. A share line with no body after it
        # is the end-of-article widget instead, and what is above it stays.
        del out[:caption_end]
    return tuple(out)


def _kept_whole(paras: list[str], norms: list[str], marked: list[int], rules: _Rules) -> bool:
    """Whether the whole pass (no template, not a page's end) would keep every paragraph, found
    by the few tests it would decide on (most bodies with a candidate head, such as a wrapped
    line starting "shares", have no boilerplate): no norm meets a rule, so only
    :func:`_evidence` could drop a line, and it finds nothing when no top line with a share word
    is a widget (no drop there, the tail run starts at the last line) and the last line reads
    as article text (the tail run is empty)."""
    ruled, prefixes = rules.ruled, rules.ruled_prefixes
    for k in marked:
        if norms[k] in ruled or norms[k].startswith(prefixes):
            return False
    for p in paras[: min(_LEADING_SHARE_WINDOW, len(paras) - 1)]:
        if _has_share_word(p, rules):
            c = _classify(p, rules)
            if c.share and c.level >= BUTTON:
                return False
    return _classify(paras[-1], rules).level == CONTENT


def _matches_rule(norm: str, rules: _Rules) -> bool:
    return bool(norm) and (
        norm in rules.drop_lines
        or norm in rules.see_also
        or norm == ":"
        or norm.startswith(rules.drop_prefixes)
        or norm.startswith(rules.see_also_prefixes)
        or _is_tail(norm, rules)
    )


def _evidence(
    paras: list[str],
    norms: list[str],
    rules: _Rules,
    template: frozenset[bytes],
    page_end: bool,
) -> dict[int, bool]:
    """Paragraphs to drop on evidence other than the exact rules, each with whether it is a
    share widget (a caption above it at the top goes too)."""
    drop: dict[int, bool] = {}
    if template:
        for k, p in enumerate(paras):
            if line_key(p) in template:
                drop[k] = False
    head_end = 0  # lines above it are the top widgets (and the caption above them)
    top = min(_LEADING_SHARE_WINDOW, len(paras) - 1)
    if top > 0 and _has_share_word("\n".join(paras[:top]), rules):
        for k in range(top):
            if norms[k] and _matches_rule(norms[k], rules):
                widget, rule = norms[k] in rules.share_lines, True
            else:  # a widget row holds a word of a known share widget
                c = _classify(paras[k], rules) if _has_share_word(paras[k], rules) else _CONTENT
                widget, rule = c.share and c.level >= BUTTON, False
            if widget:
                # At the top with the article's text after it: the caption above goes too;
                # before a short question, the widget is still the top's, not the end's.
                after = _level(paras[k + 1], norms[k + 1], rules)
                if not rule:
                    drop[k] = after == CONTENT
                if after <= QUESTION:
                    head_end = k + 1
    levels: dict[int, _Class] = {}
    k = len(paras)
    while k > head_end:  # the run of lines at the end that do not read like article text
        k -= 1
        c = _STRONG_RULE if _matches_rule(norms[k], rules) else _classify(paras[k], rules)
        if k in drop:
            c = _STRONG_RULE
        if c.level == CONTENT:
            break
        levels[k] = c
    for j in _tail_run(levels, page_end):
        drop.setdefault(j, False)
    return drop


def _has_share_word(text: str, rules: _Rules) -> bool:
    folded = text.casefold()
    return any(w in folded for w in rules.share_words)


def _level(line: str, norm: str, rules: _Rules) -> int:
    return STRONG if _matches_rule(norm, rules) else _classify(line, rules).level


def _tail_run(levels: Mapping[int, _Class], page_end: bool) -> list[int]:
    """The lines of the article's closing template, from ``levels`` of its last lines (those
    after the last line that reads like article text).

    The template starts at the first near-duplicate of a known boilerplate line (or rule
    match) when the run holds a strong match or two near-duplicates (one at a page's end,
    where its place is evidence too); from there a line goes
    when a matched line follows it, or when it is a button or widget row (a short question
    after the last match, such as a real closing "Why now?", stays). With ``page_end`` (the
    body ends where the page's closing lists begin) trailing buttons go even without a match.
    """
    order = sorted(levels)
    matched = [k for k in order if levels[k].level >= NEAR]
    if not any(levels[k].level == STRONG for k in matched) and len(matched) < 2 - page_end:
        if not page_end:
            return []
        trailing = []
        for k in reversed(order):
            if levels[k].level != BUTTON:
                break
            trailing.append(k)
        return trailing
    start, last = matched[0], matched[-1]
    while start - 1 in levels and levels[start - 1].level == BUTTON:
        start -= 1  # buttons just above it belong to it
    return [k for k in order if k >= start and (k <= last or levels[k].level == BUTTON)]


CONTENT, QUESTION, BUTTON, NEAR, STRONG = range(5)
"""How much a line looks like boilerplate: article text, a short question, a button or widget
row, a near-duplicate (Jaccard >= :data:`NEAR_J`), a strong match (>= :data:`STRONG_J`, a rule,
or a template line)."""

STRONG_J = 0.5
NEAR_J = 0.25
_SHORT_KNOWN = 3
"""Known lines of at most this many words (buttons, headings, widgets) are matched only by
lines that are short and not sentences."""
_MAX_QUESTION_WORDS = 10
_MAX_BUTTON_WORDS = 3
_MAX_WIDGET_WORDS = 12


@attrs.frozen
class _Class:
    level: int
    share: bool = False


_STRONG_RULE = _Class(STRONG)
_CONTENT = _Class(CONTENT)


@attrs.frozen
class _Known:
    """The fingerprints of the known boilerplate lines, with an index by word."""

    prints: tuple[frozenset[str], ...]
    share: tuple[bool, ...]
    by_word: Mapping[str, tuple[int, ...]]
    vocabulary: frozenset[str]

    @classmethod
    def of(cls, lines: Iterable[str], share_words: frozenset[str]) -> _Known:
        prints = [fp for fp in dict.fromkeys(map(fingerprint, lines)) if fp]
        by_word: dict[str, list[int]] = {}
        for n, fp in enumerate(prints):
            for w in fp:
                by_word.setdefault(w, []).append(n)
        return cls(
            prints=tuple(prints),
            share=tuple(bool(fp & share_words) and len(fp) <= 6 for fp in prints),
            by_word={w: tuple(ns) for w, ns in by_word.items()},
            vocabulary=frozenset(by_word),
        )


def _is_widget_row(ws: list[str], n: int) -> bool:
    """A row of widget labels: one content word makes up a third or more of a short line
    (``share icon icon icon``, ``Share on Facebook Share on Twitter Share by email``)."""
    if n > _MAX_WIDGET_WORDS or len(set(ws)) > len(ws) - 2:
        return False
    stop = stop_words()
    return any(
        3 * ws.count(w) >= n and ws.count(w) >= 2 and len(w) > 2 and w.isalpha() and w not in stop
        for w in set(ws)
    )


def _classify(line: str, rules: _Rules) -> _Class:
    return _classify_cached(line, rules.lang)


@functools.lru_cache(maxsize=8192)
def _classify_cached(line: str, lang: str) -> _Class:
    known = _rules(lang).known
    ws = words(line)
    fp = fingerprint(ws)
    hits = fp & known.vocabulary
    end = line.rstrip("\"'”’»)")[-1:]
    if len(hits) < NEAR_J * len(fp) and len(ws) > _MAX_WIDGET_WORDS:
        return _CONTENT  # too few known words for any Jaccard >= NEAR_J: the common case
    n_words = len(line.split())
    short = n_words <= _MAX_WIDGET_WORDS
    sentence = end in ".…"
    widget = short and _is_widget_row(ws, n_words)
    question = (end == "?" or line.startswith("¿")) and len(ws) <= _MAX_QUESTION_WORDS
    # A short known line (a button, widget or heading) is matched by a line of its shape only.
    buttonish = not sentence and (
        widget or question or line.isupper() or len(ws) <= _MAX_BUTTON_WORDS
    )
    best, share = 0.0, False
    counts: dict[int, int] = {}
    for w in hits:
        for n in known.by_word[w]:
            counts[n] = counts.get(n, 0) + 1
    for n, both in counts.items():
        kp = known.prints[n]
        if len(kp) <= _SHORT_KNOWN and (not buttonish or len(fp) > len(kp) + 2):
            continue
        j = both / (len(fp) + len(kp) - both)
        if j > best or (j == best and known.share[n]):
            best, share = j, known.share[n]
    if best >= STRONG_J:
        return _Class(STRONG, share or widget)
    if best >= NEAR_J:
        return _Class(NEAR, share or widget)
    if widget:
        return _Class(BUTTON, True)
    if (
        len(ws) <= _MAX_BUTTON_WORDS
        and line.isupper()
        and sum(map(len, ws)) >= 3
        and not any(c in line for c in ".,;:!?¿¡")
    ):
        return _Class(BUTTON)
    if question:
        return _Class(QUESTION)
    return _CONTENT


def _is_link_title(line: str, rules: _Rules) -> bool:
    norm = normalize_line(line)
    return (
        len(line) <= _MAX_LINK_TITLE
        and not line.endswith(".")
        and not _is_tail(norm, rules)
        and norm not in rules.see_also
    )
