"""A daemon start on a store that has not read every connector reads them all in its first cycle.

Polled one at a time, the first systems' records become people before the others are read, and an entity,
once made, is never merged with another: a copy that would have shown two records to be one person comes
too late, and each is created where the other already is. So the first cycle of such a start reads every
connector at once (run kind ``poll all``), as ``syncd --reconcile`` does; a start on a store that has read
them all polls one at a time from the first poll on. `bench/daemon_fill.py` counts what it saves.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import time
from pathlib import Path

from sqlalchemy import select

from bench.daemon_fill import _serve, _settings
from syncd.daemon import Daemon
from syncd.sandbox.serve import free_port_base
from syncd.store import migrate
from syncd.store import tables as t
from syncd.store.repository import Store

SYSTEMS = ["cirrus", "flowtrac", "itflow", "lightening"]


async def _runs_after_a_start(store: Store, url: str, port_base: int, wanted: int) -> list[tuple[str, list[str]]]:
    """Start a daemon, let it finish ``wanted`` more runs, stop it; the new runs' (kind, systems scanned)."""
    with store.session_factory() as s:
        before = len(s.scalars(select(t.SyncRun.id)).all())
    daemon = Daemon(_settings(url, port_base, poll=30.0), store, None, grace=60)

    async def stop_when_done() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            await asyncio.sleep(0.3)
            with store.session_factory() as s:
                done = s.scalars(select(t.SyncRun.id).where(t.SyncRun.finished_at.is_not(None))).all()
            if len(done) >= before + wanted:
                break
        daemon.stopping.set()

    stopper = asyncio.create_task(stop_when_done())
    await daemon.run()
    await stopper
    with store.session_factory() as s:
        runs = s.execute(select(t.SyncRun.kind, t.SyncRun.stats).order_by(t.SyncRun.id)).all()[before:]
    return [(kind, sorted(n for n, r in (stats or {}).get("systems", {}).items() if r.get("scanned_now")))
            for kind, stats in runs]


async def test_a_first_start_reads_every_connector_in_one_cycle_and_a_restart_polls_one_at_a_time(
        tmp_path: Path) -> None:
    port_base = free_port_base()
    ready = mp.get_context("fork").Event()
    server = mp.get_context("fork").Process(target=_serve, args=(40, 5, "other", port_base, ready), daemon=True)
    server.start()
    try:
        assert ready.wait(120)
        url = f"sqlite:///{tmp_path}/syncd.db"
        migrate.upgrade(url)
        store = Store(url)
        first = await _runs_after_a_start(store, url, port_base, wanted=len(SYSTEMS))
        assert first[0] == ("poll all", SYSTEMS), first
        assert all(kind.startswith("poll ") and kind != "poll all" for kind, _ in first[1:]), first
        with store.session_factory() as s:
            created = sum(r.get("created", 0) for stats in s.scalars(select(t.SyncRun.stats))
                          for r in (stats or {}).get("systems", {}).values())
        assert created > 0, "the first cycle wrote nothing"
        again = await _runs_after_a_start(store, url, port_base, wanted=2)
        assert again and all(kind != "poll all" and len(systems) == 1 for kind, systems in again), again
        store.dispose()
    finally:
        server.terminate()
        with contextlib.suppress(Exception):
            server.join(5)
