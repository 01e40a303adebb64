"""Which pairs are compared at all: records that share a blocking key, in different systems.

Keys aim at recall: an email, a phone, a family name with a given initial (both orders, so swapped
names meet), family name or given name with the postal code (a typo or a new family name on the
other), the street with the postal code, the first letters of both names, a name at a company, a
family name without its particles ("Jong" for "de Jong"), a single name either way round, a mailbox's
letters in order (two swapped letters).
Blocks larger than the cap (a switchboard number, "John Smith" in one town) are skipped: those pairs
only meet through a more specific key. Pairs are generated with numpy, block by block size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from syncd.matching.arrays import distinct
from syncd.matching.features import EXTENSION_MARK, STREET_SUFFIXES, Features, glued_digits

__all__ = ["BlockIndex", "BlockTable", "blocking_keys", "candidate_pairs"]

Int = npt.NDArray[np.int32]

#: a mailbox this short sorted by its letters is too common a key ("ab@", "ba@" at one provider)
_SORTED_MIN = 6
#: a name this short sorted by its letters meets too many others
_SORTED_NAME_MIN = 4
#: street words that key a house number: long enough to be a name ("benson", "nuova"), not a street type
_STREET_WORD_MIN = 4
_STREET_TYPES = frozenset(STREET_SUFFIXES.values())


def blocking_keys(f: Features) -> set[str]:
    keys = {f"e:{e}" for e in f.emails}
    # two letters swapped in a mailbox ("cyrstal_per19@" for "crystal_per19@"): its letters in order
    keys.update(f"es:{''.join(sorted(local))}@{domain}" for local, _, domain in (e.partition("@") for e in f.emails)
                if len(local) >= _SORTED_MIN)
    keys.update(f"p:{p}" for p in f.phones)
    # a number with its extension also meets the switchboard written alone, and the two glued together
    for number, _, extension in (p.partition(EXTENSION_MARK) for p in f.phones if EXTENSION_MARK in p):
        keys.update((f"p:{number}", f"p:{glued_digits(number, extension)}"))
    g, fam = f.given, f.family
    if fam and g:
        keys.add(f"n:{fam}:{g[0]}")
        keys.add(f"n:{g}:{fam[0]}")
        # two letters typed the other way round ("Bnonet", "Slaeh"): the name's first letter and its letters in
        # order (the first letter keeps anagrams apart: "Amir", "Mira" and "Rami" are three names)
        if len(fam) >= _SORTED_NAME_MIN:
            keys.add(f"ns:{fam[0]}{''.join(sorted(fam))}:{g[0]}")
        if len(g) >= _SORTED_NAME_MIN:
            keys.add(f"ns:{g[0]}{''.join(sorted(g))}:{fam[0]}")
        a, b = sorted((g[:3], fam[:3]))
        keys.add(f"q:{a}:{b}")
        if f.company:
            keys.add(f"c:{f.given_canon}:{fam}:{f.company}")
    if f.zip:
        if fam:
            keys.add(f"fz:{fam}:{f.zip}")
        if g:
            keys.add(f"gz:{f.given_canon}:{f.zip}")
        if f.street:
            keys.add(f"sz:{f.street}:{f.zip}")
    if f.family_part and g:
        keys.add(f"n:{f.family_part}:{g[0]}")  # "Puig Torres" written "Torres Puig"
    if bool(fam) != bool(g):
        # a single name (or only initials), written as a given or a family name: it meets the same word
        # written either way round
        keys.add(f"o:{fam or g}")
    place = f.city or f.zip
    if place:
        if f.street:
            keys.add(f"sc:{f.street}:{place}")
        if f.unit:
            keys.add(f"uc:{f.unit}:{place}")
        if fam:
            keys.add(f"fc:{fam}:{place}")
        if g:
            keys.add(f"gc:{f.given_canon}:{place}")
    house = f.street.partition(" ")[0] if f.street[:1].isdigit() else ""
    if f.zip:
        # typo-proof keys: every name and street word may carry a typo, a house number and the initials less so
        if house:
            keys.add(f"hz:{house}:{f.zip}")
        if g and fam:
            keys.add(f"iz:{g[0]}{fam[0]}:{f.zip}")
        if fam:
            keys.add(f"f3z:{fam[:3]}:{f.zip}")
        if g:
            keys.add(f"g3z:{g[:3]}:{f.zip}")
    if house and f.city:
        keys.add(f"hc:{house}:{f.city}")
    if house:
        if fam:
            keys.add(f"hf:{house}:{fam}")
        if g:
            keys.add(f"hg:{house}:{f.given_canon}")
        # a typo in the postal code, the town or the street's type ("benson drescent"): the number and the
        # first letters of each word of the street's name; the number and the second address line ("villa 115")
        keys.update(f"hs:{house}:{word[:3]}" for word in f.street_name.split()
                    if len(word) >= _STREET_WORD_MIN and word not in _STREET_TYPES)
    # a unit number alone ("4") is in every building of a postal code: only a named second line is keyed
    named_unit = any(len(word) >= 3 and word.isalpha() for word in f.unit.split())
    if house and named_unit:
        keys.add(f"hu:{house}:{f.unit}")
    # a typo in the house number, or a move along the same street; a second address line ("calliope caravan
    # park") is keyed as a street is: a copy may hold only that line, or its lines the other way round
    for line in (f.street_name, f.unit if named_unit else ""):
        if not line:
            continue
        if f.zip:
            keys.add(f"nz:{line}:{f.zip}")
        if f.city:
            keys.add(f"nc:{line}:{f.city}")
    return keys


#: a record's blocking keys as codes: the 64-bit string hashes of its keys, one small array per record (the
#: strings themselves, a dozen per record, would be most of a large pass's memory)
Keys = npt.NDArray[np.int64]


def key_codes(f: Features) -> Keys:
    """The codes of ``blocking_keys(f)``. Two keys whose hashes collide would only share a block: a few more
    pairs compared, and scored as the strangers they are."""
    keys = blocking_keys(f)
    return np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))


class BlockTable:
    """Every (key, record) of a batch, sorted by key: built once, then read for the cross-system pairs
    (candidates) and the within-system pairs (what non-matches look like)."""

    def __init__(self, keys: Sequence[Keys], skip: Collection[int] = ()) -> None:
        key_arr = np.concatenate(keys) if len(keys) else np.zeros(0, dtype=np.int64)
        lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        self.n = len(keys)
        rec_arr = np.repeat(np.arange(len(keys), dtype=np.int32), lengths)
        if skip:
            keep = ~np.isin(key_arr, np.fromiter(skip, dtype=np.int64, count=len(skip)))
            key_arr, rec_arr = key_arr[keep], rec_arr[keep]
        order = np.argsort(key_arr, kind="stable")
        self.keys, self.records = key_arr[order], rec_arr[order]
        if len(self.keys):
            self.starts = np.flatnonzero(np.r_[True, self.keys[1:] != self.keys[:-1]])
            self.sizes = np.diff(np.r_[self.starts, len(self.keys)])
        else:
            self.starts = self.sizes = np.zeros(0, dtype=np.int64)

    def pairs(self, systems: npt.NDArray[np.int16], cap: int, active: npt.NDArray[np.bool_] | None = None,
              same_system: bool = False) -> tuple[Int, Int]:
        """Pairs (i < j) sharing a key, in different systems (or, ``same_system``, in one), at least one
        of them active. The within-system pairs are known to be two people: what non-matches look like."""
        left: list[Int] = []
        right: list[Int] = []
        for size in np.unique(self.sizes):
            if size < 2 or size > cap:
                continue
            group_starts = self.starts[self.sizes == size]
            p, q = np.triu_indices(int(size), k=1)
            a = self.records[group_starts[:, None] + p[None, :]].ravel()
            b = self.records[group_starts[:, None] + q[None, :]].ravel()
            keep = (systems[a] == systems[b]) if same_system else (systems[a] != systems[b])
            if active is not None:
                keep &= active[a] | active[b]
            left.append(a[keep])
            right.append(b[keep])
        if not left:
            empty = np.zeros(0, dtype=np.int32)
            return empty, empty
        a64 = np.concatenate(left).astype(np.int64)
        b64 = np.concatenate(right).astype(np.int64)
        lo, hi = np.minimum(a64, b64), np.maximum(a64, b64)
        unique = distinct(lo * (self.n + 1) + hi)
        return (unique // (self.n + 1)).astype(np.int32), (unique % (self.n + 1)).astype(np.int32)


def candidate_pairs(keys: Sequence[Keys], systems: npt.NDArray[np.int16], cap: int,
                    active: npt.NDArray[np.bool_] | None = None,
                    skip: Collection[int] = (), same_system: bool = False) -> tuple[Int, Int]:
    """Pairs (i < j) of records in different systems sharing a key, at least one of them active."""
    return BlockTable(keys, skip).pairs(systems, cap, active, same_system)


class BlockIndex:
    """Every record's blocking keys and identity values, kept between calls.

    An incremental pass then works only on the records that share a block with a changed one (plus the
    other members of their entities), instead of rebuilding the blocks of everything; oversized blocks
    and term frequencies are taken from the whole population, so the result is the same as a full
    pass (a test checks this). Only keys and a hash of each contact are kept, not the contacts."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        #: record key -> (its features, blocking keys, identity values); the features object is the one the
        #: features cache holds for an unchanged contact, so "unchanged" is an identity check, not a hash
        self.entries: dict[str, tuple[object, tuple[int, ...], tuple[str, ...]]] = {}
        self.big: set[int] = set()
        self.blocks: dict[int, set[str]] = defaultdict(set)
        #: field -> value -> how many records hold it (term frequencies of the whole population)
        self.values: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.current: dict[str, object] = {}

    @staticmethod
    def _values(f: Features) -> tuple[str, ...]:
        return (f"given\0{f.given}", f"family\0{f.family}", f"street\0{f.street}", f"zip\0{f.zip}",
                f"city\0{f.city}", f"company\0{f.company}", *(f"email\0{e}" for e in f.emails),
                *(f"phone\0{p}" for p in f.phones))

    def add(self, key: str, f: Features, codes: Keys) -> None:
        values = self._values(f)
        keys = tuple(codes.tolist())
        self.entries[key] = (f, keys, values)
        for block in keys:
            members = self.blocks[block]
            members.add(key)
            if len(members) > self.cap:
                self.big.add(block)
        for v in values:
            name, _, value = v.partition("\0")
            if value:
                self.values[name][value] += 1

    def remove(self, key: str) -> None:
        _, keys, values = self.entries.pop(key)
        for block in keys:
            members = self.blocks[block]
            members.discard(key)
            if len(members) <= self.cap:
                self.big.discard(block)
            if not members:
                del self.blocks[block]
        for v in values:
            name, _, value = v.partition("\0")
            if value:
                counts = self.values[name]
                counts[value] -= 1
                if counts[value] <= 0:
                    del counts[value]

    def known(self, key: str, f: Features) -> bool:
        entry = self.entries.get(key)
        return entry is not None and entry[0] is f

    def oversized(self) -> set[int]:
        return self.big

    def strangers(self, keys: Sequence[str]) -> npt.NDArray[np.float64]:
        """Per record key ("system:id"): how many records of its own system share a (not oversized)
        blocking key with it, over the whole population: what ``BlockTable.pairs(same_system=True)``
        counts in a full pass."""
        out = np.zeros(len(keys))
        for x, key in enumerate(keys):
            entry = self.entries.get(key)
            if entry is None:
                continue
            prefix = key.partition(":")[0] + ":"
            seen: set[str] = set()
            for block in entry[1]:
                members = self.blocks[block]
                if len(members) <= self.cap:
                    seen.update(m for m in members if m.startswith(prefix))
            out[x] = len(seen) - (key in seen)
        return out

    def neighbourhood(self, changed: Collection[str], existing: Mapping[str, str],
                      extra: Iterable[str]) -> set[str]:
        wanted = {key for key in changed if key in self.entries}
        for key in list(wanted):
            for block in self.entries[key][1]:
                members = self.blocks[block]
                if len(members) <= self.cap:
                    wanted.update(members)
        wanted.update(k for k in extra if k in self.entries)
        entities = {existing[k] for k in wanted if k in existing}
        if entities:
            wanted.update(k for k, entity in existing.items() if entity in entities and k in self.entries)
        return wanted
