"""A simulated ITFlow, matching what the real one (v26.08.2) was seen to do (``tools/itflow-live/README.md``).

- API keys run as users: admin (every client, even ones that do not exist), a client allow/deny list,
  a module level (1 read, 2 create/update/archive, 3 delete), archived users and keys tied to no user.
  No key: 401 with an empty body (a form-encoded POST carries none: its body is not read). A wrong or
  expired key: 401 with a JSON message. A user who may not: 403 with ITFlow's message. Reads are never
  403 per client: rows the user may not see are left out without a word (client 0 stays visible).
- ``success`` is a string; rows come from ``mysqli_fetch_assoc`` (no numeric keys, every value a string
  or null) and carry every column, the country codes and the other newer ones included.
- ``limit`` (default 50, no ceiling) and ``offset`` go through ``intval``: 0 or junk reads nothing ("No
  resource"), a negative one is an SQL error (HTTP 500, empty body). ``client_id`` on a read is ignored.
- Create: needs a non-empty name, email and client id (PHP ``empty``: "0" is empty too); an email already in
  that client (case-insensitively) answers "False"; an unknown client is accepted. The duplicate check and
  the insert are two steps (``insert_delay`` between them), so parallel creates of one email duplicate.
- Update: an omitted field or a JSON ``null`` keeps its value, ``""`` clears; a write that changes nothing,
  a wrong client id and an unknown contact all answer "False". Flags go through ``intval``.
- archive/unarchive: "False" when already in that state; archiving zeroes the three flags.
- Values: text through ``strip_tags`` + ``trim``, phones digits only. A value too long for its column
  (varchar(200); notes TEXT = 65,535 bytes) is an SQL error: HTTP 500 with an empty body, or with
  ``display_errors`` HTTP 200 with PHP's HTML fatal error. ``contact_updated_at`` is NULL until a real change.
- ``display_errors`` also prints PHP warnings before the JSON; the type is always ``application/json``.
- Wrong method: 405 JSON; a method other than GET/POST: 405 with a ``var_dump`` body.
- ``close_connections``: answer ``Connection: close`` as ``php -S`` does (no keep-alive).
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from syncd.connectors.itflow.php import digits_only, stored_text
from syncd.model import Contact
from syncd.sandbox.common import json_response, now_text, read_json
from syncd.sandbox.faults import FaultInjector

__all__ = ["DEFAULT_CREDENTIALS", "ITFlowCredentials", "ITFlowSandbox", "KeyUser", "php_intval"]

_TEXT = ("contact_name", "contact_title", "contact_department", "contact_email", "contact_notes")
_DIGITS = ("contact_phone", "contact_extension", "contact_mobile")
_FLAGS = ("contact_primary", "contact_important", "contact_billing", "contact_technical", "contact_location_id")
_MODEL = (*_TEXT, *_DIGITS, *_FLAGS)
#: every column of the contacts table, in the table's order (what SELECT * returns)
_COLUMNS = ("contact_id", "contact_name", "contact_title", "contact_email", "contact_phone_country_code",
            "contact_phone", "contact_extension", "contact_mobile_country_code", "contact_mobile", "contact_photo",
            "contact_pin", "contact_notes", "contact_primary", "contact_important", "contact_billing",
            "contact_technical", "contact_created_at", "contact_updated_at", "contact_archived_at",
            "contact_accessed_at", "contact_location_id", "contact_vendor_id", "contact_user_id",
            "contact_department", "contact_client_id")
_VARCHAR = {"contact_name": 200, "contact_title": 200, "contact_email": 200, "contact_department": 200,
            "contact_phone": 200, "contact_extension": 200, "contact_mobile": 200}
_TEXT_BYTES = {"contact_notes": 65_535}
_LEVELS = {"read": 1, "create": 2, "update": 2, "delete": 3}
_INT = re.compile(r"^\s*([+-]?\d+)")

_NO_RESOURCE = "No resource (for this client and company) with the specified parameter(s)."
_AUTH_FAILED = "Authentication failed. API key is invalid or has expired."
_NO_USER = "This API key is not tied to a user and is no longer valid. Please recreate it."
_INACTIVE = "The user linked to this API key is inactive, archived, or invalid."
_NO_PERMISSION = "The user linked to this API key does not have permission for this action."
_NO_CLIENT = "The user linked to this API key does not have access to the target client for this write."
_INSERT_FAILED = ("Auth success but insert query failed, ensure ALL required variables are provided (and aren't "
                  "duplicates where applicable) and database schema is up-to-date. Turn on error logging and "
                  "look for 'undefined index'.")
_UPDATE_FAILED = ("Auth success but update query failed/returned no results. Ensure ALL required variables are "
                  "provided and database schema is up-to-date. Most likely cause: non-existent module ID (i.e. "
                  "bad contact ID/ticket ID/etc) or no rows changed.")
_DELETE_FAILED = ("Auth success but delete query failed/returned no results. Ensure ALL required variables are "
                  "provided and database schema is up-to-date. Most likely cause: non-existent module ID (i.e. "
                  "bad contact ID/ticket ID/etc).")


def php_intval(value: Any) -> int:
    """PHP's ``intval``: ``"1"``, ``"12abc"`` and ``true`` read as numbers; ``"true"``, ``"yes"`` read as 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        match = _INT.match(value)
        return int(match.group(1)) if match else 0
    return 0


def _php_empty(value: str) -> bool:
    return value in ("", "0")


def _fold(email: str) -> str:
    """utf8mb4_general_ci equality, near enough: case-insensitive, trailing spaces ignored."""
    return email.rstrip(" ").casefold()


@dataclass(frozen=True)
class KeyUser:
    """The user an API key runs as. ``level``: the role's contacts/clients module level (0-3);
    ``allow``/``deny``: the user's client lists (empty allow: every client); ``admin`` sees everything."""

    level: int = 3
    admin: bool = True
    allow: frozenset[int] = frozenset()
    deny: frozenset[int] = frozenset()
    #: "ok", "archived" (an archived or inactive user) or "none" (a key tied to no user)
    state: str = "ok"
    expired: bool = False

    def sees(self, client_id: int) -> bool:
        if self.admin:
            return True
        if client_id in self.deny:
            return False
        return not self.allow or client_id == 0 or client_id in self.allow

    def may_write(self, client_id: int) -> bool:
        if self.admin:
            return True
        if client_id in self.deny:
            return False
        return not self.allow or client_id in self.allow


@dataclass(frozen=True)
class ITFlowCredentials:
    api_key: str = "sandbox-itflow-key"


DEFAULT_CREDENTIALS = ITFlowCredentials()


@dataclass
class _Answer:
    body: bytes
    status: int = 200
    warnings: list[str] = field(default_factory=list)


class ITFlowSandbox:
    def __init__(self, *, credentials: ITFlowCredentials = DEFAULT_CREDENTIALS,
                 seed_contacts: Iterable[Contact] = (), insert_delay: float = 0.002) -> None:
        self.credentials = credentials
        self.keys: dict[str, KeyUser] = {credentials.api_key: KeyUser()}
        self.contacts: dict[int, dict[str, Any]] = {}
        self.clients: dict[int, str] = {}
        #: PHP's display_errors: warnings and fatal errors are printed into the body
        self.display_errors = False
        self.close_connections = False
        #: seconds between the duplicate check and the INSERT of a create (the window parallel creates race in)
        self.insert_delay = insert_delay
        self._ids = itertools.count(1)
        self._client_ids = itertools.count(1)
        app = Starlette(routes=[
            Route("/api/v1/{resource}/{action}.php", self.endpoint,
                  methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
            Route("/_sandbox/records", self.records, methods=["GET"]),
        ])
        self.faults = FaultInjector(app)
        self.app = self.faults
        self.seed(seed_contacts)

    # --- state --------------------------------------------------------------------------------

    def add_key(self, secret: str, user: KeyUser) -> None:
        self.keys[secret] = user

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
            row = self._insert({"contact_name": c.full_name or "", "contact_title": c.title or "",
                                "contact_department": c.department or "", "contact_email": c.email or "",
                                "contact_phone": c.phone_office or "", "contact_mobile": c.phone_mobile or "",
                                "contact_notes": c.notes or ""}, client)
            if c.active is False:
                row["contact_archived_at"] = row["contact_created_at"]

    def ui_edit(self, contact_id: int, **columns: str | None) -> None:
        """What ITFlow's web UI does: any column (the country codes included), and a bumped updated_at."""
        row = self.contacts[contact_id]
        row.update(columns)
        row["contact_updated_at"] = now_text()

    def _insert(self, values: dict[str, Any], client: int) -> dict[str, Any]:
        contact_id = next(self._ids)
        row: dict[str, Any] = {c: None for c in _COLUMNS}
        row.update({f: self._stored(f, values.get(f, "")) for f in _MODEL})
        row.update({"contact_id": str(contact_id), "contact_client_id": str(client), "contact_vendor_id": "0",
                    "contact_user_id": "0", "contact_created_at": now_text()})
        self.contacts[contact_id] = row
        return row

    @staticmethod
    def _stored(column: str, value: Any) -> str:
        if column in _DIGITS:
            return digits_only("" if value is None else str(value))
        if column in _FLAGS:
            return str(php_intval(value))
        if isinstance(value, bool):
            value = "1" if value else ""
        return stored_text("" if value is None else str(value))

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

    async def records(self, request: Request) -> Response:
        return json_response(self.rows())

    def _respond(self, answer: _Answer) -> Response:
        body = answer.body
        if self.display_errors and answer.warnings:
            body = "".join(f"<br />\n<b>Warning</b>:  {w} in <b>/opt/itflow/api/v1/contacts/contact_model.php</b> "
                           f"on line <b>{10 + i}</b><br />\n" for i, w in enumerate(answer.warnings)).encode() + body
        headers = {"Connection": "close"} if self.close_connections else None
        return Response(body, status_code=answer.status, media_type="application/json", headers=headers)

    @staticmethod
    def _json(data: dict[str, Any], status: int = 200, warnings: list[str] | None = None) -> _Answer:
        return _Answer(bytes(json_response(data).body), status, warnings or [])

    def _false(self, message: str, status: int = 200) -> _Answer:
        return self._json({"success": "False", "message": message}, status)

    def _sql_error(self, column: str) -> _Answer:
        if not self.display_errors:
            return _Answer(b"", 500)
        html = (f"<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: Data too long for column '{column}' "
                "at row 1 in /opt/itflow/api/v1/contacts/create.php:30\nStack trace:\n#0 {main}\n  thrown in "
                "<b>/opt/itflow/api/v1/contacts/create.php</b> on line <b>30</b><br />\n")
        return _Answer(html.encode(), 200)

    async def endpoint(self, request: Request) -> Response:
        resource, action = request.path_params["resource"], request.path_params["action"]
        if request.method not in ("GET", "POST"):
            return Response(f'string({len(request.method)}) "{request.method}"\n'.encode(), status_code=405,
                            media_type="application/json")
        post: dict[str, Any] | None = None
        if request.method == "POST":
            body = await read_json(request)  # json_decode(php://input): a form body decodes to null
            post = body if isinstance(body, dict) else None
        query = dict(parse_qsl(request.url.query, keep_blank_values=True))
        answer = await self._dispatch(resource, action, request.method, query, post)
        return self._respond(answer)

    async def _dispatch(self, resource: str, action: str, method: str, query: dict[str, str],
                        post: dict[str, Any] | None) -> _Answer:
        secret = query.get("api_key") if "api_key" in query else (post or {}).get("api_key")
        if secret is None:
            return _Answer(b"", 401)
        user = self.keys.get(str(secret))
        if user is None or user.expired:
            return self._false(_AUTH_FAILED, 401)
        if user.state == "none":
            return self._false(_NO_USER, 403)
        if user.state != "ok":
            return self._false(_INACTIVE, 403)
        if resource not in ("contacts", "clients"):
            return self._false("This API resource is not mapped to a permission module.", 403)
        if user.level < _LEVELS.get(action, 2):
            return self._false(_NO_PERMISSION, 403)
        body = post or {}
        client_id = php_intval(body.get("client_id", query.get("client_id", 0)))
        if action in ("create", "update", "delete") and not user.may_write(client_id):
            return self._false(_NO_CLIENT, 403)
        wants = "GET" if action == "read" else "POST"
        if method != wants:
            return self._false(f"Can only send {wants} requests to this endpoint.", 405)
        if resource == "clients":
            return self._read_clients(query, user) if action == "read" else self._false(_UPDATE_FAILED)
        if action == "read":
            return self._read(query, user)
        if action == "create":
            return await self._create(body, client_id)
        if action == "update":
            return self._update(body, client_id)
        if action in ("archive", "unarchive"):
            return self._archive(body, client_id, action == "archive")
        if action == "delete":
            return self._delete(body, client_id)
        return _Answer(b"<html><body><h1>404 Not Found</h1></body></html>", 404)

    @staticmethod
    def _page(query: dict[str, str]) -> tuple[int, int] | None:
        limit = php_intval(query["limit"]) if "limit" in query else 50
        offset = php_intval(query["offset"]) if "offset" in query else 0
        return None if limit < 0 or offset < 0 else (limit, offset)

    def _rows_answer(self, rows: list[dict[str, Any]]) -> _Answer:
        if not rows:
            return self._false(_NO_RESOURCE)
        return self._json({"success": "True", "count": len(rows), "data": rows})

    def _read_clients(self, query: dict[str, str], user: KeyUser) -> _Answer:
        page = self._page(query)
        if page is None:
            return _Answer(b"", 500)
        visible = [{"client_id": str(cid), "client_name": name, "client_archived_at": None}
                   for cid, name in sorted(self.clients.items()) if user.sees(cid)]
        if "client_name" in query:
            wanted = _fold(query["client_name"])
            return self._rows_answer([c for c in visible if _fold(str(c["client_name"])) == wanted])
        limit, offset = page
        return self._rows_answer(visible[offset:offset + limit])

    def _visible(self, user: KeyUser) -> list[dict[str, Any]]:
        rows = list(self.contacts.values())  # ids only grow: insertion order is contact_id order
        return rows if user.admin else [r for r in rows if user.sees(int(r["contact_client_id"] or 0))]

    def _read(self, query: dict[str, str], user: KeyUser) -> _Answer:
        visible = self._visible(user)
        if "contact_id" in query:
            wanted = str(php_intval(query["contact_id"]))
            return self._rows_answer([dict(r) for r in visible if r["contact_id"] == wanted])
        if "contact_email" in query:
            email = _fold(query["contact_email"])
            return self._rows_answer([dict(r) for r in visible if _fold(r["contact_email"] or "") == email])
        if "contact_phone_or_mobile" in query:
            number = query["contact_phone_or_mobile"]
            # the real SQL scopes only the phone half of its OR: a mobile match in any client is returned
            found = [r for r in self.contacts.values() if r["contact_mobile"] == number
                     or (r["contact_phone"] == number and user.sees(int(r["contact_client_id"] or 0)))]
            return self._rows_answer([dict(r) for r in found[:1]])
        page = self._page(query)
        if page is None:
            return _Answer(b"", 500)
        limit, offset = page
        return self._rows_answer([dict(r) for r in visible[offset:offset + limit]])

    def _too_long(self, values: dict[str, str]) -> str | None:
        for column, value in values.items():
            if column in _VARCHAR and len(value) > _VARCHAR[column]:
                return column
            if column in _TEXT_BYTES and len(value.encode("utf-8")) > _TEXT_BYTES[column]:
                return column
        return None

    def _model(self, body: dict[str, Any], row: dict[str, Any] | None) -> tuple[dict[str, str], list[str]]:
        """contact_model.php: each field from the request when set (not null), else the row's, else ''."""
        values: dict[str, str] = {}
        warnings: list[str] = []
        for column in _MODEL:
            if body.get(column) is not None:
                values[column] = self._stored(column, body[column])
            elif row is not None:
                values[column] = row[column] if row[column] is not None else ""
            else:
                if column not in _FLAGS:
                    warnings.append("Undefined variable $contact_row")
                values[column] = "0" if column in _FLAGS else ""
        return values, warnings

    async def _create(self, body: dict[str, Any], client_id: int) -> _Answer:
        values, warnings = self._model(body, None)
        name, email = values["contact_name"], values["contact_email"]
        if _php_empty(name) or _php_empty(email) or not client_id:
            return self._json({"success": "False", "message": _INSERT_FAILED}, warnings=warnings)
        duplicate = any(r["contact_client_id"] == str(client_id) and _fold(r["contact_email"] or "") == _fold(email)
                        for r in self.contacts.values())
        if duplicate:
            return self._json({"success": "False", "message": _INSERT_FAILED}, warnings=warnings)
        if self.insert_delay:
            await asyncio.sleep(self.insert_delay)  # the check and the INSERT are two queries, no unique index
        too_long = self._too_long(values)
        if too_long:
            return self._sql_error(too_long)
        row = self._insert(values, client_id)
        return self._json({"success": "True", "count": "1", "data": [{"insert_id": int(row["contact_id"])}]},
                          warnings=warnings)

    def _find(self, body: dict[str, Any], client_id: int) -> dict[str, Any] | None:
        row = self.contacts.get(php_intval(body.get("contact_id")))
        return row if row is not None and row["contact_client_id"] == str(client_id) else None

    def _update(self, body: dict[str, Any], client_id: int) -> _Answer:
        if not php_intval(body.get("contact_id")):
            return self._false(_UPDATE_FAILED)
        row = self._find(body, client_id)
        values, warnings = self._model(body, row)
        too_long = self._too_long(values)
        if too_long:
            return self._sql_error(too_long)
        if row is None or all((row[c] or "") == v for c, v in values.items()):
            return self._json({"success": "False", "message": _UPDATE_FAILED}, warnings=warnings)
        row.update(values)
        row["contact_updated_at"] = now_text()
        return self._json({"success": "True", "count": 1}, warnings=warnings)

    def _archive(self, body: dict[str, Any], client_id: int, archive: bool) -> _Answer:
        row = self._find(body, client_id)
        if row is None or (row["contact_archived_at"] is None) != archive:
            return self._false(_UPDATE_FAILED)
        if archive:
            row.update({"contact_important": "0", "contact_billing": "0", "contact_technical": "0",
                        "contact_archived_at": now_text()})
        else:
            row["contact_archived_at"] = None
        row["contact_updated_at"] = now_text()
        return self._json({"success": "True", "count": 1})

    def _delete(self, body: dict[str, Any], client_id: int) -> _Answer:
        row = self._find(body, client_id)
        if row is None:
            answer = self._false(_DELETE_FAILED)
            answer.warnings.append('Trying to access array offset on value of type null')
            return answer
        del self.contacts[int(row["contact_id"])]
        return self._json({"success": "True", "count": 1})
