"""The fixture corpus of the query-meaning tests (test_query_meaning.py, test_query_properties.py):
the 30 shared search briefs plus a few with bylines, multi-word translations (sicarios / hit
men), phrases of names (vacuna de Pfizer) and unaccented Spanish, in both languages."""

from __future__ import annotations

import datetime as dt

import attrs
from search_corpus import CORPUS

import searchlib
from searchlib.api import Index
from searchlib.records import Brief

D = dt.date


@attrs.frozen
class Doc:
    id: str
    lang: str
    kind: str
    date: dt.date | None
    countries: tuple[str, ...]
    title: str
    body: str
    authors: tuple[str, ...] = ()


EXTRA = [
    Doc("a01", "en", "brief", D(2020, 5, 1), ("Mexico",), "Hit men kill a mayor",
        "Hit men killed the mayor of a town in Michoacán. The sicarios fled.",
        ("Geoffrey Ramsey",)),
    Doc("a02", "en", "news", D(2020, 5, 2), ("Peru",), "Storm hit the coast",
        "The storm hit the coast and men were rescued by the police.", ("Ana Lopez",)),
    Doc("a03", "es", "brief", D(2020, 5, 3), ("Mexico",), "Sicarios matan a alcalde",
        "Los sicarios mataron al alcalde en Michoacán.", ("Geoffrey Ramsey", "Juan Pérez")),
    Doc("a04", "es", "news", D(2021, 1, 10), ("Mexico",), "Llega la vacuna de Pfizer a México",
        "La vacuna de Pfizer llegó a México. Las vacunas se aplicarán en enero."),
    Doc("a05", "en", "news", D(2021, 1, 11), ("Mexico",), "Pfizer vaccine arrives in Mexico",
        "The Pfizer vaccine arrived in Mexico on Monday."),
    Doc("a06", "es", "news", D(2021, 2, 1), ("Peru",), "Extorsion a comerciantes",
        "La extorsion a comerciantes crece en Lima, dijo la policía."),
    Doc("a07", "en", "brief", D(2021, 2, 2), ("Honduras",), "Covid vaccine in Honduras",
        "The covid vaccine reached Honduras. Gangs charge extortion to vaccine trucks."),
    Doc("a08", "es", "brief", None, ("Colombia",), "Cocaína y pandillas en Colombia",
        "Las pandillas trafican cocaína; la policía no llega a la frontera."),
]  # fmt: skip

DOCS: dict[str, Doc] = {c[0]: Doc(*c) for c in CORPUS} | {d.id: d for d in EXTRA}


def build() -> Index:
    index = searchlib.create_index()
    for d in DOCS.values():
        index.add(
            Brief(
                id=d.id,
                lang=d.lang,
                kind=d.kind,
                title=d.title,
                body=[d.body],
                date=d.date,
                countries=d.countries,
                authors=d.authors,
            )
        )
    index.commit()
    return index
