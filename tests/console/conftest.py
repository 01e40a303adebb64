"""A world for the console: the four vendor simulators after syncd's first runs, with one of each thing an admin
decides — an uncertain match between two new records, a conflict on a ``manual`` field, a change the vendor
refused — made the way people make them, through the vendors' own APIs, never by writing syncd's store."""

from __future__ import annotations

import re
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from syncd.config import Settings, load_settings
from syncd.connectors.base import Connector
from syncd.connectors.registry import build_connector
from syncd.console.app import standalone_app
from syncd.console.auth import Users, hash_password
from syncd.engine.build import build_engine
from syncd.engine.cycle import Engine
from syncd.model import RemoteRecord
from syncd.sandbox.run import SandboxSet, build, embedded
from syncd.sandbox.serve import free_port_base
from syncd.store import migrate
from syncd.store import tables as t
from syncd.store.repository import Store

with warnings.catch_warnings():  # Starlette 1.x would rather have httpx2; httpx is what we ship
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
SYSTEMS = ("flowtrac", "lightening", "itflow", "cirrus")
PASSWORDS = {"alice": "alice-admin-pw-4711", "victor": "victor-viewer-pw-0815"}
ROLES = {"alice": "admin", "victor": "viewer"}
_HASHES = {name: hash_password(pw) for name, pw in PASSWORDS.items()}


@dataclass
class World:
    settings: Settings
    store: Store
    engine: Engine
    users: dict[str, Connector]
    sandbox: SandboxSet
    #: the review item two new, near-identical records opened
    review_id: int
    conflict_id: int
    #: the person whose title conflicts, and the value cirrus holds
    conflict_entity: str
    conflict_value: str
    parked_id: int
    tmp: Path

    async def cycle(self) -> Any:
        report = await self.engine.run_cycle()
        return report


def console_settings(sandbox: SandboxSet, tmp_path: Path) -> Settings:
    text = EXAMPLE.read_text(encoding="utf-8")
    for i, port in enumerate(range(8701, 8705)):
        text = text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{sandbox.port_base + i}")
    text = text.replace('embedded = "auto"', 'embedded = "never"')
    manual = '[fields.title]\npolicy = "manual"\n'
    text = text.replace('[fields.title]\npolicy = "prefer"\nprefer = ["cirrus", "itflow"]\n', manual)
    assert manual in text
    assert 'enabled = false\nsecure_cookies = "auto"' in text
    text = text.replace('enabled = false\nsecure_cookies = "auto"', 'enabled = true\nsecure_cookies = "auto"\n'
                        'session_secret = "console-test-session-secret-1f2e"')
    text += '[console.record_links]\nitflow = "https://itflow.example/contact_details.php?contact_id={id}"\n'
    for name, role in ROLES.items():
        text += f'\n[console.users.{name}]\nrole = "{role}"\npassword_hash = "{_HASHES[name]}"\n'
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


async def _records(client: Connector) -> list[RemoteRecord]:
    return [r async for r in client.scan() if isinstance(r, RemoteRecord)]


async def _everywhere(users: dict[str, Connector]) -> dict[str, RemoteRecord]:
    held: dict[str, dict[str, list[RemoteRecord]]] = {}
    for name, client in users.items():
        for record in await _records(client):
            if record.contact.email:
                held.setdefault(name, {}).setdefault(record.contact.email.lower(), []).append(record)
    for email in sorted(held["cirrus"]):
        copies = [held[name].get(email, []) for name in SYSTEMS]
        if all(len(c) == 1 and c[0].contact.active is not False and c[0].contact.title for c in copies):
            return {name: c[0] for name, c in zip(SYSTEMS, copies, strict=True)}
    raise AssertionError("no person is held once in every system")


async def _company_id(client: Connector, name: str) -> str:
    """The vendor's id of a company, read off a record that belongs to it."""
    for record in await _records(client):
        if record.contact.company == name and record.company_id:
            return record.company_id
    raise AssertionError(f"{client.name} has no record at {name!r}")


def _person(full: str, **fields: str) -> dict[str, str]:
    given, _, family = full.partition(" ")
    return {"full_name": full, "given_name": given, "family_name": family, "company": "Initech", **fields}


@pytest.fixture
def sandbox() -> Iterator[SandboxSet]:
    sandboxes = build(seed=11, contacts=40, port_base=free_port_base())
    with embedded(sandboxes):
        yield sandboxes


@pytest.fixture
async def world(sandbox: SandboxSet, store: Store, tmp_path: Path) -> AsyncIterator[World]:
    """The world on SQLite and on PostgreSQL: for what the store does."""
    async for built in _world(sandbox, store, tmp_path):
        yield built


@pytest.fixture
async def lite_world(sandbox: SandboxSet, tmp_path: Path) -> AsyncIterator[World]:
    """The world on SQLite only: for access rules and pages, which do not depend on the database."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    migrate.upgrade(url)
    store = Store(url)
    try:
        async for built in _world(sandbox, store, tmp_path):
            yield built
    finally:
        store.dispose()


async def _world(sandbox: SandboxSet, store: Store, tmp_path: Path) -> AsyncIterator[World]:
    settings = console_settings(sandbox, tmp_path)
    engine = build_engine(settings, store)
    users = {name: build_connector(name, cfg) for name, cfg in settings.enabled_connectors().items()}
    try:
        first = await engine.run_cycle()
        assert not any(r.scan_error for r in first.systems.values()), first.as_json()  # parked ones are expected
        # an uncertain match: one name in two systems, a work address in one and a private one in the other
        await users["flowtrac"].create(_person("Jonathan Meyerhoff", email="jonathan.meyerhoff@initech.example"),
                                       company_id=None, external_key=None)
        cirrus_initech = await _company_id(users["cirrus"], "Initech")
        await users["cirrus"].create(_person("Jonathan Meyerhoff", email="jonathan.meyerhoff42@mail.example"),
                                     company_id=cirrus_initech, external_key=None)
        # a manual field edited two ways
        person = await _everywhere(users)
        await users["cirrus"].update(person["cirrus"], {"title": "Head of Freight"})
        await users["flowtrac"].update(person["flowtrac"], {"title": "Warehouse Lead"})
        # a person ITFlow will refuse (it requires an email)
        await users["flowtrac"].create(_person("Parker Noaddress", phone_office="+1 415 555 0142"),
                                       company_id=None, external_key=None)
        second = await engine.run_cycle()
        with store.session_factory() as s:
            items = s.scalars(select(t.ReviewItem).where(t.ReviewItem.status == "open")).all()
            meyer = [i.id for i in items if _is_meyer(s, i)]
            assert meyer, (second.as_json(), [(i.system, i.remote_id, i.candidate, i.reasons) for i in items])
            conflicts = s.scalars(select(t.Conflict).where(t.Conflict.status == "open")).all()
            assert conflicts, second.as_json()
            entity = s.scalar(select(t.Link.entity_id).where(t.Link.system == "cirrus",
                                                             t.Link.remote_id == person["cirrus"].remote_id))
            parked = s.scalars(select(t.OutboxItem.id).where(t.OutboxItem.status == "parked")
                               .order_by(t.OutboxItem.id)).all()
        assert parked, second.as_json()
        assert entity is not None
        yield World(settings, store, engine, users, sandbox, meyer[0], conflicts[0].id, entity,
                    "Head of Freight", parked[-1], tmp_path)
    finally:
        for connector in [*engine.connectors.values(), *users.values()]:
            await connector.aclose()


def _is_meyer(s: Any, item: Any) -> bool:
    fields = s.scalar(select(t.RemoteRecordRow.fields).where(t.RemoteRecordRow.system == item.system,
                                                             t.RemoteRecordRow.remote_id == item.remote_id))
    return "Meyerhoff" in str(fields)


class Browser:
    """A TestClient that logs in like a person: reads the form's token, posts it back."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def token(self, path: str) -> str:
        page = self.client.get(path)
        found = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert found, f"no CSRF token on {path}: {page.status_code} {page.text[:500]}"
        return found.group(1)

    def login(self, user: str, password: str | None = None) -> Any:
        token = self.token("/console/login")
        return self.client.post("/console/login", data={"user": user, "password": password or PASSWORDS[user],
                                                         "csrf": token}, follow_redirects=False)

    def post(self, path: str, data: dict[str, Any], *, page: str | None = None) -> Any:
        token = self.token(page or path)
        return self.client.post(path, data={**data, "csrf": token}, follow_redirects=True)


def _client(world: World) -> Iterator[Browser]:
    users = Users(world.settings.console.users, world.tmp / "console-users.toml")
    app = standalone_app(world.settings, world.store, users)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield Browser(client)


@pytest.fixture
def console(world: World) -> Iterator[Browser]:
    yield from _client(world)


@pytest.fixture
def lite_console(lite_world: World) -> Iterator[Browser]:
    yield from _client(lite_world)
