"""Value conversions every vendor mapping needs: vendor strings to canonical values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["parse_time", "text"]


def text(value: Any) -> str | None:
    """A vendor value as canonical text: trimmed, and ``None`` for null or blank."""
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def parse_time(value: Any, formats: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S",)) -> datetime | None:
    """A vendor timestamp (UTC) in one of ``formats``; ``None`` when it is missing or unreadable."""
    for fmt in formats:
        try:
            return datetime.strptime(str(value), fmt).replace(tzinfo=UTC)
        except (TypeError, ValueError):
            continue
    return None
