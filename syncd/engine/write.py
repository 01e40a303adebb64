"""The outbox writer: execute pending change-sets per system, inside each vendor's limits.

Each change is marked in flight and committed before the vendor call, and its result is committed
right after, with the link, the snapshot and the agreed base in the same transaction. A row found
in flight at the start of a later cycle was interrupted: a create is then looked up before it is
tried again, so a crash never makes a duplicate.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import structlog

from syncd import metrics
from syncd.connectors.base import Connector
from syncd.engine.execute import execute
from syncd.engine.plan import Op
from syncd.engine.report import CycleReport
from syncd.engine.state import EngineState, PendingChange
from syncd.errors import FatalError, NotFoundError, RetriableError, SkippableError

__all__ = ["write_outbox"]

log = structlog.get_logger("syncd.write")

_COUNTERS = {Op.CREATE: "created", Op.UPDATE: "updated", Op.DEACTIVATE: "deactivated",
             Op.REACTIVATE: "reactivated", Op.DELETE: "deleted"}


async def write_outbox(
    state: EngineState,
    connectors: Mapping[str, Connector],
    report: CycleReport,
    *,
    concurrency: int,
    progress: Callable[[str, str, int, int | None], None] | None = None,
) -> None:
    """Execute every due change for these systems; a fatal error stops only that system's writes."""
    await asyncio.gather(*(
        _write_system(state, connector, report, concurrency, progress) for connector in connectors.values()
    ))


async def _write_system(
    state: EngineState,
    connector: Connector,
    report: CycleReport,
    concurrency: int,
    progress: Callable[[str, str, int, int | None], None] | None,
) -> None:
    pending = state.due_changes(connector.name)
    if not pending:
        return
    sys_report = report.system(connector.name)
    semaphore = asyncio.Semaphore(max(1, concurrency))
    stopped: list[str] = []

    async def one(change: PendingChange) -> None:
        async with semaphore:
            if stopped:
                return
            state.begin_change(change)
            try:
                outcome = await execute(connector, change.op, change.values, current=change.current,
                                        entity_id=change.entity_id, company_id=change.company_id,
                                        retrying=change.interrupted)
            except FatalError as exc:
                stopped.append(str(exc))
                state.retry_later(change, str(exc), count_attempt=False)
                sys_report.failed += 1
                sys_report.errors.append(str(exc))
                log.error("connector stopped writing", connector=connector.name, error=str(exc))
            except RetriableError as exc:
                state.retry_later(change, str(exc))
                sys_report.failed += 1
                sys_report.errors.append(f"{change.describe()}: {exc.message}")
            except NotFoundError as exc:
                state.record_gone(change, str(exc))
                sys_report.failed += 1
                sys_report.errors.append(f"{change.describe()}: {exc.message}")
            except SkippableError as exc:
                state.park(change, str(exc))
                sys_report.parked += 1
                sys_report.errors.append(f"{change.describe()}: parked: {exc.message}")
                metrics.CHANGES.labels(connector.name, change.op.value, "parked").inc()
            else:
                state.applied(change, outcome)
                counter = _COUNTERS[change.op]
                setattr(sys_report, counter, getattr(sys_report, counter) + 1)
                metrics.CHANGES.labels(connector.name, change.op.value, "applied").inc()
            finally:
                if progress is not None:
                    progress("write", connector.name, 1, len(pending))
            if stopped:
                metrics.CHANGES.labels(connector.name, change.op.value, "failed").inc()

    await asyncio.gather(*(one(change) for change in pending))
