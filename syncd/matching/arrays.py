"""Array helpers the matcher uses on millions of pair codes."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["distinct"]


def distinct(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The sorted distinct values of an integer array, by one sort.

    ``np.unique`` without ``return_*`` takes a hash-table path in numpy 2.3+ that is some 40x slower than a
    sort on millions of distinct int64 codes (3 s against 0.07 s for 5M codes on this machine)."""
    if not len(values):
        return values
    ordered = np.sort(values)
    out: npt.NDArray[np.int64] = ordered[np.r_[True, ordered[1:] != ordered[:-1]]]
    return out
