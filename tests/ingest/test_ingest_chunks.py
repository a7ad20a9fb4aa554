"""plan_chunks / read_chunk: reading the chunks in order equals iter_records, line numbers too."""

from __future__ import annotations

import json
from pathlib import Path

from searchlib.errors import IngestError
from searchlib.ingest import iter_records, plan_chunks, read_chunk


def _outline(items: list[object]) -> list[tuple[str, object]]:
    return [
        ("error", (Path(i.path).name, i.line, i.reason))
        if isinstance(i, IngestError)
        else ("ok", i.id)  # type: ignore[attr-defined]
        for i in items
    ]


def test_chunks_read_in_order_equal_iter_records(tmp_path: Path) -> None:
    """A JSONL cut into many line-aligned chunks, plus small files, reads exactly as a whole."""
    lines = []
    for i in range(300):
        if i in (17, 250):
            lines.append('{"id": "broken", "title": ')
        else:
            lines.append(
                json.dumps({"id": f"r{i}", "lang": "en", "title": f"T {i}", "body": "b" * (i % 50)})
            )
    big = tmp_path / "a_big.jsonl"
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "b_note.txt").write_text("A title\n\nSome body text here.\n", encoding="utf-8")
    (tmp_path / "c_empty.md").write_text("", encoding="utf-8")
    chunks = plan_chunks([tmp_path], chunk_bytes=1000)
    assert sum(1 for c in chunks if c.path == str(big)) > 10
    assert [c.first_line for c in chunks if c.path == str(big)][0] == 1
    whole = list(iter_records([tmp_path]))
    pieces = [item for c in chunks for item in read_chunk(c)]
    assert _outline(pieces) == _outline(whole)
    assert [e.line for e in pieces if isinstance(e, IngestError) and e.line] == [18, 251]
