"""Start-up: what a search pays before its first answer. Checked by what is imported, never by
timing: the worker-process machinery of bulk indexing is not loaded by searching."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_searching_does_not_import_the_bulk_indexing_machinery(tmp_path: Path) -> None:
    code = (
        "import sys, searchlib\n"
        f"index = searchlib.create_index({str(tmp_path / 'ix')!r})\n"
        "index.add(searchlib.Brief(id='a', lang='en', title='Coca', body=['coca growers']))\n"
        "index.commit()\n"
        "hits = searchlib.open_index(index.directory.path).search('coca').hits\n"
        "print([h.id for h in hits])\n"
        "print(sorted(m for m in ('searchlib.bulk', 'multiprocessing', 'concurrent.futures')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()
    assert out == ["['a']", "[]"]
