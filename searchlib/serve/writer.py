"""The writes of ``searchlib serve --allow-writes``, in a child process.

A commit indexes the new records, may merge segments and computes the twin links of the whole
index (a second or more of CPU on 23,600 documents): in the serving process it would hold the
interpreter's lock that every search needs. The server starts this program
(``python -m searchlib.serve.writer LOCATION LOCK_TIMEOUT``) at its first write and speaks
to it in lines of JSON on its standard input and output, one request at a time::

    {"op": "add", "records": [...]}   -> {"ok": {"added", "ids", "warnings", "pending"}}
    {"op": "delete", "id": "..."}     -> {"ok": {"deleted": id}}
    {"op": "commit"}                  -> {"ok": {"generation": n or null}}
    any error                         -> {"error": [status, type, message]}

The writer runs at a lower CPU priority (:data:`NICE`): on a busy machine a commit waits
for the searches rather than the other way round. The index (and its write lock) is opened
at the first change and closed after each commit, so
``searchlib index`` can write between commits. At end of input (the server stopped, or died)
the program discards what is not committed and exits.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from searchlib._json import dumps, loads
from searchlib.api import Index, open_index
from searchlib.errors import (
    ArgumentError,
    IngestError,
    LockError,
    QuerySyntaxError,
    SearchlibError,
)
from searchlib.ingest import parse_jsonl_record

__all__ = ["NICE", "Writes", "http_status", "main"]

NICE = 10
"""How much lower the writer's CPU priority is than the server's."""


def http_status(exc: BaseException) -> int:
    """The HTTP status answering a searchlib error: 400 for what the request got wrong (a
    query, a parameter, a record), 503 for a write lock held elsewhere, else 500."""
    if isinstance(exc, (QuerySyntaxError, ArgumentError, IngestError)):
        return 400
    if isinstance(exc, LockError):
        return 503
    return 500


class RequestError(Exception):
    """An error answered with ``status`` (the type and message are the reply's)."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


class Writes:
    """The writer's state: the index open for changes (or None) and the ids added since the
    last commit."""

    def __init__(self, location: str, lock_timeout: float) -> None:
        self.location = location
        self.lock_timeout = lock_timeout
        self.index: Index | None = None
        self.pending: set[str] = set()

    def _index(self) -> Index:
        if self.index is None:
            self.index = open_index(self.location, lock_timeout=self.lock_timeout)
        return self.index

    def add(self, body: Any) -> dict[str, Any]:
        """Add (or replace, by id) one JSONL record or a list of them; IngestError naming the
        record when one is bad (then none is added)."""
        items = body if isinstance(body, list) else [body]
        records = []
        warnings: list[str] = []
        for i, obj in enumerate(items):
            source = f"record {i}" if isinstance(body, list) else "record"
            notes: list[str] = []
            records.append(parse_jsonl_record(obj, source, notes.append))
            warnings += [f"{source}: {note}" for note in notes]
        index = self._index()
        for record in records:
            index.add(record)
            self.pending.add(record.id)
        return {
            "added": len(records),
            "ids": [r.id for r in records],
            "warnings": warnings,
            "pending": len(self.pending),
        }

    def delete(self, doc_id: str) -> dict[str, Any]:
        """Delete a document: 404 when neither the index nor the pending changes have it."""
        index = self._index()
        if doc_id not in index and doc_id not in self.pending:
            raise RequestError(
                404, "IndexStateError", f"no document with id {doc_id!r} in the index"
            )
        index.delete(doc_id)
        self.pending.discard(doc_id)
        return {"deleted": doc_id}

    def commit(self) -> dict[str, Any]:
        """Publish the changes (and the twin links); the index is closed after."""
        if self.index is None:
            return {"generation": None}
        try:
            generation = self.index.commit()
        finally:
            self.close()
        return {"generation": generation}

    def close(self) -> None:
        """Close the index: what is not committed is discarded, the write lock released."""
        if self.index is not None:
            self.index.close()
            self.index = None
        self.pending.clear()

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """One request's reply (``{"ok": ...}`` or ``{"error": [status, type, message]}``)."""
        try:
            op = request.get("op")
            if op == "add":
                result = self.add(request.get("records"))
            elif op == "delete":
                result = self.delete(str(request.get("id")))
            elif op == "commit":
                result = self.commit()
            else:
                raise RequestError(400, "ArgumentError", f"unknown operation {op!r}")
        except RequestError as exc:
            return {"error": [exc.status, exc.kind, str(exc)]}
        except (SearchlibError, OSError) as exc:
            return {"error": [http_status(exc), type(exc).__name__, str(exc)]}
        return {"ok": result}


def main(argv: list[str] | None = None) -> int:
    """Serve requests from standard input until its end (see the module docstring)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m searchlib.serve.writer LOCATION LOCK_TIMEOUT", file=sys.stderr)
        return 2
    writes = Writes(args[0], float(args[1]))
    try:
        os.nice(NICE)  # searches first: a commit may take longer, a search should not
    except OSError:
        pass
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # the replies' pipe carries nothing else
    try:
        for line in sys.stdin.buffer:
            if line.strip():
                out.write(dumps(writes.handle(loads(line))) + b"\n")
                out.flush()
    finally:
        writes.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
