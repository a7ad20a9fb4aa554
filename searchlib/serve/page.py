"""The search page: server-rendered HTML at ``/`` and ``/doc/{id}``, usable without JavaScript.

``router`` (a FastAPI ``APIRouter``, included by :func:`searchlib.serve.app.create_app`) serves

- ``GET /``: a search box (a plain ``<form method=get>``), did-you-mean, one page of results
  (title, language, date, countries, the snippet with the matched words marked, a story once
  with a link to its other-language version), facets as links that filter, the filters in use
  as links that remove them, previous/next pages. Parameters: ``q``, ``doc_lang``,
  ``country``, ``kind``, ``section``, ``year``, ``offset``, ``limit`` (1 to 50), ``ui``.
- ``GET /doc/{id}``: a document and its related items, each with the reason.
- ``GET /static/searchlib.css``: the page's style sheet.

Everything a document or a person wrote is escaped by Jinja2's autoescape (no ``|safe``
anywhere); a snippet is rendered from the highlighter's passage as data (its text and the
spans of the matched words, :meth:`Snippet.fragments`), the marks being the template's own
``<mark>`` elements. A link to a document's source is shown only for an http(s) URL. Every
response carries a Content-Security-Policy that allows no script at all.

The interface speaks English or Spanish (:mod:`searchlib.serve.labels`): ``?ui=es`` switches
and is remembered in a cookie, else the browser's Accept-Language decides. A query the parser
rejects, or a parameter out of its range, is a 400 page that says why; the index is read
through the app's :class:`~searchlib.serve.app.ServeState` (its newest commit, within the
request's time budget), whose errors (503 while the index cannot be opened or past the
budget) are pages with their status and message too.

The rendering functions (:func:`parse_page_query`, :func:`render_search`,
:func:`render_document`) take plain values, so they are tested without a server.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from searchlib.countries import label as country_label
from searchlib.errors import ArgumentError, IndexStateError, QuerySyntaxError
from searchlib.records import Brief, RelatedItem
from searchlib.search.results import Hit, Results
from searchlib.serve.app import ApiError, state_of
from searchlib.serve.labels import (
    UI_LANGS,
    choose_ui,
    labels,
    reason_label,
    results_count,
)

__all__ = [
    "FILTERS",
    "PageError",
    "PageIndex",
    "PageQuery",
    "parse_page_query",
    "render_document",
    "render_search",
    "router",
    "run_search",
]

#: The filters the page takes, in the order they are shown: (URL parameter, label key).
FILTERS: tuple[tuple[str, str], ...] = (
    ("doc_lang", "facet_lang"),
    ("country", "facet_country"),
    ("year", "facet_year"),
    ("kind", "facet_kind"),
    ("section", "facet_section"),
)
#: The facet each filter comes from (``Results.facets`` keys).
FACET_OF = {
    "doc_lang": "lang",
    "country": "country",
    "year": "year",
    "kind": "kind",
    "section": "section",
}
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
FACET_VALUES = 12  # values shown per facet (the most frequent)
RELATED_LIMIT = 10
UI_COOKIE = "ui"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_YEAR = re.compile(r"\d{4}")


class PageIndex(Protocol):
    """What the page asks of an index snapshot (``searchlib.Index`` and the PostgreSQL
    backend's index both answer it)."""

    def search(
        self,
        query: str,
        limit: int = 10,
        *,
        offset: int = 0,
        doc_lang: str | None = None,
        country: str | None = None,
        kind: str | None = None,
        section: str | None = None,
        since: _dt.date | str | None = None,
        until: _dt.date | str | None = None,
        facets: bool = False,
        twins: bool = False,
        syntax: str = "strict",
    ) -> Results: ...

    def related(self, doc_id: str, limit: int = 10) -> Results: ...

    def get(self, doc_id: str) -> Brief | RelatedItem | None: ...


class PageError(ValueError):
    """A page parameter that cannot be used (shown on the page with status 400)."""


@dataclass(frozen=True)
class PageQuery:
    """What one search page asks for: the query text, the filters (URL parameter -> value),
    the page's offset and size."""

    q: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    offset: int = 0
    limit: int = DEFAULT_LIMIT

    def params(self, **changes: str | int | None) -> list[tuple[str, str]]:
        """The URL parameters of this page with ``changes`` (None removes one); the offset is
        left out when 0, the limit when it is the default."""
        values: dict[str, str | int | None] = {"q": self.q}
        values.update({name: self.filters.get(name) for name, _ in FILTERS})
        values["offset"] = self.offset
        values["limit"] = self.limit
        values.update(changes)
        out = []
        for name, value in values.items():
            if value is None or value == "":
                continue
            if (name == "offset" and value == 0) or (name == "limit" and value == DEFAULT_LIMIT):
                continue
            out.append((name, str(value)))
        return out

    def url(self, base: str = "", **changes: str | int | None) -> str:
        """This page's URL with ``changes``; a filter change goes back to the first page."""
        if any(name in changes for name, _ in FILTERS) and "offset" not in changes:
            changes["offset"] = 0
        query = urlencode(self.params(**changes))
        return f"{base}/?{query}" if query else f"{base}/"


def _whole(name: str, text: str | None, default: int) -> int:
    if text is None or text == "":
        return default
    if not re.fullmatch(r"\d{1,9}", text.strip()):
        raise PageError(f"{name} must be a whole number, not {text!r}")
    return int(text)


def parse_page_query(params: Mapping[str, str]) -> PageQuery:
    """The page's parameters read from a URL's query (PageError when one cannot be used).

    >>> parse_page_query({"q": "coca", "doc_lang": "en", "offset": "10"}).url()
    '/?q=coca&doc_lang=en&offset=10'
    >>> parse_page_query({"year": "2011x"})
    Traceback (most recent call last):
    ...
    searchlib.serve.page.PageError: year must be a year of four digits, not '2011x'
    """
    filters: dict[str, str] = {}
    for name, _ in FILTERS:
        value = (params.get(name) or "").strip()
        if value:
            if name == "year" and not _YEAR.fullmatch(value):
                raise PageError(f"year must be a year of four digits, not {value!r}")
            filters[name] = value
    limit = _whole("limit", params.get("limit"), DEFAULT_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise PageError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit}")
    return PageQuery(
        q=params.get("q", "").strip(),
        filters=filters,
        offset=_whole("offset", params.get("offset"), 0),
        limit=limit,
    )


def run_search(index: PageIndex, query: PageQuery) -> Results:
    """The page's search: strict syntax, facets, a story once (twins folded).

    Raises QuerySyntaxError or ArgumentError (what the page shows as a 400)."""
    f = query.filters
    year = f.get("year")
    return index.search(
        query.q,
        query.limit,
        offset=query.offset,
        doc_lang=f.get("doc_lang"),
        country=f.get("country"),
        kind=f.get("kind"),
        section=f.get("section"),
        since=year,
        until=year,
        facets=True,
        twins=True,
        syntax="strict",
    )


# -- view models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A link: its text, its URL, and whether it is the current choice."""

    text: str
    url: str
    count: int = 0
    current: bool = False
    lang: str | None = None


@dataclass(frozen=True)
class Facet:
    param: str
    label: str
    values: tuple[Link, ...]


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    value: str
    remove_url: str


@dataclass(frozen=True)
class HitView:
    """One result as the page shows it."""

    id: str
    url: str
    title: str
    lang: str
    lang_name: str
    kind: str
    date: str | None
    countries: tuple[str, ...]
    sections: tuple[str, ...]
    fragments: tuple[tuple[str, bool], ...]
    twin: Link | None
    reason: str = ""


@dataclass(frozen=True)
class DocView:
    """One document as its page shows it."""

    id: str
    title: str
    lang: str
    lang_name: str
    kind: str
    date: str | None
    countries: tuple[str, ...]
    sections: tuple[str, ...]
    authors: tuple[str, ...]
    paragraphs: tuple[str, ...]
    source_url: str | None


def doc_url(base: str, doc_id: str) -> str:
    """The page of one document (its id quoted whole, slashes too)."""
    return f"{base}/doc/{quote(doc_id, safe='')}"


def _value_label(t: Mapping[str, str], param: str, value: str) -> str:
    """How a filter's value is shown: a language or kind in the interface's words, a country
    by its name in the interface's language (Peru, Perú), anything else as written."""
    if param == "country":
        return country_label(value, t["ui_code"])
    if param == "doc_lang":
        return t.get(f"lang_{value.lower()}", value)
    if param == "kind":
        return t.get(f"kind_{value.lower()}", value)
    return value


def _kind_label(t: Mapping[str, str], kind: str) -> str:
    return t.get(f"kind_{kind}", kind)


def _safe_url(url: str | None) -> str | None:
    """A document's URL when it is an http(s) one (never ``javascript:`` or ``data:``)."""
    if url and re.match(r"https?://[^\s]+\Z", url, re.IGNORECASE):
        return url
    return None


def hit_view(t: Mapping[str, str], base: str, hit: Hit) -> HitView:
    twin = None
    if hit.twin_ref is not None:
        other = hit.twin_ref.lang
        twin = Link(labels(other)["also_in"], doc_url(base, hit.twin_ref.id), lang=other)
    elif hit.twin is not None:
        twin = Link(t["related_link"], doc_url(base, hit.twin))
    return HitView(
        id=hit.id,
        url=doc_url(base, hit.id),
        title=hit.display_title,
        lang=hit.lang,
        lang_name=t.get(f"lang_{hit.lang}", hit.lang),
        kind=_kind_label(t, hit.kind),
        date=hit.date.isoformat() if hit.date else None,
        countries=hit.countries,
        sections=hit.sections,
        fragments=tuple(hit.passage.fragments()),
        twin=twin,
        reason=reason_label(t, hit.reason),
    )


def facets_view(
    t: Mapping[str, str], base: str, query: PageQuery, facets: Mapping[str, Mapping[str, int]]
) -> list[Facet]:
    out = []
    for param, key in FILTERS:
        counts = facets.get(FACET_OF[param]) or {}
        items = [(v, n) for v, n in counts.items() if n > 0]
        if param == "year":
            items.sort(key=lambda vn: vn[0], reverse=True)
        else:
            items.sort(key=lambda vn: (-vn[1], vn[0]))
        current = query.filters.get(param)
        links = tuple(
            Link(
                _value_label(t, param, value),
                query.url(base, **{param: value}),
                count,
                current is not None and current.casefold() == value.casefold(),
                value if param == "doc_lang" else None,
            )
            for value, count in items[:FACET_VALUES]
        )
        if links:
            out.append(Facet(param, t[key], links))
    return out


def active_filters(t: Mapping[str, str], base: str, query: PageQuery) -> list[ActiveFilter]:
    return [
        ActiveFilter(
            t[key], _value_label(t, param, query.filters[param]), query.url(base, **{param: None})
        )
        for param, key in FILTERS
        if param in query.filters
    ]


def document_view(t: Mapping[str, str], record: Brief | RelatedItem) -> DocView:
    if isinstance(record, Brief):
        title = record.title.strip()
        countries, sections, authors = record.countries, record.sections, record.authors
        paragraphs, kind = record.body, record.kind
    else:
        title = record.title.strip()
        countries, authors, kind = (), (), "related"
        sections = (record.section,) if record.section else ()
        paragraphs = (record.teaser,)
    if not title:
        first = " ".join(" ".join(paragraphs).split())
        title = first if len(first) <= 80 else first[: first.rfind(" ", 0, 80) + 1 or 80] + "…"
    return DocView(
        id=record.id,
        title=title or t["untitled"],
        lang=record.lang,
        lang_name=t.get(f"lang_{record.lang}", record.lang),
        kind=_kind_label(t, kind),
        date=record.date.isoformat() if record.date else None,
        countries=countries,
        sections=sections,
        authors=authors,
        paragraphs=paragraphs,
        source_url=_safe_url(record.url),
    )


# -- templates ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The page's Jinja2 environment: templates from the package, autoescape always on,
    undefined names an error."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("searchlib.serve", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _other_ui(ui: str) -> str:
    """The interface language the switch offers."""
    return next(lang for lang in UI_LANGS if lang != ui)


def _chrome(ui: str, base: str, switch_url: str, query: PageQuery) -> dict[str, Any]:
    """What every page shows: the labels, the language switch, the search box."""
    other = _other_ui(ui)
    return {
        "t": labels(ui),
        "ui": ui,
        "base": base,
        "switch": Link(labels(other)["ui_name"], switch_url, lang=other),
        "query": query,
        "hidden": [(name, query.filters[name]) for name, _ in FILTERS if name in query.filters]
        + ([("limit", str(query.limit))] if query.limit != DEFAULT_LIMIT else []),
    }


def render_search(
    ui: str,
    query: PageQuery,
    results: Results | None,
    *,
    error: str | None = None,
    base: str = "",
    switch_url: str | None = None,
) -> str:
    """The search page's HTML: the box, and the results (or the error) of ``query``."""
    t = labels(ui)
    if switch_url is None:
        switch_url = query.url(base, ui=_other_ui(ui))
    context = _chrome(ui, base, switch_url, query)
    context.update(
        error=error,
        searched=results is not None,
        hits=[],
        total=0,
        count="",
        first=query.offset + 1,
        last=0,
        suggestion=None,
        warnings=[],
        facets=[],
        active=active_filters(t, base, query),
        previous=None,
        next=None,
    )
    if results is not None:
        context.update(
            hits=[hit_view(t, base, h) for h in results.hits],
            total=results.total,
            count=results_count(t, results.total),
            last=query.offset + len(results.hits),
            suggestion=(
                Link(results.suggestion, query.url(base, q=results.suggestion))
                if results.suggestion
                else None
            ),
            warnings=list(results.warnings),
            facets=facets_view(t, base, query, results.facets or {}),
            previous=(
                query.url(base, offset=max(0, query.offset - query.limit))
                if query.offset > 0
                else None
            ),
            next=(
                query.url(base, offset=query.offset + query.limit)
                if query.offset + query.limit < results.total
                else None
            ),
        )
    return environment().get_template("search.html").render(context)


def render_document(
    ui: str,
    record: Brief | RelatedItem | None,
    related: Results | None,
    *,
    base: str = "",
    switch_url: str = "",
) -> str:
    """A document's page with its related items (each with the reason), or the not-found
    page when ``record`` is None."""
    t = labels(ui)
    context = _chrome(ui, base, switch_url, PageQuery())
    context.update(
        doc=document_view(t, record) if record is not None else None,
        related=[hit_view(t, base, h) for h in related.hits] if related is not None else [],
    )
    return environment().get_template("document.html").render(context)


# -- routes ------------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False)


def _ui(request: Request) -> tuple[str, str | None]:
    """The interface language of a request, and the switch to remember (None: none)."""
    switch = request.query_params.get("ui")
    ui = choose_ui(switch, request.cookies.get(UI_COOKIE), request.headers.get("accept-language"))
    return ui, switch if switch in UI_LANGS else None


def _switch_url(request: Request, ui: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "ui"]
    params.append(("ui", _other_ui(ui)))
    base = request.scope.get("root_path", "")
    return f"{base}{request.url.path}?{urlencode(params)}"


def _respond(html: str, status: int, remember: str | None) -> HTMLResponse:
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Vary"] = "Accept-Language, Cookie"
    if remember is not None:
        response.set_cookie(UI_COOKIE, remember, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


def _search_or_error(index: PageIndex, query: PageQuery) -> Results | str:
    """The page's results, or the message of a query or parameter the search rejects."""
    try:
        return run_search(index, query)
    except (QuerySyntaxError, ArgumentError) as e:
        return str(e)


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request) -> HTMLResponse:
    """The search page (see the module's docstring)."""
    ui, remember = _ui(request)
    base = request.scope.get("root_path", "")
    switch = _switch_url(request, ui)
    params = dict(request.query_params.items())
    try:
        query = parse_page_query(params)
    except PageError as e:
        html = render_search(
            ui,
            PageQuery(q=params.get("q", "")),
            None,
            error=str(e),
            base=base,
            switch_url=switch,
        )
        return _respond(html, 400, remember)
    if not query.q:
        html = render_search(ui, query, None, base=base, switch_url=switch)
        return _respond(html, 200, remember)
    state = state_of(request)
    try:
        got = await state.run(lambda: state.read(lambda index: _search_or_error(index, query)))
    except ApiError as exc:
        html = render_search(ui, query, None, error=exc.message, base=base, switch_url=switch)
        return _respond(html, exc.status, remember)
    if isinstance(got, str):
        html = render_search(ui, query, None, error=got, base=base, switch_url=switch)
        return _respond(html, 400, remember)
    return _respond(render_search(ui, query, got, base=base, switch_url=switch), 200, remember)


def _document(index: PageIndex, doc_id: str) -> tuple[Brief | RelatedItem | None, Results | None]:
    record = index.get(doc_id)
    if record is None:
        return None, None
    try:
        return record, index.related(doc_id, RELATED_LIMIT)
    except IndexStateError:  # deleted between the two reads
        return None, None


@router.get("/doc/{doc_id:path}", response_class=HTMLResponse)
async def document_page(doc_id: str, request: Request) -> HTMLResponse:
    """A document and its related items; 404 for an unknown id."""
    ui, remember = _ui(request)
    base = request.scope.get("root_path", "")
    switch = _switch_url(request, ui)
    state = state_of(request)
    try:
        record, related = await state.run(lambda: state.read(lambda ix: _document(ix, doc_id)))
    except ApiError as exc:
        html = render_search(ui, PageQuery(), None, error=exc.message, base=base, switch_url=switch)
        return _respond(html, exc.status, remember)
    html = render_document(ui, record, related, base=base, switch_url=switch)
    return _respond(html, 200 if record is not None else 404, remember)


@lru_cache(maxsize=1)
def _stylesheet() -> bytes:
    return (resources.files("searchlib.serve") / "static" / "searchlib.css").read_bytes()


@router.get("/static/searchlib.css")
def stylesheet() -> Response:
    """The page's style sheet."""
    return Response(
        _stylesheet(),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
