"""Typed, frozen records: what ingest produces and what the index stores.

A :class:`Brief` is one article page (kind "brief", "analysis", "news"...), a :class:`RelatedItem`
one entry of a page's *Related Content* list and an :class:`AboutItem` one entry of its *About
InSight Crime* list. Records are values: frozen attrs classes, hashable, compared by content.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import attrs

from searchlib.countries import canonical

__all__ = ["AboutItem", "Brief", "BriefFields", "RelatedItem", "id_problem", "stable_id"]


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def id_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot be a document id, or None when it can.

    Ids are printed, typed back into ``get``/``delete`` and written one per line: a control
    character (NUL, a newline, an escape) would make an id no one can see or type.

    >>> id_problem("x\\x00y")
    'id holds a control character (U+0000 at position 1)'
    """
    if doc_id == "":
        return "id is empty"
    m = _CONTROL_RE.search(doc_id)
    if m:
        return f"id holds a control character (U+{ord(m.group()):04X} at position {m.start()})"
    return None


def stable_id(*parts: object) -> str:
    """A short, stable id made from ``parts`` (sha1 of their text, 16 hex digits).

    >>> stable_id("en", "A title", "2011-09-23")
    '6c1687b7de09ea6d'
    """
    from hashlib import sha1  # here: hashlib loads OpenSSL (2 ms), which indexing JSONL never needs

    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return sha1(text.encode("utf-8")).hexdigest()[:16]


def _tuple_of_str(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(map(str, value))


@attrs.frozen(slots=True)
class RelatedItem:
    """One teaser of a page's *Related Content* list, indexed as a document of kind "related".

    The same teaser shown on many pages has one id (made from section, date and teaser), so it is
    stored once; the briefs that show it link to it by that id.
    """

    section: str
    date: _dt.date | None
    teaser: str
    title: str = ""
    url: str | None = None
    lang: str = "en"
    id: str = attrs.field(default="")

    def __attrs_post_init__(self) -> None:
        if not self.id:
            object.__setattr__(
                self, "id", "rel-" + stable_id(self.section.lower(), self.date, self.teaser)
            )

    @property
    def kind(self) -> str:
        return "related"


@attrs.frozen(slots=True)
class AboutItem:
    """One entry of a page's *About InSight Crime* list (organisation news); stored, not indexed."""

    section: str
    title: str
    date: _dt.date | None
    teaser: str


def _related_tuple(value: Iterable[RelatedItem]) -> tuple[RelatedItem, ...]:
    return tuple(value)


def _about_tuple(value: Iterable[AboutItem]) -> tuple[AboutItem, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class Brief:
    """One article: a brief page, a JSONL record or a plain text file.

    Attributes:
        id: stable id (source id, URL slug, else a hash of language, title and date).
        kind: "brief", "analysis", "news"... (lower case).
        lang: "en" or "es".
        title: the headline.
        body: the article's paragraphs, boilerplate removed.
        date: publication date, when known.
        countries: the countries of the byline or record, as written (``Peru``, ``EEUU``);
            :attr:`country_codes` gives their ISO 3166 codes.
        authors: byline authors.
        related: the page's *Related Content* items.
        about: the page's *About* items.
        source: where the record came from (path, path:line or URL).
        url: the page's URL when known.
        meta: extra fields of the source record, kept as stored metadata.
        sections: byline labels that are no country (``China and Crime``, ``Armas y Seguridad``).
    """

    id: str
    lang: str
    title: str
    body: tuple[str, ...] = attrs.field(converter=_tuple_of_str, default=())
    kind: str = "brief"
    date: _dt.date | None = None
    countries: tuple[str, ...] = attrs.field(converter=_tuple_of_str, default=())
    authors: tuple[str, ...] = attrs.field(converter=_tuple_of_str, default=())
    related: tuple[RelatedItem, ...] = attrs.field(converter=_related_tuple, default=())
    about: tuple[AboutItem, ...] = attrs.field(converter=_about_tuple, default=())
    source: str = ""
    url: str | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict, eq=False, hash=False)
    sections: tuple[str, ...] = attrs.field(converter=_tuple_of_str, default=())

    @property
    def country_codes(self) -> tuple[str | None, ...]:
        """The ISO 3166 code of each of :attr:`countries` (None for a name the vocabulary of
        :mod:`searchlib.countries` does not know)."""
        return tuple(canonical(c) for c in self.countries)

    @property
    def text(self) -> str:
        """The body as one string, paragraphs separated by blank lines."""
        return "\n\n".join(self.body)


class BriefFields(NamedTuple):
    """The values of a :class:`Brief` read from a JSONL line, already checked and converted
    (:func:`~searchlib.ingest.files.parse_jsonl_record`): what indexing turns into an index
    document without building the record (a brief of this kind has no authors, sections,
    related or about items). :meth:`brief` builds the record."""

    id: str
    lang: str
    title: str
    body: tuple[str, ...]
    kind: str
    date: _dt.date | None
    countries: tuple[str, ...]
    source: str
    url: str | None
    meta: dict[str, Any]

    def brief(self) -> Brief:
        """The :class:`Brief` of these values."""
        return Brief(
            id=self.id,
            lang=self.lang,
            title=self.title,
            body=self.body,
            kind=self.kind,
            date=self.date,
            countries=self.countries,
            source=self.source,
            url=self.url,
            meta=self.meta,
        )
