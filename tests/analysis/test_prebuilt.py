"""The lazy views of the prebuilt tables (``prebuilt.py``): bounded however many words a
long-lived process asks, and sets and mappings that behave as the parsed ones."""

from __future__ import annotations

import operator
import random
import string
from collections.abc import Callable
from typing import Any

import pytest

from searchlib.analysis import prebuilt
from searchlib.analysis.lexicon import Lexicon, load_lexicon, parse_lexicon
from searchlib.analysis.prebuilt import LazyTable, LazyWords, key_heads

pytestmark = pytest.mark.skipif(
    prebuilt.derived_detect_words(prebuilt.shipped_lexicon_digest()) is None,
    reason="no prebuilt tables shipped",
)


def _fresh_tables(src: str) -> tuple[LazyTable, LazyTable]:
    exact, stemmed, _ = prebuilt.derived_lexicon_table(src)
    assert isinstance(exact, LazyTable) and isinstance(stemmed, LazyTable)
    return exact, stemmed


def _random_words(n: int) -> list[str]:
    rng = random.Random(16)
    return ["".join(rng.choice(string.ascii_lowercase) for _ in range(9)) for _ in range(n)]


def test_the_heads_of_a_table_keep_at_most_the_text_lookups_words() -> None:
    """Every distinct word asked used to stay in the memo for the life of the process
    (100,000 random words: 100,000 entries) unless the table itself was parsed."""
    table, _ = _fresh_tables("es")
    heads = table.heads()
    words = _random_words(1_000)
    for word in words[: prebuilt._TEXT_LOOKUPS]:
        assert heads.get(word) is None
    assert len(heads._memo) == prebuilt._TEXT_LOOKUPS  # found in the text until now
    assert table._parsed is None
    for word in words[prebuilt._TEXT_LOOKUPS :]:
        assert heads.get(word) is None
    assert heads._memo == {}  # the parsed rows answer from the first word past them
    assert table._parsed is not None
    assert heads._all == key_heads(table.table())


def test_the_heads_answer_as_the_parsed_table_s_before_and_after_they_parse_it() -> None:
    table, _ = _fresh_tables("en")
    whole = key_heads(table.table())
    firsts = sorted(whole)[:: max(1, len(whole) // 40)]  # some 40 first words of entries
    assert len(firsts) > prebuilt._TEXT_LOOKUPS
    lazy, _ = _fresh_tables("en")
    heads = lazy.heads()
    asked = [w for first in firsts for w in (first, first + "zz")]
    found = [heads.get(w) for w in asked]
    assert heads._all is not None and heads._memo == {}
    assert found == [whole.get(w) for w in asked]
    assert found[0] == whole[firsts[0]] > 1
    assert dict(heads) == whole


def test_a_lexicon_s_heads_stay_bounded_over_many_distinct_words() -> None:
    """Words the exact table knows never ask the stemmed table, so it is not parsed: its
    heads were asked (and kept) once per distinct stem."""
    lexicon = Lexicon.prebuilt(lambda: [], prebuilt.derived_lexicon_table)
    exact = prebuilt.shipped_json()
    assert exact is not None
    words = sorted(k for k in exact["es"]["exact"] if k.isalpha())[:500]
    for word in words:
        lexicon.spans([word], "es")
    _, exact_heads, stem_heads = lexicon._heads["es"]
    assert isinstance(stem_heads, prebuilt.KeyHeads)
    assert isinstance(exact_heads, prebuilt.KeyHeads)
    assert len(stem_heads._memo) == len(exact_heads._memo) == 0
    assert stem_heads._all is not None and exact_heads._all is not None


def test_lexicon_entry_heads_of_built_tables_are_key_heads() -> None:
    built = Lexicon(
        pair
        for name, text in prebuilt.shipped_lexicon_texts()
        for pair in parse_lexicon(text, name)
    )
    table = built._table("en")
    exact_heads, stem_heads = built._entry_heads("en", table)
    assert exact_heads == key_heads(table[0]) and stem_heads == key_heads(table[1])
    assert exact_heads["drug"] >= 2
    lazy_exact, lazy_stem = load_lexicon()._entry_heads("en", load_lexicon()._table("en"))
    assert dict(lazy_exact) == exact_heads and dict(lazy_stem) == stem_heads


def test_key_heads_counts_the_words_of_the_longest_key_per_first_word() -> None:
    keys = ["drug", "drug trafficking", "drug trafficking route", "money laundering", "a b"]
    assert key_heads(keys) == {"drug": 3, "money": 2, "a": 2}
    assert key_heads([]) == {}


_OPERATORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("&", operator.and_),
    ("|", operator.or_),
    ("-", operator.sub),
    ("^", operator.xor),
]


@pytest.mark.parametrize(("name", "op"), _OPERATORS)
def test_the_detection_words_operators_give_what_frozensets_give(
    name: str, op: Callable[[Any, Any], Any]
) -> None:
    """``derived_detect_words`` gave frozensets: ``en & {...}`` made a LazyWords of a
    generator (``'police'`` not in it), ``en - es`` raised JSONDecodeError."""
    found = prebuilt.derived_detect_words(prebuilt.shipped_lexicon_digest())
    assert found is not None
    en, es = found
    assert isinstance(en, LazyWords) and isinstance(es, LazyWords)
    en_words, es_words = frozenset(en), frozenset(es)
    other = {"police", "zzz", "secuestro"}
    for left, right, expected in [
        (en, es, op(en_words, es_words)),
        (en, other, op(en_words, frozenset(other))),
        (other, en, op(frozenset(other), en_words)),
        (es, en, op(es_words, en_words)),
    ]:
        got = op(left, right)
        assert isinstance(got, frozenset), name
        assert got == expected, name
    assert op(en, {"police", "zzz"}) == op(en_words, {"police", "zzz"})


def test_the_detection_words_compare_and_hash_as_frozensets() -> None:
    found = prebuilt.derived_detect_words(prebuilt.shipped_lexicon_digest())
    assert found is not None
    en, es = found
    en_words = frozenset(en)
    assert "police" in (en & {"police", "zzz"})
    assert (en & {"police", "zzz"}) == {"police"}
    assert en == en_words and en_words == en and en != frozenset(es)
    assert hash(en) == hash(en_words)
    assert {en_words: 1}[en] == 1
    assert en.isdisjoint({"zzz"}) and not en.isdisjoint({"police"})
    assert {"police"} <= en and not en <= {"police"}


class _Entry:
    """A lexicon file as importlib's resources give it (name, bytes, text)."""

    def __init__(self, name: str, raw: bytes) -> None:
        self.name = name
        self.raw = raw

    def read_bytes(self) -> bytes:
        return self.raw

    def read_text(self, encoding: str) -> str:
        return self.raw.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize(
    "raw",
    [b"coca\tcoca\n", "pa\u00eds\tcountry\n".encode(), b"coca\tcoca\r\nleaf\thoja\r\n"],
    ids=["ascii", "utf-8", "crlf"],
)
def test_the_digest_of_the_files_bytes_is_that_of_their_texts(
    monkeypatch: pytest.MonkeyPatch, raw: bytes
) -> None:
    """shipped_lexicon_digest hashes the files' bytes when they are their texts, else the
    texts read (a carriage return is a newline in a text): lexicon_digest of the texts."""
    entries = [_Entry("lexicon_a.tsv", b"# pairs\nwar\tguerra\n"), _Entry("lexicon_b.tsv", raw)]
    monkeypatch.setattr(prebuilt, "_lexicon_entries", lambda: entries)
    prebuilt.forget_shipped_tables()
    try:
        texts = [(e.name, e.read_text("utf-8")) for e in entries]
        assert prebuilt.shipped_lexicon_digest() == prebuilt.lexicon_digest(texts)
        assert prebuilt.shipped_lexicon_texts() == texts
    finally:
        monkeypatch.undo()
        prebuilt.forget_shipped_tables()
    real = prebuilt.lexicon_digest(prebuilt.shipped_lexicon_texts())
    assert prebuilt.shipped_lexicon_digest() == real


def test_a_lexicon_file_that_is_no_utf8_matches_no_shipped_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its bytes' digest is no text's: the shipped tables are not used, and the lexicon's
    text, read then, raises as reading it always did."""
    entries = [_Entry("lexicon_a.tsv", b"war\tguerra\n"), _Entry("lexicon_b.tsv", b"pa\xeds\n")]
    monkeypatch.setattr(prebuilt, "_lexicon_entries", lambda: entries)
    prebuilt.forget_shipped_tables()
    try:
        assert not prebuilt.has_derived_tables(prebuilt.shipped_lexicon_digest())
        with pytest.raises(UnicodeDecodeError):
            prebuilt.shipped_lexicon_texts()
    finally:
        monkeypatch.undo()
        prebuilt.forget_shipped_tables()
