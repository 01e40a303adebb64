"""The canonical contact, the record a connector reads, and the normalisers used for every comparison.

Every system speaks its own dialect; inside syncd there is one: :class:`Contact`. Comparison and
hashing always go through :func:`comparable`, so a value a vendor merely reformatted (case of an
email, spacing of a phone number) is never taken for an edit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar

import phonenumbers

__all__ = [
    "CANONICAL_FIELDS",
    "PHONE_FIELDS",
    "TEXT_FIELDS",
    "BadRecord",
    "Contact",
    "RemoteRecord",
    "better_written",
    "clean_json",
    "clean_text",
    "comparable",
    "content_hash",
    "default_region",
    "equivalent",
    "fold_name",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "normalize_text",
    "set_default_region",
]

#: The canonical fields, in a fixed order (hashes and plans list them in this order).
CANONICAL_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "full_name",
    "email",
    "emails",
    "phone_office",
    "phone_mobile",
    "fax",
    "title",
    "department",
    "company",
    "street",
    "city",
    "zip",
    "country",
    "active",
    "notes",
    "locale",
)
PHONE_FIELDS: frozenset[str] = frozenset({"phone_office", "phone_mobile", "fax"})
TEXT_FIELDS: frozenset[str] = frozenset(CANONICAL_FIELDS) - PHONE_FIELDS - {"email", "emails", "active"}

FieldValue = str | bool | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Contact:
    """One person as one system holds them, in canonical form.

    ``None`` means "this system has no value (or does not hold this field)"; connectors only fill
    the fields their schema maps. ``emails`` holds *additional* addresses (Lightening ``email2``,
    ``email3``), never the primary one.
    """

    given_name: str | None = None
    family_name: str | None = None
    full_name: str | None = None
    email: str | None = None
    emails: tuple[str, ...] = ()
    phone_office: str | None = None
    phone_mobile: str | None = None
    fax: str | None = None
    title: str | None = None
    department: str | None = None
    company: str | None = None
    street: str | None = None
    city: str | None = None
    zip: str | None = None
    country: str | None = None
    active: bool | None = None
    notes: str | None = None
    locale: str | None = None

    def get(self, name: str) -> FieldValue:
        value: FieldValue = getattr(self, name)
        return value

    def replace(self, **changes: Any) -> Contact:
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, FieldValue]:
        return {name: getattr(self, name) for name in CANONICAL_FIELDS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Contact:
        """Build from a stored or user-given mapping; unknown keys are refused loudly."""
        unknown = set(data) - set(CANONICAL_FIELDS)
        if unknown:
            raise ValueError(f"unknown contact fields: {', '.join(sorted(unknown))}")
        values = dict(data)
        if "emails" in values:
            values["emails"] = tuple(values["emails"] or ())
        return cls(**values)

    def display_name(self) -> str:
        if self.full_name:
            return self.full_name
        return " ".join(p for p in (self.given_name, self.family_name) if p) or (self.email or "")


@dataclass(frozen=True, slots=True)
class RemoteRecord:
    """A contact as read from one system: canonical fields plus what is needed to write it back.

    ``raw`` is the vendor's own row (kept for the connector's later writes, e.g. ITFlow's current
    ``client_id``); ``company_id`` is the vendor's id of the company/account/client/customer the
    contact belongs to; ``remote_updated_at`` is the vendor's modification time where it has one.
    """

    system: str
    remote_id: str
    contact: Contact
    raw: Mapping[str, Any] = field(default_factory=dict)
    remote_updated_at: datetime | None = None
    company_id: str | None = None
    external_key: str | None = None
    #: on a record returned by a write: canonical fields the vendor refused in that write (the other
    #: fields went out), with the vendor's reason. The engine parks them; it never agrees on their loss.
    refused: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A row a scan could not turn into a contact. The scan goes on; the engine records the reason.

    The remote id is kept when it could be read, so the record is not mistaken for a deletion.
    """

    system: str
    remote_id: str | None
    reason: str

    #: a reason is logged and reported: never a vendor's huge value quoted whole
    MAX_REASON: ClassVar[int] = 300

    def __post_init__(self) -> None:
        reason = clean_text(self.reason)
        if len(reason) > self.MAX_REASON:
            object.__setattr__(self, "reason", reason[: self.MAX_REASON - 1] + "…")
        elif reason != self.reason:
            object.__setattr__(self, "reason", reason)


# --- normalisers -----------------------------------------------------------------------------

#: control characters (but tab and newlines) and lone surrogates
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Text without control characters (a NUL cannot even be stored in PostgreSQL) and with every
    lone surrogate replaced by U+FFFD, so any vendor string can be compared, hashed, stored and logged."""
    if not _UNSAFE.search(value):
        return value
    return _UNSAFE.sub(lambda m: "\ufffd" if m.group() >= "\ud800" else "", value)


def clean_json(value: Any) -> Any:
    """A vendor's raw row made storable: :func:`clean_text` on every string, keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


_WS = re.compile(r"\s+")
_default_region = "US"


def default_region() -> str:
    """The region phone numbers written without a country code are read in (see :func:`set_default_region`)."""
    return _default_region


def set_default_region(region: str) -> None:
    """Region used to read phone numbers written without a country code (config ``phone_region``)."""
    global _default_region
    _default_region = region.upper()
    _phone_cached.cache_clear()


def normalize_text(value: str | None) -> str | None:
    """NFKC, control characters dropped, whitespace collapsed and trimmed; blank becomes ``None``."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    text = _WS.sub(" ", text).strip()
    return text or None


def normalize_name(value: str | None) -> str | None:
    """Names as stored and compared for change: NFKC and collapsed whitespace; case is kept."""
    return normalize_text(value)


def fold_name(value: str | None) -> str:
    """Names for matching only: accents stripped, case-folded, punctuation to spaces."""
    return _fold_cached(value) if value else ""


#: plain ASCII folds with one translation: every character that is not a letter or a digit becomes a space
_ASCII_FOLD = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


#: letters with no decomposition that are written plain by people without the key: Turkish "Y\u0131lmaz" (a
#: dotless i) is "YILMAZ" or "Yilmaz", Polish "Łukasz" is "Lukasz", Danish "Søren" is "Soren"
_LETTER_FOLD = str.maketrans({"ß": "ss", "ø": "o", "đ": "d", "ł": "l", "\u0131": "i", "æ": "ae", "œ": "oe", "ð": "d",
                              "þ": "th", "ħ": "h", "ŧ": "t"})


@lru_cache(maxsize=500_000)
def _fold_cached(value: str) -> str:
    if value.isascii():
        return " ".join(value.lower().translate(_ASCII_FOLD).split())
    text = normalize_text(value)
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.translate(_LETTER_FOLD)
    cleaned = "".join(ch if ch.isalnum() else " " for ch in stripped)
    return _WS.sub(" ", cleaned).strip()


def normalize_email(value: str | None) -> str | None:
    """Trimmed and lower-cased; blank becomes ``None``. Validity is a connector's concern."""
    text = normalize_text(value)
    return text.lower() if text else None


_PHONE_NOISE = re.compile(r"[\s().\-/]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@lru_cache(maxsize=500_000)
def _phone_cached(text: str) -> str:
    if text.startswith("00"):
        # "00" is the international prefix almost everywhere outside North America
        text = "+" + text[2:]
    compact = _PHONE_NOISE.sub("", text.replace("(0)", ""))
    if _E164.match(compact):
        # already international: E.164 is just its digits (parsing it would only confirm that)
        return compact
    try:
        number = phonenumbers.parse(text, _default_region)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):  # a foreign national number is no local one
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(value: str | None) -> str | None:
    """E.164 where the number can be read (default region from config); else the trimmed raw value."""
    text = normalize_text(value)
    if not text:
        return None
    return _phone_cached(text)


def comparable(name: str, value: FieldValue) -> FieldValue:
    """The form of a field's value used for comparison, merging and hashing."""
    if value is None:
        return None
    if name == "active":
        return bool(value)
    if name == "email":
        return normalize_email(value if isinstance(value, str) else str(value))
    if name == "emails":
        items = value if isinstance(value, tuple) else (str(value),)
        emails = [e for e in (normalize_email(v) for v in items) if e]
        return tuple(sorted(set(emails))) or None
    if name in PHONE_FIELDS:
        return normalize_phone(str(value))
    return normalize_text(str(value))


def equivalent(name: str, a: FieldValue, b: FieldValue) -> bool:
    """The same value, written two ways: equal once compared (:func:`comparable`), or — for a phone — one
    international number and the same number without its ``+`` (ITFlow keeps digits only: ``33764755519`` is
    ``+33 76 475 5519``) or written the national way (``(51) 99851-6624``, ``8 812 386-63-22``)."""
    ca, cb = comparable(name, a), comparable(name, b)
    if ca == cb:
        return True
    if name not in PHONE_FIELDS or not isinstance(ca, str) or not isinstance(cb, str):
        return False
    if cb.startswith("+") and not ca.startswith("+"):
        ca, cb = cb, ca
    if not ca.startswith("+"):  # two numbers neither of which could be read as international: same digits
        return len(_digits(ca)) >= 6 and _digits(ca) == _digits(cb)
    return _digits(cb) in _written_forms(ca) or _read_as(cb, ca) == ca


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


@lru_cache(maxsize=100_000)
def _written_forms(e164: str) -> frozenset[str]:
    """The digits an international number is also written with: without ``+``, with ``00``, and national
    (alone, or after a trunk prefix)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return frozenset()
    country, national = str(number.country_code), str(number.national_number)
    if len(national) < 6:
        return frozenset()
    return frozenset({country + national, "00" + country + national, national, "0" + national, "8" + national})


@lru_cache(maxsize=100_000)
def _read_as(raw: str, e164: str) -> str | None:
    """A number written without a country code, read as the international one would have it: as digits
    that already carry the code (``390554338831``), or in the other number's own country (``055 433 8831``
    beside ``+39…``)."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
    for text, hint in (("+" + _digits(raw), None), (raw, region)):
        try:
            number = phonenumbers.parse(text, hint)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            found = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if found == e164:
                return found
    return None


def better_written(name: str, a: FieldValue, b: FieldValue) -> bool:
    """Of two equivalent values, is ``a`` the better written? A phone with its country code; a name in
    mixed case rather than all capitals or all lower case."""
    if name in PHONE_FIELDS:
        return str(comparable(name, a)).startswith("+") and not str(comparable(name, b)).startswith("+")
    return isinstance(a, str) and isinstance(b, str) and not (a.isupper() or a.islower()) \
        and (b.isupper() or b.islower())


def comparable_dict(contact: Contact, fields: Iterable[str] = CANONICAL_FIELDS) -> dict[str, FieldValue]:
    return {name: comparable(name, contact.get(name)) for name in fields}


def content_hash(contact: Contact, fields: Iterable[str] = CANONICAL_FIELDS) -> str:
    """A stable hash of the normalised fields: equal for contacts that differ only in formatting."""
    data = comparable_dict(contact, fields)
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
