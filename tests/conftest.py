"""Shared fixtures: a migrated store on SQLite, and on PostgreSQL when SYNCD_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from syncd.store import migrate
from syncd.store.repository import Store

PG_URL = os.environ.get("SYNCD_TEST_DATABASE_URL")


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a fresh SQLite file, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'syncd.db'}"
    if not PG_URL:
        pytest.skip("SYNCD_TEST_DATABASE_URL is not set (CI sets it)")
    reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    migrate.upgrade(db_url)
    store = Store(db_url)
    yield store
    store.dispose()
