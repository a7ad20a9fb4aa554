"""The HTTP application of ``searchlib serve``: a JSON API over one index (and the page at ``/``).

:func:`create_app` builds the FastAPI application; uvicorn runs it (``searchlib serve``).
``app.state.searchlib`` is its :class:`ServeState`: the index (on the newest commit at each
request, so a commit made by this server or any other process is seen without a restart),
the JSON of the command line's ``--json`` for results and records, the time budget and the
writes. The page (:mod:`searchlib.serve.page`, its ``router``) is included when that
module exists; it reads the same state.

The API answers with the objects ``searchlib ... --json`` prints (one function makes each:
:func:`searchlib.render.search_json`, :func:`~searchlib.render.related_json`,
:func:`~searchlib.render.stored_record`, ``Index.stats()``):

========================  =============================================================
``GET /search``           ``q`` and the command line's options (``lang``, ``doc_lang``,
                          ``country``, ``kind``, ``section``, ``since``, ``until``,
                          ``limit``, ``offset``, ``twins``, ``facets``) and ``mode``:
                          ``syntax`` (the query syntax, ``--syntax strict``, the default),
                          ``lenient`` or ``plain``
``GET /docs/{id}``        the stored record (``searchlib get --json``)
``GET /related/{id}``     related items (``searchlib related --json``)
``GET /suggest?q=``       did-you-mean and completions of the last word, for a search box
``GET /stats``            ``searchlib stats --json``
``GET /health``           200 with the generation and document count, 503 when the index
                          cannot be opened (the server runs on, and opens it once it can)
``POST /docs``            (``--allow-writes``) a JSONL record or a list of them
``DELETE /docs/{id}``     (``--allow-writes``) delete a document
``POST /commit``          (``--allow-writes``) publish the changes
``GET /openapi.json``     the OpenAPI description (FastAPI's pages that show it load their
                          scripts from a CDN: they are off, nothing is fetched at run time)
========================  =============================================================

Errors are JSON objects ``{"error": message, "type": name, "status": code}`` with the
command line's message: 400 for a bad query (with its ``position``, an ``excerpt`` and the
``caret``'s column in it, as the command line shows them) or parameter, 404 for an unknown id
or path, 401 without the bearer token and 403 with a wrong one, 413 for a request body past
:data:`MAX_BODY_BYTES`, 503 while the index cannot be opened or its write lock is held by
another process, and 503 (type ``TimeBudgetExceeded``) when a request takes longer than its
time budget: the request is answered then, while the search it started finishes in its thread
(Python cannot stop a thread); while :data:`MAX_OVERDUE` such searches still run, new ones are
refused at once with 503 (type ``Busy``), so slow queries cannot pile up.

Concurrency: requests run in uvicorn's thread pool. Reading needs no lock: a snapshot never
changes, the search layer's per-snapshot caches only add entries (under the GIL), each thread
decompresses stored fields with its own decompressor and lists the folder through its own
descriptor. A folder index is a :class:`PinnedIndex`: requests read the snapshot it pins, the
newest commit once that commit's twin links are saved (a commit publishes its manifest, then
computes the links: a search in between would compute them itself, as would every search
beside it). Writes go one at a time (:attr:`ServeState.write_lock`) to a child process
(:mod:`searchlib.serve.writer`), so a commit's indexing, merges and twin links do not hold
this process's interpreter lock; it holds the index's write lock from the first change to the
commit, so ``searchlib index`` can write between commits. A PostgreSQL index shares one
connection, so its requests take turns (:attr:`ServeState.read_lock`).
"""

from __future__ import annotations

import contextlib
import hmac
import importlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

import searchlib
from searchlib import render
from searchlib._json import dumps, loads
from searchlib._types import LANGS
from searchlib.api import Index
from searchlib.errors import (
    ArgumentError,
    IndexStateError,
    QuerySyntaxError,
    SearchlibError,
)
from searchlib.index import IndexReader, latest_generation
from searchlib.postgres import is_postgres_url
from searchlib.search.suggest import suggest as did_you_mean
from searchlib.search.twins import links_name
from searchlib.serve.complete import Completions
from searchlib.serve.writer import http_status

__all__ = [
    "DEFAULT_TIME_BUDGET_S",
    "MAX_BODY_BYTES",
    "MAX_OVERDUE",
    "TWINS_WAIT_S",
    "ApiError",
    "JSONText",
    "PinnedIndex",
    "ServeState",
    "create_app",
]

T = TypeVar("T")

DEFAULT_TIME_BUDGET_S = 5.0
"""Seconds a read (a search, a record, related items, suggestions, statistics) may take
(``--time-budget``) before it is answered 503; writes wait for the writer."""

MAX_OVERDUE = 4
"""Searches past their time budget that may still run before new searches are refused."""

MAX_BODY_BYTES = 16 << 20
"""Largest request body (``POST /docs``): 16 MiB."""

TWINS_WAIT_S = 30.0
"""Longest a new commit of a folder index waits for its twin links before searches read it."""

REOPEN_INTERVAL_S = 1.0
"""How often an index that could not be opened is tried again (at most)."""

TOKEN_ENV = "SEARCHLIB_SERVE_TOKEN"
"""The environment variable holding the bearer token of writes when ``--token`` is absent."""


class JSONText(Response):
    """A JSON response whatever its strings hold (orjson; a lone surrogate as its ``\\u``
    escape, as ``--json`` writes it)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


class ApiError(Exception):
    """An error answered as JSON: ``{"error": message, "type": kind, "status": status}`` and
    ``extra`` keys."""

    def __init__(self, status: int, kind: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.extra = extra
        self.headers: dict[str, str] = {}

    def response(self) -> JSONText:
        body = {"error": self.message, "type": self.kind, "status": self.status, **self.extra}
        return JSONText(body, status_code=self.status, headers=self.headers)


def error_of(exc: BaseException) -> ApiError:
    """The ApiError answering a searchlib error (its message as the command line prints it)."""
    if isinstance(exc, ApiError):
        return exc
    kind = type(exc).__name__
    if isinstance(exc, QuerySyntaxError):
        excerpt, caret = render.query_excerpt(exc.query, exc.position)
        return ApiError(400, kind, str(exc), position=exc.position, excerpt=excerpt, caret=caret)
    return ApiError(http_status(exc), kind, str(exc))


class WriterProcess:
    """The client of the writer process (:mod:`searchlib.serve.writer`), started at the first
    request; its caller serializes the calls."""

    def __init__(self, location: str, lock_timeout: float) -> None:
        self.location = location
        self.lock_timeout = lock_timeout
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is not None and self.proc.poll() is not None:  # died since the last call
            self._stopped()
        if self.proc is None:
            package_root = str(Path(searchlib.__file__).resolve().parents[1])
            path = os.environ.get("PYTHONPATH")
            env = {**os.environ, "PYTHONPATH": package_root + (os.pathsep + path if path else "")}
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "searchlib.serve.writer", self.location]
                + [str(self.lock_timeout)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
        return self.proc

    def call(self, request: dict[str, Any]) -> dict[str, Any]:
        """The writer's ``ok`` value, or its error as an ApiError (503 when it stopped: what
        it had not committed is lost)."""
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(dumps(request) + b"\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except OSError:
            line = b""
        if not line:
            self._stopped()
        reply = loads(line)
        if "error" in reply:
            status, kind, message = reply["error"]
            raise ApiError(int(status), str(kind), str(message))
        result: dict[str, Any] = reply["ok"]
        return result

    def _stopped(self) -> NoReturn:
        self.close()
        raise ApiError(
            503,
            "WriterStopped",
            "the writer process stopped: changes not committed are lost",
        )

    def close(self) -> None:
        """End the writer (at the end of its input it discards what is not committed)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class PinnedIndex(Index):
    """A folder's :class:`~searchlib.Index` whose reads use the snapshot pinned by
    :meth:`pin` instead of reopening on the newest commit at each access.

    :class:`ServeState` pins a commit once its twin links are saved: a commit publishes its
    manifest first, then computes the links (a second or more on a large index) and saves
    them; a search of the new snapshot in between would compute them itself, and every
    concurrent search with it."""

    @property
    def reader(self) -> IndexReader:
        return self._reader

    def pin(self, reader: IndexReader) -> None:
        """Read ``reader`` from now on."""
        self._reader = reader


class _Overdue:
    """Searches that outlived their time budget and still run in their threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0


class ServeState:
    """What the application serves: one index (``app.state.searchlib``).

    :meth:`index` is the index for a request (its searches read the newest commit);
    :meth:`run` calls a function in a worker thread within the time budget; the JSON helpers
    are the command line's. The page reads the same object.
    """

    def __init__(
        self,
        location: str,
        *,
        allow_writes: bool = False,
        token: str | None = None,
        time_budget_s: float = DEFAULT_TIME_BUDGET_S,
        lock_timeout: float = 5.0,
    ) -> None:
        if allow_writes and not token:
            raise ArgumentError(
                f"writes need a token: give --token or set {TOKEN_ENV} (or leave writes off)"
            )
        if not time_budget_s > 0:
            raise ArgumentError(f"time_budget_s must be more than 0, got {time_budget_s!r}")
        self.location = location
        self.allow_writes = allow_writes
        self.token = token
        self.time_budget_s = float(time_budget_s)
        self.lock_timeout = lock_timeout
        self.remote = is_postgres_url(location)
        self._index: Index | None = None
        self._error: SearchlibError | OSError | None = None
        self._tried = 0.0
        self._open_lock = threading.Lock()
        self.read_lock: threading.Lock | None = threading.Lock() if self.remote else None
        """Taken around every read of a PostgreSQL index (its one connection), else None."""
        self.write_lock = threading.Lock()
        """Taken by every write: one change at a time, in this process."""
        self._writer = WriterProcess(location, lock_timeout)
        self._overdue = _Overdue()
        self._unlinked: dict[int, float] = {}  # commits seen without their twin links
        # a newer commit that did not open or verify (generation, why), and when it was tried
        self._newer_error: tuple[int, str] | None = None
        self._newer_tried = 0.0
        self.search_json = render.search_json
        self.related_json = render.related_json
        self.stored_record = render.stored_record

    # -- the index --------------------------------------------------------------------------

    def _open(self) -> Index:
        return searchlib.open_index(self.location, lock_timeout=self.lock_timeout)

    def _open_pinned(self) -> Index:
        """The index requests read: a folder's is a :class:`PinnedIndex` (see :meth:`index`),
        every file of its snapshot verified once (the stored fields too, which a program's
        searches verify when they first read them): a damaged index is unavailable (503),
        not served with errors."""
        index = self._open()
        if self.remote:
            return index
        try:
            pinned = PinnedIndex(index.directory, lock_timeout=self.lock_timeout)
        finally:
            index.close()
        try:
            pinned.reader.verify()
        except BaseException:
            pinned.close()
            raise
        return pinned

    def _refresh(self, index: PinnedIndex) -> None:
        """Pin the newest commit once its twin links are saved (or :data:`TWINS_WAIT_S` after
        it was first seen without them). A newer commit whose files do not open or verify
        (damaged on disk) is not pinned: the snapshot pinned, whose files are whole, is still
        served, ``/health`` says why (status ``stale``), and the newer commit is tried again
        at most every :data:`REOPEN_INTERVAL_S` seconds."""
        current = index.reader
        latest = latest_generation(index.directory)
        if latest is None or latest <= current.generation:
            return
        if not index.directory.exists(links_name(latest)):
            now = time.monotonic()
            first = self._unlinked.setdefault(latest, now)
            if now - first < TWINS_WAIT_S:
                return
        with self._open_lock:
            pinned = index.reader  # another request may have pinned a newer one meanwhile
            if pinned.generation < latest:
                now = time.monotonic()
                failed = self._newer_error
                if failed and failed[0] == latest and now - self._newer_tried < REOPEN_INTERVAL_S:
                    return
                self._newer_tried = now
                try:
                    newer = pinned.reopen()
                    newer.verify()  # (its new segments': the others' stored fields are verified)
                except (SearchlibError, OSError) as exc:
                    self._newer_error = (latest, _message(exc))
                    return
                index.pin(newer)
                self._newer_error = None
                self._unlinked.clear()

    def index(self) -> Index:
        """The index (its searches read the newest commit); ApiError 503 while it cannot be
        opened (tried again at most every :data:`REOPEN_INTERVAL_S` seconds)."""
        index = self._index
        if index is not None:
            if isinstance(index, PinnedIndex):
                self._refresh(index)
            return index
        with self._open_lock:
            if self._index is None:
                now = time.monotonic()
                if self._error is None or now - self._tried >= REOPEN_INTERVAL_S:
                    self._tried = now
                    try:
                        self._index = self._open_pinned()
                        self._error = None
                    except (SearchlibError, OSError) as exc:
                        self._error = exc
            if self._index is None:
                assert self._error is not None
                raise ApiError(503, "IndexUnavailable", _message(self._error))
            return self._index

    def health(self) -> tuple[int, dict[str, Any]]:
        """(status, body) of ``GET /health``."""
        try:
            stats = self.read(lambda index: index.stats())
        except ApiError as exc:
            return exc.status, {"status": "unavailable", "error": exc.message}
        body: dict[str, Any] = {
            "status": "ok",
            "generation": stats["generation"],
            "docs": stats["docs"],
        }
        failed = self._newer_error
        if failed is not None and failed[0] > stats["generation"]:
            # served, but an older commit than the newest, which does not open or verify
            body["status"] = "stale"
            body["error"] = f"commit {failed[0]} cannot be served: {failed[1]}"
        return 200, body

    def read(self, fn: Callable[[Index], T]) -> T:
        """``fn(index)``, errors mapped to ApiErrors (PostgreSQL: one request at a time)."""
        index = self.index()
        try:
            if self.read_lock is None:
                return fn(index)
            with self.read_lock:
                return fn(index)
        except SearchlibError as exc:
            raise error_of(exc) from exc

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` in a worker thread, answered within the time budget: ApiError 503
        ``TimeBudgetExceeded`` past it (the thread finishes on its own), ``Busy`` while
        :data:`MAX_OVERDUE` overdue calls still run."""
        overdue = self._overdue
        if overdue.count >= MAX_OVERDUE:
            raise ApiError(
                503,
                "Busy",
                f"{overdue.count} searches are still running past the time budget: try again later",
            )
        state = {"done": False, "late": False}

        def call() -> T:
            try:
                return fn()
            finally:
                with overdue.lock:
                    state["done"] = True
                    if state["late"]:
                        overdue.count -= 1

        try:
            with anyio.fail_after(self.time_budget_s):
                return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
        except TimeoutError:
            with overdue.lock:
                if not state["done"]:
                    state["late"] = True
                    overdue.count += 1
            error = ApiError(
                503,
                "TimeBudgetExceeded",
                f"the request took longer than its time budget of {self.time_budget_s:g} s",
            )
            error.headers["Retry-After"] = "1"
            raise error from None

    # -- suggestions ------------------------------------------------------------------------

    def completions(self, index: Index) -> Completions:
        """The prefix completions of the index's current snapshot (each segment's titles
        counted once)."""
        return Completions.build(index.searcher().reader)

    def suggest(self, index: Index, q: str, lang: str | None, limit: int) -> dict[str, Any]:
        """``GET /suggest``: ``{"query", "suggestion", "completions"}``: the did-you-mean of
        ``q`` (as a search for it gives it, or null) and up to ``limit`` queries that complete
        its last word with words of the index's titles, most frequent first."""
        searcher = index.searcher()
        langs = (lang,) if lang else LANGS
        suggestion = did_you_mean(searcher.reader, q, langs) if q.strip() else None
        return {
            "query": q,
            "suggestion": suggestion,
            "completions": self.completions(index).complete(q, limit),
        }

    # -- writes -------------------------------------------------------------------------------

    def check_token(self, authorization: str | None) -> None:
        """ApiError 401 without a bearer token, 403 with a wrong one."""
        if not authorization or not authorization.startswith("Bearer "):
            error = ApiError(
                401, "Unauthorized", "writes need an 'Authorization: Bearer TOKEN' header"
            )
            error.headers["WWW-Authenticate"] = "Bearer"
            raise error
        given = authorization[len("Bearer ") :].strip().encode()
        assert self.token is not None
        if not hmac.compare_digest(given, self.token.encode()):
            raise ApiError(403, "Forbidden", "wrong token")

    def write(self, request: dict[str, Any]) -> dict[str, Any]:
        """The writer process's answer to ``request`` (see :mod:`searchlib.serve.writer`),
        one at a time; ApiError 503 while the index cannot be opened."""
        self.index()
        with self.write_lock:
            return self._writer.call(request)

    def add(self, body: Any) -> dict[str, Any]:
        """``POST /docs``: add (or replace, by id) one JSONL record or a list of them; 400
        naming the record when one is bad (then none is added)."""
        return self.write({"op": "add", "records": body})

    def delete(self, doc_id: str) -> dict[str, Any]:
        """``DELETE /docs/{id}``: 404 when neither the index nor the pending changes have it."""
        return self.write({"op": "delete", "id": doc_id})

    def commit(self) -> dict[str, Any]:
        """``POST /commit``: publish the pending changes; the next search sees them."""
        self.write({"op": "commit"})
        stats = self.read(lambda index: index.stats())
        return {"generation": stats["generation"], "docs": stats["docs"]}

    def close(self) -> None:
        """Stop the writer process (uncommitted changes are discarded); close the index."""
        with self.write_lock:
            self._writer.close()
        if self._index is not None:
            self._index.close()
            self._index = None


def _message(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, SearchlibError) else f"{type(exc).__name__}: {exc}"


# -- the application ----------------------------------------------------------------------------


def state_of(request: Request) -> ServeState:
    """The :class:`ServeState` of the application serving ``request``."""
    state: ServeState = request.app.state.searchlib
    return state


def authorized(request: Request) -> ServeState:
    """The :class:`ServeState`, once the request's bearer token is checked (401, 403)."""
    state = state_of(request)
    state.check_token(request.headers.get("authorization"))
    return state


State = Annotated[ServeState, Depends(state_of)]
Writer = Annotated[ServeState, Depends(authorized)]
Lang = Literal["en", "es"]


def create_app(
    index: str,
    *,
    allow_writes: bool = False,
    token: str | None = None,
    cors_origins: Sequence[str] = (),
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
) -> FastAPI:
    """The application serving the index at ``index`` (a folder or a ``postgresql://`` URL).

    The index need not exist yet: requests are answered 503 until it can be opened.
    ``allow_writes`` adds ``POST /docs``, ``DELETE /docs/{id}`` and ``POST /commit``, which
    need ``Authorization: Bearer <token>`` (ArgumentError when ``token`` is empty);
    ``cors_origins`` are the origins allowed to call the API from a browser (none by
    default); ``time_budget_s`` bounds each search's time (see the module docstring).
    """
    state = ServeState(index, allow_writes=allow_writes, token=token, time_budget_s=time_budget_s)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()  # at shutdown: uncommitted changes are discarded, the lock released

    app = FastAPI(
        lifespan=lifespan,
        title="searchlib",
        version=searchlib.__version__,
        description="Search a bilingual (English/Spanish) news archive: the JSON of "
        "`searchlib ... --json`.",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN; /docs is the records
        redoc_url=None,
        default_response_class=JSONText,
    )
    app.state.searchlib = state
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return exc.response()

    @app.exception_handler(SearchlibError)
    async def searchlib_error(request: Request, exc: SearchlibError) -> Response:
        return error_of(exc).response()

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))
            problems.append(f"{where}: {error.get('msg', 'invalid')}" if where else error["msg"])
        return ApiError(400, "ArgumentError", "; ".join(problems)).response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        kind = "NotFound" if exc.status_code == 404 else "HTTPError"
        error = ApiError(exc.status_code, kind, str(exc.detail))
        error.headers.update(exc.headers or {})
        return error.response()

    app.include_router(api_router())
    app.include_router(write_router() if allow_writes else writes_off_router())
    try:
        page = importlib.import_module("searchlib.serve.page")
    except ModuleNotFoundError as exc:  # the page is not there (yet): the API alone
        if exc.name != "searchlib.serve.page":
            raise
    else:
        app.include_router(page.router)
    return app


def api_router() -> APIRouter:
    """The read-only JSON API."""
    router = APIRouter()

    @router.get("/search")
    async def search(
        state: State,
        q: Annotated[str, Query(description="the query")],
        lang: Annotated[Lang | None, Query(description="the query's language")] = None,
        doc_lang: Annotated[Lang | None, Query(description="only documents of it")] = None,
        country: str | None = None,
        kind: str | None = None,
        section: str | None = None,
        since: Annotated[str | None, Query(description="a year, year-month or date")] = None,
        until: Annotated[str | None, Query(description="a year, year-month or date")] = None,
        limit: int = 10,
        offset: int = 0,
        twins: bool = False,
        facets: bool = False,
        mode: Literal["syntax", "lenient", "plain"] = "syntax",
    ) -> Response:
        """Ranked hits: the JSON of ``searchlib search --json`` with the same options."""
        syntax = "strict" if mode == "syntax" else mode

        def run() -> dict[str, Any]:
            return state.read(
                lambda index: state.search_json(
                    index.search(
                        q,
                        limit,
                        offset=offset,
                        syntax=syntax,
                        lang=lang,
                        country=country,
                        section=section,
                        doc_lang=doc_lang,
                        kind=kind,
                        since=since,
                        until=until,
                        facets=facets,
                        twins=twins,
                    )
                )
            )

        return JSONText(await state.run(run))

    @router.get("/docs/{doc_id}")
    async def get_doc(state: State, doc_id: str) -> Response:
        """The stored record: the JSON of ``searchlib get --json``."""
        return JSONText(await state.run(lambda: state.read(_known(state.stored_record, doc_id))))

    @router.get("/related/{doc_id}")
    async def related(state: State, doc_id: str, limit: int = 10) -> Response:
        """Related items, each with its ``reason``: ``searchlib related --json``."""

        def run(index: Index, doc_id: str) -> dict[str, Any]:
            return state.related_json(index.related(doc_id, limit), doc_id)

        return JSONText(await state.run(lambda: state.read(_known(run, doc_id))))

    @router.get("/suggest")
    async def suggest(
        state: State,
        q: str,
        lang: Lang | None = None,
        limit: Annotated[int, Query(ge=0, le=50)] = 8,
    ) -> Response:
        """Did-you-mean and completions of the last word, for a search box."""
        return JSONText(
            await state.run(lambda: state.read(lambda index: state.suggest(index, q, lang, limit)))
        )

    @router.get("/stats")
    async def stats(state: State) -> Response:
        """``searchlib stats --json``."""
        return JSONText(await state.run(lambda: state.read(lambda index: index.stats())))

    @router.get("/health")
    async def health(state: State) -> Response:
        """200 ``{"status": "ok", "generation", "docs"}``, or 503 ``{"status":
        "unavailable", "error"}`` while the index cannot be opened."""
        status, body = await anyio.to_thread.run_sync(state.health)
        return JSONText(body, status_code=status)

    return router


def _known(fn: Callable[[Index, str], T], doc_id: str) -> Callable[[Index], T]:
    """``fn(index, doc_id)``, an unknown id answered 404 (its message as the command line's)."""

    def call(index: Index) -> T:
        try:
            return fn(index, doc_id)
        except IndexStateError as exc:
            if doc_id in index:
                raise
            raise ApiError(404, type(exc).__name__, str(exc)) from exc

    return call


async def _body(request: Request) -> Any:
    """The request's JSON body, at most :data:`MAX_BODY_BYTES` (413 past it)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, "TooLarge", f"the body is over {MAX_BODY_BYTES} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ApiError(413, "TooLarge", f"the body is over {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    try:
        return loads(b"".join(chunks))
    except ValueError as exc:
        raise ApiError(400, "IngestError", f"the body is not JSON: {exc}") from exc


async def _change(
    state: ServeState, change: Callable[[], dict[str, Any]], commit: bool
) -> Response:
    """``change()``'s answer (in a worker thread), with the commit's when ``commit``."""

    def run() -> dict[str, Any]:
        out = change()
        if commit:
            out.update(state.commit())
        return out

    return JSONText(await anyio.to_thread.run_sync(run))


def write_router() -> APIRouter:
    """The writes (``--allow-writes``), each behind the bearer token."""

    router = APIRouter()

    @router.post("/docs")
    async def add_docs(state: Writer, request: Request, commit: bool = False) -> Response:
        """Add (or replace, by id) a JSONL record or a list of them; ``commit=true`` commits."""
        body = await _body(request)
        return await _change(state, lambda: state.add(body), commit)

    @router.delete("/docs/{doc_id}")
    async def delete_doc(state: Writer, doc_id: str, commit: bool = False) -> Response:
        """Delete a document; ``commit=true`` commits."""
        return await _change(state, lambda: state.delete(doc_id), commit)

    @router.post("/commit")
    async def commit(state: Writer) -> Response:
        """Publish the pending changes: the next search sees them."""
        return JSONText(await anyio.to_thread.run_sync(state.commit))

    return router


def writes_off_router() -> APIRouter:
    """Without ``--allow-writes``: the writes' paths answer 403, and are not in the OpenAPI
    description."""
    router = APIRouter(include_in_schema=False)

    async def off() -> Response:
        raise ApiError(
            403,
            "WritesOff",
            "writes are off: start searchlib serve with --allow-writes and a token",
        )

    router.add_api_route("/docs", off, methods=["POST"])
    router.add_api_route("/docs/{doc_id}", off, methods=["DELETE"])
    router.add_api_route("/commit", off, methods=["POST"])
    return router


def token_from_env(token: str | None) -> str | None:
    """``token``, else :data:`TOKEN_ENV`'s value, else None."""
    return token or os.environ.get(TOKEN_ENV) or None
