"""The in-memory connector for the shared contract suite."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from syncd.connectors.memory import MemoryConnector, MemorySettings
from syncd.model import Contact

COMPANY = "Acme Freight"
READINGS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {"reference": ({}, {})}


@contextlib.asynccontextmanager
async def make(seed_contacts: Sequence[Contact] = (), reading: str = "reference",
               **_: Any) -> AsyncIterator[tuple[MemoryConnector, Any]]:
    connector = MemoryConnector("memory", MemorySettings(can_delete=True, needs_company=True))
    for contact in seed_contacts:
        connector.store.put(contact, company_id="c1")
    yield connector, connector.store


def company_id(sandbox: Any) -> str | None:
    return "c1"
