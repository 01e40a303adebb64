"""The slower variant of the convergence state machine: the four vendor simulators over loopback HTTP.

People are typed into one vendor, edited and archived through each vendor's own API (a second client, as an
admin using the vendor's tool would), interleaved with sync cycles in any order. Then two quiet cycles:
every person is held once in each vendor, active unless archived, with the last edit of every field the
vendor holds, and the last cycle writes nothing. Vendor faults are left to the fault and crash tests.

Vendors stamp changes to the second, so each edit waits a second: the last writer is unambiguous.
``SYNCD_PROPERTY_SANDBOX_EXAMPLES`` sets the number of runs (CI: a few).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import shutil
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from syncd.connectors.base import Connector
from syncd.engine.build import system_rules
from syncd.engine.cycle import CycleOptions, Engine
from syncd.engine.reconcile import MatchSettings
from syncd.model import RemoteRecord, comparable
from syncd.store import migrate
from syncd.store.repository import Store
from tests.contract.test_contract import SEED
from tests.system.vendors import assert_settled

T = TypeVar("T")
SYSTEMS = ("flowtrac", "lightening", "itflow", "cirrus")
EDITABLE = {
    "title": ("Buyer", "Head of Freight", "Analyst"),
    "city": ("Lyon", "Chicago", "Osaka"),
    "phone_mobile": ("+1 212 555 0100", "+1 212 555 0111", "+1 212 555 0122"),
}
PEOPLE = (("Alan", "Turing"), ("Barbara", "Liskov"), ("Edsger", "Dijkstra"))
EXAMPLES = int(os.environ.get("SYNCD_PROPERTY_SANDBOX_EXAMPLES", "3"))


@dataclass
class Truth:
    values: dict[str, str] = field(default_factory=dict)
    retired: bool = False
    touched_since_cycle: bool = False


def email_of(index: int) -> str:
    given, family = PEOPLE[index]
    return f"{given.lower()}.{family.lower()}@langley.example"


class SandboxConvergence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.stack = contextlib.AsyncExitStack()
        self.tmp = tempfile.mkdtemp(prefix="syncd-prop-sandbox-")
        url = f"sqlite:///{self.tmp}/syncd.db"
        migrate.upgrade(url)
        self.store = Store(url)
        self.users: dict[str, Connector] = {}
        self.company: dict[str, str | None] = {}
        connectors: dict[str, Connector] = {}
        for name in SYSTEMS:
            vendor = importlib.import_module(f"tests.contract.vendors.{name}")
            connector, sandbox = self.run(self.stack.enter_async_context(vendor.make(SEED)))
            connectors[name] = connector
            self.company[name] = vendor.company_id(sandbox)
            user = type(connector)(name, connector.settings)  # type: ignore[call-arg, attr-defined]
            self.users[name] = user
            self.stack.push_async_callback(user.aclose)
            self.stack.push_async_callback(connector.aclose)
        rules = {n: system_rules(c, c.settings) for n, c in connectors.items()}  # type: ignore[attr-defined]
        self.engine = Engine(self.store, connectors, rules, {}, MatchSettings(), CycleOptions())
        self.people: dict[int, Truth] = {}

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        try:
            if self.people:
                self.converge_and_check()
        finally:
            self.run(self.stack.aclose())
            self.loop.close()
            self.store.dispose()
            shutil.rmtree(self.tmp, ignore_errors=True)

    # --- helpers ------------------------------------------------------------------------------

    def held(self, system: str, index: int) -> list[RemoteRecord]:
        async def scan() -> list[RemoteRecord]:
            return [r async for r in self.users[system].scan()
                    if isinstance(r, RemoteRecord) and (r.contact.email or "").lower() == email_of(index)]
        return self.run(scan())

    def cycle(self) -> None:
        report = self.run(self.engine.run_cycle())
        assert_settled(report)
        for truth in self.people.values():
            truth.touched_since_cycle = False

    # --- rules --------------------------------------------------------------------------------

    @initialize(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS))
    def first_person(self, index: int, system: str) -> None:
        self.create(index, system)

    @rule(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS))
    def create(self, index: int, system: str) -> None:
        truth = self.people.get(index)
        if (truth and truth.retired) or self.held(system, index):
            return
        given, family = PEOPLE[index]
        values: dict[str, Any] = {"given_name": given, "family_name": family, "full_name": f"{given} {family}",
                                  "email": email_of(index), "company": "Acme Freight", "active": True}
        if truth is None:
            truth = self.people[index] = Truth()
        values.update(truth.values)
        user = self.users[system]
        kept = {k: v for k, v in values.items() if k in user.schema.fields}
        self.run(user.create(kept, company_id=self.company[system], external_key=None))
        truth.touched_since_cycle = True

    @rule(data=st.data(), system=st.sampled_from(SYSTEMS), name=st.sampled_from(sorted(EDITABLE)))
    def edit(self, data: st.DataObject, system: str, name: str) -> None:
        user = self.users[system]
        if name not in user.schema.fields:
            return
        live = [i for i, t in self.people.items() if not t.retired]
        if not live:
            return
        index = data.draw(st.sampled_from(live), label="person")
        copies = self.held(system, index)
        if not copies:
            return
        value = data.draw(st.sampled_from(EDITABLE[name]), label="value")
        if comparable(name, copies[0].contact.get(name)) == comparable(name, value):
            return
        time.sleep(1.05)  # vendors stamp changes to the second
        self.run(user.update(copies[0], {name: value}))
        self.people[index].values[name] = value
        self.people[index].touched_since_cycle = True

    @rule(data=st.data(), system=st.sampled_from(SYSTEMS))
    def archive(self, data: st.DataObject, system: str) -> None:
        quiet = [i for i, t in self.people.items() if not t.retired and not t.touched_since_cycle]
        if not quiet:
            return
        index = data.draw(st.sampled_from(quiet), label="person")
        copies = self.held(system, index)
        if not copies:
            return
        self.run(self.users[system].set_active(copies[0], False))
        self.people[index].retired = True

    @rule()
    def sync(self) -> None:
        self.cycle()

    @invariant()
    def never_two_copies_in_one_vendor(self) -> None:
        for system in SYSTEMS:
            for index in self.people:
                assert len(self.held(system, index)) <= 1, f"{system} holds {PEOPLE[index]} twice"

    # --- the end ------------------------------------------------------------------------------

    def converge_and_check(self) -> None:
        self.cycle()
        self.cycle()
        quiet = self.run(self.engine.run_cycle())
        assert_settled(quiet)
        assert quiet.planned_writes == 0, quiet.as_json()
        for index, truth in self.people.items():
            who = PEOPLE[index]
            for system in SYSTEMS:
                copies = self.held(system, index)
                assert len(copies) <= 1, f"{system} holds {who} {len(copies)} times"
                if truth.retired:
                    assert not copies or copies[0].contact.active is False, f"{who} is still active in {system}"
                    continue
                assert copies, f"{who} is missing from {system}"
                contact = copies[0].contact
                assert contact.active is not False, f"{who} is archived in {system}"
                for name, expected in truth.values.items():
                    if name in self.users[system].schema.fields:
                        assert comparable(name, contact.get(name)) == comparable(name, expected), \
                            f"{who} in {system}: {name} is {contact.get(name)!r}, the last edit made it {expected!r}"


SandboxConvergence.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=10, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSandboxConvergence = pytest.mark.slow(SandboxConvergence.TestCase)
