"""One ITFlow to test against: our simulator, or the real ITFlow when ``SYNCD_LIVE_ITFLOW_URL`` is set.

The simulator is set up like ``tools/itflow-live/setup.sh`` seeds the real one (the same four clients, the
same API keys by role), so every test in ``test_itflow.py`` runs unchanged against either.

Environment for the real one (skipped when unset; CI has no ITFlow):

- ``SYNCD_LIVE_ITFLOW_URL`` (e.g. ``http://127.0.0.1:8080``) and ``SYNCD_LIVE_ITFLOW_KEY`` (an admin key);
- ``SYNCD_LIVE_ITFLOW_ROLE_KEYS``: ``role=secret,…`` for readonly, scoped, nomodule, legacy, archived,
  expired, tech (default: the secrets ``setup.sh`` seeds);
- ``SYNCD_LIVE_ITFLOW_SQL``: a command that runs SQL from stdin on ITFlow's database (``mariadb -uroot
  itflow``), to make the edits only the web UI can (phone country codes); those tests skip without it.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from syncd.connectors.itflow import ITFlowConnector, ITFlowSettings
from syncd.sandbox.itflow import ITFlowSandbox, KeyUser
from syncd.sandbox.serve import serve_in_thread

LIVE_URL = os.environ.get("SYNCD_LIVE_ITFLOW_URL", "").rstrip("/")
LIVE_KEY = os.environ.get("SYNCD_LIVE_ITFLOW_KEY", "")
LIVE_SQL = os.environ.get("SYNCD_LIVE_ITFLOW_SQL", "")
SEEDED_KEYS = {"admin": "syncdAdminKey001", "scoped": "syncdScopedKey01", "readonly": "syncdReadOnlyK01",
               "expired": "syncdExpiredK001", "tech": "syncdTechKey0001", "nomodule": "syncdNoModule001",
               "legacy": "syncdLegacyKey01", "archived": "syncdArchUser001"}
CLIENTS = ("Acme Freight", "Initech", "Müller & Söhne GmbH", "Unsorted (syncd)")


def live_enabled() -> bool:
    return bool(LIVE_URL and LIVE_KEY)


def _role_keys() -> dict[str, str]:
    keys = dict(SEEDED_KEYS)
    for pair in filter(None, os.environ.get("SYNCD_LIVE_ITFLOW_ROLE_KEYS", "").split(",")):
        role, _, secret = pair.partition("=")
        keys[role.strip()] = secret.strip()
    keys["admin"] = LIVE_KEY or keys["admin"]
    return keys


@dataclass
class Target:
    kind: str
    url: str
    keys: dict[str, str]
    clients: dict[str, str]
    sandbox: ITFlowSandbox | None = None
    sql: str = ""
    #: ids of contacts this test made, deleted at the end (the real ITFlow keeps what tests leave)
    made: set[str] = field(default_factory=set)
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def email(self, local: str) -> str:
        """A mailbox unique to this test run (a real ITFlow remembers earlier runs)."""
        return f"{local}.{self.run}@syncd-test.example"

    def connector(self, role: str = "admin", **settings: Any) -> ITFlowConnector:
        options = {"api_key": self.keys[role], "allow_hard_delete": True, "rate_limit": 1000, "burst": 100,
                   "retries": 1, **settings}
        return ITFlowConnector("itflow", ITFlowSettings(base_url=self.url, **options))

    async def post(self, action: str, body: dict[str, Any], role: str = "admin", *,
                   form: bool = False) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            payload = {"api_key": self.keys[role], **body}
            if form:
                return await client.post(f"/api/v1/contacts/{action}.php", data=payload)
            return await client.post(f"/api/v1/contacts/{action}.php", json=payload)

    async def get(self, params: dict[str, str], role: str = "admin", resource: str = "contacts") -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            return await client.get(f"/api/v1/{resource}/read.php", params={"api_key": self.keys[role], **params})

    @staticmethod
    def body(response: httpx.Response) -> Any:
        """The JSON of an answer, past the PHP warnings ``display_errors`` prints before it."""
        from syncd.connectors.http import decode_json

        return decode_json("itflow", response)

    async def row(self, contact_id: str) -> dict[str, Any] | None:
        answer = self.body(await self.get({"contact_id": contact_id}))
        return answer["data"][0] if answer.get("success") == "True" else None

    def can_edit_like_the_ui(self) -> bool:
        return self.sandbox is not None or bool(self.sql)

    def ui_edit(self, contact_id: str, **columns: str | None) -> None:
        """Change columns the way ITFlow's web UI does (it alone writes the phone country codes)."""
        if self.sandbox is not None:
            self.sandbox.ui_edit(int(contact_id), **columns)
            return
        sets = ", ".join(f"{c} = {'NULL' if v is None else _sql_text(v)}" for c, v in columns.items())
        subprocess.run(shlex.split(self.sql), input=f"UPDATE contacts SET {sets} WHERE contact_id = "
                       f"{int(contact_id)};", text=True, check=True, capture_output=True)

    async def cleanup(self) -> None:
        for contact_id in sorted(self.made):
            row = await self.row(contact_id)
            if row is not None:
                await self.post("delete", {"contact_id": contact_id, "client_id": row["contact_client_id"]})
        self.made.clear()


def _sql_text(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def simulator_like_live() -> ITFlowSandbox:
    """Our simulator, seeded as ``setup.sh`` seeds the real ITFlow."""
    sandbox = ITFlowSandbox(credentials=_credentials())
    for name in CLIENTS:
        sandbox.client_for(name)
    initech = sandbox.client_for("Initech")
    sandbox.add_key(SEEDED_KEYS["scoped"], KeyUser(level=2, admin=False, allow=frozenset({initech})))
    sandbox.add_key(SEEDED_KEYS["readonly"], KeyUser(level=1, admin=False))
    sandbox.add_key(SEEDED_KEYS["expired"], KeyUser(expired=True))
    sandbox.add_key(SEEDED_KEYS["tech"], KeyUser(level=2, admin=False))
    sandbox.add_key(SEEDED_KEYS["nomodule"], KeyUser(level=0, admin=False))
    sandbox.add_key(SEEDED_KEYS["legacy"], KeyUser(state="none"))
    sandbox.add_key(SEEDED_KEYS["archived"], KeyUser(state="archived"))
    return sandbox


def _credentials() -> Any:
    from syncd.sandbox.itflow import ITFlowCredentials

    return ITFlowCredentials(api_key=SEEDED_KEYS["admin"])


@contextlib.contextmanager
def simulated() -> Iterator[Target]:
    sandbox = simulator_like_live()
    with serve_in_thread(sandbox.app) as url:
        clients = {name: str(cid) for cid, name in sandbox.clients.items()}
        yield Target("sim", url, dict(SEEDED_KEYS), clients, sandbox=sandbox)


@contextlib.asynccontextmanager
async def live() -> AsyncIterator[Target]:
    keys = _role_keys()
    async with httpx.AsyncClient(base_url=LIVE_URL, timeout=30) as client:
        params = {"api_key": keys["admin"], "limit": "1000"}
        answer = (await client.get("/api/v1/clients/read.php", params=params)).json()
    clients = {row["client_name"]: row["client_id"] for row in answer.get("data", [])}
    target = Target("live", LIVE_URL, keys, clients, sql=LIVE_SQL)
    try:
        yield target
    finally:
        await target.cleanup()
