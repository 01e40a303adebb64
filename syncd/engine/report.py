"""What one cycle did, per system: the figures ``--reconcile`` prints and ``--json`` emits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from syncd.engine.plan import EntityPlan

__all__ = ["CycleReport", "SystemReport"]


@dataclass(slots=True)
class SystemReport:
    system: str
    scanned: int = 0
    bad: int = 0
    new: int = 0
    changed: int = 0
    vanished: int = 0
    scan_seconds: float = 0.0
    scan_error: str | None = None
    guard: str | None = None
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    reactivated: int = 0
    deleted: int = 0
    failed: int = 0
    parked: int = 0
    errors: list[str] = field(default_factory=list)


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
    events: list[str] = field(default_factory=list)
    plans: list[EntityPlan] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def system(self, name: str) -> SystemReport:
        if name not in self.systems:
            self.systems[name] = SystemReport(name)
        return self.systems[name]

    @property
    def failed(self) -> bool:
        return any(s.failed or s.scan_error for s in self.systems.values())

    def as_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "plans"}
        data["ok"] = not self.failed
        return data
