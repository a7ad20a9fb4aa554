"""The indexing fast path: texts as sequences of chunk ids, expanded to terms with numpy.

No token contains whitespace, so a text is its whitespace-separated chunks (``said,``,
``(Reuters)``, ``anti-drug``). A :class:`ChunkTable` gives each distinct chunk an integer id and
remembers its analysis once: how many words it holds (stop words included, they keep their
position) and which of them are terms, as term ids and word offsets in flat arrays. Analysing a
text for the index is then ``str.split`` plus one dict lookup per chunk, in C; turning a whole
segment's chunk ids into (term, document, position) triples is a handful of numpy operations
(:meth:`ChunkTable.expand`), with no Python-level loop per token.
"""

from __future__ import annotations

from array import array

import attrs
import numpy as np

__all__ = ["ChunkTable", "Expanded"]


@attrs.frozen(slots=True)
class Expanded:
    """One batch of texts expanded to terms: parallel arrays in text order, positions ascending
    within each text, plus the term count of every text."""

    term_ids: np.ndarray  # int64, ids into ChunkTable.terms
    word_ids: np.ndarray  # int64, ids into ChunkTable.words (0: the word is its own term)
    texts: np.ndarray  # int64, index of the text each term comes from
    positions: np.ndarray  # uint32, word position in its text (stop words counted)
    lengths: np.ndarray  # int64, number of terms of each text


class ChunkTable:
    """Distinct chunks of one analyzer (language ``lang``), by id, with their terms (append-only).

    Per chunk id: ``nwords`` (words, stop words included), ``nterms`` (terms) and ``first``
    (where its terms start in ``term_of`` / ``offset``, which hold each term's id and its word
    offset inside the chunk). ``terms`` maps term ids to terms. ``words`` holds the stemmed
    words, (normalized word, term) pairs, and ``word_of`` each term's pair id (0 when the word
    is its own term), for the per-segment word lists that prefix, wildcard and fuzzy queries
    expand over.
    """

    __slots__ = (
        "first",
        "ids",
        "lang",
        "nterms",
        "nwords",
        "offset",
        "term_ids",
        "term_of",
        "terms",
        "word_ids",
        "word_of",
        "words",
    )

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.ids: dict[str, int] = {}
        self.nwords = array("I")
        self.nterms = array("I")
        self.first = array("I")
        self.term_of = array("I")
        self.offset = array("I")
        self.terms: list[str] = []
        self.term_ids: dict[str, int] = {}
        self.words: list[tuple[str, str]] = [("", "")]
        self.word_ids: dict[str, int] = {}
        self.word_of = array("I")

    def __len__(self) -> int:
        return len(self.nwords)

    def add(self, chunk: str, words: list[tuple[str, str]]) -> int:
        """Record ``chunk`` whose words analyse to ``words``, (term, normalized word) pairs
        (term "" for a stop word); its id."""
        cid = len(self.nwords)
        self.ids[chunk] = cid
        self.nwords.append(len(words))
        self.first.append(len(self.term_of))
        n = 0
        term_ids = self.term_ids
        for off, (term, norm) in enumerate(words):
            if term:
                tid = term_ids.get(term)
                if tid is None:
                    tid = term_ids[term] = len(self.terms)
                    self.terms.append(term)
                self.term_of.append(tid)
                self.offset.append(off)
                wid = 0
                if norm != term:
                    wid = self.word_ids.get(norm, 0)
                    if not wid:
                        wid = self.word_ids[norm] = len(self.words)
                        self.words.append((norm, term))
                self.word_of.append(wid)
                n += 1
        self.nterms.append(n)
        return cid

    def chunk_terms(self, cid: int) -> list[tuple[int, str]]:
        """The (word offset, term) pairs of chunk ``cid``."""
        f = self.first[cid]
        return [
            (self.offset[j], self.terms[self.term_of[j]]) for j in range(f, f + self.nterms[cid])
        ]

    def expand(self, chunk_ids: np.ndarray, counts: np.ndarray) -> Expanded:
        """Terms and positions of texts given back to back as ``chunk_ids``, ``counts[i]``
        chunks for text i."""
        c = np.asarray(chunk_ids, dtype=np.int64)
        counts = np.asarray(counts, dtype=np.int64)
        n = len(self.nwords)
        nwords = np.frombuffer(self.nwords, dtype=np.uint32, count=n).astype(np.int64)
        nterms = np.frombuffer(self.nterms, dtype=np.uint32, count=n).astype(np.int64)
        first = np.frombuffer(self.first, dtype=np.uint32, count=n).astype(np.int64)
        m = len(self.term_of)
        term_of = np.frombuffer(self.term_of, dtype=np.uint32, count=m).astype(np.int64)
        offset = np.frombuffer(self.offset, dtype=np.uint32, count=m).astype(np.int64)
        word_of = np.frombuffer(self.word_of, dtype=np.uint32, count=m).astype(np.int64)
        # Words before each chunk inside its own text: a running sum restarted per text.
        w = nwords[c]
        before = np.cumsum(w) - w
        text_first = np.cumsum(counts) - counts
        base = before - np.repeat(np.append(before, 0)[text_first], counts)
        k = nterms[c]
        rep = np.repeat(np.arange(c.size), k)
        within = np.arange(rep.size) - np.repeat(np.cumsum(k) - k, k)
        flat = first[c][rep] + within
        text_of_chunk = np.repeat(np.arange(counts.size), counts)
        return Expanded(
            term_ids=term_of[flat],
            word_ids=word_of[flat],
            texts=text_of_chunk[rep],
            positions=(base[rep] + offset[flat]).astype(np.uint32),
            lengths=np.bincount(text_of_chunk, weights=k, minlength=counts.size).astype(np.int64),
        )

    def stemmed_words(self, word_ids: np.ndarray) -> dict[str, str]:
        """Normalized word -> term for the stemmed words among ``word_ids`` (ids into
        ``words``, as in :attr:`Expanded.word_ids`)."""
        seen = np.zeros(len(self.words), dtype=bool)
        seen[word_ids] = True
        seen[0] = False
        return dict(map(self.words.__getitem__, np.flatnonzero(seen).tolist()))
