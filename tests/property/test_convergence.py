"""Convergence and safety under any interleaving: a hypothesis state machine over four in-memory systems.

The four systems are each one reading of a real vendor: ``a`` is well-mannered; ``b`` never says when a
change happened (like Cirrus), has no external key and no field for extra addresses; ``c`` pages by offset
(a row deleted during a scan shifts the rest), has no external key and strips everything after an unclosed
``<`` (ITFlow's ``strip_tags``); ``d`` deletes for real and, once drawn, silently stops storing ``city``.

People are typed in, edited, retired and deleted through the vendors, sometimes with fields missing and
sometimes under their company's shared ``info@`` address; syncd runs full cycles or polls one system at a
time (the daemon's order); writes fail, answers are lost after the vendor acted, scans fail, a permission
is refused and later granted; an admin decides the review queue by the truth. Checked after every step:

- no value is ever written into a system that no user typed for that person (so nothing is emptied,
  shortened or mangled by syncd: a cut value never spreads);
- a personal email is never replaced by a shared one;
- an entity's records are always one person, never two in one system;
- a full cycle that says "ok" left every system agreeing, and the summary's creates and deletes are
  what the vendors now hold.

At the end the faults stop, the admin decides, and cycles run until quiet: every person is held once in
each system with the values of their last edits (an edit whose order against another could not be known
may win over it, never one certainly older), a retired person is active nowhere, and the quiet cycle
writes nothing. ``SYNCD_PROPERTY_EXAMPLES`` sets how many runs hypothesis makes (CI keeps the default).
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
from sqlalchemy import select, update

from syncd.connectors.memory import MemoryConnector, MemorySettings, MemoryStore
from syncd.engine.admin import Admin
from syncd.engine.build import system_rules
from syncd.engine.cycle import CycleOptions, Engine
from syncd.engine.mailboxes import RoleAddresses
from syncd.engine.reconcile import MatchSettings
from syncd.engine.report import CycleReport
from syncd.model import CANONICAL_FIELDS, Contact, FieldValue, comparable
from syncd.store import migrate
from syncd.store import tables as t
from syncd.store.repository import Store
from tests.property.timeline import FOREVER, Edit, allowed

SYSTEMS = ("a", "b", "c", "d")
EDITABLE = ("title", "city", "phone_mobile", "department")
VALUES: dict[str, tuple[str | None, ...]] = {
    "title": ("Buyer", "Head of Freight", "Head of R<D", None),
    "city": ("Lyon", "Chicago", "Osaka", None),
    "phone_mobile": ("+1 212 555 0100", "+1 212 555 0111", "+1 212 555 0122", None),
    "department": ("Sales", "Logistics", "IT", None),
}
PEOPLE = (
    ("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Katherine", "Johnson"),
    ("Edsger", "Dijkstra"), ("Barbara", "Liskov"),
)
SHARED = "info@acme.example"
ROLES = RoleAddresses()
EXAMPLES = int(os.environ.get("SYNCD_PROPERTY_EXAMPLES", "25"))


class Clock:
    """The vendors' clock: real time, strictly increasing, so vendor times and syncd's scans agree."""

    def __init__(self) -> None:
        self.last = datetime.now(UTC)

    def __call__(self) -> datetime:
        self.last = max(datetime.now(UTC), self.last + timedelta(microseconds=10))
        return self.last


def strip_tags(name: str, value: FieldValue) -> FieldValue:
    """What system c stores: like PHP's strip_tags, everything from an unclosed ``<`` is lost."""
    if isinstance(value, str) and "<" in value:
        return value.split("<", 1)[0].strip() or None
    return value


def personal(index: int) -> str:
    given, family = PEOPLE[index]
    return f"{given.lower()}.{family.lower()}@example.com"


def full_name(index: int) -> str:
    return " ".join(PEOPLE[index])


def person_of(contact: Contact) -> int | None:
    """Who a record is (b holds the name in parts, as Cirrus does, and derives no full name)."""
    name = contact.full_name or " ".join(p for p in (contact.given_name, contact.family_name) if p)
    for index in range(len(PEOPLE)):
        if name == full_name(index):
            return index
    return None


@dataclass
class Person:
    edits: dict[str, list[Edit]] = field(default_factory=dict)
    typed: dict[str, set[FieldValue]] = field(default_factory=dict)
    retired: bool = False
    #: systems with an edit of this person syncd has not scanned yet (no retirement then: an edit that
    #: syncd had not carried when the person was deleted elsewhere beats the deletion)
    touched: set[str] = field(default_factory=set)
    doomed: bool = False  # to be deleted in c during its next scan: nobody touches them meanwhile
    has_personal: bool = False


class Convergence(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.mkdtemp(prefix="syncd-prop-")
        url = f"sqlite:///{self.tmp}/syncd.db"
        migrate.upgrade(url)
        self.store = Store(url)
        self.admin = Admin(self.store)
        self.clock = Clock()
        readings = {
            "a": (MemorySettings(), CANONICAL_FIELDS),
            "b": (MemorySettings(timestamps=False, external_key=False),
                  tuple(f for f in CANONICAL_FIELDS if f != "emails")),
            "c": (MemorySettings(page_size=2, external_key=False), CANONICAL_FIELDS),
            "d": (MemorySettings(can_delete=True), CANONICAL_FIELDS),
        }
        self.systems = {name: MemoryConnector(name, cfg, store=MemoryStore(clock=self.clock), fields=fields)
                        for name, (cfg, fields) in readings.items()}
        self.systems["c"].mangle = strip_tags
        rules = {name: system_rules(c, c.settings) for name, c in self.systems.items()}
        self.engine = Engine(self.store, self.systems, rules, {}, MatchSettings(), CycleOptions())
        self.people: dict[int, Person] = {}
        self.step = 0
        #: steps of the complete scans of each system
        self.scans: dict[str, list[int]] = {name: [] for name in SYSTEMS}
        self.created_by_syncd = dict.fromkeys(SYSTEMS, 0)
        self.reported_created = dict.fromkeys(SYSTEMS, 0)
        self.typed_rows: dict[str, set[str]] = {name: set() for name in SYSTEMS}
        #: people deleted in c while a scan read it: the run could not see it, the next one does
        self.deleted_in_scan: set[int] = set()

    def teardown(self) -> None:
        try:
            if self.people:
                self.converge_and_check()
        finally:
            self.store.dispose()
            shutil.rmtree(self.tmp, ignore_errors=True)

    # --- helpers ------------------------------------------------------------------------------

    def tick(self) -> int:
        self.step += 1
        return self.step

    def copies(self, system: str, index: int) -> list[str]:
        return [rid for rid, row in self.systems[system].store.rows.items() if person_of(row["contact"]) == index]

    def held(self) -> dict[str, dict[str, Contact]]:
        return {name: {rid: row["contact"] for rid, row in c.store.rows.items()} for name, c in self.systems.items()}

    def record(self, index: int, system: str, name: str, value: FieldValue) -> None:
        person = self.people[index]
        step = self.tick()
        if system == "b":  # no vendor time: syncd only knows it came after b's last complete scan
            edit = Edit(value, system, max(self.scans["b"], default=-1), FOREVER)
        else:
            edit = Edit(value, system, step, step)
        person.edits.setdefault(name, []).append(edit)
        person.typed.setdefault(name, set()).add(comparable(name, value))

    def seen_by_b(self, step: int) -> None:
        """b's edits before this scan now have their window's end."""
        for person in self.people.values():
            for name, edits in person.edits.items():
                person.edits[name] = [Edit(e.value, e.system, e.lo, step) if e.system == "b" and e.hi == FOREVER
                                      else e for e in edits]

    def run(self, only: str | None) -> CycleReport:
        before = self.held()
        self.deleted_in_scan.clear()
        step = self.tick()
        options = CycleOptions(systems=frozenset({only})) if only else None
        report = asyncio.run(self.engine.run_cycle(options))
        for name, sys_report in report.systems.items():
            if sys_report.scanned_now and sys_report.scan_error is None:
                self.scans[name].append(step)
                if name == "b":
                    self.seen_by_b(step)
                for person in self.people.values():
                    person.touched.discard(name)
        self.check_cycle(before, report, full=only is None)
        return report

    # --- rules --------------------------------------------------------------------------------

    @initialize(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS))
    def first_person(self, index: int, system: str) -> None:
        self.create(index, system, 0, 0)

    @rule(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS),
          missing=st.integers(0, 15), mail=st.integers(0, 5))
    def create(self, index: int, system: str, missing: int, mail: int) -> None:
        """Someone types a person into one system, as they are known elsewhere, perhaps with fields left
        out (``missing`` is a bit mask over the editable fields) and perhaps under the shared mailbox."""
        person = self.people.get(index)
        if (person and (person.retired or person.doomed)) or self.copies(system, index):
            return
        if person is None:
            person = self.people[index] = Person()
        values: dict[str, FieldValue] = {}
        for bit, name in enumerate(EDITABLE):
            current = self.current(index, name)
            if not missing & (1 << bit) and current is not None:
                values[name] = current
        email = SHARED if mail == 0 else None if mail == 1 else personal(index)
        contact = Contact(given_name=PEOPLE[index][0], family_name=PEOPLE[index][1], full_name=full_name(index),
                          email=email, company="Acme", active=True, **values)  # type: ignore[arg-type]
        rid = self.systems[system].store.put(contact)
        self.typed_rows[system].add(rid)
        person.has_personal = person.has_personal or email == personal(index)
        person.typed.setdefault("email", set()).add(comparable("email", email))
        for name, value in values.items():
            self.record(index, system, name, value)
        person.touched.add(system)

    def current(self, index: int, name: str) -> FieldValue:
        """The value the person is known by now: the last edit typed anywhere."""
        edits = self.people[index].edits.get(name, [])
        return edits[-1].value if edits else None

    @rule(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS),
          name=st.sampled_from(EDITABLE), choice=st.integers(0, 3))
    def edit(self, index: int, system: str, name: str, choice: int) -> None:
        person = self.people.get(index)
        ids = self.copies(system, index)
        if person is None or person.retired or person.doomed or len(ids) != 1:
            return
        value = VALUES[name][choice]
        row = self.systems[system].store.rows[ids[0]]
        if comparable(name, row["contact"].get(name)) == comparable(name, value):
            return  # typing in the value already there is not an edit
        self.systems[system].store.edit(ids[0], **{name: value})
        self.record(index, system, name, value)
        person.touched.add(system)

    @rule(index=st.integers(0, len(PEOPLE) - 1), system=st.sampled_from(SYSTEMS), delete=st.booleans())
    def retire(self, index: int, system: str, delete: bool) -> None:
        """A person leaves: archived (or, in c and d, deleted) in one system while nobody edits them."""
        person = self.people.get(index)
        ids = self.copies(system, index)
        if person is None or person.retired or person.doomed or person.touched or len(ids) != 1 \
                or not self.linked(system, ids[0]):
            return  # (a record syncd never saw cannot tell it anybody left)
        if system in ("c", "d") and delete:
            del self.systems[system].store.rows[ids[0]]
        else:
            self.systems[system].store.edit(ids[0], active=False)
        person.retired = True

    @rule(index=st.integers(0, len(PEOPLE) - 1))
    def delete_during_next_c_scan(self, index: int) -> None:
        """Between two pages of c's next scan, a user deletes a row: the rows after it shift up a page."""
        person = self.people.get(index)
        ids = self.copies("c", index)
        if person is None or person.retired or person.doomed or person.touched or len(ids) != 1 \
                or self.systems["c"].between_pages or not self.linked("c", ids[0]):
            return

        def delete() -> None:
            self.systems["c"].store.rows.pop(ids[0], None)
            person.retired = True
            self.deleted_in_scan.add(index)

        self.systems["c"].between_pages = delete
        person.doomed = True

    @rule(system=st.sampled_from(SYSTEMS), count=st.integers(1, 3))
    def fail_writes(self, system: str, count: int) -> None:
        self.systems[system].fail_writes = count

    @rule(system=st.sampled_from(SYSTEMS), count=st.integers(1, 2))
    def lose_answers(self, system: str, count: int) -> None:
        self.systems[system].lose_answers = count

    @rule(system=st.sampled_from(SYSTEMS))
    def fail_a_scan(self, system: str) -> None:
        self.systems[system].fail_reads = 1

    @rule(system=st.sampled_from(SYSTEMS))
    def refuse_permission(self, system: str) -> None:
        self.systems[system].deny_writes = "the user linked to this API key does not have permission"

    @rule(system=st.sampled_from(SYSTEMS))
    def grant_permission(self, system: str) -> None:
        self.systems[system].deny_writes = None

    @rule()
    def d_stops_storing_city(self) -> None:
        self.systems["d"].drops = frozenset({"city"})

    @rule()
    def sync(self) -> None:
        self.run(None)

    @rule(system=st.sampled_from(SYSTEMS))
    def poll(self, system: str) -> None:
        self.run(system)

    @rule()
    def admin_decides(self) -> None:
        self.decide_reviews()

    @precondition(lambda self: self.step > 0)
    @rule()
    def time_passes(self) -> None:
        """Failed writes become due for their retry (their backoff is wall-clock time)."""
        self.time_passes_now()

    # --- what is checked after every step -----------------------------------------------------

    @invariant()
    def never_two_copies_of_a_person_in_one_system(self) -> None:
        for system in SYSTEMS:
            for index in self.people:
                assert len(self.copies(system, index)) <= 1, f"{system} holds {PEOPLE[index]} twice"

    @invariant()
    def an_entity_is_one_person(self) -> None:
        with self.store.session_factory() as s:
            links = s.execute(select(t.Link.entity_id, t.Link.system, t.Link.remote_id)).all()
        people: dict[str, set[int | None]] = {}
        for entity_id, system, remote_id in links:
            row = self.systems[system].store.rows.get(remote_id)
            if row is not None:
                people.setdefault(entity_id, set()).add(person_of(row["contact"]))
        for entity_id, who in people.items():
            assert len(who) == 1, f"entity {entity_id} links records of {sorted(map(str, who))}"

    def check_cycle(self, before: dict[str, dict[str, Contact]], report: CycleReport, *, full: bool) -> None:
        after = self.held()
        for system in SYSTEMS:
            made = set(after[system]) - set(before[system]) - self.typed_rows[system]
            self.created_by_syncd[system] += len(made)
            self.reported_created[system] += report.system(system).created
            doubtful = self.unanswered_creates(system)
            claimed = self.claimed(system)
            assert self.reported_created[system] <= self.created_by_syncd[system] + claimed \
                and self.created_by_syncd[system] <= self.reported_created[system] + doubtful, \
                f"{system}: the summaries counted {self.reported_created[system]} creates, the vendor holds " \
                f"{self.created_by_syncd[system]} records syncd made ({doubtful} creates whose answer was lost)"
            for rid, contact in after[system].items():
                old = before[system].get(rid)
                index = person_of(contact)
                assert index is not None, f"{system}:{rid} holds a person nobody typed: {contact}"
                person = self.people[index]
                for name in (*EDITABLE, "email"):
                    was = comparable(name, old.get(name)) if old is not None else None
                    now = comparable(name, contact.get(name))
                    if now == was or (now is None and old is None):
                        continue
                    stored = comparable(name, strip_tags(name, contact.get(name))) if system == "c" else now
                    assert now in person.typed.get(name, set()) or (system == "c" and any(
                        comparable(name, strip_tags(name, v)) == stored for v in person.typed.get(name, ()))), \
                        f"syncd wrote {contact.get(name)!r} into {system}:{rid} {name}, a value no user typed " \
                        f"for {PEOPLE[index]} (typed: {person.typed.get(name)})"
                if old is not None and ROLES.is_role(contact.email) and not ROLES.is_role(old.email) and old.email:
                    raise AssertionError(f"{system}:{rid}: the personal {old.email} was replaced by {contact.email}")
        if full and report.outcome == "ok":
            self.everyone_agrees(f"run {report.run_id} said ok")

    def undone_rows(self) -> list[tuple[str, str, str, str | None]]:
        with self.store.session_factory() as s:
            return [(r.system, r.operation, r.status, r.last_error) for r in s.scalars(select(t.OutboxItem).where(
                t.OutboxItem.status.in_(("pending", "failed", "held", "parked", "in_flight"))))]

    def linked(self, system: str, remote_id: str) -> bool:
        with self.store.session_factory() as s:
            return s.scalar(select(t.Link.id).where(t.Link.system == system, t.Link.remote_id == remote_id)) \
                is not None

    def hidden_by_shift(self, index: int) -> bool:
        """A row deleted during c's scan after its page was read moves the next one up into that page: a
        record syncd never knew about can be skipped without a trace (no look-up can name it). It is read
        by the next scan."""
        ids = self.copies("c", index)
        if not self.deleted_in_scan or not ids:
            return False
        with self.store.session_factory() as s:
            return s.scalar(select(t.RemoteRecordRow.id).where(
                t.RemoteRecordRow.system == "c", t.RemoteRecordRow.remote_id == ids[0])) is None

    def claimed(self, system: str) -> int:
        """Records a user typed that syncd took for what its unanswered create made: a vendor without an
        external key gives no way to tell the two apart, so the summary may count them as its creates."""
        with self.store.session_factory() as s:
            ids = s.scalars(select(t.OutboxItem.remote_id).where(
                t.OutboxItem.system == system, t.OutboxItem.operation == "create",
                t.OutboxItem.status == "applied", t.OutboxItem.last_error.is_not(None))).all()
        return len(set(ids) & self.typed_rows[system])

    def unanswered_creates(self, system: str) -> int:
        with self.store.session_factory() as s:
            return len(s.execute(select(t.OutboxItem.id).where(
                t.OutboxItem.system == system, t.OutboxItem.operation == "create", t.OutboxItem.attempts > 0,
                t.OutboxItem.status.in_(("failed", "in_flight", "held", "superseded")))).all())

    def everyone_agrees(self, why: str) -> None:
        for index, person in self.people.items():
            if index in self.deleted_in_scan or self.hidden_by_shift(index):
                continue
            held = {s: self.systems[s].store.rows[ids[0]]["contact"] for s in SYSTEMS
                    if (ids := self.copies(s, index))}
            if person.retired:
                assert all(c.active is False for c in held.values()), f"{why}: {PEOPLE[index]} is active somewhere"
                continue
            assert set(held) == set(SYSTEMS), f"{why}, but {PEOPLE[index]} is missing from {set(SYSTEMS) - set(held)}"
            for name in EDITABLE:
                values = {comparable(name, c.get(name)) for c in held.values()}
                assert len(values) == 1, f"{why}, but {PEOPLE[index]}'s {name} differs: {values}"

    # --- the end ------------------------------------------------------------------------------

    def decide_reviews(self) -> None:
        """The admin knows who is who: a review item is accepted exactly when it names one person."""
        for item in self.admin.reviews():
            row = self.systems[item.system].store.rows.get(item.remote_id)
            candidate = self.candidate_person(item.candidate)
            same = row is not None and candidate is not None and person_of(row["contact"]) == candidate
            self.admin.decide(item.id, accept=same, who="test")

    def candidate_person(self, candidate: str | None) -> int | None:
        if not candidate:
            return None
        with self.store.session_factory() as s:
            if candidate.startswith("entity:"):
                keys = s.execute(select(t.Link.system, t.Link.remote_id).where(
                    t.Link.entity_id == candidate.removeprefix("entity:"))).all()
            else:
                system, _, remote_id = candidate.partition(":")
                keys = [(system, remote_id)]
        for system, remote_id in keys:
            row = self.systems[system].store.rows.get(remote_id)
            if row is not None:
                return person_of(row["contact"])
        return None

    def converge_and_check(self) -> None:
        for connector in self.systems.values():
            connector.fail_reads = connector.fail_writes = connector.lose_answers = 0
            connector.deny_writes = None
        for _ in range(4):  # a failed write needs its retry due, then one cycle to carry it
            self.time_passes_now()
            self.decide_reviews()
            self.run(None)
        self.time_passes_now()
        quiet = self.run(None)
        assert quiet.planned_writes == 0, f"the quiet cycle still planned {quiet.planned_writes} writes"
        for system in SYSTEMS:
            assert self.created_by_syncd[system] <= self.reported_created[system] \
                <= self.created_by_syncd[system] + self.claimed(system), \
                (system, self.reported_created, self.created_by_syncd, self.claimed(system))
        assert sum(s.writes for s in quiet.systems.values()) == 0
        parked = self.parked()
        for name, s in quiet.systems.items():
            assert not (s.scan_error or s.guard or s.write_error or s.failed or s.held or s.waiting), (name, s)
            assert set(s.backlog) <= {"parked/lost_on_write"}, (name, s.backlog, self.undone_rows())
        assert (quiet.outcome == "ok") == (not parked), (quiet.outcome, parked)

        for index, person in self.people.items():
            who = PEOPLE[index]
            for system in SYSTEMS:
                ids = self.copies(system, index)
                assert len(ids) <= 1, f"{system} holds {who} {len(ids)} times"
                if person.retired:
                    assert not ids or self.systems[system].store.rows[ids[0]]["contact"].active is False, \
                        f"{who} was retired but is active in {system}"
                    continue
                assert ids, f"{who} is missing from {system}"
                contact: Contact = self.systems[system].store.rows[ids[0]]["contact"]
                assert contact.active is not False, f"{who} is inactive in {system}"
                for name in EDITABLE:
                    got = comparable(name, contact.get(name))
                    allowed = self.allowed(index, name)
                    if (system, name) in parked.get(index, set()):
                        continue  # this system cannot hold the agreed value: parked, and reported
                    assert got in allowed, f"{who} in {system}: {name} is {got!r}; the last edits made it " \
                                           f"one of {allowed}"
                if person.has_personal and system != "b":
                    assert contact.email == personal(index), f"{who} in {system} has {contact.email}"

    def allowed(self, index: int, name: str) -> set[FieldValue]:
        """The values an edit of this field may have left: any edit not certainly older than another one
        (an older edit in the same system is overwritten there, so it never counts)."""
        return allowed(name, self.people[index].edits.get(name, []))

    def parked(self) -> dict[int, set[tuple[str, str]]]:
        """person -> (system, field) whose change is parked because the vendor did not keep it."""
        out: dict[int, set[tuple[str, str]]] = {}
        with self.store.session_factory() as s:
            rows = s.execute(select(t.OutboxItem.entity_id, t.OutboxItem.system, t.OutboxItem.fields).where(
                t.OutboxItem.status == "parked")).all()
            for entity_id, system, fields in rows:
                index = self.candidate_person(f"entity:{entity_id}")
                if index is not None:
                    out.setdefault(index, set()).update((system, name) for name in fields)
        return out

    def time_passes_now(self) -> None:
        with self.store.session_factory() as s, s.begin():
            s.execute(update(t.OutboxItem).where(t.OutboxItem.status == "failed",
                                                 t.OutboxItem.next_attempt_at.is_not(None))
                      .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))


Convergence.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestConvergence = Convergence.TestCase
