"""The matcher as a black box on every source: ``syncd match`` on a CSV, scored against a truth it never sees.

    python bench/sources_match.py [--sources ours-10000,other-10000,febrl4,febrl1,febrl2,febrl3] [--keep DIR]

For each source (see ``bench/datasets/sources.py``; also ``SYNCD_BENCH_SOURCES``) it writes the ``syncd match``
input (shuffled rows, opaque ids) and the truth apart, runs ``syncd match IN.csv -o OUT.csv`` in a child process,
and prints pairwise precision, recall and F1, false links and missed pairs, the share of records held for review
(an empty entity id with a score), the child's wall time and peak RSS. It reads nothing of the matcher but its
output, so it measures whichever matcher is installed, today's or a rewrite, the same way.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets.sources import from_env, read_match_output, read_truth, score, write_match_csv

from syncd.sandbox.people import SeededContact


def run_one(name: str, workdir: Path, load: Callable[[], list[SeededContact]]) -> dict[str, float]:
    seeded = load()
    started = time.perf_counter()
    in_path, truth_path = write_match_csv(seeded, workdir / f"{name}.csv")
    written = time.perf_counter() - started
    out_path = workdir / f"{name}.out.csv"
    syncd = Path(sys.executable).with_name("syncd")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([str(syncd), "match", str(in_path), "-o", str(out_path)], check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "SYNCD_LOG__LEVEL": "warning"})
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with out_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    review = sum(1 for r in rows if not r["entity_id"] and r["confidence"])
    figures = score(read_truth(truth_path), read_match_output(out_path))
    return {**figures, "records": len(seeded), "seconds": seconds, "write_s": written,
            "rss_mb": max(rss, before) / 1024, "review_pct": 100 * review / max(1, len(rows))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", help="comma-separated source names (default: $SYNCD_BENCH_SOURCES, else "
                                          "ours-10000,other-10000,febrl4)")
    parser.add_argument("--keep", type=Path, help="keep the CSV files here")
    args = parser.parse_args()
    if args.sources:
        os.environ["SYNCD_BENCH_SOURCES"] = args.sources
    sources = from_env()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"{'source':14s} {'records':>8s} {'true pairs':>10s} {'time s':>7s} {'RSS MB':>7s} {'precision':>9s} "
              f"{'recall':>7s} {'F1':>7s} {'false':>6s} {'missed':>7s} {'review':>7s}")
        for source in sources:
            f = run_one(source.name, workdir, source.load)
            print(f"{source.name:14s} {f['records']:8.0f} {f['true_pairs']:10.0f} {f['seconds']:7.1f} "
                  f"{f['rss_mb']:7.0f} {f['precision']:9.4f} {f['recall']:7.4f} {f['f1']:7.4f} "
                  f"{f['false_links']:6.0f} {f['missed']:7.0f} {f['review_pct']:6.2f}%", flush=True)
    print("(RSS: the largest child so far; pairs: every pair of records of one person, precision and recall over "
          "pairs; review: records left without an entity but with a candidate score)")


if __name__ == "__main__":
    main()
