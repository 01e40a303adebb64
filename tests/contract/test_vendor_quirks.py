"""Vendor quirks the shared contract does not cover, each against its simulator over loopback HTTP."""

from __future__ import annotations

import pytest

from syncd.errors import RejectedError, ValidationError

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


async def test_itflow_php_warnings_before_the_json_are_tolerated() -> None:
    async with itflow.make(SEED) as (connector, sandbox):
        sandbox.display_errors = True
        assert len(await scan_all(connector)) == 2
        created = await connector.create({"full_name": "Warned", "email": "warned@x.example"},
                                         company_id=itflow.company_id(sandbox), external_key=None)
        assert created.contact.full_name == "Warned"
        await connector.aclose()


async def test_lightening_pages_follow_total_and_limits_are_checked_before_sending() -> None:
    async with lightening.make(SEED, sandbox_page_size=1, page_size=1) as (connector, sandbox):
        assert len(await scan_all(connector)) == 2
        with pytest.raises(ValidationError, match="at most 32"):
            await connector.create({"full_name": "X", "title": "t" * 33}, company_id=lightening.company_id(sandbox),
                                   external_key=None)
        await connector.aclose()
