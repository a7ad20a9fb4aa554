"""parse_page on the English seed page and the Spanish fixtures: every field, exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from searchlib.errors import IngestError
from searchlib.ingest import looks_like_page, parse_page, read_file
from searchlib.records import AboutItem, Brief, RelatedItem, stable_id

SAMPLE = "000_60fa42e6893d93ee.txt"
ES_BRIEF = "es/001_44fea6efc1d86929.txt"
ES_ANALYSIS = "es/002_trafico-armas-frontera-mexico-guatemala.txt"
ES_NO_BYLINE = "es/003_77a1ed72c552bb05.txt"

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


def _parse(seeds: Path, name: str) -> Brief:
    path = seeds / name
    return parse_page(path.read_text(encoding="utf-8"), str(path))


def _assert_same(got: Brief, want: Brief) -> None:
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


def _assert_no_boilerplate(brief: Brief) -> None:
    texts = [brief.title, *brief.body, *(r.teaser for r in brief.related)]
    texts += [a.teaser for a in brief.about] + [a.title for a in brief.about]
    for text in texts:
        for marker in BOILERPLATE:
            assert marker not in text, (marker, text)


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
    got = _parse(seeds, SAMPLE)
    _assert_same(got, want)
    _assert_no_boilerplate(got)
    assert [r.id for r in got.related] == [
        "rel-ee3d90a50cc2af90",
        "rel-777c16f4b6e8b43c",
        "rel-81d4ec3a4bbc59cf",
    ]


def test_spanish_brief_gives_exactly_the_expected_record(seeds: Path) -> None:
    """The Spanish version of the sample: SEPT, POR, ES, Spanish headings and notices."""
    path = str(seeds / ES_BRIEF)
    want = Brief(
        id="44fea6efc1d86929",
        lang="es",
        title="Humala de Perú pide mayor cooperación antidrogas con EEUU",
        kind="brief",
        date=dt.date(2011, 9, 23),
        countries=("Perú",),
        authors=("Geoffrey Ramsey",),
        body=(
            "El presidente de Perú, Ollanta Humala, ha pedido una mayor cooperación "
            "antinarcóticos con Estados Unidos y ha solicitado nuevas tecnologías para ayudar a "
            "su gobierno en la lucha contra el narcotráfico.",
            "Tras pronunciar un discurso ante la Asamblea General de las Naciones Unidas en el "
            "que pidió a Estados Unidos reconsiderar sus políticas migratorias, Humala dijo a "
            "periodistas en Nueva York que espera mejorar los lazos bilaterales en materia de "
            "política de drogas. “Ese es nuestro interés, una cooperación cualitativamente "
            "superior con Estados Unidos en la lucha contra este flagelo”, afirmó.",
            "En concreto, destacó la necesidad de mejores equipos para los agentes antidrogas "
            "del país, y señaló que se necesitan tecnología satelital y otros tipos de escáneres "
            "para localizar cultivos ilícitos de coca en regiones remotas como el Valle de los "
            "Ríos Apurímac y Ene (VRAE). Al mismo tiempo, Humala dijo que su gobierno debe hacer "
            "más para ofrecer alternativas económicas al cultivo de coca en las zonas más pobres "
            "del país, donde para muchos campesinos es la principal fuente de ingresos.",
            "El año pasado Perú recibió 38 millones de dólares de Estados Unidos para la "
            "erradicación de cultivos ilícitos de coca, pero Humala no dijo si pedirá más "
            "asistencia financiera.",
            "El anuncio es el indicio más reciente de que, a diferencia de otros líderes de "
            "izquierda como Evo Morales, presidente de Bolivia, y Hugo Chávez, presidente de "
            "Venezuela, el gobierno de Humala cooperará con los esfuerzos antidrogas de Estados "
            "Unidos. Esto se puso en duda el mes pasado, cuando Humala provocó la ira de "
            "funcionarios antidrogas estadounidenses al suspender temporalmente la erradicación "
            "de coca en el país.",
        ),
        related=(
            RelatedItem(
                section="Brasil",
                date=dt.date(2022, 11, 25),
                teaser="Los sistemas penitenciarios fallidos y la corrupción arraigada hacen "
                "que las megacárceles con decenas de miles de reclusos no resuelvan la "
                "inseguridad en América Latina.",
                lang="es",
            ),
            RelatedItem(
                section="China y Crimen",
                date=dt.date(2021, 5, 14),
                teaser="El programa de conservación de la tortuga taricaya en el norte de Perú "
                "ha sido elogiado por rescatar a una especie en peligro al borde de la "
                "extinción…",
                lang="es",
            ),
            RelatedItem(
                section="Brasil",
                date=dt.date(2021, 12, 28),
                teaser="La destrucción de la Amazonía alcanzó un récord en 2020, cuando la selva "
                "perdió un área del tamaño de Belice,…",
                lang="es",
            ),
        ),
        about=(
            AboutItem(
                section="La Organización",
                title="Continúa destacándose la cobertura sobre Venezuela",
                date=dt.date(2023, 3, 3),
                teaser="Esta semana, el codirector de InSight Crime, Jeremy McDermott, fue el "
                "invitado del pódcast de Americas Quarterly, donde ofreció un panorama de las "
                "cambiantes dinámicas…",
            ),
            AboutItem(
                section="La Organización",
                title="Escapando del Barrio 18",
                date=dt.date(2023, 1, 27),
                teaser="La semana pasada, InSight Crime publicó una investigación sobre la "
                "historia de Desafío, un pandillero de 28 años que quiere dejar la vida de "
                "pandilla. Pero hay un problema: él…",
            ),
        ),
        source=path,
    )
    got = _parse(seeds, ES_BRIEF)
    _assert_same(got, want)
    _assert_no_boilerplate(got)


def test_spanish_analysis_with_url_countries_and_old_markers(seeds: Path) -> None:
    """URL line -> id and url; two countries, two authors (Y), VER TAMBIÉN and widgets dropped."""
    path = str(seeds / ES_ANALYSIS)
    want = Brief(
        id="trafico-armas-frontera-mexico-guatemala",
        lang="es",
        title="El tráfico de armas florece en la frontera entre México y Guatemala",
        kind="analysis",
        date=dt.date(2021, 8, 5),
        countries=("México", "Guatemala"),
        authors=("María de los Ángeles Ramírez", "Juan Pérez"),
        body=(
            "Las autoridades de México y Guatemala decomisaron más de 300 armas de fuego en la "
            "frontera común durante el primer semestre del año, según datos oficiales.",
            "La mayoría de las armas procedía de Estados Unidos y cruzó por pasos informales del "
            "río Suchiate, donde operan redes de contrabando que también trasladan migrantes y "
            "mercancías.",
            "El flujo de armas hacia el sur alimenta la violencia de los grupos criminales que "
            "se disputan las rutas del narcotráfico en Chiapas y Huehuetenango.",
        ),
        related=(
            RelatedItem(
                section="México",
                date=dt.date(2020, 12, 12),
                teaser="Las armas estadounidenses siguen llegando a manos de los cárteles "
                "mexicanos pese a los controles fronterizos…",
                lang="es",
            ),
            RelatedItem(
                section="Guatemala",
                date=dt.date(2022, 1, 3),
                teaser="Los decomisos de armas en Guatemala revelan rutas de contrabando poco "
                "vigiladas.",
                lang="es",
            ),
            RelatedItem(
                section="Armas y Seguridad",
                date=dt.date(2021, 4, 19),
                teaser="Un nuevo informe documenta cómo se desvían armas legales hacia el "
                "mercado ilegal…",
                lang="es",
            ),
        ),
        about=(),
        source=path,
        url="https://insightcrime.org/es/noticias/trafico-armas-frontera-mexico-guatemala/",
    )
    got = _parse(seeds, ES_ANALYSIS)
    _assert_same(got, want)
    _assert_no_boilerplate(got)


def test_spanish_page_without_byline_keeps_what_it_has(seeds: Path) -> None:
    """No byline: no date, countries or authors; language from the Spanish breadcrumb."""
    path = str(seeds / ES_NO_BYLINE)
    want = Brief(
        id="77a1ed72c552bb05",
        lang="es",
        title="Ecuador decomisa un cargamento récord de cocaína en el puerto de Guayaquil",
        kind="news",
        body=(
            "La policía de Ecuador decomisó casi nueve toneladas de cocaína escondidas en un "
            "contenedor de banano en el puerto de Guayaquil, el mayor decomiso en la historia "
            "del país.",
            "Según las autoridades, el cargamento tenía como destino Europa y pertenecía a una "
            "red vinculada con grupos criminales de Colombia y de los Balcanes.",
        ),
        source=path,
    )
    got = _parse(seeds, ES_NO_BYLINE)
    _assert_same(got, want)
    _assert_no_boilerplate(got)


@pytest.mark.parametrize("name", [SAMPLE, ES_BRIEF, ES_ANALYSIS, ES_NO_BYLINE])
def test_read_file_detects_seed_pages(seeds: Path, name: str) -> None:
    """read_file sends every seed page to parse_page (same record)."""
    path = seeds / name
    assert looks_like_page(path.read_text(encoding="utf-8"))
    assert list(read_file(path)) == [_parse(seeds, name)]


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
    """Month tables of both languages, BY/POR, markers, several countries or authors."""
    brief = parse_page(f"The Title\n{byline}\nOne body paragraph here.")
    assert brief.date == dt.date(*date)
    assert brief.countries == countries
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
