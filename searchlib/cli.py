"""The ``searchlib`` command: a thin layer over the public API.

Exit codes: 0 success (also when nothing matched), 2 usage error (bad arguments, bad query
syntax), 3 index or input error. A user mistake never prints a traceback unless ``--debug``.

Text that cannot be encoded for the terminal never stops a command: a lone surrogate (an id or
title read from a JSON ``\\udc80`` escape) is shown as that escape, ``\\udc80``. ``--json``
output is always valid JSON that reads back to the same strings: a lone surrogate is written
as its ``\\uXXXX`` escape, and everything else as UTF-8 (as ``\\u`` escapes when standard
output cannot take UTF-8).
"""

from __future__ import annotations

import argparse
import codecs
import datetime as _dt
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, NoReturn, Protocol

import searchlib
from searchlib._types import LANGS, is_lang
from searchlib.dates import DATE_FORMS, date_bound
from searchlib.errors import ArgumentError, IndexStateError, QuerySyntaxError, SearchlibError
from searchlib.index.budget import DEFAULT_MEMORY_MB, MIN_MEMORY_MB

__all__ = ["main"]

DEFAULT_INDEX = "indexes/default"
EXIT_USAGE = 2
EXIT_INDEX = 3


class UsageError(Exception):
    """A command-line mistake: exit 2 with one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (try --help)")


def _since(value: str) -> _dt.date:
    """``--since``: the first day of a year, month or date (as the REPL's ``since=``)."""
    try:
        return date_bound(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _until(value: str) -> _dt.date:
    """``--until``: the last day of a year, month or date (as the REPL's ``until=``)."""
    try:
        return date_bound(value, end=True)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _count(low: int, high: int | None = None) -> Any:
    """An argparse type: a whole number from ``low`` (to ``high``), else a usage error."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if number < low or (high is not None and number > high):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {number}")
        return number

    return parse


WINDOW = 10_000  # searchlib.search.searcher.MAX_RESULT_WINDOW


_SURROGATE = re.compile("[\ud800-\udfff]")


def _print_json(obj: Any) -> None:
    """One line of JSON: valid UTF-8 (or ASCII) whatever the strings hold (see the module
    docstring)."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    text = json.dumps(obj, ensure_ascii=codecs.lookup(encoding).name != "utf-8", indent=None)
    print(_SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text))


def _show_unencodable() -> None:
    """Make standard output write what its encoding cannot hold as escapes (``\\udc80``)
    rather than fail, or drop it unseen (surrogateescape writes a lone byte)."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")


class _Options(Protocol):
    def add_argument(self, *args: Any, **kwargs: Any) -> Any: ...


class _Unused:
    """Where :func:`build_parser` puts the options of the commands not run: nowhere."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of the command line; with ``command`` (the one :func:`main` runs), the other
    commands are listed with their help but get no options (2-3 ms of every start: argparse
    builds each option's action and checks it against the others)."""
    p = _Parser(
        prog="searchlib",
        description="Full-text search for bilingual (English/Spanish) news briefs.",
    )
    p.add_argument("--version", action="version", version=f"searchlib {searchlib.__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help: str, example: str) -> _Options:
        sp = sub.add_parser(name, help=help, description=help, epilog=f"example: {example}")
        if command is not None and name != command:
            return _Unused()
        sp.add_argument("--debug", action="store_true", help="show tracebacks for errors")
        return sp

    def index_option(sp: _Options, made: bool = False) -> None:
        what = "made when absent" if made else "built by `searchlib index`"
        sp.add_argument(
            "--index",
            default=DEFAULT_INDEX,
            metavar="DIR",
            help=f"the index folder, {what} (default: {DEFAULT_INDEX}), or a postgresql:// URL",
        )

    sp = add(
        "index",
        "index pages, JSONL and text files or folders",
        "searchlib index seeds/ --index indexes/default",
    )
    sp.add_argument("sources", nargs="+", metavar="SRC")
    index_option(sp, made=True)
    sp.add_argument(
        "--commit-every",
        type=int,
        default=None,
        metavar="N",
        help="commit every N records (sequential; an interruption keeps whole commits)",
    )
    sp.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: one per core; 1 indexes in this process)",
    )
    sp.add_argument("--lock-timeout", type=float, default=5.0, metavar="SECONDS")
    sp.add_argument(
        "--memory-mb",
        type=_count(MIN_MEMORY_MB),
        default=None,
        metavar="MB",
        help=f"memory budget of indexing, workers included (default {DEFAULT_MEMORY_MB})",
    )
    sp.add_argument("--optimize", action="store_true", help="merge into one segment at the end")
    sp.add_argument("--quiet", action="store_true")
    sp.add_argument("--json", action="store_true")

    sp = add("search", "search the index", 'searchlib search "Humala coca" --lang en --json')
    sp.add_argument(
        "query",
        nargs="+",
        help="the query; several words are one query (searchlib search coca peru); one that "
        "starts with - goes after --: searchlib search -- -coca",
    )
    index_option(sp)
    sp.add_argument(
        "--limit",
        type=_count(0, WINDOW),
        default=10,
        metavar="N",
        help="hits to show (default: 10; 0: count only)",
    )
    sp.add_argument(
        "--offset", type=_count(0, WINDOW), default=0, metavar="N", help="hits to skip (paging)"
    )
    sp.add_argument(
        "--syntax",
        choices=("strict", "lenient", "plain"),
        default="strict",
        help="strict: syntax errors are errors; lenient: read them as words; "
        "plain: no syntax, every word optional (long text, up to 100,000 characters)",
    )
    sp.add_argument(
        "--lang",
        choices=LANGS,
        help="the language the query is written in (default: detected; "
        "documents of both languages are searched)",
    )
    sp.add_argument(
        "--doc-lang",
        choices=LANGS,
        help="only documents in this language",
    )
    sp.add_argument(
        "--country",
        metavar="NAME",
        help="only documents about this country: any name in English or Spanish, "
        "or its ISO code (Peru, Perú, PE; EEUU, U.S.)",
    )
    sp.add_argument(
        "--section",
        metavar="NAME",
        help='only documents of this byline section ("China and Crime")',
    )
    sp.add_argument(
        "--kind",
        metavar="KIND",
        help="only documents of this kind: brief, analysis, news, related...",
    )
    sp.add_argument(
        "--since", type=_since, metavar="DATE", help=f"only documents from DATE on ({DATE_FORMS})"
    )
    sp.add_argument(
        "--until", type=_until, metavar="DATE", help=f"only documents up to DATE ({DATE_FORMS})"
    )
    sp.add_argument(
        "--facets",
        action="store_true",
        help="count the matches per language, kind, country, section and year",
    )
    sp.add_argument(
        "--twins",
        action="store_true",
        help="show a story once when its English and Spanish versions both match",
    )
    sp.add_argument("--json", action="store_true")

    sp = add("related", "items related to a document", "searchlib related 60fa42e6893d93ee --json")
    sp.add_argument("doc_id", metavar="DOC_ID")
    index_option(sp)
    sp.add_argument(
        "--limit",
        type=_count(0, WINDOW),
        default=10,
        metavar="N",
        help="items to show (default: 10)",
    )
    sp.add_argument("--json", action="store_true")

    sp = add("get", "show a document as stored", "searchlib get 60fa42e6893d93ee --json")
    sp.add_argument("doc_id", metavar="DOC_ID")
    index_option(sp)
    sp.add_argument("--json", action="store_true", help="the stored record as one JSON object")

    sp = add("delete", "delete a document and commit", "searchlib delete 60fa42e6893d93ee")
    sp.add_argument("doc_id", metavar="DOC_ID")
    index_option(sp)
    sp.add_argument("--lock-timeout", type=float, default=5.0, metavar="SECONDS")

    sp = add("analyze", "show the terms of a text", 'searchlib analyze "La policía de Perú" --json')
    sp.add_argument("text")
    sp.add_argument("--lang", choices=LANGS)
    sp.add_argument("--json", action="store_true")

    sp = add("stats", "index statistics", "searchlib stats --index indexes/default --json")
    index_option(sp)
    sp.add_argument("--json", action="store_true")

    sp = add("check", "verify checksums and statistics", "searchlib check --index indexes/default")
    index_option(sp)
    sp.add_argument("--json", action="store_true")

    sp = add(
        "eval",
        "measure ranking quality and latency",
        "searchlib eval --index indexes/cacm --queries q.jsonl --qrels qrels.tsv",
    )
    index_option(sp)
    sp.add_argument("--queries", required=True, metavar="Q.jsonl")
    sp.add_argument("--qrels", metavar="QRELS.tsv")
    sp.add_argument("--k", type=_count(1, WINDOW), default=10, help="cut-off of nDCG and MRR")
    sp.add_argument(
        "--lang-mode",
        choices=("query", "any"),
        default="query",
        help="query: analyse each query in its own language; any: both chains",
    )
    sp.add_argument("--json", action="store_true")

    sp = add("repl", "interactive search shell", "searchlib repl --index indexes/default")
    index_option(sp)

    sp = add(
        "serve",
        "serve the index over HTTP: a JSON API and a search page (the 'serve' extra)",
        "searchlib serve --index indexes/default --port 8080",
    )
    index_option(sp)
    sp.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    sp.add_argument("--port", type=_count(0, 65535), default=8080, help="0: any free port")
    sp.add_argument(
        "--allow-writes",
        action="store_true",
        help="accept POST /docs, DELETE /docs/ID and POST /commit with the bearer token",
    )
    sp.add_argument(
        "--token",
        metavar="TOKEN",
        help="the writes' bearer token (default: $SEARCHLIB_SERVE_TOKEN)",
    )
    sp.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="an origin allowed to call the API from a browser (repeat for more; default none)",
    )
    sp.add_argument(
        "--time-budget",
        type=float,
        default=None,
        metavar="SECONDS",
        help="longest a request may take before it is answered 503 (default 5)",
    )

    sp = add(
        "cluster",
        "start or stop a local PostgreSQL cluster: a coordinator and N shards on loopback",
        "searchlib cluster start --shards 2 --dir /tmp/pg",
    )
    sp.add_argument("action", choices=("start", "stop", "status"))
    sp.add_argument("--dir", required=True, metavar="DIR", help="the cluster's folder")
    sp.add_argument("--shards", type=_count(1, 64), default=2, metavar="N")
    sp.add_argument("--json", action="store_true")
    return p


def _no_op() -> None:
    return None


def _cmd_index(args: argparse.Namespace) -> int:
    from searchlib.api import create_index, discard_on_failure, index_paths

    if args.commit_every is not None and args.commit_every < 1:
        raise UsageError("searchlib index: --commit-every must be >= 1")
    if args.workers is not None and args.workers < 1:
        raise UsageError("searchlib index: --workers must be >= 1")
    quiet = args.quiet or args.json

    def skip(err: searchlib.IngestError) -> None:
        if not quiet:
            print(f"skipped {err}", file=sys.stderr)

    def warn(warning: searchlib.IngestWarning) -> None:
        if not quiet:
            print(f"warning {warning}", file=sys.stderr)

    started = time.monotonic()
    last = [started]

    def progress(n: int, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2 and done < total:
            return
        last[0] = now
        line = f"indexed {n} documents"
        if total:
            rate = done / max(now - started, 1e-6)
            eta = (total - done) / rate if rate else 0.0
            bar = "#" * int(20 * done / total)
            line = (
                f"[{bar:<20}] {n} documents, {done / 1e6:.1f}/{total / 1e6:.1f} MB, "
                f"{rate / 1e6:.1f} MB/s, ETA {eta:.0f} s"
            )
        print(f"\r{line:<79}", end="", file=sys.stderr, flush=True)

    remote = args.index.startswith(("postgresql://", "postgres://"))
    # A PostgreSQL index is never removed: its commits are all or nothing already.
    guard: AbstractContextManager[Callable[[], None]] = (
        nullcontext(_no_op) if remote else discard_on_failure(args.index)
    )
    with guard as failed:  # a failed first run leaves no index
        with create_index(
            args.index, lock_timeout=args.lock_timeout, memory_mb=args.memory_mb
        ) as index:
            report = index_paths(
                index,
                args.sources,
                commit_every=args.commit_every,
                workers=args.workers,
                on_skip=skip,
                on_progress=None if quiet or not sys.stderr.isatty() else progress,
                on_warning=warn,
            )
            if args.optimize:
                index.optimize()
            stats = index.stats()
            generation = stats["generation"]  # after --optimize, the merge's commit
        if report.indexed == 0 and report.skipped:
            failed()
    if not quiet and sys.stderr.isatty():
        print("\r" + " " * 79 + "\r", end="", file=sys.stderr)
    if args.json:
        _print_json({**report.to_json(), "docs": stats["docs"], "generation": generation})
    elif not args.quiet:
        n = len(report.warnings)
        warnings = f"{n} warning{'s' if n > 1 else ''}, " if n else ""
        print(
            f"indexed {report.indexed} records, skipped {len(report.skipped)}, {warnings}"
            f"{report.seconds:.2f} s, {report.docs_per_s:.0f} docs/s -> {args.index} "
            f"({stats['docs']} documents, generation {generation})"
        )
    if report.indexed == 0 and report.skipped:
        return EXIT_INDEX
    return 0


def _print_hits(results: searchlib.Results, related: bool = False, offset: int = 0) -> None:
    """The hits, numbered from ``offset + 1`` as the REPL numbers a later page; then (for a
    search) the total and, on a later page, which hits these are."""
    from searchlib import render  # here: ``searchlib index`` does not load the search layer

    if not results.total:
        print(
            "no results" + (f" (did you mean: {results.suggestion}?)" if results.suggestion else "")
        )
        for warning in results.warnings:
            print(f"note: {warning}", file=sys.stderr)
        return
    for i, h in enumerate(results.hits, offset + 1):
        for line in render.hit_lines(i, h, render.CLI, related=related):
            print(render.plain(line))
    for warning in results.warnings:
        print(f"note: {warning}", file=sys.stderr)
    if not related:
        page = ""
        if offset and results.hits:
            page = f" ({offset + 1}-{offset + len(results.hits)})"
        elif offset:
            page = f" (none past --offset {offset})"
        plural = "" if results.total == 1 else "s"
        print(f"-- {results.total} hit{plural}{page} in {results.took_ms:.1f} ms")


def _cmd_search(args: argparse.Namespace) -> int:
    with searchlib.open_index(args.index) as index:
        results = index.search(
            " ".join(args.query),
            args.limit,
            offset=args.offset,
            syntax=args.syntax,
            lang=args.lang,
            country=args.country,
            section=args.section,
            doc_lang=args.doc_lang,
            kind=args.kind,
            since=args.since,
            until=args.until,
            facets=args.facets,
            twins=args.twins,
        )
    from searchlib import render

    if args.json:
        _print_json(render.search_json(results))
    else:
        _print_hits(results, offset=args.offset)
        for line in render.facet_lines(results.facets or {}):
            print(render.plain(line))
    return 0


def _cmd_related(args: argparse.Namespace) -> int:
    with searchlib.open_index(args.index) as index:
        results = index.related(args.doc_id, args.limit)
    from searchlib import render

    if args.json:
        _print_json(render.related_json(results, args.doc_id))
    else:
        _print_hits(results, related=True)
    return 0


def _cmd_get(args: argparse.Namespace) -> int:
    from searchlib import render

    with searchlib.open_index(args.index) as index:
        doc = render.stored_record(index, args.doc_id)
    if args.json:
        _print_json(doc)
        return 0
    print(doc.get("title") or doc.get("teaser") or f"(untitled {doc.get('kind')})")
    for key in ("id", "kind", "lang", "date", "section", "url", "source"):
        if doc.get(key):
            print(f"  {key}: {doc[key]}")
    for key in ("countries", "country_codes", "sections", "authors"):
        if doc.get(key):
            print(f"  {key}: {', '.join(str(v) for v in doc[key])}")
    for para in doc.get("body") or ([doc["teaser"]] if doc.get("teaser") else []):
        print()
        print(para)
    for item in doc.get("related") or ():
        print(f"\n  related {item.get('id')}: {item.get('section') or '-'} | {item.get('date')}")
        print(f"    {item.get('teaser') or item.get('title') or ''}")
    return 0


def _cmd_delete(args: argparse.Namespace) -> int:
    with searchlib.open_index(args.index, lock_timeout=args.lock_timeout) as index:
        if args.doc_id not in index:
            raise IndexStateError(f"no document with id {args.doc_id!r} in {args.index}")
        index.delete(args.doc_id)
        generation = index.commit()
    print(f"deleted {args.doc_id} (generation {generation})")
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    lang = args.lang or searchlib.detect_language(args.text)
    chain = lang if is_lang(lang) else "en"
    tokens = searchlib.get_analyzer(chain).tokens(args.text)
    if args.json:
        _print_json(
            {
                "lang": lang,
                "tokens": [
                    {"term": t.term, "position": t.position, "start": t.start, "end": t.end}
                    for t in tokens
                ],
            }
        )
    else:
        print(f"lang: {lang}" + ("" if lang == chain else f" (analysed as {chain})"))
        for t in tokens:
            print(
                f"{t.position:>4}  {t.term:<20} {args.text[t.start : t.end]!r} [{t.start}:{t.end}]"
            )
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    with searchlib.open_index(args.index) as index:
        stats = index.stats()
    if args.json:
        _print_json(stats)
    else:
        for k, v in stats.items():
            print(f"{k}: {v}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    with searchlib.open_index(args.index) as index:
        summary = index.check()
    if args.json:
        _print_json({"ok": True, **summary})
    else:
        print(f"ok: {args.index} " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from searchlib.evaluation import evaluate_run, load_qrels, load_queries

    queries = load_queries(args.queries)
    qrels = load_qrels(args.qrels) if args.qrels else None
    with searchlib.open_index(args.index) as index:
        report = evaluate_run(index, queries, qrels, k=args.k, lang_mode=args.lang_mode)
    if args.json:
        _print_json(report)
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


def _cmd_cluster(args: argparse.Namespace) -> int:
    from searchlib.postgres.cluster import LocalCluster

    if args.action == "start":
        cluster = LocalCluster(args.dir, shards=args.shards).start()
    else:
        cluster = LocalCluster.load(args.dir)
        if args.action == "stop":
            cluster.stop()
    servers = {n: {"port": p, "pid": cluster.pid(n)} for n, p in cluster.ports.items()}
    if args.json:
        _print_json({"url": cluster.url, "servers": servers})
    else:
        print(cluster.url)
        for name, server in servers.items():
            state = f"pid {server['pid']}" if server["pid"] else "stopped"
            print(f"  {name}: 127.0.0.1:{server['port']} {state}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from searchlib.serve import require_serve

    require_serve()  # MissingExtraError, one line, when the extra is not installed
    from searchlib.serve.run import serve

    return serve(
        args.index,
        host=args.host,
        port=args.port,
        allow_writes=args.allow_writes,
        token=args.token,
        cors_origins=args.cors_origin,
        time_budget_s=args.time_budget,
    )


def _cmd_repl(args: argparse.Namespace) -> int:
    from searchlib.repl import run_repl

    return run_repl(args.index)


COMMANDS = {
    "index": _cmd_index,
    "search": _cmd_search,
    "related": _cmd_related,
    "get": _cmd_get,
    "delete": _cmd_delete,
    "analyze": _cmd_analyze,
    "stats": _cmd_stats,
    "check": _cmd_check,
    "eval": _cmd_eval,
    "repl": _cmd_repl,
    "serve": _cmd_serve,
    "cluster": _cmd_cluster,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _show_unencodable()
    debug = "--debug" in argv
    parser = build_parser(args_command(argv))
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        dashed = [a for a in argv if re.match(r"-[^\W\d_]|-[\"(]", a) and a != "-h"]
        if args_command(argv) == "search" and dashed:  # `search -coca`: a query, not an option
            print(
                f"  (a query that starts with -: searchlib search [options] -- {dashed[0]})",
                file=sys.stderr,
            )
        return EXIT_USAGE
    except BrokenPipeError:
        _quiet_stdout()  # the reader is gone (`| head`): nothing more to say, and no error
        return 0
    except QuerySyntaxError as exc:
        if debug:
            raise
        print(f"searchlib: {exc}", file=sys.stderr)
        if exc.query:
            from searchlib import render

            excerpt, column = render.query_excerpt(exc.query, exc.position)
            print(f"  {excerpt}\n  {' ' * column}^", file=sys.stderr)
        if args_command(argv) == "search":
            print(
                "  (--syntax lenient reads syntax errors as words; --syntax plain, long text)",
                file=sys.stderr,
            )
        return EXIT_USAGE
    except ArgumentError as exc:
        if debug:
            raise
        print(f"searchlib: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (SearchlibError, OSError) as exc:
        if debug:
            raise
        print(f"searchlib: error: {exc}", file=sys.stderr)
        return EXIT_INDEX
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _quiet_stdout() -> None:
    """Point standard output at the null device, so flushing what is left in its buffer at
    exit raises no second BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def args_command(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word not an option)."""
    return next((a for a in argv if not a.startswith("-")), None)


def run() -> NoReturn:
    """The ``searchlib`` script and ``python -m searchlib``: :func:`main`, flush the output,
    and exit without the interpreter's teardown, which frees every cached analysis and buffer
    object by object (0.6 s after indexing 28 MB). Everything a command writes to an index is
    fsynced and committed before it returns; the OS releases the write lock."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # reader gone, or stream closed
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
