"""A simulated Lightening (freight ordering portal), faithful to ``lightening-contacts.txt``.

Every call needs the ``Authorization`` header. Answers are HTTP 200 with ``"result": true|false``;
errors carry ``"errors": {field: message}`` or ``"error": "..."``; the delete route is a GET whose
answer says ``"result": false`` even when it deleted (read ``msg``). Values are strings (``"1"``/``"0"``).
Paging is undocumented, so it is configurable (``paging``): a list is capped at ``page_size`` entities and
the instance honours one pair of parameters — ``offset/limit``, ``page/limit``, ``page/per_page``,
``start/length``, ``skip/take`` (a form syncd does not guess) — or ``none`` (it never pages: a caller gets the
first ``page_size`` and ``total``). Parameters of other forms are ignored, as a PHP portal ignores them.
The ``Authorization`` header is checked per ``auth_format``: ``bearer`` ("Bearer <token>"), ``raw`` (the
token alone) or ``either``.
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

__all__ = ["DEFAULT_CREDENTIALS", "PAGING_FORMS", "LighteningCredentials", "LighteningSandbox"]

#: the paging forms an instance may honour: (start parameter, size parameter, counts items from 0?)
PAGING_FORMS: dict[str, tuple[str, str, bool] | None] = {
    "offset/limit": ("offset", "limit", True), "page/limit": ("page", "limit", False),
    "page/per_page": ("page", "per_page", False), "start/length": ("start", "length", True),
    "skip/take": ("skip", "take", True), "none": None,
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"name": 64, "email": 191, "email2": 191, "email3": 191, "tel": 32, "tel1": 32, "fax": 32, "mobile": 32,
           "role": 32, "department": 64, "customer_custom_identifier": 16}
_BOOLS = ("is_active", "portal_active", "milestone")
_WRITABLE = (*_LIMITS, *_BOOLS, "customer_id", "customer_portal_profile_id", "cost_center_id", "locale",
             "portal_password")


@dataclass(frozen=True)
class LighteningCredentials:
    token: str = "sandbox-lightening-token"


DEFAULT_CREDENTIALS = LighteningCredentials()


class LighteningSandbox:
    def __init__(self, *, credentials: LighteningCredentials = DEFAULT_CREDENTIALS,
                 seed_contacts: Iterable[Contact] = (), page_size: int = 500, paging: str = "page/limit",
                 auth_format: str = "either") -> None:
        if paging not in PAGING_FORMS:
            raise ValueError(f"paging must be one of {', '.join(PAGING_FORMS)}, not {paging!r}")
        if auth_format not in ("bearer", "raw", "either"):
            raise ValueError(f"auth_format must be bearer, raw or either, not {auth_format!r}")
        self.credentials = credentials
        self.page_size = page_size
        self.paging = paging
        self.auth_format = auth_format
        self.contacts: dict[str, dict[str, Any]] = {}
        self.customers: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._customer_ids = itertools.count(1)
        app = Starlette(routes=[
            Route("/customer", self.list_customers, methods=["GET"]),
            Route("/contact", self.list_contacts, methods=["GET"]),
            Route("/contact", self.create_contact, methods=["POST"]),
            Route("/contact/{contact_id}", self.get_contact, methods=["GET"]),
            Route("/contact/{contact_id}", self.update_contact, methods=["POST"]),
            Route("/contact/{contact_id}/delete", self.delete_contact, methods=["GET"]),
            Route("/_sandbox/records", self.records, methods=["GET"]),
        ])
        self.faults = FaultInjector(app)
        self.app = self.faults
        self.seed(seed_contacts)

    # --- state --------------------------------------------------------------------------------

    def customer_for(self, name: str) -> int:
        for cid, customer in self.customers.items():
            if customer["name"] == name:
                return cid
        cid = next(self._customer_ids)
        self.customers[cid] = {"id": cid, "account": f"C{cid:05d}", "name": name, "is_active": "1"}
        return cid

    def seed(self, contacts: Iterable[Contact]) -> None:
        for c in contacts:
            cid = self.customer_for(c.company or "Walk-in Customer")
            extras = list(c.emails)
            row = {"name": (c.full_name or "")[:64], "email": c.email or "", "email2": extras[0] if extras else "",
                   "email3": extras[1] if len(extras) > 1 else "", "tel": c.phone_office or "",
                   "mobile": c.phone_mobile or "", "fax": c.fax or "", "role": (c.title or "")[:32],
                   "department": c.department or "", "is_active": "0" if c.active is False else "1",
                   "locale": c.locale or "en_US", "customer_id": cid}
            self._insert(row)

    def _insert(self, values: dict[str, Any]) -> str:
        cid = int(values["customer_id"])
        contact_id = str(next(self._ids))
        stamp = now_text()
        row = {"email": "", "tel": "", "tel1": "", "fax": "", "mobile": "", "role": "", "department": "",
               "milestone": "0", "cost_center_id": "0", "email2": "", "email3": "", "customer_portal_profile_id": "1",
               "customer_name": self.customers[cid]["name"], "customer_account": self.customers[cid]["account"],
               "customer_id": cid, "portal_profile": "1", "name": "", "cost_center_name": "",
               "customer_custom_identifier": "", "portal_fullname": "", "portal_branch_id": "", "vendor_account": "",
               "vendor_id": "", "vendor_name": "", "vendor_type": 1, "id": contact_id, "created_at": stamp,
               "updated_at": stamp, "is_active": "1", "portal_active": "1", "locale": "en_US",
               "customer_portal_profile_name": ""}
        row.update({k: v for k, v in values.items() if k in row and k != "customer_id"})
        self.contacts[contact_id] = row
        return contact_id

    def rows(self) -> list[dict[str, Any]]:
        return list(self.contacts.values())

    def export_state(self) -> dict[str, Any]:
        return {"contacts": self.contacts, "customers": {str(k): v for k, v in self.customers.items()}}

    def import_state(self, state: dict[str, Any]) -> None:
        self.contacts = dict(state["contacts"])
        self.customers = {int(k): v for k, v in state["customers"].items()}
        self._ids = itertools.count(max((int(i) for i in self.contacts), default=0) + 1)
        self._customer_ids = itertools.count(max(self.customers, default=0) + 1)

    # --- HTTP ---------------------------------------------------------------------------------

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        token = self.credentials.token
        if self.auth_format == "bearer":
            return header == f"Bearer {token}"
        if self.auth_format == "raw":
            return header == token
        return header.removeprefix("Bearer ").strip() == token

    def _paged(self, request: Request, items: list[dict[str, Any]]) -> Response:
        """One answer of a list, in this instance's paging form; junk in its parameters is an error."""
        form = PAGING_FORMS[self.paging]
        start, size = 0, self.page_size
        if form is not None:
            q = request.query_params
            try:
                size = min(self.page_size, max(1, int(q.get(form[1], str(self.page_size)))))
                where = int(q.get(form[0], "0" if form[2] else "1"))
            except ValueError:
                return json_response({"error": "Invalid parameters.", "result": False})
            start = max(0, where) if form[2] else (max(1, where) - 1) * size
        return json_response({"entities": items[start:start + size], "total": len(items), "result": True})

    def _denied(self) -> Response:
        return json_response({"error": "Unauthorized.", "result": False}, status=401)

    async def records(self, request: Request) -> Response:
        return json_response(self.rows())

    async def list_customers(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._denied()
        return self._paged(request, list(self.customers.values()))

    async def list_contacts(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._denied()
        raw = request.query_params.getlist("customer_id[]") or request.query_params.getlist("customer_id")
        if not raw:
            return json_response({"errors": {"customer_id": "Field is required."}, "result": False})
        try:
            wanted = {int(x) for x in raw}
        except ValueError:
            return json_response({"error": "Invalid parameters.", "result": False})
        return self._paged(request, [row for row in self.contacts.values() if row["customer_id"] in wanted])

    async def get_contact(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._denied()
        row = self.contacts.get(request.path_params["contact_id"])
        if row is None:
            return json_response({"msg": "Entity not found.", "result": False})
        return json_response({"entity": row, "result": True})

    def _validate(self, body: dict[str, Any], creating: bool) -> dict[str, str]:
        errors: dict[str, str] = {}
        if "create_method" in body:
            errors["create_method"] = "Not allowed."
        if creating and not str(body.get("name", "")).strip():
            errors["name"] = "Field is required."
        if creating and not body.get("customer_id"):
            errors["customer_id"] = "Field is required."
        for field, limit in _LIMITS.items():
            if field in body and len(str(body[field] or "")) > limit:
                errors[field] = f"String with at most {limit} characters."
        for field in ("email", "email2", "email3"):
            if body.get(field) and not _EMAIL.match(str(body[field])):
                errors[field] = "String in email format."
        for field in _BOOLS:
            if field in body and str(body[field]) not in ("0", "1"):
                errors[field] = "Boolean (1 or 0)."
        if body.get("customer_id") and int(str(body["customer_id"]) or 0) not in self.customers:
            errors["customer_id"] = "Customer not found."
        return errors

    async def create_contact(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._denied()
        body = await read_json(request)
        if not body:
            return json_response({"error": "Nothing sent for request.", "result": False})
        errors = self._validate(body, creating=True)
        if errors:
            return json_response({"errors": errors, "result": False})
        values: dict[str, Any] = {k: ("" if v is None else str(v)) for k, v in body.items() if k in _WRITABLE}
        values["customer_id"] = int(body["customer_id"])
        contact_id = self._insert(values)
        return json_response({"msg": "Successfully created entity.", "id": contact_id, "result": True})

    async def update_contact(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._denied()
        row = self.contacts.get(request.path_params["contact_id"])
        body = await read_json(request)
        if not body:
            return json_response({"error": "Nothing sent for request.", "result": False})
        if row is None:
            return json_response({"msg": "Entity not found.", "result": False})
        errors = self._validate(body, creating=False)
        if errors:
            return json_response({"errors": errors, "result": False})
        for key, value in body.items():
            if key in _WRITABLE and key != "customer_id":
                row[key] = "" if value is None else str(value)
        row["updated_at"] = now_text()
        return json_response({"msg": "Successfully updated entity.", "result": True})

    async def delete_contact(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._denied()
        if self.contacts.pop(request.path_params["contact_id"], None) is None:
            return json_response({"msg": "Entity not found.", "result": False})
        return json_response({"msg": "Entity has been successfully deleted.", "result": False})
