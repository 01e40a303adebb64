"""The slower variant of the convergence state machine: the four vendor simulators over loopback HTTP.

People are typed into one vendor — sometimes with fields left out, sometimes under the company's shared
``info@`` address — edited and archived through each vendor's own API (a second client, as an admin using
the vendor's tool would), interleaved with full cycles and with polls of one vendor at a time (the daemon's
order), in any order. Checked after every cycle: no value is written into a vendor that no user typed for
that person, no personal email is replaced by a shared one, and the creates the summaries count are the
records the vendors hold. Then quiet cycles: every person is held once in each vendor, active unless
archived, with the last edit of every field the vendor holds — where a vendor gives no change time
(Cirrus), an edit whose order against another cannot be known may win over it, never one certainly older
— and the last cycle writes nothing. Vendor faults are left to the fault and crash tests.

Vendors stamp changes to the second, so each edit waits a second. ``SYNCD_PROPERTY_SANDBOX_EXAMPLES`` sets
the number of runs (CI: a few).
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
from syncd.engine.mailboxes import RoleAddresses
from syncd.errors import RejectedError, ValidationError
from syncd.matching import MatchSettings
from syncd.model import FieldValue, RemoteRecord, comparable
from syncd.store import migrate
from syncd.store.repository import Store
from tests.contract.test_contract import SEED
from tests.property.timeline import FOREVER, Edit, allowed
from tests.system.vendors import assert_settled

T = TypeVar("T")
SYSTEMS = ("flowtrac", "lightening", "itflow", "cirrus")
EDITABLE = {
    "title": ("Buyer", "Head of Freight", "Analyst"),
    "city": ("Lyon", "Chicago", "Osaka"),
    "phone_mobile": ("+1 212 555 0100", "+1 212 555 0111", "+1 212 555 0122"),
}
PEOPLE = (("Alan", "Turing"), ("Barbara", "Liskov"), ("Edsger", "Dijkstra"))
SHARED = "info@acme-freight.example"
ROLES = RoleAddresses()
EXAMPLES = int(os.environ.get("SYNCD_PROPERTY_SANDBOX_EXAMPLES", "3"))


@dataclass
class Truth:
    edits: dict[str, list[Edit]] = field(default_factory=dict)
    typed: dict[str, set[FieldValue]] = field(default_factory=dict)
    retired: bool = False
    touched_since_cycle: bool = False
    personal: bool = False

    def last(self, name: str) -> FieldValue:
        edits = self.edits.get(name)
        return edits[-1].value if edits else None


def email_of(index: int) -> str:
    given, family = PEOPLE[index]
    return f"{given.lower()}.{family.lower()}@langley.example"


def person_of(record: RemoteRecord) -> int | None:
    c = record.contact
    name = c.full_name or " ".join(p for p in (c.given_name, c.family_name) if p)
    for index, (given, family) in enumerate(PEOPLE):
        if name and name.casefold() == f"{given} {family}".casefold():
            return index
    return None


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
        self.step = 0
        self.scans: dict[str, list[int]] = {name: [] for name in SYSTEMS}
        self.timeless = {"cirrus"}  # no change time on its contacts
        self.made = dict.fromkeys(SYSTEMS, 0)
        self.reported = dict.fromkeys(SYSTEMS, 0)
        self.typed_ids: dict[str, set[str]] = {name: set() for name in SYSTEMS}

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

    def everything(self) -> dict[str, dict[str, RemoteRecord]]:
        async def scan(system: str) -> dict[str, RemoteRecord]:
            return {r.remote_id: r async for r in self.users[system].scan() if isinstance(r, RemoteRecord)}
        return {system: self.run(scan(system)) for system in SYSTEMS}

    def held(self, system: str, index: int) -> list[RemoteRecord]:
        async def scan() -> list[RemoteRecord]:
            return [r async for r in self.users[system].scan() if isinstance(r, RemoteRecord) and person_of(r) == index]
        return self.run(scan())

    def record(self, index: int, system: str, name: str, value: FieldValue) -> None:
        self.step += 1
        truth = self.people[index]
        lo, hi = (max(self.scans[system], default=-1), FOREVER) if system in self.timeless else (self.step, self.step)
        truth.edits.setdefault(name, []).append(Edit(value, system, lo, hi))
        truth.typed.setdefault(name, set()).add(comparable(name, value))

    def cycle(self, only: str | None = None) -> None:
        before = self.everything()
        self.step += 1
        step = self.step
        report = self.run(self.engine.run_cycle(CycleOptions(systems=frozenset({only})) if only else None))
        assert_settled(report, poll=only is not None)
        for name, s in report.systems.items():
            if s.scanned_now and s.scan_error is None:
                self.scans[name].append(step)
                if name in self.timeless:
                    for truth in self.people.values():
                        for field_name, edits in truth.edits.items():
                            truth.edits[field_name] = [Edit(e.value, e.system, e.lo, step)
                                                       if e.system == name and e.hi == FOREVER else e for e in edits]
        for truth in self.people.values():
            truth.touched_since_cycle = False
        self.check(before, self.everything(), report)

    def check(self, before: dict[str, dict[str, RemoteRecord]], after: dict[str, dict[str, RemoteRecord]],
              report: Any) -> None:
        for system in SYSTEMS:
            self.made[system] += len(set(after[system]) - set(before[system]) - self.typed_ids[system])
            self.reported[system] += report.system(system).created
            assert self.reported[system] == self.made[system], \
                f"{system}: the summaries counted {self.reported[system]} creates, it holds {self.made[system]}"
            for rid, record in after[system].items():
                index = person_of(record)
                if index is None or index not in self.people:
                    continue  # the seeded people
                truth, old = self.people[index], before[system].get(rid)
                for name in (*EDITABLE, "email"):
                    now = comparable(name, record.contact.get(name))
                    was = comparable(name, old.contact.get(name)) if old is not None else None
                    if now == was or (now is None and old is None):
                        continue
                    assert now in truth.typed.get(name, set()), \
                        f"syncd wrote {record.contact.get(name)!r} into {system}:{rid} {name}, which no user typed"
                if old is not None and old.contact.email and not ROLES.is_role(old.contact.email):
                    assert not ROLES.is_role(record.contact.email), \
                        f"{system}:{rid}: the personal {old.contact.email} was replaced by {record.contact.email}"

    # --- rules --------------------------------------------------------------------------------

    @initialize(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS))
    def first_person(self, index: int, system: str) -> None:
        self.create(index, system)

    @rule(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS), missing=st.integers(0, 7),
          shared=st.booleans())
    def create(self, index: int, system: str, missing: int = 0, shared: bool = False) -> None:
        """Typed in as known elsewhere, perhaps with fields left out (a bit mask), perhaps under info@."""
        truth = self.people.get(index)
        if (truth and truth.retired) or self.held(system, index):
            return
        given, family = PEOPLE[index]
        email = SHARED if shared else email_of(index)
        values: dict[str, Any] = {"given_name": given, "family_name": family, "full_name": f"{given} {family}",
                                  "email": email, "company": "Acme Freight", "active": True}
        new = truth is None
        if truth is None:
            truth = self.people[index] = Truth()
        user = self.users[system]
        for bit, name in enumerate(sorted(EDITABLE)):
            if not missing & (1 << bit) and truth.last(name) is not None and name in user.schema.fields:
                values[name] = truth.last(name)
        kept = {k: v for k, v in values.items() if k in user.schema.fields}
        try:
            created = self.run(user.create(kept, company_id=self.company[system], external_key=None))
        except (RejectedError, ValidationError):
            # the vendor refuses what the user typed (ITFlow: one contact per email in a client)
            if new:
                del self.people[index]
            return
        self.typed_ids[system].add(created.remote_id)
        truth.personal = truth.personal or not shared
        truth.typed.setdefault("email", set()).add(comparable("email", email))
        for name in EDITABLE:
            if name in kept:
                self.record(index, system, name, kept[name])
        truth.touched_since_cycle = True

    @rule(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS),
          name=st.sampled_from(sorted(EDITABLE)), choice=st.integers(0, 2))
    def edit(self, index: int, system: str, name: str, choice: int) -> None:
        user = self.users[system]
        truth = self.people.get(index)
        if name not in user.schema.writable_fields or truth is None or truth.retired:
            return
        copies = self.held(system, index)
        if len(copies) != 1:
            return
        value = EDITABLE[name][choice]
        if comparable(name, copies[0].contact.get(name)) == comparable(name, value):
            return
        time.sleep(1.05)  # vendors stamp changes to the second
        self.run(user.update(copies[0], {name: value}))
        self.record(index, system, name, value)
        truth.touched_since_cycle = True

    @rule(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS))
    def archive(self, index: int, system: str) -> None:
        truth = self.people.get(index)
        if truth is None or truth.retired or truth.touched_since_cycle:
            return
        copies = self.held(system, index)
        if len(copies) != 1:
            return
        self.run(self.users[system].set_active(copies[0], False))
        truth.retired = True

    @rule()
    def sync(self) -> None:
        self.cycle()

    @rule(system=st.sampled_from(SYSTEMS))
    def poll(self, system: str) -> None:
        self.cycle(system)

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
                if not copies and self.mailbox_taken(system, index):
                    continue  # ITFlow holds one contact per email in a client: parked as invalid, reported
                assert copies, f"{who} is missing from {system}"
                contact = copies[0].contact
                assert contact.active is not False, f"{who} is archived in {system}"
                for name in EDITABLE:
                    if name in self.users[system].schema.writable_fields and truth.edits.get(name):
                        allowed = self.allowed(truth, name)
                        got = contact.get(name)
                        assert comparable(name, got) in allowed, \
                            f"{who} in {system}: {name} is {got!r}, the last edits made it one of {allowed}"
                if truth.personal and "emails" in self.users[system].schema.fields:
                    assert comparable("email", contact.email) == email_of(index), (who, system, contact.email)

    def mailbox_taken(self, system: str, index: int) -> bool:
        """Whether ``system`` cannot hold this person: ITFlow, with every address they were typed with (the
        shared mailbox alone) held there by someone else."""
        if system != "itflow" or self.people[index].personal:
            return False
        return any(comparable("email", r.contact.email) == SHARED
                   for other in self.people if other != index for r in self.held(system, other))

    @staticmethod
    def allowed(truth: Truth, name: str) -> set[FieldValue]:
        return allowed(name, truth.edits[name])


SandboxConvergence.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=10, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestSandboxConvergence = pytest.mark.slow(SandboxConvergence.TestCase)
