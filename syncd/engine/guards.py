"""Data-loss guards: decide, per system, whether the records that vanished may count as deletions."""

from __future__ import annotations

from syncd.errors import DeleteRatioExceeded, GuardError, SourceEmpty

__all__ = ["check_deletions"]


def check_deletions(
    system: str, *, known: int, scanned: int, vanished: int, max_ratio: float, min_count: int, force: bool
) -> GuardError | None:
    """The guard that holds back this system's deletions, or ``None`` when they may go ahead.

    ``known`` live records were in the store before the scan; ``scanned`` came back; ``vanished``
    of the known ones did not. Small systems are not held back for a handful of deletions
    (``min_count``), so one removed contact out of five is not a "ratio" event.
    """
    if force or vanished == 0:
        return None
    if scanned == 0 and known > min_count:
        return SourceEmpty(system, f"the scan returned no records where {known} were known: nothing is deleted "
                                   "(run with --force-delete if the system really is empty)")
    if vanished > min_count and vanished > max_ratio * known:
        return DeleteRatioExceeded(
            system, f"{vanished} of {known} records vanished in one cycle, more than sync.max_delete_ratio "
                    f"({max_ratio:.0%}): deletions are held back (run with --force-delete to apply them)")
    return None
