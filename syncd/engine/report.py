"""What one cycle did, per system: the figures ``--reconcile`` prints, ``--json`` emits and ``sync_runs`` keeps.

The report tells the truth about what was asked for and not done. :attr:`CycleReport.outcome` is one of:

- ``ok``: every change asked for was done (exit code 0);
- ``partial``: some were not — a change parked, held for review, failed, or waiting for a failing
  connector; deletions held by a guard; a scan that failed (exit code 1);
- ``failed``: nothing could run — no system could be scanned (exit code 3).

Bad configuration or usage is exit code 2, before any cycle.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from syncd.engine.plan import EntityPlan

__all__ = ["EXIT_CODES", "CycleReport", "SystemReport"]

#: outcome -> exit code of ``syncd --reconcile``
EXIT_CODES = {"ok": 0, "partial": 1, "config": 2, "failed": 3}


@dataclass(slots=True)
class SystemReport:
    system: str
    scanned: int = 0
    bad: int = 0
    new: int = 0
    changed: int = 0
    vanished: int = 0
    #: missing from an offset-paged scan but found by a look-up by id: not deleted
    still_there: int = 0
    scanned_now: bool = False
    scan_seconds: float = 0.0
    scan_error: str | None = None
    guard: str | None = None
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    reactivated: int = 0
    deleted: int = 0
    #: of ``created``: records an earlier, unanswered create had made, found and adopted
    adopted: int = 0
    failed: int = 0
    parked: int = 0
    #: held for an admin's review (a create that may duplicate a record under review, a doubtful adoption)
    held: int = 0
    #: not sent because the connector is failing (credentials, permissions): they go out once it works
    waiting: int = 0
    #: not sent because the record was edited in the vendor since it was read: planned again next cycle
    deferred: int = 0
    write_error: str | None = None
    #: changes of this run not done, by cause (:class:`~syncd.engine.causes.Cause`)
    not_done: dict[str, int] = field(default_factory=dict)
    #: rows in the outbox after this run that are not done, by status and cause ("parked/invalid": 3)
    backlog: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return self.created + self.updated + self.deactivated + self.reactivated + self.deleted

    @property
    def undone(self) -> int:
        """Changes of this run not done, and every change not done in the outbox but those merely planned
        ("pending/new": a create that waits for its system's own poll to read it first)."""
        waiting = sum(n for key, n in self.backlog.items() if key != "pending/new")
        return self.failed + self.parked + self.held + self.waiting + self.deferred + waiting

    @property
    def clean(self) -> bool:
        return not (self.scan_error or self.guard or self.write_error or self.undone)


@dataclass(slots=True)
class CycleReport:
    run_id: int | None
    dry_run: bool
    systems: dict[str, SystemReport] = field(default_factory=dict)
    entities: int = 0
    new_entities: int = 0
    linked: int = 0
    reviews_opened: int = 0
    #: creates held back because a record of the target system may already be this person (a review each)
    creates_held: int = 0
    #: the matcher's trained model (readable JSON), when this cycle matched anything
    matcher: dict[str, Any] | None = None
    review_backlog: int = 0
    conflicts_opened: int = 0
    conflict_backlog: int = 0
    planned_writes: int = 0
    #: creates planned with a problem known in advance (no company id, a value the target cannot hold)
    planned_parked: int = 0
    events: list[str] = field(default_factory=list)
    plans: list[EntityPlan] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def system(self, name: str) -> SystemReport:
        if name not in self.systems:
            self.systems[name] = SystemReport(name)
        return self.systems[name]

    @property
    def outcome(self) -> str:
        scanned = [s for s in self.systems.values() if s.scanned_now]
        if scanned and all(s.scan_error for s in scanned):
            return "failed"
        if any(not s.clean for s in self.systems.values()):
            return "partial"
        return "ok"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    @property
    def failed(self) -> bool:
        """Anything asked for and not done (kept for callers that only need yes or no)."""
        return self.outcome != "ok"

    def not_done_lines(self) -> list[str]:
        """One line per thing not done, for the summary an admin reads."""
        lines: list[str] = []
        for name, s in sorted(self.systems.items()):
            if s.scan_error:
                lines.append(f"{name}: scan failed: {s.scan_error}")
            if s.guard:
                lines.append(f"{name}: deletions held back: {s.guard}")
            if s.write_error:
                lines.append(f"{name}: writing stopped: {s.write_error} ({s.waiting} changes wait for it)")
            if s.deferred:
                lines.append(f"{name}: {s.deferred} change(s) deferred: the record was edited since it was read "
                             "(planned again in the next cycle)")
            for key, count in sorted(s.backlog.items()):
                lines.append(f"{name}: {count} change(s) {key.replace('/', ': ')}")
        return lines

    def as_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "plans"}
        data["outcome"] = self.outcome
        data["exit_code"] = self.exit_code
        data["ok"] = self.outcome == "ok"
        data["not_done"] = self.not_done_lines()
        return data
