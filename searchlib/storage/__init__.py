"""Storage: directories of immutable files and the checksummed array file format.

Knows bytes, names and numeric arrays; nothing of analysis or of what a term is.
"""

from __future__ import annotations

from searchlib.storage.codec import (
    SIGNATURE_OTHER,
    ArrayFile,
    StringTable,
    decode_array_file,
    decode_strings,
    decode_strings_at,
    encode_array_file,
    encode_strings,
    lower_bound,
    release_pages,
    string_lengths,
    string_signatures,
    verify_checksum,
)
from searchlib.storage.directory import Directory, FileDirectory, MemoryDirectory

__all__ = [
    "SIGNATURE_OTHER",
    "ArrayFile",
    "Directory",
    "FileDirectory",
    "MemoryDirectory",
    "StringTable",
    "decode_array_file",
    "decode_strings",
    "decode_strings_at",
    "encode_array_file",
    "encode_strings",
    "lower_bound",
    "release_pages",
    "string_lengths",
    "string_signatures",
    "verify_checksum",
]
