"""PostgreSQL advisory locks, one per connector: whoever holds a connector's lock is the one polling it.

Every cycle also plans and writes for *all* systems, so a cycle holds one more lock, :data:`WRITE_PASS`:
two replicas polling different connectors never plan and write the same entities at once (which would
apply a change twice).

The daemon tries them (a replica that does not get one skips that poll); ``syncd --reconcile`` waits for
them, so a hand-run cycle and a running daemon never act on the same system at once. On SQLite there is
a single writer anyway, and these are no-ops.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterable, Iterator

from sqlalchemy import text

from syncd.store.repository import Store

__all__ = ["WRITE_PASS", "connector_locks", "lock_key"]

#: the lock of the reconcile-plan-write pass (not a connector name: connector names are plain words)
WRITE_PASS = "@write-pass"  # noqa: S105 (a lock name, not a password)


def lock_key(name: str) -> int:
    return zlib.crc32(f"syncd:{name}".encode())


@contextlib.contextmanager
def connector_locks(store: Store, names: Iterable[str], *, wait: bool) -> Iterator[bool]:
    """Hold the locks of ``names`` and of the write pass for the block; yields False (holding none) when
    ``wait`` is off and one of them is taken."""
    if not store.is_postgres:
        yield True
        return
    keys = sorted({lock_key(n) for n in (*names, WRITE_PASS)})
    with store.engine.connect() as connection:
        held: list[int] = []
        try:
            for key in keys:
                if wait:
                    connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
                elif not connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                    break
                held.append(key)
            acquired = len(held) == len(keys)
            if not acquired:  # all or nothing: give back what was taken before yielding False
                for key in held:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                held.clear()
            yield acquired
        finally:
            for key in held:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()
