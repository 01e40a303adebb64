"""Every connector against its simulator with faults injected: each ends in the right error class,
reads are retried (honouring Retry-After), and a create is never repeated blindly."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest

from syncd.connectors.base import Connector
from syncd.errors import ConnectorError, ProtocolError, RateLimited, RetriableError
from syncd.model import RemoteRecord
from syncd.sandbox.faults import FaultConfig

from .test_contract import SEED, new_person, scan_all

VENDORS = ["flowtrac", "lightening", "itflow", "cirrus"]


class Sleeps:
    """Records the delays instead of sleeping them."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture(params=VENDORS)
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Connector, Any, ModuleType, Sleeps]]:
    vendor = importlib.import_module(f"tests.contract.vendors.{request.param}")
    async with vendor.make(SEED, timeout=0.5, retries=3) as (connector, sandbox):
        sleeps = Sleeps()
        connector.http.sleep = sleeps  # type: ignore[attr-defined]
        try:
            yield connector, sandbox, vendor, sleeps
        finally:
            await connector.aclose()


def inject(sandbox: Any, **settings: Any) -> None:
    sandbox.faults.configure(FaultConfig(seed=1, **settings))


async def test_a_429_is_retried_after_the_vendors_retry_after(rig: tuple[Connector, Any, ModuleType, Sleeps]) -> None:
    connector, sandbox, _, sleeps = rig
    await scan_all(connector)  # log in first, so the fault hits the listing
    inject(sandbox, rate_limit_rate=1.0, retry_after=7)
    with pytest.raises(RateLimited) as info:
        await scan_all(connector)
    assert info.value.retry_after == 7
    assert sleeps.delays[:3] == [7.0, 7.0, 7.0], "Retry-After is obeyed, not guessed"


Rig = tuple[Connector, Any, ModuleType, Sleeps]


async def test_transient_5xx_on_reads_are_retried_until_they_pass(rig: Rig) -> None:
    connector, sandbox, _, sleeps = rig
    await scan_all(connector)
    inject(sandbox, error_rate=0.3)
    records = await scan_all(connector)
    assert {"ada@analytical.example", "grace@navy.example"} <= {r.contact.email for r in records.values()}
    assert sandbox.faults.injected["error"] > 0 and sleeps.delays


@pytest.mark.parametrize("fault", ["error_rate", "malformed_rate", "drop_rate"])
async def test_persistent_faults_end_in_the_right_error(
    rig: tuple[Connector, Any, ModuleType, Sleeps], fault: str,
) -> None:
    connector, sandbox, _, sleeps = rig
    await scan_all(connector)
    inject(sandbox, **{fault: 1.0})
    with pytest.raises(ConnectorError) as info:
        await scan_all(connector)
    assert isinstance(info.value, RetriableError | ProtocolError)
    assert len(sleeps.delays) == 3, "three retries, then the error"


async def test_a_timeout_is_retriable(rig: tuple[Connector, Any, ModuleType, Sleeps]) -> None:
    connector, sandbox, _, _ = rig
    await scan_all(connector)
    inject(sandbox, timeout_rate=1.0, timeout_seconds=2)
    with pytest.raises(RetriableError, match="timed out"):
        await connector.get("1")
    inject(sandbox)


async def test_a_create_is_never_retried_blindly(rig: tuple[Connector, Any, ModuleType, Sleeps]) -> None:
    connector, sandbox, vendor, sleeps = rig
    await scan_all(connector)
    before = len(sandbox.rows())
    inject(sandbox, error_rate=1.0, methods=["POST"])
    with pytest.raises(RetriableError):
        await connector.create(new_person(connector), company_id=vendor.company_id(sandbox), external_key="e-9")
    inject(sandbox)
    assert len(sandbox.rows()) == before
    assert sleeps.delays == [], "a create that may have reached the vendor is not repeated"


async def test_an_expired_session_is_renewed_once(rig: tuple[Connector, Any, ModuleType, Sleeps]) -> None:
    connector, sandbox, _, _ = rig
    await scan_all(connector)
    sandbox.faults.expire_sessions()
    records = await scan_all(connector)
    assert len(records) == len(SEED)


async def test_wrong_credentials_are_fatal_and_say_so_without_the_secret(
    rig: tuple[Connector, Any, ModuleType, Sleeps],
) -> None:
    from syncd.errors import AuthError

    connector, _, vendor, _ = rig
    name = connector.name
    wrong = {"flowtrac": {"pin": "9999"}, "lightening": {"token": "wrong-token-1"},
             "itflow": {"api_key": "wrong-key-1"}, "cirrus": {"client_secret": "wrong-secret-1"}}[name]
    async with vendor.make(SEED, **wrong) as (bad, _):
        with pytest.raises((AuthError, ConnectorError)) as info:
            await scan_all(bad)
        await bad.aclose()
    assert info.value.status in (401, 403) or isinstance(info.value, AuthError)
    assert next(iter(wrong.values())) not in str(info.value)


async def test_a_bad_row_is_skipped_with_a_reason(rig: tuple[Connector, Any, ModuleType, Sleeps]) -> None:
    from syncd.model import BadRecord

    connector, sandbox, _, _ = rig
    row = next(iter(sandbox.contacts.values()))
    if connector.name == "flowtrac":
        row["active"] = "Maybe"
    elif connector.name == "cirrus":
        row["active"] = "yes please"
    elif connector.name == "lightening":
        row["id"] = ""
    else:
        row["contact_id"] = ""
    items = [item async for item in connector.scan()]
    bad = [i for i in items if isinstance(i, BadRecord)]
    good = [i for i in items if isinstance(i, RemoteRecord)]
    assert len(bad) == 1 and bad[0].reason
    assert len(good) == len(SEED) - 1
