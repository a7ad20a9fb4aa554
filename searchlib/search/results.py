"""Search results as values: :class:`Hit` and :class:`Results`, with their JSON shape."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from searchlib.search.highlight import Snippet

__all__ = ["Hit", "Results", "TwinRef"]


@attrs.frozen(slots=True)
class TwinRef:
    """The other-language version of a hit's story: enough to show or open it."""

    id: str
    lang: str
    title: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "lang": self.lang, "title": self.title}


@attrs.frozen(slots=True)
class Hit:
    """One ranked document.

    ``snippet`` is HTML: the passage's text escaped, matched words marked as written
    (``<b>coca</b>``). ``passage`` is the same snippet as data: its plain text and the
    character spans of the matched words, for programs that render it their own way.
    ``title`` is plain text (never escaped or marked).

    ``countries`` are the names as the document wrote them, ``country_codes`` their ISO codes
    (None for a name the vocabulary does not know); ``teaser`` is a related item's whole text;
    ``twin`` is the id of the story's other-language version, ``twin_ref`` its id, language and
    title.
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
    country_codes: tuple[str | None, ...] = ()
    sections: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    url: str | None = None
    source: str | None = None
    teaser: str | None = None
    twin_ref: TwinRef | None = None

    @property
    def section(self) -> str | None:
        """The first section, or None."""
        return self.sections[0] if self.sections else None

    @property
    def display_title(self) -> str:
        """The title to show on screen: the title, else the teaser cut to one line, else the
        id (never an empty line)."""
        if self.title.strip():
            return self.title
        text = " ".join((self.teaser or self.passage.text).split())
        if not text:
            return f"(untitled {self.kind} {self.id})"
        if len(text) <= 80:
            return text
        cut = text.rfind(" ", 0, 80)
        return text[: cut if cut > 0 else 80].rstrip(" ,;:") + "…"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "score": round(self.score, 6),
            "kind": self.kind,
            "title": self.title,
            "lang": self.lang,
            "date": self.date.isoformat() if self.date else None,
            "countries": list(self.countries),
            "country_codes": list(self.country_codes),
            "section": self.section,
            "sections": list(self.sections),
            "authors": list(self.authors),
            "url": self.url,
            "source": self.source,
            "snippet": self.snippet,
            "snippet_text": self.passage.text,
            "highlights": [list(span) for span in self.passage.spans],
        }
        if self.teaser is not None:
            out["teaser"] = self.teaser
        if self.reason is not None:
            out["reason"] = self.reason
        if self.twin_ref is not None:
            out["twin"] = self.twin_ref.to_json()
        elif self.twin is not None:
            out["twin"] = {"id": self.twin}
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

    def __iter__(self) -> Iterator[Hit]:
        """The hits of the page, best first (``for hit in results``)."""
        return iter(self.hits)

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
