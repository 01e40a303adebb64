"""ITFlow for the shared contract suite: the connector against its simulator over loopback HTTP.

Readings: production-like (``php -S``: no keep-alive, quiet errors) and with PHP's ``display_errors``
on (warnings before the JSON, fatal errors as HTML with HTTP 200). The real ITFlow: ``tests/live/``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from syncd.connectors.itflow import ITFlowConnector, ITFlowSettings
from syncd.model import Contact
from syncd.sandbox.itflow import ITFlowSandbox
from syncd.sandbox.serve import serve_in_thread

COMPANY = "Acme Freight"
READINGS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "php-s": ({"close_connections": True}, {}),
    "display-errors": ({"display_errors": True}, {}),
}


@contextlib.asynccontextmanager
async def make(seed_contacts: Sequence[Contact] = (), reading: str = "php-s",
               **settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    sim_options, connector_options = READINGS[reading]
    sandbox = ITFlowSandbox(seed_contacts=seed_contacts)
    for key, value in sim_options.items():
        setattr(sandbox, key, value)
    sandbox.client_for(COMPANY)
    with serve_in_thread(sandbox.app) as url:
        options = {"api_key": sandbox.credentials.api_key, "allow_hard_delete": True, "rate_limit": 1000,
                   "burst": 100, **connector_options, **settings}
        connector = ITFlowConnector("itflow", ITFlowSettings(base_url=url, **options))
        yield connector, sandbox


def company_id(sandbox: ITFlowSandbox) -> str | None:
    return str(sandbox.client_for(COMPANY))
