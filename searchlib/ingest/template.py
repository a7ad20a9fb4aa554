"""Template lines of a site: lines that repeat across many pages of one indexing run.

The shingle idea of boilerplate detectors: a line seen on many different pages of one site is
part of the site's template (a widget, an appeal, a notice), not of any article, however it is
worded. A run counts, before parsing anything, on how many distinct pages of each site every
line occurs (:class:`LineCounter`, fed by :func:`count_page`); the lines over the threshold
(:data:`MIN_PAGES` pages and :data:`MIN_SHARE` of the site's pages) form a :class:`LineTable`
that the page parser passes to :func:`~searchlib.ingest.boilerplate.strip_boilerplate`.

Deterministic by construction: the table depends only on the set of pages in the run (not on
their order, the number of worker processes or which worker parses which page), because it is
complete before the first page is parsed, and lines are keyed by a fixed hash
(:func:`line_key`, BLAKE2b), never by Python's per-process ``hash``. Identical pages (the same
file reached twice) count once. A site is the host of the page's URL line (``www.`` dropped);
pages without a URL form one site of their own.
"""

from __future__ import annotations

import math
import re

# hashlib's own blake2b (hashlib.blake2b is _blake2.blake2b) without importing hashlib, which
# loads OpenSSL: about 2 ms of the start of ``searchlib index``, before its workers start.
from _blake2 import blake2b
from collections import Counter
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import attrs

from searchlib.ingest.layout import normalize_line

__all__ = ["MIN_PAGES", "MIN_SHARE", "MIN_WORDS", "LineCounter", "LineTable", "line_key", "site_of"]

MIN_PAGES = 3
"""A line is template when it occurs on at least this many distinct pages of a site..."""

MIN_SHARE = 0.05
"""...and on at least this share of them (a paragraph quoted in three of ten thousand pages
stays)."""

MIN_WORDS = 3
"""Shorter lines are never counted: one-word link fragments ("reported", ".") and headings
repeat across articles without being template; buttons are found by their place instead."""

_URL = re.compile(r"^(?:(?:url|source|fuente)\s*:\s*)?(https?://\S+)$", re.IGNORECASE)


def line_key(line: str) -> bytes:
    """A line's key: 8 bytes of BLAKE2b of its :func:`normalize_line` form."""
    return _key(normalize_line(line))


def _key(norm: str) -> bytes:
    return blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def _fold_quotes(text: str) -> str:
    """The quote folding of :func:`normalize_line` (its other steps are inlined in the counter)."""
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


def site_of(url: str | None) -> str:
    """The site of a page: its URL's host without ``www.``, or "" for a page without URL.

    >>> site_of("https://www.insightcrime.org/news/x/"), site_of(None)
    ('insightcrime.org', '')
    """
    if not url:
        return ""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


@attrs.frozen
class LineTable:
    """Keys of each site's template lines (see the module docstring)."""

    sites: Mapping[str, frozenset[bytes]] = attrs.field(factory=dict)

    def for_site(self, site: str) -> frozenset[bytes]:
        """The template line keys of ``site`` (empty when the run saw too few of its pages)."""
        return self.sites.get(site, frozenset())

    def __bool__(self) -> bool:
        return any(self.sites.values())


class LineCounter:
    """Counts, per site, on how many distinct pages each line occurs."""

    def __init__(self) -> None:
        self._lines: dict[str, Counter[str]] = {}  # normalised lines, hashed in table()
        self._pages: dict[str, set[bytes]] = {}

    def add(self, site: str, lines: Iterable[str]) -> None:
        """Count one page's lines (lines of fewer than :data:`MIN_WORDS` words are ignored)."""
        norms = set()
        for line in lines:
            parts = line.split()
            if len(parts) >= MIN_WORDS:
                norm = " ".join(parts)
                if not norm.isascii():
                    norm = _fold_quotes(norm)
                norms.add(norm.casefold())
        if not norms:
            return
        text = "\n".join(sorted(norms)).encode("utf-8", "surrogatepass")
        page = blake2b(text, digest_size=16).digest()
        seen = self._pages.setdefault(site, set())
        if page not in seen:
            seen.add(page)
            self._lines.setdefault(site, Counter()).update(norms)

    def add_page_text(self, text: str) -> None:
        """Count the lines of crawled page text, its site taken from its first URL line."""
        lines = [s for raw in text.split("\n") if (s := raw.strip())]
        url = next((m[1] for s in lines[:3] if (m := _URL.match(s))), None)
        self.add(site_of(url), lines)

    def table(self) -> LineTable:
        """The lines over the threshold, per site."""
        sites = {}
        for site, counts in self._lines.items():
            need = max(MIN_PAGES, math.ceil(MIN_SHARE * len(self._pages[site])))
            keys = frozenset(_key(n) for n, c in counts.items() if c >= need)
            if keys:
                sites[site] = keys
        return LineTable(sites)
