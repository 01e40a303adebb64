"""The store: one SQLAlchemy engine and its sessions. The engine's unit of work is in
:mod:`syncd.engine.state`; the admin's in :mod:`syncd.engine.admin`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Store", "create_store_engine", "default_sqlite_url", "prepare_sqlite_file"]


def default_sqlite_url(cwd: Path | None = None) -> str:
    return f"sqlite:///{(cwd or Path.cwd()).resolve() / 'syncd.db'}"


def prepare_sqlite_file(url: str) -> None:
    """Create the SQLite file (and its folder) with owner-only permissions before first use."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_store_engine(url: str) -> Engine:
    if make_url(url).drivername.startswith("sqlite"):
        prepare_sqlite_file(url)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """The database behind syncd. ``session_factory()`` opens a session; commit explicitly."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url)
        self.session_factory: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def dispose(self) -> None:
        self.engine.dispose()
