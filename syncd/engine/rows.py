"""Conversions between the engine's values and the store's rows (JSON-friendly values, snapshots, records)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from syncd.model import CANONICAL_FIELDS, Contact, FieldValue, RemoteRecord, comparable
from syncd.store import tables as t

__all__ = [
    "CHUNK", "adopted_snapshot", "aware", "chunks", "contact_json", "from_json", "from_snapshot", "jsonable", "now",
    "record_from_row", "snapshot",
]

#: rows per IN (...) list: below SQLite's 999 bound parameters
CHUNK = 900


def now() -> datetime:
    return datetime.now(UTC)


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def jsonable(value: FieldValue) -> Any:
    return list(value) if isinstance(value, tuple) else value


def from_json(value: Any) -> FieldValue:
    return tuple(value) if isinstance(value, list) else value


def contact_json(contact: Contact) -> dict[str, Any]:
    return {k: jsonable(v) for k, v in contact.as_dict().items() if v is not None and v != ()}


def snapshot(contact: Contact) -> dict[str, Any]:
    """What a record held at an agreement, in comparable form (the merge's "did it change?")."""
    return {name: jsonable(comparable(name, contact.get(name))) for name in CANONICAL_FIELDS}


def adopted_snapshot(contact: Contact, sent: Collection[str]) -> dict[str, Any]:
    """The snapshot of a record an unanswered create made, found later: syncd agreed with it on what it
    sent (in the vendor's form) and on nothing else. The create left every other field blank, so a value
    there now was typed since (the record may sit in the vendor for cycles before it is found): it is
    that system's change, never an echo of the agreed value to be overwritten."""
    agreed = set(sent)
    if agreed & {"given_name", "family_name"}:
        agreed.add("full_name")  # a vendor that derives the full name from the parts
    if "email" in agreed:
        agreed.add("emails")  # a vendor that lists the address it was given
    held = snapshot(contact)
    return {name: held[name] if name in agreed else None for name in CANONICAL_FIELDS}


def from_snapshot(data: Mapping[str, Any] | None) -> dict[str, FieldValue] | None:
    if data is None:
        return None
    return {k: from_json(v) for k, v in data.items()}


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def record_from_row(row: t.RemoteRecordRow) -> RemoteRecord:
    return RemoteRecord(
        system=row.system, remote_id=row.remote_id, contact=Contact.from_dict(row.fields or {}),
        raw=row.raw or {}, remote_updated_at=aware(row.remote_updated_at), company_id=row.company_id,
        external_key=row.external_key,
    )
