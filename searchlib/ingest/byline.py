"""Reading of the ``SECTION / D MON YYYY BY AUTHOR EN`` lines and ``D MON YYYY`` dates of pages.

Owns date parsing (month names from :data:`searchlib.ingest.layout.MONTHS`), the byline and
section/date line shapes, and display casing of the upper-case names those lines carry.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

import attrs

from searchlib.errors import IngestError
from searchlib.ingest.layout import LAYOUTS, MONTHS, Layout

__all__ = [
    "Byline",
    "display_case",
    "parse_byline",
    "parse_date_line",
    "parse_item_line",
    "parse_section_line",
]

_DATE = r"(?P<day>\d{1,2})\s+(?P<month>[^\W\d_]+)\.?\s+(?P<year>\d{4})"
_DATE_ONLY = re.compile(rf"^{_DATE}$")
_SECTIONS = r"(?P<sections>[^/]+?)\s*/\s*"  # must hold a letter: see _is_upper
_SECTION_DATE = re.compile(rf"^{_SECTIONS}{_DATE}(?P<rest>(?:\s.*)?)$")
# A byline whose date is not of the D MON YYYY shape: still a byline if it has BY/POR or a marker.
_LOOSE = re.compile(rf"^{_SECTIONS}(?P<rest>\S.*)$")
# Related and About lists: any case, other separators, and the other date orders of the site's
# two languages ("NOV 25, 2022", "25 de noviembre de 2022").
_FLEX_DATE = (
    r"(?:(?P<day>\d{1,2})\.?\s+(?:de\s+)?(?P<month>[^\W\d_]+)\.?,?\s+(?:de\s+|del\s+)?"
    r"(?P<year>\d{4})"
    r"|(?P<month2>[^\W\d_]+)\.?\s+(?P<day2>\d{1,2}),?\s+(?P<year2>\d{4}))"
)
_FLEX_DATE_ONLY = re.compile(rf"^{_FLEX_DATE}$", re.IGNORECASE)
_FLEX_SECTION_DATE = re.compile(
    rf"^(?P<sections>.*?[^\W\d_].*?)\s+[/|·–—]\s+{_FLEX_DATE}$"
    rf"|^(?P<tight>[^/]*?[^\W\d_][^/]*?)/\s*{_FLEX_DATE.replace('?P<', '?P<t_')}$",
    re.IGNORECASE,
)
_NAME_PARTICLES = frozenset("da de del der di do dos la las le los van von y".split())
_CAPITAL = re.compile(r"(^|[-'’.(/])(\w)")

_BY_WORDS: dict[str, Layout] = {w: lay for lay in LAYOUTS.values() for w in lay.byline_words}
_MARKERS: dict[str, Layout] = {lay.marker: lay for lay in LAYOUTS.values()}


@attrs.frozen
class Byline:
    """What a page's byline says; ``lang`` is None when it has neither marker nor byline word."""

    sections: tuple[str, ...]
    date: _dt.date | None
    authors: tuple[str, ...]
    lang: str | None


def display_case(text: str, small_words: frozenset[str] = frozenset()) -> str:
    """Upper-case ``text`` in display case: words capitalised, ``small_words`` kept lower.

    >>> display_case("CHINA AND CRIME", frozenset({"and"}))
    'China and Crime'
    >>> display_case("GUINEA-BISSAU"), display_case("PERÚ")
    ('Guinea-Bissau', 'Perú')
    """
    words = text.lower().split()
    out = []
    for n, word in enumerate(words):
        if n and word in small_words:
            out.append(word)
        else:
            out.append(_CAPITAL.sub(lambda m: m.group(1) + m.group(2).upper(), word))
    return " ".join(out)


def _date(day: str, month: str, year: str) -> _dt.date | None:
    number = MONTHS.get(month.upper().rstrip("."))
    if number is None:
        return None
    try:
        return _dt.date(int(year), number, int(day))
    except ValueError:
        return None


def parse_date_line(line: str) -> _dt.date | None:
    """The date of a line that is only a date with a known month, else None: ``D MON YYYY``,
    ``MON D, YYYY`` or ``D de MES de YYYY``, months of either language, any case.

    >>> parse_date_line("3 MAR 2023"), parse_date_line("3 cats 2023")
    (datetime.date(2023, 3, 3), None)
    >>> parse_date_line("Sept. 9, 2021"), parse_date_line("28 de diciembre de 2021")
    (datetime.date(2021, 9, 9), datetime.date(2021, 12, 28))
    """
    text = line.strip()
    m = _FLEX_DATE_ONLY.match(text) if text[-4:].isdigit() and len(text) < 40 else None
    if m is None:
        return None
    return _flex_date(m)


def _flex_date(m: re.Match[str], prefix: str = "") -> _dt.date | None:
    if m[prefix + "day"] is not None:
        return _date(m[prefix + "day"], m[prefix + "month"], m[prefix + "year"])
    return _date(m[prefix + "day2"], m[prefix + "month2"], m[prefix + "year2"])


def parse_item_line(
    line: str, source: str, lineno: int, small: frozenset[str]
) -> tuple[str, _dt.date] | None:
    """``(section, date)`` of a Related Content item line, in any of its variants, else None.

    Like :func:`parse_section_line`, and also: sections in any case (kept as written unless
    upper case), a slash inside the section, ``|``, ``·`` or a dash as separator, and the date
    shapes of :func:`parse_date_line`.

    >>> parse_item_line("GameChangers 2021 | Dec 9, 2021", "s", 1, frozenset())
    ('GameChangers 2021', datetime.date(2021, 12, 9))

    Raises:
        IngestError: the line has that shape but its date does not exist.
    """
    strict = parse_section_line(line, source, lineno, small)
    if strict is not None:
        return strict
    text = line.strip()
    if len(text) > 120 or not text[-4:].isdigit():
        return None  # every item line ends with its year
    m = _FLEX_SECTION_DATE.match(text)
    if m is None:
        return None
    loose = m["sections"] is not None
    sections = (m["sections"] if loose else m["tight"]).strip()
    if loose and _BY_WORDS.keys() & set(sections.split()):
        return None  # a byline with authors, not an item
    date = _flex_date(m, "" if loose else "t_")
    if date is None:
        raise IngestError(source, f"unparseable date in {text!r}", line=lineno)
    if _is_upper(sections):
        return ", ".join(_sections(sections, small)), date
    return sections, date


def _is_upper(text: str) -> bool:
    return text == text.upper() and any(c.isalpha() for c in text)


def _sections(text: str, small: frozenset[str]) -> tuple[str, ...]:
    return tuple(display_case(s, small) for s in text.split(",") if s.strip())


def parse_section_line(
    line: str, source: str, lineno: int, small: frozenset[str]
) -> tuple[str, _dt.date] | None:
    """``(section, date)`` of a related-item line ``BRAZIL / 25 NOV 2022``, else None.

    Raises:
        IngestError: the line has that shape but its date does not exist.
    """
    m = _SECTION_DATE.match(line.strip()) if "/" in line else None
    if m is None or m["rest"].strip() or not _is_upper(m["sections"]):
        return None
    date = _date(m["day"], m["month"], m["year"])
    if date is None:
        raise IngestError(source, f"unparseable date in {line.strip()!r}", line=lineno)
    return ", ".join(_sections(m["sections"], small)), date


def _split_rest(rest: str) -> tuple[str | None, Layout | None, Layout | None] | None:
    """``(authors, by-word layout, marker layout)`` of what follows a byline's date."""
    words = rest.split()
    marker = _MARKERS.get(words[-1]) if words else None
    if marker is not None:
        words = words[:-1]
    if not words:
        return None, None, marker
    by = _BY_WORDS.get(words[0].upper())
    if by is None:
        return None
    return " ".join(words[1:]) or None, by, marker


def _authors(text: str | None, layout: Layout) -> tuple[str, ...]:
    if not text:
        return ()
    seps = "|".join(re.escape(s) for s in layout.author_separators)
    parts = re.split(rf"\s*,\s*|\s+(?:{seps})\s+", text)
    return tuple(display_case(p, _NAME_PARTICLES) for p in parts if p.strip())


def parse_byline(
    line: str, source: str, lineno: int, on_bad_date: Callable[[str, int], None] | None = None
) -> Byline | None:
    """The byline ``PERU / 23 SEP 2011 BY GEOFFREY RAMSEY EN``, or None if ``line`` is not one.

    The section part must be upper case; the authors need a byline word (BY, POR); the
    language marker (EN, ES) is optional.

    A byline whose date cannot be parsed raises, unless ``on_bad_date`` is given: then it is
    read without a date and ``on_bad_date(reason, lineno)`` is called (the page is indexed
    without a date, with a warning, as a JSONL record with a bad date is).

    Raises:
        IngestError: the line is a byline but its date cannot be parsed (names ``lineno``)
            and ``on_bad_date`` is None.
    """
    text = line.strip()
    if "/" not in text:
        return None
    m = _SECTION_DATE.match(text)
    if m is not None and _is_upper(m["sections"]):
        split = _split_rest(m["rest"])
        if split is not None:
            date = _date(m["day"], m["month"], m["year"])
            if date is None:
                _bad_date(text, source, lineno, on_bad_date)
            return _byline(m["sections"], date, *split)
    loose = _LOOSE.match(text)
    if loose is None or not _is_upper(loose["sections"]):
        return None
    words = loose["rest"].split()
    has_by = any(w in _BY_WORDS for w in words[1:])
    if _is_upper(loose["rest"]) and (has_by or (len(words) > 1 and words[-1] in _MARKERS)):
        _bad_date(text, source, lineno, on_bad_date)
        # What follows the date: from the byline word, else the language marker alone.
        by_at = next((k for k, w in enumerate(words) if k and w in _BY_WORDS), len(words) - 1)
        split = _split_rest(" ".join(words[by_at:]))
        if split is None:
            raise IngestError(source, f"unparseable date in byline {text!r}", line=lineno)
        return _byline(loose["sections"], None, *split)
    return None


def _bad_date(
    text: str, source: str, lineno: int, on_bad_date: Callable[[str, int], None] | None
) -> None:
    """Raise for a byline's unparseable date, or report it to ``on_bad_date``."""
    if on_bad_date is None:
        raise IngestError(source, f"unparseable date in byline {text!r}", line=lineno)
    on_bad_date(f"unparseable date in byline {text!r}: indexed without a date", lineno)


def _byline(
    sections: str,
    date: _dt.date | None,
    authors: str | None,
    by: Layout | None,
    marker: Layout | None,
) -> Byline:
    lang_layout = marker or by
    small = (lang_layout or LAYOUTS["en"]).small_words
    return Byline(
        sections=_sections(sections, small),
        date=date,
        authors=_authors(authors, by or lang_layout or LAYOUTS["en"]),
        lang=lang_layout.lang if lang_layout else None,
    )
