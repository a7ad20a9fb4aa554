"""Boilerplate worded differently from the layout table, found by evidence (issue 14, Pages).

Pages are built from the held-out variants of ``reworded.py``: the bodies must keep every real
paragraph (short ones, and ones about donations, licences, sharing or comments) and lose every
boilerplate line; Related and About lists parse whatever their labels and month spellings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reworded import (
    EN_HEADERS,
    EN_REAL,
    EN_TAIL,
    EN_TOP_SHARE,
    ES_HEADERS,
    ES_REAL,
    ES_TAIL,
    ES_TOP_SHARE,
    TAIL_ORDER,
)

from searchlib.ingest import (
    iter_records,
    parse_page,
    plan_chunks,
    read_chunk,
    read_file,
    strip_boilerplate,
)
from searchlib.ingest.boilerplate import CONTENT, _classify, _rules, is_boilerplate
from searchlib.ingest.files import page_table
from searchlib.ingest.layout import LAYOUTS, normalize_line
from searchlib.ingest.template import line_key
from searchlib.records import Brief

LANGS = {
    "en": (EN_TAIL, EN_REAL, EN_HEADERS, EN_TOP_SHARE, "MEXICO / 3 DEC 2021 BY ANA GÓMEZ EN"),
    "es": (ES_TAIL, ES_REAL, ES_HEADERS, ES_TOP_SHARE, "MÉXICO / 3 DIC 2021 POR ANA GÓMEZ ES"),
}
TITLES = {"en": "Los Monos Leaders Arrested in Rosario", "es": "Detienen a líderes de Los Monos"}
RELATED = {
    "en": "Related Content\n\nBRAZIL / 25 NOV 2022\n\nFailing prisons.\n",
    "es": "Contenido relacionado\n\nBRASIL / 25 NOV 2022\n\nCárceles fallidas.\n",
}


def _page(lang: str, header: int, body: list[str], top: str | None = None) -> str:
    _, _, headers, _, byline = LANGS[lang]
    crumb, label = headers[header]
    title = TITLES[lang]
    lines = [crumb.format(title=title), label, title, byline, *([top] if top else []), *body]
    return "\n\n".join(lines) + "\n\n" + RELATED[lang]


def _tail(lang: str, pick: int) -> list[str]:
    """The site's closing block, each slot worded by variant ``pick``, then the feedback,
    appeal and button again (as on the real page)."""
    tail = LANGS[lang][0]
    block = [tail[slot][pick % len(tail[slot])] for slot in TAIL_ORDER]
    return block + block[1:4]


def test_the_variants_are_not_in_the_layout_table() -> None:
    """Held out: no variant is a line, prefix or example of any layout (so only evidence can
    find it)."""
    table: set[str] = set()
    prefixes: list[str] = []
    for lay in LAYOUTS.values():
        table |= {*lay.drop_lines, *lay.see_also, *lay.share_lines, *lay.examples}
        prefixes += [*lay.drop_prefixes, *lay.tail_prefixes]
    variants = [v for tail in (EN_TAIL, ES_TAIL) for vs in tail.values() for v in vs]
    variants += [*EN_TOP_SHARE, *ES_TOP_SHARE]
    for v in variants:
        norm = normalize_line(v)
        assert norm not in table, v
        assert not norm.startswith(tuple(prefixes)), v
        assert not is_boilerplate(v, "en") and not is_boilerplate(v, "es"), v
    labels = {normalize_line(k) for lay in LAYOUTS.values() for k in lay.kinds}
    for _, label in (*EN_HEADERS, *ES_HEADERS):
        assert normalize_line(label) not in labels


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("header", range(4))
@pytest.mark.parametrize("pick", range(4))
def test_reworded_pages_parse_with_clean_bodies(lang: str, header: int, pick: int) -> None:
    """Every header variant (breadcrumb, kind label) and tail wording: title, byline and the
    exact real paragraphs come out; no boilerplate line, label or breadcrumb is in the body."""
    real = list(LANGS[lang][1])
    top = LANGS[lang][3][pick % 2] if pick >= 2 else None
    brief = parse_page(_page(lang, header, real + _tail(lang, pick), top))
    assert brief.title == TITLES[lang]
    assert brief.body == tuple(real)
    assert brief.lang == lang
    assert brief.date == dt.date(2021, 12, 3)
    assert brief.authors == ("Ana Gómez",)
    assert len(brief.related) == 1
    label = LANGS[lang][2][header][1]
    assert brief.kind in {label.casefold(), "brief"}


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("NEWS BRIEFS", "brief"),
        ("BREVES", "brief"),
        ("OPINION", "opinion"),
        ("REPORTAJE", "reportaje"),
    ],
)
def test_kind_labels_not_in_the_table(label: str, kind: str) -> None:
    """Plural spellings of known kinds map to the kind; other labels are kept folded."""
    text = f"HomeNews{TITLES['en']}\n{label}\n{TITLES['en']}\nPERU / 1 JAN 2020 BY A EN\nBody text."
    brief = parse_page(text)
    assert (brief.kind, brief.title, brief.body) == (kind, TITLES["en"], ("Body text.",))


REAL_POOL = st.sampled_from([(lang, p) for lang in LANGS for p in LANGS[lang][1]])


@settings(max_examples=300, deadline=None)
@given(
    lang=st.sampled_from(["en", "es"]),
    real=st.lists(st.integers(0, len(EN_REAL) - 1), min_size=1, max_size=6),
    slots=st.lists(
        st.tuples(st.sampled_from(TAIL_ORDER), st.integers(0, 3)), min_size=1, max_size=9
    ),
    header=st.integers(0, 3),
    top=st.one_of(st.none(), st.integers(0, 1)),
)
def test_random_mixes_of_real_paragraphs_and_reworded_boilerplate(
    lang: str, real: list[int], slots: list[tuple[str, int]], header: int, top: int | None
) -> None:
    """Family: real paragraphs in any order, then any sequence of reworded tail lines (each
    slot in any wording, repeated or left out), optionally a top share widget: the body is
    exactly the real paragraphs."""
    tail_table, pool, _, tops, _ = LANGS[lang]
    body = [pool[k] for k in real]
    tail = [tail_table[slot][pick % len(tail_table[slot])] for slot, pick in slots]
    brief = parse_page(_page(lang, header, body + tail, None if top is None else tops[top]))
    assert brief.body == tuple(body)
    assert brief.title == TITLES[lang]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_strip_boilerplate_alone_on_reworded_tails(lang: str) -> None:
    """The same evidence works on a body without page context (JSONL, plain text)."""
    real = list(LANGS[lang][1])
    assert strip_boilerplate(real + _tail(lang, 1), lang) == tuple(real)
    assert strip_boilerplate(real, lang) == tuple(real)


def test_real_closing_question_stays_before_the_share_widget() -> None:
    """A short real paragraph just before the template is kept; a short question after the
    last template line is kept too (only buttons follow the template)."""
    body = ["Police arrested eleven people.", "Why now?"]
    assert strip_boilerplate([*body, "share icon icon", "Was this article helpful?"]) == tuple(body)
    three = ["One.", "Two.", "Three."]
    assert strip_boilerplate([*three, "SHARE", "Why now?"]) == (*three, "Why now?")


@pytest.mark.parametrize(
    ("item", "section", "date"),
    [
        ("BRAZIL / 25 NOV 2022", "Brazil", (2022, 11, 25)),
        ("BRASIL / 28 DIC 2021", "Brasil", (2021, 12, 28)),
        ("BRAZIL / 28 DEC 2021", "Brazil", (2021, 12, 28)),
        ("PERÚ / 23 SEPT 2011", "Perú", (2011, 9, 23)),
        ("PERU / 23 SEP. 2011", "Peru", (2011, 9, 23)),
        ("PERU / 23 SEPTEMBER 2011", "Peru", (2011, 9, 23)),
        ("PERÚ / 23 SEPTIEMBRE 2011", "Perú", (2011, 9, 23)),
        ("PERÚ / 23 SETIEMBRE 2011", "Perú", (2011, 9, 23)),
        ("Brazil / 25 Nov 2022", "Brazil", (2022, 11, 25)),
        ("GameChangers 2021 / 9 Dec 2021", "GameChangers 2021", (2021, 12, 9)),
        ("GUNS AND SECURITY / 19 ABR 2021", "Guns and Security", (2021, 4, 19)),
        ("MÉXICO/EEUU / 3 ENE 2022", "México/Eeuu", (2022, 1, 3)),
        ("COVID-19 | 3 AGO 2020", "Covid-19", (2020, 8, 3)),
        ("CRIMEN ORGANIZADO — 28 de diciembre de 2021", "Crimen Organizado", (2021, 12, 28)),
        ("ELITES AND CRIME / Sept. 9, 2021", "Elites and Crime", (2021, 9, 9)),
        ("BRAZIL/25 NOV 2022", "Brazil", (2022, 11, 25)),
    ],
)
@pytest.mark.parametrize(
    "heading",
    ["Related Content", "RELATED ARTICLES", "Contenido relacionado", "More on this topic"],
)
def test_related_items_with_varying_labels_and_months(
    item: str, section: str, date: tuple[int, int, int], heading: str
) -> None:
    """Each item line variant parses to its section and date under any heading (an unlisted
    heading is recognised by the items that follow it); the body stops before the heading."""
    text = (
        f"Title\nPERU / 1 JAN 2020 BY A EN\nBody.\n{heading}\n{item}\nFirst teaser.\n"
        "BRAZIL / 2 FEB 2022\nSecond teaser."
    )
    brief = parse_page(text)
    assert brief.body == ("Body.",)
    assert [(r.section, r.date, r.teaser) for r in brief.related] == [
        (section, dt.date(*date), "First teaser."),
        ("Brazil", dt.date(2022, 2, 2), "Second teaser."),
    ]


@pytest.mark.parametrize(
    ("heading", "section_line", "date_line", "section", "date"),
    [
        ("About InSight Crime", "THE ORGANIZATION", "3 MAR 2023", "The Organization", (2023, 3, 3)),
        ("Sobre InSight Crime", "LA ORGANIZACIÓN", "27 ENE 2023", "La Organización", (2023, 1, 27)),
        (
            "ABOUT INSIGHT CRIME",
            "The Organization",
            "March 3, 2023",
            "The Organization",
            (2023, 3, 3),
        ),
        (
            "Acerca de InSight Crime",
            "La Organización",
            "9 SEPT 2022",
            "La Organización",
            (2022, 9, 9),
        ),
        (
            "Más sobre InSight Crime",
            "EL EQUIPO",
            "12 de diciembre de 2022",
            "El Equipo",
            (2022, 12, 12),
        ),
        (
            "About InSight Crime",
            "THE ORGANIZATION",
            "14 DIC 2022",
            "The Organization",
            (2022, 12, 14),
        ),
    ],
)
def test_about_items_with_varying_labels_and_months(
    heading: str, section_line: str, date_line: str, section: str, date: tuple[int, int, int]
) -> None:
    """About items (section, title, date, teaser) with section labels in any case, headings
    worded differently and months of both languages in any spelling."""
    text = (
        f"Title\nPERU / 1 JAN 2020 BY A EN\nBody.\n{heading}\n{section_line}\nItem Title\n"
        f"{date_line}\nTeaser one…\n{section_line}\nOther Title\n1 FEB 2023\nTeaser two…"
    )
    brief = parse_page(text)
    assert brief.body == ("Body.",)
    assert [(a.section, a.title, a.date, a.teaser) for a in brief.about] == [
        (section, "Item Title", dt.date(*date), "Teaser one…"),
        (section, "Other Title", dt.date(2023, 2, 1), "Teaser two…"),
    ]


NEW_APPEAL = {
    "en": "Independent journalism on organized crime depends on readers like you: join them.",
    "es": "El periodismo independiente sobre crimen organizado depende de lectores como tú: "
    "súmate.",
}


def _folder(tmp_path: Path, pages: int, lang: str = "en", appeal_on: int | None = None) -> Path:
    """``pages`` different pages whose bodies end with a closing appeal worded like no known
    line (on every page, or only on the first ``appeal_on``); each page has its own story."""
    real = LANGS[lang][1]
    for n in range(pages):
        story = [f"Story {n}: {real[n % len(real)]}", real[(n + 3) % len(real)]]
        tail = [NEW_APPEAL[lang]] if appeal_on is None or n < appeal_on else []
        text = _page(lang, n % 4, story + tail).replace(TITLES[lang], f"{TITLES[lang]} {n}")
        (tmp_path / f"{n:03d}.txt").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("lang", ["en", "es"])
def test_lines_repeated_across_a_runs_pages_are_template(tmp_path: Path, lang: str) -> None:
    """A closing line no rule or near-duplicate knows goes when it is on many pages of the
    run; the stories (the same real paragraph on several pages included) stay."""
    folder = _folder(tmp_path, 6, lang)
    assert _classify(NEW_APPEAL[lang], _rules(lang)).level == CONTENT  # no other evidence
    briefs = [r for r in iter_records([folder]) if isinstance(r, Brief)]
    assert len(briefs) == 6
    for n, brief in enumerate(briefs):
        real = LANGS[lang][1]
        assert brief.body == (f"Story {n}: {real[n % len(real)]}", real[(n + 3) % len(real)])
    # Read alone (no run evidence), a page keeps the line.
    alone = list(read_file(folder / "000.txt"))[0]
    assert isinstance(alone, Brief) and alone.body[-1] == NEW_APPEAL[lang]


def test_the_line_table_needs_several_distinct_pages(tmp_path: Path) -> None:
    """Two pages are not enough evidence, and the same page twice counts once."""
    folder = _folder(tmp_path, 2)
    (folder / "copy.txt").write_text((folder / "000.txt").read_text("utf-8"), "utf-8")
    briefs = [r for r in iter_records([folder]) if isinstance(r, Brief)]
    assert [b.body[-1] for b in briefs] == [NEW_APPEAL["en"]] * 3
    assert not page_table([str(p) for p in sorted(folder.iterdir())])


def test_line_table_is_the_same_for_any_order_and_any_chunking(tmp_path: Path) -> None:
    """Deterministic: the bulk path (plan_chunks + read_chunk, as workers run it, in any
    order) gives the records of iter_records; the table does not depend on file order."""
    folder = _folder(tmp_path, 8, appeal_on=5)
    files = [str(p) for p in sorted(folder.iterdir())]
    assert page_table(files) == page_table(files[::-1])
    chunks = plan_chunks([folder], chunk_bytes=1)
    by_chunk = {c.path: list(read_chunk(c)) for c in reversed(chunks)}
    assert [r for c in chunks for r in by_chunk[c.path]] == list(iter_records([folder]))
    assert all(b.body[-1] != NEW_APPEAL["en"] for b in list(iter_records([folder])))  # type: ignore[union-attr]


def test_line_keys_do_not_depend_on_the_process() -> None:
    """Keys are a fixed hash of the normalised line (workers agree with the parent)."""
    assert line_key("  Was this  CONTENT helpful? ") == line_key("was this content helpful?")
    assert line_key("x").hex() == "4adf4367f96e584f"


@pytest.mark.parametrize("workers", [1, 2])
def test_reworded_boilerplate_is_not_searchable(tmp_path: Path, workers: int) -> None:
    """Index a folder of reworded pages of both languages (sequential and bulk runs): words
    that only the boilerplate holds find nothing, the stories' words find every page."""
    import searchlib

    src = tmp_path / "pages"
    src.mkdir()
    for lang in LANGS:
        for pick in range(4):
            body = list(LANGS[lang][1]) + _tail(lang, pick)
            top = LANGS[lang][3][pick % 2] if pick >= 2 else None
            text = _page(lang, pick, body, top).replace(TITLES[lang], f"{TITLES[lang]} {pick}")
            (src / f"{lang}_{pick}.txt").write_text(text, encoding="utf-8")
    with searchlib.create_index(tmp_path / "index") as index:
        report = searchlib.index_paths(index, [src], workers=workers)
        assert (report.indexed, report.skipped) == (8, [])
        for word in ("helpful", "useful", "database", "Creative Commons", "icon", "Facebook"):
            assert index.search(word, lang="en").total == 0, word
        for word in ("útil", "sosteniendo", "animamos", "icon", "correo", "Facebook"):
            assert index.search(word, lang="es").total == 0, word
        assert index.search("Rosario", lang="en").total >= 4
        assert index.search("Rosario", lang="es").total >= 4
