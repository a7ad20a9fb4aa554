"""A term's frequencies must add up to its positions: checked when the term's positions are
read (a phrase, a snippet), by ``field_arrays`` for every term at once (merges, ``check``), not
by every first read of a field (a pass over all its postings that a first query would pay)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import searchlib
from searchlib.errors import CorruptIndexError
from searchlib.index.segment import VERSIONS
from searchlib.storage import decode_array_file, encode_array_file


def _damaged(path: Path) -> searchlib.Index:
    """An index whose term ``coca`` (body, English) claims one occurrence more in its first
    document than it has positions for; the file's checksum is right."""
    with searchlib.create_index(path) as index:
        index.add(searchlib.Brief(id="a", lang="en", title="Peru", body=["coca growers of coca"]))
        index.add(searchlib.Brief(id="b", lang="en", title="Bolivia", body=["coca leaf markets"]))
        index.commit()
        seg = index.reader.segments[0]
        first = int(seg.field_arrays("body.en")["start"][seg.term_ord("body.en", "coca")])
    (post,) = path.glob("*.post")
    f = decode_array_file(post.read_bytes(), str(post), "segment-post", 1, VERSIONS["post"])
    arrays = {k: np.array(v) for k, v in f.arrays.items()}
    arrays["body.en/tfs"][first] += 1
    post.write_bytes(b"".join(encode_array_file("segment-post", f.version, arrays, f.meta)))
    return searchlib.open_index(path)


def test_reading_the_positions_of_a_damaged_term_says_so(tmp_path: Path) -> None:
    with _damaged(tmp_path / "ix") as index:
        seg = index.reader.segments[0]
        ordinal = seg.term_ord("body.en", "coca")
        with pytest.raises(CorruptIndexError, match="body.en: positions do not match"):
            seg.positions_at("body.en", ordinal)
        with pytest.raises(CorruptIndexError, match="body.en: positions do not match"):
            seg.posting_positions("body.en", ordinal, 1)
        with pytest.raises(CorruptIndexError, match="positions do not match"):
            index.search('"coca growers"', snippets=False)
        with pytest.raises(CorruptIndexError, match="positions do not match"):
            index.check()
        with pytest.raises(CorruptIndexError, match="positions do not match"):
            seg.field_arrays("body.en")
        # another term's positions are whole
        pos, offs = seg.positions_at("body.en", seg.term_ord("body.en", "grower"))
        assert pos.tolist() == [1] and offs.tolist() == [0, 1]


def test_a_whole_index_reads_its_positions(tmp_path: Path) -> None:
    with searchlib.create_index(tmp_path / "ix") as index:
        index.add(searchlib.Brief(id="a", lang="en", title="Peru", body=["coca growers of coca"]))
        index.commit()
        seg = index.reader.segments[0]
        ordinal = seg.term_ord("body.en", "coca")
        pos, offs = seg.positions_at("body.en", ordinal)
        assert pos.tolist() == [0, 3] and offs.tolist() == [0, 2]
        assert seg.posting_positions("body.en", ordinal, 0).tolist() == [0, 3]
        assert [h.id for h in index.search('"coca growers"')] == ["a"]
