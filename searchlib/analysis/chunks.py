"""The indexing fast path: texts as sequences of chunk ids, expanded to terms with numpy.

No token contains whitespace, so a text is its whitespace-separated chunks (``said,``,
``(Reuters)``, ``anti-drug``). A :class:`ChunkTable` gives each distinct chunk an integer id and
remembers its analysis once: how many words it holds (stop words included, they keep their
position) and which of them are terms, as term ids and word offsets in flat arrays.

A batch of texts is then analysed without a Python-level step per token
(:meth:`ChunkTable.scan`): the texts are encoded once, chunk boundaries come from a byte mask
(every ASCII character no token contains: whitespace, NUL, hyphens, brackets, quotes...), and
every chunk of at most 16 bytes is its own exact key, two
little-endian 64-bit words read at its start and masked to its length. Keys are looked up in an
open-addressing hash table held in numpy arrays, comparing whole keys, so equal keys mean equal
chunks (no hash collision can mix two chunks). Longer chunks and chunks not seen before go
through the Python dict of chunk strings. Turning chunk ids into (term, document, position)
triples is a handful of numpy operations (:meth:`ChunkTable.expand`).

Where chunks are cut changes nothing as long as no token contains the cutting character: the
words of a text are the words of its chunks in order, and so are their positions. Non-ASCII
spaces stay inside chunks (the tokenizer skips them there). Commas, dots and apostrophes that
no token can hold, judged from their neighbours (``said,`` ``dogs'``), cut chunks too, and
ASCII letters are lowercased before the lookup (no analysis step depends on their case), so
``Said,`` and ``said`` are one chunk, learned once.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from itertools import chain, compress, filterfalse, repeat
from operator import is_, itemgetter, ne

import attrs
import numpy as np

from searchlib.analysis.tokenizer import TOKEN_RE

__all__ = ["ChunkTable", "Expanded", "Scan"]

SHORT_CHUNK = 16
"""Chunks of at most this many UTF-8 bytes are looked up by their bytes as a numpy key."""

_IN_TOKENS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_',."
_SEPARATOR = np.zeros(256, dtype=bool)
_SEPARATOR[[b for b in range(128) if b not in _IN_TOKENS]] = True
"""Bytes that split chunks: every ASCII character no token can contain (NUL, whitespace,
hyphens, brackets, quotes...); letters, digits, ``_``, ``'``, ``,`` and ``.`` can be inside a
token (``O'Brien``, ``2,000``, ``U.S.``), and non-ASCII bytes belong to the character around
them."""
_PUNCTUATION = np.zeros(256, dtype=bool)
_PUNCTUATION[list(b",.'")] = True
_CLASSES = bytes(2 if _PUNCTUATION[i] else 1 if _SEPARATOR[i] else 0 for i in range(256))
"""``bytes.translate`` table of each byte's class: 1 a separator, 2 a comma, dot or apostrophe
(cut or not by its neighbours), 0 a byte a token may hold. Translating the text and comparing
the classes is a fraction of the time of looking every byte up in the boolean tables."""
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[list(b"0123456789")] = True
_ALNUM = _DIGIT.copy()
_ALNUM[list(b"abcdefghijklmnopqrstuvwxyz")] = True  # bytes are lowercased first
_WORDLIKE = _ALNUM.copy()
_WORDLIKE[[ord("_"), *range(128, 256)]] = True  # non-ASCII bytes may belong to a letter
_LETTERLIKE = _WORDLIKE & ~_DIGIT
_LETTERLIKE[ord("_")] = False
_DIGITLIKE = _DIGIT.copy()
_DIGITLIKE[128:] = True  # non-ASCII bytes may belong to a digit (٣,٤ is one number)
_WORD, _DIGIT_BIT, _LETTER, _ALNUM_BIT = 1, 2, 4, 8
_TRAITS = (
    _WORDLIKE * _WORD + _DIGITLIKE * _DIGIT_BIT + _LETTERLIKE * _LETTER + _ALNUM * _ALNUM_BIT
).astype(np.uint8)
"""Each byte's traits as bits (one gather for all four tables)."""
_KEPT_BETWEEN = np.zeros(256, dtype=np.uint8)
_KEPT_BETWEEN[ord("'")] = _WORD  # an apostrophe between two word characters
_KEPT_BETWEEN[[ord(","), ord(".")]] = _DIGIT_BIT  # a comma or dot between two digits
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_MIX1 = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xC2B2AE3D27D4EB4F)
_MIN_SLOTS = 1 << 16


def _hash(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    h: np.ndarray = (lo * _MIX1) ^ (hi * _MIX2)
    h ^= h >> np.uint64(29)
    return h


def _first_slot(h: np.ndarray, size: int) -> np.ndarray:
    """The slot where a key of hash ``h`` is looked for first in a table of ``size`` (a
    power of two) slots: the top bits of the hash, which depend on every byte of the key. (The
    low bits of a product depend only on the multiplicand's low bits: slots from them put
    every chunk that shares its first six bytes, ``nation``, ``national``, ``nationwide``,
    in one run of slots, hundreds of probes long.)"""
    pos: np.ndarray = (h >> np.uint64(65 - size.bit_length())).view(np.int64)
    return pos


def short_key(chunk: str) -> tuple[int, int]:
    """The exact numpy key of a chunk: its UTF-8 bytes as two little-endian words, or (0, 0)
    when it is longer than :data:`SHORT_CHUNK` bytes or holds a NUL (never keyed)."""
    data = chunk.encode("utf-8", "surrogatepass")
    if len(data) > SHORT_CHUNK or b"\0" in data:
        return 0, 0
    data = data.ljust(SHORT_CHUNK, b"\0")
    return int.from_bytes(data[:8], "little"), int.from_bytes(data[8:], "little")


def _outside_tokens(
    b: np.ndarray, p: np.ndarray | None = None, padded: np.ndarray | None = None
) -> np.ndarray:
    """Offsets of the commas, dots and apostrophes of the (lowercased) bytes ``b`` that no
    token can contain, judged from their neighbours: a comma not between two digits
    (``said,``; a non-ASCII byte may be part of a digit: ``٣,٤`` is one number), an
    apostrophe not between two word characters (``dogs'``), a dot neither between two
    digits nor possibly ending an acronym (``said.``, not ``U.S.``: a dot after a
    letter is kept unless the three bytes before it are ASCII letters or digits, as the last
    group of an acronym has at most two letters after a dot). Cutting chunks there too makes
    ``Said,`` the chunk ``said``: a third fewer distinct chunks to learn. ``p``: the offsets
    of the commas, dots and apostrophes of ``b`` when the caller has them; ``padded``: ``b``
    followed by three NUL bytes or more when the caller has it (the neighbours are read
    there, an offset of -1 to -3 reading the last NULs as the ones before the first byte),
    else a padded copy is made."""
    if p is None:
        p = np.flatnonzero(_PUNCTUATION[b])
    if not p.size:
        return p
    shift = 0
    if padded is None:
        padded = np.zeros(b.size + 4, dtype=np.uint8)  # three NULs before b, one after
        padded[3:-1] = b
        shift = 3
    c = b[p]
    before = _TRAITS[padded[p + (shift - 1)]]
    after = _TRAITS[padded[p + (shift + 1)]]
    # Kept: an apostrophe between two word characters, a comma or dot between two digits...
    keep = (before & after & _KEPT_BETWEEN[c]) != 0
    # ...and a dot after a letter unless the three bytes before it are letters or digits.
    dots = np.flatnonzero((c == ord(".")) & ((before & _LETTER) != 0) & ~keep)
    q = p[dots] + shift
    alnum3 = before[dots] & _TRAITS[padded[q - 2]] & _TRAITS[padded[q - 3]] & _ALNUM_BIT
    keep[dots[alnum3 == 0]] = True
    outside: np.ndarray = p[~keep]
    return outside


def _first_of_equal(values: np.ndarray) -> np.ndarray:
    """For each value, the index of the first value equal to it: ``first[inverse]`` of
    ``np.unique(values, return_index=True, return_inverse=True)``, from an unstable sort
    (three times faster than the stable one np.unique needs for first indices) and the
    smallest index of each run of equal values."""
    order = np.argsort(values)
    ordered = values[order]
    starts = np.empty(values.size, dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    firsts = np.minimum.reduceat(order, np.flatnonzero(starts)) if values.size else order
    rep = np.empty(values.size, dtype=np.int64)
    rep[order] = firsts[np.cumsum(starts) - 1]
    return rep


def _decode_chunks(b: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> list[str]:
    """The chunks ``b[starts[i] : starts[i] + lens[i]]`` as strings (``b`` holds at least a
    byte past each chunk): gathered with numpy into
    one buffer, a NUL after each, decoded once and split at the NULs (a chunk holds no NUL,
    and its ends are ASCII separators, so decoding it alone gives the same string), not
    sliced and decoded one at a time."""
    if not starts.size:
        return []
    step = lens + 1
    first = np.cumsum(step) - step  # where each chunk starts in the gathered buffer
    idx = np.repeat(starts - first, step) + np.arange(int(first[-1] + step[-1]))
    gathered = b[idx]
    gathered[first + lens] = 0
    return gathered.tobytes().decode("utf-8", "surrogatepass").split("\0")[:-1]


@attrs.frozen(slots=True)
class Scan:
    """Texts cut into chunks and looked up (:meth:`ChunkTable.scan`).

    ``ids`` holds each chunk's id, -1 where the chunk is new; ``missing`` the distinct new
    chunks, ``key_lo``/``key_hi`` their :func:`short_key`; ``ids[pending[i]]`` is the chunk
    ``missing[slots[i]]``."""

    ids: np.ndarray  # int64
    counts: np.ndarray  # int64, chunks per text
    missing: list[str]
    key_lo: np.ndarray  # uint64
    key_hi: np.ndarray  # uint64
    pending: np.ndarray  # int64
    slots: np.ndarray  # int64

    def fill(self, new_ids: range) -> np.ndarray:
        """``ids`` with the ids given to the ``missing`` chunks (consecutive) filled in."""
        ids = self.ids
        if self.missing:
            ids[self.pending] = new_ids.start + self.slots
        return ids


@attrs.frozen(slots=True)
class Expanded:
    """One batch of texts expanded to terms: parallel arrays in text order, positions ascending
    within each text, plus the term count of every text and the words that occur."""

    term_ids: np.ndarray  # int64, ids into ChunkTable.terms
    word_ids: np.ndarray  # int64, ids into ChunkTable.words (0: the word is its own term) of the
    # words of the batch's terms, each at least once (not parallel: which words occur)
    positions: np.ndarray  # uint32, word position in its text (stop words counted)
    lengths: np.ndarray  # int64, number of terms of each text

    @property
    def texts(self) -> np.ndarray:
        """int64, index of the text each term comes from, made on each read (an ``np.repeat``
        over the batch's terms: read it once). Indexing most fields repeats the document
        numbers by ``lengths`` instead; a field with a huge text, analysed a piece at a time
        (:func:`searchlib.index.builder._build_in_pieces`), reads it to place each piece's
        terms."""
        return np.repeat(np.arange(self.lengths.size), self.lengths)


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
        "_indexed",
        "_slots",
        "first",
        "key_hi",
        "key_lo",
        "long_ids",
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
        self.long_ids: dict[str, int] = {}  # chunks without a short key, by their string
        self.key_lo = array("Q")  # exact byte keys of short chunks, (0, 0) for others
        self.key_hi = array("Q")
        self._slots = np.full(_MIN_SLOTS, -1, dtype=np.int64)  # chunk id by hash; -1 = empty
        self._indexed = 0  # chunk ids below this are in _slots
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

    def learn(
        self,
        chunks: list[str],
        key_lo: np.ndarray,
        key_hi: np.ndarray,
        cache: dict[str, tuple[str, str]],
        analyse: Callable[[list[str]], list[tuple[str, str]]],
    ) -> range:
        """Analyse and record distinct new ``chunks`` (with their :func:`short_key` as two
        uint64 arrays); their ids. A word's (term, normalized word) is ``cache.get(word)``,
        or for the distinct words not in the cache, their entry in ``analyse(words)``; the
        term is "" for a stop word."""
        start = len(self.nwords)
        findall = TOKEN_RE.findall
        # The words of every chunk, flat, each looked up at C speed: only the words not in
        # the cache run the analysis (each once: the first analysis caches it).
        # A chunk of letters and digits only is one word (see TOKEN_RE: a number is a token
        # only when no letter follows it, and then the word pattern takes the whole chunk).
        per_chunk = [(chunk,) if chunk.isalnum() else findall(chunk) for chunk in chunks]
        nwords = np.fromiter(map(len, per_chunk), dtype=np.int64, count=len(per_chunk))
        words = list(chain.from_iterable(per_chunk))
        get = cache.get
        entries = list(map(get, words))
        if None in entries:  # the words not cached, analysed together, each once
            new = list(dict.fromkeys(compress(words, map(is_, entries, repeat(None)))))
            if len(new) == len(words):  # (every word new and distinct)
                entries = analyse(words)  # type: ignore[assignment]  # (no None)
            else:  # the analysis caches the new words: every word's entry is in the cache
                found = analyse(new)
                cached = list(map(get, words))
                if None in cached:  # (unless the cache was emptied when full: then each
                    # cached word keeps its entry and a new one takes its analysis)
                    cached = list(map(dict(zip(new, found, strict=True)).get, words, entries))
                entries = cached
        every = list(map(itemgetter(0), entries))  # type: ignore[arg-type]  # no None left
        is_term = np.fromiter(map(bool, every), dtype=bool, count=len(every))
        kept = list(compress(every, every))  # the terms (stop words are "")
        norms = list(compress(map(itemgetter(1), entries), every))  # type: ignore[arg-type]
        term_ids, terms = self.term_ids, self.terms
        # New terms get the next ids, in order of first occurrence.
        new_terms = list(filterfalse(term_ids.__contains__, dict.fromkeys(kept)))
        term_ids.update(zip(new_terms, range(len(terms), len(terms) + len(new_terms)), strict=True))
        terms.extend(new_terms)
        term_of = list(map(term_ids.__getitem__, kept))
        # A term's word: 0 when the normalized word is its own term, else its pair's id (new
        # pairs in order of first occurrence). A normalized word has one term, so one that
        # is its own term is never a pair's: word_ids.get(norm, 0) is its word.
        word_ids, stemmed = self.word_ids, self.words
        pairs = dict(compress(zip(norms, kept, strict=True), map(ne, norms, kept)))
        for norm in list(filter(word_ids.__contains__, pairs)):
            del pairs[norm]
        word_ids.update(zip(pairs, range(len(stemmed), len(stemmed) + len(pairs)), strict=True))
        stemmed.extend(pairs.items())
        word_of = list(map(word_ids.get, norms, repeat(0)))
        # Each word's offset inside its chunk, each chunk's terms and where they start.
        word_first = np.cumsum(nwords) - nwords
        offset = (np.arange(len(words)) - np.repeat(word_first, nwords))[is_term]
        chunk_of = np.repeat(np.arange(len(chunks)), nwords)[is_term]
        nterms = np.bincount(chunk_of, minlength=len(chunks))
        first = len(self.term_of) + np.cumsum(nterms) - nterms
        ids = range(start, start + len(chunks))
        self.long_ids.update((chunks[i], start + i) for i in np.flatnonzero(key_lo == 0).tolist())
        self.key_lo.frombytes(np.ascontiguousarray(key_lo, dtype="=u8").tobytes())
        self.key_hi.frombytes(np.ascontiguousarray(key_hi, dtype="=u8").tobytes())
        self.nwords.frombytes(nwords.astype(np.uint32).tobytes())
        self.nterms.frombytes(nterms.astype(np.uint32).tobytes())
        self.first.frombytes(first.astype(np.uint32).tobytes())
        self.term_of.extend(term_of)
        self.offset.frombytes(offset.astype(np.uint32).tobytes())
        self.word_of.extend(word_of)
        return ids

    def scan(self, texts: list[str]) -> Scan:
        """Cut ``texts`` into chunks and look every chunk up (see the module docstring)."""
        # Each text encoded alone (an ASCII text is copied as it is; joined first, one
        # accented letter anywhere made the whole batch a wide string to encode).
        parts = [
            (t.replace("\0", " ") if "\0" in t else t).encode("utf-8", "surrogatepass")
            for t in texts
        ]
        data = b"\0".join(parts).lower()  # ASCII letters only
        n = len(data)
        buf = data + bytes(2 * SHORT_CHUNK)
        whole = np.frombuffer(buf, dtype=np.uint8)  # the bytes and 2 * SHORT_CHUNK NULs
        b = whole[:n]
        classes = np.frombuffer(data.translate(_CLASSES), dtype=np.uint8)
        # separator[i + 1]: whether byte i splits chunks, with a separator before the first
        # byte and after the last.
        separator = np.empty(n + 2, dtype=bool)
        separator[0] = separator[-1] = True
        np.equal(classes, 1, out=separator[1:-1])
        separator[_outside_tokens(b, np.flatnonzero(classes == 2), whole) + 1] = True
        # Chunk edges alternate, a start then an end: where a separator byte and a token byte
        # meet (the first byte and the end count when they are a token's).
        edges = np.flatnonzero(separator[1:] != separator[:-1])
        starts = edges[0::2]
        ends = edges[1::2]
        # Chunks per text: the starts before each NUL that joins two texts (where the texts'
        # lengths put them), differenced.
        sizes = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        before = np.searchsorted(starts, np.cumsum(sizes + 1)[:-1] - 1)
        counts = np.diff(before, prepend=0, append=starts.size).astype(np.int64)
        # Every byte offset as the start of an unaligned little-endian 64-bit word.
        words = np.ndarray((n + SHORT_CHUNK + 1,), dtype="<u8", buffer=buf, strides=(1,))
        lens = ends - starts
        short = lens <= SHORT_CHUNK
        lo = words[starts] & _LOW_BYTES[np.minimum(lens, 8)]
        hi = np.zeros(lo.size, dtype=np.uint64)
        past8 = np.flatnonzero(lens > 8)  # (a minority: the others' second word is 0)
        hi[past8] = words[starts[past8] + 8] & _LOW_BYTES[np.minimum(lens[past8] - 8, 8)]
        long = np.flatnonzero(~short)  # (a few: their key is (0, 0), found by string)
        lo[long] = 0
        hi[long] = 0
        h = _hash(lo, hi)
        ids = self._find(h, lo, hi)
        ids[long] = -1
        # Chunks not found: new short ones once per distinct key, long ones by their string.
        missing: list[str] = []
        key_lo = key_hi = np.zeros(0, dtype=np.uint64)
        pending = np.zeros(0, dtype=np.int64)
        slot_of = np.zeros(0, dtype=np.int64)
        unknown = np.flatnonzero(ids < 0)
        if unknown.size:
            rep = _first_of_equal(h[unknown])  # the first unknown chunk with the same hash
            own = rep == np.arange(unknown.size)
            u_lo, u_hi = lo[unknown], hi[unknown]
            odd = ~short[unknown] | (u_lo != u_lo[rep]) | (u_hi != u_hi[rep])
            slot_of = np.full(unknown.size, -1, dtype=np.int64)
            # Short keys not in the table are new chunks, one per distinct key.
            new = np.flatnonzero(own & ~odd)
            at = unknown[new]
            missing = _decode_chunks(whole, starts[at], lens[at])
            odd_keys: list[tuple[int, int]] = []
            slot_of[new] = np.arange(new.size)
            # Long chunks and hash collisions: by their string.
            missing_of: dict[str, int] = {}
            known = self.long_ids
            odd_k = np.flatnonzero(odd)
            at = unknown[odd_k]
            for k, i, s, e in zip(
                odd_k.tolist(), at.tolist(), starts[at].tolist(), ends[at].tolist(), strict=True
            ):
                chunk = data[s:e].decode("utf-8", "surrogatepass")
                cid = known.get(chunk)
                if cid is not None:
                    ids[i] = cid
                    continue
                slot = missing_of.get(chunk)
                if slot is None:
                    slot = missing_of[chunk] = len(missing)
                    missing.append(chunk)
                    odd_keys.append(short_key(chunk))
                slot_of[k] = slot
            key_lo = np.concatenate([u_lo[new], np.array([k[0] for k in odd_keys], np.uint64)])
            key_hi = np.concatenate([u_hi[new], np.array([k[1] for k in odd_keys], np.uint64)])
            copy = np.flatnonzero(~odd & ~own)  # the same chunk as their representative
            slot_of[copy] = slot_of[rep[copy]]
            waiting = slot_of >= 0
            pending = unknown[waiting]
            slot_of = slot_of[waiting]
        return Scan(ids, counts, missing, key_lo, key_hi, pending, slot_of)

    def _find(self, h: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Chunk ids of the keys (lo, hi), -1 for keys not in the table."""
        self._index_new()
        slots = self._slots
        mask = np.uint64(slots.size - 1)
        if not len(self.key_lo):
            return np.full(h.size, -1, dtype=np.int64)
        # The table's keys and one more, (0, 0) at index -1: what an empty slot (id -1)
        # compares against. No lookup key of a short chunk is (0, 0) (its first byte is not
        # NUL), and a long chunk's id is set to -1 by the caller whatever it finds.
        key_lo = np.zeros(len(self.key_lo) + 1, dtype=np.uint64)  # no view left behind
        key_lo[:-1] = np.frombuffer(self.key_lo, dtype=np.uint64)
        key_hi = np.zeros(len(self.key_hi) + 1, dtype=np.uint64)
        key_hi[:-1] = np.frombuffer(self.key_hi, dtype=np.uint64)
        pos = _first_slot(h, slots.size)
        # The first probe of every key, without gathering through ``todo`` (most keys are
        # settled here: the table is at most half full).
        cid = slots[pos]
        hit = key_lo[cid] == lo
        hit &= key_hi[cid] == hi
        ids: np.ndarray = np.where(hit, cid, -1)
        todo = np.flatnonzero(ids != cid)  # a key other than the one looked up
        pos = (pos[todo] + 1) & int(mask)
        while todo.size:
            cid = slots[pos]
            hit = (key_lo[cid] == lo[todo]) & (key_hi[cid] == hi[todo])
            ids[todo[hit]] = cid[hit]  # an empty slot's "hit" writes the -1 already there
            again = (cid >= 0) & ~hit
            todo = todo[again]
            pos = (pos[again] + 1) & int(mask)
        return ids

    def _index_new(self) -> None:
        """Put the keyed chunks added since the last lookup into the hash slots."""
        n = len(self.nwords)
        if self._indexed == n:
            return
        if 2 * n > self._slots.size:  # keep the load under one half: rebuild larger
            size = self._slots.size
            while 2 * n > size:
                size *= 4
            self._slots = np.full(size, -1, dtype=np.int64)
            self._indexed = 0
        new = np.arange(self._indexed, n)
        # The new chunks' keys, copied (no view of the growing arrays left behind).
        key_lo = np.frombuffer(self.key_lo, dtype=np.uint64)[new]
        key_hi = np.frombuffer(self.key_hi, dtype=np.uint64)[new]
        keyed = key_lo != 0
        new = new[keyed]
        slots = self._slots
        mask = slots.size - 1
        pos = _first_slot(_hash(key_lo[keyed], key_hi[keyed]), slots.size)
        while new.size:
            # Each free slot takes one of the chunks that want it (whichever the assignment
            # leaves there); the others try the next slot.
            free = np.flatnonzero(slots[pos] < 0)
            slots[pos[free]] = new[free]
            rest = np.ones(new.size, dtype=bool)
            rest[free[slots[pos[free]] == new[free]]] = False
            new = new[rest]
            pos = (pos[rest] + 1) & mask
        self._indexed = n

    def chunk_terms(self, cid: int) -> list[tuple[int, str]]:
        """The (word offset, term) pairs of chunk ``cid``."""
        f = self.first[cid]
        return [
            (self.offset[j], self.terms[self.term_of[j]]) for j in range(f, f + self.nterms[cid])
        ]

    def expand(self, chunk_ids: np.ndarray, counts: np.ndarray) -> Expanded:
        """Terms and positions of texts given back to back as ``chunk_ids``, ``counts[i]``
        chunks for text i.

        Per-chunk and per-term arrays are 32-bit where their values fit (every batch short
        of four billion words): half the memory traffic of the gathers, the bulk of the work.
        Nearly every chunk holds at most one term (a chunk is one word unless it holds
        non-ASCII punctuation or an apostrophe: ``a—b``): the chunks with terms give one
        term each by a gather, and the few further terms of chunks with several are
        inserted after their chunk's first (``np.insert``, not a repeat over every chunk).
        ``word_ids`` comes from the distinct chunks, not one gather per term."""
        c = np.asarray(chunk_ids, dtype=np.int64)
        counts = np.asarray(counts, dtype=np.int64)
        n = len(self.nwords)
        nwords = np.frombuffer(self.nwords, dtype=np.uint32, count=n)
        nterms = np.frombuffer(self.nterms, dtype=np.uint32, count=n)
        first = np.frombuffer(self.first, dtype=np.uint32, count=n)
        m = len(self.term_of)
        term_of = np.frombuffer(self.term_of, dtype=np.uint32, count=m)
        offset = np.frombuffer(self.offset, dtype=np.uint32, count=m)
        word_of = np.frombuffer(self.word_of, dtype=np.uint32, count=m)
        k = nterms[c]
        w = nwords[c]
        wide = int(w.sum(dtype=np.int64)) >= 1 << 32
        word = np.int64 if wide else np.uint32
        # Words before each chunk (a running sum over the batch).
        before = np.cumsum(w, dtype=word)
        before -= w
        # The chunks with terms, and how many of them each text holds.
        has = np.flatnonzero(k != 0)  # (a bool mask: five times faster than k)
        ks = k[has]
        at_text = np.zeros(counts.size + 1, dtype=np.int64)  # each text's first chunk
        np.cumsum(counts, out=at_text[1:])
        has_per_text = np.diff(np.searchsorted(has, at_text))
        # Each term's entry in term_of/offset and the words before its chunk in its own text:
        # the first term of every chunk that has terms, then the others of the chunks with
        # several.
        flat = first[c[has]]
        positions = before[has]
        if before.size:  # (a text without such chunks repeats nothing: any index does)
            positions -= np.repeat(before[np.minimum(at_text[:-1], before.size - 1)], has_per_text)
        lengths = has_per_text
        multi = np.flatnonzero(ks > 1)
        if multi.size:
            extra = ks[multi].astype(np.int64) - 1
            at = np.repeat(multi + 1, extra)  # after the chunk's first term
            ranks = np.arange(1, int(extra.sum()) + 1) - np.repeat(np.cumsum(extra) - extra, extra)
            flat = np.insert(flat, at, np.repeat(flat[multi], extra) + ranks)
            positions = np.insert(positions, at, np.repeat(positions[multi], extra))
            # (the text of a chunk: the last text starting at or before it)
            np.add.at(lengths, np.searchsorted(at_text, has[multi], side="right") - 1, extra)
        positions += offset[flat]
        # The words that occur: those of the distinct chunks (a mask, not a sort).
        seen = np.zeros(n, dtype=bool)
        seen[c] = True
        present = np.flatnonzero(seen & (nterms > 0))
        pk = nterms[present].astype(np.int64)
        pends = np.cumsum(pk)
        pflat = np.repeat(first[present].astype(np.int64) - (pends - pk), pk) + np.arange(
            int(pends[-1]) if pk.size else 0
        )
        return Expanded(
            term_ids=term_of[flat].astype(np.int64),
            word_ids=word_of[pflat].astype(np.int64),
            positions=positions.astype(np.uint32, copy=False),
            lengths=lengths,
        )

    def stemmed_words(self, word_ids: np.ndarray) -> dict[str, str]:
        """Normalized word -> term for the stemmed words among ``word_ids`` (ids into
        ``words``, as in :attr:`Expanded.word_ids`)."""
        seen = np.zeros(len(self.words), dtype=bool)
        seen[word_ids] = True
        seen[0] = False
        return dict(map(self.words.__getitem__, np.flatnonzero(seen).tolist()))
