"""Soak benchmark: many cycles in one process, the engine's current memory after each.

    python bench/soak.py [--people 3000] [--cycles 20]

A daemon runs for months: its memory must level off, not climb with every cycle. After the first cycle
(the fill), every fifth cycle follows 1% of records edited through the vendors' APIs; the others change
nothing. Prints the resident memory after each cycle (after a garbage collection), then the growth over
the last half of the run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cycle import edit_one_percent, simulated_world


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def main_async(people: int, cycles: int) -> None:
    async with simulated_world(people) as engine:
        print(f"soak: {people} people, {cycles} cycles after the fill (1% edited before every fifth)")
        await engine.run_cycle()
        gc.collect()
        print(f"after the fill   {current_rss_mb():7.0f} MB", flush=True)
        figures = []
        for n in range(1, cycles + 1):
            edited = await edit_one_percent(engine, random.Random(n)) if n % 5 == 0 else 0
            report = await engine.run_cycle()
            gc.collect()
            figures.append(current_rss_mb())
            print(f"cycle {n:3d} {'edits ' + str(edited) if edited else '':>11}  {figures[-1]:7.0f} MB  "
                  f"writes {report.planned_writes}", flush=True)
        half = figures[len(figures) // 2:]
        print(f"growth over the last {len(half)} cycles: {half[-1] - half[0]:+.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--cycles", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main_async(args.people, args.cycles))


if __name__ == "__main__":
    main()
