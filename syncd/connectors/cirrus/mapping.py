"""Cirrus 2 contacts <-> canonical contacts.

Cirrus holds ``name`` (given) and ``surname`` (family); the canonical full name is derived from
them. ``function`` (a role) is kept in the raw row only: ``title`` is the canonical title.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncd.connectors.base import FieldSpec, Schema
from syncd.connectors.convert import text
from syncd.model import Contact, FieldValue

__all__ = ["ITEM_FIELDS", "MASK", "SCHEMA", "from_item", "list_mask", "to_body"]

SCHEMA = Schema("cirrus", {
    "given_name": FieldSpec("given_name", "name", max_length=100, required=True, non_nullable=True),
    "family_name": FieldSpec("family_name", "surname", max_length=100, required=True, non_nullable=True),
    "full_name": FieldSpec("full_name", "name + surname"),
    "email": FieldSpec("email", "email", max_length=255, email=True),
    "phone_office": FieldSpec("phone_office", "officephone", max_length=50),
    "phone_mobile": FieldSpec("phone_mobile", "cellphone", max_length=50),
    "title": FieldSpec("title", "title", max_length=100),
    "department": FieldSpec("department", "department", max_length=100),
    "street": FieldSpec("street", "street", max_length=200),
    "city": FieldSpec("city", "city", max_length=100),
    "zip": FieldSpec("zip", "zip", max_length=20),
    "company": FieldSpec("company", "account.name"),
    "active": FieldSpec("active", "active"),
})
_SIMPLE = {"given_name": "name", "family_name": "surname", "email": "email", "phone_office": "officephone",
           "phone_mobile": "cellphone", "title": "title", "department": "department", "street": "street",
           "city": "city", "zip": "zip"}
#: the contact fields a scan reads
ITEM_FIELDS = "id,account{id,name},name,surname,function,department,email,officephone,cellphone,title,street,city," \
              "zip,active,externalkey"


def list_mask(item_fields: str) -> str:
    """The X-Fields mask for a paginated list, right under every reading of the spec.

    Cirrus is flask-restx, which applies the mask to the whole response: a mask naming only contact fields
    would mask the envelope away (no ``items``, no ``total``). So the mask names the envelope and the items
    within it; and it names the item fields at the top as well, for an implementation that masks each item
    instead (restx skips mask fields its model lacks, so they cost nothing there)."""
    return f"{{page,pages,per_page,total,items{{{item_fields}}},{item_fields}}}"


MASK = list_mask(ITEM_FIELDS)



def from_item(item: Mapping[str, Any]) -> Contact:
    values: dict[str, Any] = {canonical: text(item.get(vendor)) for canonical, vendor in _SIMPLE.items()}
    values["full_name"] = " ".join(p for p in (values["given_name"], values["family_name"]) if p) or None
    account = item.get("account")
    values["company"] = text(account.get("name")) if isinstance(account, Mapping) else None
    active = item.get("active")
    values["active"] = None if active in (None, "") else bool(int(active))
    return Contact(**values)


def to_body(values: Mapping[str, FieldValue]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for canonical, vendor in _SIMPLE.items():
        if canonical in values:
            body[vendor] = "" if values[canonical] is None else str(values[canonical])
    if "active" in values and values["active"] is not None:
        body["active"] = 1 if values["active"] else 0
    return body
