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
:mod:`searchlib.ingest.layout`, and the parser also reads what the table does not list, by its
place: a breadcrumb of another shape (``Home › News › ...``) ends with the title; a short
upper-case line between it and the title, with a byline after the title, is a kind label
(``OPINION``: the kind is the label, folded); a line between title and byline is a subtitle
(kept in the body); a short line followed by Related items is the Related heading, one like the
About heading with dates after it the About heading; items may have sections in any case,
``|``/dash separators and dates as ``D MON YYYY``, ``MON D, YYYY`` or ``D de MES de YYYY``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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
    parse_item_line,
)
from searchlib.ingest.layout import LAYOUTS, Layout, layout_for, normalize_line
from searchlib.ingest.shingles import fingerprint, jaccard, words
from searchlib.ingest.template import LineTable, site_of
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

_HEADING_WORDS = 6
"""A heading the table does not list has at most this many words."""

_LABEL_WORDS = 4
"""A kind label the table does not list (``OPINION``, ``REPORTAJE``) has at most this many."""

_HEADINGS = [
    (fingerprint(h), "related", lay) for lay in LAYOUTS.values() for h in lay.related_headings
]
_HEADINGS += [
    (fingerprint(h), "about", lay) for lay in LAYOUTS.values() for h in lay.about_headings
]


_HEADING_HINT = re.compile(
    "|".join(sorted({re.escape(w).replace("i", "[ií]") for h in _HEADINGS for w in h[0]}))
)
"""Finds, in a normalised line, a word of a known heading (cut as in its fingerprint)."""


def _kind_key(label: str) -> frozenset[str]:
    """A kind label's words without plural endings (``NEWS BRIEFS`` = ``NEWS BRIEF``)."""
    return frozenset(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words(label))


_KIND_KEYS = {_kind_key(k): v for k, v in _KINDS.items()}


def _kind(line: str) -> tuple[str, Layout] | None:
    if len(line) > _MAX_HEADING:
        return None
    found = _KINDS.get(normalize_line(line))
    if found is None and line.isupper() and len(line.split()) <= _LABEL_WORDS:
        found = _KIND_KEYS.get(_kind_key(line))
    return found


def _lines(text: str) -> list[_Line]:
    return [(n, s) for n, raw in enumerate(text.split("\n"), start=1) if (s := raw.strip())]


def _breadcrumb(line: str) -> Layout | None:
    """The layout whose breadcrumb starts ``line``: its prefix then a capital letter
    (``HomeNews...``) or a separator (``Home › News``, ``Inicio / Noticias``)."""
    for lay in LAYOUTS.values():
        for prefix in lay.breadcrumb_prefixes:
            rest = line[len(prefix) :]
            if line.startswith(prefix) and (
                rest[:1].isupper() or re.match(r"\s*[›»>/|:-]", rest) is not None
            ):
                return lay
    return None


def _ends_with_later_line(lines: list[_Line], i: int, end: int) -> int | None:
    """The index of one of the next lines that ``lines[i]`` ends with (a breadcrumb ends with
    the page's title), else None."""
    line = lines[i][1]
    for j in range(i + 1, min(i + 4, end)):
        later = lines[j][1]
        if len(later) >= 8 and len(line) > len(later) and line.endswith(later):
            return j
    return None


def _heading_at(
    lines: list[_Line], k: int, source: str = "<probe>", structural: bool = False
) -> tuple[str, Layout] | None:
    """The list heading ``lines[k]`` is, if any: a heading of the table, a short line like an
    About heading (Jaccard of the words) with dates after it, or (with ``structural``, for the
    first heading of a page) a short line that two or more items of a Related list follow."""
    line = lines[k][1]
    if len(line) > _MAX_HEADING:
        return None
    norm = normalize_line(line)
    if norm in _RELATED:
        return "related", _RELATED[norm]
    if norm in _ABOUT:
        return "about", _ABOUT[norm]
    if norm.count(" ") >= _HEADING_WORDS or line.endswith((".", ",", ";")):
        return None
    if (
        structural
        and k + 1 < len(lines)
        and lines[k + 1][1][-4:].isdigit()  # an item line ends with its year
        and _is_item([lines[k + 1][1]], source)
        and not _is_item([line], source)
        and sum(_is_item([s], source) for _, s in lines[k + 1 : k + 9]) >= 2
    ):
        lay = max(
            (h for h in _HEADINGS if h[1] == "related"),
            key=lambda h: jaccard(fingerprint(line), h[0]),
        )[2]
        return "related", lay
    if not _HEADING_HINT.search(norm):
        return None  # no word of a known heading: the common case, without tokenising
    fp = fingerprint(line)
    best = max(_HEADINGS, key=lambda h: jaccard(fp, h[0]))
    if best[1] == "about" and jaccard(fp, best[0]) >= 0.5:
        if any(parse_date_line(s) is not None for _, s in lines[k + 1 : k + 5]):
            return "about", best[2]
    return None


def _is_item(lines: list[str], source: str) -> bool:
    if not lines:
        return False
    try:
        return parse_item_line(lines[0], source, 0, frozenset()) is not None
    except IngestError:
        return True


def _heading(line: str) -> tuple[str, Layout] | None:
    """The heading of the table ``line`` is (no context: see :func:`_heading_at`)."""
    return _heading_at([(0, line)], 0)


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


def parse_page(
    text: str,
    source: str = "<string>",
    template: LineTable | None = None,
    on_bad_date: Callable[[str, int], None] | None = None,
) -> Brief:
    """Parse crawled page text (see the module docstring for the layout) into a :class:`Brief`.

    A page without a byline is kept with what it has (no date, countries or authors). The
    language is the byline's marker (EN/ES), else its byline word (BY/POR), else the language
    of the breadcrumb, kind line or headings, else :func:`detect_language` of title and body
    ("en" when undetermined).

    Args:
        text: the page text.
        source: the file it came from (also used for the id, see :func:`page_id`).
        template: the lines repeated across the run's pages of each site
            (:mod:`searchlib.ingest.template`), dropped from the body wherever they are.
        on_bad_date: given, a byline date that cannot be parsed is reported to it (reason,
            line) and the page is kept without a date (see :func:`parse_byline`).

    Raises:
        IngestError: the page is empty or has no title, or a byline or item date cannot be
            parsed (names the line).
    """
    lines = _lines(text)
    if not lines:
        raise IngestError(source, "empty page")
    end, first = next(
        ((k, h) for k in range(len(lines)) if (h := _heading_at(lines, k, source, True))),
        (len(lines), None),
    )
    hints: list[str] = []
    url: str | None = None
    kind: str | None = None
    label: str | None = None
    i = 0
    while i < end:
        line = lines[i][1]
        url_match = _URL.match(line)
        if url_match:
            url = url or url_match["url"]
        elif (crumb := _breadcrumb(line)) is not None and i < 2:
            hints.append(crumb.lang)
        elif i < 2 and _ends_with_later_line(lines, i, end) is not None:
            pass  # a breadcrumb of another shape: it ends with the title
        elif (k := _kind(line)) is not None:
            kind = kind or k[0]
            hints.append(k[1].lang)
        elif is_boilerplate(line):
            pass
        elif _is_label(lines, i, end):
            label = label or line
        else:
            break
        i += 1
    if i >= end:
        raise IngestError(source, "page has no title", line=lines[min(i, len(lines) - 1)][0])
    title_no, title = lines[i]
    if parse_byline(title, source, title_no) is not None:
        raise IngestError(source, "page has no title (byline first)", line=title_no)
    i += 1
    dek: list[str] = []  # a line between the title and the byline stays in the body
    byline = parse_byline(lines[i][1], source, lines[i][0], on_bad_date) if i < end else None
    if byline is None and i + 1 < end and len(lines[i][1]) < _MAX_DEK:
        byline = parse_byline(lines[i + 1][1], source, lines[i + 1][0], on_bad_date)
        if byline is not None:
            dek = [lines[i][1]]
            i += 1
    if byline is not None:
        i += 1
        if byline.lang:
            hints.insert(0, byline.lang)
    tail = lines[end:]
    headings = [(k, h) for k in range(1, len(tail)) if (h := _heading_at(tail, k, source))]
    if first is not None:
        headings.insert(0, (0, first))
        if _heading_at(tail, 0, source):  # not only found by the items after it
            hints.append(first[1].lang)
    hints.extend(h[1].lang for _, h in headings[1:])
    lang = hints[0] if hints else guess_lang(title, (s for _, s in lines[i:end]))
    site = template.for_site(site_of(url)) if template is not None else frozenset()
    body = strip_boilerplate(
        [*dek, *(s for _, s in lines[i:end])], lang, site, page_end=end < len(lines)
    )
    related, about = _tail(tail, headings, source, lang)
    date = byline.date if byline else None
    if kind is None:
        kind = label.casefold() if label else "brief"
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


_MAX_DEK = 400
"""A line longer than this between a title and a byline is not a subtitle."""


def _is_label(lines: list[_Line], i: int, end: int) -> bool:
    """Whether ``lines[i]`` is a kind label the table does not list (``OPINION``): a short
    upper-case line before the title, with a byline or breadcrumb as evidence of the header
    (the title follows it, then the byline; or a breadcrumb above it ends with the title)."""
    line = lines[i][1]
    if not line.isupper() or len(line.split()) > _LABEL_WORDS or "/" in line or i + 1 >= end:
        return False
    try:
        if parse_byline(lines[i + 1][1], "<probe>", 0) is not None:
            return False  # an upper-case title
        if i + 2 < end and parse_byline(lines[i + 2][1], "<probe>", 0) is not None:
            return True
    except IngestError:
        return False
    return any(_ends_with_later_line(lines, k, end) == i + 1 for k in range(i))


def guess_lang(title: str, paragraphs: Iterable[str]) -> str:
    """:func:`detect_language` of a title and its paragraphs, boilerplate aside; "en" if unsure."""
    lang = detect_language(" ".join([title, *strip_boilerplate(paragraphs, "en")]))
    return lang if lang in LAYOUTS else "en"


def _tail(
    lines: list[_Line], headings: list[tuple[int, tuple[str, Layout]]], source: str, lang: str
) -> tuple[tuple[RelatedItem, ...], tuple[AboutItem, ...]]:
    """Related and About items of the lines from the first heading on (``headings``: where
    each heading is and what it heads)."""
    related: list[RelatedItem] = []
    about: list[AboutItem] = []
    ends = [k for k, _ in headings[1:]] + [len(lines)]
    for (a, heading), b in zip(headings, ends, strict=False):  # none without a heading
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
        if (found := parse_item_line(s, source, n, small)) is not None
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
        above = region[k - 2][1] if bool(title) and k - 2 > prev else ""
        has_section = bool(above) and (_upper(above) or _label_like(above))
        section = (display_case(above, small) if _upper(above) else above) if has_section else ""
        parts.append((k - 2 if has_section else k - 1 if title else k, section, title))
        prev = k
    items: list[AboutItem] = []
    for j, (k, date) in enumerate(dates):
        stop = parts[j + 1][0] if j + 1 < len(parts) else len(region)
        _, section, title = parts[j]
        teaser = _text(region[k + 1 : stop], lang)
        items.append(AboutItem(section=section, title=title, date=date, teaser=teaser))
    return items


def _label_like(text: str) -> bool:
    """A section label in any case: a few words, not the end of a sentence or teaser."""
    return len(text.split()) <= _LABEL_WORDS and not text.endswith((".", "…", "!", "?", ",", ";"))


def _upper(text: str) -> bool:
    return text == text.upper() and any(c.isalpha() for c in text)


def _text(lines: list[_Line], lang: str) -> str:
    return " ".join(strip_boilerplate((s for _, s in lines), lang))
