"""Carry out one change-set against its connector: validate, guard a retried create, call, read back.

The outbox around it (:mod:`syncd.engine.write`) decides *when*; this module decides *how*, and is
the one place where an operation becomes a vendor call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from syncd.connectors.base import Connector
from syncd.engine.causes import Cause
from syncd.engine.plan import Op
from syncd.engine.readback import Verdict, settle
from syncd.errors import NotFoundError, SkippableError
from syncd.model import FieldValue, RemoteRecord, comparable

__all__ = ["IGNORE", "AdoptionHeld", "Outcome", "StaleRecord", "execute", "validate"]

#: why a record found after an unanswered create may not be taken as the one it made (None: it may;
#: :data:`IGNORE`: an admin said it is someone else, so it is as if the look-up had not found it)
Judge = Callable[[RemoteRecord, Mapping[str, FieldValue]], str | None]
IGNORE = "kept apart from this person by an admin"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the target holds after the write (``None`` after a delete); the fields it stored in its own
    style (``reformatted``: they become the agreed value) and the fields it did not keep (``lost``: field
    -> why; parked, never agreed)."""

    record: RemoteRecord | None
    reformatted: Mapping[str, FieldValue]
    adopted_existing: bool = False
    lost: Mapping[str, str] = field(default_factory=dict)
    lost_cause: Cause = Cause.LOST_ON_WRITE


class AdoptionHeld(SkippableError):
    """A retried create found records that may be what its lost attempt made, but none it may adopt
    for sure: the change is held for an admin, with the candidate named."""

    def __init__(self, system: str, message: str, candidate: RemoteRecord | None) -> None:
        super().__init__(system, message)
        self.candidate = candidate


class StaleRecord(SkippableError):
    """The record was changed in the vendor since syncd read it, in a field this write would set: the
    write would overwrite an edit syncd has not seen. It is not sent; the fresh record is planned again."""

    def __init__(self, system: str, message: str, fresh: RemoteRecord) -> None:
        super().__init__(system, message)
        self.fresh = fresh


async def _fresh(connector: Connector, current: RemoteRecord, values: Mapping[str, FieldValue]) -> None:
    """No vendor here offers conditional writes, so the writer looks first: an edit made since the last
    scan (the daemon scans one system and writes to all) must never be overwritten unseen."""
    fresh = await connector.get(current.remote_id)
    if fresh is None:
        raise NotFoundError(connector.name, f"contact {current.remote_id} is gone")
    moved = [name for name in values if name != "company"
             and comparable(name, fresh.contact.get(name)) != comparable(name, current.contact.get(name))]
    if moved:
        raise StaleRecord(connector.name, f"{connector.name}:{current.remote_id} was edited since it was read "
                                          f"({', '.join(moved)}): planned again with that edit", fresh)


def validate(connector: Connector, op: Op, values: Mapping[str, FieldValue]) -> None:
    """Raise :class:`ValidationError` naming every value the target cannot hold."""
    if op not in (Op.CREATE, Op.UPDATE):
        return
    connector.schema.check(connector.name, values, creating=op is Op.CREATE)


def _settled(record: RemoteRecord | None, values: Mapping[str, FieldValue]) -> Outcome:
    if record is None:
        return Outcome(None, {})
    reformatted: dict[str, FieldValue] = {}
    lost: dict[str, str] = {}
    for name, sent in values.items():
        if name == "company":
            continue
        if name in record.refused:
            lost[name] = f"{name}: {record.refused[name]}"
            continue
        verdict, why = settle(name, sent, record.contact.get(name))
        if verdict is Verdict.REFORMATTED:
            reformatted[name] = record.contact.get(name)
        elif verdict is Verdict.LOST:
            lost[name] = why or name
    cause = Cause.REJECTED if lost and set(lost) <= set(record.refused) else Cause.LOST_ON_WRITE
    return Outcome(record, reformatted, lost=lost, lost_cause=cause)


async def _adopt(
    connector: Connector, values: Mapping[str, FieldValue], entity_id: str, company_id: str | None, judge: Judge,
) -> RemoteRecord | None:
    """The record an unanswered create made, if exactly one found record may be it; None when nothing was
    found (the create goes ahead); :class:`AdoptionHeld` when the look-up found someone else, or several."""
    email = values.get("email")
    found = await connector.find(external_key=entity_id, email=email if isinstance(email, str) else None,
                                 company_id=company_id)
    verdicts = [(record, judge(record, values)) for record in found]
    verdicts = [(record, why) for record, why in verdicts if why != IGNORE]
    if not verdicts:
        return None
    fit = [record for record, why in verdicts if why is None]
    if len(fit) == 1:
        return fit[0]
    if fit:
        ids = ", ".join(f"{connector.name}:{r.remote_id}" for r in fit)
        raise AdoptionHeld(connector.name, f"the create's answer was lost and {len(fit)} records may be what it "
                                           f"made ({ids}): held for review", fit[0])
    shown = "; ".join(f"{connector.name}:{r.remote_id} {why}" for r, why in verdicts[:3])
    raise AdoptionHeld(connector.name, f"the create's answer was lost; the look-up found only records it may not "
                                       f"take ({shown}): held for review", verdicts[0][0])


async def execute(
    connector: Connector,
    op: Op,
    values: Mapping[str, FieldValue],
    *,
    current: RemoteRecord | None,
    entity_id: str,
    company_id: str | None,
    retrying: bool,
    judge: Judge | None = None,
) -> Outcome:
    """Do ``op``. ``retrying`` marks a create that may already have happened (an earlier attempt
    was interrupted): the contact is looked up by syncd's key and email before creating again, and
    ``judge`` says whether a found record may be adopted as the one it made."""
    validate(connector, op, values)
    if op is Op.CREATE:
        if retrying:
            adopted = await _adopt(connector, values, entity_id, company_id, judge or _holds_what_was_sent)
            if adopted is not None:
                outcome = _settled(adopted, values)
                return Outcome(adopted, outcome.reformatted, adopted_existing=True, lost=outcome.lost,
                               lost_cause=outcome.lost_cause)
        created = await connector.create(values, company_id=company_id, external_key=entity_id)
        return _settled(created, values)
    if current is None:
        raise NotFoundError(connector.name, f"{op.value} needs the current record, and it is not known")
    await _fresh(connector, current, values if op is not Op.DELETE else {"active": current.contact.active})
    if op is Op.UPDATE:
        updated = await connector.update(current, values)
        return _settled(updated, values)
    if op in (Op.DEACTIVATE, Op.REACTIVATE):
        changed = await connector.set_active(current, op is Op.REACTIVATE)
        return _settled(changed, {"active": op is Op.REACTIVATE})
    await connector.delete(current)
    return Outcome(None, {})


def _holds_what_was_sent(record: RemoteRecord, values: Mapping[str, FieldValue]) -> str | None:
    """The default judge (no store at hand): the record must hold the name and email that were sent."""
    for name in ("full_name", "given_name", "family_name", "email"):
        if name in values and comparable(name, record.contact.get(name)) != comparable(name, values[name]):
            return f"holds another {name.replace('_', ' ')}"
    return None
