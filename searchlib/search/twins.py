"""Twin linking: which English and Spanish documents are translations of the same story.

A document's *twin* is its version in the other language. :func:`find_twins` returns a symmetric
map ``id -> twin id`` over the live documents of the index (related items excluded), each
document having one twin at most; :func:`twins_for` caches it per reader snapshot.

Links come from two sources, in this order:

1. **Metadata.** A stored ``meta`` field naming the other version (``twin``, ``twin_id``,
   ``translation``, ``translation_id``, ``translation_of``, ``translated_from``: an id or a URL;
   ``twin_url``, ``translation_url``, ``alternate``: a URL), a shared group key
   (``parallel_id``, ``translation_group``, ``twin_group``), or the same URL slug (the last path
   segment of ``url``, e.g. ``/news/brief/<slug>/`` and ``/es/noticias/<slug>/``) held by exactly
   one document of each language.
2. **Content**, for the documents metadata left unlinked. Candidates are documents of the other
   language with the same date when both have one (any date when either lacks one); documents
   with no possible candidate are never read. Each candidate becomes a bag of language-neutral
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
   both languages share (keys are combined with the date for dated documents, so only same-day
   pairs meet): for each shared key, every (English, Spanish) pair holding it, accumulated with
   ``np.unique`` + ``np.bincount``. The work is capped at :data:`PAIR_BUDGET` contributions by
   dropping the most widespread shared keys first (they carry the least weight).
   Pairs scoring at least :data:`THRESHOLD` are assigned by rounds of mutual best match (a pair
   is accepted when each side is the other's best remaining candidate; accepted documents leave
   the pool and the next round runs), a greedy stand-in for the Hungarian assignment.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from searchlib._json import loads
from searchlib.analysis import fold_accents, get_analyzer, load_lexicon
from searchlib.analysis.tokenizer import TOKEN_RE
from searchlib.errors import CorruptIndexError
from searchlib.index import IndexReader
from searchlib.index.documents import field_name
from searchlib.index.segment import NO_DATE

__all__ = [
    "ANCHOR_BOOST",
    "COGNATE_PREFIX",
    "NAME_CHARS",
    "PAIR_BUDGET",
    "THRESHOLD",
    "find_twins",
    "twins_for",
]

THRESHOLD = 0.15
"""Lowest cosine a content pair needs to be linked. On XQuAD the true pairs score 0.15-0.95 and
pairs of paragraphs from different articles at most 0.13 (99th percentile 0.04)."""

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

_ID_KEYS = ("twin", "twin_id", "translation", "translation_id", "translation_of", "translated_from")
_URL_KEYS = ("twin_url", "translation_url", "alternate")
_GROUP_KEYS = ("parallel_id", "translation_group", "twin_group")
_LANGS = ("en", "es")
_FIELDS = ("title", "body")

# A capitalised word after one space whose previous character does not end a sentence or open a
# quote: a name (or a capitalised noun) inside a sentence.
_NAME_RE = re.compile(r"(?<=[^\s.!?¿¡:;\"“”«»(\[—–-]) ([A-ZÀ-ÖØ-Þ][\w'’]*)")
_ACRONYM_RE = re.compile(r"\b[A-Z]{2,}\b")

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
    by_id = {doc_id: i for i, doc_id in enumerate(all_docs.ids)}
    docs = {i: all_docs.stored(i) for i in range(len(all_docs.ids)) if all_docs.has_metadata(i)}
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


@dataclass
class _Docs:
    """The eligible documents: live, not related items, English or Spanish."""

    seg: np.ndarray  # segment index
    num: np.ndarray  # doc number in the segment
    lang: np.ndarray  # 0 = en, 1 = es
    day: np.ndarray  # days since 1970, NO_DATE when unknown
    ids: list[str]
    raw: list[bytes]  # stored JSON
    parsed: dict[int, dict[str, Any]] = field(default_factory=dict)

    def stored(self, i: int) -> dict[str, Any]:
        doc = self.parsed.get(i)
        if doc is None:
            try:
                doc = loads(self.raw[i])
                if not isinstance(doc, dict):
                    raise ValueError("not an object")
            except ValueError as exc:  # stored fields damaged inside a valid checksum
                raise CorruptIndexError(f"<stored fields of {self.ids[i]!r}>", str(exc)) from exc
            self.parsed[i] = doc
        return doc

    def has_metadata(self, i: int) -> bool:
        """Whether document ``i`` may carry a URL or meta fields (parsing only when it may)."""
        raw = self.raw[i]
        if b'"meta": {}' in raw and b'"url": null' in raw:
            return False
        doc = self.stored(i)
        return bool(doc.get("url") or doc.get("meta"))


def _eligible(reader: IndexReader) -> _Docs:
    segs, nums, langs, days = [], [], [], []
    ids: list[str] = []
    raw: list[bytes] = []
    for si, seg in enumerate(reader.segments):
        kinds = seg.col_tables["kinds"]
        ok = np.array([k != "related" for k in kinds], dtype=bool)[seg.cols["kind"]]
        code = np.array([_LANGS.index(x) if x in _LANGS else -1 for x in seg.col_tables["langs"]])
        lang = code[seg.cols["lang"]] if code.size else np.zeros(seg.ndocs, dtype=np.int64)
        ok &= lang >= 0
        if seg.live is not None:
            ok &= seg.live
        num = np.flatnonzero(ok)
        segs.append(np.full(num.size, si, dtype=np.int64))
        nums.append(num)
        langs.append(lang[num])
        days.append(seg.cols["date"][num].astype(np.int64))
        seg_ids = seg.ids
        ids.extend(seg_ids[d] for d in num.tolist())
        raw.extend(seg.stored_raw(d) for d in num.tolist())

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    return _Docs(cat(segs), cat(nums), cat(langs), cat(days), ids, raw)


def _candidates(docs: _Docs, pool: np.ndarray) -> np.ndarray:
    """Rows of ``pool`` that have at least one possible partner in the other language."""
    lang, day = docs.lang[pool], docs.day[pool]
    keep = np.zeros(pool.size, dtype=bool)
    for side in (0, 1):
        mine, other = lang == side, lang != side
        if not other.any():
            continue
        undated_other = bool((day[other] == NO_DATE).any())
        keep |= mine & (
            (day == NO_DATE) | undated_other | np.isin(day, day[other & (day != NO_DATE)])
        )
    out: np.ndarray = pool[keep]
    return out


def _vectors(
    reader: IndexReader, docs: _Docs, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(row, key id, tf) of the candidate ``rows`` (positions in ``docs``), and the key strings."""
    vocab: dict[str, int] = {}
    known: dict[tuple[str, str], list[int]] = {}
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for si, seg in enumerate(reader.segments):
        mine = rows[docs.seg[rows] == si]
        if mine.size == 0:
            continue
        row_of = np.full(seg.ndocs, -1, dtype=np.int64)
        row_of[docs.num[mine]] = np.searchsorted(rows, mine)
        for li, lang in enumerate(_LANGS):
            if not (docs.lang[mine] == li).any():
                continue
            for f in _FIELDS:
                fname = field_name(f, lang)
                if fname not in seg.field_names:
                    continue
                terms = seg.terms(fname)
                arrays = seg.field_arrays(fname)
                start = arrays["start"].astype(np.int64)
                ptr = [0]
                flat: list[int] = []
                for t in terms:
                    got = known.get((lang, t))
                    if got is None:
                        got = known[(lang, t)] = [
                            vocab.setdefault(k, len(vocab)) for k in term_keys(lang, t)
                        ]
                    flat.extend(got)
                    ptr.append(len(flat))
                key_ptr = np.array(ptr, dtype=np.int64)
                key_ids = np.array(flat, dtype=np.int64)
                term_of = np.repeat(np.arange(len(terms)), np.diff(start))
                row = row_of[arrays["docs"].astype(np.int64)]
                sel = row >= 0
                term_of, row, tf = term_of[sel], row[sel], arrays["tfs"][sel].astype(np.float64)
                n_keys = key_ptr[term_of + 1] - key_ptr[term_of]
                total = int(n_keys.sum())
                first = np.repeat(key_ptr[term_of], n_keys)
                offset = np.arange(total) - np.repeat(np.cumsum(n_keys) - n_keys, n_keys)
                parts.append(
                    (np.repeat(row, n_keys), key_ids[first + offset], np.repeat(tf, n_keys))
                )
    names_rows: list[int] = []
    names_keys: list[int] = []
    for position, i in enumerate(rows.tolist()):
        d = docs.stored(i)
        for name in name_keys(d.get("title") or "", "\n".join(d.get("body") or ())):
            names_rows.append(position)
            names_keys.append(vocab.setdefault(name, len(vocab)))
    parts.append(
        (
            np.array(names_rows, dtype=np.int64),
            np.array(names_keys, dtype=np.int64),
            np.ones(len(names_rows), dtype=np.float64),
        )
    )
    r = np.concatenate([p[0] for p in parts])
    k = np.concatenate([p[1] for p in parts])
    tf = np.concatenate([p[2] for p in parts])
    # Sum the tfs of a (row, key) seen in several fields or through several terms.
    combined, inverse = np.unique(r * max(len(vocab), 1) + k, return_inverse=True)
    tfs = np.bincount(inverse.ravel(), weights=tf, minlength=combined.size)
    width = max(len(vocab), 1)
    return combined // width, combined % width, tfs, list(vocab)


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
    # Each a entry of a kept key, repeated once per b entry of the same key.
    a_idx = np.repeat(a_start[ia], ca) + (
        np.arange(int(ca.sum())) - np.repeat(np.cumsum(ca) - ca, ca)
    )
    reps = np.repeat(cb, ca)
    b_first = np.repeat(np.repeat(b_start[ib], ca), reps)
    b_idx = b_first + (np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps))
    a_idx = np.repeat(a_idx, reps)
    n_b = int(b_rows.max()) + 1
    pair = a_rows[a_idx] * n_b + b_rows[b_idx]
    uniq, inverse = np.unique(pair, return_inverse=True)
    dots = np.bincount(inverse.ravel(), weights=a_w[a_idx] * b_w[b_idx], minlength=uniq.size)
    return uniq // n_b, uniq % n_b, dots


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
    reader: IndexReader, docs: _Docs, rows: np.ndarray, budget: int = PAIR_BUDGET
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(English doc, Spanish doc, cosine) of the candidate pairs among ``rows`` of ``docs``."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64))
    rows = _candidates(docs, rows)
    if rows.size == 0:
        return empty
    r, k, tf, vocab = _vectors(reader, docs, rows)
    if r.size == 0:
        return empty
    anchor = np.array([v[0] in "#n" for v in vocab], dtype=bool)
    df = np.bincount(k, minlength=len(vocab)).astype(np.float64)
    idf = np.log1p(rows.size / np.maximum(df, 1.0))
    w = (1.0 + np.log(tf)) * idf[k] * np.where(anchor[k], ANCHOR_BOOST, 1.0)
    norms = np.sqrt(np.bincount(r, weights=w * w, minlength=rows.size))
    norms[norms == 0] = 1.0

    # Only keys held by both languages can add to a dot product.
    lang = docs.lang[rows][r]
    in_en = np.bincount(k[lang == 0], minlength=len(vocab)) > 0
    in_es = np.bincount(k[lang == 1], minlength=len(vocab)) > 0
    useful = (in_en & in_es)[k]
    r, k, w, lang = r[useful], k[useful], w[useful], lang[useful]
    day = docs.day[rows][r]
    dated = day != NO_DATE
    day0 = int(day[dated].min()) if dated.any() else 0
    span = int(day[dated].max()) - day0 + 1 if dated.any() else 1
    en, es = lang == 0, lang == 1
    # Dated x dated of the same day (key and day combined), then the undated x everyone.
    jobs = (
        (en & dated, es & dated, True),
        (en & ~dated, es, False),
        (en & dated, es & ~dated, False),
    )
    found = []
    for a_sel, b_sel, by_day in jobs:
        ka, kb = k[a_sel], k[b_sel]
        if by_day:
            ka = ka * span + (day[a_sel] - day0)
            kb = kb * span + (day[b_sel] - day0)
        found.append(_join(r[a_sel], ka, w[a_sel], r[b_sel], kb, w[b_sel], budget))
    a = np.concatenate([f[0] for f in found])
    b = np.concatenate([f[1] for f in found])
    dots = np.concatenate([f[2] for f in found])
    return rows[a], rows[b], dots / (norms[a] * norms[b])


# -- public API -----------------------------------------------------------------------------------


def _link(pairs: Iterable[tuple[int, int]], docs: _Docs, out: dict[str, str]) -> None:
    for i, j in pairs:
        a, b = docs.ids[i], docs.ids[j]
        if docs.lang[i] == docs.lang[j] or a in out or b in out or a == b:
            continue
        out[a] = b
        out[b] = a


def find_twins(
    reader: IndexReader,
    *,
    use_metadata: bool = True,
    use_content: bool = True,
    threshold: float = THRESHOLD,
) -> dict[str, str]:
    """The symmetric map ``id -> twin id`` of the live non-related documents of ``reader``.

    ``use_metadata=False`` links by content only (to measure it); ``threshold`` is the lowest
    cosine a content link needs.
    """
    docs = _eligible(reader)
    twins: dict[str, str] = {}
    if use_metadata:
        _link(_metadata_pairs(docs), docs, twins)
    if not use_content:
        return twins
    rest = np.array([i for i, d in enumerate(docs.ids) if d not in twins], dtype=np.int64)
    a, b, score = content_scores(reader, docs, rest)
    _link(_assign(a, b, score, threshold, MAX_ROUNDS), docs, twins)
    return twins


_CACHE: weakref.WeakKeyDictionary[IndexReader, tuple[int, dict[str, str]]] = (
    weakref.WeakKeyDictionary()
)


def twins_for(reader: IndexReader) -> dict[str, str]:
    """:func:`find_twins` of ``reader``, computed once per reader and generation."""
    hit = _CACHE.get(reader)
    if hit is not None and hit[0] == reader.generation:
        return hit[1]
    twins = find_twins(reader)
    _CACHE[reader] = (reader.generation, twins)
    return twins
