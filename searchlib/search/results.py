"""Search results as values: :class:`Hit` and :class:`Results`, with their JSON shape."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Hit", "Results"]


@attrs.frozen(slots=True)
class Hit:
    """One ranked document. ``snippet`` marks matched words as written: ``<b>coca</b>``."""

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
        }
        if self.reason is not None:
            out["reason"] = self.reason
        if self.twin is not None:
            out["twin"] = self.twin
        return out


@attrs.frozen(slots=True)
class Results:
    """A page of hits plus total count, timing, optional facets and a did-you-mean suggestion."""

    query: str
    total: int
    took_ms: float
    hits: tuple[Hit, ...]
    facets: Mapping[str, Mapping[str, int]] | None = None
    suggestion: str | None = None

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
        return out
