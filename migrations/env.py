"""Alembic environment: the URL comes from syncd (``config.attributes['url']``) or ``-x url=...``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from syncd.store.repository import create_store_engine
from syncd.store.tables import Base

#: PostgreSQL advisory lock key of the schema migration (any fixed number no other lock uses)
MIGRATION_LOCK = 0x5953_4E43

config = context.config
url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
if not url:
    from syncd.store.repository import default_sqlite_url

    url = default_sqlite_url()

engine = create_store_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # replicas starting together: one migrates, the others wait and then find nothing to do
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()
    connection.commit()
engine.dispose()
