"""An in-memory connector: the reference implementation of the interface, for tests and property runs.

It behaves like a well-mannered vendor: server-assigned ids, a modification time per record, a
company per contact, optional hard deletes, and switchable faults (``fail_reads`` / ``fail_writes``)
so engine tests can break it at an exact call. It can also behave like the vendors that are not
well-mannered, each switch one reading of a real vendor: no modification times (Cirrus), offset paging
that shifts when a row is deleted during a scan (ITFlow), no external key (Lightening, ITFlow), fields
it silently does not store, values it mangles on store (ITFlow's ``strip_tags``), a permission refused
(``deny_writes``), and writes that act but whose answer is lost (``lose_answers``).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from syncd.connectors.base import Capabilities, FieldSpec, ScanItem, Schema
from syncd.connectors.settings import ConnectorSettings
from syncd.errors import NotFoundError, PermissionDenied, RetriableError, ValidationError
from syncd.model import CANONICAL_FIELDS, Contact, FieldValue, RemoteRecord

__all__ = ["MemoryConnector", "MemorySettings", "MemoryStore"]


class MemorySettings(ConnectorSettings):
    type: Literal["memory"] = "memory"
    base_url: str = "memory://"
    can_delete: bool = False
    needs_company: bool = False
    #: the vendor stamps each change with its time (false: like Cirrus, it never says when)
    timestamps: bool = True
    #: list by offset pages of this size (a row deleted during a scan shifts the rest); None: all at once
    page_size: int | None = None
    #: the vendor keeps syncd's external key and finds contacts by it
    external_key: bool = True


@dataclass
class MemoryStore:
    """The vendor's side: what the in-memory system holds. Shared between connector instances."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def put(self, contact: Contact, *, company_id: str | None = None, external_key: str | None = None) -> str:
        remote_id = str(next(self._ids))
        self.rows[remote_id] = {"contact": contact, "company_id": company_id, "external_key": external_key,
                                "updated": self.clock()}
        return remote_id

    def edit(self, remote_id: str, **changes: Any) -> None:
        row = self.rows[remote_id]
        row["contact"] = row["contact"].replace(**changes)
        row["updated"] = self.clock()


def _schema(fields: tuple[str, ...]) -> Schema:
    specs = {name: FieldSpec(canonical=name, vendor=name) for name in fields}
    if "email" in specs:
        specs["email"] = FieldSpec(canonical="email", vendor="email", email=True, max_length=191)
    return Schema(system_type="memory", fields=specs)


class MemoryConnector:
    """Holds contacts in a :class:`MemoryStore`; every canonical field unless ``fields`` narrows it."""

    def __init__(
        self,
        name: str,
        settings: MemorySettings | None = None,
        *,
        store: MemoryStore | None = None,
        fields: tuple[str, ...] = CANONICAL_FIELDS,
        **_: Any,
    ) -> None:
        self.name = name
        self.settings = settings or MemorySettings()
        self.store = store if store is not None else MemoryStore()
        self.schema = _schema(tuple(f for f in CANONICAL_FIELDS if f in fields))
        self.capabilities = Capabilities(can_delete=self.settings.can_delete,
                                         needs_company=self.settings.needs_company,
                                         external_key=self.settings.external_key,
                                         paging_can_shift=self.settings.page_size is not None)
        self.fail_reads = 0
        self.fail_writes = 0
        #: writes that act and then fail as if the answer was lost
        self.lose_answers = 0
        #: set to a message: every write is refused as a permission the credentials lack
        self.deny_writes: str | None = None
        #: fields the vendor silently does not store
        self.drops: frozenset[str] = frozenset()
        #: (field, value) -> what the vendor stores instead
        self.mangle: Callable[[str, FieldValue], FieldValue] | None = None
        #: called between two pages of a scan (a user deleting a row, say)
        self.between_pages: Callable[[], None] | None = None
        self.calls: list[str] = []

    def _record(self, remote_id: str) -> RemoteRecord:
        row = self.store.rows[remote_id]
        contact: Contact = row["contact"]
        kept = {name: contact.get(name) for name in self.schema.canonical_fields}
        return RemoteRecord(
            system=self.name, remote_id=remote_id, contact=Contact.from_dict(kept),
            raw={"id": remote_id}, remote_updated_at=row["updated"] if self.settings.timestamps else None,
            company_id=row["company_id"], external_key=row["external_key"] if self.settings.external_key else None,
        )

    def _maybe_fail(self, kind: Literal["read", "write"]) -> None:
        if kind == "read" and self.fail_reads:
            self.fail_reads -= 1
            raise RetriableError(self.name, "injected read failure")
        if kind == "write" and self.deny_writes:
            raise PermissionDenied(self.name, self.deny_writes, status=403)
        if kind == "write" and self.fail_writes:
            self.fail_writes -= 1
            raise RetriableError(self.name, "injected write failure")

    def _answer(self, remote_id: str) -> RemoteRecord:
        if self.lose_answers:
            self.lose_answers -= 1
            raise RetriableError(self.name, "injected lost answer (the write was done)")
        return self._record(remote_id)

    def _stored(self, values: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
        kept = {k: v for k, v in values.items() if k not in self.drops}
        if self.mangle is not None:
            kept = {k: self.mangle(k, v) for k, v in kept.items()}
        return kept

    async def scan(self) -> AsyncIterator[ScanItem]:
        self.calls.append("scan")
        size = self.settings.page_size
        if size is None:
            self._maybe_fail("read")  # even an empty listing can fail
            for remote_id in list(self.store.rows):
                self._maybe_fail("read")
                if remote_id in self.store.rows:
                    yield self._record(remote_id)
            return
        offset = 0
        if len(self.store.rows) <= size:
            self._between_pages()  # one page only: there is no "between", the row goes before it is read
        while True:
            self._maybe_fail("read")
            page = sorted(self.store.rows, key=int)[offset:offset + size]
            for remote_id in page:
                yield self._record(remote_id)
            if len(page) < size:
                return
            offset += size
            self._between_pages()

    def _between_pages(self) -> None:
        if self.between_pages is not None:
            hook, self.between_pages = self.between_pages, None
            hook()

    async def get(self, remote_id: str) -> RemoteRecord | None:
        self._maybe_fail("read")
        return self._record(remote_id) if remote_id in self.store.rows else None

    async def find(
        self, *, external_key: str | None, email: str | None, company_id: str | None = None
    ) -> list[RemoteRecord]:
        self._maybe_fail("read")
        keyed = [rid for rid, row in self.store.rows.items() if external_key and self.settings.external_key
                 and row["external_key"] == external_key]
        if keyed:
            return [self._record(rid) for rid in keyed]
        return [self._record(rid) for rid, row in self.store.rows.items()
                if email and (row["contact"].email or "").lower() == email.lower()
                and (company_id is None or row.get("company_id") in (None, company_id))]

    async def companies(self) -> Mapping[str, str]:
        return {row["company_id"]: row["contact"].company or "" for row in self.store.rows.values()
                if row["company_id"]}

    def _check(self, values: Mapping[str, FieldValue], *, creating: bool) -> dict[str, FieldValue]:
        return self.schema.check(self.name, values, creating=creating)

    async def create(
        self, values: Mapping[str, FieldValue], *, company_id: str | None, external_key: str | None
    ) -> RemoteRecord:
        self.calls.append("create")
        kept = self._check(values, creating=True)
        if self.capabilities.needs_company and not company_id:
            raise ValidationError(self.name, "a company is required to create a contact")
        self._maybe_fail("write")
        remote_id = self.store.put(Contact.from_dict(self._stored(kept)), company_id=company_id,
                                   external_key=external_key)
        return self._answer(remote_id)

    async def update(self, current: RemoteRecord, values: Mapping[str, FieldValue]) -> RemoteRecord:
        self.calls.append("update")
        kept = self._check(values, creating=False)
        if current.remote_id not in self.store.rows:
            raise NotFoundError(self.name, f"contact {current.remote_id} not found")
        self._maybe_fail("write")
        self.store.edit(current.remote_id, **self._stored(kept))
        return self._answer(current.remote_id)

    async def set_active(self, current: RemoteRecord, active: bool) -> RemoteRecord:
        return await self.update(current, {"active": active})

    async def delete(self, current: RemoteRecord) -> None:
        self.calls.append("delete")
        if not self.capabilities.can_delete:
            raise ValidationError(self.name, "deletes are not allowed here")
        self._maybe_fail("write")
        if self.store.rows.pop(current.remote_id, None) is None:
            raise NotFoundError(self.name, f"contact {current.remote_id} not found")

    async def aclose(self) -> None:
        return None
