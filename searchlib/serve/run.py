"""``searchlib serve``: run the application under uvicorn (one process; requests in threads)."""

from __future__ import annotations

import socket
import sys
from collections.abc import Sequence

import uvicorn

from searchlib.errors import ArgumentError
from searchlib.serve.app import DEFAULT_TIME_BUDGET_S, TOKEN_ENV, create_app, token_from_env

__all__ = ["MALLOC_ARENAS", "serve"]

MALLOC_ARENAS = 2
"""glibc malloc arenas of the server (``M_ARENA_MAX``; glibc's default is 8 per core): each
thread of the pool would otherwise take an arena of its own, which keep what they held. The
load test's server grew 164 -> 360 MB in 160 s of searches and commits with the default, and
stayed at 235 MB with 2 (benchmarks/README.md); searches are no slower."""


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Set glibc's ``M_ARENA_MAX`` (before the server's threads start); False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(-8, arenas))  # M_ARENA_MAX is -8 in glibc's malloc.h
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0: a free one), not yet listening.

    Its protocol is IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off only on sockets
    that say they are TCP, and with it on, a keep-alive request waited 40 ms for the client's
    delayed ACK (uvicorn writes a response's head and body apart): 44-48 ms a request on one
    connection, 0.7-3 ms now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


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
    limit_malloc_arenas()
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    where = f"[{host}]" if sock.family == socket.AF_INET6 else host
    writes = "writes allowed" if allow_writes else "read-only"
    print(f"searchlib serve: http://{where}:{bound}/ (index {index}, {writes})", flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])  # until SIGINT or SIGTERM (the app's shutdown closes it)
    finally:
        sock.close()
    return 0
