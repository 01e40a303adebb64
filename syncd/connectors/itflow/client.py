"""The ITFlow connector, built against the real ITFlow (v26.08.2) and not only against our simulator.

What the real API does, and what this module does about it:

- ``api_key`` goes in the query on GET and in the JSON body on POST (a form body is not read: 401).
- 401: the key is wrong or expired (:class:`~syncd.errors.AuthError`). 403: the key works but its user may
  not do this, is archived, or the key is tied to no user: :class:`~syncd.errors.PermissionDenied` with
  ITFlow's own message, for the whole connector (an admin fixes it; the changes wait), never one record's
  rejection. Reads are never 403 per client: rows the user may not see are silently left out.
- ``success`` is a string. Reads page by ``limit``/``offset`` (``ORDER BY contact_id``), contacts and
  clients alike; past the end comes "No resource". Every page of ``clients/read.php`` is read.
- A create, an update, an archive and a delete that did not happen all answer HTTP 200 "False" with one
  generic message: a no-op, a stale ``client_id`` and an unknown id look the same. So the contact is read
  back to tell which: done already (an archive of an archived contact) is success; a moved contact is
  written again, once, with its current client; a vanished one is :class:`~syncd.errors.NotFoundError`.
- JSON ``null`` keeps a value; only ``""`` clears it (:func:`~syncd.connectors.itflow.mapping.to_body`).
- No unique index backs the duplicate-email check of a create, so creates of one email in one client are
  serialised inside the connector (:class:`~syncd.connectors.serial.KeyedLocks`).
- An unknown client id is accepted (the contact is filed under a client that does not exist): the company
  ids are checked at start (:mod:`syncd.connectors.preflight`) and a create names a listed client only.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx

from syncd.connectors import convert
from syncd.connectors.base import Capabilities, ScanItem
from syncd.connectors.companies import CompanyCache
from syncd.connectors.http import NoAuth, VendorHTTP
from syncd.connectors.itflow.mapping import SCHEMA, from_row, stored_form, to_body
from syncd.connectors.itflow.settings import ITFlowSettings
from syncd.connectors.serial import KeyedLocks
from syncd.errors import (
    AuthError,
    NotFoundError,
    PermissionDenied,
    ProtocolError,
    RejectedError,
    SkippableError,
    ValidationError,
)
from syncd.model import BadRecord, Contact, FieldValue, RemoteRecord, normalize_email

__all__ = ["ITFlowConnector"]


class _End(Exception):
    """The "No resource" answer: the listing is over (or the look-up found nothing)."""


class _False(RejectedError):
    """HTTP 200 ``"success": "False"`` to a write: it did not happen, for a reason ITFlow does not say."""


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
        self._clients = CompanyCache(name)
        self._creates = KeyedLocks()
        self._times = convert.TimeReader(name, settings.zone())

    # --- calls --------------------------------------------------------------------------------

    def _path(self, action: str, resource: str | None = None) -> str:
        base = self.settings.clients_path if resource == "clients" else self.settings.api_path
        return f"{base.strip('/')}/{action}.php"

    def _check(self, body: Any, response: httpx.Response) -> None:
        if not isinstance(body, dict) or "success" not in body:
            raise ProtocolError(self.name, f"{response.request.url.path}: an answer without success")
        if str(body["success"]) == "True":
            return
        message = str(body.get("message") or "")
        if response.request.method == "GET" and "no resource" in message.lower():
            raise _End()
        raise _False(self.name, f"ITFlow answered False{': ' + message if message else ''}")

    def _denied(self, exc: AuthError) -> AuthError:
        message = exc.message
        if exc.status == 403:
            return PermissionDenied(self.name, f"{message} (the API key's user: an ITFlow admin must grant the "
                                               "permission, or give the key an active user)", status=403)
        if message.endswith("HTTP 401"):  # an empty 401: ITFlow found no api_key in the request at all
            message += " with an empty body (no api_key reached ITFlow)"
        return AuthError(self.name, f"{message}: check api_key", status=exc.status)

    async def _get(self, path: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        try:
            body = await self.http.request("GET", path, idempotent=True, params={**params, "api_key": self._key},
                                           check=self._check)
        except _End:
            return []
        except AuthError as exc:
            raise self._denied(exc) from None
        data = body.get("data")
        if not isinstance(data, list):
            raise ProtocolError(self.name, f"GET /{path}: data is not a list")
        return [row for row in data if isinstance(row, dict)]

    async def _post(self, action: str, body: Mapping[str, Any]) -> dict[str, Any]:
        try:
            answer = await self.http.request("POST", self._path(action), idempotent=action != "create",
                                             json_body={**body, "api_key": self._key}, check=self._check)
        except AuthError as exc:
            raise self._denied(exc) from None
        return answer if isinstance(answer, dict) else {}

    async def _pages(self, path: str) -> AsyncIterator[list[dict[str, Any]]]:
        offset, limit = 0, self.settings.page_size
        while True:
            rows = await self._get(path, {"limit": str(limit), "offset": str(offset)})
            if rows:
                yield rows
            if len(rows) < limit:
                return
            offset += limit

    # --- reading ------------------------------------------------------------------------------

    async def _read_clients(self) -> dict[str, str]:
        clients: dict[str, str] = {}
        async for rows in self._pages(self._path("read", "clients")):
            for row in rows:
                client_id, _ = convert.remote_id(row.get("client_id"))
                if client_id is not None:
                    clients[client_id] = convert.text(row.get("client_name")) or ""
        return clients

    async def companies(self) -> Mapping[str, str]:
        """ITFlow clients the key's user may see, every page: client id -> name."""
        return await self._clients.get(self._read_clients)

    async def _client_names(self) -> dict[str, str]:
        return self._clients.known if self._clients.known is not None else dict(await self.companies())

    def _record(self, row: Mapping[str, Any], clients: Mapping[str, str]) -> ScanItem:
        remote_id, problem = convert.remote_id(row.get("contact_id"))
        if remote_id is None:
            return BadRecord(self.name, None, f"contact row {problem}")
        try:
            contact = from_row(row, clients)
        except (TypeError, ValueError) as exc:
            return BadRecord(self.name, remote_id, f"unreadable contact row: {exc}")
        raw = {k: v for k, v in row.items() if not str(k).isdigit()}
        when = self._times.first(("contact_updated_at", row.get("contact_updated_at")),
                                 ("contact_created_at", row.get("contact_created_at")))
        return RemoteRecord(self.name, remote_id, contact, raw=raw, remote_updated_at=when,
                            company_id=_text(row.get("contact_client_id")))

    async def scan(self) -> AsyncIterator[ScanItem]:
        clients = await self._read_clients()
        self._clients.put(clients)
        async for rows in self._pages(self._path("read")):
            for row in rows:
                yield self._record(row, clients)

    async def get(self, remote_id: str) -> RemoteRecord | None:
        rows = await self._get(self._path("read"), {"contact_id": remote_id})
        rows = [r for r in rows if str(r.get("contact_id")) == remote_id]
        if not rows:
            return None
        item = self._record(rows[0], await self._client_names())
        return item if isinstance(item, RemoteRecord) else None

    async def find(
        self, *, external_key: str | None, email: str | None, company_id: str | None = None
    ) -> list[RemoteRecord]:
        """Contacts with this email (ITFlow compares it case-insensitively, across every client the key
        sees), within ``company_id``'s client when one is given. ITFlow has no field for syncd's key."""
        if not email:
            return []
        rows = await self._get(self._path("read"), {"contact_email": email})
        clients = await self._client_names()
        found = [r for r in (self._record(row, clients) for row in rows) if isinstance(r, RemoteRecord)]
        wanted = normalize_email(email)
        return [r for r in found if normalize_email(r.contact.email) == wanted
                and (company_id is None or r.company_id == str(company_id))]

    # --- writing ------------------------------------------------------------------------------

    def _validated(self, values: Mapping[str, FieldValue], creating: bool,
                   row: Mapping[str, Any] | None = None) -> dict[str, str]:
        return to_body(SCHEMA.check(self.name, values, creating=creating, skip=("company", "active")), row)

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
        request = {"contact_name": "", "contact_title": "", "contact_department": "", "contact_email": "",
                   "contact_phone": "", "contact_extension": "", "contact_mobile": "", "contact_notes": "",
                   **body, "client_id": str(company_id)}
        mailbox = (str(company_id), normalize_email(body.get("contact_email")) or "")
        async with self._creates.hold(mailbox):
            try:
                answer = await self._post("create", request)
            except _False as exc:
                raise await self._why_create_failed(exc, request) from None
            data = answer.get("data")
            first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
            insert_id, _ = convert.remote_id(first.get("insert_id"))
            if insert_id is None:
                raise ProtocolError(self.name, "create answered True without an insert_id")
            record = await self.get(insert_id)
        if record is None:  # created, but not visible to this key: what was sent is what ITFlow holds
            record = self._sent(insert_id, request)
        if values.get("active") is False:
            record = await self.set_active(record, False)
        return record

    def _sent(self, remote_id: str, request: Mapping[str, str]) -> RemoteRecord:
        row = {k: stored_form(k, v) for k, v in request.items() if k.startswith("contact_")}
        row.update({"contact_id": remote_id, "contact_client_id": request["client_id"]})
        item = self._record(row, self._clients.known or {})
        return item if isinstance(item, RemoteRecord) else RemoteRecord(self.name, remote_id, Contact(), raw=row)

    async def _why_create_failed(self, exc: RejectedError, request: Mapping[str, str]) -> SkippableError:
        """The reason ITFlow did not give. An email another contact of the client holds is a value ITFlow
        cannot hold for this one (as a missing email is): a :class:`ValidationError`, parked as invalid (two
        people under one shared mailbox, say) until the value changes."""
        try:
            taken = await self.find(external_key=None, email=request["contact_email"], company_id=request["client_id"])
        except RejectedError:
            taken = []
        if taken:
            return ValidationError(self.name, f"create refused: client {request['client_id']} already has a contact "
                                              f"with this email (contact {taken[0].remote_id}); ITFlow allows one "
                                              "per client")
        return RejectedError(self.name, f"create refused ({exc.message}); ITFlow gives no reason: a missing name, "
                                        "email or client")

    async def update(self, current: RemoteRecord, values: Mapping[str, FieldValue]) -> RemoteRecord:
        body = self._validated(values, False, current.raw)
        if "active" in values and values["active"] is not None and bool(values["active"]) != current.contact.active:
            current = await self.set_active(current, bool(values["active"]))
        if not body:
            return current
        return await self._write("update", current, body, lambda after: all(
            str(after.raw.get(k) or "") == stored_form(k, v) for k, v in body.items()))

    async def set_active(self, current: RemoteRecord, active: bool) -> RemoteRecord:
        return await self._write("unarchive" if active else "archive", current, {},
                                 lambda after: after.contact.active is active)

    async def _write(self, action: str, current: RemoteRecord, body: Mapping[str, str],
                     done: Callable[[RemoteRecord], bool]) -> RemoteRecord:
        """POST ``action`` for ``current``; on "False", read back: already so is success, a client that
        changed since the scan is tried once more with the current one, a vanished contact is gone."""
        client_id = _text(current.raw.get("contact_client_id"))
        for attempt in range(2):
            try:
                await self._post(action, {"contact_id": current.remote_id, "client_id": client_id or "", **body})
            except _False as exc:
                after = await self.get(current.remote_id)
                if after is None:
                    raise NotFoundError(self.name, f"contact {current.remote_id} is not in ITFlow (any more)") from None
                if done(after):
                    return after  # nothing to change: ITFlow says False to a write that changes no row
                if after.company_id != client_id and attempt == 0:
                    client_id = after.company_id  # moved to another client since the scan
                    continue
                raise RejectedError(self.name, f"{action} of contact {current.remote_id} refused: {exc.message}",
                                    status=exc.status) from None
            return await self._read_back(current.remote_id)
        raise AssertionError("unreachable")

    async def delete(self, current: RemoteRecord) -> None:
        if not self.settings.allow_hard_delete:
            raise ValidationError(self.name, "hard deletes are off (allow_hard_delete = false)")
        client_id = _text(current.raw.get("contact_client_id"))
        for attempt in range(2):
            try:
                await self._post("delete", {"contact_id": current.remote_id, "client_id": client_id or ""})
                return
            except _False as exc:
                after = await self.get(current.remote_id)
                if after is None:
                    raise NotFoundError(self.name, f"contact {current.remote_id} is not in ITFlow (any more)") from None
                if after.company_id != client_id and attempt == 0:
                    client_id = after.company_id
                    continue
                raise RejectedError(self.name, f"delete of contact {current.remote_id} refused: {exc.message}") \
                    from None

    async def aclose(self) -> None:
        await self.http.aclose()


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
