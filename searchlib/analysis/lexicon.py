"""The English<->Spanish lexicon used to expand a query into the other language.

Data: every ``data/lexicon_*.tsv`` file shipped with the package (about 4,650 pairs: crime,
drugs, justice, security, politics, economy, geography, countries and demonyms, frequent
general words of news and reference text), plus any files given to :func:`load_lexicon`.

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

from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

from searchlib.analysis.analyzers import get_analyzer
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.errors import AnalysisError

__all__ = ["Lexicon", "load_lexicon", "parse_lexicon"]

_OTHER = {"en": "es", "es": "en"}
_Key = tuple[str, ...]


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
        self._pairs: list[tuple[str, str]] = []
        self._tables: dict[str, tuple[dict[_Key, list[str]], dict[_Key, list[str]], int]] = {}
        for english, spanish in pairs:
            self.add(english, spanish)

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
        self._pairs.append((english, spanish))
        self._tables = {}

    def _table(self, src: str) -> tuple[dict[_Key, list[str]], dict[_Key, list[str]], int]:
        """The exact and stemmed lookup tables of ``src`` and its longest entry in words."""
        table = self._tables.get(src)
        if table is None:
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
                longest = max(longest, len(key))
            table = self._tables[src] = (exact, stemmed, longest)
        return table

    def lookup(self, phrase: str, src: str) -> list[str]:
        """Translations of exactly ``phrase`` (all its words), or [] when it is not an entry."""
        self._check(src)
        exact, stemmed, _ = self._table(src)
        found = exact.get(self._exact_key(phrase, src))
        if found is None:
            found = stemmed.get(self._stem_key(phrase, src))
        return list(found or ())

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
        norms = [analyzer.normalize(w) for w in words]
        stems = [analyzer.term(w) or n for w, n in zip(words, norms, strict=True)]
        exact, stemmed, longest = self._table(src)
        out: list[tuple[int, int, list[str]]] = []
        i = 0
        while i < len(words):
            for n in range(min(longest, len(words) - i), 0, -1):
                found = exact.get(tuple(norms[i : i + n])) or stemmed.get(tuple(stems[i : i + n]))
                if found:
                    out.append((i, i + n, list(found)))
                    i += n
                    break
            else:
                i += 1
        return out

    @staticmethod
    def _check(src: str) -> None:
        if src not in _OTHER:
            raise AnalysisError(f"unknown language {src!r}; expected 'en' or 'es'")

    @staticmethod
    def _exact_key(phrase: str, src: str) -> _Key:
        analyzer = get_analyzer(src)
        return tuple(analyzer.normalize(w) for w in TOKEN_RE.findall(phrase))

    @staticmethod
    def _stem_key(phrase: str, src: str) -> _Key:
        analyzer = get_analyzer(src)
        return tuple(analyzer.term(w) or analyzer.normalize(w) for w in TOKEN_RE.findall(phrase))


def _shipped_texts() -> list[tuple[str, str]]:
    data = resources.files("searchlib.analysis").joinpath("data")
    texts = []
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("lexicon_") and entry.name.endswith(".tsv"):
            texts.append((entry.name, entry.read_text(encoding="utf-8")))
    return texts


def load_lexicon(extra_paths: Sequence[str | Path] = ()) -> Lexicon:
    """The shipped lexicon, plus the pairs of ``extra_paths`` (same TSV format). Cached."""
    return _load(tuple(str(p) for p in extra_paths))


@lru_cache(maxsize=8)
def _load(extra_paths: tuple[str, ...]) -> Lexicon:
    lexicon = Lexicon()
    sources = _shipped_texts()
    for path in extra_paths:
        try:
            sources.append((path, Path(path).read_text(encoding="utf-8")))
        except OSError as exc:
            raise AnalysisError(f"cannot read lexicon file {path}: {exc}") from exc
    for name, text in sources:
        for english, spanish in parse_lexicon(text, name):
            lexicon.add(english, spanish)
    return lexicon
