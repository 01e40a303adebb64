"""Given-name variants learned from the records in front of us, not from a list.

A nickname list knows "Bill" for "William"; no list knows every language's pet names ("Peppe" for
"Giuseppe", "Rik" for "Hendrik", "Lella" for "Raffaella", "Sasha" for "Aleksandr"). The records do: a
pair that a trained model is sure of on everything *but* the given name (one mailbox, one phone, one
street, one family name), while its given names differ, shows two names written for one person. A pair of
names shown so by several different pairs of records is a variant; one sighting may be a person with two
names. A couple met through its shared mailbox, phone and address is no such pair: the model, having learned
from the pairs within one system (known to be two people) that households share all of that, is not sure
of it (a test checks this).

The learned pairs make a level of their own (``variant``, its ``Level.variants``): stored with the model,
shown by ``syncd match --explain``, its m and u fitted like every level's once the pairs are compared again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from syncd.matching.comparisons import Comparison, PairLevels, derived_for
from syncd.matching.features import FeatureTable
from syncd.matching.model import Model

__all__ = ["learn_variants", "with_variants"]

Int = npt.NDArray[np.int32]

#: different records (on each side) that must show two names as one person's before they count as variants
MIN_PAIRS = 2
#: how sure (match weight in bits, the given name left out) the model must be of such a pair: 1 in 1000
SURE_BITS = 10.0
#: given-name levels that say "the names differ" (a variant is looked for there)
_DIFFERING = frozenset({"jw_90", "jw_80", "else"})
#: family-name levels under which the names belong to one family name
_ONE_FAMILY = frozenset({"exact", "part"})


def learn_variants(model: Model, table: FeatureTable,
                   pairs: tuple[Int, Int, PairLevels]) -> tuple[tuple[str, str], ...]:
    """Pairs of given names (canonical forms, sorted) that the sure pairs of ``pairs`` write for one person."""
    names = [c.name for c in model.comparisons]
    if "given" not in names or "family" not in names or not model.training.get("learned"):
        return ()
    i, j, levels = pairs
    candidates = _candidates(model, levels, table, i, j)
    if not len(candidates):
        return ()
    sub = PairLevels(levels.levels[candidates], {k: v[candidates] for k, v in levels.tf_codes.items()},
                     levels.swapped[candidates])
    total, per = model.score(sub, table)
    other = total - per[:, names.index("given")]
    sure = candidates[other >= SURE_BITS]
    seen = _name_pairs(table, i[sure], j[sure])
    vocab = table.vocab["name"].values
    learned = sorted(tuple(sorted((vocab[a], vocab[b]))) for (a, b), n in seen.items() if n >= MIN_PAIRS)
    return tuple((a, b) for a, b in learned)


def with_variants(comparisons: tuple[Comparison, ...],
                  variants: tuple[tuple[str, str], ...]) -> tuple[Comparison, ...]:
    """``comparisons`` with the given name's variant level knowing ``variants``."""
    out = []
    for comparison in comparisons:
        if comparison.name == "given":
            comparison = replace(comparison, levels=tuple(
                replace(level, variants=variants) if level.kind == "variant" else level
                for level in comparison.levels))
        out.append(comparison)
    return tuple(out)


def _candidates(model: Model, levels: PairLevels, table: FeatureTable, i: Int, j: Int) -> npt.NDArray[np.intp]:
    """Pairs with differing given names (whole names, not initials, compared straight) and one family name."""
    comparisons = model.comparisons
    names = [c.name for c in comparisons]
    g, f = names.index("given"), names.index("family")
    given_labels = np.array([level.label in _DIFFERING for level in comparisons[g].levels])
    family_labels = np.array([level.label in _ONE_FAMILY for level in comparisons[f].levels])
    lv = levels.levels
    ok = given_labels[lv[:, g]] & family_labels[lv[:, f]] & ~levels.swapped
    canon = table.codes["given_canon"]
    lengths = derived_for(table).name_len  # given_canon is coded in the names' vocabulary
    a, b = canon[i], canon[j]
    ok &= (a >= 0) & (b >= 0)
    ok &= (lengths[np.where(a >= 0, a, 0)] > 1) & (lengths[np.where(b >= 0, b, 0)] > 1)
    return np.flatnonzero(ok)


def _name_pairs(table: FeatureTable, i: Int, j: Int) -> Counter[tuple[int, int]]:
    """Per pair of given names (codes, lower first): on how many different records the rarer side of it
    is written (one person's four copies, "Peppe" in one system and "Giuseppe" in three, count once)."""
    canon = table.codes["given_canon"]
    a, b = canon[i], canon[j]
    swap = a > b
    lo, hi = np.where(swap, b, a), np.where(swap, a, b)
    rec_lo, rec_hi = np.where(swap, j, i), np.where(swap, i, j)
    sides: dict[tuple[int, int], tuple[set[int], set[int]]] = {}
    for x, y, rx, ry in zip(lo.tolist(), hi.tolist(), rec_lo.tolist(), rec_hi.tolist(), strict=True):
        if x == y:
            continue
        left, right = sides.setdefault((x, y), (set(), set()))
        left.add(rx)
        right.add(ry)
    return Counter({key: min(len(left), len(right)) for key, (left, right) in sides.items()})
