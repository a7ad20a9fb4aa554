"""Analysis: text -> terms with positions and offsets, per language (English, Spanish).

Knows nothing of storage or the index. The public surface:

* :class:`Token` -- one analysed word: its term, position and character offsets.
* :class:`Analyzer` -- a per-language chain; ``tokens()`` for highlighting and the CLI,
  ``terms()`` as the fast path for indexing, ``normalize()`` (no stemming) for prefix and fuzzy terms.
* :func:`get_analyzer` -- the shared analyzer of a language (stems are cached per analyzer).
* :func:`detect_language` -- "en", "es" or "und".
"""

from __future__ import annotations

from searchlib.analysis.analyzers import Analyzer, Token, get_analyzer
from searchlib.analysis.languages import detect_language

__all__ = ["Analyzer", "Token", "detect_language", "get_analyzer"]
