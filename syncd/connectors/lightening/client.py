"""The Lightening connector.

Quirks kept here: contacts are listed per customer (``customer_id[]``), answers are HTTP 200 with
``result: false`` for errors, the name is required on every update, and deleting is a GET that is
never retried blindly and answers ``result: false`` even on success (``msg`` tells).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from syncd.connectors import convert
from syncd.connectors.base import Capabilities, ScanItem
from syncd.connectors.http import VendorHTTP
from syncd.connectors.lightening.mapping import SCHEMA, from_row, to_body, updated_at
from syncd.connectors.lightening.settings import LighteningSettings
from syncd.errors import NotFoundError, ProtocolError, RejectedError, ValidationError
from syncd.model import BadRecord, FieldValue, RemoteRecord, normalize_email

__all__ = ["LighteningConnector"]


class _HeaderAuth:
    def __init__(self, value: str) -> None:
        self.value = value

    async def apply(self, http: VendorHTTP, request: httpx.Request) -> None:
        request.headers["Authorization"] = self.value

    async def refresh(self, http: VendorHTTP) -> None:  # a static token cannot be refreshed
        return None


class LighteningConnector:
    def __init__(self, name: str, settings: LighteningSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.name = name
        self.settings = settings
        self.schema = SCHEMA
        self.capabilities = Capabilities(can_delete=True, needs_company=True)
        auth = _HeaderAuth(settings.token_format.format(token=settings.token.get_secret_value()))
        self.http = VendorHTTP(name, settings.base_url, auth=auth, settings=settings.http_settings(),
                               transport=transport, sleep=sleep)

    # --- answers ------------------------------------------------------------------------------

    def _check(self, body: Any, response: httpx.Response) -> None:
        if not isinstance(body, dict) or "result" not in body:
            raise ProtocolError(self.name, f"{response.request.method} {response.request.url.path}: "
                                           "answer without a result")
        if body["result"] is True:
            return
        if body.get("msg") == "Entity not found.":
            raise NotFoundError(self.name, "Entity not found.")
        errors = body.get("errors")
        if isinstance(errors, dict) and errors:
            raise RejectedError(self.name, "; ".join(f"{k}: {v}" for k, v in errors.items()))
        raise RejectedError(self.name, str(body.get("error") or body.get("msg") or "request refused"))

    def _record(self, row: Mapping[str, Any]) -> ScanItem:
        remote_id, problem = convert.remote_id(row.get("id"))
        if remote_id is None:
            return BadRecord(self.name, None, f"contact row {problem}")
        try:
            contact = from_row(row)
        except (TypeError, ValueError) as exc:
            return BadRecord(self.name, remote_id, f"unreadable contact row: {exc}")
        customer = row.get("customer_id")
        return RemoteRecord(self.name, remote_id, contact, raw=dict(row), remote_updated_at=updated_at(row),
                            company_id=None if customer in (None, "") else str(customer))

    # --- reading ------------------------------------------------------------------------------

    async def customers(self) -> list[int]:
        if self.settings.customer_ids:
            return list(self.settings.customer_ids)
        body = await self.http.request("GET", "customer", idempotent=True, check=self._check)
        return [int(c["id"]) for c in body.get("entities", []) if str(c.get("id", "")).isdigit()]

    async def scan(self) -> AsyncIterator[ScanItem]:
        customers = await self.customers()
        step = self.settings.customers_per_call
        for start in range(0, len(customers), step):
            batch = customers[start:start + step]
            page, seen = 1, 0
            while True:
                params = [("customer_id[]", str(c)) for c in batch]
                params += [("page", str(page)), ("limit", str(self.settings.page_size))]
                body = await self.http.request("GET", "contact", idempotent=True, params=params, check=self._check)
                entities = body.get("entities")
                if not isinstance(entities, list):
                    raise ProtocolError(self.name, "GET /contact: entities is not a list")
                for row in entities:
                    yield self._record(row) if isinstance(row, dict) else BadRecord(self.name, None, "not an object")
                seen += len(entities)
                total = body.get("total")
                if not entities or not isinstance(total, int) or seen >= total:
                    break
                page += 1

    async def get(self, remote_id: str) -> RemoteRecord | None:
        try:
            body = await self.http.request("GET", f"contact/{remote_id}", idempotent=True, check=self._check)
        except NotFoundError:
            return None
        row = body.get("entity") or (body.get("entities") or [None])[0]
        item = self._record(row) if isinstance(row, dict) else None
        return item if isinstance(item, RemoteRecord) else None

    async def find(
        self, *, external_key: str | None, email: str | None, company_id: str | None = None
    ) -> list[RemoteRecord]:
        """Lightening has no search: a look-up reads the listing (only before a retried create)."""
        wanted = normalize_email(email)
        if not wanted:
            return []
        return [item async for item in self.scan()
                if isinstance(item, RemoteRecord) and normalize_email(item.contact.email) == wanted
                and (company_id is None or item.company_id in (None, company_id))]

    # --- writing ------------------------------------------------------------------------------

    def _validated(self, values: Mapping[str, FieldValue], creating: bool) -> dict[str, Any]:
        return to_body(SCHEMA.check(self.name, values, creating=creating, skip=("company",)))

    async def _read_back(self, remote_id: str) -> RemoteRecord:
        record = await self.get(remote_id)
        if record is None:
            raise NotFoundError(self.name, f"contact {remote_id} vanished right after it was written")
        return record

    async def create(self, values: Mapping[str, FieldValue], *, company_id: str | None,
                     external_key: str | None) -> RemoteRecord:
        body = self._validated(values, creating=True)
        if not company_id:
            raise ValidationError(self.name, "a contact must belong to a customer: no customer id")
        body["customer_id"] = int(company_id) if company_id.isdigit() else company_id
        answer = await self.http.request("POST", "contact", idempotent=False, json_body=body, check=self._check)
        return await self._read_back(str(answer.get("id")))

    async def update(self, current: RemoteRecord, values: Mapping[str, FieldValue]) -> RemoteRecord:
        body = self._validated(values, creating=False)
        if not body:
            return current
        # the name is required on every update, changed or not
        body.setdefault("name", str(current.raw.get("name") or current.contact.full_name or ""))
        await self.http.request("POST", f"contact/{current.remote_id}", idempotent=True, json_body=body,
                                check=self._check)
        return await self._read_back(current.remote_id)

    async def set_active(self, current: RemoteRecord, active: bool) -> RemoteRecord:
        return await self.update(current, {"active": active})

    async def delete(self, current: RemoteRecord) -> None:
        body = await self.http.request("GET", f"contact/{current.remote_id}/delete", idempotent=False)
        message = str(body.get("msg", "")) if isinstance(body, dict) else ""
        if "successfully deleted" in message.lower():
            return
        if message == "Entity not found.":
            raise NotFoundError(self.name, f"contact {current.remote_id}: Entity not found.")
        raise RejectedError(self.name, f"delete of {current.remote_id} refused: {message or body!r}")

    async def aclose(self) -> None:
        await self.http.aclose()
