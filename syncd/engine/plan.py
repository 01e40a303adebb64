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
from syncd.engine.causes import Cause
from syncd.engine.mailboxes import RoleAddresses
from syncd.engine.merge import Agreed, Candidate, merge_field
from syncd.engine.policies import FieldRule, OnRemoteDelete, SystemRules
from syncd.engine.when import DEFAULT_AMBIGUOUS_ORDER, AmbiguousOrder, When
from syncd.model import CANONICAL_FIELDS, Contact, FieldValue, comparable, equivalent, fold_name, normalize_text

__all__ = [
    "ChangeSet", "ConflictItem", "Copy", "EntityPlan", "EntityState", "Op", "PlanSettings", "Provenance",
    "plan_entity", "split_full_name",
]

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
    """One system's record of the entity. ``snapshot`` is None until syncd first agreed with it (the copy
    is *joining*: see :mod:`syncd.engine.merge`). ``when`` is when its current content was written, as far
    as syncd knows (the vendor's time, or the window between two scans)."""

    system: str
    remote_id: str
    contact: Contact
    snapshot: Mapping[str, FieldValue] | None
    when: When
    company_id: str | None = None
    gone: bool = False

    @property
    def joining(self) -> bool:
        return self.snapshot is None

    def changed(self, name: str) -> bool:
        if self.snapshot is None:
            return True
        return comparable(name, self.contact.get(name)) != self.snapshot.get(name)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Whose edit an agreed value is, and when it was made."""

    source: str | None
    when: When


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """Settings of the planner that are not per field or per system."""

    ambiguous_order: tuple[AmbiguousOrder, ...] = DEFAULT_AMBIGUOUS_ORDER
    role_addresses: RoleAddresses = field(default_factory=RoleAddresses)


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
    #: whose edit each agreed value is, and when (absent: unknown, as in a store from before syncd kept it)
    provenance: Mapping[str, Provenance] = field(default_factory=dict)
    #: (system, field) -> the value that system was found unable to hold (parked): not sent again
    unholdable: Mapping[tuple[str, str], FieldValue] = field(default_factory=dict)


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
    cause: Cause | None = None


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
    #: the fields whose agreed value changed in this plan: whose edit it is now, and when it was made
    provenance: dict[str, Provenance] = field(default_factory=dict)
    #: systems where a create is held until a review item is decided
    held: list[str] = field(default_factory=list)

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
    return not equivalent(name, a, b)


def _blank(value: FieldValue) -> bool:
    return value is None or value == "" or value == ()


def _merge_fields(
    state: EntityState, live: list[Copy], gone: list[Copy], systems: Mapping[str, SystemRules],
    rules: Mapping[str, FieldRule], settings: PlanSettings, out: EntityPlan,
) -> dict[str, str]:
    reasons: dict[str, str] = {}
    held = {name for c in live for name in systems[c.system].fields}
    kept_beside: list[tuple[str, FieldValue, When]] = []  # shared mailboxes that did not replace a personal one
    for name in CANONICAL_FIELDS:
        if name not in held and name not in state.base:
            continue
        if name in state.open_conflicts:
            if name in state.base:
                out.base[name] = state.base[name]
            reasons[name] = "manual: waiting for an admin"
            continue
        rule = rules.get(name, FieldRule())
        candidates = [Candidate(c.system, c.contact.get(name), c.changed(name), c.when, joining=c.joining,
                                limit=_limit(systems[c.system], name))
                      for c in live if name in systems[c.system].fields]
        if name == "active":
            candidates += [Candidate(c.system, False, True, c.when) for c in gone]
        base = None
        if name in state.base:
            prov = state.provenance.get(name)
            base = Agreed(state.base[name], prov.source if prov else None, prov.when if prov else When(None, state.now))
        weak = settings.role_addresses.is_role if name == "email" else None
        outcome = merge_field(name, base, candidates, rule, ambiguous_order=settings.ambiguous_order, weak=weak)
        out.base[name] = outcome.value
        if outcome.source is not None and outcome.when is not None:
            out.provenance[name] = Provenance(outcome.source, outcome.when)
        reasons[name] = outcome.rule if outcome.source is None else f"{outcome.rule} ({outcome.source})"
        if outcome.refused:
            whens = {c.system: c.when for c in candidates}
            kept_beside.extend((s, v, whens[s]) for s, v in outcome.refused.items())
            shown = ", ".join(f"{s} has {v!r}" for s, v in sorted(outcome.refused.items()))
            out.events.append(f"{name}: {shown}: a shared mailbox never replaces a personal address")
        if name == "emails" and kept_beside and any("emails" in systems[c.system].writable for c in live):
            _keep_beside(out, kept_beside, reasons)
        if outcome.pending_manual and outcome.conflict is not None:
            out.conflicts.append(ConflictItem(state.entity_id, name, state.base.get(name), outcome.conflict))
            if name not in state.base:
                out.base.pop(name, None)
        elif outcome.conflict is not None:
            shown = ", ".join(f"{s}={v!r}" for s, v in outcome.conflict.items())
            chose = outcome.source or "the agreed value"
            out.events.append(f"{name}: {shown} -> {outcome.rule} chose {chose}")
        if outcome.ambiguous:
            times = "; ".join(f"{c.system} {c.when.describe()}" for c in candidates if c.changed or c.joining)
            out.events.append(f"{name}: the order of the edits is not known ({times}): {outcome.rule}")
    return reasons


def _limit(system: SystemRules, name: str) -> int | None:
    spec = system.schema.fields.get(name) if system.schema is not None else None
    return spec.max_length if spec is not None else None


def _keep_beside(out: EntityPlan, kept: list[tuple[str, FieldValue, When]], reasons: dict[str, str]) -> None:
    """A shared mailbox that may not replace the personal address is kept among the other addresses."""
    current = out.base.get("emails")
    have_now = comparable("emails", current)
    taken = {*(have_now if isinstance(have_now, tuple) else ()), comparable("email", out.base.get("email"))}
    extra = [(s, str(v), w) for s, v, w in kept if isinstance(v, str) and comparable("email", v) not in taken]
    if not extra:
        return
    out.base["emails"] = tuple(sorted({*(current if isinstance(current, tuple) else ()), *(v for _, v, _ in extra)}))
    out.provenance["emails"] = Provenance(extra[0][0], extra[0][2])
    reasons["emails"] = f"shared mailbox kept beside the personal address ({extra[0][0]})"


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
    """What this system should hold: the agreed values of the fields it may be written."""
    wanted: dict[str, FieldValue] = {}
    for name in system.writable:
        if name in skip or name == "active" or name not in base:
            continue
        if system.split_name and name in (*_NAME_PARTS, "full_name"):
            continue
        if rules.get(name, FieldRule()).writes_to(system.name):
            wanted[name] = base[name]
    if system.split_name and rules.get("full_name", FieldRule()).writes_to(system.name):
        wanted.update({k: v for k, v in _wanted_name_parts(base).items() if k in system.writable})
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


def _without_unholdable(
    state: EntityState, system: str, values: dict[str, FieldValue], out: EntityPlan
) -> dict[str, FieldValue]:
    """Values this system was already found unable to hold are not sent again (their change stays parked)."""
    kept = {}
    for name, value in values.items():
        refused = state.unholdable.get((system, name), _NOTHING)
        if refused is not _NOTHING and comparable(name, value) == refused:
            out.events.append(f"{name}: {system} cannot hold {value!r}: the change stays parked")
            continue
        kept[name] = value
    return kept


_NOTHING: object = object()


def _split_problems(
    state: EntityState, system: SystemRules, op: Op, remote_id: str | None, values: dict[str, FieldValue],
    old: Mapping[str, FieldValue], why: Mapping[str, str], company_id: str | None = None,
) -> list[ChangeSet]:
    """The change-set, with the values the target cannot hold split off into a parked one of their own:
    one value a vendor would refuse or mangle never sinks the others. A create missing a field it
    requires is parked whole."""
    schema = system.schema
    problems = schema.field_problems(values, creating=op is Op.CREATE) if schema is not None else {}
    if not problems:
        return [ChangeSet(state.entity_id, system.name, op, remote_id, values, old, why, company_id=company_id)]
    assert schema is not None
    mangled = schema.would_mangle(values)
    cause = Cause.WOULD_MANGLE if set(problems) <= mangled else Cause.INVALID
    text = "; ".join(problems.values())
    required = {n for n in problems if op is Op.CREATE and n in schema.fields and schema.fields[n].required}
    if required:
        return [ChangeSet(state.entity_id, system.name, op, remote_id, values, old, why, company_id=company_id,
                          problem=text, cause=cause)]
    good = {k: v for k, v in values.items() if k not in problems}
    bad = {k: v for k, v in values.items() if k in problems}
    parked = ChangeSet(state.entity_id, system.name, Op.UPDATE, remote_id, bad,
                       {k: old.get(k) for k in bad}, {k: why.get(k, "") for k in bad}, problem=text, cause=cause)
    main = ChangeSet(state.entity_id, system.name, op, remote_id, good, {k: old.get(k) for k in good},
                     {k: why.get(k, "") for k in good}, company_id=company_id)
    return [main, parked] if good else [parked]


def plan_entity(
    state: EntityState, systems: Mapping[str, SystemRules], rules: Mapping[str, FieldRule],
    settings: PlanSettings | None = None,
) -> EntityPlan:
    """Merge the entity field by field and list the writes that make every system agree."""
    settings = settings or PlanSettings()
    out = EntityPlan(state.entity_id, {})
    known = [c for c in state.copies.values() if c.system in systems]
    live = [c for c in known if not c.gone]
    gone = [c for c in known if c.gone]
    out.unlink = [c.system for c in gone]
    if not live:
        out.base = dict(state.base)
        # finished only when no copy is left anywhere: one held by a system whose scan failed this cycle
        # is still there, and the entity waits for it
        out.deleted = not any(not c.gone for c in state.copies.values() if c.system not in systems)
        if not out.deleted:
            out.unlink = []  # the deletion is still to be carried to those copies: keep what says so
        return out
    # an edit is a change to something other than the agreed value: a copy now holding what syncd wrote (an
    # update whose answer was lost, so its snapshot is older) has edited nothing
    edited = [c.system for c in live if c.snapshot is not None and any(
        c.changed(n) and comparable(n, c.contact.get(n)) != comparable(n, state.base.get(n))
        for n in CANONICAL_FIELDS)]
    if gone and edited:
        out.events.append(f"deleted in {', '.join(c.system for c in gone)} while edited in "
                          f"{', '.join(edited)}: the edit is kept and the contact restored")
        gone_for_merge: list[Copy] = []
    else:
        gone_for_merge = gone
    reasons = _merge_fields(state, live, gone_for_merge, systems, rules, settings, out)
    manual = {c.field for c in out.conflicts} | state.open_conflicts
    active = out.base.get("active")

    for copy in live:
        out.changes.extend(_copy_changes(state, systems[copy.system], copy, out, rules, manual, reasons, settings))

    if active is False:
        return out
    # A system whose deletion was overruled by an edit elsewhere gets the contact back.
    present = {c.system for c in live} | {c.system for c in gone_for_merge}
    for name, system in systems.items():
        if name in present or not system.receive_creates:
            continue
        if name in state.review_held:
            out.events.append(f"no create in {name}: a {name} record under review may be this person")
            out.held.append(name)
            continue
        values = {k: v for k, v in _target_values(system, out.base, rules, manual).items() if not _blank(v)}
        values = _without_unholdable(state, name, values, out)
        if "active" in system.fields and active is not None:
            values["active"] = True
        if not values:
            continue
        company_id, problem = _company_for(system, out.base.get("company"))
        why = {k: reasons.get(k, "create") for k in values}
        if problem is not None:
            out.changes.append(ChangeSet(state.entity_id, name, Op.CREATE, None, values, {}, why,
                                         company_id=company_id, problem=problem, cause=Cause.NO_COMPANY))
            continue
        out.changes.extend(_split_problems(state, system, Op.CREATE, None, values, {}, why, company_id))
    return out


def _copy_changes(
    state: EntityState, system: SystemRules, copy: Copy, out: EntityPlan, rules: Mapping[str, FieldRule],
    manual: set[str], reasons: Mapping[str, str], settings: PlanSettings,
) -> list[ChangeSet]:
    """At most one change-set per copy (plus one parked for values it cannot hold): its writes must not
    race each other on a stale record."""
    base = out.base
    current = copy.contact
    wanted = _target_values(system, base, rules, manual)
    values = {k: v for k, v in wanted.items() if k not in _CREATE_ONLY and _differs(k, current.get(k), v)}
    role = settings.role_addresses
    if "email" in values and role.is_role(current.email) and not role.is_role(values["email"]) \
            and "emails" not in system.writable:
        del values["email"]  # the shared mailbox typed here stays here; the others keep the personal address
    if "email" in values and current.email and not role.is_role(current.email) and role.is_role(values["email"]):
        del values["email"]  # never a shared mailbox over a personal address
    values = _without_unholdable(state, copy.system, values, out)
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
    return _split_problems(state, system, Op.UPDATE, copy.remote_id, values, old, why)


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
