"""A simulated Flowtrac (warehouse / inventory), after ``flowtrac-contacts.txt``,
``flowtrac-product-processes.txt`` and NOTES.md.

Login is ``POST /api/device-login/`` with form ``badge`` and ``pin``; the session comes back as a cookie
(``flow_auth`` by default, ``user`` as our doc says — configurable). Resources answer GET with one
bare JSON array (streamed, no paging), filter with ``field=value`` and the suffix operators, create
with POST, update with PUT (``id`` in the body; ``null`` clears nullable columns only), and delete
with a DELETE carrying a JSON body. Values are strings; ids are UUIDs.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from syncd.model import Contact
from syncd.sandbox.common import json_response, read_form, read_json
from syncd.sandbox.faults import FaultInjector

__all__ = ["DEFAULT_CREDENTIALS", "FlowtracCredentials", "FlowtracSandbox", "Resource"]

_YES_NO = ("Yes", "No")
_OPERATORS = ("-notin", "-in", "-eq", "-gt", "-lt", "-contains", "-isnull", "-isnotnull")


@dataclass(frozen=True)
class FlowtracCredentials:
    badge: str = "sandbox"
    pin: str = "0000"


DEFAULT_CREDENTIALS = FlowtracCredentials()


@dataclass
class Resource:
    """One Flowtrac resource: its columns, which are required, non-nullable, enums, unique, immutable.

    ``writable`` are the columns the doc lists for POST/PUT (None: every column); a write naming another
    column is handled per ``undocumented``: "reject" (400 naming it, a strict instance), "drop" (ignored
    without a word) or "accept" (stored, an instance that takes it)."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    non_nullable: tuple[str, ...]
    enums: dict[str, tuple[str, ...]]
    defaults: dict[str, str]
    unique: tuple[str, ...] = ()
    immutable: tuple[str, ...] = ()
    writable: tuple[str, ...] | None = None
    undocumented: str = "reject"
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)

    def writable_body(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` without the undocumented columns a lenient instance drops."""
        if self.writable is None or self.undocumented != "drop":
            return body
        return {k: v for k, v in body.items() if k == "id" or k in self.writable}

    def problems(self, body: dict[str, Any], current: dict[str, Any] | None) -> list[str]:
        out = []
        creating = current is None
        for column in self.required if creating else ():
            if not str(body.get(column) or "").strip():
                out.append(f"{column} is required")
        for column, value in body.items():
            if column == "id":
                continue
            if column not in self.columns:
                out.append(f"unknown column {column}")
            elif self.writable is not None and column not in self.writable and self.undocumented == "reject":
                out.append(f"{column} is a read only column")
            elif value is None and (column in self.non_nullable or (creating and column in self.required)):
                out.append(f"{column} cannot be null")
            elif value is not None and column in self.enums and str(value) not in self.enums[column]:
                out.append(f"{column} must be set to {' or '.join(self.enums[column])}")
            elif current is not None and column in self.immutable and str(value) != str(current.get(column)):
                out.append(f"{column} cannot be modified from its original value")
        for column in self.unique:
            value = body.get(column)
            if value and any(r.get(column) == value and r["id"] != (current or {}).get("id")
                             for r in self.rows.values()):
                out.append(f"{column} must be unique")
        return out


def _contacts_resource() -> Resource:
    columns = ("name", "active", "office", "cell", "fax", "email", "title", "type", "user", "user auth",
               "browser username", "browser password", "device username", "device password", "allow password reset",
               "last session hash", "direct hourly cost", "overhead hourly cost", "badge", "polled",
               "password changed on", "last used", "force password reset", "license", "locked", "read only",
               "account id", "default address id", "default locale id", "default warehouse id",
               "default layout type id", "account", "address1", "address2", "city", "state", "zipcode", "country")
    writable = ("name", "active", "office", "cell", "fax", "email", "title", "type", "user", "user auth",
                "browser username", "browser password", "device username", "device password", "allow password reset",
                "last session hash", "direct hourly cost", "overhead hourly cost", "badge", "polled",
                "password changed on", "last used", "force password reset", "license", "locked", "read only",
                "account id", "default address id", "default locale id", "default warehouse id",
                "default layout type id")
    return Resource(columns=columns, required=("name",), writable=writable,
                    non_nullable=("name", "active", "badge", "read only", "password changed on"),
                    enums={"active": ("Active", "InActive"), "user": _YES_NO, "badge": _YES_NO,
                           "read only": _YES_NO, "allow password reset": _YES_NO, "force password reset": _YES_NO},
                    defaults={"active": "Active", "user": "No", "badge": "No", "read only": "No",
                              "password changed on": "2020-01-01 00:00:00"},
                    unique=("device username", "browser username"))


def _processes_resource() -> Resource:
    return Resource(columns=("product_id", "process_id", "line_number", "active", "description", "product_minutes",
                             "product_dwell_minutes", "operation_type", "process"),
                    required=("product_id", "process_id", "line_number"),
                    non_nullable=("product_id", "process_id", "line_number", "active"),
                    enums={"active": ("Active", "InActive")}, defaults={"active": "Active"},
                    immutable=("product_id",))


def _matches(row: dict[str, Any], key: str, value: str) -> bool:
    for op in _OPERATORS:
        if key.endswith(op):
            column = key[: -len(op)]
            have = row.get(column)
            text = "" if have is None else str(have)
            if op == "-isnull":
                return have is None or text == ""
            if op == "-isnotnull":
                return not (have is None or text == "")
            if op == "-eq":
                return text == value
            if op == "-contains":
                return value.lower() in text.lower()
            options = [v.strip() for v in value.split(",")]
            if op == "-in":
                return text in options
            if op == "-notin":
                return text not in options
            try:
                numbers = (float(text), float(value))
            except ValueError:
                return text > value if op == "-gt" else text < value
            return numbers[0] > numbers[1] if op == "-gt" else numbers[0] < numbers[1]
    return str(row.get(key) if row.get(key) is not None else "") == value


def _column(resource: Resource, key: str) -> str:
    """Filters may spell space-named columns with underscores (``browser_username-in``)."""
    spaced = key.replace("_", " ")
    base = next((spaced[: -len(op)] for op in _OPERATORS if spaced.endswith(op)), spaced)
    return spaced if base in resource.columns and key.replace("_", " ") != key else key


class FlowtracSandbox:
    def __init__(self, *, credentials: FlowtracCredentials = DEFAULT_CREDENTIALS,
                 seed_contacts: Iterable[Contact] = (), cookie_name: str = "flow_auth",
                 undocumented_writes: str = "reject", time_format: str = "%Y-%m-%d %H:%M:%S") -> None:
        if undocumented_writes not in ("reject", "drop", "accept"):
            raise ValueError(f"undocumented_writes must be reject, drop or accept, not {undocumented_writes!r}")
        self.credentials = credentials
        self.cookie_name = cookie_name
        #: how ``created``/``edited`` are written: a strftime format (our doc does not say which)
        self.time_format = time_format
        self.sessions: set[str] = set()
        self.resources = {"contacts": _contacts_resource(), "product-processes": _processes_resource()}
        self.resources["contacts"].undocumented = undocumented_writes
        self.accounts: dict[str, str] = {}
        app = Starlette(routes=[
            Route("/api/device-login/", self.login, methods=["POST"]),
            Route("/api/device-login", self.login, methods=["POST"]),
            Route("/api/{resource}", self.handle, methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/_sandbox/records", self.records, methods=["GET"]),
        ])
        self.faults = FaultInjector(app, expire_sessions=self.sessions.clear)
        self.app = self.faults
        self.seed(seed_contacts)

    @property
    def contacts(self) -> dict[str, dict[str, Any]]:
        return self.resources["contacts"].rows

    def account_for(self, name: str) -> str:
        if name not in self.accounts:
            self.accounts[name] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"flowtrac-account:{name}"))
        return self.accounts[name]

    def seed(self, contacts: Iterable[Contact]) -> None:
        for c in contacts:
            self.insert("contacts", {
                "name": c.full_name or c.email or "Unknown", "active": "InActive" if c.active is False else "Active",
                "office": c.phone_office, "cell": c.phone_mobile, "fax": c.fax, "email": c.email, "title": c.title,
                "type": "Customer", "account": c.company,
                "account id": self.account_for(c.company) if c.company else None,
                "address1": c.street, "city": c.city, "zipcode": c.zip, "country": c.country})

    def insert(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        res = self.resources[resource]
        row: dict[str, Any] = {"id": str(uuid.uuid4()), **{c: None for c in res.columns}, **res.defaults}
        row.update({k: (None if v is None else str(v)) for k, v in body.items() if k in res.columns})
        if resource == "contacts" and row.get("account id"):
            row["account"] = next((n for n, i in self.accounts.items() if i == row["account id"]), row.get("account"))
        row["created"] = row["edited"] = self._now()
        res.rows[row["id"]] = row
        return row

    def rows(self) -> list[dict[str, Any]]:
        return list(self.contacts.values())

    def _now(self) -> str:
        return datetime.now(UTC).strftime(self.time_format)

    def export_state(self) -> dict[str, Any]:
        return {"resources": {name: res.rows for name, res in self.resources.items()}, "accounts": self.accounts}

    def import_state(self, state: dict[str, Any]) -> None:
        for name, rows in state["resources"].items():
            self.resources[name].rows = dict(rows)
        self.accounts = dict(state["accounts"])

    # --- HTTP ---------------------------------------------------------------------------------

    async def records(self, request: Request) -> Response:
        return json_response(self.rows())

    async def login(self, request: Request) -> Response:
        form = await read_form(request)
        if (form.get("badge"), form.get("pin")) != (self.credentials.badge, self.credentials.pin):
            return json_response({"error": "Invalid badge or pin"}, status=401)
        token = secrets.token_hex(16)
        self.sessions.add(token)
        response = json_response({"success": True})
        response.set_cookie(self.cookie_name, token, httponly=True)
        return response

    def _session(self, request: Request) -> bool:
        return any(request.cookies.get(name) in self.sessions for name in ("flow_auth", "user"))

    async def handle(self, request: Request) -> Response:
        if not self._session(request):
            return json_response({"error": "Not logged in"}, status=401)
        resource = self.resources.get(request.path_params["resource"])
        if resource is None:
            return json_response({"error": "Unknown resource"}, status=404)
        if request.method == "GET":
            return self._list(request, resource)
        body = await read_json(request)
        if not isinstance(body, dict):
            return json_response({"error": "A JSON object is required"}, status=400)
        body = resource.writable_body(body)
        if request.method == "POST":
            problems = resource.problems(body, None)
            if problems:
                return json_response({"error": "; ".join(problems)}, status=400)
            name = request.path_params["resource"]
            return json_response(self.insert(name, body), status=200)
        row = resource.rows.get(str(body.get("id")))
        if row is None:
            return json_response({"error": "Record not found"}, status=404)
        if request.method == "DELETE":
            del resource.rows[row["id"]]
            return json_response({"success": True, "id": row["id"]})
        problems = resource.problems(body, row)
        if problems:
            return json_response({"error": "; ".join(problems)}, status=400)
        for key, value in body.items():
            if key != "id":
                row[key] = None if value is None else str(value)
        if "account id" in body and request.path_params["resource"] == "contacts":
            row["account"] = next((n for n, i in self.accounts.items() if i == row["account id"]), None)
        row["edited"] = self._now()
        return json_response(row)

    def _list(self, request: Request, resource: Resource) -> Response:
        filters = [(_column(resource, k), v) for k, v in request.query_params.multi_items()]
        rows = [r for r in resource.rows.values() if all(_matches(r, k, v) for k, v in filters)]

        async def body() -> AsyncIterator[bytes]:
            yield b"["
            for i in range(0, len(rows), 1000):
                chunk = ",".join(json.dumps(r, ensure_ascii=False) for r in rows[i:i + 1000])
                yield (("," if i else "") + chunk).encode("utf-8", "surrogatepass")
            yield b"]"

        return StreamingResponse(body(), media_type="application/json")
