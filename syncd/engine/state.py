"""The engine's unit of work on the store: what one cycle reads and writes, in the engine's terms.

Phase one (scan results, reconcile, plans) runs in one session and commits once (or rolls back for
a dry run). The writer's calls each commit on their own, so progress survives a crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from syncd.engine.causes import Cause
from syncd.engine.execute import IGNORE, Judge
from syncd.engine.mailboxes import RoleAddresses
from syncd.engine.outbox import OutboxState, PendingChange
from syncd.engine.plan import ChangeSet, Copy, EntityPlan, EntityState, Provenance
from syncd.engine.report import CycleReport
from syncd.engine.rows import adopted_snapshot
from syncd.engine.rows import aware as _aware
from syncd.engine.rows import chunks as _chunks
from syncd.engine.rows import contact_json as _contact_json
from syncd.engine.rows import from_snapshot as _from_snapshot
from syncd.engine.rows import jsonable as _jsonable
from syncd.engine.rows import now as _now
from syncd.engine.rows import snapshot as _snapshot
from syncd.engine.snapshot import ScanResult
from syncd.engine.when import When
from syncd.matching import Decisions, MatchRecord, MatchSettings, ReconcileResult
from syncd.model import (
    CANONICAL_FIELDS,
    Contact,
    FieldValue,
    RemoteRecord,
    clean_json,
    comparable,
    content_hash,
    fold_name,
)
from syncd.store import tables as t
from syncd.store.repository import Store

__all__ = ["EngineState", "PendingChange", "ScanDiff"]

log = structlog.get_logger("syncd.state")

#: outbox states of a change not done yet
UNDONE = ("pending", "in_flight", "failed", "parked", "held")
#: parked causes the planner honours: the target was found unable to hold the value (not sent again)
_UNHOLDABLE = (Cause.LOST_ON_WRITE.value, Cause.REJECTED.value)
#: states of a create that was tried and whose answer never came: the record it may have made is adopted
#: when it shows up, even after the plan stopped wanting the create (it is then deactivated, not lost)
_DOUBTFUL = ("in_flight", "failed", "held", "superseded")
#: parked causes the planner finds again by itself each time it plans the entity
_PLANNED = (Cause.NO_COMPANY.value, Cause.INVALID.value, Cause.WOULD_MANGLE.value)


def _new_values(fields: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v.get("new") for k, v in (fields or {}).items()}


def _from_json(value: Any) -> FieldValue:
    return tuple(value) if isinstance(value, list) else value


def _same_name(contact: Contact, sent: Mapping[str, FieldValue]) -> bool:
    """The record holds the name that was sent (accents, case and spacing aside)."""
    sent_full = sent.get("full_name")
    if not sent_full:
        parts = [str(sent.get(k)) for k in ("given_name", "family_name") if sent.get(k)]
        sent_full = " ".join(parts) or None
    if not sent_full:
        return True
    held = contact.full_name or " ".join(p for p in (contact.given_name, contact.family_name) if p)
    return fold_name(held) == fold_name(str(sent_full))


def _looks_sent(record: RemoteRecord, sent: Mapping[str, FieldValue], roles: RoleAddresses) -> bool:
    """Could this be the record a create made? It holds the name sent, or the personal address sent. A
    record with another name behind a shared mailbox is simply someone else's."""
    if _same_name(record.contact, sent):
        return True
    email = sent.get("email")
    return bool(email) and not roles.is_role(email) \
        and comparable("email", record.contact.email) == comparable("email", email)


def _edit_time(row: t.RemoteRecordRow, now: datetime) -> When:
    """When the record's current content was written: the vendor's time, or — where the vendor has none,
    or it could not be read — only that it happened after the last scan that saw the old content (or at
    any time before syncd first saw the record) and by the scan that saw the new one."""
    vendor = _aware(row.remote_updated_at)
    if vendor is not None and row.tombstoned_at is None:  # a deletion has no vendor time: only its window
        return When.exactly(vendor)
    seen = _aware(row.tombstoned_at) or _aware(row.changed_at) or now
    return When.between(_aware(row.prev_seen_at), seen)


def _holds(contact: Contact, sent: Mapping[str, Any]) -> bool:
    """Does this record hold every value a create sent (as the vendor keeps them)?"""
    return all(comparable(name, contact.get(name)) == comparable(name, tuple(v) if isinstance(v, list) else v)
               for name, v in sent.items() if name in CANONICAL_FIELDS)


@dataclass(frozen=True, slots=True)
class ScanDiff:
    new: int
    changed: int
    known_live: int
    vanished: set[str]


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
        self.outbox = OutboxState(self.session, self.run_id)
        self.roles = RoleAddresses()
        self._scan_since: dict[str, datetime | None] = {}

    # --- transactions -------------------------------------------------------------------------

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def finish(self, report: CycleReport, *, error: str | None) -> None:
        try:
            if self.run_id is not None:
                status = "error" if error else report.outcome
                self.session.execute(update(t.SyncRun).where(t.SyncRun.id == self.run_id).values(
                    finished_at=_now(), status=status, stats=report.as_json(), error=error))
                self.session.commit()
        finally:
            self.session.close()

    # --- snapshot -----------------------------------------------------------------------------

    def record_scan(self, result: ScanResult) -> ScanDiff:
        """Store what the scan saw: new and changed records (by normalised-content hash)."""
        s, now, system = self.session, _now(), result.system
        known = self._known(system)
        cursor = s.get(t.ScanCursor, system)
        # every record the last complete scan saw was as it saw it when that scan began: a record new or
        # changed now was written after that moment (the lower bound of an edit time the vendor does not give)
        since = cursor.last_complete_started_at if cursor is not None else None
        self._scan_since[system] = since
        new, changed = self._store_records(system, result.records, known, now, since)
        live = {rid for rid, (_, _, tomb, _) in known.items() if tomb is None}
        vanished = live - result.seen_ids if result.complete else set()
        self._update_cursor(result, now)
        return ScanDiff(new=new, changed=changed, known_live=len(live), vanished=vanished)

    def _known(self, system: str, *where: Any) -> dict[str, tuple[Any, ...]]:
        """remote id -> (row id, content hash, tombstoned at, last seen at) of the stored records."""
        rows = self.session.execute(
            select(t.RemoteRecordRow.remote_id, t.RemoteRecordRow.id, t.RemoteRecordRow.content_hash,
                   t.RemoteRecordRow.tombstoned_at, t.RemoteRecordRow.last_seen_at)
            .where(t.RemoteRecordRow.system == system, *where))
        return {remote_id: tuple(rest) for remote_id, *rest in rows}

    def _store_records(
        self, system: str, records: Iterable[RemoteRecord], known: Mapping[str, tuple[Any, ...]], now: datetime,
        since: datetime | None,
    ) -> tuple[int, int]:
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for record in records:
            digest = content_hash(record.contact)
            values = {"fields": _contact_json(record.contact), "raw": clean_json(record.raw), "content_hash": digest,
                      "company_id": record.company_id, "external_key": record.external_key,
                      "remote_updated_at": record.remote_updated_at, "last_seen_at": now}
            existing = known.get(record.remote_id)
            if existing is None:
                inserts.append({"system": system, "remote_id": record.remote_id, "first_seen_at": now,
                                "changed_at": now, "prev_seen_at": since, **values})
            elif existing[1] != digest or existing[2] is not None:
                before = max((d for d in (_aware(existing[3]), since) if d is not None), default=None)
                updates.append({"id": existing[0], "changed_at": now, "prev_seen_at": before,
                                "tombstoned_at": None, **values})
        for chunk in _chunks(inserts):
            self.session.execute(insert(t.RemoteRecordRow), chunk)
        for chunk in _chunks(updates):
            self.session.execute(update(t.RemoteRecordRow), chunk)
        return len(inserts), len(updates)

    def store_found(self, system: str, records: list[RemoteRecord]) -> tuple[int, int]:
        """Records a shifting scan skipped but a look-up (by id, or a second read) found: still there, never
        deleted. Returns how many were new and how many changed."""
        if not records:
            return 0, 0
        ids = [r.remote_id for r in records]
        known = self._known(system, t.RemoteRecordRow.remote_id.in_(ids))
        # (the scan's cursor has moved on: the lower bound of a change is still the previous scan's start)
        return self._store_records(system, records, known, _now(), self._scan_since.get(system))

    def _update_cursor(self, result: ScanResult, now: datetime) -> None:
        cursor = self.session.get(t.ScanCursor, result.system)
        if cursor is None:
            cursor = t.ScanCursor(system=result.system, consecutive_failures=0)
            self.session.add(cursor)
        cursor.last_started_at = now
        if result.complete:
            cursor.last_complete_at = now
            cursor.last_complete_started_at = result.started_at or now
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
                t.RemoteRecordRow.system == system, t.RemoteRecordRow.remote_id.in_(chunk))
                .values(tombstoned_at=now, prev_seen_at=self._scan_since.get(system)))

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
        self.roles = RoleAddresses(frozenset(settings.shared_mailboxes)) if settings.shared_mailboxes \
            else RoleAddresses()
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
        record it made appears in a later scan as a new, unlinked record holding syncd's key for the entity,
        or exactly the values sent. It is linked to the entity it was made for before the matcher sees it,
        and the create is closed: never a second copy, even when the plan no longer wants the create (the
        record is then deactivated like the rest of the person, not left behind). A record behind a shared
        mailbox could be anyone's with those values: it is held for an admin's review instead. Several
        candidates are left to the matcher (and so to review). A superseded create that a complete scan
        since showed made nothing is abandoned.
        """
        s, now = self.session, _now()
        doubtful = s.scalars(select(t.OutboxItem).where(
            t.OutboxItem.operation == "create", t.OutboxItem.attempts > 0,
            t.OutboxItem.status.in_(_DOUBTFUL))).all()
        scans = {c.system: _aware(c.last_complete_started_at) for c in s.scalars(select(t.ScanCursor))}
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
            keyed = [o for o in orphans if o.external_key == row.entity_id]
            found = keyed or [o for o in orphans if _holds(Contact.from_dict(o.fields or {}), sent)]
            scanned_since = scans.get(row.system)
            if not found and row.status == "superseded" and scanned_since is not None \
                    and scanned_since > (_aware(row.updated_at) or now):
                row.status = "abandoned"  # a complete scan after it shows it made nothing
                continue
            if len(found) != 1:
                continue
            record = found[0]
            if not keyed and self.roles.is_role((record.fields or {}).get("email")):
                # held until an admin answers; "it is this person" links it then (Admin.decide), "it is not"
                # leaves the create to the next plan
                if self._adoption_decision(row, record) is None:
                    self._hold_for_adoption(row, record, now)
                continue
            contact = Contact.from_dict(record.fields or {})
            synced = adopted_snapshot(contact, row.fields)
            s.add(t.Link(entity_id=row.entity_id, system=row.system, remote_id=record.remote_id, linked_by="syncd",
                         confidence=1.0, reasons={"adopted": "the record an unanswered create made"}, created_at=now,
                         synced_fields=synced,
                         synced_hash=record.content_hash if synced == _snapshot(contact) else None))
            row.status, row.remote_id, row.updated_at = "applied", record.remote_id, now
            row.last_error = "the create's answer was lost; the record it made was found in the next scan"
            self._mark_dirty([row.entity_id])
            sys_report = report.system(row.system)
            sys_report.created += 1
            sys_report.adopted += 1
            report.events.append(f"{row.entity_id}: {row.system} record {record.remote_id} adopted as the "
                                 "result of an unanswered create")
            log.warning("adopted the record an unanswered create made", connector=row.system,
                        entity=row.entity_id, remote_id=record.remote_id)
        s.flush()

    def _adoption_decision(self, row: t.OutboxItem, record: t.RemoteRecordRow) -> str | None:
        """An admin's answer to "is this the record the unanswered create made?", if given."""
        return self.session.scalar(select(t.ReviewItem.status).where(
            t.ReviewItem.kind == "adoption", t.ReviewItem.system == row.system,
            t.ReviewItem.remote_id == record.remote_id, t.ReviewItem.candidate == f"entity:{row.entity_id}",
            t.ReviewItem.status.in_(("accepted", "rejected"))).order_by(t.ReviewItem.id.desc()).limit(1))

    def _hold_for_adoption(self, row: t.OutboxItem, record: t.RemoteRecordRow, now: datetime) -> None:
        """Several people may hold one shared mailbox with the very values sent: an admin says whether this
        is the record the unanswered create made. Until then the matcher leaves it alone, and the create is
        held (not done: the run says so), whatever later plans want of the person."""
        s = self.session
        candidate = f"entity:{row.entity_id}"
        if row.status != "held":
            row.status, row.cause, row.updated_at = "held", Cause.REVIEW.value, now
            row.last_error = (f"the create's answer was lost; {row.system}:{record.remote_id} holds what it sent "
                              "behind a shared mailbox: held until an admin says whether it is this person")
        if s.scalar(select(t.ReviewItem.id).where(t.ReviewItem.system == row.system,
                                                  t.ReviewItem.remote_id == record.remote_id,
                                                  t.ReviewItem.candidate == candidate)) is not None:
            return
        s.add(t.ReviewItem(kind="adoption", system=row.system, remote_id=record.remote_id, candidate=candidate,
                           score=None, status="open", created_at=now,
                           reasons={"adoption": "an unanswered create may have made this record, but it holds a "
                                                "shared mailbox: is it this person?"}))

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
            if review.candidate and review.candidate.startswith("entity:"):
                dirty.add(review.candidate.removeprefix("entity:"))  # its planned create there is held now
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
        provenance: dict[str, dict[str, Provenance]] = {i: {} for i in ids}
        for agreed in s.scalars(select(t.FieldBase).where(t.FieldBase.entity_id.in_(ids))):
            bases[agreed.entity_id][agreed.field] = _from_json(agreed.value)
            hi = _aware(agreed.edited_hi) or _aware(agreed.updated_at) or now
            provenance[agreed.entity_id][agreed.field] = Provenance(
                agreed.source, When.between(_aware(agreed.edited_lo), hi))
        conflicts: dict[str, set[str]] = {}
        for entity_id, name in s.execute(select(t.Conflict.entity_id, t.Conflict.field).where(
                t.Conflict.entity_id.in_(ids), t.Conflict.status == "open")):
            conflicts.setdefault(entity_id, set()).add(name)
        unholdable: dict[str, dict[tuple[str, str], FieldValue]] = {}
        for entity_id, system, fields in s.execute(
                select(t.OutboxItem.entity_id, t.OutboxItem.system, t.OutboxItem.fields).where(
                    t.OutboxItem.entity_id.in_(ids), t.OutboxItem.status == "parked",
                    t.OutboxItem.cause.in_(_UNHOLDABLE))):
            for name, value in (fields or {}).items():
                new = tuple(value["new"]) if isinstance(value["new"], list) else value["new"]
                unholdable.setdefault(entity_id, {})[(system, name)] = comparable(name, new)
        held = self._review_held(ids)
        copies: dict[str, dict[str, Copy]] = {i: {} for i in ids}
        for link, row in s.execute(
                select(t.Link, t.RemoteRecordRow)
                .join(t.RemoteRecordRow, and_(t.RemoteRecordRow.system == t.Link.system,
                                              t.RemoteRecordRow.remote_id == t.Link.remote_id))
                .where(t.Link.entity_id.in_(ids))):
            copies[link.entity_id][link.system] = Copy(
                system=link.system, remote_id=link.remote_id, contact=Contact.from_dict(row.fields or {}),
                snapshot=_from_snapshot(link.synced_fields), when=_edit_time(row, now), company_id=row.company_id,
                gone=row.tombstoned_at is not None)
        for entity_id in ids:
            yield EntityState(entity_id, bases[entity_id], copies[entity_id], now,
                              frozenset(conflicts.get(entity_id, ())), frozenset(held.get(entity_id, ())),
                              provenance[entity_id], unholdable.get(entity_id, {}))

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

    def save_plan(self, plan: EntityPlan, state: EntityState, planned: Iterable[str]) -> list[str]:
        """Commit the agreed base, fresh snapshots, conflicts and the outbox rows of one plan. Returns the
        systems where a create whose answer was lost turned out done (its record is now linked)."""
        s, now = self.session, _now()
        planned = set(planned)
        for name, value in plan.base.items():
            prov = plan.provenance.get(name)
            if name in state.base and comparable(name, state.base[name]) == comparable(name, value) \
                    and state.base[name] == value and prov is None:
                continue
            stored = _jsonable(value)
            when = {"source": prov.source, "edited_lo": prov.when.lo, "edited_hi": prov.when.hi} if prov else {}
            if name in state.base:
                s.execute(update(t.FieldBase).where(t.FieldBase.entity_id == plan.entity_id,
                                                    t.FieldBase.field == name)
                          .values(value=stored, updated_at=now, run_id=self.run_id, **when))
            else:
                s.add(t.FieldBase(entity_id=plan.entity_id, field=name, value=stored, updated_at=now,
                                  run_id=self.run_id, **when))
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
        confirmed = self._replace_outbox(plan, state, planned, now) if planned else []
        display = plan.base.get("full_name") or plan.base.get("email")
        # planned without some system (its scan failed, or it has not been read yet): plan again later
        incomplete = bool(set(self.systems) - planned)
        s.execute(update(t.Entity).where(t.Entity.id == plan.entity_id).values(
            dirty=incomplete, updated_at=now, display_name=str(display) if display else None,
            deleted_at=now if plan.deleted else None))
        return confirmed

    def _replace_outbox(
        self, plan: EntityPlan, state: EntityState, planned: set[str], now: datetime
    ) -> list[str]:
        """The plan is the whole intent for every planned system: an older change still waiting there (a
        failed create of a contact since deactivated, say) must not run after it. What the plan finds again
        (the same change parked for the same reason) keeps its row; a value a system was found unable to
        hold stays parked while it is still the agreed value."""
        s = self.session
        waiting = s.scalars(select(t.OutboxItem).where(
            t.OutboxItem.entity_id == plan.entity_id, t.OutboxItem.system.in_(planned),
            or_(t.OutboxItem.status.in_(("pending", "failed", "parked", "held")),
                and_(t.OutboxItem.status == "superseded", t.OutboxItem.operation == "create",
                     t.OutboxItem.attempts > 0, t.OutboxItem.system.in_(list(state.copies)))))).all()
        kept: set[int] = set()
        new_rows: list[t.OutboxItem] = []
        for change in plan.changes:
            row = self._outbox_row(change, now)
            same = next((w for w in waiting if w.id not in kept and w.status == "parked" and w.cause == row.cause
                         and w.system == row.system and w.operation == row.operation
                         and _new_values(w.fields) == _new_values(row.fields)), None)
            if same is not None and change.problem is not None:
                kept.add(same.id)
            else:
                new_rows.append(row)
        confirmed: list[str] = []
        for w in waiting:
            if w.id in kept:
                continue
            if w.status == "parked" and w.cause in _UNHOLDABLE and self._still_wanted(w, plan):
                continue
            if w.status == "held" and w.system in state.review_held:
                continue  # held until the admin decides the review item that holds it
            made = self._made_by(w, state) if w.system not in confirmed else None
            if made is not None:
                w.status, w.remote_id, w.cause, w.updated_at = "applied", made, None, now
                w.last_error = "the create's answer was lost; the record it made is linked to this person now"
                confirmed.append(w.system)
                continue
            if w.operation == "create" and w.attempts and w.system in state.copies:
                # the person has a record there now: whatever this try did or did not make is settled
                w.status, w.updated_at = "abandoned", now
                continue
            if w.status == "superseded":
                continue
            w.status, w.updated_at = "superseded", now
        s.add_all(new_rows)
        return confirmed

    def _made_by(self, row: t.OutboxItem, state: EntityState) -> str | None:
        """The record an unanswered create made, if the entity now holds it (linked by the matcher or an
        admin): it appeared after the create was tried and holds what was sent."""
        copy = state.copies.get(row.system)
        if row.operation != "create" or not row.attempts or copy is None or copy.gone:
            return None
        if self.session.scalar(select(t.OutboxItem.id).where(
                t.OutboxItem.entity_id == row.entity_id, t.OutboxItem.system == row.system,
                t.OutboxItem.operation == "create", t.OutboxItem.status == "applied")) is not None:
            return None  # another try of this create is known to have made it
        first_seen = self.session.scalar(select(t.RemoteRecordRow.first_seen_at).where(
            t.RemoteRecordRow.system == row.system, t.RemoteRecordRow.remote_id == copy.remote_id))
        sent = {k: v["new"] for k, v in (row.fields or {}).items() if k not in ("company", "active")}
        seen, tried = _aware(first_seen), _aware(row.created_at)
        if seen is None or tried is None or seen < tried or not _holds(copy.contact, sent):
            return None
        return copy.remote_id

    @staticmethod
    def _still_wanted(row: t.OutboxItem, plan: EntityPlan) -> bool:
        return all(comparable(name, plan.base.get(name)) == comparable(name, _from_json(v["new"]))
                   for name, v in (row.fields or {}).items())

    def _outbox_row(self, change: ChangeSet, now: datetime) -> t.OutboxItem:
        fields = {name: {"old": _jsonable(change.old.get(name)), "new": _jsonable(value),
                         "rule": change.rules.get(name, "")} for name, value in change.values.items()}
        cause = change.cause or (Cause.INVALID if change.problem else None)
        return t.OutboxItem(
            run_id=self.run_id, entity_id=change.entity_id, system=change.system, operation=change.op.value,
            remote_id=change.remote_id, company_id=change.company_id, fields=fields,
            status="parked" if change.problem else "pending", last_error=change.problem, attempts=0,
            cause=cause.value if cause else None, created_at=now, updated_at=now)

    # --- write --------------------------------------------------------------------------------

    def adoption_judge(self, system: str, entity_id: str) -> Judge:
        """Whether a record found after an unanswered create may be taken as the one it made: it holds
        the name and personal address that were sent, is no shared mailbox, belongs to nobody else, and
        was not kept apart from this person by an admin."""
        roles = self.roles

        def judge(record: RemoteRecord, sent: Mapping[str, FieldValue]) -> str | None:
            s = self.session
            owner = s.scalar(select(t.Link.entity_id).where(t.Link.system == system,
                                                            t.Link.remote_id == record.remote_id))
            if owner is not None and owner != entity_id:
                mine = record.external_key == entity_id
                return "holds syncd's key for this person but belongs to another" if mine else (
                    "belongs to another person" if _looks_sent(record, sent, roles) else IGNORE)
            if record.external_key == entity_id:
                return None  # syncd's own key for this person: the record its create made
            if not _looks_sent(record, sent, roles) or s.scalar(select(t.ReviewItem.id).where(
                    t.ReviewItem.system == system, t.ReviewItem.remote_id == record.remote_id,
                    t.ReviewItem.candidate == f"entity:{entity_id}", t.ReviewItem.status == "rejected")):
                return IGNORE  # someone else's record (another name, and no personal address in common)
            if roles.is_role(record.contact.email):
                return f"is the shared mailbox {record.contact.email}"
            if not _same_name(record.contact, sent):
                return f"holds another name ({record.contact.display_name()!r})"
            email = sent.get("email")
            if email and comparable("email", record.contact.email) != comparable("email", email):
                return f"holds another email ({record.contact.email!r})"
            return None

        return judge

    def mark_no_company_dirty(self, resolvable: Mapping[str, Any]) -> int:
        """Entities with a create parked for want of a company whose company now has an id: plan them
        again, so the create goes out by itself. ``resolvable`` maps system -> its rules."""
        rows = self.session.execute(select(t.OutboxItem.entity_id, t.OutboxItem.system, t.OutboxItem.fields).where(
            t.OutboxItem.status == "parked", t.OutboxItem.cause == Cause.NO_COMPANY.value)).all()
        ready = []
        for entity_id, system, fields in rows:
            rules = resolvable.get(system)
            if rules is None:
                continue
            company = ((fields or {}).get("company") or {}).get("new")
            key = fold_name(str(company)) if company else ""
            if rules.default_company_id or (key and key in rules.company_ids):
                ready.append(entity_id)
        self._mark_dirty(ready)
        return len(ready)

    def outbox_backlog(self, systems: Iterable[str]) -> dict[str, dict[str, int]]:
        """system -> {"status/cause": count} for every change not done yet."""
        out: dict[str, dict[str, int]] = {}
        names = sorted(set(systems))
        if not names:
            return out
        for system, status, cause, count in self.session.execute(
                select(t.OutboxItem.system, t.OutboxItem.status, t.OutboxItem.cause, func.count())
                .where(t.OutboxItem.system.in_(names), t.OutboxItem.status.in_(UNDONE))
                .group_by(t.OutboxItem.system, t.OutboxItem.status, t.OutboxItem.cause)):
            out.setdefault(system, {})[f"{status}/{cause or 'new'}"] = int(count)
        return out

    def backlogs(self) -> tuple[int, int]:
        s = self.session
        reviews = s.scalar(select(func.count()).select_from(t.ReviewItem).where(t.ReviewItem.status == "open"))
        conflicts = s.scalar(select(func.count()).select_from(t.Conflict).where(t.Conflict.status == "open"))
        return int(reviews or 0), int(conflicts or 0)
