"""Flowtrac contact rows <-> canonical contacts.

Columns have spaces in their names (``browser username``); some public material spells them with
underscores, so reads accept both and writes send the documented form. Enums are strings:
``Active``/``InActive``. ``account`` is the company's name, ``account id`` its id.

Addresses. In our doc ``address1``, ``city``, ``zipcode`` and ``country`` are filterable GET columns only:
they are not among the POST fields, the fields set by id or the PUT columns (addresses are records of their
own, set by ``default address id``). So they are read and never written (``FieldSpec(writable=False)``),
unless an admin who checked that their instance takes them turns on ``write_addresses``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncd.connectors.base import FieldSpec, Schema
from syncd.connectors.convert import shown, text
from syncd.model import Contact, FieldValue

__all__ = ["ADDRESS_COLUMNS", "COLUMNS", "NON_NULLABLE", "column", "from_row", "schema", "to_body"]

NON_NULLABLE = ("name", "active", "badge", "read only", "password changed on")
#: canonical field -> Flowtrac column, for the plain text columns
COLUMNS = {"full_name": "name", "email": "email", "phone_office": "office", "phone_mobile": "cell", "fax": "fax",
           "title": "title", "street": "address1", "city": "city", "zip": "zipcode", "country": "country",
           "active": "active"}
ADDRESS_COLUMNS = frozenset({"street", "city", "zip", "country"})


def schema(write_addresses: bool = False) -> Schema:
    return Schema("flowtrac", {
        "full_name": FieldSpec("full_name", "name", max_length=255, required=True, non_nullable=True),
        "email": FieldSpec("email", "email", max_length=255, email=True),
        "phone_office": FieldSpec("phone_office", "office", max_length=50),
        "phone_mobile": FieldSpec("phone_mobile", "cell", max_length=50),
        "fax": FieldSpec("fax", "fax", max_length=50),
        "title": FieldSpec("title", "title", max_length=255),
        "company": FieldSpec("company", "account"),
        "street": FieldSpec("street", "address1", max_length=255, writable=write_addresses),
        "city": FieldSpec("city", "city", max_length=100, writable=write_addresses),
        "zip": FieldSpec("zip", "zipcode", max_length=20, writable=write_addresses),
        "country": FieldSpec("country", "country", max_length=100, writable=write_addresses),
        "active": FieldSpec("active", "active", non_nullable=True),
    })


def column(row: Mapping[str, Any], name: str) -> Any:
    """A column by its documented (spaced) name or its underscore spelling."""
    if name in row:
        return row[name]
    return row.get(name.replace(" ", "_"))


def from_row(row: Mapping[str, Any]) -> Contact:
    values: dict[str, Any] = {canonical: text(column(row, vendor)) for canonical, vendor in COLUMNS.items()
                              if canonical != "active"}
    values["company"] = text(column(row, "account"))
    active = text(column(row, "active"))
    if active not in (None, "Active", "InActive"):
        raise ValueError(f"active is {shown(active)}, not Active or InActive")
    values["active"] = None if active is None else active == "Active"
    return Contact(**values)


def to_body(values: Mapping[str, FieldValue]) -> dict[str, Any]:
    """Canonical values as Flowtrac columns; ``None`` clears a nullable column."""
    body: dict[str, Any] = {}
    for canonical, vendor in COLUMNS.items():
        if canonical == "active" or canonical not in values:
            continue
        value = values[canonical]
        body[vendor] = None if value in (None, "") else str(value)
    if "active" in values and values["active"] is not None:
        body["active"] = "Active" if values["active"] else "InActive"
    return body
