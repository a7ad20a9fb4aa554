"""Removal of site boilerplate (share widgets, appeals, licence notice, see-also links) from bodies.

One function, :func:`strip_boilerplate`, used for page text, JSONL bodies and plain text alike,
so no boilerplate reaches an indexed body in either language. The words it recognises come from
:mod:`searchlib.ingest.layout`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import attrs

from searchlib.ingest.layout import EN, Layout, layout_for, normalize_line

__all__ = ["is_boilerplate", "strip_boilerplate"]

_LEADING_SHARE_WINDOW = 3
"""A share line this close to the top of a body, with body text after it, has only a photo
caption above it."""

_MAX_LINK_TITLE = 160
"""A line after "SEE ALSO:" longer than this is body text, not a link title."""


_SPACES_QUOTES = str.maketrans(
    {c: " " for c in map(chr, range(0x3001)) if c.isspace()}
    | {"’": "'", "‘": "'", "“": '"', "”": '"'}
)


@attrs.frozen
class _Rules:
    heads: frozenset[str]
    candidates: re.Pattern[str]
    drop_lines: frozenset[str]
    drop_prefixes: tuple[str, ...]
    tail_prefixes: tuple[str, ...]
    see_also: frozenset[str]
    see_also_prefixes: tuple[str, ...]
    share_lines: frozenset[str]


@functools.cache
def _rules(lang: str) -> _Rules:
    # Widget text stays English on Spanish pages, so English rules always apply as well.
    layouts: list[Layout] = [layout_for(lang)]
    if layouts[0] is not EN:
        layouts.append(EN)
    see_also = frozenset(s for lay in layouts for s in lay.see_also)
    drop_lines = frozenset(s for lay in layouts for s in lay.drop_lines)
    drop_prefixes = tuple(s for lay in layouts for s in lay.drop_prefixes)
    tail_prefixes = tuple(s for lay in layouts for s in lay.tail_prefixes)
    see_also_prefixes = tuple(s.rstrip(":") + ":" for s in see_also)
    patterns = drop_lines | see_also | {":", *drop_prefixes, *tail_prefixes, *see_also_prefixes}
    return _Rules(
        # A line whose first three characters start no pattern cannot match: it skips
        # normalisation, the hot path of ingest.
        heads=frozenset(s[:3] for s in patterns),
        candidates=_candidates_re(frozenset(s[:3] for s in patterns)),
        drop_lines=drop_lines,
        drop_prefixes=drop_prefixes,
        tail_prefixes=tail_prefixes,
        see_also=see_also,
        see_also_prefixes=see_also_prefixes,
        share_lines=frozenset(s for lay in layouts for s in lay.share_lines),
    )


def _candidates_re(heads: frozenset[str]) -> re.Pattern[str]:
    """A pattern that finds, in the heads (first three characters) of paragraphs joined by
    newlines, every paragraph whose head could be in ``heads`` (see :func:`_norm`), and maybe
    more: ASCII letters in either case, any whitespace for a space, and any head with a
    non-ASCII character (casefolding those can change the length of the head)."""
    alternatives = []
    for head in sorted(heads):
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


def strip_boilerplate(paragraphs: Iterable[str], lang: str = "en") -> tuple[str, ...]:
    """The paragraphs of an article with the site's boilerplate removed.

    Empty paragraphs go; boilerplate lines (share widgets, DONATE, "Was this content helpful?",
    donation appeals, the "InSight Crime Analysis" heading) are dropped; "SEE ALSO:" is dropped
    with the link title that follows it (also when the crawler split it as ``SEE ALSO`` / ``:``);
    a photo caption above a share line at the very top is dropped (when body text follows
    the share line, as in the 2019-2020 layout); the comment invitation or the
    licence notice ends the article (it and everything after it are dropped). Kept paragraphs
    are returned stripped but otherwise unchanged.

    Args:
        paragraphs: the body's paragraphs (or lines) in order.
        lang: the text's language; its rules apply together with the English ones.

    >>> strip_boilerplate(["Caption", "SHARE", "Body.", "SEE ALSO:", "Peru News", "More.",
    ...                    "SHARE", "What are your thoughts? Click here", "tail"])
    ('Body.', 'More.')
    """
    rules = _rules(lang)
    paras = [p for p in map(str.strip, paragraphs) if p]
    if not rules.candidates.search("\n".join([p[:3] for p in paras])):
        return tuple(paras)  # no line can be boilerplate (most bodies)
    norms = [_norm(p, rules) for p in paras]
    out: list[str] = []
    caption_end: int | None = None  # kept paragraphs above a share line at the top
    i = 0
    while i < len(paras):
        norm = norms[i]
        i += 1
        if not norm:
            out.append(paras[i - 1])
            continue
        if caption_end is None and i <= _LEADING_SHARE_WINDOW and norm in rules.share_lines:
            caption_end = len(out)
        if _is_tail(norm, rules):
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
        out.append(paras[i - 1])
    if caption_end is not None and len(out) > caption_end:
        # The 2019-2020 layout: caption / SHARE / body. A share line with no body after it
        # is the end-of-article widget instead, and what is above it stays.
        del out[:caption_end]
    return tuple(out)


def _is_link_title(line: str, rules: _Rules) -> bool:
    norm = normalize_line(line)
    return (
        len(line) <= _MAX_LINK_TITLE
        and not line.endswith(".")
        and not _is_tail(norm, rules)
        and norm not in rules.see_also
    )
