"""One contract, every connector: the in-memory reference and each vendor against its simulator.

create -> scan -> update -> scan -> deactivate -> scan -> delete (where allowed) -> scan, plus look-ups,
validation before sending, and the shape of what a scan yields.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest

from syncd.connectors.base import Connector
from syncd.errors import SkippableError, ValidationError
from syncd.model import BadRecord, Contact, RemoteRecord, comparable

VENDORS = ["memory", "flowtrac", "lightening", "itflow", "cirrus"]

SEED = [
    Contact(full_name="Ada Lovelace", given_name="Ada", family_name="Lovelace", email="ada@analytical.example",
            phone_office="+44 20 7946 0018", company="Acme Freight", active=True),
    Contact(full_name="Grace Hopper", given_name="Grace", family_name="Hopper", email="grace@navy.example",
            phone_mobile="+1 212 555 0142", company="Acme Freight", active=True),
]


def _readings() -> list[str]:
    """Every vendor in every reading of its docs its simulator can be set to (``vendor:reading``)."""
    out = []
    for name in VENDORS:
        module = importlib.import_module(f"tests.contract.vendors.{name}")
        out += [f"{name}:{reading}" for reading in getattr(module, "READINGS", {"default": None})]
    return out


@pytest.fixture(params=_readings())
def vendor(request: pytest.FixtureRequest) -> tuple[ModuleType, str]:
    name, _, reading = str(request.param).partition(":")
    return importlib.import_module(f"tests.contract.vendors.{name}"), reading


@pytest.fixture
async def pair(vendor: Any) -> AsyncIterator[tuple[Connector, Any, ModuleType]]:
    module, reading = vendor if isinstance(vendor, tuple) else (vendor, None)
    options = {"reading": reading} if reading else {}
    async with module.make(SEED, **options) as (connector, sandbox):
        try:
            yield connector, sandbox, module
        finally:
            await connector.aclose()


async def scan_all(connector: Connector) -> dict[str, RemoteRecord]:
    out: dict[str, RemoteRecord] = {}
    async for item in connector.scan():
        assert not isinstance(item, BadRecord), item
        assert item.system == connector.name
        assert item.remote_id not in out, f"duplicate id {item.remote_id}"
        out[item.remote_id] = item
    return out


def new_person(connector: Connector) -> dict[str, Any]:
    values: dict[str, Any] = {
        "given_name": "Katherine", "family_name": "Johnson", "full_name": "Katherine Johnson",
        "email": "katherine.johnson@langley.example", "phone_office": "+1 757 555 0199",
        "title": "Mathematician", "department": "Flight Research", "city": "Hampton", "active": True,
    }
    return {k: v for k, v in values.items() if k in connector.schema.writable_fields}


def assert_holds(connector: Connector, record: RemoteRecord, values: dict[str, Any]) -> None:
    for name, value in values.items():
        assert comparable(name, record.contact.get(name)) == comparable(name, value), (
            f"{connector.name}.{name}: wrote {value!r}, holds {record.contact.get(name)!r}")


async def test_scan_returns_the_seeded_contacts(pair: tuple[Connector, Any, ModuleType]) -> None:
    connector, _, _ = pair
    records = await scan_all(connector)
    emails = {r.contact.email for r in records.values()}
    assert {"ada@analytical.example", "grace@navy.example"} <= emails
    for record in records.values():
        assert isinstance(record.remote_id, str) and record.remote_id
        if connector.capabilities.needs_company:
            assert record.company_id, "a contact's company must be exposed"


async def test_full_lifecycle(pair: tuple[Connector, Any, ModuleType]) -> None:
    connector, sandbox, vendor = pair
    values = new_person(connector)
    created = await connector.create(values, company_id=vendor.company_id(sandbox), external_key="entity-42")
    assert_holds(connector, created, values)

    records = await scan_all(connector)
    assert created.remote_id in records
    assert_holds(connector, records[created.remote_id], values)
    fetched = await connector.get(created.remote_id)
    assert fetched is not None
    assert_holds(connector, fetched, values)

    found = await connector.find(external_key="entity-42", email=values["email"])
    assert [r.remote_id for r in found] == [created.remote_id]

    change = {"title": "Senior Mathematician"} if "title" in connector.schema.fields else {"email": "kj@nasa.example"}
    updated = await connector.update(records[created.remote_id], change)
    assert_holds(connector, updated, {**values, **change})
    rescanned = await scan_all(connector)
    assert_holds(connector, rescanned[created.remote_id], {**values, **change})

    if connector.capabilities.can_deactivate:
        deactivated = await connector.set_active(rescanned[created.remote_id], False)
        assert deactivated.contact.active is False
        rescanned = await scan_all(connector)
        assert rescanned[created.remote_id].contact.active is False
        reactivated = await connector.set_active(rescanned[created.remote_id], True)
        assert reactivated.contact.active is True

    if connector.capabilities.can_delete:
        await connector.delete(rescanned[created.remote_id])
        assert created.remote_id not in await scan_all(connector)
        assert await connector.get(created.remote_id) is None


async def test_get_and_find_of_missing_contacts(pair: tuple[Connector, Any, ModuleType]) -> None:
    connector, _, _ = pair
    missing = "999999" if connector.schema.system_type != "flowtrac" else "00000000-0000-0000-0000-000000000999"
    assert await connector.get(missing) is None
    assert await connector.find(external_key="no-such-entity", email="nobody@nowhere.example") == []


async def test_values_the_vendor_cannot_hold_are_refused_before_sending(
    pair: tuple[Connector, Any, ModuleType],
) -> None:
    connector, sandbox, vendor = pair
    limited = [s for s in connector.schema.fields.values() if s.max_length]
    assert limited, "every vendor declares at least one length limit"
    spec = limited[0]
    values = new_person(connector)
    values[spec.canonical] = "x" * (spec.max_length or 0) + ("@x.example" if spec.email else "xx")
    before = await scan_all(connector)
    with pytest.raises(ValidationError) as info:
        await connector.create(values, company_id=vendor.company_id(sandbox), external_key=None)
    assert spec.canonical in str(info.value)
    assert len(await scan_all(connector)) == len(before), "nothing may be written"


async def test_update_of_a_vanished_contact_is_skippable(pair: tuple[Connector, Any, ModuleType]) -> None:
    connector, sandbox, vendor = pair
    if not connector.capabilities.can_delete:
        pytest.skip(f"{connector.name} cannot delete, so a contact cannot vanish through the API")
    created = await connector.create(new_person(connector), company_id=vendor.company_id(sandbox), external_key=None)
    await connector.delete(created)
    with pytest.raises(SkippableError):
        change = {"title": "Ghost"} if "title" in connector.schema.fields else {"email": "g@x.io"}
        await connector.update(created, change)
