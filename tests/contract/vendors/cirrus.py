"""Cirrus 2 for the shared contract suite: the connector against its simulator over loopback HTTP (OAuth2)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from syncd.connectors.cirrus import CirrusConnector, CirrusSettings
from syncd.model import Contact
from syncd.sandbox.cirrus import CirrusSandbox
from syncd.sandbox.serve import serve_in_thread

COMPANY = "Acme Freight"


@contextlib.asynccontextmanager
async def make(seed_contacts: Sequence[Contact] = (), **settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    sandbox = CirrusSandbox(seed_contacts=seed_contacts, token_lifetime=settings.pop("token_lifetime", 3600))
    sandbox.account_for(COMPANY)
    creds = sandbox.credentials
    with serve_in_thread(sandbox.app) as url:
        options = {"client_id": creds.client_id, "client_secret": creds.client_secret, "rate_limit": 1000,
                   "burst": 100, **settings}
        yield CirrusConnector("cirrus", CirrusSettings(base_url=url, **options)), sandbox


def company_id(sandbox: CirrusSandbox) -> str | None:
    return str(sandbox.account_for(COMPANY))
