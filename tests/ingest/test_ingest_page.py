"""parse_page on the English seed page, byline variants and bad input; read_file on pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from ingest_helpers import assert_no_boilerplate, assert_same, parse_seed

from searchlib.errors import IngestError
from searchlib.ingest import looks_like_page, parse_page, read_file
from searchlib.records import AboutItem, Brief, RelatedItem, stable_id

SAMPLE = "000_60fa42e6893d93ee.txt"
ES_BRIEF = "es/001_44fea6efc1d86929.txt"
ES_ANALYSIS = "es/002_trafico-armas-frontera-mexico-guatemala.txt"
ES_NO_BYLINE = "es/003_77a1ed72c552bb05.txt"


def test_sample_page_gives_exactly_the_expected_record(seeds: Path) -> None:
    """The English seed page parses to exactly the record of the issue, every field."""
    path = str(seeds / SAMPLE)
    want = Brief(
        id="60fa42e6893d93ee",
        lang="en",
        title="Peru's Humala Calls for Closer Anti-Drug Cooperation with US",
        kind="brief",
        date=dt.date(2011, 9, 23),
        countries=("Peru",),
        authors=("Geoffrey Ramsey",),
        body=(
            "Peru's President Ollanta Humala has called for heightened counternarcotics "
            "cooperation with the U.S., requesting a host of new technology to assist his "
            "government in the struggle against drug trafficking.",
            "After delivering a speech to the United Nations General Assembly in which he called "
            "on the U.S. to reconsider its immigration policies, Humala told journalists in New "
            "York that he hopes to improve bilateral ties between the two governments on drug "
            'policy. "That is our interest, qualitatively superior cooperation with the U.S. in '
            'the fight against this scourge," he said.',
            "Specifically, he highlighted the need for better equipment for the country’s drug "
            "enforcement officers, saying that satellite technology and other types of scanners "
            "were needed to locate illicit coca crops in remote regions like the Apurimac and Ene "
            "River Valley (known as the VRAE). At the same time, Humala said that his government "
            "needed to do more to present economic alternatives to coca cultivation in the "
            "poorest parts of the country, where for many farmers many it is the main source of "
            "income; “For them, they only do this because they have no economic alternative.”",
            "Last year Peru received $38 million from the U.S. for the eradication of illicit "
            "coca crops, but Humala did not say whether he would ask for increased financial "
            "assistance.",
            "The announcement is the latest indicator that, unlike fellow leftists Evo Morales, "
            "president of Bolivia, and Hugo Chavez, president of Venezuela, Humala’s "
            "administration will cooperate with U.S. anti-drug efforts. This was thrown into "
            "doubt last month, when Humala raised the ire of U.S. drug officials by temporarily "
            "suspending coca eradication efforts in the country.",
        ),
        related=(
            RelatedItem(
                section="Brazil",
                date=dt.date(2022, 11, 25),
                teaser="Failing prison systems and entrenched corruption mean mega-prisons "
                "holding tens of thousands won't solve insecurity in Latin America.",
                lang="en",
            ),
            RelatedItem(
                section="China and Crime",
                date=dt.date(2021, 5, 14),
                teaser="The taricaya turtle conservation program in northern Peru has been "
                "heralded as bringing an endangered species back from the brink…",
                lang="en",
            ),
            RelatedItem(
                section="Brazil",
                date=dt.date(2021, 12, 28),
                teaser="There was record destruction of the Amazon in 2020, as the rainforest "
                "lost an area around the size of Belize,…",
                lang="en",
            ),
        ),
        about=(
            AboutItem(
                section="The Organization",
                title="Venezuela Coverage Continues to be Highlighted",
                date=dt.date(2023, 3, 3),
                teaser="This week, InSight Crime co-director Jeremy McDermott was the featured "
                "guest on the Americas Quarterly podcast, where he provided an expert overview "
                "of the changing dynamics…",
            ),
            AboutItem(
                section="The Organization",
                title="Venezuela's Organized Crime Top 10 Attracts Attention",
                date=dt.date(2023, 2, 24),
                teaser="Last week, InSight Crime published its ranking of Venezuela’s ten "
                "organized crime groups to accompany the launch of the Venezuela Organized Crime "
                "Observatory. Read…",
            ),
            AboutItem(
                section="The Organization",
                title="InSight Crime on El País Podcast",
                date=dt.date(2023, 2, 10),
                teaser="This week, InSight Crime co-founder, Jeremy McDermott, was among experts "
                "featured in an\xa0El País podcast\xa0on the progress of Colombia’s nascent "
                "peace process.",
            ),
            AboutItem(
                section="The Organization",
                title="InSight Crime Interviewed by Associated Press",
                date=dt.date(2023, 2, 3),
                teaser="This week, InSight Crime’s Co-director Jeremy McDermott was interviewed "
                "by the Associated Press on developments in Haiti as the country continues its "
                "prolonged collapse.\xa0McDermott’s words were republished around the world,…",
            ),
            AboutItem(
                section="The Organization",
                title="Escaping Barrio 18",
                date=dt.date(2023, 1, 27),
                teaser="Last week, InSight Crime published an investigation charting the story "
                "of Desafío, a 28-year-old Barrio 18 gang member who is desperate to escape gang "
                "life. But there’s one problem: he’s…",
            ),
        ),
        source=path,
        url=None,
    )
    got = parse_seed(seeds, SAMPLE)
    assert_same(got, want)
    assert_no_boilerplate(got)
    assert [r.id for r in got.related] == [
        "rel-ee3d90a50cc2af90",
        "rel-777c16f4b6e8b43c",
        "rel-81d4ec3a4bbc59cf",
    ]


@pytest.mark.parametrize("name", [SAMPLE, ES_BRIEF, ES_ANALYSIS, ES_NO_BYLINE])
def test_read_file_detects_seed_pages(seeds: Path, name: str) -> None:
    """read_file sends every seed page to parse_page (same record)."""
    path = seeds / name
    assert looks_like_page(path.read_text(encoding="utf-8"))
    assert list(read_file(path)) == [parse_seed(seeds, name)]


def test_unparseable_byline_date_names_file_and_line() -> None:
    """A byline with a month that does not exist is an error at its line."""
    text = "BRIEF\n\nA Title\n\nPERU / 23 FOO 2011 BY GEOFFREY RAMSEY EN\n\nBody.\n"
    with pytest.raises(IngestError) as info:
        parse_page(text, "pages/x.txt")
    assert (info.value.path, info.value.line) == ("pages/x.txt", 5)
    assert "unparseable date" in info.value.reason


@pytest.mark.parametrize(
    "byline",
    [
        "PERU / 31 FEB 2011 BY GEOFFREY RAMSEY EN",
        "PERÚ / 2011-09-23 POR GEOFFREY RAMSEY ES",
        "PERU / SOMEDAY BY GEOFFREY RAMSEY",
    ],
)
def test_other_unparseable_byline_dates(byline: str) -> None:
    """Impossible days and non D-MON-YYYY dates in a byline are errors too."""
    with pytest.raises(IngestError) as info:
        parse_page(f"Title\n{byline}\nBody.", "p.txt")
    assert info.value.line == 2


def test_unparseable_related_date_names_line() -> None:
    """A related item header with an unknown month is an error at its line."""
    text = "Title\nPERU / 1 JAN 2020 BY A EN\nBody.\nRelated Content\nBRAZIL / 5 XYZ 2021\nTeaser."
    with pytest.raises(IngestError) as info:
        parse_page(text, "p.txt")
    assert info.value.line == 5


@pytest.mark.parametrize(
    ("byline", "date", "countries", "authors", "lang"),
    [
        (
            "MEXICO, GUATEMALA / 1 JAN 2020 BY A B AND C D EN",
            (2020, 1, 1),
            ("Mexico", "Guatemala"),
            ("A B", "C D"),
            "en",
        ),
        ("CHINA AND CRIME / 14 MAY 2021", (2021, 5, 14), ("China and Crime",), (), None),
        (
            "VENEZUELA / 3 ENE 2022 POR ANA GÓMEZ",
            (2022, 1, 3),
            ("Venezuela",),
            ("Ana Gómez",),
            "es",
        ),
        ("HONDURAS / 9 DIC 2019 ES", (2019, 12, 9), ("Honduras",), (), "es"),
        ("EL SALVADOR / 1 SEPT 2011 BY X EN", (2011, 9, 1), ("El Salvador",), ("X",), "en"),
        (
            "COLOMBIA / 2 AGO 2018 POR A, B Y C ES",
            (2018, 8, 2),
            ("Colombia",),
            ("A", "B", "C"),
            "es",
        ),
        ("BOLIVIA / 7 ABR 2015 POR J ES", (2015, 4, 7), ("Bolivia",), ("J",), "es"),
        (
            "GUINEA-BISSAU / 30 APR 2015 BY J. O'NEIL EN",
            (2015, 4, 30),
            ("Guinea-Bissau",),
            ("J. O'Neil",),
            "en",
        ),
    ],
)
def test_byline_variants(
    byline: str,
    date: tuple[int, int, int],
    countries: tuple[str, ...],
    authors: tuple[str, ...],
    lang: str | None,
) -> None:
    """Month tables of both languages, BY/POR, markers, several countries (or a section, which
    is kept apart from the countries) or authors."""
    brief = parse_page(f"The Title\n{byline}\nOne body paragraph here.")
    assert brief.date == dt.date(*date)
    assert brief.countries + brief.sections == countries
    assert brief.authors == authors
    assert brief.body == ("One body paragraph here.",)
    if lang is not None:
        assert brief.lang == lang


def test_listing_variant_related_items_with_titles() -> None:
    """A related list whose items start with a title line keeps the titles."""
    text = (
        "Title\nPERU / 1 JAN 2020 BY A EN\nBody.\nRelated Content\n"
        "First Title\nNEWS / 10 SEP 2021\nFirst teaser…\n"
        "Second Title\nBRAZIL / 11 SEP 2021\nSecond teaser…\n"
    )
    related = parse_page(text).related
    assert [(r.title, r.section, r.teaser) for r in related] == [
        ("First Title", "News", "First teaser…"),
        ("Second Title", "Brazil", "Second teaser…"),
    ]


def test_page_ids_from_url_stem_or_hash() -> None:
    """URL slug first, then an id-like file stem, else stable_id(lang, title, date)."""
    body = "BRIEF\nA Title\nPERU / 23 SEP 2011 BY X EN\nText.\n"
    assert parse_page("https://insightcrime.org/news/brief/a-title/\n" + body).id == "a-title"
    assert parse_page(body, "d/007_0123456789abcdef.txt").id == "0123456789abcdef"
    assert parse_page(body, "d/notes.txt").id == parse_page(body).id
    assert parse_page(body).id == stable_id("en", "A Title", "2011-09-23") == "ec39cf5ca70ad2e1"


@pytest.mark.parametrize("text", ["", "   \n\n \t\n", "BRIEF\n", "Related Content\nX"])
def test_pages_without_title_are_errors(text: str) -> None:
    """Empty text and pages with nothing before their headings have no title."""
    with pytest.raises(IngestError):
        parse_page(text, "p.txt")


@pytest.mark.parametrize(
    ("byline", "lang"),
    [
        ("PERU / 31 FEB 2011 BY GEOFFREY RAMSEY EN", "en"),
        ("PERU / 23 FOO 2011 BY GEOFFREY RAMSEY EN", "en"),
        ("PERÚ / 2011-09-23 POR GEOFFREY RAMSEY ES", "es"),
        ("PERU / MARCH 2020 BY GEOFFREY RAMSEY", "en"),
    ],
)
def test_a_page_with_a_bad_byline_date_is_kept_without_a_date(
    tmp_path: Path, byline: str, lang: str
) -> None:
    """Read from a file with a warning callback (as indexing reads), the page is indexed with
    everything but its date, and the warning names the file and the byline's line."""
    path = tmp_path / "page.txt"
    path.write_text(f"Humala Title\n{byline}\nHumala spoke of coca.\n", encoding="utf-8")
    warnings: list[object] = []
    (page,) = read_file(str(path), on_warning=warnings.append)
    assert isinstance(page, Brief)
    assert (page.title, page.date, page.lang) == ("Humala Title", None, lang)
    assert page.countries in (("Peru",), ("Perú",))
    assert page.authors == ("Geoffrey Ramsey",)
    assert page.body == ("Humala spoke of coca.",)
    assert [str(w) for w in warnings] == [
        f"{path}:2: unparseable date in byline {byline!r}: indexed without a date"
    ]
