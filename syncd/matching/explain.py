"""Reasons in words, built from the per-field weights of the trained model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from syncd.matching.comparisons import Comparison

__all__ = ["probability", "reasons"]


def probability(weight: float) -> float:
    return float(1.0 / (1.0 + 2.0 ** (-max(min(weight, 500.0), -500.0))))


def reasons(comparisons: Sequence[Comparison], levels: npt.NDArray[np.int8], per_field: npt.NDArray[np.float64],
            total: float, swapped: bool = False) -> dict[str, str]:
    """``{"email": "same personal email (+17.1)", ..., "score": "..."}``: each field that said something,
    with the bits of evidence it gave (positive: for one person, negative: against)."""
    out: dict[str, str] = {}
    for c, comparison in enumerate(comparisons):
        level = comparison.levels[int(levels[c])]
        if level.is_null:
            continue
        text = level.text
        if comparison.name == "given" and swapped and level.label == "swapped":
            text = "same names in swapped order"
        out[comparison.name] = f"{text} ({per_field[c]:+.1f})"
    out["score"] = f"match weight {total:+.1f} bits: probability {probability(total):.4f}"
    return out
