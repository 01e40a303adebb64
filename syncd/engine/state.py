"""The engine's unit of work on the store: what one cycle reads and writes, in the engine's terms.

Phase one (scan results, reconcile, plans) runs in one session and commits once (or rolls back for
a dry run). The writer's calls each commit on their own, so progress survives a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from syncd.engine.execute import Outcome
from syncd.engine.plan import ChangeSet, Copy, EntityPlan, EntityState, Op
from syncd.engine.report import CycleReport
from syncd.engine.snapshot import ScanResult
from syncd.matching import Decisions, MatchRecord, MatchSettings, ReconcileResult
from syncd.model import CANONICAL_FIELDS, Contact, FieldValue, RemoteRecord, clean_json, comparable, content_hash
from syncd.store import tables as t
from syncd.store.repository import Store

__all__ = ["EngineState", "PendingChange", "ScanDiff"]

log = structlog.get_logger("syncd.state")

_CHUNK = 900
_RETRY_BASE = timedelta(seconds=30)
_RETRY_MAX = timedelta(hours=1)


def _now() -> datetime:
    return datetime.now(UTC)


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _jsonable(value: FieldValue) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _contact_json(contact: Contact) -> dict[str, Any]:
    return {k: _jsonable(v) for k, v in contact.as_dict().items() if v is not None and v != ()}


def _snapshot(contact: Contact) -> dict[str, Any]:
    return {name: _jsonable(comparable(name, contact.get(name))) for name in CANONICAL_FIELDS}


def _from_snapshot(data: Mapping[str, Any] | None) -> dict[str, FieldValue] | None:
    if data is None:
        return None
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def _holds(contact: Contact, sent: Mapping[str, Any]) -> bool:
    """Does this record hold every value a create sent (as the vendor keeps them)?"""
    return all(comparable(name, contact.get(name)) == comparable(name, tuple(v) if isinstance(v, list) else v)
               for name, v in sent.items() if name in CANONICAL_FIELDS)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(frozen=True, slots=True)
class ScanDiff:
    new: int
    changed: int
    known_live: int
    vanished: set[str]


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


def _record_from_row(row: t.RemoteRecordRow) -> RemoteRecord:
    return RemoteRecord(
        system=row.system, remote_id=row.remote_id, contact=Contact.from_dict(row.fields or {}),
        raw=row.raw or {}, remote_updated_at=_aware(row.remote_updated_at), company_id=row.company_id,
        external_key=row.external_key,
    )


class EngineState:
    def __init__(self, store: Store, *, kind: str, dry_run: bool, systems: Iterable[str] = ()) -> None:
        self.store = store
        self.systems = frozenset(systems)
        self.dry_run = dry_run
        self.session: Session = store.session_factory()
        self.run_id: int | None = None
        if not dry_run:
            run = t.SyncRun(kind=kind, started_at=_now(), status="running")
            self.session.add(run)
            self.session.commit()
            self.run_id = run.id

    # --- transactions -------------------------------------------------------------------------

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def finish(self, report: CycleReport, *, error: str | None) -> None:
        try:
            if self.run_id is not None:
                status = "error" if error else ("failed" if report.failed else "ok")
                self.session.execute(update(t.SyncRun).where(t.SyncRun.id == self.run_id).values(
                    finished_at=_now(), status=status, stats=report.as_json(), error=error))
                self.session.commit()
        finally:
            self.session.close()

    # --- snapshot -----------------------------------------------------------------------------

    def record_scan(self, result: ScanResult) -> ScanDiff:
        """Store what the scan saw: new and changed records (by normalised-content hash)."""
        s, now, system = self.session, _now(), result.system
        known = {
            remote_id: (row_id, digest, tomb)
            for row_id, remote_id, digest, tomb in s.execute(
                select(t.RemoteRecordRow.id, t.RemoteRecordRow.remote_id, t.RemoteRecordRow.content_hash,
                       t.RemoteRecordRow.tombstoned_at).where(t.RemoteRecordRow.system == system))
        }
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for record in result.records:
            digest = content_hash(record.contact)
            values = {"fields": _contact_json(record.contact), "raw": clean_json(record.raw), "content_hash": digest,
                      "company_id": record.company_id, "external_key": record.external_key,
                      "remote_updated_at": record.remote_updated_at, "last_seen_at": now}
            existing = known.get(record.remote_id)
            if existing is None:
                inserts.append({"system": system, "remote_id": record.remote_id, "first_seen_at": now,
                                "changed_at": now, **values})
            elif existing[1] != digest or existing[2] is not None:
                updates.append({"id": existing[0], "changed_at": now, "tombstoned_at": None, **values})
        for chunk in _chunks(inserts):
            s.execute(insert(t.RemoteRecordRow), chunk)
        for chunk in _chunks(updates):
            s.execute(update(t.RemoteRecordRow), chunk)
        live = {rid for rid, (_, _, tomb) in known.items() if tomb is None}
        vanished = live - result.seen_ids if result.complete else set()
        self._update_cursor(result, now)
        return ScanDiff(new=len(inserts), changed=len(updates), known_live=len(live), vanished=vanished)

    def _update_cursor(self, result: ScanResult, now: datetime) -> None:
        cursor = self.session.get(t.ScanCursor, result.system)
        if cursor is None:
            cursor = t.ScanCursor(system=result.system, consecutive_failures=0)
            self.session.add(cursor)
        cursor.last_started_at = now
        if result.complete:
            cursor.last_complete_at = now
            cursor.last_success_at = now
            cursor.last_error = None
            cursor.record_count = len(result.records)
            cursor.consecutive_failures = 0
        else:
            cursor.last_error = result.error
            cursor.consecutive_failures = (cursor.consecutive_failures or 0) + 1

    def last_scan_ok(self, system: str) -> bool:
        cursor = self.session.get(t.ScanCursor, system)
        return cursor is not None and cursor.last_success_at is not None and cursor.last_error is None

    def tombstone(self, system: str, remote_ids: Iterable[str]) -> None:
        ids = sorted(remote_ids)
        now = _now()
        for chunk in _chunks(ids):
            self.session.execute(update(t.RemoteRecordRow).where(
                t.RemoteRecordRow.system == system, t.RemoteRecordRow.remote_id.in_(chunk)).values(tombstoned_at=now))

    def learned_companies(self, system: str) -> dict[str, str]:
        """Company name (folded) -> vendor company id, as this system's own records show them."""
        from syncd.model import fold_name

        out: dict[str, str] = {}
        rows = self.session.execute(
            select(t.RemoteRecordRow.fields["company"].as_string(), t.RemoteRecordRow.company_id)
            .where(t.RemoteRecordRow.system == system, t.RemoteRecordRow.company_id.is_not(None))
            .distinct())
        for name, company_id in rows:
            if name and company_id:
                out.setdefault(fold_name(name), company_id)
        return out

    # --- reconcile ----------------------------------------------------------------------------

    def reconcile(self, settings: MatchSettings, report: CycleReport) -> None:
        """Link new records to entities (or open review items); linked records stay where they are."""
        from syncd.matching import reconcile

        s = self.session
        self._adopt_own_creates(report)
        links = {f"{sys}:{rid}": eid for sys, rid, eid in s.execute(
            select(t.Link.system, t.Link.remote_id, t.Link.entity_id))}
        held = {f"{sys}:{rid}" for sys, rid in s.execute(
            select(t.ReviewItem.system, t.ReviewItem.remote_id).where(t.ReviewItem.status == "open"))}
        records: list[MatchRecord] = []
        changed: set[str] = set()
        rows = s.execute(select(t.RemoteRecordRow.system, t.RemoteRecordRow.remote_id, t.RemoteRecordRow.fields,
                                t.RemoteRecordRow.content_hash, t.Link.synced_hash)
                         .outerjoin(t.Link, and_(t.Link.system == t.RemoteRecordRow.system,
                                                 t.Link.remote_id == t.RemoteRecordRow.remote_id))
                         .where(t.RemoteRecordRow.tombstoned_at.is_(None)))
        for system, remote_id, fields, digest, synced in rows:
            key = f"{system}:{remote_id}"
            if key in held:
                continue
            records.append(MatchRecord(key=key, system=system, contact=Contact.from_dict(fields or {})))
            if key not in links or synced != digest:
                changed.add(key)
        if not changed:
            return
        result = reconcile(records, settings, existing=links, decisions=self._decisions(), changed=changed)
        # the learned parameters are kept with the run (sync_runs.stats), so an admin can see why
        report.matcher = result.model
        report.creates_held += result.creates_held
        self._apply_matches(result, links, report)

    def _adopt_own_creates(self, report: CycleReport) -> None:
        """A create whose answer never came (crash, timeout, dropped connection) may still have happened.

        Where the vendor has no key to find it by (Cirrus' externalkey) and the contact no email, the
        record it made appears in a later scan as a new, unlinked record holding exactly the values sent.
        It is linked to the entity it was made for before the matcher sees it, and the create is closed:
        never a second copy. Two such candidates are left to the matcher (and so to review).
        """
        s, now = self.session, _now()
        doubtful = s.scalars(select(t.OutboxItem).where(
            t.OutboxItem.operation == "create", t.OutboxItem.attempts > 0,
            t.OutboxItem.status.in_(("in_flight", "failed")))).all()
        for row in doubtful:
            if s.scalar(select(t.Link.id).where(t.Link.entity_id == row.entity_id, t.Link.system == row.system)):
                continue
            sent = {k: v["new"] for k, v in row.fields.items() if k not in ("company", "active")}
            orphans = s.scalars(
                select(t.RemoteRecordRow)
                .outerjoin(t.Link, and_(t.Link.system == t.RemoteRecordRow.system,
                                        t.Link.remote_id == t.RemoteRecordRow.remote_id))
                .where(t.RemoteRecordRow.system == row.system, t.Link.id.is_(None),
                       t.RemoteRecordRow.tombstoned_at.is_(None),
                       t.RemoteRecordRow.first_seen_at >= row.created_at)).all()
            found = [o for o in orphans if _holds(Contact.from_dict(o.fields or {}), sent)]
            if len(found) != 1:
                continue
            record = found[0]
            contact = Contact.from_dict(record.fields or {})
            s.add(t.Link(entity_id=row.entity_id, system=row.system, remote_id=record.remote_id, linked_by="syncd",
                         confidence=1.0, reasons={"adopted": "the record an unanswered create made"},
                         created_at=now, synced_fields=_snapshot(contact), synced_hash=record.content_hash))
            row.status, row.remote_id, row.updated_at = "applied", record.remote_id, now
            row.last_error = "the create's answer was lost; the record it made was found in the next scan"
            self._mark_dirty([row.entity_id])
            report.events.append(f"{row.entity_id}: {row.system} record {record.remote_id} adopted as the "
                                 "result of an unanswered create")
            log.warning("adopted the record an unanswered create made", connector=row.system,
                        entity=row.entity_id, remote_id=record.remote_id)
        s.flush()

    def _decisions(self) -> Decisions:
        """Stored admin decisions: accepted = same person, rejected = keep apart. They win over the matcher."""
        decisions = Decisions()
        for system, remote_id, candidate, status in self.session.execute(
                select(t.ReviewItem.system, t.ReviewItem.remote_id, t.ReviewItem.candidate, t.ReviewItem.status)
                .where(t.ReviewItem.status.in_(("accepted", "rejected")), t.ReviewItem.candidate.is_not(None))):
            pair = frozenset((f"{system}:{remote_id}", str(candidate)))
            (decisions.must_link if status == "accepted" else decisions.cannot_link).add(pair)
        return decisions

    def _apply_matches(self, result: ReconcileResult, links: Mapping[str, str], report: CycleReport) -> None:
        s, now = self.session, _now()
        new_entities: dict[str, str] = {}
        dirty: set[str] = set()
        for key, ref in result.assignments.items():
            if key in links:
                continue
            system, _, remote_id = key.partition(":")
            if ref.startswith("new:"):
                if ref not in new_entities:
                    entity = t.Entity(created_at=now, updated_at=now, dirty=True)
                    s.add(entity)
                    s.flush()
                    new_entities[ref] = entity.id
                    report.new_entities += 1
                entity_id = new_entities[ref]
            else:
                entity_id = ref
            evidence = result.links.get(key)
            s.add(t.Link(entity_id=entity_id, system=system, remote_id=remote_id, linked_by="matcher",
                         confidence=evidence.confidence if evidence else None,
                         reasons=dict(evidence.reasons) if evidence else None, created_at=now))
            dirty.add(entity_id)
            report.linked += 1
        for review in result.reviews:
            system, _, remote_id = review.key.partition(":")
            s.add(t.ReviewItem(kind=review.kind, system=system, remote_id=remote_id,
                               candidate=review.candidate, score=review.score, reasons=dict(review.reasons),
                               status="open", created_at=now))
            report.reviews_opened += 1
        s.flush()
        self._mark_dirty(dirty)

    def _mark_dirty(self, entity_ids: Iterable[str]) -> None:
        ids = sorted(set(entity_ids))
        for chunk in _chunks(ids):
            self.session.execute(update(t.Entity).where(t.Entity.id.in_(chunk)).values(dirty=True))

    # --- plan ---------------------------------------------------------------------------------

    def dirty_entity_ids(self) -> list[str]:
        s = self.session
        changed = (select(t.Link.entity_id)
                   .join(t.RemoteRecordRow, and_(t.RemoteRecordRow.system == t.Link.system,
                                                 t.RemoteRecordRow.remote_id == t.Link.remote_id))
                   .where(or_(t.Link.synced_hash.is_(None), t.Link.synced_hash != t.RemoteRecordRow.content_hash,
                              t.RemoteRecordRow.tombstoned_at.is_not(None))))
        flagged = select(t.Entity.id).where(t.Entity.dirty.is_(True), t.Entity.deleted_at.is_(None))
        return sorted({row[0] for row in s.execute(changed)} | {row[0] for row in s.execute(flagged)})

    def dirty_entity_states(self, now: datetime) -> Iterator[EntityState]:
        for chunk in _chunks(self.dirty_entity_ids(), 500):
            yield from self._states(chunk, now)

    def _states(self, ids: list[str], now: datetime) -> Iterator[EntityState]:
        s = self.session
        bases: dict[str, dict[str, FieldValue]] = {i: {} for i in ids}
        for entity_id, name, value in s.execute(
                select(t.FieldBase.entity_id, t.FieldBase.field, t.FieldBase.value)
                .where(t.FieldBase.entity_id.in_(ids))):
            bases[entity_id][name] = tuple(value) if isinstance(value, list) else value
        conflicts: dict[str, set[str]] = {}
        for entity_id, name in s.execute(select(t.Conflict.entity_id, t.Conflict.field).where(
                t.Conflict.entity_id.in_(ids), t.Conflict.status == "open")):
            conflicts.setdefault(entity_id, set()).add(name)
        held = self._review_held(ids)
        copies: dict[str, dict[str, Copy]] = {i: {} for i in ids}
        for link, row in s.execute(
                select(t.Link, t.RemoteRecordRow)
                .join(t.RemoteRecordRow, and_(t.RemoteRecordRow.system == t.Link.system,
                                              t.RemoteRecordRow.remote_id == t.Link.remote_id))
                .where(t.Link.entity_id.in_(ids))):
            when = _aware(row.remote_updated_at) or _aware(row.changed_at) or now
            copies[link.entity_id][link.system] = Copy(
                system=link.system, remote_id=link.remote_id, contact=Contact.from_dict(row.fields or {}),
                snapshot=_from_snapshot(link.synced_fields), when=when, company_id=row.company_id,
                gone=row.tombstoned_at is not None)
        for entity_id in ids:
            yield EntityState(entity_id, bases[entity_id], copies[entity_id], now,
                              frozenset(conflicts.get(entity_id, ())), frozenset(held.get(entity_id, ())))

    def _review_held(self, ids: list[str]) -> dict[str, set[str]]:
        """entity -> systems with an open review item naming this entity (or one of its records) as candidate."""
        s = self.session
        reviews = s.execute(select(t.ReviewItem.system, t.ReviewItem.candidate).where(
            t.ReviewItem.status == "open", t.ReviewItem.candidate.is_not(None))).all()
        if not reviews:
            return {}
        wanted = set(ids)
        owners = {f"{system}:{rid}": eid for system, rid, eid in s.execute(
            select(t.Link.system, t.Link.remote_id, t.Link.entity_id).where(t.Link.entity_id.in_(ids)))}
        held: dict[str, set[str]] = {}
        for system, candidate in reviews:
            if not candidate:
                continue
            entity_id = (candidate.removeprefix("entity:") if candidate.startswith("entity:")
                         else owners.get(candidate))
            if entity_id in wanted:
                held.setdefault(entity_id, set()).add(system)
        return held

    def save_plan(self, plan: EntityPlan, state: EntityState, planned: Iterable[str]) -> None:
        """Commit the agreed base, fresh snapshots, conflicts and the outbox rows of one plan."""
        s, now = self.session, _now()
        planned = set(planned)
        for name, value in plan.base.items():
            if name in state.base and comparable(name, state.base[name]) == comparable(name, value) \
                    and state.base[name] == value:
                continue
            stored = _jsonable(value)
            if name in state.base:
                s.execute(update(t.FieldBase).where(t.FieldBase.entity_id == plan.entity_id,
                                                    t.FieldBase.field == name)
                          .values(value=stored, updated_at=now, run_id=self.run_id))
            else:
                s.add(t.FieldBase(entity_id=plan.entity_id, field=name, value=stored, updated_at=now,
                                  run_id=self.run_id))
        for copy in state.copies.values():
            if copy.system not in planned or copy.gone:
                continue
            s.execute(update(t.Link).where(t.Link.system == copy.system, t.Link.remote_id == copy.remote_id)
                      .values(synced_fields=_snapshot(copy.contact), synced_hash=content_hash(copy.contact)))
        for system in plan.unlink:
            s.execute(delete(t.Link).where(t.Link.entity_id == plan.entity_id, t.Link.system == system))
        for conflict in plan.conflicts:
            s.add(t.Conflict(entity_id=plan.entity_id, field=conflict.field, base=_jsonable(conflict.base),
                             candidates={k: _jsonable(v) for k, v in conflict.candidates.items()},
                             status="open", run_id=self.run_id, created_at=now))
        # The plan is the whole intent for every planned system: an older change still waiting there
        # (a failed create of a contact since deactivated, say) must not run after it.
        if planned:
            s.execute(update(t.OutboxItem).where(
                t.OutboxItem.entity_id == plan.entity_id, t.OutboxItem.system.in_(planned),
                t.OutboxItem.status.in_(("pending", "failed"))).values(status="superseded", updated_at=now))
        for change in plan.changes:
            s.add(self._outbox_row(change, now))
        display = plan.base.get("full_name") or plan.base.get("email")
        # planned without some system (its scan failed, or it has not been read yet): plan again later
        incomplete = bool(set(self.systems) - planned)
        s.execute(update(t.Entity).where(t.Entity.id == plan.entity_id).values(
            dirty=incomplete, updated_at=now, display_name=str(display) if display else None,
            deleted_at=now if plan.deleted else None))

    def _outbox_row(self, change: ChangeSet, now: datetime) -> t.OutboxItem:
        fields = {name: {"old": _jsonable(change.old.get(name)), "new": _jsonable(value),
                         "rule": change.rules.get(name, "")} for name, value in change.values.items()}
        return t.OutboxItem(
            run_id=self.run_id, entity_id=change.entity_id, system=change.system, operation=change.op.value,
            remote_id=change.remote_id, company_id=change.company_id, fields=fields,
            status="parked" if change.problem else "pending", last_error=change.problem, attempts=0,
            created_at=now, updated_at=now)

    # --- write --------------------------------------------------------------------------------

    def due_changes(self, system: str) -> list[PendingChange]:
        s, now = self.session, _now()
        rows = s.scalars(select(t.OutboxItem).where(
            t.OutboxItem.system == system,
            or_(t.OutboxItem.status.in_(("pending", "in_flight")),
                and_(t.OutboxItem.status == "failed", t.OutboxItem.next_attempt_at.is_not(None),
                     t.OutboxItem.next_attempt_at <= now)),
        ).order_by(t.OutboxItem.id)).all()
        attempted_creates = {eid for (eid,) in s.execute(select(t.OutboxItem.entity_id).where(
            t.OutboxItem.system == system, t.OutboxItem.operation == "create", t.OutboxItem.attempts > 0))}
        out: list[PendingChange] = []
        for row in rows:
            current = None
            if row.remote_id:
                record = s.scalar(select(t.RemoteRecordRow).where(t.RemoteRecordRow.system == system,
                                                                  t.RemoteRecordRow.remote_id == row.remote_id))
                current = _record_from_row(record) if record is not None else None
            values = {k: (tuple(v["new"]) if isinstance(v["new"], list) else v["new"]) for k, v in row.fields.items()}
            out.append(PendingChange(
                outbox_id=row.id, entity_id=row.entity_id, system=system, op=Op(row.operation), values=values,
                company_id=row.company_id, current=current,
                interrupted=row.operation == "create" and row.entity_id in attempted_creates))
        return out

    def begin_change(self, change: PendingChange) -> None:
        self.session.execute(update(t.OutboxItem).where(t.OutboxItem.id == change.outbox_id).values(
            status="in_flight", attempts=t.OutboxItem.attempts + 1, updated_at=_now()))
        self.session.commit()

    def applied(self, change: PendingChange, outcome: Outcome) -> None:
        s, now = self.session, _now()
        record = outcome.record
        s.execute(update(t.OutboxItem).where(t.OutboxItem.id == change.outbox_id).values(
            status="applied", last_error=None, updated_at=now,
            remote_id=record.remote_id if record else change.current.remote_id if change.current else None))
        if change.op is Op.DELETE and change.current is not None:
            s.execute(delete(t.Link).where(t.Link.system == change.system,
                                           t.Link.remote_id == change.current.remote_id))
            s.execute(update(t.RemoteRecordRow).where(
                t.RemoteRecordRow.system == change.system,
                t.RemoteRecordRow.remote_id == change.current.remote_id).values(tombstoned_at=now))
        if record is not None:
            self._store_written(change, record, now)
        if outcome.reformatted:
            for name, value in outcome.reformatted.items():
                s.execute(update(t.FieldBase).where(t.FieldBase.entity_id == change.entity_id,
                                                    t.FieldBase.field == name)
                          .values(value=_jsonable(value), updated_at=now, run_id=self.run_id))
            self._mark_dirty([change.entity_id])
        s.commit()

    def _store_written(self, change: PendingChange, record: RemoteRecord, now: datetime) -> None:
        s = self.session
        digest = content_hash(record.contact)
        values = {"fields": _contact_json(record.contact), "raw": clean_json(record.raw), "content_hash": digest,
                  "company_id": record.company_id, "external_key": record.external_key,
                  "remote_updated_at": record.remote_updated_at, "last_seen_at": now, "changed_at": now,
                  "tombstoned_at": None}
        existing = s.scalar(select(t.RemoteRecordRow.id).where(t.RemoteRecordRow.system == record.system,
                                                               t.RemoteRecordRow.remote_id == record.remote_id))
        if existing is None:
            s.execute(insert(t.RemoteRecordRow).values(system=record.system, remote_id=record.remote_id,
                                                       first_seen_at=now, **values))
        else:
            s.execute(update(t.RemoteRecordRow).where(t.RemoteRecordRow.id == existing).values(**values))
        link = s.scalar(select(t.Link).where(t.Link.system == record.system, t.Link.remote_id == record.remote_id))
        read_back = _snapshot(record.contact)
        if link is None:
            held = s.scalar(select(t.Link.remote_id).where(t.Link.entity_id == change.entity_id,
                                                          t.Link.system == record.system))
            if held is not None:
                # Never expected (creates are guarded), but never a crash: the new record stays unlinked,
                # and the reconciler sends the pair to review as two records of one system.
                log.error("a create made a second copy of a linked contact; left unlinked for review",
                          connector=record.system, entity=change.entity_id, linked=held, created=record.remote_id)
                return
            s.add(t.Link(entity_id=change.entity_id, system=record.system, remote_id=record.remote_id,
                         linked_by="syncd", confidence=1.0, reasons={"created_by": "syncd"}, created_at=now,
                         synced_fields=read_back, synced_hash=digest))
            return
        # Only the fields we wrote are agreed now. The read-back may also carry someone else's edit made
        # since the last scan: that must stay a change, not be swallowed as an echo of our own write.
        snapshot = dict(link.synced_fields or read_back)
        for name in change.values:
            if name in read_back:
                snapshot[name] = read_back[name]
        link.synced_fields = snapshot
        link.synced_hash = digest if snapshot == read_back else None

    def retry_later(self, change: PendingChange, error: str, *, count_attempt: bool = True) -> None:
        row = self.session.get(t.OutboxItem, change.outbox_id)
        if row is None:
            return
        attempts = row.attempts if count_attempt else max(0, row.attempts - 1)
        delay = min(_RETRY_MAX, _RETRY_BASE * (2 ** max(0, attempts - 1)))
        row.status, row.last_error, row.attempts = "failed", error[:2000], attempts
        row.next_attempt_at, row.updated_at = _now() + delay, _now()
        self.session.commit()

    def park(self, change: PendingChange, reason: str) -> None:
        self.session.execute(update(t.OutboxItem).where(t.OutboxItem.id == change.outbox_id).values(
            status="parked", last_error=reason[:2000], updated_at=_now()))
        self.session.commit()

    def record_gone(self, change: PendingChange, reason: str) -> None:
        """The target record vanished under us: no retry; the next scan tells the planner the truth."""
        self.session.execute(update(t.OutboxItem).where(t.OutboxItem.id == change.outbox_id).values(
            status="failed", last_error=reason[:2000], next_attempt_at=None, updated_at=_now()))
        self._mark_dirty([change.entity_id])
        self.session.commit()

    def backlogs(self) -> tuple[int, int]:
        s = self.session
        reviews = s.scalar(select(func.count()).select_from(t.ReviewItem).where(t.ReviewItem.status == "open"))
        conflicts = s.scalar(select(func.count()).select_from(t.Conflict).where(t.Conflict.status == "open"))
        return int(reviews or 0), int(conflicts or 0)
