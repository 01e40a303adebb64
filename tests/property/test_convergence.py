"""Convergence under any interleaving: a hypothesis state machine over four in-memory systems and a real store.

Random creates, edits, concurrent edits, deactivations, deletes, injected read and write failures, and
sync cycles, in any order. Then the faults stop, time passes (every retry is due), and two quiet cycles
run. Afterwards: every person is held once in each system, with the same values everywhere; every edit
survived unless a newer edit to the same field replaced it (all fields are last-writer-wins here); a
retired person is active nowhere; and the second quiet cycle writes nothing.

``SYNCD_PROPERTY_EXAMPLES`` sets how many runs hypothesis makes (CI keeps the default; set it higher on demand).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import update

from syncd.connectors.memory import MemoryConnector, MemorySettings, MemoryStore
from syncd.engine.build import system_rules
from syncd.engine.cycle import CycleOptions, Engine
from syncd.engine.reconcile import MatchSettings
from syncd.model import Contact, comparable
from syncd.store import migrate
from syncd.store import tables as t
from syncd.store.repository import Store

SYSTEMS = ("a", "b", "c", "d")
EDITABLE = ("title", "city", "phone_mobile", "department")
VALUES = {
    "title": ("Buyer", "Head of Freight", "Analyst", None),
    "city": ("Lyon", "Chicago", "Osaka", None),
    "phone_mobile": ("+1 212 555 0100", "+1 212 555 0111", "+1 212 555 0122", None),
    "department": ("Sales", "Logistics", "IT", None),
}
PEOPLE = (
    ("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Katherine", "Johnson"),
    ("Edsger", "Dijkstra"), ("Barbara", "Liskov"),
)
EXAMPLES = int(os.environ.get("SYNCD_PROPERTY_EXAMPLES", "25"))


class Clock:
    """The vendors' clock: one second per event, so last-writer-wins has a clear winner."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) - timedelta(days=1)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def person_contact(index: int) -> Contact:
    given, family = PEOPLE[index]
    return Contact(given_name=given, family_name=family, full_name=f"{given} {family}",
                   email=f"{given.lower()}.{family.lower()}@example.com", company="Acme", active=True)


@dataclass
class Truth:
    """What the model expects a person to hold once the systems have converged."""

    values: dict[str, str | None] = field(default_factory=dict)
    retired: bool = False
    touched_since_cycle: bool = False


class Convergence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.mkdtemp(prefix="syncd-prop-")
        url = f"sqlite:///{self.tmp}/syncd.db"
        migrate.upgrade(url)
        self.store = Store(url)
        self.clock = Clock()
        self.systems: dict[str, MemoryConnector] = {}
        for name in SYSTEMS:
            can_delete = name == "d"
            self.systems[name] = MemoryConnector(name, MemorySettings(can_delete=can_delete),
                                                 store=MemoryStore(clock=self.clock))
        rules = {name: system_rules(c, c.settings) for name, c in self.systems.items()}
        self.engine = Engine(self.store, self.systems, rules, {}, MatchSettings(), CycleOptions())
        self.people: dict[int, Truth] = {}
        self.faults = 0
        self.cycles = 0

    def teardown(self) -> None:
        try:
            if self.people:
                self.converge_and_check()
        finally:
            self.store.dispose()
            shutil.rmtree(self.tmp, ignore_errors=True)

    # --- helpers ------------------------------------------------------------------------------

    def copies(self, system: str, index: int) -> list[str]:
        email = person_contact(index).email
        return [rid for rid, row in self.systems[system].store.rows.items() if row["contact"].email == email]

    def cycle(self) -> None:
        asyncio.run(self.engine.run_cycle())
        self.cycles += 1
        for truth in self.people.values():
            truth.touched_since_cycle = False

    # --- rules --------------------------------------------------------------------------------

    @initialize(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS))
    def first_person(self, index: int, system: str) -> None:
        self.create(index, system)

    @rule(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS))
    def create(self, index: int, system: str) -> None:
        """Someone types a person into one system (never one already there, never a retired one)."""
        truth = self.people.get(index)
        if (truth and truth.retired) or self.copies(system, index):
            return
        contact = person_contact(index)
        if truth is None:
            truth = self.people[index] = Truth({f: None for f in EDITABLE})
        else:
            contact = contact.replace(**truth.values)  # typed in as the person is known elsewhere
        self.systems[system].store.put(contact)
        truth.touched_since_cycle = True

    @rule(data=st.data(), system=st.sampled_from(SYSTEMS), name=st.sampled_from(EDITABLE))
    def edit(self, data: st.DataObject, system: str, name: str) -> None:
        live = [i for i, truth in self.people.items() if not truth.retired and self.copies(system, i)]
        if not live:
            return
        index = data.draw(st.sampled_from(live), label="person")
        value = data.draw(st.sampled_from(VALUES[name]), label="value")
        (remote_id,) = self.copies(system, index)
        if comparable(name, self.systems[system].store.rows[remote_id]["contact"].get(name)) == comparable(name, value):
            return  # typing in the value already there is not an edit
        self.systems[system].store.edit(remote_id, **{name: value})
        self.people[index].values[name] = value
        self.people[index].touched_since_cycle = True

    @rule(data=st.data(), system=st.sampled_from(SYSTEMS))
    def deactivate(self, data: st.DataObject, system: str) -> None:
        """A person leaves: archived (or, in d, deleted) in one system while nobody edits them."""
        quiet = [i for i, truth in self.people.items()
                 if not truth.retired and not truth.touched_since_cycle and self.copies(system, i)]
        if not quiet:
            return
        index = data.draw(st.sampled_from(quiet), label="person")
        (remote_id,) = self.copies(system, index)
        if system == "d" and data.draw(st.booleans(), label="delete"):
            del self.systems[system].store.rows[remote_id]
        else:
            self.systems[system].store.edit(remote_id, active=False)
        self.people[index].retired = True

    @rule(system=st.sampled_from(SYSTEMS), count=st.integers(1, 3))
    def fail_writes(self, system: str, count: int) -> None:
        self.systems[system].fail_writes = count
        self.faults += count

    @rule(system=st.sampled_from(SYSTEMS))
    def fail_a_scan(self, system: str) -> None:
        self.systems[system].fail_reads = 1
        self.faults += 1

    @rule()
    def sync(self) -> None:
        self.cycle()

    @precondition(lambda self: self.cycles > 0)
    @rule()
    def time_passes(self) -> None:
        """Failed writes become due for their retry (their backoff is wall-clock time)."""
        self.time_passes_now()

    @invariant()
    def never_two_copies_of_a_person_in_one_system(self) -> None:
        for system in SYSTEMS:
            for index in self.people:
                assert len(self.copies(system, index)) <= 1, f"{system} holds {PEOPLE[index]} twice"

    # --- the end ------------------------------------------------------------------------------

    def converge_and_check(self) -> None:
        for connector in self.systems.values():
            connector.fail_reads = connector.fail_writes = 0
        for _ in range(3):  # a failed write needs its retry due, then one cycle to carry it
            self.time_passes_now()
            self.cycle()
        self.time_passes_now()
        quiet = asyncio.run(self.engine.run_cycle())
        assert not quiet.failed, quiet.as_json()
        assert quiet.planned_writes == 0, f"the quiet cycle still planned {quiet.planned_writes} writes"
        assert sum(s.created + s.updated + s.deactivated + s.deleted for s in quiet.systems.values()) == 0

        for index, truth in self.people.items():
            who = PEOPLE[index]
            for system in SYSTEMS:
                ids = self.copies(system, index)
                assert len(ids) <= 1, f"{system} holds {who} {len(ids)} times"
                if truth.retired:
                    assert not ids or self.systems[system].store.rows[ids[0]]["contact"].active is False, \
                        f"{who} was retired but is active in {system}"
                    continue
                assert ids, f"{who} is missing from {system}"
                contact: Contact = self.systems[system].store.rows[ids[0]]["contact"]
                assert contact.active is not False, f"{who} is inactive in {system}"
                for name, expected in truth.values.items():
                    assert comparable(name, contact.get(name)) == comparable(name, expected), \
                        f"{who} in {system}: {name} is {contact.get(name)!r}, the last edit made it {expected!r}"

    def time_passes_now(self) -> None:
        with self.store.session_factory() as s, s.begin():
            s.execute(update(t.OutboxItem).where(t.OutboxItem.status == "failed",
                                                 t.OutboxItem.next_attempt_at.is_not(None))
                      .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))


Convergence.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestConvergence = Convergence.TestCase
