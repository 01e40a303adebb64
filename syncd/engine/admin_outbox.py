"""The changes that did not go out: list them by cause, show one, send them again (``syncd outbox``, the console).

A change waits for a reason an admin can act on (:class:`~syncd.engine.causes.Cause`). Rows written before
the engine recorded a cause, or by a path that does not yet, get one derived from their status and error
text, so the list never shows a change without a reason. A plan supersedes what an older one left
waiting, so every row still waiting is work (one entity may have several in one system: a value the
vendor could not hold is parked on its own row, beside the fields that went out).

A retry sets the row back to ``pending`` so the next cycle's write phase sends it, as the CLI always did
for decisions: nothing is written from here. A change that was never sent (parked by the planner, e.g. no
company id) is planned again instead, so a fixed ``company_map`` is seen. Who asked is kept on the row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from syncd.engine.causes import Cause
from syncd.errors import SyncdError
from syncd.store import tables as t
from syncd.store.repository import Store

__all__ = ["WAITING", "OutboxAdmin", "OutboxChange", "OutboxGroup", "derive_cause"]

#: the statuses of a change that is not done and will not go out by itself as planned
WAITING = ("parked", "failed", "held")

_PERMISSION = re.compile(r"\b403\b|forbidden|permission|not allowed|not permitted", re.I)
_AUTH = re.compile(r"\b401\b|unauthori[sz]ed|credential|api key|token (is )?(invalid|expired)|login failed", re.I)
_COMPANY = re.compile(r"company|client id|account id|customer id", re.I)
_MANGLE = re.compile(r"strip|mangle|would (store|change|cut)", re.I)
_LOST = re.compile(r"read back|dropped|not hold|does not hold|lost", re.I)
_GONE = re.compile(r"\b404\b|\b410\b|not found|gone|no longer exists|deleted", re.I)
_INVALID = re.compile(r"\b400\b|\b422\b|too long|required|invalid|not a valid|must be|exceeds|format", re.I)


def derive_cause(status: str, last_error: str | None, cause: str | None = None) -> Cause | None:
    """The row's cause: the stored one, else read from its status and error (rows from before causes)."""
    if cause:
        try:
            return Cause(cause)
        except ValueError:
            pass  # a cause this version does not know: read it from the words like an old row
    if status in ("applied", "superseded", "pending", "in_flight"):
        return None
    if status == "held":
        return Cause.REVIEW
    text = last_error or ""
    for pattern, found in ((_AUTH, Cause.AUTH), (_PERMISSION, Cause.PERMISSION), (_MANGLE, Cause.WOULD_MANGLE),
                           (_LOST, Cause.LOST_ON_WRITE), (_COMPANY, Cause.NO_COMPANY), (_GONE, Cause.GONE),
                           (_INVALID, Cause.INVALID)):
        if pattern.search(text):
            return found
    return Cause.UNAVAILABLE if status == "failed" else Cause.REJECTED


_LABELS = {
    Cause.NO_COMPANY: "no company id",
    Cause.PERMISSION: "permission denied",
    Cause.AUTH: "credentials refused",
    Cause.INVALID: "a value the target cannot hold",
    Cause.WOULD_MANGLE: "the target would mangle a value",
    Cause.LOST_ON_WRITE: "the target did not keep what was sent",
    Cause.REJECTED: "refused by the vendor",
    Cause.UNAVAILABLE: "vendor unavailable: retrying",
    Cause.GONE: "the record is gone",
    Cause.REVIEW: "held for review",
}


def cause_label(cause: Cause) -> str:
    return _LABELS.get(cause, cause.value)


def _message_key(text: str | None) -> str:
    """The error with its ids and counts blanked, so one cause of one vendor groups as one line."""
    return re.sub(r"\d+", "#", (text or "").strip())[:300]


@dataclass(frozen=True, slots=True)
class OutboxChange:
    id: int
    entity_id: str
    display_name: str | None
    system: str
    operation: str
    remote_id: str | None
    status: str
    cause: Cause | None
    #: {field: {"old": ..., "new": ..., "rule": ...}}
    fields: dict[str, Any]
    error: str | None
    attempts: int
    run_id: int | None
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None
    retried_by: str | None
    retried_at: datetime | None

    @property
    def label(self) -> str:
        return cause_label(self.cause) if self.cause else self.status

    @property
    def fix(self) -> str | None:
        return self.cause.fix if self.cause else None

    @property
    def can_retry(self) -> bool:
        return self.status in WAITING and self.cause is not Cause.REVIEW

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "entity": self.entity_id, "name": self.display_name, "system": self.system,
                "operation": self.operation, "remote_id": self.remote_id, "status": self.status,
                "cause": self.cause.value if self.cause else None, "reason": self.error, "fix": self.fix,
                "fields": self.fields, "attempts": self.attempts, "run_id": self.run_id,
                "created_at": self.created_at, "updated_at": self.updated_at,
                "next_attempt_at": self.next_attempt_at, "retried_by": self.retried_by,
                "retried_at": self.retried_at}


@dataclass(slots=True)
class OutboxGroup:
    """The changes that wait for one reason in one system: one line to read, one fix, one retry."""

    cause: Cause
    system: str
    message: str
    changes: list[OutboxChange] = field(default_factory=list)

    @property
    def label(self) -> str:
        return cause_label(self.cause)

    @property
    def key(self) -> str:
        return f"{self.cause.value}:{self.system}:{len(self.changes)}:{self.changes[0].id if self.changes else 0}"

    def as_json(self) -> dict[str, Any]:
        return {"cause": self.cause.value, "label": self.label, "system": self.system, "message": self.message,
                "fix": self.cause.fix, "retries_by_itself": self.cause.retries_by_itself,
                "count": len(self.changes), "ids": [c.id for c in self.changes]}


class OutboxError(SyncdError):
    """An outbox command cannot be done as asked; the message says why."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class OutboxAdmin:
    store: Store

    def _session(self) -> Session:
        return self.store.session_factory()

    def waiting(self, *, system: str | None = None, cause: str | None = None,
                statuses: Iterable[str] = WAITING, limit: int = 5000) -> list[OutboxChange]:
        """The changes not done, oldest first."""
        statuses = tuple(statuses)
        with self._session() as s:
            query = (select(t.OutboxItem, t.Entity.display_name)
                     .outerjoin(t.Entity, t.Entity.id == t.OutboxItem.entity_id)
                     .where(t.OutboxItem.status.in_(statuses)).order_by(t.OutboxItem.id).limit(limit))
            if system:
                query = query.where(t.OutboxItem.system == system)
            rows = [self._change(row, name) for row, name in s.execute(query)]
        if cause:
            wanted = Cause(cause)
            rows = [r for r in rows if r.cause is wanted]
        return rows

    def groups(self, **filters: Any) -> list[OutboxGroup]:
        """The waiting changes grouped by cause, system and message; the largest group first."""
        grouped: dict[tuple[Cause, str, str], OutboxGroup] = {}
        for change in self.waiting(**filters):
            cause = change.cause or Cause.REJECTED
            key = (cause, change.system, _message_key(change.error))
            if key not in grouped:
                grouped[key] = OutboxGroup(cause, change.system, change.error or cause.fix)
            grouped[key].changes.append(change)
        return sorted(grouped.values(), key=lambda g: (-len(g.changes), g.cause.value, g.system, g.message))

    def counts(self) -> dict[str, int]:
        """How many changes wait, per status (pending included)."""
        with self._session() as s:
            return {status: int(n) for status, n in s.execute(
                select(t.OutboxItem.status, func.count())
                .where(t.OutboxItem.status.in_(("pending", "in_flight", *WAITING)))
                .group_by(t.OutboxItem.status))}

    def change(self, outbox_id: int) -> OutboxChange:
        with self._session() as s:
            found = s.execute(select(t.OutboxItem, t.Entity.display_name)
                              .outerjoin(t.Entity, t.Entity.id == t.OutboxItem.entity_id)
                              .where(t.OutboxItem.id == outbox_id)).first()
            if found is None:
                raise OutboxError(f"there is no change {outbox_id} in the outbox")
            return self._change(found[0], found[1])

    @staticmethod
    def _change(row: t.OutboxItem, name: str | None) -> OutboxChange:
        return OutboxChange(
            id=row.id, entity_id=row.entity_id, display_name=name, system=row.system, operation=row.operation,
            remote_id=row.remote_id, status=row.status, cause=derive_cause(row.status, row.last_error, row.cause),
            fields=dict(row.fields or {}), error=row.last_error, attempts=row.attempts, run_id=row.run_id,
            created_at=row.created_at, updated_at=row.updated_at, next_attempt_at=row.next_attempt_at,
            retried_by=row.retried_by, retried_at=row.retried_at)

    def retry(self, ids: Iterable[int] = (), *, cause: str | None = None, system: str | None = None,
              who: str = "admin") -> str:
        """Send changes again in the next cycle: the ids given, or every waiting change of ``cause``."""
        wanted = list(dict.fromkeys(ids))
        if not wanted and cause is None:
            raise OutboxError("name the changes to retry (their ids) or a cause (--cause)")
        if cause is not None:
            try:
                Cause(cause)
            except ValueError:
                raise OutboxError(f"{cause!r} is not a cause (known: {', '.join(c.value for c in Cause)})") from None
            wanted.extend(c.id for c in self.waiting(cause=cause, system=system) if c.id not in wanted)
        if not wanted:
            return f"nothing to retry: no change waits for {cause}" + (f" in {system}" if system else "")
        changes = [self.change(i) for i in wanted]
        refused = [c for c in changes if not c.can_retry]
        if refused and cause is None:
            first = refused[0]
            why = "decide its review item first (`syncd review list`)" if first.cause is Cause.REVIEW \
                else f"it is {first.status}, not parked or failed"
            raise OutboxError(f"change {first.id} cannot be retried: {why}")
        now = _now()
        retried = [c for c in changes if c.can_retry]
        with self._session() as s, s.begin():
            for c in retried:
                s.execute(update(t.OutboxItem).where(t.OutboxItem.id == c.id).values(
                    status="pending", cause=None, next_attempt_at=None, retried_by=who, retried_at=now,
                    updated_at=now))
            # never sent (the planner parked it): plan it again, so what was fixed (a company_map) is seen
            replan = {c.entity_id for c in retried if c.attempts == 0}
            if replan:
                s.execute(update(t.Entity).where(t.Entity.id.in_(replan)).values(dirty=True))
        skipped = len(changes) - len(retried)
        return (f"{len(retried)} change{'s' if len(retried) != 1 else ''} set to pending; the next cycle sends "
                f"{'them' if len(retried) != 1 else 'it'}" + (f" ({skipped} held for review left as they are)"
                                                              if skipped else ""))
