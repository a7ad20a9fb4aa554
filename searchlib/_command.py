"""Whether this process is the ``searchlib`` command, and what that sets before numpy loads.

Imported first by :mod:`searchlib` (before anything imports numpy).
"""

from __future__ import annotations

import os
import sys

__all__ = ["argv0", "runs_the_command"]


def argv0() -> str:
    """The file name of ``sys.argv[0]`` (``-m`` while ``python -m`` imports a package)."""
    first: str = (getattr(sys, "argv", None) or [""])[0]
    return first.replace("\\", "/").rsplit("/", 1)[-1]


def runs_the_command(orig_argv: list[str], argv0: str) -> bool:
    """Whether this process is the ``searchlib`` command itself (``python -m searchlib``, the
    script), not a program that imports searchlib (``-m`` alone also names a program's own
    ``python -m package`` while that package is imported)."""
    if argv0 in ("searchlib", "searchlib.exe"):
        return True
    i = orig_argv.index("-m") if "-m" in orig_argv else -1
    return 0 <= i < len(orig_argv) - 1 and orig_argv[i + 1] == "searchlib"


if runs_the_command(list(getattr(sys, "orig_argv", [])), argv0()):
    # numpy's OpenBLAS starts a thread per core when numpy is imported, and they spin a while:
    # 50 ms of CPU and of wall time of every command's start (import numpy: 0.15 s -> 0.10 s).
    # The commands make no BLAS call (no matrix products). A program's ``import searchlib``
    # leaves its environment alone. Set before anything imports numpy; a value the user set
    # is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
