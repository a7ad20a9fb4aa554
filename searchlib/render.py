"""How a hit is shown on a terminal: one renderer for ``searchlib search`` and the REPL.

A hit is rendered as lines of styled fragments (``(style, text)``, the style a prompt_toolkit
class such as ``class:match`` or ``""``): the REPL prints them styled on a terminal, and both
the REPL (in scripts) and the command line print them as plain text with :func:`plain`, where
matched words are written between asterisks.

Two layouts, each as its program has always printed it: the command line's (:data:`CLI`: the
snippet on one line cut at 300 characters, the score last) and the REPL's (:data:`REPL`: the
snippet wrapped to the screen, the score before the id).

>>> plain([("class:num", " 1. "), ("", "Humala "), ("class:match", "coca")])
' 1. Humala *coca*'
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from searchlib._types import is_lang, other_lang
from searchlib.errors import IndexStateError
from searchlib.search import Hit, Results

if TYPE_CHECKING:
    from searchlib.api import Index

__all__ = [
    "CLI",
    "REPL",
    "Frag",
    "Frags",
    "Layout",
    "clip",
    "facet_lines",
    "hit_lines",
    "passage_frags",
    "plain",
    "query_excerpt",
    "related_json",
    "search_json",
    "stored_record",
    "snippet_frags",
    "wrap_frags",
]

Frag = tuple[str, str]
"""One piece of a line: (style, text)."""
Frags = list[Frag]
"""One line."""

MATCH = "class:match"


@attrs.frozen
class Layout:
    """Where a hit's parts go.

    ``width``: the snippet is wrapped at that many columns (None: on one line, cut at ``clip``
    characters); ``score_first``: the score (or the related item's reason) comes before the id
    and is labelled ``score`` (else it ends the line, unlabelled); ``styled``: the lines carry
    the REPL's styles (else every fragment is plain, the snippet's matches already marked)."""

    width: int | None = None
    clip: int = 300
    score_first: bool = False
    styled: bool = False


CLI = Layout()
"""``searchlib search`` and ``searchlib related``."""
REPL = Layout(width=100, score_first=True, styled=True)
"""The REPL (its printer passes the screen's width with :func:`attrs.evolve`)."""


def plain(frags: Frags) -> str:
    """A line as plain text, matched words between asterisks."""
    return "".join(f"*{t}*" if MATCH in s else t for s, t in frags)


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut at a word boundary to ``width`` characters (screen only)."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    return text[: cut if cut > 0 else width].rstrip(" ,;:") + "…"


def snippet_frags(snippet: str) -> Frags:
    """An HTML snippet's ``<b>word</b>`` marks as match fragments (its text unescaped)."""
    frags: Frags = []
    for i, part in enumerate(re.split(r"<b>(.*?)</b>", snippet)):
        if part:
            frags.append((MATCH if i % 2 else "", html.unescape(part)))
    return frags


def passage_frags(hit: Hit) -> Frags:
    """A hit's snippet as styled fragments: from its highlight spans when it has them."""
    if not hit.passage.text:
        return snippet_frags(hit.snippet)
    return [(MATCH if marked else "", piece) for piece, marked in hit.passage.fragments()]


def wrap_frags(frags: Frags, width: int, indent: str = "    ") -> list[Frags]:
    """Styled fragments wrapped at word boundaries into lines of at most ``width`` columns."""
    lines: list[Frags] = [[("", indent)]]
    used = len(indent)
    for style, text in frags:
        for piece in re.findall(r"\s+|\S+", text):
            if piece.isspace():
                if used > len(indent):
                    lines[-1].append((style, " "))
                    used += 1
                continue
            if used + len(piece) > width and used > len(indent):
                if lines[-1][-1][1] == " ":
                    lines[-1].pop()
                lines.append([("", indent)])
                used = len(indent)
            lines[-1].append((style, piece))
            used += len(piece)
    return lines


def facet_lines(facets: Mapping[str, Mapping[str, int]], top: int = 8) -> list[Frags]:
    """One line per facet that counted anything: its ``top`` values, most frequent first.

    >>> [plain(line) for line in facet_lines({"lang": {"en": 3, "es": 1}, "section": {}})]
    ['   lang: en (3), es (1)']
    """
    return [
        [
            ("class:meta", f"   {name}: "),
            ("", ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:top])),
        ]
        for name, counts in facets.items()
        if counts
    ]


def hit_lines(n: int, hit: Hit, layout: Layout = CLI, *, related: bool = False) -> list[Frags]:
    """The lines of hit number ``n``: its title; kind, language, date, places, score (or, for
    ``related`` items, the reason) and id; its snippet; its other-language version.

    >>> from searchlib.search import Hit
    >>> hit = Hit("b1", 1.5, "brief", "Coca in Peru", "en", None, ("Peru",), "")
    >>> for line in hit_lines(1, hit):
    ...     print(plain(line))
     1. Coca in Peru
        brief | en | - | Peru | id b1 | 1.500
    """
    style = (lambda s: s) if layout.styled else (lambda s: "")
    date = hit.date.isoformat() if hit.date else "-"
    where = ", ".join(hit.countries + hit.sections) or "-"
    head = f"    {hit.kind} | {hit.lang} | {date} | {where} |"
    if layout.score_first:
        tail = f"[{hit.reason}]" if related and hit.reason else f"score {hit.score:.3f}"
        meta = f"{head} {tail} | id {hit.id}"
    else:
        tail = f"[{hit.reason}]" if related and hit.reason else f"{hit.score:.3f}"
        meta = f"{head} id {hit.id} | {tail}"
    title = hit.display_title.rstrip() if layout.styled else hit.display_title
    lines: list[Frags] = [
        [(style("class:num"), f"{n:>2}. "), (style("class:title"), title)],
        [(style("class:meta"), meta)],
    ]
    if layout.width is None:
        if hit.passage.text:
            lines.append([("", "    " + clip(hit.passage.marked(), layout.clip))])
    elif hit.snippet:
        lines.extend(wrap_frags(passage_frags(hit), layout.width))
    if hit.twin_ref is not None:
        ref = hit.twin_ref
        lines.append([(style("class:hint"), f"    also in {ref.lang}: {ref.title} (id {ref.id})")])
    elif hit.twin:  # a twin without its title (a Hit made by hand; the searcher gives both)
        other = other_lang(hit.lang) if is_lang(hit.lang) else "en"
        lines.append([(style("class:hint"), f"    also in {other}: {hit.twin}")])
    return lines


# -- JSON: what ``--json`` prints and ``searchlib serve`` answers (one shape for both) ---------


def search_json(results: Results) -> dict[str, Any]:
    """A search's JSON (``searchlib search --json``, ``GET /search``)."""
    return results.to_json()


def related_json(results: Results, doc_id: str) -> dict[str, Any]:
    """Related items' JSON (``searchlib related --json``, ``GET /related/{id}``): the
    results' shape plus the ``id`` they are related to."""
    out = results.to_json()
    out["id"] = doc_id
    return out


def stored_record(index: Index, doc_id: str) -> dict[str, Any]:
    """The stored fields of ``doc_id``, its related items spelled out (not ids only): what
    ``searchlib get --json`` prints and ``GET /docs/{id}`` answers. IndexStateError when the
    index has no such document."""
    stored = index.stored(doc_id)
    if stored is None:
        raise IndexStateError(f"no document with id {doc_id!r} in the index")
    doc: dict[str, Any] = dict(stored)
    if stored.get("related"):
        doc["related"] = [
            index.stored(rid) or {"id": rid, "missing": True} for rid in stored.get("related", [])
        ]
    return doc


def query_excerpt(query: str, position: int, room: int = 30) -> tuple[str, int]:
    """At most ``2 * room`` characters of ``query`` around ``position`` (``…`` where cut, one
    line) and the caret's column in it: an error about a 30 KB query stays short.

    >>> query_excerpt("coca AND (peru", 9)
    ('coca AND (peru', 9)
    """
    start = max(0, position - room)
    end = min(len(query), position + room)
    head = "…" if start else ""
    text = head + query[start:end] + ("…" if end < len(query) else "")
    return " ".join(text.splitlines()) or text, len(head) + position - start
