"""Carry out one change-set against its connector: validate, guard a retried create, call, read back.

The outbox around it (:mod:`syncd.engine.write`) decides *when*; this module decides *how*, and is
the one place where an operation becomes a vendor call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from syncd.connectors.base import Connector
from syncd.engine.plan import Op
from syncd.errors import NotFoundError
from syncd.model import FieldValue, RemoteRecord, comparable

__all__ = ["Outcome", "execute", "validate"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the target holds after the write (``None`` after a delete), and the fields it stored
    differently from what was sent (truncated, reformatted): those become the agreed value."""

    record: RemoteRecord | None
    reformatted: Mapping[str, FieldValue]
    adopted_existing: bool = False


def validate(connector: Connector, op: Op, values: Mapping[str, FieldValue]) -> None:
    """Raise :class:`ValidationError` naming every value the target cannot hold."""
    if op not in (Op.CREATE, Op.UPDATE):
        return
    connector.schema.check(connector.name, values, creating=op is Op.CREATE)


def _differences(record: RemoteRecord | None, values: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    if record is None:
        return {}
    return {
        name: record.contact.get(name)
        for name, value in values.items()
        if name != "company" and comparable(name, record.contact.get(name)) != comparable(name, value)
    }


async def execute(
    connector: Connector,
    op: Op,
    values: Mapping[str, FieldValue],
    *,
    current: RemoteRecord | None,
    entity_id: str,
    company_id: str | None,
    retrying: bool,
) -> Outcome:
    """Do ``op``. ``retrying`` marks a create that may already have happened (an earlier attempt
    was interrupted): the contact is looked up by syncd's key and email before creating again."""
    validate(connector, op, values)
    if op is Op.CREATE:
        if retrying:
            email = values.get("email")
            found = await connector.find(external_key=entity_id, email=email if isinstance(email, str) else None,
                                         company_id=company_id)
            if found:
                return Outcome(found[0], {}, adopted_existing=True)
        created = await connector.create(values, company_id=company_id, external_key=entity_id)
        return Outcome(created, _differences(created, values))
    if current is None:
        raise NotFoundError(connector.name, f"{op.value} needs the current record, and it is not known")
    if op is Op.UPDATE:
        updated = await connector.update(current, values)
        return Outcome(updated, _differences(updated, values))
    if op in (Op.DEACTIVATE, Op.REACTIVATE):
        changed = await connector.set_active(current, op is Op.REACTIVATE)
        return Outcome(changed, {})
    await connector.delete(current)
    return Outcome(None, {})
