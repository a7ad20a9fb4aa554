"""The words of a snapshot one first letter at a time (cognates' vocabulary) are exactly the
whole vocabulary's, with the same terms; a sorted table's range of a prefix is found without
decoding it."""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
import pytest

import searchlib
from searchlib.errors import CorruptIndexError
from searchlib.schema import TEXT_FIELDS
from searchlib.search.cognates import CognateTable, _shape, _start_test
from searchlib.search.expansion import Vocabulary
from searchlib.search.wordtables import LetterVocabulary, passing, starting_with
from searchlib.storage import StringTable, encode_strings

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


SPELT = [
    ("en", "The philosophy of theories, estructuras and structures: especially the ethics"),
    ("es", "La filosofía de las teorías, la estructura y lo especial: éticas y kilómetros"),
    ("en", "Kilometres of chemical organizations, cocaine and coca cultivation; hypothesis"),
    ("es", "Químicos, organizaciones, cocaína, cultivos de coca, hipótesis y preparar; zonas"),
]


@pytest.fixture(scope="module")
def spelt(tmp_path_factory: pytest.TempPathFactory) -> searchlib.Index:
    index = searchlib.create_index(tmp_path_factory.mktemp("spelt"))
    for i, (lang, text) in enumerate(TEXTS + SPELT):
        index.add(searchlib.Brief(id=str(i), lang=lang, title=text[:20], body=[text]))
        index.commit()
    return index


@pytest.mark.parametrize("lang", ["en", "es"])
def test_cognates_found_by_a_word_s_start_are_those_of_its_letters(
    spelt: searchlib.Index, lang: str
) -> None:
    """A snapshot's cognate table finds a key's words by the shape of their start, decoding
    no other word: the same words as a table of every word of their letters (a table of the
    whole vocabulary as a list)."""
    snapshot = spelt.reader
    whole = Vocabulary(snapshot, lang, TEXT_FIELDS)
    listed = CognateTable(whole.words, lang)
    other = Vocabulary(snapshot, "es" if lang == "en" else "en", TEXT_FIELDS).words
    asked = [*other, *whole.words, "filosofia", "philosophy", "estructura", "structure"]
    asked += ["kilometro", "quimico", "chemical", "hipotesis", "hhhhh", "tionic", "eticas"]
    found = 0
    for word in asked:
        fresh = CognateTable(LetterVocabulary(snapshot, lang, TEXT_FIELDS), lang)
        for itself in (False, True):
            got = fresh.find(word, itself)
            # (a table's order follows the letters keyed first: the caller takes a set)
            assert sorted(got) == sorted(listed.find(word, itself)), (word, itself)
            found += bool(got)
    assert found > 20
    table = CognateTable(LetterVocabulary(snapshot, "en", TEXT_FIELDS), "en")
    # s, z and e + s + c, p or t: the English side holds "estructuras" as written
    assert sorted(table.find("estructura")) == ["estructuras", "structur", "structures"]


def test_passing_reads_the_bytes_a_test_needs() -> None:
    words = sorted(["col", "cola", "colo", "chol", "ccol", "cool", "coma", "kol", "c", "cé", "xol"])
    table = StringTable.of(words, "t")
    test = _start_test(_shape("col"))
    kept = [words[i] for i in passing(table, 0, len(words), test)]
    assert kept == ["c", "ccol", "chol", "col", "cola", "colo", "cool", "cé", "kol"]
    at = starting_with(table, "c")
    kept = [words[i] for i in passing(table, int(at[0]), int(at[-1]) + 1, test)]
    assert kept == ["c", "ccol", "chol", "col", "cola", "colo", "cool", "cé"]


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64, np.int64, np.int32])
def test_a_table_reads_its_offsets_as_stored(dtype: type) -> None:
    """A string table keeps its offsets as stored (uint32 or uint64, no copy; another integer
    type as int64): the same strings, sizes, prefix ranges and tests whatever their type."""
    words = sorted(["", "a", "ab", "col", "cola", "ñu", "é", "zz"])
    blob, offs = encode_strings(words)
    table = StringTable(blob, offs.astype(dtype), "t", "words")
    assert table.strings_at(np.arange(len(words))) == words
    assert table.strings_at(np.array([2, 5])) == [words[2], words[5]]
    assert table.sizes.tolist() == [len(w.encode()) for w in words]
    assert [words[i] for i in starting_with(table, "co")] == ["col", "cola"]
    kept = passing(table, 0, len(table), _start_test(_shape("col")))
    assert [words[i] for i in kept] == ["", "col", "cola", "é", "ñu"]  # beyond ASCII: kept
    bad = offs.astype(dtype).copy()
    bad[2], bad[3] = bad[3], bad[2]
    with pytest.raises(CorruptIndexError, match="offsets do not cover"):
        StringTable(blob, bad, "t", "words")
