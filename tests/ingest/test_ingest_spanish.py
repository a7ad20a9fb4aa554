"""parse_page on the Spanish fixtures (seeds/es): every field, exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ingest_helpers import assert_no_boilerplate, assert_same, parse_seed

from searchlib.records import AboutItem, Brief, RelatedItem

ES_BRIEF = "es/001_44fea6efc1d86929.txt"
ES_ANALYSIS = "es/002_trafico-armas-frontera-mexico-guatemala.txt"
ES_NO_BYLINE = "es/003_77a1ed72c552bb05.txt"


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
    got = parse_seed(seeds, ES_BRIEF)
    assert_same(got, want)
    assert_no_boilerplate(got)


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
    got = parse_seed(seeds, ES_ANALYSIS)
    assert_same(got, want)
    assert_no_boilerplate(got)


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
    got = parse_seed(seeds, ES_NO_BYLINE)
    assert_same(got, want)
    assert_no_boilerplate(got)
