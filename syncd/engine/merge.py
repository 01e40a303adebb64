"""The field-level three-way merge: one field, its agreed base, and what each system holds now.

A system's value counts as a *change* only when it differs from what that system held when syncd last
agreed with it (its snapshot) *and* from the base. A stale value (a write of ours that has not landed
yet) is therefore never mistaken for an edit, and an edit is never lost to a stale value.

A change is an edit made since the last agreement — unless its own time says it is certainly older than the
edit that made the agreed value: then it was only read late (the daemon reads one system at a time) and
was overtaken. A copy that has no snapshot yet — it joined the entity after the base was agreed, as when the daemon
polls one system and links the next one's records later — has told syncd nothing about what changed. Its
blanks propose nothing; its values are *proposals* that compete with the agreed value under the field's
policy, each with its own time (the agreed value keeps the time of the edit that made it). It never
silently overwrites an agreed value.

Times are :class:`~syncd.engine.when.When` intervals: an edit whose vendor time is unknown is only known
to lie between two scans, and ``lww`` calls it newer than another edit only when the two do not overlap;
otherwise the ``ambiguous_order`` rule decides, and the outcome says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from syncd.engine.policies import FieldRule, Policy
from syncd.engine.when import DEFAULT_AMBIGUOUS_ORDER, AmbiguousOrder, When
from syncd.model import PHONE_FIELDS, FieldValue, better_written, comparable, equivalent

__all__ = ["Agreed", "Candidate", "FieldOutcome", "merge_field"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """What one system holds for the field now, and whether (and when) it changed it.

    ``joining``: the copy has no snapshot yet, so ``changed`` means nothing for it (see the module doc).
    """

    system: str
    value: FieldValue
    changed: bool
    when: When
    joining: bool = False
    #: the most characters this system holds in the field (a value exactly that long may be a cut)
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class Agreed:
    """The base: the value last agreed, the system whose edit made it, and when that edit happened."""

    value: FieldValue
    source: str | None
    when: When


@dataclass(frozen=True, slots=True)
class FieldOutcome:
    """The agreed value and why. ``conflict`` lists the competing values when a policy had to decide
    (or, for ``manual``, could not: then ``pending_manual`` is set and the base is kept). ``source`` and
    ``when`` tell whose edit the value is, when it changed; ``ambiguous`` is set when the order of the
    competing edits could not be known and the ``ambiguous_order`` rule decided."""

    value: FieldValue
    rule: str
    source: str | None
    conflict: Mapping[str, FieldValue] | None = None
    pending_manual: bool = False
    when: When | None = None
    ambiguous: bool = False
    #: values left out because they may never replace the agreed one (a shared mailbox over a personal address)
    refused: Mapping[str, FieldValue] | None = None


def _blank(value: FieldValue) -> bool:
    return value is None or value == "" or value == ()


def _same(name: str, a: FieldValue, b: FieldValue) -> bool:
    """One value however it is written: equivalent, or equal but for case."""
    return equivalent(name, a, b) or str(comparable(name, a)).casefold() == str(comparable(name, b)).casefold()


def _first_choice(name: str, changes: Sequence[Candidate]) -> Candidate | None:
    """Where the proposals are one value written several ways, the best-written one wins ("Ada Lovelace"
    over "ADA LOVELACE", "+33764755519" over ITFlow's "33764755519"); then the newest."""
    if not all(_same(name, c.value, changes[0].value) for c in changes[1:]):
        return None
    return max(changes, key=lambda c: (sum(better_written(name, c.value, o.value) for o in changes),
                                       c.when.hi, c.system))


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _glued(name: str, c: Candidate, values: Sequence[FieldValue]) -> bool:
    """A phone held as bare digits that are another value's digits with more after them is that number with
    its extension glued on by a system that keeps only digits (ITFlow: "+36 1 572 5517 x85" becomes
    "361572551785"): a different, wrong number, so it never spreads. The other value may be written the
    national way: "(305) 685-7827" is "+1 305 685 7827", whose digits "1305685782762" begins with."""
    if not isinstance(c.value, str) or c.value.strip().lstrip("+") != _digits(c.value):
        return False
    mine = _digits(c.value)
    return any(isinstance(v, str) and v != c.value and any(4 <= len(d) < len(mine) and mine.startswith(d)
                                                         for d in (_digits(v), _digits(str(comparable(name, v)))))
               for v in values)


def _cut(name: str, c: Candidate, values: Sequence[FieldValue]) -> bool:
    """A value exactly as long as its system can hold, the start of a longer value another system holds, is
    that value cut by the system (its UI, an import) — not a shorter value someone chose: it never spreads."""
    if name in PHONE_FIELDS and _glued(name, c, values):
        return True
    if c.limit is None or not isinstance(c.value, str) or len(c.value.strip()) < c.limit:
        return False
    mine = str(comparable(name, c.value)).casefold()
    return any(isinstance(v, str) and len(str(comparable(name, v))) > len(mine)
               and str(comparable(name, v)).casefold().startswith(mine) for v in values)


def _at_limit(c: Candidate) -> bool:
    return c.limit is not None and isinstance(c.value, str) and len(c.value.strip()) >= c.limit


def _latest_seen(changes: Sequence[Candidate]) -> Candidate:
    # Ties are broken by system name so the outcome never depends on input order.
    return max(changes, key=lambda c: (c.when.hi, c.system))


def _newest(
    changes: Sequence[Candidate], rule: FieldRule, steps: Sequence[AmbiguousOrder]
) -> tuple[Candidate | None, str, bool]:
    """The newest edit, or None when an admin must decide; with how it was chosen and whether the
    order was ambiguous."""
    maximal = [c for c in changes if not any(d is not c and d.when.later_than(c.when) for d in changes)]
    if len(maximal) == 1:
        return maximal[0], "lww", False
    if all(c.when.known for c in maximal):  # the same second: by system name
        return _latest_seen(maximal), "lww (same time)", False
    systems = {c.system: c for c in maximal}
    for step in steps:
        if step is AmbiguousOrder.PREFER:
            for name in rule.prefer:
                if name in systems:
                    return systems[name], f"order unknown: prefer {name}", True
        elif step is AmbiguousOrder.KNOWN_TIME:
            known = [c for c in maximal if c.when.known]
            if known:
                return _latest_seen(known), "order unknown: the edit with a known time", True
        elif step is AmbiguousOrder.LATEST_SEEN:
            return _latest_seen(maximal), "order unknown: the edit seen last", True
        elif step is AmbiguousOrder.MANUAL:
            return None, "order unknown: manual", True
    return None, "order unknown: manual", True


def merge_field(
    name: str,
    base: Agreed | None,
    candidates: Sequence[Candidate],
    rule: FieldRule,
    *,
    ambiguous_order: Sequence[AmbiguousOrder] = DEFAULT_AMBIGUOUS_ORDER,
    weak: Callable[[FieldValue], bool] | None = None,
) -> FieldOutcome:
    """Decide one field. ``base`` is None for a field never agreed before (a new entity).

    ``weak`` marks values that may never replace a strong one (a shared mailbox is weak next to a
    personal address): they are left out while a strong value is agreed or proposed.
    """
    has_base = base is not None
    base_cmp = comparable(name, base.value) if base is not None else None
    accepted = [c for c in candidates if rule.accepts_from(c.system)]
    if base is None:
        # First agreement: every value is a proposal; blanks propose nothing.
        proposals = [c for c in accepted if not _blank(c.value)]
    else:
        proposals = [
            c for c in accepted
            if comparable(name, c.value) != base_cmp and (not _blank(c.value) if c.joining else c.changed)
            and not (equivalent(name, c.value, base.value) and not better_written(name, c.value, base.value))
            # an edit certainly older than the one that made the agreed value was only seen late (the
            # daemon reads one system at a time): it was overtaken, not made since
            and not (not c.joining and base.when.later_than(c.when) is True)
        ]
    if rule.policy is Policy.NON_EMPTY:
        proposals = [c for c in proposals if not _blank(c.value)]
    others = [c.value for c in accepted] + ([base.value] if base is not None else [])
    proposals = [c for c in proposals if not _cut(name, c, others)]
    refused: dict[str, FieldValue] = {}
    if weak is not None:
        strong = (base is not None and not _blank(base.value) and not weak(base.value)) or any(
            not _blank(c.value) and not weak(c.value) for c in proposals)
        if strong:
            refused = {c.system: c.value for c in proposals if not _blank(c.value) and weak(c.value)}
            proposals = [c for c in proposals if c.system not in refused]
    if not proposals:
        return FieldOutcome(base.value if base is not None else None, "unchanged", None, refused=refused or None)

    # Joining proposals alone do not beat the agreed value by being there: it competes with them.
    contest = list(proposals)
    weak_base = weak is not None and base is not None and weak(base.value) \
        and any(not _blank(c.value) and not weak(c.value) for c in proposals)
    # (an agreed blank that no edit made — the field was simply empty everywhere so far — holds nothing off)
    never_set = base is not None and _blank(base.value) and base.source is None
    if base is not None and all(c.joining for c in proposals) and not weak_base and not never_set:
        # (a shared mailbox agreed for want of a personal address never holds one off)
        contest.append(Candidate(base.source or "agreed", base.value, False, base.when))
    agreed_entry = contest[-1] if len(contest) > len(proposals) else None

    def outcome(winner: Candidate, label: str, conflict: Mapping[str, FieldValue] | None = None,
                ambiguous: bool = False) -> FieldOutcome:
        if winner is agreed_entry and base is not None:
            return FieldOutcome(base.value, f"kept: {label}", None, conflict=conflict, ambiguous=ambiguous,
                                refused=refused or None)
        return FieldOutcome(winner.value, label, winner.system, conflict=conflict, when=winner.when,
                            ambiguous=ambiguous, refused=refused or None)

    distinct = {comparable(name, c.value) for c in contest}
    if len(distinct) == 1:
        winner = _latest_seen(contest)
        return outcome(winner, "changed" if has_base else "first value")
    if (choice := _first_choice(name, contest)) is not None:
        return outcome(choice, "first value, best written" if not has_base else "one value, best written")
    competing = {c.system: c.value for c in sorted(contest, key=lambda c: c.system)}

    def decided(winner: Candidate, label: str, ambiguous: bool = False) -> FieldOutcome:
        if _at_limit(winner) and any(not _blank(c.value) for c in contest if c is not winner):
            # exactly as long as its system holds: perhaps a longer value cut there. An admin says which.
            return FieldOutcome(base.value if base is not None else None,
                                f"{winner.system} holds exactly its {winner.limit}-character limit, perhaps cut: "
                                "conflict opened", None, conflict=competing, pending_manual=True,
                                ambiguous=ambiguous, refused=refused or None)
        return outcome(winner, label, conflict=competing, ambiguous=ambiguous)

    if rule.policy is Policy.MANUAL:
        return FieldOutcome(base.value if base is not None else None, "manual: conflict opened", None,
                            conflict=competing, pending_manual=True, refused=refused or None)
    if rule.policy is Policy.PREFER:
        for system in rule.prefer:
            for c in contest:
                if c.system == system:
                    return decided(c, f"prefer {system}")
    newest, how, ambiguous = _newest(contest, rule, ambiguous_order)
    if newest is None:
        return FieldOutcome(base.value if base is not None else None, f"{how}: conflict opened", None,
                            conflict=competing, pending_manual=True, ambiguous=True, refused=refused or None)
    label = how if rule.policy is not Policy.NON_EMPTY else f"non_empty, {how}"
    return decided(newest, label, ambiguous)
