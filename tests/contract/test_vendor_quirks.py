"""Vendor quirks the shared contract does not cover, each against its simulator over loopback HTTP."""

from __future__ import annotations

import pytest

from syncd.errors import RejectedError, ValidationError
from syncd.model import RemoteRecord

from .test_contract import SEED, scan_all
from .vendors import flowtrac, itflow, lightening


async def test_flowtrac_product_processes_through_the_same_resource_layer() -> None:
    async with flowtrac.make(SEED) as (connector, _):
        processes = connector.resource("product-processes", non_nullable=("product_id", "process_id",
                                                                          "line_number", "active"))
        product = "00000000-0000-0000-0000-000000000001"
        created = await processes.create({"product_id": product, "process_id": "10000000-0000-0000-0000-000000000001",
                                          "line_number": "1", "description": "Pick"})
        assert created["active"] == "Active"  # the documented default
        updated = await processes.update(created["id"], {"active": "InActive", "description": None})
        assert updated["active"] == "InActive" and updated["description"] is None
        with pytest.raises(ValidationError, match="non-nullable"):
            await processes.update(created["id"], {"line_number": None})
        with pytest.raises(RejectedError, match="cannot be modified"):
            await processes.update(created["id"], {"product_id": "00000000-0000-0000-0000-000000000002"})
        rows = [row async for row in processes.list({"product_id": product})]
        assert [r["id"] for r in rows] == [created["id"]]
        await processes.delete(created["id"])
        assert [row async for row in processes.list({"product_id": product})] == []
        await connector.aclose()


async def test_flowtrac_filters_choose_who_takes_part() -> None:
    async with flowtrac.make(SEED, filters={"email-contains": "navy"}) as (connector, _):
        records = await scan_all(connector)
        assert [r.contact.email for r in records.values()] == ["grace@navy.example"]
        await connector.aclose()


async def test_flowtrac_accepts_the_user_cookie_name_too() -> None:
    async with flowtrac.make(SEED, sandbox_cookie="user") as (connector, _):
        assert len(await scan_all(connector)) == 2
        await connector.aclose()


async def test_itflow_a_no_op_update_is_not_a_failure_and_phones_settle() -> None:
    async with itflow.make(SEED) as (connector, sandbox):
        records = await scan_all(connector)
        record = next(r for r in records.values() if r.contact.email == "ada@analytical.example")
        first = await connector.update(record, {"phone_office": "+44 20 7946 0018", "title": "<b>Analyst</b>"})
        assert first.contact.title == "Analyst"  # ITFlow strips tags; we sent it stripped already
        again = await connector.update(first, {"phone_office": "+44 20 7946 0018", "title": "Analyst"})
        assert isinstance(again, RemoteRecord)
        stored = next(r for r in sandbox.rows() if r["contact_id"] == record.remote_id)
        assert stored["contact_phone"] == "00442079460018"  # digits only, country code kept
        await connector.aclose()


async def test_itflow_a_forbidden_client_skips_only_its_rows() -> None:
    from syncd.model import BadRecord

    async with itflow.make(SEED, page_size=1) as (connector, sandbox):
        first_client = int(next(iter(sandbox.contacts.values()))["contact_client_id"])
        sandbox.forbidden_clients.add(first_client)
        sandbox.client_for("Elsewhere")
        items = [item async for item in connector.scan()]
        assert any(isinstance(i, BadRecord) and "Forbidden" in i.reason for i in items)
        await connector.aclose()


async def test_itflow_php_warnings_before_the_json_are_tolerated() -> None:
    async with itflow.make(SEED) as (connector, sandbox):
        sandbox.php_warnings = True
        assert len(await scan_all(connector)) == 2
        await connector.aclose()


async def test_lightening_pages_follow_total_and_limits_are_checked_before_sending() -> None:
    async with lightening.make(SEED, sandbox_page_size=1, page_size=1) as (connector, sandbox):
        assert len(await scan_all(connector)) == 2
        with pytest.raises(ValidationError, match="at most 32"):
            await connector.create({"full_name": "X", "title": "t" * 33}, company_id=lightening.company_id(sandbox),
                                   external_key=None)
        await connector.aclose()
