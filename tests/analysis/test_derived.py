"""The tables built ahead of time (``python -m searchlib.analysis.derived``) are what a fresh
build gives, and using them changes no term and no translation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.snowball import SnowballStemmer
from shared_paths import corpus

from searchlib.analysis import get_analyzer, lexicon, prebuilt
from searchlib.analysis.derived import fresh_lexicon_text, fresh_stems_text, vocabulary_words
from searchlib.analysis.languages import _lexicon_words, lexicon_words
from searchlib.analysis.lexicon import Lexicon, load_lexicon, parse_lexicon
from searchlib.analysis.stems import (
    ENGLISH_ENDINGS,
    ENGLISH_SPECIAL,
    LazyStemmer,
    shipped_stems,
    unchanged,
)
from searchlib.analysis.tokenizer import TOKEN_RE

DATA = Path(lexicon.__file__).parent / "data"
REGENERATE = "stale: run `python -m searchlib.analysis.derived` and commit its output"


def test_the_shipped_stems_table_is_a_fresh_build() -> None:
    """Every row is nltk's stem of its word (public SnowballStemmer), and every English word
    of the lexicon and of the country names that needs the stemmer has a row."""
    assert (DATA / "stems_en.tsv").read_text(encoding="utf-8") == fresh_stems_text(), REGENERATE


def test_the_shipped_lexicon_tables_are_a_fresh_build() -> None:
    text = (DATA / "lexicon_tables.json").read_text(encoding="utf-8")
    assert text == fresh_lexicon_text(), REGENERATE


def test_the_stems_table_holds_the_lexicon_words_and_the_frequent_news_words() -> None:
    table = shipped_stems("en")
    stem = SnowballStemmer("english").stem
    for word in ("trafficking", "kidnappings", "extortion", "organization", "police"):
        assert table[word] == stem(word)
    assert table["organization"] == "organ"  # nltk's, not libstemmer's newer "organiz"
    needed = {w for w in vocabulary_words() if w[:1].isalpha() and not unchanged(w)}
    assert needed - get_analyzer("en").stopwords <= set(table)
    assert len(table) > 10_000  # the corpus words the generator was given


@pytest.mark.parametrize(
    "word", ["coca", "humala", "narco", "farc", "drug", "bogota", "mexico", "crack", "am"]
)
def test_words_without_a_snowball_suffix_are_unchanged(word: str) -> None:
    assert unchanged(word)
    assert SnowballStemmer("english").stem(word) == word


@pytest.mark.parametrize(
    "word", ["police", "cartels", "news", "sky", "'coca", "Coca", "café", "ugly", "abc's"]
)
def test_words_a_step_may_change_go_to_the_stemmer(word: str) -> None:
    assert not unchanged(word)


@settings(max_examples=500, deadline=None)
@given(
    word=st.lists(
        st.sampled_from([*"abceilnostyY'’ñé1", "ing", "ed", "ation", "li", "ogi", "ness", "'s"]),
        max_size=8,
    ).map("".join)
)
def test_unchanged_looks_up_the_suffixes_of_the_last_letter_only(word: str) -> None:
    """:func:`unchanged` compares a word with the suffixes that end with its last letter: the
    answer of comparing it with every suffix."""
    every_suffix = (
        word.isascii()
        and word.islower()
        and word[:1] != "'"
        and (len(word) <= 2 or not word.endswith(ENGLISH_ENDINGS))
        and word not in ENGLISH_SPECIAL
    )
    assert unchanged(word) == every_suffix


@pytest.mark.corpus
def test_unchanged_agrees_with_nltk_on_every_english_corpus_word() -> None:
    path = corpus("reuters21578") / "docs.jsonl"
    analyzer = get_analyzer("en")
    words: set[str] = set()
    with path.open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            words.update(TOKEN_RE.findall(f"{doc.get('title') or ''} {doc.get('body') or ''}"))
    normalized = {analyzer.normalize(w) for w in words}
    kept = [w for w in normalized if unchanged(w)]
    assert len(kept) > 10_000
    stem = SnowballStemmer("english").stem
    assert [w for w in kept if stem(w) != w] == []


def test_the_lazy_stemmer_loads_the_stemmer_only_for_a_word_it_cannot_answer() -> None:
    lazy = LazyStemmer("en", "english")
    assert [lazy(w) for w in ("trafficking", "coca", "humala", "kidnappings")] == [
        "traffick",
        "coca",
        "humala",
        "kidnap",
    ]
    assert not lazy.loaded
    word = "zzyzxifications"  # in no table
    assert word not in shipped_stems("en")
    assert lazy(word) == SnowballStemmer("english").stem(word) == "zzyzxif"
    assert lazy.loaded


def test_the_prebuilt_lexicon_translates_as_one_built_from_its_pairs() -> None:
    shipped = load_lexicon()
    assert shipped._derived is not None  # the prebuilt tables are in use
    built = Lexicon(
        pair
        for name, text in prebuilt.shipped_lexicon_texts()
        for pair in parse_lexicon(text, name)
    )
    for src in ("en", "es"):
        assert shipped._table(src) == built.build_table(src)
    for text, src in [
        ("drug trafficking", "en"),
        ("kidnappings in Peru", "en"),
        ("lavado de dinero", "es"),
        ("narcotráfico", "es"),
    ]:
        assert shipped.translate(text, src) == built.translate(text, src) != []
    assert len(shipped) == len(built) > 3_000


def test_lexicon_files_other_than_the_prebuilt_ones_are_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(prebuilt, "shipped_digest", lambda: "another lexicon")
    fresh = lexicon._load.__wrapped__(())
    assert fresh._derived is None
    assert fresh.translate("drug trafficking", "en") == load_lexicon().translate(
        "drug trafficking", "en"
    )


def test_the_detection_words_are_the_lexicon_s() -> None:
    texts = [text for _, text in prebuilt.shipped_lexicon_texts()]
    assert _lexicon_words() == lexicon_words(texts)
    en, es = _lexicon_words()
    assert "kidnapping" in en and "secuestro" in es


def test_a_first_search_loads_no_stemmer_for_common_words(tmp_path: Path) -> None:
    """nltk is imported only for a word the tables cannot answer."""
    repo = Path(__file__).resolve().parents[2]
    code = (
        "import sys, searchlib\n"
        f"index = searchlib.create_index({str(tmp_path / 'ix')!r})\n"
        "index.add(searchlib.Brief(id='a', lang='en', title='Coca', body=['coca growers']))\n"
        "index.commit()\n"
        "index = searchlib.open_index(index.directory.path)\n"
        "print([h.id for h in index.search('drug trafficking coca growers').hits])\n"
        "print(searchlib.get_analyzer('en')._stem.loaded)\n"
        "print([h.id for h in index.search('zzyzxifications OR coca').hits])\n"
        "print(searchlib.get_analyzer('en')._stem.loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()
    assert out == ["['a']", "False", "['a']", "True"]
