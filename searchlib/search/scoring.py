"""BM25F: the ranking function, as pure numpy functions with validated parameters and explanations.

For a term t and document d over fields f with weights w_f and length normalisation b_f
(Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009)::

    tf~(t, d) = sum_f  w_f * tf(t, d, f) / (1 - b_f + b_f * len(d, f) / avglen(f))
    score     = idf(t) * tf~ / (k1 + tf~)
    idf(t)    = log(1 + (N - df + 0.5) / (df + 0.5))           (Lucene's non-negative idf)

N and df count the documents of the query language's fields across every segment of the index.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs
import numpy as np

from searchlib.errors import ArgumentError

__all__ = ["BM25F", "Explanation", "idf"]


def _finite_nonneg(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
        raise ArgumentError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


def _unit(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (isinstance(value, (int, float)) and 0 <= value <= 1):
        raise ArgumentError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def idf(df: int | np.ndarray, n: int) -> float | np.ndarray:
    """log(1 + (N - df + 0.5) / (df + 0.5)), never negative.

    >>> round(float(idf(1, 10)), 4)
    1.9924
    """
    out: float | np.ndarray = np.log1p((n - df + 0.5) / (np.asarray(df) + 0.5))
    return out


@attrs.frozen(slots=True)
class BM25F:
    """BM25F parameters: saturation ``k1``, per-field weights and length normalisation ``b``.

    The defaults were chosen on Cranfield, CISI and CACM together (one setting for all, no
    per-collection tuning; see ``searchlib eval``), then checked on XQuAD: a title word counts
    3 body words and is fully length-normalised, and BM25F's combined frequency saturates more
    slowly than single-field BM25's usual k1 = 1.2, since it adds up several fields.
    """

    k1: float = attrs.field(default=2.0, validator=_finite_nonneg)
    weights: Mapping[str, float] = attrs.field(
        factory=lambda: {"title": 3.0, "body": 1.0, "teaser": 1.0}
    )
    b: Mapping[str, float] = attrs.field(
        factory=lambda: {"title": 1.0, "body": 0.7, "teaser": 0.75}
    )

    def __attrs_post_init__(self) -> None:
        for name, w in self.weights.items():
            if not (math.isfinite(w) and w >= 0):
                raise ArgumentError(
                    f"weight of field {name!r} must be a finite number >= 0, got {w!r}"
                )
        for name, b in self.b.items():
            if not 0 <= b <= 1:
                raise ArgumentError(f"b of field {name!r} must be between 0 and 1, got {b!r}")

    def weight(self, field: str) -> float:
        return float(self.weights.get(field, 1.0))

    def length_b(self, field: str) -> float:
        """The field's length normalisation ``b`` (0.75 for a field not named)."""
        return float(self.b.get(field, 0.75))

    def length_norms(self, field: str, lengths: np.ndarray, avglen: float) -> np.ndarray:
        """Per document: w_f / (1 - b_f + b_f * len / avglen), so that a term's weighted,
        length-normalised frequency in the field is ``tf * norms[doc]``. A document without
        the field (length 0) gets 0, not w / 0 (it has no postings there anyway)."""
        b = self.length_b(field)
        denom = (1.0 - b) + b * (lengths.astype(np.float32) / np.float32(avglen or 1.0))
        out: np.ndarray = np.divide(
            np.float32(self.weight(field)),
            denom,
            out=np.zeros(lengths.size, np.float32),
            where=denom > 0,
        )
        return out

    def saturate(self, tf_tilde: np.ndarray, term_idf: float) -> np.ndarray:
        out: np.ndarray = term_idf * tf_tilde / (self.k1 + tf_tilde)
        return out


@attrs.frozen
class Explanation:
    """A labelled score tree, after Lucene: ``value`` is the sum (or product) of its parts."""

    value: float
    description: str
    details: tuple[Explanation, ...] = ()

    def render(self, indent: int = 0) -> str:
        lines = [f"{'  ' * indent}{self.value:.4f} = {self.description}"]
        lines += [d.render(indent + 1) for d in self.details]
        return "\n".join(lines)
