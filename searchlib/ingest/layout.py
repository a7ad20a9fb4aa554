"""The page-layout vocabulary of every language, kept in one table (:data:`LAYOUTS`).

Everything language-specific that the page parser and the boilerplate stripper recognise lives
here: month names, byline words, the language marker, kind words, breadcrumb prefixes, section
headings and boilerplate lines. Spanish entries are plausible guesses (no crawled Spanish page of
the 2021+ layout has been seen, see ``shared/corpora/README.md``). Boilerplate worded differently
from these lines needs no entry (it is found by evidence, see :mod:`searchlib.ingest.boilerplate`),
nor do other kind labels, breadcrumbs, list headings and date spellings (see
:mod:`searchlib.ingest.page`); to add a language add one :class:`Layout` to :data:`LAYOUTS`.

Matching is done on :func:`normalize_line` forms (case-folded, curly quotes straightened,
whitespace collapsed), so the table may be written in any case.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["LAYOUTS", "Layout", "MONTHS", "layout_for", "normalize_line"]


def normalize_line(text: str) -> str:
    """The comparison form of a line: straight quotes, single spaces, case-folded.

    >>> normalize_line("  Was  this content HELPFUL? ")
    'was this content helpful?'
    """
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).casefold()


def _norm_all(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalize_line(i) for i in items)


@attrs.frozen
class Layout:
    """How pages of one language spell their fixed parts.

    Attributes:
        lang: the language code ("en", "es").
        marker: language marker ending a byline (``EN`` in ``... BY GEOFFREY RAMSEY EN``).
        byline_words: words introducing the authors (``BY``).
        author_separators: words joining several authors (``AND``).
        months: month name or abbreviation (upper case, no dot) -> month number.
        small_words: words kept lower case inside display-cased names ("China and Crime").
        kinds: kind line of a page (upper case) -> record kind (English, lower case).
        breadcrumb_prefixes: how the run-together breadcrumb line starts (``HomeNewsBrief...``).
        related_headings: headings of the *Related Content* list.
        about_headings: headings of the *About InSight Crime* list.
        drop_lines: whole lines that are boilerplate (share widgets, donate buttons, headings).
        drop_prefixes: lines starting with one of these are boilerplate (appeals, widget text).
        tail_prefixes: a line starting with one of these ends the article: it and all that
            follows are dropped (comment invitation, licence notice).
        see_also: "see also" headings; the link title on the next line is dropped with them.
        share_lines: share-widget lines; when one is among the first lines of a body, the photo
            caption above it is dropped too.
        examples: whole boilerplate lines as seen on real pages (appeals, notices, widgets):
            the reference set of near-duplicate matching (:mod:`searchlib.ingest.boilerplate`),
            which also matches the other tuples' lines. Reworded variants need not be listed.
    """

    lang: str
    marker: str
    byline_words: tuple[str, ...]
    author_separators: tuple[str, ...]
    months: Mapping[str, int]
    small_words: frozenset[str]
    kinds: Mapping[str, str]
    breadcrumb_prefixes: tuple[str, ...]
    related_headings: tuple[str, ...] = attrs.field(converter=_norm_all)
    about_headings: tuple[str, ...] = attrs.field(converter=_norm_all)
    drop_lines: tuple[str, ...] = attrs.field(converter=_norm_all)
    drop_prefixes: tuple[str, ...] = attrs.field(converter=_norm_all)
    tail_prefixes: tuple[str, ...] = attrs.field(converter=_norm_all)
    see_also: tuple[str, ...] = attrs.field(converter=_norm_all)
    share_lines: tuple[str, ...] = attrs.field(converter=_norm_all)
    examples: tuple[str, ...] = attrs.field(default=(), converter=_norm_all)


_EN_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_EN_FULL = (
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
)
_ES_MONTHS = ("ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC")
_ES_FULL = (
    "ENERO",
    "FEBRERO",
    "MARZO",
    "ABRIL",
    "MAYO",
    "JUNIO",
    "JULIO",
    "AGOSTO",
    "SEPTIEMBRE",
    "OCTUBRE",
    "NOVIEMBRE",
    "DICIEMBRE",
)


def _months(*names: tuple[str, ...], extra: Mapping[str, int]) -> dict[str, int]:
    table = {name: number for group in names for number, name in enumerate(group, start=1)}
    table.update(extra)
    return table


EN = Layout(
    lang="en",
    marker="EN",
    byline_words=("BY",),
    author_separators=("AND", "&"),
    months=_months(_EN_MONTHS, _EN_FULL, extra={"SEPT": 9}),
    small_words=frozenset(
        "a an and as at but by for from in into nor of on or per the to vs with".split()
    ),
    kinds={
        "BRIEF": "brief",
        "NEWS BRIEF": "brief",
        "NEWS": "news",
        "ANALYSIS": "analysis",
        "NEWS ANALYSIS": "analysis",
        "INVESTIGATION": "investigation",
        "INVESTIGATIONS": "investigation",
        "FEATURE": "feature",
        "PROFILE": "profile",
    },
    breadcrumb_prefixes=("Home",),
    related_headings=("Related Content", "Related Articles"),
    about_headings=("About InSight Crime",),
    drop_lines=(
        "SHARE",
        "share icon icon icon",
        "icon icon icon",
        "DONATE",
        "Was this content helpful?",
        "InSight Crime Analysis",
        "Support Our Work",
        "icon #SupportFreePress",
    ),
    drop_prefixes=(
        "We want to sustain Latin America's largest organized crime database",
        "Investigating organized crime is an expensive and often risky enterprise",
        "SHARETweet about this on Twitter",
        "Tweet about this on Twitter",
    ),
    tail_prefixes=(
        "What are your thoughts? Click",
        "We encourage readers to copy and distribute our work",
    ),
    see_also=("SEE ALSO", "SEE ALSO:"),
    share_lines=("SHARE",),
    examples=(
        "SHARETweet about this on TwitterShare on FacebookShare on LinkedIn",
        "We want to sustain Latin America's largest organized crime database, but in order to do "
        "so, we need resources.",
        "Investigating organized crime is an expensive and often risky enterprise. Please "
        "donate. Every dollar supports our mission.",
        "What are your thoughts? Click here to send InSight Crime your comments.",
        "We encourage readers to copy and distribute our work for non-commercial purposes, with "
        "attribution to InSight Crime in the byline and links to the original at both the top "
        "and bottom of the article. Check the Creative Commons website for more details of how "
        "to share our work, and please send us an email if you use an article.",
        "We encourage readers to copy and distribute our work for non-commercial purposes, "
        "provided that it is attributed to InSight Crime in the byline, with a link to the "
        "original at both the top and bottom of the article.",
    ),
)

ES = Layout(
    lang="es",
    marker="ES",
    byline_words=("POR",),
    author_separators=("Y", "E", "&"),
    months=_months(_ES_MONTHS, _ES_FULL, extra={"SEPT": 9, "SET": 9, "SETIEMBRE": 9}),
    small_words=frozenset("a al con de del e el en la las los o para por sin u y".split()),
    kinds={
        "BREVE": "brief",
        "NOTICIAS DEL DÍA": "brief",
        "NOTICIAS DEL DIA": "brief",
        "NOTICIAS": "news",
        "NOTICIA": "news",
        "ANÁLISIS": "analysis",
        "ANALISIS": "analysis",
        "INVESTIGACIÓN": "investigation",
        "INVESTIGACION": "investigation",
        "INVESTIGACIONES": "investigation",
        "PERFIL": "profile",
    },
    breadcrumb_prefixes=("Inicio",),
    related_headings=("Contenido relacionado", "Artículos relacionados"),
    about_headings=("Sobre InSight Crime", "Acerca de InSight Crime"),
    drop_lines=(
        "COMPARTIR",
        "compartir icon icon icon",
        "DONAR",
        "DONA",
        "¿Este contenido fue útil?",
        "¿Le resultó útil este contenido?",
        "Análisis de InSight Crime",
        "Apoye nuestro trabajo",
    ),
    drop_prefixes=(
        "Queremos sostener la base de datos sobre crimen organizado más grande",
        "Investigar el crimen organizado es una empresa costosa",
    ),
    tail_prefixes=(
        "¿Qué opina? Haga clic",
        "¿Qué piensa? Haga clic",
        "Alentamos a los lectores a copiar y distribuir nuestro trabajo",
    ),
    see_also=("VER TAMBIÉN", "VER TAMBIÉN:", "VEA TAMBIÉN", "VEA TAMBIÉN:"),
    share_lines=("COMPARTIR",),
    examples=(
        "Queremos sostener la base de datos sobre crimen organizado más grande de América Latina, "
        "pero para hacerlo necesitamos recursos.",
        "¿Qué opina? Haga clic aquí para enviar sus comentarios a InSight Crime.",
        "Alentamos a los lectores a copiar y distribuir nuestro trabajo con fines no comerciales, "
        "con atribución a InSight Crime en la firma y enlaces al original tanto al principio como "
        "al final del artículo. Consulte el sitio web de Creative Commons para más detalles sobre "
        "cómo compartir nuestro trabajo, y por favor envíenos un correo electrónico si utiliza un "
        "artículo.",
    ),
)

LAYOUTS: dict[str, Layout] = {"en": EN, "es": ES}
"""Every known layout, by language code. The parser accepts the union of their variants."""

MONTHS: dict[str, int] = {k: v for layout in LAYOUTS.values() for k, v in layout.months.items()}
"""Month names of every layout (upper case, no dot) -> month number."""


def layout_for(lang: str) -> Layout:
    """The layout of ``lang``; English for a language without one."""
    return LAYOUTS.get(lang, EN)
