"""Helpers of the ingest page tests: parse a seed page, compare records, find boilerplate."""

from __future__ import annotations

from pathlib import Path

from searchlib.ingest import parse_page
from searchlib.records import Brief

BOILERPLATE = (
    "share icon",
    "Was this content helpful?",
    "We want to sustain",
    "DONATE",
    "What are your thoughts?",
    "Creative Commons",
    "HomeNewsBrief",
    "Inicio",
    "¿Este contenido fue útil?",
    "Queremos sostener",
    "DONAR",
    "¿Qué opina?",
    "Alentamos a los lectores",
    "SHARE",
    "COMPARTIR",
    "VER TAMBIÉN",
    "Análisis de InSight Crime",
    "Noticias y perfiles",
)


def parse_seed(seeds: Path, name: str) -> Brief:
    path = seeds / name
    return parse_page(path.read_text(encoding="utf-8"), str(path))


def assert_same(got: Brief, want: Brief) -> None:
    """Field by field first (readable failures), then the whole record."""
    for field in (
        "id",
        "lang",
        "title",
        "kind",
        "date",
        "countries",
        "authors",
        "body",
        "related",
        "about",
        "source",
        "url",
    ):
        assert getattr(got, field) == getattr(want, field), field
    assert got == want
    assert dict(got.meta) == {}


def assert_no_boilerplate(brief: Brief) -> None:
    texts = [brief.title, *brief.body, *(r.teaser for r in brief.related)]
    texts += [a.teaser for a in brief.about] + [a.title for a in brief.about]
    for text in texts:
        for marker in BOILERPLATE:
            assert marker not in text, (marker, text)
