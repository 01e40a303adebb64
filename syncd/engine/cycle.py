"""run_cycle: snapshot → guards → reconcile → plan → write → commit. The daemon and ``--reconcile`` both call it.

Phase one (scan, reconcile, plan) is one store transaction: it commits the agreed bases, the
snapshots and the outbox together, or — for ``--dry-run`` — is rolled back after the plan is
reported. Phase two executes the outbox; every change commits on its own, so a crash anywhere
leaves rows the next cycle finishes (a create interrupted mid-flight is looked up before retrying).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

from syncd import metrics
from syncd.connectors.base import Connector
from syncd.connectors.companies import company_index, vendor_companies
from syncd.engine.guards import check_deletions
from syncd.engine.plan import PlanSettings, plan_entity
from syncd.engine.policies import FieldRule, SystemRules
from syncd.engine.report import CycleReport
from syncd.engine.snapshot import ScanResult, scan_system
from syncd.engine.state import EngineState
from syncd.engine.write import write_outbox
from syncd.errors import ConnectorError
from syncd.matching import MatchSettings
from syncd.model import RemoteRecord
from syncd.store.repository import Store

__all__ = ["CycleOptions", "Engine", "Progress"]

log = structlog.get_logger("syncd.cycle")

Progress = Callable[[str, str, int, int | None], None]  # (phase, system, advance, total)


@dataclass(frozen=True, slots=True)
class CycleOptions:
    dry_run: bool = False
    force_delete: bool = False
    max_delete_ratio: float = 0.1
    delete_guard_min: int = 5
    write_concurrency: int = 4
    #: scan only these systems (None: every configured one); the others take part with their last scan
    systems: frozenset[str] | None = None
    #: write only to these systems (None: every one); changes for the others wait in the outbox
    writes_to: frozenset[str] | None = None


@dataclass(slots=True)
class Engine:
    """Everything a cycle needs, built once from the configuration (and rebuilt on reload)."""

    store: Store
    connectors: Mapping[str, Connector]
    system_rules: Mapping[str, SystemRules]
    field_rules: Mapping[str, FieldRule]
    matching: MatchSettings
    options: CycleOptions = field(default_factory=CycleOptions)
    planning: PlanSettings = field(default_factory=PlanSettings)

    async def run_cycle(
        self, options: CycleOptions | None = None, progress: Progress | None = None, kind: str = "reconcile"
    ) -> CycleReport:
        opts = options or self.options
        started = time.perf_counter()
        state = EngineState(self.store, kind=kind, dry_run=opts.dry_run, systems=self.connectors)
        report = CycleReport(run_id=state.run_id, dry_run=opts.dry_run)
        try:
            names = [n for n in self.connectors if opts.systems is None or n in opts.systems]
            scans = await self._snapshot(names, progress, report)
            await self._record_scans(state, scans, opts, report)
            report.timings["scan"] = time.perf_counter() - started

            mark = time.perf_counter()
            state.reconcile(self.matching, report)
            report.timings["reconcile"] = time.perf_counter() - mark

            mark = time.perf_counter()
            # A system whose scan failed sits this cycle out: no writes to it, nothing planned from it.
            # Systems not scanned in this cycle (the daemon polls one at a time) take part with what
            # their last scan stored, if that scan was good.
            usable = {n: await self._rules_with_learned_companies(state, n) for n in self.connectors
                      if (scans[n].complete if n in scans else state.last_scan_ok(n))}
            state.mark_no_company_dirty(usable)
            self._plan(state, usable, report, keep_plans=opts.dry_run)
            report.timings["plan"] = time.perf_counter() - mark
            scope = [n for n in self.connectors if opts.writes_to is None or n in opts.writes_to]
            if opts.dry_run:
                self._backlog(state, scope, report)
                state.rollback()
                return report
            state.commit()

            mark = time.perf_counter()
            writable = {n: self.connectors[n] for n in usable if n in scope}
            fresh = frozenset(n for n, scan in scans.items() if scan.complete)
            await write_outbox(state.outbox, writable, report, concurrency=opts.write_concurrency,
                               judge_for=state.adoption_judge, creates_to=fresh, progress=progress)
            report.timings["write"] = time.perf_counter() - mark
            self._backlog(state, scope, report)
        except BaseException as exc:
            state.rollback()
            state.finish(report, error=f"{exc.__class__.__name__}: {exc}")
            raise
        finally:
            report.timings["total"] = time.perf_counter() - started
            metrics.CYCLE_SECONDS.observe(report.timings["total"])
        state.finish(report, error=None)
        return report

    async def _snapshot(
        self, names: list[str], progress: Progress | None, report: CycleReport
    ) -> dict[str, ScanResult]:
        def bar(system: str) -> Callable[[int], None] | None:
            if progress is None:
                return None
            return lambda n: progress("scan", system, n, None)

        results = await asyncio.gather(*(scan_system(self.connectors[n], bar(n)) for n in names))
        for result in results:
            sys_report = report.system(result.system)
            sys_report.scanned_now = True
            sys_report.scanned = len(result.records)
            sys_report.bad = len(result.bad)
            sys_report.scan_seconds = round(result.seconds, 3)
            sys_report.scan_error = result.error
            sys_report.errors.extend(f"{b.remote_id or '?'}: {b.reason}" for b in result.bad[:20])
        return {r.system: r for r in results}

    async def _record_scans(
        self, state: EngineState, scans: Mapping[str, ScanResult], opts: CycleOptions, report: CycleReport
    ) -> None:
        for name, result in scans.items():
            diff = state.record_scan(result)
            sys_report = report.system(name)
            sys_report.new, sys_report.changed = diff.new, diff.changed
            if not result.complete:
                continue
            vanished = set(diff.vanished)
            guard = self._guard(name, diff.known_live, len(result.records), len(vanished), opts)
            if guard is None and vanished and self.connectors[name].capabilities.paging_can_shift:
                found, unsure = await self._confirm_missing(name, vanished)
                state.store_found(name, found)
                vanished -= {r.remote_id for r in found} | unsure
                sys_report.still_there = len(found) + len(unsure)
                if found:
                    await self._read_skipped(state, result, {r.remote_id for r in found}, report)
            sys_report.vanished = len(vanished)
            if guard is not None:
                sys_report.guard = str(guard)
                log.error("deletions held back", connector=name, reason=str(guard))
                continue
            state.tombstone(name, vanished)

    async def _read_skipped(
        self, state: EngineState, result: ScanResult, found: set[str], report: CycleReport
    ) -> None:
        """A known record the scan skipped but a look-up found proves the pages shifted (a row already read
        was deleted meanwhile, the rest moved up): a record syncd never knew about may have been skipped too,
        with no trace. The listing is read once more and what it holds that the scan had not seen is stored."""
        name, sys_report = result.system, report.system(result.system)
        again = await scan_system(self.connectors[name])
        if not again.complete:
            sys_report.scan_error = f"re-reading after a deletion that may have shifted the pages failed " \
                                    f"(records the scan skipped are read next cycle): {again.error}"
            log.error("re-reading a shifted scan failed", connector=name, error=again.error)
            return
        seen = result.seen_ids | found  # (the records the look-ups found are stored already)
        skipped = [r for r in again.records if r.remote_id not in seen]
        new, changed = state.store_found(name, skipped)
        sys_report.new += new
        sys_report.changed += changed
        sys_report.scanned += len(skipped)
        if skipped:
            log.warning("a deletion shifted the scan's pages: read again, records it had skipped stored",
                        connector=name, skipped=len(skipped))

    def _guard(self, name: str, known: int, scanned: int, vanished: int, opts: CycleOptions) -> Exception | None:
        return check_deletions(name, known=known, scanned=scanned, vanished=vanished,
                               max_ratio=opts.max_delete_ratio, min_count=opts.delete_guard_min,
                               force=opts.force_delete)

    async def _confirm_missing(self, name: str, missing: set[str]) -> tuple[list[RemoteRecord], set[str]]:
        """A record missing from a scan whose pages can shift (offset paging: a row deleted meanwhile moves
        the rest up) is gone only when a look-up by id says so. Returns the records found after all, and
        the ids whose look-up failed (not deleted this cycle either)."""
        connector = self.connectors[name]
        gate = asyncio.Semaphore(8)
        found: list[RemoteRecord] = []
        unsure: set[str] = set()

        async def look(remote_id: str) -> None:
            async with gate:
                try:
                    record = await connector.get(remote_id)
                except ConnectorError as exc:
                    unsure.add(remote_id)
                    log.warning("a missing record could not be looked up: not deleted", connector=name,
                                remote_id=remote_id, error=str(exc))
                    return
            if record is not None:
                found.append(record)
                log.warning("a record the scan skipped is still there (the pages shifted): not deleted",
                            connector=name, remote_id=remote_id)

        await asyncio.gather(*(look(remote_id) for remote_id in sorted(missing)))
        return found, unsure

    def _backlog(self, state: EngineState, scope: list[str], report: CycleReport) -> None:
        backlog = state.outbox_backlog(scope)
        for name in scope:
            sys_report = report.system(name)
            sys_report.backlog = backlog.get(name, {})
            if sys_report.scanned_now:
                metrics.CONNECTOR_FAILING.labels(name, "scan").set(1 if sys_report.scan_error else 0)
            if sys_report.write_error or sys_report.writes:
                metrics.CONNECTOR_FAILING.labels(name, "write").set(1 if sys_report.write_error else 0)
        metrics.set_outbox_backlog({name: backlog.get(name, {}) for name in scope})
        report.review_backlog, report.conflict_backlog = state.backlogs()
        metrics.REVIEW_BACKLOG.set(report.review_backlog)
        metrics.CONFLICT_BACKLOG.set(report.conflict_backlog)

    async def _rules_with_learned_companies(self, state: EngineState, name: str) -> SystemRules:
        rules = self.system_rules[name]
        vendor = await vendor_companies(self.connectors[name])
        merged = company_index(rules.company_ids, vendor, state.learned_companies(name))
        return dataclasses.replace(rules, company_ids=merged)

    def _plan(
        self, state: EngineState, systems: Mapping[str, SystemRules], report: CycleReport, *, keep_plans: bool
    ) -> None:
        now = datetime.now(UTC)
        for entity_state in state.dirty_entity_states(now):
            plan = plan_entity(entity_state, systems, self.field_rules, self.planning)
            report.entities += 1
            report.planned_writes += plan.writes
            for change in plan.changes:
                if change.problem is not None:
                    sys_report = report.system(change.system)
                    sys_report.parked += 1
                    cause = change.cause.value if change.cause else "invalid"
                    sys_report.not_done[cause] = sys_report.not_done.get(cause, 0) + 1
                    sys_report.errors.append(f"{change.op.value} entity {change.entity_id}: parked: {change.problem}")
                    report.planned_parked += 1
            for held in plan.held:
                report.system(held).held += 1
            report.conflicts_opened += len(plan.conflicts)
            report.events.extend(f"{plan.entity_id}: {e}" for e in plan.events)
            if keep_plans and (plan.changes or plan.conflicts or plan.unlink):
                report.plans.append(plan)
            for system in state.save_plan(plan, entity_state, systems):
                sys_report = report.system(system)
                sys_report.created += 1
                sys_report.adopted += 1
                report.events.append(f"{plan.entity_id}: the {system} record an unanswered create made is linked")
