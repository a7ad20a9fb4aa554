"""``searchlib serve``: run the application under uvicorn (one process; requests in threads)."""

from __future__ import annotations

import socket
from collections.abc import Sequence

import uvicorn

from searchlib.errors import ArgumentError
from searchlib.serve.app import DEFAULT_TIME_BUDGET_S, TOKEN_ENV, create_app, token_from_env

__all__ = ["serve"]


def serve(
    index: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    allow_writes: bool = False,
    token: str | None = None,
    cors_origins: Sequence[str] = (),
    time_budget_s: float | None = None,
) -> int:
    """Serve ``index`` on ``host:port`` until interrupted (SIGINT or SIGTERM); returns 0.

    The listening socket is bound first, so port 0 takes a free port; the first line on
    standard output is the address (``searchlib serve: http://127.0.0.1:PORT/ ...``).
    ArgumentError (before anything listens) when writes are allowed without a token.
    """
    token = token_from_env(token)
    if allow_writes and not token:
        raise ArgumentError(f"--allow-writes needs a token: give --token or set {TOKEN_ENV}")
    app = create_app(
        index,
        allow_writes=allow_writes,
        token=token,
        cors_origins=cors_origins,
        time_budget_s=DEFAULT_TIME_BUDGET_S if time_budget_s is None else time_budget_s,
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    bound = sock.getsockname()[1]
    where = f"[{host}]" if family == socket.AF_INET6 else host
    writes = "writes allowed" if allow_writes else "read-only"
    print(f"searchlib serve: http://{where}:{bound}/ (index {index}, {writes})", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])  # until SIGINT or SIGTERM (the app's shutdown closes it)
    finally:
        sock.close()
    return 0
