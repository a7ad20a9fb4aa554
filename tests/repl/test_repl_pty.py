"""The REPL on a pseudo-terminal: one prompt_toolkit session driven through several commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
from shared_paths import SAMPLE_TITLE

pytestmark = [
    pytest.mark.heavy,
    pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal"),
]

PROMPT = r"search(\[[^\]]*\])?>"


def test_interactive_session(seeds_index: Path, tmp_path: Path) -> None:
    history = tmp_path / "history"
    env = dict(
        os.environ,
        SEARCHLIB_HISTORY=str(history),
        TERM="xterm",
        PYTHONIOENCODING="utf-8",
        LC_ALL="C.UTF-8",
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "searchlib", "repl", "--index", str(seeds_index)],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    try:
        child.expect(PROMPT)
        child.sendline("Humala coca")
        child.expect(r" 1\. ")
        child.expect_exact(SAMPLE_TITLE)  # the sample brief ranks first
        child.expect(r"\x1b\[[0-9;]*m")  # colour on a terminal
        child.expect(r"1 hit ")
        child.expect(PROMPT)

        child.sendline(":related 1")
        for section in ("Brazil", "China and Crime", "Brazil"):
            child.expect_exact(section)
            child.expect_exact("shown on its page")
        child.expect(PROMPT)

        child.sendline(":help")
        for command in (
            ":open",
            ":related",
            ":explain",
            ":more",
            ":lang",
            ":filter",
            ":facets",
            ":stats",
            ":help",
            ":quit",
        ):
            child.expect_exact(command)
        child.expect(PROMPT)

        child.sendline(":lang es")
        child.expect(r"search\[es\]>")
        child.sendline("erradicación de coca")
        child.expect_exact("Humala de Perú pide mayor cooperación antidrogas con EEUU")
        child.expect(r"query lang es")
        child.expect(PROMPT)

        child.sendline(":open 1")
        child.expect_exact("Ollanta Humala")  # body text
        child.expect_exact("Related (3):")
        child.expect(PROMPT)

        child.sendline(":frobnicate")
        child.expect("unknown command :frobnicate")
        child.expect(PROMPT)
        child.sendline("coca")  # still alive after the error
        child.expect(r"hits? \(1-")
        child.expect(PROMPT)

        child.sendline(":quit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert "Humala coca" in history.read_text(encoding="utf-8")
