"""A point-in-time view of the index: the segments of one commit and their global statistics.

An :class:`IndexReader` never changes: it keeps the generation it opened (its files stay mapped
even if a writer later removes them), and :meth:`IndexReader.reopen` gives a view of the newest
commit. It implements :class:`searchlib.seam.IndexSource`, the interface the search layer reads an
index through (doc counts, document frequencies and field lengths summed over every segment, so
scores do not depend on how the documents happen to be split into segments); its segments are
:class:`~searchlib.seam.SegmentSource` implementations. The search layer keeps its own
per-snapshot work (statistics, norms, impacts) in :mod:`searchlib.search.cache`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from searchlib.errors import CorruptIndexError, IndexNotFoundError
from searchlib.index.manifest import Manifest, latest_generation, read_manifest
from searchlib.index.segment import SegmentReader
from searchlib.schema import COLUMN_TABLES, LANG_COLUMN, StoredDoc
from searchlib.storage import Directory

__all__ = ["IndexReader"]


QUIET_NS = 2_000_000_000
"""How long (ns) a folder must have been unchanged before a listing for its stamp to stand for
that listing (:meth:`IndexReader.reopen`)."""


class IndexReader:
    """The segments of one commit, with statistics across all of them."""

    def __init__(
        self, directory: Directory, manifest: Manifest, segments: list[SegmentReader]
    ) -> None:
        self.directory = directory
        self.manifest = manifest
        self.segments = segments
        self._field_docs: dict[str, int] = {}
        self._lang_docs: dict[str | None, int] = {}
        self._df_cache: dict[tuple[str, str], int] = {}
        self._unchanged: tuple[int, ...] | None = None  # (see reopen)

    @classmethod
    def open(
        cls,
        directory: Directory,
        generation: int | None = None,
        reuse: Sequence[SegmentReader] = (),
    ) -> IndexReader:
        """Open the newest commit (or ``generation``), retrying if a writer replaces it.

        Between listing the folder and mapping the files of the newest commit, a writer may
        publish a newer one and delete the older files: a missing file is then retried on the
        newer commit (as long as commits keep coming), and reported as damage only when the
        commit being opened is still the newest. Once open, the reader holds every file mapped,
        so later deletions do not affect it.

        ``reuse``: segment readers of an earlier snapshot; a segment the new commit still has,
        with the same deletions, is shared instead of opened again (its files, checks and
        decoded tables are the same).
        """
        known = {(s.name, s.deletes_file): s for s in reuse}
        attempt = 0
        while True:
            tried = generation if generation is not None else latest_generation(directory)
            try:
                manifest = read_manifest(directory, tried)
                segments = [
                    known.get((s.name, s.deletes)) or SegmentReader(directory, s)
                    for s in manifest.segments
                ]
                return cls(directory, manifest, segments)
            except CorruptIndexError:
                # Retry on a newer commit, but report real damage of the newest one.
                latest = latest_generation(directory)
                if generation is not None or latest is None or latest == tried:
                    raise
                attempt += 1
                if attempt > 100:
                    raise CorruptIndexError(
                        directory.describe(""), "index kept changing while being opened"
                    ) from None
                time.sleep(0.001 * min(attempt, 10))

    def reopen(self) -> IndexReader:
        """This reader if it is current, else a reader of the newest commit.

        A listing of the folder taken while a commit renames its manifest in and deletes the
        previous one may show neither (readdir guarantees only the entries that do not change
        during the scan); a committed index never loses its last manifest, so "no commit" is
        read as "none newer" and this snapshot is kept.

        A search calls this every time, so the folder is listed only when its stamp (its
        modification time...: :meth:`FileDirectory.stamp`) differs from the one it had when
        a listing last found this generation newest, and that stamp is remembered only when
        the folder had not changed for :data:`QUIET_NS` before the listing: any later change
        then gives it a new modification time (a change within the clock tick of the
        remembered one would not), as git trusts a file's stat only when it is older than
        the index that recorded it."""
        stamp_of = getattr(self.directory, "stamp", None)
        stamp: tuple[int, ...] | None = stamp_of() if stamp_of is not None else None
        if stamp is not None and stamp == self._unchanged:
            return self
        listed = time.time_ns()
        latest = latest_generation(self.directory)
        if latest is None or latest == self.generation:
            if latest is not None and stamp is not None and listed - max(stamp[:2]) > QUIET_NS:
                self._unchanged = stamp
            return self
        try:
            return IndexReader.open(self.directory, reuse=self.segments)
        except IndexNotFoundError:  # the same race, in the listing of open()
            return self

    @property
    def generation(self) -> int:
        return self.manifest.generation

    def verify(self) -> None:
        """Verify every file of every segment now, those a search reads late included (the
        stored fields: :data:`~searchlib.index.segment.LATE_EXTS`); CorruptIndexError names
        a damaged file. A writer does before it commits on top of the snapshot, a server
        before it serves it, ``searchlib check`` before its checks (a program's searches
        verify the stored fields of a segment when they first read them)."""
        for seg in self.segments:
            seg.verify()

    # -- statistics -----------------------------------------------------------------------------

    @property
    def doc_count(self) -> int:
        """Live documents."""
        return sum(s.live_count for s in self.segments)

    def lang_doc_count(self, lang: str | None = None) -> int:
        """Documents of ``lang`` (every document when None), deleted ones included, as for df."""
        counts = self._lang_docs
        n = counts.get(lang)
        if n is None:
            n = 0
            for s in self.segments:
                if lang is None:
                    n += s.ndocs
                else:
                    code = s.column_codes(COLUMN_TABLES[LANG_COLUMN], lang)
                    if code >= 0:
                        n += int(np.count_nonzero(s.cols[LANG_COLUMN] == code))
            counts[lang] = n
        return n

    def field_doc_count(self, field: str) -> int:
        """Documents (deleted ones included, as Lucene does) with at least one term in ``field``."""
        n = self._field_docs.get(field)
        if n is None:
            n = 0
            for s in self.segments:
                arr = s.lengths.get(field)
                if arr is not None:
                    n += int((arr > 0).sum())
            self._field_docs[field] = n
        return n

    def field_length_total(self, field: str) -> int:
        return sum(int(s.length_totals.get(field, 0)) for s in self.segments)

    def avg_field_length(self, field: str) -> float:
        n = self.field_doc_count(field)
        return self.field_length_total(field) / n if n else 0.0

    def doc_freq(self, field: str, term: str) -> int:
        key = (field, term)
        df = self._df_cache.get(key)
        if df is None:
            df = sum(s.doc_freq(field, term) for s in self.segments)
            self._df_cache[key] = df
        return df

    def saved(self, name: str) -> bytes | None:
        """A file the search layer saved beside this commit (the twin links), or None."""
        if not self.directory.exists(name):
            return None
        return bytes(self.directory.read(name))

    def field_names(self) -> list[str]:
        return sorted({f for s in self.segments for f in s.field_names})

    # -- documents ----------------------------------------------------------------------------

    def locate(self, doc_id: str) -> tuple[int, int] | None:
        """(segment index, doc number) of a live document, or None."""
        for i in range(len(self.segments) - 1, -1, -1):
            d = self.segments[i].docnum(doc_id)
            if d >= 0:
                return i, d
        return None

    def document(self, doc_id: str) -> StoredDoc | None:
        """The stored fields of ``doc_id``, or None when it is not in the index."""
        loc = self.locate(doc_id)
        return None if loc is None else self.segments[loc[0]].stored(loc[1])

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.locate(doc_id) is not None

    def iter_documents(self) -> Iterator[StoredDoc]:
        for s in self.segments:
            for d in range(s.ndocs):
                if s.live is None or s.live[d]:
                    yield s.stored(d)

    def stats(self) -> dict[str, Any]:
        """{"docs", "segments", "generation", "docs_by_kind", "docs_by_lang", "bytes"}."""
        kinds: Counter[str] = Counter()
        langs: Counter[str] = Counter()
        for s in self.segments:
            live = slice(None) if s.live is None else s.live
            for col, counter in (("kind", kinds), (LANG_COLUMN, langs)):
                table = s.col_tables[COLUMN_TABLES[col]]
                codes = s.cols[col][live]
                for code, count in Counter(codes.tolist()).items():
                    counter[table[code]] += count
        # The sizes of the files this snapshot holds mapped, not of the folder's entries: a
        # writer may have deleted them since (the snapshot still reads them).
        size = self.manifest.nbytes + sum(s.nbytes for s in self.segments)
        return {
            "docs": self.doc_count,
            "segments": len(self.segments),
            "generation": self.generation,
            "docs_by_kind": dict(sorted(kinds.items())),
            "docs_by_lang": dict(sorted(langs.items())),
            "bytes": size,
        }
