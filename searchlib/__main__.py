"""``python -m searchlib``: the command line."""

import sys

from searchlib.cli import main

sys.exit(main())
