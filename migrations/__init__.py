"""Alembic migrations of the syncd store (installed as ``syncd.migrations``)."""
