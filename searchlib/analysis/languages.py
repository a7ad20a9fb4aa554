"""Language detection between English and Spanish from function words and character cues.

Each word scores for a language when it is one of that language's frequent function words
(and not a word of the other language), or, failing that, when its ending or letters are typical
of one language only (``-ción``, ``-mente``, ``ñ``, accents for Spanish; ``-ing``, ``-tion``,
``th``, ``w``, ``k`` for English). ``¿`` and ``¡`` count for Spanish. The language with the
higher score wins when the margin is clear; otherwise (short or mixed text, names, numbers)
the answer is "und". Only the first ~4,000 characters are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from functools import lru_cache

from searchlib.analysis.prebuilt import (
    derived_detect_words,
    shipped_lexicon_digest,
    shipped_lexicon_texts,
)
from searchlib.analysis.tokenizer import fold_accents

__all__ = ["detect_language"]

_EN_WORDS = frozenset(
    "the of and to in is was that for it with as on be at by this had not are but from have "
    "they which you were her his all she there been if their has would will when who more "
    "its out into than them can only other these could what some do about also after said "
    "we our may new over first two such most should those because any were between while "
    "where being both through during under before against each just how then up year years "
    "he him i my me an or so no what's it's don't can't isn't won't says say told percent "
    "million billion government officials police people state new president against week "
    "there's that's today yesterday how many much did does why which whom whose vs mln dlrs "
    "pct cts shr qtr revs avg oper inc ltd corp co".split()
)
_ES_WORDS = frozenset(
    "de la que el en y los del se las por un para con una su al lo como más mas pero sus le ya "
    "o este sí si porque esta entre cuando muy sin sobre también tambien me hasta hay donde "
    "quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí "
    "antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos "
    "cual poco ella estar estas algunas algo nosotros es son fue ha han era eran fueron será "
    "sido está están había dijo dice según año años gobierno policía país presidente "
    "cuántos cuántas cuánto cuál cuáles cómo dónde cuándo quién quiénes qué cual cuales "
    "después aunque mientras además así aquí ahora luego tras sólo solo hace puede pueden".split()
)
_SHARED = _EN_WORDS & _ES_WORDS
_EN_ONLY = _EN_WORDS - _SHARED
_ES_ONLY = _ES_WORDS - _SHARED

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_ES_ENDINGS = tuple(
    "ción cion ciones sión siones dad dades mente ando iendo aba aban ía ían idad ismo "
    "ista istas ado ados ada adas ido idos ida idas eza ez ario aria arios ero eros era "
    "eras oso osa osos osas ivo iva ivos ivas al ales ano anos ana anas ento entos encia "
    "ancia ños ña ño illo illa ito ita icos icas ica ico dor dores ar ir ura uras tos tas "
    "ones nes os".split()
)
_EN_ENDINGS = tuple(
    "ing ings tion tions sion sions ness ment ments ly ed ity ies ful less ship ward "
    "wards ght th ths ous ive ives ers er est ism ist ists ize ized ise able ible al ic "
    "ical ics ts ks ds gs ps ns rs ls ys ay ey oy y w k ck sh ch x".split()
)
_ES_LETTERS = frozenset("ñáéíóúü¿¡")
_EN_BIGRAMS = ("th", "wh", "sh", "ck", "ph", "w", "k", "ee", "oo", "ea", "ou")


def _ending_score(word: str) -> float:
    """Positive for a Spanish-looking word, negative for an English-looking one."""
    score = 0.0
    for letter in _ES_LETTERS:
        if letter in word:
            score += 1.5
            break
    if any(b in word for b in _EN_BIGRAMS):
        score -= 0.6
    es = max((len(e) for e in _ES_ENDINGS if word.endswith(e)), default=0)
    en = max((len(e) for e in _EN_ENDINGS if word.endswith(e)), default=0)
    if es > en:
        score += 0.3 + 0.1 * es
    elif en > es:
        score -= 0.3 + 0.1 * en
    return score


@lru_cache(maxsize=1)
def _lexicon_words() -> tuple[AbstractSet[str], AbstractSet[str]]:
    """:func:`lexicon_words` of the shipped lexicon (prebuilt by ``derived.py``)."""
    found = derived_detect_words(shipped_lexicon_digest())
    if found is not None:
        return found
    return lexicon_words([text for _, text in shipped_lexicon_texts()])


def lexicon_words(texts: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """Single words found only on the English side / only on the Spanish side of the lexicon
    files ``texts``, accents folded (a typed query often leaves them out: ``extorsion``; and
    ``Peru``/``Perú`` is then one word of both sides, not an English one)."""
    en: set[str] = set()
    es: set[str] = set()
    for text in texts:
        for line in text.splitlines():
            if line.startswith("#") or "\t" not in line:
                continue
            english, spanish = fold_accents(line.lower()).split("\t", 1)
            en.update(_WORD_RE.findall(english))
            es.update(_WORD_RE.findall(spanish))
    both = en & es
    en_words = {fold_accents(w) for w in _EN_WORDS}
    es_words = {fold_accents(w) for w in _ES_WORDS}
    return frozenset(en - both - es_words), frozenset(es - both - en_words)


_SCORES: dict[str, float] = {}


def _word_score(word: str) -> float:
    """Evidence of one lowercase word: > 0 for Spanish, < 0 for English, 0 for neither."""
    score = _SCORES.get(word)
    if score is None:
        lex_en, lex_es = _lexicon_words()
        if word in _ES_ONLY:
            score = 2.0
        elif word in _EN_ONLY:
            score = -2.0
        elif word in _SHARED or len(word) < 3:
            score = 0.0
        else:
            # A word of the field's lexicon on one side only outweighs the letter cues (an
            # unaccented ``extorsion`` has an English-looking ending).
            score = _ending_score(word)
            folded = fold_accents(word)
            if folded in lex_es:
                score = max(score, 0.0) + 1.0
            elif folded in lex_en:
                score = min(score, 0.0) - 1.0
        if len(_SCORES) < 200_000:
            _SCORES[word] = score
    return score


def detect_language(text: str) -> str:
    """Guess the language of ``text``: "en", "es", or "und" when it cannot tell.

    >>> detect_language("La policía detuvo a los sospechosos en el país")
    'es'
    >>> detect_language("Police arrested the suspects in the country")
    'en'
    """
    sample = text[:4000]
    score = 2.0 * (sample.count("¿") + sample.count("¡"))  # > 0: Spanish, < 0: English
    evidence = abs(score)
    for raw in _WORD_RE.findall(sample):
        if len(raw) == 1:  # "y", "e", "o" are Spanish words, but also variables and initials
            s = 0.0 if raw.isupper() else 0.25 * _word_score(raw)
        else:
            s = _word_score(raw.lower().replace("’", "'"))
        score += s
        evidence += abs(s)
    if abs(score) < 0.3 or abs(score) < 0.15 * evidence:
        return "und"
    return "es" if score > 0 else "en"
