"""Every field of an index document, declared once.

A document has **text fields**, indexed per language (``title.en``, ``body.es``: each language
keeps its own stems and statistics), **columns** (one small integer per document, or a list of
codes, looked up in a value table: language, kind, countries, sections, date, links) and
**stored fields** (the record as JSON, returned with hits).

A query names fields by their **query names** (``title:``, ``country:``, ``author:``), which
ignore case and have **aliases** (``countries:``, ``authors:``, the stored record's plurals).
The query names of the fields that describe a document rather than its text are **filter
fields**: their clauses restrict and never score. ``author`` is both: its text is indexed (as
``author.en``/``author.es``, so ``author:ramsey`` finds Geoffrey Ramsey) but its clauses filter.

>>> field_name("body", "es")
'body.es'
>>> lang_fields("en")
('title.en', 'body.en', 'teaser.en')
>>> query_field("Authors")
'author'
>>> COLUMN_TABLES[COLUMN_FIELDS["country"]]
'countries'
"""

from __future__ import annotations

from typing import Any, Final, TypedDict

from searchlib._types import Lang

__all__ = [
    "AUTHOR_FIELD",
    "COLUMN_FIELDS",
    "COLUMN_TABLES",
    "DATE_FIELD",
    "DATE_FIELDS",
    "FACETS",
    "FIELD_ALIASES",
    "FILTER_FIELDS",
    "ID_FIELD",
    "INDEXED_TEXT_FIELDS",
    "LANG_COLUMN",
    "PLACE_COLUMNS",
    "QUERY_FIELDS",
    "STORED_KEYS",
    "StoredAbout",
    "StoredDoc",
    "TEXT_FIELDS",
    "TWIN_FIELDS",
    "field_name",
    "lang_fields",
    "query_field",
]

# -- text fields -------------------------------------------------------------------------------

TEXT_FIELDS: Final = ("title", "body", "teaser")
"""The text fields a query searches when it names none (a brief has a title and a body, a
related item a title and a teaser)."""

AUTHOR_FIELD: Final = "author"
"""The byline names, indexed as text in the document's language (``author.en``...) so
``author:ramsey`` finds Geoffrey Ramsey; searched by ``author:`` clauses only, which filter."""

INDEXED_TEXT_FIELDS: Final = (*TEXT_FIELDS, AUTHOR_FIELD)
"""Every text field of the index, each indexed once per language."""

TWIN_FIELDS: Final = ("title", "body")
"""The text fields compared to pair a story's English and Spanish versions."""


def field_name(field: str, lang: str) -> str:
    """The index field of ``field`` text in ``lang``: ``field_name("body", "es") == "body.es"``."""
    return f"{field}.{lang}"


def lang_fields(lang: Lang, fields: tuple[str, ...] = TEXT_FIELDS) -> tuple[str, ...]:
    """The index fields of ``fields`` in ``lang``."""
    return tuple(field_name(f, lang) for f in fields)


# -- columns -----------------------------------------------------------------------------------

LANG_COLUMN: Final = "lang"

COLUMN_FIELDS: Final = {
    "lang": LANG_COLUMN,
    "kind": "kind",
    "country": "countries",
    "section": "sections",
}
"""Query name -> the column its clauses read (codes into the column's value table)."""

COLUMN_TABLES: Final = {
    LANG_COLUMN: "langs",
    "kind": "kinds",
    "countries": "countries",
    "sections": "sections",
}
"""Column -> the name of its value table in a segment (``SegmentReader.col_tables``)."""

PLACE_COLUMNS: Final = ("countries", "sections")
"""The columns of byline places: a document may have several values (codes with offsets)."""

# -- query names -------------------------------------------------------------------------------

DATE_FIELD: Final = "date"
ID_FIELD: Final = "id"

DATE_FIELDS: Final = frozenset({DATE_FIELD})
"""Query names whose values are dates (a range of them is a date range)."""

FILTER_FIELDS: Final = frozenset({*COLUMN_FIELDS, DATE_FIELD, AUTHOR_FIELD, ID_FIELD})
"""Query names of the fields that describe a document rather than its text: their clauses
filter and never score."""

QUERY_FIELDS: Final = (*TEXT_FIELDS, *COLUMN_FIELDS, DATE_FIELD, AUTHOR_FIELD, ID_FIELD)
"""Every name a query's ``name:`` may use (besides the aliases), in the order help lists them."""

FIELD_ALIASES: Final = {"authors": AUTHOR_FIELD, "countries": "country"}
"""Other names accepted for a query name (the stored record's and the JSON output's plurals)."""

STORED_KEYS: Final = {
    "title": "title",
    "body": "body",
    "teaser": "teaser",
    "lang": "lang",
    "kind": "kind",
    "country": "countries",
    "section": "sections",
    "date": "date",
    AUTHOR_FIELD: "authors",
    ID_FIELD: "id",
}
"""Query name -> the stored document's key that holds its values as written."""

FACETS: Final = ("lang", "kind", "country", "section", "year")
"""The facets a search counts, in the order results list them."""


def query_field(name: str) -> str | None:
    """The query name ``name`` stands for (case and aliases ignored), or None when unknown."""
    name = name.lower()
    name = FIELD_ALIASES.get(name, name)
    return name if name in QUERY_FIELDS else None


# -- stored documents --------------------------------------------------------------------------


class StoredAbout(TypedDict):
    """An "about" item of a brief, as stored."""

    section: str
    title: str
    date: str | None
    teaser: str


class _StoredKeys(TypedDict):
    id: str
    kind: str
    lang: str


class StoredDoc(_StoredKeys, total=False):
    """A document's stored fields (the JSON object of the ``.store`` file): ``id``, ``kind``
    and ``lang`` always; a brief's record (``title``, ``body`` paragraphs, ``date`` as ISO text,
    ``countries`` as written and their ``country_codes``, ``sections``, ``authors``, the ids of
    its ``related`` items, ``about``, ``source``, ``url``, ``meta``) or a related item's
    (``title``, ``section``, ``date``, ``teaser``, ``url``)."""

    title: str
    date: str | None
    countries: list[str]
    country_codes: list[str | None]
    sections: list[str]
    authors: list[str]
    body: list[str]
    related: list[str]
    about: list[StoredAbout]
    source: str
    url: str | None
    meta: dict[str, Any]
    section: str
    teaser: str
