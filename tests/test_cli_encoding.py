"""The command line with text the terminal cannot encode (a lone surrogate, read from a JSON
escape): no command fails, text output shows the escape, --json output is valid JSON that
reads back to the same strings. Standard output as Python sets it up under several locales,
and once as a user runs it (a process)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import searchlib
from searchlib.cli import main

REPO = Path(__file__).resolve().parents[1]
ID = "sur\udc80id"
TITLE = "Coca \ud800 seized"

STDOUTS = {
    "utf-8": ("utf-8", "strict"),  # LANG=C.UTF-8: UnicodeEncodeError, exit 1
    "posix": ("utf-8", "surrogateescape"),  # LC_ALL=C: a lone byte 0x80, not UTF-8
    "ascii": ("ascii", "strict"),  # PYTHONIOENCODING=ascii
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("surrogates")
    src = folder / "docs.jsonl"
    records = [
        {"id": ID, "lang": "en", "title": TITLE, "body": "Police seized coca paste."},
        {"id": "plain", "lang": "es", "title": "Perú: coca y cocaína", "body": "La coca."},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="ascii")
    path = folder / "idx"
    with searchlib.create_index(path) as idx:
        assert searchlib.index_paths(idx, [src], workers=1).indexed == 2
    return path


def run(
    monkeypatch: pytest.MonkeyPatch, stdout: str, *argv: str, stdin: str = ""
) -> tuple[int, bytes]:
    """main(argv) with standard output as Python opens it for ``stdout``; (exit code, bytes)."""
    encoding, errors = STDOUTS[stdout]
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding=encoding, errors=errors, write_through=True)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out.flush()
    return code, raw.getvalue()


@pytest.mark.parametrize("stdout", sorted(STDOUTS))
def test_text_output_shows_the_escape(
    index: Path, stdout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out = run(monkeypatch, stdout, "search", "coca", "--index", str(index))
    assert code == 0
    text = out.decode(STDOUTS[stdout][0])  # valid, whatever the strings held
    assert "id sur\\udc80id" in text and "Coca \\ud800 seized" in text
    assert ("Per\\xfa" if stdout == "ascii" else "Perú") in text


@pytest.mark.parametrize("stdout", sorted(STDOUTS))
@pytest.mark.parametrize("command", ["search", "related"])
def test_json_output_reads_back_to_the_same_strings(
    index: Path, stdout: str, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    arg = "coca" if command == "search" else "plain"
    code, out = run(monkeypatch, stdout, command, arg, "--index", str(index), "--json")
    assert code == 0
    got = json.loads(out.decode("utf-8"))  # strict UTF-8: no lone byte
    hits = {h["id"]: h["title"] for h in got["hits"]}
    assert hits[ID] == TITLE
    if command == "search":
        assert hits["plain"] == "Perú: coca y cocaína"
    assert b"\\udc80" in out and "\ufffd" not in out.decode("utf-8")


@pytest.mark.parametrize("stdout", sorted(STDOUTS))
def test_repl_pipe_mode(index: Path, stdout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(monkeypatch, stdout, "repl", "--index", str(index), stdin="coca\n:open 1\n")
    assert code == 0
    text = out.decode(STDOUTS[stdout][0])
    assert "Coca \\ud800 seized" in text


def test_the_command_in_the_posix_locale(index: Path) -> None:
    """As a user runs it: LC_ALL=C, where Python's standard output uses surrogateescape."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "PYTHONIOENCODING")}
    env["LC_ALL"] = "C"
    for extra in ([], ["--json"]):
        out = subprocess.run(
            [sys.executable, "-m", "searchlib", "search", "coca", "--index", str(index), *extra],
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        text = out.stdout.decode("utf-8")
        if extra:
            assert {h["id"] for h in json.loads(text)["hits"]} == {ID, "plain"}
        else:
            assert "id sur\\udc80id" in text
