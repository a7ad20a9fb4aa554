"""The search box: what people type (lenient and plain modes, long text), every number checked,
snippets escaped and given as data, and budgets that stop a query or a document from running
away (expansions, result window, snippet work).

Budgets are tested by counting work (words examined, characters analysed), never by timing.
"""

from __future__ import annotations

import fnmatch
import html
import json
import re

import pytest
from commands import searchlib_cli
from hypothesis import given, settings
from hypothesis import strategies as st

import searchlib
from searchlib import ArgumentError, Brief, QuerySyntaxError
from searchlib.analysis import get_analyzer
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.api import Index
from searchlib.evaluation import evaluate_run
from searchlib.index.documents import TEXT_FIELDS
from searchlib.search import highlight
from searchlib.search.context import EXPANSION_BUDGET, SearchContext
from searchlib.search.execute import evaluate
from searchlib.search.expansion import Vocabulary, edit_distances, levenshtein
from searchlib.search.highlight import JUMP_WINDOWS, MAX_SCAN_CHARS, SCAN_CHARS, make_snippet
from searchlib.search.parser import parse_lenient, parse_query
from searchlib.search.query import Wildcard
from searchlib.search.searcher import MAX_RESULT_WINDOW, MAX_TEXT_LENGTH

BOLD = re.compile(r"</?b>")


def brief(i: str, body: str, lang: str = "en", title: str = "") -> Brief:
    return Brief(id=i, lang=lang, title=title or f"Doc {i}", body=[body])


@pytest.fixture(scope="module")
def small() -> Index:
    index = searchlib.create_index()
    index.add_many(
        [
            brief("c1", "Coca growers in Peru protest against eradication."),
            brief("c2", "Police seized coca paste near the border."),
            brief("c3", "The harvest of coffee and cocoa was good this year."),
            brief(
                "x1",
                "The bid from <Shearson Lehman Brothers Inc> for coca & cocaine markets. "
                "<img src=x onerror=alert(1)>",
                title="SHEARSON <SHE> BID & <b>talks</b>",
            ),
        ]
    )
    index.commit()
    return index


# -- lenient and plain modes ------------------------------------------------------------------


def test_lenient_reads_an_unbalanced_quote_as_words(small: Index) -> None:
    with pytest.raises(QuerySyntaxError):
        small.search('coca "peru')
    lenient = small.search('coca "peru', syntax="lenient", cross_lingual=False)
    words = small.search("coca peru", cross_lingual=False)
    assert [h.id for h in lenient] == [h.id for h in words]
    assert lenient.warnings == (
        'position 5: unbalanced quote: this " is never closed: read as words',
    )
    assert words.warnings == ()
    assert lenient.to_json()["warnings"] == list(lenient.warnings)


def test_lenient_keeps_the_syntax_that_parses(small: Index) -> None:
    """A phrase and a required clause still work next to the broken part."""
    got = small.search('+"coca paste" (police', syntax="lenient", cross_lingual=False)
    assert [h.id for h in got] == ["c2"]
    assert "unbalanced parenthesis" in got.warnings[0]


def test_plain_mode_reads_syntax_as_text(small: Index) -> None:
    got = small.search("-coca +coffee (cocoa", syntax="plain", cross_lingual=False)
    # no syntax: -coca is the word coca, not an exclusion
    assert {h.id for h in got} == {"c1", "c2", "c3", "x1"}
    assert got.suggestion is None and got.warnings == ()


def test_unknown_syntax_mode_is_an_argument_error(small: Index) -> None:
    with pytest.raises(ArgumentError, match="syntax must be one of strict, lenient, plain"):
        small.search("coca", syntax="loose")


SYNTAXY = st.lists(
    st.sampled_from(
        list('"()[]{}^~*?:+-!/\\ ')
        + ["coca", "AND", "OR", "NOT", "title:", "date:", "TO", "2011", "a", "\n"]
    ),
    max_size=30,
).map("".join)


@given(SYNTAXY)
@settings(max_examples=300, deadline=None)
def test_lenient_never_raises_and_agrees_with_strict(text: str) -> None:
    """Whatever is typed, lenient parsing answers; on what strict mode accepts, it is the same
    tree with no notes."""
    try:
        strict = parse_query(text)
    except QuerySyntaxError:
        strict = None
    tree, notes = parse_lenient(text)
    if strict is not None:
        assert tree == strict and notes == ()
    else:
        assert notes, "a repaired query says so"


@given(SYNTAXY)
@settings(max_examples=100, deadline=None)
def test_lenient_search_never_raises(text: str) -> None:
    index = _tiny()
    res = index.search(text, syntax="lenient")
    assert res.total >= 0


_TINY: list[Index] = []


def _tiny() -> Index:
    if not _TINY:
        index = searchlib.create_index()
        index.add(brief("t1", "Coca in 2011 and a title"))
        index.commit()
        _TINY.append(index)
    return _TINY[0]


def test_long_text_is_accepted_in_plain_and_lenient_modes(small: Index) -> None:
    """A pasted paragraph (5,000 words) is a query: strict mode refuses it with a short error,
    plain and lenient modes search it as words."""
    paragraph = " ".join(["coffee", "harvest", "filler"] * 1700)
    with pytest.raises(QuerySyntaxError) as err:
        small.search(paragraph)
    assert len(str(err.value)) < 120
    for mode in ("plain", "lenient"):
        got = small.search(paragraph, syntax=mode, cross_lingual=False)
        assert [h.id for h in got] == ["c3"], mode
    assert small.search(paragraph, syntax="lenient").warnings[0].startswith("query is too long")


def test_plain_text_past_the_limit_is_cut_with_a_warning(small: Index) -> None:
    text = "filler " * (MAX_TEXT_LENGTH // 7) + " cocoa"
    assert len(text) > MAX_TEXT_LENGTH
    got = small.search(text, syntax="plain", cross_lingual=False)
    assert got.total == 0  # "cocoa" is past the limit
    assert got.warnings == (
        f"text past {MAX_TEXT_LENGTH:,} characters left out (the limit of plain text)",
    )


# -- numbers -----------------------------------------------------------------------------------


def test_limit_zero_counts_without_hits(small: Index) -> None:
    got = small.search("coca", limit=0)
    assert got.total == small.search("coca").total > 0 and got.hits == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": 1.5}, "limit must be a whole number, not float 1.5"),
        ({"limit": "3"}, "limit must be a whole number, not str '3'"),
        ({"limit": True}, "limit must be a whole number, not True"),
        ({"limit": -1}, "limit must be from 0 to 10000, got -1"),
        ({"limit": 10**9}, "limit must be from 0 to 10000, got 1000000000"),
        ({"offset": -5}, "offset must be from 0 to 9990, got -5"),
        ({"offset": 10**12}, "offset must be from 0 to 9990, got 1000000000000"),
        ({"limit": MAX_RESULT_WINDOW, "offset": 1}, "offset must be from 0 to 0, got 1"),
    ],
)
def test_bad_numbers_raise_argument_error(small: Index, kwargs: dict, message: str) -> None:
    with pytest.raises(ArgumentError) as err:
        small.search("coca", **kwargs)
    assert str(err.value) == message
    assert isinstance(err.value, ValueError) and isinstance(err.value, searchlib.SearchlibError)


def test_the_whole_window_is_allowed(small: Index) -> None:
    got = small.search("*", limit=MAX_RESULT_WINDOW - 2, offset=2)
    assert len(got) == got.total - 2


def test_related_limit_is_checked(small: Index) -> None:
    with pytest.raises(ArgumentError, match="limit must be from 0 to 10000, got -1"):
        small.related("c1", limit=-1)
    assert len(small.related("c1", limit=0)) == 0


@pytest.mark.parametrize("k", [0, -3, 2.5, True])
def test_eval_k_is_checked(small: Index, k: object) -> None:
    with pytest.raises(ArgumentError, match="k must be a whole number of at least 1"):
        evaluate_run(small, [{"id": "1", "lang": "en", "text": "coca"}], {}, k=k)  # type: ignore[arg-type]


def test_eval_reads_queries_as_plain_text(small: Index) -> None:
    """A judged query with an unbalanced quote (CACM has one) is run, not an error."""
    report = evaluate_run(
        small, [{"id": "1", "lang": "en", "text": 'coca "growers'}], {"1": {"c1": 1}}
    )
    assert report["ndcg@10"] == 1.0


def test_an_untimed_eval_reports_the_same_quality_and_no_latency(small: Index) -> None:
    queries = [{"id": "1", "lang": "en", "text": "coca"}, {"id": "2", "lang": "en", "text": "x"}]
    qrels = {"1": {"c1": 1}, "2": {"c2": 1}}
    timed = evaluate_run(small, queries, qrels)
    untimed = evaluate_run(small, queries, qrels, timed=False)
    assert "latency_ms" in timed and "qps" in timed
    assert untimed == {k: v for k, v in timed.items() if k not in ("latency_ms", "qps")}


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("box") / "idx"
    with searchlib.create_index(path) as index:
        index.add(brief("c1", "Coca growers in Peru protest against <eradication>."))
        index.add(brief("c2", "Police seized coca paste near the border."))
        index.commit()
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("search", "coca", "--limit", "1.5"), "argument --limit: not a whole number: '1.5'"),
        (("search", "coca", "--limit", "-1"), "argument --limit: must be from 0 to 10000, got -1"),
        (("search", "coca", "--offset", "-5"), "argument --offset: must be from 0 to 10000"),
        (("search", "coca", "--limit", "10000", "--offset", "5"), "offset must be from 0 to 0"),
        (("related", "c1", "--limit", "-1"), "argument --limit: must be from 0 to 10000, got -1"),
        (("eval", "--queries", "q.jsonl", "--k", "-3"), "argument --k: must be from 1 to 10000"),
    ],
)
def test_cli_numbers_exit_2(small_dir: str, args: tuple[str, ...], message: str) -> None:
    proc = searchlib_cli(*args, "--index", small_dir)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1


def test_cli_limit_zero_prints_the_count(small_dir: str) -> None:
    proc = searchlib_cli("search", "coca", "--limit", "0", "--index", small_dir)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("-- 2 hits in ")


def test_cli_long_query_error_is_short_and_plain_mode_takes_it(small_dir: str) -> None:
    query = " ".join(["paste"] * 5000)
    proc = searchlib_cli("search", query, "--index", small_dir)
    assert proc.returncode == 2
    assert "query is too long (29999 characters, limit 1000)" in proc.stderr
    assert len(proc.stderr) < 400 and "Traceback" not in proc.stderr
    proc = searchlib_cli("search", query, "--index", small_dir, "--syntax", "plain", "--json")
    assert proc.returncode == 0, proc.stderr
    assert [h["id"] for h in json.loads(proc.stdout)["hits"]] == ["c2"]


def test_cli_syntax_error_echo_is_an_excerpt(small_dir: str) -> None:
    query = "coca " * 100 + '"peru ' + "x " * 100
    proc = searchlib_cli("search", query, "--index", small_dir)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert (
        lines[0]
        == 'searchlib: query syntax error at position 500: unbalanced quote: this " is never closed'
    )
    excerpt, caret = lines[1], lines[2]
    assert len(excerpt) < 70 and excerpt[caret.index("^")] == '"'
    proc = searchlib_cli("search", query, "--index", small_dir, "--syntax", "lenient")
    assert proc.returncode == 0 and "note: position 500: unbalanced quote" in proc.stderr


# -- snippets ----------------------------------------------------------------------------------


def test_snippet_html_escapes_the_document_text(small: Index) -> None:
    (hit,) = [h for h in small.search("coca", limit=10) if h.id == "x1"]
    assert "<img" not in hit.snippet and "&lt;img src=x onerror=alert(1)&gt;" in hit.snippet
    assert "&lt;Shearson Lehman Brothers Inc&gt;" in hit.snippet
    assert "&amp;" in hit.snippet
    assert BOLD.findall(hit.snippet) == ["<b>", "</b>"]
    assert "<b>coca</b>" in hit.snippet
    # the same passage as data: plain text and the spans to highlight
    text = hit.passage.text
    assert "<Shearson Lehman Brothers Inc> for coca & cocaine markets. <img src" in text
    assert [text[a:b] for a, b in hit.passage.spans] == ["coca"]
    j = hit.to_json()
    assert j["snippet_text"] == text and j["highlights"] == [list(s) for s in hit.passage.spans]
    assert hit.title == "SHEARSON <SHE> BID & <b>talks</b>"  # a title is plain text


@pytest.mark.parametrize("query", ["coca", "coca OR cocaine", "police seized", "eradication"])
def test_snippet_html_is_its_text_and_spans(small: Index, query: str) -> None:
    for hit in small.search(query):
        p = hit.passage
        assert html.unescape(BOLD.sub("", hit.snippet)) == p.text
        assert re.findall(r"<b>(.*?)</b>", hit.snippet) == [
            html.escape(p.text[a:b], quote=False) for a, b in p.spans
        ]
        assert all(0 <= a < b <= len(p.text) for a, b in p.spans)
        assert p.marked().count("*") == 2 * len(p.spans)


def test_cli_text_output_marks_from_spans(small_dir: str) -> None:
    proc = searchlib_cli("search", "eradication", "--index", small_dir)
    assert proc.returncode == 0
    assert "    Coca growers in Peru protest against <*eradication*>." in proc.stdout


class _Counting:
    """Wraps an analyzer: counts the characters it is asked to analyse."""

    def __init__(self, lang: str) -> None:
        self.inner = get_analyzer(lang)
        self.chars = 0

    def terms(self, text: str) -> tuple[list[str], list[int]]:
        self.chars += len(text)
        return self.inner.terms(text)


def test_snippet_work_is_bounded_on_a_huge_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 6 MB body of a few repeated words: the snippet analyses one window, not the body."""
    counting = _Counting("en")
    monkeypatch.setattr(highlight, "get_analyzer", lambda lang: counting)
    text = "coca police market " * 330_000
    snip = make_snippet(text, "en", {"coca"}.__contains__)
    assert counting.chars <= SCAN_CHARS + 1_000
    assert snip.text.startswith("coca police market coca") and len(snip.text) < 240
    assert [snip.text[a:b] for a, b in snip.spans][:2] == ["coca", "coca"]


def test_snippet_gives_up_after_the_scan_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = _Counting("en")
    monkeypatch.setattr(highlight, "get_analyzer", lambda lang: counting)
    text = "filler words here " * 120_000 + "coca"
    snip = make_snippet(text, "en", {"coca"}.__contains__)
    assert counting.chars <= MAX_SCAN_CHARS + SCAN_CHARS + 1_000
    assert snip.spans == () and snip.text.startswith("filler words here")


def test_snippet_past_the_scan_limit_is_found_from_its_indexed_position(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A match past MAX_SCAN_CHARS: the scan jumps to where its token position falls and
    marks it, analysing a bounded number of windows more."""
    counting = _Counting("en")
    monkeypatch.setattr(highlight, "get_analyzer", lambda lang: counting)
    text = "filler words here " * 120_000 + "the coca crop"
    position = len(TOKEN_RE.findall(text)) - 2  # "coca"
    asked: list[int] = []

    def first_match() -> int:
        asked.append(position)
        return position

    snip = make_snippet(text, "en", {"coca"}.__contains__, first_match=first_match)
    assert [snip.text[a:b] for a, b in snip.spans] == ["coca"]
    assert snip.text.endswith("the coca crop")
    assert asked == [position]
    assert counting.chars <= MAX_SCAN_CHARS + (JUMP_WINDOWS + 1) * (SCAN_CHARS + 1_000)
    # a wrong position costs the jump's windows only, then the start of the text
    counting.chars = 0
    snip = make_snippet(text, "en", {"coca"}.__contains__, first_match=lambda: 100)
    assert snip.spans == () and snip.text.startswith("filler words here")
    assert counting.chars <= MAX_SCAN_CHARS + (JUMP_WINDOWS + 1) * (SCAN_CHARS + 1_000)
    # a match inside the first windows never asks
    make_snippet("coca " + text, "en", {"coca"}.__contains__, first_match=first_match)
    assert asked == [position]


def test_a_hit_marks_its_match_past_the_scan_limit() -> None:
    index = searchlib.create_index()
    index.add(brief("long", "filler words here " * 120_000 + "the coca crop"))
    index.commit()
    hit = index.search("coca").hits[0]
    assert hit.id == "long"
    assert [hit.passage.text[a:b] for a, b in hit.passage.spans] == ["coca"]


def test_snippet_finds_a_match_past_the_first_window() -> None:
    text = "filler words here " * 5_000 + "the coca crop"
    snip = make_snippet(text, "en", {"coca"}.__contains__)
    assert [snip.text[a:b] for a, b in snip.spans] == ["coca"]


@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from("abcde")), max_size=40))
def test_densest_window_matches_a_naive_scan(raw: list[tuple[int, str]]) -> None:
    hits = sorted(set(raw))
    if not hits:
        return
    span = 7
    best = (0, 0)  # the quadratic scan the linear one replaced
    for i, (first, _) in enumerate(hits):
        seen = {t for p, t in hits[i:] if p - first < span}
        if len(seen) > best[0]:
            best = (len(seen), i)
    assert highlight._densest(hits, span) == best[1]


# -- expansions --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_a() -> Index:
    """70 documents with a rare word of their own starting with "a", 30 with "azure"."""
    index = searchlib.create_index()
    letters = "bcdefghijklmnopqrstuvwxyz"
    rare = [f"ab{letters[i // 25]}{letters[i % 25]}x" for i in range(70)]
    index.add_many(brief(f"r{i:02d}", f"{w} here") for i, w in enumerate(rare))
    index.add_many(brief(f"z{i:02d}", "azure sky") for i in range(30))
    index.commit()
    return index


def test_expansion_keeps_the_most_frequent_words_and_says_so(many_a: Index) -> None:
    got = many_a.search("a*", lang="en", limit=200, cross_lingual=False, snippets=False)
    ids = {h.id for h in got}
    assert {f"z{i:02d}" for i in range(30)} <= ids  # "azure" sorts last but is most frequent
    assert got.total == 30 + 63
    assert got.warnings == (
        "a* matched 71 terms in en: only the 64 most frequent were searched, so the total "
        "may be low",
    )


def test_expansion_budget_counts_words_examined(many_a: Index) -> None:
    reader = many_a.reader
    size = len(SearchContext(reader).vocabulary("en", TEXT_FIELDS).words)
    budget = size * 3 // 2  # one full scan fits, two do not
    ctx = SearchContext(reader, ("en",), expansion_budget=budget)
    q = parse_query("*x* *y*")
    for seg in reader.segments:
        evaluate(q, ctx, seg)
    assert ctx.expansion_work == size <= budget
    assert ctx.warnings[1:] == [
        f"*y* was not expanded in en: the query's expansions would examine more than "
        f"{budget:,} words"
    ]


def test_default_budget_bounds_a_query_of_64_infix_wildcards(many_a: Index) -> None:
    ctx = SearchContext(many_a.reader)
    q = parse_query(" ".join(f"*{c}*" for c in ("abcdefghijklmnopqrstuvwxyz" * 3)[:64]))
    for seg in many_a.reader.segments:
        evaluate(q, ctx, seg)
    assert 0 < ctx.expansion_work <= EXPANSION_BUDGET


WORDS = st.text(alphabet="abcñé", min_size=0, max_size=7)


def vocabulary_of(words: list[str]) -> Vocabulary:
    """A Vocabulary of just these words (no index behind it)."""
    vocab = Vocabulary.__new__(Vocabulary)
    vocab.words = sorted(words)
    vocab._blob = vocab._codes = None
    return vocab


@given(st.lists(WORDS, min_size=1, max_size=40, unique=True), WORDS, st.integers(0, 2))
def test_fuzzy_matches_levenshtein(words: list[str], word: str, dist: int) -> None:
    vocab = vocabulary_of(words)
    got = vocab.fuzzy(word, 0, len(vocab.words), dist)
    assert got == [w for w in vocab.words if levenshtein(word, w, dist) <= dist]


@given(st.lists(WORDS, min_size=1, max_size=40, unique=True), st.text("abc*?ñ", max_size=5))
def test_wildcard_matches_fnmatch(words: list[str], pattern: str) -> None:
    vocab = vocabulary_of(words)
    head = re.split(r"[*?]", pattern, maxsplit=1)[0]
    lo, hi = vocab.head_range(head)
    got = vocab.wildcard(pattern, lo, hi)
    want = [w for w in vocab.words if fnmatch.fnmatchcase(w, pattern)]
    assert got == want


@given(WORDS, st.lists(WORDS, min_size=1, max_size=30))
def test_edit_distances_match_levenshtein(word: str, others: list[str]) -> None:
    got = edit_distances(word, others).tolist()
    assert got == [levenshtein(word, o, 99) for o in others]


def test_fuzzy_and_wildcard_through_the_index(many_a: Index) -> None:
    assert {h.id for h in many_a.search("azur~1", cross_lingual=False, limit=50)} == {
        f"z{i:02d}" for i in range(30)
    }
    assert {h.id for h in many_a.search("ab?bx", cross_lingual=False)} == {"r00", "r25", "r50"}
    assert Wildcard(None, "ab?bx") == parse_query("ab?bx")


def test_nothing_to_mark_analyses_nothing(small: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    """``*`` (every document, up to 10,000 hits) marks no word: snippets clip, no analysis."""
    counting = _Counting("en")
    monkeypatch.setattr(highlight, "get_analyzer", lambda lang: counting)
    got = small.search("*", limit=10)
    assert len(got) == 4 and counting.chars == 0
    assert all(h.passage.text and not h.passage.spans for h in got)


@pytest.mark.corpus
def test_every_cacm_query_runs_leniently() -> None:
    """CACM's own queries hold an unbalanced quote (query 33, position 451) and an unclosed
    parenthesis (query 64): strict parsing refuses them, lenient parsing reads every query."""
    from shared_paths import corpus

    path = corpus("cacm") / "queries.jsonl"
    refused = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        try:
            parse_query(q["text"])
        except QuerySyntaxError as exc:
            refused[q["id"]] = exc.position
        tree, notes = parse_lenient(q["text"])
        assert tree is not None and bool(notes) == (q["id"] in refused), q["id"]
    assert refused == {"33": 451, "64": 33}


def test_explain_reads_the_query_as_search_did(small: Index) -> None:
    """The REPL explains what it searched: a leniently read query explains the same way."""
    hit = small.search('coca "paste', syntax="lenient")[0]
    with pytest.raises(QuerySyntaxError):
        small.explain('coca "paste', hit.id)
    explained = small.explain('coca "paste', hit.id, syntax="lenient")
    assert explained.value == pytest.approx(hit.score)


def test_repl_reads_what_people_type_leniently(small_dir: str) -> None:
    """The REPL searches, pages and explains a query with a stray quote and parenthesis."""
    import io

    from searchlib.repl import run_repl

    out = io.StringIO()
    script = 'coca "paste (\n:explain 1\n:quit\n'
    assert run_repl(small_dir, stdin=io.StringIO(script), stdout=out) == 0
    text = out.getvalue()
    assert "error" not in text, text
    assert "note: position 5: unbalanced quote" in text
    assert "score of c2 for 'coca \"paste (':" in text


@pytest.mark.parametrize(
    "call",
    [
        lambda ix: ix.search("coca", lang="fr"),
        lambda ix: ix.searcher().search("coca", default_op="XOR"),
        lambda ix: searchlib.BM25F(k1=-1.0),
        lambda ix: searchlib.BM25F(b={"body": 2.0}),
    ],
)
def test_other_bad_arguments_are_argument_errors(small: Index, call: object) -> None:
    with pytest.raises(ArgumentError):
        call(small)  # type: ignore[operator]


def test_budget_is_shared_with_language_copies(many_a: Index) -> None:
    """Translated parts run in copies of the search's context: their work counts too."""
    ctx = SearchContext(many_a.reader)
    child = ctx.in_language("en")
    for seg in many_a.reader.segments:
        evaluate(parse_query("*x*"), child, seg)
    assert ctx.expansion_work == child.expansion_work > 0
    assert ctx.warnings is child.warnings
