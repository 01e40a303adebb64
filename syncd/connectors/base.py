"""The one small interface every connector implements, and the schema it declares.

The engine sees only :class:`Connector`, :class:`~syncd.model.RemoteRecord`, :class:`~syncd.model.Contact`
and :class:`~syncd.errors.ConnectorError`. Pagination, auth, rate limits and the vendor's field names stay
inside each vendor package.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from syncd.model import CANONICAL_FIELDS, BadRecord, Contact, FieldValue, RemoteRecord

__all__ = [
    "Capabilities",
    "Connector",
    "FieldSpec",
    "ScanItem",
    "Schema",
]

ScanItem = RemoteRecord | BadRecord

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one canonical field lives in a vendor: its name there and the vendor's constraints."""

    canonical: str
    vendor: str
    max_length: int | None = None
    required: bool = False  # required on create
    non_nullable: bool = False  # may not be cleared on update
    enum: tuple[str, ...] | None = None
    email: bool = False  # must look like an email address
    unique: bool = False
    #: set when the vendor rewrites this value on store (why, and how we mirror it, in the mapping)
    vendor_normalised: bool = False
    #: false for a field the vendor lets us read but not write (Flowtrac's address columns): the planner
    #: takes its changes from this system but never sends it one
    writable: bool = True
    #: a limit the vendor counts in UTF-8 bytes (a MySQL TEXT column), checked beside ``max_length``
    max_bytes: int | None = None
    #: the vendor's own test of a value it would store differently or lose part of (ITFlow's
    #: ``strip_tags`` cut at an unclosed ``<``): returns the reason, or None when it keeps the value whole
    vet: Callable[[str], str | None] | None = None


@dataclass(frozen=True, slots=True)
class Schema:
    """The canonical fields a vendor holds and its constraints on them."""

    system_type: str
    fields: Mapping[str, FieldSpec]

    def __post_init__(self) -> None:
        unknown = set(self.fields) - set(CANONICAL_FIELDS)
        if unknown:
            raise ValueError(f"{self.system_type}: schema maps unknown canonical fields {sorted(unknown)}")

    @property
    def canonical_fields(self) -> tuple[str, ...]:
        return tuple(name for name in CANONICAL_FIELDS if name in self.fields)

    @property
    def writable_fields(self) -> frozenset[str]:
        return frozenset(name for name, spec in self.fields.items() if spec.writable)

    def field_problems(self, values: Mapping[str, FieldValue], *, creating: bool) -> dict[str, str]:
        """Why each of these values cannot be written, by canonical field; empty when all can.

        The writer sends the fields without a problem and parks the others (a create missing a required
        field is parked whole): one value the vendor cannot hold never sinks the rest of a change-set.
        """
        out: dict[str, str] = {}
        for name, spec in self.fields.items():
            if name not in values:
                if creating and spec.required:
                    out[name] = f"{name} ({spec.vendor}) is required"
                continue
            value = values[name]
            if value is None or value == "" or value == ():
                if creating and spec.required:
                    out[name] = f"{name} ({spec.vendor}) is required"
                elif not creating and spec.non_nullable:
                    out[name] = f"{name} ({spec.vendor}) cannot be cleared"
                continue
            items = value if isinstance(value, tuple) else (value,)
            reasons: list[str] = []
            for item in items:
                if isinstance(item, bool):
                    continue
                reasons.extend(_item_problems(spec, str(item)))
            if reasons:
                out[name] = "; ".join(dict.fromkeys(reasons))
        return out

    def would_mangle(self, values: Mapping[str, FieldValue]) -> set[str]:
        """The fields whose value the vendor would store differently (its ``vet`` says so)."""
        out: set[str] = set()
        for name, value in values.items():
            spec = self.fields.get(name)
            if spec is None or spec.vet is None or value is None or isinstance(value, bool):
                continue
            items = value if isinstance(value, tuple) else (value,)
            if any(spec.vet(str(item)) for item in items):
                out.add(name)
        return out

    def problems(self, values: Mapping[str, FieldValue], *, creating: bool) -> list[str]:
        """Why these values cannot be written, one reason per field; empty when they can."""
        return list(self.field_problems(values, creating=creating).values())

    def check(
        self, system: str, values: Mapping[str, FieldValue], *, creating: bool, skip: tuple[str, ...] = ()
    ) -> dict[str, FieldValue]:
        """The values this vendor holds (minus ``skip``), or :class:`ValidationError` naming every problem."""
        from syncd.errors import ValidationError

        kept = {k: v for k, v in values.items() if k in self.fields and k not in skip}
        problems = self.problems(kept, creating=creating)
        if problems:
            raise ValidationError(system, "; ".join(problems))
        return kept


def _item_problems(spec: FieldSpec, text: str) -> list[str]:
    out: list[str] = []
    if spec.max_length is not None and len(text) > spec.max_length:
        out.append(f"{spec.canonical} ({spec.vendor}) is {len(text)} characters, at most {spec.max_length}")
    if spec.max_bytes is not None and len(text.encode("utf-8")) > spec.max_bytes:
        out.append(f"{spec.canonical} ({spec.vendor}) is {len(text.encode('utf-8'))} bytes, at most {spec.max_bytes}")
    if spec.email and not _EMAIL.match(text):
        out.append(f"{spec.canonical} ({spec.vendor}) is not a valid email address")
    if spec.enum is not None and text not in spec.enum:
        out.append(f"{spec.canonical} ({spec.vendor}) must be one of {', '.join(spec.enum)}")
    if spec.vet is not None and (reason := spec.vet(text)):
        out.append(f"{spec.canonical} ({spec.vendor}): {reason}")
    return out


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a vendor allows; the planner never asks a connector for more."""

    can_create: bool = True
    can_update: bool = True
    can_delete: bool = False
    can_deactivate: bool = True
    #: a created contact must belong to a company/account/client/customer (vendor id needed)
    needs_company: bool = False
    #: the vendor can list only records changed since a time (none of ours can today)
    incremental: bool = False
    #: the vendor can refuse a write whose base version is stale
    conditional_writes: bool = False
    #: an id the integrator may store on the record and search by (Cirrus externalkey)
    external_key: bool = False
    #: the listing pages by offset (or page number), so a row deleted during a scan shifts the rest and a
    #: live record can be skipped: a record missing from such a scan is gone only once :meth:`Connector.get`
    #: says so. False only where the whole listing comes in one response (Flowtrac) or by a stable cursor.
    paging_can_shift: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Connector(Protocol):
    """One configured system. ``name`` is the instance name from the config (e.g. ``flowtrac``).

    Writes take canonical values (only the fields to change) and return what the vendor now holds,
    as a :class:`RemoteRecord` read back where the vendor allows, so the engine can store the hash of
    what is really there (no echo). Errors are always :class:`~syncd.errors.ConnectorError`.
    """

    name: str
    schema: Schema
    capabilities: Capabilities

    def scan(self) -> AsyncIterator[ScanItem]:
        """Every contact, streamed. Ends normally only when the listing was complete."""
        ...

    async def get(self, remote_id: str) -> RemoteRecord | None:
        """One contact by id, or ``None`` when it does not exist."""
        ...

    async def find(
        self, *, external_key: str | None, email: str | None, company_id: str | None = None
    ) -> list[RemoteRecord]:
        """Every contact holding syncd's external key, else this email (within ``company_id``'s company
        where the vendor scopes by it): the candidates after an unanswered create. The engine decides
        which one, if any, is the record that create made."""
        ...

    async def companies(self) -> Mapping[str, str]:
        """The vendor's own company list (Lightening customers, Cirrus accounts, ITFlow clients):
        vendor company id -> display name. Empty for a vendor without companies (Flowtrac)."""
        ...

    async def create(
        self, values: Mapping[str, FieldValue], *, company_id: str | None, external_key: str | None
    ) -> RemoteRecord:
        """Create a contact. Not retried blindly: the engine calls :meth:`find` first on a retry."""
        ...

    async def update(
        self, current: RemoteRecord, values: Mapping[str, FieldValue]
    ) -> RemoteRecord:
        """Change only ``values`` on the record ``current`` (as last scanned)."""
        ...

    async def set_active(self, current: RemoteRecord, active: bool) -> RemoteRecord:
        """Deactivate (archive) or reactivate."""
        ...

    async def delete(self, current: RemoteRecord) -> None:
        """Hard delete, where the vendor allows it and the config asks for it."""
        ...

    async def aclose(self) -> None:
        ...


def contact_from_values(values: Mapping[str, FieldValue]) -> Contact:
    """A :class:`Contact` holding just these canonical values (helper for connectors' read-back)."""
    return Contact.from_dict(dict(values))
