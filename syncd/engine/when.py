"""When an edit happened, as far as syncd honestly knows it.

A vendor that stamps its changes tells the time exactly. A vendor that does not (Cirrus), or whose stamp
cannot be read, tells syncd only that the change happened after the last scan that still saw the old
content and no later than the first scan that saw the new one. syncd's own scan time is never passed off
as an edit time: such an edit is an interval, and last-writer-wins can call it newer than another edit
only when the two intervals do not overlap. When they do, the order is *ambiguous* and a documented,
configurable rule decides (:class:`AmbiguousOrder`), and the plan and history say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["AmbiguousOrder", "When"]


class AmbiguousOrder(StrEnum):
    """One step of the rule that orders edits whose times overlap (``[sync] ambiguous_order``, tried in turn)."""

    #: the system listed first in the field's ``prefer`` list wins
    PREFER = "prefer"
    #: the edit whose vendor time is known wins over the ones known only to a window
    KNOWN_TIME = "known_time"
    #: the edit syncd saw most recently wins (the latest end of its window)
    LATEST_SEEN = "latest_seen"
    #: an admin decides: a conflict is opened and the agreed value is kept meanwhile
    MANUAL = "manual"


#: the default rule: a preferred system, else the edit whose time is known, else an admin
DEFAULT_AMBIGUOUS_ORDER: tuple[AmbiguousOrder, ...] = (
    AmbiguousOrder.PREFER, AmbiguousOrder.KNOWN_TIME, AmbiguousOrder.MANUAL,
)


@dataclass(frozen=True, slots=True)
class When:
    """Some time in ``(lo, hi]``; exactly ``hi`` when ``lo == hi``. ``lo`` None: any time up to ``hi``."""

    lo: datetime | None
    hi: datetime

    @classmethod
    def exactly(cls, moment: datetime) -> When:
        return cls(moment, moment)

    @classmethod
    def between(cls, after: datetime | None, until: datetime) -> When:
        if after is not None and after > until:
            after = until
        return cls(after, until)

    @property
    def known(self) -> bool:
        return self.lo == self.hi

    def later_than(self, other: When) -> bool | None:
        """True: certainly later; False: certainly earlier or at the same moment; None: cannot tell."""
        if self.known and other.known:
            return self.hi > other.hi
        if self.lo is not None and self.lo >= other.hi:
            return True
        if other.lo is not None and other.lo >= self.hi:
            return False
        return None

    def describe(self) -> str:
        if self.known:
            return self.hi.isoformat(timespec="seconds")
        start = self.lo.isoformat(timespec="seconds") if self.lo else "…"
        return f"between {start} and {self.hi.isoformat(timespec='seconds')}"
