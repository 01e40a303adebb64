"""Lightening for the shared contract suite: the connector against its simulator over loopback HTTP.

Paging is undocumented, so the simulator is set to each form an instance may honour (one contact per
answer, so every listing pages), including none; and to each Authorization form.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from syncd.connectors.lightening import LighteningConnector, LighteningSettings
from syncd.model import Contact
from syncd.sandbox.lightening import LighteningSandbox
from syncd.sandbox.serve import serve_in_thread

COMPANY = "Acme Freight"
READINGS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "page/limit": ({"paging": "page/limit", "page_size": 1}, {}),
    "offset/limit": ({"paging": "offset/limit", "page_size": 1}, {}),
    "page/per_page": ({"paging": "page/per_page", "page_size": 1}, {}),
    "start/length": ({"paging": "start/length", "page_size": 1}, {}),
    # a form syncd does not guess: an admin names it
    "skip/take": ({"paging": "skip/take", "page_size": 1}, {"paging": "skip/take"}),
    # no paging at all: every listing fits in one answer, or the scan says which customer does not
    "no-paging": ({"paging": "none"}, {}),
    "bearer-only": ({"auth_format": "bearer"}, {}),
    "raw-token": ({"auth_format": "raw"}, {"token_format": "{token}"}),
}


@contextlib.asynccontextmanager
async def make(seed_contacts: Sequence[Contact] = (), reading: str = "page/limit",
               **settings: Any) -> AsyncIterator[tuple[Any, Any]]:
    sim_options, connector_options = READINGS[reading]
    sim_options = {**sim_options}
    for key in ("page_size", "paging", "auth_format"):
        if f"sandbox_{key}" in settings:
            sim_options[key] = settings.pop(f"sandbox_{key}")
    sandbox = LighteningSandbox(seed_contacts=seed_contacts, **sim_options)
    sandbox.customer_for(COMPANY)
    with serve_in_thread(sandbox.app) as url:
        options = {"token": sandbox.credentials.token, "rate_limit": 1000, "burst": 100, **connector_options,
                   **settings}
        connector = LighteningConnector("lightening", LighteningSettings(base_url=url, **options))
        yield connector, sandbox


def company_id(sandbox: LighteningSandbox) -> str | None:
    return str(sandbox.customer_for(COMPANY))
