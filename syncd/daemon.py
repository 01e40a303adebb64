"""``syncd run``: the long-running service.

One APScheduler job per enabled connector polls it on its own interval (with jitter, one instance at a
time, coalesced) and runs the same cycle as ``--reconcile`` for that system, so a slow or failing vendor
never holds up the others. A connector that keeps failing backs off (its interval doubles, capped at
16 times) and returns to its interval after its next success. With PostgreSQL, a per-connector advisory
lock lets several replicas run side by side: exactly one of them polls a connector at a time.

A start on a store that has never read every enabled connector (the first start, or a connector added
since) begins with one cycle over all of them: the first reconcile sees every system's records at once, as
``--reconcile`` does. Polled one at a time, the first systems' records would become people before the
others are read, and an entity, once made, is never merged with another by the matcher: a copy in a system
read later that would have shown two records to be one person comes too late, and each of the two is
created where the other already is (a 2,000-person fill of the second generator: 157 duplicates written
one system at a time, 57 with the first cycle over all of them).

SIGTERM / SIGINT: no new cycles; the one in flight finishes (bounded by ``grace``), then exit 0. A second
signal exits at once; the outbox leaves a state the next start completes. SIGHUP reloads the
configuration when it is valid and keeps the old one, with a logged error, when it is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, text

from syncd.config import Settings, load_settings
from syncd.engine.build import build_engine
from syncd.engine.cycle import CycleOptions, Engine
from syncd.errors import ConfigError
from syncd.health import health_app
from syncd.sandbox.serve import QuietServer
from syncd.store import tables as t
from syncd.store.locks import connector_locks
from syncd.store.repository import Store

__all__ = ["Daemon"]

log = structlog.get_logger("syncd.daemon")
_BACKOFF_CAP = 16


class Daemon:
    def __init__(self, settings: Settings, store: Store, config_path: Path | None, *, grace: float = 30.0) -> None:
        self.settings = settings
        self.store = store
        self.config_path = config_path
        self.grace = grace
        self.engine: Engine = build_engine(settings, store)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.cycle_lock = asyncio.Lock()
        self.stopping = asyncio.Event()
        self.failures: dict[str, int] = {}
        self.signals = 0
        self.started = time.monotonic()
        #: the next poll asks whether the store has read every connector (see the module docstring)
        self.first_round = True

    # --- lifecycle ----------------------------------------------------------------------------

    async def run(self) -> int:
        from syncd.connectors.preflight import check_company_ids
        await check_company_ids(self.engine.connectors)  # a company id the vendor does not have: ConfigError
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_stop_signal, sig)
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.reload()))
        self._schedule()
        self.scheduler.start()
        server = self._server()
        server_task = asyncio.create_task(server.serve()) if server is not None else None
        log.info("syncd running", connectors=sorted(self.engine.connectors),
                 listen=self.settings.server.listen if server else None)
        await self.stopping.wait()
        log.info("stopping: finishing the cycle in flight", grace=self.grace)
        self.scheduler.pause()  # no new cycles; shutting down now would cancel the one in flight
        try:
            async with asyncio.timeout(self.grace):
                async with self.cycle_lock:
                    pass
        except TimeoutError:
            log.error("the cycle in flight did not finish within the grace period; the next start completes it")
        self.scheduler.shutdown(wait=False)
        if server is not None and server_task is not None:
            server.should_exit = True
            await server_task
        await self._close_connectors(self.engine)
        log.info("stopped")
        return 0

    def _on_stop_signal(self, sig: signal.Signals) -> None:
        self.signals += 1
        if self.signals > 1:
            log.warning("second signal: exiting now", signal=sig.name)
            os._exit(130)
        log.info("signal received", signal=sig.name)
        self.stopping.set()

    def _server(self) -> uvicorn.Server | None:
        if not self.settings.server.enabled:
            return None
        host, _, port = self.settings.server.listen.rpartition(":")
        app = health_app(self)
        from syncd.console.app import daemon_routes  # the console, when [console] enabled

        app.router.routes.extend(daemon_routes(self.settings, self.store, self.config_path))
        config = uvicorn.Config(app, host=host.strip("[]"), port=int(port), log_level="warning",
                                access_log=False, lifespan="off")
        return QuietServer(config)

    # --- scheduling ---------------------------------------------------------------------------

    def _schedule(self) -> None:
        for name, cfg in self.settings.enabled_connectors().items():
            self.scheduler.add_job(self.poll, IntervalTrigger(seconds=cfg.poll_interval, jitter=cfg.poll_jitter),
                                   args=[name], id=f"poll:{name}", max_instances=1, coalesce=True,
                                   replace_existing=True, next_run_time=datetime.now(UTC))

    def _reschedule(self, name: str, ok: bool) -> None:
        cfg = self.settings.enabled_connectors().get(name)
        if cfg is None or self.stopping.is_set():
            return
        failures = 0 if ok else self.failures.get(name, 0) + 1
        if failures == self.failures.get(name, 0):
            return
        self.failures[name] = failures
        interval = cfg.poll_interval * min(_BACKOFF_CAP, 2 ** failures)
        if failures:
            log.warning("connector failing: backing off", connector=name, failures=failures, next_in=interval)
        else:
            log.info("connector recovered", connector=name)
        self.scheduler.reschedule_job(f"poll:{name}", trigger=IntervalTrigger(seconds=interval,
                                                                              jitter=cfg.poll_jitter))

    async def poll(self, name: str) -> None:
        """One cycle for one connector: scan it, reconcile, plan and write (to every system). The first poll
        after a start on a store that has not read every connector scans them all in one cycle."""
        if self.stopping.is_set():
            return
        async with self.cycle_lock:
            full = self._first_round()
            names = sorted(self.engine.connectors) if full else [name]
            async with self._replica_lock(names) as acquired:
                if not acquired:
                    log.debug("another replica is polling this connector", connector=name)
                    return
                await self._cycle(names, kind="poll all" if full else f"poll {name}")

    def _first_round(self) -> bool:
        """Whether this poll reads every connector: the first of a start (or reload) on a store that has not
        read them all. Asked once: a vendor that fails its first scan must not hold the others up."""
        if not self.first_round:
            return False
        self.first_round = False
        try:
            never = self._never_read()
        except Exception as exc:  # the store is down: this poll's cycle will say so
            log.warning("could not read which connectors were scanned before", error=str(exc))
            return False
        if never:
            log.info("first cycle: every connector read at once, before any is polled alone", never_read=never)
        return bool(never)

    async def _cycle(self, names: list[str], kind: str) -> None:
        engine = self.engine
        options = CycleOptions(systems=frozenset(names), max_delete_ratio=engine.options.max_delete_ratio,
                               delete_guard_min=engine.options.delete_guard_min,
                               write_concurrency=engine.options.write_concurrency)
        try:
            report = await engine.run_cycle(options, kind=kind)
        except Exception as exc:  # a cycle must never take the daemon down
            log.exception("cycle failed", connector=",".join(names), error=str(exc))
            for name in names:
                self._reschedule(name, ok=False)
            return
        writes = {s: r.created + r.updated + r.deactivated + r.reactivated + r.deleted
                  for s, r in report.systems.items()}
        failed = {s: r.failed for s, r in report.systems.items() if r.failed}
        for name in names:
            scan = report.system(name)
            self._reschedule(name, ok=scan.scan_error is None)
            log.info("cycle done", connector=name, scanned=scan.scanned, new=scan.new, changed=scan.changed,
                     linked=report.linked, new_entities=report.new_entities, writes=writes, failed=failed,
                     scan_error=scan.scan_error, guard=scan.guard, seconds=round(report.timings.get("total", 0), 2))

    def _never_read(self) -> list[str]:
        """The enabled connectors this store has never read completely."""
        with self.store.session_factory() as session:
            read = {c.system for c in session.scalars(select(t.ScanCursor)) if c.last_success_at is not None}
        return sorted(n for n in self.engine.connectors if n not in read)

    @contextlib.asynccontextmanager
    async def _replica_lock(self, names: list[str]) -> AsyncIterator[bool]:
        with connector_locks(self.store, names, wait=False) as acquired:
            yield acquired

    # --- reload -------------------------------------------------------------------------------

    async def reload(self) -> None:
        try:
            settings = load_settings(self.config_path)
        except ConfigError as exc:
            log.error("reload refused: the new configuration is not valid; keeping the old one",
                      problems=exc.problems)
            return
        async with self.cycle_lock:
            old = self.engine
            self.settings = settings
            self.engine = build_engine(settings, self.store)
            for job in self.scheduler.get_jobs():
                job.remove()
            self.failures.clear()
            self.first_round = True  # a connector the new configuration adds is read with all the others
            self._schedule()
            await self._close_connectors(old)
        log.info("configuration reloaded", connectors=sorted(self.engine.connectors))

    @staticmethod
    async def _close_connectors(engine: Engine) -> None:
        for connector in engine.connectors.values():
            with contextlib.suppress(Exception):
                await connector.aclose()

    # --- health -------------------------------------------------------------------------------

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        details: dict[str, Any] = {"store": "ok", "connectors": {}}
        ok = True
        try:
            with self.store.session_factory() as session:
                session.execute(text("SELECT 1"))
                cursors = {c.system: c for c in session.scalars(select(t.ScanCursor))}
        except Exception as exc:  # the store being down is exactly what this reports
            return False, {"store": f"unreachable: {exc.__class__.__name__}", "connectors": {}}
        now = datetime.now(UTC)
        for name, cfg in self.settings.enabled_connectors().items():
            cursor = cursors.get(name)
            last = cursor.last_success_at if cursor else None
            age = (now - last).total_seconds() if last else None
            # a fresh daemon is ready while its first poll is still within the staleness window
            healthy = age < cfg.max_staleness if age is not None else \
                time.monotonic() - self.started < cfg.max_staleness
            write_error = cursor.last_write_error if cursor else None
            healthy = healthy and write_error is None  # credentials or permissions refused: its changes wait
            details["connectors"][name] = {
                "ok": healthy, "last_success_age_seconds": None if age is None else round(age, 1),
                "max_staleness_seconds": cfg.max_staleness, "consecutive_failures": self.failures.get(name, 0),
                "last_error": cursor.last_error if cursor else None, "write_error": write_error}
            ok = ok and healthy and self.failures.get(name, 0) == 0
        return ok, details
