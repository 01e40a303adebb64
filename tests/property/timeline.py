"""What the convergence tests know about when an edit happened, and which edits may be the last one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from syncd.model import FieldValue, comparable

#: the end of a window not closed yet (the vendor has not been scanned since the edit)
FOREVER = 10**9


@dataclass(frozen=True)
class Edit:
    """A value a user typed in one system, at a step — or, where the vendor gives no change time, somewhere
    between two of its complete scans (``lo`` exclusive, ``hi`` inclusive), as syncd itself can know it."""

    value: FieldValue
    system: str
    lo: int
    hi: int

    def certainly_after(self, other: Edit) -> bool:
        if self.lo == self.hi and other.lo == other.hi:
            return self.hi > other.hi
        return self.lo >= other.hi


def allowed(name: str, edits: Iterable[Edit]) -> set[FieldValue]:
    """The values the edits of a field may have left: any edit not certainly older than another one (an
    older edit in the same system was overwritten there, so only each system's last counts)."""
    live = list({e.system: e for e in edits}.values())
    top = [e for e in live if not any(o is not e and o.certainly_after(e) for o in live)]
    return {comparable(name, e.value) for e in top} if top else {None}
