"""The memory budget of indexing: how much the writer may buffer, cache and merge at once.

Lucene bounds its writer with ``ramBufferSizeMB`` and the largest merge with
``TieredMergePolicy.maxMergedSegmentMB``; tantivy bounds its writer with ``heap_size``. searchlib
has one number for all of it, ``memory_mb`` (``Index(memory_mb=)``, ``create_index(memory_mb=)``,
``searchlib index --memory-mb``), :data:`DEFAULT_MEMORY_MB` unless given. It is shared out as:

* **the writer's buffer** (:attr:`MemoryBudget.buffer_bytes`, three eighths): buffered
  documents are written as a segment once their texts and stored fields would take more than
  this while the segment is analysed and sorted (:data:`CHAR_COST` bytes per buffered
  character at that peak);
* **the analysis caches** (:attr:`MemoryBudget.cache_bytes`, a quarter): each language's word
  cache and chunk table are dropped (and start again, empty) after a flush that leaves them
  larger (:meth:`searchlib.analysis.Analyzer.trim`);
* **merges** (:attr:`MemoryBudget.max_merge_bytes`): merges run while the buffer is empty and
  take half the budget: no merge takes inputs larger than what fits it at :data:`MERGE_COST`
  bytes of memory per byte of segment files (25 MB of files at the default budget), so segments
  stop growing at that size and searches run over more of them (``optimize()`` merges
  everything into one, on request only).

Worker processes (``searchlib index`` with ``--workers N``) share the budget: each of the N
workers gets ``1 / N`` of it for its buffer and caches (:meth:`MemoryBudget.share`); the writer
buffers nothing while they run, and merges once they are done.

What the budget does not cover is a constant: the interpreter, numpy, the analyzers' stemmers,
lexicon and country tables, at most :data:`BASE_MB` in one process. So the peak resident memory
of indexing stays under ``memory_mb + BASE_MB`` in one process, ``memory_mb`` plus ``BASE_MB``
per process with workers, whatever the size of the input (a single record larger than the
budget, a JSONL line of hundreds of megabytes, is the exception: it is held whole).
"""

from __future__ import annotations

import attrs

from searchlib.errors import ArgumentError

__all__ = [
    "BASE_MB",
    "CHAR_COST",
    "DEFAULT_MEMORY_MB",
    "MERGE_COST",
    "MIN_MEMORY_MB",
    "MemoryBudget",
]

DEFAULT_MEMORY_MB = 256
"""The budget when none is given."""

MIN_MEMORY_MB = 16
"""The smallest budget accepted (a worker's share may be smaller, never below a quarter)."""

BASE_MB = 110
"""Memory of one indexing process outside the budget: the interpreter, numpy and searchlib
(45 MB once both analyzers have run), the input block being read, the objects of the records
in flight and the allocator's slack. Measured peaks over the default budget (256 MB),
``searchlib index --workers 1`` of 16 copies of the news corpus (444 MB): 54 MB, and 66 MB
when the vocabulary grows with the copies (the analysis caches are emptied and filled again,
and the allocator keeps some of what they freed); with the writer's buffer at half the
budget, 4 copies at 32, 64 and 128 MB went 70-78 MB over."""

CHAR_COST = 16
"""Bytes of memory per buffered character of text at the peak of a flush: the buffered texts
and stored fields, their chunk ids, terms, positions and the sorts that group them into
postings (measured: 10-12 bytes a character at the flush, over a buffer of 3 a character, on
the news corpus)."""

MERGE_COST = 5
"""Bytes of memory per byte of the merged segments' files while they are merged (their terms,
ids and titles decoded, postings sorted and gathered; measured: 5.1 for ten segments of the
news corpus, 43 MB of files)."""


@attrs.frozen
class MemoryBudget:
    """A memory budget of ``mb`` megabytes for one indexing process (see the module doc)."""

    mb: float = DEFAULT_MEMORY_MB

    @classmethod
    def of(cls, memory_mb: object = None) -> MemoryBudget:
        """The budget of ``memory_mb`` (None: the default); ArgumentError unless it is a whole
        number of megabytes, at least :data:`MIN_MEMORY_MB`."""
        if memory_mb is None:
            return cls()
        if isinstance(memory_mb, MemoryBudget):
            return memory_mb
        if isinstance(memory_mb, bool) or not isinstance(memory_mb, int):
            raise ArgumentError(f"memory_mb must be a whole number of megabytes, got {memory_mb!r}")
        if memory_mb < MIN_MEMORY_MB:
            raise ArgumentError(f"memory_mb must be at least {MIN_MEMORY_MB}, got {memory_mb}")
        return cls(memory_mb)

    @property
    def bytes(self) -> int:
        return int(self.mb * (1 << 20))

    @property
    def buffer_bytes(self) -> int:
        """Memory the writer's buffered documents may take at the peak of a flush."""
        return self.bytes * 3 // 8

    @property
    def cache_bytes(self) -> int:
        """Memory the analysis caches (all languages) may keep between flushes."""
        return self.bytes // 4

    @property
    def max_merge_bytes(self) -> int:
        """The largest total size of segment files one merge takes (and so of a segment a
        merge makes): merges run when the buffer is empty, and take half the budget."""
        return self.bytes // 2 // MERGE_COST

    def buffer_full(self, chars: int, stored_bytes: int) -> bool:
        """Whether a buffer of ``chars`` characters of text and ``stored_bytes`` of stored
        fields is due to be flushed."""
        return chars * CHAR_COST + stored_bytes >= self.buffer_bytes

    def share(self, processes: int) -> MemoryBudget:
        """Each one's budget when ``processes`` processes share this one."""
        return MemoryBudget(max(self.mb / max(processes, 1), MIN_MEMORY_MB / 4))
