"""The ITFlow connector.

Quirks kept here: ``api_key`` in the query on GET and in the JSON body on POST; ``success`` is a
string; a page is the last when it is short or answers "No resource"; a create that fails gives no
reason (so the engine looks the contact up by email before trying again); updates and deletes need
the contact's current ``client_id``; an update that changes nothing answers "False" and is checked by
reading back; a 403 for one client is that record's problem, not the connector's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from syncd.connectors import convert
from syncd.connectors.base import Capabilities, ScanItem
from syncd.connectors.http import NoAuth, VendorHTTP
from syncd.connectors.itflow.mapping import SCHEMA, from_row, to_body, updated_at
from syncd.connectors.itflow.settings import ITFlowSettings
from syncd.errors import AuthError, NotFoundError, ProtocolError, RejectedError, ValidationError
from syncd.model import BadRecord, FieldValue, RemoteRecord

__all__ = ["ITFlowConnector"]


class _End(Exception):
    """The "No resource" answer: the listing is over."""


class ITFlowConnector:
    def __init__(self, name: str, settings: ITFlowSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.name = name
        self.settings = settings
        self.schema = SCHEMA
        self.capabilities = Capabilities(can_delete=settings.allow_hard_delete, needs_company=True)
        self.http = VendorHTTP(name, settings.base_url, auth=NoAuth(), settings=settings.http_settings(),
                               transport=transport, sleep=sleep)
        self._key = settings.api_key.get_secret_value()
        self._clients: dict[str, str] | None = None

    def _path(self, action: str) -> str:
        return f"{self.settings.api_path.strip('/')}/{action}.php"

    def _check(self, body: Any, response: httpx.Response) -> None:
        if not isinstance(body, dict) or "success" not in body:
            raise ProtocolError(self.name, f"{response.request.url.path}: answer without success")
        if str(body["success"]) == "True":
            return
        message = str(body.get("message") or "")
        if "no resource" in message.lower():
            raise _End()
        if "forbidden" in message.lower() or response.status_code == 403:
            raise RejectedError(self.name, f"ITFlow refused: {message or 'forbidden'}", status=403)
        raise RejectedError(self.name, f"ITFlow answered False{': ' + message if message else ''}")

    async def _get(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        try:
            body = await self.http.request("GET", path, idempotent=True, params={**params, "api_key": self._key},
                                           check=self._check)
        except _End:
            return []
        except AuthError as exc:
            if exc.status == 403:  # newer ITFlow: this key may not read one client
                raise RejectedError(self.name, exc.message, status=403) from None
            raise
        data = body.get("data")
        if not isinstance(data, list):
            raise ProtocolError(self.name, f"{path}: data is not a list")
        return [row for row in data if isinstance(row, dict)]

    async def _post(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = await self.http.request("POST", self._path(action), idempotent=action != "create",
                                             json_body={**body, "api_key": self._key}, check=self._check)
        except AuthError as exc:
            if exc.status == 403:
                raise RejectedError(self.name, exc.message, status=403) from None
            raise
        return answer if isinstance(answer, dict) else {}

    async def client_names(self) -> dict[str, str]:
        if self._clients is None:
            rows = await self._get(f"{self.settings.clients_path.strip('/')}/read.php", {})
            self._clients = {str(r.get("client_id")): str(r.get("client_name") or "") for r in rows}
        return self._clients

    def _record(self, row: Mapping[str, Any], clients: Mapping[str, str]) -> ScanItem:
        remote_id, problem = convert.remote_id(row.get("contact_id"))
        if remote_id is None:
            return BadRecord(self.name, None, f"contact row {problem}")
        try:
            contact = from_row(row, clients)
        except (TypeError, ValueError) as exc:
            return BadRecord(self.name, remote_id, f"unreadable contact row: {exc}")
        raw = {k: v for k, v in row.items() if not str(k).isdigit()}
        return RemoteRecord(self.name, remote_id, contact, raw=raw, remote_updated_at=updated_at(row),
                            company_id=_text(row.get("contact_client_id")))

    async def scan(self) -> AsyncIterator[ScanItem]:
        self._clients = None
        clients = await self.client_names()
        offset, limit = 0, self.settings.page_size
        while True:
            try:
                rows = await self._get(self._path("read"), {"limit": str(limit), "offset": str(offset)})
            except RejectedError as exc:
                if exc.status != 403:
                    raise
                # one forbidden client in this page: read the page one row at a time to skip only it
                rows = []
                for single in range(offset, offset + limit):
                    try:
                        rows += await self._get(self._path("read"), {"limit": "1", "offset": str(single)})
                    except RejectedError as inner:
                        yield BadRecord(self.name, None, f"row {single}: {inner.message}")
                if not rows:
                    return
            for row in rows:
                yield self._record(row, clients)
            if len(rows) < limit:
                return
            offset += limit

    async def get(self, remote_id: str) -> RemoteRecord | None:
        rows = await self._get(self._path("read"), {"contact_id": remote_id})
        if not rows:
            return None
        item = self._record(rows[0], await self.client_names())
        return item if isinstance(item, RemoteRecord) else None

    async def find(
        self, *, external_key: str | None, email: str | None, company_id: str | None = None
    ) -> list[RemoteRecord]:
        if not email:
            return []
        rows = await self._get(self._path("read"), {"contact_email": email})
        clients = await self.client_names()
        found = [r for r in (self._record(row, clients) for row in rows) if isinstance(r, RemoteRecord)]
        return [r for r in found if company_id is None or r.company_id in (None, company_id)]

    def _validated(self, values: Mapping[str, FieldValue], creating: bool) -> dict[str, str]:
        return to_body(SCHEMA.check(self.name, values, creating=creating, skip=("company", "active")))

    async def _read_back(self, remote_id: str) -> RemoteRecord:
        record = await self.get(remote_id)
        if record is None:
            raise NotFoundError(self.name, f"contact {remote_id} is not there after the write")
        return record

    async def create(self, values: Mapping[str, FieldValue], *, company_id: str | None,
                     external_key: str | None) -> RemoteRecord:
        body = self._validated(values, creating=True)
        if not company_id:
            raise ValidationError(self.name, "an ITFlow contact must belong to a client: no client id")
        body = {"contact_name": "", "contact_title": "", "contact_department": "", "contact_email": "",
                "contact_phone": "", "contact_extension": "", "contact_mobile": "", "contact_notes": "",
                "contact_auth_method": "local", "contact_important": "0", "contact_billing": "0",
                "contact_technical": "0", "contact_location_id": "0", **body, "client_id": company_id}
        try:
            answer = await self._post("create", body)
        except RejectedError as exc:
            raise RejectedError(self.name, f"create refused ({exc.message}); ITFlow gives no reason: a missing "
                                           "name or email, an email already used in this client, or an unknown "
                                           "client") from None
        data = answer.get("data") or [{}]
        insert_id = data[0].get("insert_id") if isinstance(data[0], dict) else None
        if insert_id in (None, ""):
            raise ProtocolError(self.name, "create answered without an insert_id")
        record = await self._read_back(str(insert_id))
        if values.get("active") is False:
            record = await self.set_active(record, False)
        return record

    async def update(self, current: RemoteRecord, values: Mapping[str, FieldValue]) -> RemoteRecord:
        body = self._validated(values, creating=False)
        if "active" in values and values["active"] is not None and bool(values["active"]) != current.contact.active:
            current = await self.set_active(current, bool(values["active"]))
        if not body:
            return current
        request = {"contact_id": current.remote_id, "client_id": _text(current.raw.get("contact_client_id")), **body}
        try:
            await self._post("update", request)
        except RejectedError as exc:
            if exc.status == 403:
                raise
            # "False" also means "nothing changed": a failure only if ITFlow does not hold what we sent
            after = await self.get(current.remote_id)
            if after is None:
                raise NotFoundError(self.name, f"contact {current.remote_id} not found") from None
            if any(str(after.raw.get(k) or "") != v for k, v in body.items()):
                raise
            return after
        return await self._read_back(current.remote_id)

    async def set_active(self, current: RemoteRecord, active: bool) -> RemoteRecord:
        body = {"contact_id": current.remote_id, "client_id": _text(current.raw.get("contact_client_id"))}
        try:
            await self._post("unarchive" if active else "archive", body)
        except RejectedError:
            if await self.get(current.remote_id) is None:
                raise NotFoundError(self.name, f"contact {current.remote_id} not found") from None
            raise
        return await self._read_back(current.remote_id)

    async def delete(self, current: RemoteRecord) -> None:
        if not self.settings.allow_hard_delete:
            raise ValidationError(self.name, "hard deletes are off (allow_hard_delete = false)")
        body = {"contact_id": current.remote_id, "client_id": _text(current.raw.get("contact_client_id"))}
        try:
            await self._post("delete", body)
        except RejectedError:
            if await self.get(current.remote_id) is None:
                raise NotFoundError(self.name, f"contact {current.remote_id} not found") from None
            raise

    async def aclose(self) -> None:
        await self.http.aclose()


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
