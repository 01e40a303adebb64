"""The planner: for one entity, the agreed values and the change-sets that carry them. Pure, no I/O.

Input is what the store knows (the agreed base, each system's current copy and its snapshot at the
last agreement); output is an :class:`EntityPlan`. ``syncd --dry-run`` prints exactly these plans,
and the writer executes exactly these change-sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from syncd.connectors.companies import find_company
from syncd.engine.merge import Candidate, merge_field
from syncd.engine.policies import FieldRule, OnRemoteDelete, SystemRules
from syncd.model import CANONICAL_FIELDS, Contact, FieldValue, comparable, fold_name, normalize_text

__all__ = ["ChangeSet", "ConflictItem", "Copy", "EntityPlan", "EntityState", "Op", "plan_entity", "split_full_name"]

_NAME_PARTS = ("given_name", "family_name")
#: the company a contact belongs to is a relationship, set when it is created (as a vendor company id),
#: never rewritten as a value: moving a person between companies is an admin's act in that system
_CREATE_ONLY = frozenset({"company"})


class Op(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Copy:
    """One system's record of the entity. ``snapshot`` is None until syncd first agreed with it."""

    system: str
    remote_id: str
    contact: Contact
    snapshot: Mapping[str, FieldValue] | None
    when: datetime
    company_id: str | None = None
    gone: bool = False

    def changed(self, name: str) -> bool:
        if self.snapshot is None:
            return True
        return comparable(name, self.contact.get(name)) != self.snapshot.get(name)


@dataclass(frozen=True, slots=True)
class EntityState:
    entity_id: str
    base: Mapping[str, FieldValue]
    copies: Mapping[str, Copy]
    now: datetime
    #: fields with an open manual conflict: left alone until an admin decides
    open_conflicts: frozenset[str] = frozenset()
    #: systems holding a record under review as maybe this person: no create there until it is decided
    review_held: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """One write to one system. ``old`` is what the target holds now; ``rules`` why each value won.
    ``problem`` is set when the planner already knows it cannot be done (it is parked, not sent)."""

    entity_id: str
    system: str
    op: Op
    remote_id: str | None
    values: Mapping[str, FieldValue]
    old: Mapping[str, FieldValue]
    rules: Mapping[str, str]
    company_id: str | None = None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class ConflictItem:
    entity_id: str
    field: str
    base: FieldValue
    candidates: Mapping[str, FieldValue]


@dataclass(slots=True)
class EntityPlan:
    entity_id: str
    base: dict[str, FieldValue]
    changes: list[ChangeSet] = field(default_factory=list)
    conflicts: list[ConflictItem] = field(default_factory=list)
    #: decisions worth telling an admin about (a policy chose between edits, a delete was overruled)
    events: list[str] = field(default_factory=list)
    #: systems whose copy vanished: their link is dropped
    unlink: list[str] = field(default_factory=list)
    #: every copy is gone: the entity is finished
    deleted: bool = False

    @property
    def writes(self) -> int:
        return sum(1 for c in self.changes if c.problem is None)


def split_full_name(full: str | None) -> tuple[str | None, str | None]:
    """"Ana María López" -> ("Ana María", "López"): the last word is the family name;
    "López, Ana María" -> ("Ana María", "López"): a comma puts the family name first."""
    text = normalize_text(full)
    if not text:
        return None, None
    if "," in text:
        family_part, _, given_part = text.partition(",")
        return given_part.strip() or None, family_part.strip() or None
    given, _, family = text.rpartition(" ")
    return (given or None, family) if given else (None, family)


def _differs(name: str, a: FieldValue, b: FieldValue) -> bool:
    return comparable(name, a) != comparable(name, b)


def _blank(value: FieldValue) -> bool:
    return value is None or value == "" or value == ()


def _merge_fields(
    state: EntityState, live: list[Copy], gone: list[Copy], systems: Mapping[str, SystemRules],
    rules: Mapping[str, FieldRule], out: EntityPlan,
) -> dict[str, str]:
    reasons: dict[str, str] = {}
    held = {name for c in live for name in systems[c.system].fields}
    for name in CANONICAL_FIELDS:
        if name not in held and name not in state.base:
            continue
        if name in state.open_conflicts:
            if name in state.base:
                out.base[name] = state.base[name]
            reasons[name] = "manual: waiting for an admin"
            continue
        rule = rules.get(name, FieldRule())
        candidates = [Candidate(c.system, c.contact.get(name), c.changed(name), c.when)
                      for c in live if name in systems[c.system].fields]
        if name == "active":
            candidates += [Candidate(c.system, False, True, c.when) for c in gone]
        outcome = merge_field(name, state.base.get(name), name in state.base, candidates, rule)
        out.base[name] = outcome.value
        reasons[name] = outcome.rule if outcome.source is None else f"{outcome.rule} ({outcome.source})"
        if outcome.pending_manual and outcome.conflict is not None:
            out.conflicts.append(ConflictItem(state.entity_id, name, state.base.get(name), outcome.conflict))
            if name not in state.base:
                out.base.pop(name, None)
        elif outcome.conflict is not None:
            shown = ", ".join(f"{s}={v!r}" for s, v in outcome.conflict.items())
            out.events.append(f"{name}: {shown} -> {outcome.rule} chose {outcome.source}")
    return reasons


def _wanted_name_parts(base: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    """Given/family for a system that derives the full name from them, consistent with the agreed full name."""
    full = base.get("full_name")
    given, family = base.get("given_name"), base.get("family_name")
    composed = " ".join(str(p) for p in (given, family) if p)
    if full is None or fold_name(composed) == fold_name(str(full)):
        return {"given_name": given, "family_name": family}
    new_given, new_family = split_full_name(str(full))
    return {"given_name": new_given, "family_name": new_family}


def _target_values(
    system: SystemRules, base: Mapping[str, FieldValue], rules: Mapping[str, FieldRule], skip: set[str]
) -> dict[str, FieldValue]:
    wanted: dict[str, FieldValue] = {}
    for name in system.fields:
        if name in skip or name == "active" or name not in base:
            continue
        if system.split_name and name in (*_NAME_PARTS, "full_name"):
            continue
        if rules.get(name, FieldRule()).writes_to(system.name):
            wanted[name] = base[name]
    if system.split_name and rules.get("full_name", FieldRule()).writes_to(system.name):
        wanted.update({k: v for k, v in _wanted_name_parts(base).items() if k in system.fields})
    return wanted


def _company_for(system: SystemRules, company: FieldValue) -> tuple[str | None, str | None]:
    key = fold_name(str(company)) if isinstance(company, str) else ""
    if key and (found := find_company(system.company_ids, company)):
        return found, None
    if system.default_company_id:
        return system.default_company_id, None
    if not system.needs_company:
        return None, None
    if key:
        return None, (f"no company id for {company!r} in {system.name}: add it to "
                      f"[connectors.{system.name}.company_map] or set default_company_id")
    return None, f"{system.name} needs a company and the contact has none: set default_company_id"


def plan_entity(
    state: EntityState, systems: Mapping[str, SystemRules], rules: Mapping[str, FieldRule]
) -> EntityPlan:
    """Merge the entity field by field and list the writes that make every system agree."""
    out = EntityPlan(state.entity_id, {})
    known = [c for c in state.copies.values() if c.system in systems]
    live = [c for c in known if not c.gone]
    gone = [c for c in known if c.gone]
    out.unlink = [c.system for c in gone]
    if not live:
        out.deleted = True
        out.base = dict(state.base)
        return out
    edited = [c.system for c in live if c.snapshot is not None and any(c.changed(n) for n in CANONICAL_FIELDS)]
    if gone and edited:
        out.events.append(f"deleted in {', '.join(c.system for c in gone)} while edited in "
                          f"{', '.join(edited)}: the edit is kept and the contact restored")
        gone_for_merge: list[Copy] = []
    else:
        gone_for_merge = gone
    reasons = _merge_fields(state, live, gone_for_merge, systems, rules, out)
    manual = {c.field for c in out.conflicts} | state.open_conflicts
    active = out.base.get("active")

    for copy in live:
        out.changes.extend(_copy_changes(state, systems[copy.system], copy, out.base, rules, manual, reasons))

    if active is False:
        return out
    # A system whose deletion was overruled by an edit elsewhere gets the contact back.
    present = {c.system for c in live} | {c.system for c in gone_for_merge}
    for name, system in systems.items():
        if name in present or not system.receive_creates:
            continue
        if name in state.review_held:
            out.events.append(f"no create in {name}: a {name} record under review may be this person")
            continue
        values = {k: v for k, v in _target_values(system, out.base, rules, manual).items() if not _blank(v)}
        if "active" in system.fields and active is not None:
            values["active"] = True
        if not values:
            continue
        company_id, problem = _company_for(system, out.base.get("company"))
        out.changes.append(ChangeSet(
            state.entity_id, name, Op.CREATE, None, values, {}, {k: reasons.get(k, "create") for k in values},
            company_id=company_id, problem=problem,
        ))
    return out


def _copy_changes(
    state: EntityState, system: SystemRules, copy: Copy, base: Mapping[str, FieldValue],
    rules: Mapping[str, FieldRule], manual: set[str], reasons: Mapping[str, str],
) -> list[ChangeSet]:
    """At most one change-set per copy: its writes must not race each other on a stale record."""
    current = copy.contact
    wanted = _target_values(system, base, rules, manual)
    values = {k: v for k, v in wanted.items() if k not in _CREATE_ONLY and _differs(k, current.get(k), v)}
    active = base.get("active")
    activity: list[ChangeSet] = []
    if "active" in system.fields and "active" not in manual and active is not None \
            and rules.get("active", FieldRule()).writes_to(copy.system) and current.active is not None \
            and bool(current.active) != bool(active):
        activity = _activity_change(state.entity_id, system, copy, bool(active), reasons["active"])
    if not values:
        return activity
    if activity and activity[0].op is Op.DELETE:
        return activity
    old = {k: current.get(k) for k in values}
    why = {k: reasons.get(k, reasons.get("full_name", "")) for k in values}
    if activity:  # fold the (de)activation into the one update
        values["active"], old["active"], why["active"] = bool(active), current.active, reasons["active"]
    return [ChangeSet(state.entity_id, copy.system, Op.UPDATE, copy.remote_id, values, old, why)]


def _activity_change(
    entity_id: str, system: SystemRules, copy: Copy, active: bool, reason: str
) -> list[ChangeSet]:
    old = {"active": copy.contact.active}
    if active:
        return [ChangeSet(entity_id, system.name, Op.REACTIVATE, copy.remote_id, {"active": True}, old,
                          {"active": reason})]
    if system.on_remote_delete is OnRemoteDelete.IGNORE:
        return []
    if system.on_remote_delete is OnRemoteDelete.DELETE and system.can_delete:
        return [ChangeSet(entity_id, system.name, Op.DELETE, copy.remote_id, {}, old, {"active": reason})]
    if not system.can_deactivate:
        return []
    return [ChangeSet(entity_id, system.name, Op.DEACTIVATE, copy.remote_id, {"active": False}, old,
                      {"active": reason})]
