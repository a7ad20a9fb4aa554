"""The words of a snapshot one first letter at a time (cognates' vocabulary) are exactly the
whole vocabulary's, with the same terms; a sorted table's range of a prefix is found without
decoding it."""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
import pytest

import searchlib
from searchlib.schema import TEXT_FIELDS
from searchlib.search.expansion import Vocabulary
from searchlib.search.wordtables import LetterVocabulary, starting_with
from searchlib.storage import StringTable

TEXTS = [
    ("en", "Humala visits coca growers in 2024; the theories of organization"),
    ("es", "La erradicación de cocales y el ñandú del año; teoría de la organización"),
    ("en", "Peru's growers, Ñuñoa and the Ohio river: theory, organizations, zzz"),
    ("es", "Humala visita a los cocaleros; ética, éxito, organizaciones y teorías"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> searchlib.Index:
    index = searchlib.create_index(tmp_path_factory.mktemp("ix"))
    for i, (lang, text) in enumerate(TEXTS):
        index.add(searchlib.Brief(id=str(i), lang=lang, title=text[:20], body=[text]))
        index.commit()  # a segment each: a word in several segments
    return index


@pytest.mark.parametrize("lang", ["en", "es"])
def test_letter_by_letter_is_the_whole_vocabulary(index: searchlib.Index, lang: str) -> None:
    snapshot = index.reader
    assert len(snapshot.segments) >= 2
    whole = Vocabulary(snapshot, lang, TEXT_FIELDS)
    letters = LetterVocabulary(snapshot, lang, TEXT_FIELDS)
    firsts = sorted({w[:1] for w in whole.words} | {"q", "ñ", "é", "0"})
    for letter in firsts:
        lo = bisect_left(whole.words, letter)
        hi = bisect_left(whole.words, chr(ord(letter) + 1))
        assert letters.starting(letter) == whole.words[lo:hi], letter
    assert sum(len(letters.starting(c)) for c in firsts) == len(whole.words)
    assert letters.stem_of == whole.stem_of and letters.own == whole.own
    fresh = LetterVocabulary(snapshot, lang, TEXT_FIELDS)  # terms() loads its letters
    for words in (whole.words, whole.words[::3], ["humala", "nothing", "teoria"]):
        assert fresh.terms(words) == whole.terms(words)


def test_starting_with_finds_a_prefix_range_in_bytes() -> None:
    words = sorted(["", "a", "ab", "abc", "b", "ñandu", "ñu", "ño", "nu", "é", "éxito", "z"])
    table = StringTable.of(words, "t")
    for prefix in ["a", "ab", "abd", "ñ", "ñu", "é", "n", "z", "zz", "", "\U0001f600"]:
        got = starting_with(table, prefix)
        assert got.dtype == np.int64
        assert [words[i] for i in got] == [w for w in words if w.startswith(prefix)], prefix
