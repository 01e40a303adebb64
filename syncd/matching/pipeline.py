"""The reconciler: which records are the same person. Pure: no I/O, no database.

One pass: features (cached per contact) -> blocked candidate pairs -> comparison levels -> a
Fellegi-Sunter model trained on these records (or, for a small incremental pass, the one trained on
the whole population a moment ago) -> match weights -> an assignment that keeps at most one record
per system per person, honours admin decisions and holds doubtful creates for review.
"""

from __future__ import annotations

import gc
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
import numpy.typing as npt

from syncd.matching.arrays import distinct
from syncd.matching.assignment import Assigner, ScoredPairs
from syncd.matching.blocking import BlockIndex, BlockTable, Keys, candidate_pairs, key_codes
from syncd.matching.comparisons import DEFAULT_COMPARISONS, PairLevels, compare, derived_for
from syncd.matching.explain import probability, reasons
from syncd.matching.features import Features, FeatureTable, features_of
from syncd.matching.mailboxes import learn_role_mailboxes, with_role_mailboxes
from syncd.matching.model import Model, train
from syncd.matching.types import Decisions, MatchRecord, MatchSettings, ReconcileResult
from syncd.matching.variants import learn_variants, with_variants
from syncd.model import Contact, default_region

__all__ = ["reconcile"]

Int = npt.NDArray[np.int32]

_FEATURES: dict[tuple[str, Contact], Features] = {}
_KEYS: dict[int, Keys] = {}
_CACHE_LIMIT = 3_000_000
#: the persistent block index is used from this many records on, when at most 1/_INDEX_SHARE of them changed
_INDEX_MIN = 5_000
_INDEX_SHARE = 20
#: retrain when the population grew or shrank by more than this share since the model was trained
_RETRAIN = 0.1
#: components of plausible pairs up to this size are scored completely (every cross pair), so a merge
#: can see a contradiction between records that share no blocking key
_CLOSURE_MAX = 12


def _features(record: MatchRecord, shared: frozenset[str]) -> Features:
    """Features are pure functions of a contact: kept between calls, so the daemon's incremental
    cycles compute them only for records that changed."""
    cache_key = (record.system, record.contact)
    found = _FEATURES.get((record.system, record.contact))
    # read with these shared mailboxes and this phone region (a reload may change either)
    reading = (shared, default_region())
    if found is None or _SHARED.get(id(found)) != reading:
        if found is not None:
            _KEYS.pop(id(found), None)
            _SHARED.pop(id(found), None)
        if len(_FEATURES) > _CACHE_LIMIT:
            _FEATURES.clear()
            _KEYS.clear()
            _SHARED.clear()
        found = features_of(record.system, record.contact, shared)
        _FEATURES[cache_key] = found
        _SHARED[id(found)] = reading
    return found


_SHARED: dict[int, tuple[frozenset[str], str]] = {}


def _keys(f: Features) -> Keys:
    keys = _KEYS.get(id(f))
    if keys is None:
        keys = _KEYS[id(f)] = key_codes(f)
    return keys


def _prune_cache(records: Sequence[MatchRecord]) -> None:
    if len(_FEATURES) <= 2 * len(records) + 10_000:
        return
    keep = {(r.system, r.contact) for r in records}
    for cache_key in [k for k in _FEATURES if k not in keep]:
        f = _FEATURES.pop(cache_key)
        _KEYS.pop(id(f), None)
        _SHARED.pop(id(f), None)


class _State:
    """What persists between calls for one configuration: the block index and the trained model."""

    def __init__(self, settings: MatchSettings) -> None:
        self.index = BlockIndex(settings.block_cap)
        self.model: Model | None = None
        self.trained_population = 0


_STATES: dict[MatchSettings, _State] = {}


def _state_for(settings: MatchSettings) -> _State:
    state = _STATES.get(settings)
    if state is None:
        _STATES.clear()  # one configuration at a time
        state = _STATES[settings] = _State(settings)
    return state


_TIMING: dict[str, float] = {}


def _mark(stage: str, started: list[float]) -> None:
    now = time.perf_counter()
    _TIMING[stage] = _TIMING.get(stage, 0.0) + now - started[0]
    started[0] = now


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for one pass: a full pass allocates millions of small objects that
    live until it ends (features, keys, link evidence), and each collection would walk them all again (a
    fifth of a 200k-record pass). The pass makes next to no reference cycles; what it leaves is collected
    as soon as the collector is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def reconcile(
    records: Sequence[MatchRecord],
    settings: MatchSettings,
    *,
    existing: Mapping[str, str] | None = None,
    decisions: Decisions | None = None,
    changed: Collection[str] | None = None,
    model: Model | None = None,
) -> ReconcileResult:
    """Decide entities for the unlinked (and changed) records; see the module docstring."""
    with _collector_paused():
        return _reconcile(records, settings, existing, decisions, changed, model)


def _reconcile(records: Sequence[MatchRecord], settings: MatchSettings, existing: Mapping[str, str] | None,
               decisions: Decisions | None, changed: Collection[str] | None, model: Model | None
               ) -> ReconcileResult:
    existing = existing or {}
    decisions = decisions or Decisions()
    clock = [time.perf_counter()]
    state = _state_for(settings)
    shared = settings.shared_mailboxes
    feats = [_features(r, shared) for r in records]
    _mark("features", clock)
    all_keys = [_keys(f) for f in feats]
    _mark("keys", clock)
    population_counts: dict[str, dict[str, int]] | None = None
    oversized: Collection[int] = ()
    selected: list[int] = list(range(len(records)))
    incremental = (changed is not None and len(records) >= _INDEX_MIN
                   and len(changed) * _INDEX_SHARE <= len(records))
    if incremental:
        index = state.index
        current: set[str] = set()
        for r, f, record_keys in zip(records, feats, all_keys, strict=True):
            current.add(r.key)
            if not index.known(r.key, f):
                if r.key in index.entries:
                    index.remove(r.key)
                index.add(r.key, f, record_keys)
        if len(index.entries) > len(current):
            for gone in [k for k in index.entries if k not in current]:
                index.remove(gone)
        assert changed is not None
        decided_keys = [k for pair in decisions.must_link | decisions.cannot_link for k in pair]
        wanted = index.neighbourhood(changed, existing, decided_keys)
        selected = [i for i, r in enumerate(records) if r.key in wanted]
        population_counts = index.values
        oversized = index.oversized()
        if model is None and (state.model is None or abs(len(records) - state.trained_population)
                              > _RETRAIN * max(state.trained_population, 1)):
            state.model = _train_full(feats, all_keys, settings)
            state.trained_population = len(records)
        model = model or state.model
    sub_records = [records[i] for i in selected]
    sub_feats = [feats[i] for i in selected]
    table = FeatureTable(sub_feats)
    if population_counts is not None:
        _population_counts(table, population_counts, len(records))
    keys = [all_keys[i] for i in selected]
    changed_set = set(changed) if changed is not None else {r.key for r in sub_records}
    active = np.fromiter((r.key in changed_set for r in sub_records), dtype=np.bool_, count=len(sub_records))

    derived = derived_for(table)
    _mark("table", clock)
    levels: PairLevels | None = None
    within: tuple[Int, Int] | None = None
    if model is None:
        blocks = BlockTable(keys)
        i, j = blocks.pairs(table.system, settings.block_cap)
        within = blocks.pairs(table.system, settings.block_cap, same_system=True)
        model, levels = _fit(table, within, i, j)
        if changed is None or len(records) >= _INDEX_MIN:
            state.model, state.trained_population = model, len(records)
        keep = active[i] | active[j]
        if not keep.all():
            i, j, levels = i[keep], j[keep], None
    else:
        i, j = candidate_pairs(keys, table.system, settings.block_cap, active=active, skip=oversized)
    _mark("train", clock)
    more_i, more_j = _with_entity_pairs(i, j, sub_records, table, active, existing)
    if levels is None or len(more_i) != len(i):
        i, j = more_i, more_j
        levels = compare(model.comparisons, table, i, j, derived)
    weight, per = model.score(levels, table)
    _mark("compare", clock)
    i, j, levels_arr, weight, per, swapped = _closure(model, table, derived, settings, i, j, levels.levels,
                                                      weight, per, levels.swapped)

    comparisons = model.comparisons
    if incremental:
        strangers = state.index.strangers([r.key for r in sub_records])
    else:
        strangers = _strangers(within if within is not None else
                               BlockTable(keys).pairs(table.system, settings.block_cap, same_system=True), table.n)
    sizes = Counter(r.system for r in records)
    population = np.array([float(sizes[name]) for name in table.system_names])
    decided, rivals = _one_to_one(model, table, i, j, weight, strangers, population)

    def explain(k: int) -> dict[str, str]:
        together = float(weight[k]) - model.prior_weight - float(per[k].sum())
        out = reasons(comparisons, levels_arr[k], per[k], float(weight[k]), bool(swapped[k]), together)
        if rivals[k] > 0:
            out["rivals"] = (f"{int(rivals[k])} other plausible candidate(s) in the same system "
                             f"(probability after them {probability(float(decided[k])):.4f})")
        return out

    scored = ScoredPairs(i, j, decided, explain, raw=weight)
    result = ReconcileResult(pairs_scored=len(i), model=model.as_json())
    assigner = Assigner([r.key for r in sub_records], [r.system for r in sub_records], settings, existing,
                        decisions, scored)
    _mark("closure", clock)
    assigner.seed(result)
    assigner.run({int(x) for x in np.flatnonzero(active)}, result)
    _mark("assign", clock)
    _prune_cache(records)
    return result


def _train_full(feats: Sequence[Features], keys: Sequence[Keys], settings: MatchSettings) -> Model:
    table = FeatureTable(feats)
    blocks = BlockTable(keys)
    i, j = blocks.pairs(table.system, settings.block_cap)
    return _fit(table, blocks.pairs(table.system, settings.block_cap, same_system=True), i, j)[0]


#: at most this many within-system pairs are compared to learn u
_WITHIN_SAMPLE = 150_000


def _fit(table: FeatureTable, within: tuple[Int, Int], i: Int, j: Int) -> tuple[Model, PairLevels]:
    derived = derived_for(table)
    roles = learn_role_mailboxes(table, derived)
    base = with_role_mailboxes(DEFAULT_COMPARISONS, roles)
    pairs = compare(base, table, i, j, derived)
    wi, wj = within
    if len(wi) > _WITHIN_SAMPLE:
        pick = np.random.default_rng(1).choice(len(wi), _WITHIN_SAMPLE, replace=False)
        wi, wj = wi[pick], wj[pick]
    strangers = compare(base, table, wi, wj, derived)
    model = train(table, i, j, pairs, base, within=strangers)
    model.training["learned_role_mailboxes"] = len(roles)
    variants = learn_variants(model, table, (i, j, pairs))
    if not variants:
        return model, pairs
    # the given names learned to be variants of one another: their pairs compared again, the model fitted again
    comparisons = with_variants(base, variants)
    given = [c.name for c in comparisons].index("given")
    for levels, (x, y) in ((pairs, (i, j)), (strangers, (wi, wj))):
        levels.levels[:, given] = compare(comparisons[given:given + 1], table, x, y, derived).levels[:, 0]
    model = train(table, i, j, pairs, comparisons, within=strangers)
    model.training["learned_role_mailboxes"] = len(roles)
    model.training["learned_name_variants"] = len(variants)
    return model, pairs


def _population_counts(table: FeatureTable, counts: Mapping[str, Mapping[str, int]], population: int) -> None:
    """Term frequencies from the whole population, not from the neighbourhood an incremental pass sees."""
    from syncd.matching.features import FIELDS

    for name in list(table.counts):
        voc = table.vocab[FIELDS.get(name, name)]
        source = counts.get(name, {})
        table.counts[name] = np.fromiter((source.get(v, 1) for v in voc.values), dtype=np.int64,
                                         count=len(voc.values))
    table.population = population


def _with_entity_pairs(i: Int, j: Int, records: Sequence[MatchRecord], table: FeatureTable,
                       active: npt.NDArray[np.bool_], existing: Mapping[str, str]) -> tuple[Int, Int]:
    """A changed linked record is always compared with the other records of its entity."""
    by_entity: dict[str, list[int]] = defaultdict(list)
    for x, r in enumerate(records):
        if r.key in existing:
            by_entity[existing[r.key]].append(x)
    extra_i: list[int] = []
    extra_j: list[int] = []
    for x in np.flatnonzero(active).tolist():
        entity = existing.get(records[x].key)
        if entity is None:
            continue
        for y in by_entity[entity]:
            if y != x and table.system[x] != table.system[y]:
                extra_i.append(min(x, y))
                extra_j.append(max(x, y))
    if not extra_i:
        return i, j
    return _merge_pairs(i, j, np.asarray(extra_i, dtype=np.int32), np.asarray(extra_j, dtype=np.int32),
                        len(records))


def _merge_pairs(i: Int, j: Int, a: Int, b: Int, n: int) -> tuple[Int, Int]:
    key = distinct(np.r_[i.astype(np.int64) * (n + 1) + j, a.astype(np.int64) * (n + 1) + b])
    return (key // (n + 1)).astype(np.int32), (key % (n + 1)).astype(np.int32)


def _closure(model: Model, table: FeatureTable, derived: object, settings: MatchSettings, i: Int, j: Int,
             levels: npt.NDArray[np.int8], weight: npt.NDArray[np.float64], per: npt.NDArray[np.float32],
             swapped: npt.NDArray[np.bool_]) -> tuple[Int, Int, npt.NDArray[np.int8], npt.NDArray[np.float64],
                                                      npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """Score every cross-system pair inside small groups of plausibly linked records."""
    floor = min(settings.search, settings.review)
    floor_w = float(np.log2(floor / (1 - floor)))
    plausible = np.flatnonzero(weight >= floor_w)
    if not len(plausible):
        return i, j, levels, weight, per, swapped
    pi, pj = i[plausible].astype(np.int64), j[plausible].astype(np.int64)
    label = _components(table.n, pi, pj)
    members = distinct(np.r_[pi, pj])
    comp = label[members]
    order = np.argsort(comp, kind="stable")
    members, comp = members[order], comp[order]
    starts = np.flatnonzero(np.r_[True, comp[1:] != comp[:-1]])
    sizes = np.diff(np.r_[starts, len(comp)])
    width = table.n + 1
    known = np.sort(i.astype(np.int64) * width + j)
    extra_i: list[int] = []
    extra_j: list[int] = []
    system = table.system
    for size in np.unique(sizes):
        if size < 3 or size > _CLOSURE_MAX:
            continue
        group = starts[sizes == size]
        p, q = np.triu_indices(int(size), k=1)
        a = members[group[:, None] + p[None, :]].ravel()
        b = members[group[:, None] + q[None, :]].ravel()
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        codes = lo * width + hi
        at = np.minimum(np.searchsorted(known, codes), len(known) - 1)
        keep = (system[lo] != system[hi]) & (known[at] != codes)
        extra_i.extend(lo[keep].tolist())
        extra_j.extend(hi[keep].tolist())
    if not extra_i:
        return i, j, levels, weight, per, swapped
    ei, ej = np.asarray(extra_i, dtype=np.int32), np.asarray(extra_j, dtype=np.int32)
    more = compare(model.comparisons, table, ei, ej, derived)  # type: ignore[arg-type]
    w2, per2 = model.score(more, table)
    return (np.r_[i, ei], np.r_[j, ej], np.vstack([levels, more.levels]), np.r_[weight, w2], np.vstack([per, per2]),
            np.r_[swapped, more.swapped])


def _strangers(within: tuple[Int, Int], n: int) -> npt.NDArray[np.float64]:
    """Per record: how many records of its own system share a blocking key with it (all strangers)."""
    wi, wj = within
    out: npt.NDArray[np.float64] = (np.bincount(wi, minlength=n) + np.bincount(wj, minlength=n)).astype(np.float64)
    return out


#: strangers a record is expected to meet besides those its own system predicts (one: the candidate
#: itself may be a stranger; and a record alone in its system's blocks predicts nothing about the others)
_STRANGER_PRIOR = 1.0


def _one_to_one(model: Model, table: FeatureTable, i: Int, j: Int, weight: npt.NDArray[np.float64],
                strangers: npt.NDArray[np.float64], population: npt.NDArray[np.float64]
                ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int32]]:
    """The match weight once the other candidates are counted: a record has at most one copy in a system.

    For record ``a`` and system ``S``: ``p`` the share of a's system's records that have a copy in S, ``L_k``
    the likelihood ratio of each candidate k in S (a copy's pair against a blocked stranger's), and ``lam``
    how many strangers from S the blocking is expected to bring to ``a``: the records of a's own system that
    share a key with it, scaled by the systems' sizes, plus one (a common name in a big town meets many; a
    rare one none but the candidate itself). With the strangers a Poisson count, P(candidate k is a's copy) =
    (p L_k / lam) / (1 - p + (p / lam) sum L). Without ``lam`` a lone namesake with nothing else in common
    would look like a's copy just because it is the only candidate. The pair's weight is the lower of its
    two sides' (log-odds, in bits); also how many rivals above even odds it had."""
    if not len(i):
        return weight, np.zeros(0, dtype=np.int32)
    names = table.system_names
    k = len(names)
    lr_bits = np.clip(weight - model.prior_weight, -200.0, 200.0)
    out = np.full(len(i), np.inf)
    rivals = np.zeros(len(i), dtype=np.int32)
    n = table.n
    presence = np.array([[model.presence_of(a, b) if a != b else 0.5 for b in names] for a in names])
    lr = np.exp2(lr_bits)
    positive = (lr_bits > 0).astype(np.float64)
    # a record's candidates in one system, whichever side of the pair it is on
    groups = [side.astype(np.int64) * k + table.system[other] for side, other in ((i, j), (j, i))]
    total = np.bincount(groups[0], weights=lr, minlength=n * k) + np.bincount(groups[1], weights=lr, minlength=n * k)
    plausible = (np.bincount(groups[0], weights=positive, minlength=n * k)
                 + np.bincount(groups[1], weights=positive, minlength=n * k))
    for (side, other), group in zip(((i, j), (j, i)), groups, strict=True):
        p = presence[table.system[side], table.system[other]]
        lam = (strangers[side] * population[table.system[other]] / np.maximum(population[table.system[side]], 1.0)
               + _STRANGER_PRIOR)
        others = np.maximum(total[group] - lr, 0.0)
        with np.errstate(divide="ignore"):
            bits = np.log2(p * lr / lam) - np.log2((1 - p) + p * others / lam)
        out = np.minimum(out, bits)
        rivals = np.maximum(rivals, (plausible[group] - positive).astype(np.int32))
    return out, rivals


def _components(n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Connected components of the graph (a[k], b[k]): each node's smallest member, by min-label
    propagation with pointer jumping (a few rounds: the components here are small)."""
    label = np.arange(n, dtype=np.int64)
    nodes = np.r_[a, b]
    order = np.argsort(nodes, kind="stable")
    nodes_sorted = nodes[order]
    starts = np.flatnonzero(np.r_[True, nodes_sorted[1:] != nodes_sorted[:-1]])
    heads = nodes_sorted[starts]
    others = np.r_[b, a][order]
    for _ in range(64):
        low = np.minimum.reduceat(label[others], starts)
        before = label.copy()
        label[heads] = np.minimum(label[heads], low)
        label = label[label]
        label = label[label]
        if np.array_equal(label, before):
            break
    return label
