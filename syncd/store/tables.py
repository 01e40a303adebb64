"""The store's tables (SQLAlchemy 2). The schema itself is created only by the alembic migrations.

Nine tables, as DESIGN.md lists them. JSON is JSONB on PostgreSQL; datetimes are always timezone-aware
UTC, on SQLite too (:class:`UTCDateTime`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Base",
    "Conflict",
    "Entity",
    "FieldBase",
    "Link",
    "OutboxItem",
    "RemoteRecordRow",
    "ReviewItem",
    "ScanCursor",
    "SyncRun",
]

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns an aware datetime (SQLite would hand back a naive one)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONType, datetime: UTCDateTime}


class RemoteRecordRow(Base):
    """The last seen content of one vendor record (canonical fields and the vendor's raw row)."""

    __tablename__ = "remote_records"
    __table_args__ = (
        UniqueConstraint("system", "remote_id", name="uq_remote_records_system_remote_id"),
        Index("ix_remote_records_system_tombstoned", "system", "tombstoned_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    system: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str] = mapped_column(String(128))
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    raw: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64))
    company_id: Mapped[str | None] = mapped_column(String(128))
    external_key: Mapped[str | None] = mapped_column(String(128))
    remote_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when syncd first saw the current content
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the last scan that still saw the previous content: without a vendor time, the change happened
    #: somewhere in (prev_seen_at, changed_at], and syncd knows no more than that
    prev_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tombstoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Entity(Base):
    """One real person."""

    __tablename__ = "entities"
    __table_args__ = (Index("ix_entities_dirty", "dirty"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    display_name: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: something changed that the planner has not looked at yet (admin decision, failed write, new link)
    dirty: Mapped[bool] = mapped_column(Boolean, default=True)


class Link(Base):
    """A record belongs to an entity. ``synced_fields`` is what the record held at the last agreement."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("system", "remote_id", name="uq_links_system_remote_id"),
        UniqueConstraint("entity_id", "system", name="uq_links_entity_system"),
        Index("ix_links_entity_id", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(String(36), ForeignKey("entities.id", ondelete="CASCADE"))
    system: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str] = mapped_column(String(128))
    synced_hash: Mapped[str | None] = mapped_column(String(64))
    synced_fields: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    remote_version: Mapped[str | None] = mapped_column(String(128))
    linked_by: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[Any | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FieldBase(Base):
    """The value last agreed for one field of one entity: the base of the three-way merge."""

    __tablename__ = "field_bases"

    entity_id: Mapped[str] = mapped_column(String(36), ForeignKey("entities.id", ondelete="CASCADE"),
                                           primary_key=True)
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[Any | None] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)
    #: the system whose edit made this value (None: unknown, e.g. a store from before syncd kept it)
    source: Mapped[str | None] = mapped_column(String(64))
    #: when that edit happened, as far as syncd knows: between edited_lo and edited_hi (equal when the
    #: vendor said; edited_lo None when it could have been any time before edited_hi)
    edited_lo: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_hi: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReviewItem(Base):
    """An uncertain match, or a stored admin decision (status accepted = same person, rejected = apart)."""

    __tablename__ = "review_items"
    __table_args__ = (
        Index("ix_review_items_status", "status"),
        Index("ix_review_items_record", "system", "remote_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # match | contradiction | decision
    system: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str] = mapped_column(String(128))
    #: "entity:<id>" or "<system>:<remote id>"
    candidate: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[Any | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class Conflict(Base):
    """A field several systems changed differently, under the manual policy."""

    __tablename__ = "conflicts"
    __table_args__ = (Index("ix_conflicts_status", "status"), Index("ix_conflicts_entity", "entity_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(String(36), ForeignKey("entities.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(32))
    base: Mapped[Any | None] = mapped_column(JSONType)
    candidates: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolution: Mapped[Any | None] = mapped_column(JSONType)
    run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: datetime.now(UTC))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the admin who decided it (console user, or ``cli:<os user>``)
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class OutboxItem(Base):
    """A planned change-set; once applied it stays as the audit of what was written, why, and when."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_system_status", "system", "status"),
        Index("ix_outbox_entity", "entity_id"),
        Index("ix_outbox_status_cause", "status", "cause"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(Integer)
    entity_id: Mapped[str] = mapped_column(String(36))
    system: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(16))  # create | update | deactivate | reactivate | delete
    remote_id: Mapped[str | None] = mapped_column(String(128))
    company_id: Mapped[str | None] = mapped_column(String(128))
    #: {field: {"old": ..., "new": ..., "rule": ...}}
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: pending | in_flight | applied | failed | parked | superseded | held
    status: Mapped[str] = mapped_column(String(16), default="pending")
    #: why a change is not done, as a kind an admin (and the console) can group by: see
    #: :class:`syncd.engine.causes.Cause`
    cause: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: datetime.now(UTC))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: datetime.now(UTC))
    #: the admin who last sent a parked or failed change back to pending, and when
    retried_by: Mapped[str | None] = mapped_column(String(100))
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    stats: Mapped[Any | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)


class ScanCursor(Base):
    """Per system: how its scans have gone."""

    __tablename__ = "scan_cursors"

    system: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_complete_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the last complete scan began: every record it saw unchanged was still unchanged then, so an edit
    #: seen by the next scan was made after this moment (the honest lower bound of an unknown edit time)
    last_complete_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    record_count: Mapped[int | None] = mapped_column(Integer)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    #: the last time writing to this system failed for the connector as a whole (credentials,
    #: permissions); cleared by the next write that succeeds
    last_write_error: Mapped[str | None] = mapped_column(Text)
    last_write_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
