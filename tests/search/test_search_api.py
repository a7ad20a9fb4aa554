"""The search facade's results: JSON shape, facets, snippets, cross-lingual matching, and a
ranking agreement check with Whoosh as an oracle.

Expectations are computed from the documents' own text and metadata (brute force), never read
back from the index.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from search_corpus import CORPUS

import searchlib
from searchlib import countries
from searchlib.analysis import get_analyzer
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.api import Index
from searchlib.records import Brief, RelatedItem
from searchlib.search.highlight import Snippet
from searchlib.search.results import Hit, Results

D = dt.date


# fmt: skip


# More briefs with the frequent words at varied frequencies and lengths, so that the single-word
# rankings compared with Whoosh have more than five candidates.
EXTRA: list[tuple[str, str, str, dt.date | None, tuple[str, ...], str, str]] = [
    ("e16", "en", "brief", D(2014, 2, 2), ("Mexico",), "Police reform",
     "Police reform stalled again. Police unions opposed the reform while police chiefs "
     "asked for more money. Critics said police corruption is the real problem."),
    ("e17", "en", "news", D(2014, 3, 3), ("Honduras",), "Gangs recruit children",
     "Gangs recruit children in poor neighbourhoods. The gang members threaten families, and "
     "the police rarely intervene, according to a report on gang recruitment."),
    ("e18", "en", "analysis", D(2014, 4, 4), ("Peru",), "The coca economy",
     "Coca is the main crop of many valleys. Coca prices fell after eradication, but coca "
     "farmers replanted quickly. Alternative crops have not replaced coca in the region, "
     "and the government keeps promising roads, schools and credit to the farmers."),
    ("e19", "en", "brief", D(2014, 5, 5), ("Colombia",), "Drug seizure at sea",
     "The navy seized a drug shipment at sea. Drug smugglers abandoned the boat."),
    ("e20", "en", "brief", D(2014, 6, 6), ("Guatemala",), "Police chief fired",
     "The police chief was fired after a scandal involving drug money and the police budget."),
    ("e21", "en", "news", D(2014, 7, 7), ("Mexico",), "Long report on security",
     "A long report on security describes the army, the navy, the courts, the prisons, the "
     "prosecutors and, in one paragraph, the police, and argues that every institution needs "
     "deep reforms, more money, better training and independent oversight to work."),
    ("s16", "es", "brief", D(2014, 2, 3), ("Mexico",), "Reforma policial",
     "La reforma policial se estancó otra vez. Los sindicatos de la policía se opusieron y los "
     "jefes de policía pidieron más dinero. La corrupción de la policía es el problema."),
    ("s17", "es", "news", D(2014, 3, 4), ("Honduras",), "Pandillas reclutan niños",
     "Las pandillas reclutan niños en barrios pobres. Los miembros de las pandillas amenazan "
     "a las familias y la policía casi nunca interviene."),
    ("s18", "es", "analysis", D(2014, 4, 5), ("Peru",), "La economía de la coca",
     "La coca es el principal cultivo de muchos valles. Los precios de la coca cayeron tras la "
     "erradicación, pero los agricultores replantaron coca rápidamente en toda la región."),
    ("s19", "es", "brief", D(2014, 5, 6), ("Colombia",), "Incautación de droga en el mar",
     "La armada incautó un cargamento de droga en el mar."),
    ("s20", "es", "brief", D(2014, 6, 7), ("Guatemala",), "Destituyen al jefe de policía",
     "El jefe de la policía fue destituido tras un escándalo de dinero de la droga."),
    ("s21", "es", "news", D(2014, 7, 8), ("Mexico",), "Informe largo sobre seguridad",
     "Un informe largo sobre seguridad describe el ejército, la armada, los tribunales, las "
     "cárceles, los fiscales y, en un párrafo, la policía, y sostiene que cada institución "
     "necesita reformas profundas, más dinero, mejor formación y supervisión independiente."),
    ("e22", "en", "news", D(2014, 8, 8), ("Bolivia",), "Coca and gangs",
     "Gangs moved into coca regions, where coca paste is processed by the gangs."),
    ("e23", "en", "brief", D(2014, 9, 9), ("Honduras",), "Gang truce",
     "A gang truce reduced homicides; gang leaders said the truce would hold."),
    ("s22", "es", "news", D(2014, 8, 9), ("Bolivia",), "Coca y pandillas",
     "Las pandillas llegaron a las zonas de coca, donde las pandillas procesan pasta de coca."),
    ("s23", "es", "brief", D(2014, 9, 10), ("Honduras",), "Tregua de pandillas",
     "Una tregua entre pandillas redujo los homicidios."),
    ("s24", "es", "brief", D(2014, 10, 10), ("Peru",), "Coca ilegal",
     "La coca ilegal crece en el valle."),
]  # fmt: skip

RELATED = RelatedItem(
    "Peru", D(2014, 1, 9), "Coca growers block roads against eradication.", title="Coca protest"
)
ROWS = CORPUS + EXTRA


class Meta:
    """What the test knows about one document, from its source values."""

    def __init__(self, row: tuple, kind: str | None = None) -> None:  # type: ignore[type-arg]
        self.id, self.lang, self.kind, self.date, self.countries, self.title, self.body = row
        self.text = self.body  # the stored text snippets are cut from (body, or a teaser)
        if kind:
            self.kind = kind

    def terms(self) -> set[str]:
        a = get_analyzer(self.lang)
        return set(a.terms(self.title)[0]) | set(a.terms(self.text)[0])


META = {r[0]: Meta(r) for r in ROWS}
META[RELATED.id] = Meta(
    (RELATED.id, "en", "related", RELATED.date, (RELATED.section,), RELATED.title, RELATED.teaser)
)


def build(index: Index) -> Index:
    for row in ROWS:
        doc_id, lang, kind, date, countries, title, body = row
        related = (RELATED,) if doc_id == "e01" else ()
        index.add(
            Brief(
                id=doc_id,
                lang=lang,
                kind=kind,
                title=title,
                body=[body],
                date=date,
                countries=countries,
                related=related,
            )
        )
    index.commit()
    return index


@pytest.fixture(scope="module")
def index() -> Index:
    return build(searchlib.create_index())


def matching(word: str, lang: str | None = None) -> set[str]:
    """Documents holding ``word`` (analysed by each document's own language chain)."""
    out = set()
    for m in META.values():
        if lang and m.lang != lang:
            continue
        t = get_analyzer(m.lang).term(word)
        if t and t in m.terms():
            out.add(m.id)
    return out


# -- JSON shape -----------------------------------------------------------------------------------

HIT_KEYS = {
    "id",
    "score",
    "kind",
    "title",
    "lang",
    "date",
    "countries",
    "country_codes",
    "section",
    "sections",
    "authors",
    "url",
    "source",
    "snippet",
    "snippet_text",
    "highlights",
}


def hit_keys(h: Hit) -> set[str]:
    return (
        HIT_KEYS
        | ({"reason"} if h.reason is not None else set())
        | ({"twin"} if h.twin is not None else set())
        | ({"teaser"} if h.kind == "related" else set())
    )


def test_results_json_shape(index: Index) -> None:
    results = index.search("coca", limit=3)
    out = results.to_json()
    assert set(out) == {"query", "total", "took_ms", "hits"}
    assert out["query"] == "coca"
    assert out["total"] == results.total >= 3
    assert isinstance(out["took_ms"], float) and out["took_ms"] >= 0
    assert len(out["hits"]) == 3
    for h, j in zip(results.hits, out["hits"], strict=True):
        assert set(j) == hit_keys(h)
        m = META[h.id]
        assert j["id"] == h.id
        assert j["score"] == round(h.score, 6) and j["score"] > 0
        assert (j["kind"], j["title"], j["lang"]) == (m.kind, m.title, m.lang)
        assert j["date"] == (m.date.isoformat() if m.date else None)
        assert j["countries"] == list(m.countries)
        assert isinstance(j["snippet"], str) and j["snippet"]


def test_results_json_shape_with_facets(index: Index) -> None:
    out = index.search("coca", limit=2, facets=True).to_json()
    assert set(out) == {"query", "total", "took_ms", "hits", "facets"}
    assert set(out["facets"]) == {"lang", "kind", "country", "section", "year"}
    assert all(isinstance(v, int) for f in out["facets"].values() for v in f.values())


def test_hit_values_and_empty_results(index: Index) -> None:
    hit = index.search("title:Humala", lang="en", cross_lingual=False)[0]
    assert hit == Hit(
        "e15",
        hit.score,
        "brief",
        "Peru's Humala calls for cooperation",
        "en",
        D(2011, 9, 23),
        ("Peru",),
        "<b>Humala</b> asked for closer anti-drug cooperation with the US.",
        passage=Snippet("Humala asked for closer anti-drug cooperation with the US.", ((0, 6),)),
        country_codes=("PE",),
        source=hit.source,
    )
    empty = index.search("zzzzqqq")
    assert empty.to_json()["hits"] == [] and empty.total == 0 and len(empty) == 0
    assert isinstance(empty, Results)


def test_related_hits_have_a_reason(index: Index) -> None:
    results = index.related("e01", limit=5)
    out = results.to_json()
    assert set(out) == {"query", "total", "took_ms", "hits"}
    assert out["hits"][0]["id"] == RELATED.id
    assert out["hits"][0]["reason"] == "shown on its page"
    assert out["hits"][0]["kind"] == "related"
    assert out["hits"][0]["countries"] == ["Peru"]
    for h, j in zip(results.hits, out["hits"], strict=True):
        assert set(j) == hit_keys(h) and "reason" in j
        assert h.id != "e01"


def test_snippets_off(index: Index) -> None:
    assert {h.snippet for h in index.search("coca", limit=50, snippets=False)} == {""}


# -- facets ---------------------------------------------------------------------------------------


def brute_facets(doc_ids: set[str], labels: str | None = None) -> dict[str, dict[str, int]]:
    """Facets counted one document at a time; a country counted once per document, labelled
    in ``labels`` (the language the search was asked in)."""
    lang: Counter[str] = Counter()
    kind: Counter[str] = Counter()
    country: Counter[str] = Counter()
    year: Counter[str] = Counter()
    for d in doc_ids:
        m = META[d]
        lang[m.lang] += 1
        kind[m.kind] += 1
        for c in {countries.label(c, labels or "en") for c in m.countries}:
            country[c] += 1
        if m.date:
            year[str(m.date.year)] += 1
    return {
        "lang": dict(lang),
        "kind": dict(kind),
        "country": dict(country),
        "section": {},
        "year": dict(year),
    }


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("coca", None),
        ("police", "en"),
        ("policía", "es"),
        ("gangs", None),
        ("eradication", "en"),
        ("drug", None),
    ],
)
@pytest.mark.parametrize("limit", [2, 100])
def test_facets_count_every_matching_document(
    index: Index, query: str, lang: str | None, limit: int
) -> None:
    results = index.search(query, limit=limit, lang=lang, facets=True, cross_lingual=False)
    want = matching(query, lang)
    assert results.total == len(want) > 2
    if limit == 100:
        assert {h.id for h in results} == want
    assert results.facets is not None
    assert {k: dict(v) for k, v in results.facets.items()} == brute_facets(want, lang)
    # Each facet lists its values by descending count, equal counts by value.
    for counts in results.facets.values():
        items = list(counts.items())
        assert items == sorted(items, key=lambda kv: (-kv[1], kv[0]))


def test_facets_respect_filters(index: Index) -> None:
    results = index.search(
        "coca", limit=1, facets=True, cross_lingual=False, country="peru", since=D(2011, 1, 1)
    )
    want = {
        d
        for d in matching("coca")
        if "peru" in {c.lower() for c in META[d].countries}
        and META[d].date
        and META[d].date >= D(2011, 1, 1)
    }
    assert results.total == len(want) > 1
    assert {k: dict(v) for k, v in (results.facets or {}).items()} == brute_facets(want)


def test_facets_of_a_cross_lingual_search(index: Index) -> None:
    results = index.search("narcotráfico", lang="es", limit=100, facets=True)
    assert {k: dict(v) for k, v in (results.facets or {}).items()} == brute_facets(
        {h.id for h in results}, "es"
    )
    assert (results.facets or {})["lang"].keys() == {"en", "es"}


# -- snippets -------------------------------------------------------------------------------------

BOLD = re.compile(r"<b>(.*?)</b>")


def check_snippet(h: Hit, query_terms: dict[str, set[str]]) -> None:
    """The marks are words as written in the document, each one whose term the query sought;
    the snippet is a piece of the document's text starting and ending on word boundaries."""
    m = META[h.id]
    text = " ".join(m.text.split())
    words = TOKEN_RE.findall(m.text)
    analyzer = get_analyzer(m.lang)
    marked = BOLD.findall(h.snippet)
    for w in marked:
        assert w in words, (h.id, w)
        assert analyzer.term(w) in query_terms[m.lang], (h.id, w)
    plain = BOLD.sub(r"\1", h.snippet)
    core = plain.removeprefix("…").removesuffix("…")
    at = text.find(core)
    assert at >= 0, (h.id, h.snippet)
    assert at == 0 or text[at - 1] == " ", ("snippet starts inside a word", h.id, h.snippet)
    end = at + len(core)
    assert end == len(text) or not text[end].isalnum() or not text[end - 1].isalnum(), (
        "snippet ends inside a word",
        h.id,
        h.snippet,
    )
    assert plain.startswith("…") == (at > 0)
    assert plain.endswith("…") == (end < len(text))
    # Every occurrence of a sought word inside the snippet is marked.
    unmarked = BOLD.sub(" ", h.snippet)
    for w in TOKEN_RE.findall(unmarked):
        assert analyzer.term(w) not in query_terms[m.lang] or not analyzer.term(w), (h.id, w)


def terms_of(*words: str) -> dict[str, set[str]]:
    return {
        lang: {t for w in words for t in get_analyzer(lang).terms(w)[0]} for lang in ("en", "es")
    }


def test_snippet_marks_the_word_as_written() -> None:
    index = build(searchlib.create_index())
    results = index.search("erradicacion", lang="es", cross_lingual=False)
    assert {h.id for h in results} == {"s01", "s12", "s18"}
    for h in results:
        assert "<b>erradicación</b>" in h.snippet
        # The stem ("errad") never appears marked: only surface words do.
        assert get_analyzer("es").term("erradicación") not in BOLD.findall(h.snippet)
        check_snippet(h, terms_of("erradicacion"))


@pytest.mark.parametrize(
    ("query", "lang", "words"),
    [
        ("coca", None, ["coca"]),
        ("police", "en", ["police"]),
        ("policía pandillas", "es", ["policía", "pandillas"]),
        ("gangs extortion", "en", ["gangs", "extortion"]),
        ('"coca growers"', "en", ["coca", "growers"]),
        ("Peru's", "en", ["Peru's"]),
        ("cocaina", None, ["cocaina"]),
    ],
)
def test_snippets_mark_only_sought_words(
    index: Index, query: str, lang: str | None, words: list[str]
) -> None:
    results = index.search(query, lang=lang, limit=100, cross_lingual=False)
    assert results.total > 0
    for h in results:
        check_snippet(h, terms_of(*words))
        if META[h.id].terms() & terms_of(*words)[META[h.id].lang] and any(
            get_analyzer(h.lang).term(w) in terms_of(*words)[h.lang]
            for w in TOKEN_RE.findall(META[h.id].text)
        ):
            assert BOLD.search(h.snippet), (h.id, h.snippet)


def test_snippet_never_starts_inside_a_word(index: Index) -> None:
    # e08's body: "Army officers were accused of corruption and drug trafficking." The first
    # match ("drug", offset 45) minus width // 5 (44) lands on the "r" of "Army".
    h = next(h for h in index.search('"drug trafficking"', lang="en") if h.id == "e08")
    check_snippet(h, terms_of("drug", "trafficking"))


def test_wildcard_snippets_mark_only_matching_words(index: Index) -> None:
    results = index.search("co?a", limit=100, cross_lingual=False)
    assert "e13" in {h.id for h in results}  # "Cocaine production in Peru rose as coca ..."
    sought = {
        lang: {
            get_analyzer(lang).term(w)
            for m in META.values()
            if m.lang == lang
            for w in TOKEN_RE.findall(f"{m.title} {m.text}")
            if re.fullmatch("co.a", get_analyzer(lang).normalize(w))
        }
        for lang in ("en", "es")
    }
    for h in results:
        for w in BOLD.findall(h.snippet):
            assert get_analyzer(h.lang).term(w) in sought[h.lang], (h.id, w)


# -- cross-lingual --------------------------------------------------------------------------------


def test_spanish_query_finds_english_brief_through_the_lexicon(index: Index) -> None:
    crossed = {h.id: h for h in index.search("narcotráfico", lang="es", limit=100)}
    assert "e02" in crossed  # "Drug trafficking in Mexico"
    assert "e08" in crossed  # "... corruption and drug trafficking."
    assert "<b>Drug</b> <b>trafficking</b>" in crossed["e02"].snippet
    # Its own language first: the Spanish briefs about narcotráfico outrank the translations.
    ranked = list(crossed)
    assert ranked[0] == "s02"
    plain = index.search("narcotráfico", lang="es", limit=100, cross_lingual=False)
    assert {h.id for h in plain} == matching("narcotráfico", "es") == {"s02", "s08"}
    assert all(h.lang == "es" for h in plain)
    # Same documents and scores for the Spanish part: translation only adds English documents.
    for h in plain:
        assert crossed[h.id].score == pytest.approx(h.score, rel=1e-6)


def test_english_query_finds_spanish_brief_through_the_lexicon(index: Index) -> None:
    crossed = {h.id for h in index.search("drug trafficking", lang="en", limit=100)}
    assert {"s02", "s08"} <= crossed
    plain = {h.id for h in index.search("drug trafficking", lang="en", cross_lingual=False)}
    assert plain and all(META[d].lang == "en" for d in plain)


def test_cross_lingual_respects_the_document_language_filter(index: Index) -> None:
    only_en = index.search("narcotráfico", lang="es", doc_lang="en", limit=100)
    assert only_en.total > 0 and {h.lang for h in only_en} == {"en"}
    assert index.search("narcotráfico", lang="es", doc_lang="en", cross_lingual=False).total == 0


# -- Whoosh as a ranking oracle -------------------------------------------------------------------


@pytest.fixture(scope="module")
def whoosh_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from whoosh import fields
    from whoosh import index as windex
    from whoosh.analysis import LanguageAnalyzer, StemmingAnalyzer

    en, es = StemmingAnalyzer(), LanguageAnalyzer("es")
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title_en=fields.TEXT(analyzer=en, field_boost=2.0),
        body_en=fields.TEXT(analyzer=en),
        title_es=fields.TEXT(analyzer=es, field_boost=2.0),
        body_es=fields.TEXT(analyzer=es),
    )
    path: Path = tmp_path_factory.mktemp("whoosh")
    ix = windex.create_in(str(path), schema)
    writer = ix.writer()
    for m in META.values():
        writer.add_document(id=m.id, **{f"title_{m.lang}": m.title, f"body_{m.lang}": m.text})
    writer.commit()
    yield ix
    ix.close()


def whoosh_top(ix, word: str, lang: str, k: int = 5) -> list[str]:  # type: ignore[no-untyped-def]
    from whoosh import scoring
    from whoosh.qparser import MultifieldParser, OrGroup

    weighting = scoring.BM25F(B=0.75, K1=1.2, **{f"title_{lang}_B": 0.5, f"body_{lang}_B": 0.75})
    parser = MultifieldParser([f"title_{lang}", f"body_{lang}"], ix.schema, group=OrGroup)
    with ix.searcher(weighting=weighting) as s:
        return [hit["id"] for hit in s.search(parser.parse(word), limit=k)]


@pytest.mark.parametrize(
    ("word", "lang"),
    [
        ("police", "en"),
        ("coca", "en"),
        ("drug", "en"),
        ("gangs", "en"),
        ("policía", "es"),
        ("coca", "es"),
        ("pandillas", "es"),
    ],
)
def test_top5_agrees_with_whoosh(index: Index, whoosh_index, word: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    ours = [
        h.id for h in index.search(word, limit=5, lang=lang, cross_lingual=False, snippets=False)
    ]
    theirs = whoosh_top(whoosh_index, word, lang)
    assert len(matching(word, lang)) > 5  # a real choice of five
    assert len(ours) == len(theirs) == 5
    overlap = len(set(ours) & set(theirs)) / 5
    assert overlap >= 0.6, (ours, theirs)


@pytest.mark.parametrize("query", [None, b"coca", 42, ["coca"]])
def test_a_query_that_is_neither_text_nor_a_tree_is_a_type_error_naming_it(
    index: Index, query: object
) -> None:
    """``search(None)`` or ``search(b"coca")`` said "cannot execute query node None" from
    inside the executor; the error now names the argument and what it takes."""
    with pytest.raises(TypeError, match=r"query must be a string or a query tree .* not \w+"):
        index.search(query)  # type: ignore[arg-type]


def test_facet_values_of_equal_count_are_listed_by_value() -> None:
    index = searchlib.create_index()
    for n, (country, lang, kind) in enumerate(
        [("Peru", "es", "brief"), ("Mexico", "es", "analysis"), ("Colombia", "en", "brief")]
    ):
        index.add(
            Brief(
                id=f"d{n}",
                lang=lang,
                kind=kind,
                title="coca",
                body=["coca"],
                countries=(country,),
                date=D(2011 - n, 1, 1),
            )
        )
        index.commit()  # one segment each: counted in input order
    facets = index.search("coca", facets=True, cross_lingual=False).facets
    assert facets is not None
    assert list(facets["country"].items()) == [("Colombia", 1), ("Mexico", 1), ("Peru", 1)]
    assert list(facets["lang"].items()) == [("es", 2), ("en", 1)]
    assert list(facets["kind"].items()) == [("brief", 2), ("analysis", 1)]
    assert list(facets["year"].items()) == [("2009", 1), ("2010", 1), ("2011", 1)]
