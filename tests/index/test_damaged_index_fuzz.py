"""Damaged indexes: opening, searching and checking one only ever raises CorruptIndexError.

A small real index (two segments, deletions, both languages, related items) is damaged in
memory, one way per case, and every read path runs on it: open, searches of each query kind
with filters, facets, snippets and twins, ``get``, ``related``, stats, every stored document,
and ``check``. The damage is either raw (a flipped, inserted or dropped byte, a truncation: the
checksums catch it) or structured (a number, a table entry, a count or a name changed and the
file re-encoded with a valid checksum, a file swapped for another segment's: the format's own
validation must catch it before anything reads past an array or allocates what the files
cannot hold).

Bounds asserted per case: any exception is a CorruptIndexError (IndexFormatTooNew/TooOld are
kinds of it; a deleted manifest is IndexNotFoundError: no index); a case takes under
``CASE_SECONDS``; Python and numpy allocations (tracemalloc) peak under ``PEAK_BYTES``, 32 MB,
for this index of about 40 KB (the format's own bound: arrays are views of the mapped files,
what reading allocates is proportional to them, plus at most one decompressed block of stored
fields, ``segment._MAX_STORE_BLOCK``). The normal suite runs ``QUICK_CASES`` cases, one in ten
traced; the slow tier (``pytest -m slow``) runs ``SLOW_CASES`` more, all traced.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import tracemalloc
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from index_helpers import brief

import searchlib
from searchlib.api import Index
from searchlib.errors import CorruptIndexError, IndexNotFoundError, IndexStateError
from searchlib.index.check import check_index
from searchlib.records import RelatedItem
from searchlib.storage import MemoryDirectory, decode_array_file, encode_array_file

QUICK_CASES = 250
SLOW_CASES = 3000
CASE_SECONDS = 10.0
PEAK_BYTES = 32 << 20

MANIFEST = "manifest_00000002"
IDS = ["es-0", "en-1", "es-2", "en-25", "es-30", "rel-x"]
QUERIES = [
    "coca",
    "cocaine cartel",
    '"drug trafficking"',
    "coca~1",
    "car*",
    "*ca*",
    "police -army",
    "title:coca OR body:prison",
    "narcotráfico",
    "*",
]


def build(path: Path) -> dict[str, bytes]:
    rel = RelatedItem(section="Peru", date=dt.date(2012, 3, 4), teaser="coca growers protest")
    with searchlib.create_index(path) as index:
        for i in range(24):
            index.add(brief(i, "en" if i % 2 else "es", related=(rel,) if i % 5 == 0 else ()))
        index.commit(merge=False)
        for i in range(24, 40):
            index.add(brief(i, "en" if i % 3 else "es", words=30))
        index.delete("es-2")
        index.delete("en-25")
        index.commit(merge=False)
    return {p.name: p.read_bytes() for p in path.iterdir() if p.name != "write.lock"}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    files = build(tmp_path_factory.mktemp("fuzz") / "idx")
    run_reads(files)  # the undamaged index reads cleanly
    return files


# -- damage -------------------------------------------------------------------------------------


def _format_of(name: str) -> str:
    if name.startswith("manifest_"):
        return "manifest"
    if name.endswith(".del"):
        return "deletes"
    if name.startswith("twins_"):
        return "twins"
    return "segment-" + name.rsplit(".", 1)[1]


def _wild_value(rng: random.Random) -> Any:
    return rng.choice(
        [
            0,
            1,
            -1,
            2**31,
            2**63,
            10**12,
            -(10**9),
            1.5,
            None,
            True,
            "",
            "../x",
            "s000001",
            [],
            {},
            [1, 2],
            {"a": 1},
            "x" * 50,
        ]
    )


def _mutate_json(value: Any, rng: random.Random, depth: int = 0) -> Any:
    """``value`` with one leaf (or one container) replaced, added to or removed from."""
    if isinstance(value, dict) and value and rng.random() < 0.85:
        key = rng.choice(sorted(value, key=str))
        out = dict(value)
        r = rng.random()
        if r < 0.1:
            del out[key]
        else:
            out[key] = _mutate_json(value[key], rng, depth + 1)
        return out
    if isinstance(value, list) and value and rng.random() < 0.85:
        i = rng.randrange(len(value))
        out_l = list(value)
        r = rng.random()
        if r < 0.1:
            del out_l[i]
        elif r < 0.2:
            out_l.append(out_l[i])
        else:
            out_l[i] = _mutate_json(value[i], rng, depth + 1)
        return out_l
    if isinstance(value, int) and not isinstance(value, bool) and rng.random() < 0.5:
        return value + rng.choice([-1, 1, -value, value, 7])
    if isinstance(value, str) and value and rng.random() < 0.5:
        i = rng.randrange(len(value))
        return value[:i] + rng.choice(["", "\0", "/", "9", "é"]) + value[i + 1 :]
    return _wild_value(rng)


def _mutate_array(arr: np.ndarray, rng: random.Random) -> np.ndarray:
    a = arr.copy()
    r = rng.random()
    if a.size and r < 0.6:
        info = np.iinfo(a.dtype) if a.dtype.kind in "iu" else None
        choices = [0, 1, int(a.max()) + 1 if a.size else 1]
        if info is not None:
            choices += [int(info.max), int(info.min)]
        value = rng.choice(choices + [rng.randrange(0, 1 << 16)])
        if info is not None:
            value = max(int(info.min), min(int(info.max), value))
        a[rng.randrange(a.size)] = value
        return a
    if r < 0.8 and a.size:
        return a[: rng.randrange(a.size)]
    if r < 0.9 and a.size > 1:
        return a[::-1].copy()
    return np.concatenate([a, a[: rng.randrange(1, 4)]]) if a.size else np.zeros(3, a.dtype)


def _reencode(data: bytes, name: str, rng: random.Random) -> bytes:
    """The file with one array element, array or meta entry changed, checksum made valid."""
    f = decode_array_file(data, name, _format_of(name), 1, 99, verify=False)
    arrays = dict(f.arrays)
    meta = f.meta
    if arrays and rng.random() < 0.6:
        key = rng.choice(sorted(arrays))
        if rng.random() < 0.1:
            del arrays[key]
        else:
            arrays[key] = _mutate_array(arrays[key], rng)
    else:
        meta = _mutate_json(meta, rng)
        if not isinstance(meta, dict):
            meta = {"x": meta}
    return b"".join(encode_array_file(f.name, f.version, arrays, meta))


def _raw(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    r = rng.random()
    i = rng.randrange(len(b))
    if r < 0.5:
        b[i] ^= 1 << rng.randrange(8)
    elif r < 0.65:
        del b[i]
    elif r < 0.8:
        b.insert(i, rng.randrange(256))
    else:
        del b[i:]
    return bytes(b)


def damage(files: dict[str, bytes], rng: random.Random) -> tuple[dict[str, bytes], str]:
    """One damaged copy of ``files`` and what was done."""
    out = dict(files)
    name = rng.choice(sorted(out))
    r = rng.random()
    if r < 0.25:
        out[name] = _raw(out[name], rng)
        return out, f"raw {name}"
    if r < 0.9:
        out[name] = _reencode(out[name], name, rng)
        return out, f"structured {name}"
    if r < 0.95:
        ext = name.rsplit(".", 1)[-1]
        others = [n for n in out if n != name and n.endswith("." + ext)]
        if others:
            out[name] = out[rng.choice(others)]
            return out, f"swapped {name}"
    del out[name]
    return out, f"deleted {name}"


# -- reads --------------------------------------------------------------------------------------


def run_reads(files: dict[str, bytes]) -> None:
    """Every read path on the index ``files`` (in memory)."""
    directory = MemoryDirectory()
    for name, data in files.items():
        directory.write(name, [data])
    index = Index(directory)
    for q in QUERIES:
        index.search(q, limit=5, facets=True, snippets=True)
    index.search("coca", country="peru", doc_lang="es", since=dt.date(2012, 1, 1), limit=3)
    index.search("cartel", kind="related", twins=True, cross_lingual=False)
    for doc_id in IDS:
        index.get(doc_id)
        try:
            index.related(doc_id, limit=3)
        except IndexStateError as exc:  # a damaged id table may well lose the id
            assert "no document with id" in str(exc)
    index.get("no-such-id")
    index.stats()
    json.dumps(index.stats())
    for _ in index.reader.iter_documents():
        pass
    check_index(directory)


def run_cases(pristine: dict[str, bytes], seeds: Iterable[int], measure_every: int) -> None:
    """Damage and read; allocations are traced for every ``measure_every``-th case (tracing
    makes a case five times slower)."""
    failures = []
    for seed in seeds:
        rng = random.Random(seed)
        files, what = damage(pristine, rng)
        traced = seed % measure_every == 0
        if traced:
            tracemalloc.start()
        t0 = time.perf_counter()
        try:
            run_reads(files)
        except CorruptIndexError:
            pass
        except IndexNotFoundError:
            if what != f"deleted {MANIFEST}":  # no manifest: no index (not a damaged one)
                failures.append(f"seed {seed} ({what}): IndexNotFoundError")
        except Exception as exc:  # noqa: BLE001 - what this test looks for
            failures.append(f"seed {seed} ({what}): {type(exc).__name__}: {exc}"[:300])
        finally:
            took = time.perf_counter() - t0
            if traced:
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                if peak > PEAK_BYTES:
                    failures.append(f"seed {seed} ({what}): allocated {peak >> 20} MB")
        if took > CASE_SECONDS:
            failures.append(f"seed {seed} ({what}): took {took:.1f} s")
    assert not failures, "\n".join(failures[:20]) + f"\n({len(failures)} in all)"


@pytest.mark.heavy
def test_damaged_index_raises_only_corrupt_index_error(pristine: dict[str, bytes]) -> None:
    run_cases(pristine, range(QUICK_CASES), measure_every=10)


# Seeds of the slow tier that once escaped as KeyError/TypeError: damaged column tables (a table
# that is not a list of strings, the sections column added by another change).
FOUND_SEEDS = (629, 863, 875, 1114, 1645, 2331, 2609, 3045)


def test_damaged_column_tables_found_by_the_slow_tier(pristine: dict[str, bytes]) -> None:
    run_cases(pristine, FOUND_SEEDS, measure_every=1)


@pytest.mark.slow
def test_damaged_index_raises_only_corrupt_index_error_many(pristine: dict[str, bytes]) -> None:
    run_cases(pristine, range(QUICK_CASES, QUICK_CASES + SLOW_CASES), measure_every=1)
