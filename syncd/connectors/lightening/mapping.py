"""Lightening contact rows <-> canonical contacts, and Lightening's documented field limits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from syncd.connectors.base import FieldSpec, Schema
from syncd.connectors.convert import parse_time, text
from syncd.model import Contact, FieldValue

__all__ = ["SCHEMA", "from_row", "to_body"]

SCHEMA = Schema("lightening", {
    "full_name": FieldSpec("full_name", "name", max_length=64, required=True, non_nullable=True),
    "email": FieldSpec("email", "email", max_length=191, email=True),
    "emails": FieldSpec("emails", "email2/email3", max_length=191, email=True),
    "phone_office": FieldSpec("phone_office", "tel", max_length=32),
    "phone_mobile": FieldSpec("phone_mobile", "mobile", max_length=32),
    "fax": FieldSpec("fax", "fax", max_length=32),
    "title": FieldSpec("title", "role", max_length=32),
    "department": FieldSpec("department", "department", max_length=64),
    "company": FieldSpec("company", "customer_name"),
    "active": FieldSpec("active", "is_active"),
    "locale": FieldSpec("locale", "locale", max_length=16),
})
_SIMPLE = {"full_name": "name", "email": "email", "phone_office": "tel", "phone_mobile": "mobile", "fax": "fax",
           "title": "role", "department": "department", "locale": "locale"}




def from_row(row: Mapping[str, Any]) -> Contact:
    """A Lightening row as a canonical contact (``company`` is the customer's name)."""
    values: dict[str, Any] = {canonical: text(row.get(vendor)) for canonical, vendor in _SIMPLE.items()}
    values["emails"] = tuple(e for e in (text(row.get("email2")), text(row.get("email3"))) if e)
    values["company"] = text(row.get("customer_name"))
    active = text(row.get("is_active"))
    values["active"] = None if active is None else active == "1"
    return Contact(**values)


def updated_at(row: Mapping[str, Any]) -> datetime | None:
    return parse_time(row.get("updated_at")) or parse_time(row.get("created_at"))


def to_body(values: Mapping[str, FieldValue]) -> dict[str, Any]:
    """Canonical values as a Lightening body: strings, "" for empty, "1"/"0" for booleans."""
    body: dict[str, Any] = {}
    for canonical, vendor in _SIMPLE.items():
        if canonical in values:
            body[vendor] = "" if values[canonical] is None else str(values[canonical])
    if "emails" in values:
        extras = list(values["emails"] or ()) if isinstance(values["emails"], tuple) else []
        body["email2"] = extras[0] if extras else ""
        body["email3"] = extras[1] if len(extras) > 1 else ""
    if "active" in values and values["active"] is not None:
        body["is_active"] = "1" if values["active"] else "0"
    return body
