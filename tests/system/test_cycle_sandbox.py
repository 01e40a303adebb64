"""run_cycle end to end against the four vendor simulators over loopback HTTP, built from the example config.

Edits are made the way a person using a vendor's own API would: through a second, independent client of
that API (a connector built from the same settings), never by touching syncd's store.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from syncd.config import Settings, load_settings
from syncd.connectors.base import Connector
from syncd.connectors.registry import build_connector
from syncd.engine.build import build_engine
from syncd.engine.cycle import Engine
from syncd.model import RemoteRecord
from syncd.sandbox.run import SandboxSet, build, embedded
from syncd.sandbox.serve import free_port_base
from syncd.store.repository import Store

from .vendors import assert_settled

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
SYSTEMS = ("flowtrac", "lightening", "itflow", "cirrus")


@pytest.fixture
def sandbox() -> Iterator[SandboxSet]:
    sandboxes = build(seed=11, contacts=40, port_base=free_port_base())
    with embedded(sandboxes):
        yield sandboxes


@pytest.fixture
def settings(sandbox: SandboxSet, tmp_path: Path) -> Settings:
    text = EXAMPLE.read_text(encoding="utf-8")
    for i, port in enumerate(range(8701, 8705)):
        text = text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{sandbox.port_base + i}")
    text = text.replace('embedded = "auto"', 'embedded = "never"')
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


@pytest.fixture
async def engine(settings: Settings, store: Store) -> AsyncIterator[Engine]:
    built = build_engine(settings, store)
    yield built
    for connector in built.connectors.values():
        await connector.aclose()


@pytest.fixture
async def users(settings: Settings) -> AsyncIterator[dict[str, Connector]]:
    """An independent client of each vendor's API: the admin editing in the vendor's own tool."""
    clients = {name: build_connector(name, cfg) for name, cfg in settings.enabled_connectors().items()}
    yield clients
    for client in clients.values():
        await client.aclose()


async def scan(client: Connector) -> list[RemoteRecord]:
    out: list[RemoteRecord] = []
    async for item in client.scan():
        if isinstance(item, RemoteRecord):
            out.append(item)
    return out


async def holdings(users: dict[str, Connector]) -> dict[str, dict[str, list[RemoteRecord]]]:
    """system -> normalised email -> the records holding it."""
    out: dict[str, dict[str, list[RemoteRecord]]] = {}
    for name, client in users.items():
        by_email: dict[str, list[RemoteRecord]] = {}
        for record in await scan(client):
            if record.contact.email:
                by_email.setdefault(record.contact.email.strip().lower(), []).append(record)
        out[name] = by_email
    return out


async def person_everywhere(users: dict[str, Connector], taken: set[str] | None = None) -> dict[str, RemoteRecord]:
    """A linked, active person held exactly once in each of the four systems."""
    held = await holdings(users)
    for email in sorted(held["cirrus"]):
        if taken and email in taken:
            continue
        copies = [held[name].get(email, []) for name in SYSTEMS]
        if all(len(c) == 1 and c[0].contact.active is not False for c in copies):
            return {name: c[0] for name, c in zip(SYSTEMS, copies, strict=True)}
    raise AssertionError("no person is held once in all four systems")


def assert_no_duplicates(held: dict[str, dict[str, list[RemoteRecord]]]) -> None:
    for name, by_email in held.items():
        twice = {email: len(records) for email, records in by_email.items() if len(records) > 1}
        assert not twice, f"{name} holds these emails more than once: {twice}"


async def converged(engine: Engine) -> None:
    """One cycle that should have nothing left to do."""
    report = await engine.run_cycle()
    assert_settled(report)
    assert report.planned_writes == 0, report.as_json()


async def test_first_cycle_links_and_fills_the_four_vendors_then_a_second_writes_nothing(
    engine: Engine, users: dict[str, Connector]
) -> None:
    before = await holdings(users)
    assert_no_duplicates(before)
    first = await engine.run_cycle()
    assert_settled(first)
    assert first.linked > first.new_entities > 0
    assert sum(s.created for s in first.systems.values()) > 0
    after = await holdings(users)
    assert_no_duplicates(after)
    everywhere = set.intersection(*(set(after[name]) for name in SYSTEMS))
    assert len(everywhere) > len(set.intersection(*(set(before[name]) for name in SYSTEMS)))
    await converged(engine)


async def test_an_edit_in_one_vendor_reaches_the_other_three_in_one_cycle(
    engine: Engine, users: dict[str, Connector]
) -> None:
    await engine.run_cycle()
    person = await person_everywhere(users)
    await users["lightening"].update(person["lightening"], {"phone_mobile": "+1 415 555 0199"})

    report = await engine.run_cycle()
    assert_settled(report)
    for name in SYSTEMS:
        record = await users[name].get(person[name].remote_id)
        assert record is not None
        assert record.contact.phone_mobile is not None
        digits = re.sub(r"\D", "", record.contact.phone_mobile)
        assert digits.endswith("4155550199"), (name, record.contact.phone_mobile)
    await converged(engine)


async def test_concurrent_edits_to_different_fields_in_two_vendors_both_survive(
    engine: Engine, users: dict[str, Connector]
) -> None:
    await engine.run_cycle()
    person = await person_everywhere(users)
    await users["cirrus"].update(person["cirrus"], {"title": "Head of Freight"})
    await users["flowtrac"].update(person["flowtrac"], {"city": "Rotterdam"})

    report = await engine.run_cycle()
    assert_settled(report)
    for name in ("flowtrac", "itflow", "cirrus"):
        record = await users[name].get(person[name].remote_id)
        assert record is not None and record.contact.title == "Head of Freight", name
    for name in ("flowtrac", "cirrus"):
        record = await users[name].get(person[name].remote_id)
        assert record is not None and record.contact.city == "Rotterdam", name
    await converged(engine)


async def test_concurrent_edits_to_one_field_follow_its_policy(engine: Engine, users: dict[str, Connector]) -> None:
    # config.example.toml: [fields.title] policy = "prefer", prefer = ["cirrus", "itflow"]
    await engine.run_cycle()
    person = await person_everywhere(users)
    await users["cirrus"].update(person["cirrus"], {"title": "Buyer"})
    await users["flowtrac"].update(person["flowtrac"], {"title": "Warehouse Lead"})  # the newer edit loses

    report = await engine.run_cycle()
    assert_settled(report)
    for name in ("flowtrac", "itflow", "cirrus"):
        record = await users[name].get(person[name].remote_id)
        assert record is not None and record.contact.title == "Buyer", (name, record and record.contact.title)
    await converged(engine)


async def test_a_deactivation_in_one_vendor_propagates(engine: Engine, users: dict[str, Connector]) -> None:
    await engine.run_cycle()
    person = await person_everywhere(users)
    await users["itflow"].set_active(person["itflow"], False)

    report = await engine.run_cycle()
    assert_settled(report)
    for name in ("flowtrac", "lightening", "cirrus"):
        assert report.systems[name].deactivated >= 1, report.as_json()
        record = await users[name].get(person[name].remote_id)
        assert record is not None and record.contact.active is False, name
    await converged(engine)


async def test_a_name_too_long_for_lightening_is_parked_there_not_truncated(
    engine: Engine, users: dict[str, Connector]
) -> None:
    await engine.run_cycle()
    person = await person_everywhere(users)
    given, family = "Maximiliane-Theodora " * 2, "von Hohenzollern-Sigmaringen"
    await users["cirrus"].update(person["cirrus"], {"given_name": given.strip(), "family_name": family})
    full = f"{given.strip()} {family}"
    assert len(full) > 64

    report = await engine.run_cycle()
    assert report.systems["lightening"].parked >= 1, report.as_json()
    assert any("64" in e or "too long" in e for e in report.systems["lightening"].errors), report.as_json()
    lightening = await users["lightening"].get(person["lightening"].remote_id)
    assert lightening is not None and lightening.contact.full_name == person["lightening"].contact.full_name
    for name in ("flowtrac", "itflow"):
        record = await users[name].get(person[name].remote_id)
        assert record is not None and record.contact.full_name == full, (name, record and record.contact.full_name)
