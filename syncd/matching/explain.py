"""Reasons in words, built from the per-field weights of the trained model."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from syncd.matching.comparisons import Comparison

__all__ = ["LazyReasons", "probabilities", "probability", "reasons"]


class LazyReasons(Mapping[str, str]):
    """Reasons put into words only when someone reads them (a full pass links hundreds of thousands of
    records; the daemon stores each link's reasons, a benchmark never reads them)."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], dict[str, str]]) -> None:
        self._make: Callable[[], dict[str, str]] | None = make
        self._value: dict[str, str] | None = None

    def _get(self) -> dict[str, str]:
        if self._value is None:
            assert self._make is not None
            self._value, self._make = self._make(), None
        return self._value

    def __getitem__(self, key: str) -> str:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return repr(self._get())


def probability(weight: float) -> float:
    """A match weight (bits) as the probability of one person."""
    return float(1.0 / (1.0 + 2.0 ** (-max(min(weight, 500.0), -500.0))))


def probabilities(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``probability`` of many weights at once."""
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp2(-np.clip(weights, -500.0, 500.0)))
    return out


def reasons(comparisons: Sequence[Comparison], levels: npt.NDArray[np.int8], per_field: npt.NDArray[np.float64],
            total: float, swapped: bool = False, together: float = 0.0) -> dict[str, str]:
    """``{"email": "same personal email (+17.1)", ..., "score": "..."}``: each field that said something,
    with the bits of evidence it gave (positive: for one person, negative: against). ``together``: the bits
    the strangers' mixture took off (or gave back) because different people commonly agree on these fields
    at once."""
    out: dict[str, str] = {}
    for c, (level_index, weight) in enumerate(zip(levels.tolist(), per_field.tolist(), strict=True)):
        comparison = comparisons[c]
        level = comparison.levels[level_index]
        if level.is_null:
            continue
        key = (level.text, round(weight, 1))
        text = _TEXTS.get(key)
        if text is None:
            if len(_TEXTS) > 100_000:
                _TEXTS.clear()
            text = _TEXTS[key] = f"{level.text} ({weight:+.1f})"
        out[comparison.name] = text
    if together <= -0.05:
        out["together"] = (f"different people often agree on these fields together (a household, colleagues, "
                           f"namesakes) ({together:+.1f})")
    elif together >= 0.05:
        out["together"] = f"strangers seldom agree on these fields together ({together:+.1f})"
    out["score"] = f"match weight {total:+.1f} bits: probability {probability(total):.4f}"
    return out


_TEXTS: dict[tuple[str, float], str] = {}
