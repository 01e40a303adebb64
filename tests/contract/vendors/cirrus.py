"""Cirrus 2 for the shared contract suite: the connector against its simulator over loopback HTTP.

Readings: X-Fields masks applied to the whole response as flask-restx does, to each item only, or not at
all; OAuth2 bearer tokens or a static X-Token.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from syncd.connectors.cirrus import CirrusConnector, CirrusSettings
from syncd.model import Contact
from syncd.sandbox.cirrus import CirrusSandbox
from syncd.sandbox.serve import serve_in_thread

COMPANY = "Acme Freight"
READINGS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "restx-masks": ({"mask_mode": "restx"}, {}),
    "item-masks": ({"mask_mode": "items"}, {}),
    "no-masks": ({"mask_mode": "ignore"}, {}),
    "x-token": ({"mask_mode": "restx"}, {"x_token": True}),
}


@contextlib.asynccontextmanager
async def make(seed_contacts: Sequence[Contact] = (), reading: str = "restx-masks",
               **settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    sim_options, connector_options = READINGS[reading]
    sandbox = CirrusSandbox(seed_contacts=seed_contacts, token_lifetime=settings.pop("token_lifetime", 3600),
                            mask_mode=settings.pop("sandbox_mask_mode", sim_options["mask_mode"]))
    sandbox.account_for(COMPANY)
    creds = sandbox.credentials
    with serve_in_thread(sandbox.app) as url:
        if connector_options.get("x_token"):
            auth: dict[str, Any] = {"x_token": creds.x_token}
        else:
            auth = {"client_id": creds.client_id, "client_secret": creds.client_secret}
        options = {**auth, "rate_limit": 1000, "burst": 100, **settings}
        yield CirrusConnector("cirrus", CirrusSettings(base_url=url, **options)), sandbox


def company_id(sandbox: CirrusSandbox) -> str | None:
    return str(sandbox.account_for(COMPANY))
