"""A simulated ITFlow (open-source PSA), faithful to ``itflow-contacts.txt`` and NOTES.md.

PHP-flavoured on purpose: every value is a string and rows repeat each column under a numeric key
(``mysqli_fetch_array``); ``success`` is the string ``"True"``/``"False"``; an empty page is HTTP 200
``"False"`` with "No resource"; failed creates give no reason; an update that changes nothing answers
``"False"``; stored values are normalised (tags stripped, trimmed, phones digits only, flags as ints).
Switches: ``php_warnings`` prints a warning before the JSON; ``forbidden_clients`` answers 403.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from syncd.model import Contact
from syncd.sandbox.common import json_response, now_text, read_json
from syncd.sandbox.faults import FaultInjector

__all__ = ["DEFAULT_CREDENTIALS", "ITFlowCredentials", "ITFlowSandbox"]

_TAGS = re.compile(r"<[^>]*>")
_FIELDS = ("contact_name", "contact_title", "contact_department", "contact_email", "contact_phone",
           "contact_extension", "contact_mobile", "contact_notes", "contact_auth_method", "contact_important",
           "contact_billing", "contact_technical", "contact_location_id")
_DIGITS = ("contact_phone", "contact_extension", "contact_mobile")
_FLAGS = ("contact_important", "contact_billing", "contact_technical", "contact_location_id")
_WARNING = b"<br />\n<b>Warning</b>:  Undefined array key \"contact_pin\" in <b>/var/www/api/v1/contacts/" \
           b"contact_model.php</b> on line <b>12</b><br />\n"


@dataclass(frozen=True)
class ITFlowCredentials:
    api_key: str = "sandbox-itflow-key"


DEFAULT_CREDENTIALS = ITFlowCredentials()


def _stored(field: str, value: Any) -> str:
    """What ITFlow keeps of a value: tags stripped, trimmed, digits only for phones, ints for flags."""
    text = _TAGS.sub("", "" if value is None else str(value)).strip()
    if field in _DIGITS:
        return "".join(ch for ch in text if ch.isdigit())
    if field in _FLAGS:
        try:
            return str(int(text or "0"))
        except ValueError:
            return "0"
    return text


class ITFlowSandbox:
    def __init__(self, *, credentials: ITFlowCredentials = DEFAULT_CREDENTIALS,
                 seed_contacts: Iterable[Contact] = ()) -> None:
        self.credentials = credentials
        self.contacts: dict[int, dict[str, str | None]] = {}
        self.clients: dict[int, str] = {}
        self.php_warnings = False
        self.forbidden_clients: set[int] = set()
        self._ids = itertools.count(1)
        self._client_ids = itertools.count(1)
        app = Starlette(routes=[
            Route("/api/v1/contacts/read.php", self.read, methods=["GET"]),
            Route("/api/v1/clients/read.php", self.read_clients, methods=["GET"]),
            Route("/api/v1/contacts/create.php", self.create, methods=["POST"]),
            Route("/api/v1/contacts/update.php", self.update, methods=["POST"]),
            Route("/api/v1/contacts/archive.php", self.archive, methods=["POST"]),
            Route("/api/v1/contacts/unarchive.php", self.unarchive, methods=["POST"]),
            Route("/api/v1/contacts/delete.php", self.delete, methods=["POST"]),
            Route("/_sandbox/records", self.records, methods=["GET"]),
        ])
        self.faults = FaultInjector(app)
        self.app = self.faults
        self.seed(seed_contacts)

    # --- state --------------------------------------------------------------------------------

    def client_for(self, name: str) -> int:
        for cid, client in self.clients.items():
            if client == name:
                return cid
        cid = next(self._client_ids)
        self.clients[cid] = name
        return cid

    def seed(self, contacts: Iterable[Contact]) -> None:
        for c in contacts:
            client = self.client_for(c.company or "Internal")
            row = self._new_row({"contact_name": c.full_name or "", "contact_title": c.title or "",
                                 "contact_department": c.department or "", "contact_email": c.email or "",
                                 "contact_phone": c.phone_office or "", "contact_mobile": c.phone_mobile or "",
                                 "contact_notes": c.notes or ""}, client)
            if c.active is False:
                row["contact_archived_at"] = row["contact_created_at"]

    def _new_row(self, values: dict[str, Any], client: int) -> dict[str, str | None]:
        contact_id = next(self._ids)
        row: dict[str, str | None] = {f: _stored(f, values.get(f, "")) for f in _FIELDS}
        row.update({"contact_id": str(contact_id), "contact_client_id": str(client),
                    "contact_created_at": now_text(), "contact_updated_at": None, "contact_archived_at": None})
        self.contacts[contact_id] = row
        return row

    def rows(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.contacts.values()]

    def export_state(self) -> dict[str, Any]:
        return {"contacts": {str(k): v for k, v in self.contacts.items()},
                "clients": {str(k): v for k, v in self.clients.items()}}

    def import_state(self, state: dict[str, Any]) -> None:
        self.contacts = {int(k): v for k, v in sorted(state["contacts"].items(), key=lambda kv: int(kv[0]))}
        self.clients = {int(k): v for k, v in state["clients"].items()}
        self._ids = itertools.count(max(self.contacts, default=0) + 1)
        self._client_ids = itertools.count(max(self.clients, default=0) + 1)

    # --- HTTP ---------------------------------------------------------------------------------

    def _answer(self, data: dict[str, Any], status: int = 200) -> Response:
        response = json_response(data, status=status)
        if self.php_warnings:
            return Response(_WARNING + bytes(response.body), status_code=status, media_type="text/html")
        return response

    def _false(self, message: str, status: int = 200) -> Response:
        return self._answer({"success": "False", "message": message}, status)

    @staticmethod
    def _php_row(row: dict[str, str | None]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for i, (key, value) in enumerate(row.items()):
            out[str(i)] = value
            out[key] = value
        return out

    async def records(self, request: Request) -> Response:
        return json_response(self.rows())

    async def read_clients(self, request: Request) -> Response:
        if request.query_params.get("api_key") != self.credentials.api_key:
            return self._false("Incorrect or expired API key", 401)
        data = [{"client_id": str(cid), "client_name": name} for cid, name in sorted(self.clients.items())]
        return self._answer({"success": "True", "count": len(data), "data": data})

    async def read(self, request: Request) -> Response:
        q = request.query_params
        if q.get("api_key") != self.credentials.api_key:
            return self._false("Incorrect or expired API key", 401)
        rows = list(self.contacts.values())  # ids only grow: insertion order is contact_id order
        if "contact_id" in q:
            rows = [r for r in rows if r["contact_id"] == q["contact_id"]]
        if "contact_email" in q:
            rows = [r for r in rows if (r["contact_email"] or "").lower() == q["contact_email"].lower()]
        try:
            limit = int(q.get("limit", "50"))
            offset = int(q.get("offset", "0"))
        except ValueError:
            return self._false("Invalid limit or offset")
        page = rows[offset:offset + limit]
        if not page:
            return self._false("No resource found")
        if any(int(r["contact_client_id"] or 0) in self.forbidden_clients for r in page):
            return self._false("Forbidden: you do not have permission to access this client", 403)
        return self._answer({"success": "True", "count": len(page), "data": [self._php_row(r) for r in page]})

    async def _body(self, request: Request) -> dict[str, Any] | Response:
        if "json" not in request.headers.get("content-type", ""):
            return Response(b"Method Not Allowed: JSON body expected", status_code=405, media_type="text/plain")
        body = await read_json(request)
        if not isinstance(body, dict) or body.get("api_key") != self.credentials.api_key:
            return self._false("Incorrect or expired API key", 401)
        return body

    def _target(self, body: dict[str, Any]) -> dict[str, str | None] | Response:
        try:
            contact_id, client_id = int(body.get("contact_id") or 0), int(body.get("client_id") or 0)
        except (TypeError, ValueError):
            return self._false("Failed")
        if client_id in self.forbidden_clients:
            return self._false("Forbidden: you do not have permission to access this client", 403)
        row = self.contacts.get(contact_id)
        if row is None or row["contact_client_id"] != str(client_id):
            return self._false("Failed")
        return row

    async def create(self, request: Request) -> Response:
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        try:
            client_id = int(body.get("client_id") or 0)
        except (TypeError, ValueError):
            client_id = 0
        name = _stored("contact_name", body.get("contact_name"))
        email = _stored("contact_email", body.get("contact_email"))
        duplicate = any(r["contact_client_id"] == str(client_id) and (r["contact_email"] or "").lower() == email.lower()
                        for r in self.contacts.values())
        if client_id in self.forbidden_clients:
            return self._false("Forbidden: you do not have permission to access this client", 403)
        if not name or not email or client_id not in self.clients or duplicate:
            return self._false("Failed")  # ITFlow says no more than this
        row = self._new_row(body, client_id)
        return self._answer({"success": "True", "count": "1", "data": [{"insert_id": int(row["contact_id"] or 0)}]})

    async def update(self, request: Request) -> Response:
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        row = self._target(body)
        if isinstance(row, Response):
            return row
        changed = False
        for field in _FIELDS:
            if field in body:
                value = _stored(field, body[field])
                if row[field] != value:
                    row[field] = value
                    changed = True
        if not changed:
            return self._answer({"success": "False", "count": 0})
        row["contact_updated_at"] = now_text()
        return self._answer({"success": "True", "count": 1})

    async def _archive(self, request: Request, archived: bool) -> Response:
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        row = self._target(body)
        if isinstance(row, Response):
            return row
        row["contact_archived_at"] = now_text() if archived else None
        row["contact_updated_at"] = now_text()
        return self._answer({"success": "True", "count": 1})

    async def archive(self, request: Request) -> Response:
        return await self._archive(request, True)

    async def unarchive(self, request: Request) -> Response:
        return await self._archive(request, False)

    async def delete(self, request: Request) -> Response:
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        row = self._target(body)
        if isinstance(row, Response):
            return row
        del self.contacts[int(row["contact_id"] or 0)]
        return self._answer({"success": "True", "count": 1})
