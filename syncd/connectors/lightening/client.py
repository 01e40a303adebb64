"""The Lightening connector.

Quirks kept here: contacts are listed per customer (``customer_id[]``), answers are HTTP 200 with
``result: false`` for errors, the name is required on every update, and deleting is a GET that is
never retried blindly and answers ``result: false`` even on success (``msg`` tells).

Paging is undocumented: :mod:`.paging` finds the form the instance honours by asking for a second page and
checking that the ids moved on. When no form works, that is said once, plainly, with what was tried, and
the scan reads one customer per call, which is complete for every customer whose contacts fit in one
answer; a customer with more is a scan error naming it (so nothing is deleted on a partial listing).

Authorization: the token goes in the ``Authorization`` header as ``token_format`` says (default
``Bearer {token}``); a 401 says which form was sent, never the token.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx
import structlog

from syncd.connectors import convert
from syncd.connectors.base import Capabilities, ScanItem
from syncd.connectors.companies import CompanyCache
from syncd.connectors.http import VendorHTTP
from syncd.connectors.lightening.mapping import SCHEMA, from_row, to_body
from syncd.connectors.lightening.paging import GUESSES, NO_PAGING, PagingForm, parse_form
from syncd.connectors.lightening.settings import LighteningSettings
from syncd.errors import AuthError, NotFoundError, ProtocolError, RejectedError, ValidationError
from syncd.model import BadRecord, FieldValue, RemoteRecord, normalize_email

__all__ = ["LighteningConnector"]

log = structlog.get_logger("syncd.connectors.lightening")

Params = list[tuple[str, str]]


class _HeaderAuth:
    max_refreshes = 0  # a static token: a refresh cannot change the answer

    def __init__(self, value: str) -> None:
        self.value = value

    async def apply(self, http: VendorHTTP, request: httpx.Request) -> None:
        request.headers["Authorization"] = self.value

    async def refresh(self, http: VendorHTTP) -> None:
        return None


class _Unpaged(Exception):
    """A listing has more than one answer holds, and this instance pages by no form syncd knows."""

    def __init__(self, total: int, got: int) -> None:
        self.total, self.got = total, got


class LighteningConnector:
    def __init__(self, name: str, settings: LighteningSettings, *, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.name = name
        self.settings = settings
        self.schema = SCHEMA
        self.capabilities = Capabilities(can_delete=True, needs_company=True)
        self._auth_shown = settings.token_format.replace("{token}", "<token>")
        auth = _HeaderAuth(settings.token_format.format(token=settings.token.get_secret_value()))
        self.http = VendorHTTP(name, settings.base_url, auth=auth, settings=settings.http_settings(),
                               transport=transport, sleep=sleep)
        #: the paging form this instance honours: configured, or found by the first listing that needs it
        self.paging: PagingForm | None = parse_form(settings.paging)
        self._unpaged_said = False
        self._customers = CompanyCache(name)
        self._times = convert.TimeReader(name, settings.zone())

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

    async def _call(self, method: str, path: str, *, idempotent: bool, check: bool = True, **kwargs: Any) -> Any:
        try:
            return await self.http.request(method, path, idempotent=idempotent,
                                           check=self._check if check else None, **kwargs)
        except AuthError as exc:
            raise AuthError(self.name, f"{exc.message} (the Authorization header was sent as "
                                       f"{self._auth_shown!r}: set token_format to the form this instance expects, "
                                       "e.g. \"{token}\" or \"Bearer {token}\")", status=exc.status) from None

    def _record(self, row: Mapping[str, Any]) -> ScanItem:
        remote_id, problem = convert.remote_id(row.get("id"))
        if remote_id is None:
            return BadRecord(self.name, None, f"contact row {problem}")
        try:
            contact = from_row(row)
        except (TypeError, ValueError) as exc:
            return BadRecord(self.name, remote_id, f"unreadable contact row: {exc}")
        customer = row.get("customer_id")
        when = self._times.first(("updated_at", row.get("updated_at")), ("created_at", row.get("created_at")))
        return RemoteRecord(self.name, remote_id, contact, raw=dict(row), remote_updated_at=when,
                            company_id=None if customer in (None, "") else str(customer))

    # --- listing ------------------------------------------------------------------------------

    async def _page(self, path: str, params: Params) -> tuple[list[Any], int | None]:
        body = await self._call("GET", path, idempotent=True, params=params)
        entities = body.get("entities")
        if not isinstance(entities, list):
            raise ProtocolError(self.name, f"GET /{path}: entities is not a list")
        total = body.get("total")
        if isinstance(total, str) and total.isdigit():
            total = int(total)
        return entities, total if isinstance(total, int) and not isinstance(total, bool) else None

    async def _listing(self, path: str, params: Params) -> AsyncIterator[list[Any]]:
        """Every entity of one listing, page by page, in the form this instance honours."""
        size = self.settings.page_size
        form = self.paging
        if form is None:
            # the first page in every guessed form at once: an instance honours its own pair and ignores the
            # rest, so this page has our size whichever form it takes, and the second page's probe can tell
            # the pairs apart by whether the ids move on by exactly one page
            paged = [p for guess in GUESSES for p in guess.params(0, size)]
            paged = list(dict.fromkeys(paged))
        else:
            paged = [] if form is NO_PAGING else form.params(0, size)
        first, total = await self._page(path, params + paged)
        yield first
        got = len(first)
        if total is None or not first or got >= total:
            return
        step = got  # the page size the instance really used
        # a page that repeats the one before means the form stopped working; ids repeated further apart are
        # left to the engine's duplicate-id guard (keeping every id seen would cost memory on big listings)
        previous = {_id(e) for e in first}
        if form is None:
            form, second = await self._detect(path, params, previous, step)
            if form is NO_PAGING:
                raise _Unpaged(total, got)
            yield second
            got += len(second)
            previous = {_id(e) for e in second}
        elif form is NO_PAGING:
            raise _Unpaged(total, got)
        index = 2 if got > step else 1
        while got < total:
            entities, _ = await self._page(path, params + form.params(index, step))
            ids = {_id(e) for e in entities}
            if not entities or ids <= previous:
                self.paging = None if self.settings.paging == "auto" else self.paging  # detect again next time
                raise ProtocolError(self.name, f"GET /{path}: page {index + 1} in the form {form} brought no new "
                                               f"contacts ({got} of {total} read): the listing is incomplete")
            previous = ids
            got += len(entities)
            index += 1
            yield entities

    async def _detect(self, path: str, params: Params, seen: set[Any], step: int) -> tuple[PagingForm, list[Any]]:
        """Ask for the second page in each guessed form; the first whose answer is new ids is the one."""
        for form in GUESSES:
            entities, _ = await self._page(path, params + form.params(1, step))
            ids = {_id(e) for e in entities}
            if entities and not ids & seen:
                self.paging = form
                log.info("Lightening paging found", connector=self.name, form=str(form), page_size=step)
                return form, entities
        self.paging = NO_PAGING
        return NO_PAGING, []

    def _say_unpaged(self, total: int, got: int) -> None:
        if self._unpaged_said:
            return
        self._unpaged_said = True
        tried = ", ".join(str(f) for f in GUESSES)
        log.error("Lightening paging not found: this instance answered the same first page to every paging form "
                  "tried; each customer is now read in one call, which is complete only for customers whose "
                  "contacts fit in one answer. Set paging = \"START/SIZE\" to the parameters it honours.",
                  connector=self.name, tried=tried, total=total, per_answer=got)

    # --- reading ------------------------------------------------------------------------------

    async def _read_customers(self) -> dict[str, str]:
        customers: dict[str, str] = {}
        try:
            async for page in self._listing("customer", []):
                for row in page:
                    if isinstance(row, dict) and str(row.get("id", "")).isdigit():
                        customers[str(row["id"])] = convert.text(row.get("name")) or ""
        except _Unpaged as exc:
            self._say_unpaged(exc.total, exc.got)
            raise ProtocolError(self.name, f"GET /customer: {exc.total} customers, {exc.got} per answer, and no "
                                           "paging form works (set paging)") from None
        if self.settings.customer_ids:  # only the customers that take part: a create elsewhere is never scanned
            wanted = {str(c) for c in self.settings.customer_ids}
            customers = {cid: name for cid, name in customers.items() if cid in wanted}
        return customers

    async def companies(self) -> Mapping[str, str]:
        """Lightening customers (``GET /customer``, every page): customer id -> name."""
        return await self._customers.get(self._read_customers)

    async def customers(self) -> list[int]:
        if self.settings.customer_ids:
            return list(self.settings.customer_ids)
        customers = await self._read_customers()
        self._customers.put(customers)
        return [int(c) for c in customers]

    async def scan(self) -> AsyncIterator[ScanItem]:
        pending = await self.customers()
        again: set[str] = set()  # yielded from a batch that is being read again, one customer per call
        while pending:
            step = 1 if self.paging is NO_PAGING else self.settings.customers_per_call
            batch, pending = pending[:step], pending[step:]
            this_batch: set[str] = set()
            try:
                async for item in self._scan_batch(batch):
                    if isinstance(item, RemoteRecord):
                        if item.remote_id in again:
                            continue
                        if self.paging is None:  # only a listing still probing its form can fall back
                            this_batch.add(item.remote_id)
                    yield item
            except _Unpaged as exc:
                self._say_unpaged(exc.total, exc.got)
                if len(batch) == 1:
                    raise self._incomplete(batch[0], exc) from None
                again |= this_batch
                pending = batch + pending  # one customer per call from now on

    async def _scan_one(self, customer: int) -> AsyncIterator[ScanItem]:
        try:
            async for item in self._scan_batch([customer]):
                yield item
        except _Unpaged as exc:
            raise self._incomplete(customer, exc) from None

    def _incomplete(self, customer: int, exc: _Unpaged) -> ProtocolError:
        return ProtocolError(self.name, f"customer {customer} has {exc.total} contacts but Lightening answers "
                                        f"{exc.got} per call and none of the paging forms tried "
                                        f"({', '.join(str(f) for f in GUESSES)}) moved on: set paging = "
                                        "\"START/SIZE\" to the parameters this instance honours")

    async def _scan_batch(self, batch: Sequence[int]) -> AsyncIterator[ScanItem]:
        params = [("customer_id[]", str(c)) for c in batch]
        async for page in self._listing("contact", params):
            for row in page:
                yield self._record(row) if isinstance(row, dict) else BadRecord(self.name, None, "not an object")

    async def get(self, remote_id: str) -> RemoteRecord | None:
        try:
            body = await self._call("GET", f"contact/{remote_id}", idempotent=True)
        except NotFoundError:
            return None
        row = body.get("entity") or (body.get("entities") or [None])[0]
        item = self._record(row) if isinstance(row, dict) else None
        return item if isinstance(item, RemoteRecord) else None

    async def find(
        self, *, external_key: str | None, email: str | None, company_id: str | None = None
    ) -> list[RemoteRecord]:
        """Lightening has no search: a look-up reads the listing (of the target customer where given)."""
        wanted = normalize_email(email)
        if not wanted:
            return []
        items = self._scan_one(int(company_id)) if company_id and company_id.isdigit() else self.scan()
        found: dict[str, RemoteRecord] = {}
        async for item in items:
            if isinstance(item, RemoteRecord) and normalize_email(item.contact.email) == wanted \
                    and (company_id is None or item.company_id in (None, company_id)):
                found[item.remote_id] = item
        return list(found.values())

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
        answer = await self._call("POST", "contact", idempotent=False, json_body=body)
        return await self._read_back(str(answer.get("id")))

    async def update(self, current: RemoteRecord, values: Mapping[str, FieldValue]) -> RemoteRecord:
        body = self._validated(values, creating=False)
        if not body:
            return current
        # the name is required on every update, changed or not
        body.setdefault("name", str(current.raw.get("name") or current.contact.full_name or ""))
        await self._call("POST", f"contact/{current.remote_id}", idempotent=True, json_body=body)
        return await self._read_back(current.remote_id)

    async def set_active(self, current: RemoteRecord, active: bool) -> RemoteRecord:
        return await self.update(current, {"active": active})

    async def delete(self, current: RemoteRecord) -> None:
        body = await self._call("GET", f"contact/{current.remote_id}/delete", idempotent=False, check=False)
        message = str(body.get("msg", "")) if isinstance(body, dict) else ""
        if "successfully deleted" in message.lower():
            return
        if message == "Entity not found.":
            raise NotFoundError(self.name, f"contact {current.remote_id}: Entity not found.")
        raise RejectedError(self.name, f"delete of {current.remote_id} refused: {message or body!r}")

    async def aclose(self) -> None:
        await self.http.aclose()


def _id(entity: Any) -> str:
    """An entity's id for telling pages apart; any junk in it (a list, a dict) still compares."""
    value = entity.get("id") if isinstance(entity, dict) else entity
    return value if isinstance(value, str) else repr(value)
