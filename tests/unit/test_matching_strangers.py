"""Strangers: what the blocking brings a record from its own system, and what that does to a lone candidate.

The within-system blocked pairs are known to be two people; they teach the strangers' mixture (households,
colleagues, namesakes agree on several fields at once) and tell how crowded each record's neighbourhood
is (a common name in a big town meets many strangers, so one candidate sharing only that name is weak).
"""

from __future__ import annotations

import random

import numpy as np
import numpy.typing as npt
import pytest

from syncd.matching import MatchRecord, MatchSettings, Model, reconcile
from syncd.matching.blocking import BlockIndex, BlockTable, Keys, key_codes
from syncd.matching.comparisons import compare
from syncd.matching.explain import reasons
from syncd.matching.features import FeatureTable, features_of
from syncd.matching.mixture import fit_mixture
from syncd.matching.pipeline import _one_to_one, _strangers
from syncd.model import Contact
from syncd.sandbox.people import generate

S = MatchSettings()


def _population(n: int = 400) -> tuple[list[MatchRecord], list[object], list[Keys]]:
    seeded = generate(11, n)
    records = [MatchRecord(f"{s.system}:{i}", s.system, s.contact) for i, s in enumerate(seeded)]
    feats = [features_of(r.system, r.contact, S.shared_mailboxes) for r in records]
    return records, feats, [key_codes(f) for f in feats]


def test_the_block_index_counts_each_records_strangers_as_a_full_pass_does() -> None:
    records, feats, keys = _population()
    table = FeatureTable(feats)  # type: ignore[arg-type]
    full = _strangers(BlockTable(keys).pairs(table.system, S.block_cap, same_system=True), table.n)
    index = BlockIndex(S.block_cap)
    for r, f, k in zip(records, feats, keys, strict=True):
        index.add(r.key, f, k)  # type: ignore[arg-type]
    incremental = index.strangers([r.key for r in records])
    assert full.sum() > 0  # the population has households and colleagues
    assert incremental.tolist() == full.tolist()


def test_a_lone_candidate_counts_for_less_in_a_crowded_neighbourhood() -> None:
    """The same pair evidence, the only candidate either way: the record that the blocking brings many
    strangers of its own system gets a lower probability; with none, the rule is the plain one-to-one."""
    records, feats, _ = _population(60)
    table = FeatureTable(feats[:2])  # type: ignore[arg-type]
    model = Model.from_json(reconcile(records[:2], S).model or {})
    i, j = np.array([0], dtype=np.int32), np.array([1], dtype=np.int32)
    weight = np.array([model.prior_weight + 6.0])
    population = np.full(len(table.system_names), 100.0)
    lone, _ = _one_to_one(model, table, i, j, weight, np.zeros(2), population)
    crowded, _ = _one_to_one(model, table, i, j, weight, np.array([15.0, 15.0]), population)
    assert crowded[0] < lone[0] - 3.0  # 16 expected strangers instead of 1: four bits less
    p = model.presence_of(table.system_names[int(table.system[0])], table.system_names[int(table.system[1])])
    plain = np.log2(p * 2**6.0) - np.log2(1 - p)
    assert abs(lone[0] - plain) < 1.0 or lone[0] <= plain


def test_the_strangers_mixture_learns_that_a_household_agrees_on_several_fields_at_once() -> None:
    """Known non-matches, made so that the family name, the phone and the postal code come together: the
    mixture takes bits off a pair agreeing on all three (the independent model would count them thrice)."""
    rng = random.Random(3)
    rows = []
    for _ in range(3000):
        household = rng.random() < 0.3
        # levels: 1 the values differ, 2 they agree; a household agrees on all three, others seldom on the zip
        rows.append([2 if household else 1,                               # family name
                     2 if household else 1,                               # phone
                     2 if household or rng.random() < 0.05 else 1])      # postal code
    levels = np.array(rows, dtype=np.int8)
    marginal = [np.bincount(levels[:, c], minlength=3) / len(levels) for c in range(3)]
    for m in marginal:
        m[0] = 0.0
    mixture = fit_mixture(levels, [3, 3, 3], marginal)
    assert mixture is not None
    household = np.array([[2, 2, 2]], dtype=np.int8)
    zip_only = np.array([[1, 1, 2]], dtype=np.int8)
    assert mixture.correction(household, marginal)[0] < -2.0   # the agreements are one fact, not three
    assert mixture.correction(zip_only, marginal)[0] > -1.0     # a shared postal code alone is not a household


def test_a_household_pair_loses_bits_and_the_reasons_say_why() -> None:
    """Learned from a population of households: a cross-system pair of two household members (the family
    name, the phone, the street and the postal code agree, the given names do not) loses bits to the
    mixture, and a true pair agreeing on everything does not: it is not taken for a household."""
    rng = random.Random(7)
    givens = ["Maria", "Paolo", "Giulia", "Marco", "Sara", "Luca", "Anna", "Pietro", "Elena", "Davide"]
    records: list[MatchRecord] = []
    for h in range(300):
        family, phone = f"Fam{h:03d}x", f"+39 06 {1000 + h:04d} {rng.randint(1000, 9999)}"
        for member, given in enumerate(rng.sample(givens, 2)):
            fields = {"full_name": f"{given} {family}", "phone_office": phone, "street": f"Via Nuova {h % 97 + 1}",
                      "zip": f"{10000 + h}"}
            for system in ("flowtrac", "cirrus") if rng.random() < 0.6 else ("flowtrac",):
                records.append(MatchRecord(f"{system}:{h}-{member}", system, Contact(**fields)))  # type: ignore[arg-type]
    r = reconcile(records, S)
    assert r.model is not None and r.model["strangers_mixture"] is not None
    model = Model.from_json(r.model)
    assert model.mixture is not None
    by_key = {x.key: x for x in records}
    h = next(h for h in range(300) if {f"flowtrac:{h}-0", f"cirrus:{h}-0", f"cirrus:{h}-1"} <= by_key.keys())

    def correction(a: str, b: str) -> float:
        pair = [by_key[a], by_key[b]]
        table = FeatureTable([features_of(x.system, x.contact, S.shared_mailboxes) for x in pair])
        levels = compare(model.comparisons, table, np.array([0], dtype=np.int32), np.array([1], dtype=np.int32))
        assert model.mixture is not None
        return float(model.mixture.correction(levels.levels, model.u_vectors())[0])

    household = correction(f"flowtrac:{h}-0", f"cirrus:{h}-1")  # two members of one household
    one_person = correction(f"flowtrac:{h}-0", f"cirrus:{h}-0")  # everything agrees
    assert household < -1.0
    # the strangers here include neighbours at the same number of a "Via Nuova" in another town (agreeing on
    # the street alone), so the mixture may take a little off a pair agreeing on everything too; what it must
    # not do is take it for a household: the household pair loses bits by the handful, and every person
    # whose two copies agree on everything is linked
    assert one_person - household > 3.0
    same = [(f"flowtrac:{g}-{x}", f"cirrus:{g}-{x}") for g in range(300) for x in (0, 1)]
    assert all(r.assignments.get(a) == r.assignments.get(b) is not None for a, b in same if b in by_key)
    crossed = [(f"flowtrac:{g}-{x}", f"cirrus:{g}-{1 - x}") for g in range(300) for x in (0, 1)]
    wrong = [(a, b) for a, b in crossed
             if b in by_key and r.assignments.get(a) is not None and r.assignments.get(a) == r.assignments.get(b)]
    assert not wrong
    levels = np.zeros(len(model.comparisons), dtype=np.int8)
    words = reasons(model.comparisons, levels, np.zeros(len(model.comparisons)), 0.0, together=-3.2)
    assert words["together"].startswith("different people often agree on these fields together")
    words = reasons(model.comparisons, levels, np.zeros(len(model.comparisons)), 0.0, together=3.2)
    assert words["together"].startswith("strangers seldom agree on these fields together")


def _strangers_population(seed: int, n: int, extra: int) -> npt.NDArray[np.int8]:
    """Known non-matches over six compared fields (levels: 1 differ, 2 agree, 0 missing): households
    (family name, phone, postal code, street), colleagues (phone, company), namesakes (both names), and
    strangers who agree on next to nothing; then ``extra`` pairs of random levels."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.25:
            rows.append([2, 2, 2, 2, 1 + (rng.random() < 0.1), 1])
        elif kind < 0.5:
            rows.append([1 + (rng.random() < 0.1), 2, 1, 1, 1, 2])
        elif kind < 0.7:
            rows.append([2, 1, 1 + (rng.random() < 0.2), 1, 2, 1 + (rng.random() < 0.1)])
        else:
            rows.append([1 + (rng.random() < 0.05) for _ in range(6)])
    rows.extend([rng.randint(0, 2) for _ in range(6)] for _ in range(extra))
    return np.array(rows, dtype=np.int8)


def _class_shares(levels: npt.NDArray[np.int8]) -> list[float]:
    marginal = [np.bincount(levels[:, c], minlength=3) / len(levels) for c in range(levels.shape[1])]
    for m in marginal:
        m[0] = 0.0
    mixture = fit_mixture(levels, [3] * levels.shape[1], marginal)
    assert mixture is not None
    return sorted(mixture.weights)


@pytest.mark.parametrize("seed", [6, 16])
def test_a_few_strangers_more_do_not_change_what_the_mixture_learns(seed: int) -> None:
    """The mixture's EM starts from several random draws, each pattern's drawn from the pattern itself, and
    keeps the fit that explains the pairs best: three pairs more among 4,000 leave the classes as they were.
    (A single start drawn in pattern order went elsewhere for these two populations: one class emptied.)"""
    base = _strangers_population(seed, 4000, 0)
    more = np.vstack([base, _strangers_population(1000 + seed, 0, 3)])
    assert max(abs(a - b) for a, b in zip(_class_shares(base), _class_shares(more), strict=True)) < 0.02
