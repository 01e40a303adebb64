"""A simulated Cirrus 2 CRM, after ``cirrus2-openapi.txt`` and NOTES.md.

Auth by ``X-Token`` or by an OAuth2 client-credentials bearer token (``POST /oauth/token``, HTTP Basic,
short lifetime so clients must refresh); ``early_401s`` makes the next N requests with a valid bearer token
answer 401 (a token not yet honoured everywhere). ``X-Fields`` masks as flask-restx does (``mask_mode =
"restx"``): the mask applies to the whole response, the list envelope included, fields the model lacks are
skipped, ``a{b}`` masks a nested object, and a mask that cannot be parsed is a 400. ``mask_mode = "items"``
is the other reading (the mask applies to each item, the envelope is left whole); ``"ignore"`` sends
everything. Lists page with ``page`` (from
1) and ``per_page`` (at most 50) and answer the documented envelope, wrapped in a list as the spec
shows. Contacts belong to accounts; there is no delete (deactivate with ``active = 0``).
Ordering follows ``sorting`` (default ``name_asc``) with the id as a tie-breaker; an edit during a
paged scan can move a contact between pages — the connector checks the totals for that reason.
"""

from __future__ import annotations

import base64
import itertools
import math
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from syncd.model import Contact
from syncd.sandbox.common import json_response, read_form, read_json
from syncd.sandbox.faults import FaultInjector

__all__ = ["DEFAULT_CREDENTIALS", "CirrusCredentials", "CirrusSandbox", "MaskError", "apply_mask", "parse_mask"]

Mask = dict[str, "Mask | None"]


class MaskError(ValueError):
    """A mask that cannot be parsed, or that asks for fields inside a plain value."""


def parse_mask(text: str | None) -> Mask | None:
    """An X-Fields mask (``{a,b{c,d}}``, outer braces optional) as a tree: name -> sub-mask or None."""
    if text is None or not text.strip():
        return None
    source = text.strip()
    if not source.startswith("{"):
        source = "{" + source + "}"
    tree, end = _parse_fields(source, 1)
    if source[end:].strip():
        raise MaskError(f"unexpected {source[end:].strip()[:20]!r} after the mask")
    return tree


def _parse_fields(text: str, i: int) -> tuple[Mask, int]:
    fields: Mask = {}
    name = ""
    while i < len(text):
        ch = text[i]
        if ch == "}":
            if name.strip():
                fields[name.strip()] = None
            return fields, i + 1
        if ch == "{":
            if not name.strip():
                raise MaskError("a nested mask without a field name")
            sub, i = _parse_fields(text, i + 1)
            fields[name.strip()] = sub
            name = ""
            continue
        if ch == ",":
            if name.strip():
                fields[name.strip()] = None
            name = ""
        elif not ch.isspace():
            name += ch
        i += 1
    raise MaskError("the mask is not closed with '}'")


def apply_mask(data: Any, mask: Mask) -> Any:
    """restx's reading of a mask on one object: the named fields it has (a missing one is skipped), nested
    masks applied to nested objects and to each element of a nested list, ``*`` for every other field."""
    if isinstance(data, list):
        return [apply_mask(d, mask) for d in data]
    if not isinstance(data, dict):
        raise MaskError("Mask is inconsistent with model")
    out: dict[str, Any] = {}
    for key, sub in mask.items():
        if key == "*":
            out.update({k: v for k, v in data.items() if k not in mask})
            continue
        if key not in data:
            continue
        value = data[key]
        if sub is None:
            out[key] = value
        elif value is None:
            out[key] = None
        elif isinstance(value, dict | list):
            out[key] = apply_mask(value, sub)
        else:
            raise MaskError("Mask is inconsistent with model")
    return out

_TEXT = ("name", "surname", "function", "department", "email", "officephone", "cellphone", "title", "street",
         "city", "zip", "socialmedia_fb", "socialmedia_tw", "socialmedia_li", "idnumber", "externalkey")
_INTS = ("primarycontact", "active", "superiorid")
_SORTS = {"name_asc": ("name", False), "name_desc": ("name", True), "surname_asc": ("surname", False),
          "surname_desc": ("surname", True), "email_asc": ("email", False), "email_desc": ("email", True),
          "primarycontact_asc": ("primarycontact", False), "primarycontact_desc": ("primarycontact", True)}


@dataclass(frozen=True)
class CirrusCredentials:
    x_token: str = "sandbox-cirrus-token"
    client_id: str = "sandbox-client"
    client_secret: str = "sandbox-client-secret"


DEFAULT_CREDENTIALS = CirrusCredentials()


class CirrusSandbox:
    def __init__(self, *, credentials: CirrusCredentials = DEFAULT_CREDENTIALS,
                 seed_contacts: Iterable[Contact] = (), token_lifetime: int = 3600, mask_mode: str = "restx") -> None:
        if mask_mode not in ("restx", "items", "ignore"):
            raise ValueError(f"mask_mode must be restx, items or ignore, not {mask_mode!r}")
        self.mask_mode = mask_mode
        self.early_401s = 0
        self.credentials = credentials
        self.token_lifetime = token_lifetime
        self.tokens: dict[str, float] = {}
        self.contacts: dict[int, dict[str, Any]] = {}
        self.accounts: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._account_ids = itertools.count(1)
        self._version = 0
        self._sorted: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        app = Starlette(routes=[
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/accounts", self.list_accounts, methods=["GET"]),
            Route("/contacts", self.list_contacts, methods=["GET"]),
            Route("/contacts", self.create_contact, methods=["POST"]),
            Route("/contacts/{contact_id:int}", self.get_contact, methods=["GET"]),
            Route("/contacts/{contact_id:int}", self.update_contact, methods=["PUT"]),
            Route("/_sandbox/records", self.records, methods=["GET"]),
        ])
        self.faults = FaultInjector(app, expire_sessions=self.tokens.clear)
        self.app = self.faults
        self.seed(seed_contacts)

    # --- state --------------------------------------------------------------------------------

    def account_for(self, name: str) -> int:
        for aid, account in self.accounts.items():
            if account["name"] == name:
                return aid
        aid = next(self._account_ids)
        self.accounts[aid] = {"id": aid, "name": name, "alt_name": "", "number": f"A{aid:05d}", "email": "",
                              "phone": "", "cellphone": ""}
        return aid

    def seed(self, contacts: Iterable[Contact]) -> None:
        for c in contacts:
            given, family = c.given_name, c.family_name
            if not (given and family):
                parts = (c.full_name or "Unknown").rsplit(" ", 1)
                given, family = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], parts[0])
            self._insert({"name": given, "surname": family, "email": c.email or "",
                          "officephone": c.phone_office or "", "cellphone": c.phone_mobile or "",
                          "title": c.title or "", "department": c.department or "", "street": c.street or "",
                          "city": c.city or "", "zip": c.zip or "", "active": 0 if c.active is False else 1},
                         self.account_for(c.company or "Private"))

    def _insert(self, values: dict[str, Any], account: int) -> dict[str, Any]:
        cid = next(self._ids)
        item: dict[str, Any] = {"id": cid, "account": {"id": account, "name": self.accounts[account]["name"]}}
        item.update({k: "" for k in _TEXT})
        item.update({"primarycontact": 0, "active": 1, "superior": None, "files": [], "followers": [],
                     "photo": {"avatar": "", "photo": ""}, "tags": []})
        item.update({k: v for k, v in values.items() if k in _TEXT or k in _INTS})
        self.contacts[cid] = item
        self._version += 1
        return item

    def rows(self) -> list[dict[str, Any]]:
        return list(self.contacts.values())

    def export_state(self) -> dict[str, Any]:
        return {"contacts": {str(k): v for k, v in self.contacts.items()},
                "accounts": {str(k): v for k, v in self.accounts.items()}}

    def import_state(self, state: dict[str, Any]) -> None:
        self.contacts = {int(k): v for k, v in state["contacts"].items()}
        self.accounts = {int(k): v for k, v in state["accounts"].items()}
        self._ids = itertools.count(max(self.contacts, default=0) + 1)
        self._account_ids = itertools.count(max(self.accounts, default=0) + 1)
        self._version += 1

    # --- HTTP ---------------------------------------------------------------------------------

    def _authorised(self, request: Request) -> bool:
        if request.headers.get("x-token") == self.credentials.x_token:
            return True
        auth = request.headers.get("authorization", "")
        if auth.startswith("Bearer "):
            expires = self.tokens.get(auth.removeprefix("Bearer ").strip())
            if expires is not None and self.early_401s > 0:
                self.early_401s -= 1
                return False
            return expires is not None and expires > time.monotonic()
        return False

    @staticmethod
    def _error(status: int, message: str) -> Response:
        return json_response({"message": message}, status=status)

    async def token(self, request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        try:
            client, _, secret = base64.b64decode(auth.removeprefix("Basic ")).decode().partition(":")
        except ValueError:
            client, secret = "", ""
        form = await read_form(request)
        if form.get("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, status=400)
        if (client, secret) != (self.credentials.client_id, self.credentials.client_secret):
            return json_response({"error": "invalid_client"}, status=401)
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.monotonic() + self.token_lifetime
        return json_response({"access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime})

    async def records(self, request: Request) -> Response:
        return json_response(self.rows())

    def _single(self, request: Request, item: dict[str, Any]) -> Response:
        try:
            mask = parse_mask(request.headers.get("x-fields"))
        except MaskError as exc:
            return self._error(400, f"Mask parse error: {exc}")
        if mask is None or self.mask_mode == "ignore":
            return json_response(item)
        try:
            return json_response(apply_mask(item, mask))
        except MaskError as exc:
            return self._error(400, f"Mask parse error: {exc}")

    def _page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        try:
            page = int(request.query_params.get("page", "1"))
            per_page = int(request.query_params.get("per_page", "10"))
        except ValueError:
            return self._error(400, "page and per_page must be integers")
        if per_page > 50 or per_page < 1 or page < 1:
            return self._error(400, f"Results per page {per_page} is invalid, max pagesize is 50")
        try:
            mask = parse_mask(request.headers.get("x-fields"))
        except MaskError as exc:
            return self._error(400, f"Mask parse error: {exc}")
        start = (page - 1) * per_page
        chunk = items[start:start + per_page]
        envelope: dict[str, Any] = {"page": page, "pages": max(1, math.ceil(len(items) / per_page)),
                                    "per_page": per_page, "total": len(items), "items": chunk}
        try:
            if mask is not None and self.mask_mode == "restx":
                envelope = apply_mask(envelope, mask)
            elif mask is not None and self.mask_mode == "items":
                envelope["items"] = [apply_mask(i, mask) for i in chunk]
        except MaskError as exc:
            return self._error(400, f"Mask parse error: {exc}")
        return json_response([envelope])

    async def list_accounts(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._error(401, "Unauthorized")
        return self._page(request, list(self.accounts.values()))

    async def list_contacts(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._error(401, "Unauthorized")
        q = request.query_params
        sorting = q.get("sorting", "name_asc")
        if sorting not in _SORTS:
            return self._error(400, f"sorting must be one of {', '.join(_SORTS)}")
        cache_key = (self._version, sorting, *sorted((k, v) for k, v in q.items() if k not in ("page", "per_page")))
        if cache_key in self._sorted:
            return self._page(request, self._sorted[cache_key])
        items = list(self.contacts.values())
        for key in ("externalkey", "email"):
            if key in q:
                items = [i for i in items if str(i.get(key) or "").lower() == q[key].lower()]
        if "active" in q:
            items = [i for i in items if str(i["active"]) == q["active"]]
        if "accountid" in q:
            items = [i for i in items if str(i["account"]["id"]) == q["accountid"]]
        field, reverse = _SORTS[sorting]
        items.sort(key=lambda i: (str(i.get(field) or "").lower(), i["id"]), reverse=reverse)
        self._sorted = {cache_key: items}
        return self._page(request, items)

    async def get_contact(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._error(401, "Unauthorized")
        item = self.contacts.get(request.path_params["contact_id"])
        if item is None:
            return self._error(404, "Contact not found")
        return self._single(request, item)

    def _validate(self, body: Any, creating: bool) -> str | None:
        if not isinstance(body, dict):
            return "Input payload validation failed: a JSON object is required"
        for key in ("name", "surname"):
            if (creating or key in body) and not str(body.get(key) or "").strip():
                return f"Input payload validation failed: '{key}': This field must not be empty."
        if creating:
            try:
                account = int(body.get("accountid") or 0)
            except (TypeError, ValueError):
                account = 0
            if account not in self.accounts:
                return "Input payload validation failed: 'accountid': a valid account is required"
        for key in _INTS:
            if key in body and body[key] is not None and not isinstance(body[key], int):
                return f"Input payload validation failed: '{key}': {body[key]!r} is not of type 'integer'"
        return None

    async def create_contact(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._error(401, "Unauthorized")
        body = await read_json(request)
        problem = self._validate(body, creating=True)
        if problem:
            return self._error(400, problem)
        item = self._insert(body, int(body["accountid"]))
        return json_response(item, status=201)

    async def update_contact(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._error(401, "Unauthorized")
        item = self.contacts.get(request.path_params["contact_id"])
        if item is None:
            return self._error(404, "Contact not found")
        body = await read_json(request)
        problem = self._validate(body, creating=False)
        if problem:
            return self._error(400, problem)
        for key, value in body.items():
            if key in _TEXT:
                item[key] = "" if value is None else str(value)
            elif key in _INTS:
                item[key] = value
        self._version += 1
        return json_response(item)
