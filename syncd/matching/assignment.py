"""From scored pairs to people: an assignment, not connected components.

Pairs are taken strongest first and merged into clusters, never two existing entities, never two
records of one system (the weaker goes to review), never across an admin's "keep apart", and never
when any member of one cluster clearly contradicts a member of the other (so A=B and B=C cannot drag
in a C that is plainly not A). Admin "same person" decisions are applied before anything else.
A record that would be left alone while a record of another system matches it plausibly is not made
a new person: it is held for review ("no create without a search"), so a fill cannot write a duplicate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from syncd.matching.explain import LazyReasons, probabilities, probability
from syncd.matching.types import Decisions, LinkEvidence, MatchSettings, ReconcileResult, ReviewCandidate

__all__ = ["Assigner", "ScoredPairs"]

#: a pair below this match probability contradicts: their clusters are never merged
CONTRADICTION = 0.02
#: a lone record counts as a second copy in its system when its evidence is within this many bits of the
#: linked copy's, or this many bits above the link threshold on its own
_TIE = 4.0


@dataclass(slots=True)
class ScoredPairs:
    i: npt.NDArray[np.int32]
    j: npt.NDArray[np.int32]
    weight: npt.NDArray[np.float64]
    #: reasons for pair number k, computed on demand (only links and reviews need words)
    explain: Callable[[int], dict[str, str]]
    #: the pair's own weight, before rival candidates are counted (None: the same as ``weight``)
    raw: npt.NDArray[np.float64] | None = None

    def lookup(self, n: int) -> _PairLookup:
        return _PairLookup(self.i, self.j, n)


class _PairLookup:
    """Pair -> its row, by binary search in the sorted pair codes (a dict of millions of tuples is slow)."""

    def __init__(self, i: npt.NDArray[np.int32], j: npt.NDArray[np.int32], n: int) -> None:
        self.width = n + 1
        codes = i.astype(np.int64) * self.width + j
        self.order = np.argsort(codes, kind="stable")
        self.codes = codes[self.order]

    def get(self, pair: tuple[int, int]) -> int | None:
        code = pair[0] * self.width + pair[1]
        at = int(np.searchsorted(self.codes, code))
        if at < len(self.codes) and int(self.codes[at]) == code:
            return int(self.order[at])
        return None


class _Clusters:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}
        self.entity: dict[int, str] = {}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        if rb in self.entity:
            self.entity.setdefault(ra, self.entity.pop(rb))
        return ra


class Assigner:
    def __init__(self, keys: Sequence[str], systems: Sequence[str], settings: MatchSettings,
                 existing: Mapping[str, str], decisions: Decisions, scored: ScoredPairs) -> None:
        self.keys, self.systems, self.settings = keys, systems, settings
        self.existing, self.decisions, self.scored = existing, decisions, scored
        self.index = {k: i for i, k in enumerate(keys)}
        self.clusters = _Clusters(len(keys))
        self.pair_index = scored.lookup(len(keys))

    def pair(self, a: int, b: int) -> int | None:
        return self.pair_index.get((a, b) if a < b else (b, a))

    def prob(self, k: int) -> float:
        return probability(float(self.scored.weight[k]))

    def seed(self, result: ReconcileResult) -> None:
        by_entity: dict[str, list[int]] = defaultdict(list)
        for key, entity in self.existing.items():
            if key in self.index:
                by_entity[entity].append(self.index[key])
        for entity, members in by_entity.items():
            root = members[0]
            for other in members[1:]:
                root = self.clusters.union(root, other)
            self.clusters.entity[self.clusters.find(root)] = entity
        for pair in sorted(self.decisions.must_link, key=sorted):
            keys = sorted(pair)
            idx = [self.index[k] for k in keys if k in self.index]
            entities = [k.removeprefix("entity:") for k in keys if k.startswith("entity:")]
            if entities:
                roots = [r for r, e in self.clusters.entity.items() if e == entities[0]]
                idx += roots[:1]
            if len(idx) == 2:
                self.clusters.union(idx[0], idx[1])
                for k in keys:
                    if k in self.index and k not in self.existing:
                        result.links[k] = LinkEvidence(1.0, {"decision": "linked by an admin"})

    def labels(self, root: int) -> set[str]:
        out = {self.keys[m] for m in self.clusters.members[root]}
        if root in self.clusters.entity:
            out.add(f"entity:{self.clusters.entity[root]}")
        return out

    def kept_apart(self, ra: int, rb: int) -> bool:
        if not self.decisions.cannot_link:
            return False
        la, lb = self.labels(ra), self.labels(rb)
        return any(frozenset((x, y)) in self.decisions.cannot_link for x in la for y in lb)

    def why_not(self, ra: int, rb: int) -> str | None:
        """Why clusters ``ra`` and ``rb`` may not become one entity (None: they may)."""
        if ra in self.clusters.entity and rb in self.clusters.entity:
            return "both are already linked entities"
        members_a, members_b = self.clusters.members[ra], self.clusters.members[rb]
        if self.settings.one_record_per_system:
            systems_a = {self.systems[m] for m in members_a}
            if any(self.systems[m] in systems_a for m in members_b):
                return "the entity already has a record of this system"
        if self.kept_apart(ra, rb):
            return "an admin decided to keep them apart"
        for x in members_a:
            for y in members_b:
                k = self.pair(x, y)
                if k is not None and self.prob(k) < CONTRADICTION:
                    return f"{self.keys[x]} and {self.keys[y]} contradict each other"
        return None

    def run(self, active: set[int], result: ReconcileResult) -> None:
        s = self.settings
        unlinked = {i for i in active if self.keys[i] not in self.existing}
        weights = self.scored.weight
        floor = min(s.search, s.review)
        # bits for a probability: compare weights, not probabilities (no rounding at the top)
        floor_w, link_w = _bits(floor), _bits(s.auto_link)
        order = np.flatnonzero(weights >= floor_w)
        # strongest first; ties broken by the records' keys, never by input order
        rank = np.argsort(np.argsort(np.asarray(self.keys, dtype=object)))
        lo = np.minimum(rank[self.scored.i[order]], rank[self.scored.j[order]])
        hi = np.maximum(rank[self.scored.i[order]], rank[self.scored.j[order]])
        order = order[np.lexsort((hi, lo, -weights[order]))]
        best_review: dict[int, tuple[float, int, str, str | None]] = {}
        plain = not self.decisions.cannot_link
        for k in order.tolist():
            i, j = int(self.scored.i[k]), int(self.scored.j[k])
            ri, rj = self.clusters.find(i), self.clusters.find(j)
            if ri == rj:
                continue
            if (weights[k] >= link_w and plain and len(self.clusters.members[ri]) == 1
                    and len(self.clusters.members[rj]) == 1 and ri not in self.clusters.entity
                    and rj not in self.clusters.entity and self.systems[i] != self.systems[j]):
                self.clusters.union(i, j)  # two lone records, no decision about them: nothing to check
                continue
            reason = self.why_not(ri, rj)
            if weights[k] >= link_w and reason is None:
                self.clusters.union(i, j)
                continue
            if reason is not None and self.kept_apart(ri, rj):
                continue  # an admin already answered this question
            for movable, other_root in ((i, rj), (j, ri)):
                if movable not in unlinked or len(self.clusters.members[self.clusters.find(movable)]) > 1:
                    continue
                label = (f"entity:{self.clusters.entity[other_root]}" if other_root in self.clusters.entity
                         else self.keys[j if movable == i else i])
                current = best_review.get(movable)
                if current is None or weights[k] > current[0]:
                    best_review[movable] = (float(weights[k]), k, label, reason)
        self._outcompeted(unlinked, link_w, best_review)
        self._contradictions(active, result)
        self.best = self._best_pairs()
        found = self.best >= 0
        confidence = np.ones(len(self.keys))
        confidence[found] = np.round(probabilities(self.scored.weight[self.best[found]]), 4)
        self.confidence = confidence.tolist()
        new_ids: dict[int, str] = {}
        for i in sorted(unlinked):
            root = self.clusters.find(i)
            if len(self.clusters.members[root]) == 1 and i in best_review:
                weight, k, label, reason = best_review[i]
                p = probability(weight)
                why = self.scored.explain(k)
                kind = "match"
                if reason:
                    why["held"] = reason
                elif p < s.review:
                    kind = "search"
                    why["held"] = (f"may already be {label}: held instead of creating a second copy "
                                   f"(match probability {p:.2f})")
                    result.creates_held += 1
                result.reviews.append(ReviewCandidate(self.keys[i], label, round(p, 4), why, kind=kind))
                continue
            if root in self.clusters.entity:
                result.assignments[self.keys[i]] = self.clusters.entity[root]
            else:
                result.assignments[self.keys[i]] = new_ids.setdefault(root, f"new:{len(new_ids) + 1}")
            if self.keys[i] not in result.links:
                result.links[self.keys[i]] = self._evidence(i, root)

    def _outcompeted(self, unlinked: set[int], link_w: float,
                     best_review: dict[int, tuple[float, int, str, str | None]]) -> None:
        """A lone record that matches a linked record strongly on its own, but lost to a rival of its own
        system (two copies of one person in one system): an admin decides, it is not made a new person."""
        raw = self.scored.raw
        if raw is None:
            return
        strong = np.flatnonzero(raw >= link_w)
        for k in strong[np.argsort(-raw[strong], kind="stable")].tolist():
            i, j = int(self.scored.i[k]), int(self.scored.j[k])
            for movable, other in ((i, j), (j, i)):
                if movable not in unlinked or movable in best_review:
                    continue
                if len(self.clusters.members[self.clusters.find(movable)]) > 1:
                    continue
                root = self.clusters.find(other)
                rivals = [m for m in self.clusters.members[root] if self.systems[m] == self.systems[movable]]
                if not rivals:
                    continue
                # two copies of one person in one system match it about equally well; a sibling or a
                # namesake whose rival matches with far more evidence (an email, a phone) is someone else,
                # unless its own evidence is overwhelming too
                best = max((raw[r] for r in (self.pair(m, other) for m in rivals) if r is not None), default=None)
                if best is not None and raw[k] < min(best, link_w + _TIE * 2) - _TIE:
                    continue
                label = (f"entity:{self.clusters.entity[root]}" if root in self.clusters.entity
                         else self.keys[other])
                best_review[movable] = (float(raw[k]), k, label, "the entity already has a record of this system")

    def _best_pairs(self) -> npt.NDArray[np.int64]:
        """For every record, its strongest scored pair inside its own cluster (-1: none)."""
        n = len(self.keys)
        roots = np.fromiter((self.clusters.find(x) for x in range(n)), dtype=np.int64, count=n)
        i, j, w = self.scored.i, self.scored.j, self.scored.weight
        inside = np.flatnonzero(roots[i] == roots[j])
        best = np.full(n, -1, dtype=np.int64)
        if not len(inside):
            return best
        order = inside[np.argsort(-w[inside], kind="stable")]
        for ends in (i, j):
            rec = ends[order]
            first = np.unique(rec, return_index=True)[1]
            for r, k in zip(rec[first].tolist(), order[first].tolist(), strict=True):
                if best[r] < 0 or w[k] > w[best[r]]:
                    best[r] = k
        return best

    def _evidence(self, i: int, root: int) -> LinkEvidence:
        found = int(self.best[i])
        best = found if found >= 0 else None
        if best is None:
            return LinkEvidence(1.0, {"match": "no other record matched: a new person"})
        explain, row = self.scored.explain, best
        return LinkEvidence(self.confidence[i], LazyReasons(lambda: explain(row)))

    def _contradictions(self, active: set[int], result: ReconcileResult) -> None:
        """A linked record that changed so it no longer looks like its entity goes to review; it is not moved."""
        for i in sorted(active):
            key = self.keys[i]
            if key not in self.existing:
                continue
            root = self.clusters.find(i)
            others = [o for o in self.clusters.members[root] if o != i and self.keys[o] in self.existing]
            scored = [k for k in (self.pair(i, o) for o in others) if k is not None]
            if not others:
                continue
            if not scored:
                best_p, why = 0.0, {"match": "no field in common with the entity's other records"}
            else:
                best = max(scored, key=lambda k: self.scored.weight[k])
                best_p, why = self.prob(best), self.scored.explain(best)
            if best_p < self.settings.review:
                why = dict(why)
                why["held"] = "this linked record changed and no longer matches its entity"
                result.reviews.append(ReviewCandidate(key, f"entity:{self.existing[key]}", round(best_p, 4), why,
                                                      kind="contradiction"))


def _bits(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return float(np.log2(p / (1 - p)))
