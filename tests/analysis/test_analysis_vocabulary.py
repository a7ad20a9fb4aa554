"""The Spanish chain equals nltk's Snowball stemmer on folded words, apart from the overrides."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.snowball import SnowballStemmer
from shared_paths import corpus

from searchlib.analysis import fold_accents, get_analyzer
from searchlib.analysis._snowball import snowball_stemmer, snowball_stemmers
from searchlib.analysis.spanish import SPANISH_OVERRIDES, spanish_stem_input, spanish_stem_inputs
from searchlib.analysis.tokenizer import TOKEN_RE

VOCABULARY = """
la policía nacional detuvo a cinco presuntos integrantes de una banda dedicada al narcotráfico
y a la extorsión en varias ciudades del país durante un operativo conjunto con el ejército
los gobiernos de la región anunciaron nuevas medidas contra el crimen organizado las pandillas
y los cárteles que controlan las rutas de la cocaína hacia los mercados de Estados Unidos
el fiscal general ordenó la captura de funcionarios acusados de corrupción y lavado de dinero
miles de jóvenes fueron reclutados por grupos armados ilegales en zonas rurales de Colombia
las autoridades mexicanas decomisaron armas de fuego municiones y toneladas de metanfetamina
el presidente prometió reformas al sistema penitenciario tras la masacre en la cárcel
organizaciones criminales secuestros homicidios desapariciones víctimas erradicación cultivos
hablamos tenemos podemos llevarlos decirles comiendo cantando organización información
""".split()


def test_spanish_chain_matches_nltk_on_folded_words() -> None:
    stem = SnowballStemmer("spanish").stem
    analyzer = get_analyzer("es")
    checked = 0
    for word in VOCABULARY:
        folded = fold_accents(word.lower())
        term = analyzer.term(word)
        if folded in analyzer.stopwords:
            assert term == ""
            continue
        expected = stem(spanish_stem_input(folded))
        assert term == expected, word
        if spanish_stem_input(folded) == folded:  # untouched by overrides and plural rules
            assert term == stem(folded), word
            checked += 1
    assert checked >= 40


def test_overrides_fix_known_overstemming() -> None:
    stem = SnowballStemmer("spanish").stem
    assert stem("gobiernos") != stem("gobierno")  # the nltk bug the table works around
    analyzer = get_analyzer("es")
    for word, replacement in SPANISH_OVERRIDES.items():
        assert analyzer.term(word) == ("" if word in analyzer.stopwords else stem(replacement))
    assert analyzer.term("gobiernos") == analyzer.term("gobierno") == "gobiern"


def _corpus_words(name: str, lang: str) -> set[str]:
    """The distinct normalized non-stop words of a corpus's documents in ``lang``."""
    analyzer = get_analyzer(lang)
    words: set[str] = set()
    with (corpus(name) / "docs.jsonl").open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            if doc.get("lang", lang) == lang:
                text = f"{doc.get('title') or ''} {doc.get('body') or ''}"
                words.update(map(analyzer.normalize, TOKEN_RE.findall(text)))
    return words - analyzer.stopwords


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["fakenews-es", "xquad-en-es"])
def test_spanish_stemmer_equals_nltk_on_every_corpus_word(name: str) -> None:
    """The Spanish stem function (PyStemmer when installed) gives nltk's stem for every
    distinct folded word of the Spanish corpora, as the stemmer sees them."""
    stem = snowball_stemmer("spanish")
    nltk_stem = SnowballStemmer("spanish").stem
    words = {spanish_stem_input(w) for w in _corpus_words(name, "es") if not w[:1].isdigit()}
    assert len(words) > 5_000
    differ = sorted(w for w in words if stem(w) != nltk_stem(w))
    assert differ == []


ENGLISH_WORDS = """
market bank oil trade news sky skies dying only early gently proceed exceeded inning
cats dogs played playing happily generously organization university international
o'brien president's 'tis x1 ab a cafe runner running ran fly flies flying nationally
""".split()


def test_english_stemmer_equals_nltk_on_a_vocabulary() -> None:
    """The English stem function is nltk's: same stems, special words included."""
    stem = snowball_stemmer("english")
    nltk_stem = SnowballStemmer("english").stem
    assert [stem(w) for w in ENGLISH_WORDS] == [nltk_stem(w) for w in ENGLISH_WORDS]


@settings(max_examples=500, deadline=None)
@given(
    word=st.text(alphabet=st.sampled_from(list("aeiouyYbcdglnrstxzw'’\u2018\u201b")), max_size=14)
    | st.sampled_from(ENGLISH_WORDS).map(lambda w: w + "ational")
)
def test_english_stemmer_equals_nltk_on_any_letters(word: str) -> None:
    """On any string of the letters and apostrophes the algorithm treats specially (vowels,
    y/Y, doubled and li-ending consonants, suffix letters), the stems are nltk's."""
    assert snowball_stemmer("english")(word) == SnowballStemmer("english").stem(word)


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["reuters21578", "cacm"])
def test_english_stemmer_equals_nltk_on_every_corpus_word(name: str) -> None:
    stem = snowball_stemmer("english")
    nltk_stem = SnowballStemmer("english").stem
    words = {w for w in _corpus_words(name, "en") if w and not w[:1].isdigit()}
    assert len(words) > 5_000
    assert sorted(w for w in words if stem(w) != nltk_stem(w)) == []


def test_nltk_is_imported_when_a_word_first_needs_it() -> None:
    """In a fresh interpreter, making the stemmers, stemming Spanish (PyStemmer) and English
    (nltk's algorithm ported into searchlib) import no nltk; the first word only nltk can stem
    (a lone surrogate, which libstemmer refuses) imports nltk's public SnowballStemmer, without
    scipy, whose own import still works afterwards; the stems are nltk's."""
    import subprocess
    import sys

    code = """
import sys
from searchlib.analysis._snowball import snowball_stemmer, snowball_stemmers
en, es = snowball_stemmer("english"), snowball_stemmer("spanish")
words = ["organizations", "generously", "running", "dying", "skies", "news"]
got = [es("organizaciones")] + [en(w) for w in words]
before = "nltk" in sys.modules
got += [es("pol\\udfffcia")]
after = "nltk.stem.snowball" in sys.modules
scipy_left_out = "scipy" not in sys.modules
try:
    import scipy
    scipy_imports = True
except ImportError:
    scipy_imports = "not installed"
from nltk.stem.snowball import SnowballStemmer
want = [SnowballStemmer("spanish").stem("organizaciones")]
want += [SnowballStemmer("english").stem(w) for w in words]
want += [SnowballStemmer("spanish").stem("pol\\udfffcia")]
print(before, after, scipy_left_out, scipy_imports is not False, got == want)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True", "True", "True", "True"]


SPANISH_LETTERS = st.lists(
    st.sampled_from([*"aeiosdlnrjcbpzñáé", "es", "os", "as", "ces", "mos", "ernos"]), max_size=6
).map("".join)


def test_every_spanish_override_ends_with_s() -> None:
    """What :func:`spanish_stem_inputs` relies on to skip the words that do not."""
    assert all(word.endswith("s") for word in SPANISH_OVERRIDES)


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.one_of(SPANISH_LETTERS, st.sampled_from(sorted(SPANISH_OVERRIDES)))))
def test_spanish_stem_inputs_equal_one_word_at_a_time(words: list[str]) -> None:
    """The list path (only words ending with s go through the rules) gives each word the stem
    input of the one-word path."""
    assert spanish_stem_inputs(words) == [spanish_stem_input(w) for w in words]


@pytest.mark.parametrize("language", ["spanish", "english"])
@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.one_of(SPANISH_LETTERS, st.text(max_size=8))))
def test_stemming_a_list_equals_stemming_each_word(language: str, words: list[str]) -> None:
    """A list at a time (PyStemmer's stemWords for Spanish, falling back to one word at a time
    when a word holds a lone surrogate) gives the stems of the one-word function."""
    one, many = snowball_stemmers(language)
    assert many(words) == [one(w) for w in words]
    assert many([*words, "caf\udfffes"]) == [one(w) for w in [*words, "caf\udfffes"]]
