"""Running the command line the way a user's shell does: a fresh ``python -m searchlib``."""

from __future__ import annotations

import subprocess
import sys

from shared_paths import REPO


def searchlib_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m searchlib ARGS`` from the repository, with nothing from the test's
    environment but the repository on PYTHONPATH (no PYTHON* settings leak in)."""
    return subprocess.run(
        [sys.executable, "-m", "searchlib", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        timeout=timeout,
    )
