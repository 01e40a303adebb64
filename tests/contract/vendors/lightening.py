"""Lightening for the shared contract suite: the connector against its simulator over loopback HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from syncd.connectors.lightening import LighteningConnector, LighteningSettings
from syncd.model import Contact
from syncd.sandbox.lightening import LighteningSandbox
from syncd.sandbox.serve import serve_in_thread

COMPANY = "Acme Freight"


@contextlib.asynccontextmanager
async def make(seed_contacts: Sequence[Contact] = (), **settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    sandbox = LighteningSandbox(seed_contacts=seed_contacts, page_size=settings.pop("sandbox_page_size", 500))
    sandbox.customer_for(COMPANY)
    with serve_in_thread(sandbox.app) as url:
        options = {"token": sandbox.credentials.token, "rate_limit": 1000, "burst": 100, **settings}
        connector = LighteningConnector("lightening", LighteningSettings(base_url=url, **options))
        yield connector, sandbox


def company_id(sandbox: LighteningSandbox) -> str | None:
    return str(sandbox.customer_for(COMPANY))
