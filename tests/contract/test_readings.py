"""Where the vendor docs allow more than one reading, the connectors work under each: the simulators are set
to every reading, and each test names the reading and what the connector does about it."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from syncd.connectors.cirrus.mapping import ITEM_FIELDS
from syncd.connectors.preflight import check_company_ids
from syncd.errors import AuthError, ConfigError, ProtocolError
from syncd.model import Contact, RemoteRecord
from syncd.sandbox.faults import FaultConfig

from .test_contract import SEED, scan_all
from .vendors import cirrus, flowtrac, lightening

MANY = [Contact(full_name=f"Person {i:02d}", email=f"p{i:02d}@acme.example", company="Acme Freight", active=True)
        for i in range(7)]


# --- Flowtrac: address columns are GET filters only in our doc --------------------------------------

async def test_flowtrac_addresses_are_read_but_never_written_unless_turned_on() -> None:
    async with flowtrac.make(SEED, reading="strict") as (connector, sandbox):
        assert {"street", "city", "zip", "country"}.isdisjoint(connector.schema.writable_fields)
        row = next(iter(sandbox.contacts.values()))
        row.update({"address1": "1 Main Street", "city": "Hampton", "zipcode": "23666", "country": "US"})
        records = await scan_all(connector)
        record = records[row["id"]]
        assert (record.contact.street, record.contact.city) == ("1 Main Street", "Hampton")
        updated = await connector.update(record, {"city": "Norfolk", "title": "Mathematician"})
        assert updated.contact.title == "Mathematician", "the other field still goes out"
        assert set(updated.refused) == {"city"} and "read-only" in updated.refused["city"]
        assert sandbox.contacts[row["id"]]["city"] == "Hampton", "nothing was sent for the address"
        await connector.aclose()


@pytest.mark.parametrize("reading", ["strict", "lenient"])
async def test_flowtrac_one_refused_column_never_sinks_the_change_set(reading: str) -> None:
    """With write_addresses on against an instance that does not take them: a strict one answers 400
    naming the column, a lenient one drops it silently; either way the rest is written and the column is
    returned as refused, so the engine parks it instead of agreeing on its loss."""
    async with flowtrac.make(SEED, reading=reading, write_addresses=True) as (connector, sandbox):
        records = await scan_all(connector)
        record = next(iter(records.values()))
        updated = await connector.update(record, {"city": "Norfolk", "zip": "23501", "title": "Navigator"})
        assert updated.contact.title == "Navigator"
        assert set(updated.refused) == {"city", "zip"}
        stored = sandbox.contacts[record.remote_id]
        assert stored["title"] == "Navigator" and stored["city"] is None
        created = await connector.create({"full_name": "Mary Jackson", "city": "Hampton", "email": "mj@nasa.example"},
                                         company_id=flowtrac.company_id(sandbox), external_key=None)
        assert created.contact.full_name == "Mary Jackson" and set(created.refused) == {"city"}
        await connector.aclose()


async def test_flowtrac_an_instance_that_takes_addresses_gets_them_when_turned_on() -> None:
    async with flowtrac.make(SEED, reading="accepting-addresses") as (connector, _sandbox):
        record = next(iter((await scan_all(connector)).values()))
        updated = await connector.update(record, {"city": "Norfolk"})
        assert updated.contact.city == "Norfolk" and not updated.refused
        await connector.aclose()


@pytest.mark.parametrize("stamp, expected", [
    ("2024-03-01 10:20:30", "2024-03-01T10:20:30+00:00"),
    ("2024-03-01T10:20:30.123456789", "2024-03-01T10:20:30.123456+00:00"),
    ("2024-03-01T12:20:30+02:00", "2024-03-01T10:20:30+00:00"),
    ("2024-03-01 10:20:30Z", "2024-03-01T10:20:30+00:00"),
    ("2024-03-01", "2024-03-01T00:00:00+00:00"),
    ("2024-03-01T10:20", "2024-03-01T10:20:00+00:00"),
])
async def test_flowtrac_edited_is_read_leniently(stamp: str, expected: str) -> None:
    async with flowtrac.make(SEED) as (connector, sandbox):
        row = next(iter(sandbox.contacts.values()))
        row["edited"] = stamp
        record = (await scan_all(connector))[row["id"]]
        assert record.remote_updated_at is not None and record.remote_updated_at.isoformat() == expected
        await connector.aclose()


async def test_an_unreadable_timestamp_means_an_unknown_time_reported_once() -> None:
    def counted() -> float:
        return REGISTRY.get_sample_value("syncd_vendor_unreadable_timestamps_total",
                                         {"system": "flowtrac", "field": "edited"}) or 0.0

    before = counted()
    async with flowtrac.make(SEED) as (connector, sandbox):
        for row in sandbox.contacts.values():
            row["edited"] = "last Tuesday"  # created is readable, but must not stand in for an unreadable edit
        with capture_logs() as logs:
            first = await scan_all(connector)
            second = await scan_all(connector)
        await connector.aclose()
        assert all(r.remote_updated_at is None for r in [*first.values(), *second.values()])
        reports = [e for e in logs if "timestamp not readable" in e["event"]]
        assert len(reports) == 1 and reports[0]["field"] == "edited" and "last Tuesday" in reports[0]["value"]
        assert counted() - before == 2 * len(SEED)


# --- Lightening: paging is undocumented -----------------------------------------------------------

@pytest.mark.parametrize("form", ["offset/limit", "page/limit", "page/per_page", "start/length"])
async def test_lightening_finds_the_paging_form_the_instance_honours(form: str) -> None:
    async with lightening.make(MANY, reading=form, page_size=2) as (connector, _sandbox):
        records = await scan_all(connector)
        assert len(records) == len(MANY)
        # the start parameter is found exactly; the size one may be either name where the instance's own
        # page size is the one it answered with (both then read the same pages)
        assert connector.paging is not None and connector.paging.start == form.split("/")[0]
        assert connector.paging.counts_items == (form.split("/")[0] in ("offset", "start"))
        requests = connector.http.requests_made
        assert len(await scan_all(connector)) == len(MANY)
        # remembered: the second scan asks no more than customers + pages (no probing)
        assert connector.http.requests_made - requests <= 1 + len(MANY)
        await connector.aclose()


async def test_lightening_a_form_it_cannot_guess_is_said_once_and_customers_are_read_one_by_one() -> None:
    one_each = [c.replace(company=f"Customer {i}") for i, c in enumerate(MANY[:3])]
    async with lightening.make(one_each, reading="skip/take", paging="auto", customers_per_call=5,
                               customer_ids=[1, 2, 3, 4]) as (connector, _sandbox):
        with capture_logs() as logs:
            records = await scan_all(connector)  # one contact per customer: every listing fits
            again = await scan_all(connector)
        await connector.aclose()
        assert len(records) == len(again) == 3
        said = [e for e in logs if "paging not found" in e["event"]]
        assert len(said) == 1 and "offset/limit, page/limit" in said[0]["tried"]


async def test_lightening_a_customer_list_it_cannot_page_is_a_clear_scan_error() -> None:
    many_customers = [c.replace(company=f"Customer {i}") for i, c in enumerate(MANY)]
    async with lightening.make(many_customers, reading="skip/take", paging="auto") as (connector, _):
        with pytest.raises(ProtocolError, match="customers, 1 per answer, and no paging form works"):
            await scan_all(connector)
        await connector.aclose()


async def test_lightening_without_paging_a_customer_too_big_for_one_answer_is_a_clear_scan_error() -> None:
    async with lightening.make(MANY, reading="skip/take", paging="auto", customer_ids=[1]) as (connector, _):
        with pytest.raises(ProtocolError) as info:
            await scan_all(connector)
        message = str(info.value)
        assert "has 7 contacts" in message and "offset/limit, page/limit, page/per_page, start/length" in message
        assert "set paging" in message
        await connector.aclose()


async def test_lightening_a_configured_form_is_used_as_is() -> None:
    async with lightening.make(MANY, reading="skip/take") as (connector, _):
        assert len(await scan_all(connector)) == len(MANY)
        await connector.aclose()


async def test_lightening_customers_are_the_company_list_across_pages() -> None:
    many_customers = [c.replace(company=f"Customer {i}") for i, c in enumerate(MANY)]
    async with lightening.make(many_customers, reading="offset/limit") as (connector, sandbox):
        companies = await connector.companies()
        assert len(companies) == len(sandbox.customers)
        assert set(companies.values()) >= {f"Customer {i}" for i in range(len(MANY))}
        await connector.aclose()


async def test_lightening_a_401_says_which_authorization_form_was_sent_never_the_token() -> None:
    async with lightening.make(SEED, reading="raw-token", token_format="Bearer {token}") as (connector, sandbox):
        with pytest.raises(AuthError) as info:
            await scan_all(connector)
        assert "'Bearer <token>'" in str(info.value) and sandbox.credentials.token not in str(info.value)
        await connector.aclose()


# --- Cirrus: X-Fields on a paginated list ---------------------------------------------------------

@pytest.mark.parametrize("mode", ["restx", "items", "ignore"])
async def test_cirrus_the_envelope_mask_reads_the_same_under_every_reading(mode: str) -> None:
    async with cirrus.make(MANY, sandbox_mask_mode=mode, per_page=2) as (connector, _):
        records = await scan_all(connector)
        assert len(records) == len(MANY)
        assert all(r.contact.email and r.company_id for r in records.values())
        await connector.aclose()


async def test_cirrus_a_mask_of_item_fields_only_loses_the_envelope_under_restx() -> None:
    """Why the mask names the envelope: restx masks the whole response."""
    import httpx

    async with cirrus.make(SEED, reading="x-token") as (connector, sandbox):
        base = str(connector.http.client.base_url)
        headers = {"X-Token": sandbox.credentials.x_token}
        async with httpx.AsyncClient() as client:
            naive = (await client.get(f"{base}contacts", headers={**headers, "X-Fields": f"{{{ITEM_FIELDS}}}"})).json()
        assert naive == [{}]
        assert len(await scan_all(connector)) == len(SEED)
        await connector.aclose()


async def test_cirrus_a_second_401_after_a_refresh_refreshes_again_up_to_a_limit() -> None:
    async with cirrus.make(SEED) as (connector, sandbox):
        await scan_all(connector)
        sandbox.early_401s = 2  # the fresh token is refused twice, then honoured
        assert len(await scan_all(connector)) == len(SEED)
        sandbox.early_401s = 100
        with pytest.raises(AuthError):
            await scan_all(connector)
        await connector.aclose()


async def test_cirrus_accounts_are_the_company_list_across_pages() -> None:
    accounts = [c.replace(company=f"Account {i}") for i, c in enumerate(MANY)]
    async with cirrus.make(accounts, per_page=2) as (connector, sandbox):
        companies = await connector.companies()
        assert len(companies) == len(sandbox.accounts) and "Account 6" in companies.values()
        await connector.aclose()


# --- company ids at start --------------------------------------------------------------------------

@pytest.mark.parametrize("module, kind", [(lightening, "customer"), (cirrus, "account")])
async def test_a_configured_company_id_the_vendor_lacks_is_a_configuration_error(module: Any, kind: str) -> None:
    async with module.make(SEED) as (connector, sandbox):
        good = module.company_id(sandbox)
        bad = type(connector)(connector.name, connector.settings.model_copy(update={
            "default_company_id": "424242", "company_map": {"Acme Freight": good, "Initech": "999"}}))
        try:
            with pytest.raises(ConfigError) as info:
                await check_company_ids({connector.name: bad})
            problems = info.value.problems
            assert len(problems) == 2
            assert any(p.startswith(f"connectors.{connector.name}.default_company_id = '424242': not an existing "
                                    f"{kind}") for p in problems)
            assert any("company_map.Initech = '999'" in p for p in problems)
            fine = type(connector)(connector.name, connector.settings.model_copy(update={"default_company_id": good}))
            assert await check_company_ids({connector.name: fine}) == []
            await fine.aclose()
        finally:
            await bad.aclose()
            await connector.aclose()


async def test_a_vendor_that_cannot_be_asked_leaves_its_ids_unchecked_with_a_warning() -> None:
    async with lightening.make(SEED) as (connector, sandbox):
        sandbox.faults.configure(FaultConfig(error_rate=1.0))
        down = type(connector)(connector.name, connector.settings.model_copy(update={
            "default_company_id": "1", "retries": 0}))
        try:
            warnings = await check_company_ids({connector.name: down})
            assert len(warnings) == 1 and "not checked" in warnings[0]
        finally:
            await down.aclose()
            await connector.aclose()


async def test_every_connector_lists_its_companies() -> None:
    from .vendors import itflow, memory

    for module in (memory, flowtrac, lightening, itflow, cirrus):
        async with module.make(SEED) as (connector, sandbox):
            companies = await connector.companies()
            if module is flowtrac:
                assert companies == {}, "Flowtrac documents no account list"
            else:
                assert module.company_id(sandbox) in companies
            await connector.aclose()


def test_records_refused_is_empty_by_default() -> None:
    assert RemoteRecord("x", "1", Contact()).refused == {}
