"""Integrity check (after SQLite FTS5's): every checksum, then statistics recomputed from postings.

For each segment and field it verifies that postings are in ascending doc order inside each term,
that doc numbers are in range, that the positions add up to the term frequencies and ascend inside
each posting, and that field lengths and their totals equal what the postings imply; and that the
letter sketches of the terms and words (did-you-mean's) are those of their strings.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from searchlib._types import LANGS
from searchlib.errors import CorruptIndexError
from searchlib.index.reader import IndexReader
from searchlib.index.segment import SegmentReader
from searchlib.storage import Directory, string_signatures

__all__ = ["check_index"]


def _check_segment(seg: SegmentReader) -> None:
    for field in seg.field_names:
        where = seg.directory.describe(f"{seg.name}.post")
        a = seg.field_arrays(field)
        start = a["start"].astype(np.int64)
        docs = a["docs"].astype(np.int64)
        tfs = a["tfs"].astype(np.int64)
        terms = seg.terms(field)
        if (
            start.size != len(terms) + 1
            or start[0] != 0
            or start[-1] != docs.size
            or (np.diff(start) <= 0).any()
        ):
            raise CorruptIndexError(
                seg.directory.describe(f"{seg.name}.terms"),
                f"{field}: term offsets do not cover the postings",
            )
        if terms != sorted(terms) or len(set(terms)) != len(terms):
            raise CorruptIndexError(
                seg.directory.describe(f"{seg.name}.terms"), f"{field}: terms not sorted and unique"
            )
        if docs.size and (docs.max() >= seg.ndocs):
            raise CorruptIndexError(where, f"{field}: doc number out of range")
        if (tfs <= 0).any():
            raise CorruptIndexError(where, f"{field}: zero term frequency")
        inside = np.ones(docs.size, dtype=bool)
        inside[start[:-1]] = False
        if docs.size > 1 and (np.diff(docs)[inside[1:]] <= 0).any():
            raise CorruptIndexError(where, f"{field}: postings not in ascending doc order")
        pos = a["pos"].astype(np.int64)
        pstart = a["pstart"].astype(np.int64)
        offs = np.zeros(tfs.size + 1, dtype=np.int64)
        np.cumsum(tfs, out=offs[1:])
        if pos.size != offs[-1] or not np.array_equal(pstart, offs[start]):
            raise CorruptIndexError(
                seg.directory.describe(f"{seg.name}.pos"),
                f"{field}: positions do not match term frequencies",
            )
        heads = np.zeros(pos.size, dtype=bool)
        heads[offs[:-1][tfs > 0]] = True
        if pos.size > 1 and (np.diff(pos)[~heads[1:]] <= 0).any():
            raise CorruptIndexError(
                seg.directory.describe(f"{seg.name}.pos"),
                f"{field}: positions not ascending in a posting",
            )
        lengths = np.bincount(docs, weights=tfs, minlength=seg.ndocs).astype(np.int64)
        stored = seg.lengths.get(field)
        if stored is None or not np.array_equal(lengths, stored.astype(np.int64)):
            raise CorruptIndexError(
                seg.directory.describe(f"{seg.name}.len"),
                f"{field}: field lengths differ from postings",
            )
        if int(seg.length_totals.get(field, -1)) != int(lengths.sum()):
            raise CorruptIndexError(
                seg.directory.describe(f"{seg.name}.len"),
                f"{field}: length total differs from postings",
            )


def _check_signatures(seg: SegmentReader) -> None:
    """The letter sketches stored beside the term and word tables (``.terms`` version 3) are
    those of their strings: a wrong one would make did-you-mean pass over a word."""
    tables = [seg.term_table(field) for field in seg.field_names]
    for lang in LANGS:
        words = seg.word_tables(lang)
        tables.append(None if words is None else words[0])
    for table in tables:
        stored = None if table is None else table.stored_signatures
        if table is not None and stored is not None:
            if not np.array_equal(stored, string_signatures(table.buf, table.ends)):
                raise CorruptIndexError(table.path, f"{table.what}: signatures differ from it")


def check_index(directory: Directory) -> dict[str, object]:
    """Verify the newest commit; return a summary or raise CorruptIndexError naming the file.

    The commit is checked as one snapshot (the files its reader holds mapped, each file's
    checksum verified before any check reads it: as the segment opens, the stored fields by
    :meth:`SegmentReader.verify <searchlib.index.segment.SegmentReader.verify>` first), so
    a writer committing meanwhile cannot make it fail.
    """
    reader = IndexReader.open(directory)
    manifest = reader.manifest
    ids: Counter[str] = Counter()
    postings = 0
    for seg in reader.segments:
        seg.verify()  # (files a search reads late: verified here whatever follows)
        _check_segment(seg)
        _check_signatures(seg)
        postings += sum(int(seg.field_arrays(f)["docs"].size) for f in seg.field_names)
        seg_ids = seg.ids  # the id table must hold exactly one id per document
        for d, doc_id in enumerate(seg_ids):
            if seg.live is None or seg.live[d]:
                ids[doc_id] += 1
        for d in range(seg.ndocs):
            stored_id = seg.stored(d).get("id")
            if stored_id != seg_ids[d]:
                raise CorruptIndexError(
                    directory.describe(f"{seg.name}.cols"),
                    f"document {d}: id table says {seg_ids[d]!r}, stored fields {stored_id!r}",
                )
    dupes = [d for d, n in ids.items() if n > 1]
    if dupes:
        raise CorruptIndexError(
            directory.describe(manifest.name), f"document ids live twice: {dupes[:5]}"
        )
    return {
        "generation": manifest.generation,
        "segments": len(reader.segments),
        "docs": reader.doc_count,
        "postings": postings,
        "files": len(manifest.files()),
    }
