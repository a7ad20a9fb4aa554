"""The REPL owns ``searchlib repl``: an interactive (or scripted) search shell over one index.

Type a query in English or Spanish (full query syntax) to see numbered, ranked hits; commands
start with ``:`` (``:help`` lists them). On a terminal it uses prompt_toolkit (history in
``$SEARCHLIB_HISTORY`` or ``~/.searchlib_history``, completion of commands and field names,
colour); with standard input from a pipe, or when ``stdin``/``stdout`` are passed in, it reads one
line at a time and prints plain text (matched words as ``*word*``), so it works in scripts.
Numbers in ``:open N``, ``:related N`` and ``:explain N`` refer to the last list shown.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shlex
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import attrs
from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.styles import Style

import searchlib
from searchlib._types import LANGS, is_lang
from searchlib.dates import DATE_FORMS, date_bound
from searchlib.errors import IndexNotFoundError, QuerySyntaxError, SearchlibError
from searchlib.render import REPL, Frags, facet_lines, hit_lines
from searchlib.schema import QUERY_FIELDS
from searchlib.search import Filters, Hit, Results

__all__ = [
    "COMMANDS",
    "Command",
    "CommandError",
    "FilterState",
    "parse_command",
    "parse_filters",
    "run_repl",
]

PAGE_SIZE = 10
EXIT_USAGE = 2
EXIT_INDEX = 3
FIELDS = tuple(f"{name}:" for name in QUERY_FIELDS)
FILTER_KEYS = ("country", "section", "kind", "doc_lang", "since", "until")
FILTER_ALIASES = {"lang": "doc_lang"}
"""Other names ``:filter`` accepts (``lang=``: the documents' language, as before)."""
LANG_CHOICES = (*LANGS, "any")
ARG_CHOICES = {
    "lang": LANG_CHOICES,
    "facets": ("on", "off"),
    "filter": (*(f"{k}=" for k in FILTER_KEYS), "clear"),
}

#: name -> (usage, what it does); ``:help`` prints them in this order.
COMMANDS: dict[str, tuple[str, str]] = {
    "open": (":open N|ID", "show a whole brief: metadata, body, related items"),
    "related": (":related N|ID", "items related to hit N, each with its reason"),
    "explain": (":explain N|ID", "how hit N's score for the last query was made"),
    "more": (":more", "the next page of the last query"),
    "lang": (":lang en|es|any", "the language queries are written in (any: both)"),
    "filter": (
        ":filter [KEY=VALUE...|clear]",
        "country= section= kind= doc_lang= (documents' language; lang= too) since= until= "
        "(YYYY, YYYY-MM or YYYY-MM-DD); KEY= drops one; alone: show",
    ),
    "facets": (":facets on|off", "show facet counts under results"),
    "stats": (":stats", "index statistics"),
    "help": (":help", "this list"),
    "quit": (":quit", "leave (also :q, :exit, Ctrl-D)"),
}
ALIASES = {
    "q": "quit",
    "exit": "quit",
    "h": "help",
    "?": "help",
    "o": "open",
    "r": "related",
    "e": "explain",
    "m": "more",
    "n": "more",
    "f": "filter",
}

STYLE = Style.from_dict(
    {
        "title": "bold",
        "num": "ansicyan",
        "meta": "ansibrightblack",
        "match": "bold ansiyellow",
        "error": "ansired",
        "footer": "ansibrightblack italic",
        "head": "bold underline",
        "hint": "ansigreen",
    }
)


class CommandError(ValueError):
    """A command the REPL cannot run; its message is the one line shown to the user."""


@dataclass(frozen=True)
class Command:
    """A parsed ``:name arg...`` line."""

    name: str
    args: tuple[str, ...] = ()


FilterState = Filters
"""The REPL's filters: the search's :class:`~searchlib.Filters` (they never change scores)."""


def parse_command(line: str) -> Command | None:
    """The command on ``line``, or None when the line is a query (it does not start with ``:``)."""
    line = line.strip()
    if not line.startswith(":"):
        return None
    try:
        words = shlex.split(line[1:])
    except ValueError:
        raise CommandError(f"unbalanced quote in {line!r}") from None
    if not words:
        raise CommandError("empty command: type :help for the list")
    name = ALIASES.get(words[0].lower(), words[0].lower())
    if name not in COMMANDS:
        close = [c for c in COMMANDS if c.startswith(name[:2])]
        hint = f" (did you mean :{close[0]}?)" if close else ""
        raise CommandError(f"unknown command :{words[0]}{hint}; type :help for the list")
    return Command(name, tuple(words[1:]))


def _parse_date(key: str, value: str) -> _dt.date:
    """A ``since``/``until`` value: a year, year-month or date (as ``--since``/``--until``)."""
    try:
        return date_bound(value, end=key == "until")
    except ValueError:
        raise CommandError(f"{key}={value}: not a date (use {DATE_FORMS})") from None


def parse_filters(args: Sequence[str], current: Filters | None = None) -> Filters:
    """``current`` updated by ``KEY=VALUE`` words; a word without ``=`` continues the last value
    (``country=El Salvador``) and ``KEY=`` drops that filter. Raises CommandError."""
    pairs: list[list[str]] = []
    for word in args:
        if "=" in word:
            key, _, value = word.partition("=")
            key = key.strip().lower()
            pairs.append([FILTER_ALIASES.get(key, key), value.strip()])
        elif pairs and pairs[-1][1]:
            pairs[-1][1] += " " + word
        else:
            raise CommandError(
                f"expected KEY=VALUE, got {word!r} (e.g. :filter country=peru since=2011-01-01)"
            )
    changes: dict[str, Any] = {}
    for key, value in pairs:
        if key not in FILTER_KEYS:
            known = ", ".join(f"{k}=" for k in FILTER_KEYS)
            raise CommandError(f"unknown filter {key!r}: use {known}")
        if not value or (key == "doc_lang" and value.lower() == "any"):
            changes[key] = None
        elif key == "doc_lang" and not is_lang(value.lower()):
            raise CommandError(f"{key}={value}: the documents' language is en or es (or any)")
        elif key in ("since", "until"):
            changes[key] = _parse_date(key, value)
        else:
            changes[key] = value.lower() if key in ("doc_lang", "kind") else value
    new: Filters = attrs.evolve(current or Filters(), **changes)
    if new.since and new.until and new.since > new.until:
        raise CommandError(f"since={new.since} is after until={new.until}")
    return new


class ReplCompleter(Completer):
    """Completes commands after ``:``, their arguments, and field names inside queries."""

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        text = document.text_before_cursor
        word = document.get_word_before_cursor(WORD=True)
        words = text[1:].split() if text.startswith(":") else []
        choices: Iterable[str] = ()
        if not text.startswith(":"):
            choices = FIELDS
        elif " " not in text:
            choices = (f":{c}" for c in COMMANDS)
        elif words:
            choices = ARG_CHOICES.get(ALIASES.get(words[0].lower(), words[0].lower()), ())
        for choice in choices:
            if choice.startswith(word.lower()) and choice != word:
                yield Completion(choice, start_position=-len(word))


_SURROGATE = re.compile("[\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` with each lone surrogate (an id or title read from a JSON ``\\udc80``
    escape) written as that escape, which every terminal can show."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


class Printer:
    """Writes fragment lines: styled on a terminal, plain (``*match*``) otherwise; lone
    surrogates as their escapes (:func:`visible`)."""

    def __init__(self, out: TextIO | None) -> None:
        self.out = out
        self.width = min(shutil.get_terminal_size((100, 24)).columns, 100) if out is None else 100

    def line(self, frags: Frags | str = "") -> None:
        if isinstance(frags, str):
            frags = [("", frags)]
        frags = [(style, visible(text)) for style, text in frags]
        if self.out is None:
            print_formatted_text(FormattedText(frags), style=STYLE)
        else:
            text = "".join(f"*{t}*" if "class:match" in s else t for s, t in frags)
            self.out.write(text + "\n")
            self.out.flush()

    def error(self, message: str) -> None:
        self.line([("class:error", f"error: {message}")])


def hit_frags(n: int, hit: Hit, *, related: bool = False, width: int = 100) -> list[Frags]:
    """The lines of one numbered hit (the snippet wrapped at ``width`` columns)."""
    return hit_lines(n, hit, attrs.evolve(REPL, width=width), related=related)


class Repl:
    """The REPL's state (language, filters, last list) and its commands."""

    def __init__(
        self, index: searchlib.Index, printer: Printer, errors: Printer | None = None
    ) -> None:
        self.index = index
        self.p = printer
        self.err = errors or printer  # where a failed line's message goes
        self.exit_code = 0  # the worst failure so far: EXIT_USAGE, then EXIT_INDEX
        self.lang: str | None = None
        self.filters = Filters()
        self.facets = False
        self.query: str | None = None
        # the settings the last query ran with: :more pages and :explain explains it as it
        # was run, whatever :lang, :filter and :facets changed since
        self.query_lang: str | None = None
        self.query_filters = Filters()
        self.query_facets = False
        self.query_hits: list[Hit] = []
        self.query_total = 0
        self.shown: list[Hit] = []  # the last list shown: what N refers to

    def prompt(self) -> str:
        state = [self.lang or ""]
        if self.filters != Filters():
            state.append(self.filters.describe())
        inner = " ".join(s for s in state if s)
        return f"search[{inner}]> " if inner else "search> "

    def handle(self, line: str) -> bool:
        """Run one line; False when the REPL should end."""
        line = line.strip()
        if not line:
            return True
        try:
            cmd = parse_command(line)
            if cmd is None:
                self.search(line)
                return True
            if cmd.name == "quit":
                return False
            getattr(self, f"cmd_{cmd.name}")(cmd.args)
        except CommandError as exc:
            self._failed(str(exc), EXIT_USAGE)
        except QuerySyntaxError as exc:
            near = exc.query[exc.position : exc.position + 20]
            self._failed(
                f"bad query at position {exc.position} (near {near!r}): {exc.reason}", EXIT_USAGE
            )
        except SearchlibError as exc:
            self._failed(str(exc), EXIT_INDEX)
        return True

    def _failed(self, message: str, code: int) -> None:
        self.err.error(message)
        self.exit_code = max(self.exit_code, code)

    # -- queries --------------------------------------------------------------------------------

    def _run(self, query: str, offset: int) -> Results:
        return self.index.search(
            query,
            PAGE_SIZE,
            offset=offset,
            lang=self.query_lang,
            filters=self.query_filters,
            facets=self.query_facets,
            twins=True,
            syntax="lenient",
        )

    def search(self, query: str) -> None:
        self.query_lang, self.query_filters, self.query_facets = (
            self.lang,
            self.filters,
            self.facets,
        )
        results = self._run(query, 0)
        self.query, self.query_hits, self.query_total = query, list(results.hits), results.total
        self._show_page(results, 0)

    def cmd_more(self, args: Sequence[str]) -> None:
        if self.query is None:
            raise CommandError("no query yet: type one first")
        offset = len(self.query_hits)
        if offset >= self.query_total:
            raise CommandError(f"no more hits: all {self.query_total} shown")
        results = self._run(self.query, offset)
        self.query_hits += results.hits
        self._show_page(results, offset)

    def _show_page(self, results: Results, offset: int) -> None:
        self.shown = self.query_hits
        if not results.hits:
            self.p.line("no results")
        for i, hit in enumerate(results.hits, offset + 1):
            for frags in hit_frags(i, hit, width=self.p.width):
                self.p.line(frags)
        for frags in facet_lines(results.facets or {}):
            self.p.line(frags)
        last = offset + len(results.hits)
        footer = f"-- {results.total} hit{'' if results.total == 1 else 's'}"
        if results.hits:
            footer += f" ({offset + 1}-{last})"
        footer += f" in {results.took_ms:.1f} ms"
        if self.query_lang:
            footer += f" | query lang {self.query_lang}"
        if self.query_filters != Filters():
            footer += f" | filters {self.query_filters.describe()}"
        if last < results.total:
            footer += " | :more for the next page"
        self.p.line([("class:footer", footer)])
        if results.suggestion:
            self.p.line([("class:hint", f"did you mean: {results.suggestion}?")])
        for warning in results.warnings:
            self.p.line([("class:hint", f"note: {warning}")])

    # -- hits -----------------------------------------------------------------------------------

    def _doc_id(self, args: Sequence[str], usage: str) -> str:
        if len(args) != 1:
            raise CommandError(f"usage: {usage}")
        ref = args[0]
        if ref.isdigit():
            n = int(ref)
            if not self.shown:
                raise CommandError("no hits to refer to yet: type a query first")
            if not 1 <= n <= len(self.shown):
                raise CommandError(f"no hit {n}: choose 1-{len(self.shown)}")
            return self.shown[n - 1].id
        if ref not in self.index:
            raise CommandError(f"no document with id {ref!r}")
        return ref

    def cmd_open(self, args: Sequence[str]) -> None:
        doc_id = self._doc_id(args, COMMANDS["open"][0])
        doc: Mapping[str, Any] = self.index.stored(doc_id) or {}
        title = doc.get("title") or f"{doc.get('section') or 'item'} (related item)"
        self.p.line([("class:head", title)])
        meta = [f"{k}: {doc[k]}" for k in ("id", "kind", "lang", "date", "section") if doc.get(k)]
        for key in ("countries", "sections", "authors"):
            if doc.get(key):
                meta.append(f"{key}: {', '.join(doc[key])}")
        self.p.line([("class:meta", " | ".join(meta))])
        for key in ("url", "source"):
            if doc.get(key):
                self.p.line([("class:meta", f"{key}: {doc[key]}")])
        paragraphs = list(doc.get("body") or []) or ([doc["teaser"]] if doc.get("teaser") else [])
        for para in paragraphs:
            self.p.line()
            self._para(para, "")
        items = (self.index.get(rid) for rid in doc.get("related") or [])
        related = [r for r in items if r is not None]
        if related:
            self.p.line()
            self.p.line([("class:head", f"Related ({len(related)}):")])
        for item in related:
            date = item.date.isoformat() if item.date else "-"
            section = getattr(item, "section", item.kind)
            self.p.line([("class:meta", f"  - {section} | {date} | id {item.id}")])
            text = (getattr(item, "title", "") or "") + " " + (getattr(item, "teaser", "") or "")
            self._para(text.strip(), "    ")

    def _para(self, text: str, indent: str) -> None:
        if self.p.out is None:
            width = self.p.width
            for row in textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent):
                self.p.line(row)
        else:
            self.p.line(indent + text)

    def cmd_related(self, args: Sequence[str]) -> None:
        doc_id = self._doc_id(args, COMMANDS["related"][0])
        results = self.index.related(doc_id, PAGE_SIZE)
        if not results.hits:
            self.p.line("no related items")
            return
        self.shown = list(results.hits)
        for i, hit in enumerate(results.hits, 1):
            for frags in hit_frags(i, hit, related=True, width=self.p.width):
                self.p.line(frags)
        footer = f"-- {len(results.hits)} related to {doc_id} (:open N opens one)"
        self.p.line([("class:footer", footer)])

    def cmd_explain(self, args: Sequence[str]) -> None:
        doc_id = self._doc_id(args, COMMANDS["explain"][0])
        if self.query is None:
            raise CommandError("no query to explain: type one first")
        self.p.line([("class:head", f"score of {doc_id} for {self.query!r}:")])
        explanation = self.index.explain(self.query, doc_id, self.query_lang, syntax="lenient")
        for row in explanation.render().splitlines():
            self.p.line(row)

    # -- settings -------------------------------------------------------------------------------

    def cmd_lang(self, args: Sequence[str]) -> None:
        if len(args) != 1 or args[0].lower() not in LANG_CHOICES:
            raise CommandError(f"usage: {COMMANDS['lang'][0]} (now {self.lang or 'any'})")
        self.lang = None if args[0].lower() == "any" else args[0].lower()
        self.p.line(f"queries are read as {self.lang or 'English and Spanish'}")

    def cmd_filter(self, args: Sequence[str]) -> None:
        if [a.lower() for a in args] == ["clear"]:
            self.filters = Filters()
        elif args:
            new = parse_filters(args, self.filters)
            kinds = self.index.stats().get("docs_by_kind") or {}
            if new.kind and kinds and new.kind not in kinds:
                known = ", ".join(sorted(kinds))
                raise CommandError(f"kind={new.kind}: this index has kinds {known}")
            self.filters = new
        self.p.line(f"filters: {self.filters.describe()}")

    def cmd_facets(self, args: Sequence[str]) -> None:
        if len(args) != 1 or args[0].lower() not in ("on", "off"):
            now = "on" if self.facets else "off"
            raise CommandError(f"usage: {COMMANDS['facets'][0]} (now {now})")
        self.facets = args[0].lower() == "on"
        self.p.line(f"facets {'on' if self.facets else 'off'}")

    def cmd_stats(self, args: Sequence[str]) -> None:
        for key, value in self.index.stats().items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in sorted(value.items()))
            self.p.line([("class:meta", f"{key:>12}: "), ("", str(value))])

    def cmd_help(self, args: Sequence[str]) -> None:
        self.p.line(
            'Type a query (English or Spanish): words, "phrases", AND OR NOT, +must, '
            "-not, narco*, humla~1, title: body: lang: kind: country: "
            "date:[2011-01-01 TO 2012-12-31]"
        )
        for usage, what in COMMANDS.values():
            self.p.line([("class:num", f"  {usage:<30}"), ("", what)])
        self.p.line([("class:meta", "N: a number from the last list shown; ID: a document id.")])


# -- entry point --------------------------------------------------------------------------------


def history_path() -> Path:
    """Where the terminal REPL keeps its history."""
    return Path(os.environ.get("SEARCHLIB_HISTORY") or Path.home() / ".searchlib_history")


def _history() -> History:
    path = history_path()
    return FileHistory(str(path)) if path.parent.is_dir() else InMemoryHistory()


def find_seeds(cwd: Path | None = None) -> Path | None:
    """A ``seeds/`` folder in (or next to) the working directory, if there is one."""
    cwd = cwd or Path.cwd()
    for candidate in (cwd / "seeds", cwd.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    return None


def offer_to_index(
    path: str, ask: Callable[[str], str], p: Printer, cwd: Path | None = None
) -> searchlib.Index | None:
    """Offer to index a nearby ``seeds/`` into ``path``; the new index, or None when declined."""
    seeds = find_seeds(cwd)
    if seeds is None:
        return None
    try:
        answer = ask(f"Index {seeds} into {path} now? [y/N] ")
    except (EOFError, KeyboardInterrupt):
        answer = ""
    if not answer.strip().lower().startswith("y"):
        return None
    index = searchlib.create_index(path)
    report = searchlib.index_paths(index, [seeds])
    skipped = len(report.skipped)
    p.line(f"indexed {report.indexed} records ({skipped} skipped) in {report.seconds:.2f} s")
    return index


def run_repl(path: str, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the REPL on the index at ``path`` until ``:quit`` or end of input; the exit code."""
    interactive = stdin is None and stdout is None and sys.stdin.isatty() and sys.stdout.isatty()
    p = Printer(None if interactive else (stdout or sys.stdout))
    session: PromptSession[str] | None = None
    if interactive:
        session = PromptSession(
            history=_history(), completer=ReplCompleter(), complete_while_typing=False
        )
    err = p if stdout is not None or interactive else Printer(sys.stderr)
    try:
        index = searchlib.open_index(path)
    except IndexNotFoundError:
        err.error(f"no index at {path}; build one with: searchlib index seeds/ --index {path}")
        made = None
        if session is not None:  # a fresh session: the answer is no query for the history
            made = offer_to_index(path, PromptSession[str]().prompt, p)
        if made is None:
            return EXIT_INDEX
        index = made
    except SearchlibError as exc:
        err.error(str(exc))
        return EXIT_INDEX
    with index:
        # piped: errors to standard error, and the exit status says whether any line failed
        repl = Repl(index, p, None if interactive else err)
        if session is not None:
            docs = len(index)
            p.line([("class:meta", f"searchlib repl on {path} ({docs} documents); :help for help")])
        while True:
            try:
                if session is not None:
                    line = session.prompt(repl.prompt())
                else:
                    raw = (stdin or sys.stdin).readline()
                    if not raw:
                        break
                    line = raw
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            if not repl.handle(line):
                break
    return 0 if interactive else repl.exit_code
