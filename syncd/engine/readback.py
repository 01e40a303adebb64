"""What a vendor's read-back says about a value syncd sent: held, merely reformatted, or not held.

Reformatting — case, spacing, the punctuation of a phone number — is the vendor's house style: the
vendor's form may settle as the new agreed value, once, quietly. Losing content — a blank where a value
was sent, a cut, a dropped column, anything else the vendor did not keep — must never become the agreed
value: the target is marked unable to hold that value (its change is parked with the reason) and the other
systems keep the full value.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from syncd.model import PHONE_FIELDS, FieldValue, comparable

__all__ = ["Verdict", "settle"]


class Verdict(StrEnum):
    HELD = "held"
    REFORMATTED = "reformatted"
    LOST = "lost"


def _blank(value: FieldValue) -> bool:
    return value is None or value == "" or value == ()


def _style(value: str) -> str:
    """A value with the house style taken out: compatibility forms, case and all spacing."""
    return "".join(unicodedata.normalize("NFKC", value).casefold().split())


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def settle(name: str, sent: FieldValue, got: FieldValue) -> tuple[Verdict, str | None]:
    """How the target kept ``sent`` (it now reads ``got``), and why not when it did not."""
    if comparable(name, sent) == comparable(name, got):
        return Verdict.HELD, None
    if _blank(sent):
        # a clear that did not take: the vendor still holds a value
        return Verdict.LOST, f"{name} was cleared, but the vendor still holds {got!r}"
    if _blank(got):
        return Verdict.LOST, f"{name}: {sent!r} was sent, but the vendor holds nothing"
    if name == "active" or isinstance(sent, bool) or isinstance(got, bool):
        return Verdict.LOST, f"{name}: {sent!r} was sent, but the vendor holds {got!r}"
    if isinstance(sent, tuple) or isinstance(got, tuple):
        held = comparable(name, got)
        have = set(held) if isinstance(held, tuple) else {str(held)}
        missing = [v for v in (sent if isinstance(sent, tuple) else (sent,)) if comparable("email", v) not in have]
        if not missing:
            return Verdict.REFORMATTED, None
        return Verdict.LOST, f"{name}: the vendor did not keep {', '.join(map(repr, missing))}"
    if name in PHONE_FIELDS:
        if _digits(str(sent)) and _digits(str(sent)) == _digits(str(got)):
            return Verdict.REFORMATTED, None
        return Verdict.LOST, f"{name}: {sent!r} was sent, but the vendor holds {got!r}"
    if _style(str(sent)) == _style(str(got)):
        return Verdict.REFORMATTED, None
    if _style(str(sent)).startswith(_style(str(got))):
        return Verdict.LOST, f"{name}: {sent!r} was sent, but the vendor cut it to {got!r}"
    return Verdict.LOST, f"{name}: {sent!r} was sent, but the vendor holds {got!r}"
