"""Search results as values: :class:`Hit` and :class:`Results`, with their JSON shape."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

import attrs

from searchlib.search.highlight import Snippet

__all__ = ["Hit", "Results"]


@attrs.frozen(slots=True)
class Hit:
    """One ranked document.

    ``snippet`` is HTML: the passage's text escaped, matched words marked as written
    (``<b>coca</b>``). ``passage`` is the same snippet as data: its plain text and the
    character spans of the matched words, for programs that render it their own way.
    ``title`` is plain text (never escaped or marked).
    """

    id: str
    score: float
    kind: str
    title: str
    lang: str
    date: _dt.date | None
    countries: tuple[str, ...]
    snippet: str
    reason: str | None = None
    twin: str | None = None
    passage: Snippet = Snippet()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "score": round(self.score, 6),
            "kind": self.kind,
            "title": self.title,
            "lang": self.lang,
            "date": self.date.isoformat() if self.date else None,
            "countries": list(self.countries),
            "snippet": self.snippet,
            "snippet_text": self.passage.text,
            "highlights": [list(span) for span in self.passage.spans],
        }
        if self.reason is not None:
            out["reason"] = self.reason
        if self.twin is not None:
            out["twin"] = self.twin
        return out


@attrs.frozen(slots=True)
class Results:
    """A page of hits plus total count, timing, optional facets and a did-you-mean suggestion.

    ``warnings`` says where the results are not the whole answer to the query as written: an
    expansion (``a*``, ``word~2``) cut to its most frequent words, a budget spent, a query
    read leniently (syntax errors read as words, text past the length limit left out).
    """

    query: str
    total: int
    took_ms: float
    hits: tuple[Hit, ...]
    facets: Mapping[str, Mapping[str, int]] | None = None
    suggestion: str | None = None
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, i: int) -> Hit:
        return self.hits[i]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "query": self.query,
            "total": self.total,
            "took_ms": round(self.took_ms, 3),
            "hits": [h.to_json() for h in self.hits],
        }
        if self.facets is not None:
            out["facets"] = {k: dict(v) for k, v in self.facets.items()}
        if self.suggestion is not None:
            out["suggestion"] = self.suggestion
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out
