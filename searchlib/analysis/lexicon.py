"""The English<->Spanish lexicon used to expand a query into the other language.

Data: every ``data/lexicon_*.tsv`` file shipped with the package (about 6,280 pairs: crime,
drugs, justice, security, politics and their verbs, economy, geography, countries and
demonyms, frequent general words of news and reference text), plus any files given to
:func:`load_lexicon`.

File format (UTF-8 text)::

    # a comment; blank lines are ignored
    drug trafficking<TAB>narcotráfico
    drug trafficking<TAB>tráfico de drogas
    Peruvian<TAB>peruano

One pair per line: the English side, a TAB, the Spanish side; each side is a word or a phrase.
Several lines may share a side: a lookup returns every translation, in file order. Lookups are
case- and accent-insensitive (``ñ`` is kept), and fall back to the stemmed form of the words
(via the source language's analyzer), so ``kidnappings`` finds the entry ``kidnapping``.

:meth:`Lexicon.translate` scans the source text left to right with greedy longest match, so
``drug trafficking`` is one entry (-> ``narcotráfico``) rather than ``drug`` + ``trafficking``.
It returns target-language surface words/phrases, to be analysed by the target language's chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from searchlib.analysis.analyzers import Analyzer, get_analyzer
from searchlib.analysis.lemmas import spanish_lemmas
from searchlib.analysis.prebuilt import (
    LazyTable,
    derived_lexicon_table,
    has_derived_tables,
    key_heads,
    shipped_lexicon_digest,
    shipped_lexicon_texts,
)
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.errors import AnalysisError

__all__ = ["Lexicon", "load_lexicon", "parse_lexicon"]

_OTHER = {"en": "es", "es": "en"}
_Key = str  # the words of an entry, joined by spaces (no word holds one)
_Table = tuple[Mapping[_Key, list[str]], Mapping[_Key, list[str]], int]
_WordInfo = tuple[str, str, int, list[str] | None]  # see Lexicon._word_info


def parse_lexicon(text: str, source: str = "<string>") -> list[tuple[str, str]]:
    """The (english, spanish) pairs of a lexicon file's text; raises AnalysisError if malformed."""
    pairs = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip() if raw.lstrip().startswith("#") else raw.strip()
        if not line:
            continue
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) != 2 or not fields[0] or not fields[1]:
            raise AnalysisError(f"{source}:{number}: expected 'english<TAB>spanish', got {raw!r}")
        pairs.append((fields[0], fields[1]))
    return pairs


class Lexicon:
    """A bilingual English/Spanish lexicon with phrase-aware lookup in both directions.

    The lookup tables of a direction (exact and stemmed keys of its source side) are built
    the first time that direction is used, so a process that only translates English never
    stems the Spanish side, and loading the lexicon costs nothing until a query needs it.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pair_list: list[tuple[str, str]] = []
        self._pending: Callable[[], list[tuple[str, str]]] | None = None
        self._tables: dict[str, _Table] = {}
        self._derived: Callable[[str], _Table] | None = None  # prebuilt tables
        # per direction: its tables and, per first word, the most words of an entry
        # starting with it (exact keys, stemmed keys); see spans()
        self._heads: dict[str, tuple[_Table, Mapping[str, int], Mapping[str, int]]] = {}
        # per direction: its tables, the analysis chain and what spans() read of each word
        self._words: dict[str, tuple[_Table, Analyzer, dict[str, _WordInfo]]] = {}
        self.generation = 0
        """Pairs added since the lexicon was made: what a cache of its lookups checks."""
        for english, spanish in pairs:
            self.add(english, spanish)

    @classmethod
    def prebuilt(
        cls, pairs: Callable[[], list[tuple[str, str]]], tables: Callable[[str], _Table]
    ) -> Lexicon:
        """A lexicon whose lookup tables were built ahead of time from checked pairs
        (``derived.py``): ``tables(src)`` gives those of a direction, ``pairs()`` the pairs,
        read only when something needs them (its length, an added pair)."""
        lexicon = cls()
        lexicon._pending = pairs
        lexicon._derived = tables
        return lexicon

    @property
    def _pairs(self) -> list[tuple[str, str]]:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._pair_list.extend(pending())
        return self._pair_list

    def __len__(self) -> int:
        """Number of distinct (english, spanish) pairs."""
        seen: dict[str, set[tuple[_Key, str]]] = {"en": set(), "es": set()}
        count = 0
        for english, spanish in self._pairs:
            added = False
            for src, word, target in (("en", english, spanish), ("es", spanish, english)):
                key = (self._exact_key(word, src), target)
                if key not in seen[src]:
                    seen[src].add(key)
                    added = True
            count += added
        return count

    def __repr__(self) -> str:
        return f"<Lexicon {len(self)} pairs>"

    def add(self, english: str, spanish: str) -> None:
        """Add one pair (both directions). Adding a pair twice has no effect."""
        for word in (english, spanish):
            if TOKEN_RE.search(word) is None:
                raise AnalysisError(f"lexicon entry {word!r} has no words")
        self._pairs.append((english, spanish))  # after the pending pairs, if any
        self.generation += 1
        self._tables = {}
        self._derived = None

    def _table(self, src: str) -> _Table:
        """The exact and stemmed lookup tables of ``src`` and its longest entry in words."""
        table = self._tables.get(src)
        if table is None:
            if self._derived is not None:
                table = self._derived(src)
            else:
                table = self.build_table(src)
            self._tables[src] = table
        return table

    def build_table(self, src: str) -> _Table:
        """The exact and stemmed lookup tables of ``src`` built from the pairs (the stemmed
        keys by the analysis chain of ``src``), and its longest entry in words."""
        exact: dict[_Key, list[str]] = {}
        stemmed: dict[_Key, list[str]] = {}
        longest = 1
        for english, spanish in self._pairs:
            word, target = (english, spanish) if src == "en" else (spanish, english)
            key = self._exact_key(word, src)
            targets = exact.setdefault(key, [])
            if target not in targets:
                targets.append(target)
            targets = stemmed.setdefault(self._stem_key(word, src), [])
            if target not in targets:
                targets.append(target)
            longest = max(longest, key.count(" ") + 1)
        return exact, stemmed, longest

    def lookup(self, phrase: str, src: str) -> list[str]:
        """Translations of exactly ``phrase`` (all its words), or [] when it is not an entry."""
        self._check(src)
        exact, stemmed, _ = self._table(src)
        key = self._exact_key(phrase, src)
        found = exact.get(key)
        if found is None:
            found = stemmed.get(self._stem_key(phrase, src))
        if found is None and " " not in key and not phrase.isupper():
            found = self._lemma(key, src, exact)
        return list(found or ())

    @staticmethod
    def _lemma(norm: str, src: str, exact: Mapping[_Key, list[str]]) -> list[str] | None:
        """The translations of the first dictionary form of the word ``norm`` that the
        lexicon holds (:func:`~searchlib.analysis.lemmas.spanish_lemmas`: ``detuvieron`` ->
        ``detener``); None when there is none, or ``src`` is not Spanish. Used for a single
        word that neither its exact nor its stemmed key finds, unless written in capitals (an
        acronym is a name: ``TUMAS`` is no form of ``tomar``)."""
        if src != "es" or not norm:
            return None
        for lemma in _spanish_lemmas(norm):
            found = exact.get(lemma)
            if found is not None:
                return found
        return None

    def translate(self, text: str, src: str, keep_unknown: bool = False) -> list[str]:
        """Target-language words/phrases for the words of ``text`` (in ``src``), in text order.

        Greedy longest match over the words of ``text``; each match contributes all its
        translations (deduplicated). Words with no entry are skipped, or kept as written
        (names, numbers) when ``keep_unknown`` is true.
        """
        words = TOKEN_RE.findall(text)
        out: list[str] = []
        i = 0
        for start, end, found in self.spans(words, src):
            if keep_unknown:
                out.extend(w for w in words[i:start] if w not in out)
            out.extend(t for t in found if t not in out)
            i = end
        if keep_unknown:
            out.extend(w for w in words[i:] if w not in out)
        return out

    def spans(self, words: Sequence[str], src: str) -> list[tuple[int, int, list[str]]]:
        """The entries found in a sequence of words (in ``src``), left to right with greedy
        longest match: ``(start, end, translations)`` for each, ``words[start:end]`` being the
        entry (``drug trafficking`` is one entry rather than ``drug`` + ``trafficking``)."""
        self._check(src)
        analyzer = get_analyzer(src)
        table = self._table(src)
        exact, stemmed, _ = table
        memo = self._word_memo(src, table, analyzer)
        infos = [memo.get(w) or self._word_info(w, src, table, analyzer, memo) for w in words]
        norms: list[str] | None = None  # (the words' normal forms and stems, when a run needs)
        stems: list[str] = []
        out: list[tuple[int, int, list[str]]] = []
        i = 0
        count = len(words)
        while i < count:
            _, _, most, single = infos[i]
            if most == 1 or i + 1 == count:  # (most words: no entry of several starts here)
                if single:
                    out.append((i, i + 1, list(single)))
                i += 1
                continue
            for n in range(min(most, count - i), 0, -1):
                if n == 1:
                    found = single
                else:
                    if norms is None:
                        norms = [info[0] for info in infos]
                        stems = [info[1] for info in infos]
                    found = exact.get(" ".join(norms[i : i + n])) or stemmed.get(
                        " ".join(stems[i : i + n])
                    )
                if found:
                    out.append((i, i + n, list(found)))
                    i += n
                    break
            else:
                i += 1
        return out

    def _word_memo(self, src: str, table: _Table, analyzer: Analyzer) -> dict[str, _WordInfo]:
        """The words :meth:`spans` has seen in ``src`` (:meth:`_word_info`), for these tables
        and this analysis chain (emptied when either changes, or past 50,000 words)."""
        found = self._words.get(src)
        if found is None or found[0] is not table or found[1] is not analyzer:
            found = self._words[src] = (table, analyzer, {})
        elif len(found[2]) >= 50_000:
            found[2].clear()
        return found[2]

    def _word_info(
        self, word: str, src: str, table: _Table, analyzer: Analyzer, memo: dict[str, _WordInfo]
    ) -> _WordInfo:
        """What :meth:`spans` reads of one word, kept in ``memo``: its normal form, its
        stem (else its normal form), the most words an entry starting with it may have, and
        its translations as an entry of one word (the exact key, else the stemmed one, else,
        unless written in capitals, its first lemma's: see :meth:`_lemma`; None if none)."""
        exact, stemmed, longest = table
        exact_heads, stem_heads = self._entry_heads(src, table)
        norm = analyzer.normalize(word)
        stem = analyzer.term(word) or norm
        most = (
            longest  # (a word holding a space: its key's first word is not the word)
            if " " in norm or " " in stem
            else max(exact_heads.get(norm, 1), stem_heads.get(stem, 1))
        )
        single = exact.get(norm) or stemmed.get(stem)
        if not single and not word.isupper():
            single = self._lemma(norm, src, exact)
        info = memo[word] = (norm, stem, most, single or None)
        return info

    def _entry_heads(self, src: str, table: _Table) -> tuple[Mapping[str, int], Mapping[str, int]]:
        """Per first word of the multi-word keys of ``table`` (exact, stemmed), the most words
        a key starting with it has (counted by its spaces): a run of words whose first word is
        not there is no entry longer than one word (built once per direction's tables)."""
        cached = self._heads.get(src)
        if cached is not None and cached[0] is table:
            return cached[1], cached[2]
        heads: list[Mapping[str, int]] = [
            # (a LazyTable's found per word in its text: iterating it would parse every row)
            keys.heads() if isinstance(keys, LazyTable) else key_heads(keys)
            for keys in table[:2]
        ]
        self._heads[src] = (table, heads[0], heads[1])
        return heads[0], heads[1]

    @staticmethod
    def _check(src: str) -> None:
        if src not in _OTHER:
            raise AnalysisError(f"unknown language {src!r}; expected 'en' or 'es'")

    @staticmethod
    def _exact_key(phrase: str, src: str) -> _Key:
        analyzer = get_analyzer(src)
        return " ".join(analyzer.normalize(w) for w in TOKEN_RE.findall(phrase))

    @staticmethod
    def _stem_key(phrase: str, src: str) -> _Key:
        analyzer = get_analyzer(src)
        return " ".join(analyzer.term(w) or analyzer.normalize(w) for w in TOKEN_RE.findall(phrase))


@lru_cache(maxsize=65536)
def _spanish_lemmas(norm: str) -> tuple[str, ...]:
    """:func:`spanish_lemmas`, kept per word (a search looks its words up several times, and
    words repeat across searches)."""
    return tuple(spanish_lemmas(norm))


def _shipped_texts() -> list[tuple[str, str]]:
    return shipped_lexicon_texts()


def load_lexicon(extra_paths: Sequence[str | Path] = ()) -> Lexicon:
    """The shipped lexicon, plus the pairs of ``extra_paths`` (same TSV format). Cached."""
    return _load(tuple(str(p) for p in extra_paths))


@lru_cache(maxsize=8)
def _load(extra_paths: tuple[str, ...]) -> Lexicon:
    if not extra_paths and has_derived_tables(shipped_lexicon_digest()):
        # the shipped lexicon: its tables were built ahead of time (derived.py); its texts
        # read and parsed only if a lookup needs them
        return Lexicon.prebuilt(
            lambda: [pair for name, text in _shipped_texts() for pair in parse_lexicon(text, name)],
            derived_lexicon_table,
        )
    sources = _shipped_texts()
    lexicon = Lexicon()
    for path in extra_paths:
        try:
            sources.append((path, Path(path).read_text(encoding="utf-8")))
        except OSError as exc:
            raise AnalysisError(f"cannot read lexicon file {path}: {exc}") from exc
    for name, text in sources:
        for english, spanish in parse_lexicon(text, name):
            lexicon.add(english, spanish)
    return lexicon
