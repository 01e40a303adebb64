"""The Flowtrac connector: contacts through the generic resource layer, behind a cookie session.

The session comes from ``POST device-login/`` (form ``badge`` + ``pin``) as a cookie named ``flow_auth``
(seen in public clients) or ``user`` (our doc); either is accepted. A 401/403 logs in again, once.

Writes never let one column sink a change-set. Our doc leaves room for more than one instance: one may
answer 400 to a column it does not write (naming it), another may drop it without a word. On a 400 that
names columns, those are taken out and the rest is sent again; after every write the read-back is compared
with what was sent. Either way the record returned carries ``refused`` (canonical field -> reason) for what
the vendor would not hold, and the engine parks those fields instead of agreeing on their loss. Address
columns are not written at all unless ``write_addresses`` is on (see :mod:`.mapping`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from syncd.connectors import convert
from syncd.connectors.base import Capabilities, ScanItem
from syncd.connectors.flowtrac.mapping import COLUMNS, NON_NULLABLE, column, from_row, schema, to_body
from syncd.connectors.flowtrac.resource import FlowtracResource
from syncd.connectors.flowtrac.settings import FlowtracSettings
from syncd.connectors.http import VendorHTTP
from syncd.errors import AuthError, NotFoundError, RejectedError
from syncd.logging import add_secret
from syncd.model import BadRecord, FieldValue, RemoteRecord, comparable

__all__ = ["FlowtracConnector"]

_CANONICAL = {vendor: canonical for canonical, vendor in COLUMNS.items()}


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


def columns_named(message: str, sent: Mapping[str, Any]) -> list[str]:
    """The columns of ``sent`` that a vendor's error message names (longest names first, so "browser
    username" is not also read as "name")."""
    text = message.split("answered HTTP 400:", 1)[-1].lower()
    found: list[str] = []
    for name in sorted(sent, key=len, reverse=True):
        for spelling in {name.lower(), name.lower().replace(" ", "_")}:
            pattern = rf"(?<![\w]){re.escape(spelling)}(?![\w])"
            if re.search(pattern, text):
                found.append(name)
                text = re.sub(pattern, " ", text)
                break
    return found


class FlowtracConnector:
    def __init__(self, name: str, settings: FlowtracSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.name = name
        self.settings = settings
        self.schema = schema(settings.write_addresses)
        self.capabilities = Capabilities(can_delete=True, needs_company=False, paging_can_shift=False)
        FlowtracResource.check_filters(settings.filters)
        self.http = VendorHTTP(name, settings.base_url, auth=_SessionAuth(settings), settings=settings.http_settings(),
                               transport=transport, sleep=sleep)
        self.contacts = FlowtracResource(self.http, settings.contacts_path, non_nullable=NON_NULLABLE)
        self._times = convert.TimeReader(name, settings.zone())

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
        account = column(row, "account id")
        # ``edited`` is a hint only (its format is undocumented): the content hash decides what changed
        when = self._times.first(("edited", column(row, "edited")), ("created", column(row, "created")))
        return RemoteRecord(self.name, remote_id, contact, raw=dict(row), remote_updated_at=when,
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
            if isinstance(item, RemoteRecord) and (company_id is None or item.company_id in (None, company_id)):
                found.append(item)
        return found

    async def companies(self) -> Mapping[str, str]:
        """Flowtrac documents no list of accounts: there is nothing to list (``account id`` is set by id)."""
        return {}

    # --- writing ------------------------------------------------------------------------------

    def _split(self, values: Mapping[str, FieldValue], creating: bool) -> tuple[dict[str, Any], dict[str, str]]:
        """The body to send, and the fields refused before sending (columns this instance does not write)."""
        checked = self.schema.check(self.name, values, creating=creating, skip=("company",))
        refused = {name: f"{name} ({self.schema.fields[name].vendor}) is read-only in Flowtrac's API (a GET "
                         "filter column only; set write_addresses once your instance is known to accept it)"
                   for name in checked if not self.schema.fields[name].writable}
        return to_body({k: v for k, v in checked.items() if k not in refused}), refused

    async def _send(self, body: dict[str, Any], refused: dict[str, str],
                    call: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]) -> dict[str, Any] | None:
        """``call(body)``; on a 400 naming columns, those go to ``refused`` and the rest is sent again."""
        while body:
            try:
                return await call(body)
            except RejectedError as exc:
                named = [c for c in columns_named(exc.message, body) if c != "id"]
                if exc.status != 400 or not named:
                    raise
                for name in named:
                    refused[_CANONICAL.get(name, name)] = f"Flowtrac refused {name!r}: {exc.message}"
                    body.pop(name)
        return None

    def _kept(self, record: RemoteRecord, values: Mapping[str, FieldValue], refused: dict[str, str]) -> RemoteRecord:
        """``record`` with every sent field the read-back lacks added to ``refused`` (an instance that drops a
        column silently), so a value the vendor will not hold never becomes the agreed value elsewhere."""
        for name, value in values.items():
            if name in refused or name == "company" or name not in COLUMNS:
                continue
            if comparable(name, record.contact.get(name)) != comparable(name, value):
                refused[name] = (f"Flowtrac answered the write but does not hold {name} "
                                 f"({COLUMNS[name]!r}): this instance ignores the column")
        return dataclasses.replace(record, refused=dict(refused)) if refused else record

    async def create(self, values: Mapping[str, FieldValue], *, company_id: str | None,
                     external_key: str | None) -> RemoteRecord:
        body, refused = self._split(values, creating=True)
        body = {k: v for k, v in body.items() if v is not None}
        if company_id:
            body["account id"] = company_id
        for name, value in self.settings.filters.items():  # a created contact must pass our own filter
            if "-" not in name:
                body.setdefault(name, value)
        row = await self._send(body, refused, self.contacts.create)
        if row is None or "name" not in body:
            raise RejectedError(self.name, f"create refused: {refused.get('full_name') or 'nothing left to send'}")
        item = self._record(row)
        if not isinstance(item, RemoteRecord):
            raise NotFoundError(self.name, "the created contact could not be read back")
        return self._kept(item, values, refused)

    async def update(self, current: RemoteRecord, values: Mapping[str, FieldValue]) -> RemoteRecord:
        body, refused = self._split(values, creating=False)
        if not body and not refused:
            return current
        row = await self._send(body, refused, lambda b: self.contacts.update(current.remote_id, b))
        item: ScanItem | None = self._record(row) if row is not None else await self.get(current.remote_id)
        if not isinstance(item, RemoteRecord):
            raise NotFoundError(self.name, f"contact {current.remote_id} could not be read back")
        return self._kept(item, values, refused)

    async def set_active(self, current: RemoteRecord, active: bool) -> RemoteRecord:
        return await self.update(current, {"active": active})

    async def delete(self, current: RemoteRecord) -> None:
        await self.contacts.delete(current.remote_id)

    async def aclose(self) -> None:
        await self.http.aclose()
