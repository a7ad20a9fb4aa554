"""The PostgreSQL backend: the same Index API over a PostgreSQL index sharded with postgres_fdw.

``searchlib.open_index("postgresql://user@host:port/db")`` (or ``create_index``) returns a
:class:`~searchlib.postgres.index.PostgresIndex`. It needs the ``postgres`` extra
(``pip install 'searchlib[postgres]'``: psycopg 3); without it, opening such an index raises
:class:`~searchlib.errors.MissingExtraError` naming the extra. See docs/postgres.md.

This module imports nothing from psycopg itself, so it can say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from searchlib.errors import MissingExtraError

if TYPE_CHECKING:
    from searchlib.postgres.index import PostgresIndex

__all__ = ["EXTRA", "is_postgres_url", "open_postgres", "require_psycopg"]

EXTRA = "postgres"


def is_postgres_url(path: object) -> bool:
    """Whether ``path`` names a PostgreSQL index (``postgresql://`` or ``postgres://``)."""
    return isinstance(path, str) and path.startswith(("postgresql://", "postgres://"))


def require_psycopg() -> None:
    """Raise MissingExtraError when psycopg (3.x) cannot be imported."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(
            EXTRA,
            "a postgresql:// index needs psycopg 3, in the 'postgres' extra: "
            "pip install 'searchlib[postgres]'",
        ) from exc


def open_postgres(url: str, *, create: bool = False, **kwargs: Any) -> PostgresIndex:
    """The PostgreSQL index at ``url`` (created when ``create`` and absent)."""
    require_psycopg()
    from searchlib.postgres.index import PostgresIndex

    return PostgresIndex(url, create=create, **kwargs)
