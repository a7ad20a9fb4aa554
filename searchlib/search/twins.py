"""Twin linking: which English and Spanish documents are translations of the same story.

A document's *twin* is its version in the other language. :func:`find_twins` returns a symmetric
map ``id -> twin id`` over the live documents of the index (related items excluded), each
document having one twin at most. The links are computed once per commit: ``Index.commit``
calls :func:`store_twins`, which saves them in ``twins_<generation>`` (the index's array-file
format: segment and document numbers of each link), and :func:`twins_for` loads that file (or,
when it is absent, damaged or of other segments, computes the links) once per reader snapshot,
so a query that folds twins costs a dictionary lookup per hit.

Links come from two sources, in this order:

1. **Metadata.** A stored ``meta`` field naming the other version (``twin``, ``twin_id``,
   ``translation``, ``translation_id``, ``translation_of``, ``translated_from``: an id or a URL;
   ``twin_url``, ``translation_url``, ``alternate``: a URL), a shared group key
   (``parallel_id``, ``translation_group``, ``twin_group``), or the same URL slug (the last path
   segment of ``url``, e.g. ``/news/brief/<slug>/`` and ``/es/noticias/<slug>/``) held by exactly
   one document of each language.
2. **Content**, for the documents metadata left unlinked. Candidates are documents of the other
   language with the same date when both have one; when either lacks a date, only documents of
   the same *origin* (:func:`origin_keys`: the site of the URL, the ``source`` named in the
   metadata, the folder of the file read, language folders and subdomains ignored) are
   candidates, since nothing else says two outlets ran one story. Documents with no possible
   candidate are never read. Each candidate becomes a bag of language-neutral
   *keys*, read from the index's postings (``title.*`` and ``body.*``), so building the vectors
   is numpy work plus one pass over each field's vocabulary:

   * ``t:`` concepts in English term space: an English term itself; a Spanish term's lexicon
     translations (:meth:`Lexicon.lookup` on the stem), stemmed by the English chain, else the
     Spanish term unchanged (names, acronyms and shared words such as ``coca``, ``vrae``);
   * ``c:`` cognates: the first :data:`COGNATE_PREFIX` letters of every term at least that long
     (``binari``/``binario``, ``humala``/``humal``, ``comput``/``computacional``);
   * ``#:`` numbers, canonical in both chains (``1,000`` = ``1.000`` = ``1000``);
   * ``n:`` names and acronyms from the stored text (first :data:`NAME_CHARS` characters of the
     body): capitalised words not at a sentence start and all-capital words, accents folded and
     lowercased.

   Keys are weighted ``(1 + log tf) * idf`` (numbers and names x :data:`ANCHOR_BOOST`) and a pair
   scores the cosine of its two vectors. Dot products are a vectorised sparse join over the keys
   both languages share (keys are combined with the date for two dated documents and with the
   origin otherwise, so only pairs that may link meet): for each shared key, every (English,
   Spanish) pair holding it, accumulated with ``np.unique`` + ``np.bincount``. The work is
   capped at :data:`PAIR_BUDGET` contributions by dropping the most widespread shared keys
   first (they carry the least weight). The candidates are scored in batches of whole days
   (and of whole origins where an undated document may pair) sized by the memory budget
   (:func:`batch_rows`), the keys' document frequencies counted over all of them first, so the
   pairs and their scores are those of one batch while the memory follows the batch.
   Pairs scoring at least their threshold (:data:`THRESHOLD` for a same-day pair of one
   origin, the higher :data:`UNDATED_THRESHOLD` and :data:`CROSS_SOURCE_THRESHOLD` when a date
   or a shared origin is missing) are assigned by rounds of mutual best match (a pair
   is accepted when each side is the other's best remaining candidate; accepted documents leave
   the pool and the next round runs), a greedy stand-in for the Hungarian assignment.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from searchlib._json import loads
from searchlib._types import LANGS
from searchlib.analysis import fold_accents, get_analyzer, load_lexicon
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.errors import AfterCommitError, CorruptIndexError, SearchlibError
from searchlib.index.budget import MemoryBudget
from searchlib.schema import COLUMN_TABLES, LANG_COLUMN, TWIN_FIELDS, field_name
from searchlib.seam import NO_DATE, IndexSource, SegmentSource
from searchlib.search.arrays import unique, unique_pairs
from searchlib.search.cache import snapshot_cache
from searchlib.storage import Directory, decode_array_file, encode_array_file

__all__ = [
    "ANCHOR_BOOST",
    "COGNATE_PREFIX",
    "NAME_CHARS",
    "PAIR_BUDGET",
    "CROSS_SOURCE_THRESHOLD",
    "THRESHOLD",
    "UNDATED_THRESHOLD",
    "find_twins",
    "links_name",
    "store_twins",
    "store_twins_of_commit",
    "TwinHints",
    "twin_hints",
    "batch_rows",
    "twin_partners",
    "twins_for",
]

THRESHOLD = 0.15
"""Lowest cosine a content pair of the same day and origin needs to be linked. On XQuAD the true
pairs score 0.15-0.95 and pairs of paragraphs from different articles at most 0.13 (99th
percentile 0.04)."""

UNDATED_THRESHOLD = 0.2
"""Lowest cosine when either document is undated: no date narrows the candidates, so chance
overlaps are more frequent."""

CROSS_SOURCE_THRESHOLD = 0.25
"""Lowest cosine for a same-day pair from two different origins (sites, named sources or
collections); an undated pair of two origins is never linked by content."""

ANCHOR_BOOST = 1.5
"""Weight of numbers, names and acronyms relative to concept and cognate keys."""

COGNATE_PREFIX = 5
"""Terms this long or longer also give a key made of their first letters."""

NAME_CHARS = 500
"""Characters of the body scanned for capitalised names."""

PAIR_BUDGET = 6_000_000
"""Most (English doc, Spanish doc, shared key) contributions one join may generate."""

MAX_ROUNDS = 20
"""Rounds of mutual best match."""

JOIN_BATCH = 1_000_000
"""Contributions a join builds at once (about 80 MB of arrays): larger joins run in batches of
keys, so their memory does not grow with the pair budget."""

VECTOR_BATCH = 2_000_000
"""(row, key) entries the vector pass holds before adding up their repeats (each segment's
postings are read field by field and summed as they grow), so its memory follows the rows'
distinct keys rather than every posting's keys."""

ROW_COST = 32_000
"""Bytes of memory per candidate scored at once: its (row, key, tf) entries (about 250 for a
brief of 150-400 words) and the sorts and joins over them. Measured: the twin pass over 14,394
generated briefs of 150-400 words takes 27 KB a row of its batches plus 75 MB (the postings read,
the keys' strings)."""

_ID_KEYS = ("twin", "twin_id", "translation", "translation_id", "translation_of", "translated_from")
_URL_KEYS = ("twin_url", "translation_url", "alternate")
_GROUP_KEYS = ("parallel_id", "translation_group", "twin_group")

# A capitalised word after one space whose previous character does not end a sentence or open a
# quote: a name (or a capitalised noun) inside a sentence.
_NAME_RE = re.compile(r"(?<=[^\s.!?¿¡:;\"“”«»(\[—–-]) ([A-ZÀ-ÖØ-Þ][\w'’]*)")
_ACRONYM_RE = re.compile(r"\b[A-Z]{2,}\b")

# Second-level labels under a country code (``com.mx``, ``co.uk``, ``gob.pe``).
_SLD = frozenset({"ac", "co", "com", "edu", "gob", "gov", "net", "nom", "org"})
_LINE_RE = re.compile(r":\d+$")
_NO_URL_RE = re.compile(rb'"url":\s*null\s*,\s*"meta":')
_META_KEY_RE = re.compile(
    rb'"(' + b"|".join(k.encode() for k in _ID_KEYS + _URL_KEYS + _GROUP_KEYS) + rb')":'
)

_CACHE_LIMIT = 500_000
_term_keys: dict[tuple[str, str], tuple[str, ...]] = {}


def term_keys(lang: str, term: str) -> tuple[str, ...]:
    """The language-neutral keys of one index term of ``lang`` (see the module docstring)."""
    keys = _term_keys.get((lang, term))
    if keys is not None:
        return keys
    found: list[str] = []
    if term[:1].isdigit():
        found.append("#:" + term)
    else:
        if lang == "es":
            english = get_analyzer("en")
            for phrase in load_lexicon().lookup(term, "es"):
                for w in TOKEN_RE.findall(phrase):
                    t = english.term(w)
                    if t and "t:" + t not in found:
                        found.append("t:" + t)
        if not found:
            found.append("t:" + term)
        if len(term) >= COGNATE_PREFIX:
            found.append("c:" + term[:COGNATE_PREFIX])
    keys = tuple(found)
    if len(_term_keys) < _CACHE_LIMIT:
        _term_keys[(lang, term)] = keys
    return keys


def name_keys(title: str, body: str) -> list[str]:
    """``n:`` keys of the names and acronyms in the first :data:`NAME_CHARS` of ``body``."""
    text = body[:NAME_CHARS]
    names = _NAME_RE.findall(text) + _ACRONYM_RE.findall(f"{title}\n{text}")
    return ["n:" + fold_accents(n).lower() for n in names]


# -- metadata -------------------------------------------------------------------------------------


def _slug(url: Any) -> str | None:
    if not isinstance(url, str) or "/" not in url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    slug = path.rsplit("/", 1)[-1]
    return slug.lower() or None


def _metadata_pairs(all_docs: _Docs) -> list[tuple[int, int]]:
    """(i, j) links named by metadata: explicit references, then group keys, then URL slugs."""
    docs = dict(all_docs.metadata_rows())
    all_docs.done()
    by_id: dict[str, int] = {}
    if any(isinstance(d["meta"], dict) and d["meta"].keys() & _ID_KEYS for d in docs.values()):
        by_id = {all_docs.id(i): i for i in range(all_docs.seg.size)}
    by_url: dict[str, int] = {}
    by_slug: dict[tuple[str, str], list[int]] = {}
    groups: dict[tuple[str, str], dict[str, list[int]]] = {}
    for i, d in docs.items():
        url = d.get("url")
        if isinstance(url, str) and url:
            by_url[url.rstrip("/").lower()] = i
        slug = _slug(url)
        if slug:
            by_slug.setdefault((d["lang"], slug), []).append(i)
        meta = d.get("meta") or {}
        for key in _GROUP_KEYS:
            value = meta.get(key)
            if isinstance(value, (str, int)) and str(value):
                groups.setdefault((key, str(value)), {}).setdefault(d["lang"], []).append(i)
    pairs: list[tuple[int, int]] = []
    for i, d in docs.items():
        meta = d.get("meta") or {}
        for key in _ID_KEYS + _URL_KEYS:
            value = meta.get(key)
            if not isinstance(value, str) or not value:
                continue
            j = by_id.get(value) if key in _ID_KEYS else None
            if j is None:
                j = by_url.get(value.rstrip("/").lower())
            if j is not None:
                pairs.append((i, j))
    for group in groups.values():
        if len(group.get("en", ())) == 1 and len(group.get("es", ())) == 1:
            pairs.append((group["en"][0], group["es"][0]))
    for (lang, slug), members in by_slug.items():
        if lang == "en" and len(members) == 1:
            other = by_slug.get(("es", slug), [])
            if len(other) == 1:
                pairs.append((members[0], other[0]))
    return pairs


# -- content --------------------------------------------------------------------------------------


def _release(seg: object) -> None:
    """Let the mapped pages of a segment go, where it has any (:class:`SegmentReader`)."""
    release = getattr(seg, "release_pages", None)
    if release is not None:
        release()


@dataclass
class _Docs:
    """The eligible documents: live, not related items, English or Spanish. Their stored
    fields are read from the segments when needed, never all held at once."""

    seg: np.ndarray  # segment index
    num: np.ndarray  # doc number in the segment
    lang: np.ndarray  # 0 = en, 1 = es
    day: np.ndarray  # days since 1970, NO_DATE when unknown
    reader: IndexSource
    hints: dict[int, TwinHints]  # segment index -> what its documents' stored fields say
    _reading: int = -1  # the segment whose stored fields were read last

    def id(self, i: int) -> str:
        """The id of document ``i`` (decoded alone where the segment can: no segment's whole
        id table is held)."""
        seg = self.reader.segments[int(self.seg[i])]
        one = getattr(seg, "doc_id", None)
        return str(one(int(self.num[i]))) if one is not None else seg.ids[int(self.num[i])]

    def raw(self, i: int) -> bytes:
        """The stored JSON of document ``i``. Passes read in segment order: the pages of a
        segment are let go once the pass moves on to the next (:meth:`done`)."""
        seg = int(self.seg[i])
        if seg != self._reading:
            self.done()
            self._reading = seg
        return self.reader.segments[seg].stored_raw(int(self.num[i]))

    def raws(self, rows: list[int]) -> Iterator[bytes]:
        """:meth:`raw` of each of ``rows`` in turn, a run of rows of one segment read through
        its ``stored_raws`` where it has one (:class:`SegmentReader`: a block's offsets read
        once for its documents); pages let go as :meth:`raw` lets them go."""
        segs = self.seg[rows].tolist()
        nums = self.num[rows].tolist()
        for seg, run in groupby(range(len(rows)), key=segs.__getitem__):
            if seg != self._reading:
                self.done()
                self._reading = seg
            segment = self.reader.segments[seg]
            wanted = (nums[k] for k in run)
            bulk = getattr(segment, "stored_raws", None)
            yield from (bulk(wanted) if bulk is not None else map(segment.stored_raw, wanted))

    def done(self) -> None:
        """Let go of the pages of the segment read last."""
        if self._reading >= 0:
            _release(self.reader.segments[self._reading])
            self._reading = -1

    def stored(self, i: int, raw: bytes | None = None) -> dict[str, Any]:
        """The stored fields of document ``i`` (``raw``: its stored JSON, when read already)."""
        return _parse(self.raw(i) if raw is None else raw, lambda: self.id(i))

    def provenance(self, i: int, raw: bytes | None = None) -> dict[str, Any]:
        """The ``source``, ``url`` and ``meta`` of document ``i`` (:func:`_provenance`)."""
        return _provenance(self.raw(i) if raw is None else raw, lambda: self.id(i))

    def metadata(self, i: int, raw: bytes | None = None) -> dict[str, Any] | None:
        """The lang, url and meta of document ``i`` when it may name its twin
        (:func:`_metadata`)."""
        return _metadata(self.raw(i) if raw is None else raw, lambda: self.id(i))

    def origin_lists(self, rows: np.ndarray) -> tuple[np.ndarray, list[list[str]]]:
        """:meth:`origin_keys` of ``rows`` as a number per row into a list of distinct key
        lists (a hinted segment's numbers taken at once from its hints)."""
        codes = np.zeros(rows.size, dtype=np.int64)
        known: dict[tuple[str, ...], int] = {}
        segs = self.seg[rows]
        for si in unique(segs).tolist():
            at = np.flatnonzero(segs == si)
            hints = self.hints.get(si)
            if hints is not None:
                table = np.array(
                    [known.setdefault(tuple(k), len(known)) for k in hints.origins], dtype=np.int64
                )
                codes[at] = table[hints.origin_of[self.num[rows[at]]]]
            else:
                picked = rows[at].tolist()
                found = map(origin_keys, map(self.provenance, picked, self.raws(picked)))
                codes[at] = [known.setdefault(tuple(k), len(known)) for k in found]
        return codes, [list(k) for k in known]

    def metadata_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row, :meth:`metadata`) of every row that has one, in row order (a hinted
        segment's from its hints, without a look at the rows that have none)."""
        for si in unique(self.seg).tolist():
            at = np.flatnonzero(self.seg == si)  # ascending document numbers
            hints = self.hints.get(si)
            if hints is not None:
                nums = self.num[at]
                for n in sorted(hints.metas):
                    k = int(np.searchsorted(nums, n))
                    if k < nums.size and int(nums[k]) == n:
                        yield int(at[k]), hints.metas[n]
                continue
            picked = at.tolist()
            for i, found in zip(picked, map(self.metadata, picked, self.raws(picked)), strict=True):
                if found is not None:
                    yield i, found


Provenance = tuple[str, str | None, dict[str, Any]]
"""A document's ``source``, ``url`` and ``meta`` as its stored JSON reads back."""


class TwinHints:
    """What twin linking reads from the stored fields of each document of a segment: its
    :func:`_metadata` (kept for the documents that have one) and its :func:`origin_keys`
    (each distinct list once, a 4-byte number a document). Made by :func:`twin_hints`."""

    __slots__ = ("metas", "ndocs", "origin_of", "origins")

    def __init__(
        self,
        stored: Sequence[bytes],
        ids: Sequence[str],
        provenance: Sequence[Provenance | None] = (),
    ) -> None:
        self.ndocs = len(stored)
        self.metas: dict[int, dict[str, Any]] = {}
        self.origins: list[list[str]] = []
        known: dict[tuple[str, ...], int] = {}
        of = array("i", bytes(4 * len(stored)))
        given = len(provenance) == len(stored)
        # (url, named source) -> its origin keys and their number (-1 when there are none:
        # then the file's folder decides, document by document)
        memo: dict[tuple[str | None, str | None], tuple[list[str], int]] = {}
        no_metadata = _no_metadata
        for k, raw in enumerate(stored):
            told = provenance[k] if given else None
            if told is None or "://" in told[0]:
                doc_id = _namer(ids, k)
                keys = origin_keys(_provenance(raw, doc_id) if told is None else _doc(told))
                meta_hint = _metadata(raw, doc_id)
            else:
                _, url, meta = told
                named = meta.get("source")
                held = (url, named if type(named) is str else None)
                seen = memo.get(held)  # the URL's site and the named source's
                if seen is None:
                    keys = origin_keys(_doc(("", url, meta)))
                    seen = memo[held] = (keys, self._number(known, keys) if keys else -1)
                meta_hint = None if no_metadata(told) else _metadata(raw, _namer(ids, k))
                if seen[1] >= 0:
                    if meta_hint is not None:
                        self.metas[k] = meta_hint
                    of[k] = seen[1]
                    continue
                keys = origin_keys(_doc(told))  # none: the file's folder says where it's from
            if meta_hint is not None:
                self.metas[k] = meta_hint
            of[k] = self._number(known, keys)
        self.origin_of = np.frombuffer(of, dtype=np.int32)

    def _number(self, known: dict[tuple[str, ...], int], keys: list[str]) -> int:
        """The number of the origin keys ``keys`` among ``known`` (a new one: the next, and
        ``keys`` appended to :attr:`origins`)."""
        at = known.setdefault(tuple(keys), len(known))
        if at == len(self.origins):
            self.origins.append(keys)
        return at

    def __getstate__(self) -> tuple[Any, ...]:
        return self.ndocs, self.metas, self.origin_of, self.origins

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.ndocs, self.metas, self.origin_of, self.origins = state

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TwinHints):
            return NotImplemented
        return [self.metadata(n) for n in range(self.ndocs)] == [
            other.metadata(n) for n in range(other.ndocs)
        ] and [self.origin_keys(n) for n in range(self.ndocs)] == [
            other.origin_keys(n) for n in range(other.ndocs)
        ]

    __hash__ = None  # type: ignore[assignment]

    def metadata(self, n: int) -> dict[str, Any] | None:
        """The :func:`_metadata` of document ``n``."""
        return self.metas.get(n)

    def origin_keys(self, n: int) -> list[str]:
        """The :func:`origin_keys` of document ``n``."""
        return self.origins[int(self.origin_of[n])]

    @property
    def nbytes(self) -> int:
        """About the memory the hints hold (their metadata counted by its text)."""
        metas = sum(64 + len(str(m)) for m in self.metas.values())
        return 4 * self.ndocs + metas + sum(64 * len(k) for k in self.origins)


def twin_hints(
    stored: Sequence[bytes], ids: Sequence[str], provenance: Sequence[Provenance | None] = ()
) -> TwinHints:
    """The :class:`TwinHints` of a segment's documents from their stored JSON (``stored``) and
    ids. A bulk worker computes them as it writes the segment (and one process as it flushes
    one) and the commit's twin linking takes them (``find_twins(hints=)``) instead of reading
    every document back. ``provenance``, when given for every document: the ``source``,
    ``url`` and ``meta`` each one's stored JSON holds (None for a document whose are not
    known), which are then not parsed out of it (see
    :attr:`~searchlib.index.builder.IndexDoc.provenance`)."""
    return TwinHints(stored, ids, provenance)


def _doc(told: Provenance) -> dict[str, Any]:
    """The stored fields :func:`origin_keys` reads, from a document's provenance."""
    return {"source": told[0], "url": told[1], "meta": told[2]}


_NAMED_KEYS = frozenset(_ID_KEYS + _URL_KEYS + _GROUP_KEYS)
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _no_metadata(told: Provenance) -> bool:
    """Whether :func:`_metadata` of the stored JSON of a document with this provenance is
    None without reading it: no URL and no key of its meta (at any depth) that may name a
    twin (what its regular expressions look for in the bytes). False when unsure (values
    other than scalars and lists of scalars): the stored JSON decides."""
    _, url, meta = told
    if url is not None or not meta.keys().isdisjoint(_NAMED_KEYS):
        return False
    for value in meta.values():
        kind = type(value)
        if kind is list:
            for item in value:
                if type(item) not in _SCALARS:
                    return False
        elif kind not in _SCALARS:
            return False
    return True


def _namer(ids: Sequence[str], k: int) -> Callable[[], str]:
    return lambda: ids[k]


def _parse(raw: bytes, doc_id: Callable[[], str]) -> dict[str, Any]:
    """The stored fields of a document from its stored JSON; ``doc_id`` names it in the error."""
    try:
        doc = loads(raw)
        if not isinstance(doc, dict):
            raise ValueError("not an object")
    except ValueError as exc:  # stored fields damaged inside a valid checksum
        raise CorruptIndexError(f"<stored fields of {doc_id()!r}>", str(exc)) from exc
    return doc


def _provenance(raw: bytes, doc_id: Callable[[], str]) -> dict[str, Any]:
    """The ``source``, ``url`` and ``meta`` of a document (what :func:`origin_keys` reads),
    parsed from the end of its stored JSON ``raw`` where those keys come last."""
    at = raw.find(b'"source":')  # a key: inside a JSON string the quote would be escaped
    if at > 0:
        try:
            tail = loads(b"{" + raw[at:])
        except ValueError:
            tail = None
        if isinstance(tail, dict) and "meta" in tail:
            return tail
    return _parse(raw, doc_id)


def _metadata(whole: bytes, doc_id: Callable[[], str]) -> dict[str, Any] | None:
    """The lang, url and meta of a document when it has a URL or a meta field that may name
    its twin, else None (parsing its stored JSON ``whole`` only when the bytes show one)."""
    at = max(whole.find(b'"source":'), 0)  # url and meta come after the source
    if _NO_URL_RE.search(whole, at) and not _META_KEY_RE.search(whole, at):
        return None
    doc = _parse(whole, doc_id)
    if not (doc.get("url") or doc.get("meta")):
        return None
    return {"lang": doc["lang"], "url": doc.get("url"), "meta": doc.get("meta")}


def _eligible(reader: IndexSource, hints: dict[str, TwinHints] | None = None) -> _Docs:
    segs, nums, langs, days = [], [], [], []
    by_index: dict[int, TwinHints] = {}
    for si, seg in enumerate(reader.segments):
        hinted = hints.get(seg.name) if hints else None
        if hinted is not None and hinted.ndocs == seg.ndocs:
            by_index[si] = hinted
        kinds = seg.col_tables[COLUMN_TABLES["kind"]]
        ok = np.array([k != "related" for k in kinds], dtype=bool)[seg.cols["kind"]]
        table = seg.col_tables[COLUMN_TABLES[LANG_COLUMN]]
        code = np.array([LANGS.index(x) if x in LANGS else -1 for x in table])
        lang = code[seg.cols[LANG_COLUMN]] if code.size else np.zeros(seg.ndocs, dtype=np.int64)
        ok &= lang >= 0
        if seg.live is not None:
            ok &= seg.live
        num = np.flatnonzero(ok)
        segs.append(np.full(num.size, si, dtype=np.int64))
        nums.append(num)
        langs.append(lang[num])
        days.append(seg.cols["date"][num].astype(np.int64))

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    return _Docs(cat(segs), cat(nums), cat(langs), cat(days), reader, by_index)


@lru_cache(maxsize=4096)
def _host(url: str) -> str | None:
    """The site of ``url``: its host without ``www.`` or a language label (``es.``), cut to the
    registered name (``insightcrime.org``, ``eluniversal.com.mx``)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    labels = [x for x in host.lower().split(".") if x]
    while len(labels) > 2 and labels[0] in ("www", *LANGS):
        labels = labels[1:]
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SLD else 2
    return ".".join(labels[-keep:])


def origin_keys(doc: dict[str, Any]) -> list[str]:
    """What says where a stored document comes from: the site of its URL, the ``source`` named
    in its metadata, else the collection (folder) of the file it was read from, language folders
    (``seeds/es``) counted as their parent. Empty when nothing is known."""
    keys: list[str] = []
    url = doc.get("url")
    if isinstance(url, str) and (site := _host(url)):
        keys.append("site:" + site)
    meta = doc.get("meta")
    named = meta.get("source") if isinstance(meta, dict) else None
    if isinstance(named, str) and (name := _name_key(named)):
        keys.append(name)
    path = doc.get("source")
    if isinstance(path, str) and path:
        if "://" in path:
            site = _host(path)
            if site:
                keys.append("site:" + site)
        elif not keys:
            # The file is evidence only for a document that names no site or source: a JSONL
            # file may hold many sources, and one shared path would join them all into one.
            keys.append(_collection(_LINE_RE.sub("", path)))
    return keys


@lru_cache(maxsize=4096)
def _name_key(name: str) -> str | None:
    """``name:`` key of a source's name, case, spaces and punctuation left out."""
    letters = "".join(ch for ch in name.lower() if ch.isalnum())
    return "name:" + letters if letters else None


@lru_cache(maxsize=4096)
def _collection(path: str) -> str:
    """``path:`` key of the folder of a file, language folders (``es``, ``en``) left out."""
    parts = [x for x in PurePath(path).parent.parts if x.lower() not in LANGS]
    return "path:" + "/".join(parts)


def _origins(docs: _Docs, rows: np.ndarray) -> np.ndarray:
    """An origin id for each of ``rows``: documents sharing any origin key (directly or through
    others) share the id; documents with no key share one id of their own."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    codes, lists = docs.origin_lists(rows)
    docs.done()
    # Each distinct list joins its keys once, in the order the rows first show it (a list
    # seen again joins nothing new), so the sets and their roots are those of a pass over
    # every row; the ids are numbered by the rows' first look at each root.
    uniq, first_row = np.unique(codes, return_index=True)
    firsts: dict[int, str] = {}
    for c in uniq[np.argsort(first_row, kind="stable")].tolist():
        keys = lists[c] or ["?"]
        for k in keys[1:]:
            a, b = root(keys[0]), root(k)
            if a != b:
                parent[b] = a
        firsts[c] = keys[0]
    roots = {c: root(k) for c, k in firsts.items()}
    ids: dict[str, int] = {}
    number = np.zeros(len(lists), dtype=np.int64)
    for c in uniq[np.argsort(first_row, kind="stable")].tolist():
        number[c] = ids.setdefault(roots[c], len(ids))
    return number[codes] if codes.size else np.zeros(0, dtype=np.int64)


def _candidates(docs: _Docs, pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``pool`` that have at least one possible partner in the other language, and
    their origin ids. A partner has the same date when both are dated, and the same origin
    when either is undated (a date is the only evidence two sources tell the same story)."""
    lang, day = docs.lang[pool], docs.day[pool]
    dated = day != NO_DATE
    keep = np.zeros(pool.size, dtype=bool)
    for side in (0, 1):
        keep |= (lang == side) & dated & np.isin(day, day[(lang != side) & dated])
    # Origins are read for those and where an undated document may pair.
    need = keep.copy()
    for side in (0, 1):
        if ((lang != side) & ~dated).any():
            need |= lang == side
        need |= (lang == side) & ~dated & (lang != side).any()
    origin = np.full(pool.size, -1, dtype=np.int64)
    origin[need] = _origins(docs, pool[need])
    for side in (0, 1):
        mine, other = need & (lang == side), need & (lang != side)
        keep |= mine & ~dated & np.isin(origin, origin[other])
        keep |= mine & dated & np.isin(origin, origin[other & ~dated])
    return pool[keep], origin[keep]


@dataclass
class _Keys:
    """The key ids of the candidates: ``vocab`` (key -> id, ids in order of first sight over
    the segments' fields, then the names), ``known`` ((lang, term) -> key ids) and each row's
    name keys (``name_ptr``, ``name_keys``: rows as positions in the candidates)."""

    vocab: dict[str, int]
    known: dict[tuple[str, str], list[int]]
    name_ptr: np.ndarray
    name_keys: np.ndarray


def _keys(reader: IndexSource, docs: _Docs, rows: np.ndarray) -> _Keys:
    """The key ids of the terms and names the candidate ``rows`` hold, numbered once for all
    (so that every batch of rows uses the same ids, in the same order as one batch would)."""
    vocab: dict[str, int] = {}
    known: dict[tuple[str, str], list[int]] = {}
    for si, seg in enumerate(reader.segments):
        mine = rows[docs.seg[rows] == si]
        if mine.size == 0:
            continue
        wanted = np.zeros(seg.ndocs, dtype=bool)
        wanted[docs.num[mine]] = True
        for lang, fname in _twin_fields(seg, docs, mine):
            terms = seg.terms(fname)
            arrays = seg.field_arrays(fname)
            held, start = arrays["docs"], arrays["start"]
            used = np.zeros(len(terms), dtype=bool)
            for c in range(0, held.size, VECTOR_BATCH):
                at = np.flatnonzero(wanted[held[c : c + VECTOR_BATCH]]) + c
                used[np.searchsorted(start, at, side="right") - 1] = True
            for ti in np.flatnonzero(used).tolist():
                t = terms[ti]
                if (lang, t) not in known:
                    known[(lang, t)] = [vocab.setdefault(k, len(vocab)) for k in term_keys(lang, t)]
        _release(seg)
    ptr = [0]
    flat: list[int] = []
    for i in rows.tolist():
        d = docs.stored(i)
        for name in name_keys(d.get("title") or "", "\n".join(d.get("body") or ())):
            flat.append(vocab.setdefault(name, len(vocab)))
        ptr.append(len(flat))
    docs.done()
    return _Keys(vocab, known, np.array(ptr, dtype=np.int64), np.array(flat, dtype=np.int32))


def _twin_fields(seg: SegmentSource, docs: _Docs, mine: np.ndarray) -> Iterator[tuple[str, str]]:
    """(language, field name) of the twin fields ``seg`` holds in the languages of the
    candidates ``mine`` (rows of ``docs``)."""
    for li, lang in enumerate(LANGS):
        if not (docs.lang[mine] == li).any():
            continue
        for f in TWIN_FIELDS:
            fname = field_name(f, lang)
            if fname in seg.field_names:
                yield lang, fname


def _spans(ptr: np.ndarray, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lengths of the rows ``sel`` of a ragged array (row i spans ``ptr[i]:ptr[i + 1]``)
    and the flat positions of their items, row after row."""
    counts = ptr[sel + 1] - ptr[sel]
    first = np.repeat(ptr[sel], counts)
    first += np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return counts, first


def _batch_vectors(
    reader: IndexSource, docs: _Docs, rows: np.ndarray, pos: np.ndarray, keys: _Keys
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, key id, tf) of the candidates at positions ``pos`` (ascending) of ``rows``, rows
    given as positions in ``rows``, ordered by row then key."""
    known = keys.known
    done: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    batch = rows[pos]
    for si, seg in enumerate(reader.segments):
        in_seg = docs.seg[batch] == si
        mine = batch[in_seg]
        if mine.size == 0:
            continue
        row_of = np.full(seg.ndocs, -1, dtype=np.int32)
        row_of[docs.num[mine]] = pos[in_seg]
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        held = 0
        for lang, fname in _twin_fields(seg, docs, mine):
            terms = seg.terms(fname)
            arrays = seg.field_arrays(fname)
            row = row_of[arrays["docs"]]
            at = np.flatnonzero(row >= 0)
            row = row[at]
            tf = arrays["tfs"][at].astype(np.float64)
            # The term of each kept posting, from where each term's postings start.
            term_of = np.searchsorted(arrays["start"], at, side="right") - 1
            del at
            used, term_of = np.unique(term_of, return_inverse=True)
            ptr = [0]
            flat: list[int] = []
            for ti in used.tolist():
                flat.extend(known[(lang, terms[ti])])
                ptr.append(len(flat))
            key_ids = np.array(flat, dtype=np.int32)
            n_keys, first = _spans(np.array(ptr, dtype=np.int64), term_of.ravel())
            del term_of
            parts.append(_sum_up(np.repeat(row, n_keys), key_ids[first], np.repeat(tf, n_keys)))
            del first, row, tf, n_keys
            held += parts[-1][0].size
            if held > VECTOR_BATCH and len(parts) > 1:  # partial sums added up as they grow
                parts = [_sum_up(*_cat(parts))]
                held = parts[0][0].size
        if parts:
            done.append(_sum_up(*_cat(parts)))
        _release(seg)  # its postings were read whole: let the pages go
    counts, first = _spans(keys.name_ptr, pos)
    done.append(
        _sum_up(
            np.repeat(pos, counts).astype(np.int32),
            keys.name_keys[first],
            np.ones(first.size, dtype=np.float64),
        )
    )
    # Sum the tfs of a (row, key) seen in several fields or through several terms: each
    # segment's rows were summed apart (a row is in one segment), names added up here.
    r, k, tfs = _sum_up(*_cat(done))
    return r.astype(np.int64), k.astype(np.int64), tfs


def _cat(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))  # type: ignore[return-value]


def _sum_up(
    r: np.ndarray, k: np.ndarray, tf: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, key, tf) with the tfs of a repeated (row, key) added up, ordered by row then key
    (a sort and ``np.add.reduceat``: no inverse array over the whole set)."""
    if r.size == 0:
        return r, k, tf
    order = np.lexsort((k, r))
    r, k, tf = r[order], k[order], tf[order]
    del order
    starts = np.flatnonzero(np.r_[True, (r[1:] != r[:-1]) | (k[1:] != k[:-1])])
    return r[starts], k[starts], np.add.reduceat(tf, starts)


def _join(
    a_rows: np.ndarray,
    a_keys: np.ndarray,
    a_w: np.ndarray,
    b_rows: np.ndarray,
    b_keys: np.ndarray,
    b_w: np.ndarray,
    budget: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sparse dot products: (a row, b row, sum of a_w * b_w over the keys the rows share).

    Keys held by many rows first are dropped until the pair contributions fit ``budget``.
    """
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))
    if a_keys.size == 0 or b_keys.size == 0:
        return empty
    oa = np.argsort(a_keys, kind="stable")
    ob = np.argsort(b_keys, kind="stable")
    a_keys, a_rows, a_w = a_keys[oa], a_rows[oa], a_w[oa]
    b_keys, b_rows, b_w = b_keys[ob], b_rows[ob], b_w[ob]
    ua, a_start, a_count = np.unique(a_keys, return_index=True, return_counts=True)
    ub, b_start, b_count = np.unique(b_keys, return_index=True, return_counts=True)
    shared, ia, ib = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    if shared.size == 0:
        return empty
    ca, cb = a_count[ia].astype(np.int64), b_count[ib].astype(np.int64)
    work = ca * cb
    if int(work.sum()) > budget:
        order = np.argsort(np.maximum(ca, cb), kind="stable")
        keep = np.zeros(shared.size, dtype=bool)
        keep[order[np.cumsum(work[order]) <= budget]] = True
        ia, ib, ca, cb = ia[keep], ib[keep], ca[keep], cb[keep]
    n_b = int(b_rows.max()) + 1
    # Keys in batches of about JOIN_BATCH contributions, so the arrays of one batch bound the
    # memory whatever the budget; each batch's pair sums are added up at the end.
    cum = np.cumsum(ca * cb)
    bounds = [0]
    while bounds[-1] < cum.size:
        done = int(cum[bounds[-1] - 1]) if bounds[-1] else 0
        nxt = int(np.searchsorted(cum, done + JOIN_BATCH, side="right"))
        bounds.append(max(nxt, bounds[-1] + 1))  # a key of more than a batch: alone
    pairs: list[np.ndarray] = []
    sums: list[np.ndarray] = []
    held = 0
    for start, end in zip(bounds[:-1], bounds[1:], strict=False):
        keys = slice(start, end)
        pair, dots = _join_keys(
            a_start[ia[keys]], ca[keys], b_start[ib[keys]], cb[keys], a_rows, a_w, b_rows, b_w, n_b
        )
        pairs.append(pair)
        sums.append(dots)
        held += pair.size
        if held > JOIN_BATCH and len(pairs) > 1:  # partial sums are added up as they grow
            pair, dots = _add_up(pairs, sums)
            pairs, sums, held = [pair], [dots], pair.size
    if not pairs:
        return empty
    uniq, dots = _add_up(pairs, sums) if len(pairs) > 1 else (pairs[0], sums[0])
    return uniq // n_b, uniq % n_b, dots


def _join_keys(
    a_first: np.ndarray,
    ca: np.ndarray,
    b_first_of_key: np.ndarray,
    cb: np.ndarray,
    a_rows: np.ndarray,
    a_w: np.ndarray,
    b_rows: np.ndarray,
    b_w: np.ndarray,
    n_b: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(pair ids a row * n_b + b row, summed products) over a batch of shared keys, each
    given by where its entries start on either side and how many there are."""
    # Each a entry of a kept key, repeated once per b entry of the same key.
    a_idx = np.repeat(a_first, ca) + (np.arange(int(ca.sum())) - np.repeat(np.cumsum(ca) - ca, ca))
    reps = np.repeat(cb, ca)
    b_first = np.repeat(np.repeat(b_first_of_key, ca), reps)
    b_idx = b_first + (np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps))
    del b_first
    a_idx = np.repeat(a_idx, reps)
    pair = a_rows[a_idx] * n_b + b_rows[b_idx]
    weights = a_w[a_idx] * b_w[b_idx]
    del a_idx, b_idx
    uniq, inverse = np.unique(pair, return_inverse=True)
    return uniq, np.bincount(inverse.ravel(), weights=weights, minlength=uniq.size)


def _add_up(pairs: list[np.ndarray], sums: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Partial (pair, sum) lists added up into one, pairs ascending."""
    uniq, inverse = np.unique(np.concatenate(pairs), return_inverse=True)
    return uniq, np.bincount(inverse.ravel(), weights=np.concatenate(sums), minlength=uniq.size)


def _assign(
    a: np.ndarray, b: np.ndarray, score: np.ndarray, threshold: float, rounds: int
) -> list[tuple[int, int]]:
    """Rounds of mutual best match over candidate pairs scoring at least ``threshold``."""
    ok = score >= threshold
    a, b, score = a[ok], b[ok], score[ok]
    out: list[tuple[int, int]] = []
    for _ in range(rounds):
        if a.size == 0:
            break
        # Best b of each a and best a of each b (ties: the lower index).
        oa = np.lexsort((b, -score, a))
        best_a = np.zeros(a.size, dtype=bool)
        best_a[oa[np.r_[True, a[oa][1:] != a[oa][:-1]]]] = True
        ob = np.lexsort((a, -score, b))
        best_b = np.zeros(a.size, dtype=bool)
        best_b[ob[np.r_[True, b[ob][1:] != b[ob][:-1]]]] = True
        mutual = best_a & best_b
        if not mutual.any():
            break
        out.extend(zip(a[mutual].tolist(), b[mutual].tolist(), strict=True))
        drop = np.isin(a, a[mutual]) | np.isin(b, b[mutual])
        a, b, score = a[~drop], b[~drop], score[~drop]
    return out


def content_scores(
    reader: IndexSource,
    docs: _Docs,
    rows: np.ndarray,
    budget: int = PAIR_BUDGET,
    batch_rows: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(English doc, Spanish doc, cosine, lowest cosine the pair needs) of the candidate pairs
    among ``rows`` of ``docs`` (see :func:`needed`).

    The candidates are scored in batches of about ``batch_rows`` rows (None: all at once),
    each batch holding whole groups of rows that may pair (:func:`_batches`), so a pair is
    never split: the key weights (their document frequencies over all candidates) are counted
    in a first pass over the batches and the pairs scored in a second, with the same keys,
    weights and sums as one batch would give. When the joins would pass ``budget`` (and drop
    keys by their spread over all candidates), one batch is used."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    rows, origin = _candidates(docs, rows)
    if rows.size == 0:
        return empty
    keys = _keys(reader, docs, rows)
    n_keys = len(keys.vocab)
    batches = _batches(docs, rows, origin, batch_rows or rows.size)
    if len(batches) > 1:
        df = np.zeros(n_keys, dtype=np.int64)
        work = np.zeros(3, dtype=np.int64)
        for pos in batches:
            r, k, _ = _batch_vectors(reader, docs, rows, pos, keys)
            df += np.bincount(k, minlength=n_keys)
            for j, (a_sel, b_sel, group, n_groups) in enumerate(_jobs(docs, rows, origin, r)):
                work[j] += _work(
                    k[a_sel] * n_groups + group[a_sel], k[b_sel] * n_groups + group[b_sel]
                )
        if int(work.max()) > budget:
            batches = [np.arange(rows.size)]
    if len(batches) == 1:
        r, k, tf = _batch_vectors(reader, docs, rows, batches[0], keys)
        df = np.bincount(k, minlength=n_keys)
    anchor = np.array([v[0] in "#n" for v in keys.vocab], dtype=bool)
    idf = np.log1p(rows.size / np.maximum(df.astype(np.float64), 1.0))
    boost = np.where(anchor, ANCHOR_BOOST, 1.0)
    found: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    for pos in batches:
        if len(batches) > 1:
            r, k, tf = _batch_vectors(reader, docs, rows, pos, keys)
        if r.size == 0:
            continue
        w = (1.0 + np.log(tf)) * idf[k] * boost[k]
        norms = np.sqrt(np.bincount(r, weights=w * w, minlength=rows.size))
        norms[norms == 0] = 1.0
        # Only keys held by both languages can add to a dot product.
        lang = docs.lang[rows][r]
        in_en = np.bincount(k[lang == 0], minlength=n_keys) > 0
        in_es = np.bincount(k[lang == 1], minlength=n_keys) > 0
        useful = (in_en & in_es)[k]
        r, k, w = r[useful], k[useful], w[useful]
        for j, (a_sel, b_sel, group, n_groups) in enumerate(_jobs(docs, rows, origin, r)):
            ka = k[a_sel] * n_groups + group[a_sel]
            kb = k[b_sel] * n_groups + group[b_sel]
            a, b, dots = _join(r[a_sel], ka, w[a_sel], r[b_sel], kb, w[b_sel], budget)
            found.append((j, a, b, dots / (norms[a] * norms[b])))
        del r, k, tf, w
    if not found:
        return empty
    job = np.concatenate([np.full(f[1].size, f[0], dtype=np.int64) for f in found])
    a = np.concatenate([f[1] for f in found])
    b = np.concatenate([f[2] for f in found])
    score = np.concatenate([f[3] for f in found])
    order = np.lexsort((b, a, job))  # as one batch gives them: by job, then pair
    a, b, score = a[order], b[order], score[order]
    both_dated = (docs.day[rows[a]] != NO_DATE) & (docs.day[rows[b]] != NO_DATE)
    same_origin = (origin[a] == origin[b]) & (origin[a] >= 0)
    return rows[a], rows[b], score, needed(both_dated, same_origin)


def _jobs(
    docs: _Docs, rows: np.ndarray, origin: np.ndarray, r: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, int], ...]:
    """The joins over entries of rows ``r``: (English side, Spanish side, group, groups). Each
    key is combined with what a pair must share, so only such pairs meet: the day when both
    are dated, the origin when either is not."""
    lang = docs.lang[rows][r]
    day = docs.day[rows][r]
    dated = day != NO_DATE
    day0 = int(day[dated].min()) if dated.any() else 0
    span = int(day[dated].max()) - day0 + 1 if dated.any() else 1
    org = origin[r]
    n_org = int(origin.max()) + 2
    en, es = lang == 0, lang == 1
    return (
        (en & dated, es & dated, day - day0, span),
        (en & ~dated, es, org + 1, n_org),
        (en & dated, es & ~dated, org + 1, n_org),
    )


def _work(ka: np.ndarray, kb: np.ndarray) -> int:
    """Contributions a join of keys ``ka`` and ``kb`` generates (before any budget)."""
    ua, ca = np.unique(ka, return_counts=True)
    ub, cb = np.unique(kb, return_counts=True)
    _, ia, ib = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    return int((ca[ia].astype(np.int64) * cb[ib]).sum())


def _batches(docs: _Docs, rows: np.ndarray, origin: np.ndarray, size: int) -> list[np.ndarray]:
    """Positions of ``rows`` in batches of about ``size`` rows (a larger group alone), each
    batch holding whole groups: rows of one day (when dated) and rows of one origin that has
    an undated row, joined when they overlap, since a pair forms only within them."""
    day = docs.day[rows]
    dated = day != NO_DATE
    days, node = np.unique(np.where(dated, day, NO_DATE), return_inverse=True)
    node = node.ravel().astype(np.int64)
    undated = unique(origin[~dated])
    node[~dated] = days.size + np.searchsorted(undated, origin[~dated])
    parent = list(range(days.size + undated.size))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # A dated row of an origin with undated rows joins its day to that origin.
    joined = dated & np.isin(origin, undated)
    linked_days, linked_origins = unique_pairs(
        node[joined], np.searchsorted(undated, origin[joined]).astype(np.int64)
    )
    for d, o in zip(linked_days.tolist(), linked_origins.tolist(), strict=True):
        x, y = root(d), root(days.size + o)
        if x != y:
            parent[y] = x
    group = np.array([root(x) for x in node.tolist()], dtype=np.int64)
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1], True])
    out: list[np.ndarray] = []
    held: list[np.ndarray] = []
    n = 0
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if n and n + hi - lo > size:
            out.append(np.sort(np.concatenate(held)))
            held, n = [], 0
        held.append(order[lo:hi])
        n += hi - lo
    if held:
        out.append(np.sort(np.concatenate(held)))
    return out


def needed(both_dated: np.ndarray, same_origin: np.ndarray) -> np.ndarray:
    """The lowest cosine a candidate pair needs: :data:`THRESHOLD` for a same-day pair of one
    origin, :data:`UNDATED_THRESHOLD` when either is undated (same
    origin), :data:`CROSS_SOURCE_THRESHOLD` for a same-day pair of two origins."""
    out = np.where(same_origin, UNDATED_THRESHOLD, CROSS_SOURCE_THRESHOLD)
    out[both_dated & same_origin] = THRESHOLD
    return out


# -- public API -----------------------------------------------------------------------------------


def _link(
    pairs: Iterable[tuple[int, int]], docs: _Docs, out: dict[str, str], rows: dict[int, int]
) -> None:
    for i, j in pairs:
        a, b = docs.id(i), docs.id(j)
        if docs.lang[i] == docs.lang[j] or a in out or b in out or a == b:
            continue
        out[a] = b
        out[b] = a
        rows[i] = j
        rows[j] = i


def find_twins(
    reader: IndexSource,
    *,
    use_metadata: bool = True,
    use_content: bool = True,
    threshold: float = THRESHOLD,
    memory_mb: int | MemoryBudget | None = None,
    hints: dict[str, TwinHints] | None = None,
) -> dict[str, str]:
    """The symmetric map ``id -> twin id`` of the live non-related documents of ``reader``.

    ``use_metadata=False`` links by content only (to measure it); ``threshold`` is the lowest
    cosine a content link needs; ``memory_mb`` the memory budget (:mod:`searchlib.index.budget`)
    that sizes the batches of candidates scored at once (:func:`batch_rows`); ``hints``, by
    segment name, what the stored fields of the documents of those segments say
    (:func:`twin_hints`), so they are not read.
    """
    rows = batch_rows(memory_mb)
    return _find_twins(reader, use_metadata, use_content, threshold, rows, hints)[1]


def batch_rows(memory_mb: int | MemoryBudget | None = None) -> int:
    """Candidates scored at once under a memory budget: half of it at :data:`ROW_COST` bytes a
    candidate."""
    return max(1, MemoryBudget.of(memory_mb).bytes // 2 // ROW_COST)


def _find_twins(
    reader: IndexSource,
    use_metadata: bool = True,
    use_content: bool = True,
    threshold: float = THRESHOLD,
    rows_at_once: int | None = None,
    hints: dict[str, TwinHints] | None = None,
) -> tuple[_Docs, dict[str, str], dict[int, int]]:
    """:func:`find_twins`, with the eligible documents and the links as rows of them."""
    docs = _eligible(reader, hints)
    twins: dict[str, str] = {}
    rows: dict[int, int] = {}
    if use_metadata:
        _link(_metadata_pairs(docs), docs, twins, rows)
    if not use_content:
        return docs, twins, rows
    rest = np.array([i for i in range(docs.seg.size) if i not in rows], dtype=np.int64)
    a, b, score, need = content_scores(reader, docs, rest, batch_rows=rows_at_once)
    ok = score >= need * (threshold / THRESHOLD)
    _link(_assign(a[ok], b[ok], score[ok], 0.0, MAX_ROUNDS), docs, twins, rows)
    return docs, twins, rows


LINKS_FORMAT = "twins"
LINKS_VERSION = 1
_LINKS_RE = re.compile(r"^twins_(\d{8,})$", re.ASCII)  # generations grow past 8 digits


def links_name(generation: int) -> str:
    """The file holding the twin links of one commit generation."""
    return f"twins_{generation:08d}"


def store_twins(
    reader: IndexSource,
    directory: Directory,
    memory_mb: int | MemoryBudget | None = None,
    *,
    found: dict[str, str] | None = None,
    hints: dict[str, TwinHints] | None = None,
) -> dict[str, str]:
    """Compute the twins of ``reader`` and save them next to its commit in ``directory`` (the
    index's folder), so that readers of the same generation (in any process) load them instead
    of computing them; files of other generations are removed. Kept when already saved.
    ``memory_mb``: the memory budget of the computation (:func:`batch_rows`). Returns the
    twins.

    ``found``: the twins already computed on a snapshot with the same live documents in the
    same order, differently segmented (the commit before a merge: bulk indexing computes them
    while it merges); only saved here, with the places of the documents in ``reader``.
    ``hints``: see :func:`find_twins`."""
    name = links_name(reader.generation)
    twins = _load(reader) if directory.exists(name) else None
    links: np.ndarray | None = None
    if twins is None and found is not None:
        twins, links = found, _links_of(reader, found)
        if links is None:  # a document not in reader: computed here after all
            twins = None
    if twins is None:
        docs, twins, pairs = _find_twins(reader, rows_at_once=batch_rows(memory_mb), hints=hints)
        # Where each linked document is, from the rows (no id lookup), in the order of ids.
        order = np.array(sorted(pairs, key=docs.id), dtype=np.int64)
        partner = np.array([pairs[i] for i in order.tolist()], dtype=np.int64)
        links = np.stack(
            [docs.seg[order], docs.num[order], docs.seg[partner], docs.num[partner]], axis=1
        ).reshape(-1, 4)
    if links is not None:
        meta = {"generation": reader.generation, "segments": [s.name for s in reader.segments]}
        arrays = {
            "seg": links[:, 0],
            "doc": links[:, 1],
            "twin_seg": links[:, 2],
            "twin_doc": links[:, 3],
        }
        directory.write_atomic(name, encode_array_file(LINKS_FORMAT, LINKS_VERSION, arrays, meta))
    for other in directory.list():
        if _LINKS_RE.match(other) and other != name:
            directory.delete(other)
    snapshot_cache(reader).twins = twins
    return twins


def store_twins_of_commit(
    published: int | None,
    reader: IndexSource,
    directory: Directory,
    memory_mb: int | MemoryBudget | None = None,
    *,
    found: dict[str, str] | None = None,
    hints: dict[str, TwinHints] | None = None,
) -> dict[str, str]:
    """:func:`store_twins` right after a commit that published generation ``published``
    (None: the commit published nothing). A failure then is an
    :class:`~searchlib.errors.AfterCommitError` of step "twin links": the commit happened,
    and a plain exception from a commit means that nothing was published."""
    try:
        return store_twins(reader, directory, memory_mb, found=found, hints=hints)
    except Exception as exc:
        if published is None:
            raise
        raise AfterCommitError(published, "twin links", exc) from exc


def _links_of(reader: IndexSource, twins: dict[str, str]) -> np.ndarray | None:
    """The rows (segment, doc, twin's segment, twin's doc) of ``twins`` in ``reader``, in the
    order of ids (as :func:`store_twins` saves them); None when a document is not there."""
    places: list[tuple[int, int]] = []
    for doc_id in sorted(twins):
        for d in (doc_id, twins[doc_id]):
            place = reader.locate(d)
            if place is None:
                return None
            places.append(place)
    return np.array(places, dtype=np.int64).reshape(-1, 4)


def _saved_links(reader: IndexSource) -> tuple[list[int], ...] | None:
    """The rows of the saved twins of ``reader``'s generation as four lists (segment, doc,
    twin's segment, twin's doc), each place checked to be inside ``reader``'s segments; None
    when absent, damaged or not matching its segments (then they are computed again)."""
    name = links_name(reader.generation)
    try:
        data = reader.saved(name)
        if data is None:
            return None
        links = decode_array_file(
            data,
            name,
            LINKS_FORMAT,
            LINKS_VERSION,
            LINKS_VERSION,
        )
    except (SearchlibError, OSError):
        return None
    segments = [seg.name for seg in reader.segments]
    if links.meta.get("generation") != reader.generation or links.meta.get("segments") != segments:
        return None
    try:
        arrays = [links[key] for key in ("seg", "doc", "twin_seg", "twin_doc")]
    except KeyError:  # a damaged file: computed again
        return None
    if any(a.dtype.kind not in "iu" for a in arrays):  # places are integers (floats: damaged)
        return None
    seg, doc, tseg, tdoc = (a.tolist() for a in arrays)
    if not len(seg) == len(doc) == len(tseg) == len(tdoc):
        return None
    sizes = [s.ndocs for s in reader.segments]
    for segs, docs in ((seg, doc), (tseg, tdoc)):
        if min(segs + docs, default=0) < 0 or max(segs, default=0) >= len(sizes):
            return None
        if any(d >= sizes[s] for s, d in zip(segs, docs, strict=True)):
            return None
    return seg, doc, tseg, tdoc


def _load(reader: IndexSource) -> dict[str, str] | None:
    """The saved twins of ``reader``'s generation; None when absent, damaged or not matching
    its segments (then they are computed again)."""
    links = _saved_links(reader)
    if links is None:
        return None
    twins: dict[str, str] = {}
    for a, b, c, d in zip(*links, strict=True):
        twins[reader.segments[a].ids[b]] = reader.segments[c].ids[d]
    return twins


def twins_for(reader: IndexSource) -> dict[str, str]:
    """The twins of ``reader``: saved at its commit (:func:`store_twins`), else computed by
    :func:`find_twins`; once per reader and generation."""
    cache = snapshot_cache(reader)
    if cache.twins is not None:
        return cache.twins
    twins = _load(reader)
    if twins is None:
        twins = find_twins(reader)
    cache.twins = twins
    return twins


def twin_partners(reader: IndexSource) -> tuple[np.ndarray, np.ndarray]:
    """(segment offsets, partner) of ``reader``'s twins as arrays: the document ``d`` of segment
    ``s`` is number ``offsets[s] + d`` index-wide, and ``partner[n]`` is the number of its twin,
    or -1. Lets a search count the stories matched in both languages with numpy. Cached on the
    snapshot (:mod:`searchlib.search.cache`). Made from the saved links' places when they are
    the snapshot's (no id decoded or looked up: a first query's cost), else from
    :func:`twins_for` and :meth:`~searchlib.seam.IndexSource.locate`."""
    cache = snapshot_cache(reader)
    cached = cache.twin_partners
    if cached is None:
        sizes = [seg.ndocs for seg in reader.segments]
        offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        partner = _saved_partners(reader, offsets)
        if partner is None:
            partner = np.full(int(offsets[-1]), -1, dtype=np.int64)
            for a, b in twins_for(reader).items():
                here, there = reader.locate(a), reader.locate(b)
                if here is not None and there is not None:
                    partner[offsets[here[0]] + here[1]] = offsets[there[0]] + there[1]
        cached = cache.twin_partners = (offsets[:-1], partner)
    return cached


def _saved_partners(reader: IndexSource, offsets: np.ndarray) -> np.ndarray | None:
    """:func:`twin_partners`' partner array made from the saved links, when each linked place
    is a live document and none is linked twice (what the ids would give: a live id is in one
    place); None when the twins are not saved or a place is not live (then the ids say
    where)."""
    links = _saved_links(reader)
    if links is None:
        return None
    seg, doc, tseg, tdoc = (np.array(a, dtype=np.int64) for a in links)
    here, there = offsets[seg] + doc, offsets[tseg] + tdoc
    ordered = np.sort(here)  # (not np.unique: it imports numpy.ma, 20 ms of a first query)
    if bool((ordered[1:] == ordered[:-1]).any()):
        return None
    for s, segment in enumerate(reader.segments):
        live = segment.live
        if live is None:
            continue
        for segs, docs in ((seg, doc), (tseg, tdoc)):
            if not bool(live[docs[segs == s]].all()):
                return None
    partner = np.full(int(offsets[-1]), -1, dtype=np.int64)
    partner[here] = there
    return partner
