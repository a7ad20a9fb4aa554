"""Analysis: text -> terms with positions and offsets, per language (English, Spanish).

Knows nothing of storage or the index (imports only :mod:`searchlib.errors`). The public surface:

* :class:`Token` -- one analysed word: its term, position and character offsets.
* :class:`Analyzer` -- a per-language chain; ``tokens()`` for highlighting and the CLI,
  ``terms()`` for query text, ``term()`` for one word, ``normalize()`` (no stemming) for
  prefix, wildcard and fuzzy terms, and ``analyse_batch()`` as the indexing fast path: texts as
  ids into a :class:`~searchlib.analysis.chunks.ChunkTable`, expanded to terms with numpy.
* :func:`get_analyzer` -- the shared analyzer of a language (terms are cached per analyzer).
* :func:`detect_language` -- "en", "es" or "und".
* :func:`fold_accents` -- the accent folding of both chains (keeps ñ); :func:`folded_matches`
  -- which values of a list equal a value once both are folded (a column filter's codes).
* :class:`Lexicon` / :func:`load_lexicon` -- the English<->Spanish lexicon for cross-lingual
  query expansion (see :mod:`searchlib.analysis.lexicon` for the file format).

Design choices (tokenizer details in :mod:`searchlib.analysis.tokenizer`): hyphenated words index
as their parts at consecutive positions; acronym dots are dropped (``U.S.`` = ``US``); numbers
are canonical (``2,000`` = ``2.000`` = ``2000``) and never stemmed; both chains fold accents but
keep ñ (``año`` != ``ano``); stop lists ship as package data (``data/stop_*.txt``).
"""

from __future__ import annotations

from searchlib.analysis.analyzers import Analyzer, Token, get_analyzer
from searchlib.analysis.languages import detect_language
from searchlib.analysis.lexicon import Lexicon, load_lexicon
from searchlib.analysis.tokenizer import fold_accents, folded_matches

__all__ = [
    "Analyzer",
    "Lexicon",
    "Token",
    "detect_language",
    "fold_accents",
    "folded_matches",
    "get_analyzer",
    "load_lexicon",
]
