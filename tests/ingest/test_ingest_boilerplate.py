"""strip_boilerplate on the 2020 crawl's raw text, both languages' notices, and its edge cases."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchlib.ingest import strip_boilerplate
from searchlib.ingest.boilerplate import _norm as norm_head
from searchlib.ingest.boilerplate import _rules


def _norm(paragraphs: tuple[str, ...]) -> list[str]:
    return [" ".join(p.split()) for p in paragraphs]


def test_raw_crawl_content_cleans_to_the_converted_bodies(corpora: Path) -> None:
    """Raw CSV content (caption, SHARE, tail) strips to what the cleaned docs.jsonl strips to."""
    folder = corpora / "insightcrime-crawl-2020"
    docs = {}
    with (folder / "docs.jsonl").open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            docs[doc["url"]] = doc["body"]
    rows = 0
    for name in ("insight_v6.csv", "insight_test.csv"):
        with (folder / "raw" / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                raw = strip_boilerplate(row["content"].split("\n"), "en")
                clean = strip_boilerplate(docs[row["url"]].split("\n"), "en")
                assert _norm(raw) == _norm(clean), row["url"]
                text = "\n".join(raw)
                for marker in (
                    "SEE ALSO",
                    "InSight Crime Analysis",
                    "We encourage readers",
                    "What are your thoughts",
                    "Creative Commons",
                ):
                    assert marker not in text, (row["url"], marker)
                rows += 1
    assert rows == 72


@pytest.mark.parametrize(
    ("paragraphs", "lang", "want"),
    [
        (
            ["Body.", "share icon icon icon", "Was this content helpful?", "DONATE", "More."],
            "en",
            ("Body.", "More."),
        ),
        (
            [
                "Cuerpo.",
                "¿Este contenido fue útil?",
                "DONAR",
                "COMPARTIR",
                "Más.",
                "Alentamos a los lectores a copiar y distribuir nuestro trabajo con fines no "
                "comerciales...",
                "Cola.",
            ],
            "es",
            ("Cuerpo.", "Más."),
        ),
        (
            ["SHARETweet about this on TwitterShare on FacebookShare on LinkedIn", "Cuerpo."],
            "es",
            ("Cuerpo.",),
        ),
        (
            [
                "Uno.",
                "VER TAMBIÉN:",
                "Noticias y perfiles de México",
                "Análisis de InSight Crime",
                "Dos.",
                "¿Qué opina? Haga clic aquí",
                "x",
            ],
            "es",
            ("Uno.", "Dos."),
        ),
        (["One.", "SEE ALSO: Mexico News and Profiles", "Two."], "en", ("One.", "Two.")),
        (
            ["One.", "SEE ALSO:", "This is a long body sentence that ends with a period."],
            "en",
            ("One.", "This is a long body sentence that ends with a period."),
        ),
        (["A", "B", "C", "SHARE", "D", "SHARE"], "en", ("A", "B", "C", "D")),
        (["Caption", "SHARE", "D", "SHARE", "E"], "en", ("D", "E")),
        (["Caption", "on two lines", "COMPARTIR", "Cuerpo."], "es", ("Cuerpo.",)),
        (
            ["Only paragraph.", "SHARE", "DONATE", "What are your thoughts? Click"],
            "en",
            ("Only paragraph.",),
        ),
        (["  ", "", " kept as is\u00a0 "], "en", ("kept as is",)),
        ([], "es", ()),
    ],
)
def test_strip_boilerplate_cases(paragraphs: list[str], lang: str, want: tuple[str, ...]) -> None:
    """Widgets, appeals and headings dropped; notices end the text; captions above SHARE go."""
    assert strip_boilerplate(paragraphs, lang) == want


def test_english_widgets_are_dropped_on_spanish_text() -> None:
    """Spanish pages keep English widget text, so English rules apply to Spanish too."""
    assert strip_boilerplate(["Texto.", "share icon icon icon", "DONATE"], "es") == ("Texto.",)


LINE_HEADS = st.sampled_from(
    [
        "SHARE",
        "share",
        "Sha",
        "DONATE",
        "Was this",
        "We ",
        "we\u00a0",
        "What are",
        "SEE ALSO",
        "See also:",
        ":",
        "Icon",
        "Ins",
        "ínsight",
        "¿Qué",
        "Apoye",
        "Análisis",
        "ß",
        "Ǆ",
        "İ",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    lang=st.sampled_from(["en", "es"]),
    line=st.one_of(
        st.text(max_size=12), st.builds(lambda h, t: h + t, LINE_HEADS, st.text(max_size=8))
    ),
)
def test_fast_path_pattern_finds_every_line_the_rules_would_check(lang: str, line: str) -> None:
    """A body with no match of the candidates pattern is returned as is: the pattern must find
    every line whose normalised head the rules would look at."""
    rules = _rules(lang)
    line = line.strip()
    if line and norm_head(line, rules):
        assert rules.candidates.search(line[:3])  # strip_boilerplate searches the heads


_PIECES = [
    "Share",
    "SHARE",
    "we",
    "We want to hear from you",
    "SEE ALSO",
    ":",
    "See also: Peru",
    "Was this content helpful?",
    "Donate",
    "What are your thoughts? Click here",
    "Invest",
    "Insight Crime Analysis",
    "¿Qué opina?",
    "Análisis",
    "Ver también",
    "Twitter",
    "Body text.",
    "Police said the shipment came from Peru.",
    "w\ne",
    "we\nare",
    "é",
    "  ",
    "x" * 300,
]


@settings(max_examples=300, deadline=None)
@given(
    paras=st.lists(
        st.tuples(
            st.sampled_from(_PIECES), st.sampled_from(["", " ", " x" * 120, "\n y", "."])
        ).map("".join),
        max_size=9,
    ),
    lang=st.sampled_from(["en", "es"]),
    page_end=st.booleans(),
)
def test_only_matched_heads_are_normalized(paras: list[str], lang: str, page_end: bool) -> None:
    """Normalizing only the paragraphs whose head the candidates pattern matches gives what
    normalizing every paragraph gives (a pattern matching every line start does that)."""
    import re
    from unittest import mock

    import attrs

    from searchlib.ingest import boilerplate

    rules = _rules(lang)
    if not rules.candidates.search("\n".join(p.strip()[:3] for p in paras if p.strip())):
        return  # no candidate: the evidence is not looked at either way
    fast = strip_boilerplate(paras, lang, page_end=page_end)
    every = attrs.evolve(rules, candidates=re.compile(r"(?m)^"))
    with mock.patch.object(boilerplate, "_rules", lambda _lang: every):
        assert strip_boilerplate(paras, lang, page_end=page_end) == fast


_BODY_LINES = [
    *_PIECES,
    "shares of the company rose 5 pct",
    "investors said the bid was low.",
    "was up 3 pct from last year",
    "support for the plan grew",
    "Share on Facebook Share on Twitter Share by email",
    "share icon icon icon",
    "SHARETweet about this on Twitter",
    "Compartir",
    "Icon #SupportFreePress",
    "Why now?",
    "¿Le resultó útil este contenido?",
    "PERU",
    "Reuter",
    "Please support our work and donate today",
    "We encourage readers to copy and distribute our work for non-commercial purposes",
    "InSight Crime's investigations are expensive and risky.",
    "Investigating organized crime is an expensive and often risky enterprise",
    "insight crime analysis",
    "see also",
    "Peru's President spoke.",
    "El presidente dijo que la policía detuvo a tres.",
]


@settings(max_examples=500, deadline=None)
@given(
    paras=st.lists(
        st.tuples(
            st.sampled_from(_BODY_LINES),
            st.sampled_from(["", " ", ".", "?", " x" * 14, " share", " the work", "\n y"]),
        ).map("".join),
        max_size=9,
    ),
    lang=st.sampled_from(["en", "es"]),
)
def test_bodies_kept_whole_by_the_shortcut_are_kept_by_the_whole_pass(
    paras: list[str], lang: str
) -> None:
    """The shortcut that returns a body as it is (no norm meets a rule, no widget among the top
    lines, article text at the end) gives what the whole pass (the evidence looked for)
    gives."""
    from unittest import mock

    from searchlib.ingest import boilerplate

    fast = strip_boilerplate(paras, lang)
    with mock.patch.object(boilerplate, "_kept_whole", lambda *args: False):
        assert strip_boilerplate(paras, lang) == fast


@settings(max_examples=400, deadline=None)
@given(
    lang=st.sampled_from(["en", "es"]),
    heads=st.lists(
        st.one_of(
            st.text(alphabet="sShHaAwWeEiInNvV: \t\x0b\x1cdDoOxX.#-]", max_size=3),
            st.sampled_from(["we", "We ", "SHA", "ins", "Don", ":", "see", "VEA", "que", "w"]),
        ),
        max_size=8,
    ),
)
def test_the_ascii_pattern_finds_what_the_whole_pattern_finds(lang: str, heads: list[str]) -> None:
    """In ASCII heads (those of most bodies), the faster pattern matches where the whole one
    does: the same paragraphs, the same match ends."""
    rules = _rules(lang)
    text = "\n".join(heads)
    spans = [m.span() for m in rules.ascii_candidates.finditer(text)]
    assert spans == [m.span() for m in rules.candidates.finditer(text)]


_CP1252 = "".join(
    bytes([b]).decode("cp1252") for b in range(256) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(alphabet=_CP1252, max_size=40),
        st.text(alphabet=_CP1252 + "\u0301\u0303ǅ\uac00\u1100\u1161ﬁ", max_size=20),
        st.text(max_size=20),
    )
)
def test_the_byte_table_folds_accents_as_unicode_normalisation_does(text: str) -> None:
    """Fingerprint words fold text of the Windows-1252 repertoire by a byte table: the same
    text as fold_accents (every character of the repertoire alone, and mixed with others)."""
    from searchlib.analysis import fold_accents
    from searchlib.ingest.shingles import _fold

    assert all(_fold(c) == fold_accents(c) for c in _CP1252)
    assert _fold(text) == fold_accents(text)


def test_the_written_out_spaces_are_those_isspace_finds() -> None:
    """boilerplate.SPACES lists the characters up to U+3000 that str.isspace calls spaces
    (written out rather than found at every import); each reads as a plain space."""
    from searchlib.ingest import boilerplate

    assert boilerplate.SPACES == "".join(c for c in map(chr, range(0x3001)) if c.isspace())
    assert "a\u2009b\u3000c\xa0d".translate(boilerplate._SPACES_QUOTES) == "a b c d"
