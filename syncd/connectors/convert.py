"""Value conversions every vendor mapping needs: vendor strings to canonical values.

Vendor timestamps are read leniently (:class:`TimeReader`): none of our vendors documents its format,
and a time that cannot be read must cost only the ordering of that one change, never the record. Such a
time is reported once per connector and field (a log line) and counted on every occurrence (a metric);
the record then carries no modification time, so the engine treats its change time as unknown instead
of taking it for newer or older than it is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import structlog

from syncd import metrics
from syncd.model import clean_text

__all__ = ["MISSING", "TimeReader", "clean", "parse_time", "read_time", "remote_id", "shown", "text"]

log = structlog.get_logger("syncd.connectors")

clean = clean_text


def text(value: Any) -> str | None:
    """A vendor value as canonical text: cleaned, trimmed, and ``None`` for null or blank."""
    if value is None:
        return None
    stripped = clean(str(value)).strip()
    return stripped or None


class _Missing:
    """No time given (null, blank, MySQL's zero date): not an error, nothing to report."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()

_TIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"                       # date
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"  # time, T or space, seconds and fraction optional
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",            # offset, optional
    re.IGNORECASE,
)
_ZERO_DATES = ("0000-00-00", "0000-00-00 00:00:00", "0000-00-00T00:00:00")


def read_time(value: Any, tz: tzinfo = UTC) -> datetime | _Missing | None:
    """A vendor timestamp as an aware UTC datetime; :data:`MISSING` when none was given; ``None`` when
    one was given but cannot be read. A time without an offset is in ``tz`` (the vendor's zone)."""
    if value is None or isinstance(value, bool):
        return MISSING if value is None else None
    if isinstance(value, int | float):
        # seconds since the epoch (or milliseconds, by size), within a sane window
        seconds = float(value) / (1000 if abs(value) > 10**11 else 1)
        if not 0 < seconds < 4_102_444_800:  # 2100-01-01
            return None
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw or raw in _ZERO_DATES:
        return MISSING
    if len(raw) == 19 and raw[4] == "-" and raw[10] in " T":  # the common form, read at C speed
        try:
            return datetime.fromisoformat(raw).replace(tzinfo=tz).astimezone(UTC)
        except ValueError:
            pass
    match = _TIME.match(raw)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        when = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    except ValueError:
        return None
    zone: tzinfo = tz
    if offset:
        upper = offset.upper()
        if upper in ("Z", "UTC", "GMT"):
            zone = UTC
        else:
            digits = upper[1:].replace(":", "")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            if delta >= timedelta(hours=24):
                return None
            zone = timezone(delta if upper[0] == "+" else -delta)
    return when.replace(tzinfo=zone).astimezone(UTC)


def parse_time(value: Any, tz: tzinfo = UTC) -> datetime | None:
    """A vendor timestamp (UTC), or ``None`` when it is missing or unreadable (nothing reported)."""
    found = read_time(value, tz)
    return found if isinstance(found, datetime) else None


class TimeReader:
    """One connector's reading of its vendor's timestamps: lenient, and loud once about what it cannot read."""

    def __init__(self, system: str, tz: tzinfo = UTC) -> None:
        self.system = system
        self.tz = tz
        self._reported: set[str] = set()

    def first(self, *candidates: tuple[str, Any]) -> datetime | None:
        """The first of ``(field, value)`` that holds a time. A value that is there but unreadable ends
        the search with ``None``: falling back to an older column (``created`` for an unreadable
        ``edited``) would date the change wrongly."""
        for name, value in candidates:
            found = read_time(value, self.tz)
            if isinstance(found, datetime):
                return found
            if found is None:
                self._unreadable(name, value)
                return None
        return None

    def _unreadable(self, field: str, value: Any) -> None:
        metrics.UNREADABLE_TIMES.labels(self.system, field).inc()
        if field in self._reported:
            return
        self._reported.add(field)
        log.warning("vendor timestamp not readable: changes in these records count as of an unknown time",
                    connector=self.system, field=field, value=shown(value))


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
