"""The index the page's tests search: seeds/ plus one hostile document (an XSS attempt in each
of its fields), built in a temporary folder; and the application over it."""

from __future__ import annotations

import datetime as _dt
import html
import re
from pathlib import Path
from typing import Any

from shared_paths import SAMPLE_ID, SAMPLE_TITLE, SEEDS

import searchlib
from searchlib.records import Brief

ES_TWIN_ID = "44fea6efc1d86929"
ES_TWIN_TITLE = "Humala de Perú pide mayor cooperación antidrogas con EEUU"
HOSTILE_ID = "hostile-xss"
HOSTILE = Brief(
    id=HOSTILE_ID,
    lang="en",
    kind="brief",
    title='<script>alert("title")</script> Coca & <b>Peru</b>',
    body=[
        "Coca growers in Peru <script>alert(1)</script> and <img src=x onerror=alert(2)> "
        'wrote "coca" & <a href="javascript:alert(3)">click</a>.'
    ],
    date=_dt.date(2020, 1, 2),
    countries=("Peru",),
    authors=("<svg onload=alert(4)>",),
    url="javascript:alert(5)",
)

__all__ = [
    "ES_TWIN_ID",
    "ES_TWIN_TITLE",
    "HOSTILE",
    "HOSTILE_ID",
    "SAMPLE_ID",
    "SAMPLE_TITLE",
    "build_page_index",
    "hits_of",
    "page_app",
]


def build_page_index(path: Path) -> Path:
    """seeds/ and the hostile document, committed at ``path``."""
    with searchlib.create_index(path) as index:
        searchlib.index_paths(index, [SEEDS])
        index.add(HOSTILE)
        index.commit()
    return path


def page_app(path: Path) -> Any:
    """The application of ``searchlib serve`` over the index at ``path`` (the page and the
    API)."""
    from searchlib.serve.app import create_app

    return create_app(str(path))


HIT = re.compile(
    r'<article class="hit" lang="(?P<lang>[^"]+)"[^>]*>\s*<h3[^>]*><a href="(?P<href>[^"]+)">'
    r"(?P<title>.*?)</a>",
    re.S,
)


def hits_of(page: str) -> list[tuple[str, str, str]]:
    """(id, language, title as text) of each result of a page, in order."""
    return [
        (m["href"].removeprefix("/doc/"), m["lang"], html.unescape(m["title"]))
        for m in HIT.finditer(page)
    ]
