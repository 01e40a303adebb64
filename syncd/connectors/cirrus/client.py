"""The Cirrus 2 connector.

Quirks kept here: two ways to authenticate (``X-Token``, or an OAuth2 bearer token refreshed before
it expires and on a 401 — again on a second 401 right after a refresh, up to ``max_token_refreshes`` per
call, since a token just issued may not be honoured everywhere yet); ``X-Fields`` masks that name the
list envelope (:func:`~syncd.connectors.cirrus.mapping.list_mask`), dropped for good if an instance
answers a masked list without its items; list answers that may or may not be wrapped in a list; at most 50 per
page, so after page 1 the rest are fetched concurrently (bounded) and yielded in order; an edit
during a scan can move a contact between pages, so the scan checks that it saw ``total`` distinct
contacts and is retried (or fails, deleting nothing) when it did not. ``externalkey`` carries
syncd's entity id; there is no delete: deactivate with ``active = 0``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx
import structlog

from syncd.connectors import convert
from syncd.connectors.base import Capabilities, ScanItem
from syncd.connectors.cirrus.mapping import MASK, SCHEMA, from_item, list_mask, to_body
from syncd.connectors.cirrus.settings import CirrusSettings
from syncd.connectors.companies import CompanyCache
from syncd.connectors.http import VendorHTTP
from syncd.errors import AuthError, NotFoundError, ProtocolError, RetriableError, ValidationError
from syncd.logging import add_secret
from syncd.model import BadRecord, FieldValue, RemoteRecord

__all__ = ["CirrusConnector"]

log = structlog.get_logger("syncd.connectors.cirrus")


class _TokenAuth:
    """``X-Token``, or an OAuth2 client-credentials bearer token kept fresh."""

    def __init__(self, settings: CirrusSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        #: refreshes per call on 401: none can help a static X-Token
        self.max_refreshes = 0 if settings.x_token is not None else settings.max_token_refreshes
        self.clock = clock
        self.token: str | None = None
        self.expires = 0.0
        self.lock = asyncio.Lock()

    async def apply(self, http: VendorHTTP, request: httpx.Request) -> None:
        if self.settings.x_token is not None:
            request.headers["X-Token"] = self.settings.x_token.get_secret_value()
            return
        if self.token is None or self.clock() > self.expires - self.settings.refresh_margin:
            await self.refresh(http)
        request.headers["Authorization"] = f"Bearer {self.token}"

    async def refresh(self, http: VendorHTTP) -> None:
        if self.settings.x_token is not None:
            return
        async with self.lock:
            url = self.settings.token_url or self.settings.base_url.rstrip("/") + "/oauth/token"
            secret = self.settings.client_secret.get_secret_value() if self.settings.client_secret else ""
            body = await http.request("POST", url, idempotent=True, authenticate=False,
                                      data={"grant_type": "client_credentials"},
                                      headers={"Authorization": _basic(self.settings.client_id or "", secret)})
            token = body.get("access_token") if isinstance(body, dict) else None
            if not token:
                raise AuthError(http.system, "the token endpoint answered without an access_token")
            self.token = str(token)
            add_secret(self.token)
            self.expires = self.clock() + float(body.get("expires_in") or 300)


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _has_items(body: Any) -> bool:
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    return isinstance(body, dict) and isinstance(body.get("items"), list)


def _envelope(body: Any) -> dict[str, Any]:
    """The documented envelope, whether or not it came wrapped in a list."""
    if isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict):
        body = body[0]
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise ProtocolError("cirrus", "a list answer without items")
    return body


class CirrusConnector:
    def __init__(self, name: str, settings: CirrusSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.name = name
        self.settings = settings
        self.schema = SCHEMA
        self.capabilities = Capabilities(can_delete=False, needs_company=True, external_key=True)
        self.auth = _TokenAuth(settings)
        self.http = VendorHTTP(name, settings.base_url, auth=self.auth, settings=settings.http_settings(),
                               transport=transport, sleep=sleep)
        self.path = settings.contacts_path.strip("/")
        #: send X-Fields masks (turned off if the instance answers a masked list without its items)
        self.masks = settings.use_masks
        self._accounts = CompanyCache(name)

    def _record(self, item: Mapping[str, Any]) -> ScanItem:
        remote_id, problem = convert.remote_id(item.get("id"))
        if remote_id is None:
            return BadRecord(self.name, None, f"contact {problem}")
        try:
            contact = from_item(item)
        except (TypeError, ValueError) as exc:
            return BadRecord(self.name, remote_id, f"unreadable contact: {exc}")
        account = item.get("account")
        company_id = str(account.get("id")) if isinstance(account, Mapping) and account.get("id") else None
        key = item.get("externalkey")
        return RemoteRecord(self.name, remote_id, contact, raw=dict(item), company_id=company_id,
                            external_key=str(key) if key else None)

    async def _page(self, page: int, extra: Mapping[str, str] | None = None, *, path: str | None = None,
                    mask: str = MASK) -> dict[str, Any]:
        params = {"page": str(page), "per_page": str(self.settings.per_page), **(extra or {})}
        if path is None:
            params.setdefault("sorting", "name_asc")
        headers = {"X-Fields": mask} if self.masks else {}
        body = await self.http.request("GET", path or self.path, idempotent=True, params=params, headers=headers)
        if headers and not _has_items(body):
            # an instance whose masks do not follow either reading: read unmasked from now on
            self.masks = False
            log.warning("Cirrus answered a masked list without its items: reading without X-Fields from now on",
                        connector=self.name, path=path or self.path)
            body = await self.http.request("GET", path or self.path, idempotent=True, params=params)
        return _envelope(body)

    async def companies(self) -> Mapping[str, str]:
        """Cirrus accounts (``GET /accounts``, every page): account id -> name."""
        return await self._accounts.get(self._read_accounts)

    async def _read_accounts(self) -> dict[str, str]:
        path, mask = self.settings.accounts_path.strip("/"), list_mask("id,name")
        first = await self._page(1, path=path, mask=mask)
        out: dict[str, str] = {}
        for body in [first, *[await self._page(p, path=path, mask=mask)
                              for p in range(2, int(first.get("pages") or 1) + 1)]]:
            for item in body["items"]:
                account_id = item.get("id") if isinstance(item, dict) else None
                if account_id not in (None, ""):
                    out[str(account_id)] = convert.text(item.get("name")) or ""
        return out

    async def scan(self) -> AsyncIterator[ScanItem]:
        seen: set[str] = set()
        for attempt in range(3):
            first = await self._page(1)
            total, pages = int(first.get("total") or 0), int(first.get("pages") or 1)
            items: list[ScanItem] = []
            async for item in self._pages(first, pages):
                item_id = item.remote_id or f"anonymous-{len(seen)}"
                if item_id in seen:
                    continue  # moved to a later page by an edit during the scan
                seen.add(item_id)
                items.append(item)
                if len(items) >= 500:
                    for out in items:
                        yield out
                    items = []
            for out in items:
                yield out
            if len(seen) >= total:
                return
            if attempt == 2:
                raise RetriableError(self.name, f"the contact list changed during the scan ({len(seen)} of {total} "
                                                "seen): nothing is deleted this cycle")
            # contacts moved between pages while we read: read again, yielding only the ones not seen yet

    async def _pages(self, first: dict[str, Any], pages: int) -> AsyncIterator[ScanItem]:
        for item in first["items"]:
            yield self._record(item) if isinstance(item, dict) else BadRecord(self.name, None, "not an object")
        window = max(1, self.settings.concurrency)
        pending: dict[int, asyncio.Task[dict[str, Any]]] = {}
        next_page = 2
        try:
            for page in range(2, pages + 1):
                while next_page <= pages and len(pending) < window:
                    pending[next_page] = asyncio.create_task(self._page(next_page))
                    next_page += 1
                body = await pending.pop(page)
                for item in body["items"]:
                    yield self._record(item) if isinstance(item, dict) else BadRecord(self.name, None, "not an object")
        finally:
            for task in pending.values():
                task.cancel()

    async def get(self, remote_id: str) -> RemoteRecord | None:
        try:
            body = await self.http.request("GET", f"{self.path}/{remote_id}", idempotent=True)
        except NotFoundError:
            return None
        item = self._record(body) if isinstance(body, dict) else None
        return item if isinstance(item, RemoteRecord) else None

    async def find(
        self, *, external_key: str | None, email: str | None, company_id: str | None = None
    ) -> list[RemoteRecord]:
        for key, value in (("externalkey", external_key), ("email", email)):
            if not value:
                continue
            body = await self._page(1, {key: value})
            found = [r for r in (self._record(item) for item in body["items"]) if isinstance(r, RemoteRecord)]
            if found:
                return found
        return []

    def _validated(self, values: Mapping[str, FieldValue], creating: bool) -> dict[str, Any]:
        return to_body(SCHEMA.check(self.name, values, creating=creating, skip=("company", "full_name")))

    async def create(self, values: Mapping[str, FieldValue], *, company_id: str | None,
                     external_key: str | None) -> RemoteRecord:
        body = self._validated(values, creating=True)
        if not company_id:
            raise ValidationError(self.name, "a Cirrus contact must belong to an account: no account id")
        body["accountid"] = int(company_id) if company_id.isdigit() else company_id
        if external_key:
            body["externalkey"] = external_key
        answer = await self.http.request("POST", self.path, idempotent=False, json_body=body)
        record = self._record(answer) if isinstance(answer, dict) else None
        if isinstance(record, RemoteRecord) and record.contact.given_name is not None:
            return record
        if isinstance(answer, dict) and answer.get("id"):
            fetched = await self.get(str(answer["id"]))
            if fetched is not None:
                return fetched
        raise ProtocolError(self.name, "create answered without the new contact")

    async def update(self, current: RemoteRecord, values: Mapping[str, FieldValue]) -> RemoteRecord:
        body = self._validated(values, creating=False)
        if not body:
            return current
        answer = await self.http.request("PUT", f"{self.path}/{current.remote_id}", idempotent=True, json_body=body)
        record = self._record(answer) if isinstance(answer, dict) else None
        if isinstance(record, RemoteRecord) and record.contact.given_name is not None:
            return record
        fetched = await self.get(current.remote_id)
        if fetched is None:
            raise NotFoundError(self.name, f"contact {current.remote_id} not found")
        return fetched

    async def set_active(self, current: RemoteRecord, active: bool) -> RemoteRecord:
        return await self.update(current, {"active": active})

    async def delete(self, current: RemoteRecord) -> None:
        raise ValidationError(self.name, "Cirrus has no delete for contacts: deactivate instead")

    async def aclose(self) -> None:
        await self.http.aclose()
