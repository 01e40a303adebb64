"""Named regressions for the eight ways syncd once broke its promises (issue #12), each as a whole cycle over
in-memory vendors and a real store (SQLite, and PostgreSQL when CI sets it). Each case is a class of bug;
the test names the class and checks what a user would see in the vendors, the summary and the exit code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from syncd.connectors.memory import MemoryConnector, MemorySettings, MemoryStore
from syncd.engine.admin import Admin
from syncd.engine.cycle import CycleOptions
from syncd.engine.report import EXIT_CODES
from syncd.model import Contact
from syncd.store import tables as t
from syncd.store.repository import Store

from .test_cycle_memory import make_engine

FIELDS = ("full_name", "email", "phone_office", "phone_mobile", "title", "department", "city", "company", "active")
ADA = Contact(full_name="Ada Lovelace", email="ada@analytical.example", phone_office="+44 20 7946 0018",
              phone_mobile="+44 7700 900123", title="Analyst", department="Engines", city="London", company="Acme",
              active=True)


def system(name: str, **settings: object) -> MemoryConnector:
    return MemoryConnector(name, MemorySettings(**settings), fields=FIELDS)  # type: ignore[arg-type]


def only(connector: MemoryConnector) -> tuple[str, Contact]:
    (item,) = [(rid, row["contact"]) for rid, row in connector.store.rows.items()]
    return item


def outbox(store: Store) -> list[t.OutboxItem]:
    with store.session_factory() as s:
        return list(s.scalars(select(t.OutboxItem).order_by(t.OutboxItem.id)))


# 1 ---------------------------------------------------------------------------------------------------

async def test_1_a_copy_that_joins_later_clears_nothing(store: Store) -> None:
    """The daemon's order: a is polled first and agrees alone; b's copy, missing most fields, joins later."""
    a, b = system("a"), system("b")
    a.store.put(ADA)
    b.store.put(Contact(full_name="Ada Lovelace", email="ada@analytical.example", company="Acme", active=True))
    engine = make_engine(store, a=a, b=b)
    await engine.run_cycle(CycleOptions(systems=frozenset({"a"})))
    report = await engine.run_cycle(CycleOptions(systems=frozenset({"b"})))
    await engine.run_cycle()
    for connector in (a, b):
        _, held = only(connector)
        for name in ("phone_office", "phone_mobile", "title", "department", "city"):
            assert held.get(name) == ADA.get(name), f"{connector.name}.{name} is {held.get(name)!r}"
    assert report.system("a").updated == 0  # nothing was taken out of a


async def test_1_a_joining_copy_with_an_older_value_does_not_overwrite_the_agreed_one(store: Store) -> None:
    clock = iter(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=m) for m in range(100))
    old = MemoryStore(clock=lambda: next(clock))
    a, b = system("a"), MemoryConnector("b", MemorySettings(), fields=FIELDS, store=old)
    b.store.put(ADA.replace(title="Junior Analyst"))  # typed long ago
    a.store.put(ADA.replace(title="Chief Analyst"))  # now
    engine = make_engine(store, a=a, b=b)
    await engine.run_cycle(CycleOptions(systems=frozenset({"a"})))
    await engine.run_cycle()
    assert only(a)[1].title == only(b)[1].title == "Chief Analyst"


# 2 ---------------------------------------------------------------------------------------------------

async def test_2_a_shared_mailbox_never_replaces_a_personal_address(store: Store) -> None:
    a, b = system("a"), system("b")
    a.store.put(ADA)
    b.store.put(ADA.replace(email="info@analytical.example"))
    engine = make_engine(store, a=a, b=b)
    report = await engine.run_cycle()
    await engine.run_cycle()
    assert only(a)[1].email == "ada@analytical.example"
    assert only(b)[1].email == "info@analytical.example"  # b keeps what it was typed as; it holds no second one
    assert any("shared mailbox never replaces" in e for e in report.events), report.events


# 3 ---------------------------------------------------------------------------------------------------

async def test_3_a_retried_create_never_adopts_another_persons_record(store: Store) -> None:
    """b has no external key; its look-up by email finds Grace's record behind the shared info@ address.
    The create's first attempt failed before the vendor acted: Grace is never taken for Ada."""
    a, b = system("a"), system("b", external_key=False)
    a.store.put(ADA.replace(email="info@analytical.example"))
    grace = b.store.put(Contact(full_name="Grace Hopper", email="info@analytical.example", company="Acme",
                                active=True))
    engine = make_engine(store, a=a, b=b)
    b.fail_writes = 1
    await engine.run_cycle()
    with store.session_factory() as s, s.begin():  # the retry is due now
        for row in s.scalars(select(t.OutboxItem).where(t.OutboxItem.status == "failed")):
            row.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
    await engine.run_cycle()
    names = sorted(row["contact"].full_name for row in b.store.rows.values())
    assert names == ["Ada Lovelace", "Grace Hopper"], names
    with store.session_factory() as s:
        owner = s.scalar(select(t.Link.entity_id).where(t.Link.system == "b", t.Link.remote_id == grace))
        ada = s.scalar(select(t.Link.entity_id).where(t.Link.system == "a"))
    assert owner != ada


async def test_3_a_doubtful_record_is_held_for_review_not_adopted(store: Store) -> None:
    """After a lost create, b holds a record with Ada's name behind a shared mailbox: it may be what the
    create made, or another Ada. It is held for an admin, who decides; nothing is adopted or created
    meanwhile."""
    a, b = system("a"), system("b", external_key=False)
    a.store.put(ADA.replace(email="info@analytical.example"))
    engine = make_engine(store, a=a, b=b)
    b.fail_writes = 1
    first = await engine.run_cycle()
    assert first.system("b").failed == 1
    # someone types an Ada into b before syncd reads b again
    b.store.put(Contact(full_name="Ada Lovelace", email="info@analytical.example", company="Other", active=True))
    with store.session_factory() as s, s.begin():
        for row in s.scalars(select(t.OutboxItem).where(t.OutboxItem.status == "failed")):
            row.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
    second = await engine.run_cycle()
    assert second.system("b").held == 1 and second.exit_code == EXIT_CODES["partial"]
    (item,) = Admin(store).reviews()
    # b's Ada became a person of her own (another company, a shared mailbox: the matcher keeps them apart),
    # so the record may be the lost create's or hers: an admin says which
    assert item.kind == "adoption" and "belongs to another person" in str(item.reasons), item.reasons
    assert len(b.store.rows) == 1


async def _lost_create_then_typed_into(store: Store, **b_settings: object) -> tuple[MemoryConnector, MemoryConnector]:
    """a holds Ada without a mobile; the create into b acts but its answer is lost; before syncd finds
    that record again, someone types Ada's mobile into it in b."""
    a, b = system("a"), system("b", **b_settings)
    a.store.put(ADA.replace(phone_mobile=None))
    engine = make_engine(store, a=a, b=b)
    b.lose_answers = 1
    first = await engine.run_cycle()
    assert first.system("b").failed == 1
    rid, _ = only(b)
    b.store.edit(rid, phone_mobile="+44 7700 900123")
    with store.session_factory() as s, s.begin():
        for row in s.scalars(select(t.OutboxItem).where(t.OutboxItem.status == "failed")):
            row.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
    for _ in range(2):
        await engine.run_cycle()
    return a, b


async def test_3_an_adopted_record_keeps_what_was_typed_into_it_since(store: Store) -> None:
    """The record a lost create made is adopted, as in the scan that finds it by syncd's key. Syncd agreed
    with it only on what it sent: the mobile typed there since is b's edit and reaches a, never cleared."""
    a, b = await _lost_create_then_typed_into(store)
    assert len(b.store.rows) == 1
    for connector in (a, b):
        _, held = only(connector)
        assert held.phone_mobile == "+44 7700 900123", f"{connector.name} holds {held.phone_mobile!r}"


async def test_3_a_record_adopted_by_its_email_keeps_what_was_typed_into_it_since(store: Store) -> None:
    """The same through the look-up by email when the create is retried (no external key in b)."""
    a, b = await _lost_create_then_typed_into(store, external_key=False)
    assert len(b.store.rows) == 1
    for connector in (a, b):
        _, held = only(connector)
        assert held.phone_mobile == "+44 7700 900123", f"{connector.name} holds {held.phone_mobile!r}"


async def test_3_a_held_adoption_keeps_the_run_partial_and_an_accepted_one_follows_the_person(store: Store) -> None:
    """The create into b acts, its answer is lost, and the record it made holds only a shared mailbox: held
    for review. Ada leaves meanwhile. Until an admin answers, the run is not ok (the record may be hers and
    is still active); once the admin says it is hers, it is deactivated with her, and she stays retired (a
    has no change times: the record's own time must not pass for a later reactivation)."""
    a, b = system("a", timestamps=False), system("b", external_key=False)
    ada = a.store.put(ADA.replace(email="info@analytical.example"))
    engine = make_engine(store, a=a, b=b)
    b.lose_answers = 1
    await engine.run_cycle()
    a.store.edit(ada, active=False)
    held = await engine.run_cycle()
    assert held.exit_code == EXIT_CODES["partial"], held.not_done_lines()
    assert any("held" in line for line in held.not_done_lines()), held.not_done_lines()
    (item,) = Admin(store).reviews()
    assert item.kind == "adoption"
    Admin(store).decide(item.id, accept=True, who="test")
    done = await engine.run_cycle()
    assert [row["contact"].active for row in a.store.rows.values()] == [False]
    assert [row["contact"].active for row in b.store.rows.values()] == [False]
    assert done.exit_code == EXIT_CODES["ok"], done.not_done_lines()


async def test_a_write_whose_answer_was_lost_is_no_edit_that_overrules_a_deletion(store: Store) -> None:
    """b took syncd's update of Ada's title but its answer was lost, so b's snapshot is older than what it
    holds. Ada is then deleted in c. What b holds is the agreed value, not an edit of b's: the deletion
    is carried (Ada deactivated in a and b), never overruled by "an edit" and Ada never re-created in c."""
    a, b, c = system("a"), system("b"), system("c", can_delete=True)
    a.store.put(ADA)
    engine = make_engine(store, a=a, b=b, c=c)
    await engine.run_cycle()
    rid, _ = only(a)
    a.store.edit(rid, title="Chief Analyst")
    b.lose_answers = 1
    await engine.run_cycle()
    assert only(b)[1].title == "Chief Analyst"  # the write acted
    c.store.rows.clear()  # a user deletes Ada in c
    with store.session_factory() as s, s.begin():  # whatever retry is due runs now
        for row in s.scalars(select(t.OutboxItem).where(t.OutboxItem.status == "failed")):
            row.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
    for _ in range(2):
        await engine.run_cycle()
    assert not c.store.rows, "Ada was re-created in c"
    assert only(a)[1].active is False and only(b)[1].active is False


# 4 ---------------------------------------------------------------------------------------------------

async def test_4_an_edit_without_a_vendor_time_never_passes_for_the_newest(store: Store) -> None:
    """b says nothing about when its edits happened. a's edit, with a known time inside b's window, wins
    by the documented rule (the edit with a known time), and the plan says the order was not known."""
    a, b = system("a"), system("b", timestamps=False)
    a.store.put(ADA)
    b.store.put(ADA)
    engine = make_engine(store, a=a, b=b)
    await engine.run_cycle()
    b.store.edit(only(b)[0], title="Edited in b first")
    a.store.edit(only(a)[0], title="Edited in a later")
    report = await engine.run_cycle()
    assert only(a)[1].title == only(b)[1].title == "Edited in a later"
    assert any("order of the edits is not known" in e for e in report.events), report.events
    with store.session_factory() as s:
        rule = [o.fields["title"]["rule"] for o in s.scalars(select(t.OutboxItem)) if "title" in o.fields]
    assert any("order unknown: the edit with a known time" in r for r in rule), rule


# 5 ---------------------------------------------------------------------------------------------------

async def test_5_a_record_skipped_by_a_shifting_page_is_not_deactivated(store: Store) -> None:
    a, c = system("a"), system("c", page_size=2)
    people = [ADA.replace(full_name=f"Person {i}", email=f"p{i}@example.com") for i in range(5)]
    for person in people:
        a.store.put(person)
        c.store.put(person)
    engine = make_engine(store, a=a, c=c)
    await engine.run_cycle()
    # a user deletes the first row after the scan read the first page: the third row moves up to the
    # second page's offset and is never listed
    c.between_pages = lambda: c.store.rows.pop("1")
    report = await engine.run_cycle()
    assert report.system("c").still_there == 1 and report.system("c").vanished == 0
    assert all(row["contact"].active for row in a.store.rows.values())
    later = await engine.run_cycle()  # the next scan sees the deletion: only that person is deactivated
    active = sorted(row["contact"].full_name for row in a.store.rows.values() if row["contact"].active)
    assert active == [f"Person {i}" for i in range(1, 5)], active
    assert later.system("c").vanished == 1 and later.system("a").deactivated == 1


async def test_5_a_new_record_skipped_by_the_same_shift_is_read_in_the_same_run(store: Store) -> None:
    """The shift that hid a known record (found by its id) may also hide one syncd never saw, which no
    look-up can name: the listing is read once more, so the new person reaches the other system now."""
    a, c = system("a"), system("c", page_size=2)
    people = [ADA.replace(full_name=f"Person {i}", email=f"p{i}@example.com") for i in range(5)]
    for i, person in enumerate(people):
        a.store.put(person)
        c.store.put(person)
        if i == 1:
            next(c.store._ids)  # id 3 is taken later by a new record (a listing in another order puts it there)
    engine = make_engine(store, a=a, c=c)
    await engine.run_cycle()
    c.store.rows["3"] = {"contact": ADA.replace(full_name="Person 9", email="p9@example.com"), "company_id": None,
                         "external_key": None, "updated": datetime.now(UTC)}
    # rows 1-6; the first page is read, rows 1 and 2 deleted: rows 3 (new) and 4 (known) move up, unread
    c.between_pages = lambda: [c.store.rows.pop(rid) for rid in ("1", "2")]
    report = await engine.run_cycle()
    assert report.system("c").still_there == 1 and report.system("c").new == 1, report.system("c")
    assert "Person 9" in {row["contact"].full_name for row in a.store.rows.values()}
    assert report.system("a").created == 1


# 6 ---------------------------------------------------------------------------------------------------

async def test_6_a_value_the_vendor_cut_or_dropped_never_spreads(store: Store) -> None:
    a, c, d = system("a"), system("c"), system("d")
    c.mangle = lambda name, value: value.split("<")[0].strip() if isinstance(value, str) else value
    d.drops = frozenset({"city"})
    for connector in (a, c, d):
        connector.store.put(ADA)
    engine = make_engine(store, a=a, c=c, d=d)
    await engine.run_cycle()
    a.store.edit(only(a)[0], title="Head of R<D", city="Paris")
    report = await engine.run_cycle()
    again = await engine.run_cycle()
    assert only(a)[1].title == only(d)[1].title == "Head of R<D"
    assert only(c)[1].title == "Head of R"  # what c made of it stays in c
    assert only(a)[1].city == only(c)[1].city == "Paris" and only(d)[1].city == "London"
    assert report.system("c").parked == 1 and report.system("d").parked == 1
    assert again.planned_writes == 0 and again.exit_code == EXIT_CODES["partial"]
    parked = {(o.system, o.cause) for o in outbox(store) if o.status == "parked"}
    assert parked == {("c", "lost_on_write"), ("d", "lost_on_write")}


# 7 ---------------------------------------------------------------------------------------------------

async def test_7_the_exit_code_says_what_was_not_done(store: Store) -> None:
    a, b = system("a"), system("b", needs_company=True)
    a.store.put(ADA)
    engine = make_engine(store, a=a, b=b)
    parked = await engine.run_cycle()
    assert parked.exit_code == EXIT_CODES["partial"] and parked.outcome == "partial"
    assert parked.system("b").not_done == {"no_company": 1}
    assert any("no_company" in line for line in parked.not_done_lines())
    assert parked.as_json()["ok"] is False
    with store.session_factory() as s:
        status = s.scalar(select(t.SyncRun.status).where(t.SyncRun.id == parked.run_id))
    assert status == "partial"

    b.fail_reads = a.fail_reads = 1
    nothing = await engine.run_cycle()
    assert nothing.exit_code == EXIT_CODES["failed"]


async def test_7_a_guard_holding_deletions_is_not_ok(store: Store) -> None:
    a, b = system("a"), system("b")
    for i in range(20):
        a.store.put(ADA.replace(full_name=f"Person {i}", email=f"p{i}@example.com"))
    engine = make_engine(store, a=a, b=b)
    await engine.run_cycle()
    for rid in list(a.store.rows)[:10]:
        del a.store.rows[rid]
    report = await engine.run_cycle()
    assert report.system("a").guard and report.exit_code == EXIT_CODES["partial"]


# 8 ---------------------------------------------------------------------------------------------------

async def test_8_a_permission_fixed_later_lets_the_changes_go_out(store: Store) -> None:
    a, b = system("a"), system("b")
    a.store.put(ADA)
    b.store.put(ADA)
    engine = make_engine(store, a=a, b=b)
    await engine.run_cycle()
    b.deny_writes = "the user linked to this API key does not have permission for this action"
    a.store.edit(only(a)[0], title="CTO")
    a.store.put(ADA.replace(full_name="Grace Hopper", email="grace@navy.example"))
    denied = await engine.run_cycle()
    assert denied.system("b").write_error and denied.system("b").waiting == 2, denied.system("b")
    assert denied.exit_code == EXIT_CODES["partial"]
    assert {o.cause for o in outbox(store) if o.system == "b" and o.status != "applied"} == {"permission"}
    assert not any(o.status == "parked" for o in outbox(store))
    with store.session_factory() as s:
        assert s.get(t.ScanCursor, "b").last_write_error  # type: ignore[union-attr]
    b.deny_writes = None  # an admin grants it
    fixed = await engine.run_cycle()
    assert fixed.exit_code == EXIT_CODES["ok"], fixed.not_done_lines()
    assert only(b)[1].title if len(b.store.rows) == 1 else True
    assert sorted(row["contact"].title for row in b.store.rows.values()) == ["Analyst", "CTO"]
    with store.session_factory() as s:
        assert s.get(t.ScanCursor, "b").last_write_error is None  # type: ignore[union-attr]


# and two found on the way --------------------------------------------------------------------------------

async def test_an_entity_whose_only_copy_sits_in_a_failing_system_is_not_finished(store: Store) -> None:
    a, b = system("a"), system("b")
    a.store.put(ADA)
    engine = make_engine(store, a=a, b=b)
    await engine.run_cycle(CycleOptions(systems=frozenset({"a"})))
    a.fail_reads = 1
    await engine.run_cycle()  # a's scan fails: its copy is unknown this cycle, not gone
    await engine.run_cycle()
    assert only(b)[1].full_name == "Ada Lovelace"


async def test_a_write_never_overwrites_an_edit_made_since_the_record_was_read(store: Store) -> None:
    """The daemon scans one system and writes to all: b was edited after b's last scan. syncd looks before
    it writes, sees the edit, and plans again: both edits survive (different fields), nothing is lost."""
    a, b = system("a"), system("b")
    a.store.put(ADA)
    b.store.put(ADA)
    engine = make_engine(store, a=a, b=b)
    await engine.run_cycle()
    b.store.edit(only(b)[0], title="Edited in b")
    a.store.edit(only(a)[0], title="Edited in a", department="Mathematics")
    report = await engine.run_cycle(CycleOptions(systems=frozenset({"a"})))
    assert report.system("b").deferred == 1 and only(b)[1].title == "Edited in b"
    await engine.run_cycle()
    titles = {only(a)[1].title, only(b)[1].title}
    assert len(titles) == 1 and titles <= {"Edited in a", "Edited in b"}
    assert only(b)[1].department == "Mathematics"
