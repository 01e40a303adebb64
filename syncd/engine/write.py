"""The outbox writer: execute pending change-sets per system, inside each vendor's limits.

Each change is marked in flight and committed before the vendor call, and its result is committed
right after, with the link, the snapshot and the agreed base in the same transaction. A row found
in flight at the start of a later cycle was interrupted: a create is then looked up before it is
tried again, so a crash never makes a duplicate — and a found record is adopted only when it is
certainly the one the create made.

How each failure is handled (and shown: every outcome lands in the report, the outbox and metrics):

- credentials or permissions refused (:class:`AuthError`, :class:`PermissionDenied`): the connector is
  marked failing; this change and every other one for it wait (never parked) and go out once it works;
- any other connector-level failure: the same, with a backoff;
- transient (:class:`RetriableError`): retried with backoff;
- the record is gone: no retry, the next scan tells the planner;
- a look-up after a lost create found someone else: held for review;
- refused or invalid: parked with the vendor's reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import structlog

from syncd import metrics
from syncd.connectors.base import Connector
from syncd.engine.causes import Cause
from syncd.engine.execute import AdoptionHeld, Judge, StaleRecord, execute
from syncd.engine.outbox import OutboxState, PendingChange
from syncd.engine.plan import Op
from syncd.engine.report import CycleReport
from syncd.errors import (
    AuthError,
    FatalError,
    NotFoundError,
    PermissionDenied,
    RetriableError,
    SkippableError,
    ValidationError,
)

__all__ = ["write_outbox"]

log = structlog.get_logger("syncd.write")

_COUNTERS = {Op.CREATE: "created", Op.UPDATE: "updated", Op.DEACTIVATE: "deactivated",
             Op.REACTIVATE: "reactivated", Op.DELETE: "deleted"}

JudgeFor = Callable[[str, str], Judge]  # (system, entity id) -> judge


async def write_outbox(
    outbox: OutboxState,
    connectors: Mapping[str, Connector],
    report: CycleReport,
    *,
    concurrency: int,
    judge_for: JudgeFor,
    creates_to: frozenset[str] | None = None,
    progress: Callable[[str, str, int, int | None], None] | None = None,
) -> None:
    """Execute every due change for these systems; a connector-level failure stops only that system's writes.

    Creates go only to ``creates_to`` (None: all): the systems read in this very cycle. A system the daemon
    read a poll ago may have been given the person since, by hand; its own poll reads it first and links
    the record, so the create is planned again then — or not at all — instead of duplicating it.
    """
    await asyncio.gather(*(
        _write_system(outbox, connector, report, concurrency, judge_for, progress,
                      creates=creates_to is None or connector.name in creates_to)
        for connector in connectors.values()
    ))


def _fatal_cause(exc: FatalError) -> Cause:
    if isinstance(exc, PermissionDenied):
        return Cause.PERMISSION
    if isinstance(exc, AuthError):
        return Cause.AUTH
    return Cause.UNAVAILABLE


async def _write_system(
    outbox: OutboxState,
    connector: Connector,
    report: CycleReport,
    concurrency: int,
    judge_for: JudgeFor,
    progress: Callable[[str, str, int, int | None], None] | None,
    *,
    creates: bool,
) -> None:
    pending = [c for c in outbox.due_changes(connector.name) if creates or c.op is not Op.CREATE]
    if not pending:
        return
    sys_report = report.system(connector.name)
    semaphore = asyncio.Semaphore(max(1, concurrency))
    stopped: list[tuple[str, Cause]] = []

    def count(outcome: str, change: PendingChange, cause: Cause | None = None) -> None:
        metrics.CHANGES.labels(connector.name, change.op.value, outcome).inc()
        if cause is not None:
            sys_report.not_done[cause.value] = sys_report.not_done.get(cause.value, 0) + 1

    async def one(change: PendingChange) -> None:
        async with semaphore:
            if stopped:
                error, cause = stopped[0]
                outbox.wait(change, f"not sent: {error}", cause)
                sys_report.waiting += 1
                count("waiting", change, cause)
                return
            outbox.begin_change(change)
            try:
                outcome = await execute(connector, change.op, change.values, current=change.current,
                                        entity_id=change.entity_id, company_id=change.company_id,
                                        retrying=change.interrupted, judge=judge_for(connector.name, change.entity_id))
            except FatalError as exc:
                cause = _fatal_cause(exc)
                stopped.append((str(exc), cause))
                outbox.retry_later(change, str(exc), cause, count_attempt=False)
                if cause is not Cause.UNAVAILABLE:
                    outbox.connector_failed(connector.name, str(exc))
                sys_report.waiting += 1
                sys_report.write_error = str(exc)
                sys_report.errors.append(str(exc))
                count("waiting", change, cause)
                log.error("connector stopped writing: its changes wait", connector=connector.name, error=str(exc),
                          cause=cause.value)
            except RetriableError as exc:
                outbox.retry_later(change, str(exc), Cause.UNAVAILABLE)
                sys_report.failed += 1
                sys_report.errors.append(f"{change.describe()}: {exc.message}")
                count("failed", change, Cause.UNAVAILABLE)
            except NotFoundError as exc:
                outbox.record_gone(change, str(exc))
                sys_report.failed += 1
                sys_report.errors.append(f"{change.describe()}: {exc.message}")
                count("failed", change, Cause.GONE)
            except StaleRecord as exc:
                outbox.refresh(change, exc.fresh, str(exc))
                sys_report.deferred += 1
                sys_report.errors.append(f"{change.describe()}: {exc.message}")
                count("deferred", change)
            except AdoptionHeld as exc:
                candidate = exc.candidate
                review = None if candidate is None else {
                    "system": connector.name, "remote_id": candidate.remote_id,
                    "candidate": f"entity:{change.entity_id}", "score": None,
                    "reasons": {"adoption": exc.message}}
                outbox.hold(change, str(exc), review, candidate)
                sys_report.held += 1
                sys_report.errors.append(f"{change.describe()}: held: {exc.message}")
                count("held", change, Cause.REVIEW)
            except SkippableError as exc:
                cause = Cause.INVALID if isinstance(exc, ValidationError) else Cause.REJECTED
                outbox.park(change, str(exc), cause)
                sys_report.parked += 1
                sys_report.errors.append(f"{change.describe()}: parked: {exc.message}")
                count("parked", change, cause)
            else:
                outbox.applied(change, outcome)
                counter = _COUNTERS[change.op]
                setattr(sys_report, counter, getattr(sys_report, counter) + 1)
                if outcome.adopted_existing:
                    sys_report.adopted += 1
                if outcome.lost:
                    sys_report.parked += 1
                    sys_report.errors.append(f"{change.describe()}: parked: {'; '.join(outcome.lost.values())}")
                    count("parked", change, outcome.lost_cause)
                count("applied", change)
            finally:
                if progress is not None:
                    progress("write", connector.name, 1, len(pending))

    await asyncio.gather(*(one(change) for change in pending))
