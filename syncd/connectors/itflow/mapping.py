"""ITFlow rows <-> canonical contacts, and what ITFlow's columns can hold.

What ITFlow stores is not always what it was sent (:mod:`syncd.connectors.itflow.php`): text goes through
PHP ``strip_tags`` + ``trim``, phones keep their digits only. A value that would not come back as it went
out is declared here (``FieldSpec.vet``) so it is never sent: the change is parked with the reason, and
the mangled form can never become the agreed value of the other systems. Limits are the columns' own:
``varchar(200)`` counts characters, ``contact_notes`` is a TEXT of 65,535 **bytes**.

Phones. ITFlow's web UI keeps the country code apart (``contact_phone_country_code``, digits) from the
national number (``contact_phone``); the API returns both on read but can write only the number. So a
number is read as code + national number, and written so that it reads back the same: as its national
number when the row already carries that country's code, else as ``00`` + the E.164 digits, which no
national number starts with and which reads back as the same E.164 number whatever code the row holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers

from syncd.connectors.base import FieldSpec, Schema
from syncd.connectors.convert import text
from syncd.connectors.itflow.php import digits_only, php_trim, stored_text, text_mangled
from syncd.model import Contact, FieldValue, comparable, normalize_phone

__all__ = ["PHONE_CODES", "SCHEMA", "from_row", "phone_for_itflow", "read_phone", "stored_form", "to_body"]

#: TEXT columns hold 65,535 bytes; varchar(200) holds 200 characters (utf8mb4)
TEXT_BYTES = 65_535
VARCHAR = 200


def _phone_vet(value: str) -> str | None:
    written = phone_for_itflow(value, None)
    back = read_phone(written, None)
    if comparable("phone_office", back) == comparable("phone_office", value):
        return None
    return (f"ITFlow keeps only the digits of a phone number: {value!r} would read back as {back or ''!r} "
            "(write it in international form, +<country code> <number>)")


SCHEMA = Schema("itflow", {
    "full_name": FieldSpec("full_name", "contact_name", max_length=VARCHAR, required=True, non_nullable=True,
                           vendor_normalised=True, vet=text_mangled),
    "email": FieldSpec("email", "contact_email", max_length=VARCHAR, required=True, email=True, vet=text_mangled),
    "phone_office": FieldSpec("phone_office", "contact_phone", max_length=VARCHAR, vendor_normalised=True,
                              vet=_phone_vet),
    "phone_mobile": FieldSpec("phone_mobile", "contact_mobile", max_length=VARCHAR, vendor_normalised=True,
                              vet=_phone_vet),
    "title": FieldSpec("title", "contact_title", max_length=VARCHAR, vendor_normalised=True, vet=text_mangled),
    "department": FieldSpec("department", "contact_department", max_length=VARCHAR, vendor_normalised=True,
                            vet=text_mangled),
    "notes": FieldSpec("notes", "contact_notes", max_bytes=TEXT_BYTES, vendor_normalised=True, vet=text_mangled),
    "company": FieldSpec("company", "client_name"),
    "active": FieldSpec("active", "contact_archived_at"),
})
TEXT_COLUMNS = {"full_name": "contact_name", "email": "contact_email", "title": "contact_title",
                "department": "contact_department", "notes": "contact_notes"}
PHONE_COLUMNS = {"phone_office": "contact_phone", "phone_mobile": "contact_mobile"}
#: the column holding each phone column's country code (written by ITFlow's web UI only)
PHONE_CODES = {"contact_phone": "contact_phone_country_code", "contact_mobile": "contact_mobile_country_code"}


def read_phone(national: Any, country_code: Any) -> str | None:
    """A stored phone number as canonical text: ``00``-prefixed digits as international, else the
    national number in the row's country code (E.164 when that reads as a possible number)."""
    number = text(national)
    if number is None:
        return None
    digits = digits_only(number)
    if digits.startswith("00") and len(digits) > 4:
        return "+" + digits[2:]
    code = digits_only(str(country_code or ""))
    if not code or not digits:
        return number
    region = phonenumbers.region_code_for_country_code(int(code))
    if region != "ZZ":
        try:
            parsed = phonenumbers.parse(digits, region)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is not None and phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if digits.startswith(code) and normalize_phone("+" + digits) == "+" + digits:
        return "+" + digits  # the code typed twice: once in its box, once in front of the number
    return f"+{code}{digits.lstrip('0')}"


def phone_for_itflow(value: str | None, country_code: Any) -> str:
    """What to send for a phone so that ITFlow stores digits that :func:`read_phone` reads back as ``value``."""
    if not value:
        return ""
    e164 = normalize_phone(value) or ""
    if not e164.startswith("+"):
        return digits_only(value)
    code = digits_only(str(country_code or ""))
    if code and e164.startswith("+" + code):
        national = e164[1 + len(code):]
        if read_phone(national, code) == e164:
            return national
    return "00" + e164[1:]


def from_row(row: Mapping[str, Any], client_names: Mapping[str, str]) -> Contact:
    values: dict[str, Any] = {canonical: text(row.get(vendor)) for canonical, vendor in TEXT_COLUMNS.items()}
    for canonical, vendor in PHONE_COLUMNS.items():
        values[canonical] = read_phone(row.get(vendor), row.get(PHONE_CODES[vendor]))
    values["company"] = client_names.get(str(row.get("contact_client_id")))
    values["active"] = text(row.get("contact_archived_at")) is None
    return Contact(**values)


def to_body(values: Mapping[str, FieldValue], row: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Canonical values as ITFlow columns. A cleared field is sent as ``""``: ITFlow keeps the old value
    for a JSON ``null``. ``row`` is the contact as last read (its phone country codes)."""
    body: dict[str, str] = {}
    for canonical, vendor in TEXT_COLUMNS.items():
        if canonical in values:
            value = values[canonical]
            body[vendor] = "" if value is None else php_trim(str(value))
    for canonical, vendor in PHONE_COLUMNS.items():
        if canonical in values:
            value = values[canonical]
            body[vendor] = phone_for_itflow(value if isinstance(value, str) else None,
                                            (row or {}).get(PHONE_CODES[vendor]))
    return body


def stored_form(column: str, value: str) -> str:
    """What ITFlow will hold in ``column`` after it is sent ``value``."""
    if column in PHONE_CODES or column == "contact_extension":
        return digits_only(value)
    return stored_text(value)
