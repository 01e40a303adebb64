"""The store on SQLite and PostgreSQL: migrations equal the models, constraints hold, times stay UTC."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from syncd.errors import StoreError
from syncd.store import migrate
from syncd.store import tables as t
from syncd.store.repository import Store, create_store_engine


def test_the_migrations_produce_exactly_the_models_schema(db_url: str) -> None:
    migrate.upgrade(db_url)
    engine = create_store_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, t.Base.metadata)
    engine.dispose()
    assert diffs == []


def test_an_empty_store_is_refused_with_the_command_to_run(db_url: str) -> None:
    with pytest.raises(StoreError, match="syncd db upgrade"):
        migrate.check_current(db_url)
    migrate.upgrade(db_url)
    migrate.check_current(db_url)
    assert migrate.current_revision(db_url) == migrate.head_revision()


def test_upgrading_twice_is_harmless(db_url: str) -> None:
    migrate.upgrade(db_url)
    migrate.upgrade(db_url)
    assert migrate.current_revision(db_url) == migrate.head_revision()


def _entity(s: object, now: datetime) -> t.Entity:
    entity = t.Entity(created_at=now, updated_at=now)
    s.add(entity)  # type: ignore[attr-defined]
    s.flush()  # type: ignore[attr-defined]
    return entity


def test_one_record_per_system_per_entity(store: Store) -> None:
    now = datetime.now(UTC)
    with store.session_factory() as s:
        entity = _entity(s, now)
        s.add(t.Link(entity_id=entity.id, system="itflow", remote_id="1", linked_by="matcher", created_at=now))
        s.commit()
        s.add(t.Link(entity_id=entity.id, system="itflow", remote_id="2", linked_by="matcher", created_at=now))
        with pytest.raises(IntegrityError):
            s.commit()
        s.rollback()
        other = _entity(s, now)
        s.add(t.Link(entity_id=other.id, system="itflow", remote_id="1", linked_by="matcher", created_at=now))
        with pytest.raises(IntegrityError):
            s.commit()


def test_datetimes_come_back_aware_and_in_utc(store: Store) -> None:
    local = datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with store.session_factory() as s:
        run = t.SyncRun(kind="test", started_at=local, status="ok")
        s.add(run)
        s.commit()
        run_id = run.id
    with store.session_factory() as s:
        loaded = s.get(t.SyncRun, run_id)
        assert loaded is not None
        assert loaded.started_at.tzinfo is not None
        assert loaded.started_at == local
        assert loaded.started_at.utcoffset() == timedelta(0)


def test_json_values_round_trip(store: Store) -> None:
    now = datetime.now(UTC)
    with store.session_factory() as s:
        s.add(t.RemoteRecordRow(system="cirrus", remote_id="7", fields={"email": "a@b.example", "emails": ["x@y.z"],
                                                                       "active": True, "full_name": "Åsa Öberg"},
                                raw={"id": 7, "nested": {"k": None}}, content_hash="h", first_seen_at=now,
                                last_seen_at=now, changed_at=now))
        s.commit()
    with store.session_factory() as s:
        row = s.query(t.RemoteRecordRow).one()
        assert row.fields["full_name"] == "Åsa Öberg" and row.fields["emails"] == ["x@y.z"]
        assert row.raw == {"id": 7, "nested": {"k": None}}


def test_the_sqlite_file_is_created_owner_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'syncd.db'}"
    migrate.upgrade(url)
    mode = stat.S_IMODE(os.stat(tmp_path / "sub" / "syncd.db").st_mode)
    assert mode == 0o600
