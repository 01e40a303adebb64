"""One lock per key, for writes that must never overlap (ITFlow creates of one email in one client).

ITFlow checks for a duplicate email before it inserts, with no unique index behind the check: two
creates of one mailbox in one client that overlap both pass it. Holding a lock per (client, folded email)
around the create and its read-back makes the second one see the first. A lock is dropped when nobody
holds or waits for it, so the table stays as small as the writes in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable

__all__ = ["KeyedLocks"]


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
