"""What an admin does by hand: decide review items, link and unlink, resolve conflicts, read history.

The one admin layer: the CLI (``syncd review``, ``conflicts``, ``outbox``, ...) and the console both call
these methods, so every action exists once and is recorded the same way, with who did it (``who``: the
console's user, or ``cli:<os user>``). Outbox work is in :mod:`syncd.engine.admin_outbox`, people and
the overview in :mod:`syncd.engine.admin_people`.

A decision is stored as a decided review item and always wins over the matcher in later cycles:
``accepted`` means "same person", ``rejected`` means "keep apart". Nothing is written to a vendor from
here: a decision takes effect in the next cycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from syncd.engine.admin_people import PeopleAdmin
from syncd.engine.rows import adopted_snapshot
from syncd.errors import SyncdError
from syncd.model import CANONICAL_FIELDS, Contact, comparable
from syncd.store import tables as t
from syncd.store.repository import Store

__all__ = ["Admin", "AdminError"]


class AdminError(SyncdError):
    """An admin command cannot be done as asked; the message says why."""


def _now() -> datetime:
    return datetime.now(UTC)


def parse_record_key(key: str) -> tuple[str, str]:
    system, sep, remote_id = key.partition(":")
    if not sep or not system or not remote_id:
        raise AdminError(f"{key!r} is not a record: write it as SYSTEM:ID, e.g. itflow:42")
    return system, remote_id


_WEIGHT = re.compile(r"\s*\([+-]?\d+(?:\.\d+)?\)\s*$")


def reason_texts(reasons: Any) -> list[str]:
    """The matcher's reasons as words (a stored reason is a string, or a mapping with its words under "why"),
    without the weight the matcher writes after each ("same given name (+2.6)"): items are grouped and
    filtered by what was said, not by how much it weighed in each pair."""
    if isinstance(reasons, dict):
        texts = [str(v.get("why", v)) if isinstance(v, dict) else str(v)
                 for k, v in reasons.items() if k != "score"]
    else:
        texts = [str(reasons)] if reasons else []
    return [_WEIGHT.sub("", text) for text in texts]


@dataclass
class Admin(PeopleAdmin):
    store: Store

    def _session(self) -> Session:
        return self.store.session_factory()

    # --- review -------------------------------------------------------------------------------

    def reviews(self, status: str = "open", limit: int = 200, *, system: str | None = None,
                reason: str | None = None, min_score: float | None = None,
                max_score: float | None = None) -> list[t.ReviewItem]:
        """Review items, oldest first; ``reason`` keeps those with that exact reason among theirs."""
        with self._session() as s:
            query = select(t.ReviewItem).where(t.ReviewItem.status == status)
            if system:
                query = query.where(or_(t.ReviewItem.system == system, t.ReviewItem.candidate.like(f"{system}:%")))
            if min_score is not None:
                query = query.where(t.ReviewItem.score >= min_score)
            if max_score is not None:
                query = query.where(t.ReviewItem.score <= max_score)
            items = list(s.scalars(query.order_by(t.ReviewItem.id).limit(None if reason else limit)))
        if reason:
            items = [i for i in items if reason in reason_texts(i.reasons)][:limit]
        return items

    def review_reasons(self, status: str = "open") -> dict[str, int]:
        """Each reason among the items, with how many items give it: the filters and the bulk action."""
        counts: dict[str, int] = {}
        with self._session() as s:
            for reasons in s.scalars(select(t.ReviewItem.reasons).where(t.ReviewItem.status == status)):
                for text in reason_texts(reasons):
                    counts[text] = counts.get(text, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def other_candidates(self, review_id: int) -> list[t.ReviewItem]:
        """The other open items about the same record or the same candidate."""
        with self._session() as s:
            item = s.get(t.ReviewItem, review_id)
            if item is None:
                raise AdminError(f"there is no review item {review_id}")
            record = f"{item.system}:{item.remote_id}"
            return list(s.scalars(select(t.ReviewItem).where(
                t.ReviewItem.status == "open", t.ReviewItem.id != item.id,
                or_(and_(t.ReviewItem.system == item.system, t.ReviewItem.remote_id == item.remote_id),
                    t.ReviewItem.candidate == record,
                    t.ReviewItem.candidate == item.candidate if item.candidate else false()))
                .order_by(t.ReviewItem.score.desc())))

    def blocker(self, review_id: int) -> str | None:
        """Why accepting this item would be refused as things stand (None: it can be accepted)."""
        with self._session() as s:
            item = s.get(t.ReviewItem, review_id)
            if item is None or item.status != "open":
                return None
            entity_id = self._entity_of(s, item.candidate)
            if entity_id is None:
                return None
            other = s.scalar(select(t.Link.remote_id).where(t.Link.entity_id == entity_id,
                                                           t.Link.system == item.system))
            if other is not None and other != item.remote_id:
                return (f"that person already has {item.system}:{other}: one record per system (keep apart, "
                        f"or unlink {item.system}:{other} first)")
            return None

    def decide_many(self, review_ids: Iterable[int], accept: bool, who: str = "admin") -> list[tuple[int, str]]:
        """Decide several items; each is its own transaction, and a refusal is reported, not raised."""
        results = []
        for review_id in review_ids:
            try:
                results.append((review_id, self.decide(review_id, accept, who)))
            except AdminError as exc:
                results.append((review_id, f"not done: {exc}"))
        return results

    def decide_other(self, review_id: int, target: str, who: str = "admin") -> str:
        """Neither apart nor the proposed person: the record is this other entity (or record)'s person."""
        with self._session() as s:
            item = s.get(t.ReviewItem, review_id)
            if item is None:
                raise AdminError(f"there is no review item {review_id}")
            if item.status != "open":
                raise AdminError(f"review item {review_id} was already {item.status}")
            record = f"{item.system}:{item.remote_id}"
        done = self.link(record, target, who)
        self.decide(review_id, False, who)
        return f"{done}; kept apart from {item.candidate}"

    def review(self, review_id: int) -> tuple[t.ReviewItem, dict[str, Any], dict[str, Any]]:
        """The item, its record's fields and the candidate's fields (an entity's agreed base or a record)."""
        with self._session() as s:
            item = s.get(t.ReviewItem, review_id)
            if item is None:
                raise AdminError(f"there is no review item {review_id}")
            record = self._record_fields(s, item.system, item.remote_id)
            return item, record, self._candidate_fields(s, item.candidate)

    def matcher_model(self) -> tuple[int, dict[str, Any]] | None:
        """The model the matcher trained in the latest run that matched anything: (run id, model)."""
        with self._session() as s:
            for run_id, stats in s.execute(select(t.SyncRun.id, t.SyncRun.stats).order_by(t.SyncRun.id.desc())
                                           .limit(200)):
                if isinstance(stats, dict) and isinstance(stats.get("matcher"), dict):
                    return int(run_id), stats["matcher"]
        return None

    def _record_fields(self, s: Session, system: str, remote_id: str) -> dict[str, Any]:
        row = s.scalar(select(t.RemoteRecordRow).where(t.RemoteRecordRow.system == system,
                                                       t.RemoteRecordRow.remote_id == remote_id))
        return dict(row.fields or {}) if row is not None else {}

    def _candidate_fields(self, s: Session, candidate: str | None) -> dict[str, Any]:
        if not candidate:
            return {}
        if candidate.startswith("entity:"):
            entity_id = candidate.removeprefix("entity:")
            return {name: value for name, value in s.execute(
                select(t.FieldBase.field, t.FieldBase.value).where(t.FieldBase.entity_id == entity_id))}
        system, _, remote_id = candidate.partition(":")
        return self._record_fields(s, system, remote_id)

    def decide(self, review_id: int, accept: bool, who: str = "admin") -> str:
        with self._session() as s, s.begin():
            item = s.get(t.ReviewItem, review_id)
            if item is None:
                raise AdminError(f"there is no review item {review_id}")
            if item.status != "open":
                raise AdminError(f"review item {review_id} was already {item.status}")
            item.status = "accepted" if accept else "rejected"
            item.decided_at, item.decided_by = _now(), who
            self._close_same_pair(s, item, who)
            if not accept:
                # a create held back while this was open may go ahead now
                held_for = self._entity_of(s, item.candidate)
                if held_for is not None:
                    s.execute(update(t.Entity).where(t.Entity.id == held_for).values(dirty=True))
                return f"kept apart: {item.system}:{item.remote_id} and {item.candidate}"
            entity_id = self._entity_of(s, item.candidate)
            if entity_id is None:
                entity_id = self._new_entity(s)
                if item.candidate and not item.candidate.startswith("entity:"):
                    system, remote_id = parse_record_key(item.candidate)
                    self._link(s, entity_id, system, remote_id, who)
            synced = self._adopted(s, item, entity_id) if item.kind == "adoption" else None
            self._link(s, entity_id, item.system, item.remote_id, who, synced=synced)
            return f"linked {item.system}:{item.remote_id} to entity {entity_id}"

    @staticmethod
    def _adopted(s: Session, item: t.ReviewItem, entity_id: str) -> dict[str, Any] | None:
        """The record is the one an unanswered create made: syncd agreed with it on what it sent, so what
        it holds beyond that was typed there since, and what it sent before a later change (a deactivation,
        an edit) is no edit of that system's. (The next cycle closes the held create and counts it.)"""
        create = s.scalars(select(t.OutboxItem).where(
            t.OutboxItem.entity_id == entity_id, t.OutboxItem.system == item.system,
            t.OutboxItem.operation == "create", t.OutboxItem.attempts > 0,
            t.OutboxItem.status.in_(("held", "failed", "in_flight", "superseded")))
            .order_by(t.OutboxItem.id.desc()).limit(1)).first()
        record = s.scalar(select(t.RemoteRecordRow).where(t.RemoteRecordRow.system == item.system,
                                                          t.RemoteRecordRow.remote_id == item.remote_id))
        if create is None or record is None:
            return None
        return adopted_snapshot(Contact.from_dict(record.fields or {}), create.fields)

    @staticmethod
    def _close_same_pair(s: Session, item: t.ReviewItem, who: str) -> None:
        """The matcher may have asked about one pair from both sides: one decision answers both."""
        record = f"{item.system}:{item.remote_id}"
        if not item.candidate or item.candidate.startswith("entity:"):
            return
        system, remote_id = parse_record_key(item.candidate)
        s.execute(update(t.ReviewItem).where(
            t.ReviewItem.status == "open", t.ReviewItem.id != item.id,
            or_(and_(t.ReviewItem.system == system, t.ReviewItem.remote_id == remote_id,
                     t.ReviewItem.candidate == record),
                and_(t.ReviewItem.system == item.system, t.ReviewItem.remote_id == item.remote_id,
                     t.ReviewItem.candidate == item.candidate)))
            .values(status=item.status, decided_at=item.decided_at, decided_by=who,
                    note=f"decided with review item {item.id}"))

    def _entity_of(self, s: Session, candidate: str | None) -> str | None:
        if not candidate:
            return None
        if candidate.startswith("entity:"):
            return candidate.removeprefix("entity:")
        system, remote_id = parse_record_key(candidate)
        return s.scalar(select(t.Link.entity_id).where(t.Link.system == system, t.Link.remote_id == remote_id))

    def _new_entity(self, s: Session) -> str:
        entity = t.Entity(created_at=_now(), updated_at=_now(), dirty=True)
        s.add(entity)
        s.flush()
        return str(entity.id)

    def _link(self, s: Session, entity_id: str, system: str, remote_id: str, who: str = "admin", *,
              synced: dict[str, Any] | None = None) -> None:
        if s.get(t.Entity, entity_id) is None:
            raise AdminError(f"there is no entity {entity_id}")
        if s.scalar(select(t.RemoteRecordRow.id).where(t.RemoteRecordRow.system == system,
                                                       t.RemoteRecordRow.remote_id == remote_id)) is None:
            raise AdminError(f"syncd has never seen the record {system}:{remote_id}")
        other = s.scalar(select(t.Link).where(t.Link.entity_id == entity_id, t.Link.system == system))
        if other is not None and other.remote_id != remote_id:
            raise AdminError(f"entity {entity_id} already has {system}:{other.remote_id}; unlink it first "
                             "(one record per system per entity)")
        s.execute(delete(t.Link).where(t.Link.system == system, t.Link.remote_id == remote_id))
        s.add(t.Link(entity_id=entity_id, system=system, remote_id=remote_id, linked_by="admin", confidence=1.0,
                     reasons={"decided_by": who}, created_at=_now(), synced_fields=synced))
        s.execute(update(t.Entity).where(t.Entity.id == entity_id).values(dirty=True))

    def link(self, record: str, target: str, who: str = "admin") -> str:
        system, remote_id = parse_record_key(record)
        with self._session() as s, s.begin():
            entity_id = self._entity_of(s, target if ":" in target else f"entity:{target}")
            if entity_id is None:
                entity_id = self._new_entity(s)
                other_system, other_id = parse_record_key(target)
                self._link(s, entity_id, other_system, other_id, who)
            self._link(s, entity_id, system, remote_id, who)
            s.add(t.ReviewItem(kind="decision", system=system, remote_id=remote_id, candidate=f"entity:{entity_id}",
                               score=1.0, reasons={"manual": "link"}, status="accepted", created_at=_now(),
                               decided_at=_now(), decided_by=who))
            return f"linked {record} to entity {entity_id}"

    def unlink(self, record: str, who: str = "admin") -> str:
        system, remote_id = parse_record_key(record)
        with self._session() as s, s.begin():
            link = s.scalar(select(t.Link).where(t.Link.system == system, t.Link.remote_id == remote_id))
            if link is None:
                raise AdminError(f"{record} is not linked to any entity")
            entity_id = link.entity_id
            s.delete(link)
            s.add(t.ReviewItem(kind="decision", system=system, remote_id=remote_id, candidate=f"entity:{entity_id}",
                               score=0.0, reasons={"manual": "unlink"}, status="rejected", created_at=_now(),
                               decided_at=_now(), decided_by=who))
            return f"unlinked {record} from entity {entity_id}; it will not be matched to it again"

    # --- conflicts ----------------------------------------------------------------------------

    def conflicts(self, status: str = "open", limit: int = 200) -> list[t.Conflict]:
        with self._session() as s:
            return list(s.scalars(select(t.Conflict).where(t.Conflict.status == status)
                                  .order_by(t.Conflict.id).limit(limit)))

    def conflict(self, conflict_id: int) -> t.Conflict:
        with self._session() as s:
            item = s.get(t.Conflict, conflict_id)
            if item is None:
                raise AdminError(f"there is no conflict {conflict_id}")
            return item

    def conflict_details(self, status: str = "open", limit: int = 200) -> list[dict[str, Any]]:
        """Each conflict with its person and, per competing value, where and when it was written."""
        out = []
        with self._session() as s:
            for item in s.scalars(select(t.Conflict).where(t.Conflict.status == status)
                                  .order_by(t.Conflict.id).limit(limit)):
                entity = s.get(t.Entity, item.entity_id)
                values = []
                for system, value in (item.candidates or {}).items():
                    joined = (t.Link.system == t.RemoteRecordRow.system) & \
                        (t.Link.remote_id == t.RemoteRecordRow.remote_id)
                    record = s.scalar(select(t.RemoteRecordRow).join(t.Link, joined)
                                      .where(t.Link.entity_id == item.entity_id, t.Link.system == system))
                    values.append({"system": system, "value": value,
                                   "remote_id": record.remote_id if record else None,
                                   "written_at": record.remote_updated_at if record else None,
                                   "seen_at": record.changed_at if record else None})
                out.append({"id": item.id, "entity": item.entity_id, "name": entity.display_name if entity else None,
                            "field": item.field, "base": item.base, "values": values, "created_at": item.created_at,
                            "run_id": item.run_id, "status": item.status, "resolution": item.resolution,
                            "resolved_by": item.resolved_by})
        return out

    def resolve(self, conflict_id: int, *, take: str | None, value: str | None, who: str = "admin") -> str:
        if (take is None) == (value is None):
            raise AdminError("give exactly one of --take SYSTEM or --value V")
        with self._session() as s, s.begin():
            item = s.get(t.Conflict, conflict_id)
            if item is None:
                raise AdminError(f"there is no conflict {conflict_id}")
            if item.status != "open":
                raise AdminError(f"conflict {conflict_id} is already {item.status}")
            if take is not None:
                if take not in (item.candidates or {}):
                    raise AdminError(f"{take} is not one of {', '.join(sorted(item.candidates or {}))}")
                chosen = item.candidates[take]
            else:
                chosen = value
            if item.field == "active" and isinstance(chosen, str):
                chosen = chosen.strip().lower() in ("1", "true", "yes", "active")
            stored = list(chosen) if isinstance(chosen, tuple) else chosen
            base = s.scalar(select(t.FieldBase).where(t.FieldBase.entity_id == item.entity_id,
                                                      t.FieldBase.field == item.field))
            if base is None:
                s.add(t.FieldBase(entity_id=item.entity_id, field=item.field, value=stored, updated_at=_now()))
            else:
                base.value, base.updated_at = stored, _now()
            item.status, item.resolved_at, item.resolved_by = "resolved", _now(), who
            item.resolution = {"value": stored, "by": who, "take": take}
            s.execute(update(t.Entity).where(t.Entity.id == item.entity_id).values(dirty=True))
            return f"conflict {conflict_id}: {item.field} = {chosen!r}; the next cycle writes it everywhere"

    # --- reading ------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        with self._session() as s:
            cursors = list(s.scalars(select(t.ScanCursor).order_by(t.ScanCursor.system)))
            links = dict(s.execute(select(t.Link.system, func.count()).group_by(t.Link.system)).all())
            outbox = {(system, status): n for system, status, n in s.execute(
                select(t.OutboxItem.system, t.OutboxItem.status, func.count())
                .group_by(t.OutboxItem.system, t.OutboxItem.status))}
            not_done = {(system, f"{status}/{cause or 'new'}"): n for system, status, cause, n in s.execute(
                select(t.OutboxItem.system, t.OutboxItem.status, t.OutboxItem.cause, func.count())
                .where(t.OutboxItem.status.in_(("pending", "in_flight", "failed", "parked", "held")))
                .group_by(t.OutboxItem.system, t.OutboxItem.status, t.OutboxItem.cause))}
            runs = list(s.scalars(select(t.SyncRun).order_by(t.SyncRun.id.desc()).limit(5)))
            entities = s.scalar(select(func.count()).select_from(t.Entity).where(t.Entity.deleted_at.is_(None)))
            reviews = s.scalar(select(func.count()).select_from(t.ReviewItem).where(t.ReviewItem.status == "open"))
            conflicts = s.scalar(select(func.count()).select_from(t.Conflict).where(t.Conflict.status == "open"))
            return {
                "entities": int(entities or 0),
                "review_backlog": int(reviews or 0),
                "conflict_backlog": int(conflicts or 0),
                "systems": [
                    {"system": c.system, "last_success_at": c.last_success_at, "last_error": c.last_error,
                     "write_error": c.last_write_error, "records": c.record_count,
                     "consecutive_failures": c.consecutive_failures, "linked": int(links.get(c.system, 0)),
                     "outbox": {st: n for (sy, st), n in outbox.items() if sy == c.system},
                     "not_done": {key: n for (sy, key), n in not_done.items() if sy == c.system}}
                    for c in cursors
                ],
                "runs": [{"id": r.id, "kind": r.kind, "started_at": r.started_at, "finished_at": r.finished_at,
                          "status": r.status, "error": r.error,
                          "not_done": (r.stats or {}).get("not_done", []) if isinstance(r.stats, dict) else []}
                         for r in runs],
            }

    def history(self, entity_id: str) -> dict[str, Any]:
        with self._session() as s:
            entity = s.get(t.Entity, entity_id)
            if entity is None:
                raise AdminError(f"there is no entity {entity_id}")
            links = [{"system": link.system, "remote_id": link.remote_id, "linked_by": link.linked_by,
                      "confidence": link.confidence, "reasons": link.reasons}
                     for link in s.scalars(select(t.Link).where(t.Link.entity_id == entity_id))]
            base = {name: value for name, value in s.execute(
                select(t.FieldBase.field, t.FieldBase.value).where(t.FieldBase.entity_id == entity_id))}
            changes = [{"id": o.id, "run_id": o.run_id, "system": o.system, "operation": o.operation,
                        "status": o.status, "fields": o.fields, "error": o.last_error, "at": o.updated_at}
                       for o in s.scalars(select(t.OutboxItem).where(t.OutboxItem.entity_id == entity_id)
                                          .order_by(t.OutboxItem.id))]
            ordered = {k: base[k] for k in CANONICAL_FIELDS if k in base and comparable(k, base[k]) is not None}
            return {"entity": entity_id, "display_name": entity.display_name, "agreed": ordered, "links": links,
                    "changes": changes}
