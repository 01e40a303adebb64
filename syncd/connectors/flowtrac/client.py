"""The Flowtrac connector: contacts through the generic resource layer, behind a cookie session.

The session comes from ``POST device-login/`` (form ``badge`` + ``pin``) as a cookie named ``flow_auth``
(seen in public clients) or ``user`` (our doc); either is accepted. A 401/403 logs in again, once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from syncd.connectors import convert
from syncd.connectors.base import Capabilities, ScanItem
from syncd.connectors.flowtrac.mapping import NON_NULLABLE, SCHEMA, from_row, to_body, updated_at
from syncd.connectors.flowtrac.resource import FlowtracResource
from syncd.connectors.flowtrac.settings import FlowtracSettings
from syncd.connectors.http import VendorHTTP
from syncd.errors import AuthError, NotFoundError
from syncd.logging import add_secret
from syncd.model import BadRecord, FieldValue, RemoteRecord

__all__ = ["FlowtracConnector"]


class _SessionAuth:
    def __init__(self, settings: FlowtracSettings) -> None:
        self.settings = settings
        self.cookie: tuple[str, str] | None = None
        self.lock = asyncio.Lock()

    async def apply(self, http: VendorHTTP, request: httpx.Request) -> None:
        if self.cookie is None:
            await self.refresh(http)
        assert self.cookie is not None
        request.headers["Cookie"] = f"{self.cookie[0]}={self.cookie[1]}"

    async def refresh(self, http: VendorHTTP) -> None:
        async with self.lock:
            response = await http.request(
                "POST", self.settings.login_path, idempotent=True, authenticate=False, decode=False,
                data={"badge": self.settings.badge, "pin": self.settings.pin.get_secret_value()})
            http.client.cookies.clear()  # the session travels in our header, not httpx's cookie jar
            for name in (self.settings.cookie_name, "flow_auth", "user"):
                value = response.cookies.get(name)
                if value:
                    self.cookie = (name, value)
                    add_secret(value)
                    return
            raise AuthError(http.system, "login answered without a session cookie "
                                         f"({self.settings.cookie_name!r} expected)")


class FlowtracConnector:
    def __init__(self, name: str, settings: FlowtracSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.name = name
        self.settings = settings
        self.schema = SCHEMA
        self.capabilities = Capabilities(can_delete=True, needs_company=False, paging_can_shift=False)
        FlowtracResource.check_filters(settings.filters)
        self.http = VendorHTTP(name, settings.base_url, auth=_SessionAuth(settings), settings=settings.http_settings(),
                               transport=transport, sleep=sleep)
        self.contacts = FlowtracResource(self.http, settings.contacts_path, non_nullable=NON_NULLABLE)

    def resource(self, path: str, non_nullable: tuple[str, ...] = ()) -> FlowtracResource:
        """Another Flowtrac resource over the same session (e.g. ``product-processes``)."""
        return FlowtracResource(self.http, path, non_nullable=non_nullable)

    def _record(self, row: Mapping[str, Any]) -> ScanItem:
        remote_id, problem = convert.remote_id(row.get("id"))
        if remote_id is None:
            return BadRecord(self.name, None, f"contact row {problem}")
        try:
            contact = from_row(row)
        except (TypeError, ValueError) as exc:
            return BadRecord(self.name, remote_id, f"unreadable contact row: {exc}")
        account = row.get("account id", row.get("account_id"))
        return RemoteRecord(self.name, remote_id, contact, raw=dict(row), remote_updated_at=updated_at(row),
                            company_id=str(account) if account else None)

    async def scan(self) -> AsyncIterator[ScanItem]:
        async for row in self.contacts.list(self.settings.filters):
            yield self._record(row) if "__bad__" not in row else BadRecord(self.name, None, "not an object")

    async def get(self, remote_id: str) -> RemoteRecord | None:
        row = await self.contacts.get(remote_id)
        item = self._record(row) if row is not None else None
        return item if isinstance(item, RemoteRecord) else None

    async def find(
        self, *, external_key: str | None, email: str | None, company_id: str | None = None
    ) -> list[RemoteRecord]:
        if not email:
            return []
        found: list[RemoteRecord] = []
        async for row in self.contacts.list({**self.settings.filters, "email": email}):
            item = self._record(row)
            if isinstance(item, RemoteRecord):
                found.append(item)
        return found

    def _validated(self, values: Mapping[str, FieldValue], creating: bool) -> dict[str, Any]:
        return to_body(SCHEMA.check(self.name, values, creating=creating, skip=("company",)))

    async def create(self, values: Mapping[str, FieldValue], *, company_id: str | None,
                     external_key: str | None) -> RemoteRecord:
        body = {k: v for k, v in self._validated(values, creating=True).items() if v is not None}
        if company_id:
            body["account id"] = company_id
        for column, value in self.settings.filters.items():  # a created contact must pass our own filter
            if "-" not in column:
                body.setdefault(column, value)
        row = await self.contacts.create(body)
        item = self._record(row)
        if not isinstance(item, RemoteRecord):
            raise NotFoundError(self.name, "the created contact could not be read back")
        return item

    async def update(self, current: RemoteRecord, values: Mapping[str, FieldValue]) -> RemoteRecord:
        body = self._validated(values, creating=False)
        if not body:
            return current
        row = await self.contacts.update(current.remote_id, body)
        item = self._record(row)
        if not isinstance(item, RemoteRecord):
            raise NotFoundError(self.name, f"contact {current.remote_id} could not be read back")
        return item

    async def set_active(self, current: RemoteRecord, active: bool) -> RemoteRecord:
        return await self.update(current, {"active": active})

    async def delete(self, current: RemoteRecord) -> None:
        await self.contacts.delete(current.remote_id)

    async def aclose(self) -> None:
        await self.http.aclose()
