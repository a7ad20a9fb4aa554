"""The one exception hierarchy of searchlib.

Every error searchlib raises on purpose derives from :class:`SearchlibError`::

    SearchlibError
     +-- IngestError            bad input: names the file and, where it has one, the line
     +-- AnalysisError          an analyzer was misconfigured or asked for an unknown language
     +-- QuerySyntaxError       (also ValueError) a query could not be parsed; names the position
     +-- ArgumentError          (also ValueError) a number or option outside what a call accepts
     +-- IndexStateError        the index was used in a way its state does not allow
     |    +-- IndexNotFoundError  no index at that path
     +-- LockError              another writer holds the index lock
     +-- MissingExtraError      (also ImportError) an optional dependency is not installed
     +-- AfterCommitError       a commit was published, then a later step (merge...) failed
     +-- CorruptIndexError      a file of the index is damaged or foreign; names the file
          +-- IndexFormatTooOldError  written by an older searchlib this one no longer reads
          +-- IndexFormatTooNewError  written by a newer searchlib (not damaged)

Input kept with a loss (a record indexed without its unparseable date) is reported as an
:class:`IngestWarning`, a value with the same fields as IngestError that is never raised.

No class is called ``IndexError``: that would shadow the builtin (Whoosh did).
"""

from __future__ import annotations

__all__ = [
    "AfterCommitError",
    "AnalysisError",
    "ArgumentError",
    "CorruptIndexError",
    "IndexFormatTooNewError",
    "IndexFormatTooOldError",
    "IndexNotFoundError",
    "IndexStateError",
    "IngestError",
    "IngestWarning",
    "LockError",
    "MissingExtraError",
    "QuerySyntaxError",
    "SearchlibError",
]


class SearchlibError(Exception):
    """Base class of every error searchlib raises on purpose."""


class IngestError(SearchlibError):
    """Input that cannot be turned into records.

    Attributes:
        path: the file the input came from ("<string>" when it was not a file).
        line: 1-based line number inside the file, or None when the whole file is bad.
        reason: what is wrong, in words.
    """

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")


class IngestWarning:
    """Input that was indexed with a loss, e.g. a record whose date could not be read (a
    report, not an exception: nothing was skipped).

    Attributes:
        path: the file the input came from.
        line: 1-based line number inside the file, or None.
        reason: what was lost and why, in words.
    """

    __slots__ = ("line", "path", "reason")

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"

    def __repr__(self) -> str:
        return f"IngestWarning({self.path!r}, {self.reason!r}, line={self.line!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IngestWarning):
            return NotImplemented
        return (self.path, self.line, self.reason) == (other.path, other.line, other.reason)

    def __hash__(self) -> int:
        return hash((self.path, self.line, self.reason))


class AnalysisError(SearchlibError):
    """An analyzer was misconfigured or asked for something it does not know."""


class QuerySyntaxError(SearchlibError, ValueError):
    """A query string could not be parsed.

    Attributes:
        query: the query string.
        position: 0-based character offset of the problem.
        reason: what is wrong.
    """

    def __init__(self, query: str, position: int, reason: str) -> None:
        self.query = query
        self.position = position
        self.reason = reason
        super().__init__(f"query syntax error at position {position}: {reason}")


class ArgumentError(SearchlibError, ValueError):
    """An argument outside what the call accepts: a limit, offset or cut-off that is not a
    whole number in its documented range (a result window past its limit, a negative offset),
    or an option value the call does not know. The message names the argument."""


class IndexStateError(SearchlibError):
    """The index was used in a way its current state does not allow (closed, read-only...)."""


class IndexNotFoundError(IndexStateError):
    """There is no index at the given path."""


class LockError(SearchlibError):
    """Another writer holds the index's write lock."""


class MissingExtraError(SearchlibError, ImportError):
    """A feature needs an optional dependency that is not installed.

    Attributes:
        extra: the name of the extra that installs it (``pip install 'searchlib[EXTRA]'``).
    """

    def __init__(self, extra: str, reason: str) -> None:
        self.extra = extra
        super().__init__(reason)


class AfterCommitError(SearchlibError):
    """A commit was published, then a step after it failed (a merge or cleanup on a full disk).

    The commit happened: its changes are in the index as generation ``generation``. A plain
    exception from ``commit()`` means the opposite: nothing was published.

    Attributes:
        generation: the generation the commit published.
        step: what failed after it ("merge", "cleanup", "reopen").
    """

    def __init__(self, generation: int, step: str, cause: BaseException) -> None:
        self.generation = generation
        self.step = step
        super().__init__(
            f"commit published as generation {generation}, then the {step} after it failed: {cause}"
        )


class CorruptIndexError(SearchlibError):
    """A file of the index is damaged, truncated or not a searchlib file.

    Attributes:
        path: the damaged file.
        detail: what was found wrong.
    """

    def __init__(self, path: str, detail: str) -> None:
        self.path = str(path)
        self.detail = detail
        super().__init__(f"corrupt index file {self.path}: {detail}")


class IndexFormatTooOldError(CorruptIndexError):
    """The file was written by an older, unsupported format version."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(path, detail)
        self.args = (
            f"index file {self.path} was written by an older searchlib, whose format this one "
            f"no longer reads ({detail}): rebuild the index",
        )


class IndexFormatTooNewError(CorruptIndexError):
    """The file was written by a newer format version than this searchlib reads (it is not
    damaged: a newer searchlib reads it).

    >>> str(IndexFormatTooNewError("s1.store", "v3 > v2"))
    'index file s1.store was written by a newer searchlib (v3 > v2): upgrade searchlib to read it'
    """

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(path, detail)
        self.args = (
            f"index file {self.path} was written by a newer searchlib ({detail}): "
            "upgrade searchlib to read it",
        )
