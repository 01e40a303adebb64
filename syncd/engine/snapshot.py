"""Snapshot: scan one system completely, or report why the scan cannot be trusted.

A scan is *complete* only when the connector's listing ended normally and no id came twice. Only a
complete scan may turn a missing record into a tombstone; anything else deletes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

from syncd import metrics
from syncd.connectors.base import Connector
from syncd.errors import ConnectorError, DuplicateRemoteId
from syncd.model import BadRecord, RemoteRecord

__all__ = ["ScanResult", "scan_system"]

log = structlog.get_logger("syncd.scan")


@dataclass(slots=True)
class ScanResult:
    system: str
    records: list[RemoteRecord] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    complete: bool = False
    error: str | None = None
    fatal: bool = False
    seconds: float = 0.0
    started_at: datetime | None = None

    @property
    def seen_ids(self) -> set[str]:
        ids = {r.remote_id for r in self.records}
        ids.update(b.remote_id for b in self.bad if b.remote_id)
        return ids


async def scan_system(connector: Connector, progress: Callable[[int], None] | None = None) -> ScanResult:
    """Read every record of one system; never raises for a vendor failure (the result says why)."""
    result = ScanResult(connector.name, started_at=datetime.now(UTC))
    started = time.perf_counter()
    seen: set[str] = set()
    try:
        async for item in connector.scan():
            if isinstance(item, BadRecord):
                result.bad.append(item)
                log.warning("bad record skipped", connector=connector.name, remote_id=item.remote_id,
                            reason=item.reason)
                continue
            if item.remote_id in seen:
                raise DuplicateRemoteId(connector.name, f"the scan returned id {item.remote_id} twice")
            seen.add(item.remote_id)
            result.records.append(item)
            if progress is not None and len(result.records) % 500 == 0:
                progress(500)
        result.complete = True
    except DuplicateRemoteId as exc:
        result.error = str(exc)
    except ConnectorError as exc:
        result.error = str(exc)
        result.fatal = True
    result.seconds = time.perf_counter() - started
    metrics.RECORDS_SCANNED.labels(connector.name).inc(len(result.records))
    if progress is not None:
        progress(len(result.records) % 500)
    if result.complete:
        metrics.LAST_SUCCESS.labels(connector.name).set_to_current_time()
    else:
        log.error("scan incomplete: nothing will be deleted", connector=connector.name, error=result.error,
                  records=len(result.records))
    return result
