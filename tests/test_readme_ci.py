"""The README's contract: two quick-start lines, and CI runs exactly the second one."""

from __future__ import annotations

import re

from shared_paths import REPO


def quick_start_lines() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```[a-z]*\n(.*?)```", section, re.S)
    assert block, "no fenced code block in Quick start"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_has_exactly_two_lines() -> None:
    """Line 1 installs, indexes seeds/ and searches; line 2 installs test deps and runs pytest."""
    lines = quick_start_lines()
    assert len(lines) == 2
    assert "pip install" in lines[0] and "index seeds/" in lines[0] and " search " in lines[0]
    assert "pip install" in lines[1] and "pytest" in lines[1]


def test_ci_runs_readme_test_command() -> None:
    """.ci/run contains README's test line verbatim, as a command of its own."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert quick_start_lines()[1] in [line.strip() for line in ci]
    assert "set -euo pipefail" in ci[2:5] or any(line.startswith("set -e") for line in ci)
