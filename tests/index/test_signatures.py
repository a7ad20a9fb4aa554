"""The letter sketches of terms and words stored in ``.terms`` (version 3, did-you-mean's
filter): made at commit, equal to what is computed from the strings, checked by ``check``,
and an index of version 2 (without them) suggests the same words."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import searchlib
from searchlib.errors import CorruptIndexError
from searchlib.index.segment import VERSIONS
from searchlib.storage import (
    decode_array_file,
    encode_array_file,
    string_signatures,
)

STORE_V1 = Path(__file__).resolve().parents[1] / "data" / "store-v1-seeds-index"


def _index(path: Path) -> searchlib.Index:
    index = searchlib.create_index(path)
    index.add(searchlib.Brief(id="a", lang="en", title="Humala", body=["Humala visits 2024"]))
    index.add(searchlib.Brief(id="b", lang="es", title="Año", body=["erradicación del cañón"]))
    index.commit()
    return index


def _terms_file(path: Path) -> tuple[Path, dict[str, np.ndarray], dict[str, object]]:
    (terms,) = sorted(path.glob("*.terms"))
    f = decode_array_file(terms.read_bytes(), str(terms), "segment-terms", 1, VERSIONS["terms"])
    return terms, {k: np.array(v) for k, v in f.arrays.items()}, dict(f.meta)


def test_signatures_are_stored_for_every_term_and_word_table(tmp_path: Path) -> None:
    _index(tmp_path / "ix").close()
    _, arrays, _ = _terms_file(tmp_path / "ix")
    signed = sorted(k.removesuffix("_sig") for k in arrays if k.endswith("_sig"))
    tables = sorted(
        k for k in arrays if k.endswith("/terms") and not k.startswith("@") or k.endswith("/words")
    )
    assert signed == tables and "@words/es/words" in signed and "body.en/terms" in signed
    for key in signed:
        expected = string_signatures(arrays[key], arrays[f"{key}_off"])
        assert arrays[f"{key}_sig"].dtype == np.uint32
        assert np.array_equal(arrays[f"{key}_sig"], expected), key
    # a-z one bit each; a character beyond ASCII one bit, however many bytes
    blob, offs = np.frombuffer("abañ2".encode(), dtype=np.uint8), np.array([0, 2, 5, 6])
    assert string_signatures(blob, offs).tolist() == [0b11, 1 | 1 << 28, 1 << 28]


def test_check_finds_a_wrong_signature(tmp_path: Path) -> None:
    """A file whose checksum is right but whose sketch of a word is not that word's: ``check``
    says which table (a search would only miss that word's suggestions)."""
    _index(tmp_path / "ix").close()
    terms, arrays, meta = _terms_file(tmp_path / "ix")
    sig = arrays["@words/en/words_sig"]
    sig[0] ^= np.uint32(1 << 5)
    terms.write_bytes(b"".join(encode_array_file("segment-terms", VERSIONS["terms"], arrays, meta)))
    with searchlib.open_index(tmp_path / "ix") as index:
        with pytest.raises(CorruptIndexError, match="@words/en/words: signatures differ"):
            index.check()


def test_a_signature_table_of_the_wrong_size_is_corrupt(tmp_path: Path) -> None:
    _index(tmp_path / "ix").close()
    terms, arrays, meta = _terms_file(tmp_path / "ix")
    arrays["body.en/terms_sig"] = arrays["body.en/terms_sig"][:-1]
    terms.write_bytes(b"".join(encode_array_file("segment-terms", VERSIONS["terms"], arrays, meta)))
    with searchlib.open_index(tmp_path / "ix") as index:
        with pytest.raises(CorruptIndexError, match="body.en/terms: signatures do not match"):
            index.search("visitz")


def test_an_index_without_signatures_suggests_the_same(tmp_path: Path) -> None:
    """``.terms`` version 2 has no sketches: they are computed on first use, and the
    suggestions are the same as with the stored ones."""
    queries = ["Humla visits", "Humaal", "visitz 2024", "erradicasion", "canon", "ano", "Hxmalaa"]
    with _index(tmp_path / "ix") as index:
        with_stored = [index.search(q).suggestion for q in queries]
    assert with_stored[:4] == ["Humala visits", "Humala", "visits 2024", "erradicación"]
    terms, arrays, meta = _terms_file(tmp_path / "ix")
    arrays = {k: v for k, v in arrays.items() if not k.endswith("_sig")}
    terms.write_bytes(b"".join(encode_array_file("segment-terms", 2, arrays, meta)))
    with searchlib.open_index(tmp_path / "ix") as index:
        assert [index.search(q).suggestion for q in queries] == with_stored
        assert index.check()["docs"] == 2


def test_the_version_2_fixture_suggests(tmp_path: Path) -> None:
    shutil.copytree(STORE_V1, tmp_path / "old")
    with searchlib.open_index(tmp_path / "old") as index:
        assert index.search("Humla coca").suggestion == "Humala coca"
        assert index.search("author:ramsy").suggestion == "author:ramsey"
