"""Cycle benchmark: the four simulators with N linked people; a steady cycle, then one with 1% changed.

    python bench/cycle.py [--people 10000]

The simulators run in a child process (loopback HTTP); the engine runs here on a SQLite store. The
first cycle links and fills every system (its time is printed too); then a cycle with nothing changed
(target: zero writes, far below the scan time), then 1% of the records are edited through the vendors'
APIs and one more cycle carries them everywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import random
import resource
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from syncd.config import Settings
from syncd.engine.build import build_engine
from syncd.engine.report import CycleReport
from syncd.model import RemoteRecord
from syncd.sandbox.defaults import SANDBOX_CONNECTORS
from syncd.sandbox.serve import free_port_base
from syncd.store import migrate
from syncd.store.repository import Store


def serve(people: int, port_base: int, ready: Any) -> None:
    from syncd.sandbox.run import build, serve_forever

    sandboxes = build(seed=3, contacts=people, port_base=port_base)
    ready.set()
    asyncio.run(serve_forever(sandboxes))


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (the engine; the simulators run in a child)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def requests(engine: Any) -> dict[str, int]:
    """Vendor requests made so far, per connector."""
    out = {}
    for name, connector in engine.connectors.items():
        http = getattr(connector, "http", None)
        out[name] = int(getattr(http, "requests_made", 0))
    return out


def line(label: str, report: CycleReport, before: dict[str, int], after: dict[str, int]) -> str:
    writes = sum(s.created + s.updated + s.deactivated + s.reactivated + s.deleted for s in report.systems.values())
    scanned = sum(s.scanned for s in report.systems.values())
    t = report.timings
    made = " ".join(f"{name[:4]}={after[name] - before.get(name, 0)}" for name in after)
    return (f"{label:<24} total {t.get('total', 0):7.2f}s  scan {t.get('scan', 0):6.2f}s  reconcile "
            f"{t.get('reconcile', 0):6.2f}s  plan {t.get('plan', 0):6.2f}s  write {t.get('write', 0):7.2f}s  "
            f"scanned {scanned}  entities planned {report.entities}  writes {writes}  "
            f"peak RSS {peak_rss_mb():.0f} MB  requests {made}")


async def cycle(engine: Any, label: str) -> CycleReport:
    before = requests(engine)
    report: CycleReport = await engine.run_cycle()
    print(line(label, report, before, requests(engine)), flush=True)
    return report


async def edit_one_percent(engine: Any, rng: random.Random) -> int:
    edited = 0
    for connector in engine.connectors.values():
        records = [r async for r in connector.scan() if isinstance(r, RemoteRecord) and r.contact.active]
        for record in rng.sample(records, max(1, len(records) // 100)):
            await connector.update(record, {"title": f"Edited {rng.randint(1, 10**6)}"})
            edited += 1
    return edited


@contextlib.asynccontextmanager
async def simulated_world(people: int) -> AsyncIterator[Any]:
    """The four simulators with ``people`` seeded, in a child process, and an engine on a fresh SQLite store."""
    port_base = free_port_base()
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    server = ctx.Process(target=serve, args=(people, port_base, ready), daemon=True)
    server.start()
    ready.wait(600)
    await asyncio.sleep(1.5)
    connectors = {}
    for i, (name, values) in enumerate(SANDBOX_CONNECTORS.items()):
        cfg = dict(values)
        cfg["base_url"] = cfg["base_url"].replace(f":{8701 + i}", f":{port_base + i}")
        cfg.update(rate_limit=100_000, burst=1000, concurrency=8)
        connectors[name] = cfg
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/syncd.db"
            migrate.upgrade(url)
            settings = Settings(database={"url": url}, connectors=connectors, sync={"write_concurrency": 16})
            engine = build_engine(settings, Store(url))
            try:
                yield engine
            finally:
                for connector in engine.connectors.values():
                    await connector.aclose()
    finally:
        server.terminate()


async def main_async(people: int) -> None:
    async with simulated_world(people) as engine:
        print(f"cycle benchmark: {people} people across four simulators (loopback HTTP, SQLite store)", flush=True)
        await cycle(engine, "first cycle (fill)")
        await cycle(engine, "second cycle")
        await cycle(engine, "steady, nothing changed")
        edited = await edit_one_percent(engine, random.Random(5))
        await cycle(engine, f"after {edited} edits (1%)")
        await cycle(engine, "settled")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(main_async(args.people))


if __name__ == "__main__":
    main()
