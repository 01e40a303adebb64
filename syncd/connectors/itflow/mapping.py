"""ITFlow rows <-> canonical contacts.

ITFlow normalises what it stores: tags stripped, whitespace trimmed, phone numbers reduced to digits.
We send values already in that form so what we read back equals what we wrote. Phone numbers go
as ``00`` + the E.164 digits: ITFlow keeps only digits, and ``00`` keeps the country code in them, so
``normalize_phone`` reads the stored digits back as the same E.164 number (no change, no ping-pong).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from syncd.connectors.base import FieldSpec, Schema
from syncd.connectors.convert import parse_time, text
from syncd.model import Contact, FieldValue, normalize_phone

__all__ = ["SCHEMA", "from_row", "phone_for_itflow", "to_body", "updated_at"]

SCHEMA = Schema("itflow", {
    "full_name": FieldSpec("full_name", "contact_name", max_length=200, required=True, non_nullable=True,
                           vendor_normalised=True),
    "email": FieldSpec("email", "contact_email", max_length=200, required=True, email=True),
    "phone_office": FieldSpec("phone_office", "contact_phone", max_length=200, vendor_normalised=True),
    "phone_mobile": FieldSpec("phone_mobile", "contact_mobile", max_length=200, vendor_normalised=True),
    "title": FieldSpec("title", "contact_title", max_length=200, vendor_normalised=True),
    "department": FieldSpec("department", "contact_department", max_length=200, vendor_normalised=True),
    "notes": FieldSpec("notes", "contact_notes", max_length=65535, vendor_normalised=True),
    "company": FieldSpec("company", "client_name"),
    "active": FieldSpec("active", "contact_archived_at"),
})
_TEXT = {"full_name": "contact_name", "email": "contact_email", "title": "contact_title",
         "department": "contact_department", "notes": "contact_notes"}
_PHONES = {"phone_office": "contact_phone", "phone_mobile": "contact_mobile"}
_TAGS = re.compile(r"<[^>]*>")




def from_row(row: Mapping[str, Any], client_names: Mapping[str, str]) -> Contact:
    values: dict[str, Any] = {canonical: text(row.get(vendor)) for canonical, vendor in _TEXT.items()}
    values.update({canonical: text(row.get(vendor)) for canonical, vendor in _PHONES.items()})
    values["company"] = client_names.get(str(row.get("contact_client_id")))
    values["active"] = text(row.get("contact_archived_at")) is None
    return Contact(**values)


def updated_at(row: Mapping[str, Any]) -> datetime | None:
    """``contact_updated_at`` is NULL until the first edit: then the creation time counts."""
    return parse_time(row.get("contact_updated_at")) or parse_time(row.get("contact_created_at"))


def phone_for_itflow(value: str | None) -> str:
    if not value:
        return ""
    e164 = normalize_phone(value) or ""
    if e164.startswith("+"):
        return "00" + e164[1:]
    return "".join(ch for ch in value if ch.isdigit())


def clean(value: FieldValue) -> str:
    """A text value as ITFlow will store it (tags stripped, trimmed)."""
    return _TAGS.sub("", "" if value is None else str(value)).strip()


def to_body(values: Mapping[str, FieldValue]) -> dict[str, str]:
    body: dict[str, str] = {}
    for canonical, vendor in _TEXT.items():
        if canonical in values:
            body[vendor] = clean(values[canonical])
    for canonical, vendor in _PHONES.items():
        if canonical in values:
            value = values[canonical]
            body[vendor] = phone_for_itflow(value if isinstance(value, str) else None)
    return body
