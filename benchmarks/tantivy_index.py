"""The tantivy-py side of the indexing comparisons: a JSONL corpus into a tantivy index, one thread.

Usage: ``python benchmarks/tantivy_index.py CORPUS.jsonl INDEX_DIR``. The index is
:func:`_engines.build_tantivy`'s (id, title and body stored, ``en_stem``, one indexing thread,
one commit, merging threads waited for), built in this process as a whole command, as
``searchlib index`` is: interpreter start, imports, reading and parsing the JSONL, indexing.
Prints the number of documents indexed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tantivy  # noqa: E402
from _engines import build_tantivy  # noqa: E402


def main() -> None:
    docs, index_dir = Path(sys.argv[1]), Path(sys.argv[2])
    index_dir.mkdir(parents=True, exist_ok=True)
    index, _ = build_tantivy(tantivy, docs, index_dir)
    print(index.searcher().num_docs)


if __name__ == "__main__":
    main()
