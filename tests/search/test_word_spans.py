"""Snippet offsets: the words at given token positions, found by skipping the words between
them, are the words that TOKEN_RE finds one after another (acronyms, numbers, apostrophes,
accents, combining marks; positions past the text's last word have none)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.search import highlight

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"

TEXTS = [
    "The U.S. and EE.UU. paid $38 million, 2,000 or 1.234,5 in the 1990s a.m. today.",
    "O'Brien, president’s aide, met García-Márquez in Perú\u0301 ... año 2011; niño",
    "  \n\n leading space\tand\u00a0nbsp, then   words ",
    "1990s 3.5.6 7,8, 9. x.y. u.s.a. A.B.C.D.E.F 12-13",
    "",
    "one",
]


def _expected(chunk: str, positions: list[int]) -> dict[int, tuple[int, int]]:
    spans = [m.span() for m in TOKEN_RE.finditer(chunk)]
    return {p: spans[p] for p in positions if p < len(spans)}


def _check(chunk: str, rng: random.Random) -> None:
    count = len(TOKEN_RE.findall(chunk))
    for _ in range(5):
        k = rng.randint(1, 6)
        positions = sorted(rng.sample(range(count + 3), min(k, count + 3)))
        assert highlight._word_spans(chunk, positions) == _expected(chunk, positions)


@pytest.mark.parametrize("text", TEXTS)
def test_word_spans_are_the_tokenizers(text: str) -> None:
    _check(text, random.Random(text))
    # every position at once, and one far past the end
    every = list(range(len(TOKEN_RE.findall(text)))) + [10_000]
    assert highlight._word_spans(text, every) == _expected(text, every)


def test_word_spans_skip_hundreds_of_words() -> None:
    text = " ".join(f"w{i} U.S. 2,000" for i in range(400))
    positions = [0, 1, 299, 300, 301, 1000, 1199, 1200]
    assert highlight._word_spans(text, positions) == _expected(text, positions)


def test_word_spans_on_corpus_texts() -> None:
    files = [CORPORA / name / "docs.jsonl" for name in ("reuters21578", "fakenews-es")]
    if not all(f.exists() for f in files):
        pytest.skip("shared corpora not available")
    rng = random.Random(7)
    for path in files:
        with path.open(encoding="utf-8") as f:
            for line, _ in zip(f, range(150), strict=False):
                body = json.loads(line).get("body") or ""
                _check(body if isinstance(body, str) else "\n\n".join(body), rng)


def test_words_start_with_the_skipped_class_only() -> None:
    """The skip patterns pass over characters outside ``_WORD_START`` without trying a word
    there: no word starts with one of them, and every character inside it starts one."""
    start = re.compile(f"[{highlight._WORD_START}]")
    for code in range(0x3_0000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        assert bool(TOKEN_RE.match(ch)) == bool(start.match(ch)), hex(code)
        assert bool(TOKEN_RE.search(f"{ch}.{ch}.")) == bool(start.match(ch)), hex(code)


def test_word_spans_edge_words() -> None:
    text = (
        "\u0301ab _x_ __ 1990s'x 2,000abc a.b.c.d ab.cd.ef U.S.'s 12'34 x\u0301\u0301 ,.' ’’"
        " abc_ ab\u0301 ab’s AB,cd ab.cd x1.5 1990s 12ab said.The end, ok; Año año1 ab＇c 7."
    )
    every = list(range(len(TOKEN_RE.findall(text)))) + [99]
    assert highlight._word_spans(text, every) == _expected(text, every)
    for low in range(len(every)):
        assert highlight._word_spans(text, every[low:]) == _expected(text, every[low:])


def test_squeeze_is_the_whitespace_regex() -> None:
    """Snippet text collapses whitespace with ``str.split``: the same runs as ``\\s+``, every
    Unicode space included (no-break, em, next-line, file separators)."""
    spaces = [chr(c) for c in range(0x11_0000) if re.match(r"\s", chr(c))]
    assert spaces == [chr(c) for c in range(0x11_0000) if chr(c).isspace()]
    rng = random.Random(5)
    alphabet = ["a", "é", " ", "\n", "\t", *spaces]
    for _ in range(20_000):
        piece = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        assert highlight._squeeze(piece) == re.sub(r"\s+", " ", piece), repr(piece)


def test_word_spans_on_random_texts_of_joining_characters() -> None:
    """Texts made of the characters where words join or split (dots, commas, apostrophes,
    digits, underscores, combining marks), every position asked from every start."""
    rng = random.Random(11)
    alphabet = ["a", "B", "1", "9", "_", ".", ",", "'", "’", "＇", " ", "\u0301", "ñ", "-", "\n"]
    for _ in range(3_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        every = list(range(len(TOKEN_RE.findall(text)) + 1))
        for low in range(0, len(every), 3):
            assert highlight._word_spans(text, every[low:]) == _expected(text, every[low:]), text
