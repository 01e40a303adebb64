"""Flowtrac for the shared contract suite: the connector against its simulator over loopback HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from syncd.connectors.flowtrac import FlowtracConnector, FlowtracSettings
from syncd.model import Contact
from syncd.sandbox.flowtrac import FlowtracSandbox
from syncd.sandbox.serve import serve_in_thread

COMPANY = "Acme Freight"


@contextlib.asynccontextmanager
async def make(seed_contacts: Sequence[Contact] = (), **settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    sandbox = FlowtracSandbox(seed_contacts=seed_contacts, cookie_name=settings.pop("sandbox_cookie", "flow_auth"))
    with serve_in_thread(sandbox.app) as url:
        creds = sandbox.credentials
        options = {"badge": creds.badge, "pin": creds.pin, "rate_limit": 1000, "burst": 100, **settings}
        connector = FlowtracConnector("flowtrac", FlowtracSettings(base_url=f"{url}/api", **options))
        yield connector, sandbox


def company_id(sandbox: FlowtracSandbox) -> str | None:
    return sandbox.account_for(COMPANY)
