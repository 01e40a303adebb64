"""Alembic environment: the URL comes from syncd (``config.attributes['url']``) or ``-x url=...``."""

from __future__ import annotations

from alembic import context

from syncd.store.repository import create_store_engine
from syncd.store.tables import Base

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
        context.run_migrations()
    connection.commit()
engine.dispose()
