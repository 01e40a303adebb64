"""The real ITFlow for the shared contract suite (``tests/live/``): seeded through the connector itself,
and every contact a test made deleted at the end (a real ITFlow keeps what tests leave behind)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from syncd.model import Contact

from .itflow_target import Target, live

COMPANY = "Acme Freight"
#: the contract suite's own mailboxes: removed before a run, in case an interrupted run left them
_SUITE_EMAILS = ("katherine.johnson@langley.example", "kj@nasa.example")


class _Sandbox:
    """What the suite asks of a sandbox: the client id, and the rows for counting."""

    def __init__(self, target: Target) -> None:
        self.target = target

    def rows(self) -> list[dict[str, Any]]:
        import httpx

        answer = httpx.get(f"{self.target.url}/api/v1/contacts/read.php",
                           params={"api_key": self.target.keys["admin"], "limit": "100000"}, timeout=30).json()
        return list(answer.get("data") or [])


@contextlib.asynccontextmanager
async def make(seed_contacts: Sequence[Contact] = (), **settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    async with live() as target:
        connector = target.connector(**settings)
        for email in (*_SUITE_EMAILS, *(c.email for c in seed_contacts if c.email)):
            for record in await connector.find(external_key=None, email=email):
                target.made.add(record.remote_id)
        await target.cleanup()
        for contact in seed_contacts:
            values = {k: v for k, v in contact.as_dict().items()
                      if k in connector.schema.fields and v not in (None, ())}
            record = await connector.create(values, company_id=target.clients[COMPANY], external_key=None)
            target.made.add(record.remote_id)
        original_create = connector.create

        async def create(values: Any, *, company_id: str | None, external_key: str | None) -> Any:
            record = await original_create(values, company_id=company_id, external_key=external_key)
            target.made.add(record.remote_id)
            return record

        connector.create = create  # type: ignore[method-assign]
        try:
            yield connector, _Sandbox(target)
        finally:
            await connector.aclose()


def company_id(sandbox: _Sandbox) -> str | None:
    return sandbox.target.clients[COMPANY]
