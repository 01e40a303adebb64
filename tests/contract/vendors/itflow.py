"""ITFlow for the shared contract suite: the connector against its simulator over loopback HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from syncd.connectors.itflow import ITFlowConnector, ITFlowSettings
from syncd.model import Contact
from syncd.sandbox.itflow import ITFlowSandbox
from syncd.sandbox.serve import serve_in_thread

COMPANY = "Acme Freight"


@contextlib.asynccontextmanager
async def make(seed_contacts: Sequence[Contact] = (), **settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    sandbox = ITFlowSandbox(seed_contacts=seed_contacts)
    sandbox.client_for(COMPANY)
    with serve_in_thread(sandbox.app) as url:
        options = {"api_key": sandbox.credentials.api_key, "allow_hard_delete": True, "rate_limit": 1000,
                   "burst": 100, **settings}
        connector = ITFlowConnector("itflow", ITFlowSettings(base_url=url, **options))
        yield connector, sandbox


def company_id(sandbox: ITFlowSandbox) -> str | None:
    return str(sandbox.client_for(COMPANY))
