"""Value conversions every vendor mapping needs: vendor strings to canonical values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from syncd.model import clean_text

__all__ = ["clean", "parse_time", "remote_id", "shown", "text"]

clean = clean_text


def text(value: Any) -> str | None:
    """A vendor value as canonical text: cleaned, trimmed, and ``None`` for null or blank."""
    if value is None:
        return None
    stripped = clean(str(value)).strip()
    return stripped or None


def parse_time(value: Any, formats: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S",)) -> datetime | None:
    """A vendor timestamp (UTC) in one of ``formats``; ``None`` when it is missing or unreadable."""
    for fmt in formats:
        try:
            return datetime.strptime(str(value), fmt).replace(tzinfo=UTC)
        except (TypeError, ValueError):
            continue
    return None


#: the longest record id syncd stores (the store's column width)
MAX_ID = 128


def remote_id(value: Any) -> tuple[str | None, str | None]:
    """A vendor record id as text, or ``(None, why)`` when it is missing or cannot be one."""
    if value is None or value == "":
        return None, "without an id"
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None, f"with an id that is a {type(value).__name__}, not text or a number"
    text_id = str(value)
    if len(text_id) > MAX_ID or clean_text(text_id) != text_id or not text_id.strip():
        return None, f"with an unusable id {shown(text_id)}"
    return text_id, None


def shown(value: Any, limit: int = 60) -> str:
    """A vendor value quoted in a message: cleaned and cut short, never the whole of a huge string."""
    quoted = repr(clean_text(str(value)) if isinstance(value, str) else value)
    return quoted if len(quoted) <= limit else quoted[: limit - 1] + "…"

