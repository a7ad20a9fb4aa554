"""Parsing of crawled InSight Crime page text (English and Spanish 2021+ layout) into a Brief.

The layout, top to bottom (every part but the title optional)::

    [URL line]
    HomeNewsBrief<title>                       breadcrumb (``Inicio...`` in Spanish)
    BRIEF                                      kind line (BREVE, NOTICIAS, ANÁLISIS...)
    <title>
    PERU / 23 SEP 2011 BY GEOFFREY RAMSEY EN   byline (POR ... ES in Spanish)
    <body paragraphs, then share widgets, appeals, licence notice>
    Related Content                            then items: SECTION / D MON YYYY, teaser
    About InSight Crime                        then items: SECTION, title, D MON YYYY, teaser

Each non-empty line is one paragraph. The words of every part come from
:mod:`searchlib.ingest.layout`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath
from urllib.parse import urlsplit

from searchlib.analysis import detect_language
from searchlib.countries import split_places
from searchlib.errors import IngestError
from searchlib.ingest.boilerplate import is_boilerplate, strip_boilerplate
from searchlib.ingest.byline import (
    display_case,
    parse_byline,
    parse_date_line,
    parse_section_line,
)
from searchlib.ingest.layout import LAYOUTS, Layout, layout_for, normalize_line
from searchlib.records import AboutItem, Brief, RelatedItem, stable_id

__all__ = ["guess_lang", "looks_like_page", "page_id", "parse_page"]

_Line = tuple[int, str]
"""A non-empty line: its 1-based number in the source and its stripped text."""

_URL = re.compile(r"^(?:(?:url|source|fuente)\s*:\s*)?(?P<url>https?://\S+)$", re.IGNORECASE)
_ID_STEM = re.compile(r"^(?:\d+[_-])?(?P<id>[0-9a-f]{16})$")
_HEADER_WINDOW = 6
"""How many first lines :func:`looks_like_page` inspects for a breadcrumb, kind or byline."""

_RELATED = {h: lay for lay in LAYOUTS.values() for h in lay.related_headings}
_ABOUT = {h: lay for lay in LAYOUTS.values() for h in lay.about_headings}
_KINDS = {normalize_line(k): (v, lay) for lay in LAYOUTS.values() for k, v in lay.kinds.items()}
_MAX_HEADING = 2 * max(len(h) for h in [*_RELATED, *_ABOUT, *_KINDS])
"""Longer lines are never headings or kind lines (they skip normalisation)."""


def _kind(line: str) -> tuple[str, Layout] | None:
    return _KINDS.get(normalize_line(line)) if len(line) <= _MAX_HEADING else None


def _lines(text: str) -> list[_Line]:
    return [(n, s) for n, raw in enumerate(text.split("\n"), start=1) if (s := raw.strip())]


def _breadcrumb(line: str) -> Layout | None:
    """The layout whose breadcrumb starts ``line`` (``HomeNews...``: prefix + capital letter)."""
    for lay in LAYOUTS.values():
        for prefix in lay.breadcrumb_prefixes:
            rest = line[len(prefix) :]
            if line.startswith(prefix) and rest[:1].isupper():
                return lay
    return None


def _heading(line: str) -> tuple[str, Layout] | None:
    if len(line) > _MAX_HEADING:
        return None
    norm = normalize_line(line)
    if norm in _RELATED:
        return "related", _RELATED[norm]
    if norm in _ABOUT:
        return "about", _ABOUT[norm]
    return None


def looks_like_page(text: str) -> bool:
    """Whether ``text`` is crawled page text rather than a plain text file.

    True when one of the first lines is a breadcrumb, a kind line or a byline, or any line
    is a *Related Content* / *About InSight Crime* heading.
    """
    lines = _lines(text)
    for n, line in lines[:_HEADER_WINDOW]:
        if _breadcrumb(line) or _kind(line):
            return True
        try:
            if parse_byline(line, "<probe>", n) is not None:
                return True
        except IngestError:
            return True
    return any(_heading(line) for _, line in lines)


def page_id(url: str | None, source: str, lang: str, title: str, date: object) -> str:
    """A page's id: the URL's last path segment, else an id-like file stem, else a hash.

    A file stem is id-like when it is 16 hex digits, optionally after a numeric prefix:
    ``000_60fa42e6893d93ee.txt`` gives ``60fa42e6893d93ee``.

    >>> page_id("https://insightcrime.org/news/brief/humala-peru/", "x", "en", "T", None)
    'humala-peru'
    >>> page_id(None, "seeds/000_60fa42e6893d93ee.txt", "en", "T", None)
    '60fa42e6893d93ee'
    """
    if url:
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if segments:
            return segments[-1]
    m = _ID_STEM.match(PurePath(source).stem) if source != "<string>" else None
    if m is not None:
        return m["id"]
    return stable_id(lang, title, date)


def parse_page(text: str, source: str = "<string>") -> Brief:
    """Parse crawled page text (see the module docstring for the layout) into a :class:`Brief`.

    A page without a byline is kept with what it has (no date, countries or authors). The
    language is the byline's marker (EN/ES), else its byline word (BY/POR), else the language
    of the breadcrumb, kind line or headings, else :func:`detect_language` of title and body
    ("en" when undetermined).

    Args:
        text: the page text.
        source: the file it came from (also used for the id, see :func:`page_id`).

    Raises:
        IngestError: the page is empty or has no title, or a byline or item date cannot be
            parsed (names the line).
    """
    lines = _lines(text)
    if not lines:
        raise IngestError(source, "empty page")
    end = next((k for k, (_, s) in enumerate(lines) if _heading(s)), len(lines))
    hints: list[str] = []
    url: str | None = None
    kind = "brief"
    i = 0
    while i < end:
        line = lines[i][1]
        url_match = _URL.match(line)
        if url_match:
            url = url or url_match["url"]
        elif (crumb := _breadcrumb(line)) is not None and i < 2:
            hints.append(crumb.lang)
        elif (k := _kind(line)) is not None:
            kind = k[0]
            hints.append(k[1].lang)
        elif not is_boilerplate(line):
            break
        i += 1
    if i >= end:
        raise IngestError(source, "page has no title", line=lines[min(i, len(lines) - 1)][0])
    title_no, title = lines[i]
    if parse_byline(title, source, title_no) is not None:
        raise IngestError(source, "page has no title (byline first)", line=title_no)
    i += 1
    byline = parse_byline(lines[i][1], source, lines[i][0]) if i < end else None
    if byline is not None:
        i += 1
        if byline.lang:
            hints.insert(0, byline.lang)
    hints.extend(h[1].lang for _, s in lines[end:] if (h := _heading(s)) is not None)
    lang = hints[0] if hints else guess_lang(title, (s for _, s in lines[i:end]))
    body = strip_boilerplate((s for _, s in lines[i:end]), lang)
    related, about = _tail(lines[end:], source, lang)
    date = byline.date if byline else None
    countries, sections = split_places(byline.sections) if byline else ((), ())
    return Brief(
        id=page_id(url, source, lang, title, date),
        lang=lang,
        title=title,
        body=body,
        kind=kind,
        date=date,
        countries=countries,
        sections=sections,
        authors=byline.authors if byline else (),
        # records.py types these converters as generic ``tuple``, which mypy cannot solve.
        related=related,
        about=about,
        source=source,
        url=url,
    )


def guess_lang(title: str, paragraphs: Iterable[str]) -> str:
    """:func:`detect_language` of a title and its paragraphs, boilerplate aside; "en" if unsure."""
    lang = detect_language(" ".join([title, *strip_boilerplate(paragraphs, "en")]))
    return lang if lang in LAYOUTS else "en"


def _tail(
    lines: list[_Line], source: str, lang: str
) -> tuple[tuple[RelatedItem, ...], tuple[AboutItem, ...]]:
    """Related and About items of the lines from the first heading on."""
    related: list[RelatedItem] = []
    about: list[AboutItem] = []
    starts = [k for k, (_, s) in enumerate(lines) if _heading(s)] + [len(lines)]
    for a, b in zip(starts, starts[1:], strict=False):
        heading = _heading(lines[a][1])
        assert heading is not None
        region = lines[a + 1 : b]
        if heading[0] == "related":
            related.extend(_related(region, source, lang))
        else:
            about.extend(_about(region, lang))
    return tuple(related), tuple(about)


def _related(region: list[_Line], source: str, lang: str) -> list[RelatedItem]:
    """Items ``SECTION / D MON YYYY`` + teaser; with a title line before each when the list
    starts with a non-item line (the listing-page variant)."""
    small = layout_for(lang).small_words
    heads = [
        (k, found)
        for k, (n, s) in enumerate(region)
        if (found := parse_section_line(s, source, n, small)) is not None
    ]
    if not heads:
        return []
    titled = heads[0][0] > 0
    items: list[RelatedItem] = []
    title = _text(region[: heads[0][0]], lang) if titled else ""
    for j, (k, (section, date)) in enumerate(heads):
        stop = heads[j + 1][0] if j + 1 < len(heads) else len(region)
        gap = region[k + 1 : stop]
        next_title = ""
        if titled and j + 1 < len(heads) and gap:
            next_title, gap = gap[-1][1], gap[:-1]
        items.append(
            RelatedItem(section=section, date=date, teaser=_text(gap, lang), title=title, lang=lang)
        )
        title = next_title
    return items


def _about(region: list[_Line], lang: str) -> list[AboutItem]:
    """Items SECTION / title / D MON YYYY / teaser, found by their date lines."""
    small = layout_for(lang).small_words
    dates = [(k, d) for k, (_, s) in enumerate(region) if (d := parse_date_line(s)) is not None]
    parts: list[tuple[int, str, str]] = []  # (first line of the item, section, title)
    prev = -1
    for k, _ in dates:
        title = region[k - 1][1] if k - 1 > prev else ""
        has_section = bool(title) and k - 2 > prev and _upper(region[k - 2][1])
        section = display_case(region[k - 2][1], small) if has_section else ""
        parts.append((k - 2 if has_section else k - 1 if title else k, section, title))
        prev = k
    items: list[AboutItem] = []
    for j, (k, date) in enumerate(dates):
        stop = parts[j + 1][0] if j + 1 < len(parts) else len(region)
        _, section, title = parts[j]
        teaser = _text(region[k + 1 : stop], lang)
        items.append(AboutItem(section=section, title=title, date=date, teaser=teaser))
    return items


def _upper(text: str) -> bool:
    return text == text.upper() and any(c.isalpha() for c in text)


def _text(lines: list[_Line], lang: str) -> str:
    return " ".join(strip_boilerplate((s for _, s in lines), lang))
