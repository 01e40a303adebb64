"""The planner and the field merge: pure tests, with hypothesis properties and kept regressions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from syncd.engine.merge import Agreed, Candidate, merge_field
from syncd.engine.plan import Copy, EntityPlan, EntityState, Op, plan_entity, split_full_name
from syncd.engine.policies import FieldRule, OnRemoteDelete, Policy, SystemRules
from syncd.engine.when import When
from syncd.model import CANONICAL_FIELDS, Contact, FieldValue, comparable

T0 = datetime(2026, 1, 1, tzinfo=UTC)
FULL = frozenset({"full_name", "email", "phone_office", "title", "company", "active"})
SPLIT = frozenset({"given_name", "family_name", "full_name", "email", "phone_office", "title", "company", "active"})


def systems(**overrides: SystemRules) -> dict[str, SystemRules]:
    base = {
        "a": SystemRules("a", FULL),
        "b": SystemRules("b", FULL),
        "c": SystemRules("c", SPLIT, split_name=True, needs_company=True, company_ids={"acme": "77"}),
    }
    base.update(overrides)
    return base


def snap(contact: Contact) -> dict[str, FieldValue]:
    return {name: comparable(name, contact.get(name)) for name in CANONICAL_FIELDS}


ADA = Contact(full_name="Ada Lovelace", email="ada@example.com", phone_office="+442079460018",
              title="Analyst", company="Acme", active=True)
ADA_C = ADA.replace(given_name="Ada", family_name="Lovelace")


def agreed_state(**contacts: Contact) -> EntityState:
    """An entity on which every system agreed; ``contacts`` then says what each holds now."""
    base = {k: v for k, v in ADA_C.as_dict().items() if v not in (None, ())}
    copies = {}
    for system, original in (("a", ADA), ("b", ADA), ("c", ADA_C)):
        now = contacts.get(system, original)
        copies[system] = Copy(system, f"{system}1", now, snap(original), When.exactly(T0))
    return EntityState("e1", base, copies, T0)


def writes(plan: EntityPlan) -> dict[tuple[str, Op], Mapping[str, FieldValue]]:
    return {(c.system, c.op): c.values for c in plan.changes if c.problem is None}


def test_an_agreed_entity_plans_nothing() -> None:
    plan = plan_entity(agreed_state(), systems(), {})
    assert plan.changes == [] and plan.conflicts == []


def test_a_reformatted_value_is_not_a_change() -> None:
    plan = plan_entity(agreed_state(a=ADA.replace(email="ADA@Example.com ", phone_office="+44 (20) 7946-0018")),
                       systems(), {})
    assert plan.changes == []


def test_one_edit_reaches_every_other_system() -> None:
    state = agreed_state(b=ADA.replace(title="Chief Analyst"))
    plan = plan_entity(state, systems(), {})
    assert writes(plan) == {("a", Op.UPDATE): {"title": "Chief Analyst"}, ("c", Op.UPDATE): {"title": "Chief Analyst"}}
    assert plan.base["title"] == "Chief Analyst"


def test_concurrent_edits_to_different_fields_both_survive() -> None:
    state = agreed_state(a=ADA.replace(title="CTO"), b=ADA.replace(email="ada@engine.example"))
    plan = plan_entity(state, systems(), {})
    assert plan.base["title"] == "CTO" and plan.base["email"] == "ada@engine.example"
    assert writes(plan)[("a", Op.UPDATE)] == {"email": "ada@engine.example"}
    assert writes(plan)[("b", Op.UPDATE)] == {"title": "CTO"}


def test_concurrent_edits_to_one_field_follow_lww() -> None:
    state = agreed_state(a=ADA.replace(title="Older"), b=ADA.replace(title="Newer"))
    state.copies["a"] = Copy("a", "a1", ADA.replace(title="Older"), snap(ADA), When.exactly(T0 + timedelta(minutes=1)))
    state.copies["b"] = Copy("b", "b1", ADA.replace(title="Newer"), snap(ADA), When.exactly(T0 + timedelta(minutes=2)))
    plan = plan_entity(state, systems(), {})
    assert plan.base["title"] == "Newer"
    assert any("lww" in e for e in plan.events)


def test_prefer_policy_picks_the_preferred_source_over_a_newer_edit() -> None:
    state = agreed_state()
    state.copies["a"] = Copy("a", "a1", ADA.replace(title="From A"), snap(ADA), When.exactly(T0 + timedelta(minutes=1)))
    state.copies["b"] = Copy("b", "b1", ADA.replace(title="From B"), snap(ADA), When.exactly(T0 + timedelta(minutes=9)))
    plan = plan_entity(state, systems(), {"title": FieldRule(Policy.PREFER, prefer=("a",))})
    assert plan.base["title"] == "From A"


def test_non_empty_never_blanks_a_value() -> None:
    state = agreed_state(a=ADA.replace(phone_office=None))
    plan = plan_entity(state, systems(), {"phone_office": FieldRule(Policy.NON_EMPTY)})
    assert plan.base["phone_office"] == ADA.phone_office
    assert writes(plan) == {("a", Op.UPDATE): {"phone_office": ADA.phone_office}}


def test_lww_lets_a_deliberate_clear_propagate() -> None:
    plan = plan_entity(agreed_state(a=ADA.replace(title=None)), systems(), {})
    assert writes(plan)[("b", Op.UPDATE)] == {"title": None}


def test_manual_policy_opens_a_conflict_and_leaves_the_field_alone() -> None:
    state = agreed_state(a=ADA.replace(title="X"), b=ADA.replace(title="Y"))
    plan = plan_entity(state, systems(), {"title": FieldRule(Policy.MANUAL)})
    assert [(c.field, dict(c.candidates)) for c in plan.conflicts] == [("title", {"a": "X", "b": "Y"})]
    assert plan.base["title"] == "Analyst"
    assert all("title" not in v for v in writes(plan).values())


def test_an_open_conflict_keeps_the_field_alone_in_later_cycles() -> None:
    state = agreed_state(a=ADA.replace(title="X"), b=ADA.replace(title="Y"))
    later = EntityState(state.entity_id, state.base,
                        {s: Copy(c.system, c.remote_id, c.contact, snap(c.contact), c.when)
                         for s, c in state.copies.items()}, T0, frozenset({"title"}))
    plan = plan_entity(later, systems(), {"title": FieldRule(Policy.MANUAL)})
    assert plan.changes == [] and plan.conflicts == []


def test_direction_limits_who_may_write_and_who_receives() -> None:
    rules = {"title": FieldRule(sources=frozenset({"a"}), targets=frozenset({"a", "b"}))}
    ignored = plan_entity(agreed_state(b=ADA.replace(title="From B")), systems(), rules)
    assert writes(ignored) == {("b", Op.UPDATE): {"title": "Analyst"}}  # b's change is not accepted: restored
    accepted = plan_entity(agreed_state(a=ADA.replace(title="From A")), systems(), rules)
    assert writes(accepted) == {("b", Op.UPDATE): {"title": "From A"}}  # c never receives titles


def test_a_deactivation_propagates_by_each_systems_policy() -> None:
    rules = systems(b=SystemRules("b", FULL, on_remote_delete=OnRemoteDelete.IGNORE))
    plan = plan_entity(agreed_state(a=ADA.replace(active=False)), rules, {})
    assert {(c.system, c.op) for c in plan.changes} == {("c", Op.DEACTIVATE)}


def test_a_vanished_record_deactivates_the_others_and_is_unlinked() -> None:
    state = agreed_state()
    state.copies["a"] = Copy("a", "a1", ADA, snap(ADA), When.exactly(T0), gone=True)
    plan = plan_entity(state, systems(b=SystemRules("b", FULL, on_remote_delete=OnRemoteDelete.DELETE,
                                                    can_delete=True)), {})
    assert plan.unlink == ["a"]
    assert {(c.system, c.op) for c in plan.changes} == {("b", Op.DELETE), ("c", Op.DEACTIVATE)}


def test_a_delete_against_a_concurrent_edit_keeps_the_edit_and_restores() -> None:
    state = agreed_state(b=ADA.replace(title="Edited"))
    state.copies["a"] = Copy("a", "a1", ADA, snap(ADA), When.exactly(T0), gone=True)
    plan = plan_entity(state, systems(), {})
    ops = {(c.system, c.op) for c in plan.changes}
    assert ("a", Op.CREATE) in ops and ("c", Op.UPDATE) in ops
    assert not any(op in (Op.DEACTIVATE, Op.DELETE) for _, op in ops)
    assert plan.events and "kept" in plan.events[0]


def test_a_new_entity_is_created_where_missing_with_its_company() -> None:
    state = EntityState("e2", {}, {"a": Copy("a", "a9", ADA, None, When.exactly(T0))}, T0)
    plan = plan_entity(state, systems(), {})
    creates = {c.system: c for c in plan.changes if c.op is Op.CREATE}
    assert set(creates) == {"b", "c"}
    assert creates["c"].company_id == "77"
    assert creates["c"].values["given_name"] == "Ada" and creates["c"].values["family_name"] == "Lovelace"
    assert "full_name" not in creates["c"].values


def test_no_create_where_a_record_under_review_may_be_this_person() -> None:
    state = EntityState("e2", {}, {"a": Copy("a", "a9", ADA, None, When.exactly(T0))}, T0,
                        review_held=frozenset({"b"}))
    plan = plan_entity(state, systems(), {})
    assert {c.system for c in plan.changes if c.op is Op.CREATE} == {"c"}
    assert any("under review" in event for event in plan.events)


def test_a_create_without_a_known_company_is_parked_with_a_reason() -> None:
    unknown_company = ADA.replace(company="Unknown Ltd")
    state = EntityState("e3", {}, {"a": Copy("a", "a9", unknown_company, None, When.exactly(T0))}, T0)
    plan = plan_entity(state, systems(), {})
    (create,) = [c for c in plan.changes if c.system == "c"]
    assert create.problem and "Unknown Ltd" in create.problem and "company_map" in create.problem


def test_inactive_entities_are_not_created_elsewhere() -> None:
    state = EntityState("e4", {}, {"a": Copy("a", "a9", ADA.replace(active=False), None, When.exactly(T0))}, T0)
    assert plan_entity(state, systems(), {}).changes == []


def test_a_full_name_edit_is_split_for_a_system_holding_given_and_family() -> None:
    plan = plan_entity(agreed_state(a=ADA.replace(full_name="Ada King Lovelace")), systems(), {})
    assert writes(plan)[("c", Op.UPDATE)] == {"given_name": "Ada King"}


def test_a_given_name_edit_in_the_split_system_reaches_the_others_as_full_name() -> None:
    edited = ADA_C.replace(given_name="Augusta", full_name="Augusta Lovelace")
    plan = plan_entity(agreed_state(c=edited), systems(), {})
    assert writes(plan) == {("a", Op.UPDATE): {"full_name": "Augusta Lovelace"},
                            ("b", Op.UPDATE): {"full_name": "Augusta Lovelace"}}


def test_split_full_name() -> None:
    assert split_full_name("Ana María  López") == ("Ana María", "López")
    assert split_full_name("Cher") == (None, "Cher")
    assert split_full_name(" ") == (None, None)


# --- properties -------------------------------------------------------------------------------

titles = st.one_of(st.none(), st.sampled_from(["Analyst", "CTO", "cto", "Buyer", " Buyer ", ""]))
emails = st.one_of(st.none(), st.sampled_from(["ada@example.com", "ADA@example.com", "a@b.example"]))


def apply(state: EntityState, plan: EntityPlan) -> EntityState:
    """Carry out a plan as a perfect vendor would, then take fresh snapshots."""
    copies = dict(state.copies)
    for change in plan.changes:
        if change.problem or change.op is Op.CREATE or change.remote_id is None:
            continue
        copy = copies[change.system]
        contact = copy.contact.replace(**{k: v for k, v in change.values.items() if k in CANONICAL_FIELDS})
        if change.system == "c" and ("given_name" in change.values or "family_name" in change.values):
            contact = contact.replace(full_name=" ".join(p for p in (contact.given_name, contact.family_name) if p))
        copies[change.system] = Copy(copy.system, copy.remote_id, contact, None, copy.when)
    final = {s: Copy(c.system, c.remote_id, c.contact, snap(c.contact), c.when) for s, c in copies.items()}
    still_open = state.open_conflicts | {c.field for c in plan.conflicts}
    return EntityState(state.entity_id, plan.base, final, state.now, still_open)


@settings(max_examples=300, deadline=None)
@given(a_title=titles, b_title=titles, a_email=emails, b_email=emails,
       policy=st.sampled_from(list(Policy)), skew=st.integers(-5, 5))
@example(a_title="", b_title=None, a_email=None, b_email=None, policy=Policy.NON_EMPTY, skew=0)
@example(a_title="cto", b_title="CTO", a_email=None, b_email=None, policy=Policy.LWW, skew=0)
def test_one_plan_converges_and_a_second_plan_writes_nothing(
    a_title: str | None, b_title: str | None, a_email: str | None, b_email: str | None, policy: Policy, skew: int,
) -> None:
    state = agreed_state(a=ADA.replace(title=a_title, email=a_email or ADA.email),
                         b=ADA.replace(title=b_title, email=b_email or ADA.email))
    later = When.exactly(T0 + timedelta(minutes=skew))
    state.copies["b"] = Copy("b", "b1", state.copies["b"].contact, snap(ADA), later)
    rules = {"title": FieldRule(policy, prefer=("b",)), "email": FieldRule(policy, prefer=("a",))}
    first = plan_entity(state, systems(), rules)
    after = apply(state, first)
    second = plan_entity(after, systems(), rules)
    assert second.writes == 0, second.changes
    if not first.conflicts:
        for system in ("a", "b", "c"):
            for name in ("title", "email"):
                assert comparable(name, after.copies[system].contact.get(name)) == comparable(name, first.base[name])


@given(order=st.permutations(["a", "b", "c"]))
def test_the_plan_does_not_depend_on_the_order_of_copies(order: list[str]) -> None:
    state = agreed_state(a=ADA.replace(title="X"), b=ADA.replace(title="Y"))
    shuffled = EntityState(state.entity_id, state.base, {k: state.copies[k] for k in order}, T0)
    assert plan_entity(shuffled, systems(), {}).base == plan_entity(state, systems(), {}).base


def test_merge_first_value_ignores_blanks() -> None:
    at = When.exactly(T0)
    out = merge_field("title", None, [Candidate("a", "", True, at), Candidate("b", "CTO", True, at)], FieldRule())
    assert out.value == "CTO" and out.conflict is None


def test_a_value_cut_at_its_systems_limit_never_spreads() -> None:
    """Lightening holds 32 characters of a title: its "Directeur administratif et finan" is the longer title
    another system holds, cut; it proposes nothing, and the full title is planned for it (and parked there
    as too long), never the other way round."""
    at = When.exactly(T0)
    full, cut = "Directeur administratif et financier", "Directeur administratif et finan"
    out = merge_field("title", None, [Candidate("a", full, True, at),
                                      Candidate("l", cut, True, When.exactly(T0 + timedelta(minutes=1)), limit=32)],
                      FieldRule())
    assert out.value == full
    shorter = merge_field("title", None, [Candidate("a", full, True, at),
                                          Candidate("l", "Directeur", True, When.exactly(T0 + timedelta(minutes=1)),
                                                    limit=32)], FieldRule())
    assert shorter.value == "Directeur"  # not at the limit: a shorter title someone chose


def test_a_value_at_its_systems_limit_never_wins_silently() -> None:
    """Lightening's "Directeur administratif et finan" is exactly its 32-character limit and newer than
    Flowtrac's title: it may be a longer title cut there, so an admin decides instead of lww spreading it.
    Alone, or against a blank, it is simply the value."""
    at, later = When.exactly(T0), When.exactly(T0 + timedelta(minutes=1))
    cut = "Directeur administratif et finan"
    out = merge_field("title", None, [Candidate("f", "Chief Financial Officer", True, at),
                                      Candidate("l", cut, True, later, limit=32)], FieldRule())
    assert out.pending_manual and out.conflict == {"f": "Chief Financial Officer", "l": cut}, out
    alone = merge_field("title", None, [Candidate("f", "", True, at), Candidate("l", cut, True, later, limit=32)],
                        FieldRule())
    assert alone.value == cut and not alone.pending_manual


def test_a_joining_value_fills_a_field_nobody_ever_set_but_not_one_someone_cleared() -> None:
    """Grace's email was blank everywhere syncd had read; her record in b joins later with an address and no
    change time. A blank no edit made holds nothing off; a deliberate clear made after b's window does."""
    window = When(T0, T0 + timedelta(minutes=5))
    joining = [Candidate("b", "grace.hopper@example.com", True, window, joining=True)]
    never = merge_field("email", Agreed(None, None, When(None, T0 + timedelta(hours=1))), joining, FieldRule())
    assert never.value == "grace.hopper@example.com"
    cleared = merge_field("email", Agreed(None, "a", When.exactly(T0 + timedelta(hours=1))), joining, FieldRule())
    assert cleared.value is None


def test_a_phone_with_its_extension_glued_on_never_spreads() -> None:
    """ITFlow keeps only digits: "+36 1 572 5517 x85" typed there reads "361572551785", another number. It
    proposes nothing; a deliberately written new number with more digits still does."""
    at, later = When.exactly(T0), When.exactly(T0 + timedelta(minutes=1))
    out = merge_field("phone_office", None, [Candidate("a", "+36 1 572 5517", True, at),
                                             Candidate("i", "361572551785", True, later)], FieldRule())
    assert out.value == "+36 1 572 5517"
    written = merge_field("phone_office", None, [Candidate("a", "+36 1 572 5517", True, at),
                                                 Candidate("i", "+36 1 572 5517 ext. 85", True, later)],
                          FieldRule())
    assert written.value == "+36 1 572 5517 ext. 85"  # written with its separators: someone's choice
    # the other copies written the national way ("(305) 685-7827" is +1 305 685 7827): still glued, still kept
    # out (a 5,000-person daemon fill spread ITFlow's "1305685782762" to Flowtrac)
    national = merge_field("phone_office", None, [Candidate("a", "(305) 685-7827", True, at),
                                                  Candidate("c", "305-685-7827", True, at),
                                                  Candidate("i", "1305685782762", True, later)], FieldRule())
    assert national.value in ("(305) 685-7827", "305-685-7827")


def test_one_phone_number_however_it_is_written() -> None:
    from syncd.model import equivalent

    assert equivalent("phone_office", "+39 055 433 8831", "390554338831")  # ITFlow's digits
    assert equivalent("phone_office", "+39 055 433 8831", "055 433 8831")  # national, beside its country
    assert equivalent("phone_office", "+7 812 386 6322", "8 812 386-63-22")  # a trunk prefix
    assert not equivalent("phone_office", "+39 055 433 8831", "055 433 8832")
    at = When.exactly(T0)
    out = merge_field("phone_office", None, [Candidate("a", "+33 76 475 5519", True, at),
                                             Candidate("i", "33764755519", True, When.exactly(T0 + timedelta(1)))],
                      FieldRule())
    assert out.value == "+33 76 475 5519"  # the best written, though the other is newer
