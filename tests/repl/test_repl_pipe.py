"""The REPL with standard input from a pipe: plain text, one query per line, scriptable."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from shared_paths import SAMPLE_TITLE


def test_pipe_mode(seeds_index: Path, tmp_path: Path) -> None:
    env = dict(
        os.environ,
        SEARCHLIB_HISTORY=str(tmp_path / "history"),
        PYTHONIOENCODING="utf-8",
        TERM="xterm",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "searchlib", "repl", "--index", str(seeds_index)],
        input="Humala coca\n:related 1\n:quit\nnot read\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith(f" 1. {SAMPLE_TITLE}\n")
    assert "\x1b" not in out  # no ANSI escape codes
    assert "*coca*" in out and "*Humala*" in out
    assert out.count("shown on its page") == 3
    assert "search>" not in out  # no prompt decoration
    assert not (tmp_path / "history").exists()
    assert re.search(r"^-- 1 hit ", out, re.M)  # the Spanish twin is folded into the story


def test_pipe_mode_errors_go_to_stderr_and_fail_the_run(seeds_index: Path, tmp_path: Path) -> None:
    env = dict(os.environ, SEARCHLIB_HISTORY=str(tmp_path / "history"), PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "searchlib", "repl", "--index", str(seeds_index)],
        input="Humala\n:bogus\n:open 99\nHumala\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "error" not in proc.stdout and proc.stdout.count(f" 1. {SAMPLE_TITLE}") == 2
    assert "unknown command :bogus" in proc.stderr and "no hit 99" in proc.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "searchlib", "repl", "--index", str(seeds_index)],
        input="Humala\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
    )
    assert ok.returncode == 0 and ok.stderr == ""
