"""The field-level three-way merge: one field, its agreed base, and what each system holds now.

A system's value counts as a *change* only when it differs from what that system held when syncd
last agreed with it (its snapshot) *and* from the base. A stale value (a write of ours that has not
landed yet) is therefore never mistaken for an edit, and an edit is never lost to a stale value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from syncd.engine.policies import FieldRule, Policy
from syncd.model import FieldValue, comparable

__all__ = ["Candidate", "FieldOutcome", "merge_field"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """What one system holds for the field now, and whether (and when) it changed it."""

    system: str
    value: FieldValue
    changed: bool
    when: datetime


@dataclass(frozen=True, slots=True)
class FieldOutcome:
    """The agreed value and why. ``conflict`` lists the competing values when a policy had to decide
    (or, for ``manual``, could not: then ``pending_manual`` is set and the base is kept)."""

    value: FieldValue
    rule: str
    source: str | None
    conflict: Mapping[str, FieldValue] | None = None
    pending_manual: bool = False


def _blank(value: FieldValue) -> bool:
    return value is None or value == "" or value == ()


def _newest(changes: Sequence[Candidate]) -> Candidate:
    # Ties are broken by system name so the outcome never depends on input order.
    return max(changes, key=lambda c: (c.when, c.system))


def _well_written(value: FieldValue) -> bool:
    """"Ada Lovelace" rather than "ADA LOVELACE" or "ada lovelace"."""
    return isinstance(value, str) and not (value.isupper() or value.islower())


def _first_choice(name: str, changes: Sequence[Candidate]) -> Candidate | None:
    """For a first agreement where the proposals differ only in case, the best-written one wins."""
    folded = {str(comparable(name, c.value)).casefold() for c in changes}
    if len(folded) != 1:
        return None
    return max(changes, key=lambda c: (_well_written(c.value), c.when, c.system))


def merge_field(
    name: str, base: FieldValue, has_base: bool, candidates: Sequence[Candidate], rule: FieldRule
) -> FieldOutcome:
    """Decide one field. ``has_base`` is false for a field never agreed before (a new entity)."""
    base_cmp = comparable(name, base)
    changes = [
        c for c in candidates
        if rule.accepts_from(c.system) and c.changed and comparable(name, c.value) != base_cmp
    ]
    if not has_base:
        # First agreement: every value is a proposal; blanks propose nothing.
        changes = [c for c in candidates if rule.accepts_from(c.system) and not _blank(c.value)]
    if rule.policy is Policy.NON_EMPTY:
        changes = [c for c in changes if not _blank(c.value)]
    if not changes:
        return FieldOutcome(base, "unchanged", None)
    distinct = {comparable(name, c.value) for c in changes}
    if len(distinct) == 1:
        winner = _newest(changes)
        return FieldOutcome(winner.value, "changed" if has_base else "first value", winner.system)
    if not has_base and (choice := _first_choice(name, changes)) is not None:
        return FieldOutcome(choice.value, "first value, best written", choice.system)
    competing = {c.system: c.value for c in sorted(changes, key=lambda c: c.system)}
    if rule.policy is Policy.MANUAL:
        return FieldOutcome(base, "manual: conflict opened", None, conflict=competing, pending_manual=True)
    if rule.policy is Policy.PREFER:
        for system in rule.prefer:
            for c in changes:
                if c.system == system:
                    return FieldOutcome(c.value, f"prefer {system}", system, conflict=competing)
    winner = _newest(changes)
    label = "non_empty, newest" if rule.policy is Policy.NON_EMPTY else "lww"
    return FieldOutcome(winner.value, label, winner.system, conflict=competing)
