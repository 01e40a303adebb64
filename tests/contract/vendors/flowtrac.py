"""Flowtrac for the shared contract suite: the connector against its simulator over loopback HTTP.

Readings of the doc the simulator can be set to: a strict instance (400 to a write naming an undocumented
column), a lenient one (drops it without a word), one that accepts the address columns (with the connector's
``write_addresses`` on), the ``user`` cookie of our doc, and ISO timestamps with fractions and an offset.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from syncd.connectors.flowtrac import FlowtracConnector, FlowtracSettings
from syncd.model import Contact
from syncd.sandbox.flowtrac import FlowtracSandbox
from syncd.sandbox.serve import serve_in_thread

COMPANY = "Acme Freight"
#: reading -> (simulator options, connector settings)
READINGS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "strict": ({"undocumented_writes": "reject"}, {}),
    "lenient": ({"undocumented_writes": "drop"}, {}),
    "accepting-addresses": ({"undocumented_writes": "accept"}, {"write_addresses": True}),
    "user-cookie": ({"cookie_name": "user"}, {"cookie_name": "user"}),
    "iso-times": ({"time_format": "%Y-%m-%dT%H:%M:%S.%f+00:00"}, {}),
}


@contextlib.asynccontextmanager
async def make(seed_contacts: Sequence[Contact] = (), reading: str = "strict",
               **settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    sim_options, connector_options = READINGS[reading]
    sim_options = {**sim_options}
    if "sandbox_cookie" in settings:
        sim_options["cookie_name"] = settings.pop("sandbox_cookie")
    for key in ("undocumented_writes", "time_format"):
        if f"sandbox_{key}" in settings:
            sim_options[key] = settings.pop(f"sandbox_{key}")
    sandbox = FlowtracSandbox(seed_contacts=seed_contacts, **sim_options)
    with serve_in_thread(sandbox.app) as url:
        creds = sandbox.credentials
        options = {"badge": creds.badge, "pin": creds.pin, "rate_limit": 1000, "burst": 100,
                   **connector_options, **settings}
        connector = FlowtracConnector("flowtrac", FlowtracSettings(base_url=f"{url}/api", **options))
        yield connector, sandbox


def company_id(sandbox: FlowtracSandbox) -> str | None:
    return sandbox.account_for(COMPANY)
