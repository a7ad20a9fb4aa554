"""JSON for records and stored documents: orjson where it can, the standard library otherwise.

orjson (Rust) encodes the stored documents and decodes input lines faster than ``json``
(figures: benchmarks/README.md); both are on the indexing path once per document. It
refuses a few values the standard library takes: strings with lone surrogates (valid in JSON
escapes, not in UTF-8), integers beyond 64 bits, ``NaN``. Those go through ``json``, so both
functions accept what ``json`` accepts and raise its errors (``json.JSONDecodeError``,
UnicodeDecodeError), with two differences that keep one bad input line from stopping a batch:

* text nested deeper than :data:`MAX_DEPTH` raises :class:`JSONTooDeepError` (a
  ``JSONDecodeError``), never RecursionError;
* a number ``json`` cannot convert (an integer of thousands of digits) raises
  ``JSONDecodeError``, not a bare ValueError.

orjson reads an integer literal past 64 bits as a float, silently; an object with a float
among its values (or among the values of an object inside it: a stored document's ``meta``)
is read again with ``json``, so integers of any size are kept exactly there.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["MAX_DEPTH", "JSONTooDeepError", "dumps", "loads"]

MAX_DEPTH = 1024
"""Deepest nesting of arrays and objects read (orjson's own limit)."""

_ASCII = json.JSONEncoder(default=str)  # \\u escapes: lone surrogates survive the round trip


class JSONTooDeepError(json.JSONDecodeError):
    """JSON text nested deeper than :data:`MAX_DEPTH` levels (or than Python's recursion
    limit lets ``json`` read, for the text orjson refuses for another reason)."""


_TOO_DEEP = f"arrays and objects nested too deeply (at most {MAX_DEPTH} levels)"


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON of ``obj``; values JSON cannot hold (dates) as their ``str``."""
    try:
        return orjson.dumps(obj, default=str)
    except TypeError:  # orjson.JSONEncodeError: lone surrogates, integers past 64 bits
        return _ASCII.encode(obj).encode("ascii")


def loads(data: bytes | str) -> Any:
    """The value of one JSON text (bytes are UTF-8)."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:  # let json decide, and word the error
        if exc.msg.startswith("depth limit"):
            raise JSONTooDeepError(_TOO_DEEP, exc.doc, exc.pos) from None
        return _std_loads(data)
    if type(value) is dict:
        types = set(map(type, value.values()))
        if float in types or (dict in types and _inner_float(value)):
            return _std_loads(data)  # a float may be an integer orjson could not hold
    return value


def _inner_float(obj: dict[str, Any]) -> bool:
    return any(type(v) is dict and float in map(type, v.values()) for v in obj.values())


def _std_loads(data: bytes | str) -> Any:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        return json.loads(text)
    except RecursionError:
        raise JSONTooDeepError(_TOO_DEEP, text, 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # int() refuses a literal of thousands of digits
        raise json.JSONDecodeError(str(exc).split(";")[0], text, 0) from None
