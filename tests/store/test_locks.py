"""Replicas on PostgreSQL: advisory locks let exactly one process poll a connector, and run one cycle at a time."""

from __future__ import annotations

from sqlalchemy import func, select

from syncd.config import Settings
from syncd.daemon import Daemon
from syncd.store import tables as t
from syncd.store.locks import connector_locks
from syncd.store.repository import Store


def runs(store: Store) -> int:
    with store.session_factory() as s:
        return int(s.scalar(select(func.count()).select_from(t.SyncRun)) or 0)


async def test_a_connector_held_elsewhere_is_not_polled(store: Store) -> None:
    settings = Settings(database={"url": store.url}, server={"enabled": False},
                        connectors={"m1": {"type": "memory"}, "m2": {"type": "memory"}})
    daemon = Daemon(settings, store, None)
    other = Store(store.url)  # a second "replica": its own connections
    try:
        with connector_locks(other, ["m1"], wait=False) as held:
            assert held
            await daemon.poll("m1")
            # the other replica's cycle holds the write pass too: no second cycle plans the same entities
            await daemon.poll("m2")
            expected = 0 if store.is_postgres else 2  # SQLite: a single writer, no locks needed
            assert runs(store) == expected
            with connector_locks(store, ["m1"], wait=False) as second:
                assert second is (not store.is_postgres)
        await daemon.poll("m1")
        assert runs(store) == expected + 1
    finally:
        other.dispose()
