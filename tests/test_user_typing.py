"""A user's code type-checks: the README's Python example passes ``mypy --strict`` against this
tree, and iterating over results gives :class:`~searchlib.Hit` values (not ``Any``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from shared_paths import REPO

pytest.importorskip("mypy")

CONFIG = """\
[mypy]
strict = True
python_version = 3.10

# as mypy treats an installed package: its own code is not reported, its types are used (this
# tree is read from source, where its imports of untyped libraries would be reported)
[mypy-searchlib.*]
follow_imports = silent
"""

PROBE = """\
import searchlib

with searchlib.create_index() as index:
    for hit in index.search("coca"):
        reveal_type(hit)
"""


def readme_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "no python block in README's Python API section"
    return block.group(1)


@pytest.mark.heavy
def test_the_readme_example_type_checks(tmp_path: Path) -> None:
    (tmp_path / "example.py").write_text(readme_example(), encoding="utf-8")
    (tmp_path / "probe.py").write_text(PROBE, encoding="utf-8")
    (tmp_path / "mypy.ini").write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(REPO)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            "--config-file",
            "mypy.ini",
            "example.py",
            "probe.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = run.stdout.splitlines()
    assert [line for line in lines if "example.py" in line] == []
    assert lines == ['probe.py:5: note: Revealed type is "searchlib.search.results.Hit"'], (
        run.stdout + run.stderr
    )
