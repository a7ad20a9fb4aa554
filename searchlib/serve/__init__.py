"""``searchlib serve``: an HTTP JSON API (and a search page) over an index, on FastAPI under
uvicorn.

It needs the ``serve`` extra (``pip install 'searchlib[serve]'``: FastAPI, uvicorn, Jinja2);
without it, :func:`require_serve` raises :class:`~searchlib.errors.MissingExtraError` naming the
extra, which the command line prints as one line. The application itself is
:func:`searchlib.serve.app.create_app`; the page at ``/`` is :mod:`searchlib.serve.page`.

This module imports nothing from FastAPI, so it can say so.
"""

from __future__ import annotations

from searchlib.errors import MissingExtraError

__all__ = ["EXTRA", "require_serve"]

EXTRA = "serve"


def require_serve() -> None:
    """Raise MissingExtraError when FastAPI or uvicorn cannot be imported."""
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(
            EXTRA,
            f"searchlib serve needs FastAPI and uvicorn ({exc.name} is missing), in the "
            "'serve' extra: pip install 'searchlib[serve]'",
        ) from exc
