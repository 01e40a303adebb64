"""Every data set a matching benchmark runs on, by one name each, with its truth and a CSV writer.

    import sys; sys.path.insert(0, "bench")
    from datasets.sources import available, load, write_match_csv

    for source in available(sizes=(10_000,)):          # ours-10000, other-10000, febrl4, febrl1…3
        seeded = source.load()                           # list[SeededContact]: truth_id, system, contact

Sources (each a function, and a name for :func:`load` and ``SYNCD_BENCH_SOURCES``):

- ``ours-N``: ``syncd.sandbox.people`` (the generator the matcher was first tuned on), N people;
- ``other-N``: ``syncd.sandbox.othergen`` (a second generator, written apart from the matcher), N people;
- ``ours-Nx3``, ``other-Nx3``: the same over the first 3 (or 2, or 4) of the four systems;
- ``febrl4``: FEBRL4, two systems, 5,000 x 5,000 with 5,000 true pairs;
- ``febrl1``, ``febrl2``, ``febrl3``: FEBRL's deduplication sets, spread over systems (see ``febrl.py``).

``SYNCD_BENCH_SOURCES="other-100000,febrl4"`` picks the sources of :func:`from_env`; ``SYNCD_BENCH_SEED`` the
seed of the generated ones. :func:`write_match_csv` writes the ``syncd match`` input (records in a shuffled
order with opaque record ids, so row order says nothing) and a separate truth file
(``system,record_id,truth_id``): ``syncd match`` refuses unknown columns, and a matcher must not see the truth.
:func:`score` turns the truth and ``syncd match``'s output into precision, recall and F1 over record pairs.
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

for _path in (Path(__file__).resolve().parents[2], Path(__file__).resolve().parents[1]):  # the repo, bench/
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from datasets.febrl import febrl4 as _febrl4  # noqa: E402
from datasets.febrl import febrl_dedup  # noqa: E402
from syncd.sandbox.people import CSV_HEADER, SeededContact  # noqa: E402

__all__ = ["Source", "available", "febrl", "from_env", "load", "other", "ours", "read_truth", "score",
           "write_match_csv"]


#: the four systems, in the order the generators use them
SYSTEMS = ("flowtrac", "lightening", "itflow", "cirrus")


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    #: ours | other | febrl
    family: str
    #: people (generated) or records (FEBRL)
    size: int
    load: Callable[[], list[SeededContact]]


def ours(n_people: int, seed: int = 1, **options: Any) -> list[SeededContact]:
    from syncd.sandbox.people import generate

    return generate(seed, n_people, **options)


def other(n_people: int, seed: int = 1, **options: Any) -> list[SeededContact]:
    from syncd.sandbox.othergen import generate

    return generate(seed, n_people, **options)


def febrl(which: int, **options: Any) -> list[SeededContact]:
    return _febrl4(**options) if which == 4 else febrl_dedup(which, **options)


def load(name: str, seed: int = 1) -> list[SeededContact]:
    """A source by name: ``ours-N``, ``other-N``, ``febrl1``…``febrl4``."""
    kind, _, size = name.partition("-")
    people, _, over = size.partition("x")
    if kind in ("ours", "other") and people.isdigit() and (not over or over in ("2", "3", "4")):
        options: dict[str, Any] = {"systems": SYSTEMS[:int(over)]} if over else {}
        return (ours if kind == "ours" else other)(int(people), seed, **options)
    if kind.startswith("febrl") and kind[5:] in ("1", "2", "3", "4") and not size:
        return febrl(int(kind[5:]))
    raise ValueError(f"unknown source {name!r}: use ours-N, other-N (or ours-Nx3, other-Nx3: over 3 systems), "
                     "febrl1, febrl2, febrl3 or febrl4")


def available(sizes: Sequence[int] = (10_000,), seed: int = 1, febrl_sets: Sequence[int] = (4, 1, 2, 3),
              families: Sequence[str] = ("ours", "other", "febrl")) -> list[Source]:
    out: list[Source] = []
    for n in sizes:
        if "ours" in families:
            out.append(Source(f"ours-{n}", "ours", n, lambda n=n: ours(n, seed)))
        if "other" in families:
            out.append(Source(f"other-{n}", "other", n, lambda n=n: other(n, seed)))
    if "febrl" in families:
        sizes_of = {1: 1000, 2: 5000, 3: 5000, 4: 10000}
        for which in febrl_sets:
            out.append(Source(f"febrl{which}", "febrl", sizes_of[which], lambda w=which: febrl(w)))
    return out


def from_env(default: str = "ours-10000,other-10000,febrl4") -> list[Source]:
    """The sources named in ``SYNCD_BENCH_SOURCES`` (comma-separated), else ``default``."""
    seed = int(os.environ.get("SYNCD_BENCH_SEED", "1"))
    names = [n.strip() for n in os.environ.get("SYNCD_BENCH_SOURCES", default).split(",") if n.strip()]
    out = []
    for name in names:
        kind, _, size = name.partition("-")
        family = "febrl" if kind.startswith("febrl") else kind
        out.append(Source(name, family, int(size) if size.isdigit() else 0, lambda name=name: load(name, seed)))
    return out


def keyed(seeded: Sequence[SeededContact], seed: int = 0) -> list[tuple[str, str, SeededContact]]:
    """Each record with an opaque record id, in a shuffled order: (system, record_id, record)."""
    order = list(range(len(seeded)))
    rng = random.Random(f"csv:{seed}")
    rng.shuffle(order)
    ids = rng.sample(range(10**6, 10**6 + 20 * len(seeded) + 1), len(seeded))
    return [(seeded[i].system, str(ids[k]), seeded[i]) for k, i in enumerate(order)]


def write_match_csv(seeded: Sequence[SeededContact], path: Path, truth_path: Path | None = None,
                    seed: int = 0) -> tuple[Path, Path]:
    """Write the ``syncd match`` input to ``path`` and the truth beside it (``<stem>.truth.csv``)."""
    truth_path = truth_path or path.with_name(path.stem + ".truth.csv")
    rows = keyed(seeded, seed)
    with path.open("w", newline="", encoding="utf-8") as out, truth_path.open("w", newline="", encoding="utf-8") as t:
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        truth = csv.writer(t)
        truth.writerow(("system", "record_id", "truth_id"))
        for system, record_id, s in rows:
            c = s.contact
            writer.writerow((system, record_id, c.full_name or "", c.given_name or "", c.family_name or "",
                             c.email or "", c.phone_office or "", c.phone_mobile or "", c.company or "",
                             c.street or "", c.city or "", c.zip or ""))
            truth.writerow((system, record_id, s.truth_id))
    return path, truth_path


def read_truth(path: Path) -> dict[str, str]:
    """``system:record_id`` → truth id."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {f"{r['system']}:{r['record_id']}": r["truth_id"] for r in csv.DictReader(handle)}


def read_match_output(path: Path) -> dict[str, str]:
    """``syncd match`` output → ``system:record_id`` → entity; a record it left alone is its own entity."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {f"{r['system']}:{r['record_id']}": r["entity_id"] or f"alone:{r['system']}:{r['record_id']}"
                for r in csv.DictReader(handle)}


def _pairs(groups: Iterable[list[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for group in groups:
        out.update(itertools.combinations(sorted(group), 2))
    return out


def score(truth: Mapping[str, str], predicted: Mapping[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of ``predicted`` (key → entity) against ``truth`` (key → person)."""
    by_truth: dict[str, list[str]] = defaultdict(list)
    for key, person in truth.items():
        by_truth[person].append(key)
    by_pred: dict[str, list[str]] = defaultdict(list)
    for key, entity in predicted.items():
        by_pred[entity].append(key)
    t, p = _pairs(by_truth.values()), _pairs(by_pred.values())
    tp = len(t & p)
    precision = tp / len(p) if p else 1.0
    recall = tp / len(t) if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": len(t), "predicted_pairs": len(p),
            "true_positives": tp, "false_links": len(p) - tp, "missed": len(t) - tp}
