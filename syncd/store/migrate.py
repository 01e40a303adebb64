"""Alembic, driven from code: upgrade the store, or check that it is current."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from syncd.errors import StoreError
from syncd.store.repository import create_store_engine

__all__ = ["alembic_config", "check_current", "current_revision", "head_revision", "upgrade"]


def _script_location() -> str:
    source_tree = Path(__file__).resolve().parents[2] / "migrations"
    if (source_tree / "env.py").exists():
        return str(source_tree)
    return str(resources.files("syncd.migrations"))


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", _script_location())
    config.attributes["url"] = url
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open the store: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    try:
        command.upgrade(alembic_config(url), revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the store: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from None


def check_current(url: str) -> None:
    current, head = current_revision(url), head_revision()
    if current != head:
        raise StoreError(f"the store is at revision {current or 'none (empty)'}, this syncd needs {head}: "
                         "run `syncd db upgrade`")
