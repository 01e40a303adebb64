"""The reconciler: which records are the same person. Pure: no I/O, no database.

Records already linked keep their entity. New and changed records are compared (only within blocks,
see :mod:`syncd.engine.features`) and scored (:mod:`syncd.engine.scoring`); pairs are then taken
strongest first and merged into clusters — never two existing entities, never two records of one
system (the weaker goes to review), never across an admin's "keep apart", and never when any member
of one cluster clearly contradicts a member of the other (so A=B and B=C cannot drag in a C≠A).
Scores between ``review`` and ``auto_link`` open a review item and hold the record back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from syncd.engine.features import Features, blocking_keys, features_of
from syncd.engine.scoring import score_pair
from syncd.model import Contact

__all__ = ["Decisions", "LinkEvidence", "MatchRecord", "MatchSettings", "ReconcileResult", "ReviewCandidate",
           "reconcile"]

DEFAULT_SHARED = frozenset({"info", "sales", "support", "office", "admin", "contact", "hello", "team", "billing",
                            "noreply", "no-reply", "accounts", "service", "help", "mail", "enquiries"})
#: two clusters are not merged when any cross pair scores below this (a clear contradiction)
_CONTRADICTION = 0.3


@dataclass(frozen=True, slots=True)
class MatchSettings:
    auto_link: float = 0.92
    review: float = 0.75
    one_record_per_system: bool = True
    shared_mailboxes: frozenset[str] = DEFAULT_SHARED
    #: blocks larger than this are skipped (a shared mailbox, a very common name)
    block_cap: int = 24


@dataclass(frozen=True, slots=True)
class MatchRecord:
    key: str  # "system:remote_id"
    system: str
    contact: Contact


@dataclass(slots=True)
class Decisions:
    """Admin decisions; each pair is a frozenset of two keys (record keys or ``entity:<id>``)."""

    must_link: set[frozenset[str]] = field(default_factory=set)
    cannot_link: set[frozenset[str]] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class LinkEvidence:
    confidence: float
    reasons: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ReviewCandidate:
    key: str
    candidate: str  # "entity:<id>" or a record key
    score: float
    reasons: Mapping[str, str]
    kind: str = "match"  # match | contradiction


@dataclass(slots=True)
class ReconcileResult:
    #: unlinked record key -> existing entity id, or "new:<n>" (one per new entity)
    assignments: dict[str, str] = field(default_factory=dict)
    links: dict[str, LinkEvidence] = field(default_factory=dict)
    reviews: list[ReviewCandidate] = field(default_factory=list)
    pairs_scored: int = 0


_FEATURES: dict[tuple[str, Contact], Features] = {}
_KEYS: dict[int, frozenset[str]] = {}
_CACHE_LIMIT = 1_000_000


def _features(record: MatchRecord, shared: frozenset[str]) -> Features:
    """Features are pure functions of a contact: kept between calls, so the daemon's incremental
    cycles compute them only for records that changed."""
    cache_key = (record.system, record.contact)
    found = _FEATURES.get(cache_key)
    if found is None or found.shared_mailboxes != shared:
        if found is not None:
            _KEYS.pop(id(found), None)  # keyed by id: never let a freed object's id carry its keys
        if len(_FEATURES) > _CACHE_LIMIT:
            _FEATURES.clear()
            _KEYS.clear()
        found = features_of(record.system, record.contact, shared)
        _FEATURES[cache_key] = found
    return found


def _prune_cache(records: Sequence[MatchRecord]) -> None:
    """Drop the features of contacts no longer held (edited since): a daemon's cache stays the size of its
    data instead of growing with every edit until the hard limit."""
    if len(_FEATURES) <= 2 * len(records) + 10_000:
        return
    keep = {(r.system, r.contact) for r in records}
    for cache_key in [k for k in _FEATURES if k not in keep]:
        _KEYS.pop(id(_FEATURES.pop(cache_key)), None)


def _keys(f: Features) -> frozenset[str]:
    keys = _KEYS.get(id(f))
    if keys is None:
        keys = _KEYS[id(f)] = frozenset(blocking_keys(f))
    return keys


def _name_key(f: Features) -> tuple[str, str, str]:
    return f.system, " ".join(sorted(t for t in f.tokens if len(t) > 1)), f.company


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
            self.entity[ra] = self.entity.pop(rb)
        return ra


class _Matcher:
    def __init__(self, records: Sequence[MatchRecord], settings: MatchSettings, existing: Mapping[str, str],
                 decisions: Decisions, *, name_counts: Mapping[tuple[str, str, str], int] | None = None,
                 oversized: Collection[str] = ()) -> None:
        self.records = records
        self.settings = settings
        self.existing = existing
        self.decisions = decisions
        self.features = [_features(r, settings.shared_mailboxes) for r in records]
        self.index = {r.key: i for i, r in enumerate(records)}
        self.clusters = _Clusters(len(records))
        self.scores: dict[tuple[int, int], tuple[float, dict[str, str]]] = {}
        self.oversized = oversized
        keys = [_name_key(f) for f in self.features]
        counts: Mapping[tuple[str, str, str], int]
        if name_counts is None:
            local: dict[tuple[str, str, str], int] = defaultdict(int)
            for key in keys:
                local[key] += 1
            counts = local
        else:
            counts = name_counts
        self.unique_flags = [bool(f.company and f.tokens) and counts[k] == 1 for f, k in zip(self.features, keys,
                                                                                               strict=True)]

    def unique(self, i: int) -> bool:
        return self.unique_flags[i]

    def score(self, i: int, j: int) -> tuple[float, dict[str, str]]:
        pair = (i, j) if i < j else (j, i)
        if pair not in self.scores:
            self.scores[pair] = score_pair(self.features[pair[0]], self.features[pair[1]],
                                           unique_at_company=self.unique(i) and self.unique(j))
        return self.scores[pair]

    def seed_existing(self) -> None:
        by_entity: dict[str, list[int]] = defaultdict(list)
        for key, entity in self.existing.items():
            if key in self.index:
                by_entity[entity].append(self.index[key])
        for entity, members in by_entity.items():
            root = members[0]
            for other in members[1:]:
                root = self.clusters.union(root, other)
            self.clusters.entity[self.clusters.find(root)] = entity

    def labels(self, root: int) -> set[str]:
        out = {self.records[m].key for m in self.clusters.members[root]}
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
        if self.settings.one_record_per_system:
            systems_a = {self.records[m].system for m in self.clusters.members[ra]}
            if any(self.records[m].system in systems_a for m in self.clusters.members[rb]):
                return "the entity already has a record of this system"
        if self.kept_apart(ra, rb):
            return "an admin decided to keep them apart"
        for x in self.clusters.members[ra]:
            for y in self.clusters.members[rb]:
                if self.records[x].system != self.records[y].system and self.score(x, y)[0] < _CONTRADICTION:
                    return f"{self.records[x].key} and {self.records[y].key} contradict each other"
        return None

    def candidate_pairs(self, active: set[int]) -> Iterable[tuple[int, int]]:
        # only blocks an active (new or changed) record is in can hold a pair worth scoring
        wanted = {key for i in active for key in _keys(self.features[i])}
        blocks: dict[str, list[int]] = defaultdict(list)
        for i, f in enumerate(self.features):
            for key in _keys(f):
                if key in wanted:
                    blocks[key].append(i)
        seen: set[tuple[int, int]] = set()
        cap = self.settings.block_cap
        for block, members in blocks.items():
            if len(members) < 2 or len(members) > cap or block in self.oversized:
                continue
            if not any(m in active for m in members):
                continue
            for x in range(len(members)):
                i = members[x]
                for y in range(x + 1, len(members)):
                    j = members[y]
                    if i not in active and j not in active:
                        continue
                    if self.features[i].system == self.features[j].system:
                        continue
                    pair = (i, j) if i < j else (j, i)
                    if pair not in seen:
                        seen.add(pair)
                        yield pair

    def apply_must_links(self, result: ReconcileResult) -> None:
        for pair in self.decisions.must_link:
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


def reconcile(
    records: Sequence[MatchRecord],
    settings: MatchSettings,
    *,
    existing: Mapping[str, str] | None = None,
    decisions: Decisions | None = None,
    changed: Collection[str] | None = None,
) -> ReconcileResult:
    """Decide entities for the unlinked (and changed) records; see the module docstring."""
    existing = existing or {}
    decisions = decisions or Decisions()
    all_records = records
    name_counts: Mapping[tuple[str, str, str], int] | None = None
    oversized: Collection[str] = ()
    if changed is not None and len(records) >= _INDEX_MIN and len(changed) * _INDEX_SHARE <= len(records):
        index = _index_for(settings)
        index.sync(records)
        records = index.neighbourhood(changed, existing, decisions)
        name_counts, oversized = index.name_counts, index.oversized()
    m = _Matcher(records, settings, existing, decisions, name_counts=name_counts, oversized=oversized)
    result = ReconcileResult()
    m.seed_existing()
    m.apply_must_links(result)
    changed_set = set(changed) if changed is not None else {r.key for r in records}
    active = {m.index[k] for k in changed_set if k in m.index}
    unlinked = {i for i in active if records[i].key not in existing}

    scored: list[tuple[float, int, int]] = []
    for i, j in m.candidate_pairs(active):
        if _hopeless(m.features[i], m.features[j], settings.review):
            continue
        score, _ = m.score(i, j)
        if score >= settings.review:
            scored.append((score, i, j))
    result.pairs_scored = len(m.scores)
    scored.sort(key=lambda s: (-s[0], *sorted((records[s[1]].key, records[s[2]].key))))

    best_review: dict[int, ReviewCandidate] = {}
    for score, i, j in scored:
        ri, rj = m.clusters.find(i), m.clusters.find(j)
        if ri == rj:
            continue
        reason = m.why_not(ri, rj)
        if score >= settings.auto_link and reason is None:
            m.clusters.union(i, j)
            continue
        if reason is not None and m.kept_apart(ri, rj):
            continue  # an admin already answered this question
        for movable, other_root in ((i, rj), (j, ri)):
            if movable not in unlinked or len(m.clusters.members[m.clusters.find(movable)]) > 1:
                continue
            why = dict(m.score(i, j)[1])
            if reason:
                why["held"] = reason
            label = (f"entity:{m.clusters.entity[other_root]}" if other_root in m.clusters.entity
                     else records[j if movable == i else i].key)
            current = best_review.get(movable)
            if current is None or score > current.score:
                best_review[movable] = ReviewCandidate(records[movable].key, label, round(score, 4), why)

    _contradictions(m, active, existing, settings, result)

    _prune_cache(all_records)
    new_ids: dict[int, str] = {}
    for i in sorted(unlinked):
        root = m.clusters.find(i)
        size = len(m.clusters.members[root])
        if size == 1 and i in best_review:
            result.reviews.append(best_review[i])
            continue
        if root in m.clusters.entity:
            result.assignments[records[i].key] = m.clusters.entity[root]
        else:
            result.assignments[records[i].key] = new_ids.setdefault(root, f"new:{len(new_ids) + 1}")
        if records[i].key not in result.links:
            result.links[records[i].key] = _evidence(m, i, root)
    return result


#: the persistent block index is used from this many records on, when at most 1/_INDEX_SHARE of them changed
_INDEX_MIN = 5_000
_INDEX_SHARE = 20


class _BlockIndex:
    """Every record's blocking keys, kept between calls: an incremental pass then works only on the
    records that share a block with a changed one (plus the other members of their entities), instead
    of rebuilding the blocks of everything. Results are the same as a full pass (a test checks this):
    uniqueness counts and oversized blocks are taken from the whole set. Only keys and a hash of each
    contact are kept, not the contacts: the daemon would otherwise hold two generations of every record."""

    def __init__(self, settings: MatchSettings) -> None:
        self.settings = settings
        #: record key -> (hash of system and contact, its blocking keys, its name key)
        self.entries: dict[str, tuple[int, frozenset[str], tuple[str, str, str]]] = {}
        self.blocks: dict[str, set[str]] = defaultdict(set)
        self.name_counts: dict[tuple[str, str, str], int] = defaultdict(int)
        self.current: dict[str, MatchRecord] = {}

    def _add(self, record: MatchRecord, digest: int) -> None:
        f = _features(record, self.settings.shared_mailboxes)
        keys, name = _keys(f), _name_key(f)
        self.entries[record.key] = (digest, keys, name)
        for key in keys:
            self.blocks[key].add(record.key)
        self.name_counts[name] += 1

    def _remove(self, key: str) -> None:
        _, keys, name = self.entries.pop(key)
        for block in keys:
            members = self.blocks[block]
            members.discard(key)
            if not members:
                del self.blocks[block]
        self.name_counts[name] -= 1
        if self.name_counts[name] <= 0:
            del self.name_counts[name]

    def sync(self, records: Sequence[MatchRecord]) -> None:
        self.current = {record.key: record for record in records}
        for record in records:
            digest = hash((record.system, record.contact))
            known = self.entries.get(record.key)
            if known is not None:
                if known[0] == digest:
                    continue
                self._remove(record.key)
            self._add(record, digest)
        for gone in self.entries.keys() - self.current.keys():
            self._remove(gone)

    def oversized(self) -> set[str]:
        cap = self.settings.block_cap
        return {block for block, members in self.blocks.items() if len(members) > cap}

    def neighbourhood(self, changed: Collection[str], existing: Mapping[str, str],
                      decisions: Decisions) -> list[MatchRecord]:
        cap = self.settings.block_cap
        wanted = {key for key in changed if key in self.entries}
        for key in list(wanted):
            for block in self.entries[key][1]:
                members = self.blocks[block]
                if len(members) <= cap:
                    wanted.update(members)
        for pair in decisions.must_link | decisions.cannot_link:
            wanted.update(k for k in pair if k in self.entries)
        entities = {existing[k] for k in wanted if k in existing}
        if entities:
            wanted.update(k for k, entity in existing.items() if entity in entities and k in self.entries)
        records = [self.current[k] for k in sorted(wanted)]
        self.current = {}  # the caller's records are not kept beyond the call
        return records


_INDEXES: dict[MatchSettings, _BlockIndex] = {}


def _index_for(settings: MatchSettings) -> _BlockIndex:
    index = _INDEXES.get(settings)
    if index is None:
        _INDEXES.clear()  # one configuration at a time
        index = _INDEXES[settings] = _BlockIndex(settings)
    return index


def _hopeless(a: Features, b: Features, threshold: float) -> bool:
    """True when no name agreement could lift the pair to ``threshold``: skip the costly name comparison."""
    if a.personal_emails & b.personal_emails or a.phones & b.phones:
        return False
    same_domain = {e.partition("@")[2] for e in a.personal_emails} & {e.partition("@")[2] for e in b.personal_emails}
    if same_domain:
        return False
    # name (0.45) + company (0.1) + unique name at the company (0.4) + city (0.05) + shared mailbox (0.05);
    # a phone or an email in common is never hopeless
    bound = 0.45 + 0.05 + (0.05 if a.shared_emails & b.shared_emails else 0.0)
    if a.company and a.company == b.company:
        bound += 0.5
    return bound < threshold


def _evidence(m: _Matcher, i: int, root: int) -> LinkEvidence:
    best: tuple[float, dict[str, str]] | None = None
    for other in m.clusters.members[root]:
        if other != i and m.records[other].system != m.records[i].system:
            candidate = m.score(i, other)
            if best is None or candidate[0] > best[0]:
                best = candidate
    if best is None:
        return LinkEvidence(1.0, {"match": "no other record matched: a new person"})
    return LinkEvidence(round(best[0], 4), best[1])


def _contradictions(m: _Matcher, active: set[int], existing: Mapping[str, str], settings: MatchSettings,
                    result: ReconcileResult) -> None:
    """A linked record that changed so it no longer looks like its entity goes to review; it is not moved."""
    for i in sorted(active):
        key = m.records[i].key
        if key not in existing:
            continue
        root = m.clusters.find(i)
        others = [o for o in m.clusters.members[root] if o != i and m.records[o].key in existing]
        if not others:
            continue
        best = max((m.score(i, o) for o in others), key=lambda s: s[0])
        if best[0] < settings.review:
            reasons = dict(best[1])
            reasons["held"] = "this linked record changed and no longer matches its entity"
            result.reviews.append(ReviewCandidate(key, f"entity:{existing[key]}", round(best[0], 4), reasons,
                                                  kind="contradiction"))
