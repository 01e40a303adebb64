"""Reading for admins: the overview of every connector and backlog, people search, one person's page.

Reads only. Search works the same on SQLite and PostgreSQL: names and emails are looked for in the store's
own text (the JSON of each record, as each database writes it), phone numbers by their digits, since each
vendor spaces them its own way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from syncd.engine.admin_outbox import OutboxAdmin
from syncd.errors import SyncdError
from syncd.model import CANONICAL_FIELDS, PHONE_FIELDS
from syncd.store import tables as t

__all__ = ["PeopleAdmin"]

#: as the daemon backs off: a failing connector's interval doubles per failure, up to this many times
BACKOFF_CAP = 16
_WRITES = ("created", "updated", "deactivated", "reactivated", "deleted")


class PeopleError(SyncdError):
    """A person or page asked for does not exist."""


def _now() -> datetime:
    return datetime.now(UTC)


def _digits(value: Any) -> str:
    return re.sub(r"\D", "", str(value or ""))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass
class PeopleAdmin(OutboxAdmin):

    # --- overview -----------------------------------------------------------------------------

    def overview(self, connectors: Mapping[str, Any], runs: int = 30) -> dict[str, Any]:
        """Each connector's health, the backlogs and the recent runs (oldest first, for a chart)."""
        now = _now()
        with self._session() as s:
            cursors = {c.system: c for c in s.scalars(select(t.ScanCursor))}
            recent = list(s.scalars(select(t.SyncRun).order_by(t.SyncRun.id.desc()).limit(runs)))
            reviews = s.scalar(select(func.count()).select_from(t.ReviewItem).where(t.ReviewItem.status == "open"))
            conflicts = s.scalar(select(func.count()).select_from(t.Conflict).where(t.Conflict.status == "open"))
            entities = s.scalar(select(func.count()).select_from(t.Entity).where(t.Entity.deleted_at.is_(None)))
        health = []
        for name in sorted(set(connectors) | set(cursors)):
            cfg, cursor = connectors.get(name), cursors.get(name)
            failures = cursor.consecutive_failures if cursor else 0
            last = cursor.last_success_at if cursor else None
            age = (now - last).total_seconds() if last else None
            interval = float(cfg.poll_interval) if cfg is not None else None
            staleness = float(cfg.max_staleness) if cfg is not None else None
            health.append({
                "system": name, "enabled": cfg is not None, "last_success_at": last,
                "last_started_at": cursor.last_started_at if cursor else None, "age_seconds": age,
                "records": cursor.record_count if cursor else None, "failures": failures,
                "last_error": cursor.last_error if cursor else None,
                "last_write_error": getattr(cursor, "last_write_error", None) if cursor else None,
                "poll_interval": interval,
                "backoff_seconds": interval * min(BACKOFF_CAP, 2 ** failures) if interval and failures else None,
                "ready": bool(age is not None and staleness is not None and age < staleness and not failures),
            })
        outbox = self.counts()
        return {
            "entities": int(entities or 0), "connectors": health,
            "backlogs": {"review": int(reviews or 0), "conflicts": int(conflicts or 0),
                         "parked": outbox.get("parked", 0) + outbox.get("held", 0),
                         "failed": outbox.get("failed", 0),
                         "pending": outbox.get("pending", 0) + outbox.get("in_flight", 0)},
            "runs": [self._run(r) for r in reversed(recent)],
        }

    @staticmethod
    def _run(run: t.SyncRun) -> dict[str, Any]:
        stats = run.stats if isinstance(run.stats, dict) else {}
        systems = stats.get("systems") or {}
        writes = sum(int(v.get(k) or 0) for v in systems.values() for k in _WRITES)
        failed = sum(int(v.get("failed") or 0) for v in systems.values())
        parked = sum(int(v.get("parked") or 0) for v in systems.values())
        duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
        return {"id": run.id, "kind": run.kind, "status": run.status, "started_at": run.started_at,
                "finished_at": run.finished_at, "seconds": duration, "writes": writes, "failed": failed,
                "parked": parked, "error": run.error}

    # --- people -------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[dict[str, Any]]:
        """People whose name, email or phone (in any system's copy) holds ``query``."""
        text = query.strip()
        if len(text) < 2:
            return []
        with self._session() as s:
            entity_ids: list[str] = []
            digits = _digits(text)
            if len(digits) >= 5 and len(digits) >= len(re.sub(r"[\s+()./-]", "", text)) - 1:
                entity_ids = self._by_phone(s, digits, limit)
            else:
                as_json = json.dumps(text)[1:-1]  # SQLite keeps JSON ASCII-escaped ("K\u00f6hler")
                fields = cast(t.RemoteRecordRow.fields, String)
                records = (select(t.Link.entity_id).join(t.RemoteRecordRow, (t.RemoteRecordRow.system == t.Link.system)
                                                         & (t.RemoteRecordRow.remote_id == t.Link.remote_id))
                           .where(or_(fields.ilike(_like(text), escape="\\"),
                                      fields.ilike(_like(as_json), escape="\\"))).limit(limit * 4))
                names = select(t.Entity.id).where(t.Entity.display_name.ilike(_like(text), escape="\\")).limit(limit)
                entity_ids = list(dict.fromkeys([*s.scalars(names), *s.scalars(records)]))[:limit]
            return self._summaries(s, entity_ids)

    def _by_phone(self, s: Session, digits: str, limit: int) -> list[str]:
        found: list[str] = []
        rows = s.execute(select(t.Link.entity_id, t.RemoteRecordRow.fields).join(
            t.RemoteRecordRow, (t.RemoteRecordRow.system == t.Link.system)
            & (t.RemoteRecordRow.remote_id == t.Link.remote_id)).execution_options(yield_per=2000))
        for entity_id, fields in rows:
            if entity_id in found:
                continue
            if any(digits in _digits((fields or {}).get(name)) for name in PHONE_FIELDS):
                found.append(entity_id)
                if len(found) >= limit:
                    break
        return found

    def _summaries(self, s: Session, entity_ids: list[str]) -> list[dict[str, Any]]:
        if not entity_ids:
            return []
        entities = {e.id: e for e in s.scalars(select(t.Entity).where(t.Entity.id.in_(entity_ids)))}
        systems: dict[str, list[str]] = {}
        for entity_id, system in s.execute(select(t.Link.entity_id, t.Link.system)
                                           .where(t.Link.entity_id.in_(entity_ids))):
            systems.setdefault(entity_id, []).append(system)
        base: dict[str, dict[str, Any]] = {}
        for entity_id, name, value in s.execute(select(t.FieldBase.entity_id, t.FieldBase.field, t.FieldBase.value)
                                                .where(t.FieldBase.entity_id.in_(entity_ids),
                                                       t.FieldBase.field.in_(("email", "phone_office",
                                                                              "phone_mobile", "company")))):
            base.setdefault(entity_id, {})[name] = value
        return [{"entity": i, "name": entities[i].display_name, "systems": sorted(systems.get(i, [])),
                 "email": base.get(i, {}).get("email"), "company": base.get(i, {}).get("company"),
                 "phone": base.get(i, {}).get("phone_office") or base.get(i, {}).get("phone_mobile"),
                 "deleted": entities[i].deleted_at is not None}
                for i in entity_ids if i in entities]

    def person(self, entity_id: str) -> dict[str, Any]:
        """One person: the agreed values (where and when each was written), each system's copy, the timeline."""
        with self._session() as s:
            entity = s.get(t.Entity, entity_id)
            if entity is None:
                raise PeopleError(f"there is no person (entity) {entity_id}")
            agreed = {b.field: b for b in s.scalars(select(t.FieldBase).where(t.FieldBase.entity_id == entity_id))}
            links = list(s.scalars(select(t.Link).where(t.Link.entity_id == entity_id).order_by(t.Link.system)))
            copies = []
            for link in links:
                record = s.scalar(select(t.RemoteRecordRow).where(t.RemoteRecordRow.system == link.system,
                                                                  t.RemoteRecordRow.remote_id == link.remote_id))
                copies.append({"system": link.system, "remote_id": link.remote_id, "linked_by": link.linked_by,
                               "confidence": link.confidence, "reasons": link.reasons,
                               "linked_at": link.created_at,
                               "fields": dict(record.fields or {}) if record else {},
                               "company_id": record.company_id if record else None,
                               "changed_at": record.changed_at if record else None,
                               "remote_updated_at": record.remote_updated_at if record else None,
                               "last_seen_at": record.last_seen_at if record else None,
                               "gone": bool(record is None or record.tombstoned_at)})
            values = [{"field": name, "value": agreed[name].value, "source": getattr(agreed[name], "source", None),
                       "updated_at": agreed[name].updated_at, "run_id": agreed[name].run_id}
                      for name in CANONICAL_FIELDS if name in agreed and agreed[name].value not in (None, "", [])]
            return {"entity": entity_id, "name": entity.display_name, "created_at": entity.created_at,
                    "deleted_at": entity.deleted_at, "agreed": values, "copies": copies,
                    "timeline": self._timeline(s, entity_id, links)}

    def _timeline(self, s: Session, entity_id: str, links: list[t.Link]) -> list[dict[str, Any]]:
        """What happened to this person, newest first: writes (with rule and run), links, admins' decisions."""
        events: list[dict[str, Any]] = []
        for link in links:
            how = link.linked_by if link.linked_by != "matcher" else f"matcher ({link.confidence or 0:.2f})"
            events.append({"at": link.created_at, "kind": "link", "system": link.system,
                           "what": f"{link.system}:{link.remote_id} linked", "by": how, "run_id": None})
        for row in s.scalars(select(t.OutboxItem).where(t.OutboxItem.entity_id == entity_id)
                             .order_by(t.OutboxItem.id)):
            changes = [{"field": name, "old": v.get("old"), "new": v.get("new"), "rule": v.get("rule")}
                       for name, v in (row.fields or {}).items() if isinstance(v, dict)]
            events.append({"at": row.updated_at, "kind": "change", "system": row.system,
                           "what": f"{row.operation} in {row.system}: {row.status}", "status": row.status,
                           "changes": changes, "error": row.last_error, "run_id": row.run_id,
                           "by": f"retried by {row.retried_by}" if row.retried_by else "syncd", "id": row.id})
        keys = [(link.system, link.remote_id) for link in links]
        decided = select(t.ReviewItem).where(t.ReviewItem.decided_by.is_not(None), or_(
            t.ReviewItem.candidate == f"entity:{entity_id}",
            *[(t.ReviewItem.system == sy) & (t.ReviewItem.remote_id == rid) for sy, rid in keys]))
        for item in s.scalars(decided):
            verb = {"accepted": "same person", "rejected": "kept apart"}.get(item.status, item.status)
            events.append({"at": item.decided_at, "kind": "decision", "system": item.system,
                           "what": f"{item.system}:{item.remote_id} and {item.candidate}: {verb}",
                           "by": item.decided_by, "run_id": None})
        for conflict in s.scalars(select(t.Conflict).where(t.Conflict.entity_id == entity_id)):
            shown = ", ".join(f"{k} {v!r}" for k, v in (conflict.candidates or {}).items())
            events.append({"at": conflict.created_at, "kind": "conflict", "system": None,
                           "what": f"conflict on {conflict.field}: {shown}", "by": "syncd", "run_id": conflict.run_id})
            if conflict.status == "resolved":
                value = (conflict.resolution or {}).get("value") if isinstance(conflict.resolution, dict) else None
                events.append({"at": conflict.resolved_at, "kind": "decision", "system": None,
                               "what": f"conflict on {conflict.field} resolved: {value!r}",
                               "by": conflict.resolved_by or (conflict.resolution or {}).get("by"), "run_id": None})
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(events, key=lambda e: e["at"] or epoch, reverse=True)
