"""The Whoosh 2.7 side of the indexing benchmark: a JSONL corpus into a Whoosh index, one process.

Usage: ``python benchmarks/whoosh_index.py CORPUS.jsonl INDEX_DIR``. Schema: ``id`` (ID, stored,
unique), ``lang`` (ID, stored), per-language text fields ``title_en``/``body_en`` (StemmingAnalyzer)
and ``title_es``/``body_es`` (LanguageAnalyzer("es")), positions (TEXT's default), titles stored;
one writer (``limitmb=256``), one commit at the end. Prints the number of documents added.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def schema() -> Any:
    from whoosh.analysis import LanguageAnalyzer, StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    return Schema(
        id=ID(stored=True, unique=True),
        lang=ID(stored=True),
        title_en=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body_en=TEXT(analyzer=StemmingAnalyzer()),
        title_es=TEXT(analyzer=LanguageAnalyzer("es"), stored=True),
        body_es=TEXT(analyzer=LanguageAnalyzer("es")),
    )


def main(argv: list[str]) -> int:
    from whoosh import index

    corpus, index_dir = Path(argv[0]), Path(argv[1])
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema())
    writer = ix.writer(limitmb=256)
    added = 0
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            doc = json.loads(line)
            lang = "es" if doc.get("lang") == "es" else "en"
            body = doc.get("body") or ""
            if isinstance(body, list):
                body = "\n".join(body)
            writer.add_document(
                **{
                    "id": str(doc["id"]),
                    "lang": lang,
                    f"title_{lang}": doc.get("title") or "",
                    f"body_{lang}": body,
                }
            )
            added += 1
    writer.commit()
    ix.close()
    print(added)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
