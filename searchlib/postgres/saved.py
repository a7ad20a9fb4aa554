"""Files the search layer saves beside a commit (the twin links), kept in the coordinator's
``saved`` table: :class:`SavedFiles` is the :class:`~searchlib.storage.Directory` that
:func:`searchlib.search.twins.store_twins` writes to, and :meth:`PgSnapshot.saved
<searchlib.postgres.source.PgSnapshot.saved>` reads them back, so every process reading a
generation loads its twins instead of computing them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from psycopg import sql

from searchlib.errors import IndexStateError
from searchlib.postgres.db import Database

__all__ = ["SavedFiles", "ensure_saved_table"]


def ensure_saved_table(db: Database) -> None:
    db.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {}.saved (name text PRIMARY KEY, data bytea NOT NULL)"
        ).format(db.s)
    )


class SavedFiles:
    """A :class:`~searchlib.storage.Directory` of named blobs in the coordinator's ``saved``."""

    def __init__(self, db: Database) -> None:
        self.db = db
        ensure_saved_table(db)

    def _q(self, text: str) -> sql.Composed:
        return sql.SQL(text).format(self.db.s)

    def describe(self, name: str) -> str:
        return f"{self.db.where} {self.db.schema}.saved[{name!r}]"

    def list(self) -> list[str]:
        return [r[0] for r in self.db.query(self._q("SELECT name FROM {}.saved ORDER BY name"))]

    def exists(self, name: str) -> bool:
        return bool(self.db.query(self._q("SELECT 1 FROM {}.saved WHERE name = %s"), (name,)))

    def read(self, name: str) -> memoryview:
        rows = self.db.query(self._q("SELECT data FROM {}.saved WHERE name = %s"), (name,))
        if not rows:
            raise FileNotFoundError(self.describe(name))
        return memoryview(bytes(rows[0][0]))

    def size(self, name: str) -> int:
        return len(self.read(name))

    def write(self, name: str, chunks: Iterable[bytes]) -> int:
        data = b"".join(chunks)
        self.db.execute(
            self._q(
                "INSERT INTO {}.saved VALUES (%s, %s) ON CONFLICT (name)"
                " DO UPDATE SET data = excluded.data"
            ),
            (name, data),
        )
        return len(data)

    def write_atomic(self, name: str, chunks: Iterable[bytes]) -> int:
        return self.write(name, chunks)  # one statement: atomic already

    def delete(self, name: str) -> None:
        self.db.execute(self._q("DELETE FROM {}.saved WHERE name = %s"), (name,))

    def sync(self) -> None:
        return None

    @contextmanager
    def lock(self, timeout: float) -> Iterator[None]:
        raise IndexStateError(
            "saved files take no lock of their own (the index's writer holds one)"
        )
        yield  # pragma: no cover
