"""The search page at ``/`` and ``/doc/{id}``: HTML rendered on the server over an index of seeds/
(and one hostile document), read through Starlette's TestClient."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("jinja2")

from fastapi.testclient import TestClient  # noqa: E402
from page_index import (  # noqa: E402
    ES_TWIN_ID,
    ES_TWIN_TITLE,
    HOSTILE_ID,
    SAMPLE_ID,
    SAMPLE_TITLE,
    build_page_index,
    hits_of,
    page_app,
)

from searchlib.search.highlight import Snippet  # noqa: E402
from searchlib.search.results import Hit, Results, TwinRef  # noqa: E402
from searchlib.serve import labels as labels_module  # noqa: E402
from searchlib.serve.page import (  # noqa: E402
    CSP,
    PageQuery,
    parse_page_query,
    render_search,
)

TEMPLATES = Path(labels_module.__file__).parent / "templates"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return page_app(build_page_index(tmp_path_factory.mktemp("page") / "idx"))


@pytest.fixture
def client(app: Any) -> TestClient:
    """A client of its own (its own cookies: the interface language)."""
    return TestClient(app)


def get(client: TestClient, status: int = 200, **params: Any) -> str:
    response = client.get("/", params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.text


def ids(page: str) -> list[str]:
    return [i for i, _, _ in hits_of(page)]


def count(page: str) -> str:
    m = re.search(r'<p id="count" class="count" role="status" aria-live="polite">(.*?)</p>', page)
    assert m, page
    return m.group(1)


def facet_links(page: str, param: str) -> dict[str, str]:
    """A facet's value -> its link (unescaped)."""
    return {
        text: html.unescape(href)
        for href, text in re.findall(
            rf'<a class="facet" data-param="{param}" href="([^"]+)"[^>]*>([^<]+)</a>', page
        )
    }


# -- searching across languages ----------------------------------------------------------------


def test_a_spanish_query_finds_the_english_brief(client: TestClient) -> None:
    page = get(client, q="cooperación antidrogas", doc_lang="en")
    assert hits_of(page) == [(SAMPLE_ID, "en", SAMPLE_TITLE)]
    assert count(page) == "1 result, showing 1 to 1"
    # the brief's other version is linked, named in its own language
    assert (
        f'<a class="twin" href="/doc/{ES_TWIN_ID}" lang="es" hreflang="es">También en español</a>'
        in page
    )


def test_a_story_is_shown_once_with_its_other_version(client: TestClient) -> None:
    page = get(client, q="cooperación antidrogas")
    assert hits_of(page) == [(ES_TWIN_ID, "es", ES_TWIN_TITLE)]  # folded: the query's language
    assert (
        f'<a class="twin" href="/doc/{SAMPLE_ID}" lang="en" hreflang="en">Also in English</a>'
        in page
    )
    assert page.count(f'href="/doc/{SAMPLE_ID}"') == 1  # not a second result


def test_snippets_mark_the_matched_words(client: TestClient) -> None:
    page = get(client, q="cooperation", doc_lang="en")
    assert ids(page) == [SAMPLE_ID]
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S)
    assert snippet is not None
    assert re.findall(r"<mark>(.*?)</mark>", snippet.group(1)) == ["cooperation"]
    assert "<b>" not in snippet.group(1)


def test_did_you_mean_links_to_the_corrected_search(client: TestClient) -> None:
    page = get(client, q="Humla")
    assert count(page) == "No results"
    assert (
        '<p class="suggestion" id="suggestion">Did you mean <a href="/?q=Humala">Humala</a>?</p>'
        in page
    )
    assert ids(get(client, q="Humala")) == [SAMPLE_ID]


# -- facets and filters ------------------------------------------------------------------------


def test_facet_links_filter_and_the_filter_can_be_removed(client: TestClient) -> None:
    page = get(client, q="Peru")
    assert ids(page) == [
        HOSTILE_ID,
        SAMPLE_ID,
        "rel-777c16f4b6e8b43c",
        "rel-c20e7e22b99eaacd",
    ]
    assert count(page) == "4 results, showing 1 to 4"
    assert facet_links(page, "doc_lang") == {
        "English": "/?q=Peru&doc_lang=en",
        "Spanish": "/?q=Peru&doc_lang=es",
    }
    kinds = facet_links(page, "kind")
    assert kinds == {"Brief": "/?q=Peru&kind=brief", "Related item": "/?q=Peru&kind=related"}
    assert set(facet_links(page, "year")) == {"2021", "2020", "2011"}

    spanish = client.get(facet_links(page, "doc_lang")["Spanish"]).text
    # the Spanish documents: the Humala story now in its Spanish version (a story is shown
    # once, in a language the filter allows), and the Spanish related item
    assert ids(spanish) == [ES_TWIN_ID, "rel-c20e7e22b99eaacd"]
    assert count(spanish) == "2 results, showing 1 to 2"
    # the filter in use is shown, with a link that removes it
    m = re.search(r'<li>Language: Spanish <a class="remove" href="([^"]+)"', spanish)
    assert m is not None and html.unescape(m.group(1)) == "/?q=Peru"
    assert 'aria-current="true">Spanish</a>' in spanish

    related = client.get(kinds["Related item"]).text
    assert ids(related) == ["rel-777c16f4b6e8b43c", "rel-c20e7e22b99eaacd"]
    both = client.get(facet_links(related, "year")["2021"] + "&doc_lang=en").text
    assert ids(both) == ["rel-777c16f4b6e8b43c"]
    assert len(re.findall(r'<a class="remove"', both)) == 3  # kind, year, language

    year = get(client, q="Peru", year="2011")
    assert ids(year) == [SAMPLE_ID]


def test_the_search_box_keeps_the_filters(client: TestClient) -> None:
    page = get(client, q="Peru", kind="related", limit="2")
    form = re.search(r'<form class="search".*?</form>', page, re.S)
    assert form is not None
    assert re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(0)) == [
        ("kind", "related"),
        ("limit", "2"),
    ]
    assert '<label for="q">' in form.group(0) and 'method="get"' in form.group(0)


# -- pagination --------------------------------------------------------------------------------


def test_pagination_walks_the_results_by_offset(client: TestClient) -> None:
    everything = ids(get(client, q="Peru"))
    first = get(client, q="Peru", limit="3")
    assert ids(first) == everything[:3]
    assert 'id="prev"' not in first
    nxt = re.search(r'<a rel="next" id="next" href="([^"]+)"', first)
    assert nxt is not None and html.unescape(nxt.group(1)) == "/?q=Peru&offset=3&limit=3"
    second = client.get(html.unescape(nxt.group(1))).text
    assert ids(second) == everything[3:] == ["rel-c20e7e22b99eaacd"]
    assert count(second) == "4 results, showing 4 to 4"
    assert '<ol start="4" id="results">' in second
    assert 'id="next"' not in second
    prev = re.search(r'<a rel="prev" id="prev" href="([^"]+)"', second)
    assert prev is not None and html.unescape(prev.group(1)) == "/?q=Peru&limit=3"
    middle = get(client, q="Peru", limit="1", offset="2")
    assert ids(middle) == everything[2:3]
    assert 'href="/?q=Peru&amp;offset=1&amp;limit=1"' in middle
    assert 'href="/?q=Peru&amp;offset=3&amp;limit=1"' in middle


# -- errors ------------------------------------------------------------------------------------


def test_a_bad_query_is_a_400_page_with_the_message(client: TestClient) -> None:
    page = get(client, 400, q='coca "peru')
    assert (
        '<p id="error-message" lang="en">query syntax error at position 5: unbalanced quote: '
        "this &#34; is never closed</p>"
    ) in page
    assert '<section class="error" role="alert"' in page
    assert "Traceback" not in page
    assert 'value="coca &#34;peru"' in page  # the box keeps what was typed, to mend it
    spanish = get(client, 400, q='coca "peru', ui="es")
    assert '<h2 id="error-h">No se pudo hacer la búsqueda</h2>' in spanish
    assert "at position 5: unbalanced quote" in spanish  # searchlib's message, marked English


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "coca", "offset": "abc"}, "offset must be a whole number, not &#39;abc&#39;"),
        ({"q": "coca", "limit": "0"}, "limit must be a whole number from 1 to 50, not 0"),
        ({"q": "coca", "year": "11"}, "year must be a year of four digits, not &#39;11&#39;"),
        ({"q": "coca", "offset": "9999"}, "offset must be from 0 to 9990, got 9999"),
        ({"q": "nosuchfield:coca"}, "unknown field"),
        ({"q": "a" * 1001}, "query is too long (1001 characters, limit 1000)"),
        ({"q": "title:"}, "position 0: empty field value: nothing after title:"),
    ],
)
def test_bad_parameters_are_400_pages(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    page = get(client, 400, **params)
    m = re.search(r'<p id="error-message" lang="en">(.*?)</p>', page)
    assert m is not None and message in m.group(1)


def test_an_index_that_cannot_be_opened_is_a_503_page(tmp_path: Path) -> None:
    client = TestClient(page_app(tmp_path / "missing"))
    assert '<html lang="en">' in get(client)  # the empty page needs no index
    for url in ("/?q=coca", "/doc/x"):
        response = client.get(url)
        assert response.status_code == 503
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        message = f"no index at {tmp_path / 'missing'} (folder does not exist)"
        assert f'<p id="error-message" lang="en">{message}</p>' in response.text


def test_an_unknown_document_is_a_404_page(client: TestClient) -> None:
    response = client.get("/doc/no-such-id")
    assert response.status_code == 404
    assert "There is no document with this id in the index." in response.text


# -- the hostile document ----------------------------------------------------------------------


def test_the_hostile_document_renders_as_text(client: TestClient) -> None:
    page = get(client, q="coca")
    assert HOSTILE_ID in ids(page)
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page  # its title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # its snippet
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    for raw in ("<script", "<img", "<svg", 'href="javascript:', "<b>Peru"):
        assert raw not in page
    doc = client.get(f"/doc/{HOSTILE_ID}").text
    assert "&lt;svg onload=alert(4)&gt;" in doc  # its author
    assert "&lt;a href=&#34;javascript:alert(3)&#34;&gt;click&lt;/a&gt;" in doc
    for raw in ("<script", "<img", "<svg", 'href="javascript:', "alert(5)"):
        assert raw not in doc  # its javascript: url is not linked at all


def test_every_page_forbids_scripts(client: TestClient) -> None:
    for url in ("/", "/?q=coca", f"/doc/{HOSTILE_ID}", "/?q=%22"):
        response = client.get(url)
        assert response.headers["content-security-policy"] == CSP
        assert "script-src" not in CSP and CSP.startswith("default-src 'none'")
        assert response.headers["x-content-type-options"] == "nosniff"


def test_templates_mark_nothing_safe() -> None:
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("|safe", "| safe", "autoescape false", "Markup", "<script"):
            assert forbidden not in text, (path.name, forbidden)


# -- related items -----------------------------------------------------------------------------


def related_of(page: str) -> list[tuple[str, str]]:
    section = page[page.index('id="related"') :]
    return [
        (m["href"].removeprefix("/doc/"), reason)
        for m, reason in zip(
            re.finditer(r'<h3[^>]*><a href="(?P<href>[^"]+)">', section),
            re.findall(
                r'<p class="reason" lang="\w+"><span class="why">[^<]*</span> (.*?)</p>', section
            ),
            strict=True,
        )
    ]


def test_a_brief_page_lists_its_related_items_with_the_reasons(client: TestClient) -> None:
    response = client.get(f"/doc/{SAMPLE_ID}")
    assert response.status_code == 200
    page = response.text
    assert (
        '<h1 id="doc-title">Peru&#39;s Humala Calls for Closer Anti-Drug Cooperation with US</h1>'
        in page
    )
    assert "Geoffrey Ramsey" in page
    assert related_of(page)[:4] == [
        (ES_TWIN_ID, "the same story in the other language"),
        ("rel-ee3d90a50cc2af90", "shown on its page"),
        ("rel-777c16f4b6e8b43c", "shown on its page"),
        ("rel-81d4ec3a4bbc59cf", "shown on its page"),
    ]
    spanish = client.get(f"/doc/{SAMPLE_ID}", params={"ui": "es"}).text
    assert related_of(spanish)[0] == (ES_TWIN_ID, "la misma noticia en el otro idioma")
    assert '<article class="document" lang="en"' in spanish  # the document keeps its language


def test_a_related_item_page_lists_the_pages_that_show_it(client: TestClient) -> None:
    page = client.get("/doc/rel-ee3d90a50cc2af90").text
    assert (SAMPLE_ID, "a page that shows it") in related_of(page)


# -- the interface language --------------------------------------------------------------------


def test_ui_es_switches_the_labels_and_is_remembered(
    tmp_path_factory: pytest.TempPathFactory, client: TestClient
) -> None:
    fresh = client
    english = fresh.get("/", params={"q": "Peru"}).text
    assert english.startswith('<!doctype html>\n<html lang="en">')
    assert '<button type="submit">Search</button>' in english
    assert '<a href="/?q=Peru&amp;ui=es" lang="es" hreflang="es" id="ui-switch">Español</a>' in (
        english
    )
    response = fresh.get("/", params={"q": "Peru", "ui": "es"})
    assert response.cookies.get("ui") == "es"
    spanish = response.text
    assert spanish.startswith('<!doctype html>\n<html lang="es">')
    assert '<button type="submit">Buscar</button>' in spanish
    assert count(spanish) == "4 resultados, del 1 al 4"
    assert '<h3 id="facet-doc_lang">Idioma</h3>' in spanish
    # a country facet is named in the interface's language; its link filters by that name
    assert facet_links(spanish, "country") == {"Perú": "/?q=Peru&country=Peru"}
    assert facet_links(english, "country") == {"Peru": "/?q=Peru&country=Peru"}
    assert 'lang="en" hreflang="en" id="ui-switch">English</a>' in spanish
    assert '<span class="lang" lang="es">Inglés</span>' in spanish
    # the cookie keeps it
    again = fresh.get("/", params={"q": "Peru"}).text
    assert '<html lang="es">' in again and "Buscar" in again
    assert '<html lang="en">' in fresh.get("/", params={"q": "Peru", "ui": "en"}).text


def test_accept_language_chooses_the_interface(client: TestClient) -> None:
    fresh = client
    page = fresh.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).text
    assert '<html lang="es">' in page and '<label for="q">Buscar en el archivo' in page
    page = fresh.get("/", headers={"Accept-Language": "fr, en;q=0.2"}).text
    assert '<html lang="en">' in page
    assert fresh.get("/").headers["vary"] == "Accept-Language, Cookie"


def test_results_in_the_other_language_say_so() -> None:
    """Each result carries its own lang attribute, the interface's words theirs."""
    hit = Hit(
        id="d1",
        score=1.0,
        kind="brief",
        title="Extorsión en Honduras",
        lang="es",
        date=None,
        countries=("Honduras",),
        snippet="",
        passage=Snippet("Las pandillas cobran <extorsión> & más", ((22, 31),)),
        twin_ref=TwinRef("d2", "en", "Extortion in Honduras"),
    )
    results = Results("extorsión", 1, 1.0, (hit,), {"lang": {"es": 1}})
    page = render_search("en", PageQuery(q="extorsión"), results)
    assert '<article class="hit" lang="es"' in page
    assert '<span class="lang" lang="en">Spanish</span>' in page
    assert (
        '<p class="snippet">Las pandillas cobran &lt;<mark>extorsión</mark>&gt; &amp; más</p>'
        in page
    )
    assert 'lang="en" hreflang="en">Also in English</a>' in page


# -- the label table ---------------------------------------------------------------------------


def test_both_label_tables_have_the_same_keys() -> None:
    en, es = labels_module.LABELS["en"], labels_module.LABELS["es"]
    assert set(en) == set(es)
    assert all(en[k] and es[k] for k in en)
    assert sum(en[k] == es[k] for k in en) <= 4  # "?", "Original"...: barely any shared word


TEXT_OUTSIDE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]*>", re.S)


def test_templates_hold_no_words_of_their_own() -> None:
    """Every word a page shows comes from the label table (or the documents)."""
    for path in TEMPLATES.glob("*.html"):
        text = TEXT_OUTSIDE.sub(" ", path.read_text(encoding="utf-8"))
        assert re.findall(r"[^\W\d_]{2,}", text) == [], path.name


def test_parse_page_query_reads_the_filters_in_order() -> None:
    query = parse_page_query({"section": "x", "q": " coca ", "country": "Peru", "ui": "es"})
    assert query.q == "coca" and dict(query.filters) == {"country": "Peru", "section": "x"}
    assert query.url() == "/?q=coca&country=Peru&section=x"
    assert query.url(country=None, offset=20) == "/?q=coca&section=x&offset=20"
    assert query.url(kind="brief") == "/?q=coca&country=Peru&kind=brief&section=x"


def test_the_stylesheet_is_served(client: TestClient) -> None:
    response = client.get("/static/searchlib.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in response.text and ".skip:focus" in response.text
    page = get(client)
    assert '<a class="skip" href="#main">Skip to content</a>' in page
    assert '<main id="main" tabindex="-1">' in page
    assert '<p id="count" class="count" role="status" aria-live="polite"></p>' in page
