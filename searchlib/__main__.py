"""``python -m searchlib``: the command line."""

from searchlib.cli import run

run()
