"""How records become index documents: fields, analyzer, columns and stored values.

Text fields are indexed per language (``title.en``, ``body.es``...): each document's text is
analysed by its own language's chain, and a query is analysed by each chain against the field of
that language, so English and Spanish stems never mix and statistics stay per language.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from searchlib._json import dumps
from searchlib._types import LANGS, Lang, is_lang
from searchlib.analysis import detect_language
from searchlib.countries import canonical
from searchlib.errors import CorruptIndexError
from searchlib.index.builder import IndexDoc
from searchlib.index.segment import NO_DATE
from searchlib.records import AboutItem, Brief, BriefFields, RelatedItem
from searchlib.schema import AUTHOR_FIELD, TEXT_FIELDS, StoredDoc, field_name

__all__ = [
    "TEXT_FIELDS",
    "days_to_date",
    "date_to_days",
    "field_name",
    "legacy_places",
    "record_from_stored",
    "to_index_doc",
]

_EPOCH = _dt.date(1970, 1, 1)


def date_to_days(d: _dt.date | None) -> int:
    return NO_DATE if d is None else (d - _EPOCH).days


def days_to_date(days: int) -> _dt.date | None:
    return None if days == NO_DATE else _EPOCH + _dt.timedelta(days=int(days))


def doc_lang(lang: str | None, text: str) -> Lang:
    """The language a document is analysed in: its own marker, else detection, else English."""
    if is_lang(lang):
        return lang
    guess = detect_language(text)
    return guess if is_lang(guess) else "en"


def _fields(lang: str, texts: dict[str, str]) -> dict[str, str]:
    """The index fields of the non-empty ``texts`` (analysed when the segment is built)."""
    return {field_name(f, lang): t for f, t in texts.items() if t}


def _iso(d: _dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def country_column(
    names: tuple[str, ...], codes: tuple[str | None, ...] | None = None
) -> tuple[str, ...]:
    """The values of the countries column: each country's ISO code (the name as written when
    the vocabulary does not know it), each once, so a country is counted once per document;
    ``codes`` are the names' codes when the caller has them."""
    if codes is None:
        codes = tuple(canonical(n) for n in names)
    values = tuple(c or n for c, n in zip(codes, names, strict=True) if c or n.strip())
    return values if len(values) < 2 else tuple(dict.fromkeys(values))


def legacy_places(values: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The countries column of a segment written before the sections column (every byline
    label, names as written) as (country codes, sections): labels the vocabulary does not know
    were sections (``China and Crime``)."""
    codes = tuple(dict.fromkeys(c for v in values if (c := canonical(v)) is not None))
    return codes, tuple(v for v in values if canonical(v) is None)


def to_index_doc(record: Brief | RelatedItem | BriefFields) -> IndexDoc:
    """Analyse a record into an :class:`IndexDoc` (a :class:`BriefFields` into the document
    of its Brief)."""
    if isinstance(record, BriefFields):
        return _fields_doc(record)
    if isinstance(record, RelatedItem):
        lang = doc_lang(record.lang, record.teaser)
        stored: dict[str, Any] = {
            "id": record.id,
            "kind": "related",
            "lang": lang,
            "title": record.title,
            "section": record.section,
            "date": _iso(record.date),
            "teaser": record.teaser,
            "url": record.url,
        }
        is_country = canonical(record.section) is not None
        return IndexDoc(
            id=record.id,
            lang=lang,
            kind="related",
            date=date_to_days(record.date),
            countries=country_column((record.section,)) if is_country else (),
            sections=(record.section,) if record.section and not is_country else (),
            links=(),
            fields=_fields(lang, {"title": record.title, "teaser": record.teaser}),
            stored=dumps(stored),
            title=record.title or _clip(record.teaser),
        )
    body = record.text
    lang = doc_lang(record.lang, f"{record.title}\n{body}")
    codes = record.country_codes
    stored = {
        "id": record.id,
        "kind": record.kind,
        "lang": lang,
        "title": record.title,
        "date": _iso(record.date),
        "countries": list(record.countries),
        "country_codes": list(codes),
        "sections": list(record.sections),
        "authors": list(record.authors),
        "body": list(record.body),
        "related": [r.id for r in record.related],
        "about": [
            {"section": a.section, "title": a.title, "date": _iso(a.date), "teaser": a.teaser}
            for a in record.about
        ],
        "source": record.source,
        "url": record.url,
        "meta": dict(record.meta),
    }
    return IndexDoc(
        id=record.id,
        lang=lang,
        kind=record.kind,
        date=date_to_days(record.date),
        countries=country_column(record.countries, codes),
        sections=record.sections
        if len(record.sections) < 2
        else tuple(dict.fromkeys(record.sections)),
        links=tuple(r.id for r in record.related),
        fields=_fields(lang, {"title": record.title, "body": body, **_authors(record)}),
        stored=dumps(stored),
        title=record.title,
    )


def _fields_doc(f: BriefFields) -> IndexDoc:
    """:func:`to_index_doc` of ``f.brief()`` without building the Brief: no authors,
    sections, related or about items; the same stored bytes."""
    doc_id, lang, title, paragraphs, kind, date, countries, source, url, meta = f
    if lang not in LANGS:
        lang = doc_lang(lang, f"{title}\n" + "\n\n".join(paragraphs))
    column: tuple[str, ...] = ()
    codes: tuple[str | None, ...] = ()
    if countries:
        codes = tuple(map(canonical, countries))
        if len(countries) == 1:  # country_column of one name
            column = (codes[0] or countries[0],) if codes[0] or countries[0].strip() else ()
        else:
            column = country_column(countries, codes)
    texts = {}
    if title:
        texts[_TITLE_FIELD[lang]] = title
    if body := "\n\n".join(paragraphs):
        texts[_BODY_FIELD[lang]] = body
    # The same bytes as to_index_doc(f.brief()): the JSON encoder writes a tuple as the list
    # and a date as the isoformat() text that one gives.
    stored = dumps(
        {
            "id": doc_id,
            "kind": kind,
            "lang": lang,
            "title": title,
            "date": date,
            "countries": countries,
            "country_codes": codes,
            "sections": (),
            "authors": (),
            "body": paragraphs,
            "related": (),
            "about": (),
            "source": source,
            "url": url,
            "meta": meta,
        }
    )
    # The source, url and meta that the stored JSON reads back as, for twin linking: JSON
    # values as a JSONL line gives them (not a value the JSON encoder turns into its text).
    named = meta.get("source") if type(meta) is dict else _UNKNOWN
    return IndexDoc(
        doc_id,
        lang,
        kind,
        NO_DATE if date is None else (date - _EPOCH).days,
        column,
        (),
        texts,
        stored,
        title,
        (),
        (source, url, meta)
        if type(source) is str
        and (url is None or type(url) is str)
        and (named is None or type(named) in _JSON_TYPES)
        else None,
    )


_TITLE_FIELD = {lang: field_name("title", lang) for lang in LANGS}
_BODY_FIELD = {lang: field_name("body", lang) for lang in LANGS}
_JSON_TYPES = frozenset({str, int, float, bool, list, dict})
_UNKNOWN = object()


def _authors(record: Brief) -> dict[str, str]:
    """The byline as the ``author`` text field, searched by ``author:`` clauses only (not one of
    the default fields), so ``author:ramsey`` finds Geoffrey Ramsey."""
    return {AUTHOR_FIELD: ", ".join(record.authors)} if record.authors else {}


def _clip(text: str, width: int = 80) -> str:
    """A teaser cut to ``width`` characters at a word boundary, with an ellipsis."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    return text[: cut if cut > 0 else width].rstrip(" ,;:") + "…"


def record_from_stored(
    doc: StoredDoc, related: tuple[RelatedItem, ...] = ()
) -> Brief | RelatedItem:
    """Rebuild the record from a stored document; a brief stores its related items' ids only,
    so the caller passes the items (looked up by those ids) as ``related``. CorruptIndexError
    when the document is malformed (a damaged store can still pass its checksum)."""
    try:
        return _record_from_stored(doc, related)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        where = f"<stored fields of {doc.get('id')!r}>"
        raise CorruptIndexError(where, f"malformed stored document ({exc!r})") from exc


def _record_from_stored(doc: StoredDoc, related: tuple[RelatedItem, ...]) -> Brief | RelatedItem:
    iso = doc.get("date")
    date = _dt.date.fromisoformat(iso) if iso else None
    if doc["kind"] == "related":
        return RelatedItem(
            section=doc.get("section", ""),
            date=date,
            teaser=doc.get("teaser", ""),
            title=doc.get("title", ""),
            url=doc.get("url"),
            lang=doc["lang"],
            id=doc["id"],
        )
    about = tuple(
        AboutItem(
            a["section"],
            a["title"],
            _dt.date.fromisoformat(a["date"]) if a["date"] else None,
            a["teaser"],
        )
        for a in doc.get("about", ())
    )
    return Brief(
        id=doc["id"],
        lang=doc["lang"],
        title=doc["title"],
        body=tuple(doc.get("body", ())),
        kind=doc["kind"],
        date=date,
        countries=tuple(doc.get("countries", ())),
        authors=tuple(doc.get("authors", ())),
        related=related,
        about=about,
        source=doc.get("source", ""),
        url=doc.get("url"),
        meta=doc.get("meta", {}),
        sections=tuple(doc.get("sections", ())),
    )
