"""Two different people are not independent either: a latent-class model of the non-matches.

Fellegi-Sunter multiplies each field's u as if two strangers agreed on each field by separate chance. They
do not: a household shares a family name, a street, a postal code, a city and a landline at once; colleagues
share a company, a switchboard number and a mail domain; namesakes share a given *and* a family name far
more often than the two names' separate frequencies say (names run in families and cultures). Multiplying
such agreements counts one fact several times, and the pairs it over-trusts are exactly the doubtful ones.

So the non-matches are modelled as a mixture of a few classes, each with its own per-field level
distribution (conditionally independent inside a class, as in Larsen & Rubin's mixture models for record
linkage). The classes are fitted by EM to the blocked pairs *within* one system — known to be two people,
proposed by the same blocking keys as the pairs across systems — so the kinds of strangers the blocking
brings together (households, colleagues, namesakes) are learned from the data at hand, not declared. Fields
missing on either side are left out of a pair's likelihood, as in the main model.

An EM for latent classes has several local optima, and a single random start lands in one of them by the
luck of its draw: on the second generator, one record more or less moved a 10,000-person pass between two
of them (35 false links and 20 duplicates apart). So the EM starts from several draws, each pattern's
drawn from a hash of the pattern itself (a pattern starts alike whatever else the data holds), runs each a
few rounds, and runs the one that explains the pairs best to the end.

The correction a pair gets is ``log2(prod_c u_c(level_c) / u_mixture(levels))`` in bits: zero when the
fields' agreements are as independent among strangers as the main model assumes, negative when strangers
commonly agree on these fields together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Mixture", "fit_mixture"]

F64 = npt.NDArray[np.float64]
#: classes of strangers (one class is the independent model)
CLASSES = 4
#: a class's distribution is smoothed towards the overall one with this many pairs' worth of weight
SMOOTHING = 20.0
#: never move a pair's weight by more than this many bits
LIMIT = 12.0
#: the EM's random starts, and the rounds each runs before the best of them is chosen to run on
STARTS = 4
_TRIAL = 25
#: the EM stops when a round improves the log-likelihood by less than this share of it
_TOLERANCE = 1e-7


@dataclass(frozen=True, slots=True)
class Mixture:
    #: the share of strangers in each class
    weights: tuple[float, ...]
    #: per class, per comparison: the probability of each level (index 0, the null level, unused)
    levels: tuple[tuple[tuple[float, ...], ...], ...]

    def log2_u(self, levels: npt.NDArray[np.int8]) -> F64:
        """log2 of the mixture's probability of each pair's levels (null levels left out)."""
        per_class = np.stack([np.log2(max(weight, 1e-12)) + _log2_prob(dists, levels)  # a share rounded to 0
                              for weight, dists in zip(self.weights, self.levels, strict=True)])
        top = per_class.max(axis=0)
        out: F64 = top + np.log2(np.exp2(per_class - top).sum(axis=0))
        return out

    def correction(self, levels: npt.NDArray[np.int8], marginal: Sequence[F64]) -> F64:
        """Bits to add to a pair's independent weight: log2(prod u_c / u_mixture)."""
        out: F64 = np.clip(_log2_prob(marginal, levels) - self.log2_u(levels), -LIMIT, LIMIT)
        return out

    def as_json(self) -> dict[str, Any]:
        return {"classes": [{"share": round(w, 6), "levels": [[round(p, 6) for p in d[1:]] for d in dists]}
                            for w, dists in zip(self.weights, self.levels, strict=True)]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mixture:
        classes = data["classes"]
        return cls(tuple(float(c["share"]) for c in classes),
                   tuple(tuple((0.0, *map(float, d)) for d in c["levels"]) for c in classes))


def _log2_prob(dists: Sequence[Sequence[float] | F64], levels: npt.NDArray[np.int8]) -> F64:
    """log2 of each pair's probability under per-comparison level distributions taken as independent
    (a null level, index 0, contributes nothing)."""
    total = np.zeros(levels.shape[0])
    for c, dist in enumerate(dists):
        table = np.log2(np.maximum(np.asarray(dist, dtype=np.float64), 1e-12))
        table[0] = 0.0
        total += table[levels[:, c]]
    return total


def _start(codes: npt.NDArray[np.int64], classes: int, seed: int) -> F64:
    """Random starting responsibilities, each pattern's drawn from its own code (a Dirichlet(1) draw from a
    64-bit hash of code, class and seed): a pattern starts the same whichever other patterns the data holds, so
    a few records more or less do not send the EM to another local optimum."""
    mix = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        keys = (codes.astype(np.uint64)[:, None] * np.uint64(classes + 1)
                + np.arange(1, classes + 1, dtype=np.uint64)[None, :] + np.uint64(seed) * mix)
        # splitmix64's finaliser: every bit of the key moves every bit of the result
        z = keys * mix
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    uniform = ((z >> np.uint64(11)).astype(np.float64) + 0.5) / float(1 << 53)
    draws = -np.log(uniform)
    out: F64 = draws / draws.sum(axis=1, keepdims=True)
    return out


def fit_mixture(levels: npt.NDArray[np.int8], radix: Sequence[int], marginal: Sequence[F64], *,
                classes: int = CLASSES, iterations: int = 200, starts: int = STARTS) -> Mixture | None:
    """Fit ``classes`` latent classes to the level patterns of known non-matching pairs (None: too few).

    The EM is run from ``starts`` random starts and the fit that explains the pairs best (highest
    likelihood) is kept: one start lands in whichever local optimum its draw leads to."""
    n, width = levels.shape
    if n < 50 * classes:
        return None
    radix_arr = np.asarray(radix, dtype=np.int64)
    mult = np.cumprod(np.r_[1, radix_arr[:-1]])
    unique, counts = np.unique(levels.astype(np.int64) @ mult, return_counts=True)
    patterns = ((unique[:, None] // mult[None, :]) % radix_arr[None, :]).astype(np.int64)
    weight = counts.astype(np.float64)
    prior = [np.asarray(m, dtype=np.float64) for m in marginal]
    # one-hot level indicators per comparison: the M step's counts of every class at once are one product
    onehot = [np.eye(int(radix_arr[c]), dtype=np.float64)[patterns[:, c]] for c in range(width)]
    # every start runs a few rounds; the one that explains the pairs best by then is run to the end
    runs = [_em(_start(unique, classes, seed), patterns, weight, onehot, prior, _TRIAL) for seed in range(starts)]
    best = max(runs, key=lambda run: run[0])
    _, shares, tables, _ = _em(best[3], patterns, weight, onehot, prior, max(iterations - _TRIAL, 1))
    dists = [[tables[c][:, k] for c in range(width)] for k in range(classes)]
    return Mixture(tuple(float(s) for s in shares),
                   tuple(tuple(tuple(float(p) for p in d) for d in per) for per in dists))


def _em(resp: F64, patterns: npt.NDArray[np.int64], weight: F64, onehot: Sequence[F64], prior: Sequence[F64],
        iterations: int) -> tuple[float, F64, list[F64], F64]:
    """One EM run from the responsibilities ``resp``: (log-likelihood of the pairs, class shares, per
    comparison a (levels, classes) table of probabilities, the responsibilities it ended with)."""
    width = len(onehot)
    shares: F64 = np.zeros(resp.shape[1])
    tables: list[F64] = []
    loglik = -np.inf
    for _ in range(iterations):
        # M step
        mass = resp * weight[:, None]
        shares = np.maximum(mass.sum(axis=0) / weight.sum(), 1e-9)
        tables = []
        for c in range(width):
            counts_c: F64 = onehot[c].T @ mass + SMOOTHING * prior[c][:, None]
            counts_c[0] = 0.0
            tables.append(counts_c / np.maximum(counts_c[1:].sum(axis=0), 1e-12))
        # E step
        log_p = np.tile(np.log(shares), (len(patterns), 1))
        for c in range(width):
            table = np.log(np.maximum(tables[c], 1e-12))
            table[0] = 0.0
            log_p += table[patterns[:, c]]
        top = log_p.max(axis=1, keepdims=True)
        new = np.exp(log_p - top)
        total = new.sum(axis=1, keepdims=True)
        before, loglik = loglik, float((weight * (top + np.log(total))[:, 0]).sum())
        resp = new / total
        if loglik - before < _TOLERANCE * abs(loglik):
            break
    return loglik, shares, tables, resp
