"""The writer's side of the store: the outbox rows it executes and what each outcome leaves behind.

Each change is marked in flight and committed before the vendor call; its result commits right after,
with the link, the snapshot and the agreed base in the same transaction. Every row that is not applied
carries a :class:`~syncd.engine.causes.Cause`, so nothing asked for and not done is ever silent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from syncd.engine.causes import Cause
from syncd.engine.execute import Outcome
from syncd.engine.plan import Op
from syncd.engine.rows import adopted_snapshot, contact_json, from_json, jsonable, now, record_from_row, snapshot
from syncd.model import FieldValue, RemoteRecord, clean_json, content_hash
from syncd.store import tables as t

__all__ = ["OutboxState", "PendingChange"]

log = structlog.get_logger("syncd.outbox")

_RETRY_BASE = timedelta(seconds=30)
_RETRY_MAX = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class PendingChange:
    outbox_id: int
    entity_id: str
    system: str
    op: Op
    values: Mapping[str, FieldValue]
    company_id: str | None
    current: RemoteRecord | None
    #: an earlier attempt may have reached the vendor: look before creating again
    interrupted: bool

    def describe(self) -> str:
        return f"{self.op.value} entity {self.entity_id}"


class OutboxState:
    """Reads due changes and records their outcomes; every method commits what it did."""

    def __init__(self, session: Session, run_id: int | None) -> None:
        self.session = session
        self.run_id = run_id

    def due_changes(self, system: str) -> list[PendingChange]:
        s, moment = self.session, now()
        rows = s.scalars(select(t.OutboxItem).where(
            t.OutboxItem.system == system,
            or_(t.OutboxItem.status.in_(("pending", "in_flight")),
                and_(t.OutboxItem.status == "failed", t.OutboxItem.next_attempt_at.is_not(None),
                     t.OutboxItem.next_attempt_at <= moment)),
        ).order_by(t.OutboxItem.id)).all()
        attempted_creates = {eid for (eid,) in s.execute(select(t.OutboxItem.entity_id).where(
            t.OutboxItem.system == system, t.OutboxItem.operation == "create", t.OutboxItem.attempts > 0))}
        out: list[PendingChange] = []
        for row in rows:
            remote_id = row.remote_id
            if remote_id is None and row.operation != "create":
                # a parked part of a create, retried by an admin: it goes to the record the create made
                remote_id = s.scalar(select(t.Link.remote_id).where(t.Link.entity_id == row.entity_id,
                                                                    t.Link.system == system))
            current = None
            if remote_id:
                record = s.scalar(select(t.RemoteRecordRow).where(t.RemoteRecordRow.system == system,
                                                                  t.RemoteRecordRow.remote_id == remote_id))
                current = record_from_row(record) if record is not None else None
            values = {k: from_json(v["new"]) for k, v in row.fields.items()}
            out.append(PendingChange(
                outbox_id=row.id, entity_id=row.entity_id, system=system, op=Op(row.operation), values=values,
                company_id=row.company_id, current=current,
                interrupted=row.operation == "create" and row.entity_id in attempted_creates))
        return out

    def begin_change(self, change: PendingChange) -> None:
        self.session.execute(update(t.OutboxItem).where(t.OutboxItem.id == change.outbox_id).values(
            status="in_flight", attempts=t.OutboxItem.attempts + 1, updated_at=now()))
        self.session.commit()

    # --- outcomes -----------------------------------------------------------------------------

    def applied(self, change: PendingChange, outcome: Outcome) -> None:
        s, moment = self.session, now()
        record = outcome.record
        row = s.get(t.OutboxItem, change.outbox_id)
        if row is None:
            return
        lost = dict(outcome.lost)
        if lost:
            # only what the vendor holds counts as written; the rest is parked, with the reason, on its own
            s.add(t.OutboxItem(
                run_id=self.run_id, entity_id=row.entity_id, system=row.system, operation=Op.UPDATE.value,
                remote_id=record.remote_id if record else row.remote_id, company_id=None,
                fields={k: v for k, v in row.fields.items() if k in lost}, status="parked",
                cause=outcome.lost_cause.value, last_error="; ".join(lost.values())[:2000], attempts=row.attempts,
                created_at=moment, updated_at=moment))
            row.fields = {k: v for k, v in row.fields.items() if k not in lost}
            log.warning("the vendor did not hold what was sent: parked", connector=row.system, entity=row.entity_id,
                        fields=sorted(lost), reason="; ".join(lost.values()))
        row.status, row.last_error, row.cause, row.updated_at = "applied", None, None, moment
        row.remote_id = record.remote_id if record else change.current.remote_id if change.current else None
        if outcome.adopted_existing:
            row.last_error = "the create's answer was lost; the record it made was found and adopted"
        if change.op is Op.DELETE and change.current is not None:
            s.execute(delete(t.Link).where(t.Link.system == change.system,
                                           t.Link.remote_id == change.current.remote_id))
            s.execute(update(t.RemoteRecordRow).where(
                t.RemoteRecordRow.system == change.system,
                t.RemoteRecordRow.remote_id == change.current.remote_id).values(tombstoned_at=moment))
        if record is not None:
            self._store_written(change, record, moment, adopted=outcome.adopted_existing)
        if outcome.reformatted:
            for name, value in outcome.reformatted.items():
                s.execute(update(t.FieldBase).where(t.FieldBase.entity_id == change.entity_id,
                                                    t.FieldBase.field == name)
                          .values(value=jsonable(value), updated_at=moment, run_id=self.run_id))
            self._mark_dirty(change.entity_id)
        self._connector_ok(change.system)
        s.commit()

    def _store_written(self, change: PendingChange, record: RemoteRecord, moment: datetime, *,
                       adopted: bool = False) -> None:
        s = self.session
        digest = content_hash(record.contact)
        values = {"fields": contact_json(record.contact), "raw": clean_json(record.raw), "content_hash": digest,
                  "company_id": record.company_id, "external_key": record.external_key,
                  "remote_updated_at": record.remote_updated_at, "last_seen_at": moment, "changed_at": moment,
                  "tombstoned_at": None}
        existing = s.scalar(select(t.RemoteRecordRow.id).where(t.RemoteRecordRow.system == record.system,
                                                               t.RemoteRecordRow.remote_id == record.remote_id))
        if existing is None:
            s.execute(insert(t.RemoteRecordRow).values(system=record.system, remote_id=record.remote_id,
                                                       first_seen_at=moment, **values))
        else:
            s.execute(update(t.RemoteRecordRow).where(t.RemoteRecordRow.id == existing).values(**values))
        link = s.scalar(select(t.Link).where(t.Link.system == record.system, t.Link.remote_id == record.remote_id))
        read_back = snapshot(record.contact)
        if link is None:
            held = s.scalar(select(t.Link.remote_id).where(t.Link.entity_id == change.entity_id,
                                                          t.Link.system == record.system))
            if held is not None:
                # Never expected (creates are guarded), but never a crash: the new record stays unlinked,
                # and the reconciler sends the pair to review as two records of one system.
                log.error("a create made a second copy of a linked contact; left unlinked for review",
                          connector=record.system, entity=change.entity_id, linked=held, created=record.remote_id)
                return
            if adopted:
                # found by a look-up, perhaps cycles after the lost create: only what was sent is agreed
                synced = adopted_snapshot(record.contact, change.values)
                s.add(t.Link(entity_id=change.entity_id, system=record.system, remote_id=record.remote_id,
                             linked_by="syncd", confidence=1.0, reasons={"adopted": "the record a lost create made"},
                             created_at=moment, synced_fields=synced,
                             synced_hash=digest if synced == read_back else None))
                return
            s.add(t.Link(entity_id=change.entity_id, system=record.system, remote_id=record.remote_id,
                         linked_by="syncd", confidence=1.0, reasons={"created_by": "syncd"}, created_at=moment,
                         synced_fields=read_back, synced_hash=digest))
            return
        # Only the fields we wrote are agreed now — and a field the vendor did not keep is settled as what it
        # holds, so its own form is not taken for an edit. The read-back may also carry someone else's edit
        # made since the last scan: that must stay a change, not be swallowed as an echo of our own write.
        snap = dict(link.synced_fields or read_back)
        settled = set(change.values)
        if settled & {"given_name", "family_name"}:
            settled.add("full_name")  # a vendor that derives the full name from the parts we wrote
        for name in settled:
            if name in read_back:
                snap[name] = read_back[name]
        link.synced_fields = snap
        link.synced_hash = digest if snap == read_back else None

    def retry_later(self, change: PendingChange, error: str, cause: Cause, *, count_attempt: bool = True) -> None:
        row = self.session.get(t.OutboxItem, change.outbox_id)
        if row is None:
            return
        attempts = row.attempts if count_attempt else max(0, row.attempts - 1)
        if cause in (Cause.PERMISSION, Cause.AUTH):
            delay = timedelta(0)  # waits for the connector, not for a backoff: due again next cycle
        else:
            delay = min(_RETRY_MAX, _RETRY_BASE * (2 ** max(0, attempts - 1)))
        row.status, row.last_error, row.attempts, row.cause = "failed", error[:2000], attempts, cause.value
        row.next_attempt_at, row.updated_at = now() + delay, now()
        self.session.commit()

    def wait(self, change: PendingChange, reason: str, cause: Cause) -> None:
        """Not tried: the connector failed earlier in this cycle. It stays due for the next one."""
        self._set_status(change, "pending", reason, cause)

    def park(self, change: PendingChange, reason: str, cause: Cause) -> None:
        self._set_status(change, "parked", reason, cause)

    def hold(self, change: PendingChange, reason: str, review: Mapping[str, Any] | None = None,
             candidate: RemoteRecord | None = None) -> None:
        """Held for an admin: the create's look-up found records that may be what it made, or may be a
        stranger's. A review item lets the admin say which; nothing is adopted or created meanwhile. The
        candidate is stored (a scan may not have seen it yet), so the admin can link it."""
        s = self.session
        if candidate is not None and s.scalar(select(t.RemoteRecordRow.id).where(
                t.RemoteRecordRow.system == candidate.system,
                t.RemoteRecordRow.remote_id == candidate.remote_id)) is None:
            moment = now()
            s.execute(insert(t.RemoteRecordRow).values(
                system=candidate.system, remote_id=candidate.remote_id, fields=contact_json(candidate.contact),
                raw=clean_json(candidate.raw), content_hash=content_hash(candidate.contact),
                company_id=candidate.company_id, external_key=candidate.external_key,
                remote_updated_at=candidate.remote_updated_at, first_seen_at=moment, last_seen_at=moment,
                changed_at=moment))
        if review is not None:
            open_already = s.scalar(select(t.ReviewItem.id).where(
                t.ReviewItem.system == review["system"], t.ReviewItem.remote_id == review["remote_id"],
                t.ReviewItem.candidate == review["candidate"], t.ReviewItem.status == "open"))
            if open_already is None:
                s.add(t.ReviewItem(kind="adoption", status="open", created_at=now(), **review))
        self._set_status(change, "held", reason, Cause.REVIEW)

    def refresh(self, change: PendingChange, fresh: RemoteRecord, reason: str) -> None:
        """The target was edited since it was read: keep what it holds now (a change the next plan sees,
        its snapshot untouched) and let the plan decide again instead of overwriting the edit."""
        s, moment = self.session, now()
        s.execute(update(t.RemoteRecordRow).where(
            t.RemoteRecordRow.system == fresh.system, t.RemoteRecordRow.remote_id == fresh.remote_id).values(
            fields=contact_json(fresh.contact), raw=clean_json(fresh.raw), content_hash=content_hash(fresh.contact),
            remote_updated_at=fresh.remote_updated_at, prev_seen_at=t.RemoteRecordRow.last_seen_at,
            changed_at=moment, last_seen_at=moment))
        s.execute(update(t.OutboxItem).where(t.OutboxItem.id == change.outbox_id).values(
            status="superseded", last_error=reason[:2000], updated_at=moment))
        self._mark_dirty(change.entity_id)
        s.commit()

    def record_gone(self, change: PendingChange, reason: str) -> None:
        """The target record vanished under us: no retry; the next scan tells the planner the truth."""
        self.session.execute(update(t.OutboxItem).where(t.OutboxItem.id == change.outbox_id).values(
            status="failed", last_error=reason[:2000], next_attempt_at=None, cause=Cause.GONE.value,
            updated_at=now()))
        self._mark_dirty(change.entity_id)
        self.session.commit()

    def connector_failed(self, system: str, error: str) -> None:
        """Writing to this system failed for the connector as a whole (credentials, permissions)."""
        cursor = self.session.get(t.ScanCursor, system)
        if cursor is None:
            cursor = t.ScanCursor(system=system, consecutive_failures=0)
            self.session.add(cursor)
        cursor.last_write_error, cursor.last_write_error_at = error[:2000], now()
        self.session.commit()

    def _connector_ok(self, system: str) -> None:
        self.session.execute(update(t.ScanCursor).where(t.ScanCursor.system == system,
                                                        t.ScanCursor.last_write_error.is_not(None))
                             .values(last_write_error=None))

    def _set_status(self, change: PendingChange, status: str, reason: str, cause: Cause) -> None:
        self.session.execute(update(t.OutboxItem).where(t.OutboxItem.id == change.outbox_id).values(
            status=status, last_error=reason[:2000], cause=cause.value, updated_at=now()))
        self.session.commit()

    def _mark_dirty(self, entity_id: str) -> None:
        self.session.execute(update(t.Entity).where(t.Entity.id == entity_id).values(dirty=True))
