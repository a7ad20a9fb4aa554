"""Every word the search page shows, in English and Spanish: one table, no text in templates.

The templates read ``t.<key>`` from the table of the interface language (:func:`labels`);
:func:`choose_ui` picks that language from a ``?ui=`` switch, then the ``ui`` cookie, then the
browser's ``Accept-Language``, else English. Both tables have the same keys (a test checks it).
A few labels are written in the language they name, whatever the interface language: the
switch to the other interface (``ui_name``) and the link to a story's other version
(``also_in``: "Also in English", "También en español"), so a reader of that language
recognises them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["LABELS", "UI_LANGS", "choose_ui", "labels", "reason_label", "results_count"]

UI_LANGS = ("en", "es")

_EN: dict[str, str] = {
    "ui_code": "en",
    "site_title": "Bilingual crime-news search",
    "skip_to_content": "Skip to content",
    "search_region": "Search",
    "search_label": "Search the archive (English or Spanish)",
    "search_button": "Search",
    "search_hint": 'Words in either language; "exact phrase", title:word, country:peru, '
    "AND, OR, NOT, word*.",
    "did_you_mean_before": "Did you mean",
    "did_you_mean_after": "?",
    "results_heading": "Results",
    "results_one": "1 result",
    "results_many": "{n} results",
    "results_none": "No results",
    "results_range": "showing {first} to {last}",
    "no_results_hint": "Try other words, fewer filters, or the other language.",
    "facets_heading": "Refine the results",
    "facet_lang": "Language",
    "facet_country": "Country",
    "facet_year": "Year",
    "facet_kind": "Kind",
    "facet_section": "Section",
    "active_filters": "Filters in use",
    "remove_filter": "Remove the filter",
    "lang_en": "English",
    "lang_es": "Spanish",
    "kind_brief": "Brief",
    "kind_analysis": "Analysis",
    "kind_investigation": "Investigation",
    "kind_news": "News",
    "kind_related": "Related item",
    "also_in": "Also in English",
    "pagination": "Result pages",
    "previous": "Previous page",
    "next": "Next page",
    "ui_switch": "Interface language",
    "ui_name": "English",
    "error_heading": "The search could not be run",
    "notes_heading": "Notes on this search",
    "not_found_heading": "Not found",
    "not_found": "There is no document with this id in the index.",
    "document_region": "Document",
    "date": "Date",
    "countries": "Countries",
    "sections": "Sections",
    "authors": "Authors",
    "kind": "Kind",
    "language": "Language",
    "source_link": "Read it at the source",
    "related_heading": "Related items",
    "related_none": "No related items.",
    "why": "Why",
    "reason_twin": "the same story in the other language",
    "reason_shown": "shown on its page",
    "reason_shows": "a page that shows it",
    "reason_similar": "similar content: {words}",
    "related_link": "Related items",
    "untitled": "Untitled",
    "thousands_sep": ",",
}

_ES: dict[str, str] = {
    "ui_code": "es",
    "site_title": "Búsqueda bilingüe de noticias sobre crimen",
    "skip_to_content": "Saltar al contenido",
    "search_region": "Búsqueda",
    "search_label": "Buscar en el archivo (en español o en inglés)",
    "search_button": "Buscar",
    "search_hint": 'Palabras en cualquiera de los dos idiomas; "frase exacta", title:palabra, '
    "country:peru, AND, OR, NOT, palabra*.",
    "did_you_mean_before": "¿Quiso decir",
    "did_you_mean_after": "?",
    "results_heading": "Resultados",
    "results_one": "1 resultado",
    "results_many": "{n} resultados",
    "results_none": "Ningún resultado",
    "results_range": "del {first} al {last}",
    "no_results_hint": "Pruebe otras palabras, menos filtros o el otro idioma.",
    "facets_heading": "Afinar los resultados",
    "facet_lang": "Idioma",
    "facet_country": "País",
    "facet_year": "Año",
    "facet_kind": "Tipo",
    "facet_section": "Sección",
    "active_filters": "Filtros aplicados",
    "remove_filter": "Quitar el filtro",
    "lang_en": "Inglés",
    "lang_es": "Español",
    "kind_brief": "Breve",
    "kind_analysis": "Análisis",
    "kind_investigation": "Investigación",
    "kind_news": "Noticia",
    "kind_related": "Artículo relacionado",
    "also_in": "También en español",
    "pagination": "Páginas de resultados",
    "previous": "Página anterior",
    "next": "Página siguiente",
    "ui_switch": "Idioma de la interfaz",
    "ui_name": "Español",
    "error_heading": "No se pudo hacer la búsqueda",
    "notes_heading": "Notas sobre esta búsqueda",
    "not_found_heading": "No encontrado",
    "not_found": "No hay ningún documento con este identificador en el índice.",
    "document_region": "Documento",
    "date": "Fecha",
    "countries": "Países",
    "sections": "Secciones",
    "authors": "Autores",
    "kind": "Tipo",
    "language": "Idioma",
    "source_link": "Leerlo en la fuente",
    "related_heading": "Artículos relacionados",
    "related_none": "No hay artículos relacionados.",
    "why": "Por qué",
    "reason_twin": "la misma noticia en el otro idioma",
    "reason_shown": "aparece en su página",
    "reason_shows": "una página donde aparece",
    "reason_similar": "contenido parecido: {words}",
    "related_link": "Artículos relacionados",
    "untitled": "Sin título",
    "thousands_sep": ".",
}

LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"en": MappingProxyType(_EN), "es": MappingProxyType(_ES)}
)


def labels(ui: str) -> Mapping[str, str]:
    """The label table of interface language ``ui`` (English for anything else)."""
    return LABELS.get(ui, LABELS["en"])


def _accepted(header: str) -> str | None:
    """The interface language the browser prefers most, from an ``Accept-Language`` header.

    >>> _accepted("fr-CH, fr;q=0.9, es;q=0.8, en;q=0.7")
    'es'
    >>> _accepted("en-US,en;q=0.9,es;q=0.8")
    'en'
    >>> _accepted("de, *") is None
    True
    >>> _accepted("es;q=0, en;q=0.1")
    'en'
    """
    best: tuple[float, int, str] | None = None
    for i, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in UI_LANGS:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        key = (q, -i, primary)
        if best is None or key[:2] > best[:2]:
            best = key
    return None if best is None else best[2]


def choose_ui(switch: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The interface language: the ``?ui=`` switch, else the cookie, else the browser's
    preference, else English.

    >>> choose_ui(None, None, "es-MX,es;q=0.9,en;q=0.5")
    'es'
    >>> choose_ui("en", "es", "es")
    'en'
    >>> choose_ui("xx", "es", None)
    'es'
    >>> choose_ui(None, None, None)
    'en'
    """
    for value in (switch, cookie):
        if value in UI_LANGS:
            return str(value)
    return _accepted(accept_language or "") or "en"


def results_count(t: Mapping[str, str], total: int) -> str:
    """How many results, in the table's language.

    >>> results_count(labels("es"), 1234), results_count(labels("en"), 1)
    ('1.234 resultados', '1 result')
    """
    if total == 0:
        return t["results_none"]
    if total == 1:
        return t["results_one"]
    return t["results_many"].format(n=f"{total:,}".replace(",", t["thousands_sep"]))


_REASONS = {
    "same story, other language": "reason_twin",
    "shown on its page": "reason_shown",
    "page that shows it": "reason_shows",
}


def reason_label(t: Mapping[str, str], reason: str | None) -> str:
    """A related item's reason (``Index.related``'s English words) in the table's language."""
    if reason is None:
        return ""
    if reason in _REASONS:
        return t[_REASONS[reason]]
    prefix = "similar content: "
    if reason.startswith(prefix):
        return t["reason_similar"].format(words=reason[len(prefix) :])
    return reason
