"""The Fellegi-Sunter model, fitted to the records at hand each time it is trained.

* u (how often a level occurs between two different people) comes from random pairs of records;
* m (how often it occurs between two copies of one person) by expectation-maximisation over the
  blocked pairs, started from the pairs that agree on an exact key (a personal email or a phone);
* the prior (the share of blocked pairs that are one person) is estimated by the same EM;
* term-frequency adjustments: agreeing on a rare name, street or phone counts for more than on a
  common one (relative to the average agreeing value), as in Splink.

The EM runs on the distinct comparison patterns with their counts, so it costs next to nothing even
for millions of pairs. Nothing here is a constant tuned to one data set: every weight is measured.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from syncd.matching.comparisons import DEFAULT_COMPARISONS, Comparison, PairLevels, compare
from syncd.matching.features import FeatureTable
from syncd.matching.mixture import Mixture, fit_mixture

__all__ = ["Model", "train"]

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
#: fields that describe a role, not a person
_ROLE_FIELDS = frozenset({"title"})
#: a term-frequency adjustment never moves one field's weight by more than this many bits
_TF_LIMIT = 8.0


@dataclass(frozen=True, slots=True)
class Model:
    comparisons: tuple[Comparison, ...]
    #: the share of blocked pairs that are one person
    prior: float
    #: per TF-adjusted comparison: the frequency of the average agreeing value
    tf_base: dict[str, float] = field(default_factory=dict)
    #: "a->b": the share of system a's records that have a copy in system b (from the EM)
    presence: dict[str, float] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    #: the non-matches as a mixture of kinds of strangers (None: the fields are taken as independent)
    mixture: Mixture | None = None

    def presence_of(self, a: str, b: str) -> float:
        return self.presence.get(f"{a}->{b}", PRIOR_PRESENCE)

    # --- weights ----------------------------------------------------------------------------

    def level_weights(self) -> list[F64]:
        out = []
        for comparison in self.comparisons:
            w = np.zeros(len(comparison.levels))
            for i, level in enumerate(comparison.levels):
                if not level.is_null and level.m and level.u:
                    w[i] = math.log2(level.m / level.u)
            out.append(w)
        return out

    def tf_adjustments(self, pairs: PairLevels, table: FeatureTable) -> dict[str, F64]:
        """Per TF-adjusted comparison: extra bits for each pair (0 where its level is not adjusted)."""
        out: dict[str, F64] = {}
        for comparison in self.comparisons:
            codes = pairs.tf_codes.get(comparison.name)
            base = self.tf_base.get(comparison.name)
            if codes is None or not base:
                continue
            counts = table.counts[comparison.field if comparison.field in table.counts else comparison.name]
            adj = np.zeros(len(codes))
            hit = codes >= 0
            if hit.any():
                freq = np.maximum(counts[codes[hit]], 1) / max(table.population, 1)
                adj[hit] = np.clip(np.log2(base / freq), -_TF_LIMIT, _TF_LIMIT)
            out[comparison.name] = adj
        return out

    def score(self, pairs: PairLevels, table: FeatureTable) -> tuple[F64, F32]:
        """Match weight (bits) and per-comparison weights, shape (pairs, comparisons). The per-comparison
        weights are kept for the reasons only, in single precision (half the memory of a large pass's
        largest array); the total is summed from the exact values."""
        weights = self.level_weights()
        n = pairs.levels.shape[0]
        per = np.zeros((n, len(self.comparisons)), dtype=np.float32)
        total = np.full(n, self.prior_weight)
        adjustments = self.tf_adjustments(pairs, table)
        names = [comparison.name for comparison in self.comparisons]
        for c, w in enumerate(weights):
            column = w[pairs.levels[:, c]]
            adj = adjustments.get(names[c])
            if adj is not None:
                column = column + adj
            if names[c] in _ROLE_FIELDS and "family" in names:
                # a role is shared by colleagues: agreeing on it says nothing for two different family names
                family = names.index("family")
                differ = pairs.levels[:, family] == len(self.comparisons[family].levels) - 1
                column = np.where(differ, np.minimum(column, 0.0), column)
            total += column
            per[:, c] = column
        if self.mixture is not None and n:
            total += self.mixture.correction(pairs.levels, self.u_vectors())
        return total, per

    def u_vectors(self) -> list[F64]:
        return [np.array([0.0] + [float(level.u or 0.0) for level in c.levels[1:]]) for c in self.comparisons]

    @property
    def prior_weight(self) -> float:
        p = min(max(self.prior, 1e-9), 1 - 1e-9)
        return math.log2(p / (1 - p))

    # --- serialisation ----------------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        return {"link_type": "link_only, at most one record per system per person",
                "probability_two_blocked_records_match": self.prior,
                "prior_match_weight": round(self.prior_weight, 3),
                "term_frequency_base": self.tf_base, "share_with_a_copy_in": self.presence,
                "training": self.training,
                "comparisons": [c.as_json() for c in self.comparisons],
                "strangers_mixture": self.mixture.as_json() if self.mixture is not None else None}

    def dumps(self) -> str:
        return json.dumps(self.as_json(), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        return cls(comparisons=tuple(Comparison.from_json(c) for c in data["comparisons"]),
                   prior=float(data["probability_two_blocked_records_match"]),
                   tf_base={k: float(v) for k, v in data.get("term_frequency_base", {}).items()},
                   presence={k: float(v) for k, v in data.get("share_with_a_copy_in", {}).items()},
                   training=dict(data.get("training", {})),
                   mixture=Mixture.from_json(data["strangers_mixture"]) if data.get("strangers_mixture") else None)


#: where nothing was learned: the chance that a record of one system has a copy in another
PRIOR_PRESENCE = 0.2


def _presence(table: FeatureTable, i: npt.NDArray[np.int32], j: npt.NDArray[np.int32],
              post: F64) -> dict[str, float]:
    """How many records of each system have a copy in each other system: the expected matches the EM
    found between the two, over the records of the first."""
    names = table.system_names
    sizes = np.bincount(table.system.astype(np.int64), minlength=len(names)).astype(np.float64)
    out: dict[str, float] = {}
    if not len(i):
        return out
    si, sj = table.system[i].astype(np.int64), table.system[j].astype(np.int64)
    k = len(names)
    expected = np.bincount(si * k + sj, weights=post, minlength=k * k) + np.bincount(sj * k + si, weights=post,
                                                                                      minlength=k * k)
    for a in range(k):
        for b in range(k):
            if a != b and sizes[a]:
                out[f"{names[a]}->{names[b]}"] = round(float(np.clip(expected[a * k + b] / sizes[a], 0.01, 0.99)), 4)
    return out


def _once_per_system(table: FeatureTable, field_name: str, agreed: npt.NDArray[np.int32] | None
                     ) -> npt.NDArray[np.bool_]:
    """Whether the value a pair agrees on is held by at most one record in every system: a household's
    phone or a family's mailbox (two records of one system) is no seed of "one person"."""
    if agreed is None:
        return np.zeros(0, dtype=np.bool_)
    slots = table.slots[field_name]
    k = len(table.system_names)
    codes = slots.ravel().astype(np.int64)
    systems = np.repeat(table.system.astype(np.int64), slots.shape[1])
    keep = codes >= 0
    size = len(table.vocab[field_name].values)
    per_system = np.bincount(codes[keep] * k + systems[keep], minlength=size * k).reshape(size, k)
    most = per_system.max(axis=1) if size else np.zeros(0, dtype=np.int64)
    out = np.zeros(len(agreed), dtype=np.bool_)
    hit = agreed >= 0
    out[hit] = most[agreed[hit]] <= 1
    return out


def _tf_base(table: FeatureTable, comparisons: Sequence[Comparison]) -> dict[str, float]:
    """The frequency of the value an average agreeing random pair shares: sum p^3 / sum p^2."""
    out: dict[str, float] = {}
    for comparison in comparisons:
        if not any(level.tf for level in comparison.levels):
            continue
        counts = table.counts.get(comparison.field)
        if counts is None or not counts.sum():
            continue
        p = counts[counts > 0] / max(table.population, 1)
        out[comparison.name] = float((p ** 3).sum() / (p ** 2).sum())
    return out


def _random_pairs(table: FeatureTable, n: int, rng: np.random.Generator) -> tuple[npt.NDArray[np.int32], ...]:
    i = rng.integers(0, table.n, size=n, dtype=np.int64)
    j = rng.integers(0, table.n, size=n, dtype=np.int64)
    keep = table.system[i] != table.system[j]
    return i[keep].astype(np.int32), j[keep].astype(np.int32)


#: how many pairs' worth of evidence the declared (prior) m and u of a level count for
PRIOR_STRENGTH = 30.0
#: below this many candidate pairs nothing is learned (the declared parameters are used as they are)
MIN_TRAINING_PAIRS = 200
#: a field's m is taken from the seed pairs (and not refitted) when this many of them show the field
MIN_SEEDS = 200
#: this many blocked pairs within systems are enough to take u from them
MIN_WITHIN_PAIRS = 200
#: the prior share of blocked pairs that match, with the same strength
PRIOR_MATCH_SHARE = 0.2


def _declared(comparison: Comparison, which: str) -> F64:
    values = np.array([0.0] + [float(getattr(level, which) or 0.0) for level in comparison.levels[1:]])
    values[1:] = np.maximum(values[1:], 1e-4)
    out: F64 = PRIOR_STRENGTH * values / values[1:].sum()
    return out


def _distribution(levels: npt.NDArray[np.int64] | npt.NDArray[np.int8], n_levels: int, pseudo: F64,
                  weights: F64 | None = None) -> F64:
    """Share of each non-null level (null excluded), the declared prior added as pseudo-counts."""
    counts = np.bincount(levels, weights=weights, minlength=n_levels).astype(np.float64)
    counts[0] = 0.0
    counts += pseudo
    counts[1:] = np.maximum(counts[1:], 1e-6)
    out: F64 = counts / counts[1:].sum()
    return out


def train(table: FeatureTable, i: npt.NDArray[np.int32], j: npt.NDArray[np.int32], pairs: PairLevels,
          comparisons: Sequence[Comparison] = DEFAULT_COMPARISONS, *, u_pairs: int = 50_000,
          within: PairLevels | None = None, max_iterations: int = 60, seed: int = 0) -> Model:
    """Fit m, u and the prior to ``table`` and its blocked pairs ``(i, j)`` (already compared).

    ``within``: the compared blocked pairs inside one system (known non-matches). Where there are enough,
    u is their level distribution: non-matches as blocking proposes them (namesakes at one company, a
    household at one address), not as random pairs are. Otherwise u is estimated by the EM as well,
    starting from random pairs."""
    if len(i) < MIN_TRAINING_PAIRS:
        # too little to learn from: the declared (generic, weak) parameters decide, and say so
        declared = tuple(comp.with_parameters(_declared(comp, "m") / PRIOR_STRENGTH,
                                              _declared(comp, "u") / PRIOR_STRENGTH) for comp in comparisons)
        return Model(declared, PRIOR_MATCH_SHARE, _tf_base(table, comparisons), {},
                     {"records": int(table.n), "blocked_pairs": len(i), "learned": False,
                      "why": f"fewer than {MIN_TRAINING_PAIRS} candidate pairs: the declared parameters are used"})
    rng = np.random.default_rng(seed)
    sizes = np.bincount(table.system.astype(np.int64)).astype(np.float64)
    cross = max((sizes.sum() ** 2 - (sizes ** 2).sum()) / 2, 1.0)
    ri, rj = _random_pairs(table, int(min(u_pairs, 4 * cross)), rng)
    random = compare(comparisons, table, ri, rj)
    prior_m = [_declared(comp, "m") for comp in comparisons]
    prior_u = [_declared(comp, "u") for comp in comparisons]
    u_random = [_distribution(random.levels[:, c], len(comp.levels), prior_u[c])
                for c, comp in enumerate(comparisons)]
    estimate_u = within is None or within.levels.shape[0] < MIN_WITHIN_PAIRS
    if estimate_u:
        u = u_random
    else:
        assert within is not None
        u = [_distribution(within.levels[:, c], len(comp.levels), prior_u[c]) for c, comp in enumerate(comparisons)]

    levels = pairs.levels
    n_pairs = levels.shape[0]
    names = [c.name for c in comparisons]
    # Seeds: blocked pairs that share a personal email or a phone are nearly all one person. Each field's m
    # is read off the seeds that agree on a key *other* than that field (email from the phone seeds, phone
    # from the email seeds); where there are enough of them it stays fixed, the EM fits the rest. A free EM
    # drifts towards whatever cluster of pairs is densest (namesakes at one company), not towards matches.
    exact = {key: (levels[:, names.index(key)] == 1) & _once_per_system(table, key, pairs.tf_codes.get(key))
             for key in ("email", "phone") if key in names}
    seeded = np.zeros(n_pairs, dtype=np.bool_)
    for agree in exact.values():
        seeded |= agree
    m: list[F64] = []
    fixed: list[bool] = []
    for c, comp in enumerate(comparisons):
        seeds = seeded
        if comp.name in exact:
            seeds = np.zeros(n_pairs, dtype=np.bool_)
            for key, agree in exact.items():
                if key != comp.name:
                    seeds |= agree
        observed = seeds & (levels[:, c] > 0)
        m.append(_distribution(levels[observed, c], len(comp.levels), prior_m[c]))
        fixed.append(int(observed.sum()) >= MIN_SEEDS)
    prior = float(np.clip((seeded.sum() + PRIOR_STRENGTH * PRIOR_MATCH_SHARE) / (n_pairs + PRIOR_STRENGTH),
                          0.01, 0.99)) if seeded.sum() >= MIN_SEEDS else PRIOR_MATCH_SHARE

    # EM over the distinct comparison patterns
    radix = np.array([len(c.levels) for c in comparisons], dtype=np.int64)
    mult = np.cumprod(np.r_[1, radix[:-1]])
    if n_pairs:
        keys = levels.astype(np.int64) @ mult
        unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    else:
        unique, counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        inverse = np.zeros(0, dtype=np.int64)
        post = np.zeros(0)
    patterns = ((unique[:, None] // mult[None, :]) % radix[None, :]).astype(np.int64)
    weights = counts.astype(np.float64)
    iterations, converged = 0, False
    for iterations in range(1, max_iterations + 1):  # noqa: B007
        log_m = np.zeros(len(unique))
        log_u = np.zeros(len(unique))
        for c in range(len(comparisons)):
            lv = patterns[:, c]
            nonnull = lv > 0
            log_m[nonnull] += np.log(m[c][lv[nonnull]])
            log_u[nonnull] += np.log(u[c][lv[nonnull]])
        logit = math.log(prior / (1 - prior)) + log_m - log_u
        post = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        new_prior = float(((post * weights).sum() + PRIOR_STRENGTH * PRIOR_MATCH_SHARE)
                          / (weights.sum() + PRIOR_STRENGTH))
        new_m = [m[c] if fixed[c] else
                 _distribution(patterns[:, c], len(comp.levels), prior_m[c], weights=post * weights)
                 for c, comp in enumerate(comparisons)]
        if estimate_u:
            u = [_distribution(patterns[:, c], len(comp.levels), prior_u[c], weights=(1 - post) * weights)
                 for c, comp in enumerate(comparisons)]
        delta = max([abs(new_prior - prior)] + [float(np.abs(a - b).max()) for a, b in zip(new_m, m, strict=True)])
        prior, m = min(max(new_prior, 1e-6), 1 - 1e-6), new_m
        if delta < 1e-5:
            converged = True
            break
    trained = tuple(comp.with_parameters(m[c], u[c]) for c, comp in enumerate(comparisons))
    mixture = None
    if not estimate_u and within is not None:
        mixture = fit_mixture(within.levels, [len(c.levels) for c in comparisons], u)
    presence = _presence(table, i, j, post[inverse.ravel()] if n_pairs else np.zeros(0))
    # the EM's prior is the share of *blocked* pairs that match; scoring needs the chance that two random
    # records of different systems match (the matches are all among the blocked pairs)
    expected = prior * n_pairs
    return Model(trained, prior, _tf_base(table, comparisons), presence, mixture=mixture, training=
                 {"learned": True, "records": int(table.n), "blocked_pairs": int(n_pairs),
                  "random_pairs_for_u": len(ri),
                  "seed_pairs": int(seeded.sum()),
                  "m_from_seeds": [comp.name for c, comp in enumerate(comparisons) if fixed[c]],
                  "u_from": ("EM on the blocked pairs, started from random pairs" if estimate_u else
                             f"{within.levels.shape[0] if within is not None else 0} blocked pairs within one "
                             "system (known to be two people)"),
                  "u_random_pairs": {comp.name: [round(float(x), 6) for x in u_random[c][1:]]
                                     for c, comp in enumerate(comparisons)},
                  "em_iterations": iterations, "em_converged": converged,
                  "share_of_blocked_pairs_matching": round(prior, 6), "expected_matches": round(expected, 1)})


def with_prior(model: Model, prior: float) -> Model:
    return replace(model, prior=prior)
