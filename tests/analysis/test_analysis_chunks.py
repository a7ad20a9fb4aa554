"""The batch (indexing) path of analysis gives exactly the terms and positions of ``terms()``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import searchlib.analysis.chunks as chunks_module
from searchlib.analysis import Analyzer
from searchlib.analysis.chunks import SHORT_CHUNK, ChunkTable, short_key

TRICKY = [
    "",
    "   ",
    "Peru's U.S.-backed anti-drug police seized 2,000 kilos, $38 million (Reuters).",
    "La policía del Perú decomisó 2.000 kilos en la región del VRAE; niño, año, años.",
    "de\xa0la\u2009noche\u3000y el\u2028día",  # non-ASCII spaces stay inside byte chunks
    "a\x00b c\x00",  # NUL separates texts in a batch: it must not shift them
    "x" * 40 + " " + "ñ" * 9 + " " + "abcdefghijklmnop abcdefghijklmnopq",  # 16/17-byte edges
    "\ud800 lone surrogate \udfff",
    "narcotraficantes, narcotraficantes narcotraficantes.",  # a long chunk, repeated
    "combining e\u0301 marks and emoji 🙂 and tabs\tand\r\nlines",
    "U.S. EE.UU., a.m.. it. Said, said. SAID' 'em dogs' 1.5. 2,000, 3,a x,9 ab.cd. 1990s.",
    "O'Brien's rock'n'roll ÉL, él. ñu. año.. \u0301. _a_. x_, 'quoted' 2.000.",
    "a ٣,٤ b 3.٤ x ٣.4 y 1,٣ z ٣, ٤. é,1 1,é",  # numbers in non-ASCII digits: one token
]


def _reference(analyzer: Analyzer, texts: list[str]) -> tuple[list[str], list[int], list[int]]:
    terms: list[str] = []
    positions: list[int] = []
    owners: list[int] = []
    for i, text in enumerate(texts):
        t, p = analyzer.terms(text)
        terms += t
        positions += p
        owners += [i] * len(t)
    return terms, positions, owners


def _batch(analyzer: Analyzer, texts: list[str]) -> tuple[list[str], list[int], list[int]]:
    table = analyzer.table()
    ex = table.expand(*analyzer.chunk_ids_batch(texts, table))
    assert ex.lengths.tolist() == [len(analyzer.terms(t)[0]) for t in texts]
    return [table.terms[i] for i in ex.term_ids.tolist()], ex.positions.tolist(), ex.texts.tolist()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_batch_equals_terms_on_tricky_texts(lang: str) -> None:
    batch_analyzer, reference_analyzer = Analyzer(lang), Analyzer(lang)
    for _ in range(2):  # cold, then with every chunk known
        assert _batch(batch_analyzer, TRICKY) == _reference(reference_analyzer, TRICKY)


def test_batch_counts_chunks_per_text() -> None:
    analyzer = Analyzer("en")
    ids, counts = analyzer.chunk_ids_batch(
        ["one two", "", "three\x00four five", " "], analyzer.table()
    )
    assert counts.tolist() == [2, 0, 3, 0]
    assert ids.size == 5 and (ids >= 0).all()
    table = analyzer.table()
    assert [table.chunk_terms(i) for i in ids.tolist()[:2]] == [[(0, "one")], [(0, "two")]]


def test_hash_collisions_never_mix_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every key hashed to the same slot, lookups still compare whole keys."""
    monkeypatch.setattr(chunks_module, "_hash", lambda lo, hi: np.zeros_like(lo))
    analyzer, reference = Analyzer("en"), Analyzer("en")
    texts = ["police seized cocaine", "cocaine police, seized. Police", "seized seized x"]
    for _ in range(2):
        assert _batch(analyzer, texts) == _reference(reference, texts)


def test_short_key_is_exact_bytes() -> None:
    assert short_key("ab") == (0x6261, 0)
    assert short_key("abcdefghi") == (int.from_bytes(b"abcdefgh", "little"), ord("i"))
    assert short_key("ñ" * 8) == (
        int.from_bytes("ñ".encode() * 4, "little"),
        int.from_bytes("ñ".encode() * 4, "little"),
    )
    assert short_key("x" * (SHORT_CHUNK + 1)) == (0, 0)  # long: looked up by string
    assert short_key("a\x00") == (0, 0)  # never produced by a byte scan: not keyed


def test_table_grows_and_keeps_ids() -> None:
    analyzer = Analyzer("en")
    table = analyzer.table()
    words = [f"w{i}x" for i in range(70_000)]  # more than half the initial slots
    ids, _ = analyzer.chunk_ids_batch([" ".join(words)], table)
    again, _ = analyzer.chunk_ids_batch([" ".join(reversed(words))], table)
    assert again.tolist() == ids.tolist()[::-1]
    assert len(set(ids.tolist())) == len(words) == len(table)
    assert isinstance(table, ChunkTable)


TEXTS = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.text(
            alphabet=st.sampled_from(list("abcñáé'’-.,$ 019٣ÁÑAS\u0301\t\n\x00\xa0_")),
            max_size=60,
        ),
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(lang=st.sampled_from(["en", "es"]), texts=TEXTS)
def test_batch_equals_terms_property(lang: str, texts: list[str]) -> None:
    from searchlib.analysis import get_analyzer

    analyzer = get_analyzer(lang)
    assert _batch(analyzer, texts) == _reference(analyzer, texts)


@pytest.mark.parametrize(("lang", "name"), [("en", "english"), ("es", "spanish")])
def test_lone_surrogates_never_raise(lang: str, name: str) -> None:
    """Query text may hold lone surrogates (no token does): normalize() never stems, and the
    stem functions take such words too (libstemmer only takes UTF-8: nltk answers)."""
    from nltk.stem.snowball import SnowballStemmer

    from searchlib.analysis import get_analyzer

    analyzer = get_analyzer(lang)
    assert analyzer.normalize("AB\udfff") == "ab\udfff"
    assert analyzer.term("Ab\udfffs") == SnowballStemmer(name).stem("ab\udfffs")
    assert analyzer.terms("pol\udfffcia")[1] == [0, 1]  # the surrogate separates two words


def test_batches_from_several_threads_keep_ids_and_terms_together() -> None:
    """The chunk table of an analyzer is shared: concurrent batches must not mix chunks."""
    import sys
    import threading

    analyzer = Analyzer("en")
    results: dict[int, tuple[list[str], list[int], list[int]]] = {}
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    texts = {
        t: [
            f"zq{t}n{i} " + " ".join(f"filler{(i * 7 + k) % 300}" for k in range(40))
            for i in range(60)
        ]
        for t in range(4)
    }

    def work(t: int) -> None:
        table, ex = analyzer.analyse_batch(texts[t])
        results[t] = (
            [table.terms[i] for i in ex.term_ids.tolist()],
            ex.positions.tolist(),
            ex.texts.tolist(),
        )

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(interval)
    reference = Analyzer("en")
    for t in range(4):
        assert results[t] == _reference(reference, texts[t])


WORDS = [
    *"the The THE a i s 's x9 1990s 2,000 2.000 23,5 0.125 1.234,5 007 12 ٣,٤ ٣ 42x8".split(),
    *"U.S. u.s. EE.UU. a.m. O'Brien's Peru's peru’s dogs' said SAID Said policía POLICÍA".split(),
    *"gobiernos años leyes veces ciudades armas hablamos llevarlos ñu año ÁFRICA Île".split(),
    *"organization generalization skies dying running caresses ponies ies y yes Y".split(),
    *"e\u0301l \ud800x narcotraficantes abcdefghijklmnopq".split(),
]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_analyse_many_equals_analyse_word_by_word(lang: str) -> None:
    """The batch analysis of new words gives each word the entry the one-word path gives it,
    and caches the same entries."""
    one, many = Analyzer(lang), Analyzer(lang)
    words = list(dict.fromkeys(WORDS))
    expected = [one._analyse(w) for w in words]
    assert many._analyse_many(words) == expected
    assert many._cache == one._cache
    entry = dict(zip(words, expected, strict=True))
    assert entry["The"] == (("", "the") if lang == "en" else ("the", "the"))
    if lang == "es":
        assert entry["gobiernos"] == ("gobiern", "gobiernos")
    assert entry["2,000"] == ("2000", "2000")


@settings(max_examples=200, deadline=None)
@given(
    lang=st.sampled_from(["en", "es"]),
    words=st.lists(
        st.text(alphabet=st.sampled_from(list("abcsñáéyY'’.,019٣ÁÑAS\u0301_")), min_size=1),
        max_size=8,
        unique=True,
    ),
)
def test_analyse_many_equals_analyse_property(lang: str, words: list[str]) -> None:
    one, many = Analyzer(lang), Analyzer(lang)
    assert many._analyse_many(words) == [one._analyse(w) for w in words]


def _expand_reference(
    table: ChunkTable, ids: list[int], counts: list[int]
) -> tuple[list[str], list[int], list[int]]:
    """Terms, positions and terms per text of chunk ids, one chunk at a time."""
    terms: list[str] = []
    positions: list[int] = []
    lengths: list[int] = []
    at = 0
    for count in counts:
        pos = 0
        before = len(terms)
        for cid in ids[at : at + count]:
            for offset, term in table.chunk_terms(cid):
                terms.append(term)
                positions.append(pos + offset)
            pos += table.nwords[cid]
        lengths.append(len(terms) - before)
        at += count
    return terms, positions, lengths


# Chunks of several words (non-ASCII spaces and dashes stay inside a chunk), of none (stop
# words, lone marks) and of one, in any mix, and texts without chunks.
MIXED_CHUNKS = st.lists(
    st.lists(
        st.sampled_from(
            [*"aby ñé1,.'’\u2014\xa0«»\u0301", "the ", "de la ", "Perú ", "2,000 ", "U.S. "]
        ),
        max_size=30,
    ).map("".join),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(lang=st.sampled_from(["en", "es"]), texts=MIXED_CHUNKS)
def test_expand_equals_chunk_by_chunk_property(lang: str, texts: list[str]) -> None:
    """:meth:`ChunkTable.expand` (a gather for each chunk's first term, the further terms of
    chunks of several inserted) gives the terms and positions of the chunks one by one."""
    analyzer = Analyzer(lang)
    table = analyzer.table()
    ids, counts = analyzer.chunk_ids_batch(texts, table)
    ex = table.expand(ids, counts)
    terms, positions, lengths = _expand_reference(table, ids.tolist(), counts.tolist())
    assert [table.terms[i] for i in ex.term_ids.tolist()] == terms
    assert ex.positions.tolist() == positions
    assert ex.lengths.tolist() == lengths
    assert ex.term_ids.dtype == np.int64 and ex.positions.dtype == np.uint32
    seen = {w for cid in set(ids.tolist()) for w in _word_ids(table, cid)}
    assert set(ex.word_ids.tolist()) == seen


def _word_ids(table: ChunkTable, cid: int) -> list[int]:
    f = table.first[cid]
    return [table.word_of[j] for j in range(f, f + table.nterms[cid])]


def test_first_slots_spread_keys_that_share_a_prefix() -> None:
    """Chunks that differ only past their sixth byte (``nation``, ``national``...) start
    their probes at different slots: every byte of a key moves its first slot."""
    words = ["nation" + a + b for a in "abcdefghijklmnop" for b in "abcdefghijklmnop"]
    lo = np.array([short_key(w)[0] for w in words], dtype=np.uint64)
    hi = np.array([short_key(w)[1] for w in words], dtype=np.uint64)
    slots = chunks_module._first_slot(chunks_module._hash(lo, hi), 1 << 16)
    assert slots.min() >= 0 and slots.max() < 1 << 16
    assert len(set(slots.tolist())) > 0.9 * len(words)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.sampled_from([0, 1, 7, 2**63, 2**64 - 1, 12345678901234]), max_size=40))
def test_first_of_equal_is_np_unique_first_index(values: list[int]) -> None:
    """The first index of each value (an unstable sort and the least index of each run) is
    what np.unique's first indices give."""
    h = np.array(values, dtype=np.uint64)
    rep = chunks_module._first_of_equal(h)
    if h.size:
        _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
        assert rep.tolist() == first[inverse.reshape(-1)].tolist()
    assert rep.tolist() == [values.index(v) for v in values]


def _outside_reference(data: bytes) -> list[int]:
    """The commas, dots and apostrophes no token holds, one byte at a time (the rule of
    :func:`chunks._outside_tokens`' docstring)."""

    def at(i: int) -> int:
        return data[i] if 0 <= i < len(data) else 0

    out = []
    for i, c in enumerate(data):
        if c not in b",.'":
            continue
        before, after = at(i - 1), at(i + 1)
        if c == ord("'"):
            kept = chunks_module._WORDLIKE[before] and chunks_module._WORDLIKE[after]
        else:
            kept = chunks_module._DIGITLIKE[before] and chunks_module._DIGITLIKE[after]
        alnum3 = all(chunks_module._ALNUM[at(i - k)] for k in (1, 2, 3))
        if c == ord(".") and chunks_module._LETTERLIKE[before] and not alnum3:
            kept = True  # may end an acronym
        if not kept:
            out.append(i)
    return out


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(st.sampled_from([*"ab1_.,' \x00", "٣", "é", "u.s.", "2,000"]), max_size=24).map(
        "".join
    )
)
def test_outside_tokens_follows_the_rule_with_or_without_a_padded_buffer(text: str) -> None:
    """The cut punctuation (bit traits gathered once per neighbour) is the byte-by-byte rule,
    whether the neighbours are read from a padded copy or from the NULs after the bytes."""
    data = text.encode("utf-8").lower()
    buf = data + bytes(2 * SHORT_CHUNK)
    whole = np.frombuffer(buf, dtype=np.uint8)
    b = whole[: len(data)]
    expected = _outside_reference(data)
    assert chunks_module._outside_tokens(b).tolist() == expected
    assert chunks_module._outside_tokens(b, None, whole).tolist() == expected


@settings(max_examples=400, deadline=None)
@given(
    number=st.lists(
        st.lists(st.sampled_from("0123456789"), min_size=1, max_size=4).map("".join),
        min_size=2,
        max_size=5,
    ).flatmap(
        lambda groups: st.lists(
            st.sampled_from(",."), min_size=len(groups) - 1, max_size=len(groups) - 1
        ).map(lambda seps: "".join(g + s for g, s in zip(groups, [*seps, ""], strict=True)))
    )
)
def test_ascii_number_norm_is_normalize_number(number: str) -> None:
    """The batch path's ASCII-number normalisation (one regular expression for thousands
    separators) is :func:`normalize_number`: 2,000 -> 2000, 0,125 -> 0.125, 1,234.5 ->
    1234.5."""
    from searchlib.analysis import analyzers
    from searchlib.analysis.tokenizer import normalize_number

    assert analyzers._ASCII_NUMBER.fullmatch(number)
    assert analyzers._ascii_number_norm(number) == normalize_number(number)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_batches_when_the_word_cache_empties_itself(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word cache that empties itself when full (here after a few words) while a batch's
    new words are analysed still gives every word of the batch its entry: the words cached
    before keep theirs, the new ones take their analysis."""
    from searchlib.analysis import analyzers

    monkeypatch.setattr(analyzers, "_MAX_WORD_CACHE", 4)
    analyzer, reference = Analyzer(lang), Analyzer(lang)
    for i in range(6):  # new chunks holding cached words ("police") and new ones
        texts = [f"police—w{i}a w{i}b seized—w{i}c años", f"Police, 2,00{i} año—w{i}d"]
        table = analyzer.table()  # (terms() of this analyzer would refill its cache)
        ex = table.expand(*analyzer.chunk_ids_batch(texts, table))
        batch = ([table.terms[t] for t in ex.term_ids.tolist()], ex.positions.tolist())
        assert batch == _reference(reference, texts)[:2]
